import type { MatcherState } from 'vitest'
import { accuracyCheck, type EvaluationOptions } from '../src/index.js'
import { expectModel, recordCheck } from './shared.js'

/** `await expect(candidate).toMeetAccuracy(0.8, { on: holdout, label: 'label' })`: accuracy on these rows ≥ min. */
export async function toMeetAccuracy(this: MatcherState, received: unknown, min: number, options: EvaluationOptions) {
  const model = expectModel(received, 'toMeetAccuracy')
  return recordCheck(this, await accuracyCheck(model, min, options, this.isNot))
}
