import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { averagePrecision, brierScore, dataset, expectedCalibrationError, metricCheck, model, precisionRecallF1, rocAuc, wilsonInterval, type Label, type Row } from '../src/index.js'
import { lastRecord, repoRoot } from './helpers.js'

// Computed by scikit-learn 1.2 with pos_label: test/golden/make_statistics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'statistics.json'), 'utf8'))

interface Case {
  name: string
  positive: Label
  roc_auc: number
  average_precision: number
  brier: number
  ece: number
  precision: number
  recall: number
  f1: number
}
interface ModelCase {
  name: string
  labels: number[]
  scores: number[][]
  cases: Case[]
}
interface LabelCase {
  name: string
  labels: Label[]
  predicted: Label[]
  second_class_scores: number[]
  cases: Case[]
}

const byName = (name: string) => golden.positive.find((entry: { name: string }) => entry.name === name)
const modelCases = ['perfect', 'noisy', 'one-column'].map(byName) as ModelCase[]
const labelCases = ['strings', 'plus-minus-one'].map(byName) as LabelCase[]
const SCORE_METRICS = ['roc_auc', 'average_precision', 'brier', 'ece', 'precision', 'recall', 'f1'] as const

describe('toMeetMetric({ positive }) re-codes the labels as scikit-learn pos_label does', () => {
  test.each(modelCases.flatMap((entry) => entry.cases.map((expected) => ({ entry, expected, label: `${entry.name}, positive ${expected.positive}` }))))('$label', async ({ entry, expected }) => {
    const scored = await model(async (batch: Row[]) => batch.map((row) => entry.scores[row.row as number]), { name: `${entry.name}-model` })
    const on = await dataset(
      entry.labels.map((label, i) => ({ label, row: i })),
      { name: entry.name },
    )
    for (const metric of SCORE_METRICS) {
      const record = await metricCheck(scored, metric, 0, { on, label: 'label', positive: expected.positive as number })
      expect(record.actual, metric).toBeCloseTo(expected[metric], 12)
    }
  })

  test('a perfect two-column model scores ROC AUC 1 and AP 1 with either class positive', async ({ task }) => {
    const perfect = modelCases[0]
    const scored = await model(async (batch: Row[]) => batch.map((row) => perfect.scores[row.row as number]), { name: 'perfect' })
    const on = await dataset(perfect.labels.map((label, i) => ({ label, row: i })))
    await expect(scored).toMeetMetric('roc_auc', 0.99, { on, label: 'label', positive: 0 })
    expect(lastRecord(task)).toMatchObject({ actual: 1, passed: true, details: { positive: 0 } })
    await expect(scored).toMeetMetric('average_precision', 0.99, { on, label: 'label', positive: 0 })
    expect(lastRecord(task).actual).toBeCloseTo(1, 14)
  })

  test("binary precision and recall get the Wilson interval of the positive class's proportion", async () => {
    const noisy = modelCases[1]
    const scored = await model(async (batch: Row[]) => batch.map((row) => noisy.scores[row.row as number]), { name: 'noisy' })
    const on = await dataset(noisy.labels.map((label, i) => ({ label, row: i })))
    const predicted = noisy.scores.map(([p0, p1]) => (p1 > p0 ? 1 : 0))
    const count = (keep: (label: number, guess: number) => boolean) => noisy.labels.filter((label, i) => keep(label, predicted[i])).length
    const truePositives0 = count((label, guess) => label === 0 && guess === 0)
    const precision = await metricCheck(scored, 'precision', 0, { on, label: 'label', positive: 0 })
    expect(precision.interval).toEqual(
      wilsonInterval(
        truePositives0,
        count((_, guess) => guess === 0),
      ),
    )
    const recall = await metricCheck(scored, 'recall', 0, { on, label: 'label', positive: 0 })
    expect(recall.interval).toEqual(
      wilsonInterval(
        truePositives0,
        count((label) => label === 0),
      ),
    )
  })

  test('a positive class the model does not score is refused', async () => {
    const scored = await model(async (batch: Row[]) => batch.map(() => [0.4, 0.6]), { name: 'two-class' })
    const on = await dataset([{ label: 0 }, { label: 1 }, { label: 1 }])
    await expect(expect(scored).toMeetMetric('roc_auc', 0.5, { on, label: 'label', positive: 2 })).rejects.toThrow(/positive must be a whole number between 0 and 1, got number 2/)
    await expect(expect(scored).toMeetMetric('f1', 0.5, { on, label: 'label', positive: '1' as never })).rejects.toThrow(/positive must be a whole number between 0 and 1, got '1'/)
  })
})

describe('binary metrics on any two label values', () => {
  test.each(labelCases.flatMap((entry) => entry.cases.map((expected) => ({ entry, expected, label: `${entry.name}, positive ${expected.positive}` }))))('$label', ({ entry, expected }) => {
    const first = entry.cases[0].positive
    // Each class's probability: the second class's score, or its complement for the first class.
    const scores = entry.second_class_scores.map((p) => (expected.positive === first ? 1 - p : p))
    const { positive } = expected
    expect(rocAuc(entry.labels, scores, positive)).toBeCloseTo(expected.roc_auc, 12)
    expect(averagePrecision(entry.labels, scores, positive)).toBeCloseTo(expected.average_precision, 12)
    expect(brierScore(entry.labels, scores, positive)).toBeCloseTo(expected.brier, 12)
    expect(expectedCalibrationError(entry.labels, scores, 10, positive)).toBeCloseTo(expected.ece, 12)
    const prf = precisionRecallF1(entry.labels, entry.predicted, { average: 'binary', positive })
    expect(prf.precision).toBeCloseTo(expected.precision, 12)
    expect(prf.recall).toBeCloseTo(expected.recall, 12)
    expect(prf.f1).toBeCloseTo(expected.f1, 12)
  })

  test('class names need the positive class named, and a third class is refused', () => {
    expect(() => rocAuc(['ham', 'spam', 'ham'], [0.1, 0.9, 0.2])).toThrow(/the positive class 1 is not one of the labels \('ham' and 'spam'\)/)
    expect(() => brierScore(['ham', 'spam', 'eggs'], [0.1, 0.9, 0.2], 'spam')).toThrow(/three or more classes \('spam', 'ham', 'eggs'\)/)
    expect(() => precisionRecallF1(['ham', 'spam'], ['ham', 'eggs'], { average: 'binary', positive: 'spam' })).toThrow(/three or more classes/)
    expect(() => averagePrecision(['ham', 'ham'], [0.1, 0.9], 'spam')).toThrow(/no positive labels \(none is "spam"\)/)
  })
})
