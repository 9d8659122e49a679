import type { Dataset } from '../data/dataset.js'
import { ident, queryRows, streamRows } from '../data/duckdb.js'
import { COLUMN_TYPES, type ColumnType } from '../data/types.js'
import { ModeltestError } from '../errors.js'
import { checkChoice, checkColumnList, checkColumnName, checkFlag, checkNumber, checkOptionKeys, describeValue } from '../guard.js'
import { formatAgainst, formatThreshold, makeCheck, relationFor, type CheckRecord, type CheckSpec } from './record.js'
import { datasetSubject } from './subjects.js'

/** `mostly`: the fraction of rows (or values) that must pass, as in Great Expectations; 1 by default. */
export interface Mostly {
  mostly?: number
}

/** Every expected column is present (extra columns are allowed). */
export async function schemaCheck(data: Dataset, expected: readonly string[], negate = false): Promise<CheckRecord> {
  checkColumnList(expected, 'columns', 'toHaveColumns')
  const missing = expected.filter((name) => !data.hasColumn(name))
  return dataCheck(data, negate, {
    name: 'schema_validation',
    actual: missing.length,
    threshold: 0,
    comparator: '<=',
    message: missing.length === 0 ? `All ${expected.length} expected columns present` : `Missing columns: ${missing.join(', ')} (the data has ${data.columnNames.join(', ')})`,
    details: { expected: [...expected], missing, columns: data.columnNames },
  })
}

/** The columns have exactly these types; other columns are an error unless `allowExtra`. */
export async function matchSchemaCheck(data: Dataset, expected: Record<string, ColumnType>, options: { allowExtra?: boolean } = {}, negate = false): Promise<CheckRecord> {
  const example = "toMatchSchema({ text: 'string', label: 'int' })"
  if (!expected || typeof expected !== 'object' || Array.isArray(expected) || Object.keys(expected).length === 0) {
    throw new ModeltestError({ what: `toMatchSchema takes { column: type } with at least one column, got ${describeValue(expected)}`, fix: `Write ${example}.` })
  }
  for (const [name, type] of Object.entries(expected)) checkChoice(type ?? null, COLUMN_TYPES, `schema.${name}`, 'toMatchSchema')
  checkOptionKeys(options, ['allowExtra'], 'toMatchSchema')
  checkFlag(options.allowExtra, 'allowExtra', 'toMatchSchema')
  const problems: string[] = []
  for (const [name, type] of Object.entries(expected)) {
    if (!data.hasColumn(name)) problems.push(`${name} is missing`)
    else if (data.columnType(name) !== type) problems.push(`${name} is ${data.columnType(name)}, expected ${type}`)
  }
  const extra = data.columnNames.filter((name) => !(name in expected))
  if (!options.allowExtra) for (const name of extra) problems.push(`${name} is not in the schema`)
  return dataCheck(data, negate, {
    name: 'schema_match',
    actual: problems.length,
    threshold: 0,
    comparator: '<=',
    message:
      problems.length === 0
        ? `Schema matches: ${Object.entries(expected)
            .map(([name, type]) => `${name} ${type}`)
            .join(', ')}`
        : `Schema differs: ${problems.join('; ')}${options.allowExtra ? '' : ' (pass { allowExtra: true } to accept other columns)'}`,
    details: { expected, actual: data.schema, problems },
  })
}

/** No nulls in the given columns (all by default); with `mostly`, at least that fraction of each column's values is non-null. */
export async function nullCheck(data: Dataset, columns: readonly string[] = data.columnNames, options: Mostly = {}, negate = false): Promise<CheckRecord> {
  checkColumnList(columns, 'columns', 'toHaveNoNulls')
  data.checkColumns(columns)
  const mostly = checkMostly(options, 'toHaveNoNulls')
  const profile = await data.profile(columns)
  const counts = Object.fromEntries(columns.map((name) => [name, profile.columns.find((c) => c.name === name)!.nulls]))
  const withNulls = Object.entries(counts).filter(([, count]) => count > 0)
  const nullCounts = Object.fromEntries(withNulls)
  const found = `Found nulls in ${withNulls.length} of ${columns.length} columns: ${withNulls.map(([name, count]) => `${name} ${count}`).join(', ')} (${data.rowCount} rows)`
  if (mostly === undefined) {
    const total = withNulls.reduce((sum, [, count]) => sum + count, 0)
    return dataCheck(data, negate, {
      name: 'null_check',
      actual: total,
      threshold: 0,
      comparator: '<=',
      n: data.rowCount,
      message: withNulls.length === 0 ? `No null values in ${columns.join(', ')} (${data.rowCount} rows)` : found,
      details: { null_counts: nullCounts },
    })
  }
  const complete = Math.min(...columns.map((name) => 1 - counts[name] / data.rowCount))
  return dataCheck(data, negate, {
    name: 'null_check',
    actual: complete,
    threshold: mostly,
    comparator: '>=',
    n: data.rowCount,
    message: `${withNulls.length === 0 ? `No null values in ${columns.join(', ')} (${data.rowCount} rows)` : found}; least complete column ${percent(complete, mostly)} non-null ${relationFor(complete, mostly, '>=')} mostly ${formatThreshold(mostly)}`,
    details: { null_counts: nullCounts },
  })
}

/** At least `min` rows. */
export async function minRowsCheck(data: Dataset, min: number, negate = false): Promise<CheckRecord> {
  checkNumber(min, 'min', 'toHaveAtLeastRows', { min: 0, whole: true })
  const rows = data.rowCount
  return dataCheck(data, negate, {
    name: 'min_samples',
    actual: rows,
    threshold: min,
    comparator: '>=',
    message: rows >= min ? `Sample count OK: ${rows} ${relationFor(rows, min, '>=')} ${min}` : `Insufficient samples: ${rows} < ${min}`,
  })
}

/** Values of a numeric or date column lie within [min, max] (nulls are not counted); with `mostly`, at least that fraction does. */
export async function valuesBetweenCheck(data: Dataset, column: string, min: number | string | Date, max: number | string | Date, options: Mostly = {}, negate = false): Promise<CheckRecord> {
  const type = data.columnType(checkColumnName(column, 'column', 'toHaveValuesBetween', "'age'"))
  if (type !== 'int' && type !== 'float' && type !== 'date') {
    throw new ModeltestError({ what: `toHaveValuesBetween needs a numeric or date column; '${column}' is ${type}`, where: data.source, fix: 'Use toHaveValuesIn or toMatchPattern for text columns.' })
  }
  const [low, high] = [bound(min, type), bound(max, type)]
  const [shownMin, shownMax] = [min, max].map((value) => String(value instanceof Date ? value.toISOString() : value))
  if (low.value > high.value) {
    throw new ModeltestError({ what: `toHaveValuesBetween: min ${shownMin} is greater than max ${shownMax}, so no value could pass`, fix: `Give the lower bound first: toHaveValuesBetween('${column}', ${shownMax}, ${shownMin}).` })
  }
  const mostly = checkMostly(options, 'toHaveValuesBetween') ?? 1
  const c = ident(column)
  const outside = `(${c} < ${low.sql} OR ${c} > ${high.sql})`
  const [row] = await queryRows(`SELECT count(${c})::DOUBLE AS n, count(*) FILTER (WHERE ${outside})::DOUBLE AS bad, list(${c}::VARCHAR ORDER BY ${c}) FILTER (WHERE ${outside})[1:5] AS examples FROM ${data.relation}`)
  const n = Number(row.n)
  const bad = Number(row.bad)
  const range = `[${shownMin}, ${shownMax}]`
  return passingShareCheck(data, negate, {
    name: 'values_between',
    n,
    failing: bad,
    mostly,
    message: (inside) =>
      bad === 0
        ? `All ${n} values of ${column} within ${range}`
        : `${bad} of ${n} values of ${column} outside ${range} (${percent(inside, mostly)} within ${relationFor(inside, mostly, '>=')} ${percent(mostly)} required), e.g. ${(row.examples as string[]).join(', ')}`,
    details: { column, min: String(min), max: String(max), outside: bad, examples: row.examples },
  })
}

/** Every non-null value of a column is one of `allowed`. */
export async function valuesInCheck(data: Dataset, column: string, allowed: readonly (string | number | boolean)[], options: Mostly = {}, negate = false): Promise<CheckRecord> {
  const fix = "Write toHaveValuesIn('label', [0, 1])."
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- Array.isArray narrows a readonly array to any[]; asked of unknown, the element type stays
  if (!Array.isArray(allowed as unknown) || allowed.length === 0) throw new ModeltestError({ what: `toHaveValuesIn needs a non-empty array of allowed values, got ${describeValue(allowed)}`, fix })
  const odd = allowed.findIndex((value) => !['string', 'number', 'boolean'].includes(typeof value))
  if (odd >= 0) throw new ModeltestError({ what: `toHaveValuesIn: allowed[${odd}] must be a string, number or boolean, got ${describeValue(allowed[odd])}`, fix })
  data.checkColumns([checkColumnName(column, 'column', 'toHaveValuesIn')])
  const mostly = checkMostly(options, 'toHaveValuesIn') ?? 1
  const counts = await data.valueCounts(column)
  const allowedKeys = new Set(allowed.map((value) => String(value)))
  const unexpected = Object.entries(counts)
    .filter(([value]) => !allowedKeys.has(value))
    .sort(byCount('descending'))
  const n = Object.values(counts).reduce((sum, count) => sum + count, 0)
  const bad = unexpected.reduce((sum, [, count]) => sum + count, 0)
  return passingShareCheck(data, negate, {
    name: 'values_in_set',
    n,
    failing: bad,
    mostly,
    message: () =>
      bad === 0
        ? `All ${n} values of ${column} in {${allowed.join(', ')}}`
        : `${bad} of ${n} values of ${column} not in {${allowed.join(', ')}}: ${unexpected
            .slice(0, 5)
            .map(([value, count]) => `'${value}' ×${count}`)
            .join(', ')}${unexpected.length > 5 ? `, and ${unexpected.length - 5} more` : ''}`,
    details: { column, allowed: [...allowed], unexpected: Object.fromEntries(unexpected.slice(0, 20)) },
  })
}

/** Every non-null value of a column matches the regular expression (JavaScript semantics, the whole value unless anchored otherwise by the pattern). */
export async function patternCheck(data: Dataset, column: string, pattern: RegExp | string, options: Mostly = {}, negate = false): Promise<CheckRecord> {
  data.checkColumns([checkColumnName(column, 'column', 'toMatchPattern', "'email'")])
  const regex = typeof pattern === 'string' ? patternOf(pattern) : pattern
  if (!(regex instanceof RegExp)) throw new ModeltestError({ what: `toMatchPattern needs a RegExp or a pattern string, got ${describeValue(pattern)}`, fix: "Write toMatchPattern('email', /^[^@]+@[^@]+$/)." })
  const mostly = checkMostly(options, 'toMatchPattern') ?? 1
  const test = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''))
  let n = 0
  let bad = 0
  const examples: string[] = []
  // The column is streamed through the JS regular expression, chunk by chunk: JS semantics, bounded memory.
  for await (const chunk of streamRows(`SELECT ${ident(column)}::VARCHAR AS v FROM ${data.relation} WHERE ${ident(column)} IS NOT NULL`)) {
    for (const { v } of chunk) {
      n++
      if (!test.test(String(v))) {
        bad++
        if (examples.length < 5) examples.push(String(v))
      }
    }
  }
  return passingShareCheck(data, negate, {
    name: 'pattern_match',
    n,
    failing: bad,
    mostly,
    message: () => (bad === 0 ? `All ${n} values of ${column} match ${regex}` : `${bad} of ${n} values of ${column} do not match ${regex}, e.g. ${examples.map((value) => JSON.stringify(value)).join(', ')}`),
    details: { column, pattern: String(regex), mismatches: bad, examples },
  })
}

/** No two rows share the same values in `columns` (a key); nulls count as a value. */
export async function uniqueCheck(data: Dataset, columns: readonly string[], negate = false): Promise<CheckRecord> {
  checkColumnList(columns, 'columns', 'toHaveUniqueValues', "['id']")
  data.checkColumns(columns)
  return duplicateCheck(data, columns, 'unique_values', columns.join(', '), negate)
}

/** No row appears twice (all columns equal). */
export async function noDuplicateRowsCheck(data: Dataset, negate = false): Promise<CheckRecord> {
  return duplicateCheck(data, data.columnNames, 'duplicate_rows', 'all columns', negate)
}

async function duplicateCheck(data: Dataset, columns: readonly string[], name: string, what: string, negate: boolean): Promise<CheckRecord> {
  const key = columns.map(ident).join(', ')
  const [row] = await queryRows(
    `SELECT coalesce(sum(n - 1), 0)::DOUBLE AS extra, count(*)::DOUBLE AS keys, list(k ORDER BY k)[1:3] AS examples FROM (SELECT count(*) AS n, ${columns.length === 1 ? `${key}::VARCHAR` : `concat_ws(' | ', ${columns.map((c) => `${ident(c)}::VARCHAR`).join(', ')})`} AS k FROM ${data.relation} GROUP BY ${key} HAVING count(*) > 1)`,
  )
  const extra = Number(row.extra)
  const examples = (row.examples as string[]) ?? []
  return dataCheck(data, negate, {
    name,
    actual: extra,
    threshold: 0,
    comparator: '<=',
    n: data.rowCount,
    message: extra === 0 ? `No duplicates in ${what} (${data.rowCount} rows)` : `${extra} duplicate rows in ${what} (${Number(row.keys)} values repeated), e.g. ${examples.map((value) => JSON.stringify(value)).join(', ')}`,
    details: { columns: [...columns], duplicates: extra, repeated: Number(row.keys), examples },
  })
}

/** The majority class holds at most `maxShare` of the labelled rows (nulls are counted apart, as pandas' value_counts does). */
export async function classBalanceCheck(data: Dataset, label: string, maxShare = 0.8, negate = false): Promise<CheckRecord> {
  checkNumber(maxShare, 'maxShare', 'toHaveClassBalance', { above: 0, max: 1 })
  const { counts, labelled, nulls } = await labelCounts(data, label, 'toHaveClassBalance')
  const [majority, majorityCount] = Object.entries(counts).sort(byCount('descending'))[0]
  const share = majorityCount / labelled
  return dataCheck(data, negate, {
    name: 'class_balance',
    actual: share,
    threshold: maxShare,
    comparator: '<=',
    n: labelled,
    message:
      share <= maxShare ? `Class balance acceptable (max ${percent(share, maxShare)}, limit ${formatThreshold(maxShare)})` : `Class imbalance: ${percent(share, maxShare)} in majority class '${majority}' > ${formatThreshold(maxShare)}`,
    details: { class_counts: counts, majority, nulls },
  })
}

/** Every class of the label has at least `min` rows. */
export async function minClassCountCheck(data: Dataset, label: string, min: number, negate = false): Promise<CheckRecord> {
  checkNumber(min, 'min', 'toHaveMinClassCount', { min: 0, whole: true })
  const { counts, labelled } = await labelCounts(data, label, 'toHaveMinClassCount')
  const [smallest, smallestCount] = Object.entries(counts).sort(byCount('ascending'))[0]
  return dataCheck(data, negate, {
    name: 'min_class_count',
    actual: smallestCount,
    threshold: min,
    comparator: '>=',
    n: labelled,
    message: `Smallest class '${smallest}' has ${smallestCount} rows ${relationFor(smallestCount, min, '>=')} ${min} (${Object.keys(counts).length} classes)`,
    details: { class_counts: counts, smallest },
  })
}

async function labelCounts(data: Dataset, label: string, matcher: string): Promise<{ counts: Record<string, number>; labelled: number; nulls: number }> {
  data.checkColumns([checkColumnName(label, 'label', matcher)])
  const counts = await data.valueCounts(label)
  const labelled = Object.values(counts).reduce((sum, count) => sum + count, 0)
  if (labelled === 0) throw new ModeltestError({ what: `label column '${label}' has no values, only nulls`, where: data.source, fix: 'Check the label column.' })
  return { counts, labelled, nulls: data.rowCount - labelled }
}

/** No row of `data` has the same values in the `on` columns as a row of `other` (leakage between train and holdout); nulls compare equal, as in a duplicate. */
export async function overlapCheck(data: Dataset, other: Dataset, on: readonly string[] | undefined, negate = false): Promise<CheckRecord> {
  const columns = on ?? data.columnNames.filter((name) => other.hasColumn(name))
  if (on !== undefined) checkColumnList(on, 'on', 'toHaveNoOverlapWith', "['text']")
  if (columns.length === 0) throw new ModeltestError({ what: 'the two datasets share no column to compare', fix: "Name the columns: toHaveNoOverlapWith(holdout, { on: ['text'] })." })
  data.checkColumns(columns)
  other.checkColumns(columns)
  const key = columns.map(ident).join(', ')
  const example = columns.length === 1 ? `a.${ident(columns[0])}::VARCHAR` : `concat_ws(' | ', ${columns.map((c) => `a.${ident(c)}::VARCHAR`).join(', ')})`
  const [row] = await queryRows(
    `SELECT count(*)::DOUBLE AS n, list(${example} ORDER BY ${example})[1:3] AS examples FROM ${data.relation} a SEMI JOIN (SELECT DISTINCT ${key} FROM ${other.relation}) b ON ${columns.map((c) => `a.${ident(c)} IS NOT DISTINCT FROM b.${ident(c)}`).join(' AND ')}`,
  )
  const overlap = Number(row.n)
  const examples = (row.examples as string[]) ?? []
  return dataCheck(data, negate, {
    name: 'no_overlap',
    actual: overlap,
    threshold: 0,
    comparator: '<=',
    n: data.rowCount,
    message:
      overlap === 0
        ? `No rows of ${data.source} appear in ${other.source} (compared on ${columns.join(', ')})`
        : `${overlap} of ${data.rowCount} rows of ${data.source} also appear in ${other.source} (on ${columns.join(', ')}), e.g. ${examples.map((value) => JSON.stringify(value)).join(', ')}`,
    details: { on: columns, overlap, other: other.source, examples },
  })
}

/**
 * Orders value counts by count, equal counts by value: examples and the class a message names are the
 * same on every run, whatever order DuckDB grouped them in.
 */
function byCount(order: 'ascending' | 'descending'): (a: [string, number], b: [string, number]) => number {
  const sign = order === 'ascending' ? 1 : -1
  return ([valueA, countA], [valueB, countB]) => sign * (countA - countB) || (valueA < valueB ? -1 : valueA > valueB ? 1 : 0)
}

/** A check on the share of the n non-null values that pass: at least `mostly` of them must (all by default). */
function passingShareCheck(data: Dataset, negate: boolean, spec: { name: string; n: number; failing: number; mostly: number; message: (passing: number) => string; details: Record<string, unknown> }): CheckRecord {
  const passing = spec.n === 0 ? 1 : (spec.n - spec.failing) / spec.n
  return dataCheck(data, negate, { name: spec.name, actual: passing, threshold: spec.mostly, comparator: '>=', n: spec.n, message: spec.message(passing), details: spec.details })
}

/** Completes a data check on `data`. */
export function dataCheck(data: Dataset, negate: boolean, spec: Omit<CheckSpec, 'kind' | 'data'>): CheckRecord {
  return makeCheck({ ...spec, kind: 'data', data: datasetSubject(data) }, negate)
}

/** A bound of toHaveValuesBetween as SQL, and as a number to compare with the other bound. */
function bound(value: number | string | Date, type: ColumnType): { sql: string; value: number } {
  if (type === 'date') {
    const date = value instanceof Date ? value : new Date(value)
    if (Number.isNaN(date.getTime())) throw new ModeltestError({ what: `toHaveValuesBetween: ${describeValue(value)} is not a date`, fix: "Give dates as Date objects or ISO text such as '2024-01-31'." })
    return { sql: `TIMESTAMP '${date.toISOString().replace('T', ' ').replace('Z', '')}'`, value: date.getTime() }
  }
  if (typeof value !== 'number' || Number.isNaN(value)) throw new ModeltestError({ what: `toHaveValuesBetween: the bound ${describeValue(value)} is not a number`, fix: 'Write toHaveValuesBetween(column, 0, 120).' })
  return { sql: Number.isFinite(value) ? String(value) : value > 0 ? "'inf'::DOUBLE" : "'-inf'::DOUBLE", value }
}

/** The options of a check that takes only `mostly`: no other key, and mostly within (0, 1]. */
function checkMostly(options: Mostly, matcher: string): number | undefined {
  checkOptionKeys(options, ['mostly'], matcher)
  return options.mostly === undefined ? undefined : checkNumber(options.mostly, 'mostly', matcher, { above: 0, max: 1 })
}

function patternOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern)
  } catch (error) {
    throw new ModeltestError({ what: `toMatchPattern: ${(error as Error).message}`, fix: 'Fix the regular expression, or pass a RegExp literal such as /^[a-z]+$/.', cause: error })
  }
}

/** A fraction as a percentage, with more decimals where it would read as `against`, a threshold it differs from. */
function percent(fraction: number, against = fraction): string {
  return `${formatAgainst(fraction * 100, against * 100, 2)}%`
}
