// Properties every metric must have, after scikit-learn's common metric tests: the order of the rows
// does not matter, renaming the classes (the positive class following) does not matter, values stay
// within their bounds, intervals hold their estimate, and ROC AUC of reversed scores is 1 − AUC.
// Each property is also run against a deliberately broken function, to show that it would catch it.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { METRICS, measureMetric, precisionRecallF1, registerMetric, rocAuc, wilsonInterval, type Evaluation, type MetricSettings } from '../../src/index.js'
import { binaryRows, catches, close, holds, multiclassRows, permutation, regressionRows, reordered } from './arbitraries.js'

type MetricFunction = (rows: Evaluation, options?: MetricSettings) => number

/** The built-in metrics, read before any test registers one of its own. */
const BUILT_IN = Object.keys(METRICS)
const byKind = (kind: 'classification' | 'regression') => BUILT_IN.filter((name) => METRICS[name].kind === kind)
const named =
  (name: string): MetricFunction =>
  (rows, options = {}) =>
    METRICS[name].compute(rows, options)
/** The metrics of classes alone and one-vs-rest AUC, which are defined for three classes. */
const MULTICLASS = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss']
/** Metrics whose values are fractions. */
const FRACTIONS = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'average_precision', 'brier', 'ece']

function permutationInvariant(metric: MetricFunction, rows: fc.Arbitrary<Evaluation>) {
  return fc.property(rows, fc.integer(), (sample, seed) => close(metric(sample), metric(reordered(sample, permutation(sample.labels.length, seed)))))
}

/** Classes renamed by `rename` (old index → new), score columns moved with them. */
function relabelled(rows: Evaluation, rename: readonly number[]): Evaluation {
  const { width, values } = rows.scores
  const moved = new Float64Array(values.length)
  for (let i = 0; i < rows.scores.rows; i++) for (let k = 0; k < width; k++) moved[i * width + rename[k]] = values[i * width + k]
  return { labels: Array.from(rows.labels, (k) => rename[k]), predicted: Array.from(rows.predicted, (k) => rename[k]), scores: { rows: rows.scores.rows, width, values: moved } }
}

/** Binary: classes 0 and 1 swapped and the positive class with them. */
function swapInvariant(metric: MetricFunction) {
  return fc.property(binaryRows, (rows) => close(metric(rows, { positive: 1 }), metric(relabelled(rows, [1, 0]), { positive: 0 })))
}

/** Three classes renamed by every permutation. */
function renameInvariant(metric: MetricFunction) {
  return fc.property(multiclassRows, fc.constantFrom([0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]), (rows, rename) => close(metric(rows), metric(relabelled(rows, rename))))
}

function withinZeroAndOne(metric: MetricFunction) {
  return fc.property(binaryRows, (rows) => {
    const value = metric(rows)
    return value >= 0 && value <= 1
  })
}

function intervalHoldsEstimate(name: string, rows: fc.Arbitrary<Evaluation>) {
  return fc.property(rows, (sample) => {
    const { value, interval } = measureMetric(name, sample, { resamples: 200 })
    return interval.low <= value && value <= interval.high
  })
}

function reversedScoresComplement(auc: (labels: ArrayLike<number>, scores: ArrayLike<number>) => number) {
  return fc.property(binaryRows, (rows) => {
    const scores = Array.from({ length: rows.labels.length }, (_, i) => rows.scores.values[2 * i + 1])
    return close(
      auc(
        rows.labels,
        scores.map((s) => 1 - s),
      ),
      1 - auc(rows.labels, scores),
    )
  })
}

describe('the order of the rows does not change any metric', () => {
  test.each(byKind('classification'))('%s, two classes', (name) => holds(permutationInvariant(named(name), binaryRows)))
  test.each(MULTICLASS)('%s, three classes', (name) => holds(permutationInvariant(named(name), multiclassRows)))
  test.each(byKind('regression'))('%s', (name) => holds(permutationInvariant(named(name), regressionRows)))
  test('catches a metric that weighs rows by their position', () => {
    catches(permutationInvariant((rows) => Array.from(rows.labels).reduce((sum: number, label, i) => sum + (label === rows.predicted[i] ? i + 1 : 0), 0), binaryRows))
  })
})

describe('renaming the classes does not change any metric', () => {
  test.each(byKind('classification'))('%s: 0 and 1 swapped, the positive class following', (name) => holds(swapInvariant(named(name))))
  test.each(MULTICLASS)('%s: three classes in every other order', (name) => holds(renameInvariant(named(name))))
  test('catches a precision that ignores the positive class', () => {
    catches(swapInvariant((rows) => precisionRecallF1(rows.labels, rows.predicted, { average: 'binary', positive: 1 }).precision))
  })
  test('catches a macro average that reads one class only', () => {
    catches(renameInvariant((rows) => precisionRecallF1(rows.labels, rows.predicted, { average: 'none' }).recall[0]))
  })
})

describe('bounds', () => {
  test.each(FRACTIONS)('%s is within [0, 1]', (name) => holds(withinZeroAndOne(named(name))))
  test('catches a balanced accuracy that sums the recalls instead of averaging them', () => {
    catches(withinZeroAndOne((rows) => precisionRecallF1(rows.labels, rows.predicted, { average: 'none' }).recall.reduce((a, b) => a + b, 0)))
  })
})

describe('every interval holds its estimate', () => {
  test.each(byKind('classification'))('%s', (name) => holds(intervalHoldsEstimate(name, binaryRows)))
  test.each(byKind('regression'))('%s', (name) => holds(intervalHoldsEstimate(name, regressionRows)))
  test('Wilson at 0 of 5 starts at 0, not at the rounding error above it the property found', () => {
    expect(wilsonInterval(0, 5).low).toBe(0)
    expect(wilsonInterval(5, 5).high).toBe(1)
  })
  test('catches an interval made of the error count instead of the hits', () => {
    registerMetric('accuracy_with_wrong_interval', {
      direction: 'higher',
      kind: 'classification',
      compute: named('accuracy'),
      interval: (rows, value, { confidence }) => wilsonInterval(rows.labels.length - Math.round(value * rows.labels.length), rows.labels.length, confidence),
    })
    catches(intervalHoldsEstimate('accuracy_with_wrong_interval', binaryRows))
  })
})

describe('ROC AUC of reversed scores is 1 − AUC', () => {
  test('rocAuc', () => holds(reversedScoresComplement((labels, scores) => rocAuc(labels, scores))))
  test('catches an AUC that counts ties as wins instead of halves', () => {
    const tiesAsWins = (labels: ArrayLike<number>, scores: ArrayLike<number>) => {
      let wins = 0
      let pairs = 0
      for (let i = 0; i < labels.length; i++) for (let j = 0; j < labels.length; j++) if (labels[i] === 1 && labels[j] === 0) [wins, pairs] = [wins + Number(scores[i] >= scores[j]), pairs + 1]
      return wins / pairs
    }
    catches(reversedScoresComplement(tiesAsWins))
  })
})

test('every built-in metric is covered', () => {
  expect(byKind('classification').length + byKind('regression').length).toBe(14)
})
