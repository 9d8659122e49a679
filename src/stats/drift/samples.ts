/**
 * What the sample and count statistics read: the two guards every statistic starts with (bad input throws a
 * ModeltestError that names the statistic), and the walk over the pooled sorted sample that KS and
 * Wasserstein share.
 */
import { ModeltestError } from '../../errors.js'

/** The shared guard of sample statistics: at least one value, every value finite. Returns n. */
export function checkSample(values: ArrayLike<number>, side: string, statistic: string): number {
  if (values.length === 0) {
    throw new ModeltestError({ what: `${statistic}: the ${side} sample is empty`, fix: 'Compare samples with at least one value on each side.' })
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ModeltestError({ what: `${statistic}: ${side} value ${i} is ${values[i]}`, fix: 'Drop or impute missing and infinite values before comparing distributions.' })
    }
  }
  return values.length
}

/**
 * The shared guard of count statistics: the same number of bins on both sides (at least one),
 * every count finite and ≥ 0, and a positive total on each side. Returns the number of bins.
 */
export function checkCounts(reference: ArrayLike<number>, current: ArrayLike<number>, statistic: string): number {
  if (reference.length !== current.length) {
    throw new ModeltestError({ what: `${statistic}: ${reference.length} reference counts but ${current.length} current counts`, fix: 'Give one count per bin or category, aligned by index, on both sides.' })
  }
  if (reference.length === 0) throw new ModeltestError({ what: `${statistic}: no bins to compare`, fix: 'Give at least one bin or category.' })
  for (const [side, counts] of [
    ['reference', reference],
    ['current', current],
  ] as const) {
    let total = 0
    for (let i = 0; i < counts.length; i++) {
      if (!(Number.isFinite(counts[i]) && counts[i] >= 0)) {
        throw new ModeltestError({ what: `${statistic}: ${side} count ${i} is ${counts[i]}`, fix: 'Counts must be finite numbers ≥ 0.' })
      }
      total += counts[i]
    }
    if (!(total > 0)) throw new ModeltestError({ what: `${statistic}: the ${side} counts add up to 0`, fix: 'Each side needs at least one observation.' })
  }
  return reference.length
}

/**
 * Visits each distinct value of the pooled sample in increasing order with both empirical CDFs
 * there, F(v) = (count of values ≤ v) / n: the walk that KS and Wasserstein share.
 */
export function forEachPooledValue(reference: ArrayLike<number>, current: ArrayLike<number>, visit: (value: number, cdf1: number, cdf2: number) => void): void {
  const a = Float64Array.from(reference).sort()
  const b = Float64Array.from(current).sort()
  for (let i = 0, j = 0; i < a.length || j < b.length;) {
    const value = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j]
    while (i < a.length && a[i] <= value) i++
    while (j < b.length && b[j] <= value) j++
    visit(value, i / a.length, j / b.length)
  }
}
