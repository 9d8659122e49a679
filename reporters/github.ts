import type { RunReport } from '../src/index.js'
import { checkEntries } from './changes.js'
import { failedWithoutFailedCheck } from './console.js'
import { fullVerdict } from './verdict.js'

/**
 * GitHub Actions workflow commands: an `::error` with the whole verdict at the assertion of every
 * failed check (its file, relative to the repository, and line), at each test stopped by an error and for each problem of the run, and a `::warning`
 * for each check warning. GitHub shows them on the pull request's changed lines.
 */
export function renderAnnotations(report: RunReport): string {
  const lines: string[] = []
  for (const { test, check } of checkEntries(report)) {
    const file = check.location?.file ?? test.file
    const line = check.location?.line ?? test.line
    const where = { file, ...(line ? { line: String(line) } : {}) }
    if (!check.passed) lines.push(command('error', { ...where, title: `modeltest ${check.name}` }, `${fullVerdict(check)}: ${check.message} (${test.name})`))
    for (const warning of check.warnings ?? []) lines.push(command('warning', { ...where, title: `modeltest ${check.name}` }, warning))
  }
  for (const test of report.tests.filter(failedWithoutFailedCheck)) {
    const { file, line } = test.error?.location ?? { file: test.file, line: test.line }
    lines.push(command('error', { file, ...(line ? { line: String(line) } : {}), title: `modeltest: ${test.name}` }, test.errors.join('\n\n') || 'failed'))
  }
  for (const problem of report.problems) lines.push(command('error', { title: 'modeltest' }, problem))
  return lines.map((line) => line + '\n').join('')
}

function command(kind: 'error' | 'warning', properties: Record<string, string>, message: string): string {
  const list = Object.entries(properties)
    .map(([name, value]) => `${name}=${escapeProperty(value)}`)
    .join(',')
  return `::${kind} ${list}::${escapeData(message)}`
}

// As GitHub's @actions/core escapes them: data can hold anything but %, CR and LF; properties also not : and ,.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
