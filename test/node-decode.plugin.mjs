// A @web/test-runner plugin giving browser tests the Node decoder's answer for the same file, so
// "Chromium and Node decode identically" is checked live rather than against stored hashes.
// Browser side: executeServerCommand('node-decode', { path, frame?, window?, targetSize? })
//   -> { shape, dtype, sha256 } (sha256 over the raster's data bytes, little-endian as in memory).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { register } from 'tsx/esm/api';

let formats;
async function loadFormats() {
  if (!formats) {
    register();
    formats = await import(resolve('formats/index.ts'));
  }
  return formats;
}

/** The plugin object for web-test-runner.config.mjs. */
export function nodeDecodePlugin() {
  return {
    name: 'node-decode',
    async executeCommand({ command, payload }) {
      if (command !== 'node-decode') return undefined;
      const { openRaster } = await loadFormats();
      const source = await openRaster(resolve(payload.path));
      try {
        const r = await source.read({
          frame: payload.frame ?? 0,
          window: payload.window,
          targetSize: payload.targetSize,
        });
        const bytes = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
        return {
          shape: r.samples === 1 ? [r.height, r.width] : [r.height, r.width, r.samples],
          dtype: r.dtype,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        };
      } finally {
        await source.close();
      }
    },
  };
}
