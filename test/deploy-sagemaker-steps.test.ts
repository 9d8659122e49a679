import type { DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker'
import { describe, expect, test } from 'vitest'
import { act } from '../src/deploy/sagemaker/act.js'
import type { Send } from '../src/deploy/sagemaker/control.js'
import { judge } from '../src/deploy/sagemaker/judge.js'
import { planDeploy, refuseUnsettled, type DeployPlan, type PlanInput } from '../src/deploy/sagemaker/plan.js'
import { checkOptions } from '../src/deploy/sagemaker/settings.js'
import { waitToSettle, type WaitOptions } from '../src/deploy/sagemaker/wait.js'
import type { SageMakerDeployOptions } from '../src/index.js'
import { rejection } from './helpers.js'

// Each step of deploySageMaker alone; test/deploy-sagemaker.test.ts and test/sagemaker-e2e.test.ts run them together.

const sdk = await import('@aws-sdk/client-sagemaker')
const ENDPOINT = 'sentiment-prod'
const HASH = '0123456789abcdef'.repeat(4)
const AT = Date.parse('2026-11-28T10:00:00Z')
const VERSION = 'sentiment-0123456789ab-20261128100000'
const OLD = 'sentiment-ffffffffffff-20261101090000'

const options: SageMakerDeployOptions = {
  endpointName: ENDPOINT,
  modelName: 'sentiment',
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sentiment:1.4',
  modelDataUrl: 's3://ml-models/sentiment/model.tar.gz',
  executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
  instanceType: 'ml.m5.large',
  initialInstanceCount: 2,
  traffic: { type: 'LINEAR', waitIntervalSeconds: 120, linearStepPercent: 25 },
  alarms: ['sentiment-5xx'],
  gate: { report: 'reports/modeltest.json', model: 'model.onnx' },
}

function endpoint(status: string, config: string, extra: Partial<DescribeEndpointCommandOutput> = {}): DescribeEndpointCommandOutput {
  return {
    $metadata: {},
    EndpointName: ENDPOINT,
    EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${ENDPOINT}`,
    EndpointStatus: status as never,
    EndpointConfigName: config,
    CreationTime: new Date(AT),
    LastModifiedTime: new Date(AT),
    ...extra,
  }
}

function plan(overrides: Partial<SageMakerDeployOptions> = {}, input: Partial<PlanInput> = {}): DeployPlan {
  const checked = { ...options, ...overrides }
  return planDeploy({ settings: checkOptions(checked), options: checked, modelDataUrl: checked.modelDataUrl!, modelHash: HASH, gateOverridden: false, at: AT, ...input })
}

describe('plan: the calls, from the options and the endpoint found', () => {
  const tags = [
    { Key: 'modeltest:endpoint', Value: ENDPOINT },
    { Key: 'modeltest:model-hash', Value: HASH },
    { Key: 'modeltest:gate', Value: 'passed' },
  ]

  test('a first deploy creates the model, the config and the endpoint under one versioned name', () => {
    const first = plan()
    expect(first).toMatchObject({ endpoint: ENDPOINT, version: VERSION, previousConfigName: undefined })
    expect(first.calls.map((call) => [call.action, call.input])).toEqual([
      ['CreateModel', { ModelName: VERSION, PrimaryContainer: { Image: options.image, ModelDataUrl: options.modelDataUrl }, ExecutionRoleArn: options.executionRoleArn, Tags: tags }],
      ['CreateEndpointConfig', { EndpointConfigName: VERSION, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: VERSION, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }], Tags: tags }],
      ['CreateEndpoint', { EndpointName: ENDPOINT, EndpointConfigName: VERSION, Tags: tags }],
    ])
    expect(first.calls.map((call) => call.done)).toEqual([
      `sagemaker: created model ${VERSION} (${options.image}, ${options.modelDataUrl})`,
      `sagemaker: created endpoint config ${VERSION} (variant AllTraffic: ${VERSION}, 2 × ml.m5.large)`,
      `sagemaker: creating endpoint ${ENDPOINT} with ${VERSION} (a first deploy: no blue/green shift, nothing to roll back to)`,
    ])
  })

  test('an update of an InService endpoint is blue/green with the traffic shift and the alarms; an overridden gate is in the tags', () => {
    const update = plan({}, { current: endpoint('InService', OLD), gateOverridden: true })
    expect(update.previousConfigName).toBe(OLD)
    expect(update.calls[0]).toMatchObject({ action: 'CreateModel', input: { Tags: expect.arrayContaining([{ Key: 'modeltest:gate', Value: 'overridden' }]) } })
    expect(update.calls[2]).toEqual({
      action: 'UpdateEndpoint',
      input: {
        EndpointName: ENDPOINT,
        EndpointConfigName: VERSION,
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: { Type: 'LINEAR', WaitIntervalInSeconds: 120, LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 } },
            TerminationWaitInSeconds: 120,
            MaximumExecutionTimeoutInSeconds: 1800,
          },
          AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'sentiment-5xx' }] },
        },
      },
      done: `sagemaker: updating endpoint ${ENDPOINT} from ${OLD} to ${VERSION}: blue/green, 25% of capacity every 120 s; old fleet kept 120 s; rolls back when sentiment-5xx fires; SageMaker limit 1800 s`,
    })
  })

  test('beside the live model: the heaviest live variant is kept with the rest of the traffic, and the update shifts nothing', () => {
    const current = {
      ...endpoint('InService', OLD),
      ProductionVariants: [
        { VariantName: 'blue', CurrentWeight: 0.2 },
        { VariantName: 'green', CurrentWeight: 0.8 },
      ],
    }
    const liveVariants = [
      { VariantName: 'blue', ModelName: 'sentiment-older', InstanceType: 'ml.m5.large' as const, InitialInstanceCount: 1 },
      { VariantName: 'green', ModelName: 'sentiment-live', InstanceType: 'ml.c5.xlarge' as const, InitialInstanceCount: 3 },
    ]
    const beside = plan({ traffic: undefined, alarms: undefined, variantName: 'canary', beside: { variant: 'stable', weight: 0.25 } }, { current, liveVariants })
    expect(beside.calls[1].input).toMatchObject({
      ProductionVariants: [
        { VariantName: 'stable', ModelName: 'sentiment-live', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 3, InitialVariantWeight: 0.75 },
        { VariantName: 'canary', ModelName: VERSION, InstanceType: 'ml.m5.large', InitialInstanceCount: 2, InitialVariantWeight: 0.25 },
      ],
    })
    expect(beside.calls[2].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: VERSION })
    expect(() => plan({ traffic: undefined, alarms: undefined, variantName: 'canary', beside: { variant: 'stable' } })).toThrow(/the endpoint does not exist, so there is no live model to put canary beside/)
  })

  test('an endpoint that is not InService is refused, saying what to do', () => {
    expect(() => refuseUnsettled(endpoint('InService', OLD))).not.toThrow()
    expect(() => refuseUnsettled(endpoint('Updating', OLD))).toThrow(/the endpoint is Updating, not InService: another deployment or update is under way\n.*wait endpoint-in-service/)
    expect(() => refuseUnsettled(endpoint('Failed', OLD, { FailureReason: 'CapacityError' }))).toThrow(/the endpoint is Failed \(CapacityError\); SageMaker cannot update it\n.*delete-endpoint/)
  })
})

/** A SageMaker client as a plain object: `send` records each command's name and input and answers from `answers` (an Error is thrown). */
function fakeClient(answers: Record<string, (input: object) => unknown> = {}) {
  const sent: [string, object][] = []
  const client = {
    send: async (command: { input: object }) => {
      const name = command.constructor.name.replace(/Command$/, '')
      sent.push([name, command.input])
      const answer = answers[name]?.(command.input) ?? {}
      if (answer instanceof Error) throw answer
      return answer
    },
  }
  return { sent, send: client.send as unknown as Send }
}

function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

describe('act: the calls in order, and undo when one fails', () => {
  test("sends the plan's calls in order, logs each, and returns when the endpoint call was sent", async () => {
    const { sent, send } = fakeClient()
    const lines: string[] = []
    let time = AT
    const first = plan()
    const started = await act(first, { sdk, send, log: (line) => lines.push(line), now: () => (time += 1000) })
    expect(sent).toEqual(first.calls.map((call) => [call.action, call.input]))
    expect(lines).toEqual(first.calls.map((call) => call.done))
    expect(started).toBe(AT + 2000)
  })

  test("a refused update deletes the config and the model this deploy created, and throws the update's error in words", async () => {
    const { sent, send } = fakeClient({ UpdateEndpoint: () => awsError('ValidationException', 'The alarm sentiment-5xx does not exist.', 400), DescribeEndpoint: () => endpoint('InService', OLD) })
    const lines: string[] = []
    const error = await rejection(act(plan({}, { current: endpoint('InService', OLD) }), { sdk, send, log: (line) => lines.push(line), now: () => AT }))
    expect(error.message).toBe(
      `endpoint ${ENDPOINT}: SageMaker UpdateEndpoint failed: ValidationException: The alarm sentiment-5xx does not exist. (HTTP 400)\n  Check the value SageMaker names above (image, model data, role, instance type, alarms).`,
    )
    expect(sent.map(([name]) => name)).toEqual(['CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint', 'DescribeEndpoint', 'DeleteEndpointConfig', 'DeleteModel'])
    expect(lines.slice(-2)).toEqual([`sagemaker: UpdateEndpoint failed: deleted the endpoint config ${VERSION} this deploy created`, `sagemaker: UpdateEndpoint failed: deleted the model ${VERSION} this deploy created`])
  })

  test('a model whose create answered "already exists" is not this call\'s: a failed config create keeps it', async () => {
    const { sent, send } = fakeClient({
      CreateModel: () => awsError('ValidationException', `Cannot create already existing model "${VERSION}".`, 400),
      CreateEndpointConfig: () => awsError('ResourceLimitExceeded', 'The account-level service limit for endpoint configs is 1000.', 400),
    })
    const lines: string[] = []
    await rejection(act(plan(), { sdk, send, log: (line) => lines.push(line), now: () => AT }))
    expect(sent.map(([name]) => name)).toEqual(['CreateModel', 'CreateEndpointConfig'])
    expect(lines).toContain(`sagemaker: CreateEndpointConfig failed; the model ${VERSION} existed before this deploy's create (a retry, or another deploy in the same second), so it is kept`)
  })
})

describe('wait: DescribeEndpoint every pollSeconds until the endpoint settles or the deadline', () => {
  /** Answers the states in turn (the last one from then on), on a clock that only sleep moves. */
  function waiting(states: DescribeEndpointCommandOutput[], overrides: Partial<WaitOptions> = {}) {
    let time = AT
    const sleeps: number[] = []
    const lines: string[] = []
    let polls = 0
    const options: WaitOptions = {
      endpoint: ENDPOINT,
      version: VERSION,
      describe: async () => states[Math.min(polls++, states.length - 1)],
      log: (line) => lines.push(line),
      now: () => time,
      sleep: async (ms) => {
        sleeps.push(ms)
        time += ms
      },
      started: AT,
      timeoutSeconds: 3600,
      pollSeconds: 15,
      created: false,
      ...overrides,
    }
    return { run: () => waitToSettle(options), sleeps, lines, polls: () => polls }
  }

  test('polls until InService on the new config, logging each new status', async () => {
    const wait = waiting([endpoint('Updating', OLD), endpoint('Updating', OLD), endpoint('InService', VERSION)])
    expect(await wait.run()).toEqual({ final: endpoint('InService', VERSION), lastStatus: 'InService' })
    expect(wait.sleeps).toEqual([15_000, 15_000])
    expect(wait.lines).toEqual([`sagemaker: ${ENDPOINT} Updating on ${OLD} (0 s)`, `sagemaker: ${ENDPOINT} InService on ${VERSION} (30 s)`])
  })

  test('InService on the old config right after the update is not settled until the update was seen under way', async () => {
    const early = waiting([endpoint('InService', OLD), endpoint('InService', OLD), endpoint('Updating', OLD), endpoint('InService', OLD)])
    expect((await early.run()).final).toEqual(endpoint('InService', OLD))
    expect(early.polls()).toBe(4)
    // On a first deploy there is no old config: InService settles at once.
    expect((await waiting([endpoint('InService', OLD)], { created: true }).run()).final?.EndpointStatus).toBe('InService')
  })

  test('the deadline counts from the update, and the last look is at the deadline itself', async () => {
    const wait = waiting([endpoint('Updating', OLD)], { timeoutSeconds: 100 })
    expect(await wait.run()).toEqual({ lastStatus: 'Updating' })
    expect(wait.sleeps).toEqual([15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 10_000])
    const later = waiting([endpoint('Updating', OLD)], { timeoutSeconds: 100, started: AT - 80_000 })
    await later.run()
    expect(later.sleeps).toEqual([15_000, 5_000])
  })

  test('a status that stays is logged again once a minute', async () => {
    const wait = waiting([endpoint('Creating', VERSION)], { timeoutSeconds: 150, pollSeconds: 30 })
    await wait.run()
    expect(wait.lines).toEqual([`sagemaker: ${ENDPOINT} Creating on ${VERSION} (0 s)`, `sagemaker: ${ENDPOINT} Creating on ${VERSION} (1 min 00 s)`, `sagemaker: ${ENDPOINT} Creating on ${VERSION} (2 min 00 s)`])
  })
})

describe('judge: the outcome, from where the wait left the endpoint', () => {
  const base = { endpointName: ENDPOINT, endpointConfigName: VERSION, modelName: VERSION, previousConfigName: OLD, modelHash: HASH, gateOverridden: false }
  const outcome = (final?: DescribeEndpointCommandOutput, lastStatus?: string) => judge({ final, lastStatus }, base, 3600)

  test('InService on the new config is deployed', () => {
    expect(outcome(endpoint('InService', VERSION))).toEqual({ outcome: 'deployed', ...base })
  })

  test("InService on the previous config is rolled back, with SageMaker's reason or a question", () => {
    expect(outcome(endpoint('InService', OLD, { FailureReason: 'Alarm sentiment-5xx fired' }))).toEqual({ outcome: 'rolled-back', ...base, failureReason: 'Alarm sentiment-5xx fired' })
    expect(outcome(endpoint('InService', OLD)).failureReason).toBe(`SageMaker rolled ${ENDPOINT} back to ${OLD} without giving a reason (did an alarm fire?)`)
  })

  test('another config, a failed endpoint or a wait that ran out is failed', () => {
    expect(outcome(endpoint('InService', 'someone-else')).failureReason).toMatch(/now serves someone-else, neither this deploy's config nor the previous one/)
    expect(outcome(endpoint('Failed', VERSION, { FailureReason: 'ping health check' }))).toEqual({ outcome: 'failed', ...base, failureReason: 'ping health check' })
    expect(outcome(endpoint('UpdateRollbackFailed', VERSION)).failureReason).toBe('the endpoint is UpdateRollbackFailed (SageMaker gave no reason)')
    expect(outcome(undefined, 'Updating')).toEqual({
      outcome: 'failed',
      ...base,
      timedOut: true,
      failureReason: `gave up waiting after 60 min 00 s: the endpoint is still Updating; SageMaker may yet finish or roll back (see aws sagemaker describe-endpoint --endpoint-name ${ENDPOINT})`,
    })
  })
})
