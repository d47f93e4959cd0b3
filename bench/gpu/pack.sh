#!/usr/bin/env bash
# bench/gpu/pack.sh CARRY (called as `bench/gpu/run.sh pack`): builds the folder to carry to a GPU
# machine without Node or network (../shared/GPU.md): this machine's node binary; onnxruntime-node and
# onnxruntime-common trimmed to package.json, dist/, lib/ and bin/napi-v6/linux/x64/; Debian's Vulkan/GL
# loader .debs (apt-get download, amd64); bench.mjs (bench/gpu/bench.ts bundled by esbuild, onnxruntime
# external); tiles.f32 (the normalized 512x512 CT plane); variants/ (fp16 of the fidelity models, by
# models/tools/quantize.py). Then CARRY.tar.xz, which must stay under the 64 MiB a carry may hold.
set -eu
cd "$(dirname "$0")/../.."
CARRY=${1:-build/gpu-carry}
rm -rf "$CARRY" "$CARRY.tar.xz"
mkdir -p "$CARRY/node_modules" "$CARRY/debs" "$CARRY/variants"

cp "$(command -v node)" "$CARRY/node"
for p in onnxruntime-common onnxruntime-node; do
  mkdir -p "$CARRY/node_modules/$p"
  for f in package.json dist lib; do
    [ -e "node_modules/$p/$f" ] && cp -r "node_modules/$p/$f" "$CARRY/node_modules/$p/"
  done
done
mkdir -p "$CARRY/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$CARRY/node_modules/onnxruntime-node/bin/napi-v6/linux/"

(cd "$CARRY/debs" && apt-get download -o APT::Architecture=amd64 \
  libvulkan1:amd64 libegl1:amd64 libglvnd0:amd64 libopengl0:amd64 libgl1:amd64 libglx0:amd64 libgles2:amd64) ||
  echo "pack: apt-get download failed: the GPU machine must already have the Vulkan loader and libglvnd" >&2

npx esbuild bench/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --outfile="$CARRY/bench.mjs" --log-level=warning
node --import tsx bench/gpu/pack-tiles.ts "$CARRY/tiles.f32"

PY=${PYTHON:-/usr/bin/python3}
for m in models/weights/*_fidelity.onnx; do
  "$PY" models/tools/quantize.py "$m" "$CARRY/variants" --which fp16 >/dev/null
done

tar -cJf "$CARRY.tar.xz" -C "$(dirname "$CARRY")" "$(basename "$CARRY")"
size=$(stat -c %s "$CARRY.tar.xz")
echo "pack: $CARRY.tar.xz $((size / 1048576)) MiB (carry limit 64 MiB)" >&2
if [ "$size" -gt $((64 * 1048576)) ]; then
  echo "pack: over the 64 MiB carry limit" >&2
  exit 1
fi
