import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dataset, model, mulberry32, type Columns, type Row } from '../src/index.js'
import { fixturesDir, rejection, tempDir } from './helpers.js'

// penguins.onnx takes 4 float features and scores 3 classes; any four numbers will do here.
const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
const graphDir = join(fixturesDir, 'models', 'graph-linear')
const features = ['a', 'b', 'c', 'd']

/** A CSV of `n` rows: float columns a, c, d, an int column b, a text column and a 0/1/2 label; 5,000 rows span three DuckDB chunks. */
function csv(n: number, seed = 1, blank?: { row: number; column: string }): string {
  const random = mulberry32(seed)
  const lines = ['a,b,c,d,kind,label']
  for (let i = 0; i < n; i++) {
    const cells: Record<string, string> = { a: (30 + 20 * random()).toFixed(3), b: String(Math.floor(10 + 10 * random())), c: (170 + 60 * random()).toFixed(2), d: (3000 + 3000 * random()).toFixed(1) }
    if (blank?.row === i) cells[blank.column] = ''
    lines.push(`${features.map((name) => cells[name]).join(',')},${i % 2 ? 'x' : 'y'},${i % 3}`)
  }
  return lines.join('\n') + '\n'
}

const byRows = (rows: Row[]) => rows.map((row) => features.map((name) => row[name] as number))

let dir = ''
beforeEach(async () => {
  dir = await tempDir({ 'five-thousand.csv': csv(5000) })
  process.env.MODELTEST_CACHE = 'off'
})
afterEach(() => {
  delete process.env.MODELTEST_CACHE
})

describe('features read as typed columns', () => {
  test('give the scores the row path gives, across DuckDB chunks, whatever the batch size', async () => {
    const data = await dataset(join(dir, 'five-thousand.csv'))
    const rowPath = await (await model(onnxPath, { preprocess: byRows, batchSize: 1000 })).predict(data)
    expect(rowPath.rows).toBe(5000)
    for (const batchSize of [7, 256, 3000, 6000]) {
      const columnar = await (await model(onnxPath, { features, batchSize })).predict(data)
      expect(columnar).toEqual(rowPath)
    }
  })

  test('the same for a tfjs model, on a head() of the file', async () => {
    const data = (await dataset(join(dir, 'five-thousand.csv'))).head(300)
    const rowPath = await (await model(graphDir, { preprocess: (rows) => rows.map((row) => [row.a as number, row.b as number, row.c as number]) })).predict(data)
    const columnar = await (await model(graphDir, { features: ['a', 'b', 'c'], batchSize: 64 })).predict(data)
    expect(columnar.rows).toBe(300)
    expect(columnar).toEqual(rowPath)
  })

  test('FLOAT, DECIMAL and integer columns of a Parquet file give the scores of the same values as doubles', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const connection = await (await DuckDBInstance.create(':memory:')).connect()
    const path = join(dir, 'typed.parquet')
    const source = `read_csv('${join(dir, 'five-thousand.csv')}')`
    await connection.run(`COPY (SELECT a::FLOAT AS a, b::INTEGER AS b, c::DECIMAL(6,2) AS c, d::DOUBLE AS d FROM ${source}) TO '${path}' (FORMAT parquet)`)
    connection.closeSync()
    const typed = await dataset(path)
    const rows = await typed.rows()
    expect(typeof rows[0].c).toBe('number')
    const expected = await (await model(onnxPath, { preprocess: byRows })).predict(await dataset(rows))
    expect(await (await model(onnxPath, { features })).predict(typed)).toEqual(expected)
  })

  test('a null in a feature column is an error naming the column, not a NaN fed to the model', async () => {
    const path = join(await tempDir({ 'blank.csv': csv(3000, 2, { row: 2500, column: 'c' }) }), 'blank.csv')
    const net = await model(onnxPath, { features })
    const error = await rejection(net.predict(await dataset(path)))
    expect(error.message).toMatch(/penguins\.onnx: feature column 'c' holds a null at row 2500, not a number\n {2}Fill or drop nulls/)
  })

  test('a text feature column is named with its first value, as before', async () => {
    const net = await model(onnxPath, { features: ['a', 'b', 'kind', 'd'] })
    await expect(net.predict(await dataset(join(dir, 'five-thousand.csv')))).rejects.toThrow(/feature column 'kind' holds 'y', not a number/)
  })
})

describe('preprocessColumns', () => {
  test('gets each batch as columns: numbers as Float64Array, text as values; the scores equal preprocess', async () => {
    const data = await dataset(join(dir, 'five-thousand.csv'))
    const seen: Columns[] = []
    const net = await model(onnxPath, {
      batchSize: 2048,
      preprocessColumns: (columns, rows) => {
        seen.push(columns)
        const matrix = new Float32Array(rows * features.length)
        features.forEach((name, j) => (columns[name] as Float64Array).forEach((value, i) => (matrix[i * features.length + j] = value)))
        return matrix
      },
    })
    const scores = await net.predict(data)
    expect(seen.map((columns) => columns.a.length)).toEqual([2048, 2048, 904])
    expect(seen[0].b).toBeInstanceOf(Float64Array)
    expect(seen[0].kind.slice(0, 3)).toEqual(['y', 'x', 'y'])
    expect(Object.keys(seen[0])).toEqual(['a', 'b', 'c', 'd', 'kind', 'label'])
    expect(scores).toEqual(await (await model(onnxPath, { preprocess: byRows })).predict(data))
  })

  test('a null in a numeric column comes as NaN; rows given as objects (latency) come as columns too', async () => {
    const path = join(await tempDir({ 'blank.csv': csv(10, 3, { row: 4, column: 'a' }) }), 'blank.csv')
    const data = await dataset(path)
    const batches: Columns[] = []
    const net = await model(onnxPath, {
      preprocessColumns: (columns, rows) => {
        batches.push(columns)
        return Array.from({ length: rows }, () => [1, 2, 3, 4])
      },
    })
    await net.predict(data)
    expect(Number.isNaN((batches[0].a as Float64Array)[4])).toBe(true)
    await net.predictRows(await data.rows(0, 2))
    expect(batches[1].a).toBeInstanceOf(Float64Array)
    expect(batches[1].kind).toEqual(['y', 'x'])
  })

  test('options are checked: a function, not with preprocess or features, preprocessKey only with a preprocessing', async () => {
    await expect(model(onnxPath, { preprocessColumns: 'scale' as never })).rejects.toThrow(/model\(\): preprocessColumns must be a function from columns to the model's input, got 'scale'/)
    await expect(model(onnxPath, { preprocessColumns: () => [[0]], features })).rejects.toThrow(/got both \{ preprocessColumns \} and \{ features \}/)
    await expect(model(onnxPath, { preprocessColumns: () => [[0]], preprocess: () => [[0]] })).rejects.toThrow(/got both \{ preprocess \} and \{ preprocessColumns \}/)
    await expect(model(onnxPath, { features, preprocessKey: 'v1' })).rejects.toThrow(/model\(\): preprocessKey names a preprocessing, and there is none/)
    await expect(model(onnxPath, { preprocess: byRows, preprocessKey: '' })).rejects.toThrow(/model\(\): preprocessKey must be a non-empty string, got ''/)
    await expect(model(async (rows: Row[]) => rows.map(() => 1), { preprocessColumns: () => [[0]], name: 'fn' })).rejects.toThrow(/^fn: the option 'preprocessColumns' does not apply to a predict function/)
  })
})
