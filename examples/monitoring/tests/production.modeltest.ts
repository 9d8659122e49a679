// The weekly production checks of examples/github/scheduled-retrain.yml: the model in production, judged on
// last week's captured traffic (SageMaker Data Capture) and the labels that came for it later (ground truth in
// Model Monitor's format). Nothing calls the endpoint: model.captured() replays what it answered.
//
//   CAPTURE_URI       s3://bucket/prefix/<endpoint>/<variant>/ (DataCaptureConfig's DestinationS3Uri, endpoint, variant)
//   GROUND_TRUTH_URI  s3://bucket/prefix/ of the labels, whose eventMetadata.eventId is the InferenceId each request was sent with
//   CAPTURE_SINCE     the start of the week (default: 7 days ago); CAPTURE_UNTIL its end (default: now)
import { describe, expect, test } from 'vitest'
import { dataset, model } from 'modeltest'
import { FEATURES, lastWeek } from '../capture.js'

const week = await lastWeek()
const labelled = week.labelled()
const production = model.captured(week)
const train = await dataset('data/train.csv')

describe('last week in production', () => {
  test('enough traffic to judge', () => expect(week).toHaveAtLeastRows(100))
  test('most requests labelled', () => expect(labelled).toHaveAtLeastRows(Math.ceil(week.rowCount * 0.5)))
  test('accuracy', async () => {
    await expect(production).toMeetAccuracy(0.8, { on: labelled, label: 'label' })
  })
  test('inputs drawn like the training data', async () => {
    await expect(week).toHaveNoDriftFrom(train, { columns: FEATURES })
  })
})
