/**
 * Regenerates the committed validation reports the demo page shows (`demo/samples/report-*.json`)
 * with the same `tilesr validate` a user runs: `node --import tsx demo/make-reports.ts`.
 */
import { spawnSync } from 'node:child_process';

const jobs = [
  {
    gt: 'demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm',
    model: 'medical-x2',
    out: 'demo/samples/report-mr.json',
  },
  {
    gt: 'demo/samples/u16_rgb_cog_deflate_ovr.tif',
    model: 'satellite-x2',
    out: 'demo/samples/report-satellite.json',
  },
];
for (const j of jobs) {
  const args = ['bin/tilesr.mjs', 'validate', '--gt', j.gt, '--model', j.model, '--json', j.out];
  console.log(`$ tilesr ${args.slice(1).join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// keep the committed JSON as `npm test`'s prettier check wants it
spawnSync('npx', ['prettier', '--write', ...jobs.map((j) => j.out)], { stdio: 'inherit' });
