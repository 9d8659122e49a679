import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { classify, dataset, model, tf, tfjsBackend, type Row } from '../src/index.js'
import { fixturesDir, rejection, tempDir } from './helpers.js'

// penguins.onnx and its torch reference are written by fixtures/models/make-onnx.py (torch 1.13, opset 13).
const onnxPath = join(fixturesDir, 'models', 'penguins.onnx')
const twoInputsPath = join(fixturesDir, 'models', 'two-inputs.onnx')
const reference = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as {
  features: string[]
  classes: string[]
  probabilities: number[][]
  n: number
  accuracy: number
}
const features = reference.features

/** The penguins with all four measurements, and a `label` column: the species as 0/1/2 (alphabetical). */
async function penguins() {
  const all = await dataset(join(fixturesDir, 'data', 'penguins.csv'))
  const rows = (await all.rows()).filter((row) => features.every((name) => typeof row[name] === 'number'))
  return dataset(rows.map((row): Row => ({ ...row, label: reference.classes.indexOf(String(row.species)) })))
}

describe('ONNX models (onnxruntime-node)', () => {
  test('equal the torch reference within 1e-5 on the first 10 complete rows', async () => {
    const net = await model(onnxPath, { features })
    const data = await penguins()
    const scores = await net.predictRows(await data.rows(0, 10))
    expect(scores.rows).toBe(10)
    expect(scores.width).toBe(3)
    reference.probabilities.flat().forEach((value, i) => expect(Math.abs(scores.values[i] - value)).toBeLessThanOrEqual(1e-5))
  })

  test('hash is the SHA-256 of the file; runtime is onnx on the CPU', async () => {
    const net = await model(onnxPath, { features })
    expect(net.hash).toBe(
      createHash('sha256')
        .update(await readFile(onnxPath))
        .digest('hex'),
    )
    expect(net.runtime).toEqual({ runtime: 'onnx', backend: 'cpu' })
    expect(net.name).toBe(onnxPath)
  })

  test('the same scores whatever the batch size', async () => {
    const data = await penguins()
    const one = await (await model(onnxPath, { features, batchSize: 1 })).predict(data)
    const many = await (await model(onnxPath, { features, batchSize: 64 })).predict(data)
    expect(one.rows).toBe(reference.n)
    expect(many.rows).toBe(reference.n)
    for (let i = 0; i < one.values.length; i++) expect(Math.abs(one.values[i] - many.values[i])).toBeLessThanOrEqual(1e-6)
  })

  test('accuracy through classify equals the torch reference', async () => {
    const result = await classify(await model(onnxPath, { features }), await penguins(), 'label')
    expect(result.n).toBe(reference.n)
    expect(result.accuracy).toBeCloseTo(reference.accuracy, 6)
  })

  test('preprocess may return a tf.Tensor (disposed), a number[][] or a row-major Float32Array', async () => {
    await tfjsBackend() // tf.tensor2d below: on the wasm backend, as model() would pick for tfjs
    const rows = await (await penguins()).rows(0, 10)
    const matrix = (batch: Row[]) => batch.map((row) => features.map((name) => row[name] as number))
    const tensors = tf.memory().numTensors
    const fromTensor = await (await model(onnxPath, { preprocess: (batch) => tf.tensor2d(matrix(batch)) })).predictRows(rows)
    expect(tf.memory().numTensors).toBe(tensors)
    const fromArrays = await (await model(onnxPath, { preprocess: matrix })).predictRows(rows)
    const fromFloats = await (await model(onnxPath, { preprocess: (batch) => Float32Array.from(matrix(batch).flat()) })).predictRows(rows)
    for (const scores of [fromTensor, fromArrays, fromFloats]) {
      reference.probabilities.flat().forEach((value, i) => expect(Math.abs(scores.values[i] - value)).toBeLessThanOrEqual(1e-5))
    }
  })

  test('passes toMeetAccuracy on the penguins', async () => {
    const net = await model(onnxPath, { features })
    await expect(net).toMeetAccuracy(0.9, { on: await penguins(), label: 'label' })
  })
})

describe('ONNX model errors', () => {
  test('a missing file', async () => {
    const error = await rejection(model('models/not-exported-yet.onnx', { features }))
    expect(error.message).toMatch(/models\/not-exported-yet\.onnx: no ONNX model file here/)
    expect(error.fix).toMatch(/torch\.onnx\.export/)
  })

  test('a file that is not ONNX', async () => {
    const dir = await tempDir({ 'broken.onnx': 'version https://git-lfs.github.com/spec/v1\n' })
    const error = await rejection(model(join(dir, 'broken.onnx'), { features }))
    expect(error.message).toMatch(/broken\.onnx: onnxruntime could not load the file as an ONNX model/)
    expect(error.fix).toMatch(/Export the model again/)
  })

  test('an input of the wrong width names the shape the model takes', async () => {
    const net = await model(onnxPath, { features: features.slice(0, 3) })
    const error = await rejection(net.predictRows(await (await penguins()).rows(0, 2)))
    expect(error.message).toMatch(/the input has shape \[2, 3\]; the model's input 'features' takes \[batch, 4\]/)
    expect(error.fix).toMatch(/Give 4 features columns/)
  })

  test('several inputs without a way to choose, and a chosen input or output that does not exist', async () => {
    const error = await rejection(model(twoInputsPath, { features: ['a', 'b'] }))
    expect(error.message).toMatch(/the model has 2 inputs \('a' and 'b'\); \{ features \} feeds one/)
    expect(error.fix).toMatch(/\{ input: 'a' \}/)
    await expect(model(twoInputsPath, { features: ['a', 'b'], input: 'c' })).rejects.toThrow(/the model has no input 'c'/)
    await expect(model(onnxPath, { features, output: 'logits' })).rejects.toThrow(/the model has no output 'logits'/)
  })

  test('a named output is scored; input and output are refused for tfjs models', async () => {
    const net = await model(onnxPath, { features, output: 'probabilities' })
    expect((await net.predictRows(await (await penguins()).rows(0, 1))).width).toBe(3)
    await expect(model(join(fixturesDir, 'models', 'graph-linear'), { features, output: 'x' })).rejects.toThrow(/apply to ONNX models only/)
  })

  test('no preprocess and no features, or both', async () => {
    const bare = await model(onnxPath)
    await expect(bare.predictRows([{ bill_length_mm: 1 }])).rejects.toThrow(/no way to turn rows into its input/)
    await expect(model(onnxPath, { features, preprocess: () => [[0]] })).rejects.toThrow(/both \{ preprocess \} and \{ features \}/)
  })
})
