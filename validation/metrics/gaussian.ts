/** The Gaussian window of SSIM and a separable 'valid' filter (no border handling needed). */

/** Sampled, normalized 1-D Gaussian; radius = int(truncate * sigma + 0.5) as scipy.ndimage. */
export function gaussianKernel(sigma = 1.5, truncate = 3.5): Float64Array {
  const r = Math.trunc(truncate * sigma + 0.5);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + r] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/**
 * Separable filter keeping only outputs whose window lies inside the image: (w-2r) x (h-2r).
 * That is exactly the region scikit-image averages after cropping, so its border mode never matters.
 */
export function filterValid(src: ArrayLike<number>, w: number, h: number, k: Float64Array): Float64Array {
  const K = k.length;
  const ow = w - K + 1;
  const oh = h - K + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += (k[j] as number) * (src[row + x + j] as number);
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += (k[j] as number) * (tmp[(y + j) * ow + x] as number);
      out[y * ow + x] = s;
    }
  }
  return out;
}
