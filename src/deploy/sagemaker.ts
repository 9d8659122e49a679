import type { SageMakerClient } from '@aws-sdk/client-sagemaker'
import { testedArtifact, type ArtifactOptions } from './artifact.js'
import { errorName, redact } from './aws-errors.js'
import { requirePassedReport } from './gate.js'
import { sleepMs, type RetryOptions } from './retry.js'
import { act, cleanUp } from './sagemaker/act.js'
import { awsCall, controlPlane, duration, findEndpoint, type Sdk } from './sagemaker/control.js'
import { judge } from './sagemaker/judge.js'
import { planDeploy, refuseUnsettled } from './sagemaker/plan.js'
import { checkOptions } from './sagemaker/settings.js'
import { waitToSettle } from './sagemaker/wait.js'

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
 * The steps are one file each under sagemaker/: settings (the options checked), plan (steps 2–4 as a list of
 * calls, pure), act (sending them, undoing on failure, and step 6), wait (step 5's polling) and judge (the
 * outcome, pure).
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
  const send = controlPlane(sdk, { ...options, log, sleep })
  const at = now()

  const current = await findEndpoint(sdk, endpoint, send)
  if (current) refuseUnsettled(current)
  const liveConfig = settings.beside && current?.EndpointConfigName
  const liveVariants = liveConfig ? (await awsCall('DescribeEndpointConfig', endpoint, () => send(new sdk.DescribeEndpointConfigCommand({ EndpointConfigName: liveConfig })))).ProductionVariants : undefined
  const plan = planDeploy({ settings, options, modelDataUrl, modelHash: gate.modelHash, gateOverridden: gate.overridden, at, current, liveVariants })
  const { version, previousConfigName } = plan

  const started = await act(plan, { sdk, send, log, now })
  const describe = () => awsCall('DescribeEndpoint', endpoint, () => send(new sdk.DescribeEndpointCommand({ EndpointName: endpoint })))
  const waited = await waitToSettle({ endpoint, version, describe, log, now, sleep, started, timeoutSeconds: settings.timeoutSeconds, pollSeconds: settings.pollSeconds, created: !current })

  const result = judge(waited, { endpointName: endpoint, endpointConfigName: version, modelName: version, previousConfigName, modelHash: gate.modelHash, gateOverridden: gate.overridden }, settings.timeoutSeconds)
  if (!waited.final) {
    log(`sagemaker: ${result.failureReason}; nothing cleaned up`)
    return result
  }
  log(
    result.outcome === 'deployed'
      ? `sagemaker: deployed ${version} to ${endpoint} in ${duration(now() - started)}`
      : `sagemaker: ${result.outcome === 'rolled-back' ? `rolled back to ${waited.final.EndpointConfigName}` : 'failed'}: ${result.failureReason}`,
  )

  const protect = [waited.final.EndpointConfigName, previousConfigName].filter((name): name is string => !!name)
  try {
    await cleanUp({ sdk, send, log, base: options.modelName, endpoint, keep: settings.keep, protect })
  } catch (error) {
    log(`sagemaker: warning: cleanup stopped: ${errorName(error)}: ${(error as Error).message ?? error}`)
  }
  return result
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
