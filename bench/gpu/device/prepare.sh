#!/usr/bin/env bash
# Fills bench/gpu/device/carry/ (git-ignored), on a machine with this repository installed, with what a GPU
# machine without Node, node_modules or a Vulkan loader needs to run the GPU check (see ../../../../shared/gpu.md):
# this machine's Node, compressed; measure.ts and the table bundled with esbuild (tfjs, both tfjs backends and
# modeltest inside; DuckDB and onnxruntime left out, as the check loads neither); webgpu with its Linux binary
# only; the wasm backend's .wasm files; the Debian packages of the Vulkan loader and libglvnd.
# Then, on the device: run({ command: 'bash bench/gpu/device/run.sh', carry: ['bench/gpu/device/carry'] }).
set -euo pipefail
cd "$(dirname "$0")/../../.."
carry=bench/gpu/device/carry
rm -rf "$carry"
mkdir -p "$carry/debs" "$carry/node_modules/webgpu/dist"
xz -T0 -6 -c "$(command -v node)" > "$carry/node.xz"
# The bundle is ESM: require and __dirname, which CommonJS parts of tfjs use, are defined at its top.
banner="import { createRequire as bundleRequire } from 'node:module'; import { dirname as bundleDirname } from 'node:path'; import { fileURLToPath as bundleFileURLToPath } from 'node:url'; const require = bundleRequire(import.meta.url); const __dirname = bundleDirname(bundleFileURLToPath(import.meta.url));"
for entry in measure table-cli; do
  npx esbuild "bench/gpu/$entry.ts" --bundle --platform=node --format=esm --target=node20 --log-level=error \
    --outfile="$carry/$entry.mjs" --external:webgpu --external:onnxruntime-node \
    --alias:modeltest=./src/index.ts --alias:@duckdb/node-api=./bench/gpu/device/no-duckdb.js "--banner:js=$banner"
done
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$carry/"
# Bundled backends must still resolve by name: modeltest checks that a backend's package is installed.
for name in @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu; do
  mkdir -p "$carry/node_modules/$name"
  printf '{"name":"%s","main":"bundled.js"}\n' "$name" > "$carry/node_modules/$name/package.json"
  echo '// bundled into measure.mjs' > "$carry/node_modules/$name/bundled.js"
done
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$carry/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$carry/node_modules/webgpu/dist/"
(cd "$carry/debs" && apt-get download -qq libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libgles2 libopengl0 2>/dev/null)
du -sh "$carry"
