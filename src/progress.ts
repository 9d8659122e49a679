/**
 * Progress of a long evaluation on stderr: rows done of the total and the rate. On a terminal one
 * line is redrawn in place; in CI logs a line is printed at each tenth at most. Short evaluations
 * print nothing: progress starts only once one has run for `delayMs`.
 *
 * The mode comes from MODELTEST_PROGRESS (tty, lines or off), which the CLI sets for its workers
 * from its own stderr, since a worker's stderr is a pipe even when the user watches a terminal.
 */
export type ProgressMode = 'tty' | 'lines' | 'off'

export interface ProgressOptions {
  mode?: ProgressMode
  /** Where progress goes; stderr by default. */
  write?: (text: string) => void
  /** Milliseconds before anything shows; MODELTEST_PROGRESS_DELAY_MS or 1,000 by default. */
  delayMs?: number
  /** The clock, in milliseconds. */
  now?: () => number
}

/** A terminal line is redrawn at most this often. */
const REDRAW_MS = 100

export function progressMode(): ProgressMode {
  const mode = process.env.MODELTEST_PROGRESS
  if (mode === 'tty' || mode === 'lines' || mode === 'off') return mode
  return process.stderr.isTTY ? 'tty' : process.env.CI ? 'lines' : 'off'
}

export class Progress {
  readonly #label: string
  readonly #total: number
  readonly #mode: ProgressMode
  readonly #write: (text: string) => void
  readonly #delayMs: number
  readonly #now: () => number
  readonly #started: number
  #done = 0
  #lastDraw = -Infinity
  #lastTenth = 0
  #shown = false

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.#label = label
    this.#total = total
    this.#mode = options.mode ?? progressMode()
    this.#write = options.write ?? ((text) => process.stderr.write(text))
    this.#delayMs = options.delayMs ?? Number(process.env.MODELTEST_PROGRESS_DELAY_MS ?? 1000)
    this.#now = options.now ?? (() => performance.now())
    this.#started = this.#now()
  }

  /** `rows` more rows are done. */
  advance(rows: number): void {
    this.#done += rows
    if (this.#mode === 'off' || this.#total <= 0) return
    const now = this.#now()
    if (now - this.#started < this.#delayMs) return
    if (this.#mode === 'tty') {
      if (now - this.#lastDraw < REDRAW_MS && this.#done < this.#total) return
      this.#lastDraw = now
      this.#shown = true
      this.#write(`\r\x1b[2K${this.#line(now)}`)
      return
    }
    const tenth = Math.floor((10 * this.#done) / this.#total)
    if (tenth > this.#lastTenth) {
      this.#lastTenth = tenth
      this.#write(`${this.#line(now)}\n`)
    }
  }

  /** Ends the progress line on a terminal. */
  finish(): void {
    if (this.#mode === 'tty' && this.#shown) this.#write('\r\x1b[2K')
  }

  #line(now: number): string {
    const seconds = (now - this.#started) / 1000
    const rate = seconds > 0 ? Math.round(this.#done / seconds) : 0
    const percent = Math.floor((100 * this.#done) / this.#total)
    return `${this.#label}: ${this.#done.toLocaleString('en-US')} of ${this.#total.toLocaleString('en-US')} rows (${percent}%), ${rate.toLocaleString('en-US')} rows/s`
  }
}
