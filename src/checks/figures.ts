import { calibrationBins, confusionMatrix, averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from '../metrics/classification.js'
import { percentiles } from '../metrics/percentile.js'
import type { Scores } from '../models/model.js'
import type { BarsPlot, CurvePlot, DriftPlot, HistogramPlot, Plot } from './plots.js'

/** Curves keep at most this many points: enough for a picture, small enough for every report. */
const MAX_CURVE_POINTS = 200
/** Bins of a histogram at most; fewer for few values (√n). */
const MAX_BINS = 30

/**
 * The positive-class score per row: the `positive` column of a score matrix; of a single score (the
 * probability of class 1), the score itself for class 1 and its complement 1 − p for class 0.
 */
export function positiveScores(scores: Scores, positive: number): Float64Array {
  const { rows, width, values } = scores
  const result = new Float64Array(rows)
  // Plain loops: typed-array from() with a mapping function is slow on a million rows.
  if (width === 1) for (let i = 0; i < rows; i++) result[i] = positive === 0 ? 1 - values[i] : values[i]
  else for (let i = 0; i < rows; i++) result[i] = values[i * width + positive]
  return result
}

/** 1 for the rows whose label is the positive class, 0 for the others. */
export function positiveIndicator(labels: ArrayLike<number>, positive: number): Uint8Array {
  const result = new Uint8Array(labels.length)
  for (let i = 0; i < labels.length; i++) result[i] = labels[i] === positive ? 1 : 0
  return result
}

/**
 * Pictures of a classifier's predictions: the confusion matrix always; for two classes with both
 * present, ROC and precision-recall curves of the positive class's score, and the reliability
 * diagram when the scores are probabilities.
 */
export function classificationPlots(rows: { labels: ArrayLike<number>; predicted: ArrayLike<number>; scores: Scores }, positive = 1): Plot[] {
  // A loop, not Math.max(...labels): spreading a million labels as arguments overflows the stack.
  let classes = Math.max(rows.scores.width, 2)
  for (let i = 0; i < rows.labels.length; i++) classes = Math.max(classes, rows.labels[i] + 1)
  const classNames = Array.from({ length: classes }, (_, c) => String(c))
  const plots: Plot[] = [{ type: 'confusion-matrix', labels: classNames, matrix: confusionMatrix(rows.labels, rows.predicted, classes) }]
  if (classes !== 2) return plots
  const isPositive = positiveIndicator(rows.labels, positive)
  const positives = isPositive.reduce((sum, value) => sum + value, 0)
  if (positives === 0 || positives === isPositive.length) return plots
  const scores = positiveScores(rows.scores, positive)
  const positiveLabel = String(positive)
  const roc = rocCurve(isPositive, scores)
  const pr = precisionRecallCurve(isPositive, scores)
  plots.push(curve('roc', roc.fpr, roc.tpr, rocAuc(isPositive, scores), positiveLabel))
  plots.push(curve('precision-recall', pr.recall, pr.precision, averagePrecision(isPositive, scores), positiveLabel))
  if (scores.every((score) => score >= 0 && score <= 1)) {
    const bins = calibrationBins(isPositive, scores).map((bin) => ({ meanPredicted: bin.meanProbability, fractionPositive: bin.fractionPositive, count: bin.count }))
    plots.push({ type: 'calibration', positiveLabel, bins })
  }
  return plots
}

function curve(type: CurvePlot['type'], x: number[], y: number[], area: number, positiveLabel: string): CurvePlot {
  const keep = evenlySpaced(x.length, MAX_CURVE_POINTS)
  return { type, points: keep.map((i) => [x[i], y[i]]), area, positiveLabel }
}

/** Indices 0 … length−1, thinned evenly to at most `max`, always keeping the first and the last. */
function evenlySpaced(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i)
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i * (length - 1)) / (max - 1))))]
}

/** Equal-width bin edges over [min, max] of all the values given, √n bins up to MAX_BINS. */
function equalWidthEdges(...samples: ArrayLike<number>[]): number[] {
  let min = Infinity
  let max = -Infinity
  let n = 0
  for (const sample of samples) {
    for (let i = 0; i < sample.length; i++) {
      min = Math.min(min, sample[i])
      max = Math.max(max, sample[i])
    }
    n = Math.max(n, sample.length)
  }
  // A single value still gets a bin of some width, so the picture has an axis.
  if (!(max > min)) [min, max] = [min - 0.5, max + 0.5]
  const bins = Math.max(1, Math.min(MAX_BINS, Math.ceil(Math.sqrt(n))))
  return Array.from({ length: bins + 1 }, (_, i) => min + ((max - min) * i) / bins)
}

/** Counts per bin [eᵢ, eᵢ₊₁), the last bin closed on the right so the maximum is counted. */
function histogramCounts(values: ArrayLike<number>, edges: number[]): number[] {
  const bins = edges.length - 1
  const counts = new Array<number>(bins).fill(0)
  const width = (edges[bins] - edges[0]) / bins
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.max(0, Math.floor((values[i] - edges[0]) / width)))]++
  return counts
}

/**
 * A histogram of measured values (latency samples) with marked values (p50, p95, p99, the threshold).
 * Values far above the 99th percentile (beyond p99 + 3·(p99 − p50), from at least 20 values: a
 * garbage-collection pause, a first call) are counted as overflow instead of stretching the axis.
 */
export function histogramPlot(title: string, values: ArrayLike<number>, marks: HistogramPlot['marks'], unit?: string): HistogramPlot {
  let shown = Array.from(values)
  let overflow: HistogramPlot['overflow']
  if (shown.length >= 20) {
    const [p50, p99] = percentiles(shown, [50, 99])
    const above = p99 + 3 * (p99 - p50)
    const within = shown.filter((value) => value <= above)
    if (within.length < shown.length) {
      overflow = { above, count: shown.length - within.length }
      shown = within
    }
  }
  const edges = equalWidthEdges(shown)
  return { type: 'histogram', title, ...(unit ? { unit } : {}), edges, counts: histogramCounts(shown, edges), marks, ...(overflow ? { overflow } : {}) }
}

/** A numeric column in reference and current data: shares per equal-width bin over both ranges. */
export function numericDriftPlot(column: string, reference: ArrayLike<number>, current: ArrayLike<number>, drifted: boolean): DriftPlot {
  const edges = equalWidthEdges(reference, current)
  const labels = edges.slice(0, -1).map((low, i) => `${formatEdge(low)}–${formatEdge(edges[i + 1])}`)
  return { type: 'drift', column, labels, reference: shares(histogramCounts(reference, edges)), current: shares(histogramCounts(current, edges)), drifted }
}

/** A categorical column in reference and current data: shares per value. */
export function categoricalDriftPlot(column: string, categories: string[], reference: number[], current: number[], drifted: boolean): DriftPlot {
  return { type: 'drift', column, labels: categories, reference: shares(reference), current: shares(current), drifted }
}

/** A metric per slice against its threshold. */
export function sliceBars(title: string, slices: { slice: string; value?: number; n: number; failed: boolean }[], threshold: number): BarsPlot {
  const bars = slices.filter((slice) => slice.value !== undefined).map((slice) => ({ label: slice.slice, value: slice.value!, n: slice.n, passed: !slice.failed }))
  return { type: 'bars', title, bars, threshold }
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0)
  return counts.map((count) => (total > 0 ? count / total : 0))
}

function formatEdge(value: number): string {
  return Number(value.toPrecision(3)).toString()
}
