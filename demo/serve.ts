/**
 * `npm run demo`: serves the demo page (demo/index.html) and the repository it imports from on
 * 127.0.0.1:8000 (or a free port when 8000 is taken), cross-origin isolated, and prints the URL
 * (`CSP=strict`: also under the strict Content-Security-Policy).
 * Everything the page loads — code, weights, onnxruntime's WASM, samples — comes from this server.
 * `DICOMWEB_PROXY=http://127.0.0.1:8042/dicom-web`: also forwards /dicomweb/… to that DICOMweb root,
 * so a PACS without CORS headers (Orthanc 1.10) is same-origin for the pages (dicomweb/README.md).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from '@web/dev-server-core';
import { ROOT, startRepoServer, STRICT_CSP } from '../scripts/repo-server.ts';

/** Forwards `/dicomweb/…` (method, query, body, Accept/Content-Type/Authorization) to `target`. */
function dicomwebProxy(target: string): Middleware {
  const root = target.replace(/\/+$/, '');
  return async (ctx, next) => {
    if (ctx.path !== '/dicomweb' && !ctx.path.startsWith('/dicomweb/')) return next();
    // the repository's own dicomweb/ folder (the client's modules the pages import) is served as files
    if (ctx.path !== '/dicomweb/' && existsSync(join(ROOT, decodeURIComponent(ctx.path)))) return next();
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const h of ['accept', 'content-type', 'authorization'])
      if (typeof ctx.get(h) === 'string' && ctx.get(h)) headers[h] = ctx.get(h);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const res = await fetch(root + ctx.url.slice('/dicomweb'.length), { method: ctx.method, headers, body });
    ctx.status = res.status;
    const type = res.headers.get('content-type');
    if (type) ctx.set('Content-Type', type);
    ctx.body = Buffer.from(await res.arrayBuffer());
  };
}

const port = Number(process.env.PORT ?? 8000);
const proxy = process.env.DICOMWEB_PROXY;
const server = await startRepoServer(port, {
  // CSP=strict: serve under the policy of README "Content-Security-Policy"; violations print on stderr
  ...(process.env.CSP === 'strict' ? { csp: STRICT_CSP } : {}),
  ...(proxy ? { middleware: [dicomwebProxy(proxy)] } : {}),
});
console.log(`tilesr demo: ${server.origin}/demo/index.html  (Ctrl+C to stop)`);
if (proxy) console.log(`DICOMweb: ${server.origin}/dicomweb -> ${proxy}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
