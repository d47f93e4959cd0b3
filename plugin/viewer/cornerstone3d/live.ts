/**
 * Live enhancement of a Cornerstone3D stack: the viewer-agnostic LiveTileEnhancer driving a
 * Cornerstone3DAdapter, told which frame is shown (before the engine sees each render) and how to
 * load the neighbouring slices it prefetches (the same loader as the shown frame, so a prefetched
 * frame is the very frame shown when the user scrolls to it). Frames of the `tilesr:` loader are
 * used as loaded; any other image id (the host's `wadors:`/`wadouri:`...) is bridged from the image
 * the host decoded (host-images.ts), or reported once through `error` when it cannot be.
 */
import type { Types } from '@cornerstonejs/core';
import {
  LiveTileEnhancer,
  type LiveEngineDeps,
  type LiveEnhanceCallbacks,
  type LiveEnhanceConfig,
} from '../../live/live-tile-enhancer.ts';
import { Cornerstone3DAdapter, type Cornerstone3DAdapterOptions } from './adapter.ts';
import { bridgeHostImage, HostImageError, isTilesrImageId, loadHostImage } from './host-images.ts';
import { getStackImage, loadStackImage, type StackImage } from './loader.ts';

/** The adapter and engine of one StackViewport, kept in step with the shown slice. */
export class Cs3dLiveEnhancement {
  readonly adapter: Cornerstone3DAdapter;
  readonly engine: LiveTileEnhancer;
  /** Host images that could not be bridged (reported once each through `error`), by image id. */
  readonly refused = new Map<string, HostImageError>();

  constructor(
    readonly viewport: Types.IStackViewport,
    private readonly callbacks: LiveEnhanceCallbacks,
    config: Partial<LiveEnhanceConfig> = {},
    options: Cornerstone3DAdapterOptions & { deps?: LiveEngineDeps } = {},
  ) {
    this.adapter = new Cornerstone3DAdapter(viewport, options);
    // registered before the engine's listener: the engine sees each render with the right frame
    this.adapter.onRender(() => this.sync());
    this.engine = new LiveTileEnhancer(this.adapter, callbacks, config, options.deps);
    // a loaded frame is the engine's image record itself (StackImage extends LiveImage)
    this.engine.setNeighbours((id) => (isTilesrImageId(id) ? loadStackImage(id) : loadHostImage(id)));
    this.sync();
  }

  /** Tells the engine which frame is shown (the stack may have scrolled since the last render). */
  sync(): void {
    const id = this.viewport.getCurrentImageId();
    if (this.engine?.current?.imageId === id) return;
    const img = id ? this.frameOf(id) : undefined;
    this.engine?.setImage(img);
  }

  /** The loaded (tilesr:) or bridged (host) frame of an image id; undefined until the host has it. */
  private frameOf(id: string): StackImage | undefined {
    const known = getStackImage(id);
    if (known || isTilesrImageId(id) || this.refused.has(id)) return known;
    try {
      // the viewport's own image when the host's cache has let it go already
      const shown = (
        this.viewport as { getCornerstoneImage?: () => Types.IImage | undefined }
      ).getCornerstoneImage?.();
      return bridgeHostImage(id, shown?.imageId === id ? shown : undefined);
    } catch (e) {
      const err =
        e instanceof HostImageError
          ? e
          : new HostImageError('UNSUPPORTED_IMAGE', `${id}: ${(e as Error).message}`);
      this.refused.set(id, err);
      this.callbacks.error({ code: err.code, message: `${err.message}; shown, not enhanced` });
      return undefined;
    }
  }

  /** Stops the engine and removes the enhanced layer; the viewport is left as it was. */
  dispose(): void {
    this.engine.dispose();
    this.adapter.dispose();
  }
}
