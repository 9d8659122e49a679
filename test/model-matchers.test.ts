import { describe, expect, test } from 'vitest'
import { dataset, model, type Row } from '../src/index.js'
import { lastRecord } from './helpers.js'

// Matchers are registered by src/cli/setup.ts, the preset's setup file (vitest.config.ts loads it too).

const clean = await dataset(
  [
    { text: 'good film', label: 1 },
    { text: 'bad film', label: 0 },
    { text: 'good plot', label: 1 },
    { text: 'dull', label: 0 },
  ],
  { name: 'clean' },
)

/** Right on every row of `clean`: positive when the text says good. */
const keyword = await model(async (rows: Row[]) => rows.map((row) => (String(row.text).includes('good') ? [0.2, 0.8] : [0.9, 0.1])), { name: 'keyword' })
/** Always positive: right on half of `clean`. */
const alwaysPositive = await model(async (rows: Row[]) => rows.map(() => [0, 1]), { name: 'always-positive' })
/** Takes about 3 ms a call. */
const slow = await model(
  async (rows: Row[]) => {
    const until = performance.now() + 3
    while (performance.now() < until);
    return rows.map(() => [0, 1])
  },
  { name: 'slow' },
)

describe('toMeetAccuracy', () => {
  test('passes and records accuracy, threshold and n', async ({ task }) => {
    await expect(keyword).toMeetAccuracy(0.9, { on: clean, label: 'label' })
    expect(lastRecord(task)).toMatchObject({ name: 'accuracy_threshold', kind: 'model', passed: true, actual: 1, threshold: 0.9, n: 4, message: 'Accuracy 1.0000 ≥ 0.90 (95% CI 0.5101–1.0000, n=4)' })
    expect(lastRecord(task).interval).toMatchObject({ low: expect.closeTo(0.5101, 4), high: 1, confidence: 0.95, method: 'wilson' })
    expect(lastRecord(task).warnings?.[0]).toMatch(/n=4 is too small to tell 1 from 0\.90: the 95% interval 0\.5101–1 contains the threshold/)
    expect(lastRecord(task).model).toMatchObject({ name: 'keyword', runtime: 'function' })
  })
  test('fails with the tutorial-style message', async () => {
    await expect(expect(alwaysPositive).toMeetAccuracy(0.8, { on: clean, label: 'label' })).rejects.toThrow(/accuracy_threshold: Accuracy 0.5000 < 0.80 \(95% CI 0\.\d{4}–0\.\d{4}, n=4\)\n {2}Actual: 0.5, Threshold: 0.8/)
  })
  test('.not', async () => {
    await expect(alwaysPositive).not.toMeetAccuracy(0.8, { on: clean, label: 'label' })
    await expect(expect(keyword).not.toMeetAccuracy(0.8, { on: clean, label: 'label' })).rejects.toThrow(/required: actual < threshold, from \.not/)
  })
  test('with { confidence }, gates on the lower bound of the Wilson interval', async ({ task }) => {
    await expect(expect(keyword).toMeetAccuracy(0.8, { on: clean, label: 'label', confidence: 0.95 })).rejects.toThrow(/accuracy_threshold: Accuracy 1\.0000, lower 95% bound 0\.5101 < 0\.80 \(95% CI 0\.5101–1\.0000, n=4\)/)
    await expect(keyword).toMeetAccuracy(0.5, { on: clean, label: 'label', confidence: 0.95 })
    expect(lastRecord(task)).toMatchObject({ passed: true, gateOnInterval: true })
    await expect(alwaysPositive).not.toMeetAccuracy(0.99, { on: clean, label: 'label', confidence: 0.8 })
    expect(lastRecord(task).message).toMatch(/upper 80% bound 0\.\d{4} < 0\.99/)
  })
  test('refuses a missing dataset, a threshold that is not a fraction, and a missing label column', async () => {
    await expect(expect(keyword).toMeetAccuracy(0.8, {} as never)).rejects.toThrow(/needs \{ on: dataset, label: column \}/)
    await expect(expect(keyword).toMeetAccuracy(80, { on: clean, label: 'label' })).rejects.toThrow(/must be a fraction within 0 and 1, got 80/)
    await expect(expect(keyword).toMeetAccuracy(0.8, { on: clean, label: 'sentiment' })).rejects.toThrow(/no column 'sentiment'/)
    await expect(expect(clean).toMeetAccuracy(0.8, { on: clean, label: 'label' })).rejects.toThrow(/toMeetAccuracy expects a model, got a Dataset/)
  })
})

describe('toHaveP95LatencyBelow', () => {
  test('passes for a fast model and records p50, p95 and p99 from the kept samples', async ({ task }) => {
    await expect(keyword).toHaveP95LatencyBelow(50, { input: clean.head(1), warmup: 2, runs: 30 })
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'latency_p95', passed: true, unit: 'ms', n: 30, threshold: 50 })
    const details = record.details as { p50: number; p95: number; p99: number; samples: number[] }
    expect(details.samples).toHaveLength(30)
    expect(details.p50).toBeLessThanOrEqual(details.p95)
    expect(details.p95).toBeLessThanOrEqual(details.p99)
    expect(record.message).toMatch(/^P95 latency \d+\.\d\d ms ≤ 50 ms \(p50 \d+\.\d\d, p99 \d+\.\d\d; batch 1, 30 runs after 2 warm-up\)$/)
  })
  test('fails for a slow model', async () => {
    await expect(expect(slow).toHaveP95LatencyBelow(1, { input: clean.head(1), warmup: 1, runs: 10 })).rejects.toThrow(/latency_p95: P95 latency \d+\.\d\d ms > 1 ms/)
  })
  test('.not', async () => {
    await expect(slow).not.toHaveP95LatencyBelow(1, { input: clean.head(1), warmup: 1, runs: 5 })
    await expect(expect(keyword).not.toHaveP95LatencyBelow(1000, { input: clean.head(1), runs: 5 })).rejects.toThrow(/latency_p95/)
  })
  test('refuses a missing input and a non-positive limit', async () => {
    await expect(expect(keyword).toHaveP95LatencyBelow(50, {} as never)).rejects.toThrow(/needs \{ input: dataset \}/)
    await expect(expect(keyword).toHaveP95LatencyBelow(0, { input: clean })).rejects.toThrow(/positive number of milliseconds/)
    await expect(expect(keyword).toHaveP95LatencyBelow(50, { input: clean, runs: 0 })).rejects.toThrow(/runs 0 is not a whole number ≥ 1/)
  })
})

// 40 reviews: enough rows for a drop from 1.0 to 0.5 to be significant (McNemar: 20 discordant rows, p ≈ 2e-6).
const forty = await dataset(
  Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { text: `good ${i}`, label: 1 } : { text: `bad ${i}`, label: 0 })),
  { name: 'forty' },
)

describe('toNotRegressFrom', () => {
  test('passes when the candidate is better, recording both accuracies and the test', async ({ task }) => {
    await expect(keyword).toNotRegressFrom(alwaysPositive, { on: forty, label: 'label', maxDrop: 0.02 })
    expect(lastRecord(task)).toMatchObject({ name: 'no_regression', passed: true, actual: -0.5, baseline: 0.5, details: { metric: 'accuracy', candidate: 1, baseline: 0.5, test: 'mcnemar' } })
    expect(lastRecord(task).baselineModel).toMatchObject({ name: 'always-positive' })
  })
  test('fails when the drop exceeds maxDrop and is significant, with both accuracies, the drop and the p-value', async () => {
    await expect(expect(alwaysPositive).toNotRegressFrom(keyword, { on: forty, label: 'label', maxDrop: 0.1 })).rejects.toThrow(
      /no_regression: Accuracy 0.5000 vs baseline 1.0000: drop 0.5000 > max drop 0.10, significant \(McNemar p=1\.91e-6 < α 0\.05, n=40\)/,
    )
  })
  test('passes a drop the rows cannot tell from chance, and says so', async ({ task }) => {
    await expect(alwaysPositive).toNotRegressFrom(keyword, { on: clean, label: 'label', maxDrop: 0.1 })
    expect(lastRecord(task).message).toMatch(/drop 0\.5000 > max drop 0\.10 but not significant \(McNemar p=0\.500 ≥ α 0\.05, n=4\)/)
  })
  test('other metrics use a paired bootstrap', async ({ task }) => {
    await expect(expect(alwaysPositive).toNotRegressFrom(keyword, { on: forty, label: 'label', maxDrop: 0.1, metric: 'balanced_accuracy', seed: 1 })).rejects.toThrow(
      /Balanced accuracy 0\.5000 vs baseline 1\.0000: drop 0\.5000 > max drop 0\.10, significant \(paired bootstrap p=0\.00 < α 0\.05, n=40\)/,
    )
    await expect(keyword).toNotRegressFrom(alwaysPositive, { on: forty, label: 'label', maxDrop: 0, metric: 'log_loss' })
    expect(lastRecord(task)).toMatchObject({ passed: true, details: { metric: 'log_loss', test: 'bootstrap' } })
    await expect(expect(keyword).toNotRegressFrom(alwaysPositive, { on: forty, label: 'label', maxDrop: 0, metric: 'f1', test: 'mcnemar' })).rejects.toThrow(/McNemar's test compares accuracies, not f1/)
  })
  test('.not', async () => {
    await expect(alwaysPositive).not.toNotRegressFrom(keyword, { on: forty, label: 'label', maxDrop: 0.1 })
    await expect(expect(keyword).not.toNotRegressFrom(keyword, { on: forty, label: 'label', maxDrop: 0 })).rejects.toThrow(/no_regression/)
  })
  test('refuses a baseline that is not a model', async () => {
    await expect(expect(keyword).toNotRegressFrom('models/production', { on: clean, label: 'label', maxDrop: 0.02 })).rejects.toThrow(/toNotRegressFrom \(baseline\) expects a model, got 'models\/production'/)
  })
})
