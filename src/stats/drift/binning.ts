/** Binning numeric samples into counts, for the count statistics (PSI, chi-square, Jensen–Shannon). */
import { ModeltestError } from '../../errors.js'
import { countBelow } from '../sorted.js'
import { checkSample } from './samples.js'

/**
 * Interior bin edges at the reference's quantiles i/bins, i = 1 … bins − 1, with numpy's default
 * "linear" quantile (h = (n − 1)q, interpolated between the order statistics around h), sorted, with
 * repeated edges (from ties) removed: equals np.unique(np.quantile(reference, np.arange(1, bins) / bins)).
 * With binCounts these give equal-frequency bins of the reference, for PSI, chi-square and Jensen–Shannon.
 */
export function quantileBinEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const n = checkSample(reference, 'reference', 'quantileBinEdges')
  if (!(Number.isInteger(bins) && bins >= 2)) {
    throw new ModeltestError({ what: `quantileBinEdges: bins must be a whole number ≥ 2, got ${bins}`, fix: 'Pass { bins: 10 } for deciles.' })
  }
  const sorted = Float64Array.from(reference).sort()
  const edges: number[] = []
  for (let i = 1; i < bins; i++) {
    const index = (n - 1) * (i / bins)
    const [low, high] = index >= n - 1 ? [n - 1, n - 1] : [Math.floor(index), Math.floor(index) + 1]
    edges.push(lerp(sorted[low], sorted[high], index - low))
  }
  edges.sort((x, y) => x - y)
  return edges.filter((edge, i) => i === 0 || edge !== edges[i - 1])
}

/** numpy's _lerp: a + (b − a)t, computed from b's side when t ≥ ½ so that t = 1 gives b exactly. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}

/**
 * Counts of values per bin for increasing edges e₀ < e₁ < … < e_{k−1}: k + 1 bins
 * (−∞, e₀], (e₀, e₁], …, (e_{k−1}, +∞), closed on the right. Bin i holds the values with
 * e_{i−1} < v ≤ e_i: np.bincount(np.digitize(values, edges, right=True), minlength=k + 1).
 */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  checkSample(values, 'binned', 'binCounts')
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
      throw new ModeltestError({ what: `binCounts: edge ${i} (${edges[i]}) is not finite and above the edge before it`, fix: 'Pass finite, strictly increasing edges, as quantileBinEdges returns.' })
    }
  }
  const counts = new Array<number>(edges.length + 1).fill(0)
  // Bin i holds the values with i edges strictly below them.
  for (let i = 0; i < values.length; i++) counts[countBelow(edges, values[i])]++
  return counts
}
