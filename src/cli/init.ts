import { existsSync, statSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, extname, join, relative, resolve, sep } from 'node:path'
import { createInterface } from 'node:readline/promises'
import type { Dataset } from '../data/dataset.js'
import { dataset } from '../data/load.js'
import { ModeltestError, listNames } from '../errors.js'
import { configFile, modelTestFile, workflowFile, type Scaffold } from './templates/index.js'
import { COMMON_OPTIONS, answerHelpOrVersion, parseCommand, type OptionTable } from './options.js'

const HELP = `modeltest init: scaffold modeltest.config.ts, a first test file and a GitHub Actions workflow

Usage
  modeltest init [options]

Options
  --data <path>     the data file (CSV, TSV, JSON Lines, Parquet or Arrow) the checks read
  --model <path>    the model: a tfjs model.json (or its folder) or an .onnx file
  --label <column>  the label column (default: 'label' when there is one, else the last column)
  --dir <folder>    the project folder to write into (default: the current folder)
  --force           overwrite files that exist
  -y, --yes         take the defaults, never ask
  -h, --help        this help

On a terminal, init asks for what the flags do not give. It writes nothing when one of its files exists,
unless --force.

Writes
  modeltest.config.ts                 which tests to run and where the reports go
  tests/model.modeltest.ts            data checks (schema, nulls, rows, class balance), accuracy and latency
  .github/workflows/ml-pipeline.yml   validates the data and runs the tests on every push, publishing the reports
`

const TEST_DIR = 'tests'
const REPORTS_DIR = 'reports'
/** The files init writes, relative to the project folder. */
const TARGETS = {
  config: 'modeltest.config.ts',
  test: `${TEST_DIR}/model.modeltest.ts`,
  workflow: '.github/workflows/ml-pipeline.yml',
} as const

const DATA_EXTENSIONS = ['.csv', '.tsv', '.jsonl', '.ndjson', '.parquet', '.arrow', '.feather', '.arrows', '.ipc']
/** Label column names init picks without asking, in this order; else the last column. */
const USUAL_LABELS = ['label', 'target', 'class', 'y']

/** Asks one question; the answer, or the default for an empty answer. */
export type Ask = (question: string, defaultAnswer: string | undefined) => Promise<string>

export interface InitIO {
  /** Where relative paths start; process.cwd() by default. */
  cwd?: string
  /** Answers questions; by default a terminal prompt when stdin is a TTY, and no questions otherwise. */
  ask?: Ask
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

interface InitFlags {
  data?: string
  model?: string
  label?: string
  dir?: string
  force: boolean
  yes: boolean
}

/** `modeltest init`: writes the three files, or nothing when one exists (without --force). Usage errors throw a ModeltestError (exit 2). */
export async function runInit(argv: string[], io: InitIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout
  if (answerHelpOrVersion(argv, HELP, stdout)) return 0
  const flags = parseFlags(argv)
  const cwd = io.cwd ?? process.cwd()
  const dir = resolve(cwd, flags.dir ?? '.')
  const existing = Object.values(TARGETS).filter((target) => existsSync(join(dir, target)))
  if (existing.length > 0 && !flags.force) {
    ;(io.stderr ?? process.stderr).write(
      `modeltest init: ${existing.map((target) => displayPath(cwd, join(dir, target))).join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}; nothing was written.\n` +
        '  Run again with --force to overwrite, or move the files away.\n',
    )
    return 1
  }
  const prompt = flags.yes || io.ask ? { ask: flags.yes ? undefined : io.ask, close() {} } : terminalPrompt()
  let scaffold: Scaffold
  try {
    scaffold = await gather(flags, cwd, dir, prompt.ask, stdout)
  } finally {
    prompt.close()
  }
  const files: [string, string][] = [
    [TARGETS.config, configFile(scaffold)],
    [TARGETS.test, modelTestFile(scaffold)],
    [TARGETS.workflow, workflowFile(scaffold)],
  ]
  for (const [target, content] of files) {
    await mkdir(dirname(join(dir, target)), { recursive: true })
    await writeFile(join(dir, target), content)
  }
  stdout.write(`Wrote\n${files.map(([target]) => `  ${displayPath(cwd, join(dir, target))}\n`).join('')}\n${nextSteps(cwd, dir)}`)
  return 0
}

const INIT_OPTIONS = {
  ...COMMON_OPTIONS,
  data: { type: 'value' },
  model: { type: 'value' },
  label: { type: 'value' },
  dir: { type: 'value' },
  force: { type: 'switch' },
  yes: { type: 'switch', short: 'y' },
} as const satisfies OptionTable

function parseFlags(argv: string[]): InitFlags {
  const { options } = parseCommand('init', argv, INIT_OPTIONS, { min: 0, max: 0, what: '', example: 'modeltest init --data data/train.csv --model models/model.onnx' })
  return { ...options, force: options.force ?? false, yes: options.yes ?? false }
}

/** The data, model and label from the flags, the answers or the defaults, checked, and what the data says about its columns. */
async function gather(flags: InitFlags, cwd: string, dir: string, ask: Ask | undefined, stdout: NodeJS.WritableStream): Promise<Scaffold> {
  const dataDefault = await findFile(dir, ['.', 'data'], (name) => DATA_EXTENSIONS.includes(extname(name).toLowerCase()))
  const modelDefault = await findFile(dir, ['.', 'models', ...(await subfolders(dir, 'models'))], (name) => name === 'model.json' || name.endsWith('.onnx'))
  const missing = [flags.data ? '' : '--data', flags.model ? '' : '--model'].filter(Boolean)
  if (missing.length > 0 && !ask && !flags.yes) {
    throw new ModeltestError({
      what: `modeltest init needs ${missing.join(' and ')} when it cannot ask (stdin is not a terminal)`,
      fix: 'Write modeltest init --data data/train.csv --model models/model.json --label label, or add --yes to take the files it finds.',
    })
  }
  const choose = (given: string | undefined, question: string, fallback: string | undefined, flag: string, check: (value: string) => string | undefined) =>
    given !== undefined || !ask ? settled(given ?? fallback, flag, check) : answered(question, fallback, check, ask, stdout)
  const dataPath = await choose(flags.data, 'Data file (CSV, TSV, JSON Lines, Parquet or Arrow)', displayDefault(cwd, dataDefault), '--data', (path) => checkDataPath(path, resolve(cwd, path)))
  const modelPath = await choose(flags.model, 'Model (tfjs model.json or .onnx)', displayDefault(cwd, modelDefault), '--model', (path) => checkModelPath(path, resolve(cwd, path)))
  const data = await dataset(resolve(cwd, dataPath), { materialize: false })
  const labelDefault = USUAL_LABELS.find((name) => data.hasColumn(name)) ?? data.columnNames[data.columnNames.length - 1]
  const label = await choose(flags.label, `Label column (${data.columnNames.join(', ')})`, labelDefault, '--label', (name) => checkLabel(data, dataPath, name))
  if (!flags.label && !ask) stdout.write(`Label column: ${label} (give --label to choose another)\n`)
  return describeData(data, label, relativeTo(dir, resolve(cwd, dataPath)), relativeTo(dir, resolve(cwd, modelPath)))
}

/** A value given by its flag or taken by default, checked; an error names the flag. */
function settled(value: string | undefined, flag: string, check: (value: string) => string | undefined): string {
  if (value === undefined) throw new ModeltestError({ what: `no ${flag.slice(2)} given, and none found to take by default`, fix: `Give one with ${flag}.` })
  const problem = check(value)
  if (problem) throw new ModeltestError({ what: problem, fix: `Give another with ${flag}.` })
  return value
}

/** The answer to a question (an empty one takes the default), asked again while the check fails. */
async function answered(question: string, fallback: string | undefined, check: (value: string) => string | undefined, ask: Ask, stdout: NodeJS.WritableStream): Promise<string> {
  for (;;) {
    const value = (await ask(question, fallback)).trim() || fallback
    const problem = value === undefined ? 'an answer is needed' : check(value)
    if (problem === undefined) return value!
    stdout.write(`  ${problem}\n`)
  }
}

// The checks name a path as the user wrote it and test it where it resolves.

function checkDataPath(shown: string, path: string): string | undefined {
  if (!existsSync(path)) return `no data file at ${shown}`
  if (statSync(path).isDirectory()) return `${shown} is a folder, not a data file`
  return undefined
}

function checkModelPath(shown: string, path: string): string | undefined {
  if (!existsSync(path)) return `no model at ${shown}`
  if (statSync(path).isDirectory()) return existsSync(join(path, 'model.json')) ? undefined : `${shown} has no model.json`
  return /\.(json|onnx)$/i.test(path) ? undefined : `${shown} is not a tfjs model.json or an .onnx file`
}

function checkLabel(data: Dataset, shown: string, name: string): string | undefined {
  return data.hasColumn(name) ? undefined : `no column '${name}' in ${shown}; the columns are ${listNames(data.columnNames)}`
}

/** What the generated files need from the data: the numeric features, the columns left out, a row count it meets. */
function describeData(data: Dataset, label: string, dataPath: string, modelPath: string): Scaffold {
  const schema = data.schema
  const others = data.columnNames.filter((name) => name !== label)
  const isNumeric = (name: string) => schema[name] === 'int' || schema[name] === 'float'
  return {
    dataPath,
    modelPath,
    label,
    labelType: schema[label],
    features: others.filter(isNumeric),
    leftOut: others.filter((name) => !isNumeric(name)),
    schema,
    minRows: roundDown(data.rowCount),
    testDir: TEST_DIR,
    reportsDir: REPORTS_DIR,
  }
}

/** Rounds down to one significant digit (2385 → 2000), at least 1: a floor today's data clears with room. */
function roundDown(rows: number): number {
  if (rows < 10) return Math.max(1, rows)
  const unit = 10 ** Math.floor(Math.log10(rows))
  return Math.floor(rows / unit) * unit
}

/** The first file under dir's folders that matches, preferring a name with 'train' in it, for a default answer. */
async function findFile(dir: string, folders: string[], matches: (name: string) => boolean): Promise<string | undefined> {
  const found: string[] = []
  for (const folder of folders) {
    const names = await readdir(join(dir, folder)).catch(() => [] as string[])
    found.push(
      ...names
        .filter(matches)
        .sort()
        .map((name) => join(dir, folder, name)),
    )
  }
  return found.find((path) => /train/i.test(path)) ?? found[0]
}

/** Folders inside dir/folder, relative to dir. */
async function subfolders(dir: string, folder: string): Promise<string[]> {
  const entries = await readdir(join(dir, folder), { withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(folder, entry.name))
}

function displayDefault(cwd: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : displayPath(cwd, path)
}

/** A path as the user would type it from cwd. */
function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path) || '.'
  return shown.split(sep).join('/')
}

/** A path as the generated files write it: relative to the project folder, with forward slashes. */
function relativeTo(dir: string, path: string): string {
  return relative(dir, path).split(sep).join('/')
}

function nextSteps(cwd: string, dir: string): string {
  const steps: string[] = []
  if (dir !== cwd) steps.push(`cd ${displayPath(cwd, dir)}`)
  if (!existsSync(join(dir, 'node_modules', 'modeltest'))) steps.push('npm install --save-dev modeltest')
  steps.push('npx modeltest')
  return `Next: ${steps.join(' && ')}\n  Then look at the TODO comments in ${TARGETS.test} and commit the three files.\n`
}

/** Questions on the terminal when stdin is one; none otherwise. */
function terminalPrompt(): { ask: Ask | undefined; close(): void } {
  if (!process.stdin.isTTY) return { ask: undefined, close() {} }
  const terminal = createInterface({ input: process.stdin, output: process.stdout })
  return {
    ask: (question, defaultAnswer) => terminal.question(defaultAnswer ? `${question} [${defaultAnswer}]: ` : `${question}: `),
    close: () => terminal.close(),
  }
}
