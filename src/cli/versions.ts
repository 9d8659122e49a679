import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The version of an installed package, or undefined when it is not installed. */
function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version
  } catch {
    return undefined
  }
}

export function modeltestVersion(): string {
  // Through the package's own exports: the same file from src/ and from dist/.
  return (require('modeltest/package.json') as { version: string }).version
}

/** Tool versions recorded in every report. */
export function toolVersions(): Record<string, string> {
  const versions: Record<string, string> = { modeltest: modeltestVersion(), node: process.versions.node }
  for (const name of ['vitest', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const version = packageVersion(name)
    if (version) versions[name] = version
  }
  return versions
}
