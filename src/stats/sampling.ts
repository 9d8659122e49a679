/**
 * Exact random variates for resampling counts instead of rows: a bootstrap resample of n rows falls
 * into the cells of a confusion matrix as a multinomial draw, so drawing the counts costs the number
 * of cells, not n.
 */

/** A standard normal variate (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** A Gamma(shape, 1) variate, shape ≥ 1 (Marsaglia & Tsang 2000). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = normal(random)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = 1 - random()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/**
 * A Binomial(n, p) variate, exactly: inversion of the CDF while n·p is small, and above that the
 * median split of Knuth (TAOCP 3.4.1): with X the a-th smallest of n uniforms, X ~ Beta(a, n + 1 − a),
 * the count below p is Bin(a − 1, p/X) when X ≥ p, else a + Bin(n − a, (p − X)/(1 − X)).
 */
function binomial(n: number, p: number, random: () => number): number {
  if (n === 0 || p <= 0) return 0
  if (p >= 1) return n
  if (p > 0.5) return n - binomial(n, 1 - p, random)
  if (n * p < 30) {
    const q = 1 - p
    const ratio = p / q
    let probability = Math.exp(n * Math.log1p(-p))
    let u = random()
    let x = 0
    while (u > probability && x < n) {
      u -= probability
      x++
      probability *= (ratio * (n - x + 1)) / x
    }
    return x
  }
  const a = 1 + Math.floor(n / 2)
  const b = n + 1 - a
  const ga = gamma(a, random)
  const x = ga / (ga + gamma(b, random))
  return x >= p ? binomial(a - 1, p / x, random) : a + binomial(b - 1, (p - x) / (1 - x), random)
}

/** n draws over cells with these counts' shares (Multinomial(n, counts/Σcounts)), as conditional binomials, into `into`. */
export function multinomial(n: number, counts: ArrayLike<number>, random: () => number, into: Float64Array, offset = 0): void {
  let remainingTotal = 0
  for (let c = 0; c < counts.length; c++) remainingTotal += counts[c]
  let remaining = n
  for (let c = 0; c < counts.length; c++) {
    const drawn = remaining === 0 || counts[c] === 0 ? 0 : c === counts.length - 1 ? remaining : binomial(remaining, Math.min(1, counts[c] / remainingTotal), random)
    into[offset + c] = drawn
    remaining -= drawn
    remainingTotal -= counts[c]
  }
}
