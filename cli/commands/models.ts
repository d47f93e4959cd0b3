/** `tilesr models [--json]`: the shipped generators with the facts from their model cards. */
import { listModels } from '../../models/registry.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../main.ts';

/** One row of the listing (also the --json shape). */
export interface ModelRow {
  id: string;
  variant: string;
  scale: number;
  domain: string;
  params: number;
  valPsnr: number;
  bicubicPsnr: number;
  sha256: string;
  receptiveFieldLrPx: number;
  perceptual: boolean;
  losses: string;
  iterations: number;
}

/** The registry as rows, fidelity variants first. */
export function modelRows(): ModelRow[] {
  return listModels().map((m) => ({
    id: m.id,
    variant: m.variant,
    scale: m.scale,
    domain: m.domain,
    params: m.card.params,
    valPsnr: m.card.val_psnr,
    bicubicPsnr: m.card.bicubic_psnr,
    sha256: m.sha256,
    receptiveFieldLrPx: m.receptiveFieldLrPx,
    perceptual: m.perceptual,
    losses: m.card.losses,
    iterations: m.card.iterations,
  }));
}

/** Runs `models`. */
export async function models(argv: string[], context: CommandContext): Promise<number> {
  parse(argv, {}, 0);
  const rows = modelRows();
  if (context.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const head = ['id', 'variant', 'scale', 'domain', 'params', 'val PSNR', 'bicubic', 'RF px', 'sha256'];
  const body = rows.map((r) => [
    r.id,
    r.variant,
    `x${r.scale}`,
    r.domain,
    r.params.toLocaleString('en-US'),
    `${r.valPsnr.toFixed(2)} dB`,
    `${r.bicubicPsnr.toFixed(2)} dB`,
    String(r.receptiveFieldLrPx),
    r.sha256,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...body.map(line)];
  out.push('', 'PSNR: held-out validation crops, [0,1] scale. perceptual variants invent texture (GAN):');
  out.push('never use them for measurement or diagnosis. fidelity is the default.');
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
