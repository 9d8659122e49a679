import type { Dataset } from '../data/dataset.js'
import { ident, queryColumn } from '../data/duckdb.js'
import { ModeltestError } from '../errors.js'
import { checkChoice, checkColumnList, checkNumber, checkOptionKeys } from '../guard.js'
import { binCounts, quantileBinEdges, standardDeviation, sum, wassersteinDistance } from '../stats/drift.js'
import { DEFAULT_CATEGORICAL_TEST, DEFAULT_NUMERIC_TEST, driftTest, driftTestNames, runDriftTest } from './drift-tests.js'
import { formatAgainst, formatPValue, formatThreshold, type CheckRecord } from './record.js'
import { formatValue } from '../report.js'
import { dataCheck } from './data.js'
import { categoricalDriftPlot, numericDriftPlot } from './figures.js'
import type { DriftPlot } from './plots.js'

/** The built-in drift tests; `registerDriftTest` adds others. */
export type DriftTest = 'psi' | 'ks' | 'chi2' | 'jensen-shannon' | 'wasserstein'
export const DRIFT_TESTS = driftTestNames() as readonly DriftTest[]

export interface DriftOptions {
  /** Columns to compare; every column the two datasets share by default. */
  columns?: string[]
  /** One test for every column, built in or registered with `registerDriftTest`; by default chosen per column (see driftCheck). */
  test?: DriftTest | (string & {})
  /** The drift threshold of the test (see DEFAULT_THRESHOLD); for ks and chi2 it is the significance level α. */
  threshold?: number
}

/** Per test: drift when the p-value is below α (ks, chi2), or when the distance is above the threshold. */
export const DEFAULT_THRESHOLD = Object.fromEntries(DRIFT_TESTS.map((name) => [name, driftTest(name).defaultThreshold])) as Record<DriftTest, number>

/** Above this many distinct values a text column is free text, not a category, and is skipped by default. */
const MAX_CATEGORIES = 100
/** An integer column with at most this many distinct values is compared as categories. */
const MAX_INTEGER_CATEGORIES = 20
/**
 * The default tests' smallest drift worth failing on, in the column's own units: a numeric column's
 * distribution moved by at least 0.05 of the reference's standard deviation (Wasserstein distance,
 * which is the shift itself for a pure shift), a category's share changed by at least 2 points.
 * With the test's p < α it keeps false alarms at or below α at every n and at 0 on large samples,
 * while more rows still detect smaller shifts down to this floor (bench/drift-defaults.py).
 */
const MIN_SHIFT_SD = 0.05
const MIN_SHARE_CHANGE = 0.02
/** z₀.₈ and z₁₋α/₂ + z₀.₈ at α = 0.05: an effect found with 80% power lies this many standard errors beyond what it must clear. */
const Z_80 = 0.8416212335729143
const POWER_80_Z = 1.959963984540054 + Z_80
/** KS against the t-test on a normal shift: asymptotic relative efficiency 2/π, so √(π/2) more standard errors. */
const KS_EFFICIENCY_FACTOR = Math.sqrt(Math.PI / 2)

export interface ColumnDrift {
  column: string
  /** The test's name, built in or registered. */
  test: string
  statistic: number
  pValue?: number
  threshold: number
  drifted: boolean
  reference: number
  current: number
  /** Default tests only: the drift's size in the column's units (numeric: Wasserstein distance; categories: the largest change of a share). */
  effect?: number
  /** Default tests only: the smallest effect that counts as drift (see MIN_SHIFT_SD, MIN_SHARE_CHANGE). */
  minEffect?: number
  /** Default tests only: the smallest effect these row counts detect with 80% power at α, never below minEffect (normal approximation). */
  detectable?: number
}

/**
 * Compares each column's distribution in `data` with `reference`. Defaults by column type, at every
 * size: numeric columns (floats, and integers with more than 20 distinct values) use the two-sample
 * Kolmogorov–Smirnov test, categorical columns (text, booleans) the chi-square test of homogeneity;
 * a column drifted when the test's p < α (0.05) and the drift is at least a minimum effect in the
 * column's units (MIN_SHIFT_SD, MIN_SHARE_CHANGE). Text with more than 100 distinct values is free
 * text and skipped unless named.
 * PSI, chi-square and Jensen–Shannon on numeric columns bin by the reference's deciles.
 */
export async function driftCheck(data: Dataset, reference: Dataset, options: DriftOptions = {}, negate = false): Promise<CheckRecord> {
  checkOptionKeys(options, ['columns', 'test', 'threshold'], 'toHaveNoDriftFrom')
  checkChoice(options.test, driftTestNames(), 'test', 'toHaveNoDriftFrom')
  const threshold = options.threshold === undefined ? undefined : checkNumber(options.threshold, 'threshold', 'toHaveNoDriftFrom', { min: 0 })
  if (options.columns !== undefined) checkColumnList(options.columns, 'columns', 'toHaveNoDriftFrom', "['age']")
  const explicit = options.columns !== undefined
  const columns = options.columns ?? data.columnNames.filter((name) => reference.hasColumn(name))
  if (columns.length === 0) throw new ModeltestError({ what: 'the two datasets share no column to compare', fix: "Name the columns: toHaveNoDriftFrom(reference, { columns: ['age'] })." })
  data.checkColumns(columns)
  reference.checkColumns(columns)
  const results: ColumnDrift[] = []
  const plots: DriftPlot[] = []
  const skipped: string[] = []
  for (const column of columns) {
    const distinct = Math.max(await data.distinctCount(column), await reference.distinctCount(column))
    // Whole numbers with few values (labels, ratings, counts) are categories; other numbers are measurements.
    const types = [data.columnType(column), reference.columnType(column)]
    const numericTest = options.test !== undefined && driftTest(options.test).kind === 'numeric'
    const numeric = types.every(isNumeric) && !(types.every((type) => type === 'int') && distinct <= MAX_INTEGER_CATEGORIES && !numericTest)
    if (!numeric && distinct > MAX_CATEGORIES && !explicit) {
      skipped.push(`${column} (free text, ${distinct} distinct values)`)
      continue
    }
    const { result, plot } = await columnDrift(data, reference, column, numeric, options.test, threshold)
    results.push(result)
    plots.push(plot)
  }
  const drifted = results.filter((result) => result.drifted)
  const describe = (result: ColumnDrift) =>
    `${result.column} ${result.test} ${result.pValue === undefined ? formatAgainst(result.statistic, result.threshold) : result.statistic.toFixed(4)}${result.pValue !== undefined ? ` p=${formatPValue(result.pValue)}` : ''}${describeEffect(result)}`
  const verdict = (result: ColumnDrift) => (result.pValue === undefined ? `> ${formatThreshold(result.threshold)}` : `< α ${formatThreshold(result.threshold)}`)
  const message =
    drifted.length === 0
      ? `No drift in ${results.length} column${results.length === 1 ? '' : 's'}: ${results.map(describe).join('; ')}`
      : `Drift in ${drifted.length} of ${results.length} columns: ${drifted.map((result) => `${describe(result)} ${verdict(result)}`).join('; ')}`
  return dataCheck(data, negate, {
    name: 'no_drift',
    actual: drifted.length,
    threshold: 0,
    comparator: '<=',
    n: data.rowCount,
    message: skipped.length > 0 ? `${message} (skipped ${skipped.join(', ')})` : message,
    details: { reference: reference.source, columns: results, skipped },
    plots,
  })
}

/** A default test's effect against its minimum, and the smallest shift these rows detect (80% power). */
function describeEffect(result: ColumnDrift): string {
  if (result.effect === undefined) return ''
  const unit = result.test === 'chi2' ? ' share' : ''
  return ` shift${unit} ${formatValue(result.effect)} (min ${formatValue(result.minEffect!)}, detectable ${formatValue(result.detectable!)})`
}

/** One column's drift, and its picture: the two distributions side by side. */
async function columnDrift(data: Dataset, reference: Dataset, column: string, numeric: boolean, forced: string | undefined, threshold: number | undefined): Promise<{ result: ColumnDrift; plot: DriftPlot }> {
  const test = forced ?? (numeric ? DEFAULT_NUMERIC_TEST : DEFAULT_CATEGORICAL_TEST)
  const { kind, defaultThreshold } = driftTest(test)
  if (numeric ? kind === 'categorical' : kind === 'numeric') {
    const fitting = testsFor(numeric)
    throw new ModeltestError({
      what: `the ${test} test needs a ${kind === 'numeric' ? 'numeric' : 'categorical'} column; '${column}' is ${data.columnType(column)}`,
      fix: `Use test ${fitting
        .slice(0, -1)
        .map((name) => `'${name}'`)
        .join(', ')} or '${fitting.at(-1)}' for ${numeric ? 'numbers' : 'categories'}.`,
    })
  }
  const limit = threshold ?? defaultThreshold
  if (numeric) {
    const [base, current] = await Promise.all([numbers(reference, column), numbers(data, column)])
    const tested = driftStatistic(column, test, limit, { base, current })
    const result = forced ? tested : withMinimumShift(tested, wassersteinDistance(base, current), MIN_SHIFT_SD * standardDeviation(base), standardDeviation(base), KS_EFFICIENCY_FACTOR)
    return { result, plot: numericDriftPlot(column, base, current, result.drifted) }
  }
  const [referenceCounts, currentCounts] = await Promise.all([reference.valueCounts(column), data.valueCounts(column)])
  const categories = [...new Set([...Object.keys(referenceCounts), ...Object.keys(currentCounts)])].sort()
  const counts: [number[], number[]] = [categories.map((key) => referenceCounts[key] ?? 0), categories.map((key) => currentCounts[key] ?? 0)]
  const tested = driftStatistic(column, test, limit, { counts })
  const result = forced ? tested : withMinimumShift(tested, largestShareChange(counts[0], counts[1]), MIN_SHARE_CHANGE, largestShareSpread(counts[0]))
  return { result, plot: categoricalDriftPlot(column, categories, counts[0], counts[1], result.drifted) }
}

/**
 * A default test's result gated on a minimum effect: drifted when significant and at least minEffect.
 * detectable is the effect found with about 80% power, by the normal approximation: both the test's
 * (z₁₋α/₂ + z₀.₈)·efficiency·SE and the floor's minEffect + z₀.₈·SE, SE = spread·√(1/n + 1/m), spread
 * being the per-row standard deviation of what the effect measures.
 */
function withMinimumShift(result: ColumnDrift, effect: number, minEffect: number, spread: number, efficiency = 1): ColumnDrift {
  const standardError = spread * Math.sqrt(1 / result.reference + 1 / result.current)
  const detectable = Math.max(POWER_80_Z * efficiency * standardError, minEffect + Z_80 * standardError)
  return { ...result, drifted: result.drifted && effect >= minEffect, effect, minEffect, detectable }
}

/** The largest change of a category's share between the two counts. */
function largestShareChange(reference: number[], current: number[]): number {
  const [referenceTotal, currentTotal] = [sum(reference), sum(current)]
  return Math.max(...reference.map((count, i) => Math.abs(current[i] / currentTotal - count / referenceTotal)))
}

/** √(p(1 − p)) of the reference's largest category: the per-row spread of its share. */
function largestShareSpread(reference: number[]): number {
  const p = Math.max(...reference) / sum(reference)
  return Math.sqrt(p * (1 - p))
}

/** The tests that take a numeric column (or a categorical one), the default first. */
function testsFor(numeric: boolean): string[] {
  const fits = driftTestNames().filter((name) => (numeric ? driftTest(name).kind !== 'categorical' : driftTest(name).kind !== 'numeric'))
  const first = numeric ? DEFAULT_NUMERIC_TEST : DEFAULT_CATEGORICAL_TEST
  return [first, ...fits.filter((name) => name !== first)]
}

/**
 * The drift test on one column: on its values (a numeric test), on counts per bin of the reference's
 * deciles (a count test on a numeric column), or on counts per category.
 */
function driftStatistic(column: string, test: string, limit: number, values: { base: Float64Array; current: Float64Array } | { counts: [number[], number[]] }): ColumnDrift {
  let input: [ArrayLike<number>, ArrayLike<number>]
  if ('counts' in values) input = values.counts
  else if (driftTest(test).kind === 'numeric') input = [values.base, values.current]
  else {
    const edges = quantileBinEdges(values.base, 10)
    input = [binCounts(values.base, edges), binCounts(values.current, edges)]
  }
  const sizes = 'base' in values ? { reference: values.base.length, current: values.current.length } : { reference: sum(values.counts[0]), current: sum(values.counts[1]) }
  const { statistic, pValue } = runDriftTest(test, column, input[0], input[1])
  if (pValue === undefined) return { column, test, statistic, threshold: limit, drifted: statistic > limit, ...sizes }
  return { column, test, statistic, pValue, threshold: limit, drifted: pValue < limit, ...sizes }
}

/** A numeric column's non-null values as doubles (a typed array: 8 bytes a value, no object per row). */
async function numbers(data: Dataset, column: string): Promise<Float64Array> {
  return Float64Array.from((await queryColumn(`SELECT ${ident(column)}::DOUBLE FROM ${data.relation} WHERE ${ident(column)} IS NOT NULL`)) as number[])
}

function isNumeric(type: string): boolean {
  return type === 'int' || type === 'float'
}
