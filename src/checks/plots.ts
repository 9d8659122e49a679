/**
 * Pictures of a check, as data: the engine fills them where a reader would rather look than read,
 * and the HTML reporter draws them. Curves are kept to a few hundred points so reports stay small.
 */
export type Plot = ConfusionMatrixPlot | CurvePlot | CalibrationPlot | HistogramPlot | DriftPlot | BarsPlot

/** Counts of (actual, predicted) pairs: `matrix[actual][predicted]`, both in `labels` order. */
export interface ConfusionMatrixPlot {
  type: 'confusion-matrix'
  labels: string[]
  matrix: number[][]
}

/** ROC (x false-positive rate, y true-positive rate) or precision-recall (x recall, y precision). */
export interface CurvePlot {
  type: 'roc' | 'precision-recall'
  points: [number, number][]
  /** Area under the ROC curve, or average precision for precision-recall. */
  area: number
  /** The class whose score the curve thresholds. */
  positiveLabel: string
}

/** Reliability diagram: per bin of predicted probability, the mean prediction and the share of positives. */
export interface CalibrationPlot {
  type: 'calibration'
  positiveLabel: string
  bins: { meanPredicted: number; fractionPositive: number; count: number }[]
}

/** A histogram of measured values (latency), with marked values such as p50, p95, p99 and the threshold. */
export interface HistogramPlot {
  type: 'histogram'
  title: string
  unit?: string
  /** Bin edges, one more than counts. */
  edges: number[]
  counts: number[]
  marks: { label: string; value: number }[]
  /** Values beyond the last edge, left out so that a few outliers do not squash the picture. */
  overflow?: { above: number; count: number }
}

/** One column's distribution in the reference and the current data, as shares per bin or category. */
export interface DriftPlot {
  type: 'drift'
  column: string
  /** Bin ranges (`[0.1, 0.2)`) for numeric columns, values for categorical ones. */
  labels: string[]
  reference: number[]
  current: number[]
  drifted: boolean
}

/** A value per group (metric per slice), with the threshold drawn across. */
export interface BarsPlot {
  type: 'bars'
  title: string
  bars: { label: string; value: number; n?: number; passed?: boolean }[]
  threshold?: number
}
