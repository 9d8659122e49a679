// Preloaded with `node --import` (or NODE_OPTIONS): appends every module file this process loads, CommonJS
// and ESM, to the file MODELTEST_RECORD_MODULES names, one `pid path` a line, as it loads. Written as it
// goes because vitest's workers are often killed rather than exited.
import { appendFileSync } from 'node:fs'
import Module, { register } from 'node:module'

const out = process.env.MODELTEST_RECORD_MODULES
if (out) {
  const load = Module.prototype.load
  Module.prototype.load = function (filename) {
    appendFileSync(out, `${process.pid} ${filename}\n`)
    return load.call(this, filename)
  }
  register('./record-hooks.mjs', import.meta.url, { data: { out } })
}
