import { expect, type MatcherState } from 'vitest'
import { ModeltestError, formatAgainst, formatThreshold, makeCheck, relationFor, validateCheck, type CheckKind, type CheckSpec } from '../src/index.js'
import { describeValue } from '../src/guard.js'
import { notingCallSite, recordCheck, requireAwait, withCallSite } from './shared.js'

/** What a user's check finds: the record's fields but its name and kind (the definition's), and `passed` (compared from these). */
export type CheckOutcome = Omit<CheckSpec, 'name' | 'kind' | 'message'> & {
  /** One line in the tutorial's form; `name actual ≤ threshold` when left out. */
  message?: string
}

export interface CheckDefinition<Args extends unknown[]> {
  /** The record's name, as every report lists it: `fairness_gap`. */
  name: string
  /** The group reports list it in. */
  kind: CheckKind
  /** Measures the received value (the model or dataset given to expect) against the matcher's arguments. */
  evaluate: (received: unknown, ...args: Args) => CheckOutcome | Promise<CheckOutcome>
}

type CheckMatcher<Args extends unknown[]> = (this: MatcherState, received: unknown, ...args: Args) => Promise<{ pass: boolean; message: () => string }>

/**
 * A matcher of a user's own check whose result is a check record like a built-in matcher's: the
 * console, JUnit, JSON, HTML and Markdown reports, baseline deltas and pull-request annotations show
 * it. `.not` turns the comparator around, as for the built-in matchers. Register it with
 * registerChecks (or vitest's expect.extend) and await it.
 *
 *     const toHaveAccuracyGapBelow = defineCheck({ name: 'fairness_gap', kind: 'model', evaluate: async (model, maxGap: number) => ({ actual: gap, threshold: maxGap, comparator: '<=' }) })
 *     registerChecks({ toHaveAccuracyGapBelow })
 */
export function defineCheck<Args extends unknown[]>(definition: CheckDefinition<Args>): CheckMatcher<Args> {
  const { name, kind, evaluate } = definition ?? {}
  // A definition the records would refuse is refused here, where it is written, and not at its first use.
  validateCheck({ name, kind, comparator: '>=', threshold: 0, actual: 0, passed: true, message: '' })
  if (typeof evaluate !== 'function') {
    throw new ModeltestError({ what: `evaluate must be a function, got ${describeValue(evaluate)}`, where: `defineCheck '${name}'`, fix: 'Pass evaluate: (received, ...args) => ({ actual, threshold, comparator }).' })
  }
  return notingCallSite(async function (this: MatcherState, received: unknown, ...args: Args) {
    const outcome = await evaluate(received, ...args)
    // Validated before makeCheck, whose comparison would turn a missing comparator or a NaN into a plain fail.
    const spec = validateCheck({ message: '', ...outcome, name, kind, passed: true })
    if (this.isNot && spec.comparator === '==') {
      throw new ModeltestError({ what: "an equality check ('==') has no single opposite for .not", where: `check '${name}'`, fix: "Use '<=' or '>=' with .not, or leave out .not." })
    }
    const message = outcome.message ?? `${name} ${formatAgainst(spec.actual, spec.threshold)} ${relationFor(spec.actual, spec.threshold, spec.comparator)} ${formatThreshold(spec.threshold)}`
    return recordCheck(this, makeCheck({ ...outcome, name, kind, message }, this.isNot))
  })
}

/**
 * Registers matchers with vitest's expect, each noting where it is called (for annotations) and each
 * one a test must await (a check left pending is otherwise dropped with its verdict when its test
 * ends). The preset registers the built-in matchers this way; a test file or a setup file registers
 * its own checks with it.
 */
export function registerChecks(matchers: Record<string, (this: MatcherState, received: unknown, ...args: never[]) => unknown>): void {
  expect.extend(withCallSite(matchers) as Parameters<typeof expect.extend>[0])
  requireAwait(Object.keys(matchers))
}
