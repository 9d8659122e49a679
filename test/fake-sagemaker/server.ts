/**
 * A fake Amazon SageMaker on 127.0.0.1 for end-to-end tests: the subset of the control plane modeltest calls
 * (AWS JSON 1.1: `POST /` with `X-Amz-Target: SageMaker.<Action>`) and the runtime's InvokeEndpoint
 * (`POST /endpoints/<name>/invocations`), so that the real AWS SDK clients talk to it when
 * `AWS_ENDPOINT_URL` points here. Every production variant is a real `modeltest serve` process serving the
 * model file its s3:// artifact maps to; blue/green updates start the new fleet before the old one stops,
 * and faults are injected: throttling, server errors, refusals, alarms that roll an update back, slow or failing
 * variants. An endpoint config with DataCaptureConfig captures every invocation it samples into `s3` (s3rver), in
 * SageMaker's record format and key layout, as `flushCapture()` writes the buffered records (SageMaker writes
 * its files every few minutes).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { repoRoot } from '../helpers.js'

export interface FakeSageMakerOptions {
  /** s3:// artifact → the local model file its container serves. An artifact not here (nor in `s3`) fails its health check. */
  artifacts: Record<string, string>
  /**
   * An S3 endpoint (http://127.0.0.1:PORT, path-style) to load the other artifacts from, as SageMaker does: the
   * model.tar.gz is downloaded, unpacked by GNU tar into a folder standing for /opt/ml/model, and the container
   * serves the .onnx file or model.json at its top.
   */
  s3?: string
  /** The feature columns every `modeltest serve` process is started with. */
  features: string[]
  /** Milliseconds here per second of SageMaker's waits (WaitIntervalInSeconds, TerminationWaitInSeconds); default 20. */
  msPerSecond?: number
  /** The time captured invocations are stamped with and filed under; the real clock by default. */
  now?: () => Date
}

/** CreateEndpointConfig's DataCaptureConfig, as the fake honours it. */
interface DataCaptureConfig {
  EnableCapture?: boolean
  InitialSamplingPercentage: number
  DestinationS3Uri: string
  CaptureOptions: { CaptureMode: 'Input' | 'Output' | 'InputAndOutput' }[]
  CaptureContentTypeHeader?: { CsvContentTypes?: string[]; JsonContentTypes?: string[] }
}

interface Variant {
  VariantName: string
  ModelName: string
  InstanceType?: string
  InitialInstanceCount?: number
  InitialVariantWeight?: number
}

interface Resource {
  name: string
  arn: string
  created: number
  tags: { Key: string; Value: string }[]
}

interface Container {
  variant: string
  model: string
  url: string
  process: ChildProcess
}

interface Endpoint extends Resource {
  status: 'Creating' | 'Updating' | 'InService' | 'Failed'
  configName: string
  failureReason?: string
  modified: number
  fleet: Container[]
  weights: Map<string, number>
}

interface Faults {
  /** The next n control-plane calls (of `action`, or any) answer 400 ThrottlingException. */
  throttle(n: number, action?: string): void
  /** The next n control-plane calls (of `action`, or any) answer 500 InternalFailure. */
  serverError(n: number, action?: string): void
  /** The next call of `action` answers 400 ValidationException with this message: a refusal, never retried. */
  refuse(action: string, message: string): void
  /** CloudWatch alarms in ALARM: an update whose AutoRollbackConfiguration names one rolls back in its wait. */
  alarms: Set<string>
  /** Extra milliseconds before a variant answers. */
  latencyMs: Record<string, number>
  /** The share of a variant's invocations answered 503 ServiceUnavailable: an error the SDK's default retries would hide. */
  errorRate: Record<string, number>
}

export interface FakeSageMaker {
  url: string
  /** The environment for SDK clients and `modeltest` child processes: the endpoint URL, a region, fake credentials. */
  env: Record<string, string>
  /** Every control-plane call in order, faulted ones included. */
  calls: { action: string; request: Record<string, unknown> }[]
  /** Invocations per variant that reached it: answered, and failed (a ModelError or an injected 503). */
  invocations: Record<string, { ok: number; failed: number }>
  faults: Faults
  endpoint(name: string): { status: string; configName: string; failureReason?: string; variants: { name: string; model: string; weight: number }[] } | undefined
  /** Resolves when the endpoint is no longer Creating or Updating. */
  settled(name: string): Promise<void>
  /** Writes the captured records buffered so far to S3, one file per endpoint, variant and hour; resolves to the keys written. */
  flushCapture(): Promise<string[]>
  close(): Promise<void>
}

const run = promisify(execFile)
const ACCOUNT = '123456789012'
const REGION = 'us-east-1'
const arn = (kind: string, name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/${name.toLowerCase()}`

/** An error SageMaker answers: the SDK names the thrown error after `type`. */
class Answer extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}
const validation = (message: string) => new Answer(400, 'ValidationException', message)

export async function startFakeSageMaker(options: FakeSageMakerOptions): Promise<FakeSageMaker> {
  const msPerSecond = options.msPerSecond ?? 20
  const models = new Map<string, Resource & { artifact: string }>()
  const configs = new Map<string, Resource & { variants: Variant[]; capture?: DataCaptureConfig }>()
  /** Captured records not yet written: `<bucket/prefix>/<endpoint>/<variant>/<yyyy/mm/dd/hh>` → JSON lines. */
  const captured = new Map<string, string[]>()
  /** The /opt/ml/model folders (and archives) unpacked for containers, removed on close. */
  const unpacked: string[] = []
  const now = options.now ?? (() => new Date())
  const endpoints = new Map<string, Endpoint>()
  const work = new Map<string, Promise<void>>()
  const containers = new Set<Container>()
  const calls: FakeSageMaker['calls'] = []
  const invocations: FakeSageMaker['invocations'] = {}
  const injected: { n: number; action?: string; answer: () => Answer }[] = []
  const faults: Faults = {
    throttle: (n, action) => void injected.push({ n, action, answer: () => new Answer(400, 'ThrottlingException', 'Rate exceeded') }),
    serverError: (n, action) => void injected.push({ n, action, answer: () => new Answer(500, 'InternalFailure', 'An internal error occurred.') }),
    refuse: (action, message) => void injected.push({ n: 1, action, answer: () => validation(message) }),
    alarms: new Set(),
    latencyMs: {},
    errorRate: {},
  }
  let clock = Date.now()
  /** Creation times strictly increase, as listing sorted by CreationTime needs. */
  const created = () => (clock = Math.max(clock + 1, Date.now()))

  /** Starts `modeltest serve` for each variant; a container that does not come up fails the whole fleet. */
  async function startFleet(variants: Variant[]): Promise<Container[]> {
    const started = await Promise.allSettled(variants.map((variant) => startContainer(variant)))
    const fleet = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    const failed = started.findIndex((result) => result.status === 'rejected')
    if (failed >= 0) {
      await stopFleet(fleet)
      throw new Error(`The primary container for production variant ${variants[failed].VariantName} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`)
    }
    return fleet
  }

  /** The model file a container serves: the local file the artifact maps to, or the model inside the archive in S3. */
  async function modelFile(artifact: string): Promise<string> {
    if (options.artifacts[artifact]) return options.artifacts[artifact]
    const answer = options.s3 ? await fetch(`${options.s3}/${artifact.replace(/^s3:\/\//, '')}`) : undefined
    if (!answer?.ok) throw new Error('no such artifact')
    const folder = await mkdtemp(join(tmpdir(), 'fake-sagemaker-opt-ml-model-'))
    const archive = `${folder}.tar.gz`
    unpacked.push(folder, archive)
    await writeFile(archive, Buffer.from(await answer.arrayBuffer()))
    await run('tar', ['xzf', archive, '-C', folder])
    const entries = await readdir(folder)
    const found = entries.find((name) => name.endsWith('.onnx')) ?? entries.find((name) => name === 'model.json')
    if (!found) throw new Error(`no model at the top of ${artifact}`)
    return join(folder, found)
  }

  async function startContainer(variant: Variant): Promise<Container> {
    const file = await modelFile(models.get(variant.ModelName)?.artifact ?? '')
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'modeltest.js'), 'serve', '--model', file, '--port', '0', '--host', '127.0.0.1', '--features', options.features.join(',')], {
      env: { ...process.env, MODELTEST_VARIANT: variant.VariantName },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return new Promise((resolve, reject) => {
      let output = ''
      child.stdout.on('data', (chunk) => {
        output += String(chunk)
        const url = /on (http:\/\/\S+)/.exec(output)?.[1]
        if (url) {
          const container = { variant: variant.VariantName, model: variant.ModelName, url, process: child }
          containers.add(container)
          resolve(container)
        }
      })
      child.stderr.resume()
      child.on('exit', () => reject(new Error(`modeltest serve exited: ${output}`)))
    })
  }

  async function stopFleet(fleet: Container[]): Promise<void> {
    await Promise.all(
      fleet.map((container) => {
        containers.delete(container)
        if (container.process.exitCode !== null) return Promise.resolve()
        return new Promise<void>((resolve) => {
          container.process.once('exit', () => resolve())
          container.process.kill('SIGTERM')
        })
      }),
    )
  }

  const wait = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * msPerSecond))
  const weightsOf = (variants: Variant[]) => new Map(variants.map((variant) => [variant.VariantName, variant.InitialVariantWeight ?? 1]))

  function track(name: string, job: Promise<void>): void {
    work.set(
      name,
      job.finally(() => work.delete(name)),
    )
  }

  function create(endpoint: Endpoint, config: Resource & { variants: Variant[] }): void {
    track(
      endpoint.name,
      startFleet(config.variants).then(
        (fleet) => void Object.assign(endpoint, { fleet, weights: weightsOf(config.variants), status: 'InService', modified: Date.now() }),
        (error: unknown) => void Object.assign(endpoint, { status: 'Failed', failureReason: (error as Error).message, modified: Date.now() }),
      ),
    )
  }

  /** Blue/green: the new fleet comes up beside the old, bakes for the wait interval while the alarms are watched, then takes over. */
  function update(endpoint: Endpoint, config: Resource & { variants: Variant[] }, deployment: DeploymentConfig | undefined): void {
    const oldFleet = endpoint.fleet
    const policy = deployment?.BlueGreenUpdatePolicy
    const alarms = (deployment?.AutoRollbackConfiguration?.Alarms ?? []).map((alarm) => alarm.AlarmName)
    const rollBack = (reason: string) => Object.assign(endpoint, { status: 'InService', failureReason: reason, modified: Date.now() })
    track(
      endpoint.name,
      (async () => {
        let fleet: Container[]
        try {
          fleet = await startFleet(config.variants)
        } catch (error) {
          rollBack((error as Error).message)
          return
        }
        await wait(policy?.TrafficRoutingConfiguration?.WaitIntervalInSeconds ?? 0)
        const firing = alarms.filter((alarm) => faults.alarms.has(alarm))
        if (firing.length > 0) {
          await stopFleet(fleet)
          rollBack(`Rolled back because the CloudWatch alarm(s) ${firing.join(', ')} went into ALARM state during the update.`)
          return
        }
        Object.assign(endpoint, { fleet, weights: weightsOf(config.variants), configName: config.name, status: 'InService', failureReason: undefined, modified: Date.now() })
        void wait(policy?.TerminationWaitInSeconds ?? 0).then(() => stopFleet(oldFleet))
      })(),
    )
  }

  const handlers: Record<string, (request: any) => unknown> = {
    CreateModel(request: { ModelName: string; PrimaryContainer: { ModelDataUrl: string }; Tags?: Resource['tags'] }) {
      if (models.has(request.ModelName)) throw validation(`Cannot create already existing model "${arn('model', request.ModelName)}".`)
      const model = { name: request.ModelName, arn: arn('model', request.ModelName), created: created(), tags: request.Tags ?? [], artifact: request.PrimaryContainer.ModelDataUrl }
      models.set(model.name, model)
      return { ModelArn: model.arn }
    },
    DeleteModel(request: { ModelName: string }) {
      if (!models.delete(request.ModelName)) throw validation(`Could not find model "${arn('model', request.ModelName)}".`)
      return {}
    },
    ListModels: (request: ListRequest) => list(models, request, (model) => ({ ModelName: model.name, ModelArn: model.arn, CreationTime: model.created / 1000 }), 'Models'),
    CreateEndpointConfig(request: { EndpointConfigName: string; ProductionVariants: Variant[]; Tags?: Resource['tags']; DataCaptureConfig?: DataCaptureConfig }) {
      if (configs.has(request.EndpointConfigName)) throw validation(`Cannot create already existing endpoint configuration "${arn('endpoint-config', request.EndpointConfigName)}".`)
      const missing = request.ProductionVariants.find((variant) => !models.has(variant.ModelName))
      if (missing) throw validation(`Could not find model "${arn('model', missing.ModelName)}".`)
      if (request.DataCaptureConfig && !options.s3) throw validation('The fake captures data only when started with { s3 }.')
      const config = { name: request.EndpointConfigName, arn: arn('endpoint-config', request.EndpointConfigName), created: created(), tags: request.Tags ?? [], variants: request.ProductionVariants, capture: request.DataCaptureConfig }
      configs.set(config.name, config)
      return { EndpointConfigArn: config.arn }
    },
    DescribeEndpointConfig(request: { EndpointConfigName: string }) {
      const config = configs.get(request.EndpointConfigName)
      if (!config) throw validation(`Could not find endpoint configuration "${arn('endpoint-config', request.EndpointConfigName)}".`)
      return { EndpointConfigName: config.name, EndpointConfigArn: config.arn, ProductionVariants: config.variants, CreationTime: config.created / 1000 }
    },
    DeleteEndpointConfig(request: { EndpointConfigName: string }) {
      if (!configs.delete(request.EndpointConfigName)) throw validation(`Could not find endpoint configuration "${arn('endpoint-config', request.EndpointConfigName)}".`)
      return {}
    },
    ListEndpointConfigs: (request: ListRequest) => list(configs, request, (config) => ({ EndpointConfigName: config.name, EndpointConfigArn: config.arn, CreationTime: config.created / 1000 }), 'EndpointConfigs'),
    ListTags(request: { ResourceArn: string }) {
      const resource = [...models.values(), ...configs.values(), ...endpoints.values()].find((candidate) => candidate.arn === request.ResourceArn)
      if (!resource) throw validation(`Could not find resource "${request.ResourceArn}".`)
      return { Tags: resource.tags }
    },
    CreateEndpoint(request: { EndpointName: string; EndpointConfigName: string; Tags?: Resource['tags'] }) {
      if (endpoints.has(request.EndpointName)) throw validation(`Cannot create already existing endpoint "${arn('endpoint', request.EndpointName)}".`)
      const config = configs.get(request.EndpointConfigName)
      if (!config) throw validation(`Could not find endpoint configuration "${arn('endpoint-config', request.EndpointConfigName)}".`)
      const endpoint: Endpoint = {
        name: request.EndpointName,
        arn: arn('endpoint', request.EndpointName),
        created: created(),
        modified: Date.now(),
        tags: request.Tags ?? [],
        status: 'Creating',
        configName: config.name,
        fleet: [],
        weights: new Map(),
      }
      endpoints.set(endpoint.name, endpoint)
      create(endpoint, config)
      return { EndpointArn: endpoint.arn }
    },
    UpdateEndpoint(request: { EndpointName: string; EndpointConfigName: string; DeploymentConfig?: DeploymentConfig }) {
      const endpoint = findEndpoint(request.EndpointName)
      if (endpoint.status !== 'InService') throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`)
      const config = configs.get(request.EndpointConfigName)
      if (!config) throw validation(`Could not find endpoint configuration "${arn('endpoint-config', request.EndpointConfigName)}".`)
      Object.assign(endpoint, { status: 'Updating', failureReason: undefined, modified: Date.now() })
      update(endpoint, config, request.DeploymentConfig)
      return { EndpointArn: endpoint.arn }
    },
    DescribeEndpoint(request: { EndpointName: string }) {
      const endpoint = findEndpoint(request.EndpointName)
      return {
        EndpointName: endpoint.name,
        EndpointArn: endpoint.arn,
        EndpointConfigName: endpoint.configName,
        EndpointStatus: endpoint.status,
        ...(endpoint.failureReason ? { FailureReason: endpoint.failureReason } : {}),
        CreationTime: endpoint.created / 1000,
        LastModifiedTime: endpoint.modified / 1000,
        ProductionVariants: [...endpoint.weights].map(([VariantName, weight]) => ({ VariantName, CurrentWeight: weight, DesiredWeight: weight, CurrentInstanceCount: 1, DesiredInstanceCount: 1 })),
      }
    },
    UpdateEndpointWeightsAndCapacities(request: { EndpointName: string; DesiredWeightsAndCapacities: { VariantName: string; DesiredWeight?: number }[] }) {
      const endpoint = findEndpoint(request.EndpointName)
      if (endpoint.status !== 'InService') throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`)
      const unknown = request.DesiredWeightsAndCapacities.find((wanted) => !endpoint.weights.has(wanted.VariantName))
      if (unknown) throw validation(`The variant name(s) [${unknown.VariantName}] is/are not present in the endpoint "${endpoint.arn}".`)
      endpoint.status = 'Updating'
      track(
        endpoint.name,
        wait(3).then(() => {
          for (const wanted of request.DesiredWeightsAndCapacities) if (wanted.DesiredWeight !== undefined) endpoint.weights.set(wanted.VariantName, wanted.DesiredWeight)
          Object.assign(endpoint, { status: 'InService', modified: Date.now() })
        }),
      )
      return { EndpointArn: endpoint.arn }
    },
  }

  function findEndpoint(name: string): Endpoint {
    const endpoint = endpoints.get(name)
    if (!endpoint) throw validation(`Could not find endpoint "${arn('endpoint', name)}".`)
    return endpoint
  }

  async function control(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const action = String(request.headers['x-amz-target'] ?? '').replace(/^SageMaker\./, '')
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {}
    calls.push({ action, request: input })
    const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers })
      response.end(JSON.stringify(value))
    }
    try {
      const fault = injected.find((entry) => entry.n > 0 && (!entry.action || entry.action === action))
      if (fault) {
        fault.n--
        throw fault.answer()
      }
      const handler = handlers[action]
      if (!handler) throw new Answer(400, 'UnknownOperationException', `The fake does not implement ${action}`)
      reply(200, handler(input))
    } catch (error) {
      if (!(error instanceof Answer)) throw error
      reply(error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type })
    }
  }

  /** InvokeEndpoint: the target variant, else one drawn by weight; the container's answer, or a ModelError when it fails. */
  async function invoke(name: string, request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const fail = (status: number, type: string, message: string, extra: Record<string, unknown> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
      response.end(JSON.stringify({ message, ...extra }))
    }
    const endpoint = endpoints.get(name)
    if (!endpoint || endpoint.fleet.length === 0) {
      fail(400, 'ValidationError', `Endpoint ${name} of account ${ACCOUNT} not found.`)
      return
    }
    const target = request.headers['x-amzn-sagemaker-target-variant'] as string | undefined
    const container = target ? endpoint.fleet.find((candidate) => candidate.variant === target) : drawByWeight(endpoint)
    if (!container) {
      fail(400, 'ValidationError', `Variant ${target} not found for endpoint ${name}.`)
      return
    }
    const count = (invocations[container.variant] ??= { ok: 0, failed: 0 })
    if (faults.latencyMs[container.variant]) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs[container.variant]))
    if (Math.random() < (faults.errorRate[container.variant] ?? 0)) {
      count.failed++
      fail(503, 'ServiceUnavailable', 'The service is unavailable. Try again later.')
      return
    }
    const answer = await fetch(container.url + '/invocations', { method: 'POST', body, headers: { 'content-type': String(request.headers['content-type'] ?? 'application/json') } }).then(async (answered) => ({
      status: answered.status,
      text: await answered.text(),
    }))
    if (answer.status !== 200) {
      count.failed++
      fail(424, 'ModelError', `Received server error (${answer.status}) from primary with message "${answer.text}".`, { OriginalStatusCode: answer.status, OriginalMessage: answer.text })
      return
    }
    count.ok++
    capture(endpoint, container.variant, request, body, answer.text)
    response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': container.variant })
    response.end(answer.text)
  }

  /**
   * Buffers one invocation as SageMaker's Data Capture records it: the payloads as text (CSV, JSON) when their
   * content type is listed in CaptureContentTypeHeader, else base64, with the event id, the caller's inference id
   * and the time.
   */
  function capture(endpoint: Endpoint, variant: string, request: IncomingMessage, body: string, answer: string): void {
    const config = configs.get(endpoint.configName)?.capture
    if (!config || config.EnableCapture === false || Math.random() * 100 >= config.InitialSamplingPercentage) return
    const modes = new Set(config.CaptureOptions.map((option) => option.CaptureMode))
    const payload = (data: string, contentType: string, mode: 'INPUT' | 'OUTPUT') => {
      const type = contentType.split(';')[0].trim()
      const encoding = config.CaptureContentTypeHeader?.CsvContentTypes?.includes(type) ? 'CSV' : config.CaptureContentTypeHeader?.JsonContentTypes?.includes(type) ? 'JSON' : 'BASE64'
      return { observedContentType: contentType, mode, data: encoding === 'BASE64' ? Buffer.from(data).toString('base64') : data, encoding }
    }
    const time = now()
    const inferenceId = request.headers['x-amzn-sagemaker-inference-id']
    const record = {
      captureData: {
        ...(modes.has('Input') || modes.has('InputAndOutput') ? { endpointInput: payload(body, String(request.headers['content-type'] ?? 'application/json'), 'INPUT') } : {}),
        ...(modes.has('Output') || modes.has('InputAndOutput') ? { endpointOutput: payload(answer, 'application/json', 'OUTPUT') } : {}),
      },
      eventMetadata: { eventId: randomUUID(), ...(typeof inferenceId === 'string' ? { inferenceId } : {}), inferenceTime: time.toISOString().replace(/\.\d+Z$/, 'Z') },
      eventVersion: '0',
    }
    const folder = `${config.DestinationS3Uri.replace(/^s3:\/\//, '').replace(/\/+$/, '')}/${endpoint.name}/${variant}/${time.toISOString().slice(0, 13).replace(/[-T]/g, '/')}`
    captured.set(folder, [...(captured.get(folder) ?? []), JSON.stringify(record)])
  }

  async function flushCapture(): Promise<string[]> {
    const written: string[] = []
    for (const [folder, lines] of captured) {
      const key = `${folder}/${randomUUID()}.jsonl`
      const answer = await fetch(`${options.s3}/${key}`, { method: 'PUT', body: lines.join('\n') + '\n' })
      if (!answer.ok) throw new Error(`fake SageMaker: writing the capture file ${key} failed: HTTP ${answer.status}`)
      written.push(key)
    }
    captured.clear()
    return written
  }

  function drawByWeight(endpoint: Endpoint): Container | undefined {
    const total = endpoint.fleet.reduce((sum, container) => sum + (endpoint.weights.get(container.variant) ?? 0), 0)
    let draw = Math.random() * total
    return endpoint.fleet.find((container) => (draw -= endpoint.weights.get(container.variant) ?? 0) < 0) ?? endpoint.fleet[0]
  }

  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += String(chunk)))
    request.on('end', () => {
      const invocation = /^\/endpoints\/([^/]+)\/invocations$/.exec(request.url ?? '')
      const handled = invocation ? invoke(decodeURIComponent(invocation[1]), request, response, body) : control(request, response, body)
      handled.catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' })
        response.end(JSON.stringify({ message: `fake SageMaker: ${(error as Error).message}` }))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    env: { AWS_ENDPOINT_URL: url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE1234', AWS_SECRET_ACCESS_KEY: 'fake/secret/for+modeltest+tests', AWS_EC2_METADATA_DISABLED: 'true' },
    calls,
    invocations,
    faults,
    endpoint(name) {
      const endpoint = endpoints.get(name)
      if (!endpoint) return undefined
      return {
        status: endpoint.status,
        configName: endpoint.configName,
        failureReason: endpoint.failureReason,
        variants: endpoint.fleet.map((container) => ({ name: container.variant, model: container.model, weight: endpoint.weights.get(container.variant) ?? 0 })),
      }
    },
    settled: async (name) => {
      await work.get(name)
    },
    flushCapture,
    async close() {
      await Promise.all(work.values())
      await stopFleet([...containers])
      await Promise.all(unpacked.map((path) => rm(path, { recursive: true, force: true })))
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

interface DeploymentConfig {
  BlueGreenUpdatePolicy?: { TrafficRoutingConfiguration?: { WaitIntervalInSeconds?: number }; TerminationWaitInSeconds?: number }
  AutoRollbackConfiguration?: { Alarms?: { AlarmName: string }[] }
}

interface ListRequest {
  NameContains?: string
  SortOrder?: 'Ascending' | 'Descending'
  MaxResults?: number
  NextToken?: string
}

/** A List… answer: filtered by name, sorted by creation time, paged by MaxResults with an offset token. */
function list<T extends Resource>(items: Map<string, T>, request: ListRequest, entry: (item: T) => Record<string, unknown>, key: string): Record<string, unknown> {
  const matching = [...items.values()].filter((item) => !request.NameContains || item.name.includes(request.NameContains)).sort((a, b) => (request.SortOrder === 'Ascending' ? a.created - b.created : b.created - a.created))
  const start = Number(request.NextToken ?? 0)
  const size = request.MaxResults ?? 100
  const page = matching.slice(start, start + size)
  return { [key]: page.map(entry), ...(start + size < matching.length ? { NextToken: String(start + size) } : {}) }
}
