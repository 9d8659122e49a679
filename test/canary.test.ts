import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DescribeEndpointCommand, SageMakerClient, UpdateEndpointWeightsAndCapacitiesCommand, type DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, test } from 'vitest'
import { buildReport, mannWhitneyU, type Row } from '../src/index.js'
import { renderHtml, renderJUnit, renderMarkdown } from '../reporters/index.js'
import { canaryChecks, endpointVariants, sendTraffic, shiftWeights, type TrafficSample } from '../src/deploy/canary.js'
import { parseCanary } from '../src/cli/canary.js'
import { rejection, runCli, tempDir } from './helpers.js'

const ENDPOINT = 'penguins-prod'
const model = { name: `sagemaker:${ENDPOINT}/green`, hash: 'f'.repeat(64), runtime: 'http on sagemaker-runtime' }
const sm = mockClient(SageMakerClient)
const runtime = mockClient(SageMakerRuntimeClient)
afterEach(() => {
  sm.reset()
  runtime.reset()
})

/** Latency samples of a variant: `values` in ms, and `errors` failed invocations named `name`. */
function samples(variant: string | undefined, values: number[], errors = 0, name = 'ModelError'): TrafficSample[] {
  return [...values.map((ms) => ({ variant, ms })), ...Array.from({ length: errors }, () => ({ variant, ms: 5, error: name }))]
}
/** n values around `center` ms, spread evenly ±spread. */
const around = (center: number, n: number, spread = 2) => Array.from({ length: n }, (_, i) => center - spread + (2 * spread * i) / (n - 1))

function described(status: string, weights: Record<string, number>): DescribeEndpointCommandOutput {
  return {
    $metadata: {},
    EndpointName: ENDPOINT,
    EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${ENDPOINT}`,
    EndpointConfigName: 'penguins-blue-green',
    EndpointStatus: status as never,
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
    ProductionVariants: Object.entries(weights).map(([VariantName, CurrentWeight]) => ({ VariantName, CurrentWeight, DesiredWeight: CurrentWeight })),
  }
}
const control = () => {
  const lines: string[] = []
  return { client: new SageMakerClient({ region: 'us-east-1' }), log: (line: string) => lines.push(line), sleep: async () => {}, lines }
}

describe('canaryChecks: the verdict on live traffic', () => {
  test('passes a clean variant: error rate with a Wilson interval, p95 and p99 under their limits', () => {
    const checks = canaryChecks(samples(undefined, around(20, 200)), { endpointName: ENDPOINT, thresholds: { p95Ms: 50, p99Ms: 60 }, model })
    expect(checks.map((check) => [check.name, check.passed])).toEqual([
      ['canary_error_rate', true],
      ['canary_latency_p95', true],
      ['canary_latency_p99', true],
    ])
    expect(checks[0]).toMatchObject({ kind: 'deploy', actual: 0, threshold: 0.01, comparator: '<=', n: 200, interval: { low: 0, method: 'wilson' } })
    expect(checks[1].actual).toBeCloseTo(21.8, 1)
    expect(checks[1].plots?.[0]).toMatchObject({ type: 'histogram', unit: 'ms' })
  })

  test('fails an error rate above the limit and names the errors', () => {
    const [errorRate] = canaryChecks([...samples(undefined, around(20, 95), 3), ...samples(undefined, [], 2, 'TimeoutError')], { endpointName: ENDPOINT, model })
    expect(errorRate).toMatchObject({ passed: false, actual: 0.05, n: 100, details: { failed: 5, errors: { ModelError: 3, TimeoutError: 2 } } })
    expect(errorRate.message).toBe(`Error rate of ${ENDPOINT} 5.00% > 1.00% (5 of 100 invocations failed: 3 ModelError, 2 TimeoutError)`)
  })

  test('fails a p95 or p99 over its limit', () => {
    const checks = canaryChecks(samples(undefined, [...around(20, 90), ...around(300, 10)]), { endpointName: ENDPOINT, thresholds: { p95Ms: 100, p99Ms: 400 }, model })
    expect(checks.find((check) => check.name === 'canary_latency_p95')?.passed).toBe(false)
    expect(checks.find((check) => check.name === 'canary_latency_p99')?.passed).toBe(true)
  })

  test('variant mode: a green twice as slow as blue fails the one-sided Mann-Whitney comparison', () => {
    const traffic = [...samples('green', around(40, 60)), ...samples('blue', around(20, 60))]
    const compared = canaryChecks(traffic, { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model }).find((check) => check.name === 'canary_latency_vs_baseline')!
    const expected = mannWhitneyU(around(40, 60), around(20, 60), { alternative: 'greater' })
    expect(compared).toMatchObject({ passed: false, threshold: 1.1, significance: { pValue: expected.pValue, alpha: 0.01 }, details: { median: 40, baselineMedian: 20 } })
    expect(compared.actual).toBeCloseTo(2, 10)
    expect(compared.message).toMatch(/^Median latency of green 40\.0 ms = 2\.00× blue's 20\.0 ms, > 1\.10× allowed \(Mann-Whitney U 3600, one-sided p = .* < α 0\.01; 60 vs 60 invocations\)$/)
  })

  test('variant mode: no difference, or a significant one within the allowed slowdown, passes', () => {
    const same = canaryChecks([...samples('green', around(20, 60)), ...samples('blue', around(20, 60))], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model })
    expect(same.every((check) => check.passed)).toBe(true)
    // 5% slower with no overlap: significant, but within the 10% allowed.
    const slightly = canaryChecks([...samples('green', around(21, 60, 0.4)), ...samples('blue', around(20, 60, 0.4))], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model })
    const compared = slightly.find((check) => check.name === 'canary_latency_vs_baseline')!
    expect(compared.significance!.pValue).toBeLessThan(0.01)
    expect(compared.passed).toBe(true)
  })

  test('variant mode: three requests each cannot show a slowdown at α 0.01, and the record says so', () => {
    const compared = canaryChecks([...samples('green', [40, 41, 42]), ...samples('blue', [20, 21, 22])], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model }).at(-1)!
    // Exact test, n = 3 + 3: the smallest one-sided p is 1/C(6,3) = 0.05.
    expect(compared.significance!.pValue).toBeCloseTo(0.05, 12)
    expect(compared.passed).toBe(true)
    expect(compared.warnings?.join(' ')).toMatch(/only 3 successful invocations of one variant/)
  })

  test('the error rate counts only the variant under test; blue errors are in the details', () => {
    const checks = canaryChecks([...samples('green', around(20, 50)), ...samples('blue', around(20, 40), 10)], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model })
    expect(checks[0]).toMatchObject({ passed: true, n: 50 })
    expect(checks.at(-1)?.details).toMatchObject({ baselineErrors: 10, baselineInvocations: 40 })
  })

  test('the records render in every report: deploy checks with their histograms', () => {
    const checks = canaryChecks([...samples('green', around(40, 60)), ...samples('blue', around(20, 60))], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', thresholds: { p95Ms: 100 }, model })
    const report = buildReport({
      tests: [{ file: `sagemaker:${ENDPOINT}`, name: 'live traffic to variant green', state: 'failed', durationMs: 2000, errors: [], checks }],
      startedAt: new Date('2026-11-28T23:00:00Z'),
      durationMs: 2000,
      runtime: {},
    })
    const html = renderHtml(report)
    expect(html).toContain('Deploy checks')
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2)
    expect(renderJUnit(report)).toContain(`live traffic to variant green :: canary_latency_vs_baseline.pValue`)
    expect(renderMarkdown(report)).toMatch(/canary_latency_vs_baseline/)
  })

  test('no request reached the variant: an error, not a pass', () => {
    expect(() => canaryChecks(samples('blue', [10]), { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model })).toThrow(/no request reached variant green/)
    expect(() => canaryChecks(samples(undefined, [10]), { endpointName: ENDPOINT, thresholds: { maxErrorRate: 1.5 }, model })).toThrow(/error-rate limit must be in \[0, 1\)/)
  })
})

describe('canaryChecks: every record survives a variant whose every request failed', () => {
  test('the error rate is 100% with the errors counted; the latency limits and the comparison are failed records saying why', () => {
    const checks = canaryChecks([...samples('green', [], 3, 'TimeoutError'), ...samples('green', [], 2, 'HTTP 502'), ...samples('blue', around(20, 5))], {
      endpointName: ENDPOINT,
      variant: 'green',
      baselineVariant: 'blue',
      thresholds: { p95Ms: 100, p99Ms: 200 },
      model,
    })
    expect(checks.map((check) => [check.name, check.passed])).toEqual([
      ['canary_error_rate', false],
      ['canary_latency_p95', false],
      ['canary_latency_p99', false],
      ['canary_latency_vs_baseline', false],
    ])
    expect(checks[0]).toMatchObject({ actual: 1, n: 5, details: { failed: 5, errors: { TimeoutError: 3, 'HTTP 502': 2 } } })
    expect(checks[0].message).toBe('Error rate of variant green 100.00% > 1.00% (5 of 5 invocations failed: 3 TimeoutError, 2 HTTP 502)')
    expect(checks[1].message).toBe('P95 latency of variant green cannot be measured: all 5 invocations failed')
    expect(checks[3]).toMatchObject({ actual: Number.NaN, n: 0, details: { measured: false, baselineInvocations: 5, baselineErrors: 0 } })
    expect(checks[3].message).toBe("Median latency of green cannot be compared with blue's: all 5 invocations of green failed")
  })

  test('a baseline whose every request failed makes the comparison a failed record too', () => {
    const compared = canaryChecks([...samples('green', around(20, 5)), ...samples('blue', [], 4, 'ModelError')], { endpointName: ENDPOINT, variant: 'green', baselineVariant: 'blue', model }).at(-1)!
    expect(compared).toMatchObject({ name: 'canary_latency_vs_baseline', passed: false, details: { baselineInvocations: 4, baselineErrors: 4 } })
    expect(compared.message).toBe("Median latency of green cannot be compared with blue's: all 4 invocations of blue failed")
  })
})

describe('sendTraffic: one timed attempt per request, paced, to each variant in turn', () => {
  const rows: Row[] = [{ bill_length_mm: 39.1 }, { bill_length_mm: 46.5 }, { bill_length_mm: 50.0 }]

  test('sends rate × duration requests, alternating the variants, with the rows in turn', async () => {
    runtime.on(InvokeEndpointCommand).callsFake(async (input) => ({ Body: new TextEncoder().encode('{"predictions":[[1,0,0]]}'), InvokedProductionVariant: input.TargetVariant, $metadata: {} }))
    let time = 0
    const traffic = await sendTraffic({
      endpointName: ENDPOINT,
      client: new SageMakerRuntimeClient({ region: 'us-east-1' }),
      variants: ['green', 'blue'],
      rows,
      durationSeconds: 2,
      ratePerSecond: 5,
      now: () => time,
      sleep: async (ms) => void (time += ms),
    })
    expect(traffic).toHaveLength(10)
    expect(traffic.map((sample) => sample.variant)).toEqual(['green', 'blue', 'green', 'blue', 'green', 'blue', 'green', 'blue', 'green', 'blue'])
    const calls = runtime.commandCalls(InvokeEndpointCommand).map((call) => call.args[0].input)
    expect(calls.map((input) => input.TargetVariant)).toEqual(traffic.map((sample) => sample.variant))
    expect(calls.map((input) => JSON.parse(new TextDecoder().decode(input.Body as Uint8Array)).instances[0].bill_length_mm)).toEqual([39.1, 46.5, 50, 39.1, 46.5, 50, 39.1, 46.5, 50, 39.1])
  })

  test("a failed invocation is a sample with SageMaker's error name; nothing is retried", async () => {
    let call = 0
    runtime.on(InvokeEndpointCommand).callsFake(async () => {
      if (call++ % 2 === 1) throw Object.assign(new Error('Received server error (500) from primary'), { name: 'ModelError', $metadata: { httpStatusCode: 424 } })
      return { Body: new TextEncoder().encode('{"predictions":[[1]]}'), $metadata: {} }
    })
    let time = 0
    const traffic = await sendTraffic({ endpointName: ENDPOINT, client: new SageMakerRuntimeClient({ region: 'us-east-1' }), rows, durationSeconds: 1, ratePerSecond: 4, now: () => time, sleep: async (ms) => void (time += ms) })
    expect(traffic.map((sample) => sample.error)).toEqual([undefined, 'ModelError', undefined, 'ModelError'])
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(4)
  })

  test('a long canary says every 30 s how far it got', async () => {
    runtime.on(InvokeEndpointCommand).callsFake(async () => ({ Body: new TextEncoder().encode('{"predictions":[[1]]}'), $metadata: {} }))
    let time = 0
    const lines: string[] = []
    const traffic = await sendTraffic({
      endpointName: ENDPOINT,
      client: new SageMakerRuntimeClient({ region: 'us-east-1' }),
      rows,
      durationSeconds: 75,
      ratePerSecond: 2,
      now: () => time,
      sleep: async (ms) => void (time += ms),
      log: (line) => lines.push(line),
    })
    expect(traffic).toHaveLength(150)
    expect(lines).toEqual(['canary: 30 s of 75 s: 60 requests sent, 0 failed so far', 'canary: 60 s of 75 s: 120 requests sent, 0 failed so far'])
  })

  test('bad settings are errors', async () => {
    const client = new SageMakerRuntimeClient({ region: 'us-east-1' })
    await expect(sendTraffic({ endpointName: ENDPOINT, client, rows, durationSeconds: 0 })).rejects.toThrow(/duration must be positive/)
    await expect(sendTraffic({ endpointName: ENDPOINT, client, rows: [], durationSeconds: 1 })).rejects.toThrow(/no rows to send/)
    await expect(sendTraffic({ endpointName: ENDPOINT, client, rows, durationSeconds: 1, concurrency: 0 })).rejects.toThrow(/whole numbers ≥ 1/)
  })
})

describe('endpointVariants and shiftWeights', () => {
  test('finds the baseline variant: the one other variant', async () => {
    sm.on(DescribeEndpointCommand).resolves(described('InService', { blue: 1, green: 0 }))
    expect(await endpointVariants(ENDPOINT, { ...control(), variant: 'green' })).toMatchObject({
      baselineVariant: 'blue',
      variants: [
        { name: 'blue', weight: 1 },
        { name: 'green', weight: 0 },
      ],
    })
  })

  test('refuses an endpoint that is not InService, an unknown variant, and an ambiguous baseline', async () => {
    sm.on(DescribeEndpointCommand).resolves(described('Updating', { blue: 1, green: 0 }))
    expect((await rejection(endpointVariants(ENDPOINT, control()))).message).toMatch(/the endpoint is Updating, not InService/)
    sm.on(DescribeEndpointCommand).resolves(described('InService', { blue: 1, green: 0, red: 0 }))
    expect((await rejection(endpointVariants(ENDPOINT, { ...control(), variant: 'purple' }))).message).toMatch(/no variant 'purple'[\s\S]*'blue', 'green' and 'red'/)
    expect((await rejection(endpointVariants(ENDPOINT, { ...control(), variant: 'green' }))).message).toMatch(/several other variants[\s\S]*--baseline-variant/)
    expect(await endpointVariants(ENDPOINT, { ...control(), variant: 'green', baselineVariant: 'red' })).toMatchObject({ baselineVariant: 'red' })
    sm.on(DescribeEndpointCommand).resolves(described('InService', { AllTraffic: 1 }))
    expect((await rejection(endpointVariants(ENDPOINT, { ...control(), variant: 'AllTraffic' }))).message).toMatch(/only the variant AllTraffic: there is nothing to compare it with/)
  })

  test('shiftWeights updates the weights and waits until SageMaker reports them', async () => {
    sm.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({ EndpointArn: 'arn', $metadata: {} })
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(described('Updating', { blue: 1, green: 0 }))
      .resolvesOnce(described('InService', { blue: 1, green: 0 }))
      .resolves(described('InService', { blue: 0, green: 1 }))
    const options = control()
    await shiftWeights(ENDPOINT, { green: 1, blue: 0 }, options)
    expect(sm.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0].args[0].input).toEqual({
      EndpointName: ENDPOINT,
      DesiredWeightsAndCapacities: [
        { VariantName: 'green', DesiredWeight: 1 },
        { VariantName: 'blue', DesiredWeight: 0 },
      ],
    })
    expect(sm.commandCalls(DescribeEndpointCommand)).toHaveLength(3)
    expect(options.lines.at(-1)).toMatch(/serves with weights green 1, blue 0/)
  })

  test('shiftWeights retries throttling, and gives up after its timeout', async () => {
    sm.on(UpdateEndpointWeightsAndCapacitiesCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
      .resolves({ EndpointArn: 'arn', $metadata: {} })
    sm.on(DescribeEndpointCommand).resolves(described('Updating', { blue: 1, green: 0 }))
    let time = 0
    const options = { ...control(), now: () => time, sleep: async (ms: number) => void (time += ms), timeoutSeconds: 60, pollSeconds: 10 }
    expect((await rejection(shiftWeights(ENDPOINT, { green: 1, blue: 0 }, options))).message).toMatch(/did not reach the weights green 1, blue 0 within 1 min 00 s: it is Updating/)
    expect(sm.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(2)
    expect(options.lines[0]).toMatch(/throttling \(ThrottlingException\); attempt 2/)
  })
})

describe('modeltest canary: arguments', () => {
  const base = ['--endpoint', ENDPOINT, '--tests', 'canary.modeltest.ts', '--data', 'traffic.csv']

  test('defaults, and report files of its own', async () => {
    expect(await parseCanary(base)).toMatchObject({
      durationSeconds: 300,
      ratePerSecond: 10,
      concurrency: 4,
      batch: 1,
      shift: true,
      thresholds: { maxErrorRate: 0.01, alpha: 0.01, maxSlowdown: 0.1 },
      reports: { junit: 'reports/canary/junit.xml', json: 'reports/canary/modeltest.json', html: 'reports/canary/modeltest.html' },
      vitest: [],
    })
    expect(await parseCanary([...base, '--variant', 'green', '--duration=60', '--p95', '80', '--no-shift', '--json', 'out.json', '-t', 'accuracy'])).toMatchObject({
      variant: 'green',
      durationSeconds: 60,
      thresholds: { p95Ms: 80 },
      shift: false,
      reports: { json: 'out.json' },
      vitest: ['-t', 'accuracy'],
    })
  })

  test('a missing test file or data file stops it (exit 2) before any AWS call', async () => {
    const dir = await tempDir({ 'rows.csv': 'a\n1\n' })
    const noTests = await runCli(['canary', '--endpoint', ENDPOINT, '--tests', 'missing.modeltest.ts', '--data', 'rows.csv'], dir, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' })
    expect(noTests.code).toBe(2)
    expect(noTests.stderr).toContain("modeltest: the path 'missing.modeltest.ts' does not exist")
    await writeFile(join(dir, 'live.modeltest.ts'), '')
    const noData = await runCli(['canary', '--endpoint', ENDPOINT, '--tests', 'live.modeltest.ts', '--data', 'traffic.csv'], dir, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' })
    expect(noData.code).toBe(2)
    expect(noData.stderr).toMatch(/traffic\.csv/)
    expect(noData.stderr).not.toMatch(/DescribeEndpoint/)
  })

  test('usage errors say what is wrong', async () => {
    await expect(parseCanary(['--endpoint', ENDPOINT])).rejects.toThrow(/needs --tests, --data/)
    await expect(parseCanary([...base, '--duration', 'soon'])).rejects.toThrow(/--duration takes a number > 0, got 'soon'/)
    await expect(parseCanary([...base, '--max-error-rate', '2'])).rejects.toThrow(/--max-error-rate takes a number ≥ 0 and ≤ 1, got '2'/)
    await expect(parseCanary([...base, '--concurrency', '1.5'])).rejects.toThrow(/--concurrency takes a whole number ≥ 1/)
    await expect(parseCanary([...base, '--baseline-variant', 'blue'])).rejects.toThrow(/--baseline-variant needs --variant/)
    await expect(parseCanary([...base, '--variant'])).rejects.toThrow(/--variant needs a value/)
  })
})
