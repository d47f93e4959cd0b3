/**
 * GDAL's metadata tags: GDAL_METADATA (42112, an XML list of items, dataset-level or per band with
 * sample="i") and GDAL_NODATA (42113, the no-data value as text). Written by GDAL's rules so GDAL
 * reads them back as dataset metadata, band descriptions, scale/offset and nodata.
 */

/** One <Item>: dataset-level when `sample` is undefined. */
export interface MetadataItem {
  name: string;
  value: string;
  sample?: number;
  role?: string;
}

/** Band items that GDAL stores with a role (it reads them back as band properties, not metadata). */
const ROLES: Record<string, string> = {
  DESCRIPTION: 'description',
  SCALE: 'scale',
  OFFSET: 'offset',
  UNITTYPE: 'unittype',
  COLORINTERP: 'colorinterp',
};

/** XML text/attribute escaping (the provenance JSON is full of quotes and may hold '<' or '&'). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** Inverse of xmlEscape, plus numeric character references (GDAL writes those for control characters). */
export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const k = e.toLowerCase();
    if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(parseInt(k.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[k] ?? '';
  });
}

/**
 * GDAL escapes item values twice (CPLEscapeString, then again when serializing the XML tree) and
 * unescapes once more after parsing; single escaping loses text at the first '&' in GDAL's reader.
 */
export function gdalEscape(s: string): string {
  return xmlEscape(xmlEscape(s));
}

/** Inverse of gdalEscape: what GDAL reads from an item's raw inner text (geotiff.js hands that over). */
export function gdalUnescape(s: string): string {
  return xmlUnescape(xmlUnescape(s));
}

/** The GDAL_METADATA XML for a list of items. */
export function gdalMetadataXml(items: MetadataItem[]): string {
  const lines = items.map((it) => {
    const sample = it.sample === undefined ? '' : ` sample="${it.sample}"`;
    const role = it.role ?? (it.sample !== undefined ? ROLES[it.name] : undefined);
    return `  <Item name="${xmlEscape(it.name)}"${sample}${role ? ` role="${role}"` : ''}>${gdalEscape(it.value)}</Item>`;
  });
  return `<GDALMetadata>\n${lines.join('\n')}\n</GDALMetadata>`;
}

/** Items of a GDAL_METADATA XML string (name, value unescaped, sample when present). */
export function parseGdalMetadata(xml: string): MetadataItem[] {
  const items: MetadataItem[] = [];
  for (const m of xml.matchAll(/<Item\s+([^>]*?)\s*(?:\/>|>([\s\S]*?)<\/Item>)/g)) {
    const attrs = new Map<string, string>();
    for (const a of (m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) attrs.set(a[1] ?? '', xmlUnescape(a[2] ?? ''));
    const name = attrs.get('name');
    if (name === undefined) continue;
    const sample = attrs.get('sample');
    const role = attrs.get('role');
    items.push({
      name,
      value: gdalUnescape(m[2] ?? ''),
      ...(sample !== undefined ? { sample: Number(sample) } : {}),
      ...(role !== undefined ? { role } : {}),
    });
  }
  return items;
}

/** GDAL_NODATA text: integers plainly, floats at full precision, "nan" / "inf" / "-inf". */
export function formatNoData(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) ? v.toFixed(0) : String(v);
}

/** Metadata values that are not plain text (numbers, booleans) as GDAL would hold them. */
export function metadataText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Source band items that describe the old pixels, not the enhanced ones. */
const STALE_BAND_ITEM = /^STATISTICS_/;
const COLOR_NAMES = ['Red', 'Green', 'Blue'];

/**
 * Items for the exported file: the source's dataset items (ours replace same-named ones), then
 * `ours`, then per output band the source band's items (descriptions, scale/offset, colour
 * interpretation; stale statistics dropped). `bands[j]` is the source band of output band j.
 * When the source was RGB but the export is not (photometric MinIsBlack), bands keep their colour
 * through COLORINTERP items, as GDAL does.
 */
export function exportItems(options: {
  dataset: Record<string, unknown>;
  bandItems: Array<Record<string, unknown>>;
  bands: readonly number[];
  ours: MetadataItem[];
  rgbSourceAsGray: boolean;
}): MetadataItem[] {
  const mine = new Set(options.ours.map((i) => i.name));
  const items: MetadataItem[] = [];
  for (const [name, v] of Object.entries(options.dataset)) {
    const value = metadataText(v);
    if (value !== undefined && !mine.has(name)) items.push({ name, value: gdalUnescape(value) });
  }
  items.push(...options.ours);
  options.bands.forEach((b, sample) => {
    const src = options.bandItems[b] ?? {};
    for (const [name, v] of Object.entries(src)) {
      const value = metadataText(v);
      if (value !== undefined && !STALE_BAND_ITEM.test(name))
        items.push({ name, value: gdalUnescape(value), sample });
    }
    const color = COLOR_NAMES[b];
    if (options.rgbSourceAsGray && color && src.COLORINTERP === undefined)
      items.push({ name: 'COLORINTERP', value: color, sample });
  });
  return items;
}
