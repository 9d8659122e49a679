import { ModeltestError } from '../errors.js'

/** The shared guard of paired metrics: both sides the same length, at least one pair. Returns n. */
export function checkPaired(labels: ArrayLike<number>, predicted: ArrayLike<number>, metric: string): number {
  if (labels.length !== predicted.length) {
    throw new ModeltestError({ what: `${metric}: ${labels.length} labels but ${predicted.length} predictions`, fix: 'Give one prediction per labelled row.' })
  }
  if (labels.length === 0) throw new ModeltestError({ what: `${metric}: no rows to score`, fix: 'Evaluate on a dataset with at least one row.' })
  return labels.length
}

/** The shared guard of sample statistics: at least one finite value. */
export function checkSamples(samples: ArrayLike<number>, statistic: string): number {
  if (samples.length === 0) throw new ModeltestError({ what: `${statistic}: no samples`, fix: 'Measure at least one run.' })
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new ModeltestError({ what: `${statistic}: sample ${i} is ${samples[i]}`, fix: 'Samples must be finite numbers.' })
  }
  return samples.length
}
