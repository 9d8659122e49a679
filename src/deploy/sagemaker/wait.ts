/** Waiting for the endpoint to settle after the create or update: DescribeEndpoint every pollSeconds, up to a deadline. */
import type { DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker'
import { pollUntil } from '../poll.js'
import { duration } from './control.js'

const SETTLED = new Set(['InService', 'Failed', 'UpdateRollbackFailed', 'OutOfService', 'Deleting'])

export interface WaitOptions {
  endpoint: string
  /** The config this deploy moves the endpoint to. */
  version: string
  /** DescribeEndpoint, retried and with its failure in words (see controlPlane, awsCall). */
  describe: () => Promise<DescribeEndpointCommandOutput>
  log: (line: string) => void
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** When the create or update was sent: the deadline is timeoutSeconds after it. */
  started: number
  timeoutSeconds: number
  pollSeconds: number
  /** A first deploy: the endpoint is new, so InService means it settled. */
  created: boolean
}

export interface WaitOutcome {
  /** The settled endpoint; undefined when the deadline passed first. */
  final?: DescribeEndpointCommandOutput
  /** The status last seen. */
  lastStatus?: string
}

/**
 * Polls until the endpoint settles (InService, Failed, UpdateRollbackFailed, OutOfService, Deleting) or the
 * deadline passes, logging each new status and, while it stays, a line a minute. Right after UpdateEndpoint,
 * DescribeEndpoint may still answer InService on the old config; that counts as settled (a rollback) only
 * once the update was seen under way or SageMaker gave a reason.
 * Polled by pollUntil (see there why not the SDK's waiters).
 */
export async function waitToSettle(options: WaitOptions): Promise<WaitOutcome> {
  const { endpoint, version, log, now, started } = options
  const deadline = started + options.timeoutSeconds * 1000
  let lastStatus: string | undefined
  let lastLine = started
  let underway = options.created
  const settled = (state: DescribeEndpointCommandOutput) => {
    const status = state.EndpointStatus ?? 'Unknown'
    const elapsed = now() - started
    if (status !== 'InService') underway = true
    if (status !== lastStatus || now() - lastLine >= 60_000) {
      log(`sagemaker: ${endpoint} ${status}${state.EndpointConfigName ? ` on ${state.EndpointConfigName}` : ''} (${duration(elapsed)})`)
      lastStatus = status
      lastLine = now()
    }
    const onNew = state.EndpointConfigName === version
    return SETTLED.has(status) && (status !== 'InService' || onNew || underway || !!state.FailureReason)
  }
  const polled = await pollUntil(options.describe, settled, { now, sleep: options.sleep, deadline, intervalMs: options.pollSeconds * 1000 })
  return polled.settled ? { final: polled.state, lastStatus } : { lastStatus }
}
