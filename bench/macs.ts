/**
 * Multiply-adds of a generator per LR pixel, counted from its ONNX graph (no onnx package needed: a
 * minimal protobuf walk of ModelProto.graph): every Conv's weight [M, C/group, kH, kW] times the
 * pixels of its output, which sit at the spatial scale the graph has reached there (DepthToSpace
 * multiplies it by its blocksize, a stride divides it). 'Same' padding is assumed, as in tilesr's
 * generators; other ops cost no multiply-adds here (ReLU, Add, Mul are < 0.1 % of them).
 * `node --import tsx bench/macs.ts FILE.onnx` prints the count.
 */
import { readFileSync } from 'node:fs';

interface Field {
  no: number;
  wire: number;
  /** varint value, or the bytes of a length-delimited field */
  value: bigint | Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let out = 0n;
    for (;;) {
      const b = buf[i++] as number;
      out |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return out;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { no, wire, value: buf.subarray(i, i + n) };
      i += n;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const text = (f: Field) => new TextDecoder().decode(f.value as Uint8Array);

/** Repeated int64: packed (one length-delimited field) or one varint per value. */
function ints(list: Field[]): number[] {
  const out: number[] = [];
  for (const f of list)
    if (f.value instanceof Uint8Array) for (const g of fields(packed(f.value))) out.push(Number(g.value));
    else out.push(Number(f.value));
  return out;
}
/** Packed varints re-keyed as field 1 varints so `fields` can read them. */
function packed(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const b of bytes) {
    if (start) out.push(0x08);
    out.push(b);
    start = b < 0x80;
  }
  return Uint8Array.from(out);
}

/** Multiply-adds per LR input pixel of the model's Conv layers. */
export function convMacsPerLrPixel(onnx: Uint8Array): number {
  const graph = [...fields(onnx)].find((f) => f.no === 7)?.value;
  if (!(graph instanceof Uint8Array)) throw new Error('no graph in the ONNX model');
  const dims = new Map<string, number[]>();
  const nodes: Array<{ op: string; inputs: string[]; outputs: string[]; attrs: Map<string, number[]> }> = [];
  for (const f of fields(graph)) {
    if (f.no === 5 && f.value instanceof Uint8Array) {
      const t = [...fields(f.value)];
      const name = t.find((g) => g.no === 8);
      if (name) dims.set(text(name), ints(t.filter((g) => g.no === 1)));
    } else if (f.no === 1 && f.value instanceof Uint8Array) {
      const n = [...fields(f.value)];
      const attrs = new Map<string, number[]>();
      for (const a of n.filter((g) => g.no === 5)) {
        const af = [...fields(a.value as Uint8Array)];
        const name = af.find((g) => g.no === 1);
        if (name) attrs.set(text(name), ints(af.filter((g) => g.no === 3 || g.no === 8)));
      }
      nodes.push({
        op: text(n.find((g) => g.no === 4) as Field),
        inputs: n.filter((g) => g.no === 1).map(text),
        outputs: n.filter((g) => g.no === 2).map(text),
        attrs,
      });
    }
  }
  // spatial scale of each tensor relative to the LR input (graph inputs and initializers: 1)
  const scale = new Map<string, number>();
  let macs = 0;
  for (const node of nodes) {
    let s = Math.max(1, ...node.inputs.filter((x) => !dims.has(x)).map((x) => scale.get(x) ?? 1));
    if (node.op === 'DepthToSpace') s *= node.attrs.get('blocksize')?.[0] ?? 1;
    if (node.op === 'Conv') {
      const stride = node.attrs.get('strides')?.[0] ?? 1;
      s /= stride;
      const w = dims.get(node.inputs[1] as string) ?? [];
      macs += w.reduce((p, d) => p * d, 1) * s * s;
    }
    for (const o of node.outputs) scale.set(o, s);
  }
  return macs;
}

if (import.meta.url === `file://${process.argv[1]}`)
  for (const file of process.argv.slice(2))
    console.log(
      `${file}: ${(convMacsPerLrPixel(readFileSync(file)) / 1e6).toFixed(4)} M multiply-adds per LR px`,
    );
