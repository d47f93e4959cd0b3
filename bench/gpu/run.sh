#!/usr/bin/env bash
# bench/gpu/run.sh: per-tile latency of every shipped model on an NVIDIA GPU (bench/gpu/README.md).
#
#   bench/gpu/run.sh pack   here (a machine with npm install done, GPU or not): builds build/gpu-carry/
#                           (node binary, trimmed onnxruntime-node, the Vulkan/GL .debs, bench.mjs, tiles,
#                           fp16/int8 variants) to carry to the GPU machine, recipe of ../shared/GPU.md.
#   bench/gpu/run.sh [OUT]  on the GPU machine (repository root): measures and writes OUT/gpu.json
#                           (default $OUT or bench/results), the JSON of bench/report.ts, suite `gpu`.
#
# Exit codes: 0 measured; 3 no NVIDIA GPU on this machine (nothing measured, nothing written);
#             4 the carry folder is missing or incomplete (run `bench/gpu/run.sh pack` first);
#             5 a measuring step failed (its message above). Never part of `npm test`.
set -u
cd "$(dirname "$0")/../.."
CARRY=${CARRY:-build/gpu-carry}
RUNS=${RUNS:-5}
SIZES=${SIZES:-128,256,512}
CPU_SIZES=${CPU_SIZES:-128}

if [ "${1:-}" = pack ]; then
  exec bash bench/gpu/pack.sh "$CARRY"
fi

# 1. Is there an NVIDIA GPU? (driver device node or nvidia-smi listing one)
gpu_name=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu_name=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
fi
if [ -z "$gpu_name" ] && ! ls /dev/nvidia[0-9]* >/dev/null 2>&1; then
  echo "bench/gpu: no NVIDIA GPU on this machine (no /dev/nvidia0, nvidia-smi lists none): nothing measured." >&2
  echo "bench/gpu: run it on a machine with an NVIDIA GPU; see bench/gpu/README.md. Exit 3." >&2
  exit 3
fi
gpu_name=${gpu_name:-NVIDIA GPU (nvidia-smi absent)}
echo "bench/gpu: GPU: $gpu_name" >&2

OUTDIR=${1:-${OUT:-bench/results}}
mkdir -p "$OUTDIR"
TMP=$(mktemp -d)

# 2. The carry: unpack the archive if only that came
if [ ! -f "$CARRY/bench.mjs" ] && [ -f "$CARRY.tar.xz" ]; then
  mkdir -p "$CARRY" && tar -xJf "$CARRY.tar.xz" -C "$(dirname "$CARRY")"
fi
for f in bench.mjs tiles.f32 node_modules/onnxruntime-node/package.json; do
  if [ ! -e "$CARRY/$f" ]; then
    echo "bench/gpu: $CARRY/$f missing: run 'bench/gpu/run.sh pack' on the build machine and carry $CARRY. Exit 4." >&2
    exit 4
  fi
done
NODE=$(command -v node || true)
[ -x "$CARRY/node" ] && NODE="$CARRY/node"
if [ -z "$NODE" ]; then
  echo "bench/gpu: no node binary (carry $CARRY/node). Exit 4." >&2
  exit 4
fi

# 3. Vulkan for Dawn (../shared/GPU.md): GL/Vulkan loader libraries from Debian's .debs, NVIDIA's ICD
if ls "$CARRY"/debs/*.deb >/dev/null 2>&1 && [ -w / ]; then
  for f in "$CARRY"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd}; break; fi
done
echo "bench/gpu: VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset (Dawn may find no Vulkan driver)}" >&2

status=0
# 4. PyTorch fp32/fp16 on the same GPU (the upper bound)
PY=${PYTHON:-python3}
if "$PY" -c 'import torch, onnx' 2>/dev/null; then
  "$PY" bench/gpu/torch_bench.py "$CARRY/tiles.f32" "$TMP/torch.json" --sizes "$SIZES" --runs "$RUNS" || status=5
else
  echo "bench/gpu: python3 with torch and onnx not found: no PyTorch rows." >&2
fi

# 5. Headless Chromium's WebGPU on Vulkan, only where a Chromium and this repository's npm install exist
browser_version=""
CHROME=${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -n "$CHROME" ] && [ -d node_modules/playwright-core ] && [ -d node_modules/tsx ]; then
  browser_version=$("$CHROME" --version 2>/dev/null | head -1)
  CHROMIUM_PATH="$CHROME" "$NODE" --import tsx bench/gpu/browser.ts "$TMP/browser.json" "$SIZES" "$RUNS" ||
    echo "bench/gpu: Chromium WebGPU did not run (see above); no Chromium rows." >&2
else
  echo "bench/gpu: no Chromium or no npm install here: no Chromium rows (onnxruntime-node WebGPU only)." >&2
fi

# 6. onnxruntime-node WebGPU (+ CPU) and the merge into one JSON
NODE_PATH="$CARRY/node_modules" "$NODE" "$CARRY/bench.mjs" \
  --weights models/weights --plane "$CARRY/tiles.f32" --variants "$CARRY/variants" \
  --torch "$TMP/torch.json" --browser "$TMP/browser.json" --browser-version "$browser_version" \
  --sizes "$SIZES" --cpu-sizes "$CPU_SIZES" --runs "$RUNS" \
  --ort-package "$CARRY/node_modules/onnxruntime-node/package.json" \
  --gpu-name "$gpu_name" --out "$OUTDIR/gpu.json" || status=5
rm -rf "$TMP"
[ $status -eq 0 ] && echo "bench/gpu: wrote $OUTDIR/gpu.json (then: npm run bench-tables)" >&2
exit $status
