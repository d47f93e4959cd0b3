/**
 * Measures each shipped generator's receptive field and records it in its card
 * (`receptive_field_lr_px`), then regenerates catalog.ts. The tiler uses it to choose a halo.
 *
 * Method (a): run the real model (onnxruntime-node CPU) on a deterministic textured input, then on copies
 * with one LR pixel perturbed by +-0.25 at two positions; an output pixel is influenced when it
 * changes by more than 1e-6. Its distance from the perturbed pixel is measured in LR pixels
 * (HR centre (Y+0.5)/s-0.5), and the field is the ceiling of the largest distance seen. ReLUs can
 * hide influence for one input, hence several perturbations; the input is large enough that the
 * field never reaches its border (checked). Method (b), see measureBorderEffect, usually dominates.
 *
 * Usage: node --import tsx models/tools/receptive-field.ts
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createNodeCpuBackend } from '../backend/ort-node.ts';
import type { InferenceSession } from '../backend/types.ts';
import { writeCatalog } from './sync-catalog.ts';

const SIZE = 104;
const THRESHOLD = 1e-6;
const DELTA = 0.25;

/** Deterministic texture in [0.2, 0.8]: smooth ramps plus hashed noise, so ReLUs see varied inputs. */
function textured(size: number): Float32Array {
  const a = new Float32Array(size * size);
  let h = 2463534242;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      h ^= h << 13;
      h ^= h >>> 17;
      h ^= h << 5;
      const noise = ((h >>> 0) / 2 ** 32 - 0.5) * 0.2;
      a[y * size + x] = 0.5 + 0.2 * Math.sin(x / 7) * Math.cos(y / 9) + noise;
    }
  return a;
}

/** Largest LR-pixel distance (per axis, Chebyshev) at which a one-pixel change alters the output. */
export async function measureReceptiveField(session: InferenceSession, size = SIZE): Promise<number> {
  const s = session.scale;
  const base = textured(size);
  const ref = (await session.run({ data: base, width: size, height: size })).data;
  let radius = 0;
  const c0 = Math.floor(size / 2);
  for (const [cy, cx] of [
    [c0, c0],
    [c0 - 3, c0 + 2],
  ] as const)
    for (const sign of [1, -1]) {
      const input = base.slice();
      input[cy * size + cx] = (input[cy * size + cx] ?? 0) + sign * DELTA;
      const out = (await session.run({ data: input, width: size, height: size })).data;
      const W = size * s;
      for (let Y = 0; Y < W; Y++)
        for (let X = 0; X < W; X++) {
          const i = Y * W + X;
          if (Math.abs((out[i] ?? 0) - (ref[i] ?? 0)) <= THRESHOLD) continue;
          const d = Math.max(Math.abs((Y + 0.5) / s - 0.5 - cy), Math.abs((X + 0.5) / s - 0.5 - cx));
          radius = Math.max(radius, d);
        }
    }
  const r = Math.ceil(radius - 1e-9);
  if (r >= c0 - 4) throw new Error(`receptive field ${r} reaches the ${size}px input's border: enlarge SIZE`);
  return r;
}

/**
 * How far (LR px) into a tile the zero padding at its border changes the output by more than
 * THRESHOLD, compared with running the same pixels inside a larger image: the halo a tiler needs for
 * seam-free stitching. It exceeds the one-pixel field because a whole border changes at once.
 */
export async function measureBorderEffect(
  session: InferenceSession,
  size = 128,
  margin = 32,
): Promise<number> {
  const s = session.scale;
  const full = textured(size);
  const inner = size - 2 * margin;
  const crop = new Float32Array(inner * inner);
  for (let y = 0; y < inner; y++)
    crop.set(full.subarray((y + margin) * size + margin, (y + margin) * size + margin + inner), y * inner);
  const a = (await session.run({ data: full, width: size, height: size })).data;
  const b = (await session.run({ data: crop, width: inner, height: inner })).data;
  const W = size * s;
  const w = inner * s;
  let depth = 0;
  for (let Y = 0; Y < w; Y++)
    for (let X = 0; X < w; X++) {
      if (Math.abs((b[Y * w + X] ?? 0) - (a[(Y + margin * s) * W + X + margin * s] ?? 0)) <= THRESHOLD)
        continue;
      // distance of this HR pixel from the crop's nearest edge, in LR pixels (edge pixel = 1)
      const d = Math.min(Y, X, w - 1 - Y, w - 1 - X) / s + 1;
      depth = Math.max(depth, d);
    }
  const r = Math.ceil(depth - 1e-9);
  if (r >= inner / 2 - 2)
    throw new Error(`border effect ${r} reaches the ${inner}px crop's centre: enlarge it`);
  return r;
}

async function main(): Promise<void> {
  const dir = new URL('../weights/', import.meta.url);
  const backend = createNodeCpuBackend();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const cardUrl = new URL(name, dir);
    const card = JSON.parse(await readFile(cardUrl, 'utf8')) as Record<string, unknown> & {
      scale: number;
      onnx: { file: string };
    };
    const bytes = new Uint8Array(await readFile(new URL(card.onnx.file, dir)));
    const session = await backend.createSession({ id: name, scale: card.scale, bytes });
    const t0 = performance.now();
    const onePixel = await measureReceptiveField(session);
    const border = await measureBorderEffect(session);
    await session.dispose();
    const rf = Math.max(onePixel, border);
    card['receptive_field_lr_px'] = rf;
    card['receptive_field_method'] =
      `measured with onnxruntime-node CPU, threshold ${THRESHOLD} on the [0,1] scale: max of (a) one LR pixel ` +
      `perturbed by +-${DELTA} in a ${SIZE}x${SIZE} textured input (${onePixel} px, Chebyshev, rounded up) and ` +
      `(b) tile-border effect, a 64x64 crop vs the same pixels inside 128x128 (${border} px from the edge); ` +
      `the architectural bound (3x3 convs in series) is larger (~35) but contributions beyond this are < ${THRESHOLD}`;
    // the shared cards use one-space indentation; keep it so diffs stay small
    await writeFile(cardUrl, JSON.stringify(card, null, 1));
    console.log(
      `${name}: one-pixel ${onePixel}, border ${border} -> ${rf} LR px per side (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  await writeCatalog();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
