/**
 * Retries for cloud control-plane calls (SageMaker's CreateModel, DescribeEndpoint, …).
 *
 * Retried: throttling (ThrottlingException, TooManyRequestsException, `$retryable.throttling`, HTTP 429) and
 * server errors (HTTP ≥ 500, InternalFailure, ServiceUnavailable). Never retried: everything else, above all
 * ValidationException and other 4xx answers, which say the request itself is wrong.
 *
 * The wait before attempt k+1 is "full jitter" exponential backoff (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): delay = random() × min(maxDelayMs, baseDelayMs × 2^(k−1)), so that many clients
 * throttled at once do not retry in step. After maxAttempts attempts the last error is thrown, so the
 * time spent here is bounded by Σ min(maxDelayMs, baseDelayMs × 2^(k−1)) plus the calls themselves.
 */

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  maxAttempts?: number
  /** The backoff ceiling of the first retry, in ms (default 500). */
  baseDelayMs?: number
  /** The largest backoff ceiling, in ms (default 20 000). */
  maxDelayMs?: number
  /** Waits ms milliseconds; injectable for tests. */
  sleep?: (ms: number) => Promise<void>
  /** A number in [0, 1); injectable for tests. */
  random?: () => number
  /** Told before each retry: why, and how long the wait is. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown; reason: string }) => void
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown'])
const SERVER = new Set(['InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'InternalServerError', 'InternalServerException', 'InternalError'])

interface AwsLikeError {
  name?: string
  $retryable?: { throttling?: boolean }
  $metadata?: { httpStatusCode?: number }
}

/** Why an error is worth another attempt ('throttling' or 'server error'), or undefined when it is not. */
export function retryReason(error: unknown): 'throttling' | 'server error' | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { name, $retryable, $metadata } = error as AwsLikeError
  const status = $metadata?.httpStatusCode
  if (name === 'ValidationException') return undefined
  if ((name && THROTTLING.has(name)) || $retryable?.throttling === true || status === 429) return 'throttling'
  if ((name && SERVER.has(name)) || (status !== undefined && status >= 500)) return 'server error'
  return undefined
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Calls attempt until it succeeds, an error is not retryable, or maxAttempts ran out. */
export async function retrying<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6
  const base = options.baseDelayMs ?? 500
  const cap = options.maxDelayMs ?? 20_000
  const sleep = options.sleep ?? sleepMs
  const random = options.random ?? Math.random
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      const reason = retryReason(error)
      if (reason === undefined || n >= maxAttempts) throw error
      const delayMs = Math.floor(random() * Math.min(cap, base * 2 ** (n - 1)))
      options.onRetry?.({ attempt: n, delayMs, error, reason })
      await sleep(delayMs)
    }
  }
}

/**
 * The same function, retried as `retrying` does: `const send = withRetries(client.send.bind(client), options)`.
 * The wrapper keeps send's type, overloads and generics included.
 */
export function withRetries<F extends (...args: never[]) => Promise<unknown>>(send: F, options: RetryOptions = {}): F {
  return ((...args: Parameters<F>) => retrying(() => send(...args), options)) as F
}
