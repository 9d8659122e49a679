import { changeAgainstBaseline, formatValue, formatValues, type RunReport } from '../src/report.js'
import { COMPARATOR_SYMBOL, type Subject } from '../src/checks/record.js'
import { changesSinceBaseline, checkEntries, failuresFirst, type Entry } from './changes.js'
import { failedWithoutFailedCheck } from './console.js'

/** GitHub refuses a step summary over 1 MiB; the table is cut well before, passing rows first. */
const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024

const HASH_CHARS = 12

/**
 * The job summary (`$GITHUB_STEP_SUMMARY`, `--summary file`): the verdict and counts, a compact
 * table of every check with failures first (check, result, actual, threshold, change against the
 * baseline), errors, what changed since the baseline report, and the data and models by hash.
 */
export function renderMarkdown(report: RunReport, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const { summary } = report
  const head = [
    `## ${report.passed ? '✅' : '❌'} modeltest ${report.passed ? 'passed' : 'failed'}`,
    '',
    `${summary.checks - summary.failedChecks}/${summary.checks} checks passed · ${summary.tests} tests, ${summary.failedTests} failed, ${summary.skippedTests} skipped · ${(report.durationMs / 1000).toFixed(2)} s`,
    ...report.problems.map((problem) => `\n> **${cell(problem)}**`),
  ]
  const tail = [...errorsSection(report), ...changesSection(report), ...subjectsSection(report)]
  const table = ['', '| Check | Result | Actual | Threshold | Change |', '| --- | --- | --- | --- | --- |']
  const body = fittedTable(table, failuresFirst(checkEntries(report)).map(tableRow), byteLength([...head, ...tail].join('\n')), limitBytes, "GitHub's summary limit")
  return [...head, ...body, ...tail, ''].join('\n')
}

/** GitHub refuses a pull request comment over 65,536 characters; the table is cut before, passing rows first. */
const PR_COMMENT_LIMIT_BYTES = 60 * 1024

/** Marks modeltest's comment, so that a workflow finds it again to update it rather than adding another. */
export const PR_COMMENT_MARKER = '<!-- modeltest-pr-comment -->'

/**
 * The pull request comment (`--pr-comment file`): the verdict and one compact table of every check,
 * failures first, with its value, threshold, the baseline's value (the baseline report's, or the
 * baseline model's for a comparison) and the change against it.
 */
export function renderPrComment(report: RunReport, limitBytes = PR_COMMENT_LIMIT_BYTES): string {
  const { summary } = report
  const against = report.baselineReport ? ` · against \`${code(report.baselineReport.source)}\` (${report.baselineReport.startedAt})` : ''
  const head = [
    PR_COMMENT_MARKER,
    `### ${report.passed ? '✅' : '❌'} modeltest ${report.passed ? 'passed' : 'failed'}: ${summary.checks - summary.failedChecks}/${summary.checks} checks passed${against}`,
    ...report.problems.map((problem) => `\n> **${cell(problem)}**`),
  ]
  const table = ['', '| Check | Test | Result | Actual | Threshold | Baseline | Change |', '| --- | --- | --- | --- | --- | --- | --- |']
  const rows = failuresFirst(checkEntries(report)).map(({ test, check }) => {
    const unit = check.unit ? ` ${check.unit}` : ''
    const [actual, threshold] = formatValues(check.actual, check.threshold)
    const change = changeAgainstBaseline(check)
    const baseline = change ? `${formatValue(change.baseline)}${unit}${change.against === 'baseline model' ? ' (model)' : ''}` : ''
    return `| \`${code(check.name)}\` | ${cell(test.name)} | ${check.passed ? '✅' : '❌'} | ${actual}${unit} | ${COMPARATOR_SYMBOL[check.comparator]} ${threshold}${unit} | ${baseline} | ${change ? `${signed(change.delta)}${unit}` : ''} |`
  })
  return [...head, ...fittedTable(table, rows, byteLength(head.join('\n')), limitBytes, "GitHub's comment limit"), ''].join('\n')
}

/**
 * A table's header and as many rows as fit in `limitBytes` beside `otherBytes` of other text; failures
 * come first, so passing rows are the ones cut, and a line says how many. None when there are no rows.
 */
function fittedTable(header: string[], rows: string[], otherBytes: number, limitBytes: number, limitName: string): string[] {
  if (rows.length === 0) return []
  let size = otherBytes + byteLength(header.join('\n')) + 200
  let kept = 0
  for (const row of rows) {
    if (size + byteLength(row) + 1 > limitBytes) break
    size += byteLength(row) + 1
    kept++
  }
  const cut = rows.length - kept
  return [...header, ...rows.slice(0, kept), ...(cut > 0 ? ['', `_${cut} more check${cut === 1 ? '' : 's'} left out to stay under ${limitName}: see the JSON or HTML report._`] : [])]
}

function tableRow({ test, check }: Entry): string {
  const unit = check.unit ? ` ${check.unit}` : ''
  const interval = check.interval ? ` (${formatValue(check.interval.low)}–${formatValue(check.interval.high)})` : ''
  const change = changeAgainstBaseline(check)
  const changeText = change ? `${signed(change.delta)} vs ${change.against === 'baseline report' ? 'last report' : 'baseline model'}` : ''
  const [actual, threshold] = formatValues(check.actual, check.threshold)
  const where = check.location ? `${check.location.file}:${check.location.line}` : test.file
  const name = `\`${code(check.name)}\`<br><sub>${cell(test.name)} · ${cell(where)}</sub>`
  return `| ${name} | ${check.passed ? '✅ pass' : '❌ **fail**'} | ${actual}${unit}${interval} | ${COMPARATOR_SYMBOL[check.comparator]} ${threshold}${unit} | ${changeText} |`
}

function errorsSection(report: RunReport): string[] {
  const broken = report.tests.filter(failedWithoutFailedCheck)
  if (broken.length === 0) return []
  return ['', '### Errors', '', ...broken.map((test) => `- **${cell(`${test.file} > ${test.name}`)}**: ${cell(test.errors[0] ?? 'failed')}`)]
}

function changesSection(report: RunReport): string[] {
  const baseline = report.baselineReport
  if (!baseline) return []
  const { flipped, moved, added } = changesSinceBaseline(checkEntries(report))
  const describe = ({ test, check }: Entry) =>
    `- \`${code(check.name)}\` (${cell(test.name)}): ${check.previous!.passed ? 'pass' : 'fail'} → ${check.passed ? 'pass' : 'fail'}, ${formatValue(check.previous!.actual)} → ${formatValue(check.actual)}`
  const lines = ['', '### What changed', '', `Against \`${code(baseline.source)}\` (${baseline.startedAt}, ${baseline.passed ? 'passed' : 'failed'}).`]
  if (flipped.length + moved.length + added.length + baseline.removed.length === 0) return [...lines, '', 'Every check gave the same value and verdict.']
  if (flipped.length > 0) lines.push('', '**Verdict flipped**', '', ...flipped.map(describe))
  if (moved.length > 0) lines.push('', '**Value changed**', '', ...moved.map(describe))
  if (added.length > 0) lines.push('', '**New checks**', '', ...added.map(({ test, check }) => `- \`${code(check.name)}\` (${cell(test.name)}): ${check.passed ? 'pass' : 'fail'}, ${formatValue(check.actual)}`))
  if (baseline.removed.length > 0) lines.push('', '**Removed checks**', '', ...baseline.removed.map((gone) => `- \`${code(gone.name)}\` (${cell(gone.test)})`))
  return lines
}

function subjectsSection(report: RunReport): string[] {
  const subjects: [string, Subject][] = [...report.models.map((model): [string, Subject] => ['model', model]), ...report.datasets.map((data): [string, Subject] => ['data', data])]
  if (subjects.length === 0) return []
  return [
    '',
    '<details><summary>Models and data</summary>',
    '',
    ...subjects.map(([kind, subject]) => `- ${kind} \`${code(subject.name)}\` \`${subject.hash.slice(0, HASH_CHARS)}\`${subject.runtime ? ` on ${cell(subject.runtime)}` : ''}${subject.rows !== undefined ? `, ${subject.rows} rows` : ''}`),
    '',
    '</details>',
  ]
}

function signed(delta: number): string {
  return `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${formatValue(Math.abs(delta))}`
}

/** Text in a table cell: one line, no pipe that would end the cell, no HTML that GitHub would render. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|')
}

/** Text inside backticks: no backtick that would end it, no pipe. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, '\\|')
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
