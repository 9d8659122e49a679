import { ModeltestError } from './errors.js'
import { buildReport, byFile, type FileTiming, type RunReport, type TestOutcome } from './report.js'

/**
 * What one shard of a run (`modeltest --shard 2/3`) leaves for `modeltest merge`: the inputs of
 * the run's verdict rather than a verdict, since "no check ran" or "no test ran" can only be said
 * of the whole run.
 */
export interface ShardResult {
  format: 'modeltest-shard/1'
  shard: { index: number; count: number }
  startedAt: string
  durationMs: number
  runtime: Record<string, string>
  /** Failures outside the tests: unhandled errors, an interrupted run. */
  problems: string[]
  tests: TestOutcome[]
  files?: FileTiming[]
}

export function isShardResult(value: unknown): value is ShardResult {
  return (value as ShardResult)?.format === 'modeltest-shard/1'
}

/**
 * One run report from the results of every shard: the tests of all shards in file order, as one
 * unsharded run would list them, with the verdict taken over the whole. Every shard 1 … n must be
 * there exactly once.
 */
export function mergeShards(shards: ShardResult[], where: string): RunReport {
  if (shards.length === 0) throw new ModeltestError({ what: 'no shard results found', where, fix: 'Run modeltest --shard i/n in each job and collect every reports/shards/*.json into this folder.' })
  const count = shards[0].shard.count
  const mixed = shards.find((shard) => shard.shard.count !== count)
  if (mixed)
    throw new ModeltestError({ what: `shard results of different splits: ${shards[0].shard.index}/${count} and ${mixed.shard.index}/${mixed.shard.count}`, where, fix: 'Merge the shards of one run only: empty the folder between runs.' })
  const byIndex = new Map<number, ShardResult>()
  for (const shard of shards) {
    if (byIndex.has(shard.shard.index)) throw new ModeltestError({ what: `shard ${shard.shard.index}/${count} appears twice`, where, fix: 'Merge the shards of one run only: empty the folder between runs.' })
    byIndex.set(shard.shard.index, shard)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index))
  if (missing.length > 0)
    throw new ModeltestError({
      what: `shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} missing`,
      where,
      fix: 'A merge of some shards would pass tests it never ran: wait for every shard job, or rerun the missing ones.',
    })
  const ordered = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index)
  const starts = ordered.map((shard) => Date.parse(shard.startedAt))
  const start = Math.min(...starts)
  const end = Math.max(...ordered.map((shard, i) => starts[i] + shard.durationMs))
  // vitest shards by file, so a file's tests stay together and in order; sorting by file gives the unsharded order.
  const tests = ordered.flatMap((shard) => shard.tests).sort(byFile)
  return buildReport({
    tests,
    startedAt: new Date(start),
    durationMs: end - start,
    runtime: ordered[0].runtime,
    files: ordered.flatMap((shard) => shard.files ?? []).sort(byFile),
    problems: ordered.flatMap((shard) => shard.problems.map((problem) => `Shard ${shard.shard.index}/${count}: ${problem}`)),
  })
}
