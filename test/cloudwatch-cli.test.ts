import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dataset, makeCheck, type RunReport, type ShardResult } from '../src/index.js'
import { startFakeCloudWatch, type FakeCloudWatch } from './fake-cloudwatch/server.js'
import { startFakeSageMaker, type FakeSageMaker } from './fake-sagemaker/server.js'
import { fixturesDir, runCli, tempDir } from './helpers.js'

// `--cloudwatch-namespace` through the real command (merge, the run, canary), the real CloudWatch client, and
// a fake CloudWatch on loopback (test/fake-cloudwatch) that refuses what AWS would refuse.

let fake: FakeCloudWatch
beforeAll(async () => {
  fake = await startFakeCloudWatch()
})
afterAll(() => fake?.close())

/** A folder with one shard result (1/1) of `count` checks, every fifth failed: what `modeltest merge` reads. */
async function shardFolder(count: number): Promise<string> {
  const checks = Array.from({ length: count }, (_, i) => makeCheck({ name: `check_${i}`, kind: 'data', actual: i % 5 === 0 ? 0.5 : 0.9, threshold: 0.8, comparator: '>=', message: `check ${i}` }))
  const shard: ShardResult = {
    format: 'modeltest-shard/1',
    shard: { index: 1, count: 1 },
    startedAt: new Date().toISOString(),
    durationMs: 1,
    runtime: {},
    problems: [],
    tests: [{ file: 'many.modeltest.ts', name: 'many', state: 'failed', durationMs: 1, errors: ['failed'], checks }],
  }
  const dir = await tempDir()
  await mkdir(join(dir, 'shards'))
  await writeFile(join(dir, 'shards', 'shard-1-of-1.json'), JSON.stringify(shard))
  return dir
}

describe('modeltest --cloudwatch-namespace', () => {
  test('merge publishes every check after the reports: 1,250 checks in 3 PutMetricData requests, the verdict unchanged', async () => {
    const dir = await shardFolder(1250)
    fake.requests.length = 0
    const result = await runCli(['merge', 'shards', '--cloudwatch-namespace', 'modeltest/ci', '--no-html', '--no-junit'], dir, fake.env)
    expect(result.code, result.stderr).toBe(1)
    expect(result.stdout).toMatch(/FAILED/)
    expect(result.stderr).toContain('modeltest: published 2501 data points to CloudWatch namespace modeltest/ci (3 PutMetricData requests)')
    expect(fake.requests.map((request) => [request.action, (request.body.MetricData as unknown[]).length, request.problems.length])).toEqual([
      ['PutMetricData', 1000, 0],
      ['PutMetricData', 1000, 0],
      ['PutMetricData', 501, 0],
    ])
    const passed = fake.points.filter((point) => point.name === 'CheckPassed')
    expect(passed.filter((point) => point.value === 0)).toHaveLength(250)
    expect(passed[0].dimensions).toEqual({ Check: 'check_0', TestFile: 'many.modeltest.ts' })
    expect(fake.points.find((point) => point.name === 'RunPassed')?.value).toBe(0)
  })

  test('a publish CloudWatch refuses exits 2 after the reports are written and the verdict printed', async () => {
    const denying = await startFakeCloudWatch()
    denying.denyAll()
    try {
      const dir = await shardFolder(3)
      const result = await runCli(['merge', 'shards', '--cloudwatch-namespace', 'modeltest/ci', '--no-html', '--no-junit'], dir, denying.env)
      expect(result.code).toBe(2)
      expect(result.stdout).toMatch(/FAILED/)
      expect(existsSync(join(dir, 'reports', 'modeltest.json'))).toBe(true)
      expect(result.stderr).toContain(
        'modeltest: the checks were not published to CloudWatch: namespace modeltest/ci, request 1 of 1: CloudWatch PutMetricData failed: AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:PutMetricData (HTTP 403)\n  Check the AWS credentials this job runs with and that they may call cloudwatch:PutMetricData.',
      )
      expect(result.stderr).not.toContain(denying.env.AWS_SECRET_ACCESS_KEY)
    } finally {
      await denying.close()
    }
  })

  test('a namespace CloudWatch would refuse is a usage error before anything runs', async () => {
    const dir = await shardFolder(1)
    const result = await runCli(['merge', 'shards', '--cloudwatch-namespace', 'AWS/SageMaker'], dir, fake.env)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("modeltest: --cloudwatch-namespace: 'AWS/SageMaker' is not a CloudWatch namespace for custom metrics: AWS/ namespaces are reserved for AWS services\n  Give a name like modeltest/sentiment-prod.\n")
    expect(existsSync(join(dir, 'reports'))).toBe(false)
  })

  test("a run publishes its test files' checks, named by file and check", async () => {
    const out = await tempDir()
    fake.points.length = 0
    const result = await runCli(['columns.modeltest.ts', '--cloudwatch-namespace', 'modeltest/run', '--json', join(out, 'modeltest.json'), '--no-html', '--no-junit'], join(fixturesDir, 'sharded'), fake.env)
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(await readFile(join(out, 'modeltest.json'), 'utf8')) as RunReport
    const names = report.tests.flatMap((test) => test.checks.map((check) => `${test.file} ${check.name} ${check.passed ? 1 : 0}`))
    const published = fake.points.filter((point) => point.name === 'CheckPassed').map((point) => `${point.dimensions.TestFile} ${point.dimensions.Check} ${point.value}`)
    expect(published).toEqual(names)
    expect(names.length).toBeGreaterThan(0)
    expect(fake.points.find((point) => point.name === 'RunPassed')).toMatchObject({ namespace: 'modeltest/run', value: 1 })
  })
})

describe('modeltest canary --cloudwatch-namespace', { timeout: 90_000 }, () => {
  let sagemaker: FakeSageMaker
  let traffic: string
  beforeAll(async () => {
    const { features } = JSON.parse(await readFile(join(fixturesDir, 'models', 'penguins-onnx-reference.json'), 'utf8')) as { features: string[] }
    sagemaker = await startFakeSageMaker({ artifacts: { 's3://models/penguins.tar.gz': join(fixturesDir, 'models', 'penguins.onnx') }, features })
    const client = new SageMakerClient({ region: 'us-east-1', endpoint: sagemaker.url, credentials: { accessKeyId: sagemaker.env.AWS_ACCESS_KEY_ID, secretAccessKey: sagemaker.env.AWS_SECRET_ACCESS_KEY } })
    await client.send(new CreateModelCommand({ ModelName: 'penguins', PrimaryContainer: { Image: 'modeltest-serve:1', ModelDataUrl: 's3://models/penguins.tar.gz' }, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution' }))
    await client.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'penguins-1', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'penguins', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }] }),
    )
    await client.send(new CreateEndpointCommand({ EndpointName: 'penguins-prod', EndpointConfigName: 'penguins-1' }))
    await sagemaker.settled('penguins-prod')
    const rows = (await (await dataset(join(fixturesDir, 'data', 'penguins.csv'))).rows()).filter((row) => features.every((name) => typeof row[name] === 'number'))
    traffic = join(await tempDir(), 'traffic.jsonl')
    await writeFile(traffic, rows.map((row) => JSON.stringify(row)).join('\n') + '\n')
  })
  afterAll(() => sagemaker?.close())

  test("the traffic phase publishes each round's checks, timestamped as it ends, and the whole run at the end", async () => {
    fake.points.length = 0
    const out = await tempDir()
    const args = [
      'canary',
      '--endpoint',
      'penguins-prod',
      '--tests',
      'rows.modeltest.ts',
      '--data',
      traffic,
      '--duration',
      '3',
      '--rate',
      '10',
      '--cloudwatch-namespace',
      'modeltest/canary',
      '--cloudwatch-round',
      '1',
      '--json',
      join(out, 'canary.json'),
      '--no-junit',
      '--no-html',
    ]
    const result = await runCli(args, join(fixturesDir, 'canary'), { ...sagemaker.env, ...fake.env })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr.match(/published \d+ data points to CloudWatch namespace modeltest\/canary/g)).toHaveLength(4)
    const errorRates = fake.points.filter((point) => point.name === 'CheckValue' && point.dimensions.Check === 'canary_error_rate')
    // Three rounds of about ten requests, then the whole phase: four times the error rate, each at its own time.
    expect(errorRates).toHaveLength(4)
    expect(errorRates.map((point) => point.dimensions)).toEqual(Array(4).fill({ Check: 'canary_error_rate', Endpoint: 'penguins-prod', TestFile: 'sagemaker:penguins-prod' }))
    const times = errorRates.map((point) => point.time)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(800)
    expect(fake.points.filter((point) => point.name === 'RunPassed').map((point) => point.value)).toEqual([1, 1, 1, 1])
  })

  test("the canary's --request-timeout bounds its CloudWatch calls too: a CloudWatch that never answers ends each publish at it", async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${String((silent.address() as AddressInfo).port)}`
      const args = ['canary', '--endpoint', 'penguins-prod', '--tests', 'rows.modeltest.ts', '--data', traffic, '--duration', '1', '--rate', '10', '--request-timeout', '1000']
      const started = Date.now()
      const result = await runCli([...args, '--cloudwatch-namespace', 'modeltest/canary', '--cloudwatch-round', '1', '--no-junit', '--no-html', '--no-json'], join(fixturesDir, 'canary'), {
        ...sagemaker.env,
        ...fake.env,
        AWS_ENDPOINT_URL_CLOUDWATCH: url,
      })
      // Two publications (the round, then the run), each ended at 1 s instead of the default 30 s.
      expect(Date.now() - started).toBeLessThan(25_000)
      expect(result.code, result.stderr).toBe(2)
      expect(result.stderr).toMatch(/not published to CloudWatch: .*within 1000 ms/)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })
})
