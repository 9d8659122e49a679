import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dataset, model, mulberry32, type Row } from '../src/index.js'
import { fixturesDir, tempDir } from './helpers.js'

// penguins.onnx takes 4 float features and scores 3 classes; any four numbers will do here.
const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
const features = ['a', 'b', 'c', 'd']

function csv(n: number, seed: number): string {
  const random = mulberry32(seed)
  const lines = ['a,b,c,d,label']
  for (let i = 0; i < n; i++) lines.push(`${(30 + 20 * random()).toFixed(2)},${(15 + 5 * random()).toFixed(2)},${(170 + 60 * random()).toFixed(1)},${Math.round(3000 + 3000 * random())},${i % 3}`)
  return lines.join('\n') + '\n'
}

async function cacheFiles(dir: string): Promise<number> {
  let count = 0
  for (const sub of await readdir(dir).catch(() => [])) count += (await readdir(join(dir, sub))).length
  return count
}

/** A preprocess that counts the rows it builds: none on a re-run that skips the work. */
function countingPreprocess() {
  const counter = { rows: 0, preprocess: (rows: Row[]) => ((counter.rows += rows.length), rows.map((row) => features.map((name) => row[name] as number))) }
  return counter
}

let dir = ''
let cache = ''
beforeEach(async () => {
  dir = await tempDir({ 'data.csv': csv(1000, 1) })
  cache = await tempDir()
  process.env.MODELTEST_CACHE_DIR = cache
})
afterEach(() => {
  delete process.env.MODELTEST_CACHE_DIR
  delete process.env.MODELTEST_CACHE
})

describe('a warm cache keyed on what fixes the input', () => {
  test('features from a file: a re-run finds every batch by the content hash, with the same scores', async () => {
    const data = await dataset(join(dir, 'data.csv'))
    const first = await model(onnxPath, { features, batchSize: 300 })
    const fresh = await first.predict(data)
    expect(first.lastPrediction).toEqual({ batches: 4, cached: 0 })
    expect(await cacheFiles(cache)).toBe(4)
    const second = await model(onnxPath, { features, batchSize: 300 })
    expect(await second.predict(data)).toEqual(fresh)
    expect(second.lastPrediction).toEqual({ batches: 4, cached: 4 })
  })

  test('a preprocess with a declared preprocessKey does not run again; another key, or none, builds the input', async () => {
    const data = await dataset(join(dir, 'data.csv'))
    const cold = countingPreprocess()
    const fresh = await (await model(onnxPath, { preprocess: cold.preprocess, preprocessKey: 'v1' })).predict(data)
    expect(cold.rows).toBe(1000)
    const warm = countingPreprocess()
    const again = await model(onnxPath, { preprocess: warm.preprocess, preprocessKey: 'v1' })
    expect(await again.predict(data)).toEqual(fresh)
    expect(warm.rows).toBe(0)
    expect(again.lastPrediction).toEqual({ batches: 4, cached: 4 })
    const bumped = countingPreprocess()
    const other = await model(onnxPath, { preprocess: bumped.preprocess, preprocessKey: 'v2' })
    await other.predict(data)
    expect(bumped.rows).toBe(1000)
    expect(other.lastPrediction).toEqual({ batches: 4, cached: 0 })
    const undeclared = countingPreprocess()
    const keyless = await model(onnxPath, { preprocess: undeclared.preprocess })
    await keyless.predict(data)
    expect(undeclared.rows).toBe(1000)
  })

  test('misses when the file changes, and a head() of it has entries of its own', async () => {
    const path = join(dir, 'data.csv')
    await (await model(onnxPath, { features })).predict(await dataset(path))
    await writeFile(path, csv(1000, 2))
    const changed = await model(onnxPath, { features })
    await changed.predict(await dataset(path))
    expect(changed.lastPrediction).toEqual({ batches: 4, cached: 0 })
    const head = await model(onnxPath, { features })
    await head.predict((await dataset(path)).head(100))
    expect(head.lastPrediction).toEqual({ batches: 1, cached: 0 })
  })

  test('misses when the file is read with other options', async () => {
    const path = join(dir, 'data.csv')
    await (await model(onnxPath, { features })).predict(await dataset(path))
    const otherNulls = await model(onnxPath, { features })
    await otherNulls.predict(await dataset(path, { nullValues: ['', '1'] }))
    expect(otherNulls.lastPrediction).toEqual({ batches: 4, cached: 0 })
  })

  test('misses when a batch entry is missing, and predicts only that batch', async () => {
    const data = await dataset(join(dir, 'data.csv'))
    const fresh = await (await model(onnxPath, { features, batchSize: 500 })).predict(data)
    const [sub] = await readdir(cache)
    await rm(join(cache, sub, (await readdir(join(cache, sub)))[0]))
    const repaired = await model(onnxPath, { features, batchSize: 500 })
    expect(await repaired.predict(data)).toEqual(fresh)
    expect(repaired.lastPrediction).toEqual({ batches: 2, cached: 1 })
  })

  test('MODELTEST_CACHE=off neither reads nor writes', async () => {
    process.env.MODELTEST_CACHE = 'off'
    const data = await dataset(join(dir, 'data.csv'))
    const net = await model(onnxPath, { features })
    await net.predict(data)
    await net.predict(await dataset(join(dir, 'data.csv')))
    expect(await cacheFiles(cache)).toBe(0)
  })
})
