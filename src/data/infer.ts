import { ModeltestError } from '../errors.js'
import type { Column, ColumnType, Value } from './dataset.js'

const INT = /^[+-]?\d+$/
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i
const BOOL = /^(true|false)$/i

/**
 * Types a column of text cells (CSV): `int` when every non-null cell is a whole number, `float`
 * when every one is a number, `bool` for true/false, otherwise `string`. A forced type that a
 * cell does not fit is an error naming the cell.
 */
export function typeTextColumn(cells: readonly (string | null)[], forced: ColumnType | undefined, where: (row: number) => string): Column {
  const type = forced ?? inferTextType(cells)
  const values: Value[] = new Array(cells.length)
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]
    values[i] = cell === null ? null : parseCell(cell, type, () => where(i))
  }
  return { type, values }
}

function inferTextType(cells: readonly (string | null)[]): ColumnType {
  let isInt = true
  let isFloat = true
  let isBool = true
  let seen = false
  for (const cell of cells) {
    if (cell === null) continue
    seen = true
    if (isInt && !INT.test(cell)) isInt = false
    if (isFloat && !FLOAT.test(cell)) isFloat = false
    if (isBool && !BOOL.test(cell)) isBool = false
    if (!isInt && !isFloat && !isBool) return 'string'
  }
  if (!seen) return 'string'
  return isInt ? 'int' : isFloat ? 'float' : isBool ? 'bool' : 'string'
}

function parseCell(cell: string, type: ColumnType, where: () => string): Value {
  switch (type) {
    case 'string':
      return cell
    case 'bool':
      if (BOOL.test(cell)) return cell.toLowerCase() === 'true'
      break
    case 'int':
      if (INT.test(cell)) return Number(cell)
      break
    case 'float':
      if (FLOAT.test(cell)) return Number(cell.replace(/^([+-]?)inf$/i, '$1Infinity'))
      break
  }
  throw new ModeltestError({
    what: `'${cell}' is not a ${type}`,
    where: where(),
    fix: `Fix the cell, or drop the forced type for this column in dataset()'s { types } option.`,
  })
}

/** Types a column of JavaScript values (rows given in memory, or read from Arrow). */
export function typeValueColumn(name: string, values: readonly unknown[], where: string): Column {
  const kinds = new Set<string>()
  let allIntegers = true
  const out: Value[] = new Array(values.length)
  for (let i = 0; i < values.length; i++) {
    let value = values[i]
    if (value === undefined || value === null) {
      out[i] = null
      continue
    }
    if (typeof value === 'bigint') value = Number(value)
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      throw new ModeltestError({
        what: `column '${name}' holds a ${describeValue(value)} at row ${i}`,
        where,
        fix: 'Give numbers, strings, booleans or null as cell values.',
      })
    }
    kinds.add(typeof value)
    if (typeof value === 'number' && !Number.isInteger(value)) allIntegers = false
    out[i] = value as Value
  }
  if (kinds.size > 1) {
    throw new ModeltestError({
      what: `column '${name}' mixes ${[...kinds].join(' and ')} values`,
      where,
      fix: 'Give one type per column (convert the values before calling dataset()).',
    })
  }
  const kind = [...kinds][0] ?? 'string'
  const type: ColumnType = kind === 'number' ? (allIntegers ? 'int' : 'float') : kind === 'boolean' ? 'bool' : 'string'
  return { type, values: out }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  return typeof value === 'object' ? (value?.constructor?.name ?? 'object') : typeof value
}
