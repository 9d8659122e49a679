import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { deploySageMaker, modelFileHash, type SageMakerDeployOptions } from '../src/index.js'
import { runDeploy } from '../src/cli/deploy.js'
import { main } from '../src/cli/main.js'
import { retrying, retryReason } from '../src/deploy/retry.js'
import { fixturesDir, rejection, reportFile } from './helpers.js'

const onnx = join(fixturesDir, 'models', 'penguins.onnx')
const sm = mockClient(SageMakerClient)
/** The artifact check's S3: the artifact's metadata names the tested model. */
const s3 = mockClient(S3Client)
const ENDPOINT = 'sentiment-prod'
const START = Date.parse('2026-11-28T10:00:00Z')
const OLD = 'sentiment-0123456789ab-20261101090000'
let hash: string
/** The versioned name a deploy at START makes. */
let NEW: string
let passedReport: string

/** An AWS SDK error as the client throws it. */
function awsError(name: string, message: string, status: number, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...extra })
}
const notFound = () => awsError('ValidationException', `Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/${ENDPOINT}".`, 400)
const throttled = () => awsError('ThrottlingException', 'Rate exceeded', 400, { $retryable: { throttling: true } })

function endpoint(status: string, config: string, extra: Partial<DescribeEndpointCommandOutput> = {}): DescribeEndpointCommandOutput {
  return {
    $metadata: {},
    EndpointName: ENDPOINT,
    EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${ENDPOINT}`,
    EndpointStatus: status as never,
    EndpointConfigName: config,
    CreationTime: new Date(START),
    LastModifiedTime: new Date(START),
    ...extra,
  }
}

/** A clock whose sleep moves time on at once; `sleeps` records every wait. */
function clock() {
  let time = START
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      time += ms
    },
  }
}

function options(overrides: Partial<SageMakerDeployOptions> = {}): SageMakerDeployOptions & { lines: string[]; sleeps: number[] } {
  const lines: string[] = []
  const { now, sleep, sleeps } = clock()
  return {
    client: new SageMakerClient({ region: 'us-east-1' }),
    endpointName: ENDPOINT,
    modelName: 'sentiment',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4',
    modelDataUrl: 's3://ml-models/sentiment/model.tar.gz',
    executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    instanceType: 'ml.m5.large',
    initialInstanceCount: 2,
    traffic: { type: 'CANARY', waitIntervalSeconds: 300, canarySizePercent: 10 },
    terminationWaitSeconds: 120,
    maxExecutionTimeoutSeconds: 1800,
    alarms: ['sentiment-5xx', 'sentiment-latency'],
    pollSeconds: 15,
    timeoutSeconds: 3600,
    gate: { report: passedReport, model: onnx },
    log: (line) => lines.push(line),
    now,
    sleep,
    retry: { random: () => 0.5 },
    lines,
    sleeps,
    ...overrides,
  }
}

/** The commands sent, in order, by name. */
function sequence(): string[] {
  return sm.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
}

/** An existing endpoint on OLD whose update goes Updating, then lands on `final`. */
function updateTo(final: DescribeEndpointCommandOutput) {
  sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', OLD)).resolvesOnce(endpoint('Updating', OLD)).resolvesOnce(endpoint('Updating', OLD)).resolves(final)
}

beforeAll(async () => {
  hash = await modelFileHash(onnx)
  NEW = `sentiment-${hash.slice(0, 12)}-20261128100000`
  passedReport = await reportFile(true, hash)
})

beforeEach(() => {
  sm.reset()
  s3.reset()
  s3.on(HeadObjectCommand).resolves({ Metadata: { 'modeltest-model-hash': hash } })
  sm.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: [] })
  sm.on(ListModelsCommand).resolves({ Models: [] })
  sm.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => ({ EndpointConfigName: input.EndpointConfigName, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: input.EndpointConfigName }] }))
})

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('deploySageMaker', () => {
  test('a first deploy creates the model, the config and the endpoint, under one versioned name', async () => {
    sm.on(DescribeEndpointCommand).rejectsOnce(notFound()).resolvesOnce(endpoint('Creating', NEW)).resolvesOnce(endpoint('Creating', NEW)).resolves(endpoint('InService', NEW))
    const opts = options()
    const result = await deploySageMaker(opts)
    expect(result).toMatchObject({ outcome: 'deployed', endpointConfigName: NEW, modelName: NEW, previousConfigName: undefined, modelHash: hash, gateOverridden: false })
    expect(NEW).toMatch(/^sentiment-[0-9a-f]{12}-20261128100000$/)
    expect(NEW.length).toBeLessThanOrEqual(63)
    expect(sequence()).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint', 'DescribeEndpoint', 'DescribeEndpoint', 'DescribeEndpoint', 'ListEndpointConfigs', 'DescribeEndpointConfig', 'ListModels'])
    const tags = [
      { Key: 'modeltest:endpoint', Value: ENDPOINT },
      { Key: 'modeltest:model-hash', Value: hash },
      { Key: 'modeltest:gate', Value: 'passed' },
    ]
    expect(sm.commandCalls(CreateModelCommand)[0].args[0].input).toEqual({
      ModelName: NEW,
      PrimaryContainer: { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4', ModelDataUrl: 's3://ml-models/sentiment/model.tar.gz' },
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
      Tags: tags,
    })
    expect(sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input).toEqual({
      EndpointConfigName: NEW,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: NEW, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }],
      Tags: tags,
    })
    expect(sm.commandCalls(CreateEndpointCommand)[0].args[0].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: NEW, Tags: tags })
    expect(opts.lines[0]).toMatch(/^modeltest gate: .* passed 1 checks/)
    expect(opts.lines).toContain(`sagemaker: ${ENDPOINT} Creating on ${NEW} (0 s)`)
    expect(opts.lines).toContain(`sagemaker: ${ENDPOINT} InService on ${NEW} (30 s)`)
    expect(opts.lines).toContain(`sagemaker: deployed ${NEW} to ${ENDPOINT} in 30 s`)
  })

  test.each([
    ['CANARY', { type: 'CANARY', waitIntervalSeconds: 300, canarySizePercent: 10 }, { Type: 'CANARY', WaitIntervalInSeconds: 300, CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } }],
    ['LINEAR', { type: 'LINEAR', waitIntervalSeconds: 120, linearStepPercent: 25 }, { Type: 'LINEAR', WaitIntervalInSeconds: 120, LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 } }],
    ['ALL_AT_ONCE', { type: 'ALL_AT_ONCE', waitIntervalSeconds: 600 }, { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 600 }],
  ] as const)('an update of an InService endpoint is a blue/green %s shift with the alarms', async (_, traffic, routing) => {
    updateTo(endpoint('InService', NEW))
    const result = await deploySageMaker(options({ traffic }))
    expect(result).toMatchObject({ outcome: 'deployed', endpointConfigName: NEW, previousConfigName: OLD })
    expect(sequence().slice(0, 5)).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint', 'DescribeEndpoint'])
    expect(sm.commandCalls(CreateEndpointCommand)).toHaveLength(0)
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: NEW,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: routing, TerminationWaitInSeconds: 120, MaximumExecutionTimeoutInSeconds: 1800 },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'sentiment-5xx' }, { AlarmName: 'sentiment-latency' }] },
      },
    })
  })

  test('beside: the new model joins the live one as a second variant with its weight, and no blue/green shift', async () => {
    const live = {
      ...endpoint('InService', OLD),
      ProductionVariants: [
        { VariantName: 'green', CurrentWeight: 1 },
        { VariantName: 'blue', CurrentWeight: 0 },
      ],
    }
    sm.on(DescribeEndpointCommand).resolvesOnce(live).resolvesOnce(endpoint('Updating', OLD)).resolves(endpoint('InService', NEW))
    sm.on(DescribeEndpointConfigCommand).resolves({
      EndpointConfigName: OLD,
      ProductionVariants: [
        { VariantName: 'blue', ModelName: 'sentiment-older', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
        { VariantName: 'green', ModelName: 'sentiment-live', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 3 },
      ],
    })
    const opts = options({ traffic: undefined, alarms: undefined, variantName: 'green', beside: { variant: 'blue', weight: 0.2 } })
    expect(await deploySageMaker(opts)).toMatchObject({ outcome: 'deployed', endpointConfigName: NEW, previousConfigName: OLD })
    // The variant serving now (green, weight 1) becomes blue; the new model is green with 20% of the traffic.
    expect(sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input.ProductionVariants).toEqual([
      { VariantName: 'blue', ModelName: 'sentiment-live', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 3, InitialVariantWeight: 0.8 },
      { VariantName: 'green', ModelName: NEW, InstanceType: 'ml.m5.large', InitialInstanceCount: 2, InitialVariantWeight: 0.2 },
    ])
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: NEW })
    expect(opts.lines.join('\n')).toMatch(/green beside blue with 20% of the traffic; modeltest canary --variant green moves the rest/)
  })

  test('beside needs a live endpoint, two names, a weight in (0, 1) and no traffic shift', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound())
    expect((await rejection(deploySageMaker(options({ traffic: undefined, alarms: undefined, variantName: 'green', beside: { variant: 'blue' } })))).message).toMatch(
      /the endpoint does not exist, so there is no live model to put green beside/,
    )
    expect(sm.commandCalls(CreateModelCommand)).toHaveLength(0)
    expect((await rejection(deploySageMaker(options({ traffic: undefined, alarms: undefined, variantName: 'blue', beside: { variant: 'blue' } })))).message).toMatch(/both named 'blue'/)
    expect((await rejection(deploySageMaker(options({ traffic: undefined, alarms: undefined, variantName: 'green', beside: { variant: 'blue', weight: 1 } })))).message).toMatch(/weight must be between 0 and 1, got 1/)
    expect((await rejection(deploySageMaker(options({ variantName: 'green', beside: { variant: 'blue' } })))).message).toMatch(/--beside and a blue\/green traffic shift/)
  })

  test('without alarms the update sends no AutoRollbackConfiguration', async () => {
    updateTo(endpoint('InService', NEW))
    await deploySageMaker(options({ alarms: [] }))
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input.DeploymentConfig?.AutoRollbackConfiguration).toBeUndefined()
  })

  test('an automatic rollback (InService again, on the OLD config) is rolled-back, with SageMaker’s reason', async () => {
    const reason = 'Alarm sentiment-5xx went into ALARM during the canary; rolled back.'
    updateTo(endpoint('InService', OLD, { FailureReason: reason }))
    const opts = options()
    const result = await deploySageMaker(opts)
    expect(result).toMatchObject({ outcome: 'rolled-back', endpointConfigName: NEW, previousConfigName: OLD, failureReason: reason })
    expect(opts.lines).toContain(`sagemaker: rolled back to ${OLD}: ${reason}`)
  })

  test('InService on the old config right after UpdateEndpoint is not taken for a rollback before the update was seen under way', async () => {
    sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', OLD)).resolvesOnce(endpoint('InService', OLD)).resolvesOnce(endpoint('Updating', OLD)).resolves(endpoint('InService', NEW))
    expect((await deploySageMaker(options())).outcome).toBe('deployed')
  })

  test('Failed is failed, with the FailureReason', async () => {
    sm.on(DescribeEndpointCommand)
      .rejectsOnce(notFound())
      .resolvesOnce(endpoint('Creating', NEW))
      .resolves(endpoint('Failed', NEW, { FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' }))
    const result = await deploySageMaker(options())
    expect(result).toMatchObject({ outcome: 'failed', failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' })
  })

  test('the wait has a timeout: still Updating after it is failed, timed out, and nothing is cleaned up', async () => {
    sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', OLD)).resolves(endpoint('Updating', OLD))
    const opts = options({ timeoutSeconds: 100 })
    const result = await deploySageMaker(opts)
    expect(result).toMatchObject({ outcome: 'failed', timedOut: true })
    expect(result.failureReason).toMatch(/gave up waiting after 1 min 40 s: the endpoint is still Updating/)
    expect(opts.sleeps).toEqual([15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 10_000])
    expect(sm.commandCalls(ListEndpointConfigsCommand)).toHaveLength(0)
    expect(sm.commandCalls(DeleteEndpointConfigCommand)).toHaveLength(0)
  })

  test.each(['Updating', 'Failed'])('an endpoint that is %s is refused before anything is created', async (status) => {
    sm.on(DescribeEndpointCommand).resolves(endpoint(status, OLD, { FailureReason: status === 'Failed' ? 'CapacityError' : undefined }))
    const error = await rejection(deploySageMaker(options()))
    expect(error.message).toMatch(
      status === 'Updating' ? /endpoint sentiment-prod: the endpoint is Updating, not InService.*\n.*wait endpoint-in-service/ : /the endpoint is Failed \(CapacityError\); SageMaker cannot update it\n.*delete-endpoint/,
    )
    expect(sequence()).toEqual(['DescribeEndpoint'])
  })

  test('the gate refuses a failed report: no SageMaker call at all', async () => {
    const error = await rejection(deploySageMaker(options({ gate: { report: await reportFile(false, hash), model: onnx } })))
    expect(error.message).toMatch(/the modeltest report says passed: false/)
    expect(sm.calls()).toHaveLength(0)
  })

  test('the gate refuses a report of another model; an override deploys and tags the versions as overridden', async () => {
    const other = await reportFile(true, 'f'.repeat(64))
    expect((await rejection(deploySageMaker(options({ gate: { report: other, model: onnx } })))).message).toMatch(/the report did not check this model/)
    expect(sm.calls()).toHaveLength(0)
    sm.on(DescribeEndpointCommand).rejectsOnce(notFound()).resolves(endpoint('InService', NEW))
    const opts = options({ gate: { report: other, model: onnx, override: true } })
    expect(await deploySageMaker(opts)).toMatchObject({ outcome: 'deployed', gateOverridden: true })
    expect(opts.lines[0]).toMatch(/modeltest gate OVERRIDDEN/)
    expect(sm.commandCalls(CreateModelCommand)[0].args[0].input.Tags).toContainEqual({ Key: 'modeltest:gate', Value: 'overridden' })
  })

  test('throttling twice, then success, is retried with full-jitter backoff', async () => {
    sm.on(DescribeEndpointCommand).rejectsOnce(notFound()).resolves(endpoint('InService', NEW))
    sm.on(CreateModelCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(awsError('TooManyRequestsException', 'Too many requests', 429))
      .resolves({ ModelArn: 'arn' })
    const opts = options()
    expect((await deploySageMaker(opts)).outcome).toBe('deployed')
    expect(sm.commandCalls(CreateModelCommand)).toHaveLength(3)
    // random() = 0.5 of the ceilings 500 ms and 1000 ms
    expect(opts.sleeps.slice(0, 2)).toEqual([250, 500])
    expect(opts.lines).toContain('sagemaker: throttling (ThrottlingException); attempt 2 in 0.3 s')
    expect(opts.lines).toContain('sagemaker: throttling (TooManyRequestsException); attempt 3 in 0.5 s')
  })

  test('a ValidationException is not retried and becomes a clear error', async () => {
    sm.on(DescribeEndpointCommand).rejectsOnce(notFound())
    sm.on(CreateEndpointConfigCommand).rejects(awsError('ValidationException', "Value 'ml.m5.huge' at 'productionVariants.1.member.instanceType' failed to satisfy constraint", 400))
    const opts = options()
    const error = await rejection(deploySageMaker(opts))
    expect(error.message).toMatch(/^endpoint sentiment-prod: SageMaker CreateEndpointConfig failed: ValidationException: Value 'ml.m5.huge'.*\n {2}Check the value SageMaker names/)
    expect(sm.commandCalls(CreateEndpointConfigCommand)).toHaveLength(1)
    // The model it created is deleted at once, not left for a later deploy.
    expect(sequence()).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'DeleteModel'])
    expect(sm.commandCalls(DeleteModelCommand)[0].args[0].input).toEqual({ ModelName: NEW })
    expect(opts.lines).toContain(`sagemaker: CreateEndpointConfig failed: deleted the model ${NEW} this deploy created`)
  })

  test('a model whose create answered "already exists" is not this call\'s: a failed config create keeps it', async () => {
    sm.on(DescribeEndpointCommand).rejectsOnce(notFound())
    sm.on(CreateModelCommand).rejects(awsError('ValidationException', `Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:model/${NEW}".`, 400))
    sm.on(CreateEndpointConfigCommand).rejects(awsError('ResourceLimitExceeded', 'The account-level service limit for endpoint configs is 1000.', 400))
    const opts = options()
    await rejection(deploySageMaker(opts))
    expect(sm.commandCalls(DeleteModelCommand)).toHaveLength(0)
    expect(opts.lines).toContain(`sagemaker: CreateEndpointConfig failed; the model ${NEW} existed before this deploy's create (a retry, or another deploy in the same second), so it is kept`)
  })

  test('a refused UpdateEndpoint deletes the config and the model this deploy created; the live ones stay', async () => {
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD))
    sm.on(UpdateEndpointCommand).rejects(awsError('ValidationException', 'The alarm sentiment-5xx does not exist.', 400))
    const opts = options()
    expect((await rejection(deploySageMaker(opts))).message).toMatch(/SageMaker UpdateEndpoint failed: ValidationException: The alarm sentiment-5xx does not exist/)
    expect(sequence()).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint', 'DescribeEndpoint', 'DeleteEndpointConfig', 'DeleteModel'])
    expect(sm.commandCalls(DeleteEndpointConfigCommand)[0].args[0].input).toEqual({ EndpointConfigName: NEW })
    expect(opts.lines).toEqual(expect.arrayContaining([`sagemaker: UpdateEndpoint failed: deleted the endpoint config ${NEW} this deploy created`, `sagemaker: UpdateEndpoint failed: deleted the model ${NEW} this deploy created`]))
  })

  test('an UpdateEndpoint that failed but may have gone through (the endpoint is Updating) keeps what it created', async () => {
    sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', OLD)).resolves(endpoint('Updating', OLD))
    sm.on(UpdateEndpointCommand).rejects(awsError('InternalFailure', 'An internal error occurred.', 500))
    const opts = options({ retry: { maxAttempts: 1 } })
    await rejection(deploySageMaker(opts))
    expect(sm.commandCalls(DeleteEndpointConfigCommand)).toHaveLength(0)
    expect(sm.commandCalls(DeleteModelCommand)).toHaveLength(0)
    expect(opts.lines).toContain(`sagemaker: UpdateEndpoint failed; model and endpoint config ${NEW} kept: endpoint ${ENDPOINT} is Updating on ${OLD} and may be moving to them`)
  })

  test("a deletion that fails after a failed create is a warning; the create's error is what is thrown", async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound())
    sm.on(CreateEndpointCommand).rejects(awsError('ResourceLimitExceeded', 'The account-level service limit for ml.m5.large is 2 instances.', 400))
    sm.on(DeleteEndpointConfigCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform sagemaker:DeleteEndpointConfig', 400))
    const opts = options()
    expect((await rejection(deploySageMaker(opts))).message).toMatch(/SageMaker CreateEndpoint failed: ResourceLimitExceeded/)
    expect(opts.lines).toContain(
      `sagemaker: warning: CreateEndpoint failed, and the endpoint config ${NEW} this deploy created could not be deleted (AccessDeniedException: not authorized to perform sagemaker:DeleteEndpointConfig); a later deploy's cleanup removes it`,
    )
    expect(opts.lines).toContain(`sagemaker: CreateEndpoint failed: deleted the model ${NEW} this deploy created`)
  })

  test('cleanup keeps the live and the previous config and the newest N of this endpoint, deletes older ones, and only warns when a delete fails', async () => {
    const version = (day: number) => `sentiment-${String(day).padStart(2, '0')}23456789ab-202611${String(day).padStart(2, '0')}090000`
    const [v1, v2, v3, v4, v5] = [1, 2, 3, 4, 5].map(version)
    const staging = 'sentiment-aa23456789ab-20261127090000'
    const created = (name: string) => (name === NEW ? new Date(START) : new Date(`2026-11-${name.slice(-14, -12)}T09:00:00Z`))
    const names = [NEW, staging, v5, v4, v3, v2, v1, 'sentiment-experimental']
    const arn = (kind: string, name: string) => `arn:aws:sagemaker:us-east-1:123456789012:${kind}/${name}`
    sm.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: names.map((name) => ({ EndpointConfigName: name, EndpointConfigArn: arn('endpoint-config', name), CreationTime: created(name) })) })
    sm.on(ListModelsCommand).resolves({ Models: names.map((name) => ({ ModelName: name, ModelArn: arn('model', name), CreationTime: created(name) })) })
    sm.on(ListTagsCommand).callsFake((input: { ResourceArn: string }) => ({ Tags: [{ Key: 'modeltest:endpoint', Value: input.ResourceArn.includes(staging) ? 'sentiment-staging' : ENDPOINT }] }))
    sm.on(DeleteModelCommand, { ModelName: v3 }).rejects(awsError('AccessDeniedException', 'not allowed to sagemaker:DeleteModel', 400))
    // The endpoint ran v1 (an earlier rollback put it back there); the update to NEW succeeds.
    sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', v1)).resolvesOnce(endpoint('Updating', v1)).resolves(endpoint('InService', NEW))
    const opts = options({ keep: 2 })
    const result = await deploySageMaker(opts)
    expect(result).toMatchObject({ outcome: 'deployed', previousConfigName: v1 })
    const deletedConfigs = sm.commandCalls(DeleteEndpointConfigCommand).map((call) => call.args[0].input.EndpointConfigName)
    const deletedModels = sm.commandCalls(DeleteModelCommand).map((call) => call.args[0].input.ModelName)
    // newest 2 of this endpoint: NEW (live) and v5; v1 is the previous; staging's and the unversioned name are not ours
    expect(deletedConfigs).toEqual([v4, v3, v2])
    expect(deletedModels).toEqual([v4, v3, v2])
    expect(opts.lines).toContain(`sagemaker: warning: could not delete model ${v3}: AccessDeniedException: not allowed to sagemaker:DeleteModel`)
    expect(opts.lines).toContain(`sagemaker: deleted old model ${v2}`)
    expect(sm.commandCalls(DescribeEndpointConfigCommand).map((call) => call.args[0].input.EndpointConfigName)).toEqual([NEW, v1])
  })

  test('after a rollback the live (old) config and the new one both stay', async () => {
    const names = [NEW, OLD]
    sm.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: names.map((name, i) => ({ EndpointConfigName: name, EndpointConfigArn: `arn:${name}`, CreationTime: new Date(START - i * 1000) })) })
    sm.on(ListTagsCommand).resolves({ Tags: [{ Key: 'modeltest:endpoint', Value: ENDPOINT }] })
    updateTo(endpoint('InService', OLD, { FailureReason: 'alarm' }))
    expect((await deploySageMaker(options({ keep: 1 }))).outcome).toBe('rolled-back')
    expect(sm.commandCalls(DeleteEndpointConfigCommand)).toHaveLength(0)
  })

  test('a cleanup that cannot list is a warning, not a failed deploy', async () => {
    sm.on(ListEndpointConfigsCommand).rejects(awsError('AccessDeniedException', 'no sagemaker:ListEndpointConfigs', 400))
    updateTo(endpoint('InService', NEW))
    const opts = options()
    expect((await deploySageMaker(opts)).outcome).toBe('deployed')
    expect(opts.lines).toContain('sagemaker: warning: cannot list the endpoint configs (AccessDeniedException: no sagemaker:ListEndpointConfigs); none deleted')
  })

  test('options are checked before the gate and before any call', async () => {
    const cases: [Partial<SageMakerDeployOptions>, RegExp][] = [
      [{ modelName: 'a-model-name-far-too-long-for-the-suffix' }, /the model name 'a-model-name-far-too-long-for-the-suffix' is not a SageMaker name of at most 35 characters/],
      [{ endpointName: 'bad_name' }, /the endpoint name 'bad_name'/],
      [{ modelDataUrl: 'https://example.com/model.tar.gz' }, /is not an s3:\/\/ URL/],
      [{ executionRoleArn: 'SageMakerRole' }, /is not an IAM role ARN/],
      [{ traffic: { type: 'CANARY', waitIntervalSeconds: 300, canarySizePercent: 60 } }, /the canary size \(percent\) must be a whole number from 1 to 50, got 60/],
      [{ traffic: { type: 'LINEAR', waitIntervalSeconds: 300, linearStepPercent: 5 } }, /the linear step \(percent\) must be a whole number from 10 to 50/],
      [{ maxExecutionTimeoutSeconds: 600, terminationWaitSeconds: 400 }, /must exceed the traffic wait plus the termination wait \(700 s\)/],
      [{ alarms: Array.from({ length: 11 }, (_, i) => `a${i}`) }, /11 alarms given; SageMaker watches at most 10/],
    ]
    for (const [overrides, message] of cases) expect((await rejection(deploySageMaker(options(overrides)))).message).toMatch(message)
    expect(sm.calls()).toHaveLength(0)
  })

  test('no credential reaches a log line or an error message', async () => {
    const key = 'AKIAFAKEPLANTED123'
    const secret = 'planted-secret-value'
    vi.stubEnv('AWS_ACCESS_KEY_ID', key)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', secret)
    const seen: string[] = []
    // A deploy with the default client (credentials from the environment), where SageMaker's answers echo them.
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('InService', OLD))
      .resolvesOnce(endpoint('Updating', OLD))
      .resolves(endpoint('InService', OLD, { FailureReason: `rolled back; caller ${key}` }))
    sm.on(ListModelsCommand).rejects(awsError('AccessDeniedException', `User with key ${key} and secret ${secret} is not authorized`, 400))
    const opts = options({ client: undefined, region: 'us-east-1' })
    const result = await deploySageMaker(opts)
    expect(result.outcome).toBe('rolled-back')
    seen.push(...opts.lines, result.failureReason ?? '')
    // An error thrown out of the deploy.
    sm.reset()
    sm.on(DescribeEndpointCommand).rejects(awsError('UnrecognizedClientException', `The security token ${key}/${secret} included in the request is invalid.`, 400))
    const error = await rejection(deploySageMaker(options({ client: undefined, region: 'us-east-1' })))
    seen.push(error.message)
    // The command line: its output, and what main prints for the error.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      expect(await main(['deploy', 'sagemaker', ...cliFlags(), '--region', 'us-east-1'])).toBe(2)
      seen.push(...[...stdout.mock.calls, ...stderr.mock.calls].map((call) => String(call[0])))
      expect(stdout.mock.calls.map((call) => String(call[0])).join('')).toMatch(/^modeltest gate: .* passed 1 checks/)
    } finally {
      stdout.mockRestore()
      stderr.mockRestore()
    }
    const all = seen.join('\n')
    expect(all).toMatch(/\[redacted\]/)
    expect(all).not.toContain(key)
    expect(all).not.toContain(secret)
    expect(all).not.toContain('PLANTED')
  })

  test('deployStages runs production only after staging deployed', async () => {
    const { deployStages } = await import('../src/index.js')
    sm.on(DescribeEndpointCommand).rejects(notFound())
    sm.on(DescribeEndpointCommand, { EndpointName: 'sentiment-staging' })
      .rejectsOnce(notFound())
      .resolves(endpoint('Failed', NEW, { EndpointName: 'sentiment-staging', FailureReason: 'health check' }))
    const { endpointName: _, ...base } = options()
    const results = await deployStages(base, [
      { name: 'staging', endpointName: 'sentiment-staging', overrides: { initialInstanceCount: 1 } },
      { name: 'production', endpointName: ENDPOINT },
    ])
    expect(results.map(({ stage, result }) => [stage, result.outcome])).toEqual([['staging', 'failed']])
    expect(sm.commandCalls(CreateEndpointCommand).map((call) => call.args[0].input.EndpointName)).toEqual(['sentiment-staging'])
  })
})

describe('retries', () => {
  test('what is retried: throttling and server errors, never validation or other 4xx', () => {
    expect(retryReason(throttled())).toBe('throttling')
    expect(retryReason(awsError('Whatever', 'slow down', 429))).toBe('throttling')
    expect(retryReason(awsError('SomeError', 'x', 400, { $retryable: { throttling: true } }))).toBe('throttling')
    expect(retryReason(awsError('InternalFailure', 'x', 500))).toBe('server error')
    expect(retryReason(awsError('ServiceUnavailable', 'x', 503))).toBe('server error')
    expect(retryReason(awsError('Unknown', 'bad gateway', 502))).toBe('server error')
    expect(retryReason(awsError('ValidationException', 'x', 400))).toBeUndefined()
    expect(retryReason(awsError('AccessDeniedException', 'x', 403))).toBeUndefined()
    expect(retryReason(awsError('ResourceLimitExceeded', 'x', 400))).toBeUndefined()
    expect(retryReason(new Error('plain'))).toBeUndefined()
  })

  test('backoff is full jitter under a growing, capped ceiling, and gives up after maxAttempts', async () => {
    const sleeps: number[] = []
    let calls = 0
    const failing = retrying(
      async () => {
        calls++
        throw awsError('InternalFailure', 'boom', 500)
      },
      { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500, random: () => 0.99, sleep: async (ms) => void sleeps.push(ms) },
    )
    await expect(failing).rejects.toThrow('boom')
    expect(calls).toBe(5)
    expect(sleeps).toEqual([99, 198, 396, 495])
  })
})

/** A writable that keeps what is written. */
function sink() {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

function cliFlags(): string[] {
  return [
    '--report',
    passedReport,
    '--model',
    onnx,
    '--endpoint',
    ENDPOINT,
    '--model-name',
    'sentiment',
    '--image',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4',
    '--model-data',
    's3://ml-models/sentiment/model.tar.gz',
    '--role',
    'arn:aws:iam::123456789012:role/SageMakerExecution',
  ]
}

describe('modeltest deploy sagemaker', () => {
  test('deploys with the flags: a canary with alarms; exit 0', async () => {
    updateTo(endpoint('InService', NEW))
    const out = sink()
    const { now, sleep } = clock()
    const code = await runDeploy(['sagemaker', ...cliFlags(), '--traffic', 'canary', '--canary-size', '20', '--wait', '600', '--alarms', 'sentiment-5xx, sentiment-latency', '--instance-count', '3'], { stdout: out.stream, now, sleep })
    expect(code).toBe(0)
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 600, CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 } }, TerminationWaitInSeconds: 120, MaximumExecutionTimeoutInSeconds: 1800 },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'sentiment-5xx' }, { AlarmName: 'sentiment-latency' }] },
    })
    expect(out.text()).toMatch(/sagemaker: updating endpoint sentiment-prod from .* blue\/green, canary 20% of capacity, then the rest after 600 s/)
    expect(out.text()).toMatch(new RegExp(`modeltest deploy: sentiment-prod serves ${NEW}\\n$`))
  })

  test('a rollback exits 1 with the reason', async () => {
    updateTo(endpoint('InService', OLD, { FailureReason: 'Alarm sentiment-5xx fired' }))
    const out = sink()
    const { now, sleep } = clock()
    expect(await runDeploy(['sagemaker', ...cliFlags()], { stdout: out.stream, now, sleep })).toBe(1)
    expect(out.text()).toMatch(new RegExp(`modeltest deploy: ROLLED BACK to ${OLD}: Alarm sentiment-5xx fired\\n$`))
  })

  test('bad flags are usage errors (exit 2), before any call', async () => {
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--bogus']))).message).toMatch(/unknown option --bogus\n {2}See modeltest deploy sagemaker --help\./)
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--traffic', 'sideways']))).message).toMatch(/--traffic 'sideways' is not a traffic shift\n {2}Use --traffic all-at-once, canary or linear\./)
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--canary-size', '10']))).message).toMatch(/--canary-size applies to --traffic canary only/)
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--keep', 'three']))).message).toMatch(/--keep takes a whole number ≥ 0, got 'three'/)
    expect((await rejection(runDeploy(['sagemaker', '--report', passedReport]))).message).toMatch(/needs --model, --endpoint, --model-name, --image, --role, --upload \(or --model-data\)/)
    expect((await rejection(runDeploy(['kubernetes']))).message).toMatch(/unknown deploy target 'kubernetes'/)
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--beside', 'blue', '--traffic', 'canary', '--wait', '60']))).message).toMatch(/so --traffic, --wait do not apply/)
    expect((await rejection(runDeploy(['sagemaker', ...cliFlags(), '--weight', '0.2']))).message).toMatch(/--weight applies with --beside only/)
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      expect(await main(['deploy', 'sagemaker', ...cliFlags(), '--wait'])).toBe(2)
      expect(String(stderr.mock.calls[0][0])).toBe('modeltest: --wait needs a value\n  See modeltest deploy sagemaker --help.\n')
    } finally {
      stderr.mockRestore()
    }
    expect(sm.calls()).toHaveLength(0)
  })
})
