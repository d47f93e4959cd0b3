// A @web/test-runner plugin handing browser tests cases of the seeded fuzz corpus, built in Node
// (test/fuzz/corpus.ts reads the fixtures from disk), so Chromium decodes exactly the bytes the Node
// runner does. Browser side: executeServerCommand('fuzz-corpus', { seed, from, count })
//   -> [{ index, format, seedFile, kind, detail, bytes: base64 }] for cases from..from+count-1.
// Building a batch can outlast the command's 20 s answer limit on a loaded machine (the corpus walks
// every fixture once; a bomb case compresses 256 MiB): the batch keeps building, and the browser
// asks again for the same batch, which is then answered from the cache.
import { resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const corpora = new Map();
async function corpus(seed) {
  if (!corpora.has(seed)) {
    register();
    const { Corpus } = await import(resolve('test/fuzz/corpus.ts'));
    corpora.set(seed, new Corpus(seed));
  }
  return corpora.get(seed);
}

async function build({ seed, from, count }) {
  const c = await corpus(seed);
  const out = [];
  for (let i = from; i < from + count; i++) {
    const k = c.case(i);
    out.push({
      index: k.index,
      format: k.format,
      seedFile: k.seedFile,
      kind: k.kind,
      detail: k.detail,
      bytes: Buffer.from(k.bytes.buffer, k.bytes.byteOffset, k.bytes.byteLength).toString('base64'),
    });
    // let the server answer other messages between cases
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

const batches = new Map();

/** The plugin object for web-test-runner.config.mjs. */
export function fuzzCorpusPlugin() {
  return {
    name: 'fuzz-corpus',
    executeCommand({ command, payload }) {
      if (command !== 'fuzz-corpus') return undefined;
      const key = `${payload.seed}:${payload.from}:${payload.count}`;
      let p = batches.get(key);
      if (!p) {
        p = build(payload);
        batches.set(key, p);
        // answered once: drop it so the cache does not hold every case's base64
        p.then(() => setTimeout(() => batches.delete(key), 120_000));
      }
      return p;
    },
  };
}
