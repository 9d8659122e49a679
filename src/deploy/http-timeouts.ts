import { checkNumber } from '../guard.js'

/**
 * Timeouts for every AWS SDK client modeltest makes (SageMaker's control plane and runtime, S3), so that a
 * server that accepts a connection and never answers ends the call with a TimeoutError instead of hanging:
 *
 *     new S3Client({ region, requestHandler: requestTimeouts(options.requestTimeoutMs) })
 *
 * @smithy/node-http-handler 4.x only logs a warning when `requestTimeout` runs out unless
 * `throwOnRequestTimeout` is set, and it stops that clock once the response headers arrive: `socketTimeout`
 * bounds a body that stalls after them, and `connectionTimeout` a connection that is never accepted.
 */

/** The limit on one request (connection, answer, and each pause in the body) when none is given: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** A connection takes at most this long, or the request limit when that is shorter. */
const CONNECT_TIMEOUT_MS = 10_000

/** @smithy/node-http-handler's options that bound a request; an SDK client takes them as its `requestHandler`. */
export interface RequestTimeouts {
  connectionTimeout: number
  requestTimeout: number
  socketTimeout: number
  throwOnRequestTimeout: true
}

/** The `requestHandler` options of an AWS SDK client whose every request ends within `timeoutMs` (or fails with a TimeoutError). */
export function requestTimeouts(timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS): RequestTimeouts {
  checkNumber(timeoutMs, 'requestTimeoutMs', 'AWS request timeout', { min: 1, whole: true })
  return { connectionTimeout: Math.min(timeoutMs, CONNECT_TIMEOUT_MS), requestTimeout: timeoutMs, socketTimeout: timeoutMs, throwOnRequestTimeout: true }
}
