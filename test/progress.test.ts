import { describe, expect, test } from 'vitest'
import { Progress } from '../src/index.js'

/** A progress meter on a fake clock that records what it writes. */
function meter(mode: 'tty' | 'lines' | 'off', total: number, delayMs = 1000) {
  const out: string[] = []
  let now = 0
  const progress = new Progress('candidate on holdout.csv', total, { mode, delayMs, write: (text) => out.push(text), now: () => now })
  return { out, progress, tick: (ms: number) => (now += ms) }
}

describe('progress of a long evaluation', () => {
  test('in CI logs, at most a line per tenth, with rows done of total and the rate', () => {
    const { out, progress, tick } = meter('lines', 100_000)
    tick(2000)
    for (let i = 0; i < 1000; i++) {
      tick(10)
      progress.advance(100)
    }
    progress.finish()
    expect(out).toHaveLength(10)
    expect(out.every((line) => line.endsWith('\n'))).toBe(true)
    expect(out[0]).toMatch(/^candidate on holdout\.csv: 10,000 of 100,000 rows \(10%\), \d[\d,]* rows\/s\n$/)
    expect(out.at(-1)).toMatch(/100,000 of 100,000 rows \(100%\), 8,333 rows\/s/)
  })

  test('a jump past several tenths prints one line', () => {
    const { out, progress, tick } = meter('lines', 1000, 0)
    tick(1)
    progress.advance(550)
    progress.advance(450)
    expect(out.map((line) => /\((\d+)%\)/.exec(line)![1])).toEqual(['55', '100'])
  })

  test('on a terminal, one line redrawn in place at most every 100 ms, cleared at the end', () => {
    const { out, progress, tick } = meter('tty', 10_000)
    tick(1500)
    for (let i = 0; i < 100; i++) {
      tick(20)
      progress.advance(100)
    }
    progress.finish()
    expect(out.length).toBeGreaterThanOrEqual(20)
    expect(out.length).toBeLessThanOrEqual(22)
    expect(out.slice(0, -1).every((text) => text.startsWith('\r\x1b[2K') && !text.includes('\n'))).toBe(true)
    expect(out.at(-2)).toMatch(/10,000 of 10,000 rows \(100%\)/)
    expect(out.at(-1)).toBe('\r\x1b[2K')
  })

  test('short evaluations and mode off print nothing', () => {
    const short = meter('tty', 1000)
    short.tick(500)
    short.progress.advance(1000)
    short.progress.finish()
    expect(short.out).toEqual([])
    const off = meter('off', 1000, 0)
    off.tick(5000)
    off.progress.advance(1000)
    expect(off.out).toEqual([])
  })
})
