/** Test support: a seeded PRNG so failures reproduce (mulberry32). */

/** Returns a function yielding uniform numbers in [0, 1) from `seed`. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A smooth-ish random image (sum of a few sinusoids plus noise) with values in [0, 1]. */
export function randomImage(width: number, height: number, seed: number, noise = 0.2): Float64Array {
  const r = rng(seed);
  const f = [r() * 0.3, r() * 0.3, r() * 0.05, r() * 6];
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s =
        0.5 + 0.25 * Math.sin((f[0] as number) * x + (f[3] as number)) * Math.cos((f[1] as number) * y);
      const v = (1 - noise) * (s + 0.2 * Math.sin((f[2] as number) * (x + y))) + noise * r();
      out[y * width + x] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}
