import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  averagePrecision,
  balancedAccuracy,
  brierScore,
  calibrationBins,
  confusionMatrix,
  expectedCalibrationError,
  logLoss,
  precisionRecallF1,
  rocAuc,
  rocAucOneVsRest,
  rocCurve,
  precisionRecallCurve,
} from '../src/metrics/classification.js'
import { ModeltestError } from '../src/errors.js'
import { repoRoot } from './helpers.js'

// Computed by scikit-learn 1.2 and numpy: test/golden/make_metrics_golden.py.
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'metrics.json'), 'utf8'))

interface Prf<T = number> {
  precision: T
  recall: T
  f1: T
}
interface ClassCase {
  name: string
  labels: number[]
  predicted: number[]
  k: number
  balanced_accuracy: number
  confusion: number[][]
  prf: Record<string, Prf>
  prf_none: Prf<number[]>
  prf_classes: { classes: number; macro: Prf; micro: Prf; weighted: Prf }
}
interface ScoreCase {
  name: string
  labels: number[]
  scores: number[]
  roc_auc: number
  average_precision: number
}
interface MatrixCase {
  name: string
  labels: number[]
  rows: number
  width: number
  values: number[]
}
interface CalibrationCase {
  name: string
  labels: number[]
  probabilities: number[]
  results: { bins: number; expected: number; per_bin: { bin: number; count: number; fraction_positive: number; mean_probability: number }[] }[]
}

const classCases = golden.classes as ClassCase[]
const DIGITS = 12

function expectPrf(actual: Prf<number | number[]>, expected: Prf<number | number[]>) {
  for (const key of ['precision', 'recall', 'f1'] as const) {
    const [a, e] = [actual[key], expected[key]]
    if (Array.isArray(e)) {
      expect(a).toHaveLength(e.length)
      e.forEach((value, c) => expect((a as number[])[c]).toBeCloseTo(value, DIGITS))
    } else {
      expect(a).toBeCloseTo(e, DIGITS)
    }
  }
}

describe('balancedAccuracy', () => {
  test.each(classCases)('equals scikit-learn balanced_accuracy_score on $name', ({ labels, predicted, balanced_accuracy }) => {
    expect(balancedAccuracy(labels, predicted)).toBeCloseTo(balanced_accuracy, DIGITS)
  })
})

describe('confusionMatrix', () => {
  test.each(classCases)('equals scikit-learn confusion_matrix(labels=range(k)) on $name', ({ labels, predicted, confusion, k }) => {
    expect(confusionMatrix(labels, predicted)).toEqual(confusion)
    expect(confusionMatrix(labels, predicted, k)).toEqual(confusion)
  })

  test('pads absent classes when given more classes', () => {
    expect(confusionMatrix([0, 1, 1], [0, 0, 1], 3)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ])
  })

  test('refuses a class beyond `classes`', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/class 3 occurs but classes is 3/)
  })
})

describe('precisionRecallF1', () => {
  const averages = classCases.flatMap((c) => Object.keys(c.prf).map((average) => ({ ...c, average })))
  test.each(averages)('equals scikit-learn precision_recall_fscore_support on $name, average $average', ({ labels, predicted, prf, average }) => {
    const options = average === 'binary-positive-0' ? ({ average: 'binary', positive: 0 } as const) : { average: average as 'binary' | 'macro' | 'micro' | 'weighted' }
    expectPrf(precisionRecallF1(labels, predicted, options), prf[average])
  })

  test.each(classCases)('per class (average none) equals scikit-learn average=None, labels=range(k) on $name', ({ labels, predicted, prf_none }) => {
    expectPrf(precisionRecallF1(labels, predicted, { average: 'none' }), prf_none)
  })

  test.each(classCases)('with { classes } equals scikit-learn labels=range(classes) on $name', ({ labels, predicted, prf_classes }) => {
    for (const average of ['macro', 'micro', 'weighted'] as const) {
      expectPrf(precisionRecallF1(labels, predicted, { average, classes: prf_classes.classes }), prf_classes[average])
    }
  })

  test('gives 0.0 for an undefined precision (no positive predictions), as zero_division="warn"', () => {
    const { labels, predicted } = classCases.find((c) => c.name === 'binary-no-positive-predictions')!
    expect(precisionRecallF1(labels, predicted, { average: 'binary' })).toEqual({ precision: 0, recall: 0, f1: 0 })
  })

  test('refuses average binary on three classes, an absent positive class, and an unknown average', () => {
    expect(() => precisionRecallF1([0, 1, 2], [0, 1, 2], { average: 'binary' })).toThrow(/three or more classes/)
    expect(() => precisionRecallF1([0, 2], [2, 0], { average: 'binary' })).toThrow(/positive class 1/)
    expect(() => precisionRecallF1([0, 1], [0, 1], { average: 'mean' as never })).toThrow(/unknown average 'mean'/)
  })
})

describe('rocAuc and averagePrecision', () => {
  test.each(golden.binary_scores as ScoreCase[])('equal scikit-learn roc_auc_score and average_precision_score on $name', ({ labels, scores, roc_auc, average_precision }) => {
    expect(rocAuc(labels, scores)).toBeCloseTo(roc_auc, DIGITS)
    expect(averagePrecision(labels, scores)).toBeCloseTo(average_precision, DIGITS)
  })

  test.each(golden.binary_scores as (ScoreCase & { roc_curve: { fpr: number[]; tpr: number[] }; pr_curve: { precision: number[]; recall: number[] } })[])(
    'curves equal scikit-learn roc_curve and precision_recall_curve on $name',
    ({ labels, scores, roc_curve, pr_curve }) => {
      const roc = rocCurve(labels, scores)
      const pr = precisionRecallCurve(labels, scores)
      for (const [actual, expected] of [
        [roc.fpr, roc_curve.fpr],
        [roc.tpr, roc_curve.tpr],
        [pr.precision, pr_curve.precision],
        [pr.recall, pr_curve.recall],
      ]) {
        expect(actual).toHaveLength(expected.length)
        actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], DIGITS))
      }
    },
  )

  test('refuse a single class, non-binary labels and non-finite scores', () => {
    expect(() => rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toThrow(/only one class/)
    expect(() => rocAuc([0, 0], [0.2, 0.5])).toThrow(/only one class/)
    expect(() => averagePrecision([0, 0], [0.2, 0.5])).toThrow(/no positive labels/)
    expect(() => rocCurve([1, 1], [0.2, 0.5])).toThrow(/only one class/)
    expect(() => precisionRecallCurve([0, 0], [0.2, 0.5])).toThrow(/no positive labels/)
    expect(() => rocAuc([0, 2], [0.2, 0.5])).toThrow(/the positive class 1 is not one of the labels \(0 and 2\)/)
    expect(() => rocAuc([0, 1], [0.2, NaN])).toThrow(/scores\[1\] is NaN/)
    expect(() => averagePrecision([0, 1], [0.2])).toThrow(/2 labels but 1 predictions/)
  })
})

describe('rocAucOneVsRest', () => {
  test.each(golden.ovr as (MatrixCase & { macro: number; weighted: number })[])('equals scikit-learn roc_auc_score(multi_class="ovr") on $name', ({ labels, rows, width, values, macro, weighted }) => {
    expect(rocAucOneVsRest(labels, { rows, width, values }, 'macro')).toBeCloseTo(macro, DIGITS)
    expect(rocAucOneVsRest(labels, { rows, width, values }, 'weighted')).toBeCloseTo(weighted, DIGITS)
  })

  test('refuses an absent class, rows not summing to 1, a wrong shape and no rows', () => {
    const matrix = { rows: 3, width: 3, values: [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4] }
    expect(() => rocAucOneVsRest([0, 1, 1], matrix, 'macro')).toThrow(/class 2 never occurs/)
    expect(() => rocAucOneVsRest([0, 1, 2], { ...matrix, values: [0.8, 0.1, 0.2, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4] }, 'macro')).toThrow(/row 0's probabilities sum to/)
    expect(() => rocAucOneVsRest([0, 1], matrix, 'macro')).toThrow(/2 labels but 3 rows/)
    expect(() => rocAucOneVsRest([0, 1, 3], matrix, 'weighted')).toThrow(/label 3 but only 3 score columns/)
    expect(() => rocAucOneVsRest([], { rows: 0, width: 3, values: [] }, 'macro')).toThrow(/no rows to score/)
  })
})

describe('logLoss', () => {
  test.each(golden.log_loss as (MatrixCase & { eps: number | null; expected: number })[])('equals scikit-learn 1.2 log_loss on $name', ({ labels, rows, width, values, eps, expected }) => {
    expect(logLoss(labels, { rows, width, values }, eps ?? undefined)).toBeCloseTo(expected, DIGITS)
  })

  test('refuses probabilities out of range, NaN, and a label without a column', () => {
    expect(() => logLoss([0, 1], { rows: 2, width: 2, values: [0.5, 0.5, -0.1, 1.1] })).toThrow(/probabilities.values\[2\] is -0.1, not a probability/)
    expect(() => logLoss([0, 1], { rows: 2, width: 1, values: [0.5, NaN] })).toThrow(/is NaN, not a probability/)
    expect(() => logLoss([0, 2], { rows: 2, width: 1, values: [0.5, 0.5] })).toThrow(/label 2 but probabilities for 2 classes/)
    expect(() => logLoss([0, 1.5], { rows: 2, width: 2, values: [0.5, 0.5, 0.5, 0.5] })).toThrow(/not a class index/)
  })
})

describe('brierScore', () => {
  test.each(golden.brier as { name: string; labels: number[]; probabilities: number[]; expected: number }[])('equals scikit-learn brier_score_loss on $name', ({ labels, probabilities, expected }) => {
    expect(brierScore(labels, probabilities)).toBeCloseTo(expected, DIGITS)
  })

  test('refuses probabilities out of range and unpaired or empty inputs', () => {
    expect(() => brierScore([0, 1], [0.5, 1.2])).toThrow(ModeltestError)
    expect(() => brierScore([0, 1], [0.5, 1.2])).toThrow(/positiveProbabilities\[1\] is 1.2/)
    expect(() => brierScore([], [])).toThrow(/no rows to score/)
  })
})

describe('expectedCalibrationError', () => {
  const cases = (golden.ece as CalibrationCase[]).flatMap(({ results, ...data }) => results.map((result) => ({ ...data, ...result })))
  test.each(cases)('equals the numpy definition on $name with $bins bins', ({ labels, probabilities, bins, expected }) => {
    expect(expectedCalibrationError(labels, probabilities, bins)).toBeCloseTo(expected, DIGITS)
  })

  test.each(cases)('bins like scikit-learn calibration_curve(strategy="uniform") on $name with $bins bins', ({ labels, probabilities, bins, per_bin }) => {
    const actual = calibrationBins(labels, probabilities, bins)
    expect(actual.map((b) => [b.bin, b.count])).toEqual(per_bin.map((b) => [b.bin, b.count]))
    actual.forEach((b, i) => {
      expect(b.fractionPositive).toBeCloseTo(per_bin[i].fraction_positive, DIGITS)
      expect(b.meanProbability).toBeCloseTo(per_bin[i].mean_probability, DIGITS)
    })
  })

  test('puts a probability on an inner edge in the lower bin', () => {
    expect(calibrationBins([0, 1, 1], [0, 0.5, 1], 2).map((b) => [b.bin, b.count])).toEqual([
      [0, 2],
      [1, 1],
    ])
  })

  test('refuses a bad bin count and probabilities out of range', () => {
    expect(() => expectedCalibrationError([0, 1], [0.2, 0.8], 0)).toThrow(/bins is 0/)
    expect(() => expectedCalibrationError([0, 1], [0.2, NaN])).toThrow(/is NaN, not a probability/)
  })
})
