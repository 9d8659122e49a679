import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { ModeltestError } from '../errors.js'
import { tf } from './tfjs-runtime.js'

/** Where a tfjs model lives on disk: its model.json and the weight files it names. */
export interface TfjsModelFiles {
  modelJsonPath: string
  weightPaths: string[]
  json: tf.io.ModelJSON
}

/** Finds and reads a tfjs model's model.json (given the file or its directory) and checks its weight files exist. */
export async function readModelFiles(source: string): Promise<TfjsModelFiles> {
  let modelJsonPath = resolve(source)
  const info = await stat(modelJsonPath).catch(() => undefined)
  if (!info) throw new ModeltestError({ what: 'no model file here', where: source, fix: 'Give the path of a tfjs model.json (or its directory); train and save the model first if it is not there yet.' })
  if (info.isDirectory()) modelJsonPath = join(modelJsonPath, 'model.json')
  const text = await readFile(modelJsonPath, 'utf8').catch(() => {
    throw new ModeltestError({ what: 'the directory has no model.json', where: source, fix: 'Point model() at a tfjs model.json, as written by model.save() or tensorflowjs_converter.' })
  })
  let json: tf.io.ModelJSON
  try {
    json = JSON.parse(text) as tf.io.ModelJSON
  } catch (error) {
    throw new ModeltestError({ what: `model.json is not valid JSON (${(error as Error).message})`, where: modelJsonPath, fix: 'Save the model again; the file may be truncated.' })
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new ModeltestError({ what: 'model.json has no modelTopology: it is not a tfjs layers or graph model', where: modelJsonPath, fix: 'Save the model with tfjs (model.save) or convert it with tensorflowjs_converter.' })
  }
  const weightPaths: string[] = []
  for (const group of json.weightsManifest ?? []) {
    for (const path of group.paths) {
      const weightPath = join(dirname(modelJsonPath), path)
      if (!(await stat(weightPath).catch(() => undefined))) {
        throw new ModeltestError({ what: `the weight file '${path}' that model.json names is missing`, where: modelJsonPath, fix: 'Copy every weight file (*.bin) next to model.json.' })
      }
      weightPaths.push(weightPath)
    }
  }
  return { modelJsonPath, weightPaths, json }
}

/** A tfjs IOHandler that loads the model from local files, with no network and no tfjs-node. */
export function fileLoader(files: TfjsModelFiles): tf.io.IOHandler {
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(files.json, async (manifest) => {
        const buffers = await Promise.all(files.weightPaths.map(async (path) => toArrayBuffer(await readFile(path))))
        return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)]
      }),
  }
}

/** A tfjs IOHandler that writes `model.json` and `weights.bin` into a directory: `await net.save(fileSaver(dir))`. */
export function fileSaver(directory: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      await mkdir(directory, { recursive: true })
      const weightsFile = 'weights.bin'
      const weights = artifacts.weightData
      const bytes = weights === undefined ? new Uint8Array() : new Uint8Array(tf.io.CompositeArrayBuffer.join(weights))
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }]
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: manifest,
      }
      await writeFile(join(directory, weightsFile), bytes)
      await writeFile(join(directory, 'model.json'), JSON.stringify(json))
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    },
  }
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer
}
