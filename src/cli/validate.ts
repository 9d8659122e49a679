import { writeFile } from 'node:fs/promises'
import { classBalanceCheck, matchSchemaCheck, minClassCountCheck, minRowsCheck, noDuplicateRowsCheck, nullCheck, overlapCheck, patternCheck, schemaCheck, uniqueCheck, valuesBetweenCheck, valuesInCheck } from '../checks/data.js'
import { driftCheck, DRIFT_TESTS, type DriftTest } from '../checks/drift.js'
import type { CheckRecord } from '../checks/record.js'
import { dataset, type DatasetFormat } from '../data/load.js'
import { COLUMN_TYPES, type ColumnType } from '../data/types.js'
import { ModeltestError, isModeltestError } from '../errors.js'
import { shortHash } from '../hash.js'
import { COMMON_OPTIONS, answerHelpOrVersion, numberOption, parseCommand, type OptionTable } from './options.js'
import type { NumberRange } from '../guard.js'

const HELP = `modeltest validate: data validation as one command (the tutorial's data_validation.py, and more)

Usage
  modeltest validate <file> [options]

The tutorial's checks
  --columns <a,b,...>       columns that must be present and have no nulls
  --label <name>            the label column: class balance (and --min-class-count)
  --min-samples <n>         the minimum number of rows (default 500)
  --max-imbalance <f>       the largest share of the majority class (default 0.8)
  --output <path>           the JSON report (default validation_report.json)

More checks
  --schema <name:type,...>  column types (int, float, string, bool, date); other columns allowed
  --range <name:min:max,...> numeric values within [min, max]
  --values <name:a,b,c>     values within a set (repeat the flag for more columns)
  --pattern <name:regex>    values matching a regular expression, JavaScript syntax (repeatable)
  --unique <name[,name]>    no two rows share these columns' values (repeat the flag for more groups)
  --no-duplicate-rows       no row appears twice
  --min-class-count <n>     every class of --label has at least n rows
  --no-overlap-with <file>  no row also appears in this file (on --overlap-on columns, or all shared)
  --overlap-on <a,b,...>
  --drift-from <file>       no drift from this reference file (--drift-columns, --drift-test, --drift-threshold)
  --drift-columns <a,b,...>
  --drift-test <test>       psi, ks, chi2, jensen-shannon or wasserstein (default: by column type and size)
  --drift-threshold <x>
  --mostly <f>              the fraction of values that must pass --columns, --range, --values, --pattern

Input
  --format <format>         csv, tsv, jsonl, json, parquet or arrow when the extension does not tell
  --bad-rows skip           count and skip malformed rows instead of stopping at the first

Lists are comma-separated (--columns text,label), and a repeated flag adds to its list (--columns text
--columns label); a word after a list without a comma is never taken into it. Every flag also takes
--flag=value.

Exit status: 0 when every check passed, 1 when one failed, 2 for a usage or input error.
`

const VALIDATE_OPTIONS = {
  ...COMMON_OPTIONS,
  columns: { type: 'list' },
  label: { type: 'value' },
  'min-samples': { type: 'value' },
  'max-imbalance': { type: 'value' },
  output: { type: 'value' },
  schema: { type: 'list' },
  range: { type: 'list' },
  values: { type: 'repeated' },
  pattern: { type: 'repeated' },
  unique: { type: 'repeated' },
  'no-duplicate-rows': { type: 'switch' },
  'min-class-count': { type: 'value' },
  'no-overlap-with': { type: 'value' },
  'overlap-on': { type: 'list' },
  'drift-from': { type: 'value' },
  'drift-columns': { type: 'list' },
  'drift-test': { type: 'value' },
  'drift-threshold': { type: 'value' },
  mostly: { type: 'value' },
  format: { type: 'value' },
  'bad-rows': { type: 'value' },
} as const satisfies OptionTable

/** `modeltest validate`: the checks asked for on the command line, printed and written as the tutorial's script does. */
export async function runValidate(argv: string[]): Promise<number> {
  if (answerHelpOrVersion(argv, HELP)) return 0
  const { options, positionals } = parseCommand('validate', argv, VALIDATE_OPTIONS, { min: 1, max: 1, what: 'one data file', example: 'modeltest validate data/train.csv --columns text,label' })
  const path = positionals[0]
  const label = options.label
  const mostly = number('--mostly', options.mostly, { above: 0, atMost: 1 })
  const format = options.format as DatasetFormat | undefined
  const badRows = options['bad-rows']
  if (badRows !== undefined && badRows !== 'skip') throw usage(`--bad-rows takes 'skip', not '${badRows}'`)
  const columns = options.columns ?? []
  // One streaming pass profiles the columns the tutorial's checks name and counts the labels.
  const data = await dataset(path, { format, badRows: badRows === 'skip' ? 'skip' : undefined, materialize: false, countValues: label ? [label] : [], profileColumns: columns })

  const checks: [string, () => Promise<CheckRecord>][] = []
  if (columns.length > 0) {
    checks.push(
      ['schema_validation', () => schemaCheck(data, columns)],
      [
        'null_check',
        () =>
          nullCheck(
            data,
            columns.filter((name) => data.hasColumn(name)),
            { mostly },
          ),
      ],
    )
  }
  const minSamples = number('--min-samples', options['min-samples'], { atLeast: 0, whole: true }) ?? 500
  checks.push(['min_samples', () => minRowsCheck(data, minSamples)])
  if (label) {
    const maxImbalance = number('--max-imbalance', options['max-imbalance'], { above: 0, atMost: 1 }) ?? 0.8
    checks.push(['class_balance', () => classBalanceCheck(data, label, maxImbalance)])
    const minClass = number('--min-class-count', options['min-class-count'], { atLeast: 0, whole: true })
    if (minClass !== undefined) checks.push(['min_class_count', () => minClassCountCheck(data, label, minClass)])
  } else if (options['min-class-count'] !== undefined) throw usage('--min-class-count needs --label')
  const schema = options.schema
  if (schema) checks.push(['schema_match', () => matchSchemaCheck(data, parseSchema(schema), { allowExtra: true })])
  for (const spec of options.range ?? []) {
    const [name, min, max] = splitSpec(spec, 3, '--range', 'age:0:120')
    checks.push(['values_between', () => valuesBetweenCheck(data, name, Number(min), Number(max), { mostly })])
  }
  for (const spec of options.values ?? []) {
    const [name, list] = splitSpec(spec, 2, '--values', 'label:0,1')
    const allowed = list.split(',')
    checks.push(['values_in_set', async () => valuesInCheck(data, name, data.columnType(name) === 'string' ? allowed : allowed.map(Number), { mostly })])
  }
  for (const spec of options.pattern ?? []) {
    const [name, pattern] = splitSpec(spec, 2, '--pattern', 'email:^[^@]+@[^@]+$')
    checks.push(['pattern_match', () => patternCheck(data, name, new RegExp(pattern), { mostly })])
  }
  for (const spec of options.unique ?? []) checks.push(['unique_values', () => uniqueCheck(data, spec.split(','))])
  if (options['no-duplicate-rows']) checks.push(['duplicate_rows', () => noDuplicateRowsCheck(data)])
  const overlapWith = options['no-overlap-with']
  if (overlapWith) checks.push(['no_overlap', async () => overlapCheck(data, await dataset(overlapWith, { format, materialize: false }), options['overlap-on'])])
  const driftFrom = options['drift-from']
  if (driftFrom) {
    const test = options['drift-test'] as DriftTest | undefined
    if (test !== undefined && !DRIFT_TESTS.includes(test)) throw usage(`--drift-test takes ${DRIFT_TESTS.join(', ')}, not '${test}'`)
    const threshold = number('--drift-threshold', options['drift-threshold'], { atLeast: 0 })
    checks.push(['no_drift', async () => driftCheck(data, await dataset(driftFrom, { format, materialize: false }), { columns: options['drift-columns'], test, threshold })])
  }

  const results: ValidationResult[] = []
  for (const [name, check] of checks) results.push(await settle(name, check))
  const failed = results.filter((result) => !result.passed).length
  const report = {
    dataset_path: path,
    dataset_hash: shortHash(data.hash),
    total_checks: results.length,
    passed_checks: results.length - failed,
    failed_checks: failed,
    ...(data.badRows ? { bad_rows: data.badRows } : {}),
    results,
  }
  await writeFile(options.output ?? 'validation_report.json', JSON.stringify(report, null, 2) + '\n')
  const lines = [`Checks: ${results.length - failed}/${results.length} passed`]
  if (data.badRows) lines.push(`  ! ${data.badRows.count} malformed rows skipped, first at line ${data.badRows.examples[0]?.line}: ${data.badRows.examples[0]?.error}`)
  for (const result of results) lines.push(`  ${result.passed ? '✓' : '✗'} ${result.name}: ${result.message}`)
  process.stdout.write(lines.join('\n') + '\n')
  return failed === 0 ? 0 : 1
}

interface ValidationResult extends Partial<CheckRecord> {
  name: string
  passed: boolean
  message: string
}

/** A check whose input is unusable (a column that is not there) becomes a failed result, and the others still run. */
async function settle(name: string, run: () => Promise<CheckRecord>): Promise<ValidationResult> {
  try {
    return await run()
  } catch (error) {
    if (!isModeltestError(error)) throw error
    return { name, kind: 'data', passed: false, message: error.what + (error.fix ? `. ${error.fix}` : '') }
  }
}

function parseSchema(specs: string[]): Record<string, ColumnType> {
  return Object.fromEntries(
    specs.map((spec) => {
      const [name, type] = splitSpec(spec, 2, '--schema', 'label:int')
      if (!COLUMN_TYPES.includes(type as ColumnType)) throw usage(`--schema ${spec}: the type must be one of ${COLUMN_TYPES.join(', ')}`)
      return [name, type as ColumnType]
    }),
  )
}

/** `name:a:b` → [name, a, b]; the last part keeps any further colons (regular expressions). */
function splitSpec(spec: string, parts: number, flag: string, example: string): string[] {
  const pieces = spec.split(':')
  const out = [...pieces.slice(0, parts - 1), pieces.slice(parts - 1).join(':')]
  if (pieces.length < parts || out.some((piece) => piece === '')) throw usage(`${flag} ${spec} is not of the form ${example}`)
  return out
}

function number(flag: string, text: string | undefined, range: NumberRange): number | undefined {
  return numberOption(flag, text, range, 'validate')
}

function usage(what: string): ModeltestError {
  return new ModeltestError({ what, fix: 'See modeltest validate --help.' })
}
