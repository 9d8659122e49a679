// The public data API refuses what it cannot honour, naming the call, the parameter and the allowed
// values: dataset() and its options, { types } on every format, every data matcher's arguments, and
// datasets recognised across two copies of modeltest in one process.
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { Dataset, dataset, isDataset, nullCheck, overlapCheck, type DatasetFormat, type DatasetOptions } from '../../src/index.js'
import { fixturesDir, lastRecord, rejection, repoRoot, runCli } from '../helpers.js'

const penguinsPath = (extension: string) => join(fixturesDir, 'data', `penguins.${extension}`)
const penguins = await dataset(penguinsPath('csv'))
const other = await dataset([{ species: 'Adelie', island: 'Dream' }], { name: 'other' })
const cars = join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'cars.json')

// A fresh module registry loads src/ again: a second copy of every module, with classes of its own,
// as when a test file and the modeltest CLI resolve two installs of modeltest.
vi.resetModules()
const copy = await import('../../src/index.js')
const theirs = await copy.dataset(
  [
    { species: 'Adelie', island: 'Dream' },
    { species: 'Gentoo', island: null },
  ],
  { name: 'theirs' },
)
const ours = await dataset([{ species: 'Chinstrap', island: 'Dream' }], { name: 'ours' })

const TYPES = "'int', 'float', 'string', 'bool' and 'date'"

/** The ModeltestError a call rejects with, as its full first line. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  return (await rejection(promise)).message.split('\n')[0]
}

describe('dataset(source, options): the source', () => {
  test.each([
    [undefined, 'undefined'],
    [42, 'number 42'],
    ['', "''"],
    [{ path: 'data.csv' }, 'an object'],
    [Promise.resolve([]), 'a Promise (add await)'],
  ])('%s is refused, naming what it is', async (source, shown) => {
    const error = await rejection(dataset(source as never))
    expect(error.what).toBe(`dataset() takes a file path or an array of row objects, got ${shown}`)
    expect(error.fix).toMatch(/'data\/train\.csv'/)
  })

  test('a row that is not an object names its index', async () => {
    expect(await refusal(dataset([{ a: 1 }, null, { a: 3 }] as never))).toBe('dataset(): rows[1] must be an object of column values, got null')
    expect(await refusal(dataset([{ a: 1 }, [2]] as never))).toBe('dataset(): rows[1] must be an object of column values, got an array of 1')
  })
})

describe('dataset(source, options): the options', () => {
  test.each<[string, unknown, string]>([
    ['an unknown format lists the formats', { format: 'excel' }, "dataset(): format 'excel' is not one of 'csv', 'tsv', 'jsonl', 'json', 'parquet' and 'arrow'"],
    ['a misspelt format suggests the right one', { format: 'jsonll' }, "dataset(): format 'jsonll' is not one of 'csv', 'tsv', 'jsonl', 'json', 'parquet' and 'arrow' (did you mean 'jsonl'?)"],
    ["badRows 'ignore' lists 'error' and 'skip'", { badRows: 'ignore' }, "dataset(): badRows 'ignore' is not one of 'error' and 'skip'"],
    ['a misspelt key', { fromat: 'csv' }, "dataset(): unknown option 'fromat' (did you mean 'format'?)"],
    ['a key in the wrong case', { badrows: 'skip' }, "dataset(): unknown option 'badrows' (did you mean 'badRows'?)"],
    ['a key of another tool', { sep: ';' }, "dataset(): unknown option 'sep'"],
    ['options that are a string', 'csv', "dataset(): the options must be an object, got 'csv'"],
    ['materialize that is not a boolean', { materialize: 'yes' }, "dataset(): materialize must be true or false, got 'yes'"],
    ['relaxQuotes that is not a boolean', { relaxQuotes: 1 }, 'dataset(): relaxQuotes must be true or false, got number 1'],
    ['an empty delimiter', { delimiter: '' }, "dataset(): delimiter must be a non-empty string, got ''"],
    ['a name that is not text', { name: 3 }, 'dataset(): name must be a non-empty string, got number 3'],
    ['nullValues that is not a list', { nullValues: 'NA' }, "dataset(): nullValues must be an array of strings, got 'NA'"],
    ['types that is not an object', { types: 'string' }, "dataset(): types must map column names to types, got 'string'"],
    ["an unknown type ('integer') names the entry and lists the types", { types: { species: 'integer' } }, `dataset(): types.species 'integer' is not one of ${TYPES}`],
    ['a misspelt type', { types: { species: 'strng' } }, `dataset(): types.species 'strng' is not one of ${TYPES} (did you mean 'string'?)`],
  ])('%s', async (_, options, message) => {
    expect(await refusal(dataset(penguinsPath('csv'), options as DatasetOptions))).toBe(message)
  })

  test('options are checked for rows in memory too', async () => {
    expect(await refusal(dataset([{ a: 1 }], { nmae: 'tiny' } as never))).toBe("dataset(): unknown option 'nmae' (did you mean 'name'?)")
  })

  test('the unknown-option error lists every option', async () => {
    const error = await rejection(dataset(penguinsPath('csv'), { frobnicate: true } as never))
    expect(error.fix).toBe("The options are 'format', 'name', 'materialize', 'badRows', 'countValues', 'profileColumns', 'delimiter', 'nullValues', 'types' and 'relaxQuotes'.")
  })
})

describe('{ types } on every format', () => {
  const formats: DatasetFormat[] = ['csv', 'tsv', 'jsonl', 'parquet', 'arrow']

  test.each(formats)('penguins.%s: a types entry naming a missing column is an error that suggests the column', async (format) => {
    const error = await rejection(dataset(penguinsPath(format), { types: { speceis: 'string' } }))
    expect(error.message).toBe(
      `${penguinsPath(format)}: dataset(): types names a column 'speceis' that the data does not have (did you mean 'species'?)\n  The columns are 'species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g' and 'sex'.`,
    )
  })

  test('a JSON array of records and rows in memory: a missing column is an error', async () => {
    expect((await rejection(dataset(cars, { types: { year: 'string' } }))).what).toBe("dataset(): types names a column 'year' that the data does not have (did you mean 'Year'?)")
    expect((await rejection(dataset([{ id: 1 }], { types: { ids: 'string' } }))).what).toMatch(/types names a column 'ids' that the data does not have \(did you mean 'id'\?\)/)
  })

  test.each(formats)('penguins.%s: types are honoured, values converted', async (format) => {
    const data = await dataset(penguinsPath(format), { types: { body_mass_g: 'float', flipper_length_mm: 'string' } })
    expect(data.schema).toMatchObject({ body_mass_g: 'float', flipper_length_mm: 'string', bill_length_mm: 'float' })
    expect(await data.rows(0, 1)).toEqual([expect.objectContaining({ body_mass_g: 3750, flipper_length_mm: '181' })])
  })

  test('read without materializing, types are honoured as well', async () => {
    const data = await dataset(penguinsPath('parquet'), { materialize: false, types: { body_mass_g: 'float' } })
    expect(data.schema.body_mass_g).toBe('float')
    await expect(data).toHaveValuesBetween('body_mass_g', 2700, 6300)
  })

  test('a JSON array of records: types are honoured', async () => {
    const data = await dataset(cars, { types: { Cylinders: 'float', Year: 'string' } })
    expect(data.schema).toMatchObject({ Cylinders: 'float', Year: 'string' })
    expect((await data.rows(0, 1))[0]).toMatchObject({ Cylinders: 8, Year: '1970-01-01' })
  })

  test('rows in memory: a forced column may mix what JS gives, and is cast', async () => {
    const ids = await dataset([{ id: 1 }, { id: 'A2' }, { id: null }], { types: { id: 'string' } })
    expect(ids.schema).toEqual({ id: 'string' })
    expect(await ids.column('id')).toEqual(['1', 'A2', null])
    const counts = await dataset([{ n: '1' }, { n: '20' }], { types: { n: 'int' } })
    expect(counts.schema).toEqual({ n: 'int' })
    expect(await counts.column('n')).toEqual([1, 20])
  })

  test.each<[string, () => Promise<unknown>, RegExp]>([
    ['rows in memory', () => dataset([{ n: '1' }, { n: '1.5' }], { name: 'counts', types: { n: 'int' } }), /^counts, data row 2, column 'n': '1\.5' is not an int$/],
    [
      'rows whose column names are those of the check itself',
      () =>
        dataset(
          [
            { modeltest_row: 'a', v: 'true' },
            { modeltest_row: 'b', v: 'maybe' },
          ],
          { name: 'flags', types: { v: 'bool' } },
        ),
      /^flags, data row 2, column 'v': 'maybe' is not a bool$/,
    ],
    ['JSON Lines', () => dataset(penguinsPath('jsonl'), { types: { species: 'float' } }), /penguins\.jsonl, data row 1, column 'species': 'Adelie' is not a float$/],
    ['Parquet', () => dataset(penguinsPath('parquet'), { types: { island: 'date' } }), /penguins\.parquet, data row 1, column 'island': 'Torgersen' is not a date$/],
    ['Arrow', () => dataset(penguinsPath('arrow'), { types: { bill_length_mm: 'int' } }), /penguins\.arrow, data row 1, column 'bill_length_mm': '39\.1' is not an int$/],
  ])('%s: a value that does not fit the forced type names its row and column, never a silent null', async (_, load, message) => {
    expect(await refusal(load())).toMatch(message)
  })
})

describe('data matchers refuse arguments they cannot honour', () => {
  test.each<[string, () => Promise<unknown>, string]>([
    ['toHaveColumns([])', () => expect(penguins).toHaveColumns([]), 'toHaveColumns: columns is empty, so there would be nothing to check'],
    ["toHaveColumns('species')", () => expect(penguins).toHaveColumns('species' as never), "toHaveColumns: columns must be an array of column names, got 'species'"],
    ['toHaveColumns([1])', () => expect(penguins).toHaveColumns([1] as never), 'toHaveColumns: columns[0] must be a column name, got number 1'],
    ['toHaveNoNulls([])', () => expect(penguins).toHaveNoNulls([]), 'toHaveNoNulls: columns is empty, so there would be nothing to check'],
    ["toHaveNoNulls(['species', 'species'])", () => expect(penguins).toHaveNoNulls(['species', 'species']), "toHaveNoNulls: columns names 'species' twice"],
    ['toHaveNoNulls with a misspelt option', () => expect(penguins).toHaveNoNulls(['sex'], { mostyl: 0.9 } as never), "toHaveNoNulls: unknown option 'mostyl' (did you mean 'mostly'?)"],
    ['toHaveNoNulls with mostly 0', () => expect(penguins).toHaveNoNulls(['sex'], { mostly: 0 }), 'toHaveNoNulls: mostly must be a number > 0 and ≤ 1, got number 0'],
    ['toHaveNoNulls with mostly 97 (a percentage)', () => expect(penguins).toHaveNoNulls(['sex'], { mostly: 97 }), 'toHaveNoNulls: mostly must be a number > 0 and ≤ 1, got number 97'],
    ['toHaveUniqueValues([])', () => expect(penguins).toHaveUniqueValues([]), 'toHaveUniqueValues: columns is empty, so there would be nothing to check'],
    ['toHaveUniqueValues([null])', () => expect(penguins).toHaveUniqueValues([null] as never), 'toHaveUniqueValues: columns[0] must be a column name, got null'],
    ['toHaveValuesBetween with min > max', () => expect(penguins).toHaveValuesBetween('body_mass_g', 6300, 2700), 'toHaveValuesBetween: min 6300 is greater than max 2700, so no value could pass'],
    ['toHaveValuesBetween with a text bound', () => expect(penguins).toHaveValuesBetween('body_mass_g', 0, '6300'), "toHaveValuesBetween: the bound '6300' is not a number"],
    ['toHaveValuesBetween without a column', () => expect(penguins).toHaveValuesBetween(undefined as never, 0, 1), 'toHaveValuesBetween: column must be a column name, got undefined'],
    ['toHaveValuesBetween with mostly 1.5', () => expect(penguins).toHaveValuesBetween('body_mass_g', 0, 9000, { mostly: 1.5 }), 'toHaveValuesBetween: mostly must be a number > 0 and ≤ 1, got number 1.5'],
    ['toHaveValuesBetween with an unknown option', () => expect(penguins).toHaveValuesBetween('body_mass_g', 0, 9000, { inclusive: true } as never), "toHaveValuesBetween: unknown option 'inclusive'"],
    ['toHaveAtLeastRows(-1)', () => expect(penguins).toHaveAtLeastRows(-1), 'toHaveAtLeastRows: min must be a whole number ≥ 0, got number -1'],
    ['toHaveAtLeastRows(2.5)', () => expect(penguins).toHaveAtLeastRows(2.5), 'toHaveAtLeastRows: min must be a whole number ≥ 0, got number 2.5'],
    ["toHaveAtLeastRows('100')", () => expect(penguins).toHaveAtLeastRows('100' as never), "toHaveAtLeastRows: min must be a whole number ≥ 0, got '100'"],
    ['toHaveMinClassCount with a fraction', () => expect(penguins).toHaveMinClassCount('species', 0.5), 'toHaveMinClassCount: min must be a whole number ≥ 0, got number 0.5'],
    ['toHaveMinClassCount with a negative count', () => expect(penguins).toHaveMinClassCount('species', -3), 'toHaveMinClassCount: min must be a whole number ≥ 0, got number -3'],
    ['toHaveMinClassCount without a label', () => expect(penguins).toHaveMinClassCount(undefined as never, 3), 'toHaveMinClassCount: label must be a column name, got undefined'],
    ['toHaveClassBalance with maxShare 0', () => expect(penguins).toHaveClassBalance('species', { maxShare: 0 }), 'toHaveClassBalance: maxShare must be a number > 0 and ≤ 1, got number 0'],
    ['toHaveClassBalance with maxShare 80 (a percentage)', () => expect(penguins).toHaveClassBalance('species', { maxShare: 80 }), 'toHaveClassBalance: maxShare must be a number > 0 and ≤ 1, got number 80'],
    ['toHaveClassBalance with a misspelt option', () => expect(penguins).toHaveClassBalance('species', { maxshare: 0.5 } as never), "toHaveClassBalance: unknown option 'maxshare' (did you mean 'maxShare'?)"],
    ['toHaveValuesIn with no values', () => expect(penguins).toHaveValuesIn('species', []), 'toHaveValuesIn needs a non-empty array of allowed values, got an array of 0'],
    ['toHaveValuesIn with an object among the values', () => expect(penguins).toHaveValuesIn('species', ['Adelie', {}] as never), 'toHaveValuesIn: allowed[1] must be a string, number or boolean, got an object'],
    ['toHaveValuesIn with an unknown option', () => expect(penguins).toHaveValuesIn('species', ['Adelie'], { mosty: 0.5 } as never), "toHaveValuesIn: unknown option 'mosty' (did you mean 'mostly'?)"],
    ['toMatchPattern with an invalid pattern', () => expect(penguins).toMatchPattern('species', '[A-Z'), 'toMatchPattern: Invalid regular expression: /[A-Z/: Unterminated character class'],
    ['toMatchPattern with a number', () => expect(penguins).toMatchPattern('species', 42 as never), 'toMatchPattern needs a RegExp or a pattern string, got number 42'],
    ['toMatchPattern with mostly -1', () => expect(penguins).toMatchPattern('species', /./, { mostly: -1 }), 'toMatchPattern: mostly must be a number > 0 and ≤ 1, got number -1'],
    ['toHaveNoOverlapWith on []', () => expect(penguins).toHaveNoOverlapWith(other, { on: [] }), 'toHaveNoOverlapWith: on is empty, so there would be nothing to check'],
    ['toHaveNoOverlapWith with a misspelt option', () => expect(penguins).toHaveNoOverlapWith(other, { onn: ['species'] } as never), "toHaveNoOverlapWith: unknown option 'onn' (did you mean 'on'?)"],
    [
      'toHaveNoDriftFrom with an unknown test',
      () => expect(penguins).toHaveNoDriftFrom(other, { test: 'kss' as never }),
      "toHaveNoDriftFrom: test 'kss' is not one of 'psi', 'ks', 'chi2', 'jensen-shannon' and 'wasserstein' (did you mean 'ks'?)",
    ],
    ['toHaveNoDriftFrom with a negative threshold', () => expect(penguins).toHaveNoDriftFrom(other, { threshold: -0.1 }), 'toHaveNoDriftFrom: threshold must be a number ≥ 0, got number -0.1'],
    ['toHaveNoDriftFrom with no columns', () => expect(penguins).toHaveNoDriftFrom(other, { columns: [] }), 'toHaveNoDriftFrom: columns is empty, so there would be nothing to check'],
    ['toHaveNoDriftFrom with a misspelt option', () => expect(penguins).toHaveNoDriftFrom(other, { column: ['species'] } as never), "toHaveNoDriftFrom: unknown option 'column' (did you mean 'columns'?)"],
    ["toMatchSchema with 'integer'", () => expect(penguins).toMatchSchema({ species: 'string', body_mass_g: 'integer' as never }), `toMatchSchema: schema.body_mass_g 'integer' is not one of ${TYPES}`],
    ['toMatchSchema({})', () => expect(penguins).toMatchSchema({}), 'toMatchSchema takes { column: type } with at least one column, got an object'],
    ["toMatchSchema(['species'])", () => expect(penguins).toMatchSchema(['species'] as never), 'toMatchSchema takes { column: type } with at least one column, got an array of 1'],
    ['toMatchSchema with a misspelt option', () => expect(penguins).toMatchSchema({ species: 'string' }, { allowextra: true } as never), "toMatchSchema: unknown option 'allowextra' (did you mean 'allowExtra'?)"],
    ["toMatchSchema with allowExtra 'yes'", () => expect(penguins).toMatchSchema({ species: 'string' }, { allowExtra: 'yes' as never }), "toMatchSchema: allowExtra must be true or false, got 'yes'"],
    ['toMatchProfileSnapshot with a misspelt tolerance', () => expect(penguins).toMatchProfileSnapshot({ row: 0.1 } as never), "toMatchProfileSnapshot: unknown option 'row' (did you mean 'rows'?)"],
    ['toMatchProfileSnapshot with a negative tolerance', () => expect(penguins).toMatchProfileSnapshot({ nullRate: -0.01 }), 'toMatchProfileSnapshot: nullRate must be a number ≥ 0, got number -0.01'],
    ['sample() with a misspelt option', async () => penguins.sample(5, { sed: 1 } as never), "sample(): unknown option 'sed' (did you mean 'seed'?)"],
    ['sample() with a fractional seed', async () => penguins.sample(5, { seed: 0.5 }), 'sample(): seed must be a whole number, got number 0.5'],
    ['head() with a negative count', async () => penguins.head(-1), 'head(): n must be a whole number ≥ 0, got number -1'],
    ['rows() with a fractional start', () => penguins.rows(1.5, 3), 'rows(): start must be a whole number ≥ 0, got number 1.5'],
    ['rows() with a negative end', () => penguins.rows(0, -2), 'rows(): end must be a whole number ≥ 0, got number -2'],
    ['batches() of size 0', () => penguins.batches(0).next(), 'batches(): size must be a whole number ≥ 1, got number 0'],
  ])('%s', async (_, call, message) => {
    expect(await refusal(call())).toBe(message)
  })

  test('no refused call leaves a check record behind (nothing passes silently)', async ({ task }) => {
    await rejection(expect(penguins).toHaveNoNulls([]))
    await rejection(expect(penguins).toHaveColumns([]))
    expect(task.meta.modeltest ?? []).toEqual([])
  })

  test('what is allowed still passes: every column by default, mostly 1, maxShare 1', async ({ task }) => {
    await expect(penguins).toHaveNoNulls(['species'], { mostly: 1 })
    await expect(penguins).toHaveClassBalance('species', { maxShare: 1 })
    await expect(expect(penguins).toHaveNoNulls()).rejects.toThrow(/Found nulls/)
    expect(lastRecord(task).name).toBe('null_check')
  })
})

describe('through the CLI', () => {
  test('each refused argument fails its test with the reason, and the run fails', async () => {
    const run = await runCli(['--no-junit', '--no-json', '--no-html'], join(fixturesDir, 'cli', 'bad-arguments'))
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("toHaveNoNulls: columns is empty, so there would be nothing to check\n        Name at least one column: ['text', 'label'].")
    expect(run.stdout).toContain("dataset(): unknown option 'badrows' (did you mean 'badRows'?)")
    expect(run.stdout).toContain(`toMatchSchema: schema.species 'integer' is not one of ${TYPES}`)
    expect(run.stdout).toMatch(/3 tests failed with an error[\s\S]*FAILED/)
    expect(run.stdout).not.toMatch(/PASSED|\n\s+at .*:\d+:\d+/)
  })
})

describe('datasets from another copy of modeltest in the same process', () => {
  test('the copy is a second copy: its Dataset class is not ours, and instanceof cannot tell', () => {
    expect(copy.Dataset).not.toBe(Dataset)
    expect(theirs instanceof Dataset).toBe(false)
  })

  test('each copy recognises the datasets of the other by their brand', () => {
    expect(isDataset(theirs)).toBe(true)
    expect(copy.isDataset(ours)).toBe(true)
    expect(isDataset({ source: 'fake', rowCount: 1, columnNames: ['a'] })).toBe(false)
  })

  test("our matchers check the copy's datasets", async ({ task }) => {
    await expect(theirs).toHaveColumns(['species', 'island'])
    await expect(expect(theirs).toHaveNoNulls()).rejects.toThrow(/Found nulls in 1 of 2 columns: island 1/)
    expect(lastRecord(task)).toMatchObject({ name: 'null_check', passed: false, data: { name: 'theirs' } })
  })

  test("each copy's engine functions take the other's datasets, and their tables stay apart", async () => {
    expect((await nullCheck(theirs, ['species'])).passed).toBe(true)
    expect((await copy.nullCheck(ours, ['species'])).passed).toBe(true)
    expect((await overlapCheck(ours, theirs, ['island'])).actual).toBe(1)
    expect((await copy.overlapCheck(theirs, ours, ['species'])).actual).toBe(0)
    expect(await theirs.column('species')).toEqual(['Adelie', 'Gentoo'])
    expect(await ours.column('species')).toEqual(['Chinstrap'])
  })

  test('tables made by the two copies in turn never collide', async () => {
    const made = []
    for (let i = 0; i < 3; i++) made.push(await dataset([{ i }]), await copy.dataset([{ i: i + 10 }]))
    expect(await Promise.all(made.map((data) => data.column('i')))).toEqual([[0], [10], [1], [11], [2], [12]])
  })
})
