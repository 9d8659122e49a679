import { ModeltestError } from '../errors.js'
import { COMMON_OPTIONS, answerHelpOrVersion, numberOption, parseCommand, type OptionTable } from './options.js'
import type { SageMakerDeployOptions, TrafficType } from '../deploy/sagemaker.js'

const HELP = `modeltest deploy sagemaker: ship a model to a SageMaker endpoint, only when its modeltest report passed

Usage
  modeltest deploy sagemaker --report reports/modeltest.json --model <model file> --endpoint <name>
      --model-name <base> --image <ECR image URI> --upload s3://bucket/prefix --role <IAM role ARN> [options]

Required
  --report <path>           the modeltest JSON report; it must have passed and checked --model
  --model <path>            the model file the report checked (its content hash is compared)
  --endpoint <name>         the endpoint to create or update (e.g. sentiment-staging, then sentiment-prod)
  --model-name <base>       base of the versioned model/config names <base>-<hash 12>-<UTC time> (≤ 35 characters)
  --image <uri>             the inference container image
  --upload <s3 url>         s3://bucket/prefix: pack the tested model into model.tar.gz and upload it to
                            <prefix>/<model hash>/model.tar.gz (nothing is uploaded when it is there already)
  --model-data <s3 url>     instead of --upload: the model artifact SageMaker loads; the model inside it (the
                            hash in its metadata, else the archive's files) must be the one the report checked
  --role <arn>              the execution role SageMaker assumes

Options
  --instance-type <type>    default ml.m5.large
  --instance-count <n>      default 1
  --variant <name>          the production variant (default AllTraffic)
  --beside <name>           variant mode: keep the model serving now as this variant (blue) and add the new one as
                            --variant (green) with --weight of the traffic; modeltest canary --variant green then
                            moves the weights forward or back (no --traffic or --alarms with it)
  --weight <x>              with --beside: the new variant's share of the traffic at first (default 0.1)
  --env KEY=VALUE           a container environment variable (repeatable; values are never printed)
  --traffic <shift>         all-at-once (default), canary or linear: how an update moves traffic (blue/green)
  --canary-size <percent>   canary: the first step's share of capacity (1–50, default 10)
  --linear-step <percent>   linear: each step's share of capacity (10–50, default 20)
  --wait <seconds>          between traffic steps, alarms watched (default 300)
  --termination-wait <s>    the old fleet stays this long after the shift (default 120)
  --max-timeout <seconds>   SageMaker's limit on the update (600–28800, default 1800)
  --alarms <a,b>            CloudWatch alarms that roll the update back (comma-separated, or the flag repeated)
  --keep <n>                versions of models/configs kept besides the live and previous (default 3)
  --region <region>         default: AWS_REGION or the profile's
  --request-timeout <ms>    each AWS request's limit, connection included (default 30000): a SageMaker that does
                            not answer ends the deploy with a timeout error instead of hanging it
  --timeout <seconds>       how long to wait for the endpoint (default 3600)
  --poll <seconds>          between status checks (default 15)
  --override-gate           deploy without a passed report (emergencies; logged loudly)
  -h, --help                this help

Credentials come from the standard AWS chain (environment, profile, OIDC web identity, instance role); they are
never printed. Exit status: 0 deployed; 1 rolled back or failed (with SageMaker's reason); 2 a usage error, the
gate refused, or SageMaker refused a request.
`

const TARGETS = ['sagemaker']

const SAGEMAKER_OPTIONS = {
  ...COMMON_OPTIONS,
  report: { type: 'value' },
  model: { type: 'value' },
  endpoint: { type: 'value' },
  'model-name': { type: 'value' },
  image: { type: 'value' },
  'model-data': { type: 'value' },
  upload: { type: 'value' },
  role: { type: 'value' },
  'instance-type': { type: 'value' },
  'instance-count': { type: 'value' },
  variant: { type: 'value' },
  beside: { type: 'value' },
  weight: { type: 'value' },
  env: { type: 'repeated' },
  traffic: { type: 'value' },
  'canary-size': { type: 'value' },
  'linear-step': { type: 'value' },
  wait: { type: 'value' },
  'termination-wait': { type: 'value' },
  'max-timeout': { type: 'value' },
  alarms: { type: 'list' },
  keep: { type: 'value' },
  region: { type: 'value' },
  'request-timeout': { type: 'value' },
  timeout: { type: 'value' },
  poll: { type: 'value' },
  'override-gate': { type: 'switch' },
} as const satisfies OptionTable
const REQUIRED = ['report', 'model', 'endpoint', 'model-name', 'image', 'role'] as const
/** Options of a blue/green traffic shift, which --beside does without. */
const SHIFT_OPTIONS = ['traffic', 'canary-size', 'linear-step', 'wait', 'termination-wait', 'max-timeout', 'alarms'] as const
const TRAFFIC: Record<string, TrafficType> = { 'all-at-once': 'ALL_AT_ONCE', canary: 'CANARY', linear: 'LINEAR' }

export interface DeployIO {
  stdout?: NodeJS.WritableStream
  /** Passed to deploySageMaker; tests make the waits instant. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/** `modeltest deploy <target> …`: 0 deployed, 1 rolled back or failed; usage errors and gate refusals throw a ModeltestError (exit 2). */
export async function runDeploy(argv: string[], io: DeployIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout
  if (argv.length === 0 || argv[0].startsWith('-')) {
    if (answerHelpOrVersion(argv.length === 0 ? ['--help'] : argv, HELP, stdout)) return 0
    throw usage(`modeltest deploy needs a target before its options, got '${argv[0]}'`, 'Write modeltest deploy sagemaker …; sagemaker is the one target so far.')
  }
  if (!TARGETS.includes(argv[0])) throw usage(`unknown deploy target '${argv[0]}'`, 'Write modeltest deploy sagemaker …; sagemaker is the one target so far.')
  const rest = argv.slice(1)
  if (answerHelpOrVersion(rest, HELP, stdout)) return 0
  const options = parseSageMaker(rest, (line) => stdout.write(line + '\n'), io)
  const { deploySageMaker } = await import('../deploy/sagemaker.js')
  const result = await deploySageMaker(options)
  if (result.outcome === 'deployed') {
    stdout.write(`modeltest deploy: ${result.endpointName} serves ${result.endpointConfigName}\n`)
    return 0
  }
  stdout.write(`modeltest deploy: ${result.outcome === 'rolled-back' ? `ROLLED BACK to ${result.previousConfigName}` : 'FAILED'}: ${result.failureReason ?? 'no reason given'}\n`)
  return 1
}

/** The options of `modeltest deploy sagemaker …`, checked; exported so that the example workflows are tested against it. */
export function parseSageMaker(argv: string[], log: (line: string) => void, io: DeployIO = {}): SageMakerDeployOptions {
  const { options: values } = parseCommand('deploy sagemaker', argv, SAGEMAKER_OPTIONS, { min: 0, max: 0, what: '', example: 'modeltest deploy sagemaker --report reports/modeltest.json --model … --endpoint …' })
  const environment: Record<string, string> = {}
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw usage(`--env takes KEY=VALUE, got '${pair.split('=')[0]}…'`)
    environment[pair.slice(0, at)] = pair.slice(at + 1)
  }
  const missing = REQUIRED.filter((name) => values[name] === undefined).map((name) => `--${name}`)
  if (values.upload === undefined && values['model-data'] === undefined) missing.push('--upload (or --model-data)')
  if (missing.length > 0) throw usage(`modeltest deploy sagemaker needs ${missing.join(', ')}`)
  if (values.upload !== undefined && values['model-data'] !== undefined)
    throw usage('--upload and --model-data both name the artifact', 'Give --upload s3://bucket/prefix to upload the tested model, or --model-data for an artifact already in S3.')
  if (values.beside !== undefined) {
    const shiftFlags = SHIFT_OPTIONS.filter((name) => values[name] !== undefined).map((name) => `--${name}`)
    if (shiftFlags.length > 0) throw usage(`--beside puts the new model beside the live one without a blue/green shift, so ${shiftFlags.join(', ')} do not apply`, 'Leave them out; modeltest canary --variant moves the traffic.')
  } else if (values.weight !== undefined) throw usage('--weight applies with --beside only')
  const trafficName = values.traffic ?? 'all-at-once'
  const type = TRAFFIC[trafficName]
  if (!type) throw usage(`--traffic '${trafficName}' is not a traffic shift`, 'Use --traffic all-at-once, canary or linear.')
  if (values['canary-size'] !== undefined && type !== 'CANARY') throw usage('--canary-size applies to --traffic canary only')
  if (values['linear-step'] !== undefined && type !== 'LINEAR') throw usage('--linear-step applies to --traffic linear only')
  return {
    region: values.region,
    requestTimeoutMs: numberOption('--request-timeout', values['request-timeout'], { atLeast: 1, whole: true }, 'deploy sagemaker'),
    endpointName: values.endpoint!,
    modelName: values['model-name']!,
    image: values.image!,
    modelDataUrl: values['model-data'],
    upload: values.upload,
    executionRoleArn: values.role!,
    instanceType: values['instance-type'] ?? 'ml.m5.large',
    initialInstanceCount: whole('--instance-count', values['instance-count']) ?? 1,
    variantName: values.variant,
    beside: values.beside !== undefined ? { variant: values.beside, weight: numberOption('--weight', values.weight, {}, 'deploy sagemaker') } : undefined,
    environment: Object.keys(environment).length > 0 ? environment : undefined,
    traffic:
      values.beside !== undefined
        ? undefined
        : {
            type,
            waitIntervalSeconds: whole('--wait', values.wait) ?? 300,
            canarySizePercent: type === 'CANARY' ? (whole('--canary-size', values['canary-size']) ?? 10) : undefined,
            linearStepPercent: type === 'LINEAR' ? (whole('--linear-step', values['linear-step']) ?? 20) : undefined,
          },
    terminationWaitSeconds: whole('--termination-wait', values['termination-wait']) ?? 120,
    maxExecutionTimeoutSeconds: whole('--max-timeout', values['max-timeout']) ?? 1800,
    alarms: values.alarms ?? [],
    keep: whole('--keep', values.keep) ?? 3,
    timeoutSeconds: whole('--timeout', values.timeout) ?? 3600,
    pollSeconds: whole('--poll', values.poll) ?? 15,
    log,
    gate: { report: values.report!, model: values.model!, override: values['override-gate'] ?? false },
    now: io.now,
    sleep: io.sleep,
  }
}

/** A flag's whole number, undefined when absent. The ranges are checked by deploySageMaker. */
function whole(flag: string, value: string | undefined): number | undefined {
  return numberOption(flag, value, { atLeast: 0, whole: true }, 'deploy sagemaker')
}

function usage(what: string, fix = 'See modeltest deploy sagemaker --help.'): ModeltestError {
  return new ModeltestError({ what, fix })
}
