/**
 * validation/ in Chromium: the library runs unchanged in a browser; the PNG encoder is checked with
 * the browser's own PNG decoder as oracle; SSIM against a brute-force 2-D window written here; the
 * HTML report renders in an iframe with the summary numbers.
 */
import { expect } from '@esm-bundle/chai';
import { upsample } from './baselines.ts';
import { evaluate } from './evaluate.ts';
import type { Plane } from './image.ts';
import { gaussianKernel, ssim } from './metrics/index.ts';
import { imageFigures } from './report/figures.ts';
import { reportToHtml } from './report/html.ts';
import { pngDataUri } from './report/png.ts';
import { randomImage, rng } from './testing/random.ts';
import { reportFor } from './testing/report.ts';

async function decodeInBrowser(uri: string, w: number, h: number): Promise<Uint8ClampedArray> {
  const img = new Image();
  img.src = uri;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, w, h).data;
}

/** SSIM by definition: a full 11x11 weighted window at every valid position, no separability. */
function bruteSsim(a: Plane, b: Plane, R: number): number {
  const k = gaussianKernel(1.5, 3.5);
  const C1 = (0.01 * R) ** 2;
  const C2 = (0.03 * R) ** 2;
  let sum = 0;
  let n = 0;
  for (let y = 5; y < a.height - 5; y++)
    for (let x = 5; x < a.width - 5; x++) {
      let mx = 0,
        my = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let j = -5; j <= 5; j++)
        for (let i = -5; i <= 5; i++) {
          const wt = (k[j + 5] as number) * (k[i + 5] as number);
          const u = a.data[(y + j) * a.width + x + i] as number;
          const v = b.data[(y + j) * a.width + x + i] as number;
          mx += wt * u;
          my += wt * v;
          sxx += wt * u * u;
          syy += wt * v * v;
          sxy += wt * u * v;
        }
      const vx = sxx - mx * mx;
      const vy = syy - my * my;
      const cxy = sxy - mx * my;
      sum += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      n++;
    }
  return sum / n;
}

describe('validation/ in Chromium', () => {
  it('encodes gray and RGB PNGs the browser decodes to the same pixels', async () => {
    const r = rng(5);
    for (const samples of [1, 3] as const) {
      const w = 37;
      const h = 23;
      const px = Uint8Array.from({ length: w * h * samples }, () => Math.floor(r() * 256));
      const got = await decodeInBrowser(pngDataUri(w, h, samples, px), w, h);
      for (let i = 0; i < w * h; i++)
        for (let c = 0; c < 3; c++)
          expect(got[i * 4 + c]).to.equal(px[i * samples + (samples === 3 ? c : 0)]);
    }
  });

  it('SSIM equals the brute-force 2-D window definition', () => {
    const w = 43;
    const h = 38;
    const a: Plane = { width: w, height: h, data: randomImage(w, h, 2, 0.4) };
    const r = rng(9);
    const b: Plane = { ...a, data: a.data.map((v) => v + (r() - 0.5) * 0.2) };
    expect(Math.abs(ssim(a, b, { dataRange: 1 }) - bruteSsim(a, b, 1))).to.be.below(1e-12);
  });

  it('builds and renders the HTML report in an iframe', async () => {
    const gt: Plane = { width: 96, height: 80, data: randomImage(96, 80, 4, 0.2) };
    const ev = await evaluate(gt, {
      scale: 2,
      degradation: 'torch',
      dataRange: 1,
      enhance: async (lr) => upsample(lr, 2, 'lanczos3'),
      keepPlanes: true,
      tileSize: 32,
    });
    const dataRange = { value: 1, rule: 'normalized' as const, detail: 'values on [0,1]' };
    const report = reportFor(ev, {
      file: 'x.npy',
      dataRange,
      tileSize: 32,
      provenance: { tilesr_version: 't', created_at: '', runtime: navigator.userAgent, inputs: [] },
    });
    const frame = document.createElement('iframe');
    frame.style.width = '1000px';
    frame.style.height = '800px';
    document.body.append(frame);
    const loaded = new Promise((res) => frame.addEventListener('load', res, { once: true }));
    frame.srcdoc = reportToHtml(report, [imageFigures(ev, 1)]);
    await loaded;
    const doc = frame.contentDocument;
    const text = doc?.querySelector('#summary')?.textContent ?? '';
    const psnr = report.summary.model?.psnr;
    expect(psnr).to.be.a('number');
    expect(text).to.include((psnr as number).toFixed(2));
    const imgs = [...(doc?.querySelectorAll('img') ?? [])];
    await Promise.all(imgs.map((i) => i.decode()));
    expect(imgs.length).to.equal(4);
    expect(imgs.every((i) => i.naturalWidth > 0)).to.equal(true);
    frame.remove();
  });
});
