"""Makes reduced-precision variants of a shipped generator (never shipped unless they pass the guards).

Usage: python3 models/tools/quantize.py MODEL.onnx OUT_DIR [--calib CROPS.npy] [--which int8,fp16]

- int8 (QDQ): the residual scaling Mul(x, 0.1) is first folded into the preceding conv (exact up to
  float rounding); weights are per-channel symmetric int8 (DequantizeLinear axis 0), biases int32 at
  scale x_scale * w_scale[c]; activations are asymmetric uint8 with min/max calibrated over the crops
  in CROPS.npy (float32 [N,1,H,W] on the model's [0,1] input scale: real training images normalized by
  models/normalize, written by models/tools/quantize.ts). Quantized: the 33 body convs (their inputs
  and outputs, the pattern onnxruntime fuses into QLinearConv). Kept float, because measured on Set5
  they cost more than the 0.1 dB guard when quantized (BENCHMARKS.md, "int8 / fp16"): the head conv (1 -> C
  on the 12-bit input), the tail conv (C -> 1, the output), the upsampling convs, and the residual
  stream itself (the skip adds read the float tensors; only the convs read the dequantized copy, so
  the stream is not re-rounded to 8 bits after every block).
- fp16: every initializer and constant in float16, the graph computing in float16, with Cast nodes
  at the input and output so the interface (`lr`/`sr` float32) is unchanged. For WebGPU adapters with
  shader-f16; on CPU onnxruntime computes it in float32 between float16 tensors.

Needs python3 with onnx, numpy and torch (calibration runs the graph in torch: models/tools/onnx_torch.py).
Prints one JSON line per variant written: {"variant", "path", "bytes"}.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_torch import run_graph  # noqa: E402


def consumers(graph):
    out = {}
    for n in graph.node:
        for i in n.input:
            out.setdefault(i, []).append(n)
    return out


def fold_residual_scale(model):
    """Conv -> Mul(const) becomes one Conv with scaled weights and bias (the Mul is removed)."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    consts = {
        n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in g.node if n.op_type == "Constant"
    }
    producer = {o: n for n in g.node for o in n.output}
    cons = consumers(g)
    removed = []
    for n in list(g.node):
        if n.op_type != "Mul":
            continue
        a, b = n.input
        conv, k = producer.get(a), consts.get(b)
        if conv is None or conv.op_type != "Conv" or k is None or k.size != 1 or len(cons.get(a, [])) != 1:
            continue
        s = float(k.reshape(()))
        for name in conv.input[1:]:
            t = inits[name]
            t.CopyFrom(numpy_helper.from_array((numpy_helper.to_array(t) * s).astype(np.float32), name))
        conv.output[0] = n.output[0]
        removed.append(n)
    for n in removed:
        g.node.remove(n)
    used = {i for n in g.node for i in n.input}
    for n in [n for n in g.node if n.op_type == "Constant" and n.output[0] not in used]:
        g.node.remove(n)
    return len(removed)


def calibrate(model, crops):
    """min/max of every tensor over the calibration crops (one crop at a time)."""
    ranges = {}
    for i in range(crops.shape[0]):
        acts = run_graph(model, {"lr": crops[i : i + 1]}, keep_all=True)
        for name, v in acts.items():
            lo, hi = float(v.min()), float(v.max())
            if name in ranges:
                ranges[name] = (min(ranges[name][0], lo), max(ranges[name][1], hi))
            else:
                ranges[name] = (lo, hi)
    return ranges


def uint8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zp = int(round(-lo / scale))
    return np.float32(scale), np.uint8(min(255, max(0, zp)))


def make_int8(model, crops, float_skip=True, float_up=True):
    fold_residual_scale(model)
    g = model.graph
    ranges = calibrate(model, crops)
    inits = {t.name: t for t in g.initializer}
    convs = [n for n in g.node if n.op_type == "Conv"]
    head, tail = convs[0], convs[-1]
    producer = {o: n for n in g.node for o in n.output}
    cons = consumers(g)
    new_inits, new_nodes = [], []
    act_q = {}  # tensor -> (dq output name, scale, zp)

    # activations quantized: every tensor feeding a quantized conv or an Add, and their outputs
    quant_convs = [c for c in convs if c is not head and c is not tail and not (float_up and c.input[1].startswith("up."))]
    wanted = set()
    for c in quant_convs:
        wanted.add(c.input[0])
        wanted.add(c.output[0])
    if not float_skip:
        for n in g.node:
            if n.op_type in ("Add", "Relu", "DepthToSpace"):
                wanted.update([*n.input, *n.output])
        wanted.add(tail.input[0])
    wanted.discard("lr")
    wanted.discard(g.output[0].name)
    wanted = {w for w in wanted if w not in inits}

    for name in sorted(wanted):
        lo, hi = ranges[name]
        # a conv whose only consumer is a Relu: quantize the Relu's output instead (uint8 zp 0 clamps)
        users = cons.get(name, [])
        if producer.get(name) is not None and producer[name].op_type == "Conv" and len(users) == 1 and users[0].op_type == "Relu":
            continue
        scale, zp = uint8_params(lo, hi)
        s_name, z_name = f"{name}_qscale", f"{name}_qzp"
        new_inits += [numpy_helper.from_array(np.array(scale), s_name), numpy_helper.from_array(np.array(zp), z_name)]
        q, dq = f"{name}_q", f"{name}_dq"
        new_nodes.append((name, helper.make_node("QuantizeLinear", [name, s_name, z_name], [q], name=f"{name}_Q")))
        new_nodes.append((name, helper.make_node("DequantizeLinear", [q, s_name, z_name], [dq], name=f"{name}_DQ")))
        act_q[name] = (dq, float(scale))
    # rewire consumers to the dequantized tensors; with float_skip only convs and the consumers of a
    # quantized conv's output read them, so the residual stream (head + blocks) is added in float
    conv_outputs = {c.output[0] for c in quant_convs}
    for n in g.node:
        for i, name in enumerate(n.input):
            if name in act_q and (not float_skip or n.op_type == "Conv" or name in conv_outputs):
                n.input[i] = act_q[name][0]
    # weights and biases of the quantized convs
    for c in quant_convs:
        x_scale = act_q[c.input[0][: -len("_dq")]][1] if c.input[0].endswith("_dq") else None
        if x_scale is None:
            raise ValueError(f"{c.name}: input not quantized")
        w = numpy_helper.to_array(inits[c.input[1]])
        b = numpy_helper.to_array(inits[c.input[2]])
        w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-12) / 127.0
        wq = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
        b_scale = (x_scale * w_scale).astype(np.float32)
        bq = np.round(b / b_scale).astype(np.int32)
        base = c.input[1]
        new_inits += [
            numpy_helper.from_array(wq, f"{base}_int8"),
            numpy_helper.from_array(w_scale.astype(np.float32), f"{base}_wscale"),
            numpy_helper.from_array(np.zeros(w.shape[0], np.int8), f"{base}_wzp"),
            numpy_helper.from_array(bq, f"{c.input[2]}_int32"),
            numpy_helper.from_array(b_scale, f"{c.input[2]}_bscale"),
            numpy_helper.from_array(np.zeros(w.shape[0], np.int32), f"{c.input[2]}_bzp"),
        ]
        g.node.append(
            helper.make_node(
                "DequantizeLinear", [f"{base}_int8", f"{base}_wscale", f"{base}_wzp"], [f"{base}_dq"], axis=0, name=f"{base}_DQ"
            )
        )
        g.node.append(
            helper.make_node(
                "DequantizeLinear",
                [f"{c.input[2]}_int32", f"{c.input[2]}_bscale", f"{c.input[2]}_bzp"],
                [f"{c.input[2]}_dq"],
                axis=0,
                name=f"{c.input[2]}_DQ",
            )
        )
        for name in c.input[1:]:
            g.initializer.remove(inits[name])
        c.input[1] = f"{base}_dq"
        c.input[2] = f"{c.input[2]}_dq"
    g.initializer.extend(new_inits)
    g.node.extend(n for _, n in new_nodes)
    del g.value_info[:]
    return topo_sort(model)


def topo_sort(model):
    g = model.graph
    avail = {i.name for i in g.input} | {t.name for t in g.initializer}
    pending = list(g.node)
    ordered = []
    while pending:
        rest = []
        for n in pending:
            if all(i == "" or i in avail for i in n.input):
                ordered.append(n)
                avail.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError("graph has a cycle or a missing input")
        pending = rest
    del g.node[:]
    g.node.extend(ordered)
    return model


def make_fp16(model):
    g = model.graph
    for t in g.initializer:
        if t.data_type == TensorProto.FLOAT:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    for n in g.node:
        if n.op_type == "Constant":
            t = n.attribute[0].t
            if t.data_type == TensorProto.FLOAT:
                t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    inp, out = g.input[0].name, g.output[0].name
    for n in g.node:
        for i, name in enumerate(n.input):
            if name == inp:
                n.input[i] = f"{inp}_fp16"
        for i, name in enumerate(n.output):
            if name == out:
                n.output[i] = f"{out}_fp16"
    g.node.insert(0, helper.make_node("Cast", [inp], [f"{inp}_fp16"], to=TensorProto.FLOAT16, name="cast_in"))
    g.node.append(helper.make_node("Cast", [f"{out}_fp16"], [out], to=TensorProto.FLOAT, name="cast_out"))
    del g.value_info[:]
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out_dir")
    ap.add_argument("--calib")
    ap.add_argument("--which", default="int8,fp16")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(a.model))[0]
    for which in a.which.split(","):
        model = onnx.load(a.model)
        if which == "int8":
            if not a.calib or not os.path.exists(a.calib):
                print("int8 skipped: no calibration crops (../shared/data/train absent?)", file=sys.stderr)
                continue
            crops = np.load(a.calib).astype(np.float32)
            model = make_int8(model, crops)
        elif which == "fp16":
            model = make_fp16(model)
        elif which == "fold":  # fp32 with the residual scale folded (isolates the folding from int8)
            fold_residual_scale(model)
        else:
            raise SystemExit(f"unknown variant {which}")
        model.producer_name = f"tilesr models/tools/quantize.py ({which})"
        onnx.checker.check_model(model)
        path = os.path.join(a.out_dir, f"{stem}_{which}.onnx")
        onnx.save(model, path)
        print(json.dumps({"variant": which, "path": path, "bytes": os.path.getsize(path)}))


if __name__ == "__main__":
    main()
