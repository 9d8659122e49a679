import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildReport, dataset, formatValues, makeCheck, model, type CheckRecord, type Row } from '../../src/index.js'
import { renderConsole, renderJUnit, renderMarkdown } from '../../reporters/index.js'
import { formatPValue } from '../../src/checks/record.js'
import { lastRecord, runCli, tempDir } from '../helpers.js'

// Matchers are registered by src/cli/setup.ts (vitest.config.ts loads it, as the preset does).

const rows = await dataset(
  [
    { id: 1, text: 'a', label: 0 },
    { id: 2, text: null, label: 1 },
    { id: 3, text: 'c', label: 1 },
  ],
  { name: 'rows' },
)
const clean = await dataset(
  [
    { text: 'good film', label: 1 },
    { text: 'bad film', label: 0 },
    { text: 'good plot', label: 1 },
    { text: 'dull', label: 0 },
  ],
  { name: 'clean' },
)
const keyword = await model(async (input: Row[]) => input.map((row) => (String(row.text).includes('good') ? [0.2, 0.8] : [0.9, 0.1])), { name: 'keyword' })

/** The error a matcher call rejects with: its message as vitest prints it. */
async function failure(assertion: Promise<unknown>): Promise<string> {
  const error = await assertion.then(
    () => undefined,
    (e: unknown) => e as Error,
  )
  expect(error, 'the assertion should have failed').toBeInstanceOf(Error)
  return error!.message
}

describe('.not: the message is worded from the final verdict', () => {
  test('a failing .not.toHaveAtLeastRows(1) does not read "Sample count OK"', async ({ task }) => {
    const message = await failure(expect(rows).not.toHaveAtLeastRows(1))
    expect(message).toMatch(/^min_samples: Fails \.not, which requires < 1: sample count OK: 3 ≥ 1\n/)
    expect(lastRecord(task)).toMatchObject({ passed: false, message: 'Fails .not, which requires < 1: sample count OK: 3 ≥ 1' })
    const console = renderConsole(buildReport({ tests: [{ file: 'a.modeltest.ts', name: 'rows', state: 'failed', durationMs: 1, errors: [message], checks: [lastRecord(task)] }], startedAt: new Date(0), durationMs: 1, runtime: {} }), {
      color: false,
    })
    expect(console).toContain('✗ min_samples: Fails .not, which requires < 1: sample count OK: 3 ≥ 1')
  })

  test('a passing .not.toHaveAtLeastRows(5) says it passes', async ({ task }) => {
    await expect(rows).not.toHaveAtLeastRows(5)
    expect(lastRecord(task)).toMatchObject({ passed: true, message: 'Passes .not, which requires < 5: insufficient samples: 3 < 5' })
  })

  test('toHaveNoNulls, toHaveColumns, toHaveUniqueValues under .not', async ({ task }) => {
    await expect(rows).not.toHaveNoNulls(['text'])
    expect(lastRecord(task).message).toBe('Passes .not, which requires > 0: found nulls in 1 of 1 columns: text 1 (3 rows)')
    expect(await failure(expect(rows).not.toHaveColumns(['id']))).toMatch(/^schema_validation: Fails \.not, which requires > 0: all 1 expected columns present/)
    expect(await failure(expect(rows).not.toHaveUniqueValues(['id']))).toMatch(/^unique_values: Fails \.not, which requires > 0: no duplicates in id/)
  })

  test('a model matcher: a failing .not.toMeetAccuracy', async ({ task }) => {
    const message = await failure(expect(keyword).not.toMeetAccuracy(0.9, { on: clean, label: 'label' }))
    expect(message).toMatch(/^accuracy_threshold: Fails \.not, which requires < 0\.90: accuracy 1\.0000 ≥ 0\.90 \(95% CI/)
    expect(lastRecord(task).passed).toBe(false)
  })

  test('without .not the message is as it was', async ({ task }) => {
    await expect(rows).toHaveAtLeastRows(1)
    expect(lastRecord(task).message).toBe('Sample count OK: 3 ≥ 1')
  })
})

describe('numbers carry the digits that show why a check failed', () => {
  test('a p-value next to its α has the digits that tell them apart', () => {
    expect(formatPValue(0.04996, 0.05)).toBe('0.04996')
    expect(formatPValue(0.050004, 0.05)).toBe('0.050004')
    expect(formatPValue(0.0312, 0.05)).toBe('0.0312')
    expect(formatPValue(0.05, 0.05)).toBe('0.0500')
    expect(formatPValue(1.21e-8)).toBe('1.21e-8')
  })

  test('formatValues adds decimals only while two different numbers read the same', () => {
    // 0.999995 is 0.99999499… in binary: five decimals tell it from 1.
    expect(formatValues(0.999995, 1)).toEqual(['0.99999', '1'])
    expect(formatValues(0.9999996, 1)).toEqual(['0.9999996', '1'])
    expect(formatValues(0.81234567, 0.8)).toEqual(['0.8123', '0.8'])
    expect(formatValues(1.000012, 1.000011)).toEqual(['1.000012', '1.000011'])
    expect(formatValues(0.5, 0.5)).toEqual(['0.5', '0.5'])
    expect(formatValues(Number.NaN, 1)).toEqual(['NaN', '1'])
  })

  test('a failing 0.999995 ≥ 1 (read as 1 to four decimals) shows both numbers apart in the matcher message, console, Markdown and JUnit', async ({ task }) => {
    // 1 of 200,000 values outside the range: 99.9995% inside, where all are required.
    const values = await dataset(
      Array.from({ length: 200_000 }, (_, i) => ({ x: i === 7 ? 5 : 0.5 })),
      { name: 'values' },
    )
    const message = await failure(expect(values).toHaveValuesBetween('x', 0, 1))
    expect(message).toContain('(99.999% within < 100.00% required)')
    expect(message).toContain('Actual: 0.99999, Threshold: 1 (required: actual >= threshold)')
    const record: CheckRecord = lastRecord(task)
    const report = buildReport({ tests: [{ file: 'a.modeltest.ts', name: 'range', state: 'failed', durationMs: 1, errors: [message], checks: [record] }], startedAt: new Date(0), durationMs: 1, runtime: {} })
    expect(renderConsole(report, { color: false })).toContain('Actual: 0.99999, Threshold: 1')
    expect(renderMarkdown(report)).toContain('| 0.99999 | ≥ 1 |')
    expect(renderJUnit(report)).toContain('name="range :: values_between.value" value="0.99999"')
  })

  test('a mostly threshold just missed by the least complete column', async () => {
    const nulls = await dataset(
      Array.from({ length: 100_000 }, (_, i) => ({ x: i === 3 ? null : 1 })),
      { name: 'nulls' },
    )
    const message = await failure(expect(nulls).toHaveNoNulls(['x'], { mostly: 1 }))
    expect(message).toContain('least complete column 99.999% non-null < mostly 1')
    expect(message).toContain('Actual: 0.99999, Threshold: 1')
  })

  test('a check that passes on equal numbers still shows them as they are', () => {
    const check = makeCheck({ name: 'min_samples', kind: 'data', actual: 10, threshold: 10, comparator: '>=', message: 'Sample count OK: 10 ≥ 10' })
    expect(renderConsole(buildReport({ tests: [{ file: 'a', name: 't', state: 'passed', durationMs: 1, errors: [], checks: [check] }], startedAt: new Date(0), durationMs: 1, runtime: {} }), { color: false })).toContain(
      'Actual: 10, Threshold: 10',
    )
  })
})

describe('examples in messages come in a fixed order', () => {
  // Enough rows that DuckDB reads them in parallel, where grouping order varies from run to run.
  const many = <T>(count: number, row: (i: number) => T) => Array.from({ length: count }, (_, i) => row(i))

  test('toHaveValuesBetween lists the smallest values outside the range, sorted', async () => {
    const data = await dataset(
      many(300_000, (i) => ({ x: i % 50_000 === 0 ? 1000 - i / 50_000 : 1 })),
      { name: 'outliers' },
    )
    expect(await failure(expect(data).toHaveValuesBetween('x', 0, 10))).toMatch(/6 of 300000 values of x outside \[0, 10\] .*e\.g\. 995, 996, 997, 998, 999\n/)
  })

  test('toHaveValuesIn: unexpected values by count, equal counts by value', async () => {
    const data = await dataset([...['z', 'm', 'a', 'q', 'b', 'y'].map((label) => ({ label })), { label: 'y' }, { label: 'ok' }], { name: 'labels' })
    expect(await failure(expect(data).toHaveValuesIn('label', ['ok']))).toMatch(/7 of 8 values of label not in \{ok\}: 'y' ×2, 'a' ×1, 'b' ×1, 'm' ×1, 'q' ×1, and 1 more/)
  })

  test('toHaveUniqueValues and toHaveNoOverlapWith: duplicate and shared keys sorted', async () => {
    const keys = await dataset(
      many(200_000, (i) => ({ id: i < 8 ? `k${7 - (i % 4)}` : `u${i}` })),
      { name: 'keys' },
    )
    expect(await failure(expect(keys).toHaveUniqueValues(['id']))).toMatch(/4 duplicate rows in id \(4 values repeated\), e\.g\. "k4", "k5", "k6"/)
    const other = await dataset([{ id: 'u199999' }, { id: 'u100' }, { id: 'u5000' }, { id: 'u20' }], { name: 'other' })
    expect(await failure(expect(keys).toHaveNoOverlapWith(other, { on: ['id'] }))).toMatch(/4 of 200000 rows of keys also appear in other \(on id\), e\.g\. "u100", "u199999", "u20"/)
  })

  test('toHaveClassBalance and toHaveMinClassCount name the same class when counts tie', async () => {
    const tied = await dataset([{ label: 'b' }, { label: 'a' }, { label: 'c' }, { label: 'b' }, { label: 'a' }, { label: 'c' }], { name: 'tied' })
    expect(await failure(expect(tied).toHaveClassBalance('label', { maxShare: 0.3 }))).toMatch(/in majority class 'a'/)
    expect(await failure(expect(tied).toHaveMinClassCount('label', 3))).toMatch(/Smallest class 'a' has 2 rows/)
  })
})

describe('two toMatchProfileSnapshot() calls in one test', () => {
  test('keep two snapshots, keyed `<test name> 1` and `<test name> 2` as vitest keys its own', async () => {
    const dir = await tempDir({
      'a.csv': 'x,y\n1,a\n2,b\n3,c\n',
      'b.csv': 'n\n10\n20\n',
      'profiles.modeltest.ts': [
        "import { describe, expect, test } from 'vitest'",
        "import { dataset } from 'modeltest'",
        "describe('inputs', () => {",
        "  test('two files', async () => {",
        "    await expect(await dataset('a.csv')).toMatchProfileSnapshot()",
        "    await expect(await dataset('b.csv')).toMatchProfileSnapshot()",
        '  })',
        '})',
        '',
      ].join('\n'),
    })
    const run = (env: Record<string, string>) => runCli(['--no-junit', '--no-html', '--no-json'], dir, env)
    expect((await run({ CI: '' })).code).toBe(0)
    const stored = JSON.parse(await readFile(join(dir, '__profiles__', 'profiles.modeltest.ts.json'), 'utf8'))
    expect(Object.keys(stored)).toEqual(['inputs > two files 1', 'inputs > two files 2'])
    expect(stored['inputs > two files 1'].columns).toHaveProperty('x')
    expect(stored['inputs > two files 2'].columns).toHaveProperty('n')

    const second = await run({ CI: 'true' })
    expect(second.code).toBe(0)
    expect(second.stdout.match(/✓ profile_snapshot: Profile matches the snapshot/g)).toHaveLength(2)

    // Only the second file changes: only the second snapshot's check fails.
    await writeFile(join(dir, 'b.csv'), 'n\n10\n20\n30\n40\n50\n')
    const changed = await run({ CI: 'true' })
    expect(changed.code).toBe(1)
    expect(changed.stdout).toMatch(/✓ profile_snapshot: Profile matches the snapshot[^\n]*\(2 columns, 3 rows\)/)
    expect(changed.stdout).toMatch(/✗ profile_snapshot: Profile moved from the snapshot[^\n]*rows 2 → 5/)
  })
})

describe('a matcher that is not awaited', () => {
  const data = 'text,label\nfine,1\n,0\n'

  test('fails the run when another test awaits its own, naming the test and saying to await it', async () => {
    const dir = await tempDir({
      'data.csv': data,
      'checks.modeltest.ts': [
        "import { expect, test } from 'vitest'",
        "import { dataset } from 'modeltest'",
        "const data = await dataset('data.csv')",
        "test('forgot await', () => {",
        '  expect(data).toHaveNoNulls()',
        '})',
        "test('slow but awaited', async () => {",
        '  await new Promise((resolve) => setTimeout(resolve, 300))',
        '  await expect(data).toHaveAtLeastRows(1)',
        '})',
        '',
      ].join('\n'),
    })
    const run = await runCli(['--no-junit', '--no-html'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('✗ null_check: Found nulls in 1 of 2 columns: text 1 (2 rows)  (forgot await)')
    expect(run.stdout).toMatch(/✗ checks\.modeltest\.ts > forgot await\n {6}toHaveNoNulls\(…\) was not awaited in the test 'forgot await'\n {8}Write await expect\(…\)\.toHaveNoNulls\(…\), or return it/)
    expect(run.stdout).toContain(' FAILED')
    const report = JSON.parse(await readFile(join(dir, 'reports', 'modeltest.json'), 'utf8'))
    expect(report.tests.map((test: { name: string; state: string }) => [test.name, test.state])).toEqual([
      ['forgot await', 'failed'],
      ['slow but awaited', 'passed'],
    ])
  })

  test('a passing check not awaited fails too; awaited, returned and wrapped in .rejects it does not', async () => {
    const dir = await tempDir({
      'data.csv': data,
      'forms.modeltest.ts': [
        "import { describe, expect, test } from 'vitest'",
        "import { dataset } from 'modeltest'",
        "const data = await dataset('data.csv')",
        "describe('forms', () => {",
        "  test('not awaited', () => { expect(data).toHaveAtLeastRows(1) })",
        "  test('awaited', async () => { await expect(data).toHaveAtLeastRows(1) })",
        "  test('returned', () => expect(data).not.toHaveAtLeastRows(5))",
        "  test('in rejects', async () => { await expect(expect(data).toHaveNoNulls()).rejects.toThrow(/null_check/) })",
        '})',
        '',
      ].join('\n'),
    })
    const run = await runCli(['--no-junit', '--no-html'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("toHaveAtLeastRows(…) was not awaited in the test 'forms > not awaited'")
    expect(run.stdout.match(/was not awaited/g)).toHaveLength(1)
    const report = JSON.parse(await readFile(join(dir, 'reports', 'modeltest.json'), 'utf8'))
    expect(report.tests.map((test: { state: string }) => test.state)).toEqual(['failed', 'passed', 'passed', 'passed'])
  })
})
