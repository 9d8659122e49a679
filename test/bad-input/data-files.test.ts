// Real files that pandas reads, and broken data files: each read as pandas reads it, or refused with
// what is wrong, the file and line, and how to fix it, through the API and through `modeltest validate`.
import { readFile, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { tableFromArrays, tableToIPC } from 'apache-arrow'
import { describe, expect, test } from 'vitest'
import { dataset } from '../../src/index.js'
import { fixturesDir, rejection, repoRoot, runCli, tempDir } from '../helpers.js'

interface PandasReading {
  columns: string[]
  rows: number
  nulls: Record<string, number>
}

// What pd.read_csv and pd.read_json give on the same files (fixtures/data/pandas/make-pandas-references.py).
const pandas = JSON.parse(await readFile(join(fixturesDir, 'data', 'pandas', 'references.json'), 'utf8')) as { files: Record<string, PandasReading> }
const vegaData = join(repoRoot, 'node_modules', 'vega-datasets', 'data')

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const dir = await tempDir({ [name]: content })
  return join(dir, name)
}

/** The data as pandas describes it: column names, row count, nulls per column. */
async function reading(path: string): Promise<PandasReading> {
  const data = await dataset(path)
  const profile = await data.profile()
  return { columns: data.columnNames, rows: data.rowCount, nulls: Object.fromEntries(profile.columns.map((column) => [column.name, column.nulls])) }
}

/** `modeltest validate` on a file: the exit code and what it printed. */
async function validate(path: string) {
  const dir = await tempDir()
  return runCli(['validate', path, '--output', join(dir, 'validation.json')], repoRoot)
}

function expectCliError(run: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(run.code).toBe(2)
  expect(run.stderr).toMatch(message)
  expect(run.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/)
}

describe('real files that pandas reads', () => {
  test("a CSV written by pandas' to_csv() with its index: the unnamed column is 'Unnamed: 0', as in pandas", async () => {
    expect(await reading(join(fixturesDir, 'data', 'pandas', 'index.csv'))).toEqual(pandas.files['index.csv'])
  })

  test('every empty header name is named by its position, as pandas does', async () => {
    const data = await dataset(await file('gaps.csv', 'a,,c,\n1,2,3,4\n'))
    expect(data.columnNames).toEqual(['a', 'Unnamed: 1', 'c', 'Unnamed: 3'])
    expect(await data.rows()).toEqual([{ a: 1, 'Unnamed: 1': 2, c: 3, 'Unnamed: 3': 4 }])
  })

  test.each(['cars.json', 'movies.json', 'flights-2k.json'])("vega-datasets' %s, a JSON array of records, reads as pd.read_json reads it", async (name) => {
    expect(await reading(join(vegaData, name))).toEqual(pandas.files[name])
  })

  test("a .json file is read with format 'json', whatever its name", async () => {
    const path = await file('cars.data', await readFile(join(vegaData, 'cars.json')))
    expect((await dataset(path, { format: 'json' })).rowCount).toBe(406)
  })

  test('modeltest validate reads a .json array of records', async () => {
    const dir = await tempDir()
    const run = await runCli(['validate', join(vegaData, 'cars.json'), '--columns', 'Name,Origin', '--min-samples', '400', '--output', join(dir, 'validation.json')], repoRoot)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/Checks: 3\/3 passed/)
    expect(run.code).toBe(0)
  })
})

describe('CSV quotes', () => {
  test('an unclosed quote is reported at the line where it opens, not at the end of the file', async () => {
    const path = await file('open.csv', 'text,label\n"fine",1\n"never closed,0\nmore,1\nand more,0\n')
    const error = await rejection(dataset(path))
    expect(error.message).toBe(`${path}, line 3: a quoted field is not closed: it opens on this line and runs to the end of the file\n  Close the quote; a quote inside a quoted field is written twice ("").`)
  })

  test('a quoted field that spans lines before the unclosed one does not shift the line', async () => {
    const path = await file('open.csv', 'text,label\n"two\nlines",1\n"a ""quoted"" word",0\nok,1\nx,"still open\n1\n')
    expect((await rejection(dataset(path))).where).toBe(`${path}, line 6`)
  })

  test('an unclosed quote that a later quote seems to close is reported where it opens', async () => {
    const path = await file('open.csv', 'text,label\n"fine",1\n"opened here,0\nplain,1\n"ok",1\nlast,1\n')
    expect((await rejection(dataset(path))).message).toBe(
      `${path}, line 3: a quoted field is not closed: it opens on this line, and a quote on line 5 is read as its end\n  Close the quote; a quote inside a quoted field is written twice ("").`,
    )
  })

  test('a quote inside a quoted field that is not doubled stays at its own line', async () => {
    const path = await file('inner.csv', 'text,label\n"fine",1\n"say "hi" now",0\n')
    expect((await rejection(dataset(path))).message).toMatch(/inner\.csv, line 3: text follows the closing quote of a quoted field/)
  })

  test('a quote inside an unquoted field is kept, as pandas keeps it', async () => {
    expect(await (await dataset(await file('stray.csv', 'text,label\nab"c,1\n'))).column('text')).toEqual(['ab"c'])
  })

  test('through the CLI: exit 2, the line, no stack trace', async () => {
    expectCliError(await validate(await file('open.csv', 'text,label\na,1\n"b,0\nc,1\n')), /open\.csv, line 3: a quoted field is not closed/)
  })
})

describe('JSON Lines', () => {
  test('a broken line is named by its own line number, blank lines counted', async () => {
    const path = await file('broken.jsonl', '{"a": 1}\n{"a": 2}\n\n{"a": \n{"a": 4}\n')
    const error = await rejection(dataset(path))
    expect(error.where).toBe(`${path}, line 4`)
    expect(error.what).toMatch(/^the line is not valid JSON: /)
    expect(error.fix).toMatch(/one JSON object on one line/)
  })

  test('a broken line far into the file, past DuckDB buffers', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ id: i, text: `row ${i}` }))
    lines[15321] = '{"id": 15321, "text": "unterminated}'
    const error = await rejection(dataset(await file('big.jsonl', lines.join('\n') + '\n')))
    expect(error.where).toMatch(/big\.jsonl, line 15322$/)
  })

  test('a line that holds an array instead of an object', async () => {
    const path = await file('arrays.jsonl', '{"a": 1}\n[1, 2]\n{"a": 3}\n')
    const error = await rejection(dataset(path))
    expect(error.message).toBe(`${path}, line 2: the line holds an array ([1,2]), not an object: JSON Lines hold one row object per line\n  Write each row as an object with its column names, such as {"text": "great", "label": 1}.`)
  })

  test('a file of arrays only, and a file of numbers only, are refused at line 1', async () => {
    expect((await rejection(dataset(await file('arrays.jsonl', '[1, 2]\n[3, 4]\n')))).what).toMatch(/the line holds an array \(\[1,2\]\), not an object/)
    expect((await rejection(dataset(await file('numbers.jsonl', '1\n2\n')))).what).toMatch(/the line holds number 1, not an object/)
  })

  test('a byte-order mark, which the reader does not accept, is named', async () => {
    const error = await rejection(dataset(await file('bom.jsonl', '\uFEFF{"a": 1}\n{"a": 2}\n')))
    expect(error.message).toMatch(/bom\.jsonl, line 1: the file starts with a byte-order mark \(BOM\)/)
    expect(error.fix).toMatch(/without a BOM/)
  })

  test('a column that happens to be named json is read', async () => {
    expect((await dataset(await file('named.jsonl', '{"json": 1}\n{"json": 2}\n'))).columnNames).toEqual(['json'])
  })

  test('through the CLI: exit 2, the line, no stack trace', async () => {
    expectCliError(await validate(await file('arrays.jsonl', '{"a": 1}\n{"a": 2}\n["x"]\n')), /arrays\.jsonl, line 3: the line holds an array/)
  })
})

describe('JSON files', () => {
  test('a syntax error names its line', async () => {
    const path = await file('bad.json', '[\n  {"a": 1},\n  {"a": 2},\n  {"a": }\n]\n')
    expect((await rejection(dataset(path))).where).toBe(`${path}, line 4`)
  })

  test('an object instead of an array of records, as a TopoJSON file', async () => {
    const error = await rejection(dataset(join(vegaData, 'us-10m.json')))
    expect(error.what).toBe('a .json data file holds one array of row objects; this one holds an object')
    expect(error.fix).toMatch(/\.jsonl/)
  })

  test('JSON Lines named .json are pointed to format jsonl', async () => {
    const error = await rejection(dataset(await file('rows.json', '{"a": 1}\n{"a": 2}\n')))
    expect(error.what).toMatch(/holds one JSON object per line/)
    expect(error.fix).toMatch(/format: 'jsonl'/)
  })

  test('an element that is not an object names its index', async () => {
    expect((await rejection(dataset(await file('mixed.json', '[{"a": 1}, [2], {"a": 3}]')))).what).toBe('element 1 of the array is an array ([2]), not an object of column values')
  })
})

describe('symbolic link loops', () => {
  test('name the loop, not "does not exist"', async () => {
    const dir = await tempDir()
    await symlink('b.csv', join(dir, 'a.csv'))
    await symlink('a.csv', join(dir, 'b.csv'))
    const error = await rejection(dataset(join(dir, 'a.csv')))
    expect(error.what).toBe('the path is a loop of symbolic links: ' + join(dir, 'a.csv') + ' → b.csv → a.csv')
    expect(error.fix).toMatch(/Point one of the links at the data file/)
  })

  test('through the CLI: exit 2, no stack trace', async () => {
    const dir = await tempDir()
    await symlink('loop.csv', join(dir, 'loop.csv'))
    expectCliError(await validate(join(dir, 'loop.csv')), /loop\.csv: the path is a loop of symbolic links/)
  })
})

describe('truncated Arrow and Parquet files', () => {
  const table = tableFromArrays({ score: Float64Array.from({ length: 20000 }, (_, i) => i / 3), name: Array.from({ length: 20000 }, (_, i) => `row ${i}`) })

  test.each([0.1, 0.5, 0.9, 0.999])('an Arrow IPC file cut at %s of its length', async (fraction) => {
    const bytes = tableToIPC(table, 'file')
    const cut = Math.floor(bytes.length * fraction)
    const error = await rejection(dataset(await file('cut.arrow', bytes.subarray(0, cut))))
    expect(error.what).toBe(`the Arrow file is truncated: it ends after ${cut} bytes, in the middle of its data or before its footer`)
    expect(error.message).not.toMatch(/Cannot read properties/)
  })

  test.each([0.1, 0.5])('an Arrow IPC stream cut in the middle of a record batch (at %s)', async (fraction) => {
    const bytes = tableToIPC(table, 'stream')
    const error = await rejection(dataset(await file('cut.arrows', bytes.subarray(0, Math.floor(bytes.length * fraction)))))
    expect(error.what).toMatch(/^the Arrow file is truncated/)
    expect(error.message).not.toMatch(/Expected to read/)
  })

  test('an Arrow stream without its end-of-stream marker still reads whole', async () => {
    const bytes = tableToIPC(table, 'stream')
    expect((await dataset(await file('no-eos.arrows', bytes.subarray(0, bytes.length - 8)))).rowCount).toBe(20000)
  })

  test('a Parquet file cut short', async () => {
    const bytes = await readFile(join(fixturesDir, 'data', 'penguins.parquet'))
    const error = await rejection(dataset(await file('cut.parquet', bytes.subarray(0, bytes.length - 100))))
    expect(error.what).toMatch(/^the Parquet file is truncated/)
  })

  test('through the CLI: exit 2, no stack trace', async () => {
    const bytes = tableToIPC(table, 'file')
    expectCliError(await validate(await file('cut.arrow', bytes.subarray(0, 5000))), /cut\.arrow: the Arrow file is truncated/)
  })
})
