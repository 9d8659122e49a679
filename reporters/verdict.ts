import { formatValue, formatValues } from '../src/report.js'
import { formatPValue, relationFor, type CheckRecord } from '../src/checks/record.js'

/** A check's value against its threshold, short enough for a test name: `accuracy_threshold 0.8258 ≥ 0.8`. */
export function briefVerdict(check: CheckRecord): string {
  const [actual, threshold] = formatValues(check.actual, check.threshold)
  const unit = check.unit ? ` ${check.unit}` : ''
  return `${check.name} ${actual}${unit} ${relationFor(check.actual, check.threshold, check.comparator)} ${threshold}${unit}`
}

/**
 * A check's whole verdict on one line, for places that show one line and nothing else (a JUnit
 * failure's message, an annotation's title line): the value against the threshold, then the interval,
 * n and p-value when there are some: `accuracy_threshold 0.5243 < 0.8 (95% CI 0.4842–0.5641, n=597)`.
 */
export function fullVerdict(check: CheckRecord): string {
  const extras = [
    ...(check.interval ? [`${Math.round(check.interval.confidence * 100)}% CI ${formatValue(check.interval.low)}–${formatValue(check.interval.high)}`] : []),
    ...(check.n !== undefined ? [`n=${check.n}`] : []),
    ...(check.significance ? [`${check.significance.test} p=${formatPValue(check.significance.pValue)}`] : []),
  ]
  return `${briefVerdict(check)}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`
}
