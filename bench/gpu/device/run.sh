#!/usr/bin/env bash
# The GPU check on the device machine, with bench/gpu/device/carry carried (made by prepare.sh): unpacks Node and
# the Vulkan loader, finds the NVIDIA Vulkan ICD, measures webgpu, wasm and cpu (one process each), and prints the
# table; the JSON and the table land in $OUT. A dry run here: UNPACK_PREFIX=/tmp/vk OUT=/tmp/out bash run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
carry=$PWD/bench/gpu/device/carry
work=$(mktemp -d)
out=${OUT:-$work/out}
mkdir -p "$out"
xz -dc "$carry/node.xz" > "$work/node"
chmod +x "$work/node"
# The Vulkan loader and libglvnd: as root, into / with ldconfig (the device tool's own recipe); otherwise, or with
# UNPACK_PREFIX set (a dry run on a machine that must stay as it is), beside the check, on LD_LIBRARY_PATH.
prefix=${UNPACK_PREFIX:-}
[ -z "$prefix" ] && [ "$(id -u)" != 0 ] && prefix=$work/root
for deb in "$carry"/debs/*.deb; do dpkg -x "$deb" "${prefix:-/}"; done
if [ -z "$prefix" ]; then
  ldconfig
else
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$dir" ]; then export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"; fi
done
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -f "$egl" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"; fi
echo "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || true); VK_DRIVER_FILES=${VK_DRIVER_FILES:-none}"
for backend in webgpu wasm cpu; do
  EXAMPLE_DIR=$PWD/examples/sentiment "$work/node" "$carry/measure.mjs" "$backend" > "$out/$backend.json"
done
"$work/node" "$carry/table-cli.mjs" "$out/webgpu.json" "$out/wasm.json" "$out/cpu.json" | tee "$out/table.md"
