import { stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { ModeltestError } from '../errors.js'
import { hashFile, hashText } from '../hash.js'
import { readArrow } from './arrow.js'
import { readCsv, type CsvOptions } from './csv.js'
import { Dataset, type Column } from './dataset.js'
import { typeValueColumn } from './infer.js'

export type DatasetFormat = 'csv' | 'tsv' | 'arrow'

export interface DatasetOptions extends CsvOptions {
  /** The file's format when its extension does not tell (`.csv`, `.tsv`, `.arrow`, `.feather`, `.arrows`). */
  format?: DatasetFormat
  /** A name for rows given in memory, shown in reports. */
  name?: string
}

const FORMAT_BY_EXTENSION: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
}

/**
 * Loads a dataset from a CSV, TSV or Arrow IPC file, or from rows in memory.
 *
 *     const train = await dataset('data/train.csv')
 *     const tiny = await dataset([{ text: 'great', label: 1 }], { name: 'tiny' })
 */
export async function dataset(source: string | readonly Record<string, unknown>[], options: DatasetOptions = {}): Promise<Dataset> {
  if (typeof source !== 'string') return fromRows(source, options.name ?? 'rows')
  const path = resolve(source)
  const format = options.format ?? FORMAT_BY_EXTENSION[extname(path).toLowerCase()]
  if (!format) {
    throw new ModeltestError({
      what: `cannot tell the format of '${source}' from its extension`,
      where: source,
      fix: `Name it .csv, .tsv or .arrow, or pass { format: 'csv' | 'tsv' | 'arrow' } to dataset().`,
    })
  }
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new ModeltestError({ what: 'the file does not exist', where: source, fix: `Check the path (resolved to ${path}).` })
  if (!info.isFile()) throw new ModeltestError({ what: 'this is not a file', where: source, fix: 'Name a data file, not a directory.' })
  const columns =
    format === 'arrow' ? await readArrow(path, source) : await readCsv(path, { ...options, delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ',') }, source)
  return new Dataset(source, await hashFile(path), columns)
}

function fromRows(rows: readonly Record<string, unknown>[], name: string): Dataset {
  if (!Array.isArray(rows)) {
    throw new ModeltestError({ what: `dataset() takes a file path or an array of row objects, not ${typeof rows}`, fix: "Pass a path such as 'data/train.csv' or rows such as [{ text: 'hi', label: 1 }]." })
  }
  if (rows.length === 0) throw new ModeltestError({ what: 'the rows are empty', where: name, fix: 'Give at least one row.' })
  const names: string[] = []
  for (const row of rows) for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key)
  const columns = new Map<string, Column>()
  for (const column of names) {
    columns.set(column, typeValueColumn(column, rows.map((row) => row[column]), name))
  }
  return new Dataset(name, hashText(JSON.stringify([...columns])), columns)
}
