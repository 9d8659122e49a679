import { readFile } from 'node:fs/promises'
import type { Dataset } from '../data/dataset.js'
import type { ColumnType } from '../data/types.js'
import { ModeltestError } from '../errors.js'
import { checkNumber, checkOptionKeys } from '../guard.js'
import { replaceFiles } from '../files.js'
import type { CheckRecord } from './record.js'
import { dataCheck } from './data.js'

/** The reviewable shape of a dataset, as stored in a profile snapshot file. */
export interface ProfileSnapshot {
  rows: number
  columns: Record<string, { type: ColumnType; nullRate: number; distinct: number; min?: number | string; max?: number | string; categories?: string[] }>
}

/** How far the data may move from its snapshot before the check fails. */
export interface SnapshotTolerance {
  /** Relative change of the row count; 0.1 (±10%) by default. */
  rows?: number
  /** Absolute change of a column's null rate; 0.01 by default. */
  nullRate?: number
  /** How far a numeric range may grow past the stored one, as a fraction of the stored span; 0.1 by default. */
  range?: number
}

/** A column with at most this many distinct values has its categories stored and compared. */
const MAX_SNAPSHOT_CATEGORIES = 20

/** Refuses a tolerance toMatchProfileSnapshot cannot honour: an unknown key, or a value that is not a number ≥ 0. */
export function checkTolerance(tolerance: SnapshotTolerance): void {
  const keys: (keyof SnapshotTolerance)[] = ['rows', 'nullRate', 'range']
  checkOptionKeys(tolerance, keys, 'toMatchProfileSnapshot')
  for (const key of keys) if (tolerance[key] !== undefined) checkNumber(tolerance[key], key, 'toMatchProfileSnapshot', { min: 0 })
}

/** Infers the snapshot of a dataset: types, null rates, ranges, categories and row count. */
export async function profileSnapshot(data: Dataset): Promise<ProfileSnapshot> {
  const profile = await data.profile()
  const columns: ProfileSnapshot['columns'] = {}
  for (const column of profile.columns) {
    const distinct = await data.distinctCount(column.name)
    const entry: ProfileSnapshot['columns'][string] = { type: column.type, nullRate: round(column.nulls / Math.max(profile.rows, 1)), distinct }
    if (column.min !== undefined) entry.min = typeof column.min === 'number' ? round(column.min) : column.min
    if (column.max !== undefined) entry.max = typeof column.max === 'number' ? round(column.max) : column.max
    if ((column.type === 'string' || column.type === 'bool' || column.type === 'int') && distinct <= MAX_SNAPSHOT_CATEGORIES) {
      entry.categories = Object.keys(await data.valueCounts(column.name)).sort()
    }
    columns[column.name] = entry
  }
  return { rows: profile.rows, columns }
}

/** What moved between a stored snapshot and the current one, beyond the tolerance; empty when nothing did. */
export function compareSnapshots(stored: ProfileSnapshot, current: ProfileSnapshot, tolerance: SnapshotTolerance = {}): string[] {
  checkTolerance(tolerance)
  const rowsTolerance = tolerance.rows ?? 0.1
  const nullTolerance = tolerance.nullRate ?? 0.01
  const rangeTolerance = tolerance.range ?? 0.1
  const changes: string[] = []
  const rowChange = (current.rows - stored.rows) / Math.max(stored.rows, 1)
  if (Math.abs(rowChange) > rowsTolerance) changes.push(`rows ${stored.rows} → ${current.rows} (${(rowChange * 100).toFixed(1)}%, tolerance ±${rowsTolerance * 100}%)`)
  for (const name of Object.keys(stored.columns)) if (!(name in current.columns)) changes.push(`column ${name} is gone`)
  for (const [name, now] of Object.entries(current.columns)) {
    const before = stored.columns[name]
    if (!before) {
      changes.push(`column ${name} is new (${now.type})`)
      continue
    }
    if (before.type !== now.type) changes.push(`${name}: type ${before.type} → ${now.type}`)
    if (Math.abs(now.nullRate - before.nullRate) > nullTolerance) changes.push(`${name}: null rate ${before.nullRate} → ${now.nullRate} (tolerance ±${nullTolerance})`)
    if (typeof before.min === 'number' && typeof before.max === 'number' && typeof now.min === 'number' && typeof now.max === 'number') {
      const slack = (before.max - before.min) * rangeTolerance
      if (now.min < before.min - slack || now.max > before.max + slack) changes.push(`${name}: range [${before.min}, ${before.max}] → [${now.min}, ${now.max}] (tolerance ${rangeTolerance * 100}% of the span)`)
    }
    if (before.categories && now.categories) {
      const added = now.categories.filter((value) => !before.categories!.includes(value))
      const removed = before.categories.filter((value) => !now.categories!.includes(value))
      if (added.length > 0) changes.push(`${name}: new categories ${added.map((value) => `'${value}'`).join(', ')}`)
      if (removed.length > 0) changes.push(`${name}: categories gone ${removed.map((value) => `'${value}'`).join(', ')}`)
    }
  }
  return changes
}

/** The check: the data's snapshot against the stored one. */
export function snapshotCheck(data: Dataset, stored: ProfileSnapshot, current: ProfileSnapshot, tolerance: SnapshotTolerance, file: string, negate = false): CheckRecord {
  const changes = compareSnapshots(stored, current, tolerance)
  return dataCheck(data, negate, {
    name: 'profile_snapshot',
    actual: changes.length,
    threshold: 0,
    comparator: '<=',
    n: current.rows,
    message:
      changes.length === 0
        ? `Profile matches the snapshot in ${file} (${Object.keys(current.columns).length} columns, ${current.rows} rows)`
        : `Profile moved from the snapshot in ${file}: ${changes.join('; ')}. If the change is intended, update the snapshot with -u`,
    details: { file, changes, stored, current },
  })
}

/** The check when the snapshot is written (first run, or `-u`): it passes and says so. */
export function snapshotWritten(data: Dataset, current: ProfileSnapshot, file: string, updated: boolean): CheckRecord {
  return dataCheck(data, false, {
    name: 'profile_snapshot',
    actual: 0,
    threshold: 0,
    comparator: '<=',
    n: current.rows,
    message: `Profile snapshot ${updated ? 'updated' : 'written'} in ${file} (${Object.keys(current.columns).length} columns, ${current.rows} rows): review and commit it`,
    details: { file, written: true, current },
  })
}

/** A snapshot file: one JSON object, a snapshot per test name. A corrupt file is an error, not an empty one. */
export async function readSnapshots(file: string): Promise<Record<string, ProfileSnapshot>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return {}
  }
  try {
    return JSON.parse(text) as Record<string, ProfileSnapshot>
  } catch (error) {
    throw new ModeltestError({ what: `the profile snapshot file is not valid JSON (${(error as Error).message})`, where: file, fix: 'Fix the merge conflict or delete the file, then run again with -u.' })
  }
}

/** Adds or replaces one snapshot of the file; the file is replaced whole, so a killed run never leaves it cut. */
export async function writeSnapshot(file: string, key: string, snapshot: ProfileSnapshot): Promise<void> {
  const snapshots = await readSnapshots(file)
  snapshots[key] = snapshot
  const sorted = Object.fromEntries(Object.entries(snapshots).sort(([a], [b]) => a.localeCompare(b)))
  const [unwritten] = (await replaceFiles([{ path: file, content: JSON.stringify(sorted, null, 2) + '\n' }])).unwritten
  if (unwritten) throw new ModeltestError({ what: `the profile snapshot was not written: ${unwritten.reason}`, where: file, fix: 'Make the __profiles__ folder beside the test writable, then run again.' })
}

/** Six significant digits: enough to review, stable across platforms' last bits. */
function round(value: number): number {
  return Number(value.toPrecision(6))
}
