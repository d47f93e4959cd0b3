/**
 * JPEG-in-TIFF (Compression 7) through libjpeg-turbo (WASM, @cornerstonejs/codec-libjpeg-turbo-8bit),
 * the codec DICOM JPEG Baseline already uses: the same integer IDCT and "fancy" chroma upsampling
 * as GDAL/libtiff, where geotiff.js's own JPEG decoder was up to 10-13 levels off on YCbCr files.
 * Abbreviated tile streams get the image's JPEGTables spliced in front. libjpeg converts YCbCr
 * (Photometric 6, libtiff's JPEGCOLORMODE=RGB) to RGB itself, so tiles.ts must not convert again.
 */
import { BaseDecoder } from 'geotiff';
import { decodeWithWasm } from '../../dicom/codecs/wasm.ts';
import { jpegFrameSize } from './precheck.ts';

/** Joins a tables-only stream (SOI tables EOI) and an abbreviated stream (SOI ... EOI) into one. */
export function spliceTables(tables: Uint8Array | undefined, block: Uint8Array): Uint8Array {
  if (!tables || tables.length < 4) return block;
  const head = tables.subarray(0, tables.length - 2); // without EOI
  const body = block.subarray(2); // without SOI
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** geotiff.js decoder class for JPEG blocks (8-bit, 1 or 3 components, pixel-interleaved). */
export default class JpegDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const params = this.parameters as typeof this.parameters & { JPEGTables?: Uint8Array };
    const encoded = spliceTables(params.JPEGTables, new Uint8Array(buffer));
    const size = jpegFrameSize(encoded);
    if (!size) throw new Error('JPEG block has no frame header');
    const planar = this.parameters.planarConfiguration === 2;
    const samples = planar ? 1 : (this.parameters.samplesPerPixel ?? 1);
    const out = await decodeWithWasm(
      {
        name: 'libjpeg-turbo',
        load: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
        dir: '@cornerstonejs/codec-libjpeg-turbo-8bit/dist',
        decoderClass: 'JPEGDecoder',
      },
      {
        encoded,
        // a strip's last JPEG may be shorter than RowsPerStrip; tiles.ts checks the block size
        rows: size.height,
        columns: size.width,
        samples,
        bitsAllocated: 8,
        bitsStored: 8,
        signed: false,
        planar: false,
        photometric: samples === 3 ? 'RGB' : 'MONOCHROME2',
      },
    );
    const px = out.pixels;
    return px.byteOffset === 0 && px.byteLength === px.buffer.byteLength ? px.buffer : px.slice().buffer;
  }
}
