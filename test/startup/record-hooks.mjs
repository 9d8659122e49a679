// The ESM half of record-modules.mjs: module hooks that note each module's URL as it loads.
import { appendFileSync } from 'node:fs'

let out

export function initialize(data) {
  out = data.out
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${process.pid} ${url}\n`)
  return nextLoad(url, context)
}
