import { copyFile, readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { classify, dataset, fileSaver, model, tf, tfjsBackend, type Row } from '../src/index.js'
import { bagOfWords, readVocabulary } from '../examples/sentiment/features.js'
import { exampleDir, fixturesDir, rejection, tempDir } from './helpers.js'

const candidateDir = join(exampleDir, 'models', 'candidate')
const graphDir = join(fixturesDir, 'models', 'graph-linear')
const holdoutPath = join(exampleDir, 'data', 'holdout.csv')

async function candidate(options: { batchSize?: number } = {}) {
  return model(join(candidateDir, 'model.json'), { preprocess: bagOfWords(await readVocabulary(join(candidateDir, 'vocab.json'))), ...options })
}

describe('tfjs layers models', () => {
  test('loads from model.json or its directory, with a hash of model.json and the weights', async () => {
    const fromFile = await candidate()
    const fromDir = await model(candidateDir, { features: ['x'] })
    const expected = createHash('sha256')
      .update(await readFile(join(candidateDir, 'model.json')))
      .update(await readFile(join(candidateDir, 'weights.bin')))
      .digest('hex')
    expect(fromFile.hash).toBe(expected)
    expect(fromDir.hash).toBe(expected)
    expect(fromFile.runtime).toMatchObject({ runtime: 'tfjs-layers', backend: 'wasm' })
  })

  test('predicts a whole dataset in batches, the same scores whatever the batch size', async () => {
    const holdout = await dataset(holdoutPath)
    const small = await (await candidate({ batchSize: 7 })).predict(holdout)
    const large = await (await candidate({ batchSize: 597 })).predict(holdout)
    expect(small.rows).toBe(597)
    expect(small.width).toBe(2)
    for (let i = 0; i < small.values.length; i++) expect(small.values[i]).toBeCloseTo(large.values[i], 5)
  })

  test('reaches the example accuracy on the holdout', async () => {
    const result = await classify(await candidate(), await dataset(holdoutPath), 'label')
    expect(result.n).toBe(597)
    expect(result.accuracy).toBeGreaterThan(0.8)
  })

  test('disposes its tensors: tf.memory() does not grow across predictions', async () => {
    const net = await candidate({ batchSize: 64 })
    const holdout = await dataset(holdoutPath)
    await net.predictRows(await holdout.rows(0, 10))
    const before = tf.memory().numTensors
    const rows = await holdout.rows(0, 100)
    for (let i = 0; i < 5; i++) await net.predictRows(rows)
    await (await candidate({ batchSize: 64 })).predict(holdout)
    expect(tf.memory().numTensors).toBe(before)
  })

  test('is loaded once per process: a second model() of the same files adds no weight tensors', async () => {
    await candidate()
    const before = tf.memory().numTensors
    await candidate()
    await candidate()
    expect(tf.memory().numTensors).toBe(before)
  })

  test('runs on the best backend that runs here and says which; missing native backends are skipped quietly', async () => {
    const backend = await tfjsBackend()
    expect(tf.getBackend()).toBe(backend.backend)
    // tfjs-node(-gpu) are not installed: passed over without a word. webgpu is (a dev dependency): on a machine
    // without a GPU it is noted with the reason, and wasm runs.
    if (backend.id !== 'webgpu') {
      expect(backend).toMatchObject({ id: 'wasm', backend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', gpu: false, forced: false })
      expect(backend.skipped).toEqual([
        expect.stringMatching(/^webgpu: (the Vulkan loader \(libvulkan\.so\.1\) is not installed|Vulkan found no GPU adapter|no GPU device on this machine \(\/dev\/nvidia\*, \/dev\/dri\/renderD\*, \/dev\/dxg\))$/),
      ])
    }
  })
})

describe('tfjs graph models', () => {
  test('computes softmax(x·W + b) of the hand-written fixture', async () => {
    const net = await model(graphDir, { features: ['a', 'b', 'c'] })
    expect(net.runtime.runtime).toBe('tfjs-graph')
    const scores = await net.predict(
      await dataset([
        { a: 1, b: 2, c: 3 },
        { a: 0, b: 0, c: 0 },
      ]),
    )
    // logits [1 + 1 − 6 + 0.1, −1 + 0.5 + 6 − 0.1] = [−3.9, 5.4]; [0.1, −0.1]
    const softmax = (a: number, b: number) => [1 / (1 + Math.exp(b - a)), 1 / (1 + Math.exp(a - b))]
    const expected = [...softmax(-3.9, 5.4), ...softmax(0.1, -0.1)]
    expected.forEach((value, i) => expect(scores.values[i]).toBeCloseTo(value, 6))
  })
})

describe('function models', () => {
  test('wrap any async function from rows to scores', async () => {
    const seen: number[] = []
    const keyword = await model(
      async (rows: Row[]) => {
        seen.push(rows.length)
        return rows.map((row) => (String(row.text).includes('good') ? [0.1, 0.9] : [0.8, 0.2]))
      },
      { name: 'keyword', batchSize: 2 },
    )
    const data = await dataset([
      { text: 'good', label: 1 },
      { text: 'bad', label: 0 },
      { text: 'good stuff', label: 0 },
    ])
    const result = await classify(keyword, data, 'label')
    expect(result.accuracy).toBeCloseTo(2 / 3, 12)
    expect(seen).toEqual([2, 1])
    expect(keyword.runtime).toEqual({ runtime: 'function' })
  })

  test('a function that returns the wrong number of results is an error', async () => {
    const broken = await model(async () => [[1, 0]], { name: 'broken' })
    await expect(broken.predict(await dataset([{ x: 1 }, { x: 2 }]))).rejects.toThrow(/returned 1 results for a batch of 2 rows/)
  })
})

describe('model errors', () => {
  test('a missing model path', async () => {
    const error = await rejection(model('models/not-trained-yet/model.json'))
    expect(error.message).toMatch(/models\/not-trained-yet\/model\.json: no model file here/)
  })

  test('a directory without model.json, and model.json that is not JSON', async () => {
    const empty = await tempDir()
    expect((await rejection(model(empty))).message).toMatch(/the directory has no model.json/)
    const bad = await tempDir({ 'model.json': '{"modelTopology": ' })
    expect((await rejection(model(bad))).message).toMatch(/model.json is not valid JSON/)
  })

  test('a weight file that model.json names but is missing', async () => {
    const dir = await tempDir()
    await copyFile(join(candidateDir, 'model.json'), join(dir, 'model.json'))
    expect((await rejection(model(dir))).message).toMatch(/the weight file 'weights.bin' that model.json names is missing/)
  })

  test('an input of the wrong shape names the shape and points at preprocess', async () => {
    const wrong = await model(candidateDir, { preprocess: (rows) => tf.zeros([rows.length, 10]) })
    const error = await rejection(wrong.predict(await dataset([{ text: 'hello' }])))
    expect(error.message).toMatch(/the model failed on an input of shape \[1, 10\]/)
    expect(error.fix).toMatch(/preprocess/)
  })

  test('no preprocess and no features, or both', async () => {
    const bare = await model(candidateDir)
    expect((await rejection(bare.predict(await dataset([{ text: 'hi' }])))).message).toMatch(/no way to turn rows into its input/)
    await expect(model(candidateDir, { features: ['x'], preprocess: () => [[0]] })).rejects.toThrow(/both \{ preprocess \} and \{ features \}/)
  })

  test('a label that is not a class index names the row', async () => {
    const net = await model(graphDir, { features: ['a', 'b', 'c'] })
    await expect(
      classify(
        net,
        await dataset([
          { a: 1, b: 1, c: 1, y: 0 },
          { a: 1, b: 1, c: 1, y: null },
        ]),
        'y',
      ),
    ).rejects.toThrow(/label is null at row 1/)
    await expect(classify(net, await dataset([{ a: 1, b: 1, c: 1, y: 5 }]), 'y')).rejects.toThrow(/label 5 at row 0 is not one of the 2 classes/)
  })

  test('a feature column holding text', async () => {
    const net = await model(graphDir, { features: ['a', 'b', 'c'] })
    await expect(net.predict(await dataset([{ a: 1, b: 'x', c: 1 }]))).rejects.toThrow(/feature column 'b' holds 'x', not a number/)
  })

  test('writes and reads back a model with fileSaver', async () => {
    const dir = await tempDir()
    const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] })
    await net.save(fileSaver(dir))
    const loaded = await model(dir, { features: ['a', 'b'] })
    const rows = await dataset([{ a: 0.5, b: -1 }])
    const expected = tf.tidy(() => (net.predict(tf.tensor2d([[0.5, -1]])) as tf.Tensor).dataSync())
    const scores = await loaded.predict(rows)
    expect([...scores.values].map((v) => v.toFixed(6))).toEqual([...expected].map((v) => v.toFixed(6)))
    net.dispose()
  })
})
