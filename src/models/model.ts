import { ModeltestError, listNames } from '../errors.js'
import { checkColumnList, checkNumber, checkOptionKeys, describeValue } from '../guard.js'
import { stat } from 'node:fs/promises'
import { hashFile, hashFiles, hashText } from '../hash.js'
import { Dataset, type Columns, type Row } from '../data/dataset.js'
import { FeatureMatrix, inputReader, isArrayLike, notAnInput, type BuiltInput, type InputReader } from './input.js'
import { batchKey, cacheEnabled, cacheKey, readCached, writeCached } from './cache.js'
import { PREDICT_TIMEOUT_VARIABLE, PredictionTimeout, defaultPredictTimeout, withinTimeout } from './timeout.js'
import { onnxModelParts } from './onnx.js'
import { fileLoader, readModelFiles, type TfjsModelFiles } from './tfjs-files.js'
import { describeAdapter, tf, tfjsBackend } from './tfjs-runtime.js'
import { Progress } from '../progress.js'

/**
 * A model's outputs for n rows: `width` scores per row (one per class, or one for a binary score),
 * row-major. tfjs and ONNX models compute in float32 and their scores stay float32; a predict
 * function and an HTTP model give JavaScript numbers, kept as float64 so that no digit is lost.
 */
export interface Scores {
  readonly rows: number
  readonly width: number
  readonly values: Float32Array | Float64Array
}

/** What runs a model, as reports show it. */
export interface RuntimeInfo {
  runtime: 'tfjs-layers' | 'tfjs-graph' | 'onnx' | 'http' | 'function' | 'captured'
  /** For tfjs: the backend (`wasm`, `cpu`, `tensorflow`) and the package that provides it; for ONNX: the execution provider (`cpu`). */
  backend?: string
  backendPackage?: string
  /** The GPU a webgpu backend runs on: `nvidia hopper, NVIDIA H200`. */
  adapter?: string
  /** Whether the model computes on a GPU. */
  gpu?: boolean
}

export type ModelInput = tf.Tensor | number[][] | Float32Array
/**
 * One input of a model with several, row-major values and their dimensions; an onnxruntime `Tensor`
 * has this form too. The element type is the typed array's (BigInt64Array: int64); a plain number[]
 * takes the type the model declares for this input.
 */
export interface Feed {
  data: ArrayLike<number | bigint | string>
  dims: readonly number[]
  type?: string
}
/** The inputs of a model with several (ONNX), by name: `{ input: …, sr: …, h: …, c: … }` for Silero VAD. */
export type Feeds = Record<string, Feed>
/** Turns a batch of rows into the model's input, or into named feeds for an ONNX model with several inputs; modeltest disposes a tensor it returns. */
export type Preprocess = (rows: Row[]) => ModelInput | Feeds | Promise<ModelInput | Feeds>
/** Preprocess's columnar form: a batch as columns (numbers as Float64Array), `rows` long; no object per row. */
export type PreprocessColumns = (columns: Columns, rows: number) => ModelInput | Feeds | Promise<ModelInput | Feeds>
/** Any model as a function from rows to scores: one array of class scores per row, or one score per row. */
export type PredictFunction = (rows: Row[]) => ArrayLike<number> | ArrayLike<number>[] | Promise<ArrayLike<number> | ArrayLike<number>[]>

export interface ModelOptions {
  /** Rows → input tensor. Without it, the `features` columns are stacked as a float matrix. */
  preprocess?: Preprocess
  /**
   * Columns → input tensor: preprocess's faster form, given each batch as columns read straight from
   * DuckDB (int and float columns as Float64Array, a null as NaN; other columns as arrays of values).
   */
  preprocessColumns?: PreprocessColumns
  /**
   * Declares what the preprocessing depends on besides its source text and the rows (a version, or a
   * hash of the vocabulary file it closes over): with it, a re-run finds its predictions in the disk
   * cache by the data's content hash, without reading the data or running preprocess. Change it
   * whenever the preprocessing changes. Without it, the cache is keyed on the input preprocess builds.
   */
  preprocessKey?: string
  /** Numeric columns fed to the model, in order, when there is no `preprocess`. */
  features?: string[]
  /** Rows per prediction call; 256 by default. */
  batchSize?: number
  /** A name for reports; the path or the function's name by default. */
  name?: string
  /** ONNX models only: the one input a single tensor feeds, when the model has several (or return named feeds from `preprocess`). */
  input?: string
  /** ONNX models only: the output to score, by name, when the model has several (the first by default). */
  output?: string
  /**
   * Milliseconds one prediction call (a batch) may take before it fails, naming the model: a promise
   * that never settles, a server that never answers. Default: MODELTEST_PREDICT_TIMEOUT_MS
   * (`predictTimeoutMs` in modeltest.config.ts, `--predict-timeout`), else 60,000.
   */
  timeoutMs?: number
}

/** The options every model takes; model.http() and model.sagemaker() add their own. */
export const MODEL_OPTIONS = ['preprocess', 'features', 'batchSize', 'name', 'input', 'output', 'timeoutMs'] as const
/** The options of model() itself: those of a model whose inputs modeltest builds and caches. */
const LOCAL_MODEL_OPTIONS = [...MODEL_OPTIONS, 'preprocessColumns', 'preprocessKey'] as const

const DEFAULT_BATCH_SIZE = 256
// Recognises models by a global brand, not instanceof: two copies of modeltest in one process (a test
// file's and the CLI's, or two installed versions) share their models.
const MODEL_BRAND = Symbol.for('modeltest.model')

/**
 * A model under test: any runtime behind one `predict(rows) → scores`. Predictions on a dataset are
 * kept per dataset hash, so that several checks on the same rows run inference once.
 */
export class Model {
  readonly [MODEL_BRAND] = true
  readonly name: string
  /** SHA-256 of the model files (model.json then weights), or of a function's source. */
  readonly hash: string
  readonly runtime: RuntimeInfo
  readonly batchSize: number
  /** Milliseconds a prediction call may take (see ModelOptions.timeoutMs). */
  readonly timeoutMs: number
  /** How the last `predict` of a dataset went: batches run, and how many of them came from the disk cache. */
  lastPrediction?: { batches: number; cached: number }
  readonly #read?: InputReader
  readonly #prepare?: (input: BuiltInput, rows: number) => Promise<PreparedInput>
  /** What else picks the scores a runtime gives for an input: the ONNX input fed and output read. */
  readonly #scoring: string
  readonly #runBatch: (rows: Row[]) => Promise<Scores>
  readonly #predictions = new Map<string, Promise<Scores>>()

  constructor(parts: ModelParts) {
    this.name = parts.name
    this.hash = parts.hash
    this.runtime = parts.runtime
    this.batchSize = parts.batchSize ?? DEFAULT_BATCH_SIZE
    this.timeoutMs = parts.timeoutMs ?? defaultPredictTimeout()
    this.#scoring = parts.scoring ?? ''
    if ('prepare' in parts) {
      this.#read = parts.read
      this.#prepare = parts.prepare
      this.#runBatch = async (rows) => runPrepared(await parts.prepare(await parts.read.fromRows(rows), rows.length))
    } else {
      this.#runBatch = parts.runBatch
    }
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
    return this.#withinTimeout(this.#runBatch(rows), rows.length)
  }

  async #predictAll(data: Dataset): Promise<Scores> {
    const parts: Scores[] = []
    const stats = { batches: 0, cached: 0 }
    const cache = cacheEnabled() && this.#prepare !== undefined
    const runtime = `${this.runtime.runtime}:${this.runtime.backend ?? ''}${this.#scoring}`
    const keys = cache ? this.#batchKeys(data, runtime) : undefined
    const known = keys ? await Promise.all(keys.map(readCached)) : []
    if (keys && known.every((scores, i) => scores?.rows === batchRows(data.rowCount, this.batchSize, i))) {
      // Every batch is on disk under a key the data's content and the input recipe fix: the data is not even read.
      this.lastPrediction = { batches: keys.length, cached: keys.length }
      return concatScores(known as Scores[], this.name)
    }
    const progress = new Progress(`${this.name} on ${data.source}`, data.rowCount)
    for await (const batch of this.#batches(data)) {
      const index = stats.batches++
      const entry = keys ? { key: keys[index], scores: known[index] } : undefined
      parts.push(await this.#withinTimeout(cache ? this.#cachedBatch(batch, runtime, stats, entry) : batch.scores(), batch.rows))
      progress.advance(batch.rows)
    }
    progress.finish()
    this.lastPrediction = stats
    return concatScores(parts, this.name)
  }

  /** The dataset's batches, each with the step that gives its scores, or (where inputs are built here) its prepared input. */
  async *#batches(data: Dataset): AsyncGenerator<{ rows: number; scores: () => Promise<Scores>; prepare?: () => Promise<PreparedInput> }> {
    const read = this.#read
    const prepare = this.#prepare
    if (!read || !prepare) {
      for await (const rows of data.batches(this.batchSize)) yield { rows: rows.length, scores: () => this.#runBatch(rows) }
      return
    }
    for await (const batch of read.batches(data, this.batchSize)) {
      const prepared = async () => prepare(await batch.build(), batch.rows)
      yield { rows: batch.rows, scores: async () => runPrepared(await prepared()), prepare: prepared }
    }
  }

  /**
   * The cache keys of the dataset's batches, when the data's content hash and the input's recipe (features,
   * or a declared preprocessKey) fix every input: found without reading a row. Undefined otherwise.
   */
  #batchKeys(data: Dataset, runtime: string): string[] | undefined {
    const content = data.contentKey
    const recipe = this.#read?.recipe
    if (content === undefined || recipe === undefined) return undefined
    const batches = Math.ceil(data.rowCount / this.batchSize)
    return Array.from({ length: batches }, (_, index) => batchKey([this.hash, runtime, content, recipe, String(this.batchSize)], index))
  }

  /**
   * A batch's scores from the disk cache, or predicted and kept there when every score is finite (NaN is
   * never kept as a result). `known`: the batch's key by content and recipe and what it held, if any;
   * without one, the key is the hash of the input the batch builds.
   */
  async #cachedBatch(batch: { rows: number; prepare?: () => Promise<PreparedInput> }, runtime: string, stats: { cached: number }, known?: { key: string; scores?: Scores }): Promise<Scores> {
    if (known?.scores?.rows === batch.rows) {
      stats.cached++
      return known.scores
    }
    const input = await batch.prepare!()
    try {
      const key = known?.key ?? cacheKey(this.hash, runtime, input.fingerprint())
      const cached = known ? undefined : await readCached(key)
      if (cached?.rows === batch.rows) {
        stats.cached++
        return cached
      }
      const scores = await input.run()
      if (scores.values.every(Number.isFinite)) await writeCached(key, scores)
      return scores
    } finally {
      input.dispose()
    }
  }

  /** The batch's scores, or an error naming the model when they do not come within `timeoutMs`. */
  #withinTimeout(scores: Promise<Scores>, rows: number): Promise<Scores> {
    return withinTimeout(scores, this.timeoutMs, () => {
      const limit = this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${this.timeoutMs / 1000} s`
      return new PredictionTimeout({
        what: `no scores within ${limit} for a batch of ${rows} rows: the prediction call did not settle`,
        where: this.name,
        fix: `Check that the model (its predict function, server or preprocess) answers. If it is only slow, raise the limit: { timeoutMs } in model(), predictTimeoutMs in modeltest.config.ts, --predict-timeout or ${PREDICT_TIMEOUT_VARIABLE}; or lower batchSize.`,
      })
    })
  }
}

/** A batch turned into the model's input: its bytes for the cache key, and inference on it. */
export interface PreparedInput {
  fingerprint(): { shape: readonly number[]; dtype: string; bytes: Uint8Array }
  run(): Promise<Scores>
  dispose(): void
}

/**
 * What a runtime gives a Model: a way to score rows, either in one step or as an input reader and a
 * prepare-then-run of what it reads (cacheable). `scoring`: what else picks the scores of an input
 * (the ONNX input and output chosen), part of the cache key.
 */
export type ModelParts = { name: string; hash: string; runtime: RuntimeInfo; batchSize?: number; timeoutMs?: number; scoring?: string } & (
  { runBatch: (rows: Row[]) => Promise<Scores> } | { read: InputReader; prepare: (input: BuiltInput, rows: number) => Promise<PreparedInput> }
)

/** The rows of batch `index` of a dataset of `rowCount` rows cut `size` at a time. */
function batchRows(rowCount: number, size: number, index: number): number {
  return Math.min(size, rowCount - index * size)
}

async function runPrepared(input: PreparedInput): Promise<Scores> {
  try {
    return await input.run()
  } finally {
    input.dispose()
  }
}

export function isModel(value: unknown): value is Model {
  return typeof value === 'object' && value !== null && (value as { [MODEL_BRAND]?: unknown })[MODEL_BRAND] === true
}

/**
 * Refuses model options that would be ignored or could not work: an unknown key (did-you-mean), a
 * batchSize that is not a whole number ≥ 1, an empty features list, a preprocess that is no function.
 * `allowed` is MODEL_OPTIONS plus the options of the kind of model; `where` names the call.
 */
export function checkModelOptions(options: unknown, allowed: readonly string[], where: string): void {
  checkOptionKeys(options, allowed, where)
  if (options === undefined) return
  const { preprocess, preprocessColumns, preprocessKey, features, batchSize, timeoutMs } = options as ModelOptions
  if (preprocess !== undefined && typeof preprocess !== 'function') {
    throw new ModeltestError({
      what: `${where}: preprocess must be a function from rows to the model's input, got ${describeValue(preprocess)}`,
      fix: 'Pass { preprocess: (rows) => tf.tensor2d(...) }, or { features } to stack numeric columns.',
    })
  }
  if (preprocessColumns !== undefined && typeof preprocessColumns !== 'function') {
    throw new ModeltestError({
      what: `${where}: preprocessColumns must be a function from columns to the model's input, got ${describeValue(preprocessColumns)}`,
      fix: 'Pass { preprocessColumns: (columns, rows) => tf.tensor2d(...) }, or { features } to stack numeric columns.',
    })
  }
  if (preprocessKey !== undefined && preprocess === undefined && preprocessColumns === undefined) {
    throw new ModeltestError({ what: `${where}: preprocessKey names a preprocessing, and there is none`, fix: 'Pass it with { preprocess } or { preprocessColumns }, or leave it out.' })
  }
  if (features !== undefined) checkColumnList(features, 'features', where, "['bill_length_mm', 'flipper_length_mm']")
  if (batchSize !== undefined) checkNumber(batchSize, 'batchSize', where, { min: 1, whole: true })
  if (timeoutMs !== undefined) checkNumber(timeoutMs, 'timeoutMs', where, { min: 1 })
  for (const key of ['name', 'input', 'output', 'preprocessKey'] as const) {
    const value = (options as ModelOptions)[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new ModeltestError({ what: `${where}: ${key} must be a non-empty string, got ${describeValue(value)}`, fix: `Pass { ${key}: '…' }, or leave it out.` })
    }
  }
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
  checkModelOptions(options, LOCAL_MODEL_OPTIONS, 'model()')
  if (typeof source === 'function') return functionModel(source, options)
  if (typeof source !== 'string') {
    throw new ModeltestError({ what: `model() takes a path or a function, not ${source === null ? 'null' : typeof source}`, fix: "Pass 'models/candidate/model.json' or async (rows) => scores." })
  }
  if (/\.onnx$/i.test(source)) {
    return new Model({ name: options.name ?? source, batchSize: options.batchSize, timeoutMs: options.timeoutMs, ...(await onnxModelParts(source, options)) })
  }
  if (options.input !== undefined || options.output !== undefined) {
    throw new ModeltestError({ what: 'the options { input } and { output } apply to ONNX models only', where: source, fix: 'Leave them out for a tfjs model; it has one input and one output.' })
  }
  const files = await readModelFiles(source)
  const hash = await tfjsHash(files)
  const backend = await tfjsBackend()
  const graph = isGraphModel(files.json)
  const net = await loadOnce(files, hash, graph, source)
  const read = inputReader(options, source)
  return new Model({
    name: options.name ?? source,
    hash,
    runtime: { runtime: graph ? 'tfjs-graph' : 'tfjs-layers', backend: backend.backend, backendPackage: backend.package, gpu: backend.gpu, ...(backend.adapter ? { adapter: describeAdapter(backend.adapter) } : {}) },
    batchSize: options.batchSize,
    timeoutMs: options.timeoutMs,
    read,
    prepare: async (built, rows) => {
      const input = toTensor(built, source)
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
            return await tensorScores(output, rows, source)
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
  const ignored = (['preprocess', 'preprocessColumns', 'preprocessKey', 'features', 'input', 'output'] as const).filter((key) => options[key] !== undefined)
  if (ignored.length > 0) {
    throw new ModeltestError({
      what: `the option${ignored.length > 1 ? 's' : ''} ${listNames(ignored)} ${ignored.length > 1 ? 'do' : 'does'} not apply to a predict function`,
      where: name,
      fix: 'The function gets the rows themselves and returns their scores: build its inputs inside it, and leave these options out.',
    })
  }
  return new Model({
    name,
    hash: hashText(fn.toString()),
    runtime: { runtime: 'function' },
    batchSize: options.batchSize,
    timeoutMs: options.timeoutMs,
    runBatch: async (rows) => arrayScores(await fn(rows), rows.length, name),
  })
}

type TfjsNet = tf.LayersModel | tf.GraphModel

// Loaded models are kept per process, by content hash: every test file of a worker shares one copy.
const LOADED = Symbol.for('modeltest.tfjs.models')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<TfjsNet>> }

function loadOnce(files: TfjsModelFiles, hash: string, graph: boolean, source: string): Promise<TfjsNet> {
  const global = globalThis as Global
  const loaded = (global[LOADED] ??= new Map<string, Promise<TfjsNet>>())
  let net = loaded.get(hash)
  if (!net) {
    const handler = fileLoader(files)
    net = (graph ? tf.loadGraphModel(handler) : tf.loadLayersModel(handler)).catch((error: unknown) => {
      loaded.delete(hash)
      throw new ModeltestError({ what: `tfjs could not load the model: ${(error as Error).message}`, where: source, fix: 'Check that model.json and its weight files come from the same save.', cause: error })
    })
    loaded.set(hash, net)
  }
  return net
}

function isGraphModel(json: tf.io.ModelJSON): boolean {
  const topology = json.modelTopology as { node?: unknown } | undefined
  return json.format === 'graph-model' || Array.isArray(topology?.node)
}

function toTensor(input: BuiltInput, source: string): tf.Tensor {
  if (input instanceof tf.Tensor) return input
  if (input instanceof FeatureMatrix) return tf.tensor2d(input.data, input.dims)
  if (Array.isArray(input)) return tf.tensor2d(input)
  if (input instanceof Float32Array) return tf.tensor1d(input)
  throw notAnInput(input, source)
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

/**
 * A predict function's result as scores: one number per row, or one array of numbers per row, every
 * row as wide as the first. Class names, nulls or strings would become NaN and count as class 0, so
 * any value that is not a number is refused, naming the row of the batch.
 */
function arrayScores(output: unknown, rows: number, name: string): Scores {
  if (!isArrayLike(output)) {
    throw new ModeltestError({ what: `the predict function returned ${describeValue(output)}, not an array of scores`, where: name, fix: 'Return one array of class scores per row, or one score per row.' })
  }
  if (output.length !== rows) {
    throw new ModeltestError({ what: `the predict function returned ${output.length} results for a batch of ${rows} rows`, where: name, fix: 'Return exactly one result per row, in order.' })
  }
  const nested = isArrayLike(output[0])
  const width = nested ? (output[0] as ArrayLike<unknown>).length : 1
  const values = new Float64Array(rows * width)
  for (let i = 0; i < rows; i++) {
    const result = output[i]
    const scores = isArrayLike(result)
    if (scores !== nested || (scores && result.length !== width)) {
      const found = scores ? `${result.length} scores` : describeValue(result)
      throw new ModeltestError({ what: `row ${i} of the batch has ${found}; row 0 has ${nested ? `${width} scores` : 'one score'}`, where: name, fix: 'Return the same number of scores for every row.' })
    }
    const row = scores ? result : [result]
    for (let j = 0; j < width; j++) {
      const value = row[j]
      if (typeof value !== 'number') throw notAScore(value, i, name)
      values[i * width + j] = value
    }
  }
  return { rows, width, values }
}

function notAScore(value: unknown, row: number, name: string): ModeltestError {
  if (typeof value === 'string') {
    return new ModeltestError({
      what: `the predict function returned the class name '${value}' for row ${row} of the batch, not a score`,
      where: name,
      fix: 'Return class scores (one array of probabilities per row) or class indices 0, 1, … in the order of the labels; map class names to indices inside the function.',
    })
  }
  return new ModeltestError({ what: `the predict function returned ${describeValue(value)} for row ${row} of the batch, not a number`, where: name, fix: 'Return numbers only: one array of class scores per row, or one score per row.' })
}

function concatScores(parts: Scores[], name: string): Scores {
  const width = parts[0]?.width ?? 1
  if (parts.some((part) => part.width !== width)) throw new ModeltestError({ what: 'batches returned different numbers of scores per row', where: name, fix: 'Give every row of every batch the same number of scores (one per class).' })
  const rows = parts.reduce((sum, part) => sum + part.rows, 0)
  // float64 as soon as one batch is (a cached float32 batch widens exactly).
  const values = parts.some((part) => part.values instanceof Float64Array) ? new Float64Array(rows * width) : new Float32Array(rows * width)
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
