import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, driftTestNames, readReport, registerDriftTest, type DriftTestDefinition } from '../src/index.js'
import { lastRecord, repoRoot, runCli, tempDir } from './helpers.js'

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((total, value) => total + value, 0) / values.length

/** A distance of our own: how far the mean moved. */
const meanShift: DriftTestDefinition = { kind: 'numeric', defaultThreshold: 1, compute: (reference, current) => ({ statistic: Math.abs(mean(current) - mean(reference)) }) }
registerDriftTest('mean-shift', meanShift)
/** A significance test of our own on counts per category: p = 1 when the counts match exactly, else 0. */
registerDriftTest('same-counts', { kind: 'categorical', defaultThreshold: 0.5, compute: (reference, current) => ({ statistic: 0, pValue: reference.every((count, i) => count === current[i]) ? 1 : 0 }) })

/** Floats (whole numbers with few values would be categories), and a category. */
const numbers = (values: number[]) => dataset(values.map((x) => ({ x: x + 0.25, colour: x > 2 ? 'red' : 'blue' })))
const reference = await numbers([1, 2, 3, 4, 5])
const shifted = await numbers([4, 5, 6, 7, 8])

describe('a registered drift test', () => {
  test('is listed after the built-in ones', () => {
    expect(driftTestNames()).toEqual(['psi', 'ks', 'chi2', 'jensen-shannon', 'wasserstein', 'mean-shift', 'same-counts'])
  })

  test('passes, with its name, statistic and default threshold in the record', async ({ task }) => {
    await expect(await numbers([1.5, 2.5, 3.5, 4.5, 5.5])).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'mean-shift' })
    const record = lastRecord(task)
    expect(record).toMatchObject({ name: 'no_drift', passed: true, actual: 0 })
    expect(record.details!.columns).toEqual([{ column: 'x', test: 'mean-shift', statistic: 0.5, threshold: 1, drifted: false, reference: 5, current: 5 }])
    expect(record.message).toBe('No drift in 1 column: x mean-shift 0.5000')
  })

  test('fails when its statistic is above the threshold; .not passes then', async () => {
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'mean-shift' })).rejects.toThrow('no_drift: Drift in 1 of 1 columns: x mean-shift 3.0000 > 1\n')
    await expect(shifted).not.toHaveNoDriftFrom(reference, { columns: ['x'], test: 'mean-shift' })
    await expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'mean-shift', threshold: 3.5 })
  })

  test('a categorical one gets counts per category, and its p-value decides against α', async ({ task }) => {
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['colour'], test: 'same-counts' })).rejects.toThrow('Drift in 1 of 1 columns: colour same-counts 0.0000 p=0.00 < α 0.50\n')
    await expect(await numbers([5, 4, 3, 2, 1])).toHaveNoDriftFrom(reference, { columns: ['colour'], test: 'same-counts' })
    expect(lastRecord(task).details!.columns).toEqual([{ column: 'colour', test: 'same-counts', statistic: 0, pValue: 1, threshold: 0.5, drifted: false, reference: 5, current: 5 }])
  })

  test('is refused on a column of the other kind, naming the tests that fit', async () => {
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['colour'], test: 'mean-shift' })).rejects.toThrow(
      "the mean-shift test needs a numeric column; 'colour' is string\n  Use test 'chi2', 'psi', 'jensen-shannon' or 'same-counts' for categories.",
    )
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'same-counts' })).rejects.toThrow(
      "the same-counts test needs a categorical column; 'x' is float\n  Use test 'ks', 'psi', 'chi2', 'jensen-shannon', 'wasserstein' or 'mean-shift' for numbers.",
    )
  })

  test('an unknown name suggests the closest registered one', async () => {
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { test: 'mean-shfit' })).rejects.toThrow(
      /test 'mean-shfit' is not one of 'psi', 'ks', 'chi2', 'jensen-shannon', 'wasserstein', 'mean-shift' and 'same-counts' \(did you mean 'mean-shift'\?\)/,
    )
  })

  test('a test that throws or returns no finite statistic is a clear error, naming it and the column', async () => {
    registerDriftTest('broken', { kind: 'numeric', defaultThreshold: 1, compute: () => ({ statistic: Number.NaN }) })
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'broken' })).rejects.toThrow(/toHaveNoDriftFrom, column 'x': the drift test 'broken' returned .*not a finite statistic/)
    registerDriftTest('broken', { kind: 'numeric', defaultThreshold: 1, compute: () => ({ statistic: 1, pValue: 2 }) })
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'broken' })).rejects.toThrow(/the drift test 'broken' returned .*p-value in \[0, 1\]/)
    registerDriftTest('broken', {
      kind: 'numeric',
      defaultThreshold: 1,
      compute: () => {
        throw new TypeError('values.map is not a function')
      },
    })
    await expect(expect(shifted).toHaveNoDriftFrom(reference, { columns: ['x'], test: 'broken' })).rejects.toThrow(/the drift test 'broken' threw: values\.map is not a function\n {2}Fix the compute function registered as 'broken'/)
  })
})

describe('registerDriftTest refuses', () => {
  test.each<[string, unknown, RegExp]>([
    ['ks', meanShift, /'ks' is a built-in drift test and cannot be replaced/],
    ['two words', meanShift, /the name must be letters, digits/],
    ['no-kind', { compute: meanShift.compute, defaultThreshold: 1 }, /kind is missing/],
    ['bad-kind', { ...meanShift, kind: 'numbers' }, /kind 'numbers' is not one of 'numeric', 'categorical' and 'both'\n {2}Write kind: 'numeric'\./],
    ['no-compute', { kind: 'numeric', defaultThreshold: 1 }, /compute must be a function, got undefined/],
    ['bad-threshold', { ...meanShift, defaultThreshold: -1 }, /defaultThreshold/],
    ['extra-key', { ...meanShift, threshold: 1 }, /threshold/],
  ])('%s', (name, definition, message) => {
    expect(() => registerDriftTest(name, definition as DriftTestDefinition)).toThrow(message)
  })
})

test('a suite run by the CLI registers a drift test and uses it; the JSON report carries its name, statistic and threshold', async () => {
  const dir = await tempDir()
  await mkdir(join(dir, 'node_modules'))
  await symlink(repoRoot, join(dir, 'node_modules', 'modeltest'), 'dir')
  await writeFile(
    join(dir, 'drift.modeltest.ts'),
    `import { expect, test } from 'vitest'
import { dataset, registerDriftTest } from 'modeltest'
registerDriftTest('max-shift', { kind: 'numeric', defaultThreshold: 2, compute: (reference, current) => ({ statistic: Math.abs(Math.max(...current) - Math.max(...reference)) }) })
const reference = await dataset([1, 2, 3].map((x) => ({ x })))
test('stable', async () => expect(await dataset([2, 3, 4].map((x) => ({ x })))).toHaveNoDriftFrom(reference, { test: 'max-shift' }))
test('moved', async () => expect(await dataset([7, 8, 9].map((x) => ({ x })))).toHaveNoDriftFrom(reference, { test: 'max-shift' }))
`,
  )
  const run = await runCli(['.', '--json', 'out.json', '--no-html', '--no-junit'], dir)
  expect(run.code).toBe(1)
  const report = await readReport(join(dir, 'out.json'), 'the test')
  const [stable, moved] = report.tests.map((outcome) => outcome.checks[0])
  expect(stable).toMatchObject({ name: 'no_drift', passed: true, details: { columns: [{ column: 'x', test: 'max-shift', statistic: 1, threshold: 2, drifted: false }] } })
  expect(moved).toMatchObject({ name: 'no_drift', passed: false, details: { columns: [{ column: 'x', test: 'max-shift', statistic: 6, threshold: 2, drifted: true }] } })
  expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8')).passed).toBe(false)
})
