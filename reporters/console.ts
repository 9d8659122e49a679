import { Chalk } from 'chalk'
import { formatValues, type RunReport, type TestOutcome } from '../src/report.js'
import type { CheckRecord } from '../src/checks/record.js'

export interface ConsoleOptions {
  /** Colour the output; the CLI passes true only on a TTY without NO_COLOR. */
  color: boolean
  /** Report files written, listed at the end. */
  written?: string[]
}

/** The end-of-run summary: checks grouped by kind in the tutorial's style, errors, then the verdict. */
export function renderConsole(report: RunReport, options: ConsoleOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 })
  const lines: string[] = []
  const { summary } = report
  const runtimes = report.models.map((model) => model.runtime).filter((runtime, i, all) => runtime && all.indexOf(runtime) === i)
  lines.push('', c.bold(' modeltest') + c.dim(` · ${summary.tests} test${summary.tests === 1 ? '' : 's'} · ${runtimes.length ? runtimes.join(', ') + ' · ' : ''}${(report.durationMs / 1000).toFixed(2)} s`))

  const groups: [string, CheckRecord['kind']][] = [
    ['Data checks', 'data'],
    ['Model checks', 'model'],
    ['Deploy checks', 'deploy'],
  ]
  for (const [title, kind] of groups) {
    const entries = report.tests.flatMap((test) => test.checks.filter((check) => check.kind === kind).map((check) => ({ test, check })))
    if (entries.length === 0) continue
    lines.push('', c.bold(` ${title}`))
    for (const { test, check } of entries) {
      const mark = check.passed ? c.green('✓') : c.red('✗')
      lines.push(`  ${mark} ${check.name}: ${check.message}` + c.dim(`  (${test.name})`))
      const [actual, threshold] = formatValues(check.actual, check.threshold)
      const unit = check.unit ? ' ' + check.unit : ''
      lines.push(c.dim(`      Actual: ${actual}${unit}, Threshold: ${threshold}${unit}`))
      for (const warning of check.warnings ?? []) lines.push(c.yellow(`      ! ${warning}`))
    }
  }

  const broken = report.tests.filter((test) => failedWithoutFailedCheck(test) || unexplainedErrors(test).length > 0)
  if (broken.length > 0) {
    lines.push('', c.bold(c.red(' Errors')))
    for (const test of broken) {
      lines.push(`  ${c.red('✗')} ${test.file} > ${test.name}`)
      for (const error of unexplainedErrors(test)) lines.push(...error.split('\n').map((line) => `      ${line}`))
    }
  }
  for (const problem of report.problems) lines.push('', c.red(` ${problem}`))

  const passedChecks = summary.checks - summary.failedChecks
  const tally = `${passedChecks}/${summary.checks} checks passed`
  const extra = broken.length > 0 ? `, ${broken.length} test${broken.length === 1 ? '' : 's'} failed with an error` : ''
  lines.push('', ` ${report.passed ? c.green(tally) : c.red(tally)}${c.red(extra)}`)
  if (options.written?.length) lines.push(c.dim(` Reports: ${options.written.join(', ')}`))
  lines.push(report.passed ? c.bold(c.green(' PASSED')) : c.bold(c.red(' FAILED')), '')
  return lines.join('\n')
}

/**
 * A failed test's errors that none of its failed checks explains (a missing file, a matcher not
 * awaited): a failed check's error is its failure message, which starts with the check's name.
 */
function unexplainedErrors(test: TestOutcome): string[] {
  if (test.state !== 'failed') return []
  const failedChecks = test.checks.filter((check) => !check.passed)
  return test.errors.filter((error) => !failedChecks.some((check) => error.startsWith(`${check.name}: `)))
}

/** A failed test that no failed check explains: an error such as a missing file or column. */
export function failedWithoutFailedCheck(test: TestOutcome): boolean {
  return test.state === 'failed' && !test.checks.some((check) => !check.passed)
}
