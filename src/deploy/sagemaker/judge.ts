/** The deploy's verdict, a pure function of where the wait left the endpoint. */
import { redact } from '../aws-errors.js'
import type { SageMakerDeployResult } from '../sagemaker.js'
import { duration } from './control.js'
import type { WaitOutcome } from './wait.js'

/**
 * What the settled endpoint says about this deploy. SageMaker ends an automatic rollback (an alarm fired,
 * or the new fleet failed) InService on the OLD config, so the verdict compares the config it serves:
 * InService on the new one is deployed, InService on the previous one is rolled-back (with SageMaker's
 * FailureReason), anything else failed. A wait that ran out is failed and timedOut: SageMaker may yet finish.
 */
export function judge(waited: WaitOutcome, base: Omit<SageMakerDeployResult, 'outcome'>, timeoutSeconds: number): SageMakerDeployResult {
  const state = waited.final
  if (!state) {
    const failureReason = `gave up waiting after ${duration(timeoutSeconds * 1000)}: the endpoint is still ${waited.lastStatus ?? 'unknown'}; SageMaker may yet finish or roll back (see aws sagemaker describe-endpoint --endpoint-name ${base.endpointName})`
    return { outcome: 'failed', ...base, failureReason, timedOut: true }
  }
  const status = state.EndpointStatus
  const reason = state.FailureReason ? redact(state.FailureReason) : undefined
  if (status === 'InService' && state.EndpointConfigName === base.endpointConfigName) return { outcome: 'deployed', ...base }
  if (status === 'InService' && base.previousConfigName !== undefined && state.EndpointConfigName === base.previousConfigName)
    return { outcome: 'rolled-back', ...base, failureReason: reason ?? `SageMaker rolled ${base.endpointName} back to ${base.previousConfigName} without giving a reason (did an alarm fire?)` }
  if (status === 'InService') return { outcome: 'failed', ...base, failureReason: `${base.endpointName} now serves ${state.EndpointConfigName}, neither this deploy's config nor the previous one: did another deploy run at the same time?` }
  return { outcome: 'failed', ...base, failureReason: reason ?? `the endpoint is ${status} (SageMaker gave no reason)` }
}
