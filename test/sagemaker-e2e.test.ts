import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dataset, modelFileHash, readReport, type RunReport } from '../src/index.js'
import { startFakeS3, type FakeS3 } from './fake-s3/s3rver.js'
import { requestProblems } from './fake-sagemaker/api-model.js'
import { startFakeSageMaker, type FakeSageMaker } from './fake-sagemaker/server.js'
import { fixturesDir, reportFile, runCli, tempDir, type CliResult } from './helpers.js'

// End to end on loopback: the real `modeltest deploy sagemaker` and `modeltest canary` commands, the real AWS
// SDK clients, a fake SageMaker control plane and runtime, and real `modeltest serve` processes as containers.

const good = join(fixturesDir, 'models', 'penguins.onnx')
const weak = join(fixturesDir, 'models', 'penguins-weak.onnx')
const { features, probabilities } = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[]; probabilities: number[][] }
const canaryDir = join(fixturesDir, 'canary')
const ARTIFACTS = { good: 's3://models/penguins/good.tar.gz', weak: 's3://models/penguins/weak.tar.gz', corrupt: 's3://models/penguins/corrupt.tar.gz', missing: 's3://models/penguins/missing.tar.gz' }

let fake: FakeSageMaker
let s3: FakeS3
let work: string
let reports: { good: string; weak: string }
let traffic: string
/** Every command's output, to look for credentials in. */
const outputs: CliResult[] = []

beforeAll(async () => {
  fake = await startFakeSageMaker({
    // The corrupt artifact is a CSV file: `modeltest serve` fails to load it, as a container with a broken model does.
    artifacts: { [ARTIFACTS.good]: good, [ARTIFACTS.weak]: weak, [ARTIFACTS.corrupt]: join(fixturesDir, 'data', 'penguins.csv') },
    features,
  })
  work = await tempDir()
  const hashes = { good: await modelFileHash(good), weak: await modelFileHash(weak) }
  reports = { good: await reportFile(true, hashes.good), weak: await reportFile(true, hashes.weak) }
  // The artifacts are in S3, where the deploy checks the model hash in their metadata. The corrupt and the
  // missing one claim the good model, but their containers fail: the fake serves no model for them.
  s3 = await startFakeS3({ accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY })
  for (const [name, url] of Object.entries(ARTIFACTS)) await s3.put(url.replace('s3://models/', ''), 'not read', { 'modeltest-model-hash': name === 'weak' ? hashes.weak : hashes.good })
  const complete = (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()).filter((row) => features.every((name) => typeof row[name] === 'number'))
  traffic = join(work, 'traffic.jsonl')
  await writeFile(traffic, complete.map((row) => JSON.stringify(row)).join('\n') + '\n')
})
afterAll(() => Promise.all([fake?.close(), s3?.close()]))

async function modeltest(args: string[], cwd = work): Promise<CliResult> {
  const result = await runCli(args, cwd, { ...fake.env, AWS_ENDPOINT_URL_S3: s3.url })
  outputs.push(result)
  return result
}

function deploy(endpoint: string, model: 'good' | 'weak', artifact: string, ...flags: string[]): Promise<CliResult> {
  return modeltest([
    'deploy',
    'sagemaker',
    '--report',
    reports[model],
    '--model',
    model === 'good' ? good : weak,
    '--endpoint',
    endpoint,
    '--model-name',
    'penguins',
    '--image',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1',
    '--model-data',
    artifact,
    '--role',
    'arn:aws:iam::123456789012:role/SageMakerExecution',
    '--poll',
    '1',
    ...flags,
  ])
}

function canary(endpoint: string, ...flags: string[]): Promise<CliResult> {
  return modeltest(['canary', '--endpoint', endpoint, '--data', traffic, '--duration', '2', ...(flags.includes('--rate') ? [] : ['--rate', '25']), '--json', join(work, `${endpoint}.json`), '--no-junit', '--no-html', ...flags], canaryDir)
}

const readJson = async (endpoint: string) => JSON.parse(await readFile(join(work, `${endpoint}.json`), 'utf8')) as RunReport
const checks = (report: RunReport) => Object.fromEntries(report.tests.flatMap((test) => test.checks.map((check) => [check.name, check])))

async function invoke(endpoint: string, rows: Record<string, unknown>[]): Promise<number[][]> {
  const client = new SageMakerRuntimeClient({ region: fake.env.AWS_REGION, endpoint: fake.url, credentials: { accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY } })
  const answer = await client.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: JSON.stringify({ instances: rows }) }))
  return JSON.parse(new TextDecoder().decode(answer.Body)).predictions
}
const firstRows = () =>
  [
    [39.1, 18.7, 181, 3750],
    [39.5, 17.4, 186, 3800],
  ].map((values) => Object.fromEntries(features.map((name, i) => [name, values[i]])))

describe('deploy sagemaker, end to end against a fake SageMaker', { timeout: 60_000 }, () => {
  let firstConfig = ''

  test("a first deploy creates the endpoint, and InvokeEndpoint answers the model's predictions", async () => {
    const result = await deploy('penguins-staging', 'good', ARTIFACTS.good)
    expect(result.code, result.stderr).toBe(0)
    firstConfig = fake.endpoint('penguins-staging')!.configName
    expect(result.stdout).toContain(`modeltest deploy: penguins-staging serves ${firstConfig}`)
    expect(fake.calls.map((call) => call.action).slice(0, 4)).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])
    const predictions = await invoke('penguins-staging', firstRows())
    predictions.flat().forEach((value, i) => expect(value).toBeCloseTo(probabilities.flat()[i], 5))
  })

  test('an update is a blue/green shift: the new config serves, the previous one stays', async () => {
    const result = await deploy('penguins-staging', 'good', ARTIFACTS.good, '--traffic', 'canary', '--canary-size', '10', '--wait', '1', '--termination-wait', '0')
    expect(result.code, result.stderr).toBe(0)
    const live = fake.endpoint('penguins-staging')!
    expect(live.configName).not.toBe(firstConfig)
    expect(result.stdout).toMatch(new RegExp(`updating endpoint penguins-staging from ${firstConfig} to ${live.configName}: blue/green, canary 10% of capacity`))
    const update = fake.calls.filter((call) => call.action === 'UpdateEndpoint').at(-1)!
    expect(update.request).toMatchObject({ DeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } } } } })
    expect(fake.calls.filter((call) => call.action === 'DeleteEndpointConfig')).toHaveLength(0)
    expect(await invoke('penguins-staging', firstRows())).toHaveLength(2)
  })

  test('a failed update (the new container fails its health check) ends rolled back, on the old config, still serving', async () => {
    const before = fake.endpoint('penguins-staging')!.configName
    const result = await deploy('penguins-staging', 'good', ARTIFACTS.corrupt, '--wait', '0')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(new RegExp(`ROLLED BACK to ${before}: The primary container for production variant AllTraffic did not pass the ping health check`))
    expect(fake.endpoint('penguins-staging')).toMatchObject({ status: 'InService', configName: before })
    expect(await invoke('penguins-staging', firstRows())).toHaveLength(2)
  })

  test('an alarm that fires during the bake rolls the update back automatically', async () => {
    const before = fake.endpoint('penguins-staging')!.configName
    fake.faults.alarms.add('penguins-5xx')
    try {
      const result = await deploy('penguins-staging', 'good', ARTIFACTS.good, '--wait', '2', '--alarms', 'penguins-5xx,penguins-p99')
      expect(result.code).toBe(1)
      expect(result.stdout).toMatch(new RegExp(`ROLLED BACK to ${before}: Rolled back because the CloudWatch alarm\\(s\\) penguins-5xx went into ALARM state`))
    } finally {
      fake.faults.alarms.clear()
    }
    expect(fake.endpoint('penguins-staging')!.configName).toBe(before)
  })

  test('throttling and a server error of the control plane are retried; the deploy goes through', async () => {
    fake.faults.throttle(2, 'CreateModel')
    fake.faults.serverError(1, 'UpdateEndpoint')
    const result = await deploy('penguins-staging', 'good', ARTIFACTS.good, '--wait', '0')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/sagemaker: throttling \(ThrottlingException\); attempt 2 in/)
    expect(result.stdout).toMatch(/sagemaker: throttling \(ThrottlingException\); attempt 3 in/)
    expect(result.stdout).toMatch(/sagemaker: server error \(InternalFailure\); attempt 2 in/)
  })

  test('cleanup keeps the newest --keep versions and never deletes the live or the previous config', async () => {
    const previous = fake.endpoint('penguins-staging')!.configName
    const result = await deploy('penguins-staging', 'good', ARTIFACTS.good, '--wait', '0', '--keep', '1')
    expect(result.code, result.stderr).toBe(0)
    const live = fake.endpoint('penguins-staging')!.configName
    const deleted = fake.calls.filter((call) => call.action === 'DeleteEndpointConfig').map((call) => call.request.EndpointConfigName)
    expect(deleted.length).toBeGreaterThanOrEqual(3)
    expect(deleted).not.toContain(live)
    expect(deleted).not.toContain(previous)
    const listed = fake.calls.filter((call) => call.action === 'DescribeEndpointConfig').map((call) => call.request.EndpointConfigName)
    expect(listed).toEqual(expect.arrayContaining([live, previous]))
  })

  test('a first create whose container fails is failed, with the reason', async () => {
    const result = await deploy('penguins-broken', 'good', ARTIFACTS.missing)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/modeltest deploy: FAILED: The primary container for production variant AllTraffic did not pass the ping health check/)
  })
})

describe('canary, end to end against a fake SageMaker', { timeout: 90_000 }, () => {
  test('a smoke canary on one variant: the matchers against the endpoint, then live traffic, in one passing report', async () => {
    const result = await canary('penguins-staging', '--tests', 'canary.modeltest.ts', '--p95', '1000', '--p99', '2000')
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain('modeltest canary: PASSED: penguins-staging')
    const report = await readJson('penguins-staging')
    expect(report.tests.map((test) => [test.name, test.state])).toEqual([
      ['the live model tells the penguin species apart', 'passed'],
      ['the live model answers a single penguin quickly', 'passed'],
      ['live traffic to penguins-staging', 'passed'],
    ])
    const byName = checks(report)
    expect(byName.accuracy_threshold.actual).toBeCloseTo(0.9795, 3)
    // 25 requests a second for 2 s, each one attempt.
    expect(byName.canary_error_rate).toMatchObject({ passed: true, actual: 0, n: 50 })
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['canary_latency_p95', 'canary_latency_p99']))
    expect(report.models.map((model) => model.name)).toContain('sagemaker:penguins-staging')
  })

  test('invocation errors are counted one attempt each: no retry hides a 503', async () => {
    const before = { ...(fake.invocations.AllTraffic ?? { ok: 0, failed: 0 }) }
    fake.faults.errorRate.AllTraffic = 0.3
    try {
      const result = await canary('penguins-staging', '--tests', 'rows.modeltest.ts')
      expect(result.code).toBe(1)
    } finally {
      delete fake.faults.errorRate.AllTraffic
    }
    const errorRate = checks(await readJson('penguins-staging')).canary_error_rate
    const reached = { ok: fake.invocations.AllTraffic.ok - before.ok, failed: fake.invocations.AllTraffic.failed - before.failed }
    // What the endpoint saw is exactly what the canary counted: a retried request would show up twice here.
    expect(errorRate).toMatchObject({ passed: false, n: 50, details: { failed: reached.failed, errors: { ServiceUnavailable: reached.failed } } })
    expect(reached.ok + reached.failed).toBe(50)
    expect(reached.failed).toBeGreaterThan(1)
  })

  test('variant mode: a worse green fails the matchers, the traffic phase is skipped and all traffic goes back to blue', async () => {
    expect((await deploy('penguins-prod', 'good', ARTIFACTS.good)).code).toBe(0)
    const deployed = await deploy('penguins-prod', 'weak', ARTIFACTS.weak, '--variant', 'green', '--beside', 'blue', '--weight', '0.2')
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(fake.endpoint('penguins-prod')!.variants.map((variant) => [variant.name, variant.weight])).toEqual([
      ['blue', 0.8],
      ['green', 0.2],
    ])
    const result = await canary('penguins-prod', '--tests', 'canary.modeltest.ts', '--variant', 'green', '--poll', '0.05')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('canary: FAILED: moving all traffic back to blue')
    expect(result.stdout).toContain('modeltest canary: FAILED: variant green of penguins-prod rolled back to blue')
    const report = await readJson('penguins-prod')
    expect(checks(report).accuracy_threshold).toMatchObject({ passed: false, model: { name: 'sagemaker:penguins-prod/green' } })
    expect(checks(report).accuracy_threshold.actual).toBeCloseTo(0.7865, 3)
    expect(report.tests.at(-1)).toMatchObject({ name: 'live traffic to variant green of penguins-prod', state: 'skipped' })
    expect(fake.endpoint('penguins-prod')!.variants.map((variant) => [variant.name, variant.weight])).toEqual([
      ['blue', 1],
      ['green', 0],
    ])
  })

  test('variant mode: a green slower than blue fails the Mann-Whitney comparison and is rolled back', async () => {
    expect((await deploy('penguins-prod', 'good', ARTIFACTS.good, '--variant', 'green', '--beside', 'blue')).code).toBe(0)
    fake.faults.latencyMs.green = 40
    try {
      const result = await canary('penguins-prod', '--tests', 'canary.modeltest.ts', '--variant', 'green', '--poll', '0.05', '--rate', '40')
      expect(result.code).toBe(1)
    } finally {
      delete fake.faults.latencyMs.green
    }
    const report = await readJson('penguins-prod')
    const compared = checks(report).canary_latency_vs_baseline
    expect(compared.passed).toBe(false)
    expect(compared.actual).toBeGreaterThan(1.1)
    expect(compared.significance!.pValue).toBeLessThan(0.01)
    expect(checks(report).accuracy_threshold.passed).toBe(true)
    expect(fake.endpoint('penguins-prod')!.variants.find((variant) => variant.name === 'green')!.weight).toBe(0)
  })

  test('variant mode: a green that fails every request keeps its records (100% errors, counted; the comparison failed as impossible) and is rolled back', async () => {
    fake.faults.errorRate.green = 1
    try {
      const result = await canary('penguins-prod', '--tests', 'rows.modeltest.ts', '--variant', 'green', '--poll', '0.05', '--p95', '1000')
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('canary: FAILED: moving all traffic back to blue')
    } finally {
      delete fake.faults.errorRate.green
    }
    const report = await readJson('penguins-prod')
    expect(report.tests.at(-1)).toMatchObject({ name: 'live traffic to variant green of penguins-prod', state: 'failed', errors: [] })
    const byName = checks(report)
    // 25 requests a second for 2 s, every other one to green.
    expect(byName.canary_error_rate).toMatchObject({ passed: false, actual: 1, n: 25, details: { failed: 25, errors: { ServiceUnavailable: 25 } } })
    expect(byName.canary_latency_p95).toMatchObject({ passed: false, actual: null, message: 'P95 latency of variant green cannot be measured: all 25 invocations failed' })
    expect(byName.canary_latency_vs_baseline).toMatchObject({ passed: false, actual: null, details: { measured: false, baselineInvocations: 25, baselineErrors: 0 } })
    expect(byName.canary_latency_vs_baseline.message).toBe("Median latency of green cannot be compared with blue's: all 25 invocations of green failed")
    // A record that could not be measured (actual null) is still a valid report, for the next run's baseline.
    await readReport(join(work, 'penguins-prod.json'), 'baseline report')
    expect(fake.endpoint('penguins-prod')!.variants.find((variant) => variant.name === 'green')!.weight).toBe(0)
  })

  test('variant mode: a green as good as blue passes and takes all the traffic', async () => {
    const result = await canary('penguins-prod', '--tests', 'canary.modeltest.ts', '--variant', 'green', '--poll', '0.05', '--rate', '40')
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain('modeltest canary: PASSED: variant green of penguins-prod now takes all traffic')
    const byName = checks(await readJson('penguins-prod'))
    expect(byName.canary_latency_vs_baseline.passed).toBe(true)
    expect(byName.canary_error_rate).toMatchObject({ passed: true, n: 40 })
    expect(fake.endpoint('penguins-prod')!.variants.map((variant) => [variant.name, variant.weight])).toEqual([
      ['blue', 0],
      ['green', 1],
    ])
    expect(fake.calls.filter((call) => call.action === 'UpdateEndpointWeightsAndCapacities').at(-1)!.request).toEqual({
      EndpointName: 'penguins-prod',
      DesiredWeightsAndCapacities: [
        { VariantName: 'green', DesiredWeight: 1 },
        { VariantName: 'blue', DesiredWeight: 0 },
      ],
    })
  })

  test('an unknown variant or endpoint is a usage error before anything runs', async () => {
    const unknown = await canary('penguins-prod', '--tests', 'canary.modeltest.ts', '--variant', 'purple')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/endpoint penguins-prod: the endpoint has no variant 'purple'\n {2}Its variants are 'blue' and 'green'\./)
    const missing = await canary('penguins-nowhere', '--tests', 'canary.modeltest.ts')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/SageMaker DescribeEndpoint failed: ValidationException: Could not find endpoint/)
  })

  test('no command printed the credentials', () => {
    expect(outputs.length).toBeGreaterThan(10)
    for (const output of outputs) {
      for (const secret of [fake.env.AWS_SECRET_ACCESS_KEY, fake.env.AWS_ACCESS_KEY_ID]) {
        expect(output.stdout).not.toContain(secret)
        expect(output.stderr).not.toContain(secret)
      }
    }
  })

  test('every control-plane request fits the SageMaker API model that @aws-sdk/client-sagemaker ships', () => {
    const actions = new Set(fake.calls.map((call) => call.action))
    for (const action of ['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint', 'UpdateEndpoint', 'DescribeEndpointConfig', 'ListModels', 'ListTags', 'DeleteModel', 'UpdateEndpointWeightsAndCapacities']) expect(actions).toContain(action)
    expect(fake.calls.flatMap((call) => requestProblems(call.action, call.request))).toEqual([])
    // The check tells a request AWS would refuse.
    expect(requestProblems('CreateEndpointConfig', { EndpointConfigName: 'x', ProductionVariants: [{ VariantName: 'a', ModelName: 'm', InstanceType: 'ml.m5.huge' }], Tag: [] })).toEqual([
      "CreateEndpointConfig.ProductionVariants[0].InstanceType: 'ml.m5.huge' is not one of ProductionVariant.InstanceType's values",
      'CreateEndpointConfig.Tag: not a member of CreateEndpointConfigInput',
    ])
  })
})
