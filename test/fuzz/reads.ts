/** The reads every fuzz case gets, the same in Node (worker.ts) and Chromium (browser-fuzz.browser.test.ts). */
import type { RasterSource } from '../../formats/raster.ts';

/** Up to two frames, then a window of the first, then closes `src`. */
export async function readSample(src: RasterSource): Promise<void> {
  try {
    const { width, height, frames } = src.info;
    for (let f = 0; f < Math.min(frames, 2); f++) await src.read({ frame: f });
    if (width > 2 && height > 2)
      await src.read({ window: { x: 1, y: 1, width: Math.ceil(width / 2), height: Math.ceil(height / 2) } });
  } finally {
    await src.close();
  }
}
