import { ModeltestError } from '../errors.js'
import type { Value } from './dataset.js'
import type { ColumnType } from './types.js'

/** Types a column of JavaScript values (rows given in memory): one type per column, nulls allowed. */
export function typeValueColumn(name: string, values: readonly unknown[], where: string): { type: ColumnType; values: Value[] } {
  const kinds = new Set<string>()
  let allIntegers = true
  const out = new Array<Value>(values.length)
  for (let i = 0; i < values.length; i++) {
    let value = values[i]
    if (value === undefined || value === null) {
      out[i] = null
      continue
    }
    if (typeof value === 'bigint') value = Number(value)
    if (value instanceof Date) value = value.toISOString()
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      throw new ModeltestError({ what: `column '${name}' holds a ${describeValue(value)} at row ${i}`, where, fix: 'Give numbers, strings, booleans or null as cell values.' })
    }
    kinds.add(typeof value)
    if (typeof value === 'number' && !Number.isInteger(value)) allIntegers = false
    out[i] = value
  }
  if (kinds.size > 1) {
    throw new ModeltestError({ what: `column '${name}' mixes ${[...kinds].join(' and ')} values`, where, fix: 'Give one type per column (convert the values before calling dataset()).' })
  }
  const kind = [...kinds][0] ?? 'string'
  const type: ColumnType = kind === 'number' ? (allIntegers ? 'int' : 'float') : kind === 'boolean' ? 'bool' : 'string'
  return { type, values: out }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  return typeof value === 'object' ? (value?.constructor?.name ?? 'object') : typeof value
}
