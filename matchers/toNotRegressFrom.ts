import type { MatcherState } from 'vitest'
import { regressionCheck, type RegressionOptions } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toNotRegressFrom(production, { on: holdout, label: 'label', maxDrop: 0.02 })`. */
export async function toNotRegressFrom(this: MatcherState, received: unknown, baseline: unknown, options: RegressionOptions) {
  const model = expectModel(received, 'toNotRegressFrom')
  const reference = expectModel(baseline, 'toNotRegressFrom (baseline)')
  return recordCheck(this, await regressionCheck(model, reference, options, this.isNot))
}
