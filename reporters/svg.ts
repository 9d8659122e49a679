import { formatValue } from '../src/report.js'
import type { BarsPlot, CalibrationPlot, ConfusionMatrixPlot, CurvePlot, DriftPlot, HistogramPlot, Plot } from '../src/checks/plots.js'

/*
 * Check plots as inline SVG for the HTML report, drawn here: no chart library, nothing fetched.
 * Every plot goes through one frame (title, legend, axes with ticks and titles) on shared scales,
 * and every coordinate goes through `px`, so degenerate data (one bin, all zeros, a single point,
 * an empty list) draws an empty-looking plot rather than writing NaN.
 */

const COLOR = { first: '#0969da', second: '#e16f24', guide: '#8c959f', fail: '#cf222e', grid: '#eaeef2', axis: '#57606a' }
const MARK_COLORS = ['#8250df', '#bf3989', '#1b7c83', '#9a6700']
/** Default plot size and the room around the plotting area. */
const WIDTH = 380
const HEIGHT = 270
const LEFT = 56
const TOP = 48
const RIGHT = 16
const BOTTOM = 42
const INNER = HEIGHT - TOP - BOTTOM
const KEY_ROW = 16
const SLANTED_BOTTOM = 86
/** Most categories a bar chart shows; drift folds the rest into one "other" group. */
const MAX_BANDS = 20
const LABEL_CHARS = 12

type Range = [number, number]
type Scale = (value: number) => number
interface Box {
  left: number
  right: number
  top: number
  bottom: number
}
interface Tick {
  at: number
  text: string
  /** The whole label, as a tooltip, where `text` is shortened. */
  full?: string
}
interface Axis {
  title: string
  ticks: Tick[]
  grid?: boolean
  slanted?: boolean
}
interface Key {
  text: string
  color: string
  shape: 'line' | 'dash' | 'box'
}
interface Frame {
  title: string
  /** A second, quieter part of the title line. */
  note?: string
  width: number
  height: number
  box: Box
  x: Axis
  y: Axis
  keys?: Key[]
  body: string
}

// Characters HTML cannot carry (control characters other than tab, newline, return).
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/g

/** Text for HTML or SVG, in content and in quoted attributes alike. */
export function escape(value: string | number): string {
  return String(value).replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** An inline SVG for a check's plot; an empty string for a kind this version does not know. */
export function drawPlot(plot: Plot): string {
  switch (plot.type) {
    case 'confusion-matrix':
      return confusionMatrix(plot)
    case 'roc':
    case 'precision-recall':
      return curve(plot)
    case 'calibration':
      return calibration(plot)
    case 'histogram':
      return histogram(plot)
    case 'drift':
      return drift(plot)
    case 'bars':
      return bars(plot)
    default:
      return ''
  }
}

// ── scales and ticks ────────────────────────────────────────────────────────────────────────────

/** A pixel coordinate to one decimal; anything not finite becomes 0, so no NaN reaches the page. */
function px(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0'
}

function linear([d0, d1]: Range, [r0, r1]: Range): Scale {
  const span = d1 - d0 || 1
  return (value) => r0 + ((value - d0) / span) * (r1 - r0)
}

/** The span of the finite values (and 0 with `zero`), widened around a single value; [0, 1] for none or all zeros. */
function extent(values: number[], zero = false): Range {
  const seen = values.filter(Number.isFinite).concat(zero ? [0] : [])
  if (seen.length === 0) return [0, 1]
  const low = Math.min(...seen)
  const high = Math.max(...seen)
  if (low < high) return [low, high]
  const pad = Math.abs(low) / 2 || 1
  return low === 0 ? [0, 1] : [low - pad, high + pad]
}

/** A round step (1, 2 or 5 times a power of ten) that cuts a range into about `count` parts. */
function step([low, high]: Range, count = 5): number {
  const raw = (high - low) / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((s) => raw <= s * (1 + 1e-9)) ?? raw
}

function ticks(range: Range): number[] {
  const size = step(range)
  const out: number[] = []
  for (let i = Math.ceil(range[0] / size - 1e-9); i * size <= range[1] + size * 1e-9; i++) out.push(Number((i * size).toPrecision(12)))
  return out
}

/** A range grown outward to whole steps, so the axis ends on a tick. */
function nice(range: Range): Range {
  const size = step(range)
  return [Math.floor(range[0] / size + 1e-9) * size, Math.ceil(range[1] / size - 1e-9) * size]
}

/** A tick value in a few characters. */
function short(value: number): string {
  const size = Math.abs(value)
  if (size >= 1e5 || (size > 0 && size < 1e-3)) return value.toExponential(1)
  return String(Number(value.toPrecision(4)))
}

/** A label cut to `chars`, keeping both ends (`city …ber 12`): labels often differ only at the end. */
function clip(text: string, chars = LABEL_CHARS): string {
  if (text.length <= chars) return text
  const tail = Math.floor((chars - 1) / 2)
  return text.slice(0, chars - 1 - tail) + '…' + text.slice(text.length - tail)
}

function linearAxis(title: string, range: Range, scale: Scale): Axis {
  return { title, grid: true, ticks: ticks(range).map((value) => ({ at: scale(value), text: short(value) })) }
}

/** Categories spread evenly over [from, to]; at most one label per `room` pixels, the rest unlabelled. */
function bandAxis(title: string, labels: string[], from: number, to: number, room: number): { axis: Axis; step: number; at: (i: number) => number } {
  const size = (to - from) / Math.max(1, labels.length)
  const at = (i: number): number => from + size * (i + 0.5)
  const every = Math.max(1, Math.ceil(room / size))
  const slanted = labels.some((label) => Math.min(label.length, LABEL_CHARS) * 6.5 > size * every)
  const ticks = labels.flatMap((label, i) => (i % every === 0 ? [{ at: at(i), text: clip(label), full: label }] : []))
  return { axis: { title, ticks, slanted }, step: size, at }
}

/** Where each legend key goes: left to right from `left`, onto a new row where one would pass `right`. */
function placeKeys(keys: Key[], left: number, right: number): { key: Key; x: number; row: number }[] {
  let x = left
  let row = 0
  return keys.map((key) => {
    const size = 30 + key.text.length * 6.2
    if (x > left && x + size - 12 > right) {
      x = left
      row++
    }
    const placed = { key, x, row }
    x += size
    return placed
  })
}

/** A plot's height and plotting area: the title, the legend's rows, `inner` pixels of plot, then room for the x axis. */
function layout(width: number, keys: Key[] = [], bottom = BOTTOM): { height: number; box: Box } {
  const rows = Math.max(1, ...placeKeys(keys, LEFT, width - RIGHT).map((placed) => placed.row + 1))
  const top = TOP + (rows - 1) * KEY_ROW
  return { height: top + INNER + bottom, box: { left: LEFT, right: width - RIGHT, top, bottom: top + INNER } }
}

// ── shapes ──────────────────────────────────────────────────────────────────────────────────────

function tooltip(text: string | undefined): string {
  return text ? `<title>${escape(text)}</title>` : ''
}

function rect(x: number, y: number, width: number, height: number, fill: string, hint?: string): string {
  return `<rect x="${px(x)}" y="${px(y)}" width="${px(Math.max(0, width))}" height="${px(Math.max(0, height))}" fill="${fill}">${tooltip(hint)}</rect>`
}

function segment(x1: number, y1: number, x2: number, y2: number, color: string, dashed = false, width = 1): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${color}"${width !== 1 ? ` stroke-width="${width}"` : ''}${dashed ? ' stroke-dasharray="4 3"' : ''}/>`
}

function text(x: number, y: number, content: string, attributes = '', hint?: string): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes}>${escape(content)}${tooltip(hint)}</text>`
}

/** A line through the points, with dots where there are few enough to see (always for a single point). */
function series(points: [number, number][], x: Scale, y: Scale, color: string, hints: string[] = []): string {
  const finite = points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
  const line = finite.length > 1 ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${finite.map(([a, b]) => `${px(x(a))},${px(y(b))}`).join(' ')}"/>` : ''
  const dots = finite.length <= 30 ? finite.map(([a, b], i) => `<circle cx="${px(x(a))}" cy="${px(y(b))}" r="3" fill="${color}">${tooltip(hints[i])}</circle>`).join('') : ''
  return line + dots
}

function diagonal(x: Scale, y: Scale): string {
  return segment(x(0), y(0), x(1), y(1), COLOR.guide, true)
}

// ── the frame every plot shares ─────────────────────────────────────────────────────────────────

function frame(plot: Frame): string {
  const { box: b, x, y } = plot
  const parts = [`<svg class="plot" role="img" width="${px(plot.width)}" height="${px(plot.height)}" viewBox="0 0 ${px(plot.width)} ${px(plot.height)}">`, `<title>${escape(plot.title)}</title>`]
  parts.push(`<text class="plot-title" x="8" y="18">${escape(plot.title)}${plot.note ? `<tspan class="plot-note" dx="8">${escape(plot.note)}</tspan>` : ''}</text>`)
  for (const { key, x: at, row } of placeKeys(plot.keys ?? [], b.left, plot.width - RIGHT)) {
    const top = 30 + row * KEY_ROW
    parts.push(key.shape === 'box' ? rect(at, top, 12, 10, key.color) : segment(at, top + 5, at + 14, top + 5, key.color, key.shape === 'dash', 2))
    parts.push(text(at + 18, top + 9, key.text))
  }
  if (y.grid) for (const tick of y.ticks) parts.push(segment(b.left, tick.at, b.right, tick.at, COLOR.grid))
  parts.push(plot.body)
  parts.push(segment(b.left, b.bottom, b.right, b.bottom, COLOR.axis), segment(b.left, b.top, b.left, b.bottom, COLOR.axis))
  for (const tick of x.ticks) {
    parts.push(segment(tick.at, b.bottom, tick.at, b.bottom + 4, COLOR.axis))
    const slant = x.slanted ? ` text-anchor="end" transform="rotate(-40 ${px(tick.at)} ${px(b.bottom + 14)})"` : ' text-anchor="middle"'
    parts.push(text(tick.at, b.bottom + 14, tick.text, slant, tick.full !== tick.text ? tick.full : undefined))
  }
  for (const tick of y.ticks) {
    parts.push(segment(b.left - 4, tick.at, b.left, tick.at, COLOR.axis))
    parts.push(text(b.left - 6, tick.at + 3.5, tick.text, ' text-anchor="end"', tick.full !== tick.text ? tick.full : undefined))
  }
  parts.push(text((b.left + b.right) / 2, plot.height - 6, x.title, ' class="axis-title" text-anchor="middle"'))
  const middle = (b.top + b.bottom) / 2
  parts.push(text(14, middle, y.title, ` class="axis-title" text-anchor="middle" transform="rotate(-90 14 ${px(middle)})"`))
  parts.push('</svg>')
  return parts.join('')
}

/** A plot on two linear axes. */
function xyPlot(spec: { title: string; note?: string; x: [string, Range]; y: [string, Range]; keys?: Key[]; draw: (x: Scale, y: Scale, b: Box) => string }): string {
  const { height, box: b } = layout(WIDTH, spec.keys)
  const x = linear(spec.x[1], [b.left, b.right])
  const y = linear(spec.y[1], [b.bottom, b.top])
  const axes = { x: linearAxis(spec.x[0], spec.x[1], x), y: linearAxis(spec.y[0], spec.y[1], y) }
  return frame({ title: spec.title, note: spec.note, width: WIDTH, height, box: b, ...axes, keys: spec.keys, body: spec.draw(x, y, b) })
}

/** A plot of categories along x and a linear value up y, wide enough for its categories. */
function bandPlot(spec: { title: string; note?: string; labels: string[]; x: string; y: [string, Range]; keys?: Key[]; draw: (at: (i: number) => number, step: number, y: Scale, b: Box) => string }): string {
  const width = Math.max(WIDTH, LEFT + RIGHT + spec.labels.length * 24)
  const band = bandAxis(spec.x, spec.labels, LEFT, width - RIGHT, 14)
  const { height, box: b } = layout(width, spec.keys, band.axis.slanted ? SLANTED_BOTTOM : BOTTOM)
  const y = linear(spec.y[1], [b.bottom, b.top])
  return frame({ title: spec.title, note: spec.note, width, height, box: b, x: band.axis, y: linearAxis(spec.y[0], spec.y[1], y), keys: spec.keys, body: spec.draw(band.at, band.step, y, b) })
}

/** The indices of at most `most` items, the highest `priority` first, in their original order. */
function keep(count: number, most: number, priority: (i: number) => number): number[] {
  const all = Array.from({ length: count }, (_, i) => i)
  if (count <= most) return all
  return all
    .sort((a, b) => priority(b) - priority(a) || a - b)
    .slice(0, most)
    .sort((a, b) => a - b)
}

function shown(kept: number, total: number, what: string): string | undefined {
  return kept < total ? `${kept} of ${total} ${what} shown` : undefined
}

// ── the plots ───────────────────────────────────────────────────────────────────────────────────

/** White to blue by share of the largest count. */
function heat(share: number): string {
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * share)
  return `rgb(${mix(246, 9)},${mix(248, 105)},${mix(250, 218)})`
}

function confusionMatrix(plot: ConfusionMatrixPlot): string {
  const n = plot.labels.length
  const cell = Math.max(6, Math.min(64, Math.floor(288 / Math.max(1, n))))
  const left = 24 + 6.5 * Math.min(LABEL_CHARS, Math.max(1, ...plot.labels.map((label) => label.length)))
  const columns = bandAxis('predicted', plot.labels, left, left + n * cell, 14)
  const rows = bandAxis('actual', plot.labels, TOP, TOP + n * cell, 12)
  const b: Box = { left, right: left + n * cell, top: TOP, bottom: TOP + n * cell }
  const bottom = columns.axis.slanted ? SLANTED_BOTTOM : BOTTOM
  const value = (r: number, c: number): number => {
    const count = plot.matrix[r]?.[c]
    return typeof count === 'number' && Number.isFinite(count) ? count : 0
  }
  const largest = Math.max(0, ...plot.labels.flatMap((_, r) => plot.labels.map((_, c) => value(r, c))))
  const cells: string[] = []
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const count = value(r, c)
      const share = largest > 0 ? count / largest : 0
      cells.push(rect(b.left + c * cell, b.top + r * cell, cell - 1, cell - 1, heat(share), `actual ${plot.labels[r]}, predicted ${plot.labels[c]}: ${count}`))
      if (cell >= 22) cells.push(text(b.left + (c + 0.5) * cell, b.top + (r + 0.5) * cell + 4, short(count), ` text-anchor="middle" class="cell${share > 0.55 ? ' dark' : ''}"`))
    }
  }
  const total = plot.labels.reduce((sum, _, r) => sum + plot.labels.reduce((row, _, c) => row + value(r, c), 0), 0)
  return frame({ title: 'Confusion matrix', note: `${n} classes, ${total} rows`, width: Math.max(b.right + RIGHT, 300), height: b.bottom + bottom, box: b, x: columns.axis, y: { ...rows.axis, slanted: false }, body: cells.join('') })
}

function curve(plot: CurvePlot): string {
  const roc = plot.type === 'roc'
  const name = roc ? `ROC (${plot.positiveLabel})` : `Precision-recall (${plot.positiveLabel})`
  return xyPlot({
    title: name,
    note: Number.isFinite(plot.area) ? `${roc ? 'AUC' : 'AP'} ${formatValue(plot.area)}` : undefined,
    x: [roc ? 'false positive rate' : 'recall', [0, 1]],
    y: [roc ? 'true positive rate' : 'precision', [0, 1]],
    keys: roc
      ? [
          { text: 'model', color: COLOR.first, shape: 'line' },
          { text: 'chance', color: COLOR.guide, shape: 'dash' },
        ]
      : undefined,
    draw: (x, y) => (roc ? diagonal(x, y) : '') + series(plot.points, x, y, COLOR.first),
  })
}

function calibration(plot: CalibrationPlot): string {
  const bins = plot.bins.filter((bin) => bin.count > 0 && Number.isFinite(bin.meanPredicted) && Number.isFinite(bin.fractionPositive))
  return xyPlot({
    title: `Calibration (${plot.positiveLabel})`,
    note: `${bins.length} bins`,
    x: ['mean predicted probability', [0, 1]],
    y: ['fraction positive', [0, 1]],
    keys: [
      { text: 'model', color: COLOR.first, shape: 'line' },
      { text: 'perfectly calibrated', color: COLOR.guide, shape: 'dash' },
    ],
    draw: (x, y) =>
      diagonal(x, y) +
      series(
        bins.map((bin) => [bin.meanPredicted, bin.fractionPositive]),
        x,
        y,
        COLOR.first,
        bins.map((bin) => `${formatValue(bin.meanPredicted)} predicted, ${formatValue(bin.fractionPositive)} positive, ${bin.count} rows`),
      ),
  })
}

function histogram(plot: HistogramPlot): string {
  const bins = Math.max(0, Math.min(plot.counts.length, plot.edges.length - 1))
  const edges = plot.edges.slice(0, bins + 1)
  const xRange = extent(edges)
  const unit = plot.unit ? ` ${plot.unit}` : ''
  const marks = plot.marks
    .filter((mark) => Number.isFinite(mark.value))
    .sort((a, b) => a.value - b.value)
    .map((mark, i) => ({ ...mark, text: `${mark.label} ${formatValue(mark.value)}${unit}`, color: /threshold/i.test(mark.label) ? COLOR.fail : MARK_COLORS[i % MARK_COLORS.length] }))
  const inside = marks.filter((mark) => mark.value >= xRange[0] && mark.value <= xRange[1])
  const outside = marks.filter((mark) => !inside.includes(mark))
  const [, highest] = extent(plot.counts, true)
  return xyPlot({
    title: plot.title,
    note:
      [plot.overflow ? `${plot.overflow.count} above ${formatValue(plot.overflow.above)}${unit} not drawn` : '', outside.length > 0 ? `off the scale: ${outside.map((mark) => mark.text).join(', ')}` : ''].filter(Boolean).join('; ') ||
      undefined,
    x: [plot.unit ?? 'value', xRange],
    // Headroom above the tallest bar for the marks' labels.
    y: ['count', nice([0, inside.length > 0 ? highest * 1.25 : highest])],
    keys: inside.map((mark) => ({ text: mark.text, color: mark.color, shape: 'dash' as const })),
    draw: (x, y, b) => {
      const parts = plot.counts.slice(0, bins).map((count, i) => {
        const empty = !(edges[i + 1] > edges[i]) // a bin of one value: drawn a few pixels wide around it
        const from = x(edges[i]) - (empty ? 3 : 0)
        const width = empty ? 6 : Math.max(1, x(edges[i + 1]) - from - 1)
        return rect(from, y(count), width, b.bottom - y(count), COLOR.first, `${formatValue(edges[i])}–${formatValue(edges[i + 1])}${unit}: ${count}`)
      })
      // Each label on the first row where it overlaps no other; labels near the right edge run leftwards.
      const rows: Range[][] = []
      for (const mark of inside) {
        const at = x(mark.value)
        const size = mark.label.length * 7 + 4
        const flip = at + size > b.right
        const span: Range = flip ? [at - size, at] : [at, at + size]
        let level = rows.findIndex((taken) => taken.every(([from, to]) => span[1] < from || span[0] > to))
        if (level < 0) level = rows.push([]) - 1
        rows[level].push(span)
        parts.push(segment(at, b.top, at, b.bottom, mark.color, true, 1.5))
        parts.push(text(at + (flip ? -3 : 3), b.top + 10 + level * 12, mark.label, ` class="marker" style="fill: ${mark.color}"${flip ? ' text-anchor="end"' : ''}`))
      }
      return parts.join('')
    },
  })
}

function drift(plot: DriftPlot): string {
  const share = (values: number[], i: number): number => (Number.isFinite(values[i]) ? values[i] : 0)
  const kept = keep(plot.labels.length, MAX_BANDS - 1, (i) => Math.max(share(plot.reference, i), share(plot.current, i)))
  const rest = plot.labels.map((_, i) => i).filter((i) => !kept.includes(i))
  const fold = (values: number[]): number[] => [...kept.map((i) => share(values, i)), ...(rest.length > 0 ? [rest.reduce((sum, i) => sum + share(values, i), 0)] : [])]
  const labels = [...kept.map((i) => plot.labels[i]), ...(rest.length > 0 ? [`other (${rest.length})`] : [])]
  const reference = fold(plot.reference)
  const current = fold(plot.current)
  return bandPlot({
    title: `Drift: ${plot.column}`,
    note: [plot.drifted ? 'drifted' : 'no drift', shown(kept.length, plot.labels.length, 'categories')].filter(Boolean).join(', '),
    labels,
    x: plot.column,
    y: ['share', nice(extent([...reference, ...current], true))],
    keys: [
      { text: 'reference', color: COLOR.guide, shape: 'box' },
      { text: 'current', color: plot.drifted ? COLOR.second : COLOR.first, shape: 'box' },
    ],
    draw: (at, size, y, b) =>
      labels
        .map((label, i) => {
          const width = Math.max(1, size * 0.38)
          const bar = (value: number, offset: number, color: string, which: string): string => rect(at(i) + offset, y(value), width, b.bottom - y(value), color, `${label}, ${which}: ${formatValue(value)}`)
          return bar(reference[i], -width, COLOR.guide, 'reference') + bar(current[i], 0, plot.drifted ? COLOR.second : COLOR.first, 'current')
        })
        .join(''),
  })
}

function bars(plot: BarsPlot): string {
  const kept = keep(plot.bars.length, MAX_BANDS, (i) => (plot.bars[i].passed === false ? 1 : 0)).map((i) => plot.bars[i])
  const threshold = plot.threshold !== undefined && Number.isFinite(plot.threshold) ? plot.threshold : undefined
  const failed = plot.bars.filter((bar) => bar.passed === false).length
  return bandPlot({
    title: plot.title,
    note: [failed > 0 ? `${failed} failed` : '', shown(kept.length, plot.bars.length, 'bars')].filter(Boolean).join(', ') || undefined,
    labels: kept.map((bar) => bar.label),
    x: 'slice',
    y: ['value', nice(extent([...kept.map((bar) => bar.value), ...(threshold !== undefined ? [threshold] : [])], true))],
    keys: [
      { text: 'passed', color: COLOR.first, shape: 'box' },
      ...(failed > 0 ? [{ text: 'failed', color: COLOR.fail, shape: 'box' as const }] : []),
      ...(threshold !== undefined ? [{ text: `threshold ${formatValue(threshold)}`, color: COLOR.fail, shape: 'dash' as const }] : []),
    ],
    draw: (at, size, y, b) => {
      const zero = y(0)
      const parts = kept.map((bar, i) => {
        const value = Number.isFinite(bar.value) ? bar.value : 0
        const width = Math.max(1, size * 0.7)
        const hint = `${bar.label}: ${formatValue(bar.value)}${bar.n !== undefined ? ` (n=${bar.n})` : ''}${bar.passed === false ? ', failed' : ''}`
        return rect(at(i) - width / 2, Math.min(y(value), zero), width, Math.abs(zero - y(value)), bar.passed === false ? COLOR.fail : COLOR.first, hint)
      })
      if (threshold !== undefined) parts.push(segment(b.left, y(threshold), b.right, y(threshold), COLOR.fail, true, 1.5))
      return parts.join('')
    },
  })
}
