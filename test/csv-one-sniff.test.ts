import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataset } from '../src/index.js'
import { runCli, tempDir } from './helpers.js'

// A CSV file is sniffed once and scanned with what the sniff found, in buffers of 2 MiB. These cases
// read what a second detection and DuckDB's own 32 MiB buffers read before.

describe('one sniff per CSV file', () => {
  test('dates and timestamps in a day-first format keep their types and ranges', async () => {
    const dir = await tempDir({ 'dates.csv': 'day,at,n\n31/12/2020,2020-01-01 10:00:00,1\n01/02/2021,2021-03-04 11:30:00,2\n15/06/2020,2020-06-15 08:00:00,3\n' })
    const data = await dataset(join(dir, 'dates.csv'))
    expect(data.schema).toEqual({ day: 'date', at: 'date', n: 'int' })
    const profile = await data.profile()
    expect(profile.columns.map(({ name, min, max }) => [name, min, max])).toEqual([
      ['day', '2020-06-15T00:00:00', '2021-02-01T00:00:00'],
      ['at', '2020-01-01T10:00:00', '2021-03-04T11:30:00'],
      ['n', 1, 3],
    ])
  })

  test('a path with a quote in its name validates', async () => {
    const dir = await tempDir({ "it's.csv": 'text,label\nfine,1\ngood,0\n' })
    const result = await runCli(['validate', "it's.csv", '--columns', 'text,label', '--label', 'label', '--min-samples', '2'], dir)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  test('rows that span the 2 MiB buffers are read whole: a 1.5 MB cell, quoted line breaks', async () => {
    const long = 'x'.repeat(1_500_000)
    const lines = ['text,label']
    let expectedNulls = 0
    for (let i = 0; i < 60_000; i++) {
      if (i === 31_000) lines.push(`${long},1`)
      else if (i % 997 === 0) lines.push(`"line one\nline two, ""quoted"" ${i}",${i % 3}`)
      else if (i % 1_001 === 0) {
        lines.push(`,${i % 3}`)
        expectedNulls++
      } else lines.push(`row ${i},${i % 3}`)
    }
    const dir = await tempDir({ 'spanning.csv': lines.join('\n') + '\n' })
    const result = await runCli(['validate', 'spanning.csv', '--columns', 'text,label', '--label', 'label', '--min-samples', '1000', '--output', 'report.json'], dir)
    expect(result.stderr).toBe('')
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))
    const byName = Object.fromEntries(report.results.map((check: { name: string }) => [check.name, check]))
    expect(byName.min_samples.actual).toBe(60_000)
    expect(byName.null_check.message).toBe(`Found nulls in 1 of 2 columns: text ${expectedNulls} (60000 rows)`)
    const data = await dataset(join(dir, 'spanning.csv'), { materialize: false })
    expect(await data.valueCounts('label')).toEqual({ '0': 20_000, '1': 20_000, '2': 20_000 })
    expect((await data.profile(['text'])).columns[0].maxLength).toBe(long.length)
  })
})
