import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { compareSnapshots, dataset, profileSnapshot } from '../src/index.js'
import { fixturesDir, runCli, tempDir } from './helpers.js'

const penguinsCsv = join(fixturesDir, 'data', 'penguins.csv')

describe('profile snapshots', () => {
  test('infer types, null rates, ranges, categories and the row count', async () => {
    const snapshot = await profileSnapshot(await dataset(penguinsCsv))
    expect(snapshot.rows).toBe(344)
    expect(snapshot.columns.species).toEqual({ type: 'string', nullRate: 0, distinct: 3, categories: ['Adelie', 'Chinstrap', 'Gentoo'] })
    expect(snapshot.columns.body_mass_g).toMatchObject({ type: 'int', nullRate: 0.00581395, min: 2700, max: 6300 })
    expect(snapshot.columns.sex.categories).toEqual(['.', 'FEMALE', 'MALE'])
  })

  test('compare within tolerance, and name every change beyond it', async () => {
    const stored = await profileSnapshot(await dataset(penguinsCsv))
    expect(compareSnapshots(stored, stored)).toEqual([])
    const rows = await (await dataset(penguinsCsv)).rows()
    const changed = rows.slice(0, 200).map((row) => ({ ...row, body_mass_g: row.body_mass_g === null ? null : Number(row.body_mass_g) * 2, sex: row.sex === 'MALE' ? 'M' : row.sex, extra: 1 }))
    const current = await profileSnapshot(await dataset(changed, { name: 'changed' }))
    const changes = compareSnapshots(stored, current)
    expect(changes).toEqual([
      'rows 344 → 200 (-41.9%, tolerance ±10%)',
      "species: categories gone 'Gentoo'",
      'body_mass_g: range [2700, 6300] → [5400, 9600] (tolerance 10% of the span)',
      "sex: new categories 'M'",
      "sex: categories gone '.', 'MALE'",
      'column extra is new (int)',
    ])
    expect(compareSnapshots(stored, current, { rows: 0.5, range: 3 }).some((change) => change.startsWith('rows') || change.includes('range'))).toBe(false)
  })
})

describe('toMatchProfileSnapshot through the command', () => {
  async function project(): Promise<string> {
    const dir = await tempDir()
    await copyFile(join(fixturesDir, 'cli', 'profile-snapshot', 'profile.modeltest.ts'), join(dir, 'profile.modeltest.ts'))
    await copyFile(penguinsCsv, join(dir, 'data.csv'))
    return dir
  }
  const snapshotFile = (dir: string) => join(dir, '__profiles__', 'profile.modeltest.ts.json')
  const run = (dir: string, args: string[] = [], env: Record<string, string> = {}) => runCli(['--no-junit', '--no-json', ...args], dir, { CI: '', ...env })

  test('in CI a missing snapshot fails and nothing is written', async () => {
    const dir = await project()
    const result = await run(dir, [], { CI: 'true' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/no profile snapshot for 'penguins profile 1'[\s\S]*Run modeltest -u/)
    await expect(readFile(snapshotFile(dir))).rejects.toThrow()
  })

  test('the first run writes it, the next compares, a change fails, -u updates', async () => {
    const dir = await project()
    const first = await run(dir)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/✓ profile_snapshot: Profile snapshot written in __profiles__\/profile\.modeltest\.ts\.json \(7 columns, 344 rows\)/)
    const stored = JSON.parse(await readFile(snapshotFile(dir), 'utf8'))
    expect(stored['penguins profile 1'].columns.species.categories).toEqual(['Adelie', 'Chinstrap', 'Gentoo'])

    expect((await run(dir, [], { CI: 'true' })).stdout).toMatch(/✓ profile_snapshot: Profile matches the snapshot/)

    const lines = (await readFile(join(dir, 'data.csv'), 'utf8')).trimEnd().split('\n')
    await writeFile(join(dir, 'data.csv'), [lines[0], ...lines.slice(1).map((line) => line.replace(/,(MALE|FEMALE)$/, ','))].join('\n') + '\n')
    const moved = await run(dir, [], { CI: 'true' })
    expect(moved.code).toBe(1)
    expect(moved.stdout).toMatch(/✗ profile_snapshot: Profile moved from the snapshot .*sex: null rate 0\.0290698 → 0\.997093 \(tolerance ±0\.01\); sex: categories gone 'FEMALE', 'MALE'/)

    expect((await run(dir, ['-u'])).stdout).toMatch(/Profile snapshot updated/)
    expect((await run(dir, [], { CI: 'true' })).code).toBe(0)
  })
})
