/**
 * The extension's typed error, in a module of its own: the runtime-loadable entry (host-entry.ts)
 * reports a host that lacks what tilesr needs before anything that touches Cornerstone3D loads.
 */
import { TilesrError } from '../../core/errors.ts';

/** Typed failure of the extension (bad configuration, no viewport to enhance, unfit host app). */
export class TilesrOhifError extends TilesrError<
  'WASM_PATH_NOT_SELF_HOSTED' | 'BAD_CONFIGURATION' | 'NO_VIEWPORT' | 'NOT_A_STACK' | 'HOST_INCOMPATIBLE'
> {
  override readonly name = 'TilesrOhifError';
}
