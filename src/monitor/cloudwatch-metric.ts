import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { makeCheck, relationFor, formatAgainst, formatThreshold, type CheckRecord, type Comparator } from '../checks/record.js'
import { ModeltestError } from '../errors.js'
import { checkChoice, checkNumber, checkOptionKeys, describeValue } from '../guard.js'
import { cloudWatch, cloudWatchCall } from './cloudwatch.js'

/** What `cloudwatch.metric()` reads: one metric's statistic per period, over a time range. */
export interface MetricQuery {
  /** `AWS/SageMaker`, or the namespace modeltest published to (`--cloudwatch-namespace`). */
  namespace: string
  /** `ModelLatency`, `Invocation5XXErrors`, `Invocations`, `CheckValue`, … */
  name: string
  /** Matched exactly, as CloudWatch does: `{ EndpointName: 'sentiment-prod', VariantName: 'AllTraffic' }`. */
  dimensions?: Record<string, string>
  /** `Average` (default), `Sum`, `Minimum`, `Maximum`, `SampleCount`, or a percentile `p99`. */
  stat?: string
  /** Seconds of one data point: 60 or a multiple of it (or 1, 5, 10, 30 for high-resolution metrics); default 300. */
  period?: number
  /** The start: a Date, an ISO time, or a span back from `until` (`7d`, `24h`, `30m`). */
  since: Date | string
  /** The end: a Date or an ISO time (default now). */
  until?: Date | string
  region?: string
  requestTimeoutMs?: number
  client?: CloudWatchClient
}

/** A metric's data points over a period, oldest first, and the query that read them (its record names it). */
export interface MetricSeries {
  format: 'cloudwatch-metric'
  namespace: string
  name: string
  dimensions: Record<string, string>
  stat: string
  period: number
  since: string
  until: string
  timestamps: string[]
  values: number[]
}

const QUERY_KEYS = ['namespace', 'name', 'dimensions', 'stat', 'period', 'since', 'until', 'region', 'requestTimeoutMs', 'client']
const STATS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']
const SPAN = /^(\d+(?:\.\d+)?)([mhd])$/
const SPAN_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * One metric's data points from CloudWatch GetMetricData, every page of it (NextToken), oldest first:
 *
 *     const latency = await cloudwatch.metric({ namespace: 'AWS/SageMaker', name: 'ModelLatency', stat: 'p99',
 *       dimensions: { EndpointName: 'sentiment-prod', VariantName: 'AllTraffic' }, period: 3600, since: '7d' })
 *     await expect(latency).toHaveMetricBelow(200_000)   // µs, as SageMaker reports ModelLatency
 */
export async function cloudWatchMetric(query: MetricQuery): Promise<MetricSeries> {
  const where = 'cloudwatch.metric()'
  checkOptionKeys(query, QUERY_KEYS, where)
  if (query === undefined) throw new ModeltestError({ what: `${where} needs a query`, fix: "Write cloudwatch.metric({ namespace: 'AWS/SageMaker', name: 'ModelLatency', dimensions, since: '7d' })." })
  for (const key of ['namespace', 'name'] as const) {
    if (typeof query[key] !== 'string' || query[key] === '')
      throw new ModeltestError({ what: `${where}: ${key} must be a non-empty string, got ${describeValue(query[key])}`, fix: "Write { namespace: 'AWS/SageMaker', name: 'ModelLatency', … }." })
  }
  const dimensions = query.dimensions ?? {}
  if (typeof dimensions !== 'object' || Array.isArray(dimensions) || Object.values(dimensions).some((value) => typeof value !== 'string' || value === '')) {
    throw new ModeltestError({ what: `${where}: dimensions must map names to non-empty strings, got ${describeValue(dimensions)}`, fix: "Write dimensions: { EndpointName: 'sentiment-prod', VariantName: 'AllTraffic' }." })
  }
  const stat = query.stat ?? 'Average'
  if (!STATS.includes(stat) && !/^p(\d{1,2}(\.\d+)?|100)$/.test(stat)) checkChoice(stat, STATS, 'stat', `${where} (or a percentile: p50, p99, p99.9)`)
  const period = checkNumber(query.period ?? 300, 'period', where, { min: 1, whole: true })
  if (period >= 60 ? period % 60 !== 0 : ![1, 5, 10, 30].includes(period))
    throw new ModeltestError({ what: `${where}: period ${period} s is not one CloudWatch takes`, fix: 'Give 60 or a multiple of it (seconds); 1, 5, 10 or 30 for high-resolution metrics.' })
  const until = instant(query.until ?? new Date(), 'until', where)
  const since = typeof query.since === 'string' && SPAN.test(query.since) ? new Date(until.getTime() - spanMs(query.since)) : instant(query.since, 'since', where)
  if (!(since < until)) throw new ModeltestError({ what: `${where}: since (${since.toISOString()}) is not before until (${until.toISOString()})`, fix: "Give since: '7d' (a span back from until), or an earlier time." })

  const { sdk, send } = await cloudWatch(query)
  const points: [number, number][] = []
  const described = `${query.namespace} ${query.name}`
  let nextToken: string | undefined
  do {
    const page = await cloudWatchCall('GetMetricData', `metric ${described}`, () =>
      send(
        new sdk.GetMetricDataCommand({
          MetricDataQueries: [
            { Id: 'm0', MetricStat: { Metric: { Namespace: query.namespace, MetricName: query.name, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: stat }, ReturnData: true },
          ],
          StartTime: since,
          EndTime: until,
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      ),
    )
    for (const result of page.MetricDataResults ?? []) {
      if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
        throw new ModeltestError({
          what: `CloudWatch GetMetricData answered ${result.StatusCode}${result.Messages?.length ? `: ${result.Messages.map((message) => message.Value).join('; ')}` : ''}`,
          where: `metric ${described}`,
          fix: result.StatusCode === 'Forbidden' ? 'Check that the job may call cloudwatch:GetMetricData.' : 'Run again.',
        })
      }
      ;(result.Timestamps ?? []).forEach((time, i) => points.push([new Date(time).getTime(), result.Values?.[i] ?? Number.NaN]))
    }
    nextToken = page.NextToken || undefined
  } while (nextToken)
  points.sort((a, b) => a[0] - b[0])
  return {
    format: 'cloudwatch-metric',
    namespace: query.namespace,
    name: query.name,
    dimensions: { ...dimensions },
    stat,
    period,
    since: since.toISOString(),
    until: until.toISOString(),
    timestamps: points.map(([time]) => new Date(time).toISOString()),
    values: points.map(([, value]) => value),
  }
}

export function isMetricSeries(value: unknown): value is MetricSeries {
  return typeof value === 'object' && value !== null && (value as MetricSeries).format === 'cloudwatch-metric'
}

function instant(value: unknown, key: string, where: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime()))
    throw new ModeltestError({ what: `${where}: ${key} must be a Date, an ISO time or a span like '7d', got ${describeValue(value)}`, fix: `Write ${key}: '2026-11-23T00:00:00Z'${key === 'since' ? " or since: '7d'" : ''}.` })
  return date
}

function spanMs(span: string): number {
  const [, amount, unit] = SPAN.exec(span)!
  return Number(amount) * SPAN_MS[unit]
}

/** How the data points of the period become the one value compared: their largest, smallest, mean, or the last. */
export type MetricReduce = 'max' | 'min' | 'mean' | 'last'
const REDUCES: readonly MetricReduce[] = ['max', 'min', 'mean', 'last']

export interface MetricCheckOptions {
  /** Default: `max` for toHaveMetricBelow (every period below), `min` for toHaveMetricAbove (every period above). */
  reduce?: MetricReduce
}

/**
 * A CloudWatch metric over its period against a limit: `below` requires reduce(values) ≤ limit, `above`
 * reduce(values) ≥ limit; by default every data point must hold (max for below, min for above). A period
 * without data points fails, saying so: CloudWatch matches dimensions exactly, and a misspelt one reads nothing.
 */
export function cloudWatchMetricCheck(series: MetricSeries, limit: number, direction: 'below' | 'above', options: MetricCheckOptions = {}, negate = false): CheckRecord {
  const matcher = direction === 'below' ? 'toHaveMetricBelow' : 'toHaveMetricAbove'
  checkOptionKeys(options, ['reduce'], matcher)
  checkNumber(limit, direction === 'below' ? 'max' : 'min', matcher)
  const reduce = checkChoice(options.reduce, REDUCES, 'reduce', matcher) ?? (direction === 'below' ? 'max' : 'min')
  const values = series.values.filter((value) => Number.isFinite(value))
  const dimensions = Object.entries(series.dimensions).map(([name, value]) => `${name}=${value}`)
  const title = `${series.namespace} ${series.name} (${series.stat} per ${series.period} s${dimensions.length ? `, ${dimensions.join(', ')}` : ''})`
  const range = `${series.since} – ${series.until}`
  const comparator: Comparator = direction === 'below' ? '<=' : '>='
  const details = { namespace: series.namespace, metric: series.name, dimensions: series.dimensions, stat: series.stat, period: series.period, since: series.since, until: series.until, reduce }
  const spec = { name: `cloudwatch_${series.name}`, kind: 'deploy' as const, threshold: limit, comparator, n: values.length }
  if (values.length === 0) {
    return makeCheck({ ...spec, actual: Number.NaN, message: `${title} has no data points in ${range}: nothing to compare with ${formatThreshold(limit)}`, details: { ...details, measured: false } }, negate)
  }
  const actual =
    reduce === 'max' ? values.reduce((a, b) => Math.max(a, b)) : reduce === 'min' ? values.reduce((a, b) => Math.min(a, b)) : reduce === 'mean' ? values.reduce((sum, value) => sum + value, 0) / values.length : values[values.length - 1]
  return makeCheck(
    {
      ...spec,
      actual,
      message: `${title} ${reduce} ${formatAgainst(actual, limit)} ${relationFor(actual, limit, comparator)} ${formatThreshold(limit)} (n=${values.length} data ${values.length === 1 ? 'point' : 'points'}, ${range})`,
      details,
    },
    negate,
  )
}
