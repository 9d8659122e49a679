import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { RunReport } from '../src/index.js'
import { schemaProblem } from '../src/json-schema.js'
import { reportSchema } from '../src/report-schema.js'
import { startFakeS3, type FakeS3 } from './fake-s3/s3rver.js'
import { requestProblems } from './fake-sagemaker/api-model.js'
import { startFakeSageMaker, type FakeSageMaker } from './fake-sagemaker/server.js'
import { fixturesDir, repoRoot, runCli, tempDir } from './helpers.js'

// The weekly production checks end to end: a model deployed to the fake SageMaker with Data Capture on, traffic
// sent through the real runtime client, captured to s3rver in SageMaker's format, labels written there later as
// ground truth, and examples/monitoring's suite run by the modeltest command on one normal and one drifted week.

const example = join(repoRoot, 'examples', 'monitoring')
const FEATURES = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
const ENDPOINT = 'penguins-prod'
const WEEKS = { normal: Date.UTC(2026, 10, 16), drifted: Date.UTC(2026, 10, 23) }
const HOUR = 3_600_000
const ROWS_PER_REQUEST = 6

let s3: FakeS3
let fake: FakeSageMaker
let clock = new Date(WEEKS.normal)
let work: string
const train = (await readFile(join(example, 'data', 'train.csv'), 'utf8'))
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number))

beforeAll(async () => {
  s3 = await startFakeS3(undefined, 'monitoring')
  fake = await startFakeSageMaker({ artifacts: { 's3://monitoring/models/penguins.tar.gz': join(fixturesDir, 'models', 'penguins.onnx') }, features: FEATURES, s3: s3.url, now: () => clock })
  work = await tempDir()
  const control = new SageMakerClient({ region: fake.env.AWS_REGION, endpoint: fake.url, credentials: { accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY } })
  await control.send(
    new CreateModelCommand({
      ModelName: 'penguins',
      PrimaryContainer: { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1', ModelDataUrl: 's3://monitoring/models/penguins.tar.gz' },
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    }),
  )
  await control.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'penguins-capture',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'penguins', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
      // CSV requests are captured as text; JSON ones, whose type is not listed, base64-encoded as SageMaker does.
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: 's3://monitoring/capture',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
      },
    }),
  )
  await control.send(new CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: 'penguins-capture' }))
  control.destroy()
  await fake.settled(ENDPOINT)
  expect(fake.endpoint(ENDPOINT)?.status).toBe('InService')
  await sendWeek('normal', (row) => row)
  // The drifted week: heavier birds with longer flippers than any in training.
  await sendWeek('drifted', ([bill, depth, flipper, mass, label]) => [bill, depth, flipper + 25, mass + 1500, label])
}, 120_000)
afterAll(() => Promise.all([fake?.close(), s3?.close()]))

/**
 * A week of traffic, one request of six rows an hour, alternately CSV and JSON, each with its InferenceId; then
 * the labels of nine requests in ten, written later that week as Model Monitor's ground truth.
 */
async function sendWeek(week: keyof typeof WEEKS, change: (row: number[]) => number[]): Promise<void> {
  const runtime = new SageMakerRuntimeClient({ region: fake.env.AWS_REGION, endpoint: fake.url, credentials: { accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY } })
  const labels: string[] = []
  const rows = train.map(change)
  for (let start = 0, request = 0; start < rows.length; start += ROWS_PER_REQUEST, request++) {
    const batch = rows.slice(start, start + ROWS_PER_REQUEST)
    const features = batch.map((row) => row.slice(0, 4))
    clock = new Date(WEEKS[week] + request * HOUR + 17_000)
    const id = `${week}-${request}`
    const csv = request % 2 === 0
    await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: ENDPOINT,
        InferenceId: id,
        ContentType: csv ? 'text/csv' : 'application/json',
        Body: csv ? features.map((values) => values.join(',')).join('\n') : JSON.stringify({ instances: features }),
      }),
    )
    if (request % 10 !== 9) labels.push(JSON.stringify({ groundTruthData: { data: batch.map((row) => row[4]).join('\n'), encoding: 'CSV' }, eventMetadata: { eventId: id }, eventVersion: '0' }))
  }
  runtime.destroy()
  await fake.flushCapture()
  // Within the week, after its requests: the run then reads the same labels whatever the real date.
  const labelled = new Date(WEEKS[week] + 6 * 24 * HOUR).toISOString().slice(0, 13).replace(/[-T]/g, '/')
  await s3.put(`ground-truth/${ENDPOINT}/${labelled}/labels.jsonl`, labels.join('\n') + '\n')
}

/** The scheduled job's step: the production suite for one week, with --github-output as the workflow runs it. */
async function productionChecks(week: keyof typeof WEEKS) {
  const output = join(work, `${week}.github-output`)
  await writeFile(output, '')
  const json = join(work, `${week}.json`)
  const result = await runCli(['tests/production.modeltest.ts', '--github-output', 'should_retrain', '--json', json, '--no-junit', '--no-html'], example, {
    ...s3.env,
    GITHUB_OUTPUT: output,
    CAPTURE_URI: `s3://monitoring/capture/${ENDPOINT}/AllTraffic/`,
    GROUND_TRUTH_URI: `s3://monitoring/ground-truth/${ENDPOINT}/`,
    CAPTURE_SINCE: new Date(WEEKS[week]).toISOString(),
    CAPTURE_UNTIL: new Date(WEEKS[week] + 7 * 24 * HOUR).toISOString(),
  })
  const report = JSON.parse(await readFile(json, 'utf8')) as RunReport
  expect(schemaProblem(report, reportSchema())).toBeUndefined()
  const checks = Object.fromEntries(report.tests.flatMap((test) => test.checks.map((check) => [check.name, check])))
  return { result, githubOutput: await readFile(output, 'utf8'), checks }
}

describe('scheduled production checks on captured traffic', { timeout: 120_000 }, () => {
  test("the endpoint config and the traffic are requests AWS would accept, captured in SageMaker's key layout", async () => {
    expect(fake.calls.flatMap((call) => requestProblems(call.action, call.request))).toEqual([])
    const keys = s3.requests.filter((request) => request.startsWith('PUT /monitoring/capture/')).map((request) => request.split(' ')[1])
    expect(keys.length).toBe(2 * Math.ceil(train.length / ROWS_PER_REQUEST))
    expect(keys.every((key) => /^\/monitoring\/capture\/penguins-prod\/AllTraffic\/2026\/11\/(1[6-9]|2\d)\/\d\d\/[0-9a-f-]{36}\.jsonl$/.test(key))).toBe(true)
  })

  test('a normal week passes and sets should_retrain=false', async () => {
    const { result, githubOutput, checks } = await productionChecks('normal')
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(githubOutput).toContain('should_retrain=false')
    expect(checks.accuracy_threshold.passed).toBe(true)
    expect(checks.accuracy_threshold.model).toMatchObject({ name: 'penguins-prod/AllTraffic (captured)', runtime: 'captured' })
    // 57 requests, 52 of them labelled: 312 of the 342 rows.
    expect(checks.accuracy_threshold.n).toBe(312)
    expect(checks.accuracy_threshold.data!.name).toBe('capture penguins-prod/AllTraffic 2026-11-16T00:00Z–2026-11-23T00:00Z, labelled (30 of 342 captured rows had no ground truth)')
  })

  test('a drifted week fails on accuracy and drift, and sets should_retrain=true', async () => {
    const { result, githubOutput, checks } = await productionChecks('drifted')
    expect(result.code, result.stdout + result.stderr).toBe(1)
    expect(githubOutput).toContain('should_retrain=true')
    expect(checks.accuracy_threshold.passed).toBe(false)
    const drift = Object.values(checks).find((check) => check.name.includes('drift'))!
    expect(drift.passed).toBe(false)
    expect(drift.data!.name).toBe('capture penguins-prod/AllTraffic 2026-11-23T00:00Z–2026-11-30T00:00Z')
  })
})
