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
  /** GPU memory of this process from nvidia-smi (MiB), or why there is none. */
  gpu: { usedMiB: number } | { skipped: string }
}

/**
 * Runs `fn` `runs` times and records the process's memory: RSS before and at its peak (sampled
 * every 2 ms and after each run, since a synchronous kernel blocks the timer), V8 heap growth, and
 * this process's GPU memory as nvidia-smi reports it (`--query-compute-apps=pid,used_memory`),
 * "skipped (no GPU)" where there is no nvidia-smi, as the tutorial's CPU mode does.
 */
export async function measureMemory(fn: () => Promise<unknown>, runs = 3): Promise<MemorySummary> {
  const before = process.memoryUsage()
  let peak = before.rss
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()))
  const timer = setInterval(sample, 2)
  try {
    for (let i = 0; i < runs; i++) {
      await fn()
      sample()
    }
  } finally {
    clearInterval(timer)
  }
  const after = process.memoryUsage()
  return {
    rssBefore: before.rss / MiB,
    rssPeak: peak / MiB,
    rssGrowth: (peak - before.rss) / MiB,
    heapGrowth: (after.heapUsed - before.heapUsed) / MiB,
    gpu: await gpuMemory(),
  }
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
