import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dataset, model } from '../src/index.js'
import { readCached, writeCached } from '../src/models/cache.js'
import { bagOfWords, readVocabulary } from '../examples/sentiment/features.js'
import { exampleDir, tempDir } from './helpers.js'

const holdout = await dataset(join(exampleDir, 'data', 'holdout.csv'))
const candidateDir = join(exampleDir, 'models', 'candidate')
const vocabulary = await readVocabulary(join(candidateDir, 'vocab.json'))
const load = (words = vocabulary) => model(join(candidateDir, 'model.json'), { preprocess: bagOfWords(words), batchSize: 200 })

async function cacheFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const sub of await readdir(dir).catch(() => [])) for (const file of await readdir(join(dir, sub))) files.push(join(dir, sub, file))
  return files
}

let dir = ''
beforeEach(async () => {
  dir = await tempDir()
  process.env.MODELTEST_CACHE_DIR = dir
})
afterEach(() => {
  delete process.env.MODELTEST_CACHE_DIR
  delete process.env.MODELTEST_CACHE
})

describe('the prediction cache on disk', () => {
  test('two batches with the same input, written at once, both land and leave one whole entry', async () => {
    const scores = { rows: 2, width: 2, values: new Float64Array([0.1, 0.9, 0.8, 0.2]) }
    await Promise.all([writeCached('ab'.repeat(32), scores), writeCached('ab'.repeat(32), scores)])
    expect(await readCached('ab'.repeat(32))).toEqual(scores)
    expect((await cacheFiles(dir)).map((file) => file.slice(dir.length + 1))).toEqual([join('ab', 'ab'.repeat(32))])
  })

  test('a re-run reads every batch from disk and does no inference, with the same scores', async () => {
    const first = await load()
    const fresh = await first.predict(holdout)
    expect(first.lastPrediction).toEqual({ batches: 3, cached: 0 })
    expect(await cacheFiles(dir)).toHaveLength(3)
    const second = await load()
    const again = await second.predict(holdout)
    expect(second.lastPrediction).toEqual({ batches: 3, cached: 3 })
    expect(again).toEqual(fresh)
  })

  test('misses when the preprocessing changes the input, though the model files are the same', async () => {
    await (await load()).predict(holdout)
    const other = await load([...vocabulary.slice(1), vocabulary[0]])
    await other.predict(holdout)
    expect(other.lastPrediction).toEqual({ batches: 3, cached: 0 })
  })

  test('ignores and rewrites a corrupt entry', async () => {
    const fresh = await (await load()).predict(holdout)
    const [victim] = await cacheFiles(dir)
    await writeFile(victim, 'not a cache entry')
    const repaired = await load()
    expect(await repaired.predict(holdout)).toEqual(fresh)
    expect(repaired.lastPrediction).toEqual({ batches: 3, cached: 2 })
    expect((await readFile(victim)).length).toBeGreaterThan(12)
    const after = await load()
    await after.predict(holdout)
    expect(after.lastPrediction).toEqual({ batches: 3, cached: 3 })
  })

  test('MODELTEST_CACHE=off (modeltest --no-cache) neither reads nor writes', async () => {
    process.env.MODELTEST_CACHE = 'off'
    const net = await load()
    await net.predict(holdout)
    expect(net.lastPrediction).toEqual({ batches: 3, cached: 0 })
    expect(await cacheFiles(dir)).toHaveLength(0)
  })
})
