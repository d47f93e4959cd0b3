/**
 * `npm run demo`: the main job on bundled data, headless — what a QA engineer's batch run does.
 * Decodes a DICOM and a GeoTIFF sample, enhances them (watermarked PNG + float32 .npy in original
 * units), and validates the medical model against ground truth with an HTML report. Everything runs
 * locally through the same `tilesr` CLI a user calls; outputs land in demo/out/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const OUT = join('demo', 'out');
mkdirSync(OUT, { recursive: true });

const MR = 'fixtures/dicom/mr384_12bit_jpeg_lossless_sv1.dcm';
const LANDSAT = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';
/** The same enhancement of the MR's central region, written as `out`. */
const enhanceMr = (out: string) => [
  'enhance',
  MR,
  '--model',
  'medical-x2',
  '--window',
  '96,96,192,192',
  '--out',
  out,
];

const steps: { title: string; args: string[] }[] = [
  {
    title: 'Inspect a 12-bit MR slice',
    args: ['inspect', MR],
  },
  {
    title: 'Enhance it x2 with the medical fidelity model (watermarked PNG + float32 .npy)',
    args: enhanceMr(join(OUT, 'mr_x2.png')),
  },
  {
    title: 'Same region as .npy (original units)',
    args: enhanceMr(join(OUT, 'mr_x2.npy')),
  },
  {
    title: 'Inspect a Landsat 8 COG (uint16 RGB)',
    args: ['inspect', LANDSAT],
  },
  {
    title: 'Enhance a window x2 with the satellite fidelity model',
    args: [
      'enhance',
      LANDSAT,
      '--model',
      'satellite-x2',
      '--window',
      '0,0,128,128',
      '--out',
      join(OUT, 'landsat_x2.png'),
    ],
  },
  {
    title: 'Validate medical-x2 against ground truth (degrade -> enhance -> PSNR/SSIM vs baselines)',
    args: [
      'validate',
      '--gt',
      'fixtures/dicom/mr384_12bit_explicit_le.dcm',
      'fixtures/dicom/ct128_signed16_explicit_le.dcm',
      '--model',
      'medical-x2',
      '--json',
      join(OUT, 'validation.json'),
      '--csv',
      join(OUT, 'validation.csv'),
      '--report',
      join(OUT, 'validation.html'),
    ],
  },
];

let failed = 0;
for (const step of steps) {
  console.log(`\n== ${step.title}\n$ tilesr ${step.args.join(' ')}`);
  const r = spawnSync(process.execPath, ['bin/tilesr.mjs', ...step.args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\nOutputs in ${OUT}/: mr_x2.png, mr_x2.npy, landsat_x2.png, validation.{json,csv,html}`);
process.exit(failed > 0 ? 1 : 0);
