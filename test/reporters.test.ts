import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, test } from 'vitest'
import { buildReport, makeCheck, type TestOutcome } from '../src/index.js'
import { renderConsole, renderJUnit, renderJson } from '../reporters/index.js'

const tricky = `acc <"quoted"> & 'apostrophe'\u0001`
const accuracy = makeCheck({ name: 'accuracy_threshold', kind: 'model', actual: 0.7, threshold: 0.8, comparator: '>=', n: 600, message: `Accuracy 0.7000 < 0.80 ${tricky}` })
const nulls = makeCheck({ name: 'null_check', kind: 'data', actual: 0, threshold: 0, comparator: '<=', message: 'No null values in text' })

function outcome(name: string, state: TestOutcome['state'], checks = [nulls], errors: string[] = []): TestOutcome {
  return { file: 'a.modeltest.ts', name, state, durationMs: 12, errors, checks }
}

const report = buildReport({
  tests: [outcome('data > nulls', 'passed'), outcome(`model > ${tricky}`, 'failed', [accuracy], ['accuracy_threshold: failed']), outcome('model > broken', 'failed', [], ['data.csv, line 3: a quoted field is not closed']), outcome('later', 'skipped', [])],
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
    expect(XMLValidator.validate(junit)).toBe(true)
    expect(junit).not.toContain('\u0001')
    const names = parsed.testsuites.testsuite.testcase.map((c: { name: string }) => c.name)
    expect(names).toContain(`model > acc <"quoted"> & 'apostrophe'`)
  })

  test('has counts that add up, failure for a failed check and error for an error', () => {
    expect(parsed.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' })
    expect(parsed.testsuites.testsuite).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1' })
    const [, failed, broken, skipped] = parsed.testsuites.testsuite.testcase
    expect(failed.failure.message).toMatch(/^accuracy_threshold: Accuracy 0.7000 < 0.80/)
    expect(broken.error.message).toBe('data.csv, line 3: a quoted field is not closed')
    expect(skipped).toHaveProperty('skipped')
  })

  test('carries a property per check value', () => {
    const failed = parsed.testsuites.testsuite.testcase[1]
    const properties = Object.fromEntries(failed.properties.property.map((p: { name: string; value: string }) => [p.name, p.value]))
    expect(properties).toMatchObject({ 'accuracy_threshold.value': '0.7', 'accuracy_threshold.threshold': '0.8', 'accuracy_threshold.passed': 'false', 'accuracy_threshold.n': '600' })
  })
})

describe('console', () => {
  test('groups checks by kind, lists errors, closes with the tally; no colour codes when off', () => {
    const text = renderConsole(report, { color: false, written: ['reports/junit.xml'] })
    expect(text).not.toMatch(/\u001b\[/)
    expect(text.indexOf('Data checks')).toBeLessThan(text.indexOf('Model checks'))
    expect(text).toContain('  ✗ accuracy_threshold: Accuracy 0.7000 < 0.80')
    expect(text).toContain('      Actual: 0.7, Threshold: 0.8')
    expect(text).toMatch(/Errors\n  ✗ a\.modeltest\.ts > model > broken\n      data\.csv, line 3/)
    expect(text).toMatch(/1\/2 checks passed, 1 test failed with an error/)
    expect(text).toMatch(/Reports: reports\/junit\.xml\n FAILED/)
  })
  test('colours on request', () => {
    expect(renderConsole(report, { color: true })).toMatch(/\u001b\[31m✗/)
  })
})

test('JSON is the report itself', () => {
  expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)))
})
