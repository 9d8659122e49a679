/** Prints the GPU check's table from measure.ts's JSON files: `node table.mjs webgpu.json wasm.json cpu.json` (the device run). */
import { readFile } from 'node:fs/promises'
import type { Figures } from './measure.js'
import { renderTable } from './table.js'

const results = await Promise.all(process.argv.slice(2).map(async (path) => JSON.parse(await readFile(path, 'utf8')) as Figures))
process.stdout.write(renderTable(results).join('\n') + '\n')
