import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { balancedAccuracy, meanAbsoluteError, measureMetric, metricNames, readReport, registerMetric, wilsonInterval, type Evaluation } from '../src/index.js'
import { fixturesDir, runCli, tempDir } from './helpers.js'

/** Seeded rows of a binary classifier that is right about 80% of the time. */
function binaryRows(n: number): Evaluation {
  const labels = Float64Array.from({ length: n }, (_, i) => i % 2)
  const predicted = labels.map((label, i) => ((i * 7919) % 10 < 2 ? 1 - label : label))
  const values = Float64Array.from({ length: 2 * n }, (_, j) => (predicted[j >> 1] === (j & 1) ? 0.8 : 0.2))
  return { labels, predicted, scores: { rows: n, width: 2, values } }
}

const youdenJ = (rows: Evaluation) => 2 * balancedAccuracy(rows.labels, rows.predicted) - 1

describe('registerMetric', () => {
  test('a registered class metric gets its value and a bootstrap interval within each class', () => {
    registerMetric('youden_j_test', { direction: 'higher', kind: 'classification', compute: youdenJ })
    const rows = binaryRows(200)
    const { value, interval } = measureMetric('youden_j_test', rows, { seed: 3, resamples: 300 })
    expect(value).toBeCloseTo(youdenJ(rows), 12)
    expect(interval).toMatchObject({ method: 'bootstrap', confidence: 0.95, stratified: true })
    expect(interval.low).toBeLessThan(value)
    expect(interval.high).toBeGreaterThan(value)
    expect(measureMetric('youden_j_test', rows, { seed: 3, resamples: 300 }).interval).toEqual(interval)
    expect(metricNames()).toContain('youden_j_test')
  })

  test('a mean of per-row terms gets the normal interval; an interval or a measure of its own is used as given', () => {
    const rows = { labels: [1, 2, 3, 4, 5, 6], predicted: [1.5, 2, 2, 5, 5, 7], scores: { rows: 6, width: 1, values: new Float64Array(6) } }
    const terms = (r: Evaluation) => Float64Array.from(r.labels, (y, i) => Math.abs(y - r.predicted[i]))
    registerMetric('mae_again', { direction: 'lower', kind: 'regression', compute: (r) => meanAbsoluteError(r.labels, r.predicted), meanOf: { terms } })
    expect(measureMetric('mae_again', rows)).toEqual(measureMetric('mae', rows))
    registerMetric('exact_share', {
      direction: 'higher',
      kind: 'regression',
      compute: (r) => terms(r).filter((t) => t === 0).length / r.labels.length,
      interval: (r, value, { confidence }) => wilsonInterval(Math.round(value * r.labels.length), r.labels.length, confidence),
    })
    expect(measureMetric('exact_share', rows, { confidence: 0.9 })).toEqual({ value: 2 / 6, interval: wilsonInterval(2, 6, 0.9) })
    const together = { value: 0.75, interval: { low: 0.5, high: 1, confidence: 0.95, method: 'normal' as const } }
    registerMetric('measured_together', { direction: 'higher', kind: 'regression', compute: () => 0, measure: () => together })
    expect(measureMetric('measured_together', rows)).toEqual(together)
  })

  test('an unknown name suggests the closest registered one, the built-in ones and the user’s', () => {
    registerMetric('youden_j_test', { direction: 'higher', kind: 'classification', compute: youdenJ })
    expect(() => measureMetric('youden_j_tst', binaryRows(10))).toThrow(/^unknown metric 'youden_j_tst' \(did you mean 'youden_j_test'\?\)\n {2}Use one of accuracy, .*, youden_j_test/)
    expect(() => measureMetric('acuracy', binaryRows(10))).toThrow("unknown metric 'acuracy' (did you mean 'accuracy'?)")
  })

  test.each([
    ['a built-in name', 'f1', { direction: 'higher', kind: 'classification', compute: youdenJ }, "registerMetric('f1'): 'f1' is a built-in metric"],
    ['a name that is not a word', 'my metric', { direction: 'higher', kind: 'classification', compute: youdenJ }, "registerMetric: the name must be a word (letters, digits, _), got 'my metric'"],
    ['no direction', 'j', { kind: 'classification', compute: youdenJ }, "registerMetric('j'): direction is missing"],
    ['a misspelt direction', 'j', { direction: 'highr', kind: 'classification', compute: youdenJ }, "registerMetric('j'): direction 'highr' is not one of 'higher' and 'lower' (did you mean 'higher'?)"],
    ['an unknown kind', 'j', { direction: 'higher', kind: 'ranking', compute: youdenJ }, "registerMetric('j'): kind 'ranking' is not one of 'classification' and 'regression'"],
    ['no compute', 'j', { direction: 'higher', kind: 'classification' }, "registerMetric('j'): compute must be a function, got undefined"],
    ['an unknown interval', 'j', { direction: 'higher', kind: 'classification', compute: youdenJ, interval: 'wilson' }, "registerMetric('j'): interval 'wilson' is not one of 'bootstrap' and 'normal'"],
    ['a normal interval without terms', 'j', { direction: 'higher', kind: 'classification', compute: youdenJ, interval: 'normal' }, "registerMetric('j'): interval 'normal' needs meanOf.terms"],
    ['a misspelt option', 'j', { direction: 'higher', kind: 'classification', compute: youdenJ, intervall: 'bootstrap' }, "registerMetric('j'): unknown option 'intervall' (did you mean 'interval'?)"],
  ])('refuses %s', (_, name, definition, message) => {
    expect(() => registerMetric(name, definition as never)).toThrow(message)
  })

  test('a suite registers a metric and gates on it with toMeetMetric and toNotRegressFrom, through the command line', async () => {
    const out = await tempDir()
    const run = await runCli(['--no-html', '--no-junit', '--json', join(out, 'r.json')], join(fixturesDir, 'cli', 'custom-metric'))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✓ metric_youden_j: Youden's J 0\.6562 ≥ 0\.50 \(95% CI 0\.\d{4}–0\.\d{4} bootstrap, n=597\)/)
    expect(run.stdout).toContain("unknown metric 'youden_i' (did you mean 'youden_j'?)")
    const checks = (await readReport(join(out, 'r.json'), 'the run')).tests.flatMap((t) => t.checks)
    const byName = Object.fromEntries(checks.map((check) => [check.name, check]))
    // Youden's J of two classes is 2 · balanced accuracy − 1.
    expect(byName.metric_youden_j.actual).toBeCloseTo(2 * byName.metric_balanced_accuracy.actual - 1, 12)
    expect(byName.metric_youden_j.interval).toMatchObject({ method: 'bootstrap', stratified: true })
    expect(byName.metric_youden_j.interval!.low).toBeLessThan(byName.metric_youden_j.actual)
    expect(byName.no_regression).toMatchObject({ passed: true, details: { metric: 'youden_j', test: 'bootstrap' }, message: expect.stringMatching(/^Youden's J 0\.6562 vs baseline/) })
  })
})
