import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, model, tf } from '../src/index.js'

// A real pretrained model whose weights ship inside an npm package: the facial-expression classifier
// of @vladmandic/human (a tfjs graph model converted from oarriaga/face_classification, MIT), loaded
// from node_modules with no network. Inputs are 64×64 grayscale images; these are synthetic patterns
// (flat levels and gradients), enough to exercise loading, batching and the behaviour matchers.
// The package's exports hide package.json; its main entry lies in dist/, beside models/.
const modelsDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human')), '..', 'models')
const emotion = await model(join(modelsDir, 'emotion.json'), {
  batchSize: 4,
  preprocess: (rows) => tf.tidy(() => tf.stack(rows.map((row) => (row.kind === 'flat' ? tf.fill([64, 64, 1], Number(row.level)) : tf.linspace(0, Number(row.level), 64 * 64).reshape([64, 64, 1]))))),
})
const images = await dataset(
  [0, 0.25, 0.5, 0.75, 1].flatMap((level) => [
    { kind: 'flat', level },
    { kind: 'gradient', level },
  ]),
  { name: 'synthetic 64×64 images' },
)

describe('a pretrained tfjs graph model from an npm package', () => {
  test('loads from its files, hashed like any model, on the chosen backend', async () => {
    expect(emotion.runtime).toMatchObject({ runtime: 'tfjs-graph', backend: 'wasm' })
    const expected = createHash('sha256')
      .update(await readFile(join(modelsDir, 'emotion.json')))
      .update(await readFile(join(modelsDir, 'emotion.bin')))
      .digest('hex')
    expect(emotion.hash).toBe(expected)
  })

  test('gives one probability per expression, summing to 1, in batches', async () => {
    const scores = await emotion.predict(images)
    expect([scores.rows, scores.width]).toEqual([10, 7])
    for (let i = 0; i < scores.rows; i++) {
      const sum = Array.from(scores.values.subarray(i * 7, i * 7 + 7)).reduce((total, value) => total + value, 0)
      expect(sum).toBeCloseTo(1, 5)
    }
  })

  test('passes the behaviour matchers', async () => {
    await expect(emotion).toHaveOutputShape([null, 7], { input: images })
    await expect(emotion).toProduceFiniteOutputs(images)
    await expect(emotion).toBeDeterministic(images)
    await expect(emotion).toHaveP95LatencyBelow(1000, { input: images.head(1), runs: 10, warmup: 2 })
  })
})
