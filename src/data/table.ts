import type { DuckDBAppender } from '@duckdb/node-api'
import { duckdb, ident, withConnection } from './duckdb.js'
import { DUCKDB_TYPE, type ColumnType } from './types.js'

/** Creates a DuckDB table with the given schema and appends rows (arrays in schema order) to it. */
export async function appendRows(table: string, schema: [string, ColumnType][], rows: AsyncIterable<unknown[]> | Iterable<unknown[]>): Promise<void> {
  await withConnection(async (connection) => {
    await connection.run(`CREATE TABLE ${ident(table)} (${schema.map(([name, type]) => `${ident(name)} ${DUCKDB_TYPE[type]}`).join(', ')})`)
    const appender = await connection.createAppender(table)
    const appenders = schema.map(([, type]) => APPEND[type])
    for await (const row of rows) {
      row.forEach((value, i) => (value === null || value === undefined ? appender.appendNull() : appenders[i](appender, value)))
      appender.endRow()
    }
    appender.flushSync()
    appender.closeSync()
  })
}

const APPEND: Record<ColumnType, (appender: DuckDBAppender, value: unknown) => void> = {
  int: (appender, value) => appender.appendBigInt(BigInt(value as number | bigint)),
  float: (appender, value) => appender.appendDouble(Number(value)),
  string: (appender, value) => appender.appendVarchar(String(value)),
  bool: (appender, value) => appender.appendBoolean(Boolean(value)),
  date: (appender, value) => appender.appendTimestamp(duckdb().timestampValue(BigInt(Math.round(dateMillis(value) * 1000)))),
}

function dateMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  return new Date(String(value)).getTime()
}
