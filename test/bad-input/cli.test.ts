import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { parseCanary } from '../../src/cli/canary.js'
import { parseSageMaker } from '../../src/cli/deploy.js'
import { main } from '../../src/cli/main.js'
import { fixturesDir, repoRoot, runCli, tempDir } from '../helpers.js'

/** `modeltest …` in this process: the exit code and what it printed. Only for runs that stop before tests or servers start. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  try {
    const code = await main(argv)
    const text = (spy: typeof stdout) => spy.mock.calls.map((call) => String(call[0])).join('')
    return { code, stdout: text(stdout), stderr: text(stderr) }
  } finally {
    stdout.mockRestore()
    stderr.mockRestore()
  }
}

/** A usage error as the user sees it: exit 2, the message, the pointer to --help, and no stack trace. */
async function usageError(argv: string[], message: string | RegExp): Promise<string> {
  const run = await cli(argv)
  expect(run.code).toBe(2)
  expect(run.stderr).toMatch(/^modeltest: .*\n {2}\S/) // what (and where), then how to fix it
  if (typeof message === 'string') expect(run.stderr).toContain(message)
  else expect(run.stderr).toMatch(message)
  expect(run.stderr).not.toMatch(/\n\s+at /)
  return run.stderr
}

const penguins = 'fixtures/data/penguins.csv'
const deployFlags = ['--report', 'r.json', '--model', 'm.onnx', '--endpoint', 'e', '--model-name', 'm', '--image', 'i', '--model-data', 's3://b/m.tar.gz', '--role', 'arn:aws:iam::1:role/r']
const canaryFlags = ['--endpoint', 'sentiment', '--tests', 'canary.modeltest.ts', '--data', 'rows.csv']

describe('an unknown or misspelt flag is refused on every command, with the closest known one', () => {
  test.each([
    [['--frobnicate'], 'unknown option --frobnicate\n'],
    [['--baseline-reprot', 'x.json'], 'unknown option --baseline-reprot (did you mean --baseline-report?)'],
    [['--jsn', 'out.json'], 'unknown option --jsn (did you mean --json?)'],
    [['--reportr', 'verbose'], 'unknown option --reportr (did you mean --reporter?)'],
    [['--no-colr'], 'unknown option --no-colr (did you mean --no-color?)'],
    [['validate', penguins, '--colums', 'species'], 'unknown option --colums (did you mean --columns?)'],
    [['validate', penguins, '--colour'], 'unknown option --colour\n'],
    [['init', '--fore'], 'unknown option --fore (did you mean --force?)'],
    [['serve', '--feature', 'a,b'], 'unknown option --feature (did you mean --features?)'],
    [['deploy', 'sagemaker', ...deployFlags, '--regoin', 'eu-west-1'], 'unknown option --regoin (did you mean --region?)'],
    [['canary', ...canaryFlags, '--duraton', '60', '--p59', '200'], 'unknown option --duraton (did you mean --duration?)'],
    [['canary', ...canaryFlags, '--p59', '200'], 'unknown option --p59 (did you mean --p95?)'],
    [['merge', 'reports/shards', '--jnuit', 'x.xml'], 'unknown option --jnuit (did you mean --junit?)'],
    [['-x'], 'unknown option -x'],
    [['valdate', penguins], "unknown command 'valdate' (did you mean 'validate'?)"],
    [['deplyo', 'sagemaker'], "unknown command 'deplyo' (did you mean 'deploy'?)"],
  ])('modeltest %j', async (argv, message) => {
    await usageError(argv, message)
  })

  test('as a subprocess: exit 2, one message, no stack trace, and no PASSED', async () => {
    for (const argv of [['--frobnicate'], ['--baseline-reprot', 'x.json']]) {
      const run = await runCli(argv, join(fixturesDir, 'sharded'))
      expect(run.code).toBe(2)
      expect(run.stdout).not.toMatch(/PASSED/)
      expect(run.stderr).toMatch(/^modeltest: unknown option --/)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
  })

  test('with --debug the stack trace is added', async () => {
    const run = await cli(['--frobnicate', '--debug'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/\n\s+at /)
  })
})

describe('a flag without its value, a value twice, a value for a switch', () => {
  test.each([
    [['--json'], '--json needs a value'],
    [['-t'], '-t needs a value'],
    [['--json', '--no-html'], '--json needs a value'],
    [['validate', penguins, '--label', '--mostly', '0.5'], '--label needs a value'],
    [['validate', penguins, '--columns'], '--columns needs a value'],
    [['serve', '--model'], '--model needs a value'],
    [['init', '--data'], '--data needs a value'],
    [['canary', ...canaryFlags, '--variant'], '--variant needs a value'],
    [['deploy', 'sagemaker', ...deployFlags, '--wait'], '--wait needs a value'],
    [['merge', '--config'], '--config needs a value'],
  ])('modeltest %j: needs a value', async (argv, message) => {
    await usageError(argv, message)
  })

  test.each([
    [['validate', penguins, '--label', 'species', '--label', 'island'], "--label is given twice ('species' and 'island')"],
    [['--json', 'a.json', '--json', 'b.json'], "--json is given twice ('a.json' and 'b.json')"],
    [['deploy', 'sagemaker', ...deployFlags, '--endpoint', 'other'], "--endpoint is given twice ('e' and 'other')"],
  ])('modeltest %j: given twice', async (argv, message) => {
    await usageError(argv, message)
  })

  test.each([
    [['init', '--force=yes'], '--force takes no value, got --force=yes'],
    [['--no-cache=1'], '--no-cache takes no value'],
    [['--json', 'a.json', '--no-json'], '--json and --no-json contradict each other'],
  ])('modeltest %j: a switch is a switch', async (argv, message) => {
    await usageError(argv, message)
  })

  test('numbers are still checked', async () => {
    await usageError(['canary', ...canaryFlags, '--duration=soon'], "--duration takes a number > 0, got 'soon'")
    await usageError(['validate', penguins, '--min-samples=-3'], "--min-samples takes a whole number ≥ 0, got '-3'")
    await usageError(['deploy', 'sagemaker', ...deployFlags, '--keep=three'], "--keep takes a whole number ≥ 0, got 'three'")
  })
})

describe('--flag=value works on every command', () => {
  test('validate', async () => {
    const dir = await tempDir()
    const run = await cli(['validate', penguins, '--columns=species,island', '--label=species', '--min-samples=300', `--output=${join(dir, 'r.json')}`])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/schema_validation: All 2 expected columns present/)
    expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).total_checks).toBe(4)
  })

  test('serve: --model=path is read as the model (here one that is not there), not as an unknown option', async () => {
    const run = await runCli(['serve', '--model=no/such/model.onnx', '--features=a,b', '--port=0', '--host=127.0.0.1'], repoRoot)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/no\/such\/model\.onnx/)
    expect(run.stderr).not.toMatch(/unknown option/)
  })

  test('init', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'train.csv'), await readFile(join(repoRoot, penguins)))
    await mkdir(join(dir, 'models'))
    await writeFile(join(dir, 'models', 'penguins.onnx'), await readFile(join(fixturesDir, 'models', 'penguins.onnx')))
    const run = await cli(['init', `--dir=${dir}`, `--data=${join(dir, 'train.csv')}`, `--model=${join(dir, 'models/penguins.onnx')}`, '--label=species', '--yes'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(await readFile(join(dir, 'tests', 'model.modeltest.ts'), 'utf8')).toContain("'species'")
  })

  test('deploy sagemaker, with lists and repeated flags', () => {
    const options = parseSageMaker(
      ['--report=r.json', '--model=m.onnx', '--endpoint=e', '--model-name=m', '--image=i', '--model-data=s3://b/m.tar.gz', '--role=arn:aws:iam::1:role/r', '--alarms=errors,latency', '--alarms', 'cpu', '--env=A=1', '--env', 'B=x,y'],
      () => {},
    )
    expect(options.endpointName).toBe('e')
    expect(options.alarms).toEqual(['errors', 'latency', 'cpu'])
    expect(options.environment).toEqual({ A: '1', B: 'x,y' })
  })

  test('canary: its own options, and vitest options passed on as written', async () => {
    const args = await parseCanary(['--endpoint=sentiment', '--tests=canary.modeltest.ts', '--data=rows.csv', '--duration=60', '--p95=200', '--no-shift', '-t', 'accuracy', '--reporter=verbose', '--bail', '1'])
    expect(args).toMatchObject({ endpoint: 'sentiment', durationSeconds: 60, thresholds: { p95Ms: 200 }, shift: false })
    expect(args.vitest).toEqual(['-t', 'accuracy', '--reporter=verbose', '--bail', '1'])
  })

  test('the main command: report paths, and vitest options with = or a space', async () => {
    const out = await tempDir()
    const run = await runCli(['.', `--json=${join(out, 'r.json')}`, `--junit=${join(out, 'j.xml')}`, '--no-html', '--reporter=verbose', '--bail', '1', '--test-name-pattern=row'], join(fixturesDir, 'sharded'))
    expect(run.stderr).not.toMatch(/unknown option/)
    expect(run.code).toBe(0)
    const report = JSON.parse(await readFile(join(out, 'r.json'), 'utf8'))
    expect(report.tests.length).toBeGreaterThan(0)
    expect(report.tests.every((test: { name: string; state: string }) => test.state === 'skipped' || test.name.includes('row'))).toBe(true)
    await readFile(join(out, 'j.xml'), 'utf8')
  })
})

describe('list options: comma-separated or repeated, never one name with a comma, never the positional file', () => {
  test.each([[['--columns', 'species,island']], [['--columns', 'species', '--columns', 'island']], [['--columns', 'species, island']]])('validate %j reads two columns', async (flags) => {
    const dir = await tempDir()
    const run = await cli(['validate', penguins, ...flags, '--min-samples', '1', '--output', join(dir, 'r.json')])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/All 2 expected columns present/)
  })

  test('a list does not swallow the data file: extra words are refused, and the fix says to use commas', async () => {
    const message = await usageError(['validate', '--columns', 'species', 'island', penguins], `modeltest validate takes one data file, got 'island', '${penguins}'`)
    expect(message).toMatch(/joined by commas \(--columns text,label\)/)
  })

  test.each([
    [['validate', penguins, '--columns', 'species,,island'], "--columns 'species,,island' has an empty name"],
    [['validate', penguins, '--overlap-on', 'species,'], "--overlap-on 'species,' has an empty name"],
    [['validate', penguins, '--drift-columns', ',island'], "--drift-columns ',island' has an empty name"],
    [['serve', '--features', 'a,,b'], "--features 'a,,b' has an empty name"],
    [['deploy', 'sagemaker', ...deployFlags, '--alarms', 'a,'], "--alarms 'a,' has an empty name"],
  ])('modeltest %j: an empty name', async (argv, message) => {
    await usageError(argv, message)
  })

  test('serve --features a b: the extra word is refused', async () => {
    await usageError(['serve', '--features', 'a', 'b'], "modeltest serve takes no arguments besides its options, got 'b'")
  })

  test.each([
    ['schema', ['--schema', 'species:string,body_mass_g:int'], 'schema_match'],
    ['drift-columns', ['--drift-from', penguins, '--drift-columns', 'species,island'], 'no_drift'],
    ['overlap-on', ['--no-overlap-with', 'fixtures/data/penguins.tsv', '--overlap-on', 'species,island'], 'no_overlap'],
  ])('--%s takes a comma-separated list', async (_, flags, check) => {
    const dir = await tempDir()
    const output = join(dir, 'r.json')
    const run = await cli(['validate', penguins, '--min-samples', '1', ...flags, '--output', output])
    expect(run.stderr).toBe('')
    const result = JSON.parse(await readFile(output, 'utf8')).results.find((r: { name: string }) => r.name === check)
    expect(result.message).not.toMatch(/species,island|no column/)
    if (check !== 'no_overlap') expect(result.passed).toBe(true)
  })
})

describe("the main command passes on vitest's own options only", () => {
  test.each([[['--shard', '1/3', '--frobnicate']], [['--reporter', 'verbose', '--colour']], [['--bail', '1', '--baseline-reprot', 'x']]])('%j: a vitest option beside an unknown one does not hide it', async (argv) => {
    await usageError(argv, /unknown option --(frobnicate|colour|baseline-reprot)/)
  })

  test('vitest options of every form are accepted (the run then stops at a path that is not there)', async () => {
    for (const flags of [['-t', 'accuracy'], ['--shard', '1/3'], ['--reporter', 'verbose'], ['--bail', '1'], ['--testNamePattern=x'], ['--no-file-parallelism'], ['--silent=passed-only'], ['-u'], ['--coverage.enabled']]) {
      const run = await cli([...flags, 'no/such/folder'])
      expect(run.stderr, flags.join(' ')).toBe("modeltest: the path 'no/such/folder' does not exist\n  Give directories or *.modeltest.ts files that exist (relative to the current directory).\n")
    }
  })

  test('an option with an optional value does not take the path after it', async () => {
    const run = await cli(['-u', 'no/such/folder'])
    expect(run.stderr).toMatch(/the path 'no\/such\/folder' does not exist/)
  })
})

describe('-h/--help, -v/--version and --debug on every command', () => {
  test.each([[[]], [['validate']], [['init']], [['serve']], [['deploy', 'sagemaker']], [['canary']], [['merge']]])('%j', async (command) => {
    for (const flag of ['-h', '--help']) {
      const help = await cli([...command, flag])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/Usage/)
    }
    for (const flag of ['-v', '--version']) expect((await cli([...command, flag])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  test("--debug is accepted everywhere: the error is the command's own, with its stack", async () => {
    for (const argv of [
      ['validate', 'no/such.csv'],
      ['serve', '--features', 'a', '--port', 'x'],
      ['merge', 'no/such/folder'],
      ['init', '--data'],
      ['deploy', 'sagemaker'],
      ['canary', '--endpoint', 'e'],
    ]) {
      const run = await cli([...argv, '--debug'])
      expect(run.code, argv.join(' ')).toBe(2)
      expect(run.stderr).not.toMatch(/unknown option/)
      expect(run.stderr).toMatch(/\n\s+at /)
    }
  })
})

describe('modeltest.config.ts', () => {
  const testFile = "import { test, expect } from 'vitest'\nimport { dataset } from 'modeltest'\ntest('rows', async () => expect(await dataset([{ a: 1 }])).toHaveAtLeastRows(1))\n"

  test("include: 'tests' (a string) is one path", async () => {
    const dir = await tempDir({ 'modeltest.config.mjs': "export default { include: 'tests', html: false, junit: false, json: false }\n" })
    await mkdir(join(dir, 'tests'))
    await writeFile(join(dir, 'tests', 'a.modeltest.ts'), testFile)
    const run = await runCli([], dir)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/1\/1 checks passed/)
  })

  test.each([
    ['{ inlcude: ["tests"] }', "unknown option 'inlcude' (did you mean 'include'?)"],
    ['{ baselineReprot: "x.json" }', "unknown option 'baselineReprot' (did you mean 'baselineReport'?)"],
    ['{ include: [3] }', 'include must be a folder or test file, or a list of them, got an array of 1'],
    ['{ include: [] }', 'include must be a folder or test file, or a list of them, got an array of 0'],
    ['{ include: 7 }', 'include must be a folder or test file, or a list of them, got number 7'],
  ])('%s is refused', async (config, message) => {
    const dir = await tempDir({ 'modeltest.config.mjs': `export default ${config}\n` })
    await usageError(['--config', join(dir, 'modeltest.config.mjs')], message)
  })

  test('-c is --config, as in vitest', async () => {
    const dir = await tempDir({ 'modeltest.config.mjs': 'export default { inlcude: ["tests"] }\n' })
    await usageError(['-c', join(dir, 'modeltest.config.mjs')], "unknown option 'inlcude' (did you mean 'include'?)")
    await usageError([`--config=${join(dir, 'modeltest.config.mjs')}`], "unknown option 'inlcude' (did you mean 'include'?)")
  })
})
