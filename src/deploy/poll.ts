/**
 * Polling a cloud resource until it settles, for the deploy's wait and the canary's weight shift.
 *
 * Why not the AWS SDK's waiters (`createWaiter` from @smithy, `waitUntilEndpointInService`): their clock and
 * sleep are Date.now and setTimeout, not the injectable `now` and `sleep` that hour-long waits are tested
 * with; with a fixed interval they give up when the next poll would pass the deadline, where this takes a
 * last look at it, and count from the waiter's start rather than from the call that started the change; a
 * limit shorter than the interval throws a plain Error. waitUntilEndpointInService also takes InService after
 * a rollback for success and polls on through UpdateRollbackFailed until its timeout, which fails with a
 * JSON dump.
 */

interface PollTiming {
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** When to give up, in the clock's milliseconds. */
  deadline: number
  intervalMs: number
}

/**
 * Calls `poll` until `settled` says yes or the deadline passes: every intervalMs, the last wait shortened so
 * that the last look is at the deadline itself. `settled` sees every state (it may log, or throw to stop).
 */
export async function pollUntil<S>(poll: () => Promise<S>, settled: (state: S) => boolean, timing: PollTiming): Promise<{ state: S; settled: boolean }> {
  for (;;) {
    const state = await poll()
    if (settled(state)) return { state, settled: true }
    const left = timing.deadline - timing.now()
    if (left <= 0) return { state, settled: false }
    await timing.sleep(Math.min(timing.intervalMs, left))
  }
}
