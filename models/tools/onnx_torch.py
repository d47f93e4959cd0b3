"""Runs a tilesr generator's ONNX graph in PyTorch, op by op (Conv, Relu, Add, Mul, Constant,
DepthToSpace, Cast, QuantizeLinear, DequantizeLinear): calibration for models/tools/quantize.py
(every intermediate tensor by name) and a reference on machines without onnxruntime for Python.
"""
import numpy as np
import torch
import torch.nn.functional as F
from onnx import numpy_helper

_DTYPES = {1: torch.float32, 10: torch.float16, 2: torch.uint8, 3: torch.int8, 6: torch.int32}


def _attrs(node):
    out = {}
    for a in node.attribute:
        if a.type == a.INT:
            out[a.name] = a.i
        elif a.type == a.INTS:
            out[a.name] = list(a.ints)
        elif a.type == a.STRING:
            out[a.name] = a.s.decode()
        elif a.type == a.TENSOR:
            out[a.name] = torch.from_numpy(numpy_helper.to_array(a.t).copy())
    return out


def _per_axis(t, x, axis):
    if t.ndim == 0:
        return t
    shape = [1] * x.ndim
    shape[axis] = -1
    return t.reshape(shape)


def run_graph(model, feeds, keep_all=False, device="cpu"):
    """feeds: name -> numpy array. Returns the graph outputs (or every tensor with keep_all) as numpy."""
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).to(device) for t in model.graph.initializer}
    for k, v in feeds.items():
        env[k] = torch.from_numpy(np.ascontiguousarray(v)).to(device)
    produced = []
    with torch.no_grad():
        for n in model.graph.node:
            a = _attrs(n)
            x = [env[i] if i else None for i in n.input]
            op = n.op_type
            if op == "Constant":
                y = a["value"].to(device)
            elif op == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                y = F.conv2d(
                    x[0], x[1], x[2] if len(x) > 2 else None, stride=a.get("strides", [1, 1]), padding=(pads[0], pads[1]),
                    dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1),
                )
            elif op == "Relu":
                y = torch.relu(x[0])
            elif op == "Add":
                y = x[0] + x[1]
            elif op == "Mul":
                y = x[0] * x[1]
            elif op == "DepthToSpace":
                if a.get("mode", "DCR") != "CRD":
                    raise ValueError("only CRD DepthToSpace (PixelShuffle)")
                y = F.pixel_shuffle(x[0], a["blocksize"])
            elif op == "Cast":
                y = x[0].to(_DTYPES[a["to"]])
            elif op == "QuantizeLinear":
                axis = a.get("axis", 1)
                s, z = _per_axis(x[1], x[0], axis), _per_axis(x[2], x[0], axis)
                lo, hi = (0, 255) if x[2].dtype == torch.uint8 else (-128, 127)
                y = torch.clamp(torch.round(x[0] / s) + z.float(), lo, hi).to(x[2].dtype)
            elif op == "DequantizeLinear":
                axis = a.get("axis", 1)
                s, z = _per_axis(x[1], x[0], axis), _per_axis(x[2], x[0], axis)
                y = (x[0].float() - z.float()) * s
            else:
                raise ValueError(f"op {op} not supported")
            for o in n.output:
                env[o] = y
            produced.extend(n.output)
    names = produced if keep_all else [o.name for o in model.graph.output]
    return {k: env[k].float().cpu().numpy() for k in names}
