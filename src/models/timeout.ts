import { ModeltestError } from '../errors.js'

/** Read by every worker: the prediction timeout of models that set none (`modeltest --predict-timeout`, `predictTimeoutMs` in the config). */
export const PREDICT_TIMEOUT_VARIABLE = 'MODELTEST_PREDICT_TIMEOUT_MS'
/** Well under vitest's 120 s test timeout, so that a stuck model fails with its own name rather than as a timed-out test. */
const DEFAULT_TIMEOUT_MS = 60_000

/** The prediction timeout when a model sets none: MODELTEST_PREDICT_TIMEOUT_MS, else 60 s. */
export function defaultPredictTimeout(): number {
  const value = process.env[PREDICT_TIMEOUT_VARIABLE]
  return value === undefined || value === '' ? DEFAULT_TIMEOUT_MS : predictTimeout(value, PREDICT_TIMEOUT_VARIABLE)
}

/** A prediction timeout as given (`where`: the flag, the config key or the variable): whole milliseconds ≥ 1. */
export function predictTimeout(value: string | number, where: string): number {
  const timeout = Number(value)
  if (Number.isInteger(timeout) && timeout >= 1) return timeout
  throw new ModeltestError({
    what: `the prediction timeout '${value}' is not a whole number of milliseconds ≥ 1`,
    where,
    fix: `Give 60000 for a minute (--predict-timeout, predictTimeoutMs in modeltest.config.ts or ${PREDICT_TIMEOUT_VARIABLE}), or leave it out for the default (${DEFAULT_TIMEOUT_MS}).`,
  })
}

/** A prediction that did not settle in time: the model's failure, not its caller's (modeltest serve answers 500, not 400). */
export class PredictionTimeout extends ModeltestError {}

/** `work`, or the error `expired()` makes when it has not settled within `ms`. */
export function withinTimeout<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
