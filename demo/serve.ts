/**
 * `npm run demo`: serves the demo page (demo/index.html) and the repository it imports from on
 * 127.0.0.1:8000 (or a free port when 8000 is taken), cross-origin isolated, and prints the URL
 * (`CSP=strict`: also under the strict Content-Security-Policy).
 * Everything the page loads — code, weights, onnxruntime's WASM, samples — comes from this server.
 */
import { startRepoServer, STRICT_CSP } from '../scripts/repo-server.ts';

const port = Number(process.env.PORT ?? 8000);
// CSP=strict: serve under the policy of README "Content-Security-Policy"; violations print on stderr
const server = await startRepoServer(port, process.env.CSP === 'strict' ? { csp: STRICT_CSP } : {});
console.log(`tilesr demo: ${server.origin}/demo/index.html  (Ctrl+C to stop)`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
