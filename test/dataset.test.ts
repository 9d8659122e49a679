import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tableFromArrays, tableToIPC } from 'apache-arrow'
import { describe, expect, test } from 'vitest'
import { dataset, type ModeltestError } from '../src/index.js'
import { exampleDir, rejection, tempDir } from './helpers.js'

const trainPath = join(exampleDir, 'data', 'train.csv')

async function csvFile(content: string, name = 'data.csv'): Promise<string> {
  const dir = await tempDir({ [name]: content })
  return join(dir, name)
}

function loadError(source: string, options = {}): Promise<ModeltestError> {
  return rejection(dataset(source, options))
}

describe('CSV', () => {
  test('reads the example: rows, columns, types, and the SHA-256 of the bytes', async () => {
    const train = await dataset(trainPath)
    expect(train.rowCount).toBe(2385)
    expect(train.columnNames).toEqual(['text', 'label'])
    expect(train.schema).toEqual({ text: 'string', label: 'int' })
    expect((await train.column('label')).every((value) => value === 0 || value === 1)).toBe(true)
    const bytes = await readFile(trainPath)
    expect(train.hash).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  test('types int, float, bool and string columns, and keeps empty cells as nulls', async () => {
    const data = await dataset(await csvFile('id,score,ok,name,day\n1,0.5,true,a,2024-01-31\n2,,false,,2024-02-01\n3,1e-3,TRUE,"c, with comma",\n'))
    expect(data.schema).toEqual({ id: 'int', score: 'float', ok: 'bool', name: 'string', day: 'date' })
    expect(await data.column('score')).toEqual([0.5, null, 0.001])
    expect(await data.column('ok')).toEqual([true, false, true])
    expect(await data.column('name')).toEqual(['a', null, 'c, with comma'])
    expect(await data.column('day')).toEqual(['2024-01-31T00:00:00', '2024-02-01T00:00:00', null])
    const profile = await data.profile()
    expect(Object.fromEntries(profile.columns.map((c) => [c.name, c.nulls]))).toEqual({ id: 0, score: 1, ok: 0, name: 1, day: 1 })
    expect(profile.columns[0]).toMatchObject({ min: 1, max: 3 })
  })

  test('reads quoted fields with newlines, CRLF line ends and a byte-order mark', async () => {
    const data = await dataset(await csvFile('\uFEFFtext,label\r\n"two\r\nlines",1\r\n"say ""hi""",0\r\n'))
    expect(data.columnNames).toEqual(['text', 'label'])
    expect(await data.column('text')).toEqual(['two\r\nlines', 'say "hi"'])
  })

  test('forces a type with { types }, and reads TSV by extension', async () => {
    const data = await dataset(await csvFile('zip\tcity\n01234\tA\n99999\tB\n', 'places.tsv'), { types: { zip: 'string' } })
    expect(await data.column('zip')).toEqual(['01234', '99999'])
  })

  test('head and seeded sample return datasets with hashes of their own', async () => {
    const train = await dataset(trainPath)
    const head = train.head(3)
    expect(head.rowCount).toBe(3)
    expect((await head.rows())[0]).toEqual((await train.rows(0, 1))[0])
    expect(head.hash).not.toBe(train.hash)
    const a = train.sample(50, { seed: 1 })
    const b = train.sample(50, { seed: 1 })
    const c = train.sample(50, { seed: 2 })
    expect(await a.rows()).toEqual(await b.rows())
    expect(a.hash).toBe(b.hash)
    expect(await c.rows()).not.toEqual(await a.rows())
    expect(new Set(await a.column('text')).size).toBe(50)
  })

  test('a missing file says so and where it was looked for', async () => {
    const error = await loadError('no/such/train.csv')
    expect(error.message).toMatch(/no\/such\/train\.csv: the file does not exist/)
    expect(error.fix).toMatch(/resolved to .*no\/such\/train\.csv/)
  })

  test('an unclosed quote names the file and the line', async () => {
    const path = await csvFile('text,label\n"fine",1\n"never closed,0\n')
    const error = await loadError(path)
    expect(error.message).toContain(`${path}, line 3: a quoted field is not closed`)
    const middle = await csvFile('text,label\n"fine",1\n"opened here,0\n"ok",1\nlast,1\n')
    expect((await loadError(middle)).message).toContain(`${middle}, line 3: a quoted field is not closed: it opens on this line, and a quote on line 4 is read as its end`)
  })

  test('a row with the wrong number of fields names the line and both counts', async () => {
    const path = await csvFile('text,label\na,1\nb,0,extra\nc,1\n')
    const error = await loadError(path)
    expect(error.message).toContain(`${path}, line 3: the row has 3 fields, the header has 2`)
  })

  test('an empty file and a header-only file are errors, not empty datasets', async () => {
    expect((await loadError(await csvFile(''))).message).toMatch(/the file is empty/)
    expect((await loadError(await csvFile('text,label\n'))).message).toMatch(/header row but no data rows/)
  })

  test('a duplicated header name is an error; an unnamed column is named as pandas names it', async () => {
    expect((await loadError(await csvFile('a,a\n1,2\n'))).message).toMatch(/line 1: the header names column 'a' twice/)
    expect((await dataset(await csvFile('a,\n1,2\n'))).columnNames).toEqual(['a', 'Unnamed: 1'])
  })

  test('a cell that does not fit a forced type names its line and column', async () => {
    const path = await csvFile('id\n1\nx\n')
    const error = await loadError(path, { types: { id: 'int' } })
    expect(error.message).toContain(`${path}, data row 2, column 'id': 'x' is not an int`)
  })

  test('an unknown column lists the columns that exist', async () => {
    const train = await dataset(trainPath)
    expect(() => train.columnType('sentiment')).toThrow(/no column 'sentiment'[\s\S]*The columns are 'text' and 'label'/)
    await expect(train.column('sentiment')).rejects.toThrow(/no column 'sentiment'/)
  })

  test('an unknown extension asks for a format', async () => {
    const error = await loadError(await csvFile('a\n1\n', 'data.txt'))
    expect(error.message).toMatch(/cannot tell the format/)
    expect((await dataset(await csvFile('a\n1\n', 'data.txt'), { format: 'csv' })).rowCount).toBe(1)
  })
})

describe('Arrow IPC', () => {
  test('reads typed columns and nulls from an Arrow file', async () => {
    const table = tableFromArrays({ score: Float64Array.from([0.25, 0.5, 0.75]), label: Int32Array.from([0, 1, 1]), name: ['a', 'b', 'c'] })
    const dir = await tempDir()
    const path = join(dir, 'table.arrow')
    await writeFile(path, tableToIPC(table, 'file'))
    const data = await dataset(path)
    expect(data.rowCount).toBe(3)
    expect(data.schema).toEqual({ score: 'float', label: 'int', name: 'string' })
    expect(await data.column('score')).toEqual([0.25, 0.5, 0.75])
    expect(await data.column('name')).toEqual(['a', 'b', 'c'])
    expect(data.hash).toBe(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    )
  })

  test('keeps Arrow nulls as nulls', async () => {
    const { vectorFromArray, Float64, Table } = await import('apache-arrow')
    const table = new Table({ x: vectorFromArray([1.5, null, 3], new Float64()) })
    const dir = await tempDir()
    const path = join(dir, 'nulls.arrow')
    await writeFile(path, tableToIPC(table, 'stream'))
    const data = await dataset(path)
    expect(await data.column('x')).toEqual([1.5, null, 3])
    expect((await data.profile()).columns[0].nulls).toBe(1)
  })

  test('a file that is not Arrow is refused with a clear message', async () => {
    const dir = await tempDir({ 'fake.arrow': 'text,label\nhello,1\n', 'fake.parquet': 'text,label\nhello,1\n' })
    expect((await loadError(join(dir, 'fake.arrow'))).message).toMatch(/not a Arrow IPC file|not an? Arrow IPC file/)
    expect((await loadError(join(dir, 'fake.parquet'))).message).toMatch(/not a Parquet file \(its first bytes are not the format's magic number\)/)
  })
})

describe('bad input', () => {
  test('a binary file and text that is not UTF-8 are refused', async () => {
    const dir = await tempDir({ 'binary.csv': new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'latin1.csv': new Uint8Array([...Buffer.from('text,label\ncaf'), 0xe9, ...Buffer.from(',1\n')]) })
    expect((await loadError(join(dir, 'binary.csv'))).message).toMatch(/the file is binary \(a NUL byte at offset 4\), not CSV text/)
    expect((await loadError(join(dir, 'latin1.csv'))).message).toMatch(/latin1\.csv, line 2: the file is not UTF-8 text \(byte 0xe9 at offset 14\)/)
  })

  test("{ badRows: 'skip' } counts malformed rows, names their lines and reads the rest", async () => {
    const data = await dataset(await csvFile('text,label\na,1\nb,0,extra\nc,1\nd\ne,0\n'), { badRows: 'skip' })
    expect(data.rowCount).toBe(3)
    expect(data.badRows?.count).toBe(2)
    expect(data.badRows?.examples.map((example) => example.line)).toEqual([3, 5])
    expect(await data.column('text')).toEqual(['a', 'c', 'e'])
  })

  test('a value that breaks the detected type late in the file is read by typing every value', async () => {
    const lines = ['id,score', ...Array.from({ length: 30000 }, (_, i) => `${i},${i / 2}`), 'x,1']
    const data = await dataset(await csvFile(lines.join('\n') + '\n'))
    expect(data.schema).toEqual({ id: 'string', score: 'float' })
    expect(data.rowCount).toBe(30001)
  })

  test('malformed JSON Lines name the file and the line', async () => {
    const error = await loadError(await csvFile('{"a": 1}\n{"a": \n', 'data.jsonl'))
    expect(error.message).toMatch(/data\.jsonl, line 2: the line is not valid JSON/)
  })

  test('every format of the same data reads the same rows, and a large file streams without materializing', async () => {
    const streamed = await dataset(trainPath, { materialize: false })
    expect(streamed.rowCount).toBe(2385)
    expect((await streamed.profile()).columns[1]).toMatchObject({ name: 'label', nulls: 0, min: 0, max: 1 })
    let rows = 0
    for await (const batch of streamed.batches(1000)) rows += batch.length
    expect(rows).toBe(2385)
  })
})

describe('rows in memory', () => {
  test('types the columns of row objects', async () => {
    const data = await dataset([{ x: 1, y: 'a' }, { x: 2.5, y: null }, { x: 3 }], { name: 'tiny' })
    expect(data.source).toBe('tiny')
    expect(data.schema).toEqual({ x: 'float', y: 'string' })
    expect(await data.column('y')).toEqual(['a', null, null])
  })

  test('mixed types in one column and empty rows are errors', async () => {
    await expect(dataset([{ x: 1 }, { x: 'one' }])).rejects.toThrow(/column 'x' mixes number and string values/)
    await expect(dataset([])).rejects.toThrow(/the rows are empty/)
  })
})
