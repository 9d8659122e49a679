import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { DataType, RecordBatchReader, type Field } from 'apache-arrow'
import { ModeltestError } from '../errors.js'
import type { ColumnType } from './types.js'
import { truncatedFile } from './sniff.js'
import { appendRows } from './table.js'

/**
 * Reads an Arrow IPC file or stream (`.arrow`, `.feather` v2, `.arrows`) batch by batch into a
 * DuckDB table, so that the file is never held whole in memory. Returns the schema.
 */
export async function arrowToTable(path: string, label: string, table: string): Promise<[string, ColumnType][]> {
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>
  try {
    reader = await RecordBatchReader.from(createReadStream(path))
    await reader.open()
  } catch (error) {
    if (isCutShort(error)) throw truncatedFile(label, (await stat(path)).size, 'arrow', error)
    throw new ModeltestError({
      what: `not a readable Arrow IPC file (${(error as Error).message})`,
      where: label,
      fix: 'Write it with an Arrow IPC writer (pyarrow.feather.write_feather, tableToIPC), or name it after its real format (.csv, .parquet, .jsonl).',
      cause: error,
    })
  }
  const schema = reader.schema.fields.map((field): [string, ColumnType] => [field.name, arrowColumnType(field, label)])
  if (schema.length === 0) throw new ModeltestError({ what: 'the Arrow table has no columns', where: label, fix: 'Check that the file was written completely.' })
  try {
    await appendRows(table, schema, rowsOf(reader as AsyncIterable<{ numRows: number; getChildAt(i: number): { get(j: number): unknown } | null }>, schema.length))
  } catch (error) {
    if (isCutShort(error)) throw truncatedFile(label, (await stat(path)).size, 'arrow', error)
    throw error
  }
  return schema
}

/** apache-arrow's words for a message or a record batch that the file ends in the middle of. */
function isCutShort(error: unknown): boolean {
  return /Expected to read \d+/.test((error as Error)?.message ?? '')
}

async function* rowsOf(reader: AsyncIterable<{ numRows: number; getChildAt(i: number): { get(j: number): unknown } | null }>, width: number): AsyncGenerator<unknown[]> {
  for await (const batch of reader) {
    const vectors = Array.from({ length: width }, (_, i) => batch.getChildAt(i)!)
    for (let row = 0; row < batch.numRows; row++) yield vectors.map((vector) => vector.get(row))
  }
}

function arrowColumnType(field: Field, label: string): ColumnType {
  // Dictionary-encoded columns (pandas categoricals, tableFromArrays' strings) read as their values.
  const type = (DataType.isDictionary(field.type) ? field.type.dictionary : field.type) as DataType
  if (DataType.isInt(type)) return 'int'
  if (DataType.isFloat(type) || DataType.isDecimal(type)) return 'float'
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string'
  if (DataType.isBool(type)) return 'bool'
  if (DataType.isDate(type) || DataType.isTimestamp(type)) return 'date'
  throw new ModeltestError({
    what: `column '${field.name}' has Arrow type ${String(field.type)}, which modeltest does not check yet`,
    where: label,
    fix: 'Cast it to an integer, float, string, boolean or date column before writing the file.',
  })
}
