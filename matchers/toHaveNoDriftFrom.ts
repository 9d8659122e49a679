import type { MatcherState } from 'vitest'
import { driftCheck, type DriftOptions } from '../src/index.js'
import { expectDataset, recordCheck } from './shared.js'

/** `await expect(current).toHaveNoDriftFrom(reference, { columns: ['age'], test: 'psi' })`: no column's distribution moved beyond the test's threshold. */
export async function toHaveNoDriftFrom(this: MatcherState, received: unknown, reference: unknown, options: DriftOptions = {}) {
  const data = expectDataset(received, 'toHaveNoDriftFrom')
  const base = expectDataset(reference, 'toHaveNoDriftFrom (reference)')
  return recordCheck(this, await driftCheck(data, base, options, this.isNot))
}
