import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { cloudwatch, dimensionValue, makeCheck, publishChecks, type CheckRecord, type PublishedChecks } from '../src/index.js'
import { startFakeCloudWatch, type FakeCloudWatch } from './fake-cloudwatch/server.js'
import { lastRecord, rejection } from './helpers.js'

// The real CloudWatch client (AWS JSON 1.0 with query compatibility) against a fake of that protocol, whose
// requests are checked against the API model the SDK ships and the limits AWS documents.

let fake: FakeCloudWatch
let client: CloudWatchClient
const quiet = { log: () => {}, retry: { baseDelayMs: 1 } }

beforeAll(async () => {
  fake = await startFakeCloudWatch({ pageSize: 2 })
  client = new CloudWatchClient({ region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 })
})
afterAll(() => fake?.close())
beforeEach(() => {
  fake.requests.length = 0
  fake.points.length = 0
})

/** A check of actual ≥ 0.8 unless `extra` says otherwise. */
function check(name: string, actual: number, extra: Partial<CheckRecord> = {}): CheckRecord {
  return makeCheck({ name, kind: 'model', actual, threshold: 0.8, comparator: '>=', message: name, ...extra })
}

const published = () => fake.requests.filter((request) => request.action === 'PutMetricData')

describe('publishChecks: check records as CloudWatch metrics', () => {
  test('1,250 checks are 2,501 data points in 3 PutMetricData requests of at most 1,000, each one AWS takes', async () => {
    const run: PublishedChecks = { passed: true, tests: [{ file: 'checks.modeltest.ts', checks: Array.from({ length: 1250 }, (_, i) => check(`check_${i}`, 0.9)) }] }
    expect(await publishChecks(run, 'modeltest/test', { client, ...quiet })).toEqual({ data: 2501, requests: 3 })
    expect(published().map((request) => (request.body.MetricData as unknown[]).length)).toEqual([1000, 1000, 501])
    expect(published().flatMap((request) => request.problems)).toEqual([])
    // Bodies over 10 KB go gzipped, as the SDK's request compression sends them.
    expect(published().every((request) => request.gzip)).toBe(true)
    expect(fake.points).toHaveLength(2501)
  })

  test('long dimension values split requests at 1 MB before 1,000 items', async () => {
    const file = `${'deeply/nested/folder/'.repeat(60)}x.modeltest.ts`
    const run: PublishedChecks = { passed: false, tests: [{ file, checks: Array.from({ length: 600 }, (_, i) => check(`check_${i}_${'x'.repeat(1000)}`, 0.5)) }] }
    // 1,201 items of about 2.2 kB: 2 requests by count, but 3 within 1 MB each.
    const { requests } = await publishChecks(run, 'modeltest/test', { client, ...quiet })
    expect(requests).toBe(3)
    expect(published().every((request) => request.bytes < 1_000_000 && request.problems.length === 0)).toBe(true)
    expect(fake.points).toHaveLength(1201)
  })

  test('dimensions, values and units: Check and TestFile always, Endpoint and Variant from a SageMaker model', async () => {
    const live = { name: 'sagemaker:sentiment-prod/green', hash: 'abc' }
    const run: PublishedChecks = {
      passed: false,
      tests: [
        { file: 'data.modeltest.ts', checks: [check('null_check', 1)] },
        { file: 'canary.modeltest.ts', checks: [check('latency_p95', 61.2, { unit: 'ms', model: live, comparator: '<=', threshold: 50 }), check('canary_latency_p99', Number.NaN, { unit: 'ms', model: live })] },
      ],
    }
    await publishChecks(run, 'modeltest/test', { client, ...quiet, timestamp: new Date('2026-11-30T12:00:00Z') })
    const points = fake.points.map(({ name, dimensions, value, unit, time }) => ({ name, dimensions, value, unit, time }))
    const at = Date.parse('2026-11-30T12:00:00Z')
    expect(points).toEqual([
      { name: 'RunPassed', dimensions: {}, value: 0, unit: 'None', time: at },
      { name: 'CheckValue', dimensions: { Check: 'null_check', TestFile: 'data.modeltest.ts' }, value: 1, unit: 'None', time: at },
      { name: 'CheckPassed', dimensions: { Check: 'null_check', TestFile: 'data.modeltest.ts' }, value: 1, unit: 'None', time: at },
      { name: 'CheckValue', dimensions: { Check: 'latency_p95', Endpoint: 'sentiment-prod', TestFile: 'canary.modeltest.ts', Variant: 'green' }, value: 61.2, unit: 'Milliseconds', time: at },
      { name: 'CheckPassed', dimensions: { Check: 'latency_p95', Endpoint: 'sentiment-prod', TestFile: 'canary.modeltest.ts', Variant: 'green' }, value: 0, unit: 'None', time: at },
      // A check that measured nothing (NaN, which CloudWatch refuses) has only its verdict.
      { name: 'CheckPassed', dimensions: { Check: 'canary_latency_p99', Endpoint: 'sentiment-prod', TestFile: 'canary.modeltest.ts', Variant: 'green' }, value: 0, unit: 'None', time: at },
    ])
  })

  test('dimension values: ASCII only, trimmed, never empty, at most 1,024 characters with long ones kept apart', () => {
    expect(dimensionValue('  accuracy ≥ 0.8 ')).toBe('accuracy ? 0.8')
    expect(dimensionValue('   ')).toBe('-')
    const [a, b] = [`${'x'.repeat(2000)}a`, `${'x'.repeat(2000)}b`].map((text) => dimensionValue(text))
    expect(a).toHaveLength(1024)
    expect(a).toMatch(/^x{1015}~[0-9a-f]{8}$/)
    expect(a).not.toBe(b)
  })

  test('a namespace CloudWatch would refuse is a usage error before any request', async () => {
    for (const namespace of ['AWS/SageMaker', '', ':x', 'modeltest/ünïcode']) {
      expect((await rejection(publishChecks({ passed: true, tests: [] }, namespace, { client, ...quiet }))).message).toMatch(/is not a CloudWatch namespace for custom metrics/)
    }
    expect(fake.requests).toHaveLength(0)
  })

  test('throttling is retried; throttling that does not stop fails naming the request and what to do', async () => {
    fake.throttle(2)
    const run: PublishedChecks = { passed: true, tests: [{ file: 'a.modeltest.ts', checks: [check('null_check', 1)] }] }
    await publishChecks(run, 'modeltest/test', { client, ...quiet })
    expect(fake.requests.map((request) => request.action)).toEqual(['PutMetricData', 'PutMetricData', 'PutMetricData'])
    fake.throttle(3)
    const error = await rejection(publishChecks(run, 'modeltest/test', { client, ...quiet, retry: { baseDelayMs: 1, maxAttempts: 3 } }))
    expect(error.message).toBe(
      'namespace modeltest/test, request 1 of 1: CloudWatch PutMetricData failed: Throttling: Rate exceeded (HTTP 400)\n  CloudWatch kept throttling PutMetricData: run again later, or ask AWS for a higher PutMetricData quota.',
    )
  })
})

test('a CloudWatch that accepts and never answers ends the publish at the request timeout', async () => {
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', url)
    for (const [name, value] of Object.entries(fake.env)) if (name !== 'AWS_ENDPOINT_URL_CLOUDWATCH') vi.stubEnv(name, value)
    const error = await rejection(publishChecks({ passed: true, tests: [] }, 'modeltest/test', { requestTimeoutMs: 200, ...quiet }))
    expect(error.message).toBe(
      'namespace modeltest/test, request 1 of 1: CloudWatch PutMetricData failed: TimeoutError: no answer within 200 ms (the request timeout)\n  Check the network path to CloudWatch (proxy, VPC endpoint, AWS_ENDPOINT_URL) and run again.',
    )
  } finally {
    vi.unstubAllEnvs()
    silent.closeAllConnections()
    silent.close()
  }
})

describe('cloudwatch.metric: CloudWatch as a source', () => {
  const endpoint = { EndpointName: 'sentiment-prod', VariantName: 'AllTraffic' }
  const hour = (h: number) => new Date(Date.UTC(2026, 10, 30, h, 10))
  const query = { namespace: 'AWS/SageMaker', name: 'ModelLatency', dimensions: endpoint, stat: 'Maximum', period: 3600, since: '2026-11-30T00:00:00Z', until: '2026-11-30T06:00:00Z' }
  beforeEach(() =>
    fake.seed(
      'AWS/SageMaker',
      'ModelLatency',
      endpoint,
      [hour(4), hour(0), hour(2), hour(1), hour(3)].map((time, i) => [time, [150, 90, 120, 100, 110][i]]),
    ),
  )

  test('reads every page (NextToken) of GetMetricData, oldest first', async () => {
    const series = await cloudwatch.metric({ ...query, client })
    const reads = fake.requests.filter((request) => request.action === 'GetMetricData')
    expect(reads).toHaveLength(3)
    expect(reads.flatMap((request) => request.problems)).toEqual([])
    expect(reads.map((request) => request.body.NextToken)).toEqual([undefined, '2', '4'])
    expect(series.values).toEqual([90, 100, 120, 110, 150])
    expect(series.timestamps).toEqual([0, 1, 2, 3, 4].map((h) => `2026-11-30T0${h}:00:00.000Z`))
    expect(series).toMatchObject({ namespace: 'AWS/SageMaker', name: 'ModelLatency', stat: 'Maximum', period: 3600, since: '2026-11-30T00:00:00.000Z', until: '2026-11-30T06:00:00.000Z' })
  })

  test('toHaveMetricBelow: every period at most the limit; the record names the query', async ({ task }) => {
    const series = await cloudwatch.metric({ ...query, client })
    await expect(series).toHaveMetricBelow(200)
    expect(lastRecord(task)).toMatchObject({
      name: 'cloudwatch_ModelLatency',
      kind: 'deploy',
      passed: true,
      actual: 150,
      threshold: 200,
      comparator: '<=',
      n: 5,
      message: 'AWS/SageMaker ModelLatency (Maximum per 3600 s, EndpointName=sentiment-prod, VariantName=AllTraffic) max 150.0000 ≤ 200 (n=5 data points, 2026-11-30T00:00:00.000Z – 2026-11-30T06:00:00.000Z)',
      details: { namespace: 'AWS/SageMaker', metric: 'ModelLatency', dimensions: endpoint, stat: 'Maximum', period: 3600, reduce: 'max' },
    })
    await expect(expect(series).toHaveMetricBelow(120)).rejects.toThrow(/max 150\.0000 > 120 .*\n {2}Actual: 150, Threshold: 120/)
    await expect(series).toHaveMetricBelow(120, { reduce: 'mean' })
    await expect(series).not.toHaveMetricBelow(120)
  })

  test('toHaveMetricAbove: every period at least the limit (or their mean, last, …)', async ({ task }) => {
    const series = await cloudwatch.metric({ ...query, client })
    await expect(series).toHaveMetricAbove(90)
    expect(lastRecord(task)).toMatchObject({ passed: true, actual: 90, comparator: '>=', details: { reduce: 'min' } })
    await expect(expect(series).toHaveMetricAbove(100)).rejects.toThrow(/min 90\.0000 < 100/)
    await expect(series).toHaveMetricAbove(140, { reduce: 'last' })
    await expect(expect(series).not.toHaveMetricAbove(80)).rejects.toThrow(/required: actual < threshold, from \.not/)
  })

  test('no data points in the period fail, either way, saying so', async ({ task }) => {
    // CloudWatch matches dimensions exactly: without VariantName this is another metric, with no data.
    const series = await cloudwatch.metric({ ...query, dimensions: { EndpointName: 'sentiment-prod' }, client })
    expect(series.values).toEqual([])
    await expect(expect(series).toHaveMetricBelow(200)).rejects.toThrow('has no data points in 2026-11-30T00:00:00.000Z – 2026-11-30T06:00:00.000Z: nothing to compare with 200')
    expect(lastRecord(task)).toMatchObject({ passed: false, n: 0, details: { measured: false } })
    await expect(expect(series).not.toHaveMetricBelow(200)).rejects.toThrow(/Fails \.not/)
  })

  test('a span back from until, and the metrics modeltest published', async () => {
    await publishChecks({ passed: true, tests: [{ file: 'a.modeltest.ts', checks: [check('accuracy_threshold', 0.83)] }] }, 'modeltest/test', { client, ...quiet })
    const accuracy = await cloudwatch.metric({ namespace: 'modeltest/test', name: 'CheckValue', dimensions: { Check: 'accuracy_threshold', TestFile: 'a.modeltest.ts' }, period: 60, since: '1h', client })
    expect(accuracy.values).toEqual([0.83])
    expect(Date.parse(accuracy.until) - Date.parse(accuracy.since)).toBe(3_600_000)
    await expect(accuracy).toHaveMetricAbove(0.8)
  })

  test('a query CloudWatch would refuse is a usage error, and so is a value that is not a metric', async () => {
    expect((await rejection(cloudwatch.metric({ ...query, period: 90, client }))).message).toMatch(/period 90 s is not one CloudWatch takes\n {2}Give 60 or a multiple of it/)
    expect((await rejection(cloudwatch.metric({ ...query, stat: 'avg', client }))).message).toMatch(/stat 'avg' is not one of/)
    expect((await rejection(cloudwatch.metric({ ...query, since: '2026-12-01T00:00:00Z', client }))).message).toMatch(/since \(2026-12-01T00:00:00.000Z\) is not before until/)
    expect((await rejection(cloudwatch.metric({ ...query, sinse: '7d' } as never))).message).toMatch(/unknown option 'sinse' \(did you mean 'since'\?\)/)
    await expect(expect({ values: [1] }).toHaveMetricBelow(2)).rejects.toThrow(/toHaveMetricBelow expects a CloudWatch metric, got/)
    expect(fake.requests).toHaveLength(0)
  })
})
