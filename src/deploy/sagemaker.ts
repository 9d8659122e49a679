import type { DeploymentConfig, DescribeEndpointCommandOutput, ProductionVariant, ProductionVariantInstanceType, SageMakerClient, Tag } from '@aws-sdk/client-sagemaker'
import { ModeltestError } from '../errors.js'
import { parseS3Url, testedArtifact, type ArtifactOptions } from './artifact.js'
import { describeAwsError, errorName, keepErrorBodies, redact, redactedMessage, setupProblem } from './aws-errors.js'
import { requirePassedReport } from './gate.js'
import { requestTimeouts } from './http-timeouts.js'
import { sleepMs, withRetries, type RetryOptions } from './retry.js'

export type TrafficType = 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR'

/** How traffic moves from the old fleet to the new one in a blue/green update (SageMaker's TrafficRoutingConfig). */
export interface TrafficShift {
  /** ALL_AT_ONCE: one step; CANARY: canarySizePercent first, the rest after the wait; LINEAR: linearStepPercent per step. */
  type: TrafficType
  /** Seconds between steps, during which the alarms are watched (0–3600). With ALL_AT_ONCE, the time the new fleet bakes before the old one goes. */
  waitIntervalSeconds: number
  /** CANARY: the share of capacity the first step moves, in percent (1–50; default 10). */
  canarySizePercent?: number
  /** LINEAR: the share of capacity each step moves, in percent (10–50; default 20). */
  linearStepPercent?: number
}

export interface SageMakerDeployOptions {
  /** The SageMaker client; by default one for `region`, with credentials from the standard provider chain (environment, profile, web identity, instance role). */
  client?: SageMakerClient
  /** The AWS region; by default the SDK's own lookup (AWS_REGION, the profile). */
  region?: string
  /** Milliseconds one control-plane request may take, connection included, before it fails with a TimeoutError (default 30 000). */
  requestTimeoutMs?: number
  /** The endpoint to create or update, e.g. `sentiment-staging` or `sentiment-prod`. */
  endpointName: string
  /** The base of the model and endpoint config names; each deploy adds `-<model hash 12>-<UTC yyyymmddhhmmss>` (so at most 35 characters). */
  modelName: string
  /** The inference container image (an ECR image URI). */
  image: string
  /**
   * The model artifact, `s3://bucket/…/model.tar.gz`. Before any SageMaker call, the model inside it (the hash in
   * its metadata, else the files in the archive) must be the model the gate passed. Give this or `upload`.
   */
  modelDataUrl?: string
  /** `s3://bucket/prefix`: pack the model the gate passed into model.tar.gz and upload it to `<prefix>/<model hash>/model.tar.gz` (once per model), and deploy that. */
  upload?: string
  /** The S3 client and multipart part size of the artifact upload and check. */
  s3?: Omit<ArtifactOptions, 'log' | 'region' | 'requestTimeoutMs'>
  /** The IAM role SageMaker assumes to pull the image and the artifact. */
  executionRoleArn: string
  /** e.g. `ml.m5.large`. */
  instanceType: string
  initialInstanceCount: number
  /** The production variant's name (default `AllTraffic`). */
  variantName?: string
  /**
   * Variant mode, for `modeltest canary --variant`: the new config keeps the model that serves now (the live
   * variant with the most weight) as the variant named here, with the rest of the traffic, and adds the new
   * model as `variantName` with `weight` of it (default 0.1). The update then shifts no traffic itself, so
   * `traffic` and the blue/green settings do not apply: the canary moves the weights forward or back.
   */
  beside?: { variant: string; weight?: number }
  /** Environment variables of the container. Never logged. */
  environment?: Record<string, string>
  /** How an update shifts traffic (default all at once, after 300 s of baking). A first deploy creates the endpoint and shifts nothing. */
  traffic?: TrafficShift
  /** Seconds the old fleet stays after the shift before SageMaker terminates it (0–3600; default 120). */
  terminationWaitSeconds?: number
  /** SageMaker's limit on the whole blue/green update (600–28 800 s; default 1800). */
  maxExecutionTimeoutSeconds?: number
  /** CloudWatch alarms that roll the update back when one fires during the shift (at most 10). */
  alarms?: string[]
  /** How many of this endpoint's model/config versions to keep, besides the live and the previous config (default 3). */
  keep?: number
  /** How long to wait for the endpoint to settle, in seconds (default 3600). */
  timeoutSeconds?: number
  /** Seconds between DescribeEndpoint polls (default 15). */
  pollSeconds?: number
  /** Where progress lines go (stderr by default). Lines never hold credentials. */
  log?: (line: string) => void
  /** The modeltest gate: the report that must have passed, and the model file it must have checked. */
  gate: { report: string; model: string; override?: boolean }
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number
  /** Waits ms milliseconds; injectable for tests (it also paces the retries). */
  sleep?: (ms: number) => Promise<void>
  /** Retry tuning of the control-plane calls (attempts, backoff, random). */
  retry?: Omit<RetryOptions, 'sleep' | 'onRetry'>
}

export interface SageMakerDeployResult {
  /** deployed: the endpoint serves the new config; rolled-back: SageMaker went back to the old config; failed: anything else. */
  outcome: 'deployed' | 'rolled-back' | 'failed'
  endpointName: string
  /** The config (and model) this deploy created. */
  endpointConfigName: string
  modelName: string
  /** The config the endpoint served before, undefined on a first deploy. */
  previousConfigName?: string
  failureReason?: string
  /** True when the wait ran out before the endpoint settled; the outcome is then 'failed' and SageMaker may still finish. */
  timedOut?: boolean
  modelHash: string
  gateOverridden: boolean
}

/** Tag keys on every model and endpoint config a deploy creates; the cleanup only ever deletes what carries this endpoint's tag. */
const TAG_ENDPOINT = 'modeltest:endpoint'
const TAG_MODEL_HASH = 'modeltest:model-hash'
const TAG_GATE = 'modeltest:gate'

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/
/** `-` + 12 hex + `-` + 14 digits. */
const SUFFIX_LENGTH = 28
const MAX_NAME = 63
const BASE_MAX = MAX_NAME - SUFFIX_LENGTH
/** The SDK, loaded when a deploy runs: `import 'modeltest'` stays fast for the test files that never deploy. */
export type Sdk = typeof import('@aws-sdk/client-sagemaker')

const SETTLED = new Set(['InService', 'Failed', 'UpdateRollbackFailed', 'OutOfService', 'Deleting'])

/**
 * Ships a model to a SageMaker real-time endpoint, behind the modeltest gate.
 *
 * 1. The gate (`requirePassedReport`): the report must have passed and checked this very model file; without
 *    it nothing is sent to AWS (unless `gate.override`, which is logged loudly).
 * 2. DescribeEndpoint: an endpoint that exists must be InService; one that is Updating, Creating or Failed is
 *    refused before anything is created.
 * 3. CreateModel and CreateEndpointConfig under one immutable, versioned name
 *    `<modelName>-<model hash 12>-<UTC yyyymmddhhmmss>`, tagged with the endpoint, the model hash and the gate.
 * 4. CreateEndpoint on a first deploy; else UpdateEndpoint with a blue/green DeploymentConfig (traffic shift,
 *    termination wait, execution limit) and, when alarms are given, AutoRollbackConfiguration.
 * 5. DescribeEndpoint every `pollSeconds` until the endpoint settles or `timeoutSeconds` pass. SageMaker ends
 *    an automatic rollback InService on the OLD config, so the outcome compares the config it serves with the
 *    new one: InService on the new config = deployed, InService on the previous one = rolled-back (with
 *    SageMaker's FailureReason), Failed = failed.
 * 6. Cleanup: of the versions of this base name tagged with this endpoint, the newest `keep`, the live and the
 *    previous config (and their models) stay; older ones are deleted. A cleanup error is only a warning.
 *    Nothing is cleaned after a timeout, when the endpoint's state is not known.
 *
 * Every control-plane call goes through `withRetries` (throttling and 5xx, full-jitter backoff); the default
 * client's own retries are off so that the two do not multiply.
 *
 * Staging and production are two endpoints of one flow: call deploySageMaker with the staging endpoint, and
 * with the production one only when staging's outcome is 'deployed' (the same model file and report pass the
 * gate twice). `deployStages` does exactly that; in CI the two calls are usually two jobs
 * (`modeltest deploy sagemaker --endpoint sentiment-staging …`, then `--endpoint sentiment-prod …` in a job
 * that needs the first), each with its own environment and credentials. The same base model name may serve
 * both: the cleanup tells their versions apart by the endpoint tag.
 */
export async function deploySageMaker(options: SageMakerDeployOptions): Promise<SageMakerDeployResult> {
  const settings = checkOptions(options)
  const sink = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const log = (line: string) => sink(redact(line))
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? sleepMs
  const endpoint = options.endpointName

  const gate = await requirePassedReport({ ...options.gate, log })
  const modelDataUrl = await testedArtifact(
    options,
    { model: options.gate.model, modelHash: gate.modelHash, override: options.gate.override ?? false },
    { ...options.s3, region: options.region, requestTimeoutMs: options.requestTimeoutMs, log },
  )
  const sdk: Sdk = await import('@aws-sdk/client-sagemaker')
  const { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, UpdateEndpointCommand } = sdk

  const send = controlPlane(sdk, { ...options, log, sleep })
  const call = <T>(action: string, request: () => Promise<T>): Promise<T> => awsCall(action, endpoint, request)
  const describe = () => call('DescribeEndpoint', () => send(new DescribeEndpointCommand({ EndpointName: endpoint })))

  const modelHash = gate.modelHash
  const version = `${options.modelName}-${modelHash.slice(0, 12)}-${stamp(now())}`
  const tags: Tag[] = [
    { Key: TAG_ENDPOINT, Value: endpoint },
    { Key: TAG_MODEL_HASH, Value: modelHash },
    { Key: TAG_GATE, Value: gate.overridden ? 'overridden' : 'passed' },
  ]

  const current = await findEndpoint(sdk, endpoint, send)
  if (current) refuseUnsettled(current)
  const previousConfigName = current?.EndpointConfigName
  const newVariant: ProductionVariant = { VariantName: settings.variantName, ModelName: version, InstanceType: options.instanceType as ProductionVariantInstanceType, InitialInstanceCount: options.initialInstanceCount }
  const variants = settings.beside ? await besideLive(settings.beside, newVariant, current, (name) => call('DescribeEndpointConfig', () => send(new sdk.DescribeEndpointConfigCommand({ EndpointConfigName: name })))) : [newVariant]

  const modelCreated = await call('CreateModel', () =>
    tolerateExisting(
      send(
        new CreateModelCommand({
          ModelName: version,
          PrimaryContainer: { Image: options.image, ModelDataUrl: modelDataUrl, ...(options.environment ? { Environment: options.environment } : {}) },
          ExecutionRoleArn: options.executionRoleArn,
          Tags: tags,
        }),
      ),
    ),
  )
  log(`sagemaker: created model ${version} (${options.image}, ${modelDataUrl})`)
  let configCreated = false
  // Only what this deploy's own calls created is deleted (a name that already existed may be another deploy's).
  /** A create or update whose failure deletes what this deploy created before it, rather than leaving it for a later cleanup. */
  const callOrUndo = <T>(action: string, request: () => Promise<T>): Promise<T> =>
    call(action, request).catch(async (error: unknown) => {
      await removeUnused({ sdk, send, log, endpoint, version, modelCreated, configCreated, failed: action })
      throw error
    })
  configCreated = await callOrUndo('CreateEndpointConfig', () =>
    tolerateExisting(
      send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: version,
          ProductionVariants: variants,
          Tags: tags,
        }),
      ),
    ),
  )
  log(
    `sagemaker: created endpoint config ${version} (${variants.map((variant) => `variant ${variant.VariantName}: ${variant.ModelName}, ${variant.InitialInstanceCount} × ${variant.InstanceType}${variants.length > 1 ? `, weight ${variant.InitialVariantWeight}` : ''}`).join('; ')})`,
  )

  const started = now()
  if (!current) {
    await callOrUndo('CreateEndpoint', () => send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: version, Tags: tags })))
    log(`sagemaker: creating endpoint ${endpoint} with ${version} (a first deploy: no blue/green shift, nothing to roll back to)`)
  } else {
    await callOrUndo('UpdateEndpoint', () => send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: version, ...(settings.beside ? {} : { DeploymentConfig: settings.deploymentConfig }) })))
    log(
      `sagemaker: updating endpoint ${endpoint} from ${previousConfigName} to ${version}: ${settings.beside ? `${settings.variantName} beside ${settings.beside.variant} with ${Number((settings.beside.weight * 100).toFixed(1))}% of the traffic; modeltest canary --variant ${settings.variantName} moves the rest` : describeShift(settings)}`,
    )
  }

  // Wait until the endpoint settles. Right after UpdateEndpoint, DescribeEndpoint may still answer InService on
  // the old config; that counts as a rollback only once the update was seen under way or SageMaker gave a reason.
  const deadline = started + settings.timeoutSeconds * 1000
  let lastStatus: string | undefined
  let lastLine = started
  let underway = !current
  let final: DescribeEndpointCommandOutput | undefined
  for (;;) {
    const state = await describe()
    const status = state.EndpointStatus ?? 'Unknown'
    const elapsed = now() - started
    if (status !== 'InService') underway = true
    if (status !== lastStatus || now() - lastLine >= 60_000) {
      log(`sagemaker: ${endpoint} ${status}${state.EndpointConfigName ? ` on ${state.EndpointConfigName}` : ''} (${duration(elapsed)})`)
      lastStatus = status
      lastLine = now()
    }
    const onNew = state.EndpointConfigName === version
    if (SETTLED.has(status) && (status !== 'InService' || onNew || underway || state.FailureReason)) {
      final = state
      break
    }
    const left = deadline - now()
    if (left <= 0) break
    await sleep(Math.min(settings.pollSeconds * 1000, left))
  }

  const base = { endpointName: endpoint, endpointConfigName: version, modelName: version, previousConfigName, modelHash, gateOverridden: gate.overridden }
  if (!final) {
    const failureReason = `gave up waiting after ${duration(settings.timeoutSeconds * 1000)}: the endpoint is still ${lastStatus ?? 'unknown'}; SageMaker may yet finish or roll back (see aws sagemaker describe-endpoint --endpoint-name ${endpoint})`
    log(`sagemaker: ${failureReason}; nothing cleaned up`)
    return { outcome: 'failed', ...base, failureReason, timedOut: true }
  }
  const result = judge(final, base)
  log(
    result.outcome === 'deployed'
      ? `sagemaker: deployed ${version} to ${endpoint} in ${duration(now() - started)}`
      : `sagemaker: ${result.outcome === 'rolled-back' ? `rolled back to ${final.EndpointConfigName}` : 'failed'}: ${result.failureReason}`,
  )

  const protect = [final.EndpointConfigName, previousConfigName].filter((name): name is string => !!name)
  try {
    await cleanUp({ sdk, send, log, base: options.modelName, endpoint, keep: settings.keep, protect })
  } catch (error) {
    log(`sagemaker: warning: cleanup stopped: ${errorName(error)}: ${(error as Error).message ?? error}`)
  }
  return result
}

/**
 * The SageMaker control plane's `send`, retried by `withRetries` (throttling and 5xx, with backoff; each retry
 * logged). The default client makes one attempt per call, since the SDK's own retries would multiply the
 * attempts, and times out every request.
 */
export function controlPlane(
  sdk: Sdk,
  options: { client?: SageMakerClient; region?: string; requestTimeoutMs?: number; log: (line: string) => void; sleep: (ms: number) => Promise<void>; retry?: Omit<RetryOptions, 'sleep' | 'onRetry'> },
): Send {
  const client = options.client ?? keepErrorBodies(new sdk.SageMakerClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 1, requestHandler: requestTimeouts(options.requestTimeoutMs) }))
  return withRetries(client.send.bind(client), {
    ...options.retry,
    sleep: options.sleep,
    onRetry: ({ attempt, delayMs, error, reason }) => options.log(`sagemaker: ${reason} (${describeAwsError(error).name}); attempt ${attempt + 1} in ${(delayMs / 1000).toFixed(1)} s`),
  })
}

/**
 * The variants of a config that puts the new model beside the one serving now: the live variant with the most
 * weight keeps its model, instances and the rest of the traffic under the name `beside.variant`.
 */
async function besideLive(
  beside: { variant: string; weight: number },
  newVariant: ProductionVariant,
  current: DescribeEndpointCommandOutput | undefined,
  describeConfig: (name: string) => Promise<{ ProductionVariants?: ProductionVariant[] }>,
): Promise<ProductionVariant[]> {
  if (!current?.EndpointConfigName) {
    throw new ModeltestError({ what: `the endpoint does not exist, so there is no live model to put ${newVariant.VariantName} beside`, where: 'deploy sagemaker', fix: 'Deploy the first model without --beside; later models go beside it.' })
  }
  const weights = new Map((current.ProductionVariants ?? []).map((variant) => [variant.VariantName, variant.CurrentWeight ?? 0]))
  const configured = (await describeConfig(current.EndpointConfigName)).ProductionVariants ?? []
  const live = [...configured].sort((a, b) => (weights.get(b.VariantName) ?? 0) - (weights.get(a.VariantName) ?? 0))[0]
  if (!live?.ModelName) throw new ModeltestError({ what: `the live config ${current.EndpointConfigName} has no variant with a model to keep`, where: `endpoint ${current.EndpointName}`, fix: 'Deploy without --beside.' })
  return [
    { VariantName: beside.variant, ModelName: live.ModelName, InstanceType: live.InstanceType, InitialInstanceCount: live.InitialInstanceCount, InitialVariantWeight: 1 - beside.weight },
    { ...newVariant, InitialVariantWeight: beside.weight },
  ]
}

/** What the settled endpoint says about this deploy. */
function judge(state: DescribeEndpointCommandOutput, base: Omit<SageMakerDeployResult, 'outcome'>): SageMakerDeployResult {
  const status = state.EndpointStatus
  const reason = state.FailureReason ? redact(state.FailureReason) : undefined
  if (status === 'InService' && state.EndpointConfigName === base.endpointConfigName) return { outcome: 'deployed', ...base }
  if (status === 'InService' && base.previousConfigName !== undefined && state.EndpointConfigName === base.previousConfigName)
    return { outcome: 'rolled-back', ...base, failureReason: reason ?? `SageMaker rolled ${base.endpointName} back to ${base.previousConfigName} without giving a reason (did an alarm fire?)` }
  if (status === 'InService') return { outcome: 'failed', ...base, failureReason: `${base.endpointName} now serves ${state.EndpointConfigName}, neither this deploy's config nor the previous one: did another deploy run at the same time?` }
  return { outcome: 'failed', ...base, failureReason: reason ?? `the endpoint is ${status} (SageMaker gave no reason)` }
}

/** A staging → production flow: each stage deploys to its endpoint; the next runs only when the previous was deployed. */
export interface Stage {
  /** A label for the log, e.g. `staging`. */
  name: string
  endpointName: string
  /** What differs in this stage: instance type and count, traffic shift, alarms, … */
  overrides?: Partial<Omit<SageMakerDeployOptions, 'endpointName' | 'gate'>>
}

/** Runs deploySageMaker for each stage in order, and stops after the first whose outcome is not 'deployed'. */
export async function deployStages(options: Omit<SageMakerDeployOptions, 'endpointName'>, stages: Stage[]): Promise<{ stage: string; result: SageMakerDeployResult }[]> {
  const results: { stage: string; result: SageMakerDeployResult }[] = []
  for (const stage of stages) {
    const result = await deploySageMaker({ ...options, ...stage.overrides, endpointName: stage.endpointName })
    results.push({ stage: stage.name, result })
    if (result.outcome !== 'deployed') break
  }
  return results
}

// ---------------------------------------------------------------------------------------------------------
// Options

interface Settings {
  variantName: string
  beside?: { variant: string; weight: number }
  traffic: Required<Pick<TrafficShift, 'type' | 'waitIntervalSeconds'>> & TrafficShift
  terminationWaitSeconds: number
  maxExecutionTimeoutSeconds: number
  alarms: string[]
  keep: number
  timeoutSeconds: number
  pollSeconds: number
  deploymentConfig: DeploymentConfig
}

function checkOptions(options: SageMakerDeployOptions): Settings {
  const bad = (what: string, fix: string) => new ModeltestError({ what, where: 'deploy sagemaker', fix })
  if (!options.gate?.report || !options.gate?.model) throw bad('no gate: the deploy needs the modeltest report and the model file it checked', 'Pass gate: { report: "reports/modeltest.json", model: "<the model file>" }.')
  const name = (label: string, value: string | undefined, max: number) => {
    if (!value || !NAME.test(value) || value.length > max) throw bad(`${label} '${value ?? ''}' is not a SageMaker name of at most ${max} characters`, 'Use letters, digits and hyphens; start and end with a letter or digit.')
  }
  name('the endpoint name', options.endpointName, MAX_NAME)
  name('the model name', options.modelName, BASE_MAX)
  const variantName = options.variantName ?? 'AllTraffic'
  name('the variant name', variantName, MAX_NAME)
  let beside: Settings['beside']
  if (options.beside) {
    name('the variant kept beside', options.beside.variant, MAX_NAME)
    if (options.beside.variant === variantName) throw bad(`the new variant and the one kept beside it are both named '${variantName}'`, 'Give them two names, e.g. --variant green --beside blue.')
    const weight = options.beside.weight ?? 0.1
    if (!(weight > 0 && weight < 1)) throw bad(`the new variant's weight must be between 0 and 1, got ${weight}`, 'Give the share of traffic it starts with, e.g. --weight 0.1.')
    if (options.traffic || options.alarms?.length)
      throw bad('--beside and a blue/green traffic shift (--traffic, --alarms) do not go together', 'With --beside, modeltest canary --variant moves the traffic; leave --traffic and --alarms out.')
    beside = { variant: options.beside.variant, weight }
  }
  if (!options.image) throw bad('no container image given', 'Give the ECR image URI, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4.')
  if ((options.modelDataUrl === undefined) === (options.upload === undefined))
    throw bad(
      options.upload === undefined ? 'no model artifact: neither modelDataUrl nor upload given' : 'both modelDataUrl and upload given',
      'Give upload: "s3://bucket/prefix" to let modeltest upload the tested model, or modelDataUrl: "s3://bucket/…/model.tar.gz" for an artifact already there.',
    )
  if (options.upload !== undefined) parseS3Url(options.upload, 'the upload location', true)
  else parseS3Url(options.modelDataUrl!, 'the model data', false)
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(options.executionRoleArn ?? '')) throw bad(`the execution role '${options.executionRoleArn ?? ''}' is not an IAM role ARN`, 'Give it as arn:aws:iam::123456789012:role/SageMakerExecution.')
  if (!/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(options.instanceType ?? '')) throw bad(`the instance type '${options.instanceType ?? ''}' is not a SageMaker instance type`, 'Give one such as ml.m5.large or ml.g5.xlarge.')
  const integer = (label: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < min || value > max) throw bad(`${label} must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'up' : max}, got ${value}`, 'Give a value in that range.')
    return value
  }
  integer('the instance count', options.initialInstanceCount, 1)
  const traffic = options.traffic ?? { type: 'ALL_AT_ONCE', waitIntervalSeconds: 300 }
  if (!['ALL_AT_ONCE', 'CANARY', 'LINEAR'].includes(traffic.type)) throw bad(`unknown traffic shift '${traffic.type}'`, "Use 'ALL_AT_ONCE', 'CANARY' or 'LINEAR'.")
  integer('the wait between traffic steps (seconds)', traffic.waitIntervalSeconds, 0, 3600)
  const canary = traffic.type === 'CANARY' ? integer('the canary size (percent)', traffic.canarySizePercent ?? 10, 1, 50) : undefined
  const step = traffic.type === 'LINEAR' ? integer('the linear step (percent)', traffic.linearStepPercent ?? 20, 10, 50) : undefined
  const terminationWaitSeconds = integer('the termination wait (seconds)', options.terminationWaitSeconds ?? 120, 0, 3600)
  const maxExecutionTimeoutSeconds = integer('the maximum execution timeout (seconds)', options.maxExecutionTimeoutSeconds ?? 1800, 600, 28_800)
  if (maxExecutionTimeoutSeconds <= traffic.waitIntervalSeconds + terminationWaitSeconds)
    throw bad(
      `the maximum execution timeout (${maxExecutionTimeoutSeconds} s) must exceed the traffic wait plus the termination wait (${traffic.waitIntervalSeconds + terminationWaitSeconds} s)`,
      'Raise the execution timeout or shorten the waits.',
    )
  const alarms = options.alarms ?? []
  if (alarms.length > 10) throw bad(`${alarms.length} alarms given; SageMaker watches at most 10`, 'Combine alarms into a composite alarm.')
  if (alarms.some((alarm) => !alarm || alarm.length > 255)) throw bad('an alarm name is empty or longer than 255 characters', 'Give the CloudWatch alarm names, comma-separated.')
  const keep = integer('keep (versions kept)', options.keep ?? 3, 1)
  const timeoutSeconds = integer('the timeout (seconds)', options.timeoutSeconds ?? 3600, 1)
  const pollSeconds = options.pollSeconds ?? 15
  if (!(pollSeconds > 0)) throw bad(`the poll interval must be positive, got ${pollSeconds}`, 'Give the seconds between status checks, e.g. 15.')
  const deploymentConfig: DeploymentConfig = {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: traffic.type,
        WaitIntervalInSeconds: traffic.waitIntervalSeconds,
        ...(canary !== undefined ? { CanarySize: { Type: 'CAPACITY_PERCENT', Value: canary } } : {}),
        ...(step !== undefined ? { LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: step } } : {}),
      },
      TerminationWaitInSeconds: terminationWaitSeconds,
      MaximumExecutionTimeoutInSeconds: maxExecutionTimeoutSeconds,
    },
    ...(alarms.length > 0 ? { AutoRollbackConfiguration: { Alarms: alarms.map((AlarmName) => ({ AlarmName })) } } : {}),
  }
  return {
    variantName,
    beside,
    traffic: { ...traffic, canarySizePercent: canary, linearStepPercent: step },
    terminationWaitSeconds,
    maxExecutionTimeoutSeconds,
    alarms,
    keep,
    timeoutSeconds,
    pollSeconds,
    deploymentConfig,
  }
}

function describeShift(settings: Settings): string {
  const { type, waitIntervalSeconds: wait, canarySizePercent, linearStepPercent } = settings.traffic
  const shift = type === 'CANARY' ? `canary ${canarySizePercent}% of capacity, then the rest after ${wait} s` : type === 'LINEAR' ? `${linearStepPercent}% of capacity every ${wait} s` : `all traffic at once, baking ${wait} s`
  const rollback = settings.alarms.length > 0 ? `rolls back when ${settings.alarms.join(', ')} fires` : 'no alarms: rolls back only when the new fleet fails'
  return `blue/green, ${shift}; old fleet kept ${settings.terminationWaitSeconds} s; ${rollback}; SageMaker limit ${settings.maxExecutionTimeoutSeconds} s`
}

// ---------------------------------------------------------------------------------------------------------
// Endpoint state

export type Send = SageMakerClient['send']

/** The endpoint, or undefined when SageMaker cannot find it (a first deploy). */
async function findEndpoint(sdk: Sdk, endpoint: string, send: Send): Promise<DescribeEndpointCommandOutput | undefined> {
  try {
    return await send(new sdk.DescribeEndpointCommand({ EndpointName: endpoint }))
  } catch (error) {
    if (errorName(error) === 'ValidationException' && /could not find endpoint/i.test((error as Error).message ?? '')) return undefined
    throw awsError('DescribeEndpoint', error, endpoint)
  }
}

function refuseUnsettled(state: DescribeEndpointCommandOutput): void {
  const status = state.EndpointStatus
  if (status === 'InService') return
  const endpoint = state.EndpointName
  const reason = state.FailureReason ? ` (${redact(state.FailureReason)})` : ''
  if (status === 'Failed' || status === 'UpdateRollbackFailed' || status === 'OutOfService')
    throw new ModeltestError({
      what: `the endpoint is ${status}${reason}; SageMaker cannot update it`,
      where: `endpoint ${endpoint}`,
      fix: `Look at it in the SageMaker console; delete it (aws sagemaker delete-endpoint --endpoint-name ${endpoint}) and deploy again to create it afresh.`,
    })
  throw new ModeltestError({
    what: `the endpoint is ${status}, not InService: another deployment or update is under way`,
    where: `endpoint ${endpoint}`,
    fix: `Wait until it is InService (aws sagemaker wait endpoint-in-service --endpoint-name ${endpoint}) and deploy again.`,
  })
}

/**
 * A create that a retry repeats after the first went through answers "already exists"; the names are unique per
 * deploy, so that one is taken as ours. Resolves false then: this call did not create it, so an undo keeps it.
 */
async function tolerateExisting(request: Promise<unknown>): Promise<boolean> {
  try {
    await request
    return true
  } catch (error) {
    if (errorName(error) === 'ValidationException' && /already exist/i.test((error as Error).message ?? '')) return false
    throw error
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup

/**
 * After a failed CreateEndpointConfig, CreateEndpoint or UpdateEndpoint: deletes the config and the model this
 * deploy created, so that they do not wait for a later deploy's cleanup. They stay when the endpoint may be moving
 * to them (it is not InService on another config, or cannot be described): a call that timed out may have gone through.
 */
async function removeUnused(ctx: { sdk: Sdk; send: Send; log: (line: string) => void; endpoint: string; version: string; modelCreated: boolean; configCreated: boolean; failed: string }): Promise<void> {
  const { sdk, send, log, version } = ctx
  if (ctx.failed !== 'CreateEndpointConfig') {
    const state = await findEndpoint(sdk, ctx.endpoint, send).catch(() => null)
    if (state === null || (state && (state.EndpointStatus !== 'InService' || state.EndpointConfigName === version))) {
      log(`sagemaker: ${ctx.failed} failed; model and endpoint config ${version} kept: endpoint ${ctx.endpoint} is ${state ? `${state.EndpointStatus} on ${state.EndpointConfigName}` : 'in an unknown state'} and may be moving to them`)
      return
    }
  }
  const remove = async (what: string, request: () => Promise<unknown>) => {
    try {
      await request()
      log(`sagemaker: ${ctx.failed} failed: deleted the ${what} this deploy created`)
    } catch (error) {
      log(`sagemaker: warning: ${ctx.failed} failed, and the ${what} this deploy created could not be deleted (${errorName(error)}: ${redactedMessage(error)}); a later deploy's cleanup removes it`)
    }
  }
  if (ctx.configCreated) await remove(`endpoint config ${version}`, () => send(new sdk.DeleteEndpointConfigCommand({ EndpointConfigName: version })))
  if (ctx.modelCreated) await remove(`model ${version}`, () => send(new sdk.DeleteModelCommand({ ModelName: version })))
  const existed = [ctx.modelCreated ? '' : 'model', ctx.configCreated || ctx.failed === 'CreateEndpointConfig' ? '' : 'endpoint config'].filter(Boolean)
  if (existed.length > 0) log(`sagemaker: ${ctx.failed} failed; the ${existed.join(' and ')} ${version} existed before this deploy's create (a retry, or another deploy in the same second), so it is kept`)
}

interface CleanupContext {
  sdk: Sdk
  send: Send
  log: (line: string) => void
  base: string
  endpoint: string
  keep: number
  /** Configs never deleted: the live one and the previous one. */
  protect: string[]
}

interface Version {
  name: string
  arn: string
  created: number
}

/**
 * Deletes old versions: among the configs and models named `<base>-<hash>-<stamp>` and tagged with this
 * endpoint, all but the newest `keep`, the protected configs and the models those configs use.
 */
async function cleanUp(ctx: CleanupContext): Promise<void> {
  const { send, log } = ctx
  const pattern = new RegExp(`^${ctx.base}-[0-9a-f]{12}-\\d{14}$`)
  const configs = await listVersions(ctx, 'configs', pattern)
  const kept = new Set([...configs.slice(0, ctx.keep).map((version) => version.name), ...ctx.protect])
  let deleted = 0
  for (const version of configs) {
    if (kept.has(version.name)) continue
    try {
      await send(new ctx.sdk.DeleteEndpointConfigCommand({ EndpointConfigName: version.name }))
      deleted++
      log(`sagemaker: deleted old endpoint config ${version.name}`)
    } catch (error) {
      log(`sagemaker: warning: could not delete endpoint config ${version.name}: ${errorName(error)}: ${(error as Error).message}`)
    }
  }

  // The models the kept configs use stay, whatever their age: their names follow the configs', and the
  // protected configs (perhaps made by other tools) say which models they use.
  const usedModels = new Set(kept)
  for (const config of ctx.protect) {
    try {
      const described = await send(new ctx.sdk.DescribeEndpointConfigCommand({ EndpointConfigName: config }))
      for (const variant of described.ProductionVariants ?? []) if (variant.ModelName) usedModels.add(variant.ModelName)
    } catch (error) {
      log(`sagemaker: warning: cannot tell which models ${config} uses (${errorName(error)}); no model deleted`)
      return
    }
  }
  const models = await listVersions(ctx, 'models', pattern)
  const keptModels = new Set([...models.slice(0, ctx.keep).map((version) => version.name), ...usedModels])
  for (const version of models) {
    if (keptModels.has(version.name)) continue
    try {
      await send(new ctx.sdk.DeleteModelCommand({ ModelName: version.name }))
      deleted++
      log(`sagemaker: deleted old model ${version.name}`)
    } catch (error) {
      log(`sagemaker: warning: could not delete model ${version.name}: ${errorName(error)}: ${(error as Error).message}`)
    }
  }
  if (deleted === 0) log(`sagemaker: cleanup: nothing to delete (keeping the last ${ctx.keep} versions of ${ctx.base} for ${ctx.endpoint})`)
}

/** This endpoint's versions, newest first; a listing error is a warning and lists nothing. */
async function listVersions(ctx: CleanupContext, kind: 'configs' | 'models', pattern: RegExp): Promise<Version[]> {
  const found: Version[] = []
  try {
    let token: string | undefined
    for (let page = 0; page < 50; page++) {
      const request = { NameContains: ctx.base, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100, NextToken: token } as const
      if (kind === 'configs') {
        const answer = await ctx.send(new ctx.sdk.ListEndpointConfigsCommand(request))
        for (const item of answer.EndpointConfigs ?? []) found.push({ name: item.EndpointConfigName ?? '', arn: item.EndpointConfigArn ?? '', created: item.CreationTime?.getTime() ?? 0 })
        token = answer.NextToken
      } else {
        const answer = await ctx.send(new ctx.sdk.ListModelsCommand(request))
        for (const item of answer.Models ?? []) found.push({ name: item.ModelName ?? '', arn: item.ModelArn ?? '', created: item.CreationTime?.getTime() ?? 0 })
        token = answer.NextToken
      }
      if (!token) break
    }
  } catch (error) {
    ctx.log(`sagemaker: warning: cannot list the ${kind === 'configs' ? 'endpoint configs' : 'models'} (${errorName(error)}: ${(error as Error).message}); none deleted`)
    return []
  }
  const mine: Version[] = []
  for (const version of found.filter((version) => pattern.test(version.name) && version.arn).sort((a, b) => b.created - a.created)) {
    try {
      const answer = await ctx.send(new ctx.sdk.ListTagsCommand({ ResourceArn: version.arn, MaxResults: 100 }))
      if ((answer.Tags ?? []).some((tag) => tag.Key === TAG_ENDPOINT && tag.Value === ctx.endpoint)) mine.push(version)
    } catch (error) {
      ctx.log(`sagemaker: warning: cannot read the tags of ${version.name} (${errorName(error)}); it is kept`)
    }
  }
  return mine
}

// ---------------------------------------------------------------------------------------------------------
// Words

/** UTC yyyymmddhhmmss. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
}

/** A control-plane call whose failure becomes `awsError`'s message. */
export async function awsCall<T>(action: string, endpoint: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    throw awsError(action, error, endpoint)
  }
}

/** An AWS error as a ModeltestError: which call, what SageMaker said (credentials taken out), what to do. No cause is kept, so that nothing unredacted is printed with --debug. */
function awsError(action: string, error: unknown, endpoint: string): ModeltestError {
  if (error instanceof ModeltestError) return error
  const failure = describeAwsError(error)
  const { name } = failure
  const problem = failure.kind === 'aws' ? setupProblem(name, failure.message) : undefined
  const fix =
    failure.kind === 'timeout'
      ? 'Check the network path to SageMaker (proxy, VPC endpoint, AWS_ENDPOINT_URL) and run again; when SageMaker is only slow, raise --request-timeout (requestTimeoutMs).'
      : failure.kind === 'not-json'
        ? 'Something between modeltest and SageMaker answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL): check it, then run the deploy again.'
        : problem === 'region'
          ? 'Give --region (or region), or set AWS_REGION.'
          : problem === 'credentials'
            ? `Check the AWS credentials this job runs with (on GitHub Actions, aws-actions/configure-aws-credentials with an OIDC role) and that they may call sagemaker:${action}${action === 'CreateModel' ? ' and iam:PassRole on the execution role' : ''}.`
            : name === 'ResourceLimitExceeded'
              ? 'Ask AWS for a higher quota for this instance type, use another type, or delete endpoints no longer used.'
              : name === 'ValidationException'
                ? 'Check the value SageMaker names above (image, model data, role, instance type, alarms).'
                : 'Run the deploy again; when it keeps failing, look at the endpoint in the SageMaker console.'
  return new ModeltestError({ what: `SageMaker ${action} failed: ${failure.text}`, where: `endpoint ${endpoint}`, fix })
}
