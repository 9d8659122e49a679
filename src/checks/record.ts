import { ModeltestError, listNames } from '../errors.js'
import { describeValue } from '../guard.js'
import { schemaProblem } from '../json-schema.js'
import { reportSchema } from '../report-schema.js'
import type { Interval } from '../stats/intervals.js'
import type { Plot } from './plots.js'

/** How `actual` must compare to `threshold` for a check to pass. */
export type Comparator = '>=' | '>' | '<=' | '<' | '=='

/** The groups reports list checks in. */
export const CHECK_KINDS = ['data', 'model', 'deploy'] as const
export type CheckKind = (typeof CHECK_KINDS)[number]

/** A dataset or model a check looked at, as reports list them. */
export interface Subject {
  name: string
  hash: string
  /** Rows, for a dataset. */
  rows?: number
  /** Runtime and backend, for a model (`tfjs-layers on wasm`). */
  runtime?: string
}

/** The one record every check produces; every reporter renders these and nothing else. */
export interface CheckRecord {
  /** What was checked, in the tutorial's names: `accuracy_threshold`, `latency_p95`, `null_check`. */
  name: string
  kind: CheckKind
  passed: boolean
  actual: number
  threshold: number
  /** The relation that had to hold for `passed` (already turned around for `.not`). */
  comparator: Comparator
  /** One line in the tutorial's form: `Accuracy 0.8123 ≥ 0.80 (n=600)`. */
  message: string
  unit?: string
  /** Rows or runs behind `actual`. */
  n?: number
  /** The baseline model's value of the compared metric, for comparisons against another model (the candidate's is `details.candidate`). */
  baseline?: number
  /** A confidence interval around `actual`. */
  interval?: Interval
  /** Whether the gate compared the interval's bound (the one on the side of the requirement) instead of `actual`. */
  gateOnInterval?: boolean
  /**
   * A paired test behind a comparison: the requirement then fails only when the relation fails
   * and the difference is significant (p < alpha).
   */
  significance?: { test: string; pValue: number; alpha: number }
  /** Things a reader should know although the check passed or failed as stated (too few rows to tell). */
  warnings?: string[]
  details?: Record<string, unknown>
  /** Pictures of the check (confusion matrix, curves, histograms) for the HTML report. */
  plots?: Plot[]
  /** Where the assertion is written: the file relative to the repository root, for annotations on pull requests. */
  location?: { file: string; line: number; column?: number }
  /**
   * The same check in the baseline report (`--baseline-report`): its value and verdict. Absent when
   * there is no baseline report or the check is new since it.
   */
  previous?: { actual: number; passed: boolean }
  data?: Subject
  model?: Subject
  baselineModel?: Subject
}

export type CheckSpec = Omit<CheckRecord, 'passed'>

/**
 * Completes a check: passed when `actual comparator threshold` holds. With `negate` (the matcher's
 * `.not`), the requirement is the opposite relation, and passed is its truth. With `gateOnInterval`,
 * the interval's bound on the requirement's side is compared instead (the lower bound for ≥): the
 * check passes only when the whole interval clears the threshold. An interval that contains the
 * threshold adds a warning: the data cannot tell the metric from the threshold.
 *
 * The check's message states what was found in the words of the positive requirement ("Sample
 * count OK: 3 ≥ 1"); under `.not` it is led by the verdict and the requirement `.not` sets, so
 * that a failed `.not` never reads as "OK".
 */
export function makeCheck(spec: CheckSpec, negate = false): CheckRecord {
  const comparator = negate ? opposite(spec.comparator) : spec.comparator
  const { interval } = spec
  const compared = spec.gateOnInterval && interval ? (comparator.startsWith('>') ? interval.low : interval.high) : spec.actual
  const warnings = [...(spec.warnings ?? [])]
  if (interval && interval.low <= spec.threshold && spec.threshold <= interval.high) {
    warnings.push(
      `${spec.n !== undefined ? `n=${spec.n} is` : 'the sample is'} too small to tell ${formatNumber(spec.actual)} from ${formatThreshold(spec.threshold)}: the ${Math.round(interval.confidence * 100)}% interval ${formatNumber(interval.low)}–${formatNumber(interval.high)} contains the threshold`,
    )
  }
  const relation = holds(compared, comparator, spec.threshold)
  const significant = spec.significance ? spec.significance.pValue < spec.significance.alpha : true
  // With a test behind it, the unwanted outcome (a regression) must be both past the threshold and significant.
  const passed = spec.significance ? (negate ? relation && significant : relation || !significant) : relation
  const message = negate
    ? `${passed ? 'Passes' : 'Fails'} .not, which requires ${COMPARATOR_SYMBOL[comparator]} ${Number.isInteger(spec.threshold) ? spec.threshold : formatThreshold(spec.threshold)}: ${lowerFirst(spec.message)}`
    : spec.message
  return { ...spec, comparator, passed, message, ...(warnings.length > 0 ? { warnings } : {}) }
}

const COMPARATORS: readonly Comparator[] = ['>=', '>', '<=', '<', '==']

/**
 * Refuses a check record that reports could not render or that would misreport: a missing name, an
 * unknown kind or comparator, a threshold or actual that is not a number, a verdict that is not a
 * boolean. `actual` must be finite, except NaN for a failed check that could not be measured (a
 * canary with no successful invocation): it is `null` in the JSON report.
 */
export function validateCheck(record: unknown): CheckRecord {
  const fields = (record ?? {}) as Partial<Record<keyof CheckRecord, unknown>>
  const name = typeof fields.name === 'string' && fields.name !== '' ? fields.name : undefined
  const where = name ? `check '${name}'` : 'a check record'
  const refuse = (what: string, fix: string): never => {
    throw new ModeltestError({ what, where, fix })
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) refuse(`the record must be an object, got ${describeValue(record)}`, 'Return { actual, threshold, comparator, message } from the check.')
  if (!name) refuse(`name must be a non-empty string, got ${describeValue(fields.name)}`, "Name the check as reports list it: { name: 'fairness_gap' }.")
  if (!CHECK_KINDS.includes(fields.kind as CheckKind)) refuse(`kind ${describeValue(fields.kind)} is not one of ${listNames(CHECK_KINDS)}`, "Write kind: 'model' for a check of a model, 'data' for a check of a dataset.")
  if (!COMPARATORS.includes(fields.comparator as Comparator)) refuse(`comparator ${describeValue(fields.comparator)} is not one of ${listNames(COMPARATORS)}`, "Write comparator: '<=' when actual must stay at most the threshold.")
  if (typeof fields.threshold !== 'number' || Number.isNaN(fields.threshold)) refuse(`threshold must be a number, got ${describeValue(fields.threshold)}`, 'Pass the number actual is compared with.')
  if (typeof fields.passed !== 'boolean') refuse(`passed must be true or false, got ${describeValue(fields.passed)}`, 'Complete the record with makeCheck(spec), which sets passed from actual, comparator and threshold.')
  const unmeasured = Number.isNaN(fields.actual) && fields.passed === false
  if (typeof fields.actual !== 'number' || !(Number.isFinite(fields.actual) || unmeasured))
    refuse(`actual must be a finite number, got ${describeValue(fields.actual)}`, 'Return the measured value as a finite number; a check that cannot be measured should throw a ModeltestError saying why.')
  if (typeof fields.message !== 'string') refuse(`message must be a string, got ${describeValue(fields.message)}`, "Word the finding in one line: 'Accuracy gap 0.0312 ≤ 0.05'.")
  // The rest as the JSON report will hold it (undefined left out, NaN as null): the reporters read nothing else.
  const root = reportSchema()
  const problem = schemaProblem(JSON.parse(JSON.stringify(record)), root.$defs!.check, root)
  if (problem) refuse(`the record does not fit modeltest's report (${problem})`, 'Give its fields the types of CheckRecord: an interval as { low, high, confidence, method }, n as a number, details as an object.')
  return record as CheckRecord
}

function lowerFirst(text: string): string {
  // Names and abbreviations (P95, ROC AUC) keep their capitals.
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4)
}

function holds(actual: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case '>=':
      return actual >= threshold
    case '>':
      return actual > threshold
    case '<=':
      return actual <= threshold
    case '<':
      return actual < threshold
    case '==':
      return actual === threshold
  }
}

/** A comparator as people write it: ≥ for >=. */
export const COMPARATOR_SYMBOL: Record<Comparator, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=' }

const OPPOSITE: Record<Comparator, Comparator> = { '>=': '<', '>': '<=', '<=': '>', '<': '>=', '==': '==' }

function opposite(comparator: Comparator): Comparator {
  if (comparator === '==') throw new Error('an equality check has no single opposite relation')
  return OPPOSITE[comparator]
}

function relation(actual: number, threshold: number): string {
  return actual > threshold ? '>' : actual === threshold ? '=' : '<'
}

/**
 * The symbol for how actual and threshold relate, as messages print it (`0.81 ≥ 0.80`, `61.2 > 50`):
 * `≥`/`≤` where the required relation is inclusive and holds.
 */
export function relationFor(actual: number, threshold: number, comparator: Comparator): string {
  const symbol = relation(actual, threshold)
  if (symbol === '=') return comparator.startsWith('>') ? '≥' : comparator.startsWith('<') ? '≤' : '='
  if (symbol === '>' && comparator === '>=') return '≥'
  if (symbol === '<' && comparator === '<=') return '≤'
  return symbol
}

/**
 * A measured value against its threshold, to `decimals` places, with more while it would read as the
 * threshold although it differs: 0.999995 against 1 is `0.999995`, not `1.0000`.
 */
export function formatAgainst(value: number, threshold: number, decimals = 4): string {
  let text = value.toFixed(decimals)
  for (let more = decimals + 1; value !== threshold && Number(text) === threshold && more <= 20; more++) text = value.toFixed(more)
  return text
}

/** A threshold as written by people: at least two decimals for fractions (0.8 → 0.80). */
export function formatThreshold(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1) return String(value)
  const text = String(value)
  const decimals = text.includes('.') ? text.split('.')[1].length : 0
  return value.toFixed(Math.max(2, Math.min(decimals, 6)))
}

/**
 * A p-value as messages print it: three significant digits, exponent form below 0.001. Given the α it is
 * compared with, more digits while the two would read the same (p = 0.04996 against α 0.05 is not `0.0500`).
 */
export function formatPValue(p: number, alpha?: number): string {
  for (let digits = 3; digits < 17; digits++) {
    const text = p !== 0 && p < 0.001 ? p.toExponential(digits - 1) : p.toPrecision(digits)
    if (alpha === undefined || p === alpha || Number(text) !== alpha) return text
  }
  return String(p)
}
