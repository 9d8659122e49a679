import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { parseSageMaker } from '../src/cli/deploy.js'
import { parseCanary } from '../src/cli/canary.js'
import { runInit } from '../src/cli/init.js'
import { fixturesDir, repoRoot, tempDir } from './helpers.js'

const examplesDir = join(repoRoot, 'examples', 'github')
const validator = join(repoRoot, 'node_modules', '.bin', 'action-validator')

/** action-validator on a workflow file: exit code 0 when valid, 1 with the errors as JSON on stdout. */
function validate(path: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(validator, [path], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr })
    })
  })
}

interface Job {
  needs: string[]
  if?: string
  runsOn?: string
  /** The job's lines as they are, for the steps' commands. */
  text: string
}

/**
 * The jobs of a workflow in file order, from its indentation (two spaces a level): what this test needs
 * to know of the YAML, without a YAML parser among the dependencies.
 */
function jobsOf(workflow: string): Map<string, Job> {
  const jobs = new Map<string, Job>()
  const lines = workflow
    .slice(workflow.search(/^jobs:$/m))
    .split('\n')
    .slice(1)
  let current: Job | undefined
  for (const line of lines) {
    const id = /^ {2}([\w-]+):\s*$/.exec(line)
    if (id) jobs.set(id[1], (current = { needs: [], text: '' }))
    if (!current) continue
    current.text += `${line}\n`
    const [, key, value] = /^ {4}([\w-]+): (.+)$/.exec(line) ?? []
    if (key === 'needs')
      current.needs = value
        .replace(/[[\]]/g, '')
        .split(',')
        .map((name) => name.trim())
    if (key === 'if') current.if = value
    if (key === 'runs-on') current.runsOn = value
  }
  return jobs
}

function job(jobs: Map<string, Job>, id: string): Job {
  const found = jobs.get(id)
  if (!found) throw new Error(`no job '${id}'; the jobs are ${[...jobs.keys()].join(', ')}`)
  return found
}

/** Every job a job waits for, directly or through others. */
function upstream(jobs: Map<string, Job>, id: string): Set<string> {
  const seen = new Set<string>()
  const visit = (name: string) => {
    for (const need of job(jobs, name).needs) {
      if (seen.has(need)) continue
      seen.add(need)
      visit(need)
    }
  }
  visit(id)
  return seen
}

/** The jobs run in the order they are written: each needs only jobs above it. */
function expectWrittenInOrder(jobs: Map<string, Job>): void {
  const ids = [...jobs.keys()]
  for (const [id, { needs }] of jobs) for (const need of needs) expect(ids.indexOf(need), `${id} needs ${need}`).toBeLessThan(ids.indexOf(id))
}

describe('examples/github/ml-pipeline.yml', async () => {
  const path = join(examplesDir, 'ml-pipeline.yml')
  const workflow = await readFile(path, 'utf8')
  const jobs = jobsOf(workflow)

  test('is a valid workflow for action-validator', async () => {
    const result = await validate(path)
    expect(result.output).not.toMatch(/"errors"/)
    expect(result.code).toBe(0)
  })

  test("chains the tutorial's stages: code quality, data validation, training, model tests", () => {
    expect([...jobs.keys()]).toEqual(['code-quality', 'data-validation', 'train', 'test-model', 'test-model-gpu', 'deploy-staging', 'deploy-production', 'canary'])
    expectWrittenInOrder(jobs)
    expect(job(jobs, 'data-validation').needs).toEqual(['code-quality'])
    expect(job(jobs, 'train').needs).toEqual(['data-validation'])
    expect(job(jobs, 'test-model').needs).toEqual(['train'])
    expect(job(jobs, 'data-validation').text).toMatch(/npx modeltest validate data\/train\.csv \\\n\s+--columns text,label \\\n\s+--label label \\\n\s+--min-samples 1000/)
    expect(job(jobs, 'train').runsOn).toBe('[self-hosted, gpu]')
  })

  test('model tests write JUnit against the last main run, publish it and upload the reports; a GPU variant runs on webgpu', () => {
    const tests = job(jobs, 'test-model').text
    expect(tests).toMatch(/npx modeltest tests --junit reports\/junit\.xml .*"\$\{baseline\[@\]\}"/)
    expect(tests).toContain('baseline=(--baseline-report baseline/modeltest.json)')
    expect(tests).toContain('uses: mikepenz/action-junit-report@v5')
    expect(tests).toMatch(/name: modeltest-reports\n\s+path: reports\//)
    // The PR comment, written by the run, posted as one sticky comment on pull requests.
    expect(tests).toContain('--pr-comment reports/pr-comment.md')
    expect(tests).toMatch(/uses: marocchino\/sticky-pull-request-comment@v2\n\s+with:\n\s+header: modeltest\n\s+path: reports\/pr-comment\.md/)
    expect(tests).toContain('pull-requests: write')
    const gpu = job(jobs, 'test-model-gpu')
    expect(gpu.runsOn).toBe('[self-hosted, gpu]')
    expect(gpu.text).toContain('npx modeltest tests --backend webgpu')
    expect(gpu.text).toContain('npx modeltest --backend webgpu --print-backend')
  })

  test('every deploy needs the model tests, runs on main only, in a protected environment, with a passing report', () => {
    for (const id of ['deploy-staging', 'deploy-production']) {
      const deploy = job(jobs, id)
      expect(deploy.needs).toContain('test-model')
      expect(deploy.if).toBe("github.ref == 'refs/heads/main'")
      expect(deploy.text).toMatch(/environment:/)
      expect(deploy.text).toContain('role-to-assume: ${{ secrets.')
      expect(deploy.text).toMatch(/npx modeltest deploy sagemaker \\\n\s+--report reports\/modeltest\.json/)
    }
    expect(job(jobs, 'deploy-production').needs).toContain('deploy-staging')
    expect(job(jobs, 'deploy-production').text).toMatch(/--variant green \\\n\s+--beside blue \\\n\s+--weight 0\.1\n/)
    const canary = job(jobs, 'canary')
    expect([...upstream(jobs, 'canary')]).toEqual(expect.arrayContaining(['deploy-production', 'test-model']))
    expect(canary.text).toContain('npx modeltest canary --endpoint sentiment-prod --tests canary.modeltest.ts --variant green --duration 300')
  })

  test('its canary commands are ones the real command accepts: a smoke test on staging, variant mode on production', async () => {
    const commands = await Promise.all([...workflow.matchAll(/npx modeltest canary (.+)/g)].map((match) => parseCanary(match[1].split(' '))))
    expect(commands.map((command) => [command.endpoint, command.variant, command.durationSeconds])).toEqual([
      ['sentiment-staging', undefined, 60],
      ['sentiment-prod', 'green', 300],
    ])
  })

  test('its deploy commands are ones the real command accepts', () => {
    const commands = [...workflow.matchAll(/npx modeltest deploy sagemaker((?:\s*\\\n\s+--[^\n\\]+)+)/g)].map((match) => match[1])
    expect(commands).toHaveLength(2)
    for (const command of commands) {
      // The workflow's variables, as a runner would fill them in.
      const argv = command
        .replace(/\$\{\{[^}]+\}\}/g, 'arn:aws:iam::123456789012:role/x')
        .replace(/"\$MODEL_PREFIX"/g, 's3://bucket/sentiment')
        .split(/\s+\\?\s*/)
        .filter(Boolean)
      expect(() => parseSageMaker(argv, () => {})).not.toThrow()
    }
  })
})

describe('examples/github/scheduled-retrain.yml', async () => {
  const path = join(examplesDir, 'scheduled-retrain.yml')
  const workflow = await readFile(path, 'utf8')
  const jobs = jobsOf(workflow)

  test('is a valid workflow for action-validator', async () => {
    const result = await validate(path)
    expect(result.code).toBe(0)
  })

  test('runs on a schedule and by hand', () => {
    expect(workflow).toMatch(/^on:\n {2}schedule:\n {4}- cron: '0 0 \* \* 0'/m)
    expect(workflow).toMatch(/^ {2}workflow_dispatch:$/m)
  })

  test('retrains only when the production checks set should_retrain (or when forced)', () => {
    expect([...jobs.keys()]).toEqual(['check-production', 'retrain'])
    const check = job(jobs, 'check-production').text
    expect(check).toContain('should_retrain: ${{ steps.production-tests.outputs.should_retrain }}')
    expect(check).toMatch(/id: production-tests\n[\s\S]*npx modeltest tests\/production\.modeltest\.ts --github-output should_retrain/)
    // A failed check (exit 1) is the answer; any other exit code fails the job.
    expect(check).toContain('if [ "$status" -gt 1 ]; then exit "$status"; fi')
    const retrain = job(jobs, 'retrain')
    expect(retrain.needs).toEqual(['check-production'])
    expect(retrain.if).toBe("needs.check-production.outputs.should_retrain == 'true' || inputs.force_retrain")
    expect(retrain.text).toMatch(/npx modeltest tests [\s\S]*uses: peter-evans\/create-pull-request@v7/)
  })

  test('checks last week of the Data Capture files and their ground truth, and retrains on the same week: no placeholder', () => {
    expect(workflow).not.toMatch(/placeholder/i)
    expect(workflow).toMatch(/^ {2}CAPTURE_URI: s3:\/\/\$\{\{ vars\.MODEL_BUCKET \}\}\/monitoring\/capture\/sentiment-prod\/AllTraffic\/$/m)
    expect(workflow).toMatch(/^ {2}GROUND_TRUTH_URI: s3:\/\/\$\{\{ vars\.MODEL_BUCKET \}\}\/monitoring\/ground-truth\/sentiment-prod\/$/m)
    const check = job(jobs, 'check-production').text
    expect(check).toMatch(/CAPTURE_SINCE: \$\{\{ steps\.week\.outputs\.since \}\}\n {10}CAPTURE_UNTIL: \$\{\{ steps\.week\.outputs\.until \}\}\n {8}run: \|\n {10}status=0\n {10}npx modeltest tests\/production\.modeltest\.ts/)
    const retrain = job(jobs, 'retrain').text
    expect(retrain).toMatch(/CAPTURE_SINCE: \$\{\{ needs\.check-production\.outputs\.since \}\}[\s\S]*npx tsx export-labelled\.ts data\/production\.csv/)
  })
})

describe('the workflow modeltest init writes', async () => {
  const dir = await tempDir()
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
  const data = join(fixturesDir, 'data', 'penguins.csv')
  const model = join(fixturesDir, 'models', 'penguins.onnx')
  await runInit(['--dir', dir, '--data', data, '--model', model, '--label', 'species'], { stdout: quiet })
  const path = join(dir, '.github', 'workflows', 'ml-pipeline.yml')
  const workflow = await readFile(path, 'utf8')

  test('is a valid workflow for action-validator', async () => {
    const result = await validate(path)
    expect(result.code).toBe(0)
  })

  test('validates the data, then runs modeltest, publishes JUnit and uploads the reports', () => {
    const steps = job(jobsOf(workflow), 'modeltest').text
    const order = ['npm ci', 'npx modeltest validate ', 'run: npx modeltest\n', 'mikepenz/action-junit-report', 'actions/upload-artifact'].map((text) => steps.indexOf(text))
    expect(order.every((at) => at >= 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })
})

describe('action-validator', () => {
  test('fails a broken copy: a job that needs a job that is not there, a job without runs-on', async () => {
    const workflow = await readFile(join(examplesDir, 'ml-pipeline.yml'), 'utf8')
    const dir = await tempDir()
    const unresolved = join(dir, 'unresolved.yml')
    await writeFile(unresolved, workflow.replace('needs: train\n', 'needs: training\n'))
    const result = await validate(unresolved)
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/"code": "unresolved_job"[\s\S]*"detail": "unresolved job training"/)

    const noRunner = join(dir, 'no-runner.yml')
    await writeFile(noRunner, workflow.replace(/(code-quality:\n {4}name: Code Quality\n) {4}runs-on: ubuntu-latest\n/, '$1'))
    expect((await validate(noRunner)).code).toBe(1)
  })
})
