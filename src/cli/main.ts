import { existsSync } from 'node:fs'
import { dirname, relative, resolve, sep } from 'node:path'
import { ModeltestError, isModeltestError } from '../errors.js'
import { readReport } from '../baseline.js'
import { checkOptionKeys, closest, describeValue } from '../guard.js'
import { checkNamespace } from '../monitor/cloudwatch.js'
import type { ModeltestConfig } from './preset.js'
import type { ReportOptions } from './publish.js'
import type { ModeltestReporter } from './reporter.js'
import { findTestFiles } from './find-tests.js'
import { COMMON_OPTIONS, answerHelpOrVersion, parseCommand, type OptionTable, type ParsedOptions } from './options.js'
import { vitestOptions } from './vitest-options.js'

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
  --pr-comment <path>       Markdown pull request comment: one table of every check, with the baseline report's value
                            and the change (default: none)
  --baseline-report <path>  compare every check with this earlier JSON report (the last run on main)
  --github-output <name>    set the step output <name> to true when the run failed, false when it passed
  --cloudwatch-namespace <ns>  publish every check to CloudWatch under this namespace after the reports are written
                            (CheckValue, CheckPassed, RunPassed); a failed publish exits 2
  -c, --config <path>       the config file (default modeltest.config.ts, .mts, .js or .mjs when present)
  --no-cache                predict afresh, without the prediction cache in .modeltest/cache
  --predict-timeout <ms>    fail a prediction call (one batch) that takes longer, naming the model (default 60000)
  --backend <name>          run tfjs models on this backend: tfjs-node-gpu, webgpu, tfjs-node, wasm or cpu (default: the
                            best that runs here); an error says what is missing when it cannot run
  --print-backend           print the tfjs backend models would run on (and why faster ones cannot), then exit
  -u, --update              rewrite profile snapshots (toMatchProfileSnapshot) instead of comparing
  --debug                   print stack traces of errors
  -h, --help                this help
  -v, --version             modeltest's version
  Options of vitest's own CLI pass through: -t <pattern>, --shard 1/3, --reporter verbose, --bail 1, ...; one whose
  value is optional takes it with = (--silent=passed-only). Any other option is refused.
  With --shard i/n a run writes reports/shards/shard-i-of-n.json; modeltest merge reports/shards builds the reports.

On GitHub Actions (GITHUB_ACTIONS=true) failed checks are also annotated at the line of their assertion.

Exit status: 0 when every test passed and at least one check ran; 1 otherwise; 2 for a usage error.
`

/** The report options of every command that runs tests (the main one, canary). */
export const REPORT_OPTIONS = {
  junit: { type: 'value' },
  json: { type: 'value' },
  html: { type: 'value' },
  summary: { type: 'value' },
  'no-junit': { type: 'switch' },
  'no-json': { type: 'switch' },
  'no-html': { type: 'switch' },
  'no-summary': { type: 'switch' },
  'pr-comment': { type: 'value' },
  'baseline-report': { type: 'value' },
  'github-output': { type: 'value' },
  'cloudwatch-namespace': { type: 'value' },
  // -c as vitest's own -c, which it replaces: both name the config file.
  config: { type: 'value', short: 'c' },
} as const satisfies OptionTable

const MAIN_OPTIONS = {
  ...COMMON_OPTIONS,
  ...REPORT_OPTIONS,
  backend: { type: 'value' },
  'no-cache': { type: 'switch' },
  'print-backend': { type: 'switch' },
  'predict-timeout': { type: 'value' },
} as const satisfies OptionTable

/** Report files that `--no-<name>` turns off. */
const REPORT_FILES = ['junit', 'json', 'html', 'summary'] as const

/** The report options and config path given on the command line; `--junit x` with `--no-junit` is a usage error. */
export function reportOptions(options: ParsedOptions<typeof REPORT_OPTIONS>, command = ''): ReportOptions & { config?: string } {
  const own: ReportOptions & { config?: string } = {
    prComment: options['pr-comment'],
    baselineReport: options['baseline-report'],
    githubOutput: options['github-output'],
    cloudwatchNamespace: options['cloudwatch-namespace'],
    config: options.config,
  }
  for (const name of REPORT_FILES) {
    if (options[name] !== undefined && options[`no-${name}`]) throw new ModeltestError({ what: `--${name} and --no-${name} contradict each other`, fix: `Give one of them. See modeltest ${command ? `${command} ` : ''}--help.` })
    own[name] = options[`no-${name}`] ? false : options[name]
  }
  if (own.cloudwatchNamespace !== undefined) checkNamespace(own.cloudwatchNamespace, '--cloudwatch-namespace')
  return Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined))
}

const CONFIG_FILES = ['modeltest.config.ts', 'modeltest.config.mts', 'modeltest.config.js', 'modeltest.config.mjs']

/** modeltest.config.ts (or the file given with --config), loaded with vite's config loader, which compiles TypeScript. */
export async function loadConfig(path: string | undefined): Promise<CheckedConfig> {
  const file = path ? resolve(path) : CONFIG_FILES.map((name) => resolve(name)).find((candidate) => existsSync(candidate))
  if (!file) return {}
  if (!existsSync(file)) throw new ModeltestError({ what: `the config file '${path}' does not exist`, fix: 'Give the path of a modeltest.config.ts, or leave --config out.' })
  const { loadConfigFromFile } = await import('vite')
  let loaded: Awaited<ReturnType<typeof loadConfigFromFile>>
  try {
    loaded = await loadConfigFromFile({ command: 'serve', mode: 'test' }, file, dirname(file), 'silent')
  } catch (error) {
    throw new ModeltestError({
      what: `cannot load the config (${(error as Error).message.split('\n')[0]})`,
      where: file,
      fix: "Check its syntax; it should end with export default defineConfig({ … }) from 'modeltest/config'.",
      cause: error,
    })
  }
  const config = loaded?.config as ModeltestConfig | undefined
  if (!config || typeof config !== 'object') throw new ModeltestError({ what: 'the config exports no object', where: file, fix: "End it with export default defineConfig({ … }), defineConfig from 'modeltest/config'." })
  return checkConfig(config, file)
}

/** Every key of modeltest.config.ts; a Record, so that a key added to ModeltestConfig must be added here. */
const CONFIG_KEYS: Record<keyof ModeltestConfig, true> = {
  include: true,
  test: true,
  backend: true,
  junit: true,
  json: true,
  html: true,
  summary: true,
  prComment: true,
  baselineReport: true,
  githubOutput: true,
  cloudwatchNamespace: true,
  color: true,
  predictTimeoutMs: true,
}

/** modeltest.config.ts as checked: `include` always a list. */
type CheckedConfig = ModeltestConfig & { include?: string[] }

/** The config with a misspelt key refused, and `include: 'tests'` read as `['tests']`. */
function checkConfig(config: ModeltestConfig, file: string): CheckedConfig {
  checkOptionKeys(config, Object.keys(CONFIG_KEYS), file)
  const include: unknown = config.include
  if (include === undefined) return { ...config, include: undefined }
  const paths = typeof include === 'string' ? [include] : include
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((path) => typeof path !== 'string' || path === '')) {
    throw new ModeltestError({ what: `include must be a folder or test file, or a list of them, got ${describeValue(include)}`, where: file, fix: "Write include: 'tests' or include: ['tests', 'checks/data.modeltest.ts']." })
  }
  return { ...config, include: paths }
}

async function runTests(options: ParsedOptions<typeof MAIN_OPTIONS>, vitestArgv: string[], filters: string[]): Promise<number> {
  // Loaded here, not at the top: `modeltest validate` needs neither vitest nor tfjs, and starts faster without them.
  const { ModeltestReporter } = await import('./reporter.js')
  const { config: configPath, ...own } = reportOptions(options)
  const { include, test: vitestConfig, backend, predictTimeoutMs, ...configReports } = await loadConfig(configPath)
  const reports: ReportOptions = { ...configReports, ...own }
  // Read by every worker: predictions are neither read from nor written to .modeltest/cache.
  if (options['no-cache']) process.env.MODELTEST_CACHE = 'off'
  await chooseBackendFor(options.backend ?? backend)
  await setPredictTimeout(options['predict-timeout'] ?? predictTimeoutMs, options['predict-timeout'] !== undefined ? '--predict-timeout' : 'predictTimeoutMs in the config')
  if (options['print-backend']) return await printTfjsBackend()
  if (reports.baselineReport) await readReport(resolve(reports.baselineReport), 'baseline report')
  // Workers write progress to a pipe; they learn from here whether the user watches a terminal.
  process.env.MODELTEST_PROGRESS ??= process.stderr.isTTY ? 'tty' : 'lines'
  const reporter = new ModeltestReporter(reports)
  await runVitest(vitestArgv, filters.length > 0 ? filters : (include ?? ['.']), vitestConfig, reporter)
  return reporter.exitStatus
}

/** Runs the test files under `paths` with vitest's options `vitestArgv` and modeltest's preset, reporting to `reporter`. */
export async function runVitest(vitestArgv: string[], paths: string[], vitestConfig: ModeltestConfig['test'], reporter: ModeltestReporter): Promise<void> {
  const [{ parseCLI, startVitest }, { modeltest }] = await Promise.all([import('vitest/node'), import('./preset.js')])
  // The paths stay out of vitest's parse: an option with an optional value (-u) would take the first for its value.
  const { options } = parseCLI(['vitest', ...vitestArgv])
  const files = await findTestFiles(paths)
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
    if (answerHelpOrVersion(argv, HELP)) return 0
    const { options, positionals, passThrough } = parseCommand('', argv, MAIN_OPTIONS, { min: 0, max: Infinity, what: 'test files or folders', example: 'modeltest tests' }, await vitestOptions())
    checkNotMisspeltCommand(positionals[0])
    return await runTests(options, passThrough, positionals)
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

const COMMANDS = ['validate', 'init', 'serve', 'deploy', 'canary', 'merge']

/** A first word that is no path but close to a command (`valdate`) is a misspelt command, not a missing test folder. */
function checkNotMisspeltCommand(word: string | undefined): void {
  const command = word === undefined || existsSync(word) ? undefined : closest(word, COMMANDS)
  if (command) throw new ModeltestError({ what: `unknown command '${word}' (did you mean '${command}'?)`, fix: 'See modeltest --help.' })
}

const MERGE_OPTIONS = { ...COMMON_OPTIONS, ...REPORT_OPTIONS } as const satisfies OptionTable

/** `modeltest merge <dir>`: every shard result under dir (searched recursively, as CI artifacts land in folders of their own) becomes one run's reports. */
async function runMerge(argv: string[]): Promise<number> {
  if (answerHelpOrVersion(argv, HELP)) return 0
  const { options, positionals } = parseCommand('merge', argv, MERGE_OPTIONS, { min: 1, max: 1, what: 'one folder', example: 'modeltest merge reports/shards (where the --shard runs wrote their results)' })
  const { config: configPath, ...own } = reportOptions(options, 'merge')
  const config = await loadConfig(configPath)
  const [{ mergeShardFolder }, { exitStatus, publish }] = await Promise.all([import('./merge.js'), import('./publish.js')])
  return exitStatus(await publish(await mergeShardFolder(positionals[0]), { ...config, ...own }, process.cwd()))
}
