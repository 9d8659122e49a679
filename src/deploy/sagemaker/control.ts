/** The SageMaker control plane: the client's `send` with retries and timeouts, and its failures in words. */
import type { DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { ModeltestError } from '../../errors.js'
import { awsFix, describeAwsError, errorName, keepErrorBodies } from '../aws-errors.js'
import { requestTimeouts } from '../http-timeouts.js'
import { withRetries, type RetryOptions } from '../retry.js'

/** The SDK, loaded when a deploy runs: `import 'modeltest'` stays fast for the test files that never deploy. */
export type Sdk = typeof import('@aws-sdk/client-sagemaker')
export type Send = SageMakerClient['send']

/**
 * The SageMaker control plane's `send`, retried by `withRetries` (throttling and 5xx, with backoff; each retry
 * logged). The default client makes one attempt per call, since the SDK's own retries would multiply the
 * attempts, and times out every request.
 *
 * Why not the client's own `retryStrategy` (@smithy's StandardRetryStrategy or ConfiguredRetryStrategy):
 * - it retries a TimeoutError (a transient error to it), so a request limit of 30 s would become 90 s; here
 *   the limit ends the call, and the error says so;
 * - it retries inside the client's middleware, so a client the user passes keeps its own settings and gets
 *   no retry from us, and a stubbed `send` (aws-sdk-client-mock) skips it;
 * - it has no hook for the log line each retry prints (`throttling (ThrottlingException); attempt 2 in 0.3 s`),
 *   and sleeps with its own timer, not the injectable `sleep` that paces the retries in tests.
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

/** The endpoint, or undefined when SageMaker cannot find it (a first deploy). */
export async function findEndpoint(sdk: Sdk, endpoint: string, send: Send): Promise<DescribeEndpointCommandOutput | undefined> {
  try {
    return await send(new sdk.DescribeEndpointCommand({ EndpointName: endpoint }))
  } catch (error) {
    if (errorName(error) === 'ValidationException' && /could not find endpoint/i.test((error as Error).message ?? '')) return undefined
    throw awsError('DescribeEndpoint', error, endpoint)
  }
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
  const fix = awsFix(failure, {
    timeout: 'Check the network path to SageMaker (proxy, VPC endpoint, AWS_ENDPOINT_URL) and run again; when SageMaker is only slow, raise --request-timeout (requestTimeoutMs).',
    notJson: 'Something between modeltest and SageMaker answered instead of it (a proxy, a gateway, AWS_ENDPOINT_URL): check it, then run the deploy again.',
    byName: {
      ResourceLimitExceeded: 'Ask AWS for a higher quota for this instance type, use another type, or delete endpoints no longer used.',
      ValidationException: 'Check the value SageMaker names above (image, model data, role, instance type, alarms).',
    },
    region: 'Give --region (or region), or set AWS_REGION.',
    credentials: `Check the AWS credentials this job runs with (on GitHub Actions, aws-actions/configure-aws-credentials with an OIDC role) and that they may call sagemaker:${action}${action === 'CreateModel' ? ' and iam:PassRole on the execution role' : ''}.`,
    otherwise: 'Run the deploy again; when it keeps failing, look at the endpoint in the SageMaker console.',
  })
  return new ModeltestError({ what: `SageMaker ${action} failed: ${failure.text}`, where: `endpoint ${endpoint}`, fix })
}
