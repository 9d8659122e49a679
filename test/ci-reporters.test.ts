import { describe, expect, test } from 'vitest'
import { buildReport, compareWithBaseline, makeCheck, type CheckRecord, type TestOutcome } from '../src/index.js'
import { renderAnnotations, renderMarkdown } from '../reporters/index.js'

const check = (name: string, actual: number, threshold: number, extra: Partial<CheckRecord> = {}) => makeCheck({ name, kind: 'model', actual, threshold, comparator: '>=', message: `${name} ${actual} vs ${threshold}`, ...extra })
const outcome = (name: string, checks: CheckRecord[], extra: Partial<TestOutcome> = {}): TestOutcome => ({
  file: 'model.modeltest.ts',
  name,
  state: checks.every((c) => c.passed) ? 'passed' : 'failed',
  durationMs: 2,
  errors: [],
  checks,
  line: 5,
  ...extra,
})
const run = (tests: TestOutcome[], problems: string[] = []) => buildReport({ tests, startedAt: new Date('2026-11-28T10:00:00Z'), durationMs: 1500, runtime: {}, problems })

const pipe = check('pipe|name', 0.9, 0.8, { message: 'a | b\nsecond line <b>bold</b>' })
const accuracy = check('accuracy_threshold', 0.7, 0.8, { location: { file: 'model.modeltest.ts', line: 12, column: 5 }, interval: { low: 0.66, high: 0.74, confidence: 0.95, method: 'wilson' }, unit: 'ratio' })
const report = run([
  outcome('passes first in file', [pipe]),
  outcome('model > accuracy', [accuracy]),
  outcome('(file)', [], { file: 'data.modeltest.ts', state: 'failed', errors: ['data.csv: no such file\n  Check the path'], line: undefined }),
])

describe('Markdown job summary', () => {
  const markdown = renderMarkdown(report)

  test('opens with the verdict and counts, then a table with failures first', () => {
    expect(markdown).toMatch(/^## ❌ modeltest failed\n\n1\/2 checks passed · 3 tests, 2 failed, 0 skipped · 1\.50 s/)
    expect(markdown).toContain('| Check | Result | Actual | Threshold | Change |')
    expect(markdown.indexOf('accuracy_threshold')).toBeLessThan(markdown.indexOf('pipe'))
    expect(markdown).toContain('| ❌ **fail** | 0.7 ratio (0.66–0.74) | ≥ 0.8 ratio |')
    expect(markdown).toContain('model.modeltest.ts:12')
  })

  test('keeps every row one line and escapes pipes and HTML', () => {
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `'))
    expect(rows).toHaveLength(2)
    expect(markdown).toContain('`pipe\\|name`')
    expect(markdown).not.toContain('<b>bold</b>')
  })

  test('lists errors of tests stopped by an error', () => {
    expect(markdown).toMatch(/### Errors\n\n- \*\*data\.modeltest\.ts &gt; \(file\)\*\*: data\.csv: no such file {3}Check the path/)
  })

  test('shows the change against a baseline report and what changed', () => {
    const before = run([outcome('passes first in file', [check('pipe|name', 0.85, 0.8)]), outcome('model > accuracy', [check('accuracy_threshold', 0.82, 0.8)]), outcome('gone', [check('old_check', 1, 0)])])
    const compared = renderMarkdown(compareWithBaseline(report, before, 'main.json'))
    expect(compared).toMatch(/\| −0\.12 vs last report \|/)
    expect(compared).toMatch(/\| \+0\.05 vs last report \|/)
    expect(compared).toMatch(/### What changed\n\nAgainst `main\.json` \(2026-11-28T10:00:00\.000Z, passed\)\./)
    expect(compared).toMatch(/\*\*Verdict flipped\*\*\n\n- `accuracy_threshold` \(model &gt; accuracy\): pass → fail, 0\.82 → 0\.7/)
    expect(compared).toMatch(/\*\*Removed checks\*\*\n\n- `old_check` \(gone\)/)
    expect(markdown).not.toContain('What changed')
  })

  test('stays under the size limit by leaving out passing rows first, and says so', () => {
    const many = run([outcome('fails', [accuracy]), ...Array.from({ length: 400 }, (_, i) => outcome(`passes ${i}`, [check(`check_${i}`, 1, 0.5)]))])
    const capped = renderMarkdown(many, 8000)
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(8000)
    expect(capped).toContain('accuracy_threshold')
    expect(capped).toMatch(/_\d+ more checks left out to stay under GitHub's summary limit/)
    expect(renderMarkdown(many)).not.toContain('left out')
  })
})

describe('GitHub annotations', () => {
  const lines = renderAnnotations(report).trimEnd().split('\n')

  test('an error at the assertion of each failed check, escaped as GitHub reads workflow commands', () => {
    expect(lines[0]).toBe('::error file=model.modeltest.ts,line=12,title=modeltest accuracy_threshold::accuracy_threshold 0.7 ratio < 0.8 ratio (95%25 CI 0.66–0.74): accuracy_threshold 0.7 vs 0.8 (model > accuracy)')
  })

  test('a warning for each check warning, at the assertion', () => {
    const warned = check('accuracy_threshold', 0.9, 0.8, { warnings: ['n=4 is too small to tell'], location: { file: 'model.modeltest.ts', line: 20 } })
    expect(renderAnnotations(run([outcome('small', [warned])]))).toBe('::warning file=model.modeltest.ts,line=20,title=modeltest accuracy_threshold::n=4 is too small to tell\n')
  })

  test('errors and problems: newlines and percent signs escaped, property separators too', () => {
    expect(lines).toContain('::error file=data.modeltest.ts,title=modeltest%3A (file)::data.csv: no such file%0A  Check the path')
    const withProblem = renderAnnotations(run([outcome('t', [check('a,b', 0, 1, { message: '100% wrong' })], { file: 'ml/model.modeltest.ts' })], ['No test ran.']))
    expect(withProblem).toContain('::error file=ml/model.modeltest.ts,line=5,title=modeltest a%2Cb::a,b 0 < 1: 100%25 wrong (t)\n')
    expect(withProblem).toContain('::error title=modeltest::No test ran.\n')
  })

  test('nothing for a run that passed', () => {
    expect(renderAnnotations(run([outcome('ok', [pipe])]))).toBe('')
  })
})
