import { ModeltestError } from '../errors.js'
import { describeValue } from '../guard.js'
import type { Row } from '../data/dataset.js'
import type { Feeds, ModelInput, ModelOptions } from './model.js'
import { tf } from './tfjs-runtime.js'

/**
 * The input rules every runtime shares: `preprocess` builds the input itself (a tf.Tensor, a number[][],
 * a Float32Array, or named feeds for an ONNX model with several inputs); `features` names numeric
 * columns, stacked as a number[][] of rows × features. Throws at once when both or neither are given;
 * the runtime converts what this returns.
 */
export function rowsInput(options: ModelOptions, source: string): (rows: Row[]) => Promise<ModelInput | Feeds> {
  const { preprocess, features } = options
  if (preprocess && features) {
    throw new ModeltestError({ what: 'model() got both { preprocess } and { features }', where: source, fix: 'Give one: preprocess builds the input itself; features names numeric columns to stack.' })
  }
  if (preprocess) return async (rows) => preprocess(rows)
  if (features) return async (rows) => rows.map((row) => features.map((name) => featureValue(row, name, source)))
  return async () => {
    throw new ModeltestError({ what: 'the model has no way to turn rows into its input', where: source, fix: "Pass { preprocess: (rows) => tensor } or { features: ['col1', 'col2'] } to model()." })
  }
}

function featureValue(row: Row, name: string, source: string): number {
  if (!(name in row)) {
    throw new ModeltestError({ what: `feature column '${name}' is not in the data`, where: source, fix: `The data has ${Object.keys(row).join(', ')}.` })
  }
  const value = row[name]
  if (typeof value !== 'number') {
    throw new ModeltestError({ what: `feature column '${name}' holds ${value === null ? 'a null' : `'${value}'`}, not a number`, where: source, fix: 'Fill or drop nulls, or encode the column in a preprocess function.' })
  }
  return value
}

/** A float32 row-major matrix and its dimensions, as runtimes that take plain arrays (ONNX, HTTP) need. */
export interface Matrix {
  data: Float32Array
  dims: number[]
}

/** Converts what `preprocess` or `features` gave into a float32 matrix; a tf.Tensor is read and disposed. */
export function toMatrix(input: ModelInput | Feeds, rows: number, rank: number | undefined, source: string): Matrix {
  if (input instanceof tf.Tensor) {
    try {
      const values = input.dataSync()
      return { data: values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>), dims: [...input.shape] }
    } finally {
      input.dispose()
    }
  }
  if (Array.isArray(input)) {
    const width = input[0]?.length ?? 0
    const data = new Float32Array(input.length * width)
    input.forEach((row, i) => {
      if (row?.length !== width) {
        throw new ModeltestError({ what: `input row ${i} has ${row?.length} values, row 0 has ${width}`, where: source, fix: 'Give every row the same number of features.' })
      }
      data.set(row, i * width)
    })
    return { data, dims: [input.length, width] }
  }
  if (input instanceof Float32Array) {
    if (rank === 1) return { data: input, dims: [input.length] }
    if (rows === 0 || input.length % rows !== 0) {
      throw new ModeltestError({ what: `preprocess returned a Float32Array of ${input.length} values for ${rows} rows`, where: source, fix: 'Return rows × features values, row-major, or a number[][] with one array per row.' })
    }
    return { data: input, dims: [rows, input.length / rows] }
  }
  throw notAnInput(input, source)
}

/** An array or a typed array: a row of scores, or a feed's values. */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))
}

/** Named feeds (`{ input: { data, dims }, sr: … }`) are a plain object; a tensor, an array or a typed array is one input. */
export function isFeeds(input: unknown): input is Feeds {
  if (typeof input !== 'object' || input === null) return false
  const prototype: unknown = Object.getPrototypeOf(input)
  return prototype === Object.prototype || prototype === null
}

/** The error for what preprocess returned when the runtime cannot feed it: named feeds where it takes one tensor, or no input at all. */
export function notAnInput(input: unknown, source: string): ModeltestError {
  if (isFeeds(input)) {
    return new ModeltestError({
      what: `preprocess returned named feeds (${Object.keys(input).join(', ')}); only ONNX models take several inputs`,
      where: source,
      fix: 'Return one tensor from preprocess: tf.tensor2d(...), an array of number arrays or a row-major Float32Array.',
    })
  }
  return new ModeltestError({
    what: `preprocess returned ${describeValue(input)}, not a tensor or a number[][]`,
    where: source,
    fix: 'Return tf.tensor2d(...), an array of number arrays or a row-major Float32Array from preprocess (named feeds for an ONNX model with several inputs).',
  })
}
