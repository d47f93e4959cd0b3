/**
 * `queue submit`'s INPUTs -> one source per image/series with its deterministic output path: a file,
 * a directory (recursed; its relative layout kept under --out), a STAC Item/ItemCollection/Collection
 * (its COG assets), or an image URL. Names depend only on the input, so a rerun finds what is done.
 */
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { isSeriesUrl, parseSeriesUrl, safeUrl } from '../dicomweb/url.ts';
import { QueueError } from './errors.ts';
import type { OutFormat, SourceRef } from './jobs.ts';
import { looksLikeStac, stacAssets } from './stac.ts';

/** One planned output. */
export interface Planned {
  source: SourceRef;
  out: string;
}

/** How submit expands inputs. */
export interface ExpandOptions {
  /** --out DIR; absent with --stow (DICOMweb series only). */
  outDir?: string;
  /** --stow STOW_ROOT: derived series stored into the source study. */
  stow?: string;
  /** Every output's format; default by input: .tif/.tiff -> tif, anything else (DICOM) -> dcm. */
  format?: OutFormat;
  model: string;
  /** STAC asset keys to take (the band choice). */
  assets?: string[];
  /** Image files under a directory, sorted (the CLI's own walker, shared with `validate`). */
  listDir: (dir: string) => Promise<string[]>;
  /** Id of the batch's STAC Collection. */
  collection: string;
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const stem = (p: string) => basename(p, extname(p));

/** Refuses URLs carrying credentials: job payloads sit in Redis, tokens come from workers' env. */
function checkNoCredentials(input: string): void {
  if (!isUrl(input)) return;
  const u = new URL(input);
  if (u.username || u.password)
    throw new QueueError(
      'BAD_INPUT',
      `${u.protocol}//${u.host}${u.pathname}: credentials in URLs would be stored in Redis; give workers TILESR_DICOMWEB_TOKEN (or TILESR_DICOMWEB_TOKEN_FILE) instead`,
    );
}

/** The output format of `src` when --format is not given. */
export function formatFor(src: string): OutFormat {
  return /\.tiff?(\?.*)?$/i.test(src) ? 'tif' : 'dcm';
}

/** Expands INPUTs into planned outputs (input order; directories sorted). */
export async function expandInputs(inputs: string[], o: ExpandOptions): Promise<Planned[]> {
  const out: Planned[] = [];
  const dir = (): string => {
    if (o.outDir === undefined) throw new QueueError('BAD_INPUT', '--stow takes DICOMweb series URLs only');
    return resolve(o.outDir);
  };
  const target = (name: string, src: string) =>
    join(dir(), `${name}_${o.model}.${o.format ?? formatFor(src)}`);
  for (const input of inputs) {
    checkNoCredentials(input);
    if (isSeriesUrl(input)) {
      const { root, study, series } = parseSeriesUrl(input);
      // rebuilt without query or fragment: whatever rides there (tokens) stays out of Redis
      const src = `${root}/studies/${study}/series/${series}`;
      // one job per series: a directory of derived instances, or a STOW into the source study
      const where =
        o.stow !== undefined ? `${o.stow}#${study}/${series}` : join(dir(), `${series}_${o.model}`);
      out.push({ source: { src, label: safeUrl(input), series: true }, out: where });
      continue;
    }
    if (looksLikeStac(input)) {
      if (o.format !== undefined && o.format !== 'tif')
        throw new QueueError('BAD_INPUT', 'STAC assets are written as COGs: use --format tif');
      for (const a of await stacAssets(input, o.assets))
        out.push({
          source: {
            src: a.href,
            label: `${input}#${a.itemId}/${a.asset}`,
            stac: { ...a, collection: o.collection },
          },
          out: target(`${a.itemId}_${a.asset}`, a.href),
        });
      continue;
    }
    if (isUrl(input)) {
      const name = stem(new URL(input).pathname) || 'image';
      out.push({ source: { src: input, label: input }, out: target(name, input) });
      continue;
    }
    const abs = resolve(input);
    const isDir = await stat(abs).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir) {
      for (const f of await o.listDir(abs)) {
        const rel = relative(abs, f);
        out.push({
          source: { src: f, label: join(input, rel) },
          out: target(join(dirname(rel), stem(rel)), f),
        });
      }
    } else out.push({ source: { src: abs, label: input }, out: target(stem(abs), abs) });
  }
  const seen = new Map<string, string>();
  for (const p of out) {
    const other = seen.get(p.out);
    if (other !== undefined)
      throw new QueueError('OUTPUT_CLASH', `${other} and ${p.source.label} would both write ${p.out}`);
    seen.set(p.out, p.source.label);
  }
  return out;
}
