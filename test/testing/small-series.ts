/**
 * The bundled five-slice CT series (demo/samples/ct-series, 512x512) cropped to its central
 * `size` x `size` pixels (Image Position moved to the crop), for tests that enhance a whole series and
 * must stay fast. Study, series and instance UIDs and every other attribute are kept: the crops form
 * the same series.
 */
import dcmjs from 'dcmjs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The bundled CT series folder. */
export const CT_SERIES_DIR = 'demo/samples/ct-series';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** The CT series' Part 10 files, each cropped to its central `size` x `size` (Explicit VR Little Endian, 16 bits). */
export async function smallCtSeries(size = 48): Promise<Uint8Array[]> {
  const names = (await readdir(CT_SERIES_DIR)).filter((n) => n.endsWith('.dcm')).sort();
  const out: Uint8Array[] = [];
  // dcmjs warns once per private tag of these files: noise in test output
  const level = dcmjs.log.getLevel();
  dcmjs.log.setLevel('error');
  try {
    for (const name of names) {
      const buf = await readFile(join(CT_SERIES_DIR, name));
      const dict = DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const ds = DicomMetaDictionary.naturalizeDataset(dict.dict);
      const cols = Number(ds.Columns);
      const x0 = Math.floor((cols - size) / 2);
      const y0 = Math.floor((Number(ds.Rows) - size) / 2);
      const pixels = new Uint16Array((ds.PixelData as ArrayBuffer[])[0] as ArrayBuffer);
      const crop = new Uint16Array(size * size);
      for (let y = 0; y < size; y++) {
        const row = (y0 + y) * cols + x0;
        crop.set(pixels.subarray(row, row + size), y * size);
      }
      const [rowMm, colMm] = (ds.PixelSpacing as number[]).map(Number) as [number, number];
      const iop = (ds.ImageOrientationPatient as number[]).map(Number);
      ds.ImagePositionPatient = (ds.ImagePositionPatient as number[]).map(
        (p, k) => Number(p) + x0 * colMm * (iop[k] ?? 0) + y0 * rowMm * (iop[k + 3] ?? 0),
      );
      ds.Rows = size;
      ds.Columns = size;
      ds.PixelData = [crop.buffer];
      dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
      out.push(new Uint8Array(dict.write()));
    }
  } finally {
    dcmjs.log.setLevel(level);
  }
  return out;
}
