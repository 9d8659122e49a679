#!/usr/bin/env bash
# The GPU check on the device machine, with bench/gpu/device/carry carried (made by prepare.sh): unpacks Node and
# the Vulkan loader beside the check (no root needed), finds the NVIDIA Vulkan ICD, measures webgpu, wasm and cpu
# (one process each), and prints the table; the JSON and the table land in $OUT.
set -euo pipefail
cd "$(dirname "$0")/../../.."
carry=$PWD/bench/gpu/device/carry
work=$(mktemp -d)
out=${OUT:-$work/out}
mkdir -p "$out" "$work/root"
xz -dc "$carry/node.xz" > "$work/node"
chmod +x "$work/node"
for deb in "$carry"/debs/*.deb; do dpkg -x "$deb" "$work/root"; done
library_path="$work/root/usr/lib/x86_64-linux-gnu"
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$dir" ] && library_path="$library_path:$dir"; done
export LD_LIBRARY_PATH="$library_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
echo "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || true); VK_DRIVER_FILES=${VK_DRIVER_FILES:-none}"
for backend in webgpu wasm cpu; do
  EXAMPLE_DIR=$PWD/examples/sentiment "$work/node" "$carry/measure.mjs" "$backend" > "$out/$backend.json"
done
"$work/node" "$carry/table-cli.mjs" "$out/webgpu.json" "$out/wasm.json" "$out/cpu.json" | tee "$out/table.md"
