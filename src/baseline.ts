import { readFile } from 'node:fs/promises'
import type { CheckRecord } from './checks/record.js'
import { ModeltestError } from './errors.js'
import type { RunReport, TestOutcome } from './report.js'
import { checkReportContent } from './report-schema.js'

/**
 * Reads a JSON report of an earlier run (`reports/modeltest.json`, often the last run on main kept
 * as a CI artifact) to compare a run against.
 */
export async function readReport(path: string, purpose: string): Promise<RunReport> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ModeltestError({
      what: `cannot read the ${purpose} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      where: path,
      fix: 'Give the path of a reports/modeltest.json written by an earlier modeltest run.',
      cause: error,
    })
  }
  let content: unknown
  try {
    content = JSON.parse(text)
  } catch (error) {
    throw new ModeltestError({
      what: `the ${purpose} is not JSON (${(error as Error).message})`,
      where: path,
      fix: 'Give the reports/modeltest.json of an earlier run, not the JUnit or HTML report; a truncated file needs downloading again.',
      cause: error,
    })
  }
  return checkReportContent(content, path, 'report')
}

/** A check's identity across runs: its test, and its name with the count of same-named checks before it in that test. */
function checkKeys(test: TestOutcome): string[] {
  const seen = new Map<string, number>()
  return test.checks.map((check) => {
    const count = (seen.get(check.name) ?? 0) + 1
    seen.set(check.name, count)
    return [test.file, test.name, check.name, count].join('\0')
  })
}

/**
 * The run with every check that also ran in `baseline` given its earlier value and verdict
 * (`previous`), and the baseline's checks that this run no longer has listed as removed.
 */
export function compareWithBaseline(report: RunReport, baseline: RunReport, source: string): RunReport {
  const earlier = new Map<string, CheckRecord>()
  for (const test of baseline.tests) checkKeys(test).forEach((key, i) => earlier.set(key, test.checks[i]))
  const matched = new Set<string>()
  const tests = report.tests.map((test) => {
    const keys = checkKeys(test)
    const checks = test.checks.map((check, i) => {
      const previous = earlier.get(keys[i])
      if (!previous) return check
      matched.add(keys[i])
      return { ...check, previous: { actual: previous.actual, passed: previous.passed } }
    })
    return { ...test, checks }
  })
  const removed = baseline.tests.flatMap((test) =>
    checkKeys(test).flatMap((key, i) => (matched.has(key) ? [] : [{ file: test.file, test: test.name, name: test.checks[i].name, actual: test.checks[i].actual, passed: test.checks[i].passed }])),
  )
  return { ...report, tests, baselineReport: { source, startedAt: baseline.startedAt, passed: baseline.passed, removed } }
}
