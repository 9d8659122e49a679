import type { Dataset, Value } from '../data/dataset.js'
import { ModeltestError } from '../errors.js'
import { formatThreshold, makeCheck, relationFor, type CheckRecord } from './record.js'
import { datasetSubject } from './subjects.js'

/** Every expected column is present (extra columns are allowed). */
export function schemaCheck(data: Dataset, expected: readonly string[], negate = false): CheckRecord {
  checkColumnList(expected, 'toHaveColumns')
  const missing = expected.filter((name) => !data.hasColumn(name))
  return makeCheck(
    {
      name: 'schema_validation',
      kind: 'data',
      actual: missing.length,
      threshold: 0,
      comparator: '<=',
      message: missing.length === 0 ? `All ${expected.length} expected columns present` : `Missing columns: ${missing.join(', ')} (the data has ${data.columnNames.join(', ')})`,
      details: { expected: [...expected], missing, columns: data.columnNames },
      data: datasetSubject(data),
    },
    negate,
  )
}

/** No nulls in the given columns (all columns by default); the message gives the count per column. */
export function nullCheck(data: Dataset, columns: readonly string[] = data.columnNames, negate = false): CheckRecord {
  checkColumnList(columns, 'toHaveNoNulls')
  const counts = data.nullCounts(columns)
  const withNulls = Object.entries(counts).filter(([, count]) => count > 0)
  const total = withNulls.reduce((sum, [, count]) => sum + count, 0)
  const message =
    withNulls.length === 0
      ? `No null values in ${columns.join(', ')} (${data.rowCount} rows)`
      : `Found nulls in ${withNulls.length} of ${columns.length} columns: ${withNulls.map(([name, count]) => `${name} ${count}`).join(', ')} (${data.rowCount} rows)`
  return makeCheck(
    { name: 'null_check', kind: 'data', actual: total, threshold: 0, comparator: '<=', n: data.rowCount, message, details: { null_counts: Object.fromEntries(withNulls) }, data: datasetSubject(data) },
    negate,
  )
}

/** At least `min` rows. */
export function minRowsCheck(data: Dataset, min: number, negate = false): CheckRecord {
  if (!Number.isInteger(min) || min < 0) throw new ModeltestError({ what: `toHaveAtLeastRows(${min}) needs a whole number ≥ 0`, fix: 'Pass the minimum row count, e.g. toHaveAtLeastRows(1000).' })
  const rows = data.rowCount
  return makeCheck(
    {
      name: 'min_samples',
      kind: 'data',
      actual: rows,
      threshold: min,
      comparator: '>=',
      message: rows >= min ? `Sample count OK: ${rows} ${relationFor(rows, min, '>=')} ${min}` : `Insufficient samples: ${rows} < ${min}`,
      data: datasetSubject(data),
    },
    negate,
  )
}

/** The majority class holds at most `maxShare` of the labelled rows (nulls are counted apart, as pandas' value_counts does). */
export function classBalanceCheck(data: Dataset, label: string, maxShare = 0.8, negate = false): CheckRecord {
  if (!(maxShare > 0 && maxShare <= 1)) throw new ModeltestError({ what: `maxShare ${maxShare} is not within (0, 1]`, fix: 'Pass a fraction such as { maxShare: 0.8 }.' })
  const counts = new Map<Value, number>()
  let nulls = 0
  for (const value of data.column(label)) {
    if (value === null) nulls++
    else counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  const labelled = data.rowCount - nulls
  if (labelled === 0) throw new ModeltestError({ what: `label column '${label}' has no values, only nulls`, where: data.source, fix: 'Check the label column.' })
  let majority: Value = null
  let majorityCount = 0
  for (const [value, count] of counts) if (count > majorityCount) [majority, majorityCount] = [value, count]
  const share = majorityCount / labelled
  const percent = `${(share * 100).toFixed(2)}%`
  return makeCheck(
    {
      name: 'class_balance',
      kind: 'data',
      actual: share,
      threshold: maxShare,
      comparator: '<=',
      n: labelled,
      message: share <= maxShare ? `Class balance acceptable (max ${percent}, limit ${formatThreshold(maxShare)})` : `Class imbalance: ${percent} in majority class '${majority}' > ${formatThreshold(maxShare)}`,
      details: { class_counts: Object.fromEntries(counts), majority, nulls },
      data: datasetSubject(data),
    },
    negate,
  )
}

function checkColumnList(columns: readonly string[], matcher: string): void {
  if (!Array.isArray(columns) || columns.some((name) => typeof name !== 'string')) {
    throw new ModeltestError({ what: `${matcher} takes an array of column names`, fix: `Write ${matcher}(['text', 'label']).` })
  }
}
