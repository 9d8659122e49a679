import { execFile } from 'node:child_process'

const MiB = 1024 * 1024

export interface MemorySummary {
  /** Resident set size before predicting, and its peak while predicting, in MiB. */
  rssBefore: number
  rssPeak: number
  /** Peak RSS minus RSS before: what predicting added to the process. */
  rssGrowth: number
  /** V8 heap in use after minus before, in MiB. */
  heapGrowth: number
  /** The peak GPU memory of this process from nvidia-smi (MiB), or why there is none. */
  gpu: { usedMiB: number } | { skipped: string }
}

export interface MemoryOptions {
  /** Times `fn` runs (default 3). */
  runs?: number
  /** Whether `fn` computes on a GPU: then nvidia-smi is sampled for this process while it runs. */
  gpu?: boolean
}

/** nvidia-smi starts a process each time: sampling it every 250 ms costs little and still sees the peak of a longer run. */
const GPU_SAMPLE_MS = 250

/**
 * Runs `fn` `runs` times and records the process's memory: RSS before and at its peak (sampled
 * every 2 ms and after each run, since a synchronous kernel blocks the timer), V8 heap growth, and,
 * for work on a GPU, the peak of this process's GPU memory as nvidia-smi reports it
 * (`--query-compute-apps=pid,used_memory`, sampled while `fn` runs and after); "skipped" with the
 * reason otherwise, as the tutorial's CPU mode does.
 */
export async function measureMemory(fn: () => Promise<unknown>, options: MemoryOptions = {}): Promise<MemorySummary> {
  const runs = options.runs ?? 3
  const before = process.memoryUsage()
  let peak = before.rss
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()))
  const timer = setInterval(sample, 2)
  let running = true
  const gpuSamples: MemorySummary['gpu'][] = []
  const gpuSampling = options.gpu
    ? (async () => {
        while (running) {
          gpuSamples.push(await gpuMemory())
          if (running) await new Promise((resolve) => setTimeout(resolve, GPU_SAMPLE_MS))
        }
        gpuSamples.push(await gpuMemory())
      })()
    : undefined
  try {
    for (let i = 0; i < runs; i++) {
      await fn()
      sample()
    }
  } finally {
    clearInterval(timer)
    running = false
    await gpuSampling
  }
  const after = process.memoryUsage()
  return {
    rssBefore: before.rss / MiB,
    rssPeak: peak / MiB,
    rssGrowth: (peak - before.rss) / MiB,
    heapGrowth: (after.heapUsed - before.heapUsed) / MiB,
    gpu: options.gpu ? gpuPeak(gpuSamples) : { skipped: 'no GPU' },
  }
}

/** The largest reading among the samples, or the last reason when none had one. */
function gpuPeak(samples: MemorySummary['gpu'][]): MemorySummary['gpu'] {
  const used = samples.flatMap((sample) => ('usedMiB' in sample ? [sample.usedMiB] : []))
  return used.length > 0 ? { usedMiB: Math.max(...used) } : samples[samples.length - 1]
}

/** This process's GPU memory from nvidia-smi, in MiB; "skipped" with the reason when there is none. */
export function gpuMemory(): Promise<MemorySummary['gpu']> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve({ skipped: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no GPU (nvidia-smi not found)' : `nvidia-smi failed: ${error.message.split('\n')[0]}` })
      const own = stdout
        .split('\n')
        .map((line) => line.split(',').map((cell) => cell.trim()))
        .find(([pid]) => Number(pid) === process.pid)
      resolve(own ? { usedMiB: Number(own[1]) } : { skipped: 'this process holds no GPU memory' })
    })
  })
}
