/**
 * Test helpers: run the pydicom(+gdcm) reference decoder (scripts/oracles/dicom_ref.py) once per
 * file into a temporary directory and read back its frames and header facts. Node only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, type NdArray } from '../../npy.ts';

/** The interpreter that has Debian's pydicom, gdcm and numpy (not a pyenv shim). */
export const PYTHON = '/usr/bin/python3';

/** Why the oracle cannot run here, or undefined when it can. */
export function oracleMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3-pydicom python3-gdcm)`;
  const r = spawnSync(PYTHON, ['-c', 'import pydicom, gdcm, numpy'], { encoding: 'utf8' });
  if (r.status !== 0) return `pydicom/gdcm/numpy missing for ${PYTHON}: ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** Header facts as dicom_ref.py writes them. */
export interface RefHeader {
  rows: number;
  columns: number;
  frames: number;
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometric: string;
  transferSyntaxUID: string;
  slope: number[];
  intercept: number[];
  windowCenter: number[];
  windowWidth: number[];
  windowExplanation: string[];
  spacing: { kind: string; v: number[] } | null;
  modality: string;
  sopInstanceUID: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  patientID: string;
  /** The attributes tilesr keeps in ImageInfo.metadata, as pydicom reads them. */
  metadata: Record<string, string | number | number[]>;
  dtype?: string;
  shape?: number[];
  error?: string;
}

/** A reference decoding: header and one array per frame (read lazily). */
export interface Reference {
  header: RefHeader;
  frame(i: number): NdArray;
}

/** Runs a Python script from scripts/oracles; throws with its stderr on failure. */
export function runPython(script: string, args: string[]): void {
  const r = spawnSync(PYTHON, [join('scripts', 'oracles', script), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Decodes `file` with the reference into `outDir` (once) and returns the result. */
export function reference(file: string, outDir: string): Reference {
  if (!existsSync(join(outDir, 'header.json'))) {
    const r = spawnSync(PYTHON, [join('scripts', 'oracles', 'dicom_ref.py'), file, outDir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0 && r.status !== 2)
      throw new Error(`dicom_ref.py ${file} failed (${r.status}): ${r.stderr}`);
  }
  const header = JSON.parse(readFileSync(join(outDir, 'header.json'), 'utf8')) as RefHeader;
  return {
    header,
    frame: (i) =>
      decodeNpy(new Uint8Array(readFileSync(join(outDir, `frame_${String(i).padStart(3, '0')}.npy`)))),
  };
}
