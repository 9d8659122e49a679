import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { Model, dataset, model, type Row } from '../src/index.js'
import { bagOfWords, readVocabulary } from '../examples/sentiment/features.js'
import { exampleDir, lastRecord, tempDir } from './helpers.js'

// Matchers are registered by src/cli/setup.ts.

const holdout = await dataset(join(exampleDir, 'data', 'holdout.csv'))
const candidate = await model(join(exampleDir, 'models', 'candidate', 'model.json'), { preprocess: bagOfWords(await readVocabulary(join(exampleDir, 'models', 'candidate', 'vocab.json'))) })
const rows = holdout.head(8)
/** Gives NaN for the third row: a broken model. */
const nanModel = await model(async (input: Row[]) => input.map((_, i) => (i === 2 ? [NaN, 1] : [0.5, 0.5])), { name: 'nan-model' })
/** Different scores on every call. */
let calls = 0
const noisy = await model(async (input: Row[]) => input.map(() => [0.5 + ++calls * 1e-3, 0.5]), { name: 'noisy' })
/** Positive when the text contains an exclamation mark: not invariant to punctuation. */
const exclamation = await model(async (input: Row[]) => input.map((row) => (String(row.text).includes('!') ? [0, 1] : [1, 0])), { name: 'exclamation' })

describe('toProduceFiniteOutputs', () => {
  test('passes on the example model', () => expect(candidate).toProduceFiniteOutputs(rows))
  test('fails naming the first bad row', () => expect(expect(nanModel).toProduceFiniteOutputs(rows)).rejects.toThrow(/no_nan_outputs: 1 of 16 outputs are NaN or Inf, the first at row 2/))
  test('.not', () => expect(nanModel).not.toProduceFiniteOutputs(rows))
})

describe('toHaveOutputShape', () => {
  test('passes with a free batch size, in the tutorial’s words', async ({ task }) => {
    await expect(candidate).toHaveOutputShape([null, 2], { input: rows })
    expect(lastRecord(task).message).toBe('Output shape [8, 2] matches expected [*, 2]')
    await expect(candidate).toHaveOutputShape([8, 2], { input: rows })
  })
  test('fails on another width', () => expect(expect(candidate).toHaveOutputShape([null, 3], { input: rows })).rejects.toThrow(/Output shape \[8, 2\] does not match expected \[\*, 3\]/))
  test('.not, and a malformed shape', async () => {
    await expect(candidate).not.toHaveOutputShape([null, 3], { input: rows })
    await expect(expect(candidate).toHaveOutputShape([2] as never, { input: rows })).rejects.toThrow(/takes \[rows, width\]/)
  })
})

describe('toBeInvariantTo', () => {
  const shout = (row: Row) => ({ ...row, text: `${String(row.text)}!` })
  test('passes when perturbed rows keep their class, within the flip rate', async ({ task }) => {
    await expect(candidate).toBeInvariantTo((row) => ({ ...row, text: String(row.text).toUpperCase() }), { on: holdout, maxFlipRate: 0.02 })
    expect(lastRecord(task)).toMatchObject({ name: 'invariance', passed: true, n: 597 })
  })
  test('fails with the flip count and examples', () => expect(expect(exclamation).toBeInvariantTo(shout, { on: rows })).rejects.toThrow(/invariance: Predictions flip on \d of 8 rows \(\d+\.\d\d%\) > max 0\.00%, e\.g\. row \d/))
  test('.not', () => expect(exclamation).not.toBeInvariantTo(shout, { on: rows }))
})

describe('toBeDeterministic', () => {
  test('passes when two predictions are identical', () => expect(candidate).toBeDeterministic(rows))
  test('fails with the largest difference, or passes within a tolerance', async () => {
    await expect(expect(noisy).toBeDeterministic(rows)).rejects.toThrow(/deterministic: Two predictions of 8 rows differ by up to 8\.00e-3 > tolerance 0/)
    await expect(noisy).toBeDeterministic(rows, { tolerance: 0.01 })
  })
  test('.not', () => expect(noisy).not.toBeDeterministic(rows))
})

describe('toHaveThroughputAbove and the latency batch size', () => {
  test('measures rows per second in batches, repeating input rows to fill the batch', async ({ task }) => {
    await expect(candidate).toHaveThroughputAbove(100, { input: holdout.head(10), batchSize: 64, runs: 5, warmup: 1 })
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'throughput', unit: 'rows/s', passed: true, details: { batch: 64 } })
    expect(record.message).toMatch(/^Throughput \d+ rows\/s ≥ 100 rows\/s \(batch 64, mean \d+\.\d\d ms a call over 5 calls\)$/)
    await expect(candidate).toHaveP95LatencyBelow(1000, { input: holdout.head(1), batchSize: 16, runs: 5, warmup: 1 })
    expect(lastRecord(task).details).toMatchObject({ batch: 16 })
  })
  test('fails below the rate, and .not', async () => {
    await expect(expect(candidate).toHaveThroughputAbove(1e9, { input: rows, runs: 3, warmup: 0 })).rejects.toThrow(/throughput: Throughput \d+ rows\/s < 1000000000 rows\/s/)
    await expect(candidate).not.toHaveThroughputAbove(1e9, { input: rows, runs: 3, warmup: 0 })
    await expect(expect(candidate).toHaveThroughputAbove(100, { input: rows, batchSize: 0 })).rejects.toThrow(/batchSize 0 is not a whole number ≥ 1/)
  })
})

/** Keeps 32 MiB more on every call: a model that leaks. */
const hoard: Uint8Array[] = []
const greedy = await model(
  async (input: Row[]) => {
    hoard.push(new Uint8Array(32 * 1024 * 1024).fill(1))
    return input.map(() => [0.5, 0.5])
  },
  { name: 'greedy' },
)

describe('toUseMemoryBelow', () => {
  test('records peak RSS growth, heap growth, tfjs memory, and GPU memory or why it was skipped', async ({ task }) => {
    await expect(candidate).toUseMemoryBelow(500, { input: holdout })
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'memory_usage', unit: 'MiB', passed: true, n: 597 })
    // On the CPU the GPU part says so, as the tutorial's CPU mode does.
    expect(record.message).toMatch(/^Peak RSS growth \d+\.\d MiB ≤ 500 MiB while predicting 597 rows \(heap [+-]\d+\.\d MiB; tfjs \d+\.\d MiB in \d+ tensors; GPU memory test skipped \(no GPU: the model runs on (wasm|cpu|tensorflow)\)\)$/)
    expect(record.details).toMatchObject({ measured: 'rss', gpu: { skipped: 'no GPU' } })
  })

  describe('a model on the GPU', () => {
    const onGpu = new Model({
      name: 'gpu-model',
      hash: 'a'.repeat(64),
      runtime: { runtime: 'function', backend: 'webgpu', gpu: true },
      runBatch: async (batch: Row[]) => ({ rows: batch.length, width: 2, values: new Float32Array(batch.length * 2).fill(0.5) }),
    })
    let path = process.env.PATH
    afterEach(() => void (process.env.PATH = path))

    test('is gated on the peak of its GPU memory, sampled from nvidia-smi for this process', async ({ task }) => {
      // A stand-in nvidia-smi: this process (its parent) holds 100 MiB more at every reading; another process holds a lot.
      const bin = await tempDir()
      await writeFile(join(bin, 'nvidia-smi'), '#!/bin/sh\nn=$(cat "$(dirname "$0")/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$(dirname "$0")/count"\necho "$PPID, $((n * 100))"\necho "1, 99999"\n', { mode: 0o755 })
      path = process.env.PATH
      process.env.PATH = `${bin}:${path}`
      await expect(onGpu).toUseMemoryBelow(10_000, { input: rows, runs: 2 })
      const readings = Number(await readFile(join(bin, 'count'), 'utf8'))
      const record = lastRecord(task)
      expect(readings).toBeGreaterThanOrEqual(2)
      expect(record).toMatchObject({ passed: true, actual: readings * 100, details: { measured: 'gpu', gpu: { usedMiB: readings * 100 } } })
      expect(record.message).toMatch(new RegExp(`^GPU memory peak ${readings * 100} MiB ≤ 10000 MiB while predicting \\d+ rows \\(nvidia-smi, this process; RSS growth`))
      await expect(expect(onGpu).toUseMemoryBelow(50, { input: rows, runs: 1 })).rejects.toThrow(/memory_usage: GPU memory peak \d+ MiB > 50 MiB/)
    })

    test('without nvidia-smi it falls back to RSS and says why', async ({ task }) => {
      process.env.PATH = '/nonexistent'
      await expect(onGpu).toUseMemoryBelow(500, { input: rows, runs: 1 })
      expect(lastRecord(task).message).toMatch(/GPU memory test skipped \(no GPU \(nvidia-smi not found\)\)\)$/)
    })
  })
  test('fails for a model that grows the process past the limit, and .not', async () => {
    await expect(expect(greedy).toUseMemoryBelow(16, { input: rows, runs: 2 })).rejects.toThrow(/memory_usage: Peak RSS growth \d+\.\d MiB > 16 MiB/)
    await expect(greedy).not.toUseMemoryBelow(16, { input: rows, runs: 2 })
    hoard.length = 0
  })
})
