import { writeFile } from 'node:fs/promises'
import { classBalanceCheck, minRowsCheck, nullCheck, schemaCheck } from '../checks/data.js'
import type { CheckRecord } from '../checks/record.js'
import type { Dataset } from '../data/dataset.js'
import { dataset } from '../data/load.js'
import { ModeltestError, isModeltestError } from '../errors.js'
import { shortHash } from '../hash.js'

const HELP = `modeltest validate: the tutorial's data validation as one command

Usage
  modeltest validate <file> --columns <name...> --label <name> [options]

Options
  --columns <name...>     columns that must be present and have no nulls
  --label <name>          the label column, for the class balance check
  --min-samples <n>       the minimum number of rows (default 500)
  --max-imbalance <f>     the largest share of the majority class (default 0.8)
  --output <path>         the JSON report (default validation_report.json)

Exit status: 0 when every check passed, 1 when one failed, 2 for a usage or input error.
`

interface ValidateArguments {
  path: string
  columns: string[]
  label: string
  minSamples: number
  maxImbalance: number
  output: string
}

/** `modeltest validate`: schema, nulls, minimum samples and class balance, printed and written as the tutorial's script does. */
export async function runValidate(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(HELP)
    return 0
  }
  const args = parseValidateArguments(argv)
  const data = await dataset(args.path)
  const results = [
    schemaCheck(data, args.columns),
    nullCheck(data, presentColumns(data, args.columns)),
    minRowsCheck(data, args.minSamples),
    settle('class_balance', () => classBalanceCheck(data, args.label, args.maxImbalance)),
  ]
  const failed = results.filter((result) => !result.passed).length
  const report = {
    dataset_path: args.path,
    dataset_hash: shortHash(data.hash),
    total_checks: results.length,
    passed_checks: results.length - failed,
    failed_checks: failed,
    results,
  }
  await writeFile(args.output, JSON.stringify(report, null, 2) + '\n')
  const lines = [`Checks: ${results.length - failed}/${results.length} passed`]
  for (const result of results) lines.push(`  ${result.passed ? '✓' : '✗'} ${result.name}: ${result.message}`)
  process.stdout.write(lines.join('\n') + '\n')
  return failed === 0 ? 0 : 1
}

interface ValidationResult extends Partial<CheckRecord> {
  name: string
  passed: boolean
  message: string
}

/** A check whose input is unusable (the label column is missing) becomes a failed result, as the others still run. */
function settle(name: string, run: () => CheckRecord): ValidationResult {
  try {
    return run()
  } catch (error) {
    if (!isModeltestError(error)) throw error
    return { name, kind: 'data', passed: false, message: error.what + (error.fix ? `. ${error.fix}` : '') }
  }
}

function presentColumns(data: Dataset, columns: string[]): string[] {
  return columns.filter((name) => data.hasColumn(name))
}

function parseValidateArguments(argv: string[]): ValidateArguments {
  const positional: string[] = []
  const values = new Map<string, string[]>()
  let current: string[] | undefined
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
      if (!['--columns', '--label', '--min-samples', '--max-imbalance', '--output'].includes(flag)) {
        throw new ModeltestError({ what: `unknown option ${flag}`, fix: 'See modeltest validate --help.' })
      }
      current = []
      values.set(flag, current)
      if (inline !== undefined) current.push(inline)
    } else if (current && (current.length === 0 || values.get('--columns') === current)) current.push(arg)
    else positional.push(arg)
  }
  const single = (flag: string): string | undefined => {
    const list = values.get(flag)
    if (list && list.length !== 1) throw new ModeltestError({ what: `${flag} takes one value`, fix: 'See modeltest validate --help.' })
    return list?.[0]
  }
  if (positional.length !== 1) throw new ModeltestError({ what: positional.length === 0 ? 'no data file given' : `one data file at a time, got ${positional.join(', ')}`, fix: 'Write modeltest validate data/train.csv --columns text label --label label.' })
  const columns = values.get('--columns')
  if (!columns?.length) throw new ModeltestError({ what: '--columns is required', fix: 'Name the columns that must be present: --columns text label.' })
  const label = single('--label')
  if (!label) throw new ModeltestError({ what: '--label is required', fix: 'Name the label column: --label label.' })
  return {
    path: positional[0],
    columns,
    label,
    minSamples: number(single('--min-samples') ?? '500', '--min-samples', (n) => Number.isInteger(n) && n >= 0),
    maxImbalance: number(single('--max-imbalance') ?? '0.8', '--max-imbalance', (n) => n > 0 && n <= 1),
    output: single('--output') ?? 'validation_report.json',
  }
}

function number(text: string, flag: string, valid: (n: number) => boolean): number {
  const value = Number(text)
  if (text.trim() === '' || !valid(value)) throw new ModeltestError({ what: `${flag} ${text} is not valid`, fix: flag === '--min-samples' ? 'Give a whole number of rows, e.g. --min-samples 1000.' : 'Give a fraction within (0, 1], e.g. --max-imbalance 0.8.' })
  return value
}
