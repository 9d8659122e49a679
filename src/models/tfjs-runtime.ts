import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'

/** Which tfjs backend runs the models of this process, and why the faster ones did not. */
export interface BackendInfo {
  /** tfjs's name for the backend: `tensorflow` (tfjs-node, tfjs-node-gpu), `wasm` or `cpu`. */
  backend: string
  /** The package that provides it. */
  package: string
  /** Backends tried before this one that are installed but failed to start, with the reason. */
  skipped: string[]
}

interface Candidate {
  package: string
  backend: string
  /** Loads the package; resolves false when it is not installed. */
  load: () => Promise<boolean>
}

// Preferred first: native TensorFlow on the GPU, native on the CPU, then WebAssembly, then plain JS.
const CANDIDATES: Candidate[] = [
  { package: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow', load: () => importIfInstalled('@tensorflow/tfjs-node-gpu') },
  { package: '@tensorflow/tfjs-node', backend: 'tensorflow', load: () => importIfInstalled('@tensorflow/tfjs-node') },
  { package: '@tensorflow/tfjs-backend-wasm', backend: 'wasm', load: () => importIfInstalled('@tensorflow/tfjs-backend-wasm') },
  { package: '@tensorflow/tfjs-backend-cpu', backend: 'cpu', load: async () => true },
]

// One backend choice per process: kept on globalThis so that every test file of a worker shares it.
const KEY = Symbol.for('modeltest.tfjs.backend')
type Global = typeof globalThis & { [KEY]?: Promise<BackendInfo> }

/** Picks the best installed tfjs backend once per process and returns tfjs ready to use. */
export function tfjsBackend(): Promise<BackendInfo> {
  const global = globalThis as Global
  global[KEY] ??= chooseBackend()
  return global[KEY]
}

export { tf }

async function chooseBackend(): Promise<BackendInfo> {
  const skipped: string[] = []
  for (const candidate of CANDIDATES) {
    try {
      if (!(await candidate.load())) continue
      if (await tf.setBackend(candidate.backend)) {
        await tf.ready()
        return { backend: candidate.backend, package: candidate.package, skipped }
      }
      skipped.push(`${candidate.package}: the backend did not initialise`)
    } catch (error) {
      skipped.push(`${candidate.package}: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  throw new Error('no tfjs backend could be initialised, not even cpu')
}

/**
 * Imports an optional package when Node can resolve it. The check goes through Node's resolver, not
 * `import()`, whose failure reads differently under vitest's module runner than under plain Node.
 */
async function importIfInstalled(name: string): Promise<boolean> {
  try {
    createRequire(import.meta.url).resolve(name)
  } catch {
    return false
  }
  await import(name)
  return true
}
