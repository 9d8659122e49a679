import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { validateXML } from 'xmllint-wasm'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildReport, compareWithBaseline, makeCheck, type RunReport, type TestOutcome } from '../src/index.js'
import { PR_COMMENT_MARKER, renderJUnit, renderPrComment } from '../reporters/index.js'
import { fixturesDir, repoRoot, runCli, tempDir, type CliResult } from './helpers.js'

// A run with every outcome, started in a subfolder of the repository: fixtures/junit-pr.
const runDir = join(fixturesDir, 'junit-pr')
const suiteFile = 'fixtures/junit-pr/checks/pr.modeltest.ts'
const source = readFileSync(join(runDir, 'checks', 'pr.modeltest.ts'), 'utf8').split('\n')
/** The 1-based line of the first line of the fixture's suite that contains `text`. */
const lineOf = (text: string) => source.findIndex((line) => line.includes(text)) + 1

// Off GitHub unless a test says otherwise, whatever the environment these tests run in.
const offGitHub = { GITHUB_WORKSPACE: '', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' }

interface Case {
  name: string
  classname: string
  file: string
  line?: string
  time: string
  failure?: { message: string; type: string; '#text': string }
  error?: { message: string; type: string; '#text': string }
  skipped?: unknown
}
interface Suite {
  name: string
  time: string
  testcase: Case[]
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) })
const suitesOf = (junit: string): Suite[] => xml.parse(junit).testsuites.testsuite
const casesOf = (junit: string): Case[] => suitesOf(junit).flatMap((suite) => suite.testcase)
const caseNamed = (junit: string, prefix: string): Case => {
  const found = casesOf(junit).find((c) => c.name === prefix || c.name.startsWith(`${prefix} [`))
  expect(found, prefix).toBeDefined()
  return found!
}

async function runIn(env: Record<string, string>, ...extra: string[]): Promise<{ run: CliResult; junit: string; json: RunReport; out: string }> {
  const out = await tempDir()
  const run = await runCli(['checks', '--junit', join(out, 'junit.xml'), '--json', join(out, 'modeltest.json'), '--no-html', ...extra], runDir, { ...offGitHub, ...env })
  const [junit, json] = await Promise.all([readFile(join(out, 'junit.xml'), 'utf8'), readFile(join(out, 'modeltest.json'), 'utf8')])
  return { run, junit, json: JSON.parse(json) as RunReport, out }
}

describe('JUnit of a failing run started in a subfolder', () => {
  let git: Awaited<ReturnType<typeof runIn>>
  let workspace: Awaited<ReturnType<typeof runIn>>
  beforeAll(async () => {
    // The git top level (this repository), and GITHUB_WORKSPACE pointing at fixtures/ as a checkout would.
    git = await runIn({ GITHUB_ACTIONS: 'true' })
    workspace = await runIn({ GITHUB_WORKSPACE: fixturesDir })
  }, 60_000)

  test('fails the run and stays valid against test/schemas/junit.xsd', async () => {
    expect(git.run.code).toBe(1)
    const schema = readFileSync(join(repoRoot, 'test', 'schemas', 'junit.xsd'), 'utf8')
    const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: git.junit }], schema: [{ fileName: 'junit.xsd', contents: schema }] })
    expect(result.errors).toEqual([])
  })

  test('names files relative to the git top level, not to the folder modeltest ran in', () => {
    expect(suitesOf(git.junit).map((suite) => suite.name)).toEqual(['fixtures/junit-pr/checks/broken.modeltest.ts', suiteFile, 'fixtures/junit-pr/checks/syntax.modeltest.ts'])
    for (const c of casesOf(git.junit)) {
      expect(c.file).toMatch(/^fixtures\/junit-pr\/checks\/\w+\.modeltest\.ts$/)
      expect(c.classname).toBe(c.file)
    }
    expect(new Set(git.json.tests.map((t) => t.file))).toEqual(new Set(['fixtures/junit-pr/checks/broken.modeltest.ts', suiteFile, 'fixtures/junit-pr/checks/syntax.modeltest.ts']))
    expect(git.json.tests.flatMap((t) => t.checks).map((check) => check.location?.file)).toEqual([suiteFile, suiteFile])
  })

  test('names files relative to GITHUB_WORKSPACE when it is set', () => {
    expect(suitesOf(workspace.junit).map((suite) => suite.name)).toContain('junit-pr/checks/pr.modeltest.ts')
    expect(caseNamed(workspace.junit, 'data > no nulls').file).toBe('junit-pr/checks/pr.modeltest.ts')
    expect(workspace.json.tests.find((t) => t.name === 'data > no nulls')!.checks[0].location!.file).toBe('junit-pr/checks/pr.modeltest.ts')
  })

  test("GitHub annotations name the same paths, at the assertion's line, for a failed check and a thrown error", () => {
    expect(git.run.stdout).toContain(`::error file=${suiteFile},line=${lineOf('toHaveNoNulls')},title=modeltest null_check::`)
    expect(git.run.stdout).toContain(`::error file=${suiteFile},line=${lineOf('throw new TypeError')},title=modeltest%3A data > thrown::label is not a number`)
  })

  test("each test case is at its assertion's line (the expect( line, not the test( line)", () => {
    expect(caseNamed(git.junit, 'data > enough rows').line).toBe(String(lineOf('toHaveAtLeastRows')))
    expect(caseNamed(git.junit, 'data > no nulls').line).toBe(String(lineOf('toHaveNoNulls')))
    expect(caseNamed(git.junit, 'data > plain expect').line).toBe(String(lineOf('rowCount')))
    expect(caseNamed(git.junit, 'data > thrown').line).toBe(String(lineOf('throw new TypeError')))
    expect(lineOf('toHaveNoNulls')).toBe(lineOf("test('no nulls'") + 1)
  })

  test('every failure and error body ends with a stack-style frame at that line', () => {
    const frames = casesOf(git.junit).flatMap((c) => {
      const body = (c.failure ?? c.error)?.['#text']
      return body === undefined ? [] : [[c.file, c.line, body.split('\n').pop()]]
    })
    expect(frames).toHaveLength(5)
    for (const [file, line, last] of frames) expect(last).toMatch(new RegExp(`^ {4}at [^()]+ \\(${file}:${line}:\\d+\\)$`))
    expect(caseNamed(git.junit, 'data > no nulls').failure!['#text']).toMatch(new RegExp(`\\n {4}at data > no nulls \\(${suiteFile}:${lineOf('toHaveNoNulls')}:\\d+\\)$`))
    expect(caseNamed(git.junit, '(file)').error!['#text']).toMatch(/\n {4}at file \(fixtures\/junit-pr\/checks\/broken\.modeltest\.ts:4:\d+\)$/)
  })

  test('types: a failed check and a failed plain expect are AssertionError failures; thrown errors keep their class', () => {
    const outcomes = Object.fromEntries(
      casesOf(git.junit).map((c) => [`${c.file.split('/').pop()} ${c.name.replace(/ \[.*\]$/, '')}`, c.failure ? `failure ${c.failure.type}` : c.error ? `error ${c.error.type}` : c.skipped !== undefined ? 'skipped' : 'passed']),
    )
    expect(outcomes).toEqual({
      'broken.modeltest.ts (file)': 'error ModeltestError',
      'pr.modeltest.ts data > enough rows': 'passed',
      'pr.modeltest.ts data > no nulls': 'failure AssertionError',
      'pr.modeltest.ts data > plain expect': 'failure AssertionError',
      'pr.modeltest.ts data > thrown': 'error TypeError',
      'pr.modeltest.ts data > later': 'skipped',
      'syntax.modeltest.ts (file)': 'error Error',
    })
    expect(xml.parse(git.junit).testsuites).toMatchObject({ tests: '7', failures: '2', errors: '3', skipped: '1' })
  })

  test('a file that fails to load is at the line its error names, else at line 1', () => {
    const [broken, , syntax] = suitesOf(git.junit)
    expect(broken.testcase[0]).toMatchObject({ name: '(file)', line: '4' })
    expect(syntax.testcase[0]).toMatchObject({ name: '(file)', line: '1' })
  })

  test("the failure message is the whole verdict, and the body's first line repeats it", () => {
    const nulls = caseNamed(git.junit, 'data > no nulls').failure!
    expect(nulls.message).toBe('null_check 1 > 0 (n=4): Found nulls in 1 of 1 columns: text 1 (4 rows)')
    expect(nulls['#text'].split('\n')[0]).toBe(nulls.message)
    expect(caseNamed(git.junit, 'data > plain expect').failure!.message).toBe('expected 4 to be 5 // Object.is equality')
  })

  test("test names carry every check's value, passed ones included", () => {
    expect(caseNamed(git.junit, 'data > enough rows').name).toBe('data > enough rows [min_samples 4 ≥ 3]')
    expect(caseNamed(git.junit, 'data > no nulls').name).toBe('data > no nulls [null_check 1 > 0]')
    expect(caseNamed(git.junit, 'data > plain expect').name).toBe('data > plain expect')
  })

  test("a suite's time is the whole file's, setup and import included, as the JSON report's files list it", () => {
    const suite = suitesOf(git.junit).find((s) => s.name === suiteFile)!
    const timing = git.json.files!.find((f) => f.file === suiteFile)!
    expect(suite.time).toBe((timing.durationMs / 1000).toFixed(3))
    const testsTime = suite.testcase.reduce((sum, c) => sum + Number(c.time), 0)
    // Importing modeltest and reading the CSV happen outside every test.
    expect(Number(suite.time)).toBeGreaterThan(testsTime)
  })

  test('--pr-comment writes it from a run; a path that cannot be written exits 2 naming the flag', async () => {
    const out = await tempDir()
    const second = await runCli(['checks', '--no-junit', '--no-json', '--no-html', '--baseline-report', join(git.out, 'modeltest.json'), '--pr-comment', join(out, 'comment.md')], runDir, offGitHub)
    expect(second.code).toBe(1)
    const written = await readFile(join(out, 'comment.md'), 'utf8')
    expect(written).toContain('| `null_check` | data &gt; no nulls | ❌ | 1 | ≤ 0 | 1 | ±0 |')
    expect(written).toContain('| `min_samples` | data &gt; enough rows | ✅ | 4 | ≥ 3 | 4 | ±0 |')
    const blocked = await runCli(['checks', '--no-junit', '--no-json', '--no-html', '--pr-comment', join(out, 'comment.md', 'inside-a-file.md')], runDir, offGitHub)
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toMatch(/inside-a-file\.md was not written: .*give another with --pr-comment <path> \(or leave it out for none\)/)
  }, 60_000)
})

describe('the failure message of checks with an interval, a unit, a p-value', () => {
  const accuracy = makeCheck({
    name: 'accuracy_threshold',
    kind: 'model',
    actual: 0.5243,
    threshold: 0.8,
    comparator: '>=',
    n: 597,
    interval: { low: 0.4842, high: 0.5641, confidence: 0.95, method: 'wilson' },
    message: 'Accuracy 0.5243 < 0.80',
  })
  const latency = makeCheck({ name: 'latency_p95', kind: 'model', actual: 61.2, threshold: 50, comparator: '<=', unit: 'ms', n: 100, message: 'P95 latency 61.20 ms > 50 ms' })
  const regression = makeCheck({ name: 'no_regression', kind: 'model', actual: 0.1792, threshold: 0.02, comparator: '<=', n: 597, significance: { test: 'mcnemar', pValue: 9.9e-10, alpha: 0.05 }, message: 'drop 0.1792 > max drop 0.02' })
  const tests: TestOutcome[] = [{ file: 'm.modeltest.ts', name: 'model', state: 'failed', durationMs: 5, errors: ['failed'], checks: [accuracy, latency, regression], line: 3 }]
  const junit = renderJUnit(buildReport({ tests, startedAt: new Date(0), durationMs: 5, runtime: {} }))

  test('names each failed check with actual, relation, threshold, interval, n and p-value, joined by ;', () => {
    const [only] = casesOf(junit)
    expect(only.failure!.message).toBe(
      'accuracy_threshold 0.5243 < 0.8 (95% CI 0.4842–0.5641, n=597): Accuracy 0.5243 < 0.80; ' +
        'latency_p95 61.2 ms > 50 ms (n=100): P95 latency 61.20 ms > 50 ms; ' +
        'no_regression 0.1792 > 0.02 (n=597, mcnemar p=9.90e-10): drop 0.1792 > max drop 0.02',
    )
    expect(only.name).toBe('model [accuracy_threshold 0.5243 < 0.8; latency_p95 61.2 ms > 50 ms; no_regression 0.1792 > 0.02]')
    // Without a located check or error, the test's own line.
    expect(only.line).toBe('3')
    expect(only.failure!['#text']).toMatch(/\n {4}at model \(m\.modeltest\.ts:3:1\)$/)
  })
})

describe('the line of a test that passed a check and then threw', () => {
  test("is the throw's, not the passed check's", () => {
    const rows = { ...makeCheck({ name: 'min_samples', kind: 'data', actual: 4, threshold: 3, comparator: '>=', message: 'rows' }), location: { file: 'd.modeltest.ts', line: 4, column: 5 } }
    const tests: TestOutcome[] = [
      { file: 'd.modeltest.ts', name: 'rows then parse', state: 'failed', durationMs: 1, errors: ['bad label'], error: { name: 'TypeError', location: { file: 'd.modeltest.ts', line: 6, column: 9 } }, checks: [rows], line: 3 },
    ]
    const [only] = casesOf(renderJUnit(buildReport({ tests, startedAt: new Date(0), durationMs: 1, runtime: {} })))
    expect(only).toMatchObject({ line: '6', error: { type: 'TypeError', message: 'bad label' } })
    expect(only.error!['#text']).toMatch(/\n {4}at rows then parse \(d\.modeltest\.ts:6:9\)$/)
  })
})

describe('the pull request comment', () => {
  const check = (name: string, actual: number, threshold: number, extra = {}) => makeCheck({ name, kind: 'model', actual, threshold, comparator: '>=', message: name, ...extra })
  const outcome = (name: string, checks: ReturnType<typeof check>[]): TestOutcome => ({ file: 'model.modeltest.ts', name, state: checks.every((c) => c.passed) ? 'passed' : 'failed', durationMs: 1, errors: [], checks })
  const run = (tests: TestOutcome[]) => buildReport({ tests, startedAt: new Date('2026-11-28T10:00:00Z'), durationMs: 5, runtime: {} })
  const now = run([
    outcome('model > latency', [makeCheck({ name: 'latency_p95', kind: 'model', actual: 4.5, threshold: 50, comparator: '<=', unit: 'ms', message: 'p95' })]),
    outcome('model > accuracy', [check('accuracy_threshold', 0.7, 0.8)]),
    outcome('new', [check('added_check', 1, 0)]),
  ])
  const before = run([
    outcome('model > latency', [makeCheck({ name: 'latency_p95', kind: 'model', actual: 6, threshold: 50, comparator: '<=', unit: 'ms', message: 'p95' })]),
    outcome('model > accuracy', [check('accuracy_threshold', 0.82, 0.8)]),
  ])
  const comment = renderPrComment(compareWithBaseline(now, before, 'baseline/modeltest.json'))

  test('is one table of every check, failures first, with the baseline value and the change', () => {
    const lines = comment.split('\n')
    expect(lines[0]).toBe(PR_COMMENT_MARKER)
    expect(lines[1]).toBe('### ❌ modeltest failed: 2/3 checks passed · against `baseline/modeltest.json` (2026-11-28T10:00:00.000Z)')
    const rows = lines.filter((line) => line.startsWith('| `'))
    expect(rows).toEqual([
      '| `accuracy_threshold` | model &gt; accuracy | ❌ | 0.7 | ≥ 0.8 | 0.82 | −0.12 |',
      '| `latency_p95` | model &gt; latency | ✅ | 4.5 ms | ≤ 50 ms | 6 ms | −1.5 ms |',
      '| `added_check` | new | ✅ | 1 | ≥ 0 |  |  |',
    ])
    expect(comment.match(/\| Check \| Test \| Result \| Actual \| Threshold \| Baseline \| Change \|/g)).toHaveLength(1)
  })

  test("without a baseline report, a comparison with a baseline model still shows that model's value", () => {
    const regression = makeCheck({ name: 'no_regression', kind: 'model', actual: 0.01, threshold: 0.02, comparator: '<=', baseline: 0.71, details: { candidate: 0.7 }, message: 'drop' })
    expect(renderPrComment(run([outcome('regression', [regression])]))).toContain('| `no_regression` | regression | ✅ | 0.01 | ≤ 0.02 | 0.71 (model) | −0.01 |')
  })

  test('stays under the limit it is given by leaving out passing rows, and says so', () => {
    const many = run([outcome('bad', [check('failing', 0, 1)]), ...Array.from({ length: 50 }, (_, i) => outcome(`t${i}`, [check(`check_${i}`, 1, 0)]))])
    const cut = renderPrComment(many, 2000)
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2000)
    expect(cut).toContain('| `failing` |')
    expect(cut).toMatch(/_\d+ more checks left out to stay under GitHub's comment limit/)
  })
})
