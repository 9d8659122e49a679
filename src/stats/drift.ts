/**
 * Distribution drift between a reference sample and a current sample: pure functions, no I/O.
 *
 * Each statistic reproduces a reference implementation (scipy 1.10 / numpy 1.24), named in its
 * comment; test/golden/make_drift_golden.py computes the golden values the tests compare against.
 * Samples are arrays of finite numbers; counts are aligned by index (bin or category i on both
 * sides). Bad input throws a ModeltestError from the guards of drift/samples.ts.
 *
 * One file per test under drift/: ks.ts (two-sample KS, exact), kolmogorov.ts (the distribution of D_n),
 * chi-square.ts and gamma.ts, distances.ts (PSI, Jensen–Shannon, Wasserstein), binning.ts.
 */
export { ksTwoSample } from './drift/ks.js'
export { kolmogorovSmirnovSurvival } from './drift/kolmogorov.js'
export { chiSquareHomogeneity, chiSquareSurvival } from './drift/chi-square.js'
export { populationStabilityIndex, jensenShannonDistance, wassersteinDistance } from './drift/distances.js'
export { quantileBinEdges, binCounts } from './drift/binning.js'
export { standardDeviation, sum } from './drift/numeric.js'
