import { describe, expect, test } from 'vitest'
import { classificationPlots, histogramPlot } from '../src/checks/figures.js'
import { accuracyCheck, dataset, driftCheck, latencyCheck, metricCheck, model, rocAuc, averagePrecision, type Plot, type Row } from '../src/index.js'

// The pictures the HTML report draws come from the checks themselves; these tests hold them to the numbers behind them.

type PlotOf<T extends Plot['type']> = Plot & { type: T }
function plotOf<T extends Plot['type']>(plots: Plot[] | undefined, type: T): PlotOf<T> {
  const plot = plots?.find((candidate) => candidate.type === type)
  if (!plot) throw new Error(`no ${type} plot among ${plots?.map((candidate) => candidate.type).join(', ')}`)
  return plot as PlotOf<T>
}

const scored = await dataset(
  Array.from({ length: 400 }, (_, i): Row => ({ x: ((i * 37) % 100) / 100, group: i % 3 === 0 ? 'a' : 'b', label: ((i * 37) % 100) / 100 + ((i * 11) % 7) / 10 > 0.8 ? 1 : 0 })),
  { name: 'scored' },
)
/** A probability that rises with x: a decent, imperfect classifier. */
const byX = await model(async (rows: Row[]) => rows.map((row) => [1 - Number(row.x), Number(row.x)]), { name: 'by-x' })

describe('classification pictures', () => {
  test('the confusion matrix counts every row once, by true and predicted class', async () => {
    const check = await accuracyCheck(byX, 0.5, { on: scored, label: 'label' })
    const { matrix, labels } = plotOf(check.plots, 'confusion-matrix')
    expect(labels).toEqual(['0', '1'])
    expect(matrix.flat().reduce((a, b) => a + b)).toBe(400)
    expect((matrix[0][0] + matrix[1][1]) / 400).toBeCloseTo(check.actual, 12)
  })

  test('ROC and precision-recall curves run from end to end and carry their areas', async () => {
    const check = await metricCheck(byX, 'roc_auc', 0.5, { on: scored, label: 'label' })
    const labels = (await scored.column('label')) as number[]
    const scores = (await scored.column('x')) as number[]
    const roc = plotOf(check.plots, 'roc')
    expect(roc.points[0]).toEqual([0, 0])
    expect(roc.points.at(-1)).toEqual([1, 1])
    expect(roc.area).toBeCloseTo(rocAuc(labels, scores), 12)
    expect(roc.area).toBeCloseTo(check.actual, 12)
    const pr = plotOf(check.plots, 'precision-recall')
    expect(pr.points[0]).toEqual([0, 1])
    expect(pr.points.at(-1)![0]).toBe(1)
    expect(pr.area).toBeCloseTo(averagePrecision(labels, scores), 12)
    const calibration = plotOf(check.plots, 'calibration')
    expect(calibration.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(400)
  })

  test('curves are thinned to at most 200 points', async () => {
    const many = await dataset(Array.from({ length: 3000 }, (_, i): Row => ({ x: i / 3000, label: i % 2 })))
    const check = await metricCheck(byX, 'roc_auc', 0.4, { on: many, label: 'label' })
    const roc = plotOf(check.plots, 'roc')
    expect(roc.points.length).toBeLessThanOrEqual(200)
    expect(roc.points.at(-1)).toEqual([1, 1])
  })

  test('a million rows draw their pictures (labels are not spread as arguments)', () => {
    const n = 1_000_000
    const labels = Float64Array.from({ length: n }, (_, i) => i % 2)
    const values = Float32Array.from({ length: n }, (_, i) => ((i % 2) + (i % 7) / 7) / 2)
    const plots = classificationPlots({ labels, predicted: labels, scores: { rows: n, values, width: 1 } })
    expect(plots.map((plot) => plot.type)).toEqual(['confusion-matrix', 'roc', 'precision-recall', 'calibration'])
  })

  test('a regression metric shows its residuals', async () => {
    const regressor = await model(async (rows: Row[]) => rows.map((row) => [Number(row.x) + 0.1]), { name: 'offset' })
    const check = await metricCheck(regressor, 'mae', 0.2, { on: scored, label: 'x' })
    const histogram = plotOf(check.plots, 'histogram')
    expect(histogram.counts.reduce((a, b) => a + b)).toBe(400)
    expect(histogram.edges[0]).toBeCloseTo(0.1, 6)
  })

  test('slices show one bar per gated slice against the threshold', async () => {
    const check = await accuracyCheck(byX, 0.5, { on: scored, label: 'label', by: 'group' })
    const bars = plotOf(check.plots, 'bars')
    expect(bars.bars.map((bar) => bar.label)).toEqual(['a', 'b'])
    expect(bars.threshold).toBe(0.5)
    expect(bars.bars.reduce((sum, bar) => sum + (bar.n ?? 0), 0)).toBe(400)
  })
})

describe('latency and drift pictures', () => {
  test('the latency histogram holds every timed call and marks p50, p95, p99 and the threshold', async () => {
    const check = await latencyCheck(byX, 50, { input: scored.head(1), runs: 40, warmup: 2 })
    const histogram = plotOf(check.plots, 'histogram')
    expect(histogram.counts.reduce((a, b) => a + b) + (histogram.overflow?.count ?? 0)).toBe(40)
    expect(histogram.marks.map((mark) => mark.label)).toEqual(['p50', 'p95', 'p99', 'threshold'])
    expect(histogram.marks[1].value).toBe(check.actual)
    expect(histogram.edges).toHaveLength(histogram.counts.length + 1)
  })

  test('a few far outliers are counted apart instead of stretching the axis', () => {
    const samples = [...Array.from({ length: 99 }, (_, i) => 1 + (i % 10) / 10), 40]
    const histogram = histogramPlot('Latency', samples, [], 'ms')
    expect(histogram.overflow).toEqual({ above: expect.any(Number), count: 1 })
    expect(histogram.edges.at(-1)).toBeCloseTo(1.9, 12)
    expect(histogram.counts.reduce((a, b) => a + b)).toBe(99)
    expect(histogramPlot('Latency', samples.slice(0, 99), []).overflow).toBeUndefined()
  })

  test('drift shows each column as shares of reference and current, flagged when drifted', async () => {
    const shifted = await dataset((await scored.rows()).map((row) => ({ ...row, x: Number(row.x) + 0.5, group: 'a' })))
    const check = await driftCheck(shifted, scored, { columns: ['x', 'group'] })
    const plots = check.plots as PlotOf<'drift'>[]
    expect(plots.map((plot) => [plot.column, plot.drifted])).toEqual([
      ['x', true],
      ['group', true],
    ])
    for (const plot of plots) {
      expect(plot.reference.reduce((a, b) => a + b)).toBeCloseTo(1, 12)
      expect(plot.current.reduce((a, b) => a + b)).toBeCloseTo(1, 12)
      expect(plot.labels).toHaveLength(plot.reference.length)
    }
    expect(plots[1].labels).toEqual(['a', 'b'])
    expect(plots[1].current).toEqual([1, 0])
  })
})
