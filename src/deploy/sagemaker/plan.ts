/**
 * The deploy's plan, a pure function: from the checked options and the endpoint as DescribeEndpoint found it
 * to the calls that ship the model (CreateModel, CreateEndpointConfig, then CreateEndpoint or UpdateEndpoint),
 * each with the line logged once it is done.
 */
import type {
  CreateEndpointCommandInput,
  CreateEndpointConfigCommandInput,
  CreateModelCommandInput,
  DescribeEndpointCommandOutput,
  ProductionVariant,
  ProductionVariantInstanceType,
  Tag,
  UpdateEndpointCommandInput,
} from '@aws-sdk/client-sagemaker'
import { ModeltestError } from '../../errors.js'
import { redact } from '../aws-errors.js'
import type { SageMakerDeployOptions } from '../sagemaker.js'
import type { Settings } from './settings.js'

/** Tag keys on every model and endpoint config a deploy creates; the cleanup only ever deletes what carries this endpoint's tag. */
export const TAG_ENDPOINT = 'modeltest:endpoint'
const TAG_MODEL_HASH = 'modeltest:model-hash'
const TAG_GATE = 'modeltest:gate'

/** One control-plane call of the plan, and the line logged once it is done. */
export type PlannedCall =
  | { action: 'CreateModel'; input: CreateModelCommandInput; done: string }
  | { action: 'CreateEndpointConfig'; input: CreateEndpointConfigCommandInput; done: string }
  | { action: 'CreateEndpoint'; input: CreateEndpointCommandInput; done: string }
  | { action: 'UpdateEndpoint'; input: UpdateEndpointCommandInput; done: string }

export interface DeployPlan {
  endpoint: string
  /** The one versioned name of the model and the endpoint config this deploy creates. */
  version: string
  /** The config the endpoint serves now; undefined on a first deploy. */
  previousConfigName?: string
  calls: PlannedCall[]
}

export interface PlanInput {
  settings: Settings
  options: Pick<SageMakerDeployOptions, 'endpointName' | 'modelName' | 'image' | 'environment' | 'executionRoleArn' | 'instanceType' | 'initialInstanceCount'>
  /** The artifact the gate's model is in. */
  modelDataUrl: string
  modelHash: string
  gateOverridden: boolean
  /** When the deploy started, in ms since the epoch: the version's stamp. */
  at: number
  /** The endpoint, InService (see refuseUnsettled); undefined on a first deploy. */
  current?: DescribeEndpointCommandOutput
  /** With `settings.beside`: the variants of the config the endpoint serves. */
  liveVariants?: ProductionVariant[]
}

/**
 * The calls of a deploy. The model and the config share one immutable name,
 * `<modelName>-<model hash 12>-<UTC yyyymmddhhmmss>`, and are tagged with the endpoint, the model hash and the
 * gate. A first deploy creates the endpoint; an update is blue/green with the settings' DeploymentConfig,
 * except beside a live model (variant mode), where the new config keeps the live model as a second variant
 * and the update shifts no traffic itself.
 */
export function planDeploy(input: PlanInput): DeployPlan {
  const { settings, options, modelDataUrl, current } = input
  const endpoint = options.endpointName
  const version = `${options.modelName}-${input.modelHash.slice(0, 12)}-${stamp(input.at)}`
  const tags: Tag[] = [
    { Key: TAG_ENDPOINT, Value: endpoint },
    { Key: TAG_MODEL_HASH, Value: input.modelHash },
    { Key: TAG_GATE, Value: input.gateOverridden ? 'overridden' : 'passed' },
  ]
  const previousConfigName = current?.EndpointConfigName
  const newVariant: ProductionVariant = { VariantName: settings.variantName, ModelName: version, InstanceType: options.instanceType as ProductionVariantInstanceType, InitialInstanceCount: options.initialInstanceCount }
  const variants = settings.beside ? besideLive(settings.beside, newVariant, current, input.liveVariants ?? []) : [newVariant]
  const calls: PlannedCall[] = [
    {
      action: 'CreateModel',
      input: {
        ModelName: version,
        PrimaryContainer: { Image: options.image, ModelDataUrl: modelDataUrl, ...(options.environment ? { Environment: options.environment } : {}) },
        ExecutionRoleArn: options.executionRoleArn,
        Tags: tags,
      },
      done: `sagemaker: created model ${version} (${options.image}, ${modelDataUrl})`,
    },
    {
      action: 'CreateEndpointConfig',
      input: { EndpointConfigName: version, ProductionVariants: variants, Tags: tags },
      done: `sagemaker: created endpoint config ${version} (${variants.map((variant) => `variant ${variant.VariantName}: ${variant.ModelName}, ${variant.InitialInstanceCount} × ${variant.InstanceType}${variants.length > 1 ? `, weight ${variant.InitialVariantWeight}` : ''}`).join('; ')})`,
    },
  ]
  if (!current) {
    calls.push({
      action: 'CreateEndpoint',
      input: { EndpointName: endpoint, EndpointConfigName: version, Tags: tags },
      done: `sagemaker: creating endpoint ${endpoint} with ${version} (a first deploy: no blue/green shift, nothing to roll back to)`,
    })
  } else {
    calls.push({
      action: 'UpdateEndpoint',
      input: { EndpointName: endpoint, EndpointConfigName: version, ...(settings.beside ? {} : { DeploymentConfig: settings.deploymentConfig }) },
      done: `sagemaker: updating endpoint ${endpoint} from ${previousConfigName} to ${version}: ${settings.beside ? `${settings.variantName} beside ${settings.beside.variant} with ${Number((settings.beside.weight * 100).toFixed(1))}% of the traffic; modeltest canary --variant ${settings.variantName} moves the rest` : describeShift(settings)}`,
    })
  }
  return { endpoint, version, previousConfigName, calls }
}

/** An endpoint that is not InService cannot be updated now: refused before anything is created. */
export function refuseUnsettled(state: DescribeEndpointCommandOutput): void {
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
 * The variants of a config that puts the new model beside the one serving now: the live variant with the most
 * weight keeps its model, instances and the rest of the traffic under the name `beside.variant`.
 */
function besideLive(beside: { variant: string; weight: number }, newVariant: ProductionVariant, current: DescribeEndpointCommandOutput | undefined, configured: ProductionVariant[]): ProductionVariant[] {
  if (!current?.EndpointConfigName) {
    throw new ModeltestError({ what: `the endpoint does not exist, so there is no live model to put ${newVariant.VariantName} beside`, where: 'deploy sagemaker', fix: 'Deploy the first model without --beside; later models go beside it.' })
  }
  const weights = new Map((current.ProductionVariants ?? []).map((variant) => [variant.VariantName, variant.CurrentWeight ?? 0]))
  const live = [...configured].sort((a, b) => (weights.get(b.VariantName) ?? 0) - (weights.get(a.VariantName) ?? 0))[0]
  if (!live?.ModelName) throw new ModeltestError({ what: `the live config ${current.EndpointConfigName} has no variant with a model to keep`, where: `endpoint ${current.EndpointName}`, fix: 'Deploy without --beside.' })
  return [
    { VariantName: beside.variant, ModelName: live.ModelName, InstanceType: live.InstanceType, InitialInstanceCount: live.InitialInstanceCount, InitialVariantWeight: 1 - beside.weight },
    { ...newVariant, InitialVariantWeight: beside.weight },
  ]
}

function describeShift(settings: Settings): string {
  const { type, waitIntervalSeconds: wait, canarySizePercent, linearStepPercent } = settings.traffic
  const shift = type === 'CANARY' ? `canary ${canarySizePercent}% of capacity, then the rest after ${wait} s` : type === 'LINEAR' ? `${linearStepPercent}% of capacity every ${wait} s` : `all traffic at once, baking ${wait} s`
  const rollback = settings.alarms.length > 0 ? `rolls back when ${settings.alarms.join(', ')} fires` : 'no alarms: rolls back only when the new fleet fails'
  return `blue/green, ${shift}; old fleet kept ${settings.terminationWaitSeconds} s; ${rollback}; SageMaker limit ${settings.maxExecutionTimeoutSeconds} s`
}

/** UTC yyyymmddhhmmss. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}
