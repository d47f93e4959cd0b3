/**
 * STAC in and out: the COG assets of a STAC Item, ItemCollection or Collection (local path or URL,
 * relative hrefs resolved against the document), and the derived Item written beside each enhanced
 * COG (derived_from link, processing extension naming tilesr, model, sha256, scale) plus the batch's
 * Collection.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QueueError } from './errors.ts';

const PROCESSING_EXT = 'https://stac-extensions.github.io/processing/v1.2.0/schema.json';
const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

/** A STAC document as far as tilesr reads it. */
interface StacDoc {
  type?: string;
  stac_version?: string;
  id?: string;
  bbox?: number[];
  geometry?: unknown;
  properties?: Record<string, unknown>;
  assets?: Record<string, { href?: string; type?: string; roles?: string[] }>;
  links?: Array<{ rel?: string; href?: string }>;
  features?: StacDoc[];
}

/** One asset to enhance. */
export interface StacAsset {
  /** Absolute path or URL of the COG. */
  href: string;
  /** Absolute path or URL of the source Item (for derived_from). */
  item: string;
  itemId: string;
  asset: string;
  /** What the derived Item copies: geometry, bbox, datetime. */
  geometry: unknown;
  bbox?: number[];
  datetime: unknown;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Resolves `href` against the document at `base` (a path or URL). */
function resolveHref(base: string, href: string): string {
  if (isUrl(href)) return href;
  if (isUrl(base)) return new URL(href, base).toString();
  if (href.startsWith('file:')) return fileURLToPath(href);
  return resolve(dirname(base), href);
}

async function readDoc(where: string): Promise<StacDoc> {
  try {
    const text = isUrl(where)
      ? await fetch(where).then(async (r) => {
          if (!r.ok) throw new Error(`GET answered ${r.status}`);
          return r.text();
        })
      : await readFile(where, 'utf8');
    return JSON.parse(text) as StacDoc;
  } catch (err) {
    throw new QueueError('BAD_INPUT', `cannot read STAC document ${where}: ${(err as Error).message}`);
  }
}

/** True when a local file or URL names a JSON document (a STAC input rather than an image). */
export function looksLikeStac(input: string): boolean {
  return /\.json(\?.*)?$/i.test(input);
}

function isCog(a: { href?: string; type?: string }): boolean {
  return (a.type ?? '').includes('image/tiff') || /\.tiff?(\?.*)?$/i.test(a.href ?? '');
}

/**
 * The COG assets of a STAC Item, ItemCollection or Collection (items by their `item` links).
 * `assets`: asset keys to take (the band choice); default every GeoTIFF asset.
 */
export async function stacAssets(where: string, assets?: string[]): Promise<StacAsset[]> {
  const loc = isUrl(where) ? where : resolve(where);
  const doc = await readDoc(loc);
  if (doc.type === 'Collection') {
    const items = (doc.links ?? []).filter((l) => l.rel === 'item' && l.href);
    const out: StacAsset[] = [];
    for (const l of items) out.push(...(await stacAssets(resolveHref(loc, l.href as string), assets)));
    return out;
  }
  if (doc.type === 'FeatureCollection')
    return (doc.features ?? []).flatMap((f) => itemAssets(f, loc, assets));
  if (doc.type === 'Feature') return itemAssets(doc, loc, assets);
  throw new QueueError('BAD_INPUT', `${where} is not a STAC Item, ItemCollection or Collection`);
}

function itemAssets(item: StacDoc, loc: string, want?: string[]): StacAsset[] {
  const id = item.id ?? basename(loc).replace(/\.json$/i, '');
  const entries = Object.entries(item.assets ?? {});
  for (const key of want ?? [])
    if (!entries.some(([k]) => k === key))
      throw new QueueError('BAD_INPUT', `STAC item ${id} has no asset "${key}"`);
  return entries
    .filter(([k, a]) => a.href && (want ? want.includes(k) : isCog(a)))
    .map(([k, a]) => ({
      href: resolveHref(loc, a.href as string),
      item: loc,
      itemId: id,
      asset: k,
      geometry: item.geometry ?? null,
      bbox: item.bbox,
      datetime: item.properties?.datetime ?? null,
    }));
}

/** Provenance fields of a derived Item. */
export interface DerivedFacts {
  model: string;
  modelSha256: string;
  scale: number;
  sourceSha256: string;
  version: string;
  /** Id of the batch's Collection. */
  collection: string;
}

/** The derived STAC Item beside the COG `cog` (an absolute path). */
export function derivedItem(a: StacAsset, cog: string, f: DerivedFacts): Record<string, unknown> {
  const from = isUrl(a.item) ? a.item : pathToFileURL(a.item).toString();
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [PROCESSING_EXT],
    id: basename(cog).replace(/\.tiff?$/i, ''),
    collection: f.collection,
    geometry: a.geometry,
    ...(a.bbox ? { bbox: a.bbox } : {}),
    properties: {
      datetime: a.datetime,
      'processing:software': { tilesr: f.version },
      'processing:lineage': `super-resolved x${f.scale} by tilesr model ${f.model} (sha256 ${f.modelSha256}) from asset "${a.asset}" of ${a.itemId}`,
      'processing:level': 'L-SR',
      'tilesr:model': f.model,
      'tilesr:model_sha256': f.modelSha256,
      'tilesr:scale': f.scale,
      'tilesr:source_sha256': f.sourceSha256,
      'tilesr:ai_enhanced': true,
    },
    assets: {
      [a.asset]: {
        href: `./${basename(cog)}`,
        type: COG_TYPE,
        roles: ['data'],
        title: `${a.asset} x${f.scale}`,
      },
    },
    links: [
      { rel: 'derived_from', href: from, type: 'application/geo+json' },
      { rel: 'collection', href: './collection.json', type: 'application/json' },
    ],
  };
}

/** The batch's Collection in `dir`, linking the derived Items (paths) it will hold. */
export function batchCollection(
  id: string,
  dir: string,
  items: string[],
  sources: StacAsset[],
  model: string,
): Record<string, unknown> {
  const boxes = sources.map((s) => s.bbox).filter((b): b is number[] => Array.isArray(b) && b.length >= 4);
  const bbox =
    boxes.length > 0
      ? [
          Math.min(...boxes.map((b) => b[0] as number)),
          Math.min(...boxes.map((b) => b[1] as number)),
          Math.max(...boxes.map((b) => b[2] as number)),
          Math.max(...boxes.map((b) => b[3] as number)),
        ]
      : [-180, -90, 180, 90];
  return {
    type: 'Collection',
    stac_version: '1.0.0',
    stac_extensions: [PROCESSING_EXT],
    id,
    description: `AI-enhanced (super-resolved) assets made by tilesr with model ${model}; not original data`,
    license: 'other',
    extent: { spatial: { bbox: [bbox] }, temporal: { interval: [[null, null]] } },
    links: [
      { rel: 'self', href: './collection.json' },
      ...items.map((p) => ({ rel: 'item', href: `./${relative(dir, p)}`, type: 'application/geo+json' })),
    ],
  };
}
