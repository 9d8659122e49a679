import { Bench } from 'tinybench'
import { ModeltestError } from '../errors.js'
import { percentiles } from '../metrics/percentile.js'

export interface LatencyOptions {
  /** Calls made and discarded before measuring (JIT, first-call allocations); 10 by default, as the tutorial. */
  warmup?: number
  /** Calls measured; 100 by default, as the tutorial. */
  runs?: number
}

export interface LatencySummary {
  runs: number
  warmup: number
  p50: number
  p95: number
  p99: number
  mean: number
  /** Every measured call in milliseconds, sorted ascending. */
  samples: number[]
}

/**
 * Times `fn` with tinybench: `warmup` discarded calls, then exactly `runs` measured ones, samples kept.
 * Percentiles come from the kept samples (tinybench itself reports no p95), linear interpolation.
 */
export async function measureLatency(fn: () => Promise<unknown>, options: LatencyOptions = {}): Promise<LatencySummary> {
  const warmup = options.warmup ?? 10
  const runs = options.runs ?? 100
  if (!Number.isInteger(warmup) || warmup < 0) throw new ModeltestError({ what: `warmup ${warmup} is not a whole number ≥ 0`, fix: 'Pass { warmup: 10 } or leave it out.' })
  if (!Number.isInteger(runs) || runs < 1) throw new ModeltestError({ what: `runs ${runs} is not a whole number ≥ 1`, fix: 'Pass { runs: 100 } or leave it out.' })
  const bench = new Bench({
    iterations: runs,
    time: 0,
    warmup: warmup > 0,
    warmupIterations: warmup,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  })
  bench.add('predict', fn)
  const [task] = await bench.run()
  const result = task.result as { latency?: { samples?: ArrayLike<number>; mean: number } }
  const samples = Array.from(result.latency?.samples ?? [])
  if (samples.length === 0) throw new Error('tinybench kept no samples')
  const [p50, p95, p99] = percentiles(samples, [50, 95, 99])
  return { runs: samples.length, warmup, p50, p95, p99, mean: result.latency!.mean, samples }
}
