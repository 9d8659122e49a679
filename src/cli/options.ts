import { parseArgs } from 'node:util'
import { ModeltestError } from '../errors.js'
import { didYouMean, inRange, type NumberRange } from '../guard.js'
import { modeltestVersion } from './versions.js'

/**
 * The one command-line parser of every modeltest command: node:util's parseArgs over one option
 * table per command. Every flag takes `--flag value` and `--flag=value`; an unknown flag is a usage
 * error with the closest known one suggested; a flag without its value, or a single-valued flag
 * given twice, is a usage error too.
 */

/**
 * How an option is written:
 * - `switch`: present or not (`--force`);
 * - `value`: one value (`--label label`);
 * - `list`: names separated by commas, repeated flags adding up (`--columns text,label --columns id`);
 *   a list never takes the next word without a comma, so it cannot swallow a positional file;
 * - `repeated`: one value per flag, for values that may hold commas themselves (`--values label:0,1`);
 * - `optional`: a switch that may take a value after `=` (vitest's `--silent=passed-only`), never the next word.
 */
interface OptionSpec {
  type: 'switch' | 'value' | 'list' | 'repeated' | 'optional'
  short?: string
}

export type OptionTable = Readonly<Record<string, OptionSpec>>

type ValueOf<S extends OptionSpec> = S['type'] extends 'switch' ? boolean : S['type'] extends 'value' ? string : S['type'] extends 'optional' ? string | true : string[]

/** The options a table parses into, typed by the table: switches are booleans, lists are string arrays. */
export type ParsedOptions<T extends OptionTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> }

/** Options of every command. */
export const COMMON_OPTIONS = {
  help: { type: 'switch', short: 'h' },
  version: { type: 'switch', short: 'v' },
  debug: { type: 'switch' },
} as const satisfies OptionTable

export interface ParsedCommand<T extends OptionTable> {
  options: ParsedOptions<T>
  positionals: string[]
  /** The options of `passThrough`, as they were written, in order. */
  passThrough: string[]
}

/** The words besides the options a command takes: how many, what they are, and an example command for the fix. */
export interface Positionals {
  min: number
  max: number
  what: string
  example: string
}

/**
 * Parses `argv` for `command` (`''` for the main command, `validate`, `deploy sagemaker`) against `table`,
 * and checks the number of positionals. Options of `passThrough`, another program's (vitest's, for the
 * commands that run tests), are accepted and collected as written; `table` wins where both define a name.
 */
export function parseCommand<T extends OptionTable>(command: string, argv: string[], table: T, expected: Positionals, passThrough: OptionTable = {}): ParsedCommand<T> {
  const fix = `See modeltest ${command ? `${command} ` : ''}--help.`
  const foreign = Object.fromEntries(Object.entries(passThrough).filter(([name, spec]) => !(name in table) && !Object.values(table).some((own) => own.short !== undefined && own.short === spec.short)))
  const config = Object.fromEntries(Object.entries({ ...foreign, ...table }).map(([name, spec]) => [name, { type: takesNextWord(spec) ? ('string' as const) : ('boolean' as const), ...(spec.short ? { short: spec.short } : {}) }]))
  // strict: false lets an unknown option through as a token, so that the error can name the closest known one.
  const { tokens } = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true })
  const options: Record<string, string | string[] | boolean> = {}
  const positionals: string[] = []
  const passed: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const spec: OptionSpec | undefined = table[token.name] ?? foreign[token.name]
    if (!spec) throw new ModeltestError({ what: `unknown option ${token.rawName}${didYouMean(token.rawName, flagNames({ ...table, ...foreign }), '')}`, fix })
    const flag = token.rawName
    if (spec.type === 'switch') {
      if (token.inlineValue) throw new ModeltestError({ what: `${flag} takes no value, got ${flag}=${token.value}`, fix: `Write ${flag} alone. ${fix}` })
    } else if (spec.type === 'optional') {
      // A value after = only; parseArgs gives the token no value otherwise.
    } else if (token.value === undefined || (!token.inlineValue && /^-[^\d.]/.test(token.value))) {
      // parseArgs takes the next word as the value even when it is the next flag: `--label --force`.
      throw new ModeltestError({ what: `${flag} needs a value`, fix })
    }
    if (!(token.name in table)) {
      passed.push(...argv.slice(token.index, token.index + (token.value !== undefined && !token.inlineValue ? 2 : 1)))
      continue
    }
    const value = token.value!
    if (spec.type === 'switch') options[token.name] = true
    else if (spec.type === 'optional') options[token.name] = token.value ?? true
    else if (spec.type === 'value') {
      if (token.name in options) throw new ModeltestError({ what: `${flag} is given twice ('${String(options[token.name])}' and '${value}')`, fix: `Give it once. ${fix}` })
      options[token.name] = value
    } else {
      const values = spec.type === 'list' ? splitList(flag, value, fix) : [value]
      options[token.name] = [...((options[token.name] as string[] | undefined) ?? []), ...values]
    }
  }
  checkPositionals(
    positionals,
    expected,
    command,
    Object.values(table).some((spec) => spec.type === 'list'),
  )
  return { options: options as ParsedOptions<T>, positionals, passThrough: passed }
}

function takesNextWord(spec: OptionSpec): boolean {
  return spec.type !== 'switch' && spec.type !== 'optional'
}

/** The bounds of a number option: `above` and `below` exclusive, `atLeast` and `atMost` inclusive. */
/**
 * A number option's value, checked against its range; undefined when the flag was not given. The usage
 * error states the range: `--duration takes a number > 0, got 'soon'`.
 */
export function numberOption(flag: string, text: string | undefined, range: NumberRange, command: string): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() !== '' && inRange(value, range)) return value
  const { above, atLeast, below, atMost, whole } = range
  const bounds = [above !== undefined ? `> ${above}` : '', atLeast !== undefined ? `≥ ${atLeast}` : '', below !== undefined ? `< ${below}` : '', atMost !== undefined ? `≤ ${atMost}` : ''].filter(Boolean).join(' and ')
  throw new ModeltestError({ what: `${flag} takes a ${whole ? 'whole ' : ''}number${bounds ? ` ${bounds}` : ''}, got '${text}'`, fix: `See modeltest ${command} --help.` })
}

/** `a,b , c` → ['a', 'b', 'c']; an empty name (`a,,b`, a trailing comma) is refused rather than dropped. */
function splitList(flag: string, value: string, fix: string): string[] {
  const names = value.split(',').map((name) => name.trim())
  if (names.some((name) => name === '')) throw new ModeltestError({ what: `${flag} '${value}' has an empty name`, fix: `Separate names with single commas: ${flag} text,label. ${fix}` })
  return names
}

/** Every way a table's options are written: `--name` and `-n`. */
function flagNames(table: OptionTable): string[] {
  return Object.entries(table).flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])])
}

/**
 * Refuses too few or too many positionals. When the command has list options, extra words may be list
 * items written with spaces, and the fix says to join them with commas.
 */
function checkPositionals(positionals: string[], expected: Positionals, command: string, hasLists: boolean): void {
  const { min, max, what, example } = expected
  if (positionals.length >= min && positionals.length <= max) return
  const name = `modeltest${command ? ` ${command}` : ''}`
  const missing = positionals.length < min
  const listHint = !missing && hasLists ? '; a list option takes its names joined by commas (--columns text,label), or the flag repeated' : ''
  throw new ModeltestError({
    what: missing ? `${name} needs ${what}` : `${name} takes ${max === 0 ? 'no arguments besides its options' : what}, got ${positionals.map((word) => `'${word}'`).join(', ')}`,
    fix: `Write ${example}${listHint}. See ${name} --help.`,
  })
}

/**
 * Answers `-h`/`--help` with the command's help and `-v`/`--version` with modeltest's version, before
 * anything else is checked (a required option need not be given to ask for help). True when it answered.
 */
export function answerHelpOrVersion(argv: string[], help: string, stdout: NodeJS.WritableStream = process.stdout): boolean {
  if (argv.includes('-h') || argv.includes('--help')) stdout.write(help)
  else if (argv.includes('-v') || argv.includes('--version')) stdout.write(`${modeltestVersion()}\n`)
  else return false
  return true
}
