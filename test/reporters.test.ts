import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { SyntaxValidator } from 'fast-xml-validator'
import { parse, type TestSuites } from 'junit2json'
import { validateXML } from 'xmllint-wasm'
import { describe, expect, test } from 'vitest'
import { buildReport, makeCheck, type TestOutcome } from '../src/index.js'
import { renderConsole, renderJUnit, renderJson } from '../reporters/index.js'
import { repoRoot } from './helpers.js'

const tricky = `acc <"quoted"> & 'apostrophe'\u0001`
const accuracy = makeCheck({ name: 'accuracy_threshold', kind: 'model', actual: 0.7, threshold: 0.8, comparator: '>=', n: 600, message: `Accuracy 0.7000 < 0.80 ${tricky}` })
const nulls = makeCheck({ name: 'null_check', kind: 'data', actual: 0, threshold: 0, comparator: '<=', message: 'No null values in text' })

function outcome(name: string, state: TestOutcome['state'], checks = [nulls], errors: string[] = []): TestOutcome {
  return { file: 'a.modeltest.ts', name, state, durationMs: 12, errors, checks }
}

const report = buildReport({
  tests: [
    outcome('data > nulls', 'passed'),
    outcome(`model > ${tricky}`, 'failed', [accuracy], ['accuracy_threshold: failed']),
    outcome('model > broken', 'failed', [], ['data.csv, line 3: a quoted field is not closed']),
    outcome('later', 'skipped', []),
  ],
  startedAt: new Date('2026-11-28T10:00:00Z'),
  durationMs: 1234,
  runtime: { modeltest: '0.1.0' },
})

describe('run verdict', () => {
  test('fails on a failed check or an error, and counts what ran', () => {
    expect(report.passed).toBe(false)
    expect(report.summary).toEqual({ tests: 4, failedTests: 2, skippedTests: 1, checks: 2, failedChecks: 1 })
  })
  test('a run without checks, or without tests, never passes', () => {
    const noChecks = buildReport({ tests: [outcome('t', 'passed', [])], startedAt: new Date(), durationMs: 1, runtime: {} })
    expect(noChecks.passed).toBe(false)
    expect(noChecks.problems[0]).toMatch(/No modeltest check ran/)
    expect(buildReport({ tests: [], startedAt: new Date(), durationMs: 1, runtime: {} }).problems).toEqual(['No test ran.'])
  })
})

describe('JUnit', () => {
  const junit = renderJUnit(report)
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit)

  test('is well-formed XML with names and messages escaped', () => {
    expect(SyntaxValidator.validate(junit)).toBe(true)
    expect(junit).not.toContain('\u0001')
    const names = parsed.testsuites.testsuite.testcase.map((c: { name: string }) => c.name)
    expect(names).toContain(`model > acc <"quoted"> & 'apostrophe' [accuracy_threshold 0.7 < 0.8]`)
  })

  test('has counts that add up, failure for a failed check and error for an error', () => {
    expect(parsed.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' })
    expect(parsed.testsuites.testsuite).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' })
    const [, failed, broken, skipped] = parsed.testsuites.testsuite.testcase
    expect(failed.failure.message).toMatch(/^accuracy_threshold 0\.7 < 0\.8 \(n=600\): Accuracy 0\.7000 < 0\.80/)
    expect(broken.error.message).toBe('data.csv, line 3: a quoted field is not closed')
    expect(skipped).toHaveProperty('skipped')
  })
})

describe('JUnit against the common schema, read by a JUnit consumer (junit2json)', () => {
  const schema = readFileSync(join(repoRoot, 'test', 'schemas', 'junit.xsd'), 'utf8')
  const validate = (xml: string) => validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: schema }] })

  const interval = { low: 0.65, high: 0.75, confidence: 0.95, method: 'wilson' as const }
  const regression = makeCheck({
    name: 'no_regression',
    kind: 'model',
    actual: 0.01,
    threshold: 0.02,
    comparator: '<=',
    n: 600,
    baseline: 0.71,
    details: { candidate: 0.7 },
    significance: { test: 'mcnemar', pValue: 0.2, alpha: 0.05 },
    message: 'drop 0.01',
  })
  const measured = { ...makeCheck({ name: 'accuracy_threshold', kind: 'model', actual: 0.7, threshold: 0.8, comparator: '>=', n: 600, interval, message: 'Accuracy 0.7000 < 0.80' }), previous: { actual: 0.82, passed: true } }
  const rich = buildReport({
    tests: [
      { file: 'model.modeltest.ts', name: 'model > accuracy', state: 'failed', durationMs: 3, errors: ['accuracy_threshold: failed'], checks: [measured], line: 7 },
      { file: 'model.modeltest.ts', name: 'model > regression', state: 'passed', durationMs: 3, errors: [], checks: [regression], line: 9 },
      { file: 'data.modeltest.ts', name: '(file)', state: 'failed', durationMs: 0, errors: ['data.csv: no such file'], checks: [] },
    ],
    startedAt: new Date('2026-11-28T10:00:00Z'),
    durationMs: 20,
    runtime: {},
  })
  const empty = buildReport({ tests: [], startedAt: new Date('2026-11-28T10:00:00Z'), durationMs: 1, runtime: {} })

  test.each([
    ['a failing run with an error and a skipped test', report],
    ['intervals, baselines, a file-level error', rich],
    ['no tests at all', empty],
  ])('%s validates against test/schemas/junit.xsd', async (_, run) => {
    const result = await validate(renderJUnit(run))
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  test('the schema check can fail: properties inside a testcase or a missing name are refused', async () => {
    const inTestcase = renderJUnit(rich).replace(
      '<testcase classname="model.modeltest.ts" name="model &gt; regression [no_regression 0.01 ≤ 0.02]" time="0.003" file="model.modeltest.ts" line="9"/>',
      '<testcase name="x"><properties><property name="a" value="b"/></properties></testcase>',
    )
    expect(inTestcase).toContain('<testcase name="x"><properties>')
    expect((await validate(inTestcase)).valid).toBe(false)
    expect((await validate(renderJUnit(rich).replace(/<testsuite name="[^"]*"/, '<testsuite'))).valid).toBe(false)
  })

  test('a consumer reads counts that add up at every level, and every check value', async () => {
    const parsed = (await parse(renderJUnit(rich))) as TestSuites
    const suites = parsed.testsuite!
    expect(parsed).toMatchObject({ tests: 3, failures: 1, errors: 1 })
    for (const suite of [parsed, ...suites]) {
      const cases = 'testcase' in suite ? (suite.testcase ?? []) : suites.flatMap((s) => s.testcase ?? [])
      expect(cases.length).toBe(suite.tests)
      expect(cases.filter((c) => c.failure).length).toBe(suite.failures)
      expect(cases.filter((c) => c.error).length).toBe(suite.errors)
    }
    const model = suites.find((suite) => suite.name === 'model.modeltest.ts')!
    // The consumer reads numeric values as numbers.
    const properties = Object.fromEntries(model.properties!.map((p) => [p.name, String(p.value)]))
    expect(properties).toMatchObject({
      'model > accuracy :: accuracy_threshold.value': '0.7',
      'model > accuracy :: accuracy_threshold.threshold': '0.8',
      'model > accuracy :: accuracy_threshold.passed': 'false',
      'model > accuracy :: accuracy_threshold.interval.low': '0.65',
      'model > accuracy :: accuracy_threshold.interval.high': '0.75',
      'model > accuracy :: accuracy_threshold.interval.confidence': '0.95',
      'model > accuracy :: accuracy_threshold.interval.method': 'wilson',
      'model > accuracy :: accuracy_threshold.baseline': '0.82',
      'model > accuracy :: accuracy_threshold.delta': '-0.12',
      'model > accuracy :: accuracy_threshold.baseline.source': 'baseline report',
      'model > regression :: no_regression.baseline': '0.71',
      'model > regression :: no_regression.delta': '-0.01',
      'model > regression :: no_regression.baseline.source': 'baseline model',
      'model > regression :: no_regression.pValue': '0.2',
    })
    const failed = model.testcase!.find((c) => c.name === 'model > accuracy [accuracy_threshold 0.7 < 0.8]')!
    expect(failed.failure![0].message).toBe('accuracy_threshold 0.7 < 0.8 (95% CI 0.65–0.75, n=600): Accuracy 0.7000 < 0.80')
  })
})

describe('console', () => {
  test('groups checks by kind, lists errors, closes with the tally; no colour codes when off', () => {
    const text = renderConsole(report, { color: false, written: ['reports/junit.xml'] })
    // eslint-disable-next-line no-control-regex -- the escape character is what it finds
    expect(text).not.toMatch(/\u001b\[/)
    expect(text.indexOf('Data checks')).toBeLessThan(text.indexOf('Model checks'))
    expect(text).toContain('  ✗ accuracy_threshold: Accuracy 0.7000 < 0.80')
    expect(text).toContain('      Actual: 0.7, Threshold: 0.8')
    expect(text).toMatch(/Errors\n {2}✗ a\.modeltest\.ts > model > broken\n {6}data\.csv, line 3/)
    expect(text).toMatch(/1\/2 checks passed, 1 test failed with an error/)
    expect(text).toMatch(/Reports: reports\/junit\.xml\n FAILED/)
  })
  test('colours on request', () => {
    // eslint-disable-next-line no-control-regex -- the escape character is what it finds
    expect(renderConsole(report, { color: true })).toMatch(/\u001b\[31m✗/)
  })
})

test('JSON is the report itself', () => {
  expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)))
})
