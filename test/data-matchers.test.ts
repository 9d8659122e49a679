import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset, profileSnapshot, type DatasetFormat } from '../src/index.js'
import { fixturesDir, lastRecord } from './helpers.js'

// Matchers are registered by src/cli/setup.ts (vitest.config.ts loads it, as the preset does).

const penguinsPath = (extension: string) => join(fixturesDir, 'data', `penguins.${extension}`)
const penguins = await dataset(penguinsPath('csv'))
const clean = await dataset(
  [
    { id: 1, email: 'a@b.org', label: 0 },
    { id: 2, email: 'c@d.org', label: 1 },
    { id: 3, email: 'e@f.org', label: 1 },
  ],
  { name: 'clean' },
)
const dirty = await dataset(
  [
    { id: 1, email: 'a@b.org', label: 0 },
    { id: 1, email: 'not an email', label: 1 },
    { id: 1, email: 'not an email', label: 1 },
    { id: 4, email: null, label: 7 },
  ],
  { name: 'dirty' },
)

describe('toHaveColumns', () => {
  test('passes', () => expect(penguins).toHaveColumns(['species', 'sex']))
  test('fails naming the missing column', () => expect(expect(penguins).toHaveColumns(['species', 'beak'])).rejects.toThrow(/Missing columns: beak \(the data has species, island/))
  test('.not', () => expect(penguins).not.toHaveColumns(['beak']))
})

describe('toMatchSchema', () => {
  const schema = { species: 'string', island: 'string', bill_length_mm: 'float', bill_depth_mm: 'float', flipper_length_mm: 'int', body_mass_g: 'int', sex: 'string' } as const
  test('passes on the exact schema', () => expect(penguins).toMatchSchema({ ...schema }))
  test('fails on a wrong type and on extra columns, unless allowExtra', async () => {
    await expect(expect(penguins).toMatchSchema({ ...schema, body_mass_g: 'float' })).rejects.toThrow(/Schema differs: body_mass_g is int, expected float/)
    await expect(expect(penguins).toMatchSchema({ species: 'string' })).rejects.toThrow(/island is not in the schema[\s\S]*allowExtra/)
    await expect(penguins).toMatchSchema({ species: 'string' }, { allowExtra: true })
  })
  test('.not', () => expect(penguins).not.toMatchSchema({ species: 'int' }, { allowExtra: true }))
  test('refuses an unknown type, listing the types', () => expect(expect(penguins).toMatchSchema({ species: 'text' as never })).rejects.toThrow(/schema.species 'text' is not one of 'int', 'float', 'string', 'bool' and 'date'/))
})

describe('toHaveNoNulls', () => {
  test('passes on complete columns and records the check', async ({ task }) => {
    await expect(penguins).toHaveNoNulls(['species', 'island'])
    expect(lastRecord(task)).toMatchObject({ name: 'null_check', passed: true, actual: 0, n: 344 })
  })
  test('fails with the null count per column', () => expect(expect(penguins).toHaveNoNulls()).rejects.toThrow(/Found nulls in 5 of 7 columns: bill_length_mm 2, bill_depth_mm 2, flipper_length_mm 2, body_mass_g 2, sex 10 \(344 rows\)/))
  test('with mostly, passes when enough values are present', async ({ task }) => {
    await expect(penguins).toHaveNoNulls(['sex'], { mostly: 0.97 })
    expect(lastRecord(task)).toMatchObject({ passed: true, comparator: '>=', threshold: 0.97 })
    await expect(expect(penguins).toHaveNoNulls(['sex'], { mostly: 0.99 })).rejects.toThrow(/least complete column 97.09% non-null < mostly 0.99/)
  })
  test('.not', () => expect(penguins).not.toHaveNoNulls(['sex']))
  test('an unknown column lists the columns', () => expect(expect(penguins).toHaveNoNulls(['beak'])).rejects.toThrow(/no column 'beak'[\s\S]*'species', 'island'/))
})

describe('toHaveAtLeastRows', () => {
  test('passes', () => expect(penguins).toHaveAtLeastRows(300))
  test('fails', () => expect(expect(penguins).toHaveAtLeastRows(1000)).rejects.toThrow(/Insufficient samples: 344 < 1000/))
  test('.not', () => expect(penguins).not.toHaveAtLeastRows(345))
})

describe('toHaveValuesBetween', () => {
  test('passes when every value is in range (nulls not counted)', () => expect(penguins).toHaveValuesBetween('body_mass_g', 2700, 6300))
  test('fails with the count outside and examples', () => expect(expect(penguins).toHaveValuesBetween('body_mass_g', 3000, 6000)).rejects.toThrow(/\d+ of 342 values of body_mass_g outside \[3000, 6000\]/))
  test('with mostly', () => expect(penguins).toHaveValuesBetween('body_mass_g', 3000, 6000, { mostly: 0.95 }))
  test('.not', () => expect(penguins).not.toHaveValuesBetween('body_mass_g', 3000, 4000))
  test('refuses a text column', () => expect(expect(penguins).toHaveValuesBetween('species', 0, 1)).rejects.toThrow(/needs a numeric or date column; 'species' is string/))
})

describe('toHaveValuesIn', () => {
  test('passes', () => expect(penguins).toHaveValuesIn('species', ['Adelie', 'Chinstrap', 'Gentoo']))
  test('fails naming the unexpected values and their counts', () => expect(expect(penguins).toHaveValuesIn('sex', ['MALE', 'FEMALE'])).rejects.toThrow(/1 of 334 values of sex not in \{MALE, FEMALE\}: '\.' ×1/))
  test('numbers', () => expect(expect(dirty).toHaveValuesIn('label', [0, 1])).rejects.toThrow(/'7' ×1/))
  test('.not', () => expect(penguins).not.toHaveValuesIn('island', ['Biscoe']))
})

describe('toMatchPattern', () => {
  test('passes', () => expect(clean).toMatchPattern('email', /^[^@\s]+@[^@\s]+\.[a-z]+$/))
  test('fails with examples', () => expect(expect(dirty).toMatchPattern('email', /^[^@\s]+@[^@\s]+$/)).rejects.toThrow(/2 of 3 values of email do not match \/\^\[\^@\\s\]\+@\[\^@\\s\]\+\$\/, e\.g\. "not an email"/))
  test('.not', () => expect(dirty).not.toMatchPattern('email', /@/))
})

describe('toHaveUniqueValues and toHaveNoDuplicateRows', () => {
  test('unique key passes', () => expect(clean).toHaveUniqueValues(['id']))
  test('a repeated key fails', () => expect(expect(dirty).toHaveUniqueValues(['id'])).rejects.toThrow(/2 duplicate rows in id \(1 values repeated\), e\.g\. "1"/))
  test('a key of several columns', () =>
    expect(dirty)
      .toHaveUniqueValues(['id', 'label'])
      .then(
        () => {
          throw new Error('expected a failure')
        },
        (error: unknown) => expect((error as Error).message).toMatch(/1 duplicate rows in id, label/),
      ))
  test('duplicate rows', async () => {
    await expect(clean).toHaveNoDuplicateRows()
    await expect(expect(dirty).toHaveNoDuplicateRows()).rejects.toThrow(/1 duplicate rows in all columns/)
    await expect(dirty).not.toHaveNoDuplicateRows()
  })
})

describe('toHaveClassBalance and toHaveMinClassCount', () => {
  test('balance passes and fails', async () => {
    await expect(penguins).toHaveClassBalance('species', { maxShare: 0.5 })
    await expect(expect(penguins).toHaveClassBalance('species', { maxShare: 0.4 })).rejects.toThrow(/Class imbalance: 44.19% in majority class 'Adelie' > 0.40/)
    await expect(penguins).not.toHaveClassBalance('species', { maxShare: 0.4 })
  })
  test('min class count passes and fails', async ({ task }) => {
    await expect(penguins).toHaveMinClassCount('species', 68)
    expect(lastRecord(task)).toMatchObject({ name: 'min_class_count', actual: 68, details: { class_counts: { Adelie: 152, Gentoo: 124, Chinstrap: 68 } } })
    await expect(expect(penguins).toHaveMinClassCount('species', 100)).rejects.toThrow(/Smallest class 'Chinstrap' has 68 rows < 100 \(3 classes\)/)
    await expect(penguins).not.toHaveMinClassCount('species', 100)
  })
})

describe('toHaveNoOverlapWith', () => {
  test('passes when no row is shared, fails with the count and examples', async () => {
    const adelie = await dataset(
      (await penguins.rows()).filter((row) => row.species === 'Adelie'),
      { name: 'adelie' },
    )
    const gentoo = await dataset(
      (await penguins.rows()).filter((row) => row.species === 'Gentoo'),
      { name: 'gentoo' },
    )
    await expect(adelie).toHaveNoOverlapWith(gentoo)
    await expect(expect(penguins).toHaveNoOverlapWith(adelie, { on: ['species', 'island', 'body_mass_g'] })).rejects.toThrow(/\d+ of 344 rows of .*penguins\.csv also appear in adelie \(on species, island, body_mass_g\)/)
    await expect(penguins).not.toHaveNoOverlapWith(gentoo)
  })
})

const penguinRows = await penguins.rows()
const adelie = await dataset(
  penguinRows.filter((row) => row.species === 'Adelie'),
  { name: 'adelie' },
)
// A seeded random half: the same population. (Every other row would not be: the source lists penguins in male/female pairs.)
const sample = penguins.sample(172, { seed: 1 })

describe('toHaveNoDriftFrom', () => {
  test('passes on a sample of the same population, with the statistic and p-value per column', async ({ task }) => {
    await expect(sample).toHaveNoDriftFrom(penguins, { columns: ['body_mass_g', 'island'] })
    const record = lastRecord(task)
    expect(record.message).toMatch(/^No drift in 2 columns: body_mass_g ks 0\.\d{4} p=0\.\d+ shift [\d.]+ \(min [\d.]+, detectable [\d.]+\); island chi2 \d+\.\d{4} p=0\.\d+ shift share [\d.]+ \(min 0\.02, detectable [\d.]+\)$/)
    const [mass, island] = (record.details as { columns: { test: string; pValue: number; threshold: number }[] }).columns
    expect(mass).toMatchObject({ test: 'ks', threshold: 0.05 })
    expect(island).toMatchObject({ test: 'chi2' })
    expect(mass.pValue).toBeGreaterThan(0.05)
  })
  test('fails on another population, naming the drifted columns', async () => {
    await expect(expect(adelie).toHaveNoDriftFrom(penguins, { columns: ['body_mass_g', 'island', 'sex'] })).rejects.toThrow(
      /Drift in 2 of 3 columns: body_mass_g ks 0\.\d{4} p=[\d.e-]+ shift [\d.]+ \(min [\d.]+, detectable [\d.]+\) < α 0\.05; island chi2 [\d.]+ p=[\d.e-]+ shift share [\d.]+ \(min 0\.02, detectable [\d.]+\) < α 0\.05/,
    )
  })
  test('PSI and Jensen–Shannon with a threshold of their own; free text is skipped unless named', async ({ task }) => {
    await expect(expect(adelie).toHaveNoDriftFrom(penguins, { columns: ['flipper_length_mm'], test: 'psi' })).rejects.toThrow(/flipper_length_mm psi \d+\.\d{4} > 0\.20/)
    await expect(sample).toHaveNoDriftFrom(penguins, { columns: ['species'], test: 'jensen-shannon', threshold: 0.05 })
    await expect(sample).toHaveNoDriftFrom(penguins)
    expect(lastRecord(task).message).toMatch(/No drift in 7 columns/)
  })
  test('.not', () => expect(adelie).not.toHaveNoDriftFrom(penguins, { columns: ['body_mass_g'] }))
  test('refuses a numeric test on a category and an unknown test', async () => {
    await expect(expect(sample).toHaveNoDriftFrom(penguins, { columns: ['island'], test: 'ks' })).rejects.toThrow(/the ks test needs a numeric column; 'island' is string/)
    await expect(expect(sample).toHaveNoDriftFrom(penguins, { test: 't-test' as never })).rejects.toThrow(/toHaveNoDriftFrom: test 't-test' is not one of 'psi', 'ks', 'chi2', 'jensen-shannon' and 'wasserstein'/)
  })
})

describe('guards', () => {
  test('refuse something that is not a dataset, naming what it is', async () => {
    await expect(expect([{ a: 1 }]).toHaveNoNulls()).rejects.toThrow(/toHaveNoNulls expects a dataset, got an array of 1/)
    await expect(expect(Promise.resolve(clean)).toHaveNoNulls()).rejects.toThrow(/a Promise \(add await\)/)
    await expect(expect(clean).toHaveNoOverlapWith('data/holdout.csv')).rejects.toThrow(/toHaveNoOverlapWith \(other\) expects a dataset, got 'data\/holdout.csv'/)
  })
})

describe('every matcher reads every format the same', () => {
  const formats: [string, DatasetFormat][] = [
    ['csv', 'csv'],
    ['tsv', 'tsv'],
    ['jsonl', 'jsonl'],
    ['parquet', 'parquet'],
    ['arrow', 'arrow'],
  ]
  test.each(formats)('penguins.%s', async (extension) => {
    const data = await dataset(penguinsPath(extension))
    expect(data.rowCount).toBe(344)
    expect(data.schema).toEqual(penguins.schema)
    expect(await data.rows(0, 2)).toEqual(await penguins.rows(0, 2))
    await expect(data).toHaveColumns(['species'])
    await expect(data).toMatchSchema(penguins.schema)
    await expect(expect(data).toHaveNoNulls()).rejects.toThrow(/bill_length_mm 2, bill_depth_mm 2, flipper_length_mm 2, body_mass_g 2, sex 10/)
    await expect(data).toHaveAtLeastRows(344)
    await expect(data).toHaveValuesBetween('flipper_length_mm', 170, 235)
    await expect(data).toHaveValuesIn('island', ['Biscoe', 'Dream', 'Torgersen'])
    await expect(data).toMatchPattern('species', /^[A-Z][a-z]+$/)
    await expect(expect(data).toHaveUniqueValues(['species'])).rejects.toThrow(/341 duplicate rows/)
    await expect(data).toHaveNoDuplicateRows()
    await expect(data).toHaveClassBalance('species', { maxShare: 0.5 })
    await expect(data).toHaveMinClassCount('species', 68)
    await expect(expect(data).toHaveNoOverlapWith(penguins)).rejects.toThrow(/344 of 344 rows/)
    await expect(data).toHaveNoDriftFrom(penguins)
    // toMatchProfileSnapshot compares this snapshot: the same for every format.
    expect(await profileSnapshot(data)).toEqual(await profileSnapshot(penguins))
  })
})
