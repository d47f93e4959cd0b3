/**
 * A small, general tiled TIFF / BigTIFF writer in Cloud-Optimized order.
 *
 * Why our own: geotiff.js 3.0's writeArrayBuffer corrupts Int16 samples, cannot write tag 42112
 * (GDAL_METADATA), writes neither compressed nor tiled data, and overruns its fixed-size IFD area
 * silently. GDAL-wasm would be megabytes for one writer. The TIFF structure itself is small.
 *
 * Layout (what GDAL's COG driver writes, so validate_cloud_optimized_geotiff accepts it): header,
 * GDAL's "ghost" structural metadata, every IFD (each followed by its out-of-line values), then the
 * tile data from the LAST image to the first (overviews are passed smallest last, so the smallest
 * overview's tiles come first and the full resolution last), row-major, each tile with a 4-byte size
 * leader and its last 4 bytes repeated as trailer (lets readers validate a block without the IFD).
 *
 * Tiles come from a provider (image, tile) -> encoded bytes, pulled once in file order; the in-memory
 * writer keeps the encoded tiles until the offsets are known; the streaming one (geotiff-stream.ts)
 * spills them and uses tiledTiffLayout + putFramedTile the same way.
 */

/** TIFF field types used here. */
export const FieldType = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12, LONG8: 16 } as const;
export type FieldTypeCode = (typeof FieldType)[keyof typeof FieldType];

const TYPE_SIZE: Record<FieldTypeCode, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

/** One IFD entry: numbers for numeric types, a string (NUL added here) for ASCII. */
export interface TiffField {
  tag: number;
  type: FieldTypeCode;
  value: readonly number[] | string;
}

/** One image (IFD) of the file: its fields (without TileOffsets/TileByteCounts) and tile count. */
export interface TiledImage {
  fields: TiffField[];
  tileCount: number;
}

/** Encoded (compressed) bytes of tile `tile` (row-major) of image `image`. */
export type TileProvider = (image: number, tile: number) => Promise<Uint8Array> | Uint8Array;

export interface TiffWriteOptions {
  /** true: always BigTIFF; false: never (throws when over 4 GiB); 'auto' (default): when needed. */
  bigTiff?: boolean | 'auto';
  /** Called between tiles so a caller can abort (throw) or report progress. */
  onTile?: (done: number, total: number) => void;
}

export const TAG_TILE_OFFSETS = 324;
export const TAG_TILE_BYTE_COUNTS = 325;
const CLASSIC_MAX = 0xffffffff;

/** GDAL's structural metadata ("ghost area"); the size field counts the lines after the first. */
export function ghostArea(): Uint8Array {
  const body =
    'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\n' +
    'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';
  const head = `GDAL_STRUCTURAL_METADATA_SIZE=${String(body.length).padStart(6, '0')} bytes\n`;
  return new TextEncoder().encode(head + body);
}

function fieldBytes(f: TiffField): { count: number; size: number } {
  const count = typeof f.value === 'string' ? new TextEncoder().encode(f.value).length + 1 : f.value.length;
  return { count, size: count * TYPE_SIZE[f.type] };
}

/** Bytes of one IFD including its out-of-line values (each kept at an even offset). */
function ifdSize(fields: TiffField[], big: boolean): number {
  const entry = big ? 20 : 12;
  const inline = big ? 8 : 4;
  let n = (big ? 8 : 2) + fields.length * entry + (big ? 8 : 4);
  for (const f of fields) {
    const { size } = fieldBytes(f);
    if (size > inline) n += size + (size & 1);
  }
  return n;
}

function put(view: DataView, at: number, type: FieldTypeCode, v: number): void {
  switch (type) {
    case 1:
    case 2:
      view.setUint8(at, v);
      break;
    case 3:
      view.setUint16(at, v, true);
      break;
    case 4:
      view.setUint32(at, v, true);
      break;
    case 12:
      view.setFloat64(at, v, true);
      break;
    case 16:
      view.setBigUint64(at, BigInt(v), true);
      break;
  }
}

function putValues(out: Uint8Array, view: DataView, at: number, f: TiffField): void {
  if (typeof f.value === 'string') {
    out.set(new TextEncoder().encode(f.value), at); // the NUL is already zero in the fresh buffer
    return;
  }
  const sz = TYPE_SIZE[f.type];
  f.value.forEach((v, i) => put(view, at + i * sz, f.type, v));
}

/** Writes one IFD at `at`; returns the offset just past it (its values included). */
function writeIfd(out: Uint8Array, at: number, fields: TiffField[], big: boolean, next: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const entry = big ? 20 : 12;
  const inline = big ? 8 : 4;
  let p = at;
  if (big) view.setBigUint64(p, BigInt(sorted.length), true);
  else view.setUint16(p, sorted.length, true);
  p += big ? 8 : 2;
  let extra = p + sorted.length * entry + (big ? 8 : 4);
  for (const f of sorted) {
    const { count, size } = fieldBytes(f);
    view.setUint16(p, f.tag, true);
    view.setUint16(p + 2, f.type, true);
    if (big) view.setBigUint64(p + 4, BigInt(count), true);
    else view.setUint32(p + 4, count, true);
    const valueAt = p + (big ? 12 : 8);
    if (size <= inline) putValues(out, view, valueAt, f);
    else {
      put(view, valueAt, big ? 16 : 4, extra);
      putValues(out, view, extra, f);
      extra += size + (size & 1);
    }
    p += entry;
  }
  put(view, p, big ? 16 : 4, next);
  return extra;
}

/** Each image's fields plus TileOffsets (placeholders) and TileByteCounts. */
function withTileFields(images: TiledImage[], counts: number[][], big: boolean): TiffField[][] {
  const type = big ? FieldType.LONG8 : FieldType.LONG;
  return images.map((im, i) => {
    const c = counts[i] ?? [];
    return [
      ...im.fields.filter((f) => f.tag !== TAG_TILE_OFFSETS && f.tag !== TAG_TILE_BYTE_COUNTS),
      { tag: TAG_TILE_OFFSETS, type, value: c.map(() => 0) },
      { tag: TAG_TILE_BYTE_COUNTS, type, value: c },
    ];
  });
}

/** Whether a classic TIFF with these images and tile sizes would pass 4 GiB (offsets are 32-bit). */
export function needsBigTiff(images: TiledImage[], tileByteCounts: number[][]): boolean {
  const head = 8 + ghostArea().length;
  const ifds = withTileFields(images, tileByteCounts, false).reduce((a, f) => a + ifdSize(f, false), 0);
  const data = tileByteCounts.flat().reduce((a, b) => a + b + 8, 0);
  return head + (head & 1) + ifds + data > CLASSIC_MAX;
}

/** Where everything goes in a COG-ordered tiled TIFF whose tile sizes are known. */
export interface TiledTiffLayout {
  /** Header, ghost area and every IFD with its values: the file's first bytes. */
  head: Uint8Array;
  /** Offset of each tile's data (after its 4-byte leader), per image, row-major. */
  offsets: number[][];
  /** Total file size. */
  size: number;
  bigTiff: boolean;
}

/**
 * Lays out images (first = full resolution, then overviews by decreasing size) with tiles of the
 * given byte counts: the head bytes and every tile's offset. Tiles follow the head from the last
 * image to the first, each framed by putFramedTile. Shared by the in-memory and the streaming writers.
 */
export function tiledTiffLayout(
  images: TiledImage[],
  tileByteCounts: number[][],
  mode: boolean | 'auto' = 'auto',
): TiledTiffLayout {
  const over = needsBigTiff(images, tileByteCounts);
  const big = mode === true || (mode === 'auto' && over);
  if (!big && over) throw new RangeError('file exceeds 4 GiB; BigTIFF is needed');
  const ghost = ghostArea();
  const fieldsets = withTileFields(images, tileByteCounts, big);
  let p = (big ? 16 : 8) + ghost.length;
  p += p & 1;
  const firstIfd = p;
  for (const f of fieldsets) p += ifdSize(f, big);
  const headSize = p;
  const offsets: number[][] = images.map(() => []);
  for (let i = images.length - 1; i >= 0; i--)
    for (const n of tileByteCounts[i] ?? []) {
      (offsets[i] as number[]).push(p + 4);
      p += n + 8;
    }
  const head = new Uint8Array(headSize);
  const view = new DataView(head.buffer);
  head.set([0x49, 0x49], 0);
  if (big) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setBigUint64(8, BigInt(firstIfd), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfd, true);
  }
  head.set(ghost, big ? 16 : 8);
  let at = firstIfd;
  fieldsets.forEach((fields, i) => {
    const withOffsets = fields.map((f) =>
      f.tag === TAG_TILE_OFFSETS ? { ...f, value: offsets[i] as number[] } : f,
    );
    const end = at + ifdSize(withOffsets, big);
    at = writeIfd(head, at, withOffsets, big, i + 1 < fieldsets.length ? end : 0);
  });
  return { head, offsets, size: p, bigTiff: big };
}

/** Writes tile `b` framed at `at` of `out`: 4-byte size leader, the bytes, the last 4 bytes repeated. */
export function putFramedTile(out: Uint8Array, at: number, b: Uint8Array): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, b.length, true);
  out.set(b, at + 4);
  out.fill(0, at + 4 + b.length, at + 8 + b.length); // `out` may be a reused buffer
  // trailer: the last 4 bytes repeated (tiles shorter than 4 bytes: what there is, zero-padded)
  out.set(b.subarray(Math.max(0, b.length - 4)), at + 4 + b.length);
}

/**
 * Writes images (first = full resolution, then overviews by decreasing size) as one tiled TIFF in
 * COG order. TileOffsets/TileByteCounts are added here; everything else comes in `images`.
 */
export async function writeTiledTiff(
  images: TiledImage[],
  tiles: TileProvider,
  options: TiffWriteOptions = {},
): Promise<{ bytes: Uint8Array; bigTiff: boolean }> {
  const total = images.reduce((a, im) => a + im.tileCount, 0);
  // pull tiles in file order: last image first, so a streaming provider is asked in that order too
  const encoded: Uint8Array[][] = images.map(() => []);
  let done = 0;
  for (let i = images.length - 1; i >= 0; i--) {
    const im = images[i] as TiledImage;
    for (let t = 0; t < im.tileCount; t++) {
      (encoded[i] as Uint8Array[]).push(await tiles(i, t));
      options.onTile?.(++done, total);
    }
  }
  const counts = encoded.map((list) => list.map((b) => b.length));
  const layout = tiledTiffLayout(images, counts, options.bigTiff ?? 'auto');
  const out = new Uint8Array(layout.size);
  out.set(layout.head, 0);
  encoded.forEach((list, i) =>
    list.forEach((b, t) => putFramedTile(out, ((layout.offsets[i] as number[])[t] as number) - 4, b)),
  );
  return { bytes: out, bigTiff: layout.bigTiff };
}
