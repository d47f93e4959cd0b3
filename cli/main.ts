/** The `tilesr` command line: a registry of commands, each in cli/commands/<name>.ts, loaded lazily. */
import { toCoded, UsageError } from './errors.ts';

/** What main tells every command: `json` is the global `--json` switch (machine-readable output). */
export interface CommandContext {
  json: boolean;
}

/** A CLI command: receives its own argv, returns the process exit code (0 only on full success). */
export type Command = (argv: string[], context: CommandContext) => Promise<number>;

/** A registered command. `jsonTakesValue`: `--json` names an output file (validate, `queue submit
 * --validate`) rather than switching error output to JSON, so main leaves it in the command's arguments. */
interface Entry {
  summary: string;
  load: () => Promise<Command>;
  jsonTakesValue?: boolean;
}

const COMMANDS: Record<string, Entry> = {
  inspect: {
    summary:
      'inspect FILE                      print image facts as JSON\n' +
      '          inspect SERIES_URL [--header H]...   instances of a DICOMweb series (uid, number, size, frames, syntax)',
    load: async () => (await import('./commands/inspect.ts')).inspect,
  },
  decode: {
    summary: 'decode FILE --out OUT.npy [--frame N] [--window x,y,w,h] [--values stored|modality]',
    load: async () => (await import('./commands/decode.ts')).decode,
  },
  models: {
    summary: 'models                            list the shipped models and their cards (--json)',
    load: async () => (await import('./commands/models.ts')).models,
  },
  enhance: {
    summary:
      'enhance FILE --model ID --out OUT.dcm|OUT.tif|OUT.png|OUT.jpg|OUT.npy [--variant fidelity|perceptual]\n' +
      '          [--frame N] [--band B] [--window x,y,w,h] [--tile 256] [--backend auto|node-cpu|node-webgpu]\n' +
      '          [--burn-in] [--png-bits 8|16] [--sign-cert CHAIN.pem --sign-key KEY.pem] [--in-memory]\n' +
      "          [--allow-domain-mismatch] (a model of another domain than the file's: DICOM medical, GeoTIFF satellite)\n" +
      '          [--allow-derived] (enhance an image already AI-enhanced: refused with ALREADY_ENHANCED otherwise)\n' +
      "          enhance SERIES_URL --model ID (--out DIR | --stow STOW_ROOT) [--header 'Name: value']... [--json]\n" +
      '          (SERIES_URL: http(s)://HOST/.../studies/UID/series/UID; bearer token also from TILESR_DICOMWEB_TOKEN)',
    load: async () => (await import('./commands/enhance.ts')).enhance,
  },
  metrics: {
    summary:
      'metrics A B [--data-range-rule auto|gt|bits-stored|dtype|R] [--shave N] [--frame N]   PSNR/SSIM/MS-SSIM of B against A (JSON)',
    load: async () => (await import('./commands/metrics.ts')).metrics,
  },
  verify: {
    summary:
      'verify FILE                       provenance a DICOM/GeoTIFF/PNG/JPEG carries (C2PA validated), JSON',
    load: async () => (await import('./commands/verify.ts')).verify,
  },
  validate: {
    summary:
      'validate --gt FILES_OR_DIRS --json OUT.json [--model ID] [--csv F] [--report F.html] [--degradation torch|matlab] [--data-range-rule auto|gt|bits-stored|dtype|R] ...',
    load: async () => (await import('./commands/validate.ts')).validate,
    jsonTakesValue: true,
  },
  queue: {
    summary:
      'queue submit --redis URL --model ID (--out DIR [--format dcm|tif|png|jpg|npy] | --stow STOW_ROOT) INPUT... [--json]\n' +
      '          queue submit --validate --gt INPUT... --model ID --json OUT.json [--report OUT.html]\n' +
      '          queue status|wait|retry-failed BATCH --redis URL [--json] [--timeout S]   the distributed batch engine',
    load: async () => (await import('./commands/queue.ts')).queue,
    jsonTakesValue: true,
  },
  worker: {
    summary:
      'worker --redis URL [--concurrency N] [--backend auto|node-cpu|node-webgpu] [--threads N]   pull batch jobs until SIGTERM',
    load: async () => (await import('./commands/worker.ts')).worker,
  },
  train: {
    summary:
      'train --domain medical|satellite --scale 2|4 --data DIR_OR_FILES... --out DIR [--preset smoke|standard|full] [--minutes N]\n' +
      '          [--init ID|CARD] [--variant fidelity|perceptual] [--arch srresnet|fast] [--degradation bicubic|realistic] [--val DIR]\n' +
      '          [--batch N] [--patch LR_PX] [--lr RATE]',
    load: async () => (await import('./commands/train.ts')).train,
  },
};

/** Registers a command at run time (for embedding tilesr's CLI in another tool). */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  COMMANDS[name] = { summary, load };
}

function usage(): string {
  return [
    'usage: tilesr <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI; never throws. Errors print `error <CODE>: <message>` (or JSON with --json). */
export async function main(argv: string[]): Promise<number> {
  const jsonTakesValue = COMMANDS[argv[0] ?? '']?.jsonTakesValue === true;
  const json = !jsonTakesValue && argv.includes('--json');
  const [name, ...rest] = jsonTakesValue ? argv : argv.filter((a) => a !== '--json');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  try {
    const entry = COMMANDS[name];
    if (!entry) throw new UsageError(`unknown command "${name}"\n${usage()}`);
    const cmd = await entry.load();
    return await cmd(rest, { json });
  } catch (err) {
    const { code, message } = toCoded(err);
    if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    else process.stderr.write(`error ${code}: ${message.split('\n')[0]}\n`);
    if (code === 'INTERNAL' && process.env.TILESR_DEBUG) console.error(err);
    return 1;
  }
}
