/** The options of `dataset.capture()` and their checks: what a user gets wrong is named before anything is read. */

import { ModeltestError } from '../../errors.js'
import { checkChoice, checkColumnList, checkNumber, checkOptionKeys, describeValue } from '../../guard.js'

export interface CaptureOptions {
  /** The first moment read (inclusive): a Date or an ISO time. Only the hour folders from its hour on are listed. Default: everything. */
  since?: Date | string
  /** The end (exclusive); default now. */
  until?: Date | string
  /** The model's feature columns, in order: the names of CSV values and of JSON rows sent as arrays, as `modeltest serve --features` takes them. */
  features?: string[]
  /** Names of the score columns the outputs become; `score_0`, `score_1`, … by default. */
  scores?: string[]
  /** Ground truth in Model Monitor's format (an s3:// prefix or a folder of the same layout), joined as the `label` column. */
  groundTruth?: string
  /** Which capture id the ground truth's `eventMetadata.eventId` matches: `eventId` (default) or the `inferenceId` the caller gave InvokeEndpoint. */
  joinOn?: 'eventId' | 'inferenceId'
  /** The name of the joined label column; `label` by default. */
  label?: string
  /** `error` (default): a malformed line stops the read, naming its file and line. `skip`: such lines are counted, reported and left out. */
  badRows?: 'error' | 'skip'
  /** A name for reports; by default `capture <endpoint>/<variant> <since>–<until>`. */
  name?: string
  /** S3 only: the region (default: the environment's). */
  region?: string
  /** S3 only: milliseconds one request may take (default 30 000). */
  requestTimeoutMs?: number
  /** S3 only: keys per ListObjectsV2 page (1 to 1000, S3's maximum and the default). */
  listPageSize?: number
}

const OPTION_NAMES: Record<keyof CaptureOptions, true> = {
  since: true,
  until: true,
  features: true,
  scores: true,
  groundTruth: true,
  joinOn: true,
  label: true,
  badRows: true,
  name: true,
  region: true,
  requestTimeoutMs: true,
  listPageSize: true,
}

export const WHERE = 'dataset.capture()'

export function checkOptions(location: unknown, options: CaptureOptions): void {
  if (typeof location !== 'string' || location === '') {
    throw new ModeltestError({ what: `${WHERE} takes the capture's location, got ${describeValue(location)}`, fix: "Pass 's3://bucket/prefix/<endpoint>/<variant>/' or a folder of the same layout." })
  }
  checkOptionKeys(options, Object.keys(OPTION_NAMES), WHERE)
  checkChoice(options.badRows, ['error', 'skip'], 'badRows', WHERE)
  checkChoice(options.joinOn, ['eventId', 'inferenceId'], 'joinOn', WHERE)
  if (options.features !== undefined) checkColumnList(options.features, 'features', WHERE, "['bill_length_mm', 'flipper_length_mm']")
  if (options.scores !== undefined) checkColumnList(options.scores, 'scores', WHERE, "['p_adelie', 'p_chinstrap', 'p_gentoo']")
  for (const key of ['groundTruth', 'label', 'name', 'region'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ModeltestError({ what: `${WHERE}: ${key} must be a non-empty string, got ${describeValue(value)}`, fix: `Pass { ${key}: '…' }, or leave it out.` })
  }
  if (options.requestTimeoutMs !== undefined) checkNumber(options.requestTimeoutMs, 'requestTimeoutMs', WHERE, { min: 1, whole: true })
  if (options.listPageSize !== undefined) checkNumber(options.listPageSize, 'listPageSize', WHERE, { min: 1, max: 1000, whole: true })
}

export function parseTime(value: unknown, parameter: string): Date {
  const time = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (!time || Number.isNaN(time.getTime())) {
    throw new ModeltestError({ what: `${WHERE}: ${parameter} must be a Date or an ISO time, got ${describeValue(value)}`, fix: `Pass { ${parameter}: '2026-11-23T00:00:00Z' } or a Date.` })
  }
  return time
}
