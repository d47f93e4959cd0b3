/** `tilesr decode FILE --out OUT.npy`: writes stored or modality values of one frame/window. */
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { encodeNpy } from '../../formats/npy.ts';
import { parse, parseIntOption, parseWindow } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../output.ts';

/** Runs `decode`. */
export async function decode(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      frame: { type: 'string' },
      window: { type: 'string' },
      values: { type: 'string', default: 'stored' },
    },
    1,
  );
  const out = values.out;
  if (!out || !out.endsWith('.npy')) throw new UsageError('--out OUT.npy is required');
  if (values.values !== 'stored' && values.values !== 'modality') {
    throw new UsageError(`--values must be stored or modality, got "${values.values}"`);
  }
  const frame = parseIntOption('frame', values.frame) ?? 0;
  const window = parseWindow(values.window);
  const source = await openRaster(positionals[0] as string);
  try {
    const r = await source.read({ frame, window });
    const shape = r.samples === 1 ? [r.height, r.width] : [r.height, r.width, r.samples];
    const npy =
      values.values === 'stored'
        ? encodeNpy({ shape, dtype: r.dtype, data: r.data })
        : (() => {
            // float32 holds every 8/16-bit stored value exactly; wider types need float64
            const wide = r.dtype === 'float64' || r.dtype === 'int32' || r.dtype === 'uint32';
            const data = toModalityValues(r, !wide);
            return encodeNpy({ shape, dtype: wide ? 'float64' : 'float32', data });
          })();
    await writeFileAtomic(out, npy);
  } finally {
    await source.close();
  }
  return 0;
}
