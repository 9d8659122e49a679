import { ModeltestError } from '../errors.js'

export type ColumnType = 'int' | 'float' | 'string' | 'bool' | 'date'

export const COLUMN_TYPES: readonly ColumnType[] = ['int', 'float', 'string', 'bool', 'date']

/** The modeltest type of a DuckDB column type; anything else is refused with the column's name. */
export function columnTypeOf(duckdbType: string, column: string, where: string): ColumnType {
  const type = duckdbType.toUpperCase()
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|INT\d+|UHUGEINT)$/.test(type)) return 'int'
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL.*|NUMERIC.*)$/.test(type)) return 'float'
  if (type === 'VARCHAR') return 'string'
  if (type === 'BOOLEAN') return 'bool'
  if (/^(DATE|TIMESTAMP.*)$/.test(type)) return 'date'
  throw new ModeltestError({
    what: `column '${column}' has type ${duckdbType}, which modeltest does not check yet`,
    where,
    fix: 'Store it as an integer, float, string, boolean or date column.',
  })
}

/** The DuckDB type that holds a modeltest type. */
export const DUCKDB_TYPE: Record<ColumnType, string> = { int: 'BIGINT', float: 'DOUBLE', string: 'VARCHAR', bool: 'BOOLEAN', date: 'TIMESTAMP' }

/** How a column is read into JS: numbers as double, dates as ISO text. */
export function jsExpression(column: string, type: ColumnType, ident: (name: string) => string): string {
  const quoted = ident(column)
  if (type === 'int') return `CAST(${quoted} AS DOUBLE) AS ${quoted}`
  if (type === 'date') return `strftime(${quoted}, '%Y-%m-%dT%H:%M:%S') AS ${quoted}`
  return quoted
}
