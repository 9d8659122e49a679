/** Small numeric helpers of the drift statistics, each a numpy or C library function. */

/** The sum of the values. */
export function sum(values: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i]
  return total
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** numpy.round: to the nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

export function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p
}

/** Horner evaluation of coefficients[0]·xᵈ + … + coefficients[d] (numpy.polyval). */
export function polyval(coefficients: readonly number[], x: number): number {
  let value = 0
  for (const c of coefficients) value = value * x + c
  return value
}

/** x · 2^exponent without overflowing or underflowing the scale factor itself. */
export function ldexp(x: number, exponent: number): number {
  let result = x
  let e = exponent
  while (e > 1000) {
    result *= 2 ** 1000
    e -= 1000
  }
  while (e < -1000) {
    result *= 2 ** -1000
    e += 1000
  }
  return result * 2 ** e
}

/** The product of two m × m row-major matrices. */
export function matmul(x: Float64Array, y: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const xik = x[i * m + k]
      if (xik === 0) continue
      for (let j = 0; j < m; j++) out[i * m + j] += xik * y[k * m + j]
    }
  }
  return out
}

/** The full discrete convolution of x and y, length |x| + |y| − 1 (numpy.convolve, mode 'full'). */
export function convolve(x: Float64Array, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length + y.length - 1)
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) out[i + j] += x[i] * y[j]
  return out
}

/** The population standard deviation √(Σ (x − x̄)² / n) (numpy.std, ddof = 0). */
export function standardDeviation(values: ArrayLike<number>): number {
  let mean = 0
  for (let i = 0; i < values.length; i++) mean += values[i] / values.length
  let squares = 0
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2
  return Math.sqrt(squares / values.length)
}
