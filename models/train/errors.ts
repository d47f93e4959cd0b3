/** Typed errors of the training pipeline (codes are stable; the CLI prints `error <CODE>: ...`). */

import { TilesrError } from '../../core/errors.ts';

/** Stable codes: what went wrong before, during or after the Python trainer ran. */
export type TrainErrorCode =
  | 'TRAIN_PYTHON_MISSING'
  | 'TRAIN_DEPS_MISSING'
  | 'TRAIN_NO_DATA'
  | 'TRAIN_FAILED'
  | 'TRAIN_EXPORT_INVALID'
  | 'TRAIN_PARITY_FAILED'
  // an invalid option (bad --name, --init of another scale): the CLI reports it as its usage error
  | 'USAGE'
  | 'ABORTED';

/** The Debian packages the Python side needs (no pip: the project installs from Debian only). */
export const TRAIN_DEBIAN_PACKAGES = 'python3 python3-torch python3-onnx python3-numpy';

/** An error of `tilesr train` with a stable code. */
export class TrainError extends TilesrError<TrainErrorCode> {
  override readonly name = 'TrainError';
}
