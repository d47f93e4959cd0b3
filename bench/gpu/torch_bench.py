"""PyTorch upper bound for bench/gpu/run.sh: every shipped generator (models/weights, loaded into
models/train/srmodels.py's SRResNet by its ONNX initializer names) on the CUDA GPU in fp32 and fp16,
same tiles as the onnxruntime rows (centred crops of the normalized CT plane), same timing: one
warm-up, then the median of the timed runs, each including the upload and the read-back to the host.
fp16 rows also give the PSNR of the fp16 output against the fp32 output on that tile ([0,1] scale).

Usage: python3 bench/gpu/torch_bench.py PLANE.f32 OUT.json [--sizes 128,256,512] [--runs 5]
Exit 3 (and no file) when torch sees no CUDA device.
"""
import argparse
import glob
import json
import math
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "models", "train"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plane")
    ap.add_argument("out")
    ap.add_argument("--sizes", default="128,256,512")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    import torch
    from srmodels import SRResNet, load_onnx_weights

    if not torch.cuda.is_available():
        print("torch_bench: torch sees no CUDA device; nothing measured", file=sys.stderr)
        sys.exit(3)
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    plane = np.fromfile(a.plane, dtype=np.float32)
    side = int(round(math.sqrt(plane.size)))
    plane = plane.reshape(side, side)
    sizes = [int(s) for s in a.sizes.split(",")]
    rows = []
    for card_path in sorted(glob.glob(os.path.join(ROOT, "models", "weights", "*.json"))):
        card = json.load(open(card_path))
        arch = card["architecture"]
        model_id = f"{card['domain']}-x{card['scale']}"
        label = model_id if card["phase"] == "fidelity" else f"{model_id} (perceptual)"
        net = SRResNet(card["scale"], arch["channels"], arch["blocks"], arch.get("res_scale", 0.1))
        load_onnx_weights(net, os.path.join(os.path.dirname(card_path), card["onnx"]["file"]))
        net = net.to(dev).eval()
        for size in sizes:
            o = (side - size) // 2
            x_host = torch.from_numpy(np.ascontiguousarray(plane[o : o + size, o : o + size])[None, None])
            ref = None
            for precision in ("fp32", "fp16"):
                m = net.half() if precision == "fp16" else net.float()
                dtype = torch.float16 if precision == "fp16" else torch.float32

                def once():
                    with torch.no_grad():
                        y = m(x_host.to(dev, non_blocking=False).to(dtype))
                        return y.float().cpu()

                once()
                times = []
                for _ in range(a.runs):
                    torch.cuda.synchronize()
                    t0 = time.perf_counter()
                    y = once()
                    times.append((time.perf_counter() - t0) * 1000)
                row = {
                    "model": label,
                    "backend": f"PyTorch {torch.__version__} CUDA ({torch.cuda.get_device_name(0)})",
                    "precision": precision,
                    "size": size,
                    "scale": card["scale"],
                    "runs": a.runs,
                    "ms": float(np.median(times)),
                    "minMs": float(min(times)),
                }
                if precision == "fp32":
                    ref = y.clamp(0, 1)
                else:
                    mse = float(((y.clamp(0, 1) - ref) ** 2).mean())
                    row["note"] = f"fp16 vs fp32 output: {10 * math.log10(1 / mse):.1f} dB" if mse > 0 else "identical to fp32"
                rows.append(row)
                print(".", end="", file=sys.stderr, flush=True)
        net.float()
    print(file=sys.stderr)
    json.dump(rows, open(a.out, "w"), indent=1)
    print(f"wrote {a.out} ({len(rows)} rows)", file=sys.stderr)


if __name__ == "__main__":
    main()
