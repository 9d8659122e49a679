import { dataset, type CaptureDataset } from 'modeltest'

/** The model's inputs, in the order the endpoint receives them (CSV values, JSON arrays). */
export const FEATURES = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
const WEEK_MS = 7 * 24 * 3600 * 1000

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: see examples/monitoring/README.md`)
  return value
}

/** Last week's captured requests, with the labels that came for them joined on the InferenceId they were sent with. */
export function lastWeek(): Promise<CaptureDataset> {
  return dataset.capture(required('CAPTURE_URI'), {
    since: process.env.CAPTURE_SINCE || new Date(Date.now() - WEEK_MS),
    until: process.env.CAPTURE_UNTIL || undefined,
    features: FEATURES,
    groundTruth: required('GROUND_TRUTH_URI'),
    joinOn: 'inferenceId',
  })
}
