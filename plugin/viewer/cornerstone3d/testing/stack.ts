/**
 * Shared pieces of the Cornerstone3D browser tests: the bundled CT series, a stack mounted on the
 * page, one render, and reading back what the adapter drew on its layer.
 */
import { expect } from '@esm-bundle/chai';
import { Enums, type Types } from '@cornerstonejs/core';
import type { DrawTile, Point2 } from '../../../live/adapter.ts';
import type { DisplayModel } from '../../../live/display.ts';
import { countColor } from '../../../live/testing/canvas.ts';
import { until } from '../../../live/testing/wait.ts';
import { WATERMARK_COLORS, type WatermarkBox } from '../../../watermark/viewport.ts';
import { apply, type Affine } from '../geometry.ts';
import type { Cs3dLiveEnhancement } from '../live.ts';
import { createStackViewport, type StackHandle } from '../stack.ts';
import { tileRgba, type VoiState } from '../../../live/tile-render.ts';

/** The bundled series (demo/samples/ct-series), in instance order. */
export const CT_SERIES = ['I130', 'I250', 'I470', 'I690', 'I900'].map(
  (n) => `/demo/samples/ct-series/S21570_S2030_${n}.dcm`,
);

/** A 256x256 div appended to the page, holding a StackViewport of `ids`. */
export async function mountStack(ids: string[]): Promise<{ element: HTMLDivElement; handle: StackHandle }> {
  const element = document.createElement('div');
  element.style.width = '256px';
  element.style.height = '256px';
  document.body.append(element);
  return { element, handle: await createStackViewport(element, ids) };
}

/** Renders `viewport` and resolves after IMAGE_RENDERED (the adapter's listeners have run by then). */
export function renderOnce(viewport: Types.IStackViewport): Promise<void> {
  return new Promise<void>((resolve) => {
    viewport.element.addEventListener(Enums.Events.IMAGE_RENDERED, () => resolve(), { once: true });
    viewport.render();
  });
}

/** The red byte of `img` at canvas point `p`, or undefined outside it. */
export function redAt(img: ImageData, p: Point2): number | undefined {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return undefined;
  return img.data[(y * img.width + x) * 4];
}

/** Whether `p` is on the mark's box or within 3 px of it. */
export function inBox(
  p: Point2,
  b: { x: number; y: number; width: number; height: number } | undefined,
): boolean {
  return !!b && p.x >= b.x - 3 && p.y >= b.y - 3 && p.x < b.x + b.width + 3 && p.y < b.y + b.height + 3;
}

/**
 * Checks that the enhanced pixels on `layer` (read with pixelsOf) at SR pixel centres equal the
 * tiles rendered through `voi`, away from the mark `box` (and its whole-view frame); returns how many pixels were compared.
 */
export function checkLayerTiles(
  layer: ImageData,
  tiles: readonly DrawTile[],
  display: DisplayModel,
  voi: VoiState,
  m: Affine,
  box: WatermarkBox | undefined,
): number {
  let checked = 0;
  for (const t of tiles) {
    const rgba = tileRgba(t.pixels, display, voi);
    const s = t.pixels.width / t.rect.width;
    // the outer SR rows/columns are left out: the outline (2 px, antialiased) may cover them
    for (let v = 1; v < t.pixels.height - 1; v += 3)
      for (let u = 1; u < t.pixels.width - 1; u += 3) {
        const p = apply(m, { x: t.rect.x + (u + 0.5) / s, y: t.rect.y + (v + 0.5) / s });
        if (inBox(p, box)) continue;
        // the whole-view frame (4 px on the view's edges) is drawn over the tiles when all is enhanced
        const edge = 6;
        if (
          box?.wholeView &&
          (p.x < edge || p.y < edge || p.x >= layer.width - edge || p.y >= layer.height - edge)
        )
          continue;
        const got = redAt(layer, p);
        if (got === undefined) continue;
        const want = rgba[(v * t.pixels.width + u) * 4] as number;
        expect(got, `tile ${t.col},${t.row} SR (${u},${v})`).to.equal(want);
        checked++;
      }
  }
  return checked;
}

/** The mark is in `box` on `overlay`, with `label` and its text colour. */
export function expectMark(
  overlay: HTMLCanvasElement,
  box: WatermarkBox | undefined,
  label: string,
  what = 'the mark on a render with enhanced pixels',
): void {
  expect(box, what).to.not.equal(undefined);
  if (!box) return;
  expect(box.lines.join(' · ')).to.equal(label);
  expect(countColor(overlay, box, WATERMARK_COLORS.text, 60)).to.be.greaterThan(20);
}

/**
 * Scrolls to slice 1 (`ids[1]`) and waits until its `visible` cells are drawn enhanced; the engine
 * has run the model `runs` times in all, so none ran since the scroll, and the mark is on.
 */
export async function scrollToPrefetchedSlice(
  live: Cs3dLiveEnhancement,
  viewport: Types.IStackViewport,
  ids: string[],
  visible: number,
  runs: number,
): Promise<void> {
  await viewport.setImageIdIndex(1);
  viewport.render();
  // all of slice 1's visible cells drawn, and not one model run since the scroll
  await until(
    () => live.adapter.view()?.imageId === ids[1] && live.engine.lastDrawn.length === visible,
    'slice 1 drawn enhanced',
    10_000,
  );
  expect(live.engine.stats.inferences).to.equal(runs);
  expect(live.adapter.lastDrawn.watermark, 'the mark on slice 1').to.not.equal(undefined);
}
