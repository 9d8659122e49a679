import { describe, expect, test } from 'vitest'
import { dataset, driftCheck, mulberry32, type ColumnDrift } from '../src/index.js'

/** n draws of N(shift, 1), seeded (Box–Muller). */
function normals(n: number, shift: number, seed: number): { x: number }[] {
  const random = mulberry32(seed)
  return Array.from({ length: n }, () => ({ x: shift + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) }))
}

/** Rows of a category column with exactly these counts. */
function categories(counts: Record<string, number>): { c: string }[] {
  return Object.entries(counts).flatMap(([value, count]) => Array.from({ length: count }, () => ({ c: value })))
}

const column = (record: { details?: unknown }) => (record.details as { columns: ColumnDrift[] }).columns[0]

describe('the default drift tests: significant and at least a minimum effect, at every n', () => {
  const n = 20_000
  test('a 0.1 sd shift is caught on 20,000 rows a side (the old Wasserstein > 0.1 default caught it about half the time)', async () => {
    const record = await driftCheck(await dataset(normals(n, 0.1, 2)), await dataset(normals(n, 0, 1)))
    const x = column(record)
    expect(record.passed).toBe(false)
    expect(x).toMatchObject({ test: 'ks', drifted: true })
    expect(x.pValue).toBeLessThan(1e-6)
    expect(x.effect).toBeGreaterThan(0.08)
    expect(x.effect).toBeLessThan(0.12)
  })

  test('identical distributions are not flagged, and the record states the smallest shift detectable at this n', async () => {
    const reference = normals(n, 0, 3)
    const record = await driftCheck(await dataset(normals(n, 0, 4)), await dataset(reference))
    const x = column(record)
    expect(record.passed).toBe(true)
    expect(x.drifted).toBe(false)
    // In the column's units: 0.05 reference sd, and at 80% power max(√(π/2)·(z.975 + z.8)·SE, 0.05 sd + z.8·SE), SE = sd·√(2/n).
    const mean = reference.reduce((sum, row) => sum + row.x, 0) / n
    const sd = Math.sqrt(reference.reduce((sum, row) => sum + (row.x - mean) ** 2, 0) / n)
    const se = sd * Math.sqrt(2 / n)
    expect(x.minEffect).toBeCloseTo(0.05 * sd, 12)
    expect(x.detectable).toBeCloseTo(Math.max(Math.sqrt(Math.PI / 2) * (1.959963984540054 + 0.8416212335729143) * se, 0.05 * sd + 0.8416212335729143 * se), 12)
    expect(record.message).toMatch(/^No drift in 1 column: x ks 0\.\d{4} p=[\d.]+ shift 0\.\d+ \(min 0\.0\d+, detectable 0\.0\d+\)$/)
  })

  test('a top class falling from 40% to 34% is caught on 5,000 rows (the old Jensen–Shannon > 0.1 default never caught it)', async () => {
    const reference = await dataset(categories({ a: 2000, b: 1500, c: 1000, d: 500 }))
    const record = await driftCheck(await dataset(categories({ a: 1700, b: 1600, c: 1100, d: 600 })), reference)
    expect(column(record)).toMatchObject({ test: 'chi2', drifted: true, minEffect: 0.02 })
    expect(column(record).effect).toBeCloseTo(0.06, 12)
  })

  test('a significant change below the minimum effect (1 point of share on 50,000 rows) is not drift', async () => {
    const reference = await dataset(categories({ a: 20_000, b: 15_000, c: 10_000, d: 5_000 }))
    const record = await driftCheck(await dataset(categories({ a: 19_500, b: 15_250, c: 10_125, d: 5_125 })), reference)
    const c = column(record)
    expect(c.pValue).toBeLessThan(0.05)
    expect(c.effect).toBeCloseTo(0.01, 12)
    expect(c.drifted).toBe(false)
    expect(record.passed).toBe(true)
  })

  test('a test named in the options keeps its own threshold, without the minimum effect', async () => {
    const record = await driftCheck(await dataset(normals(2000, 0.1, 2)), await dataset(normals(2000, 0, 1)), { test: 'wasserstein' })
    expect(column(record)).toMatchObject({ test: 'wasserstein', threshold: 0.1 })
    expect(column(record).minEffect).toBeUndefined()
  })
})
