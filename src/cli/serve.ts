import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ModeltestError } from '../errors.js'
import { model } from '../models/model.js'
import { serveModel } from '../serve/server.js'
import { COMMON_OPTIONS, answerHelpOrVersion, parseCommand, type OptionTable } from './options.js'

const HELP = `modeltest serve: a model behind the SageMaker inference container contract

Usage
  modeltest serve [--model path] [--port 8080] [--host 0.0.0.0] [--features a,b,c]

  --model <path>      a tfjs model.json (or its folder) or an .onnx file; default: the one in /opt/ml/model
  --port <n>          default SAGEMAKER_BIND_TO_PORT, else 8080; 0 picks a free port
  --host <address>    default 0.0.0.0 (every interface, as SageMaker requires)
  --features <a,b,c>  the model's feature columns, in order (comma-separated, or the flag repeated); default
                      MODELTEST_FEATURES

Every flag also takes --flag=value.

GET /ping answers 200 once the model is loaded; POST /invocations (and /endpoints/<name>/invocations)
takes JSON rows ([{...}], {"instances": [...]} or {"inputs": [...]}) or CSV (text/csv, headerless in the
order of --features, or text/csv;header=present) and answers { "predictions": [[...], ...] }.
The response names the variant in x-Amzn-Invoked-Production-Variant (MODELTEST_VARIANT, else AllTraffic).
SIGTERM or SIGINT stops it cleanly: requests in flight are answered, then it exits 0.
`

const SAGEMAKER_MODEL_DIR = '/opt/ml/model'
const SERVE_OPTIONS = {
  ...COMMON_OPTIONS,
  model: { type: 'value' },
  port: { type: 'value' },
  host: { type: 'value' },
  features: { type: 'list' },
} as const satisfies OptionTable

/** `modeltest serve`: resolves with 0 once SIGTERM or SIGINT has closed the server. */
export async function runServe(argv: string[]): Promise<number> {
  if (answerHelpOrVersion(argv, HELP)) return 0
  const { options } = parseCommand('serve', argv, SERVE_OPTIONS, { min: 0, max: 0, what: '', example: 'modeltest serve --model models/model.onnx --features a,b,c' })
  const port = options.port !== undefined ? parsePort(options.port, '--port') : process.env.SAGEMAKER_BIND_TO_PORT ? parsePort(process.env.SAGEMAKER_BIND_TO_PORT, 'SAGEMAKER_BIND_TO_PORT') : 8080
  // SageMaker starts the container with the one argument `serve`: the rest comes from the model's environment.
  const features = options.features ?? (process.env.MODELTEST_FEATURES ? featureList(process.env.MODELTEST_FEATURES) : undefined)
  if (!features?.length) throw new ModeltestError({ what: "modeltest serve needs the model's feature columns", fix: 'Pass --features a,b,c (in the order the model takes them), or set MODELTEST_FEATURES=a,b,c.' })
  const path = options.model ?? (await findModel(SAGEMAKER_MODEL_DIR))
  // Listening before the model is loaded lets SageMaker's pings see 503 rather than a refused connection.
  const loading = model(path, { features })
  const server = await serveModel(loading, { port, host: options.host, features, variant: process.env.MODELTEST_VARIANT })
  let stop!: () => void
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  process.once('SIGTERM', stop).once('SIGINT', stop)
  try {
    const loaded = await Promise.race([loading, stopped])
    if (loaded) process.stdout.write(`modeltest serve: ${loaded.name} on ${server.url}\n`)
    await stopped
  } finally {
    process.off('SIGTERM', stop).off('SIGINT', stop)
    // Also when the model fails to load: an open server would keep the process alive.
    await server.close()
  }
  process.stdout.write('modeltest serve: stopped\n')
  return 0
}

function featureList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
}

function parsePort(value: string, source: string): number {
  const port = Number(value)
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ModeltestError({ what: `${source} ${value} is not a port number`, fix: 'Give a whole number 0–65535 (0 picks a free port).' })
  return port
}

/** The model SageMaker unpacked into its model folder: an .onnx file or a model.json. */
async function findModel(dir: string): Promise<string> {
  const entries = await readdir(dir).catch(() => undefined)
  const found = entries?.find((name) => name.endsWith('.onnx')) ?? entries?.find((name) => name === 'model.json')
  if (!found) throw new ModeltestError({ what: `no model given and none in ${dir}`, fix: 'Pass --model path/to/model.json (or .onnx), or put the model in /opt/ml/model as SageMaker does.' })
  return join(dir, found)
}
