import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { awsFix, describeAwsError, keepErrorBodies } from '../deploy/aws-errors.js'
import { requestTimeouts } from '../deploy/http-timeouts.js'
import { ModeltestError } from '../errors.js'
import { hashText } from '../hash.js'
import type { Row } from '../data/dataset.js'
import { sagemakerInstances, sagemakerScores } from './http.js'
import { rowsInput, toMatrix } from './input.js'
import { MODEL_OPTIONS, Model, checkModelOptions, type ModelOptions } from './model.js'

/** Set by `modeltest canary` for the test files it runs: the endpoint and the variant under test. */
export const CANARY_ENDPOINT_VARIABLE = 'MODELTEST_ENDPOINT'
export const CANARY_VARIANT_VARIABLE = 'MODELTEST_TARGET_VARIANT'

export interface SageMakerModelOptions extends ModelOptions {
  /** The production variant every request goes to (InvokeEndpoint's TargetVariant); by default SageMaker splits by weight. */
  variant?: string
  /** The AWS region; by default the SDK's own lookup (AWS_REGION, the profile). */
  region?: string
  /** The runtime client; by default one for `region` that makes one attempt per invocation. */
  client?: SageMakerRuntimeClient
  /** Milliseconds before a request is abandoned, its connection included, and the prediction call fails: the prediction timeout (see ModelOptions.timeoutMs; 60,000 by default). */
  timeoutMs?: number
}

const SAGEMAKER_MODEL_OPTIONS = [...MODEL_OPTIONS, 'variant', 'region', 'client']

/** One InvokeEndpoint call, as the canary times it. */
export interface Invocation {
  endpointName: string
  variant?: string
  /** JSON, `{ "instances": [...] }`. */
  body: string
}

/** The answer of one invocation: its JSON and the variant that served it. */
export interface InvocationAnswer {
  answer: unknown
  invokedVariant?: string
}

/**
 * A runtime client for canaries: one attempt per invocation, so that every error is counted and no
 * retry hides one, and a timeout on every request. Credentials come from the standard provider chain.
 */
export async function canaryRuntimeClient(region?: string, timeoutMs?: number): Promise<SageMakerRuntimeClient> {
  const { SageMakerRuntimeClient } = await import('@aws-sdk/client-sagemaker-runtime')
  return keepErrorBodies(new SageMakerRuntimeClient({ ...(region ? { region } : {}), maxAttempts: 1, requestHandler: requestTimeouts(timeoutMs) }))
}

/**
 * Calls InvokeEndpoint once. An error says which endpoint and variant, what SageMaker answered and what to
 * do; a TargetVariant that another variant answered is an error too.
 */
export async function invokeEndpoint(client: SageMakerRuntimeClient, invocation: Invocation): Promise<InvocationAnswer> {
  const { InvokeEndpointCommand } = await import('@aws-sdk/client-sagemaker-runtime')
  const where = `endpoint ${invocation.endpointName}${invocation.variant ? `, variant ${invocation.variant}` : ''}`
  let output
  try {
    output = await client.send(
      new InvokeEndpointCommand({
        EndpointName: invocation.endpointName,
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: new TextEncoder().encode(invocation.body),
        ...(invocation.variant ? { TargetVariant: invocation.variant } : {}),
      }),
    )
  } catch (error) {
    throw invocationError(error, where)
  }
  if (invocation.variant && output.InvokedProductionVariant && output.InvokedProductionVariant !== invocation.variant) {
    throw new ModeltestError({ what: `variant ${output.InvokedProductionVariant} answered a request sent to ${invocation.variant}`, where, fix: 'Check the variant names of the endpoint config (aws sagemaker describe-endpoint).' })
  }
  const text = new TextDecoder().decode(output.Body)
  try {
    return { answer: JSON.parse(text), invokedVariant: output.InvokedProductionVariant }
  } catch {
    throw new ModeltestError({ what: `the endpoint's answer is not JSON: ${text.slice(0, 100)}`, where, fix: 'The container should answer application/json { "predictions": [...] } (modeltest serve does).' })
  }
}

/**
 * A model deployed behind a SageMaker real-time endpoint, tested with the same matchers as a local one:
 * each batch is one InvokeEndpoint call with `{ "instances": rows }` (or the rows of the `features` /
 * `preprocess` matrix), answered `{ "predictions": [...] }` as `modeltest serve` does. One attempt per
 * call: an error fails the check that needed it.
 *
 * Without an endpoint name it reads the endpoint and variant that `modeltest canary` sets, so that a
 * canary test file needs no names:
 *
 *     const live = model.sagemaker({ features })                    // in a file run by modeltest canary
 *     const prod = model.sagemaker('sentiment-prod', { variant: 'green', region: 'eu-west-1' })
 */
export function sagemakerModel(endpointOrOptions?: string | SageMakerModelOptions, moreOptions: SageMakerModelOptions = {}): Model {
  const endpointName = typeof endpointOrOptions === 'string' ? endpointOrOptions : undefined
  const options = typeof endpointOrOptions === 'object' ? endpointOrOptions : moreOptions
  checkModelOptions(options, SAGEMAKER_MODEL_OPTIONS, 'model.sagemaker()')
  const endpoint = endpointName ?? process.env[CANARY_ENDPOINT_VARIABLE]
  if (!endpoint) {
    throw new ModeltestError({
      what: 'model.sagemaker() needs an endpoint name',
      fix: `Write model.sagemaker('sentiment-prod'), or run the file with modeltest canary --endpoint NAME, which sets ${CANARY_ENDPOINT_VARIABLE}.`,
    })
  }
  const variant = options.variant ?? (endpointName === undefined ? process.env[CANARY_VARIANT_VARIABLE] || undefined : undefined)
  const where = `sagemaker:${endpoint}${variant ? `/${variant}` : ''}`
  const matrix = options.preprocess || options.features ? rowsInput(options, where) : undefined
  let client: Promise<SageMakerRuntimeClient> | undefined
  const model: Model = new Model({
    name: options.name ?? where,
    hash: hashText(`sagemaker ${endpoint} ${variant ?? ''}`),
    runtime: { runtime: 'http', backend: 'sagemaker-runtime' },
    batchSize: options.batchSize,
    timeoutMs: options.timeoutMs,
    runBatch: async (rows: Row[]) => {
      // The request gives up with the prediction (model.timeoutMs), so that no abandoned socket stays open.
      client ??= options.client ? Promise.resolve(options.client) : canaryRuntimeClient(options.region, model.timeoutMs)
      const input = matrix ? toMatrix(await matrix(rows), rows.length, undefined, where) : undefined
      const { answer } = await invokeEndpoint(await client, { endpointName: endpoint, variant, body: JSON.stringify({ instances: sagemakerInstances(rows, input) }) })
      return sagemakerScores(answer, rows.length, where)
    },
  })
  return model
}

/** A failed InvokeEndpoint call; `errorName` is SageMaker's (ModelError, ValidationError, ThrottlingException, TimeoutError, …), which the canary counts by. */
export class InvocationError extends ModeltestError {
  constructor(
    readonly errorName: string,
    parts: { what: string; where: string; fix: string },
  ) {
    super(parts)
  }
}

/** An InvokeEndpoint failure in words: SageMaker's error name and message (credentials taken out), the HTTP status, and what to do. No cause is kept: it may hold credentials. */
function invocationError(error: unknown, where: string): InvocationError {
  const checkEndpoint = 'Check the endpoint and variant names, and that the endpoint is InService.'
  const failure = describeAwsError(error)
  const { name } = failure
  const fix = awsFix(failure, {
    timeout: 'Check that the endpoint is InService and its container answers; when the model is only slow, raise the limit ({ timeoutMs }, modeltest canary --request-timeout) or lower batchSize.',
    notJson: 'Something between modeltest and SageMaker answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL): check it, then try again.',
    byName: {
      ModelError: 'The container answered an error: see its CloudWatch logs (/aws/sagemaker/Endpoints/<endpoint>).',
      ValidationError: checkEndpoint,
      ValidationException: checkEndpoint,
    },
    region: 'Give the region (--region, or { region }), or set AWS_REGION.',
    credentials: 'Check the AWS credentials this job runs with and that they may call sagemaker:InvokeEndpoint.',
    otherwise: 'Try again; when it keeps failing, look at the endpoint in the SageMaker console.',
  })
  return new InvocationError(name, { what: `InvokeEndpoint failed: ${failure.text}`, where, fix })
}
