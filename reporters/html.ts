import { changeAgainstBaseline, formatValue, formatValues, type RunReport, type TestOutcome } from '../src/report.js'
import { COMPARATOR_SYMBOL, formatPValue, type CheckRecord, type Subject } from '../src/checks/record.js'
import { changesSinceBaseline, checkEntries, type Entry } from './changes.js'
import { failedWithoutFailedCheck } from './console.js'
import { drawPlot, escape } from './svg.js'

const KINDS: [string, CheckRecord['kind']][] = [
  ['Data checks', 'data'],
  ['Model checks', 'model'],
  ['Deploy checks', 'deploy'],
]
const HASH_CHARS = 12

/**
 * The HTML report (`reports/modeltest.html`): one self-contained page with inline CSS and inline
 * SVG, no script and no URL of any kind. The overview (verdict, counts, data, models, runtime),
 * what changed since the baseline report, then failed checks and errors, then the passed checks by
 * kind, each with its figures and plots.
 */
export function renderHtml(report: RunReport): string {
  const entries = checkEntries(report)
  const failed = entries.filter(({ check }) => !check.passed)
  const passed = entries.filter(({ check }) => check.passed)
  const sections = [
    overview(report),
    report.baselineReport ? whatChanged(report, entries) : '',
    failed.length > 0 ? section('failed', `Failed checks (${failed.length})`, failed.map(checkCard).join('')) : '',
    errors(report.tests.filter(failedWithoutFailedCheck)),
    ...KINDS.map(([title, kind]) => {
      const group = passed.filter(({ check }) => check.kind === kind)
      return group.length > 0 ? section(`passed-${kind}`, `${title}: passed (${group.length})`, group.map(checkCard).join('')) : ''
    }),
  ]
  const verdict = report.passed ? 'PASSED' : 'FAILED'
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modeltest: ${verdict}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${sections.filter(Boolean).join('\n')}
</main>
</body>
</html>
`
}

// ── overview ────────────────────────────────────────────────────────────────────────────────────

function overview(report: RunReport): string {
  const { summary } = report
  const counts: [string, number, boolean][] = [
    ['tests', summary.tests, false],
    ['failed tests', summary.failedTests, summary.failedTests > 0],
    ['skipped', summary.skippedTests, false],
    ['checks', summary.checks, false],
    ['failed checks', summary.failedChecks, summary.failedChecks > 0],
  ]
  const parts = [
    `<header class="${report.passed ? 'pass' : 'fail'}"><h1>modeltest report</h1><p class="verdict" id="verdict">${report.passed ? 'PASSED' : 'FAILED'}</p>`,
    `<p class="when">Started ${escape(report.startedAt)} · ran ${seconds(report.durationMs)}</p></header>`,
    `<ul class="counts" id="counts">${counts.map(([label, count, bad]) => `<li${bad ? ' class="bad"' : ''}><b>${count}</b> ${label}</li>`).join('')}</ul>`,
  ]
  if (report.problems.length > 0) parts.push(`<ul class="problems">${report.problems.map((problem) => `<li>${escape(problem)}</li>`).join('')}</ul>`)
  const subjects: string[] = []
  if (report.datasets.length > 0)
    subjects.push(
      figure(
        'Data',
        table(
          ['dataset', 'rows', 'hash'],
          report.datasets.map((data) => [escape(data.name), data.rows !== undefined ? String(data.rows) : '', hash(data.hash)]),
        ),
      ),
    )
  if (report.models.length > 0)
    subjects.push(
      figure(
        'Models',
        table(
          ['model', 'runtime', 'hash'],
          report.models.map((model) => [escape(model.name), escape(model.runtime ?? ''), hash(model.hash)]),
        ),
      ),
    )
  const runtime = Object.entries(report.runtime)
  if (runtime.length > 0)
    subjects.push(
      figure(
        'Runtime',
        table(
          ['component', 'version'],
          runtime.map(([name, version]) => [escape(name), escape(version)]),
        ),
      ),
    )
  if (subjects.length > 0) parts.push(`<div class="subjects">${subjects.join('')}</div>`)
  return `<section id="overview">${parts.join('\n')}</section>`
}

// ── what changed since the baseline report ──────────────────────────────────────────────────────

function whatChanged(report: RunReport, entries: Entry[]): string {
  const baseline = report.baselineReport!
  const { flipped, moved, added } = changesSinceBaseline(entries)
  const row = ({ test, check }: Entry): string[] => {
    const change = changeAgainstBaseline(check)!
    return [checkName(check), escape(test.name), verdictWord(check.previous!.passed) + ' → ' + verdictWord(check.passed), `${formatValue(change.baseline)} → ${formatValue(check.actual)}`, signed(change.delta)]
  }
  const head = ['check', 'test', 'verdict', 'value', 'change']
  const parts = [
    `<p>Against <code>${escape(baseline.source)}</code>, started ${escape(baseline.startedAt)}, which ${baseline.passed ? 'passed' : 'failed'}.</p>`,
    subsection(`Verdict flipped (${flipped.length})`, flipped.length > 0 ? table(head, flipped.map(row)) : ''),
    subsection(`Value changed (${moved.length})`, moved.length > 0 ? table(head, moved.map(row)) : ''),
    subsection(
      `New checks (${added.length})`,
      added.length > 0
        ? table(
            ['check', 'test', 'verdict', 'value'],
            added.map(({ test, check }) => [checkName(check), escape(test.name), verdictWord(check.passed), formatValue(check.actual)]),
          )
        : '',
    ),
    subsection(
      `Removed checks (${baseline.removed.length})`,
      baseline.removed.length > 0
        ? table(
            ['check', 'test', 'verdict then', 'value then'],
            baseline.removed.map((gone) => [code(gone.name), escape(`${gone.file} > ${gone.test}`), verdictWord(gone.passed), formatValue(gone.actual)]),
          )
        : '',
    ),
  ]
  return section('changes', 'What changed since the baseline report', parts.join('\n'))
}

// ── checks and errors ───────────────────────────────────────────────────────────────────────────

function checkCard({ test, check }: Entry): string {
  const unit = check.unit ? ` ${escape(check.unit)}` : ''
  const [actual, threshold] = formatValues(check.actual, check.threshold)
  const facts: [string, string][] = [
    ['actual', `${actual}${unit}`],
    ['required', `${COMPARATOR_SYMBOL[check.comparator] ?? escape(check.comparator)} ${threshold}${unit}${check.gateOnInterval ? ' (for the whole interval)' : ''}`],
  ]
  if (check.n !== undefined) facts.push(['n', String(check.n)])
  const { interval, significance } = check
  if (interval) facts.push(['interval', `${formatValue(interval.low)}–${formatValue(interval.high)}${unit} (${formatValue(interval.confidence * 100)}% ${escape(interval.method)})`])
  if (significance) {
    const significant = significance.pValue < significance.alpha
    facts.push(['significance', `${escape(significance.test)} p = ${formatPValue(significance.pValue)} ${significant ? '&lt;' : '≥'} α ${formatValue(significance.alpha)}: ${significant ? 'significant' : 'not significant'}`])
  }
  const change = changeAgainstBaseline(check)
  if (change && check.previous) facts.push(['vs baseline report', `${formatValue(change.baseline)} → ${formatValue(check.actual)} (${signed(change.delta)}), was ${verdictWord(check.previous.passed)}`])
  else if (change) facts.push(['vs baseline model', `${formatValue(change.baseline)} → ${formatValue(change.baseline + change.delta)} (${signed(change.delta)})`])
  facts.push(['test', escape(`${test.file} > ${test.name}`)])
  if (check.location) facts.push(['location', code(`${check.location.file}:${check.location.line}${check.location.column !== undefined ? `:${check.location.column}` : ''}`)])
  for (const [label, subject] of [
    ['data', check.data],
    ['model', check.model],
    ['baseline model', check.baselineModel],
  ] as const) {
    if (subject) facts.push([label, describeSubject(subject)])
  }
  const warnings = check.warnings?.length ? `<ul class="warnings">${check.warnings.map((warning) => `<li>${escape(warning)}</li>`).join('')}</ul>` : ''
  const plots = (check.plots ?? []).map(drawPlot).filter(Boolean)
  const details = check.details && Object.keys(check.details).length > 0 ? `<details class="raw"><summary>details</summary><pre>${escape(JSON.stringify(check.details, null, 2))}</pre></details>` : ''
  const open = !check.passed || plots.length > 0 ? ' open' : ''
  return `<details class="check ${check.passed ? 'pass' : 'fail'}"${open}>
<summary>${mark(check.passed)} ${checkName(check)} <span class="message">${escape(check.message)}</span> <span class="kind">${escape(check.kind)}</span></summary>
<dl>${facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>${warnings}${plots.length > 0 ? `<div class="plots">${plots.join('')}</div>` : ''}${details}
</details>`
}

function errors(broken: TestOutcome[]): string {
  if (broken.length === 0) return ''
  const items = broken.map((test) => `<li>${mark(false)} <b>${escape(`${test.file} > ${test.name}`)}</b>${test.errors.map((error) => `<pre>${escape(error)}</pre>`).join('')}</li>`)
  return section('errors', `Tests failed with an error (${broken.length})`, `<ul class="errors">${items.join('')}</ul>`)
}

// ── small pieces ────────────────────────────────────────────────────────────────────────────────

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escape(title)}</h2>\n${body}\n</section>`
}

function subsection(title: string, body: string): string {
  return `<h3>${escape(title)}</h3>${body}`
}

function figure(title: string, body: string): string {
  return `<div class="subject"><h3>${escape(title)}</h3>${body}</div>`
}

/** A table of cells that are already HTML. */
function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((cell) => `<th>${escape(cell)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`
}

function code(text: string): string {
  return `<code>${escape(text)}</code>`
}

/** A hash shortened, the whole of it as the tooltip. */
function hash(value: string): string {
  return `<code class="hash" title="${escape(value)}">${escape(value.length > HASH_CHARS ? value.slice(0, HASH_CHARS) + '…' : value)}</code>`
}

function describeSubject(subject: Subject): string {
  const extra = [subject.rows !== undefined ? `${subject.rows} rows` : '', subject.runtime ?? ''].filter(Boolean).join(', ')
  return `${escape(subject.name)}${extra ? ` (${escape(extra)})` : ''} ${hash(subject.hash)}`
}

function checkName(check: CheckRecord): string {
  return `<code class="name">${escape(check.name)}</code>`
}

function mark(passed: boolean): string {
  return passed ? '<span class="mark pass" title="passed">✓</span>' : '<span class="mark fail" title="failed">✗</span>'
}

function verdictWord(passed: boolean): string {
  return passed ? '<span class="ok">passed</span>' : '<span class="bad">failed</span>'
}

function signed(delta: number): string {
  return `Δ ${delta > 0 ? '+' : ''}${formatValue(delta)}`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

const CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); } h3 { font-size: 14px; margin: 14px 0 6px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 18px; padding: 14px 18px; border-radius: 8px; border-left: 8px solid; }
header.pass { border-color: var(--pass); background: #dafbe1; } header.fail { border-color: var(--fail); background: #ffebe9; }
.verdict { margin: 0; font-size: 28px; font-weight: 800; letter-spacing: .04em; } .pass .verdict { color: var(--pass); } .fail .verdict { color: var(--fail); }
.when { margin: 0; color: var(--muted); }
.counts { display: flex; flex-wrap: wrap; gap: 10px; list-style: none; padding: 0; margin: 14px 0; }
.counts li { padding: 8px 14px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); } .counts b { font-size: 20px; margin-right: 4px; }
.counts li.bad { border-color: var(--fail); color: var(--fail); }
.problems { color: var(--fail); font-weight: 600; }
.subjects { display: flex; flex-wrap: wrap; gap: 8px 28px; }
table { border-collapse: collapse; margin: 4px 0 8px; } th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; } th { color: var(--muted); font-weight: 600; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; } .hash { color: var(--muted); }
.ok { color: var(--pass); } .bad { color: var(--fail); }
.check { border: 1px solid var(--line); border-left: 5px solid var(--pass); border-radius: 6px; margin: 8px 0; padding: 6px 12px; }
.check.fail { border-left-color: var(--fail); }
.check summary { cursor: pointer; } .check .name { font-weight: 700; } .message { margin-left: 4px; }
.kind { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; margin-left: 4px; }
.mark { font-weight: 800; } .mark.pass { color: var(--pass); } .mark.fail { color: var(--fail); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; } dt { color: var(--muted); } dd { margin: 0; }
.warnings { color: #9a6700; margin: 6px 0; padding-left: 18px; }
.plots { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 12px; margin: 8px 0; }
.plot { border: 1px solid var(--line); border-radius: 6px; background: #fff; max-width: 100%; height: auto; }
.plot text { font: 11px system-ui, sans-serif; fill: #24292f; } .plot .plot-title { font-size: 13px; font-weight: 700; } .plot .plot-note { font-weight: 400; fill: var(--muted); }
.plot .axis-title { fill: var(--muted); } .plot .cell.dark { fill: #fff; } .plot .marker { font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.errors { list-style: none; padding: 0; } .errors li { border: 1px solid var(--line); border-left: 5px solid var(--fail); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
pre { white-space: pre-wrap; background: var(--soft); padding: 8px; border-radius: 4px; margin: 6px 0 0; font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.raw summary { color: var(--muted); cursor: pointer; }
`
