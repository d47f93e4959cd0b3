/** The device-loss phase of the in-page soak (bench/soak-page.ts). */
import type { Page } from 'playwright-core';
import type * as Sessions from '../../plugin/live/sessions.ts';
import type { PageState, SoakViewer } from './page.ts';

/** What the device-loss phase saw (see deviceLoss). */
export interface DeviceLossResult {
  /** Cells of the view, and tiles that arrived for them: on WebGPU before the loss, on WASM after. */
  cells: number;
  webgpu: number;
  wasm: number;
  /** Cells that arrived more than once, and cells of the view never drawn. */
  duplicates: number;
  lost: number;
  records: number;
  reason: string;
  errors: string[];
  seconds: number;
  ended: 'done' | 'stalled';
}

/**
 * In the page: the MR shown with medical-x2 on `backend = 'webgpu'` (the SwiftShader adapter, slow
 * but real), the GPUDevice onnxruntime-web uses destroyed as soon as the first tile arrived from it
 * (`destroyDeviceForTesting`, the hook models/backend/backends.browser.test.ts uses), then the view
 * left to finish: every cell must arrive once, the rest on WASM, with one fallback record.
 */
export async function deviceLoss(page: Page, url: string, destroy: boolean): Promise<DeviceLossResult> {
  return page.evaluate(
    async ([src, lose]) => {
      const v = document.getElementById('viewer') as SoakViewer;
      const t0 = performance.now();
      v.enhance = false;
      v.backend = 'wasm';
      await v.updateComplete;
      await v.open(src);
      v.model = 'medical-x2';
      v.variant = 'fidelity';
      v.backend = 'webgpu';
      await v.updateComplete;
      const seen = new Map<string, number>();
      const by: Record<string, number> = {};
      const errors: string[] = [];
      const records: { reason: string }[] = [];
      const onTile = (e: Event) => {
        const d = (e as CustomEvent<{ tile: { col: number; row: number }; backend: string }>).detail;
        const k = `${d.tile.col},${d.tile.row}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
        by[d.backend] = (by[d.backend] ?? 0) + 1;
      };
      const onErr = (e: Event) => {
        const d = (e as CustomEvent<{ code: string; message: string }>).detail;
        errors.push(`${d.code}: ${d.message}`);
      };
      const onFallback = (e: Event) =>
        records.push((e as CustomEvent<{ record: { reason: string } }>).detail.record);
      v.addEventListener('sr-tile-enhanced', onTile);
      v.addEventListener('sr-error', onErr);
      v.addEventListener('sr-fallback', onFallback);
      const wait = async (pred: () => boolean) => {
        const t = performance.now();
        while (!pred() && performance.now() - t < 300_000) await new Promise((r) => setTimeout(r, 50));
        return pred();
      };
      try {
        v.enhance = true;
        await v.updateComplete;
        const info = v.info!;
        v.zoomTo(3, { x: info.width / 2, y: info.height / 2 });
        await wait(() => (by['webgpu'] ?? 0) > 0);
        if (!lose) {
          // warm-up: the WebGPU session exists (and ran a tile); the rest of the view is not awaited
          v.enhance = false;
          await v.updateComplete;
          (globalThis as unknown as { __soak: PageState }).__soak.tiles.splice(0);
          return {
            cells: seen.size,
            webgpu: by['webgpu'] ?? 0,
            wasm: by['wasm'] ?? 0,
            duplicates: 0,
            lost: 0,
            records: records.length,
            reason: '',
            errors,
            seconds: (performance.now() - t0) / 1000,
            ended: 'done' as const,
          };
        }
        const m = (await import('/plugin/live/sessions.ts' as string)) as typeof Sessions;
        const shared = await m.sharedSession('medical-x2', 'fidelity', 'webgpu');
        const gpu = shared.fallbackSession.primary as { destroyDeviceForTesting?: () => Promise<void> };
        await gpu.destroyDeviceForTesting?.();
        const finished = await wait(() => v.enhanceStatus === 'done');
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
        v.redraw();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
        const drawn = new Set(v.drawnTiles.map((t) => `${t.col},${t.row}`));
        // counted here, not again by the loop's listener under the previous view's tag
        (globalThis as unknown as { __soak: PageState }).__soak.tiles.splice(0);
        const cells = new Set([...drawn, ...seen.keys()]);
        return {
          cells: cells.size,
          webgpu: by['webgpu'] ?? 0,
          wasm: by['wasm'] ?? 0,
          duplicates: [...seen.values()].filter((n) => n > 1).length,
          lost: [...cells].filter((k) => !drawn.has(k)).length,
          records: records.length,
          reason: records[0]?.reason.split('\n')[0]?.slice(0, 160) ?? '',
          errors,
          seconds: (performance.now() - t0) / 1000,
          ended: finished ? ('done' as const) : ('stalled' as const),
        };
      } finally {
        v.removeEventListener('sr-tile-enhanced', onTile);
        v.removeEventListener('sr-error', onErr);
        v.removeEventListener('sr-fallback', onFallback);
        v.enhance = false;
        v.backend = 'wasm';
        await v.updateComplete;
      }
    },
    [url, destroy] as const,
  );
}
