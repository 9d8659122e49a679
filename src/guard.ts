import { ModeltestError, listNames } from './errors.js'

/**
 * Guards for the public API and the command line: each refuses what the caller cannot have meant,
 * naming the parameter, where it was given and the values that are allowed.
 */

/**
 * The candidate closest to `name` (Damerau–Levenshtein distance over lower-cased text), when it is
 * close enough to be a slip of the keyboard: at most a third of the name's length, and at most 3.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

/** ` (did you mean 'x'?)` when a candidate is close to `name`, else ''. */
export function didYouMean(name: string, candidates: readonly string[], quote = "'"): string {
  const match = closest(name, candidates)
  return match === undefined ? '' : ` (did you mean ${quote}${match}${quote}?)`
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) rows[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}

/**
 * Refuses an options argument that is not a plain object, or that holds a key `allowed` does not
 * list (a misspelt option would otherwise be ignored and the check run without it).
 * `where` names the call: `dataset()`, `toMeetAccuracy`.
 */
export function checkOptionKeys(options: unknown, allowed: readonly string[], where: string): void {
  if (options === undefined) return
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ModeltestError({
      what: `${where}: the options must be an object, got ${describeValue(options)}`,
      fix: `Pass { ${allowed
        .slice(0, 2)
        .map((key) => `${key}: …`)
        .join(', ')} }, or leave the options out.`,
    })
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ModeltestError({ what: `${where}: unknown option '${key}'${didYouMean(key, allowed)}`, fix: `The options are ${listNames(allowed)}.` })
    }
  }
}

/** A value that must be one of a fixed set of names; `undefined` passes (the default applies). */
export function checkChoice<T extends string>(value: unknown, allowed: readonly T[], parameter: string, where: string): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined
  const typo = typeof value === 'string' ? didYouMean(value, allowed) : ''
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value is matched by its text: an object's '[object Object]' is close to no name
  throw new ModeltestError({ what: `${where}: ${parameter} ${describeValue(value)} is not one of ${listNames(allowed)}${typo}`, fix: `Write ${parameter}: '${closest(String(value), allowed) ?? allowed[0]}'.` })
}

/** A non-empty list of column names, each a non-empty string, without repeats. */
export function checkColumnList(columns: unknown, parameter: string, where: string, example = "['text', 'label']"): string[] {
  if (!Array.isArray(columns)) throw new ModeltestError({ what: `${where}: ${parameter} must be an array of column names, got ${describeValue(columns)}`, fix: `Write ${example}.` })
  if (columns.length === 0) throw new ModeltestError({ what: `${where}: ${parameter} is empty, so there would be nothing to check`, fix: `Name at least one column: ${example}.` })
  const names = columns.map((column: unknown, i) => checkColumnName(column, `${parameter}[${i}]`, where, example))
  const repeated = names.find((column, i) => names.indexOf(column) !== i)
  if (repeated !== undefined) throw new ModeltestError({ what: `${where}: ${parameter} names '${repeated}' twice`, fix: 'Name each column once.' })
  return names
}

/** One column name: a non-empty string. */
export function checkColumnName(column: unknown, parameter: string, where: string, example = "'label'"): string {
  if (typeof column !== 'string' || column === '') throw new ModeltestError({ what: `${where}: ${parameter} must be a column name, got ${describeValue(column)}`, fix: `Write ${example}.` })
  return column
}

/** A list of strings, possibly empty (null markers, optional column lists). */
export function checkStrings(value: unknown, parameter: string, where: string, example: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new ModeltestError({ what: `${where}: ${parameter} must be an array of strings, got ${describeValue(value)}`, fix: `Write ${parameter}: ${example}.` })
  return value as string[]
}

/** true or false; `undefined` passes (the default applies). */
export function checkFlag(value: unknown, parameter: string, where: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw new ModeltestError({ what: `${where}: ${parameter} must be true or false, got ${describeValue(value)}`, fix: `Write ${parameter}: true, or leave it out.` })
}

/** A finite number, optionally within [min, max], above an excluded lower bound, or whole. */
export function checkNumber(value: unknown, parameter: string, where: string, range: { min?: number; above?: number; max?: number; whole?: boolean } = {}): number {
  const { min, above, max, whole } = range
  if (typeof value === 'number' && inRange(value, { atLeast: min, above, atMost: max, whole })) return value
  const lower = min !== undefined ? ` ≥ ${min}` : above !== undefined ? ` > ${above}` : ''
  const bounds = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : lower && max !== undefined ? `${lower} and ≤ ${max}` : max !== undefined ? ` ≤ ${max}` : lower
  throw new ModeltestError({ what: `${where}: ${parameter} must be a ${whole ? 'whole ' : ''}number${bounds}, got ${describeValue(value)}`, fix: `Pass ${parameter} as a number${bounds}.` })
}

/** Bounds a number must keep; each one left out does not bound it. */
export interface NumberRange {
  above?: number
  atLeast?: number
  below?: number
  atMost?: number
  whole?: boolean
}

/** Whether `value` is finite and within every bound of `range`. */
export function inRange(value: number, range: NumberRange): boolean {
  const { above, atLeast, below, atMost, whole } = range
  return (
    Number.isFinite(value) &&
    (above === undefined || value > above) &&
    (atLeast === undefined || value >= atLeast) &&
    (below === undefined || value < below) &&
    (atMost === undefined || value <= atMost) &&
    (!whole || Number.isInteger(value))
  )
}

/** A short description of a value for an error message: `'excel'`, `the number 3`, `an array`, `a Promise (add await)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Promise) return 'a Promise (add await)'
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`
  const type = value.constructor?.name
  return !type || type === 'Object' ? 'an object' : `a ${type}`
}
