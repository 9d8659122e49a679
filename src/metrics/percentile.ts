import { checkSamples } from './validate.js'

/**
 * The q-th percentile (0–100) with linear interpolation between the closest ranks:
 * h = (n − 1)·q/100, P = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋₊₁₎ − x₍⌊h⌋₎) on the sorted samples.
 * (numpy.percentile's default method, "linear", which the tutorial's latency test uses.)
 */
export function percentile(samples: ArrayLike<number>, q: number): number {
  return percentiles(samples, [q])[0]
}

/** Several percentiles of the same samples, sorting once. */
export function percentiles(samples: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = checkSamples(samples, 'percentile')
  const sorted = Float64Array.from(samples).sort()
  return qs.map((q) => {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be within 0 and 100, got ${q}`)
    const h = ((n - 1) * q) / 100
    const low = Math.floor(h)
    const high = Math.min(low + 1, n - 1)
    return sorted[low] + (h - low) * (sorted[high] - sorted[low])
  })
}
