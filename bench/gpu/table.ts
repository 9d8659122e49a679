/** The GPU check's table, from each backend's figures (bench/gpu/measure.ts): shared by run.ts and the device run. */
import { cpus } from 'node:os'
import type { Figures } from './measure.js'

/** One line per backend (its adapter and the example suite's verdict, or why it cannot run), then a Markdown table. */
export function renderTable(results: (Figures & { suite?: string })[]): string[] {
  const cpu = results.find((result) => result.backend === 'cpu')
  const format = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1))
  const lines = [
    `GPU check, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'})`,
    '',
    ...results.map((result) => `- ${result.backend}: ${result.unavailable ? `not available: ${result.unavailable}` : [result.adapter, result.suite ? `example suite ${result.suite}` : undefined].filter(Boolean).join('; ') || 'runs'}`),
    '',
    '| model | backend | p50 / p95 / p99 ms (batch 1) | throughput rows/s (batch) | max abs diff vs cpu | GPU memory |',
    '|---|---|---|---|---|---|',
  ]
  for (const result of results.filter((result) => result.models)) {
    for (const [i, measured] of result.models!.entries()) {
      const reference = cpu?.models?.[i]?.outputs
      const difference = reference ? Math.max(...measured.outputs.map((value, j) => Math.abs(value - reference[j]))) : undefined
      const memory =
        result.gpuMiB === undefined
          ? '(CPU)'
          : `${typeof result.gpuMiB === 'number' ? `${result.gpuMiB} MiB (nvidia-smi)` : result.gpuMiB}${result.tensorsInGpuMiB !== undefined ? `, ${result.tensorsInGpuMiB.toFixed(0)} MiB in tfjs tensors` : ''}`
      lines.push(
        `| ${measured.name} (${(measured.parameters / 1e6).toFixed(2)}M parameters) | ${result.backend} | ${format(measured.p50)} / ${format(measured.p95)} / ${format(measured.p99)} | ${Math.round(measured.throughput).toLocaleString('en-US')} (${measured.batch}) | ${difference === undefined ? '–' : difference === 0 ? '0' : difference.toExponential(1)} | ${memory} |`,
      )
    }
  }
  return lines
}
