import { readFile } from 'node:fs/promises'
import { tableFromIPC, DataType, type Table } from 'apache-arrow'
import { ModeltestError } from '../errors.js'
import type { Column } from './dataset.js'
import { typeValueColumn } from './infer.js'

/** Reads an Arrow IPC file or stream (`.arrow`, `.feather` v2, `.arrows`) into typed columns. */
export async function readArrow(path: string, label = path): Promise<Map<string, Column>> {
  let table: Table
  try {
    table = tableFromIPC(await readFile(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModeltestError({ what: 'the file does not exist', where: label, fix: 'Check the path; relative paths are read from the directory modeltest runs in.', cause: error })
    }
    throw new ModeltestError({
      what: `not a readable Arrow IPC file (${(error as Error).message})`,
      where: label,
      fix: 'Write it with an Arrow IPC writer (pyarrow.feather.write_feather, tableToIPC), or name it .csv if it is CSV.',
      cause: error,
    })
  }
  if (table.numCols === 0) throw new ModeltestError({ what: 'the Arrow table has no columns', where: label, fix: 'Check that the file was written completely.' })
  const columns = new Map<string, Column>()
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!
    // Dictionary-encoded columns (pandas categoricals, tableFromArrays' strings) read as their values.
    const valueType = DataType.isDictionary(field.type) ? field.type.dictionary : field.type
    const supported = DataType.isInt(valueType) || DataType.isFloat(valueType) || DataType.isUtf8(valueType) || DataType.isLargeUtf8(valueType) || DataType.isBool(valueType)
    if (!supported) {
      throw new ModeltestError({
        what: `column '${field.name}' has Arrow type ${field.type}, which modeltest does not read yet`,
        where: label,
        fix: 'Cast it to an integer, float, string or boolean column before writing the file.',
      })
    }
    // A float column keeps its type even when every value happens to be whole.
    const column = typeValueColumn(field.name, [...vector], label)
    const type = DataType.isFloat(valueType) ? 'float' : column.type
    columns.set(field.name, { type, values: column.values })
  }
  return columns
}
