import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, model, type Row, type SliceResult } from '../src/index.js'
import { fixturesDir, lastRecord } from './helpers.js'

// Matchers are registered by src/cli/setup.ts.

const species = ['Adelie', 'Chinstrap', 'Gentoo']
const features = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
const penguins = await dataset(
  (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()).filter((row) => row.bill_length_mm !== null).map((row) => ({ ...row, label: species.indexOf(String(row.species)) })),
  { name: 'penguins' },
)
const onnx = await model(join(fixturesDir, 'models', 'penguins.onnx'), { features })
/** The ONNX model, except that it says Adelie for every penguin from Dream: wrong on one slice only. */
const blindOnDream = await model(
  async (rows: Row[]) => {
    const scores = await onnx.predictRows(rows)
    return rows.map((row, i) => (row.island === 'Dream' ? [1, 0, 0] : Array.from(scores.values.subarray(i * 3, i * 3 + 3))))
  },
  { name: 'blind-on-dream' },
)

describe('{ by } on toMeetAccuracy and toMeetMetric', () => {
  test('passes when no slice is significantly below the threshold, with each slice in the record', async ({ task }) => {
    await expect(onnx).toMeetAccuracy(0.9, { on: penguins, label: 'label', by: 'island' })
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'accuracy_by_island', passed: true, actual: 0 })
    const slices = (record.details as { slices: SliceResult[] }).slices
    expect(slices.map((slice) => [slice.slice, slice.n])).toEqual([
      ['Biscoe', 167],
      ['Dream', 124],
      ['Torgersen', 51],
    ])
    expect(record.message).toMatch(/^Accuracy by island: no slice significantly below 0\.90: Biscoe \d\.\d{4} \(n=167\), Dream \d\.\d{4} \(n=124\), Torgersen \d\.\d{4} \(n=51\) \(Holm, α 0\.05\)$/)
  })

  test('fails the slice that is significantly below, with its Holm-adjusted p-value', async () => {
    await expect(expect(blindOnDream).toMeetAccuracy(0.9, { on: penguins, label: 'label', by: 'island' })).rejects.toThrow(
      /accuracy_by_island: Accuracy by island: 1 of 3 slices significantly below 0\.90: Dream 0\.4516 \(n=124, Holm p=[\d.e-]+\)/,
    )
    await expect(blindOnDream).not.toMeetAccuracy(0.9, { on: penguins, label: 'label', by: 'island' })
  })

  test('small slices are reported, not gated; a slice just under the threshold is not failed without evidence', async ({ task }) => {
    await expect(onnx).toMeetAccuracy(0.97, { on: penguins, label: 'label', by: 'island', minSliceSize: 60 })
    expect(lastRecord(task).message).toMatch(/Dream 0\.9597 \(n=124\).*not gated: Torgersen \(51 rows < 60\)/)
  })

  test('other metrics use a bootstrap p-value per slice', async ({ task }) => {
    await expect(expect(blindOnDream).toMeetMetric('balanced_accuracy', 0.9, { on: penguins, label: 'label', by: 'island', resamples: 200, seed: 1 })).rejects.toThrow(
      /balanced_accuracy_by_island: Balanced accuracy by island: 1 of 3 slices significantly below 0\.90: Dream/,
    )
    await expect(onnx).toMeetMetric('f1', 0.9, { on: penguins, label: 'label', by: 'island', average: 'macro', resamples: 200 })
    expect(lastRecord(task).passed).toBe(true)
  })

  test('refuses an unknown slice column, and slices in toNotRegressFrom', async () => {
    await expect(expect(onnx).toMeetAccuracy(0.9, { on: penguins, label: 'label', by: 'colony' })).rejects.toThrow(/no column 'colony'/)
    await expect(expect(onnx).toMeetAccuracy(0.9, { on: penguins, label: 'label', by: 'island', minSliceSize: 500 })).rejects.toThrow(/no slice of 'island' has 500 rows or more/)
    await expect(expect(onnx).toNotRegressFrom(blindOnDream, { on: penguins, label: 'label', maxDrop: 0, by: 'island' })).rejects.toThrow(/does not compare slices yet/)
  })
})
