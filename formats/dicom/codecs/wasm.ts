/**
 * The emscripten codec builds from @cornerstonejs (CharLS, libjpeg-turbo, OpenJPEG, OpenJPH): each
 * module is instantiated once per thread and reused; a decode that throws discards the instance
 * (an aborted wasm runtime cannot be trusted) so the next frame starts from a fresh one.
 */
import { FormatError } from '../../errors.ts';
import { isNodeRuntime, loadUmd, packageFileUrl } from '../../load.ts';
import { toContainer } from './container.ts';
import type { CodecInput, CodecOutput } from './types.ts';

/** The embind decoder classes all share this shape. */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned?: boolean;
  };
  delete(): void;
}

type Factory = (options: {
  locateFile?: (file: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<Record<string, unknown>>;

/** Where a codec lives: how to import its emscripten script, where its .wasm is, its decoder class. */
export interface WasmCodecSpec {
  name: string;
  /**
   * `() => import('<package exports subpath>')` with a literal specifier, e.g.
   * '@cornerstonejs/codec-charls/decodewasmjs' (bundlers and the dev server must see it).
   */
  load: () => Promise<unknown>;
  /** The package directory holding the .wasm, below node_modules (browsers; see setPackageBaseUrl). */
  dir: string;
  decoderClass: string;
}

const instances = new Map<string, Promise<Record<string, unknown>>>();

function instance(spec: WasmCodecSpec): Promise<Record<string, unknown>> {
  let p = instances.get(spec.name);
  if (!p) {
    p = (async () => {
      let factory: Factory;
      try {
        factory = await loadUmd<Factory>(spec.load, spec.name);
      } catch (err) {
        throw new FormatError('IO_ERROR', `cannot load ${spec.name}: ${describe(err)}`, { cause: err });
      }
      // Node: emscripten finds the .wasm next to its script; browsers: point it at the package dir.
      // OpenJPEG logs progress on stdout: keep the console quiet, codec errors surface as exceptions.
      const quiet = { print: () => {}, printErr: () => {} };
      return factory(
        isNodeRuntime() ? quiet : { ...quiet, locateFile: (file) => packageFileUrl(`${spec.dir}/${file}`) },
      );
    })();
    p.catch(() => instances.delete(spec.name));
    instances.set(spec.name, p);
  }
  return p;
}

/** Decodes one frame with an emscripten codec; checks the codestream's size against the header. */
export async function decodeWithWasm(
  spec: WasmCodecSpec,
  input: CodecInput,
  inspect?: (decoder: WasmDecoder) => void,
): Promise<CodecOutput & { componentCount: number }> {
  const mod = await instance(spec);
  const Decoder = mod[spec.decoderClass] as new () => WasmDecoder;
  let decoder: WasmDecoder | undefined;
  try {
    decoder = new Decoder();
    decoder.getEncodedBuffer(input.encoded.length).set(input.encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    if (!info.width || !info.height || !info.componentCount)
      throw new FormatError('CORRUPT_DATA', `${spec.name} found no image in the codestream`);
    if (info.width !== input.columns || info.height !== input.rows || info.componentCount !== input.samples)
      throw new FormatError(
        'DECOMPRESSED_SIZE_MISMATCH',
        `${spec.name} codestream is ${info.width}x${info.height}x${info.componentCount}, the header says ${input.columns}x${input.rows}x${input.samples}`,
      );
    inspect?.(decoder);
    const bps = info.bitsPerSample <= 8 ? 1 : info.bitsPerSample <= 16 ? 2 : 4;
    const pixels = toContainer(decoder.getDecodedBuffer(), bps, input, spec.name);
    return { pixels, planar: false, rgb: false, componentCount: info.componentCount };
  } catch (err) {
    if (err instanceof FormatError) throw err;
    instances.delete(spec.name);
    throw new FormatError('CORRUPT_DATA', `${spec.name} rejected the frame: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    try {
      decoder?.delete();
    } catch {
      // a runtime that aborted cannot free; it was dropped above
    }
  }
}

/** Emscripten throws strings, numbers (C++ exception pointers) or Errors. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'number') return `C++ exception (the build exposes no message; pointer ${err})`;
  return String(err);
}
