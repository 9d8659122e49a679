import type { DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker'
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { histogramPlot } from '../checks/figures.js'
import { makeCheck, relationFor, formatPValue, type CheckRecord, type Subject } from '../checks/record.js'
import type { Row } from '../data/dataset.js'
import { ModeltestError, listNames } from '../errors.js'
import { percentiles } from '../metrics/percentile.js'
import { InvocationError, invokeEndpoint } from '../models/sagemaker.js'
import { mannWhitneyU } from '../stats/mann-whitney.js'
import { wilsonInterval } from '../stats/intervals.js'
import { pollUntil } from './poll.js'
import { sleepMs, type RetryOptions } from './retry.js'
import { errorName } from './aws-errors.js'
import { awsCall, controlPlane, duration, type Sdk, type Send } from './sagemaker/control.js'

/** A live endpoint's production variants, as DescribeEndpoint reports them. */
export interface EndpointVariants {
  endpointName: string
  configName?: string
  variants: { name: string; weight: number }[]
}

export interface ControlOptions {
  /** The SageMaker client; by default one for `region`, credentials from the standard provider chain. */
  client?: SageMakerClient
  region?: string
  /** Milliseconds one control-plane request may take, connection included, before it fails with a TimeoutError (default 30 000). */
  requestTimeoutMs?: number
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void
  /** Waits ms milliseconds; injectable for tests (it also paces the retries). */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  retry?: Omit<RetryOptions, 'sleep' | 'onRetry'>
}

/** The control plane, with retries and a log, and the SDK's command classes. */
async function connect(options: ControlOptions): Promise<{ sdk: Sdk; send: Send; log: (line: string) => void; sleep: (ms: number) => Promise<void>; now: () => number }> {
  const sdk: Sdk = await import('@aws-sdk/client-sagemaker')
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const sleep = options.sleep ?? sleepMs
  return { sdk, send: controlPlane(sdk, { ...options, log, sleep }), log, sleep, now: options.now ?? Date.now }
}

/**
 * The endpoint's variants, after checking it is InService: a canary needs a settled endpoint, and in variant
 * mode the variant under test and the one it is compared with. The baseline is the one other variant when
 * not named.
 */
export async function endpointVariants(endpointName: string, options: ControlOptions & { variant?: string; baselineVariant?: string } = {}): Promise<EndpointVariants & { baselineVariant?: string }> {
  const { sdk, send } = await connect(options)
  const state = await awsCall('DescribeEndpoint', endpointName, () => send(new sdk.DescribeEndpointCommand({ EndpointName: endpointName })))
  const where = `endpoint ${endpointName}`
  if (state.EndpointStatus !== 'InService') {
    throw new ModeltestError({ what: `the endpoint is ${state.EndpointStatus}, not InService`, where, fix: `Wait until it is InService (aws sagemaker wait endpoint-in-service --endpoint-name ${endpointName}), then run the canary.` })
  }
  const variants = (state.ProductionVariants ?? []).map((variant) => ({ name: variant.VariantName ?? '', weight: variant.CurrentWeight ?? 0 }))
  const names = variants.map((variant) => variant.name)
  const result = { endpointName, configName: state.EndpointConfigName, variants }
  if (options.variant === undefined) return result
  if (!names.includes(options.variant)) throw new ModeltestError({ what: `the endpoint has no variant '${options.variant}'`, where, fix: `Its variants are ${listNames(names)}.` })
  const others = names.filter((name) => name !== options.variant)
  if (options.baselineVariant !== undefined) {
    if (!others.includes(options.baselineVariant)) throw new ModeltestError({ what: `'${options.baselineVariant}' is not another variant of the endpoint`, where, fix: `Compare ${options.variant} with one of ${listNames(others)}.` })
    return { ...result, baselineVariant: options.baselineVariant }
  }
  if (others.length !== 1) {
    throw new ModeltestError({
      what: others.length === 0 ? `the endpoint has only the variant ${options.variant}: there is nothing to compare it with` : `the endpoint has several other variants (${listNames(others)})`,
      where,
      fix: others.length === 0 ? 'Leave --variant out to check the endpoint as a whole, or deploy a config with a blue and a green variant.' : 'Name the one to compare with: --baseline-variant NAME.',
    })
  }
  return { ...result, baselineVariant: others[0] }
}

/**
 * Sets the variants' weights with UpdateEndpointWeightsAndCapacities and waits (at most `timeoutSeconds`)
 * until the endpoint is InService with those weights. Weights are relative: { green: 1, blue: 0 } sends
 * all traffic to green.
 */
export async function shiftWeights(endpointName: string, weights: Record<string, number>, options: ControlOptions & { timeoutSeconds?: number; pollSeconds?: number } = {}): Promise<void> {
  const { sdk, send, log, sleep, now } = await connect(options)
  const wanted = Object.entries(weights)
  if (wanted.length === 0 || wanted.some(([, weight]) => !(weight >= 0))) throw new ModeltestError({ what: `weights ${JSON.stringify(weights)} are not non-negative numbers`, where: `endpoint ${endpointName}` })
  const text = wanted.map(([name, weight]) => `${name} ${weight}`).join(', ')
  await awsCall('UpdateEndpointWeightsAndCapacities', endpointName, () =>
    send(new sdk.UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: endpointName, DesiredWeightsAndCapacities: wanted.map(([VariantName, DesiredWeight]) => ({ VariantName, DesiredWeight })) })),
  )
  log(`canary: shifting ${endpointName}'s weights to ${text}`)
  const started = now()
  const deadline = started + (options.timeoutSeconds ?? 600) * 1000
  const describe = () => awsCall('DescribeEndpoint', endpointName, () => send(new sdk.DescribeEndpointCommand({ EndpointName: endpointName })))
  const reached = (state: DescribeEndpointCommandOutput) => {
    if (state.EndpointStatus === 'Failed' || state.EndpointStatus === 'UpdateRollbackFailed') {
      throw new ModeltestError({
        what: `the weight update left the endpoint ${state.EndpointStatus}${state.FailureReason ? ` (${state.FailureReason})` : ''}`,
        where: `endpoint ${endpointName}`,
        fix: 'Look at the endpoint in the SageMaker console.',
      })
    }
    const current = new Map((state.ProductionVariants ?? []).map((variant) => [variant.VariantName, variant.CurrentWeight]))
    return state.EndpointStatus === 'InService' && wanted.every(([name, weight]) => current.get(name) === weight)
  }
  const { state, settled } = await pollUntil(describe, reached, { now, sleep, deadline, intervalMs: (options.pollSeconds ?? 5) * 1000 })
  if (!settled) {
    throw new ModeltestError({
      what: `the endpoint did not reach the weights ${text} within ${duration(deadline - started)}: it is ${state.EndpointStatus}`,
      where: `endpoint ${endpointName}`,
      fix: `Check it with aws sagemaker describe-endpoint --endpoint-name ${endpointName}; set the weights by hand when it settles.`,
    })
  }
  log(`canary: ${endpointName} serves with weights ${text} (${duration(now() - started)})`)
}

/** One timed invocation of the canary's traffic. */
export interface TrafficSample {
  /** The variant the request targeted; undefined when SageMaker chose by weight. */
  variant?: string
  /** Milliseconds from the call to its answer (or its error). */
  ms: number
  /** SageMaker's error name (ModelError, ThrottlingException, TimeoutError, …) for a failed invocation. */
  error?: string
}

export interface TrafficOptions {
  endpointName: string
  /** The runtime client; `canaryRuntimeClient()` makes one attempt per invocation, so that no retry hides an error. */
  client: SageMakerRuntimeClient
  /** The variants requests go to, in turn (green, blue, green, …); none: SageMaker splits by weight. */
  variants?: string[]
  /** The rows sent, `batch` per request, in turn. */
  rows: Row[]
  batch?: number
  durationSeconds: number
  /** Requests per second, all variants together (default 10). */
  ratePerSecond?: number
  /** Requests in flight at most (default 4); when they are all slow, the schedule slips rather than piling up. */
  concurrency?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Told every 30 s of the schedule how many requests went out and how many of the answered ones failed. */
  log?: (line: string) => void
}

const PROGRESS_EVERY_MS = 30_000

/**
 * Sends live traffic for `durationSeconds`: request k is due at k / ratePerSecond seconds, goes to
 * `variants[k mod n]` (so that the compared variants see the same moments of load) with the next `batch`
 * rows, and is timed from the call to its answer. One attempt per request: a failure is a sample with its
 * error name, never retried.
 */
export async function sendTraffic(options: TrafficOptions): Promise<TrafficSample[]> {
  const batch = options.batch ?? 1
  const rate = options.ratePerSecond ?? 10
  const concurrency = options.concurrency ?? 4
  const where = `canary of ${options.endpointName}`
  if (!(options.durationSeconds > 0)) throw new ModeltestError({ what: `the duration must be positive, got ${options.durationSeconds} s`, where, fix: 'Give --duration 300 (seconds).' })
  if (!(rate > 0)) throw new ModeltestError({ what: `the request rate must be positive, got ${rate}/s`, where, fix: 'Give --rate 10 (requests per second).' })
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(concurrency) || concurrency < 1) throw new ModeltestError({ what: `batch (${batch}) and concurrency (${concurrency}) must be whole numbers ≥ 1`, where })
  if (options.rows.length === 0) throw new ModeltestError({ what: 'there are no rows to send', where, fix: 'Give --data a file with rows the model takes.' })
  const now = options.now ?? (() => performance.now())
  const sleep = options.sleep ?? sleepMs
  const targets = options.variants?.length ? options.variants : [undefined]
  const samples: TrafficSample[] = []
  const invoke = async (k: number) => {
    const rows = Array.from({ length: batch }, (_, i) => options.rows[(k * batch + i) % options.rows.length])
    const variant = targets[k % targets.length]
    const started = now()
    try {
      await invokeEndpoint(options.client, { endpointName: options.endpointName, variant, body: JSON.stringify({ instances: rows }) })
      samples.push({ variant, ms: now() - started })
    } catch (error) {
      samples.push({ variant, ms: now() - started, error: error instanceof InvocationError ? error.errorName : errorName(error) })
    }
  }
  const start = now()
  const end = start + options.durationSeconds * 1000
  const inFlight = new Set<Promise<void>>()
  let nextProgress = start + PROGRESS_EVERY_MS
  for (let k = 0; ; k++) {
    const due = start + (k * 1000) / rate
    if (due >= end) break
    if (due > now()) await sleep(due - now())
    if (options.log && now() >= nextProgress) {
      options.log(`canary: ${Math.round((now() - start) / 1000)} s of ${options.durationSeconds} s: ${k} requests sent, ${samples.filter((sample) => sample.error).length} failed so far`)
      nextProgress += PROGRESS_EVERY_MS
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight)
    const request: Promise<void> = invoke(k).finally(() => inFlight.delete(request))
    inFlight.add(request)
  }
  await Promise.all(inFlight)
  return samples
}

export interface CanaryThresholds {
  /** The largest share of failed invocations (default 0.01). */
  maxErrorRate?: number
  /** Latency limits in milliseconds, on successful invocations. */
  p95Ms?: number
  p99Ms?: number
  /** Variant mode: the significance level of the Mann-Whitney U test (default 0.01). */
  alpha?: number
  /** Variant mode: how much slower than the baseline the variant's median may be (default 0.1: 10%). */
  maxSlowdown?: number
}

/** Fewer successful invocations than this per variant make the latency comparison weak; the record says so. */
const FEW_SAMPLES = 20

/**
 * The canary's verdict on its traffic, as check records: the error rate of the variant under test (with a
 * Wilson interval), its p95 and p99 latency when limits are given, and in variant mode whether it is slower
 * than the baseline variant: a one-sided Mann-Whitney U test (H₁: its latencies tend to be larger), failing
 * only when p < alpha and its median exceeds the baseline's by more than `maxSlowdown`, so that neither a
 * lucky small sample nor a negligible but significant difference decides.
 */
export function canaryChecks(samples: TrafficSample[], options: { endpointName: string; variant?: string; baselineVariant?: string; thresholds?: CanaryThresholds; model: Subject; data?: Subject }): CheckRecord[] {
  const { variant, baselineVariant } = options
  const maxErrorRate = options.thresholds?.maxErrorRate ?? 0.01
  const alpha = options.thresholds?.alpha ?? 0.01
  const maxSlowdown = options.thresholds?.maxSlowdown ?? 0.1
  const where = `canary of ${options.endpointName}`
  if (!(maxErrorRate >= 0 && maxErrorRate < 1)) throw new ModeltestError({ what: `the error-rate limit must be in [0, 1), got ${maxErrorRate}`, where, fix: 'Give --max-error-rate 0.01.' })
  if (!(alpha > 0 && alpha < 1)) throw new ModeltestError({ what: `alpha must be in (0, 1), got ${alpha}`, where })
  if (!(maxSlowdown >= 0)) throw new ModeltestError({ what: `the allowed slowdown must be ≥ 0, got ${maxSlowdown}`, where })
  const tested = samples.filter((sample) => sample.variant === variant)
  const label = variant ? `variant ${variant}` : options.endpointName
  if (tested.length === 0) throw new ModeltestError({ what: `no request reached ${label} during the canary`, where, fix: 'Give a longer --duration or a higher --rate.' })
  const subjects = { model: options.model, ...(options.data ? { data: options.data } : {}) }

  const failures = tested.filter((sample) => sample.error !== undefined)
  const byError = countBy(failures.map((sample) => sample.error!))
  const errorRate = failures.length / tested.length
  const records: CheckRecord[] = [
    makeCheck({
      name: 'canary_error_rate',
      kind: 'deploy',
      actual: errorRate,
      threshold: maxErrorRate,
      comparator: '<=',
      n: tested.length,
      interval: wilsonInterval(failures.length, tested.length),
      message: `Error rate of ${label} ${(errorRate * 100).toFixed(2)}% ${relationFor(errorRate, maxErrorRate, '<=')} ${(maxErrorRate * 100).toFixed(2)}% (${failures.length} of ${tested.length} invocations failed${
        failures.length > 0
          ? `: ${Object.entries(byError)
              .map(([name, count]) => `${count} ${name}`)
              .join(', ')}`
          : ''
      })`,
      details: { failed: failures.length, invocations: tested.length, errors: byError },
      ...subjects,
    }),
  ]

  const latencies = tested.filter((sample) => sample.error === undefined).map((sample) => sample.ms)
  const [p50, p95, p99] = latencies.length > 0 ? percentiles(latencies, [50, 95, 99]) : []
  for (const [name, actual, limit] of [
    ['canary_latency_p95', p95, options.thresholds?.p95Ms],
    ['canary_latency_p99', p99, options.thresholds?.p99Ms],
  ] as const) {
    if (limit === undefined) continue
    const title = name === 'canary_latency_p95' ? 'P95' : 'P99'
    if (actual === undefined) {
      records.push(unmeasured({ name, threshold: limit, unit: 'ms', message: `${title} latency of ${label} cannot be measured: all ${tested.length} invocations failed`, subjects }))
      continue
    }
    records.push(
      makeCheck({
        name,
        kind: 'deploy',
        actual,
        threshold: limit,
        comparator: '<=',
        unit: 'ms',
        n: latencies.length,
        message: `${title} latency of ${label} ${actual.toFixed(1)} ms ${relationFor(actual, limit, '<=')} ${limit} ms (p50 ${p50.toFixed(1)}, p95 ${p95.toFixed(1)}, p99 ${p99.toFixed(1)} over ${latencies.length} invocations, measured by the client)`,
        details: { p50, p95, p99 },
        plots: [
          histogramPlot(
            `Latency of ${label} (client side)`,
            latencies,
            [
              { label: 'p50', value: p50 },
              { label: 'p95', value: p95 },
              { label: 'p99', value: p99 },
              { label: 'threshold', value: limit },
            ],
            'ms',
          ),
        ],
        ...subjects,
      }),
    )
  }

  if (baselineVariant !== undefined) {
    const baselineSamples = samples.filter((sample) => sample.variant === baselineVariant)
    const baseline = baselineSamples.filter((sample) => sample.error === undefined).map((sample) => sample.ms)
    const baselineErrors = baselineSamples.length - baseline.length
    if (latencies.length === 0 || baseline.length === 0) {
      // Without a successful invocation on both sides there is nothing to compare: a failed record says so, beside the error rate.
      const why =
        latencies.length === 0 ? `all ${tested.length} invocations of ${variant} failed` : baselineSamples.length === 0 ? `no request reached ${baselineVariant}` : `all ${baselineSamples.length} invocations of ${baselineVariant} failed`
      records.push(
        unmeasured({
          name: 'canary_latency_vs_baseline',
          threshold: 1 + maxSlowdown,
          unit: '×',
          message: `Median latency of ${variant} cannot be compared with ${baselineVariant}'s: ${why}`,
          details: { baselineInvocations: baselineSamples.length, baselineErrors },
          subjects,
        }),
      )
      return records
    }
    const test = mannWhitneyU(latencies, baseline, { alternative: 'greater' })
    const [median] = percentiles(latencies, [50])
    const [baselineMedian] = percentiles(baseline, [50])
    const ratio = median / baselineMedian
    const limit = 1 + maxSlowdown
    const warnings = Math.min(latencies.length, baseline.length) < FEW_SAMPLES ? [`only ${Math.min(latencies.length, baseline.length)} successful invocations of one variant: too few to tell small slowdowns; run the canary longer`] : []
    records.push(
      makeCheck({
        name: 'canary_latency_vs_baseline',
        kind: 'deploy',
        actual: ratio,
        threshold: limit,
        comparator: '<=',
        unit: '×',
        n: latencies.length,
        significance: { test: 'Mann-Whitney U, one-sided (variant slower)', pValue: test.pValue, alpha },
        message: `Median latency of ${variant} ${median.toFixed(1)} ms = ${ratio.toFixed(2)}× ${baselineVariant}'s ${baselineMedian.toFixed(1)} ms, ${relationFor(ratio, limit, '<=')} ${limit.toFixed(2)}× allowed (Mann-Whitney U ${test.statistic}, one-sided p = ${formatPValue(test.pValue, alpha)}${test.pValue < alpha ? ' <' : ' ≥'} α ${alpha}; ${latencies.length} vs ${baseline.length} invocations)`,
        details: { median, baselineMedian, statistic: test.statistic, method: test.method, baselineInvocations: baseline.length, baselineErrors },
        ...(warnings.length > 0 ? { warnings } : {}),
        plots: [
          histogramPlot(
            `Latency of ${variant} (the histogram) against ${baselineVariant}'s median`,
            latencies,
            [
              { label: `${baselineVariant} p50`, value: baselineMedian },
              { label: `${variant} p50`, value: median },
            ],
            'ms',
          ),
        ],
        ...subjects,
      }),
    )
  }
  return records
}

/** A failed record for a check that could not be made (its `actual` is NaN, `null` in the JSON report), saying why in its message. */
function unmeasured(spec: { name: string; threshold: number; unit: string; message: string; details?: Record<string, unknown>; subjects: { model: Subject; data?: Subject } }): CheckRecord {
  return makeCheck({ name: spec.name, kind: 'deploy', actual: Number.NaN, threshold: spec.threshold, comparator: '<=', unit: spec.unit, n: 0, message: spec.message, details: { measured: false, ...spec.details }, ...spec.subjects })
}

function countBy(names: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1
  return counts
}
