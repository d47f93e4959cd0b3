"""Exports a randomly initialised `fast` SRResNet (models/train/srmodels.py ARCHS["fast"]) to ONNX
with the shipped I/O contract (input "lr" [N,1,H,W] -> output "sr"), for speed measurement only:
the weights are random, the output is meaningless, and the file goes to a temp dir, never shipped.

usage: python3 bench/fast/export_untrained.py OUT.onnx SCALE [CHANNELS BLOCKS]
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "train"))
from srmodels import ARCHS, SRResNet  # noqa: E402


def main():
    out, scale = sys.argv[1], int(sys.argv[2])
    c = int(sys.argv[3]) if len(sys.argv) > 3 else ARCHS["fast"]["channels"]
    b = int(sys.argv[4]) if len(sys.argv) > 4 else ARCHS["fast"]["blocks"]
    torch.manual_seed(0)
    model = SRResNet(scale, c, b).eval()
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 16, 16),
        out,
        opset_version=17,
        input_names=["lr"],
        output_names=["sr"],
        dynamic_axes={"lr": {0: "batch", 2: "height", 3: "width"}, "sr": {0: "batch", 2: "oh", 3: "ow"}},
        do_constant_folding=True,
    )
    print(f"{out} scale {scale} channels {c} blocks {b} params {sum(p.numel() for p in model.parameters())}")


if __name__ == "__main__":
    main()
