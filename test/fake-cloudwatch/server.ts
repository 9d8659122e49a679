/**
 * A fake Amazon CloudWatch on 127.0.0.1 for tests: PutMetricData and GetMetricData as the SDK v3 client
 * (3.1164) speaks them: AWS JSON 1.0 with query compatibility (`POST /`, `X-Amz-Target:
 * GraniteServiceVersion20100801.<Action>`, `x-amzn-query-mode: true`, gzip bodies above 10 KB, errors named by
 * the `x-amzn-query-error: <Code>;<Sender|Receiver>` header). Every request is checked against the API model
 * the SDK ships (test/fake-sagemaker/api-model.ts) and against the limits AWS documents and the model leaves
 * out (PutMetricData: 1,000 items and 1 MB a request, 30 dimensions; Dimension: 1–255 / 1–1024 ASCII
 * characters); a request that breaks one is refused as AWS would, and its problems are kept for the tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import * as sdk from '@aws-sdk/client-cloudwatch'
import { requestProblems } from '../fake-sagemaker/api-model.js'

/** One data point as stored: its namespace, name, dimensions (sorted by name), time in ms and value. */
interface StoredPoint {
  namespace: string
  name: string
  dimensions: Record<string, string>
  time: number
  value: number
  unit?: string
}

export interface FakeCloudWatch {
  url: string
  /** The environment for SDK clients and `modeltest` child processes: the endpoint URL, a region, fake credentials. */
  env: Record<string, string>
  /** Every request in order, with what was wrong with it (empty when AWS would take it). */
  requests: { action: string; body: Record<string, unknown>; gzip: boolean; bytes: number; problems: string[] }[]
  points: StoredPoint[]
  /** Data points of a namespace PutMetricData may not write (AWS/SageMaker): [time, value] pairs. */
  seed(namespace: string, name: string, dimensions: Record<string, string>, points: [Date, number][]): void
  /** The next n requests answer 400 Throttling (the SDK's error name: Throttling). */
  throttle(n: number): void
  /** Every request answers 403 AccessDenied from now on. */
  denyAll(): void
  close(): Promise<void>
}

const TARGET = 'GraniteServiceVersion20100801.'
const LIMITS = { items: 1000, bytes: 1_000_000, dimensions: 30, nameLength: 255, valueLength: 1024 }

class Answer extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Starts the fake; `pageSize` is how many data points one GetMetricData answer holds at most before it sets
 * NextToken (CloudWatch's is 100,800 or MaxDatapoints: small here, to see the client page).
 */
export async function startFakeCloudWatch(options: { pageSize?: number } = {}): Promise<FakeCloudWatch> {
  const pageSize = options.pageSize ?? 100_800
  const requests: FakeCloudWatch['requests'] = []
  const points: StoredPoint[] = []
  let throttled = 0
  let denied = false

  function putMetricData(body: Record<string, unknown>, bytes: number): string[] {
    const problems = requestProblems('PutMetricData', body, sdk)
    const namespace = typeof body.Namespace === 'string' ? body.Namespace : ''
    const data = (body.MetricData ?? []) as { MetricName: string; Dimensions?: { Name: string; Value: string }[]; Value?: number; Timestamp?: number; Unit?: string }[]
    if (bytes > LIMITS.bytes) problems.push(`the request has ${bytes} bytes, over PutMetricData's 1 MB`)
    if (data.length > LIMITS.items) problems.push(`MetricData has ${data.length} items, over PutMetricData's ${LIMITS.items}`)
    if (namespace.length < 1 || namespace.length > LIMITS.nameLength || namespace.startsWith('AWS/') || namespace.startsWith(':')) problems.push(`Namespace '${namespace}' is not one PutMetricData may write`)
    data.forEach((datum, i) => {
      const at = `MetricData[${i}]`
      if (!datum.MetricName || datum.MetricName.length > LIMITS.nameLength) problems.push(`${at}.MetricName: 1–${LIMITS.nameLength} characters`)
      if ((datum.Dimensions ?? []).length > LIMITS.dimensions) problems.push(`${at}: ${datum.Dimensions!.length} dimensions, over ${LIMITS.dimensions}`)
      for (const { Name, Value } of datum.Dimensions ?? []) {
        if (!asciiText(Name, LIMITS.nameLength) || Name.startsWith(':')) problems.push(`${at}: dimension name '${Name}' is not 1–${LIMITS.nameLength} printable ASCII characters`)
        if (!asciiText(Value, LIMITS.valueLength)) problems.push(`${at}: dimension ${Name}'s value '${Value.slice(0, 40)}…' (${Value.length}) is not 1–${LIMITS.valueLength} printable ASCII characters`)
      }
      if (datum.Value !== undefined && !(Math.abs(datum.Value) <= 2 ** 360)) problems.push(`${at}.Value ${datum.Value} is not a number CloudWatch takes`)
      if (datum.Unit !== undefined && !Object.values(sdk.StandardUnit).includes(datum.Unit as sdk.StandardUnit)) problems.push(`${at}.Unit '${datum.Unit}' is not a StandardUnit`)
    })
    if (problems.length > 0) return problems
    for (const datum of data) {
      const dimensions = Object.fromEntries((datum.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]).sort(([a], [b]) => (a < b ? -1 : 1)))
      points.push({ namespace, name: datum.MetricName, dimensions, time: datum.Timestamp !== undefined ? datum.Timestamp * 1000 : Date.now(), value: datum.Value ?? 0, unit: datum.Unit })
    }
    return []
  }

  function getMetricData(body: Record<string, unknown>): Record<string, unknown> {
    const problems = requestProblems('GetMetricData', body, sdk)
    if (problems.length > 0) throw new Answer(400, 'InvalidParameterValue', problems.join('; '))
    const queries = body.MetricDataQueries as { Id: string; MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string } }[]
    if (queries.length !== 1 || !queries[0].MetricStat) throw new Answer(400, 'InvalidParameterValue', 'this fake answers one MetricStat query')
    const [{ Id, MetricStat }] = queries
    const start = (body.StartTime as number) * 1000
    const end = (body.EndTime as number) * 1000
    const periodMs = MetricStat.Period * 1000
    const wanted = Object.fromEntries((MetricStat.Metric.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]))
    // Dimensions match exactly, as in CloudWatch: a metric with one more dimension is another metric.
    const sameDimensions = (point: StoredPoint) => Object.keys(point.dimensions).length === Object.keys(wanted).length && Object.entries(wanted).every(([name, value]) => point.dimensions[name] === value)
    const buckets = new Map<number, number[]>()
    for (const point of points) {
      if (point.namespace !== MetricStat.Metric.Namespace || point.name !== MetricStat.Metric.MetricName || point.time < start || point.time >= end || !sameDimensions(point)) continue
      const bucket = Math.floor(point.time / periodMs) * periodMs
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value])
    }
    const ascending = body.ScanBy === 'TimestampAscending'
    const all = [...buckets.entries()].sort(([a], [b]) => (ascending ? a - b : b - a)).map(([time, values]) => [time, statistic(MetricStat.Stat, values)] as const)
    const offset = Number(body.NextToken ?? 0)
    const page = all.slice(offset, offset + pageSize)
    const more = offset + pageSize < all.length
    return {
      MetricDataResults: [{ Id, Label: MetricStat.Metric.MetricName, Timestamps: page.map(([time]) => time / 1000), Values: page.map(([, value]) => value), StatusCode: more ? 'PartialData' : 'Complete' }],
      ...(more ? { NextToken: String(offset + pageSize) } : {}),
      Messages: [],
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const gzip = request.headers['content-encoding'] === 'gzip'
    const raw = gzip ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks)
    const target = String(request.headers['x-amz-target'] ?? '')
    const action = target.startsWith(TARGET) ? target.slice(TARGET.length) : ''
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {}
    const entry = { action, body, gzip, bytes: raw.length, problems: [] as string[] }
    requests.push(entry)
    try {
      if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-amz-json-1.0') throw new Answer(400, 'InvalidAction', 'expected a POST of application/x-amz-json-1.0')
      if (denied) throw new Answer(403, 'AccessDenied', `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:${action}`)
      if (throttled > 0) {
        throttled--
        throw new Answer(400, 'Throttling', 'Rate exceeded')
      }
      if (action === 'PutMetricData') {
        entry.problems = putMetricData(body, raw.length)
        if (entry.problems.length > 0) throw new Answer(400, 'InvalidParameterValue', entry.problems.join('; '))
        answer(response, 200, {})
        return
      }
      if (action === 'GetMetricData') {
        answer(response, 200, getMetricData(body))
        return
      }
      throw new Answer(400, 'InvalidAction', `the fake has no ${action || target}`)
    } catch (error) {
      if (!(error instanceof Answer)) throw error
      answer(response, error.status, { __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message }, { 'x-amzn-query-error': `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}` })
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => answer(response, 500, { __type: 'InternalFailure', message: String(error) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    env: { AWS_ENDPOINT_URL_CLOUDWATCH: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234', AWS_SECRET_ACCESS_KEY: 'fake/secret/for+modeltest+tests', AWS_EC2_METADATA_DISABLED: 'true' },
    requests,
    points,
    seed: (namespace, name, dimensions, seeded) => {
      for (const [time, value] of seeded) points.push({ namespace, name, dimensions, time: time.getTime(), value })
    },
    throttle: (n) => void (throttled += n),
    denyAll: () => void (denied = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function asciiText(text: unknown, limit: number): boolean {
  return typeof text === 'string' && text.length >= 1 && text.length <= limit && /^[\x20-\x7e]+$/.test(text) && text.trim() !== ''
}

/** CloudWatch's statistics of one period's values: Average, Sum, Minimum, Maximum, SampleCount, pNN (nearest rank). */
function statistic(stat: string, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (stat === 'Average') return values.reduce((sum, value) => sum + value, 0) / values.length
  if (stat === 'Sum') return values.reduce((sum, value) => sum + value, 0)
  if (stat === 'Minimum') return sorted[0]
  if (stat === 'Maximum') return sorted[sorted.length - 1]
  if (stat === 'SampleCount') return values.length
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat)
  if (percentile) return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1))]
  throw new Answer(400, 'InvalidParameterValue', `the fake does not compute ${stat}`)
}

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers })
  response.end(JSON.stringify(body))
}
