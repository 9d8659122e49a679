/** The deploy's options, checked once before the gate and before any call, with their defaults filled in. */
import type { DeploymentConfig } from '@aws-sdk/client-sagemaker'
import { ModeltestError } from '../../errors.js'
import { parseS3Url } from '../artifact.js'
import type { SageMakerDeployOptions, TrafficShift } from '../sagemaker.js'

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/
/** `-` + 12 hex + `-` + 14 digits. */
const SUFFIX_LENGTH = 28
const MAX_NAME = 63
const BASE_MAX = MAX_NAME - SUFFIX_LENGTH

export interface Settings {
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

export function checkOptions(options: SageMakerDeployOptions): Settings {
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
