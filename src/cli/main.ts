import { dirname, relative, sep } from 'node:path'
import { ModeltestError, isModeltestError } from '../errors.js'
import { findTestFiles } from './find-tests.js'
import { modeltestVersion } from './versions.js'

const HELP = `modeltest: tests for ML data and models, run by vitest

Usage
  modeltest [paths...] [options]      run every *.modeltest.ts under paths (default: .)
  modeltest validate <file> [options] validate a dataset (modeltest validate --help)

Options
  --junit <path>    JUnit XML report (default reports/junit.xml); --no-junit for none
  --json <path>     JSON report (default reports/modeltest.json); --no-json for none
  --no-cache        predict afresh, without the prediction cache in .modeltest/cache
  -u, --update      rewrite profile snapshots (toMatchProfileSnapshot) instead of comparing
  --debug           print stack traces of errors
  -h, --help        this help
  -v, --version     modeltest's version
  Any vitest option passes through: -t <pattern>, --shard 1/3, --reporter verbose, --bail 1, ...

Exit status: 0 when every test passed and at least one check ran; 1 otherwise; 2 for a usage error.
`

interface RunArguments {
  junit?: string | false
  json?: string | false
  rest: string[]
}

/** Takes modeltest's own options out of argv; the rest goes to vitest. */
function takeOwnOptions(argv: string[]): RunArguments {
  const result: RunArguments = { rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    if (flag === '--junit' || flag === '--json') {
      const value = inline ?? argv[++i]
      if (!value || value.startsWith('-')) throw new ModeltestError({ what: `${flag} needs a file path`, fix: `Write ${flag} reports/${flag === '--junit' ? 'junit.xml' : 'modeltest.json'}, or --no-${flag.slice(2)} for none.` })
      result[flag === '--junit' ? 'junit' : 'json'] = value
    } else if (flag === '--no-junit') result.junit = false
    else if (flag === '--no-json') result.json = false
    // Read by every worker: predictions are neither read from nor written to .modeltest/cache.
    else if (flag === '--no-cache') process.env.MODELTEST_CACHE = 'off'
    else if (flag !== '--debug') result.rest.push(arg)
  }
  return result
}

async function runTests(argv: string[]): Promise<number> {
  // Loaded here, not at the top: `modeltest validate` needs neither vitest nor tfjs, and starts faster without them.
  const [{ parseCLI, startVitest }, { modeltest }, { ModeltestReporter }] = await Promise.all([import('vitest/node'), import('./preset.js'), import('./reporter.js')])
  const own = takeOwnOptions(argv)
  const { filter, options } = parseCLI(['vitest', ...own.rest])
  const files = await findTestFiles(filter.length > 0 ? filter : ['.'])
  const reporter = new ModeltestReporter({ junit: own.junit, json: own.json })
  const extraReporters = (options as { reporter?: string[] }).reporter ?? []
  delete (options as { reporter?: string[] }).reporter
  const vitest = await startVitest(
    'test',
    files,
    { ...options, config: false, run: true, watch: false, dir: commonDirectory(files), reporters: [reporter, ...extraReporters] as never },
    { plugins: [modeltest({ reporter: false })] },
  )
  await vitest.close()
  return reporter.report?.passed ? 0 : 1
}

function commonDirectory(files: string[]): string {
  let common = dirname(files[0])
  for (const file of files) {
    while (relative(common, file).split(sep)[0] === '..') common = dirname(common)
  }
  return common
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug')
  try {
    if (argv[0] === 'validate') return await (await import('./validate.js')).runValidate(argv.slice(1))
    if (argv.includes('-h') || argv.includes('--help')) {
      process.stdout.write(HELP)
      return 0
    }
    if (argv.includes('-v') || argv.includes('--version')) {
      process.stdout.write(`${modeltestVersion()}\n`)
      return 0
    }
    return await runTests(argv)
  } catch (error) {
    if (isModeltestError(error)) {
      process.stderr.write(`modeltest: ${error.message}\n`)
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`)
      return 2
    }
    process.stderr.write(`modeltest: ${(error as Error).message ?? error}\n`)
    if (debug) process.stderr.write(`${(error as Error).stack}\n`)
    else process.stderr.write('  (run again with --debug for the stack trace)\n')
    return 2
  }
}
