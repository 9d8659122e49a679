import { readFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test, type MatcherState } from 'vitest'
import { buildReport, makeCheck, readReport, type CheckRecord } from '../src/index.js'
import { defineCheck, recordCheck, registerChecks } from '../matchers/index.js'
import { fixturesDir, lastRecord, repoRoot, runCli, tempDir } from './helpers.js'

/** A user's check of a plain number against a ceiling, as a user would define it. */
const toStayBelow = defineCheck({
  name: 'gap_check',
  kind: 'model',
  evaluate: async (received, max: number) => ({ actual: received as number, threshold: max, comparator: '<=' as const, n: 10, details: { source: 'test' } }),
})
const toMeasureNaN = defineCheck({ name: 'nan_check', kind: 'data', evaluate: () => ({ actual: Number.NaN, threshold: 1, comparator: '<=' as const }) })
const toCompareNothing = defineCheck({ name: 'no_comparator', kind: 'data', evaluate: () => ({ actual: 1, threshold: 1 }) as never })
const toEqualOne = defineCheck({ name: 'equals_one', kind: 'data', evaluate: (received) => ({ actual: received as number, threshold: 1, comparator: '==' as const }) })
/** A matcher written by hand, recording its own record. */
function toHaveHandRecord(this: MatcherState, received: unknown, record: Partial<CheckRecord>) {
  return recordCheck(this, { ...makeCheck({ name: 'hand_check', kind: 'data', actual: received as number, threshold: 1, comparator: '>=', message: 'by hand' }), ...record })
}
/** The line of this file that holds `statement` alone. */
function lineOf(statement: string): number {
  return (
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .findIndex((line) => line.trim() === statement) + 1
  )
}
registerChecks({ toStayBelow, toMeasureNaN, toCompareNothing, toEqualOne, toHaveHandRecord })

declare module 'vitest' {
  interface Matchers {
    toStayBelow(max: number): Promise<void>
    toMeasureNaN(): Promise<void>
    toCompareNothing(): Promise<void>
    toEqualOne(): Promise<void>
    toHaveHandRecord(record?: Partial<CheckRecord>): void
  }
}

describe('defineCheck', () => {
  test('a passing check attaches a record like a built-in matcher, at its assertion', async ({ task }) => {
    await expect(0.03).toStayBelow(0.05)
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'gap_check', kind: 'model', passed: true, actual: 0.03, threshold: 0.05, comparator: '<=', n: 10, details: { source: 'test' }, message: 'gap_check 0.0300 ≤ 0.05' })
    expect(record.location).toMatchObject({ file: expect.stringMatching(/custom-checks\.test\.ts$/), line: lineOf('await expect(0.03).toStayBelow(0.05)') })
  })

  test('a failing check fails its test with the record’s message', async ({ task }) => {
    await expect(expect(0.08).toStayBelow(0.05)).rejects.toThrow('gap_check: gap_check 0.0800 > 0.05\n  Actual: 0.08, Threshold: 0.05 (required: actual <= threshold)')
    expect(lastRecord(task)).toMatchObject({ passed: false, actual: 0.08 })
  })

  test('.not turns the comparator around, as for the built-in matchers', async ({ task }) => {
    await expect(0.08).not.toStayBelow(0.05)
    expect(lastRecord(task)).toMatchObject({ passed: true, comparator: '>', message: expect.stringMatching(/^Passes \.not, which requires > 0\.05/) })
  })

  test('a definition reports could not list is refused where it is written', () => {
    const evaluate = () => ({ actual: 0, threshold: 0, comparator: '<=' as const })
    expect(() => defineCheck({ name: '', kind: 'model', evaluate })).toThrow("a check record: name must be a non-empty string, got ''")
    expect(() => defineCheck({ name: 'gap', kind: 'fairness' as never, evaluate })).toThrow("check 'gap': kind 'fairness' is not one of 'data', 'model' and 'deploy'")
    expect(() => defineCheck({ name: 'gap', kind: 'model', evaluate: undefined as never })).toThrow("defineCheck 'gap': evaluate must be a function, got undefined")
  })

  test('a record that is not finite, has no comparator, or asks .not of an equality is a ModeltestError naming the check', async () => {
    await expect(expect(null).toMeasureNaN()).rejects.toMatchObject({ name: 'ModeltestError', message: expect.stringMatching(/^check 'nan_check': actual must be a finite number, got number NaN/) })
    await expect(expect(null).toCompareNothing()).rejects.toMatchObject({ name: 'ModeltestError', message: expect.stringMatching(/^check 'no_comparator': comparator undefined is not one of/) })
    await expect(1).toEqualOne()
    await expect(expect(2).not.toEqualOne()).rejects.toMatchObject({ name: 'ModeltestError', message: expect.stringMatching(/^check 'equals_one': an equality check \('=='\) has no single opposite for \.not/) })
  })
})

describe('recordCheck', () => {
  test('a hand-written matcher records through the same path', ({ task }) => {
    expect(2).toHaveHandRecord()
    expect(lastRecord(task)).toMatchObject({ name: 'hand_check', passed: true, location: { line: lineOf('expect(2).toHaveHandRecord()') } })
  })

  test('refuses a record with no name, an unknown kind, an actual that is not a number, or a field the report cannot hold', () => {
    expect(() => expect(2).toHaveHandRecord({ name: undefined })).toThrow('a check record: name must be a non-empty string, got undefined')
    expect(() => expect(2).toHaveHandRecord({ kind: 'fairness' as never })).toThrow("check 'hand_check': kind 'fairness' is not one of")
    expect(() => expect(2).toHaveHandRecord({ actual: '0.9' as never })).toThrow("check 'hand_check': actual must be a finite number, got '0.9'")
    expect(() => expect(2).toHaveHandRecord({ actual: Infinity })).toThrow("check 'hand_check': actual must be a finite number, got number Infinity")
    expect(() => expect(2).toHaveHandRecord({ interval: { low: 0.1, high: 0.3 } as never })).toThrow("check 'hand_check': the record does not fit modeltest's report (missing interval.confidence)")
    expect(() => expect(2).toHaveHandRecord({ n: '10' as never })).toThrow("check 'hand_check': the record does not fit modeltest's report (n is a string, expected a number)")
  })
})

describe('a user’s check through the command line', () => {
  const fairnessDir = join(repoRoot, 'examples', 'fairness')

  test('the fairness example’s check is in the console, JUnit, JSON, HTML, Markdown and the PR comment with its change', async () => {
    const out = await tempDir()
    // An earlier run in which the gap was larger: the PR comment shows the change.
    const earlier = makeCheck({ name: 'fairness_accuracy_gap', kind: 'model', actual: 0.05, threshold: 0.1, comparator: '<=', message: 'Accuracy gap' })
    const baseline = buildReport({
      tests: [{ file: 'examples/fairness/fairness.modeltest.ts', name: 'fairness > movie and restaurant reviews are classified alike', state: 'passed', durationMs: 1, errors: [], checks: [earlier] }],
      startedAt: new Date(),
      durationMs: 1,
      runtime: {},
    })
    await writeFile(join(out, 'baseline.json'), JSON.stringify(baseline))
    const paths = { junit: join(out, 'junit.xml'), json: join(out, 'modeltest.json'), html: join(out, 'modeltest.html'), summary: join(out, 'summary.md'), 'pr-comment': join(out, 'pr.md') }
    const run = await runCli([...Object.entries(paths).flatMap(([flag, path]) => [`--${flag}`, path]), '--baseline-report', join(out, 'baseline.json')], fairnessDir)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/✓ fairness_accuracy_gap: Accuracy gap imdb 0\.8207 vs yelp 0\.8174: 0\.0033 ≤ 0\.1 \(95% CI [\d.]+–[\d.]+, n=184\+219\)/)
    // Read through the report's JSON Schema: a record the schema refused would throw here.
    const report = await readReport(paths.json, 'the run')
    const check = report.tests.flatMap((t) => t.checks).find((c) => c.name === 'fairness_accuracy_gap')
    expect(check).toMatchObject({ kind: 'model', passed: true, comparator: '<=', threshold: 0.1, n: 403, previous: { actual: 0.05, passed: true }, location: { file: 'examples/fairness/fairness.modeltest.ts', line: 15 } })
    expect(check!.actual).toBeCloseTo(0.8207 - 0.8174, 3)
    expect(await readFile(paths.junit, 'utf8')).toMatch(/fairness_accuracy_gap\.message" value="Accuracy gap imdb/)
    expect(await readFile(paths.html, 'utf8')).toContain('fairness_accuracy_gap')
    expect(await readFile(paths.summary, 'utf8')).toContain('fairness_accuracy_gap')
    expect(await readFile(paths['pr-comment'], 'utf8')).toMatch(/`fairness_accuracy_gap` .* \| 0\.0033 \| ≤ 0\.1 \| 0\.05 \| −0\.0467 \|/)
  })

  test('a failing user check is annotated at its assertion, and a broken one fails its test naming the check', async () => {
    const out = await tempDir()
    const dir = join(fixturesDir, 'cli', 'custom-check')
    const run = await runCli(['--no-html', '--no-junit', '--json', join(out, 'r.json')], dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '' })
    expect(run.code).toBe(1)
    const source = await readFile(join(dir, 'custom.modeltest.ts'), 'utf8')
    const line = source.split('\n').findIndex((text) => text.includes('.toHaveIslandShareBelow(')) + 1
    expect(run.stdout).toContain(`::error file=fixtures/cli/custom-check/custom.modeltest.ts,line=${line},title=modeltest island_share::island_share 0.4884 > 0.4 (n=344)`)
    expect(run.stdout).toContain("check 'broken_measure': actual must be a finite number, got number NaN")
    const report = await readReport(join(out, 'r.json'), 'the run')
    expect(report.tests.map((t) => [t.name, t.state, t.checks.length])).toEqual([
      ['no island dominates', 'failed', 1],
      ['a broken measure', 'failed', 0],
    ])
  })
})
