import type { CloudWatchClient, MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch'
import type { CheckRecord } from '../checks/record.js'
import { ModeltestError } from '../errors.js'
import { describeValue } from '../guard.js'
import { hashText } from '../hash.js'
import type { TestOutcome } from '../report.js'
import { awsFix, describeAwsError, keepErrorBodies } from '../deploy/aws-errors.js'
import { requestTimeouts } from '../deploy/http-timeouts.js'
import { retryReason, withRetries, type RetryOptions } from '../deploy/retry.js'

/**
 * Check results as CloudWatch metrics (PutMetricData), so that alarms (SageMaker's AutoRollbackConfiguration
 * among them) can watch modeltest's own checks. Every check gives two data points, with the dimensions
 * Check, TestFile and, when the check's subject is a SageMaker endpoint, Endpoint and Variant:
 *
 *   CheckValue   the check's actual value (its unit where CloudWatch has one; none when the value is not finite)
 *   CheckPassed  1 when the check passed, 0 when it failed
 *
 * and the run one, without dimensions: RunPassed, 1 or 0, the run's verdict.
 */

/** PutMetricData's limits (CloudWatch API reference, PutMetricData and Dimension). */
export const PUT_METRIC_DATA_LIMITS = {
  /** MetricData items in one request. */
  itemsPerRequest: 1000,
  /** The request's size; the JSON of the items is counted, with room left for the rest of the body. */
  bytesPerRequest: 1_000_000,
  /** Characters of a dimension value (ASCII only, at least one that is not a space). */
  dimensionValueLength: 1024,
  /** Characters of a namespace. */
  namespaceLength: 255,
} as const

/** Room in a request for what is not an item: the namespace, the brackets, the JSON keys. */
const REQUEST_ENVELOPE_BYTES = 2_000

/** Units of check records as CloudWatch names them; a unit not here is left out (CloudWatch's None). */
const UNITS: Record<string, StandardUnit> = { ms: 'Milliseconds', s: 'Seconds', MiB: 'Megabytes', MB: 'Megabytes', 'rows/s': 'Count/Second', '%': 'Percent' }

export interface CloudWatchOptions {
  /** The CloudWatch client; by default one for `region`, credentials from the standard provider chain. */
  client?: CloudWatchClient
  region?: string
  /** Milliseconds one request may take, connection included, before it fails with a TimeoutError (default 30 000). */
  requestTimeoutMs?: number
  /** Retries of throttled and failed requests (default: 6 attempts, backoff from 500 ms). */
  retry?: Omit<RetryOptions, 'onRetry'>
  /** Where retries are told (stderr by default). */
  log?: (line: string) => void
}

/** What a run (or a canary round) gives CloudWatch: its verdict and its tests' checks. */
export interface PublishedChecks {
  passed: boolean
  tests: Pick<TestOutcome, 'file' | 'checks'>[]
}

/**
 * A namespace CloudWatch takes for custom metrics: 1–255 ASCII characters, not beginning with `:` or `AWS/`
 * (reserved for AWS's own metrics).
 */
export function checkNamespace(namespace: unknown, where: string): string {
  if (typeof namespace !== 'string') throw new ModeltestError({ what: `a CloudWatch namespace must be a string, got ${describeValue(namespace)}`, where, fix: "Give a name like 'modeltest/sentiment-prod'." })
  const problem =
    namespace.length === 0 || namespace.length > PUT_METRIC_DATA_LIMITS.namespaceLength
      ? `it has ${namespace.length} characters, not 1–${PUT_METRIC_DATA_LIMITS.namespaceLength}`
      : /[^\x20-\x7e]/.test(namespace)
        ? 'it has characters that are not printable ASCII'
        : namespace.startsWith(':')
          ? 'it begins with a colon'
          : /^AWS\//i.test(namespace)
            ? 'AWS/ namespaces are reserved for AWS services'
            : undefined
  if (problem) throw new ModeltestError({ what: `'${namespace}' is not a CloudWatch namespace for custom metrics: ${problem}`, where, fix: 'Give a name like modeltest/sentiment-prod.' })
  return namespace
}

/**
 * A text as a CloudWatch dimension value: characters that are not printable ASCII become `?`, spaces around
 * are trimmed, an empty value becomes `-`, and a value over `limit` characters keeps its first limit − 9 and
 * ends with `~` and 8 hex digits of its SHA-256, so that long values stay apart.
 */
export function dimensionValue(text: string, limit: number = PUT_METRIC_DATA_LIMITS.dimensionValueLength): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').trim() || '-'
  return ascii.length <= limit ? ascii : `${ascii.slice(0, limit - 9)}~${hashText(text).slice(0, 8)}`
}

/** The endpoint and variant a check is about: its `details` (endpoint, variant), or its model when model.sagemaker() named it `sagemaker:<endpoint>[/<variant>]`. */
function checkEndpoint(check: CheckRecord): { endpoint?: string; variant?: string } {
  const details = check.details ?? {}
  if (typeof details.endpoint === 'string') return { endpoint: details.endpoint, variant: typeof details.variant === 'string' ? details.variant : undefined }
  const named = /^sagemaker:([^/]+)(?:\/(.+))?$/.exec(check.model?.name ?? '')
  return named ? { endpoint: named[1], variant: named[2] } : {}
}

/** The data points of a run's checks (see the top of this file), all at `timestamp`. */
export function checkMetricData(run: PublishedChecks, timestamp: Date): MetricDatum[] {
  const data: MetricDatum[] = [{ MetricName: 'RunPassed', Value: run.passed ? 1 : 0, Unit: 'None', Timestamp: timestamp }]
  for (const test of run.tests) {
    for (const check of test.checks) {
      const { endpoint, variant } = checkEndpoint(check)
      const dimensions = [
        { Name: 'Check', Value: dimensionValue(check.name) },
        { Name: 'TestFile', Value: dimensionValue(test.file) },
        ...(endpoint ? [{ Name: 'Endpoint', Value: dimensionValue(endpoint) }] : []),
        ...(variant ? [{ Name: 'Variant', Value: dimensionValue(variant) }] : []),
      ]
      // CloudWatch refuses NaN and infinities: a check that measured nothing has only its verdict.
      if (Number.isFinite(check.actual)) data.push({ MetricName: 'CheckValue', Dimensions: dimensions, Value: check.actual, Unit: (check.unit && UNITS[check.unit]) || 'None', Timestamp: timestamp })
      data.push({ MetricName: 'CheckPassed', Dimensions: dimensions, Value: check.passed ? 1 : 0, Unit: 'None', Timestamp: timestamp })
    }
  }
  return data
}

/** Data points in requests within PutMetricData's limits: at most 1,000 items and 1 MB each, in order. */
export function metricRequests(data: MetricDatum[]): MetricDatum[][] {
  const requests: MetricDatum[][] = []
  let current: MetricDatum[] = []
  let bytes = REQUEST_ENVELOPE_BYTES
  for (const datum of data) {
    // The JSON text overestimates the wire form: dates are ISO strings here, epoch seconds there.
    const size = JSON.stringify(datum).length + 1
    if (current.length === PUT_METRIC_DATA_LIMITS.itemsPerRequest || (current.length > 0 && bytes + size > PUT_METRIC_DATA_LIMITS.bytesPerRequest)) {
      requests.push(current)
      current = []
      bytes = REQUEST_ENVELOPE_BYTES
    }
    current.push(datum)
    bytes += size
  }
  if (current.length > 0) requests.push(current)
  return requests
}

/**
 * Publishes a run's checks to CloudWatch under `namespace`, at `timestamp` (now by default), in as few
 * PutMetricData requests as its limits allow. A request that fails after its retries throws a ModeltestError
 * naming it; the requests before it stay published.
 */
export async function publishChecks(run: PublishedChecks, namespace: string, options: CloudWatchOptions & { timestamp?: Date } = {}): Promise<{ data: number; requests: number }> {
  checkNamespace(namespace, 'CloudWatch namespace')
  const data = checkMetricData(run, options.timestamp ?? new Date())
  const requests = metricRequests(data)
  const { sdk, send } = await cloudWatch(options)
  for (const [i, batch] of requests.entries()) {
    await cloudWatchCall('PutMetricData', `namespace ${namespace}, request ${i + 1} of ${requests.length}`, () => send(new sdk.PutMetricDataCommand({ Namespace: namespace, MetricData: batch })))
  }
  return { data: data.length, requests: requests.length }
}

type Sdk = typeof import('@aws-sdk/client-cloudwatch')

/** The SDK (imported here, when first needed) and a send that retries throttling and server errors. */
export async function cloudWatch(options: CloudWatchOptions): Promise<{ sdk: Sdk; send: CloudWatchClient['send'] }> {
  const sdk: Sdk = await import('@aws-sdk/client-cloudwatch')
  const client = options.client ?? keepErrorBodies(new sdk.CloudWatchClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 1, requestHandler: requestTimeouts(options.requestTimeoutMs) }))
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const send = withRetries<CloudWatchClient['send']>(client.send.bind(client), {
    ...options.retry,
    onRetry: ({ attempt, delayMs, error, reason }) => log(`cloudwatch: ${reason} (${describeAwsError(error).name}); attempt ${attempt + 1} in ${(delayMs / 1000).toFixed(1)} s`),
  })
  return { sdk, send }
}

/** A CloudWatch call whose failure becomes a ModeltestError: which call, what CloudWatch said (credentials taken out), what to do. */
export async function cloudWatchCall<T>(action: string, where: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    if (error instanceof ModeltestError) throw error
    const failure = describeAwsError(error)
    const fix = awsFix(failure, {
      timeout: 'Check the network path to CloudWatch (proxy, VPC endpoint, AWS_ENDPOINT_URL) and run again.',
      notJson: 'Something between modeltest and CloudWatch answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL): check it.',
      region: 'Set AWS_REGION (or give --region).',
      credentials: `Check the AWS credentials this job runs with and that they may call cloudwatch:${action}.`,
      otherwise: retryReason(error) === 'throttling' ? `CloudWatch kept throttling ${action}: run again later, or ask AWS for a higher ${action} quota.` : 'Check the value CloudWatch names above, and run again.',
    })
    throw new ModeltestError({ what: `CloudWatch ${action} failed: ${failure.text}`, where, fix })
  }
}
