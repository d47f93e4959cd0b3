/**
 * The viewer adapters, keyed by viewer: each folder under plugin/viewer/ is the only code that imports
 * its viewer package, and no adapter imports another (test/architecture.test.ts). Every adapter drives
 * the viewer-agnostic engine in plugin/live/ (cornerstone-core and Cornerstone3D through a
 * `ViewerAdapter`; OpenLayers through its own tile loader on the same per-tile service). Adapters are
 * loaded on demand, so a page pays only for the viewer it uses (Cornerstone3D and OpenLayers are
 * optional peer dependencies).
 */

/** The viewers tilesr has an adapter for. */
export type ViewerId = 'cornerstone' | 'cornerstone3d' | 'openlayers';

/** Each adapter's public entry (also exported as `tilesr/viewer/<id>`). */
export const viewerAdapters = {
  cornerstone: () => import('./cornerstone/index.ts'),
  cornerstone3d: () => import('./cornerstone3d/index.ts'),
  openlayers: () => import('./openlayers/index.ts'),
} satisfies Record<ViewerId, () => Promise<unknown>>;

/** Loads the adapter of `viewer` (its viewer package must be installed). */
export function loadViewerAdapter<V extends ViewerId>(viewer: V): ReturnType<(typeof viewerAdapters)[V]> {
  return viewerAdapters[viewer]() as ReturnType<(typeof viewerAdapters)[V]>;
}
