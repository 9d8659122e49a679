import { ident } from './duckdb.js'
import type { ColumnType } from './types.js'

/** What one pass over a dataset learns about a column. */
export interface ColumnProfile {
  name: string
  type: ColumnType
  nulls: number
  /** Numeric and date columns: the smallest and largest value (dates as ISO text). */
  min?: number | string
  max?: number | string
  /** String columns: the shortest and longest value, in characters. */
  minLength?: number
  maxLength?: number
  /** Exact counts per value, for the columns asked for (labels, categories). */
  counts?: Record<string, number>
}

export interface Profile {
  rows: number
  columns: ColumnProfile[]
}

/**
 * The SQL of the profiling pass: one scan that computes, for every column, the null count and the
 * range (lengths for text), and exact value counts for the `counted` columns. Kept to what checks
 * need on every file: distinct counts are a query of their own (`Dataset.distinctCount`), asked
 * only by the checks that use them, since they cost as much as the rest of the pass.
 */
export function profileSql(relation: string, schema: [string, ColumnType][], counted: readonly string[] = []): string {
  const aggregates = ['count(*) AS "rows"']
  schema.forEach(([name, type], i) => {
    const c = ident(name)
    aggregates.push(`count(${c}) AS "n${i}"`)
    if (type === 'int' || type === 'float') {
      aggregates.push(`min(${c})::DOUBLE AS "min${i}"`, `max(${c})::DOUBLE AS "max${i}"`)
    } else if (type === 'date') {
      aggregates.push(`strftime(min(${c}), '%Y-%m-%dT%H:%M:%S') AS "min${i}"`, `strftime(max(${c}), '%Y-%m-%dT%H:%M:%S') AS "max${i}"`)
    } else if (type === 'string') {
      aggregates.push(`min(length(${c}))::DOUBLE AS "minlen${i}"`, `max(length(${c}))::DOUBLE AS "maxlen${i}"`)
    }
    if (counted.includes(name)) aggregates.push(`histogram(${c}) FILTER (WHERE ${c} IS NOT NULL) AS "h${i}"`)
  })
  return `SELECT ${aggregates.join(', ')} FROM ${relation}`
}

/** Reads the one row of `profileSql` back into a Profile. */
export function readProfile(row: Record<string, unknown>, schema: [string, ColumnType][], counted: readonly string[] = []): Profile {
  const rows = Number(row.rows)
  const num = (key: string): number | undefined => (row[key] === null || row[key] === undefined ? undefined : Number(row[key]))
  const columns = schema.map(([name, type], i): ColumnProfile => {
    const profile: ColumnProfile = { name, type, nulls: rows - Number(row[`n${i}`]) }
    if (type === 'int' || type === 'float') Object.assign(profile, { min: num(`min${i}`), max: num(`max${i}`) })
    if (type === 'date') Object.assign(profile, { min: row[`min${i}`] ?? undefined, max: row[`max${i}`] ?? undefined })
    if (type === 'string') Object.assign(profile, { minLength: num(`minlen${i}`), maxLength: num(`maxlen${i}`) })
    if (counted.includes(name)) profile.counts = histogramCounts(row[`h${i}`])
    return profile
  })
  return { rows, columns }
}

/** DuckDB's histogram() comes back as [{ key, value }] entries (a MAP). */
export function histogramCounts(map: unknown): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const entry of (map as { key: unknown; value: unknown }[] | null) ?? []) counts[String(entry.key)] = Number(entry.value)
  return counts
}
