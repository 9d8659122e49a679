import type { Dataset } from '../data/dataset.js'
import type { Model } from '../models/model.js'
import type { Subject } from './record.js'

export function datasetSubject(data: Dataset): Subject {
  return { name: data.source, hash: data.hash, rows: data.rowCount }
}

export function modelSubject(model: Model): Subject {
  const { runtime, backend, adapter } = model.runtime
  return { name: model.name, hash: model.hash, runtime: backend ? `${runtime} on ${backend}${adapter ? ` (${adapter})` : ''}` : runtime }
}
