import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type * as Tfjs from '@tensorflow/tfjs'
import { ModeltestError, listNames } from '../errors.js'

/** The tfjs backends modeltest can run models on, fastest first. */
export const BACKENDS = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const
export type BackendId = (typeof BACKENDS)[number]

/** Set by `modeltest --backend NAME` (or the config's `backend`) for the workers: the backend they must use. */
export const BACKEND_VARIABLE = 'MODELTEST_BACKEND'

/** The GPU behind the webgpu backend, as the adapter describes itself. */
export interface AdapterInfo {
  vendor: string
  architecture: string
  description: string
}

/** Which tfjs backend runs the models of this process, and why the faster ones did not. */
export interface BackendInfo {
  /** tfjs's name for the backend: `tensorflow` (tfjs-node, tfjs-node-gpu), `webgpu`, `wasm` or `cpu`. */
  backend: string
  /** modeltest's name for it, as `--backend` takes it. */
  id: BackendId
  /** The package that provides it. */
  package: string
  /** Whether it computes on a GPU (tfjs-node-gpu, webgpu). */
  gpu: boolean
  /** The webgpu adapter. */
  adapter?: AdapterInfo
  /** Whether `--backend` (or MODELTEST_BACKEND) chose it. */
  forced: boolean
  /** Backends tried before this one that are installed but could not run, with the reason. */
  skipped: string[]
}

/** Why a backend cannot run here: what is missing and how to get it. `installed: false` when its package is absent (skipped quietly). */
export interface Unavailable {
  installed: boolean
  missing: string
  fix: string
}

export interface Candidate {
  id: BackendId
  /** tfjs's name for the backend. */
  backend: string
  package: string
  gpu: boolean
  /** Loads the packages and finds the hardware; resolves with why it cannot run, or what it runs on. */
  prepare: () => Promise<Unavailable | { adapter?: AdapterInfo }>
}

const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu']

/** Preferred first: native TensorFlow on the GPU, WebGPU (Dawn on Vulkan), native on the CPU, WebAssembly, plain JS. */
export const CANDIDATES: Candidate[] = [
  { id: 'tfjs-node-gpu', backend: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', gpu: true, prepare: () => importPackages(['@tensorflow/tfjs-node-gpu']) },
  { id: 'webgpu', backend: 'webgpu', package: WEBGPU_PACKAGES.join(' + '), gpu: true, prepare: prepareWebGpu },
  { id: 'tfjs-node', backend: 'tensorflow', package: '@tensorflow/tfjs-node', gpu: false, prepare: () => importPackages(['@tensorflow/tfjs-node']) },
  // Required where installed; else a literal import, which bundlers follow (the GPU check's bundle in bench/gpu/device carries it inside).
  {
    id: 'wasm',
    backend: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    gpu: false,
    prepare: () => importPackages(['@tensorflow/tfjs-backend-wasm'], () => requireOrImport('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'))),
  },
  { id: 'cpu', backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu', gpu: false, prepare: async () => ({}) },
]

// One backend choice per process: kept on globalThis so that every test file of a worker shares it.
const KEY = Symbol.for('modeltest.tfjs.backend')
type Global = typeof globalThis & { [KEY]?: Promise<BackendInfo> }

/**
 * Picks the tfjs backend once per process and returns tfjs ready to use: the one MODELTEST_BACKEND names
 * (an error, saying what is missing, when it cannot run), else the best that runs here.
 */
export function tfjsBackend(): Promise<BackendInfo> {
  const global = globalThis as Global
  global[KEY] ??= chooseBackend(CANDIDATES, process.env[BACKEND_VARIABLE] || undefined)
  return global[KEY]
}

// tfjs is loaded on its first use rather than when modeltest is imported: a suite that checks only data, or
// an ONNX model, never loads it (about 1 s of every worker).
let tfjs: typeof Tfjs | undefined

/** tfjs before a backend is chosen. */
async function importTfjs(): Promise<void> {
  tfjs ??= await requireOrImport('@tensorflow/tfjs', () => import('@tensorflow/tfjs'))
}

/**
 * A CommonJS package required where Node resolves it: `import()` makes Node first scan the package's bundles
 * for their export names (about 0.3 s for tfjs and 0.05 s for its wasm backend, against 0.1 s and 0.01 s for
 * the require). Else the literal import() that a bundler followed (the GPU check's bundle carries tfjs inside,
 * with no node_modules beside it).
 */
async function requireOrImport<T>(name: string, bundled: () => Promise<T>): Promise<T> {
  let loaded: T
  try {
    loaded = createRequire(import.meta.url)(name) as T
  } catch {
    return bundled()
  }
  return loaded
}

/**
 * tfjs for a synchronous first use, such as `tf.tensor2d` at the top of a test file: required, the same
 * module as the import's, since Node loads the package as CommonJS either way.
 */
function loadTfjs(): typeof Tfjs {
  tfjs ??= createRequire(import.meta.url)('@tensorflow/tfjs') as typeof Tfjs
  return tfjs
}

// `var`, not `const`: a variable merges with the namespace of types below, so that `tf.Tensor2D` still
// names a type, as it did when `tf` was the package's own namespace.
// eslint-disable-next-line no-var -- the merge with the namespace below needs a var
export var tf: typeof Tfjs = new Proxy({} as typeof Tfjs, {
  get: (_, key): unknown => Reflect.get(loadTfjs(), key),
  has: (_, key) => Reflect.has(loadTfjs(), key),
  ownKeys: () => Reflect.ownKeys(loadTfjs()),
  getOwnPropertyDescriptor: (_, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(loadTfjs(), key)
    return descriptor && { ...descriptor, configurable: true }
  },
})

/** The tfjs types that models, inputs and preprocessing name, under `tf.` as before. */
// eslint-disable-next-line @typescript-eslint/no-namespace -- only a namespace merges with the variable above: tf.Tensor2D stays a type name
export declare namespace tf {
  type Rank = Tfjs.Rank
  type DataType = Tfjs.DataType
  type TensorLike = Tfjs.TensorLike
  type Tensor<R extends Rank = Rank> = Tfjs.Tensor<R>
  type Scalar = Tfjs.Scalar
  type Tensor1D = Tfjs.Tensor1D
  type Tensor2D = Tfjs.Tensor2D
  type Tensor3D = Tfjs.Tensor3D
  type Tensor4D = Tfjs.Tensor4D
  type Tensor5D = Tfjs.Tensor5D
  type Variable<R extends Rank = Rank> = Tfjs.Variable<R>
  type NamedTensorMap = Tfjs.NamedTensorMap
  type TensorContainer = Tfjs.TensorContainer
  type MemoryInfo = Tfjs.MemoryInfo
  type LayersModel = Tfjs.LayersModel
  type Sequential = Tfjs.Sequential
  type GraphModel = Tfjs.GraphModel
  type SymbolicTensor = Tfjs.SymbolicTensor
  type Optimizer = Tfjs.Optimizer
  type History = Tfjs.History
  type ModelFitArgs = Tfjs.ModelFitArgs
  type ModelCompileArgs = Tfjs.ModelCompileArgs
  // eslint-disable-next-line @typescript-eslint/no-namespace -- tf.io.ModelJSON and the others, as tfjs names them
  namespace io {
    type ModelJSON = Tfjs.io.ModelJSON
    type ModelArtifacts = Tfjs.io.ModelArtifacts
    type ModelArtifactsInfo = Tfjs.io.ModelArtifactsInfo
    type IOHandler = Tfjs.io.IOHandler
    type SaveResult = Tfjs.io.SaveResult
    type WeightsManifestConfig = Tfjs.io.WeightsManifestConfig
    type WeightsManifestEntry = Tfjs.io.WeightsManifestEntry
  }
}

/** Whether `value` is a tfjs tensor, without loading tfjs when nothing has loaded it yet (then none can be). */
export function isTensor(value: unknown): value is Tfjs.Tensor {
  return tfjsLoaded() && value instanceof tf.Tensor
}

function tfjsLoaded(): boolean {
  if (tfjs) return true
  const require = createRequire(import.meta.url)
  // tfjs-core holds the Tensor class: loaded by tfjs, or by a user's own import of tfjs-core and a backend.
  return require.resolve('@tensorflow/tfjs-core') in require.cache
}

/** A backend name as `--backend` takes it, checked. */
export function backendId(name: string): BackendId {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new ModeltestError({ what: `unknown tfjs backend '${name}'`, fix: `Use one of ${listNames(BACKENDS)}.` })
  return name as BackendId
}

/**
 * The first candidate that runs, in order, or the `forced` one. A candidate that is installed but cannot
 * run (no GPU adapter, a native library that fails to load) is noted in `skipped`; one that is not
 * installed is passed over quietly. A forced backend that cannot run is an error naming what is missing.
 */
export async function chooseBackend(candidates: Candidate[], forced?: string): Promise<BackendInfo> {
  const wanted = forced === undefined ? undefined : backendId(forced)
  await importTfjs()
  const skipped: string[] = []
  for (const candidate of candidates.filter((candidate) => wanted === undefined || candidate.id === wanted)) {
    let unavailable: Unavailable | undefined
    let adapter: AdapterInfo | undefined
    try {
      const prepared = await candidate.prepare()
      if ('missing' in prepared) unavailable = prepared
      else if (!(await tf.setBackend(candidate.backend))) unavailable = { installed: true, missing: 'the backend did not initialise', fix: 'Run with --debug for its error, or choose another backend.' }
      else adapter = prepared.adapter
    } catch (error) {
      unavailable = { installed: true, missing: (error as Error).message.split('\n')[0], fix: 'Reinstall the package, or choose another backend.' }
    }
    if (!unavailable) {
      await tf.ready()
      return { backend: candidate.backend, id: candidate.id, package: candidate.package, gpu: candidate.gpu, ...(adapter ? { adapter } : {}), forced: wanted !== undefined, skipped }
    }
    if (wanted !== undefined) throw new ModeltestError({ what: `the tfjs backend '${wanted}' cannot run here: ${unavailable.missing}`, where: `--backend ${wanted}`, fix: unavailable.fix })
    if (unavailable.installed) skipped.push(`${candidate.id}: ${unavailable.missing}`)
  }
  throw new Error('no tfjs backend could be initialised, not even cpu')
}

/** A GPU adapter as reports name it: `nvidia hopper, NVIDIA H200`. */
export function describeAdapter(adapter: AdapterInfo): string {
  return [[adapter.vendor, adapter.architecture].filter(Boolean).join(' '), adapter.description].filter(Boolean).join(', ') || 'an unnamed adapter'
}

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}

/**
 * Imports optional packages (with `load`, or by name) when Node can resolve them. The check goes through
 * Node's resolver, not `import()`, whose failure reads differently under vitest's module runner than under plain Node.
 */
async function importPackages(names: string[], load: () => Promise<unknown> = () => Promise.all(names.map((name) => import(name)))): Promise<Unavailable | Record<string, never>> {
  const absent = notInstalled(names)
  if (absent) return absent
  await load()
  return {}
}

/** Which of the packages Node cannot resolve, as the reason a backend cannot run; undefined when all are there. */
function notInstalled(names: string[]): Unavailable | undefined {
  const absent = names.filter((name) => !installed(name))
  if (absent.length === 0) return undefined
  return { installed: false, missing: `${listNames(absent)} ${absent.length === 1 ? 'is' : 'are'} not installed`, fix: `npm install --save-dev ${absent.join(' ')}` }
}

/**
 * WebGPU through Dawn's Node binding (the `webgpu` package) and tfjs's webgpu backend. On Linux, Dawn
 * reaches the GPU through Vulkan: the loader (libvulkan.so.1) and the driver's ICD must be installed.
 * `navigator.gpu` must exist before @tensorflow/tfjs-backend-webgpu is imported, or it never registers.
 */
async function prepareWebGpu(): Promise<Unavailable | { adapter: AdapterInfo }> {
  const absent = notInstalled(WEBGPU_PACKAGES)
  if (absent) return absent
  if (process.platform === 'linux' && !vulkanLoaderFound()) {
    return {
      installed: true,
      missing: 'the Vulkan loader (libvulkan.so.1) is not installed',
      fix: 'Install it (Debian/Ubuntu: apt-get install libvulkan1) with the NVIDIA driver, whose Vulkan ICD it loads.',
    }
  }
  // Without a GPU device node, Vulkan can only offer a software rasteriser (Mesa's lavapipe), and Dawn
  // prints its own warnings to the process's stderr while it looks: it is not asked at all.
  if (process.platform === 'linux' && !gpuDeviceFound()) {
    return {
      installed: true,
      missing: 'no GPU device on this machine (/dev/nvidia*, /dev/dri/renderD*, /dev/dxg)',
      fix: 'Run on a machine with a GPU and its driver; in a container, expose the GPU (docker run --gpus all).',
    }
  }
  const { create, globals } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GpuLike; globals: object }
  Object.assign(globalThis, globals)
  const gpu = create([])
  const adapter = await gpu.requestAdapter()
  if (!adapter) {
    return {
      installed: true,
      missing: 'Vulkan found no GPU adapter',
      fix: 'Install the NVIDIA driver with its Vulkan ICD (nvidia_icd.json); in a container, expose the GPU and point VK_DRIVER_FILES at the ICD file. vulkaninfo --summary shows what Vulkan sees.',
    }
  }
  const navigator = (globalThis as { navigator?: object }).navigator
  Object.defineProperty(globalThis, 'navigator', { value: { ...navigator, gpu }, configurable: true, writable: true })
  await import('@tensorflow/tfjs-backend-webgpu')
  const info = adapter.info ?? {}
  return { adapter: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description: info.description || info.device || '' } }
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string; device?: string } } | null>
}

/** Whether the kernel exposes a GPU: NVIDIA's device nodes, a DRM render node (AMD, Intel) or WSL2's GPU. */
function gpuDeviceFound(): boolean {
  const devices = (folder: string) => (existsSync(folder) ? readdirSync(folder) : [])
  return devices('/dev').some((name) => /^nvidia\d+$/.test(name) || name === 'dxg') || devices('/dev/dri').some((name) => name.startsWith('renderD'))
}

/** Whether the dynamic linker can find libvulkan.so.1: in LD_LIBRARY_PATH, the usual library folders, or ldconfig's cache. */
function vulkanLoaderFound(): boolean {
  const folders = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib']
  if (folders.some((folder) => existsSync(join(folder, 'libvulkan.so.1')))) return true
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('libvulkan.so.1')
  } catch {
    return false
  }
}
