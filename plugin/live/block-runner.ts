/**
 * Runs the engine's blocks through the per-tile service (plugin/pipeline/tile-service.ts): one service
 * per shared session (model, variant, backend), each frame handed to it in memory or, for an
 * overview-backed image, as native windows read on demand with the overview's ranges.
 */
import { getModel } from '../../models/registry.ts';
import { assertDomain } from '../pipeline/domain.ts';
import { assertEnhanceable } from '../pipeline/derived.ts';
import { deviceTileLimits } from '../pipeline/enhance.ts';
import { haloFor } from '../pipeline/tile.ts';
import { TileService, type ServedBlock, type ServiceImage } from '../pipeline/tile-service.ts';
import { maxTileForLimits, type Rect } from '../pipeline/tiler.ts';
import type { Block, BlockPlan } from './blocks.ts';
import type { LiveEngineDeps } from './config.ts';
import type { ImageRanges } from './ranges.ts';
import type { SharedSession } from './sessions.ts';
import type { LiveEnhanceConfig, LiveImage } from './types.ts';

/** The engine's tile services and how its frames reach them. */
export class BlockRunner {
  /** One per-tile service per shared session this engine used. */
  private readonly services = new Map<SharedSession, TileService>();

  constructor(
    private readonly deps: Required<Pick<LiveEngineDeps, 'scheduler' | 'cache'>>,
    private readonly ranges: ImageRanges,
  ) {}

  /** Enhances `block` and slices `cells` (their LR rects) out of it. Rejects with ABORTED when aborted. */
  async enhance(
    block: Block,
    cells: Rect[],
    shared: SharedSession,
    config: LiveEnhanceConfig,
    signal: AbortSignal,
  ): Promise<ServedBlock> {
    const service = this.serviceFor(shared, config);
    const image = {
      ...this.serviceImage(block.image),
      format: block.image.raster.info.format,
      allowDomainMismatch: config.allowDomainMismatch,
      enhancement: block.image.raster.info.enhancement,
      allowDerived: config.allowDerived,
      colorPath: config.colorPath,
    };
    const served = await service.enhance(image, block.rect, {
      priority: block.priority,
      signal,
      cells,
    });
    return served as ServedBlock; // defined: skipEmpty is not asked for
  }

  /** Throws DOMAIN_MISMATCH / ALREADY_ENHANCED when the image may not be enhanced with this config. */
  checkDomain(image: LiveImage, config: LiveEnhanceConfig): void {
    const entry = getModel(config.modelId, config.variant);
    assertDomain(image.raster.info, entry, { allowMismatch: config.allowDomainMismatch });
    // an AI-enhanced image is shown as is, with the refusal as the notice (ALREADY_ENHANCED)
    assertEnhanceable(image.raster.info, config);
  }

  /** How cells become blocks: config.blockSize in whole cells, shrunk to the device's limits (WebGPU buffers). */
  async blockPlan(shared: SharedSession, config: LiveEnhanceConfig): Promise<BlockPlan> {
    const T = config.tileSize;
    const want = config.blockSize ?? 0;
    const entry = getModel(config.modelId, config.variant);
    const halo = haloFor(entry);
    if (want <= T) return { tileSize: T, cells: 1, halo };
    const limits = await deviceTileLimits(shared.session);
    const fit = limits ? maxTileForLimits(limits, entry.scale, halo) : Infinity;
    return { tileSize: T, cells: Math.max(1, Math.floor(Math.min(want, fit) / T)), halo };
  }

  /** Drops the bound enhancers of an image that will not be shown again. */
  forget(imageId: string): void {
    for (const service of this.services.values()) service.forget(imageId);
  }

  private serviceFor(shared: SharedSession, config: LiveEnhanceConfig): TileService {
    let s = this.services.get(shared);
    if (!s) {
      s = new TileService({
        modelId: config.modelId,
        variant: config.variant,
        session: shared.session,
        scheduler: this.deps.scheduler,
        cache: this.deps.cache,
      });
      this.services.set(shared, s);
    }
    return s;
  }

  /** A frame as the tile service sees it: in memory, or read by native window (overview-backed). */
  private serviceImage(image: LiveImage): ServiceImage {
    const base = {
      imageId: image.imageId,
      frame: image.frame,
      samples: image.raster.samples,
      bands: image.bands,
      ranges: this.ranges.of(image),
    };
    const n = image.native;
    if (!n)
      return { ...base, width: image.raster.width, height: image.raster.height, values: image.modality };
    return { ...base, width: n.width, height: n.height, readWindow: (r, sig) => n.readWindow(r, sig) };
  }
}
