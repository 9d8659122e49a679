import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { classify, dataset, metricCheck, model, precisionRecallF1, rocAuc, logLoss, r2Score, type Row } from '../src/index.js'
import { bagOfWords, readVocabulary } from '../examples/sentiment/features.js'
import { exampleDir, fixturesDir, lastRecord } from './helpers.js'

// Matchers are registered by src/cli/setup.ts. The metric functions are checked against scikit-learn
// in classification-metrics.test.ts; here toMeetMetric must report exactly what they compute.

const holdout = await dataset(join(exampleDir, 'data', 'holdout.csv'))
const candidate = await model(join(exampleDir, 'models', 'candidate', 'model.json'), { preprocess: bagOfWords(await readVocabulary(join(exampleDir, 'models', 'candidate', 'vocab.json'))) })
const penguins = await dataset(
  (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()).filter((row) => row.body_mass_g !== null),
  { name: 'penguins with a mass' },
)
/** Body mass from flipper length, a least-squares line: a real regression model in one line. */
const flipperLine = await model(async (rows: Row[]) => rows.map((row) => 49.7 * Number(row.flipper_length_mm) - 5781), { name: 'flipper-line' })

describe('toMeetMetric', () => {
  test('reports the value the metric function computes, with n and a bootstrap interval', async ({ task }) => {
    const { labels, predicted, scores } = await classify(candidate, holdout, 'label')
    const positive = Float64Array.from({ length: scores.rows }, (_, i) => scores.values[i * 2 + 1])
    await expect(candidate).toMeetMetric('f1', 0.8, { on: holdout, label: 'label' })
    const f1 = lastRecord(task)
    expect(f1.actual).toBe(precisionRecallF1(labels, predicted, { average: 'binary' }).f1)
    expect(f1).toMatchObject({ name: 'metric_f1', passed: true, comparator: '>=', n: 597, interval: { method: 'bootstrap', confidence: 0.95 } })
    expect(f1.interval!.low).toBeLessThan(f1.actual)
    expect(f1.interval!.high).toBeGreaterThan(f1.actual)
    expect(f1.message).toMatch(/^F1 \(binary\) 0\.\d{4} ≥ 0\.80 \(95% CI 0\.\d{4}–0\.\d{4} bootstrap, n=597\)$/)
    await expect(candidate).toMeetMetric('roc_auc', 0.85, { on: holdout, label: 'label' })
    expect(lastRecord(task).actual).toBe(rocAuc(labels, positive))
    await expect(candidate).toMeetMetric('log_loss', 1, { on: holdout, label: 'label' })
    expect(lastRecord(task)).toMatchObject({ comparator: '<=', actual: logLoss(labels, scores) })
  })

  test('fails with the value, the threshold and the interval', async () => {
    await expect(expect(candidate).toMeetMetric('precision', 0.9, { on: holdout, label: 'label' })).rejects.toThrow(/metric_precision: Precision \(binary\) 0\.\d{4} < 0\.90 \(95% CI/)
    await expect(expect(candidate).toMeetMetric('log_loss', 0.5, { on: holdout, label: 'label' })).rejects.toThrow(/metric_log_loss: Log loss 0\.\d{4} > 0\.50/)
  })

  test('.not', async () => {
    await expect(candidate).not.toMeetMetric('precision', 0.9, { on: holdout, label: 'label' })
    await expect(expect(candidate).not.toMeetMetric('roc_auc', 0.5, { on: holdout, label: 'label' })).rejects.toThrow(/metric_roc_auc/)
  })

  test('with { confidence }, gates on the bound, and the same seed gives the same interval', async ({ task }) => {
    await expect(candidate).toMeetMetric('precision', 0.7, { on: holdout, label: 'label', confidence: 0.95, seed: 3 })
    const first = lastRecord(task)
    expect(first).toMatchObject({ passed: true, gateOnInterval: true })
    await expect(candidate).toMeetMetric('precision', 0.7, { on: holdout, label: 'label', confidence: 0.95, seed: 3 })
    expect(lastRecord(task).interval).toEqual(first.interval)
    const between = (first.interval!.low + first.actual) / 2
    await expect(expect(candidate).toMeetMetric('precision', between, { on: holdout, label: 'label', confidence: 0.95, seed: 3 })).rejects.toThrow(/metric_precision/)
  })

  test('regression metrics on a regression model', async ({ task }) => {
    await expect(flipperLine).toMeetMetric('r2', 0.7, { on: penguins, label: 'body_mass_g' })
    const masses = (await penguins.column('body_mass_g')) as number[]
    // A predict function's scores keep float64 (tfjs and ONNX outputs are float32).
    const fitted = (await penguins.column('flipper_length_mm')).map((flipper) => 49.7 * Number(flipper) - 5781)
    expect(lastRecord(task).actual).toBe(r2Score(masses, fitted))
    await expect(flipperLine).toMeetMetric('mae', 350, { on: penguins, label: 'body_mass_g' })
    await expect(expect(flipperLine).toMeetMetric('rmse', 300, { on: penguins, label: 'body_mass_g' })).rejects.toThrow(/RMSE \d+\.\d{4} > 300/)
  })

  test('refuses an unknown metric, a regression metric on class scores, and a missing dataset', async () => {
    await expect(expect(candidate).toMeetMetric('auc', 0.8, { on: holdout, label: 'label' })).rejects.toThrow(/unknown metric 'auc'[\s\S]*Use one of accuracy, balanced_accuracy/)
    await expect(expect(candidate).toMeetMetric('mae', 0.8, { on: holdout, label: 'label' })).rejects.toThrow(/needs one predicted value per row; the model gives 2/)
    await expect(metricCheck(candidate, 'f1', 0.8, {} as never)).rejects.toThrow(/needs \{ on: dataset, label: column \}/)
  })
})
