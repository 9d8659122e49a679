// The deploy steps of modeltest against moto (an AWS emulator modeltest did not write), run from its source:
// see run.sh. Not part of the test suite. Prints what each step did and what moto's state shows afterwards.
import { writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, ListEndpointConfigsCommand, ListModelsCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { artifactModelHash, buildReport, deploySageMaker, endpointVariants, makeCheck, modelFileHash, shiftWeights } from '../../dist/src/index.js'
import { say, step } from './steps.mjs'

const root = new URL('../../', import.meta.url).pathname
const good = join(root, 'fixtures/models/penguins.onnx')
const weak = join(root, 'fixtures/models/penguins-weak.onnx')
const BUCKET = 'modeltest-moto'
const sm = new SageMakerClient({})
const s3 = new S3Client({})
const work = await mkdtemp(join(tmpdir(), 'modeltest-moto-'))

async function report(model) {
  const hash = await modelFileHash(model)
  const check = makeCheck({ name: 'accuracy_threshold', kind: 'model', actual: 0.9, threshold: 0.8, comparator: '>=', message: 'Accuracy', model: { name: model, hash, runtime: 'onnxruntime-node' } })
  const path = join(work, `${hash.slice(0, 8)}.json`)
  await writeFile(path, JSON.stringify(buildReport({ tests: [{ file: 'a.modeltest.ts', name: 'accuracy', state: 'passed', durationMs: 1, errors: [], checks: [check] }], startedAt: new Date(), durationMs: 1, runtime: {} })))
  return path
}

const base = {
  modelName: 'penguins',
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/modeltest-serve:1',
  executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
  instanceType: 'ml.m5.large',
  initialInstanceCount: 1,
  pollSeconds: 1,
  timeoutSeconds: 30,
  log: (line) => say('    ' + line),
}
const state = async (endpoint) => {
  const described = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }))
  return { status: described.EndpointStatus, config: described.EndpointConfigName, variants: described.ProductionVariants?.map((variant) => [variant.VariantName, variant.CurrentWeight]) }
}
const names = async () => ({
  models: (await sm.send(new ListModelsCommand({ NameContains: 'penguins' }))).Models.map((model) => model.ModelName),
  configs: (await sm.send(new ListEndpointConfigsCommand({ NameContains: 'penguins' }))).EndpointConfigs.map((config) => config.EndpointConfigName),
})

const reports = { good: await report(good), weak: await report(weak) }
await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))

let first
await step('first deploy with --upload: CreateModel, CreateEndpointConfig, CreateEndpoint, the wait, the cleanup listing', async () => {
  first = await deploySageMaker({ ...base, endpointName: 'penguins-moto', upload: `s3://${BUCKET}/penguins`, gate: { report: reports.good, model: good } })
  return { outcome: first.outcome, config: first.endpointConfigName }
})
await step('moto: DescribeEndpoint', () => state('penguins-moto'))
await step('moto: ListTags of the model', async () => (await sm.send(new ListTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${first.modelName}` }))).Tags)
await step('moto: the S3 objects and the artifact metadata', async () => {
  const listed = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents.map((object) => `${object.Key} (${object.Size} B)`)
  const key = listed[0].split(' ')[0]
  return { listed, metadata: (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata }
})
await step('artifactModelHash of the uploaded artifact (moto S3)', () => artifactModelHash(`s3://${BUCKET}/penguins/${first.modelHash}/model.tar.gz`))
await step('--model-data with another model than the report checked: refused before any SageMaker call', () =>
  deploySageMaker({ ...base, endpointName: 'penguins-moto', modelDataUrl: `s3://${BUCKET}/penguins/${first.modelHash}/model.tar.gz`, gate: { report: reports.weak, model: weak } }).then((result) => result.outcome),
)
// Versions are named to the second: a second deploy of the same model within the same second reuses the name.
await new Promise((resolve) => setTimeout(resolve, 1100))
await step(
  'second deploy (same model: nothing uploaded), UpdateEndpoint: moto lacks it, so the new model and config are deleted',
  async () => (await deploySageMaker({ ...base, endpointName: 'penguins-moto', upload: `s3://${BUCKET}/penguins`, gate: { report: reports.good, model: good } })).outcome,
)
await step('moto: models and configs left', names)
await step(
  'variant deploy --beside blue (DescribeEndpointConfig, a two-variant CreateEndpointConfig, then UpdateEndpoint)',
  async () => (await deploySageMaker({ ...base, endpointName: 'penguins-moto', variantName: 'green', beside: { variant: 'blue', weight: 0.2 }, upload: `s3://${BUCKET}/penguins`, gate: { report: reports.weak, model: weak } })).outcome,
)
await step('moto: models and configs left', names)
await step('canary control plane on a two-variant endpoint made directly: endpointVariants, then shiftWeights (UpdateEndpointWeightsAndCapacities)', async () => {
  const model = first.modelName
  await sm.send(new CreateModelCommand({ ModelName: 'penguins-green', PrimaryContainer: { Image: base.image, ModelDataUrl: `s3://${BUCKET}/penguins/${first.modelHash}/model.tar.gz` }, ExecutionRoleArn: base.executionRoleArn }))
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'penguins-variants',
      ProductionVariants: [
        { VariantName: 'blue', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 0.9 },
        { VariantName: 'green', ModelName: 'penguins-green', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 0.1 },
      ],
    }),
  )
  await sm.send(new CreateEndpointCommand({ EndpointName: 'penguins-variants', EndpointConfigName: 'penguins-variants' }))
  const variants = await endpointVariants('penguins-variants', { variant: 'green', log: base.log })
  say(`    variants: ${JSON.stringify(variants)}`)
  await shiftWeights('penguins-variants', { green: 1, blue: 0 }, { log: base.log, pollSeconds: 1, timeoutSeconds: 20 })
  return state('penguins-variants')
})
