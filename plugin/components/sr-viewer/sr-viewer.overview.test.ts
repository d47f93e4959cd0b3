// <sr-viewer> on an overview-backed GeoTIFF (issue 12): a GDAL-made 2048x2048 COG (the OpenLayers
// tests' server plugin: range requests, logged) opened with a 1 MiB full-resolution threshold shows
// an overview; zooming past NATIVE resolution enhances native windows read on demand, and the tile
// drawn equals plugin/pipeline's output on the same window of the full-resolution raster decoded
// here (not the overview's pixels), with ranges from the overview; only a few tiles are fetched.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { openRaster, toModalityValues } from '../../../formats/index.ts';
import { sharedSession } from '../../live/sessions.ts';
import { bindTileEnhancer } from '../../pipeline/tile.ts';
import { loadCornerstone } from '../../viewer/cornerstone/cornerstone.ts';
import { rangeToByte } from '../../live/display.ts';
import type { LiveAttachController } from '../../viewer/cornerstone/live-attach.ts';
import { getLoadedRaster } from '../../viewer/cornerstone/loader.ts';
import { ExportError } from '../../export/errors.ts';
import '../sr-provenance/sr-provenance.ts';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

type Cog = { url: string; size: number } | { skip: string };
type Log = { requests: Array<{ range: string | null; bytes: number; status: number }> };

function once<K extends keyof HTMLElementEventMap>(
  el: HTMLElement,
  type: K,
): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => el.addEventListener(type, resolve, { once: true }));
}

describe('<sr-viewer> on an overview: enhancement past native resolution reads native windows', function () {
  this.timeout(300_000);
  let el: SrViewer;
  let cog: { url: string; size: number };

  before(async function () {
    const c = await executeServerCommand<Cog, undefined>('ol-cog');
    if (!c || 'skip' in c) return this.skip();
    cog = c;
    await executeServerCommand<Log, undefined>('ol-cog-log'); // clears the log
    el = document.createElement('sr-viewer');
    el.style.cssText = 'display:block;width:300px;height:300px';
    el.backend = 'wasm';
    el.prefetch = 0;
    el.tileSize = 128;
    el.fullResolutionBytes = 2 ** 20; // 2048x2048x3 uint16 (24 MiB) opens on an overview
    document.body.append(el);
    const loaded = once(el, 'sr-image-loaded');
    await el.open(cog.url);
    await loaded;
  });
  after(() => el?.remove());

  it('shows an overview, zoom past native -> the drawn cell is the pipeline on the NATIVE window', async () => {
    const info = el.info!;
    expect(info.overview, 'opened on an overview').to.not.equal(undefined);
    expect(info.header.width).to.equal(2048);
    const f = info.overview!.scaleX;
    expect(f).to.be.greaterThan(1);
    expect(info.width).to.equal(2048 / f);

    // native cell (8, 8) = native px 1024..1152, centred, 4 screen px per NATIVE px
    const cell = { x: 1024, y: 1024, width: 128, height: 128 };
    const provenance = once(el, 'sr-provenance');
    el.enhance = true;
    await el.updateComplete;
    el.zoomTo(4 * f, { x: 1088 / f, y: 1088 / f });
    const p = (await provenance).detail.provenance;
    const rendered = once(el, 'sr-rendered');
    el.redraw();
    const { tiles } = (await rendered).detail;
    expect(tiles.map((t) => t.rect)).to.deep.include(cell);
    expect(p.source).to.deep.equal({
      resolution: 'native',
      width: 2048,
      height: 2048,
      overviewScale: { x: f, y: f },
    });
    expect(p.region).to.deep.equal(cell);
    expect(p.colorPath).to.equal('luma');
    // the panel reads it (issue 20 #14: it said "Region: undefined, frame undefined, …")
    const panel = document.createElement('sr-provenance');
    document.body.append(panel);
    panel.provenance = p;
    await panel.updateComplete;
    const region = panel.shadowRoot!.querySelector('.source')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(region).to.match(
      /^frame 1, 128×128 at 1024,1024 of the native 2048×2048 image \(shown on a 1\/[\d.]+ overview\)$/,
    );
    panel.remove();
    expect(el.enhancedSpacing!.column).to.be.closeTo(info.spacing.column / f / 2, 1e-9);

    // what the engine stored and drew for the cell: 2x the NATIVE cell, not 2x f native px
    const engine = (el as unknown as { live: LiveAttachController }).live.engine;
    const got = engine.tilePixels(8, 8)!;
    expect([got.width, got.height, got.samples]).to.deep.equal([256, 256, 3]);

    // bytes: the overview and the one native window + halo, a fraction of the file
    const { requests } = await executeServerCommand<Log, undefined>('ol-cog-log');
    const bytes = requests.reduce((n, r) => n + r.bytes, 0);
    console.log(
      `overview ${info.width}px (x${f}); ${requests.length} requests, ${bytes} of ${cog.size} bytes`,
    );
    expect(requests.every((r) => r.status === 206)).to.equal(true);
    expect(bytes).to.be.lessThan(cog.size / 4);

    // the oracle: the FULL-resolution raster decoded here, the pipeline's per-tile enhancer with
    // the viewer's (overview) ranges on the same session
    const src = await openRaster(new URL(cog.url));
    const full = await src.read({});
    await src.close();
    expect(full.width).to.equal(2048);
    const loaded = getLoadedRaster(info.imageId)!;
    const bands = loaded.display.kind === 'gray' ? [loaded.display.band] : [...loaded.display.bands];
    const ranges = engine.exportRanges();
    const shared = await sharedSession('satellite-x2', 'fidelity', 'wasm');
    const want = await bindTileEnhancer({
      values: toModalityValues(full, true),
      width: 2048,
      height: 2048,
      samples: 3,
      imageId: 'oracle-native',
      modelId: 'satellite-x2',
      bands,
      ranges: bands.map((b) => ranges[b]!),
      session: shared.session,
      // 3-band colour display goes through luma by default (plugin/pipeline/luma.ts)
      colorPath: 'luma',
    }).enhanceTile(cell);
    let max = 0;
    for (let i = 0; i < want.data.length; i++) max = Math.max(max, Math.abs(want.data[i]! - got.data[i]!));
    console.log(`native cell vs pipeline on the full-resolution raster: max |diff| ${max}`);
    expect(max).to.be.at.most(1e-3);

    // drawn at the right place over the overview: canvas pixels = the tile through the display ranges
    const d = loaded.display;
    if (d.kind !== 'color') throw new Error('expected a colour display');
    const cs = el.canvas!;
    const cornerstone = await loadCornerstone();
    const enabled = cornerstone.getEnabledElements().find((e) => e.canvas === cs)!;
    const vp = el.viewport!;
    const again = once(el, 'sr-rendered');
    cornerstone.setViewport(enabled.element, { ...vp, pixelReplication: true });
    await again;
    const img = cs.getContext('2d')!.getImageData(0, 0, cs.width, cs.height);
    let checked = 0;
    let worst = 0;
    for (let j = 8; j < 248; j += 4)
      for (let i = 8; i < 248; i += 4) {
        // SR px (i, j) covers native px cell + (i + 0.5) / 2; the viewer's own px are overview px
        const q = el.pixelToCanvas({ x: (cell.x + (i + 0.5) / 2) / f, y: (cell.y + (j + 0.5) / 2) / f });
        const [cx, cy] = [Math.floor(q.x), Math.floor(q.y)];
        if (cx < 4 || cy < 4 || cx >= cs.width - 4 || cy >= cs.height - 4) continue;
        if (cy > cs.height - 40) continue; // the watermark's corner
        for (let c = 0; c < 3; c++) {
          const [lo, hi] = d.ranges[c] as [number, number];
          const v = rangeToByte(want.data[(j * 256 + i) * 3 + c]!, lo, hi);
          worst = Math.max(worst, Math.abs(img.data[(cy * cs.width + cx) * 4 + c]! - v));
        }
        checked++;
      }
    console.log(`${checked} SR px checked on the canvas: max |diff| ${worst}`);
    expect(checked).to.be.greaterThan(1000);
    expect(worst).to.be.at.most(1);
  });

  it('refuses to export the overview as if it were the image (typed error)', async () => {
    let err: unknown;
    try {
      await el.export({ format: 'geotiff', scope: 'frame' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ExportError);
    expect((err as ExportError).code).to.equal('UNSUPPORTED_EXPORT');
    expect((err as Error).message).to.match(/overview/);
  });
});
