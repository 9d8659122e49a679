/**
 * The drift tests `toHaveNoDriftFrom({ test })` can name, by name: the built-in ones and those a user
 * registers with `registerDriftTest` (the same path), as Evidently's `register_stattest` does.
 */
import { ModeltestError, isModeltestError } from '../errors.js'
import { checkChoice, checkNumber, checkOptionKeys, describeValue } from '../guard.js'
import { chiSquareHomogeneity, jensenShannonDistance, ksTwoSample, populationStabilityIndex, standardDeviation, wassersteinDistance } from '../stats/drift.js'

/**
 * A drift test's verdict on one column. With a `pValue` the column drifted when pValue < threshold (the
 * threshold is the significance level α); without one, `statistic` is a distance and the column drifted
 * when statistic > threshold.
 */
export interface DriftTestResult {
  statistic: number
  pValue?: number
}

/**
 * A drift test. `numeric` tests get the two samples' values (numeric columns only). `categorical` tests get
 * counts per category, aligned by index (categorical columns only); `both` tests get counts too, and on a
 * numeric column counts per bin of the reference's deciles.
 */
export type DriftTestDefinition =
  | { kind: 'numeric'; compute: (reference: Float64Array, current: Float64Array) => DriftTestResult; defaultThreshold: number }
  | { kind: 'categorical' | 'both'; compute: (referenceCounts: number[], currentCounts: number[]) => DriftTestResult; defaultThreshold: number }

const KINDS = ['numeric', 'categorical', 'both'] as const
const registry = new Map<string, DriftTestDefinition>()
/** The built-in tests' names, set once they are registered: a user's test cannot replace them. */
let builtIn: ReadonlySet<string> = new Set()

/** The default tests: by column type (see driftCheck). */
export const DEFAULT_NUMERIC_TEST = 'ks'
export const DEFAULT_CATEGORICAL_TEST = 'chi2'

/**
 * Registers a drift test under `name`, for `toHaveNoDriftFrom(reference, { test: name })`. Registering a
 * name again replaces the test (a test file that runs twice in one worker registers twice); the
 * built-in names cannot be replaced.
 *
 *     registerDriftTest('mean-shift', { kind: 'numeric', defaultThreshold: 0.5, compute: (reference, current) => ({ statistic: Math.abs(mean(current) - mean(reference)) }) })
 */
export function registerDriftTest(name: string, definition: DriftTestDefinition): void {
  const where = 'registerDriftTest'
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new ModeltestError({ what: `${where}: the name must be letters, digits, '-', '_' or '.', got ${describeValue(name)}`, fix: "Name it like the built-in tests: 'mean-shift'." })
  if (builtIn.has(name)) throw new ModeltestError({ what: `${where}: '${name}' is a built-in drift test and cannot be replaced`, fix: 'Register yours under another name.' })
  if (definition === null || typeof definition !== 'object')
    throw new ModeltestError({ what: `${where}: the definition of '${name}' must be an object, got ${describeValue(definition)}`, fix: "Pass { kind: 'numeric', compute, defaultThreshold }." })
  checkOptionKeys(definition, ['kind', 'compute', 'defaultThreshold'], `${where}('${name}')`)
  if (definition.kind === undefined) throw new ModeltestError({ what: `${where}('${name}'): kind is missing`, fix: "Say what the test compares: kind: 'numeric' (values), 'categorical' (counts per category) or 'both'." })
  checkChoice(definition.kind, KINDS, 'kind', `${where}('${name}')`)
  if (typeof definition.compute !== 'function')
    throw new ModeltestError({ what: `${where}('${name}'): compute must be a function, got ${describeValue(definition.compute)}`, fix: 'Pass compute: (reference, current) => ({ statistic, pValue? }).' })
  checkNumber(definition.defaultThreshold, 'defaultThreshold', `${where}('${name}')`, { min: 0 })
  registry.set(name, definition)
}

/** The registered drift tests' names: the built-in ones first, in their order. */
export function driftTestNames(): string[] {
  return [...registry.keys()]
}

/** The registered test called `name` (checked by driftCheck's guard first). */
export function driftTest(name: string): DriftTestDefinition {
  return registry.get(name)!
}

/**
 * Runs a drift test on one column and checks what it returned: a finite statistic, and a p-value in [0, 1]
 * when there is one. A user's test that throws is named in the error; the built-ins throw ModeltestErrors.
 */
export function runDriftTest(name: string, column: string, reference: ArrayLike<number>, current: ArrayLike<number>): DriftTestResult {
  const definition = driftTest(name)
  const where = `toHaveNoDriftFrom, column '${column}'`
  let result: DriftTestResult
  try {
    result = (definition.compute as (reference: ArrayLike<number>, current: ArrayLike<number>) => DriftTestResult)(reference, current)
  } catch (error) {
    if (isModeltestError(error)) throw error
    throw new ModeltestError({ what: `the drift test '${name}' threw: ${(error as Error)?.message ?? String(error)}`, where, fix: `Fix the compute function registered as '${name}'.` })
  }
  const statistic = result?.statistic
  const pValue = result?.pValue
  if (typeof statistic !== 'number' || !Number.isFinite(statistic) || (pValue !== undefined && !(typeof pValue === 'number' && pValue >= 0 && pValue <= 1))) {
    throw new ModeltestError({
      what: `the drift test '${name}' returned ${describeValue(result)}, not a finite statistic with an optional p-value in [0, 1]`,
      where,
      fix: `Make compute return { statistic: number, pValue?: number }: a p-value makes it a significance test (drift when p < threshold), none makes the statistic a distance (drift when above the threshold).`,
    })
  }
  return pValue === undefined ? { statistic } : { statistic, pValue }
}

// The built-in tests, registered as a user's are (in the order their names are listed in).
registerDriftTest('psi', { kind: 'both', defaultThreshold: 0.2, compute: (reference, current) => ({ statistic: populationStabilityIndex(reference, current) }) })
registerDriftTest(DEFAULT_NUMERIC_TEST, { kind: 'numeric', defaultThreshold: 0.05, compute: (reference, current) => ksTwoSample(reference, current) })
registerDriftTest(DEFAULT_CATEGORICAL_TEST, { kind: 'both', defaultThreshold: 0.05, compute: (reference, current) => chiSquareHomogeneity(reference, current) })
registerDriftTest('jensen-shannon', { kind: 'both', defaultThreshold: 0.1, compute: (reference, current) => ({ statistic: jensenShannonDistance(reference, current) }) })
registerDriftTest('wasserstein', {
  kind: 'numeric',
  defaultThreshold: 0.1,
  compute: (reference, current) => {
    const spread = standardDeviation(reference)
    // Normalised by the reference's standard deviation, so one threshold serves every unit.
    return { statistic: wassersteinDistance(reference, current) / (spread > 0 ? spread : 1) }
  },
})
builtIn = new Set(driftTestNames())
