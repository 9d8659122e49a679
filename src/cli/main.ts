import { existsSync } from 'node:fs'
import { dirname, relative, resolve, sep } from 'node:path'
import { ModeltestError, isModeltestError } from '../errors.js'
import { readReport } from '../baseline.js'
import type { ModeltestConfig } from './preset.js'
import type { ReportOptions } from './publish.js'
import type { ModeltestReporter } from './reporter.js'
import { findTestFiles } from './find-tests.js'
import { splitFlag } from './args.js'
import { modeltestVersion } from './versions.js'

const HELP = `modeltest: tests for ML data and models, run by vitest

Usage
  modeltest [paths...] [options]      run every *.modeltest.ts under paths (default: modeltest.config.ts's include, or .)
  modeltest validate <file> [options] validate a dataset (modeltest validate --help)
  modeltest init [options]            scaffold modeltest.config.ts, a first test file and a GitHub workflow (modeltest init --help)
  modeltest merge <dir> [options]     build every report from the shard results under dir (from runs with --shard i/n)
  modeltest serve --model path        the model behind the SageMaker container contract (modeltest serve --help)
  modeltest deploy sagemaker ...      blue-green deploy of a model whose report passed (modeltest deploy sagemaker --help)
  modeltest canary --endpoint NAME    your matchers and live traffic against a deployed endpoint (modeltest canary --help)

Options
  --junit <path>            JUnit XML report (default reports/junit.xml); --no-junit for none
  --json <path>             JSON report (default reports/modeltest.json); --no-json for none
  --html <path>             HTML report with plots (default reports/modeltest.html); --no-html for none
  --summary <path>          Markdown summary (default: appended to $GITHUB_STEP_SUMMARY when set); --no-summary for none
  --baseline-report <path>  compare every check with this earlier JSON report (the last run on main)
  --github-output <name>    set the step output <name> to true when the run failed, false when it passed
  --config <path>           the config file (default modeltest.config.ts, .mts, .js or .mjs when present)
  --no-cache                predict afresh, without the prediction cache in .modeltest/cache
  --predict-timeout <ms>    fail a prediction call (one batch) that takes longer, naming the model (default 60000)
  --backend <name>          run tfjs models on this backend: tfjs-node-gpu, webgpu, tfjs-node, wasm or cpu (default: the
                            best that runs here); an error says what is missing when it cannot run
  --print-backend           print the tfjs backend models would run on (and why faster ones cannot), then exit
  -u, --update              rewrite profile snapshots (toMatchProfileSnapshot) instead of comparing
  --debug                   print stack traces of errors
  -h, --help                this help
  -v, --version             modeltest's version
  Any vitest option passes through: -t <pattern>, --shard 1/3, --reporter verbose, --bail 1, ...
  With --shard i/n a run writes reports/shards/shard-i-of-n.json; modeltest merge reports/shards builds the reports.

On GitHub Actions (GITHUB_ACTIONS=true) failed checks are also annotated at the line of their assertion.

Exit status: 0 when every test passed and at least one check ran; 1 otherwise; 2 for a usage error.
`

/** modeltest's own options with a value: flag → the report option it sets. */
const VALUE_OPTIONS = {
  '--junit': 'junit',
  '--json': 'json',
  '--html': 'html',
  '--summary': 'summary',
  '--baseline-report': 'baselineReport',
  '--github-output': 'githubOutput',
  '--config': 'config',
  '--backend': 'backend',
  '--predict-timeout': 'predictTimeout',
} as const
/** Report files that `--no-<name>` turns off. */
const REPORT_FILES = ['junit', 'json', 'html', 'summary'] as const

interface OwnOptions extends ReportOptions {
  config?: string
  backend?: string
  predictTimeout?: string
  printBackend?: boolean
}

/** Takes modeltest's own options out of argv; the rest goes to vitest. */
export function takeOwnOptions(argv: string[]): { own: OwnOptions; rest: string[] } {
  const own: OwnOptions = {}
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = splitFlag(arg)
    if (flag in VALUE_OPTIONS) {
      const value = inline ?? argv[++i]
      if (!value || value.startsWith('-')) throw new ModeltestError({ what: `${flag} needs a value`, fix: `Write ${flag} ${flag === '--github-output' ? 'should_retrain' : flag === '--config' ? 'modeltest.config.ts' : flag === '--backend' ? 'webgpu' : flag === '--predict-timeout' ? '60000' : 'reports/…'}${REPORT_FILES.includes(flag.slice(2) as never) ? `, or --no-${flag.slice(2)} for none` : ''}.` })
      own[VALUE_OPTIONS[flag as keyof typeof VALUE_OPTIONS]] = value
    } else if (flag.startsWith('--no-') && REPORT_FILES.includes(flag.slice(5) as never)) own[flag.slice(5) as (typeof REPORT_FILES)[number]] = false
    // Read by every worker: predictions are neither read from nor written to .modeltest/cache.
    else if (flag === '--no-cache') process.env.MODELTEST_CACHE = 'off'
    else if (flag === '--print-backend') own.printBackend = true
    else if (flag !== '--debug') rest.push(arg)
  }
  return { own, rest }
}

const CONFIG_FILES = ['modeltest.config.ts', 'modeltest.config.mts', 'modeltest.config.js', 'modeltest.config.mjs']

/** modeltest.config.ts (or the file given with --config), loaded with vite's config loader, which compiles TypeScript. */
export async function loadConfig(path: string | undefined): Promise<ModeltestConfig> {
  const file = path ? resolve(path) : CONFIG_FILES.map((name) => resolve(name)).find((candidate) => existsSync(candidate))
  if (!file) return {}
  if (!existsSync(file)) throw new ModeltestError({ what: `the config file '${path}' does not exist`, fix: 'Give the path of a modeltest.config.ts, or leave --config out.' })
  const { loadConfigFromFile } = await import('vite')
  let loaded: Awaited<ReturnType<typeof loadConfigFromFile>>
  try {
    loaded = await loadConfigFromFile({ command: 'serve', mode: 'test' }, file, dirname(file), 'silent')
  } catch (error) {
    throw new ModeltestError({ what: `cannot load the config (${(error as Error).message.split('\n')[0]})`, where: file, fix: "Check its syntax; it should end with export default defineConfig({ … }) from 'modeltest/config'.", cause: error })
  }
  const config = loaded?.config as ModeltestConfig | undefined
  if (!config || typeof config !== 'object') throw new ModeltestError({ what: 'the config exports no object', where: file, fix: "End it with export default defineConfig({ … }), defineConfig from 'modeltest/config'." })
  return config
}

async function runTests(argv: string[]): Promise<number> {
  // Loaded here, not at the top: `modeltest validate` needs neither vitest nor tfjs, and starts faster without them.
  const { ModeltestReporter } = await import('./reporter.js')
  const { own, rest } = takeOwnOptions(argv)
  const { include, test: vitestConfig, backend, predictTimeoutMs, ...configReports } = await loadConfig(own.config)
  const { printBackend, predictTimeout, ...reports }: OwnOptions = { ...configReports, ...own }
  await chooseBackendFor(own.backend ?? backend)
  await setPredictTimeout(predictTimeout ?? predictTimeoutMs, predictTimeout !== undefined ? '--predict-timeout' : 'predictTimeoutMs in the config')
  if (printBackend) return await printTfjsBackend()
  if (reports.baselineReport) await readReport(resolve(reports.baselineReport), 'baseline report')
  // Workers write progress to a pipe; they learn from here whether the user watches a terminal.
  process.env.MODELTEST_PROGRESS ??= process.stderr.isTTY ? 'tty' : 'lines'
  const reporter = new ModeltestReporter(reports)
  await runVitest(rest, include ?? ['.'], vitestConfig, reporter)
  return reporter.exitStatus
}

/** Runs the test files that `argv` (vitest's options and paths; `include` without paths) names, with modeltest's preset, reporting to `reporter`. */
export async function runVitest(argv: string[], include: string[], vitestConfig: ModeltestConfig['test'], reporter: ModeltestReporter): Promise<void> {
  const [{ parseCLI, startVitest }, { modeltest }] = await Promise.all([import('vitest/node'), import('./preset.js')])
  const { filter, options } = parseCLI(['vitest', ...argv])
  const files = await findTestFiles(filter.length > 0 ? filter : include)
  const extraReporters = (options as { reporter?: string[] }).reporter ?? []
  delete (options as { reporter?: string[] }).reporter
  const vitest = await startVitest(
    'test',
    files,
    { ...vitestConfig, ...options, config: false, run: true, watch: false, dir: commonDirectory(files), reporters: [reporter, ...extraReporters] as never },
    { plugins: [modeltest({ reporter: false })] },
  )
  await vitest.close()
}

/**
 * The backend the workers must use (they read MODELTEST_BACKEND). It is started here first, so that a bad
 * name, or a backend that cannot run on this machine, stops the run (exit 2) before any test starts.
 */
async function chooseBackendFor(name: string | undefined): Promise<void> {
  if (name === undefined) return
  const { BACKEND_VARIABLE, backendId, tfjsBackend } = await import('../models/tfjs-runtime.js')
  process.env[BACKEND_VARIABLE] = backendId(name)
  await tfjsBackend()
}

/** The prediction timeout the workers' models default to (they read MODELTEST_PREDICT_TIMEOUT_MS); checked here, so that a bad value stops the run (exit 2). */
async function setPredictTimeout(value: string | number | undefined, where: string): Promise<void> {
  if (value === undefined) return
  const { PREDICT_TIMEOUT_VARIABLE, predictTimeout } = await import('../models/timeout.js')
  process.env[PREDICT_TIMEOUT_VARIABLE] = String(predictTimeout(value, where))
}

/** `modeltest --print-backend [--backend NAME]`: the tfjs backend models would run on here, and why faster ones do not; exit 2 when a forced one cannot run. */
async function printTfjsBackend(): Promise<number> {
  const { describeAdapter, tfjsBackend } = await import('../models/tfjs-runtime.js')
  const info = await tfjsBackend()
  const lines = [
    `tfjs backend: ${info.id} (${info.package}${info.forced ? ', chosen with --backend' : ''})${info.gpu ? ' on the GPU' : ''}`,
    ...(info.adapter ? [`adapter: ${describeAdapter(info.adapter)}`] : []),
    ...info.skipped.map((reason) => `not used: ${reason}`),
  ]
  process.stdout.write(lines.join('\n') + '\n')
  return 0
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
    if (argv[0] === 'init') return await (await import('./init.js')).runInit(argv.slice(1))
    if (argv[0] === 'serve') return await (await import('./serve.js')).runServe(argv.slice(1))
    if (argv[0] === 'deploy') return await (await import('./deploy.js')).runDeploy(argv.slice(1))
    if (argv[0] === 'canary') return await (await import('./canary.js')).runCanary(argv.slice(1))
    if (argv[0] === 'merge') return await runMerge(argv.slice(1))
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

/** `modeltest merge <dir>`: every shard result under dir (searched recursively, as CI artifacts land in folders of their own) becomes one run's reports. */
async function runMerge(argv: string[]): Promise<number> {
  const { own, rest } = takeOwnOptions(argv)
  if (rest.length !== 1 || rest[0].startsWith('-')) throw new ModeltestError({ what: `modeltest merge takes one folder${rest.length > 1 ? `, got ${rest.join(' ')}` : ''}`, fix: 'Write modeltest merge reports/shards (where the --shard runs wrote their results).' })
  const config = await loadConfig(own.config)
  const [{ mergeShardFolder }, { exitStatus, publish }] = await Promise.all([import('./merge.js'), import('./publish.js')])
  return exitStatus(await publish(await mergeShardFolder(rest[0]), { ...config, ...own }, process.cwd()))
}
