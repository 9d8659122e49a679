import { ModeltestError } from '../errors.js'
import type { Row } from '../data/dataset.js'
import type { ModelInput, ModelOptions } from './model.js'

/**
 * The input rules every runtime shares: `preprocess` builds the input itself (a tf.Tensor, a number[][]
 * or a Float32Array); `features` names numeric columns, stacked as a number[][] of rows × features.
 * Throws at once when both or neither are given; the runtime converts what this returns.
 */
export function rowsInput(options: ModelOptions, source: string): (rows: Row[]) => Promise<ModelInput> {
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
