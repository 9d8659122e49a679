import { resolve } from 'node:path'
import { buildReport, type TestOutcome } from '../report.js'
import type { CheckRecord } from '../checks/record.js'
import { dataset } from '../data/load.js'
import { ModeltestError, isModeltestError } from '../errors.js'
import { canaryChecks, endpointVariants, sendTraffic, shiftWeights, type CanaryThresholds, type TrafficOptions, type TrafficSample } from '../deploy/canary.js'
import { CANARY_ENDPOINT_VARIABLE, CANARY_VARIANT_VARIABLE, canaryRuntimeClient, sagemakerModel } from '../models/sagemaker.js'
import { modelSubject, datasetSubject } from '../checks/subjects.js'
import { findTestFiles } from './find-tests.js'
import { REPORT_OPTIONS, loadConfig, reportOptions, runVitest } from './main.js'
import { COMMON_OPTIONS, answerHelpOrVersion, numberOption, parseCommand, type OptionTable } from './options.js'
import type { NumberRange } from '../guard.js'
import { vitestOptions } from './vitest-options.js'
import { exitStatus, publish, publishToCloudWatch, type ReportOptions } from './publish.js'
import type { CloudWatchOptions } from '../monitor/cloudwatch.js'

const HELP = `modeltest canary: check a live SageMaker endpoint with your matchers and live traffic; in variant mode, promote or roll back

Usage
  modeltest canary --endpoint <name> --tests canary.modeltest.ts --data <rows file> [--variant green] [--duration 300] [options]

  --endpoint <name>          the endpoint (InService)
  --tests <path>             test files run against the live endpoint: model.sagemaker() in them is this endpoint
                             (and variant), so toMeetAccuracy, toHaveP95LatencyBelow, … check what is deployed
  --data <path>              rows sent during the traffic phase (CSV, JSON lines, Parquet, Arrow), one row a request
  --variant <name>           variant mode: the variant under test (green); every request targets a variant
  --baseline-variant <name>  what it is compared with (default: the endpoint's one other variant, blue)
  --duration <seconds>       length of the traffic phase (default 300)
  --rate <n>                 requests per second, all variants together (default 10)
  --concurrency <n>          requests in flight at most (default 4)
  --batch <n>                rows per request (default 1)
  --max-error-rate <x>       the largest share of failed invocations of the variant (default 0.01)
  --p95 <ms>, --p99 <ms>     latency limits of the variant, measured by this client
  --alpha <x>                variant mode: significance of the Mann-Whitney U test against the baseline (default 0.01)
  --max-slowdown <x>         variant mode: how much slower its median may be, 0.1 = 10% (default 0.1)
  --no-shift                 variant mode: leave the weights as they are
  --shift-timeout <seconds>  how long to wait for the new weights (default 600)
  --region <region>          default: AWS_REGION or the profile's
  --request-timeout <ms>     each AWS request's limit, connection included (default 30000); a traffic request
                             that runs out counts as a failed invocation (TimeoutError)
  --cloudwatch-namespace <ns>  publish the traffic checks to CloudWatch every --cloudwatch-round seconds during the
                             traffic phase, and every check at the end (CheckValue, CheckPassed, RunPassed)
  --cloudwatch-round <seconds>  how often the traffic phase publishes (default 60)
  --junit, --json, --html, --summary, --pr-comment <path>   reports (default reports/canary/junit.xml, modeltest.json,
                             modeltest.html)
  Options of vitest's own CLI (-t <pattern>, --reporter verbose) pass on to the test run; any other is refused.
  Every flag also takes --flag=value.

Steps: the test files run first; when they pass, traffic goes to the variant (and in turn to the baseline) for
--duration seconds, one attempt per request, so that no retry hides an error. The run passes when every test
and the error-rate, latency and comparison checks pass. In variant mode the weights then move forward (all
traffic to the variant) on a pass and back (all to the baseline) on a failure, with UpdateEndpointWeightsAndCapacities.

Exit status: 0 passed (and promoted); 1 failed (and rolled back); 2 a usage error or an endpoint that is not InService.
`

const CANARY_OPTIONS = {
  ...COMMON_OPTIONS,
  ...REPORT_OPTIONS,
  endpoint: { type: 'value' },
  tests: { type: 'value' },
  data: { type: 'value' },
  variant: { type: 'value' },
  'baseline-variant': { type: 'value' },
  duration: { type: 'value' },
  rate: { type: 'value' },
  concurrency: { type: 'value' },
  batch: { type: 'value' },
  'max-error-rate': { type: 'value' },
  p95: { type: 'value' },
  p99: { type: 'value' },
  alpha: { type: 'value' },
  'max-slowdown': { type: 'value' },
  'no-shift': { type: 'switch' },
  'shift-timeout': { type: 'value' },
  region: { type: 'value' },
  'request-timeout': { type: 'value' },
  poll: { type: 'value' },
  'cloudwatch-round': { type: 'value' },
} as const satisfies OptionTable

/** Rows sent during the traffic phase at most: enough variety for a canary, bounded memory for a big file. */
const MAX_TRAFFIC_ROWS = 10_000

export interface CanaryArguments {
  endpoint: string
  tests: string
  data: string
  variant?: string
  baselineVariant?: string
  durationSeconds: number
  ratePerSecond: number
  concurrency: number
  batch: number
  thresholds: CanaryThresholds
  shift: boolean
  shiftTimeoutSeconds: number
  pollSeconds: number
  region?: string
  requestTimeoutMs?: number
  /** Seconds of traffic between two publications of its checks to CloudWatch (with --cloudwatch-namespace). */
  cloudwatchRoundSeconds: number
  reports: ReportOptions
  config?: string
  /** vitest's own options, passed through (-t pattern, --reporter verbose). */
  vitest: string[]
}

/** The arguments of `modeltest canary`, checked; vitest's options (-t, --reporter) pass through to the test run. */
export async function parseCanary(argv: string[]): Promise<CanaryArguments> {
  const noPositionals = { min: 0, max: 0, what: '', example: 'modeltest canary --endpoint NAME --tests canary.modeltest.ts --data rows.jsonl' }
  const { options: values, passThrough } = parseCommand('canary', argv, CANARY_OPTIONS, noPositionals, await vitestOptions())
  const missing = (['endpoint', 'tests', 'data'] as const).filter((name) => values[name] === undefined).map((name) => `--${name}`)
  if (missing.length > 0) throw usage(`modeltest canary needs ${missing.join(', ')}`)
  if (values['baseline-variant'] !== undefined && values.variant === undefined) throw usage('--baseline-variant needs --variant (the variant compared with it)')
  if (values['cloudwatch-round'] !== undefined && values['cloudwatch-namespace'] === undefined) throw usage('--cloudwatch-round needs --cloudwatch-namespace (where the rounds are published)')
  const { config, ...reports } = reportOptions(values, 'canary')
  return {
    endpoint: values.endpoint!,
    tests: values.tests!,
    data: values.data!,
    variant: values.variant,
    baselineVariant: values['baseline-variant'],
    durationSeconds: number('--duration', values.duration, { above: 0 }) ?? 300,
    ratePerSecond: number('--rate', values.rate, { above: 0 }) ?? 10,
    concurrency: number('--concurrency', values.concurrency, { atLeast: 1, whole: true }) ?? 4,
    batch: number('--batch', values.batch, { atLeast: 1, whole: true }) ?? 1,
    thresholds: {
      maxErrorRate: number('--max-error-rate', values['max-error-rate'], { atLeast: 0, atMost: 1 }) ?? 0.01,
      p95Ms: number('--p95', values.p95, { above: 0 }),
      p99Ms: number('--p99', values.p99, { above: 0 }),
      alpha: number('--alpha', values.alpha, { above: 0, below: 1 }) ?? 0.01,
      maxSlowdown: number('--max-slowdown', values['max-slowdown'], { atLeast: 0 }) ?? 0.1,
    },
    shift: !values['no-shift'],
    shiftTimeoutSeconds: number('--shift-timeout', values['shift-timeout'], { atLeast: 1, whole: true }) ?? 600,
    pollSeconds: number('--poll', values.poll, { above: 0 }) ?? 5,
    region: values.region,
    requestTimeoutMs: number('--request-timeout', values['request-timeout'], { atLeast: 1, whole: true }),
    cloudwatchRoundSeconds: number('--cloudwatch-round', values['cloudwatch-round'], { above: 0 }) ?? 60,
    reports: { junit: 'reports/canary/junit.xml', json: 'reports/canary/modeltest.json', html: 'reports/canary/modeltest.html', ...reports },
    config,
    vitest: passThrough,
  }
}

/**
 * `modeltest canary …`: the user's matchers against the live endpoint, then live traffic with error-rate,
 * latency and (variant mode) Mann-Whitney checks, one report of both, and in variant mode the weights moved
 * forward or back. 0 passed, 1 failed.
 */
export async function runCanary(argv: string[]): Promise<number> {
  if (answerHelpOrVersion(argv.length === 0 ? ['--help'] : argv, HELP)) return 0
  const args = await parseCanary(argv)
  // Local inputs first: a wrong path should not wait for AWS.
  await findTestFiles([args.tests])
  const trafficData = await dataset(resolve(args.data))
  const log = (line: string) => process.stderr.write(line + '\n')
  const control = { region: args.region, requestTimeoutMs: args.requestTimeoutMs, log }
  const endpoint = await endpointVariants(args.endpoint, { ...control, variant: args.variant, baselineVariant: args.baselineVariant })
  const label = args.variant ? `variant ${args.variant} of ${args.endpoint}` : args.endpoint
  log(`canary: ${args.endpoint} serves ${endpoint.configName}: ${endpoint.variants.map((variant) => `${variant.name} (weight ${variant.weight})`).join(', ')}`)

  // The test files' model.sagemaker() reads these in vitest's workers, which inherit this environment.
  process.env[CANARY_ENDPOINT_VARIABLE] = args.endpoint
  process.env[CANARY_VARIANT_VARIABLE] = args.variant ?? ''
  if (args.region) process.env.AWS_REGION = args.region
  const { ModeltestReporter } = await import('./reporter.js')
  // The config's vitest options apply; its report paths are the model tests', which the canary must not overwrite.
  const { test: vitestConfig } = await loadConfig(args.config)
  const reporter = new ModeltestReporter({}, { hold: true })
  log(`canary: running ${args.tests} against ${label}`)
  await runVitest(args.vitest, [args.tests], vitestConfig, reporter)
  const run = reporter.run!
  const testsPassed = run.tests.length > 0 && run.tests.every((test) => test.state !== 'failed') && run.problems.length === 0

  const live = sagemakerModel(args.endpoint, { variant: args.variant, region: args.region })
  let roundsPublished = true
  const traffic: TestOutcome = { file: `sagemaker:${args.endpoint}`, name: `live traffic to ${label}`, state: 'skipped', durationMs: 0, errors: [], checks: [] }
  if (testsPassed) {
    const variants = args.variant ? [args.variant, endpoint.baselineVariant!] : undefined
    log(`canary: sending ${args.ratePerSecond} requests/s for ${args.durationSeconds} s to ${variants ? variants.join(' and ') : args.endpoint}`)
    const started = Date.now()
    const judge = (samples: TrafficSample[]) =>
      canaryChecks(samples, { endpointName: args.endpoint, variant: args.variant, baselineVariant: endpoint.baselineVariant, thresholds: args.thresholds, model: modelSubject(live), data: datasetSubject(trafficData) })
    const namespace = args.reports.cloudwatchNamespace
    try {
      const trafficOptions: TrafficOptions = {
        endpointName: args.endpoint,
        client: await canaryRuntimeClient(args.region, args.requestTimeoutMs),
        variants,
        rows: await trafficData.rows(0, MAX_TRAFFIC_ROWS),
        batch: args.batch,
        durationSeconds: args.durationSeconds,
        ratePerSecond: args.ratePerSecond,
        concurrency: args.concurrency,
        log,
      }
      const rounds = namespace ? await publishedRounds(trafficOptions, { namespace, roundSeconds: args.cloudwatchRoundSeconds, file: traffic.file, judge, log, aws: control }) : { samples: await sendTraffic(trafficOptions), published: true }
      roundsPublished = rounds.published
      traffic.checks = judge(rounds.samples)
      traffic.state = traffic.checks.every((check) => check.passed) ? 'passed' : 'failed'
    } catch (error) {
      // Traffic that cannot be judged (no request answered) fails the canary, which then rolls back.
      if (!isModeltestError(error)) throw error
      traffic.state = 'failed'
      traffic.errors = [error.message]
    }
    traffic.durationMs = Date.now() - started
  } else log('canary: the live traffic phase is skipped: the tests failed')

  const published = await publish(buildReport({ ...run, tests: [...run.tests, traffic], durationMs: Date.now() - run.startedAt.getTime() }), args.reports, reporter.root, control)
  const { report } = published

  if (args.variant && args.shift) {
    const baseline = endpoint.baselineVariant!
    const weights = report.passed ? { [args.variant]: 1, [baseline]: 0 } : { [args.variant]: 0, [baseline]: 1 }
    log(report.passed ? `canary: passed: moving all traffic forward to ${args.variant}` : `canary: FAILED: moving all traffic back to ${baseline}`)
    await shiftWeights(args.endpoint, weights, { ...control, timeoutSeconds: args.shiftTimeoutSeconds, pollSeconds: args.pollSeconds })
  }
  process.stdout.write(`modeltest canary: ${report.passed ? 'PASSED' : 'FAILED'}: ${label}${args.variant && args.shift ? (report.passed ? ' now takes all traffic' : ` rolled back to ${endpoint.baselineVariant}`) : ''}\n`)
  // A round that could not be published exits 2 like the run's own publication, after the verdict.
  return exitStatus({ ...published, unwritten: published.unwritten + (roundsPublished ? 0 : 1) })
}

/**
 * The traffic phase in rounds of `roundSeconds`: when a round ends, its traffic checks go to CloudWatch,
 * timestamped then, so that alarms (an AutoRollbackConfiguration's) watch the canary while it runs. Each
 * round sends the rows from where the last one stopped. Returns every round's samples, and false when a
 * round could not be published.
 */
async function publishedRounds(
  traffic: TrafficOptions,
  cloudwatch: { namespace: string; roundSeconds: number; file: string; judge: (samples: TrafficSample[]) => CheckRecord[]; log: (line: string) => void; aws: CloudWatchOptions },
): Promise<{ samples: TrafficSample[]; published: boolean }> {
  const samples: TrafficSample[] = []
  let published = true
  for (let elapsed = 0; elapsed < traffic.durationSeconds; elapsed += cloudwatch.roundSeconds) {
    const offset = (samples.length * (traffic.batch ?? 1)) % traffic.rows.length
    const rows = [...traffic.rows.slice(offset), ...traffic.rows.slice(0, offset)]
    const round = await sendTraffic({ ...traffic, rows, durationSeconds: Math.min(cloudwatch.roundSeconds, traffic.durationSeconds - elapsed) })
    samples.push(...round)
    let checks: CheckRecord[]
    try {
      checks = cloudwatch.judge(round)
    } catch (error) {
      // A round too short to reach the variant has nothing to publish; the whole phase is still judged.
      if (!isModeltestError(error)) throw error
      cloudwatch.log(`canary: round at ${elapsed} s not published: ${error.what}`)
      continue
    }
    published = (await publishToCloudWatch({ passed: checks.every((check) => check.passed), tests: [{ file: cloudwatch.file, checks }] }, cloudwatch.namespace, cloudwatch.aws)) && published
  }
  return { samples, published }
}

/** A canary flag's number, checked against its range; undefined when absent. */
function number(flag: string, value: string | undefined, range: NumberRange): number | undefined {
  return numberOption(flag, value, range, 'canary')
}

function usage(what: string): ModeltestError {
  return new ModeltestError({ what, fix: 'See modeltest canary --help.' })
}
