import { ModeltestError } from '../errors.js'
import { stat } from 'node:fs/promises'
import { hashFile, hashFiles, hashText } from '../hash.js'
import { Dataset, type Row } from '../data/dataset.js'
import { rowsInput } from './input.js'
import { cacheEnabled, cacheKey, readCached, writeCached } from './cache.js'
import { onnxModelParts } from './onnx.js'
import { fileLoader, readModelFiles, type TfjsModelFiles } from './tfjs-files.js'
import { describeAdapter, tf, tfjsBackend } from './tfjs-runtime.js'
import { Progress } from '../progress.js'

/** A model's outputs for n rows: `width` scores per row (one per class, or one for a binary score), row-major. */
export interface Scores {
  readonly rows: number
  readonly width: number
  readonly values: Float32Array
}

/** What runs a model, as reports show it. */
export interface RuntimeInfo {
  runtime: 'tfjs-layers' | 'tfjs-graph' | 'onnx' | 'http' | 'function'
  /** For tfjs: the backend (`wasm`, `cpu`, `tensorflow`) and the package that provides it; for ONNX: the execution provider (`cpu`). */
  backend?: string
  backendPackage?: string
  /** The GPU a webgpu backend runs on: `nvidia hopper, NVIDIA H200`. */
  adapter?: string
  /** Whether the model computes on a GPU. */
  gpu?: boolean
}

export type ModelInput = tf.Tensor | number[][] | Float32Array
/** Turns a batch of rows into the model's input; modeltest disposes the tensor it returns. */
export type Preprocess = (rows: Row[]) => ModelInput | Promise<ModelInput>
/** Any model as a function from rows to scores: one array of class scores per row, or one score per row. */
export type PredictFunction = (rows: Row[]) => ArrayLike<number> | ArrayLike<number>[] | Promise<ArrayLike<number> | ArrayLike<number>[]>

export interface ModelOptions {
  /** Rows → input tensor. Without it, the `features` columns are stacked as a float matrix. */
  preprocess?: Preprocess
  /** Numeric columns fed to the model, in order, when there is no `preprocess`. */
  features?: string[]
  /** Rows per prediction call; 256 by default. */
  batchSize?: number
  /** A name for reports; the path or the function's name by default. */
  name?: string
  /** ONNX models only: the input to feed, when the model has several. */
  input?: string
  /** ONNX models only: the output to score, when the model has several (the first by default). */
  output?: string
}

const DEFAULT_BATCH_SIZE = 256

/**
 * A model under test: any runtime behind one `predict(rows) → scores`. Predictions on a dataset are
 * kept per dataset hash, so that several checks on the same rows run inference once.
 */
export class Model {
  readonly name: string
  /** SHA-256 of the model files (model.json then weights), or of a function's source. */
  readonly hash: string
  readonly runtime: RuntimeInfo
  readonly batchSize: number
  /** How the last `predict` of a dataset went: batches run, and how many of them came from the disk cache. */
  lastPrediction?: { batches: number; cached: number }
  readonly #prepare?: (rows: Row[]) => Promise<PreparedInput>
  readonly #runBatch: (rows: Row[]) => Promise<Scores>
  readonly #predictions = new Map<string, Promise<Scores>>()

  constructor(parts: ModelParts) {
    this.name = parts.name
    this.hash = parts.hash
    this.runtime = parts.runtime
    this.batchSize = checkBatchSize(parts.batchSize ?? DEFAULT_BATCH_SIZE)
    this.#prepare = 'prepare' in parts ? parts.prepare : undefined
    this.#runBatch = 'prepare' in parts ? async (rows) => runPrepared(await parts.prepare(rows)) : parts.runBatch
  }

  /** Scores for every row of a dataset, predicted in batches; computed once per dataset. */
  predict(data: Dataset): Promise<Scores> {
    let scores = this.#predictions.get(data.hash)
    if (!scores) {
      scores = this.#predictAll(data)
      this.#predictions.set(data.hash, scores)
      scores.catch(() => this.#predictions.delete(data.hash))
    }
    return scores
  }

  /** Scores for a few rows, never cached: what latency measurement calls. */
  predictRows(rows: Row[]): Promise<Scores> {
    return this.#runBatch(rows)
  }

  async #predictAll(data: Dataset): Promise<Scores> {
    const parts: Scores[] = []
    const stats = { batches: 0, cached: 0 }
    const prepare = cacheEnabled() ? this.#prepare : undefined
    const runtime = `${this.runtime.runtime}:${this.runtime.backend ?? ''}`
    const progress = new Progress(`${this.name} on ${data.source}`, data.rowCount)
    for await (const rows of data.batches(this.batchSize)) {
      stats.batches++
      if (!prepare) {
        parts.push(await this.#runBatch(rows))
        progress.advance(rows.length)
        continue
      }
      const input = await prepare(rows)
      try {
        const key = cacheKey(this.hash, runtime, input.fingerprint())
        const cached = await readCached(key)
        if (cached?.rows === rows.length) {
          stats.cached++
          parts.push(cached)
        } else {
          const scores = await input.run()
          await writeCached(key, scores)
          parts.push(scores)
        }
      } finally {
        input.dispose()
      }
      progress.advance(rows.length)
    }
    progress.finish()
    this.lastPrediction = stats
    return concatScores(parts, this.name)
  }
}

/** A batch turned into the model's input: its bytes for the cache key, and inference on it. */
export interface PreparedInput {
  fingerprint(): { shape: readonly number[]; dtype: string; bytes: Uint8Array }
  run(): Promise<Scores>
  dispose(): void
}

/** What a runtime gives a Model: a way to score rows, either in one step or as prepare-then-run (cacheable). */
export type ModelParts = { name: string; hash: string; runtime: RuntimeInfo; batchSize?: number } & (
  | { runBatch: (rows: Row[]) => Promise<Scores> }
  | { prepare: (rows: Row[]) => Promise<PreparedInput> }
)

async function runPrepared(input: PreparedInput): Promise<Scores> {
  try {
    return await input.run()
  } finally {
    input.dispose()
  }
}

export function isModel(value: unknown): value is Model {
  return value instanceof Model
}

/**
 * The content hash model() gives a model file, without loading it: SHA-256 of an ONNX file, or of a
 * tfjs model.json and its weight files. What deploy helpers compare with the hash in a report.
 */
export async function modelFileHash(source: string): Promise<string> {
  if (/\.onnx$/i.test(source)) {
    const info = await stat(source).catch(() => undefined)
    if (!info?.isFile()) throw new ModeltestError({ what: 'no ONNX model file here', where: source, fix: 'Give the path of the .onnx file the tests checked.' })
    return hashFile(source)
  }
  return tfjsHash(await readModelFiles(source))
}

/** A tfjs model's identity: the SHA-256 of its model.json and weight files. */
function tfjsHash(files: TfjsModelFiles): Promise<string> {
  return hashFiles([files.modelJsonPath, ...files.weightPaths])
}

/**
 * Loads a model: a tfjs layers or graph model from disk (`model.json` or its directory), an ONNX
 * model (a `.onnx` file, run by onnxruntime-node on the CPU), or any function from rows to scores.
 *
 *     const candidate = await model('models/candidate/model.json', { preprocess: bagOfWords })
 *     const remote = await model(async (rows) => callMyService(rows), { name: 'service' })
 */
export async function model(source: string | PredictFunction, options: ModelOptions = {}): Promise<Model> {
  if (typeof source === 'function') return functionModel(source, options)
  if (typeof source !== 'string') {
    throw new ModeltestError({ what: `model() takes a path or a function, not ${source === null ? 'null' : typeof source}`, fix: "Pass 'models/candidate/model.json' or async (rows) => scores." })
  }
  if (/\.onnx$/i.test(source)) {
    return new Model({ name: options.name ?? source, batchSize: options.batchSize, ...(await onnxModelParts(source, options)) })
  }
  if (options.input !== undefined || options.output !== undefined) {
    throw new ModeltestError({ what: 'the options { input } and { output } apply to ONNX models only', where: source, fix: 'Leave them out for a tfjs model; it has one input and one output.' })
  }
  const files = await readModelFiles(source)
  const hash = await tfjsHash(files)
  const backend = await tfjsBackend()
  const graph = isGraphModel(files.json)
  const net = await loadOnce(files, hash, graph, source)
  const toInput = inputBuilder(options, source)
  return new Model({
    name: options.name ?? source,
    hash,
    runtime: { runtime: graph ? 'tfjs-graph' : 'tfjs-layers', backend: backend.backend, backendPackage: backend.package, gpu: backend.gpu, ...(backend.adapter ? { adapter: describeAdapter(backend.adapter) } : {}) },
    batchSize: options.batchSize,
    prepare: async (rows) => {
      const input = await toInput(rows)
      return {
        fingerprint: () => ({ shape: input.shape, dtype: input.dtype, bytes: new Uint8Array(input.dataSync().buffer.slice(0)) }),
        dispose: () => input.dispose(),
        run: async () => {
          let output: tf.Tensor | undefined
          try {
            output = tf.tidy(() => {
              const result = net.predict(input)
              if (!(result instanceof tf.Tensor)) {
                throw new ModeltestError({ what: 'the model has several outputs; modeltest scores one', where: source, fix: 'Export a model with a single output tensor of shape [rows, classes].' })
              }
              return result
            })
            return await tensorScores(output, rows.length, source)
          } catch (error) {
            throw wrapPredictError(error, source, input.shape)
          } finally {
            output?.dispose()
          }
        },
      }
    },
  })
}

function functionModel(fn: PredictFunction, options: ModelOptions): Model {
  const name = options.name ?? (fn.name || 'function')
  return new Model({
    name,
    hash: hashText(fn.toString()),
    runtime: { runtime: 'function' },
    batchSize: options.batchSize,
    runBatch: async (rows) => arrayScores(await fn(rows), rows.length, name),
  })
}

type TfjsNet = tf.LayersModel | tf.GraphModel

// Loaded models are kept per process, by content hash: every test file of a worker shares one copy.
const LOADED = Symbol.for('modeltest.tfjs.models')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<TfjsNet>> }

function loadOnce(files: TfjsModelFiles, hash: string, graph: boolean, source: string): Promise<TfjsNet> {
  const global = globalThis as Global
  const loaded = (global[LOADED] ??= new Map())
  let net = loaded.get(hash)
  if (!net) {
    const handler = fileLoader(files)
    net = (graph ? tf.loadGraphModel(handler) : tf.loadLayersModel(handler)).catch((error: Error) => {
      loaded.delete(hash)
      throw new ModeltestError({ what: `tfjs could not load the model: ${error.message}`, where: source, fix: 'Check that model.json and its weight files come from the same save.', cause: error })
    })
    loaded.set(hash, net)
  }
  return net
}

function isGraphModel(json: tf.io.ModelJSON): boolean {
  const topology = json.modelTopology as { node?: unknown } | undefined
  return json.format === 'graph-model' || Array.isArray(topology?.node)
}

function inputBuilder(options: ModelOptions, source: string): (rows: Row[]) => Promise<tf.Tensor> {
  const toInput = rowsInput(options, source)
  return async (rows) => toTensor(await toInput(rows), source)
}

function toTensor(input: ModelInput, source: string): tf.Tensor {
  if (input instanceof tf.Tensor) return input
  if (Array.isArray(input)) return tf.tensor2d(input)
  if (input instanceof Float32Array) return tf.tensor1d(input)
  throw new ModeltestError({ what: `preprocess returned ${typeof input}, not a tensor or a number[][]`, where: source, fix: 'Return tf.tensor2d(...) or an array of number arrays from preprocess.' })
}

async function tensorScores(output: tf.Tensor, rows: number, source: string): Promise<Scores> {
  const shape = output.shape
  const width = shape.length === 1 ? 1 : shape.length === 2 ? shape[1] : -1
  if (width < 0 || shape[0] !== rows) {
    throw new ModeltestError({ what: `the model's output has shape [${shape.join(', ')}] for ${rows} rows`, where: source, fix: 'modeltest expects [rows, classes] or [rows]; reshape the output in the model.' })
  }
  const values = new Float32Array(await output.data())
  return { rows, width, values }
}

function arrayScores(output: ArrayLike<number> | ArrayLike<number>[], rows: number, name: string): Scores {
  if (!output || typeof output !== 'object' || typeof output.length !== 'number') {
    throw new ModeltestError({ what: `the predict function returned ${typeof output}, not an array of scores`, where: name, fix: 'Return one array of class scores per row, or one score per row.' })
  }
  if (output.length !== rows) {
    throw new ModeltestError({ what: `the predict function returned ${output.length} results for ${rows} rows`, where: name, fix: 'Return exactly one result per row, in order.' })
  }
  const nested = rows > 0 && typeof output[0] === 'object'
  if (!nested) return { rows, width: 1, values: Float32Array.from(output as ArrayLike<number>) }
  const width = (output[0] as ArrayLike<number>).length
  const values = new Float32Array(rows * width)
  for (let i = 0; i < rows; i++) {
    const row = output[i] as ArrayLike<number>
    if (row?.length !== width) {
      throw new ModeltestError({ what: `row ${i} has ${row?.length} scores, row 0 has ${width}`, where: name, fix: 'Return the same number of scores for every row.' })
    }
    values.set(row, i * width)
  }
  return { rows, width, values }
}

function concatScores(parts: Scores[], name: string): Scores {
  const width = parts[0]?.width ?? 1
  if (parts.some((part) => part.width !== width)) throw new ModeltestError({ what: 'batches returned different numbers of scores per row', where: name })
  const rows = parts.reduce((sum, part) => sum + part.rows, 0)
  const values = new Float32Array(rows * width)
  let offset = 0
  for (const part of parts) {
    values.set(part.values, offset)
    offset += part.values.length
  }
  return { rows, width, values }
}

function wrapPredictError(error: unknown, source: string, inputShape: number[]): Error {
  if (error instanceof ModeltestError) return error
  return new ModeltestError({
    what: `the model failed on an input of shape [${inputShape.join(', ')}]: ${(error as Error).message}`,
    where: source,
    fix: 'Check that preprocess builds the input the model was trained on (shape and dtype).',
    cause: error,
  })
}

function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ModeltestError({ what: `batchSize ${batchSize} is not a whole number ≥ 1`, fix: 'Pass { batchSize: 256 } or leave it out.' })
  }
  return batchSize
}
