import { execFile } from 'node:child_process'
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { runInit } from '../src/cli/init.js'
import { dataset } from '../src/index.js'
import { fixturesDir, repoRoot, runCli, tempDir } from './helpers.js'

const GENERATED = ['modeltest.config.ts', 'tests/model.modeltest.ts', '.github/workflows/ml-pipeline.yml']
const reference = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[]; classes: string[] }

/**
 * The penguins as a user's table of numeric features and a label: the complete rows, the species as the
 * class index penguins.onnx scores (alphabetical), and the island kept as a text column the model does not take.
 */
async function trainingCsv(): Promise<string> {
  const rows = await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()
  const complete = rows.filter((row) => reference.features.every((name) => typeof row[name] === 'number'))
  const header = [...reference.features, 'island', 'label']
  const lines = complete.map((row) => [...reference.features.map((name) => row[name]), row.island, reference.classes.indexOf(String(row.species))].join(','))
  return [header.join(','), ...lines].join('\n') + '\n'
}

/**
 * A user's project: data/train.csv (complete rows, numeric label), data/penguins.csv (the raw file: nulls,
 * text labels), models/penguins.onnx, and node_modules/modeltest linked to this checkout, as npm would install it.
 */
async function project(): Promise<string> {
  const dir = await tempDir()
  await mkdir(join(dir, 'data'))
  await mkdir(join(dir, 'models'))
  await mkdir(join(dir, 'node_modules'))
  await writeFile(join(dir, 'data', 'train.csv'), await trainingCsv())
  await copyFile(join(fixturesDir, 'data', 'penguins.csv'), join(dir, 'data', 'penguins.csv'))
  await copyFile(join(fixturesDir, 'models', 'penguins.onnx'), join(dir, 'models', 'penguins.onnx'))
  await symlink(repoRoot, join(dir, 'node_modules', 'modeltest'), 'dir')
  return dir
}

const FLAGS = ['--data', 'data/train.csv', '--model', 'models/penguins.onnx', '--label', 'label']

function read(dir: string, file: string): Promise<string> {
  return readFile(join(dir, file), 'utf8')
}

/** Type-checks the generated test file strictly, resolving vitest and modeltest as the user's project would. */
async function typeCheck(dir: string): Promise<void> {
  await symlink(join(repoRoot, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir')
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n')
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(repoRoot, 'node_modules', '@types')]
  await promisify(execFile)(process.execPath, [tsc, ...options, 'tests/model.modeltest.ts'], { cwd: dir })
}

describe('modeltest init with flags', () => {
  test('writes the config, a test file and the workflow; the generated suite type-checks, runs and passes', async () => {
    const dir = await project()
    const init = await runCli(['init', ...FLAGS], dir)
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    expect(init.stdout).toContain(`Wrote\n${GENERATED.map((file) => `  ${file}\n`).join('')}`)
    expect(init.stdout).toMatch(/Next: npx modeltest\n/)

    expect(await read(dir, 'modeltest.config.ts')).toMatch(/import \{ defineConfig \} from 'modeltest\/config'[\s\S]*include: \['tests'\],\n {2}junit: 'reports\/junit.xml'/)
    const suite = await read(dir, 'tests/model.modeltest.ts')
    expect(suite).toContain("import { dataset, model } from 'modeltest'")
    expect(suite).toContain(`features: ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'],`)
    expect(suite).toMatch(/Not fed to the model, as they are not numeric: island\./)
    expect(suite).toContain("toMeetAccuracy(0.80, { on: data, label: 'label' })")
    expect(suite).toContain('toHaveAtLeastRows(300)')
    expect(suite).toMatch(/\/\/ TODO: adapt the preprocessing/)
    expect(await read(dir, '.github/workflows/ml-pipeline.yml')).toContain('npx modeltest validate data/train.csv \\\n            --columns bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,label')

    await typeCheck(dir)
    const run = await runCli([], dir, { GITHUB_STEP_SUMMARY: '' }) // no summary into the CI job running these tests
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/✓ null_check: No null values in bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, label \(342 rows\)/)
    expect(run.stdout).toMatch(/✓ accuracy_threshold: Accuracy 0\.9\d+ ≥ 0\.80/)
    expect(run.stdout).toMatch(/✓ latency_p95/)
    expect(run.stdout).toMatch(/6\/6 checks passed[\s\S]*PASSED/)
    expect(JSON.parse(await read(dir, 'reports/modeltest.json')).passed).toBe(true)
    expect(existsSync(join(dir, 'reports', 'junit.xml'))).toBe(true)
  })

  test('writes nothing when one of its files exists, and overwrites all three with --force', async () => {
    const dir = await project()
    await writeFile(join(dir, 'modeltest.config.ts'), '// mine\n')
    const refused = await runCli(['init', ...FLAGS], dir)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/modeltest\.config\.ts already exists; nothing was written\.\n\s+Run again with --force/)
    expect(await read(dir, 'modeltest.config.ts')).toBe('// mine\n')
    expect(existsSync(join(dir, 'tests'))).toBe(false)
    expect(existsSync(join(dir, '.github'))).toBe(false)

    const forced = await runCli(['init', ...FLAGS, '--force'], dir)
    expect(forced.code).toBe(0)
    for (const file of GENERATED) expect(existsSync(join(dir, file))).toBe(true)
    expect(await read(dir, 'modeltest.config.ts')).toMatch(/defineConfig/)

    const again = await runCli(['init', ...FLAGS], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`${GENERATED.join(', ')} already exist`)
  })

  test('--dir writes into another folder, with paths relative to it', async () => {
    const parent = await tempDir()
    const dir = await project()
    await rm(join(dir, 'node_modules'), { recursive: true })
    const init = await runCli(['init', '--dir', dir, '--data', join(dir, 'data', 'train.csv'), '--model', join(dir, 'models', 'penguins.onnx')], parent)
    expect(init.code).toBe(0)
    expect(init.stdout).toMatch(/Label column: label \(give --label to choose another\)/)
    expect(init.stdout).toMatch(/Next: cd .+ && npm install --save-dev modeltest && npx modeltest/)
    const suite = await read(dir, 'tests/model.modeltest.ts')
    expect(suite).toContain("dataset('data/train.csv')")
    expect(suite).toContain("model('models/penguins.onnx', {")
  })

  test('--yes takes the data, model and label it finds', async () => {
    const dir = await project()
    const init = await runCli(['init', '--yes'], dir)
    expect(init.code).toBe(0)
    const suite = await read(dir, 'tests/model.modeltest.ts')
    expect(suite).toContain("dataset('data/train.csv')")
    expect(suite).toContain("model('models/penguins.onnx', {")
    expect(suite).toContain("label: 'label'")
  })

  test('a text label gets a TODO, and the raw data keeps its string columns out of the features', async () => {
    const dir = await project()
    const init = await runCli(['init', '--data', 'data/penguins.csv', '--model', 'models/penguins.onnx', '--label', 'species'], dir)
    expect(init.code).toBe(0)
    const suite = await read(dir, 'tests/model.modeltest.ts')
    expect(suite).toMatch(/TODO: 'species' holds text; modeltest compares predictions with class indices/)
    expect(suite).toMatch(/Not fed to the model, as they are not numeric: island, sex\./)
  })
})

describe('modeltest init refuses what it cannot use, with exit code 2', () => {
  test('without --data and --model when stdin is not a terminal', async () => {
    const run = await runCli(['init'], await project())
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/modeltest init needs --data and --model when it cannot ask \(stdin is not a terminal\)\n\s+Write modeltest init --data/)
  })

  test('a label that is not a column: the message lists the columns', async () => {
    const run = await runCli(['init', '--data', 'data/penguins.csv', '--model', 'models/penguins.onnx', '--label', 'penguin'], await project())
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("no column 'penguin' in data/penguins.csv; the columns are 'species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g' and 'sex'\n  Give another with --label.")
  })

  test('a data file or a model that is not there', async () => {
    const dir = await project()
    const noData = await runCli(['init', '--data', 'data/holdout.csv', '--model', 'models/penguins.onnx'], dir)
    expect(noData.code).toBe(2)
    expect(noData.stderr).toMatch(/no data file at .*data\/holdout\.csv\n\s+Give another with --data\./)
    const noModel = await runCli(['init', '--data', 'data/train.csv', '--model', 'models/model.json'], dir)
    expect(noModel.code).toBe(2)
    expect(noModel.stderr).toMatch(/no model at .*models\/model\.json\n\s+Give another with --model\./)
    for (const file of GENERATED) expect(existsSync(join(dir, file))).toBe(false)
  })

  test('an unknown option', async () => {
    const run = await runCli(['init', '--data-file', 'x.csv'], await project())
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/unknown option --data-file/)
  })
})

describe('modeltest init on a terminal', () => {
  /** Answers the questions in order and records them; the output goes to a string. */
  function scripted(answers: string[]) {
    const questions: string[] = []
    let output = ''
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk)
        done()
      },
    })
    const ask = async (question: string, defaultAnswer: string | undefined) => {
      questions.push(defaultAnswer ? `${question} [${defaultAnswer}]` : question)
      const answer = answers.shift()
      if (answer === undefined) throw new Error(`no answer scripted for: ${question}`)
      return answer
    }
    return { ask, stdout, questions, output: () => output }
  }

  test('asks for what the flags do not give, shows the defaults it found, and asks again after a wrong answer', async () => {
    const dir = await project()
    const terminal = scripted(['data/holdout.csv', 'data/penguins.csv', '', 'penguin', 'species'])
    expect(await runInit([], { cwd: dir, ask: terminal.ask, stdout: terminal.stdout })).toBe(0)
    expect(terminal.questions).toEqual([
      'Data file (CSV, TSV, JSON Lines, Parquet or Arrow) [data/train.csv]',
      'Data file (CSV, TSV, JSON Lines, Parquet or Arrow) [data/train.csv]',
      'Model (tfjs model.json or .onnx) [models/penguins.onnx]',
      'Label column (species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex) [sex]',
      'Label column (species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex) [sex]',
    ])
    expect(terminal.output()).toMatch(/no data file at .*data\/holdout\.csv\n/)
    expect(terminal.output()).toMatch(/no column 'penguin' in .*penguins\.csv; the columns are 'species'/)
    const suite = await read(dir, 'tests/model.modeltest.ts')
    expect(suite).toContain("dataset('data/penguins.csv')")
    expect(suite).toContain("model('models/penguins.onnx', {")
    expect(suite).toContain("label: 'species'")
  })

  test('asks nothing that a flag gives', async () => {
    const dir = await project()
    const terminal = scripted([])
    expect(await runInit(FLAGS, { cwd: dir, ask: terminal.ask, stdout: terminal.stdout })).toBe(0)
    expect(terminal.questions).toEqual([])
  })
})
