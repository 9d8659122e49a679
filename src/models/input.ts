import { ModeltestError } from '../errors.js'
import { describeValue } from '../guard.js'
import type { Columns, Dataset, Row, Value } from '../data/dataset.js'
import type { Feeds, ModelInput, ModelOptions } from './model.js'
import { isTensor } from './tfjs-runtime.js'

/**
 * The input rules every runtime shares: `preprocess` builds the input itself from rows (a tf.Tensor, a
 * number[][], a Float32Array, or named feeds for an ONNX model with several inputs), `preprocessColumns`
 * the same from columns; `features` names numeric columns, stacked as a number[][] of rows × features.
 * Throws at once when two or none are given; the runtime converts what this returns.
 */
export function rowsInput(options: ModelOptions, source: string): (rows: Row[]) => Promise<ModelInput | Feeds> {
  const { preprocess, preprocessColumns, features } = options
  const given = (['preprocess', 'preprocessColumns', 'features'] as const).filter((key) => options[key] !== undefined)
  if (given.length > 1) {
    throw new ModeltestError({ what: `model() got both { ${given[0]} } and { ${given[1]} }`, where: source, fix: 'Give one: preprocess (or preprocessColumns) builds the input itself; features names numeric columns to stack.' })
  }
  if (preprocess) return async (rows) => preprocess(rows)
  if (preprocessColumns) return async (rows) => preprocessColumns(columnsOf(rows), rows.length)
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
  if (typeof value !== 'number') throw notAFeature(name, value, source)
  return value
}

/** The error for a feature value that is not a number; `row`: its row in the data, where known. */
function notAFeature(name: string, value: Value, source: string, row?: number): ModeltestError {
  const at = row === undefined ? '' : ` at row ${row}`
  return new ModeltestError({ what: `feature column '${name}' holds ${value === null ? 'a null' : `'${value}'`}${at}, not a number`, where: source, fix: 'Fill or drop nulls, or encode the column in a preprocess function.' })
}

/** Rows given as objects (a latency sample) as the columns `preprocessColumns` takes: a column of numbers and nulls as a Float64Array. */
function columnsOf(rows: Row[]): Columns {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  return Object.fromEntries(
    names.map((name) => {
      const values = rows.map((row) => row[name] ?? null)
      const numeric = values.some((value) => typeof value === 'number') && values.every((value) => value === null || typeof value === 'number')
      return [name, numeric ? Float64Array.from(values, (value) => value ?? NaN) : values]
    }),
  )
}

/** Features read straight from the data as a row-major float32 matrix of rows × features. */
export class FeatureMatrix {
  constructor(
    readonly data: Float32Array,
    readonly dims: [number, number],
  ) {}
}

/** What a model's input step gives a runtime: what preprocess returned, or the features matrix. */
export type BuiltInput = ModelInput | Feeds | FeatureMatrix

/** A batch of a dataset on its way into a model: its row count, and the step that builds its input (preprocess runs there, within the model's timeout). */
interface InputBatch {
  rows: number
  build: () => Promise<BuiltInput>
}

/** How a model reads its input: from a few rows, or from a whole dataset in the form its input step takes. */
export interface InputReader {
  /** The input of rows given as objects (latency samples, predictRows). */
  fromRows(rows: Row[]): Promise<BuiltInput>
  /** Every row of `data`, `size` at a time: features as typed columns, rows or columns for a preprocess. */
  batches(data: Dataset, size: number): AsyncIterable<InputBatch>
  /**
   * What fixes the input besides the rows, when that is known: the features list, or a preprocess with the
   * preprocessKey its author declared (with its source text). Undefined for a preprocess without one: what it
   * closes over (a vocabulary, a scaler) can change while its source stays the same.
   */
  recipe?: string
}

/** The input reader of a model's options (see rowsInput for the rules). */
export function inputReader(options: ModelOptions, source: string): InputReader {
  const fromRows = rowsInput(options, source)
  const { preprocess, preprocessColumns, preprocessKey, features } = options
  const userStep = preprocess ?? preprocessColumns
  async function* rowBatches(data: Dataset, size: number): AsyncIterable<InputBatch> {
    for await (const rows of data.batches(size)) yield { rows: rows.length, build: () => fromRows(rows) }
  }
  async function* columnBatches(data: Dataset, size: number): AsyncIterable<InputBatch> {
    for await (const { rows, columns } of data.columnBatches(size)) yield { rows, build: async () => preprocessColumns!(columns, rows) }
  }
  async function* featureBatches(data: Dataset, size: number): AsyncIterable<InputBatch> {
    const names = features!
    // A missing or non-numeric column goes the way of rows, which names it and its first bad value.
    if (!names.every((name) => data.hasColumn(name) && ['int', 'float'].includes(data.columnType(name)))) {
      yield* rowBatches(data, size)
      return
    }
    for await (const { rows, matrix } of data.featureBatches(names, size, (name, row) => notAFeature(name, null, source, row))) {
      yield { rows, build: async () => new FeatureMatrix(matrix, [rows, names.length]) }
    }
  }
  return {
    fromRows,
    batches: features ? featureBatches : preprocessColumns ? columnBatches : rowBatches,
    recipe: features ? JSON.stringify(['features', features]) : userStep && preprocessKey !== undefined ? JSON.stringify([preprocess ? 'preprocess' : 'preprocessColumns', userStep.toString(), preprocessKey]) : undefined,
  }
}

/** A float32 row-major matrix and its dimensions, as runtimes that take plain arrays (ONNX, HTTP) need. */
export interface Matrix {
  data: Float32Array
  dims: number[]
}

/** Converts what `preprocess` or `features` gave into a float32 matrix; a tf.Tensor is read and disposed. */
export function toMatrix(input: BuiltInput, rows: number, rank: number | undefined, source: string): Matrix {
  if (input instanceof FeatureMatrix) return input
  if (isTensor(input)) {
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
