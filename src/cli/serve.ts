import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ModeltestError } from '../errors.js'
import { model } from '../models/model.js'
import { serveModel } from '../serve/server.js'

const HELP = `modeltest serve: a model behind the SageMaker inference container contract

Usage
  modeltest serve [--model path] [--port 8080] [--host 0.0.0.0] [--features a,b,c]

  --model <path>      a tfjs model.json (or its folder) or an .onnx file; default: the one in /opt/ml/model
  --port <n>          default SAGEMAKER_BIND_TO_PORT, else 8080; 0 picks a free port
  --host <address>    default 0.0.0.0 (every interface, as SageMaker requires)
  --features <a,b,c>  the model's feature columns, in order (for .onnx models and headerless CSV)

GET /ping answers 200 once the model is loaded; POST /invocations (and /endpoints/<name>/invocations)
takes JSON rows or CSV and answers { "predictions": [...] }. SIGTERM stops it cleanly.
`

const SAGEMAKER_MODEL_DIR = '/opt/ml/model'

/** `modeltest serve`: resolves with 0 once SIGTERM or SIGINT has closed the server. */
export async function runServe(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(HELP)
    return 0
  }
  const options = parseArguments(argv)
  const path = options.model ?? (await findModel(SAGEMAKER_MODEL_DIR))
  const loading = model(path, { features: options.features })
  const port = options.port ?? Number(process.env.SAGEMAKER_BIND_TO_PORT ?? 8080)
  const server = await serveModel(loading, { port, host: options.host, features: options.features, variant: process.env.MODELTEST_VARIANT })
  const loaded = await loading
  process.stdout.write(`modeltest serve: ${loaded.name} (${loaded.runtime.runtime}) on ${server.url}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await server.close()
  process.stdout.write('modeltest serve: stopped\n')
  return 0
}

function parseArguments(argv: string[]): { model?: string; port?: number; host?: string; features?: string[] } {
  const result: { model?: string; port?: number; host?: string; features?: string[] } = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (!['--model', '--port', '--host', '--features'].includes(flag)) throw new ModeltestError({ what: `modeltest serve: unknown option '${flag}'`, fix: 'See modeltest serve --help.' })
    if (value === undefined || value.startsWith('--')) throw new ModeltestError({ what: `${flag} needs a value`, fix: 'See modeltest serve --help.' })
    i++
    if (flag === '--model') result.model = value
    else if (flag === '--host') result.host = value
    else if (flag === '--features') result.features = value.split(',').map((name) => name.trim()).filter(Boolean)
    else {
      const port = Number(value)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ModeltestError({ what: `--port ${value} is not a port number`, fix: 'Give a whole number 0–65535 (0 picks a free port).' })
      result.port = port
    }
  }
  return result
}

/** The model SageMaker unpacked into its model folder: an .onnx file or a model.json. */
async function findModel(dir: string): Promise<string> {
  const entries = await readdir(dir).catch(() => undefined)
  const found = entries?.find((name) => name.endsWith('.onnx')) ?? entries?.find((name) => name === 'model.json')
  if (!found) throw new ModeltestError({ what: `no model given and none in ${dir}`, fix: 'Pass --model path/to/model.json (or .onnx), or put the model in /opt/ml/model as SageMaker does.' })
  return join(dir, found)
}
