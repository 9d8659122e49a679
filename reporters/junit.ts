import { changeAgainstBaseline, formatValue, formatValues, type RunReport, type TestOutcome } from '../src/report.js'
import { briefVerdict, fullVerdict } from './verdict.js'

/**
 * JUnit XML in the common schema CI tools read (Jenkins, GitLab, GitHub test reporters; the shape
 * of test/schemas/junit.xsd): a testsuite per test file, a testcase per test with its file (relative
 * to the repository) and the line of its assertion, and its checks' values in its name; `<failure>`
 * for a failed check or expect and `<error>` for a test stopped by an error. The schema allows
 * properties only on a testsuite, so each check's values are properties of its file's suite, named
 * `<test> :: <check>.<field>`: value, threshold, comparator, passed, message, unit, n, the interval
 * (low, high, confidence, method), the p-value, and the baseline with the change against it.
 */
export function renderJUnit(report: RunReport): string {
  const files = [...new Set(report.tests.map((test) => test.file))]
  const { summary } = report
  const errors = report.tests.filter(isError).length
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  out.push(`<testsuites name="modeltest" tests="${summary.tests}" failures="${summary.failedTests - errors}" errors="${errors}" skipped="${summary.skippedTests}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`)
  for (const file of files) {
    const tests = report.tests.filter((test) => test.file === file)
    const fileErrors = tests.filter(isError).length
    const failures = tests.filter((test) => test.state === 'failed').length - fileErrors
    const skipped = tests.filter((test) => test.state === 'skipped').length
    const time = report.files?.find((timing) => timing.file === file)?.durationMs ?? tests.reduce((sum, test) => sum + test.durationMs, 0)
    out.push(`  <testsuite name="${attr(file)}" tests="${tests.length}" failures="${failures}" errors="${fileErrors}" skipped="${skipped}" time="${seconds(time)}" timestamp="${report.startedAt}">`)
    const properties = tests.flatMap(checkProperties)
    if (properties.length > 0) {
      out.push('    <properties>')
      for (const [name, value] of properties) out.push(`      <property name="${attr(name)}" value="${attr(value)}"/>`)
      out.push('    </properties>')
    }
    for (const test of tests) out.push(...testcase(test))
    out.push('  </testsuite>')
  }
  out.push('</testsuites>', '')
  return out.join('\n')
}

/** The values of a test's checks as (name, value) properties; a check name seen twice in a test gets #2, #3. */
function checkProperties(test: TestOutcome): [string, string][] {
  const seen = new Map<string, number>()
  return test.checks.flatMap((check) => {
    const count = (seen.get(check.name) ?? 0) + 1
    seen.set(check.name, count)
    const key = `${test.name} :: ${count === 1 ? check.name : `${check.name}#${count}`}`
    const [value, threshold] = formatValues(check.actual, check.threshold)
    const fields: [string, string][] = [
      ['value', value],
      ['threshold', threshold],
      ['comparator', check.comparator],
      ['passed', String(check.passed)],
      ['message', check.message],
    ]
    if (check.unit) fields.push(['unit', check.unit])
    if (check.n !== undefined) fields.push(['n', String(check.n)])
    if (check.interval) {
      fields.push(['interval.low', formatValue(check.interval.low)], ['interval.high', formatValue(check.interval.high)])
      fields.push(['interval.confidence', String(check.interval.confidence)], ['interval.method', check.interval.method])
    }
    if (check.significance) fields.push(['pValue', String(check.significance.pValue)])
    const change = changeAgainstBaseline(check)
    if (change) fields.push(['baseline', formatValue(change.baseline)], ['delta', formatValue(change.delta)], ['baseline.source', change.against])
    for (const warning of check.warnings ?? []) fields.push(['warning', warning])
    return fields.map(([field, value]): [string, string] => [`${key}.${field}`, value])
  })
}

function testcase(test: TestOutcome): string[] {
  // The values of every check ride in the test's name: the one field all pull request tools show, passed or not.
  const name = test.checks.length > 0 ? `${test.name} [${test.checks.map(briefVerdict).join('; ')}]` : test.name
  const at = assertionAt(test)
  const open = `    <testcase classname="${attr(test.file)}" name="${attr(name)}" time="${seconds(test.durationMs)}" file="${attr(at.file)}"${at.line ? ` line="${at.line}"` : ''}`
  if (test.state === 'passed') return [`${open}/>`]
  const lines = [`${open}>`]
  if (test.state === 'skipped') lines.push('      <skipped/>')
  if (test.state === 'failed') {
    const { tag, type, message } = outcomeOf(test)
    // The message first (parsers that show one line take the body's first), the stack-style frame last
    // (parsers that place annotations from a stack trace read it; see the README's Pull requests).
    const lead = test.errors[0]?.startsWith(message) ? [] : [message]
    const body = [...lead, ...test.errors, `    at ${test.name.replace(/[()]/g, '')} (${at.file}:${at.line ?? 1}:${at.column ?? 1})`].join('\n\n')
    lines.push(`      <${tag} message="${attr(message)}" type="${attr(type)}">${text(body)}</${tag}>`)
  }
  lines.push('    </testcase>')
  return lines
}

/**
 * How a failed test reads in JUnit: a failed check or a failed plain expect is a `<failure>` of type
 * AssertionError with the whole verdict of each failed check as its message; anything else thrown is
 * an `<error>` of its own class.
 */
function outcomeOf(test: TestOutcome): { tag: 'failure' | 'error'; type: string; message: string } {
  const failed = test.checks.filter((check) => !check.passed)
  if (failed.length > 0) return { tag: 'failure', type: 'AssertionError', message: failed.map((check) => `${fullVerdict(check)}: ${check.message}`).join('; ') }
  const type = test.error?.name ?? 'Error'
  return { tag: type === 'AssertionError' ? 'failure' : 'error', type, message: test.errors[0]?.split('\n')[0] ?? 'failed' }
}

/** Whether JUnit counts a failed test as an error rather than a failure. */
function isError(test: TestOutcome): boolean {
  return test.state === 'failed' && outcomeOf(test).tag === 'error'
}

/** Where a test's assertion is: the first failed check's, else the thrown error's, else the first check's, else the test's own line. */
function assertionAt(test: TestOutcome): { file: string; line?: number; column?: number } {
  const failedAt = test.checks.find((check) => !check.passed && check.location)?.location
  return failedAt ?? test.error?.location ?? test.checks.find((check) => check.location)?.location ?? { file: test.file, line: test.line }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

// Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return).
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

function text(value: string): string {
  return value.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}
