import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { InferenceSession, Tensor } from 'onnxruntime-node'
import { ModeltestError, listNames } from '../errors.js'
import { describeValue, didYouMean } from '../guard.js'
import { hashFile } from '../hash.js'
import { inputReader, isArrayLike, isFeeds, toMatrix, type BuiltInput, type InputReader } from './input.js'
import type { Feeds, ModelOptions, PreparedInput, RuntimeInfo, Scores } from './model.js'

/** What `model()` needs to build a Model from an `.onnx` file. */
export interface OnnxModelParts {
  hash: string
  runtime: RuntimeInfo
  scoring: string
  read: InputReader
  prepare: (input: BuiltInput, rows: number) => Promise<PreparedInput>
}

/**
 * Loads an ONNX model with onnxruntime-node (CPU execution provider) and returns its hash (SHA-256 of
 * the file), runtime and batch function. Inputs follow the same rules as tfjs models (`preprocess` or
 * `features`), fed as float32 to the model's one input (or `options.input`); a model with several
 * inputs (Silero VAD: input, sr, h, c) takes named feeds from `preprocess` instead. Scores are read
 * from its first output (or `options.output`), shaped [rows, classes] or [rows].
 */
export async function onnxModelParts(source: string, options: ModelOptions): Promise<OnnxModelParts> {
  const path = resolve(source)
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) {
    throw new ModeltestError({
      what: info ? 'this is a directory, not an .onnx file' : 'no ONNX model file here',
      where: source,
      fix: 'Give the path of an .onnx file (torch.onnx.export, tf2onnx or skl2onnx write one); train and export the model first if it is not there yet.',
    })
  }
  const read = inputReader(options, source)
  const hash = await hashFile(path)
  const session = await loadOnce(path, hash, source)
  const inputs = session.inputMetadata
  // One tensor (features, or what preprocess returns) feeds the only input or the one named; a model with
  // several inputs and none named takes named feeds, which only preprocess can build.
  const single = options.input !== undefined || session.inputNames.length === 1 || !options.preprocess ? chooseName(session.inputNames, options.input, 'input', source, inputs) : undefined
  const outputName = chooseName(session.outputNames, options.output, 'output', source, session.outputMetadata, true)
  const expected = single === undefined ? undefined : floatShape(inputs, single, source)
  const ort = await onnxruntime()
  return {
    hash,
    runtime: { runtime: 'onnx', backend: 'cpu' },
    scoring: `:${single ?? ''}:${outputName}`,
    read,
    prepare: async (input, rows) => {
      let feeds: Record<string, Tensor>
      if (isFeeds(input)) {
        if (options.input !== undefined) {
          throw new ModeltestError({
            what: `preprocess returned named feeds, and { input: '${options.input}' } chooses one input`,
            where: source,
            fix: 'Leave { input } out when preprocess returns named feeds: their names say which input each feeds.',
          })
        }
        feeds = namedFeeds(input, inputs, source, ort)
      } else {
        if (single === undefined) throw severalInputs(inputs, source)
        const matrix = toMatrix(input, rows, expected?.length, source)
        if (expected) checkShape(matrix.dims, expected, single, source)
        feeds = { [single]: new ort.Tensor('float32', matrix.data, matrix.dims) }
      }
      checkAllFed(feeds, inputs, source)
      return {
        fingerprint: () => feedsFingerprint(feeds),
        dispose: () => {},
        run: async () => {
          let results: InferenceSession.OnnxValueMapType
          try {
            results = await session.run(feeds, [outputName])
          } catch (error) {
            throw new ModeltestError({
              what: `onnxruntime failed on ${describeFeeds(feeds)}: ${(error as Error).message.trim()}`,
              where: source,
              fix: 'Check that preprocess or features build the input the model was trained on (shape and dtype).',
              cause: error,
            })
          }
          return outputScores(results[outputName], outputName, rows, source)
        },
      }
    },
  }
}

/** The typed array each ONNX element type is held in (bool as bytes). */
const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const
type FeedType = keyof typeof TYPED_ARRAYS

/**
 * Named feeds as onnxruntime tensors, each checked against the model's declaration of that input: a
 * known name, values that fill its dims, its element type and its declared sizes. A plain number[]
 * is converted to the declared type (`sr: { data: [16000], dims: [] }` becomes int64).
 */
function namedFeeds(feeds: Feeds, inputs: readonly InferenceSession.ValueMetadata[], source: string, ort: typeof import('onnxruntime-node')): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {}
  const names = inputs.map((input) => input.name)
  for (const [name, feed] of Object.entries(feeds)) {
    const meta = inputs.find((input) => input.name === name)
    if (!meta) throw new ModeltestError({ what: `preprocess fed '${name}', which is not an input of the model${didYouMean(name, names)}`, where: source, fix: `The model's inputs are ${describeValues(inputs)}.` })
    if (!meta.isTensor) throw new ModeltestError({ what: `the model's input '${name}' is not a tensor`, where: source, fix: 'modeltest feeds tensors only.' })
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- Array.isArray narrows a readonly array to any[]; asked of unknown, the element type stays
    if (typeof feed !== 'object' || feed === null || !Array.isArray(feed.dims as unknown) || !feed.dims.every((size) => Number.isInteger(size) && size >= 0) || !isArrayLike(feed.data)) {
      throw new ModeltestError({
        what: `preprocess fed '${name}' ${describeValue(feed)}, not { data, dims }`,
        where: source,
        fix: `Give each input as { data: Float32Array | BigInt64Array | number[], dims: [...] } (an onnxruntime Tensor fits): '${name}' takes ${describeValues([meta])}.`,
      })
    }
    const type = meta.type as FeedType
    if (!(type in TYPED_ARRAYS))
      throw new ModeltestError({ what: `the model's input '${name}' takes ${meta.type}, which modeltest cannot feed`, where: source, fix: `Export the model with a numeric input; modeltest feeds ${Object.keys(TYPED_ARRAYS).join(', ')}.` })
    const given = feed.type ?? (Array.isArray(feed.data) || feed.data.constructor === TYPED_ARRAYS[type] ? type : typeOfArray(feed.data))
    if (given !== type) {
      throw new ModeltestError({
        what: `preprocess fed '${name}' as ${given ?? feed.data.constructor.name}; the model's input '${name}' takes ${type}`,
        where: source,
        fix: `Give a ${TYPED_ARRAYS[type].name} (or a plain number array, which modeltest converts to ${type}).`,
      })
    }
    const size = feed.dims.reduce((product, dim) => product * dim, 1)
    if (feed.data.length !== size)
      throw new ModeltestError({ what: `preprocess fed '${name}' ${feed.data.length} values for dims [${feed.dims.join(', ')}] (${size} values)`, where: source, fix: 'Make dims the shape of the data, row-major.' })
    if (meta.shape.length > 0) checkShape(feed.dims, meta.shape, name, source)
    const data = Array.isArray(feed.data) ? convert(feed.data, type, name, source) : feed.data
    tensors[name] = new ort.Tensor(type, data as Float32Array, [...feed.dims])
  }
  checkNamedDimensions(tensors, inputs, source)
  return tensors
}

/** A named dimension ('batch') has one size across all inputs: the first feed that has it sets it. */
function checkNamedDimensions(tensors: Record<string, Tensor>, inputs: readonly InferenceSession.ValueMetadata[], source: string): void {
  const sizes = new Map<string, { size: number; input: string }>()
  for (const [name, tensor] of Object.entries(tensors)) {
    const meta = inputs.find((input) => input.name === name)
    if (!meta?.isTensor) continue
    meta.shape.forEach((dimension, i) => {
      if (typeof dimension !== 'string') return
      const seen = sizes.get(dimension)
      if (!seen) sizes.set(dimension, { size: tensor.dims[i], input: name })
      else if (seen.size !== tensor.dims[i]) {
        throw new ModeltestError({
          what: `preprocess fed '${name}' with ${dimension} ${tensor.dims[i]}, and '${seen.input}' with ${dimension} ${seen.size}`,
          where: source,
          fix: `The model's inputs share the dimension '${dimension}' (${describeValues(inputs)}): give it one size in every feed.`,
        })
      }
    })
  }
}

function typeOfArray(data: ArrayLike<unknown>): FeedType | undefined {
  return (Object.keys(TYPED_ARRAYS) as FeedType[]).find((type) => data.constructor === TYPED_ARRAYS[type])
}

/** A plain array of numbers as the typed array of `type`; 64-bit integer types take whole numbers. */
function convert(values: readonly unknown[], type: FeedType, name: string, source: string): ArrayBufferView {
  const bad = values.findIndex((value) => typeof value !== 'number' && typeof value !== 'bigint')
  if (bad >= 0) throw new ModeltestError({ what: `preprocess fed '${name}' ${describeValue(values[bad])} at index ${bad}, not a number`, where: source, fix: 'Feed numbers only.' })
  if (type === 'int64' || type === 'uint64') {
    const wide = values.map((value) => (typeof value === 'bigint' || Number.isInteger(value) ? BigInt(value as number) : undefined))
    const fraction = wide.indexOf(undefined)
    if (fraction >= 0)
      throw new ModeltestError({ what: `preprocess fed '${name}' ${String(values[fraction])} at index ${fraction}; its type ${type} takes whole numbers`, where: source, fix: 'Round the values, or feed the type the model declares.' })
    return TYPED_ARRAYS[type].from(wide as bigint[])
  }
  return TYPED_ARRAYS[type].from(values as number[])
}

/** Every input the model declares has a feed: onnxruntime would refuse the run with "input 'sr' is missing in 'feeds'". */
function checkAllFed(feeds: Record<string, Tensor>, inputs: readonly InferenceSession.ValueMetadata[], source: string): void {
  const missing = inputs.filter((input) => !(input.name in feeds)).map((input) => input.name)
  if (missing.length === 0) return
  throw new ModeltestError({
    what: `no feed for the model's input${missing.length > 1 ? 's' : ''} ${listNames(missing)}`,
    where: source,
    fix: `The model's inputs are ${describeValues(inputs)}. Return named feeds from preprocess, one per input: { ${inputs.map((input) => `${input.name}: { data, dims }`).join(', ')} }.`,
  })
}

function severalInputs(inputs: readonly InferenceSession.ValueMetadata[], source: string): ModeltestError {
  return new ModeltestError({
    what: `the model has ${inputs.length} inputs (${describeValues(inputs)}); preprocess returned one tensor`,
    where: source,
    fix: `Return named feeds from preprocess, one per input: { ${inputs.map((input) => `${input.name}: { data, dims }`).join(', ')} }; or pass { input: '${inputs[0].name}' } when one tensor is all the model needs.`,
  })
}

/** What identifies a run's feeds for the prediction cache: each input's name, type, dims and bytes, in name order. */
function feedsFingerprint(feeds: Record<string, Tensor>): { shape: readonly number[]; dtype: string; bytes: Uint8Array } {
  const parts: Uint8Array[] = []
  for (const name of Object.keys(feeds).sort()) {
    const { type, dims, data } = feeds[name]
    const view = data as ArrayBufferView
    parts.push(new TextEncoder().encode(`${name}\0${type}\0${dims.join('x')}\0${view.byteLength}\0`), new Uint8Array(view.buffer, view.byteOffset, view.byteLength))
  }
  return { shape: [], dtype: 'feeds', bytes: Buffer.concat(parts) }
}

function describeFeeds(feeds: Record<string, Tensor>): string {
  return Object.entries(feeds)
    .map(([name, tensor]) => `'${name}' ${tensor.type} [${tensor.dims.join(', ')}]`)
    .join(', ')
}

/** The model's inputs or outputs as `'input' float32 [batch, sequence], 'sr' int64 []`. */
function describeValues(values: readonly InferenceSession.ValueMetadata[]): string {
  return values.map((value) => (value.isTensor ? `'${value.name}' ${value.type} [${value.shape.join(', ')}]` : `'${value.name}' (not a tensor)`)).join(', ')
}

// Sessions are kept per process, by content hash: every test file of a worker shares one copy.
const LOADED = Symbol.for('modeltest.onnx.sessions')
type Global = typeof globalThis & { [LOADED]?: Map<string, Promise<InferenceSession>> }

function loadOnce(path: string, hash: string, source: string): Promise<InferenceSession> {
  const global = globalThis as Global
  const loaded = (global[LOADED] ??= new Map<string, Promise<InferenceSession>>())
  let session = loaded.get(hash)
  if (!session) {
    session = onnxruntime()
      // Fatal messages only: onnxruntime would print its own (coloured) log of a failed run, which the error thrown already says.
      .then((ort) => ort.InferenceSession.create(path, { logSeverityLevel: 4 }))
      .catch((error: unknown) => {
        loaded.delete(hash)
        if (error instanceof ModeltestError) throw error
        throw new ModeltestError({
          what: `onnxruntime could not load the file as an ONNX model: ${(error as Error).message.trim()}`,
          where: source,
          fix: 'Export the model again (torch.onnx.export, tf2onnx, skl2onnx); check that the file is not truncated or a Git LFS pointer.',
          cause: error,
        })
      })
    loaded.set(hash, session)
  }
  return session
}

/** onnxruntime-node, imported on first use so that tfjs-only runs never load its native binding. */
async function onnxruntime(): Promise<typeof import('onnxruntime-node')> {
  try {
    return await import('onnxruntime-node')
  } catch (error) {
    throw new ModeltestError({
      what: `onnxruntime-node could not be loaded: ${(error as Error).message}`,
      where: 'onnxruntime-node',
      fix: 'Run npm install; ONNX models need the onnxruntime-node package (CPU binding included).',
      cause: error,
    })
  }
}

function chooseName(names: readonly string[], wanted: string | undefined, kind: 'input' | 'output', source: string, metadata: readonly InferenceSession.ValueMetadata[], firstByDefault = false): string {
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted
    throw new ModeltestError({ what: `the model has no ${kind} '${wanted}'${didYouMean(wanted, names)}`, where: source, fix: `Its ${kind}s are ${describeValues(metadata)}; pass one as { ${kind}: '…' }.` })
  }
  if (names.length === 1 || (firstByDefault && names.length > 0)) return names[0]
  if (names.length === 0) throw new ModeltestError({ what: `the model has no ${kind}s`, where: source, fix: 'Export a model with one input of shape [rows, features] and one output of shape [rows, classes].' })
  throw new ModeltestError({
    what: `the model has ${names.length} ${kind}s (${listNames(names)}); { features } feeds one`,
    where: source,
    fix: `Pass { ${kind}: '${names[0]}' } to model() to choose it, or a preprocess that returns named feeds, one per input (${describeValues(metadata)}).`,
  })
}

/** The shape the model declares for the input one float32 tensor feeds (dimensions are sizes or symbolic names), when it declares one. */
function floatShape(metadata: readonly InferenceSession.ValueMetadata[] | undefined, name: string, source: string): readonly (number | string)[] | undefined {
  const meta = metadata?.find((value) => value.name === name)
  if (!meta) return undefined
  if (!meta.isTensor) throw new ModeltestError({ what: `the model's input '${name}' is not a tensor`, where: source, fix: 'modeltest feeds a float32 tensor of shape [rows, features].' })
  if (meta.type !== 'float32') {
    throw new ModeltestError({
      what: `the model's input '${name}' takes ${meta.type}; one tensor from features or preprocess feeds float32`,
      where: source,
      fix: `Return named feeds from preprocess to give '${name}' as ${meta.type} ({ ${name}: { data, dims } }), or export the model with a float32 input.`,
    })
  }
  return meta.shape.length > 0 ? meta.shape : undefined
}

function checkShape(dims: readonly number[], expected: readonly (number | string)[], name: string, source: string): void {
  const fits = dims.length === expected.length && expected.every((size, i) => typeof size !== 'number' || size < 0 || size === dims[i])
  if (fits) return
  const width = expected.length === 2 && typeof expected[1] === 'number' ? expected[1] : undefined
  throw new ModeltestError({
    what: `the input has shape [${dims.join(', ')}]; the model's input '${name}' takes [${expected.join(', ')}]`,
    where: source,
    fix: width !== undefined ? `Give ${width} features columns, or make preprocess return rows of ${width} numbers.` : 'Make preprocess or features build an input of the shape the model declares.',
  })
}

function outputScores(output: Tensor | undefined, name: string, rows: number, source: string): Scores {
  if (!output || typeof output !== 'object' || !('dims' in output)) {
    throw new ModeltestError({ what: `the model's output '${name}' is not a tensor`, where: source, fix: 'Score a tensor output of shape [rows, classes]: pass its name as { output }.' })
  }
  const dims = output.dims
  const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : -1
  if (width < 0 || dims[0] !== rows) {
    throw new ModeltestError({
      what: `the model's output '${name}' has shape [${dims.join(', ')}] for ${rows} rows`,
      where: source,
      fix: 'modeltest expects [rows, classes] or [rows]; reshape the output in the model, or choose another with { output }.',
    })
  }
  const data = output.data
  if (data instanceof Float32Array) return { rows, width, values: data }
  if (typeof data === 'object' && 'length' in data && typeof data[0] !== 'bigint' && typeof data[0] !== 'string') {
    return { rows, width, values: Float32Array.from(data as ArrayLike<number>) }
  }
  throw new ModeltestError({ what: `the model's output '${name}' holds ${output.type}, not scores`, where: source, fix: 'Score a float output (class probabilities or logits): pass its name as { output }.' })
}
