#!/usr/bin/env python3
"""Golden values for modeltest's drift statistics (src/stats/drift.ts), computed by scipy and numpy.
Run with Debian's python (apt-get install python3-scipy; scipy 1.10.1, numpy 1.24): /usr/bin/python3 make_drift_golden.py
Writes drift.json beside this file; the tests read it and never need Python.

Large samples are not stored: `formula_sample` makes them from a seed with integer arithmetic and
correctly rounded float operations only, which test/drift.test.ts repeats bit for bit in TypeScript."""
import json, math, os
import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261128)


def r(values, decimals=6):
    """Rounded, so that the JSON holds exactly the numbers scipy saw."""
    return [float(x) for x in np.round(np.asarray(values, dtype=float), decimals)]


def formula_sample(n, seed, shift=0.0):
    """n values, roughly normal (variance 1/3): MINSTD (Park–Miller) uniforms, sums of four (Irwin–Hall)
    centred and shifted, then floored to a 1/1000 grid so that the samples have ties.
    Only integer arithmetic and single IEEE operations: JavaScript reproduces it exactly."""
    state = seed
    out = []
    for _ in range(n):
        total = 0.0
        for _ in range(4):
            state = (state * 48271) % 2147483647
            total = total + state / 2147483647
        value = (total - 2.0) + shift
        out.append(math.floor(value * 1000) / 1000)
    return out


golden = {"generated_by": f"scipy {scipy.__version__}, numpy {np.__version__}",
          "ks": [], "kstwo_sf": [], "chi2": [], "chi2_sf": [], "psi": [], "js": [], "wasserstein": [], "bins": []}

# Two-sample Kolmogorov–Smirnov: stored samples (exact p-values) ...
stored = {
    "small-ties": (r(rng.integers(0, 5, 12)), r(rng.integers(0, 6, 9))),
    "equal-sizes": (r(rng.normal(0, 1, 40)), r(rng.normal(0.6, 1, 40))),
    "unequal-sizes": (r(rng.normal(0, 1, 300)), r(rng.normal(0.1, 1.2, 170))),
    "one-value-each": ([1.0], [2.0]),
    "identical": (r(np.arange(20) / 3), r(np.arange(20) / 3)),
    "disjoint": (r(rng.normal(0, 1, 50)), r(rng.normal(8, 1, 60))),
}
for name, (a, b) in stored.items():
    res = stats.ks_2samp(a, b)
    golden["ks"].append({"name": name, "reference": a, "current": b, "statistic": float(res.statistic), "pvalue": float(res.pvalue),
                         "method": "exact"})

# ... and formula samples: the exact branch at its limit, and the asymptotic branch (max(n1, n2) > 10,000),
# whose p-value is kstwo.sf(D, round(n1·n2/(n1 + n2))) under each of kstwo's algorithms.
formula = [
    ("exact-at-limit-equal", (10000, 11, 0.0), (10000, 12, 0.05)),
    ("exact-at-limit-unequal", (10000, 13, 0.0), (9999, 14, 0.03)),
    ("asymptotic-same-distribution", (12000, 21, 0.0), (15000, 22, 0.0)),
    ("asymptotic-shifted", (12000, 23, 0.0), (15000, 24, 0.05)),
    ("asymptotic-far-tail", (12000, 25, 0.0), (15000, 26, 0.2)),
    ("asymptotic-en-half-rounds-to-even", (10001, 27, 0.0), (10001, 28, 0.04)),
    ("asymptotic-small-batch", (20000, 29, 0.0), (100, 30, 0.1)),
    ("asymptotic-small-batch-shifted", (20000, 31, 0.0), (100, 32, 0.18)),
    ("asymptotic-small-batch-far", (20000, 33, 0.0), (100, 34, 1.0)),
    ("asymptotic-three-values", (12000, 35, 0.0), (3, 36, 0.5)),
]
for name, (n1, seed1, shift1), (n2, seed2, shift2) in formula:
    a = formula_sample(n1, seed1, shift1)
    b = formula_sample(n2, seed2, shift2)
    res = stats.ks_2samp(a, b)
    entry = {"name": name, "reference_formula": {"n": n1, "seed": seed1, "shift": shift1},
             "current_formula": {"n": n2, "seed": seed2, "shift": shift2},
             "statistic": float(res.statistic), "pvalue": float(res.pvalue), "method": "exact"}
    if max(n1, n2) > 10000:
        m, n = sorted([float(n1), float(n2)], reverse=True)
        entry.update(method="asymptotic", en=int(np.round(m * n / (m + n))), pvalue_kstwo=float(stats.kstwo.sf(res.statistic, np.round(m * n / (m + n)))))
    golden["ks"].append(entry)

# kstwo.sf over the regions of its algorithm choice (Simard & L'Ecuyer): the Ruben–Gambino ends,
# Durbin's matrix, Pomeranz's recursion (n ≤ 140), Pelz–Good, and the Smirnov sum in the upper tail.
for n in [1, 2, 5, 10, 37, 100, 140, 141, 500, 5000, 6667, 100000, 100001, 300000]:
    ds = [0.4 / n, 0.75 / n, 1.0 / n, 2.5 / n] + [math.sqrt(c / n) for c in [0.1, 0.5, 0.75, 1.5, 2.1, 2.3, 3.9, 4.1, 10, 50, 300, 380]] \
         + [(1.4 / n) ** (2 / 3), 0.3, 0.5, 0.7, 1 - 1.5 / n, 1 - 0.5 / n]
    for d in sorted(set(d for d in ds if 0 < d < 1)):
        golden["kstwo_sf"].append({"d": d, "n": n, "value": float(stats.kstwo.sf(d, n))})

# Chi-square test of homogeneity, categories empty on both sides dropped before scipy sees them.
for name, ref, cur in [("dof1-yates", [30, 10], [20, 25]), ("dof1-yates-capped", [10, 10], [10, 11]),
                       ("three-categories", [50, 30, 20], [40, 35, 40]), ("with-empty-category", [10, 0, 5, 7], [8, 0, 9, 1]),
                       ("empty-on-one-side", [12, 7, 0], [10, 3, 6]), ("large-counts", [120000, 80000, 51234], [119500, 80700, 50000]),
                       ("many", list(rng.integers(5, 60, 12)), list(rng.integers(5, 60, 12)))]:
    ref = [int(x) for x in ref]; cur = [int(x) for x in cur]
    keep = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
    stat, p, dof, _ = stats.chi2_contingency(np.array([[ref[i] for i in keep], [cur[i] for i in keep]]))
    golden["chi2"].append({"name": name, "reference": ref, "current": cur, "statistic": float(stat), "pvalue": float(p), "dof": int(dof)})

# chi2.sf across degrees of freedom 1..30 and x from near 0 to the far tail, and a few large dof near their mean.
for dof in range(1, 31):
    for x in [1e-8, 1e-3, 0.1, 0.5, 1, 2, 3.84, 5, 10, 20, 30, 50, 100, 200, 400, 700, 1000, 1300]:
        golden["chi2_sf"].append({"x": x, "dof": dof, "value": float(stats.chi2.sf(x, dof))})
for dof in [50, 99, 250, 1000]:
    for x in [dof - 3 * math.sqrt(2 * dof), dof - 1, dof, dof + 2, dof + 3 * math.sqrt(2 * dof), dof + 10 * math.sqrt(2 * dof)]:
        golden["chi2_sf"].append({"x": x, "dof": dof, "value": float(stats.chi2.sf(x, dof))})

# PSI (numpy, the same formula) and the Jensen–Shannon distance (scipy, base 2) on count vectors.
def psi(ref, cur, eps):
    rp = np.maximum(np.asarray(ref, float) / np.sum(ref), eps)
    cp = np.maximum(np.asarray(cur, float) / np.sum(cur), eps)
    return float(np.sum((cp - rp) * np.log(cp / rp)))

for name, ref, cur, eps in [("identical", [10, 20, 30], [10, 20, 30], 1e-4), ("proportional", [10, 20, 30], [30, 60, 90], 1e-4),
                            ("moderate-shift", [100, 200, 300, 400], [150, 220, 280, 350], 1e-4),
                            ("empty-bin-floored", [50, 50, 0], [40, 40, 20], 1e-4), ("empty-bin-small-epsilon", [50, 50, 0], [40, 40, 20], 1e-6),
                            ("deciles", list(rng.integers(80, 120, 10)), list(rng.integers(50, 150, 10)), 1e-4)]:
    ref = [int(x) for x in ref]; cur = [int(x) for x in cur]
    golden["psi"].append({"name": name, "reference": ref, "current": cur, "epsilon": eps, "value": psi(ref, cur, eps)})

for name, ref, cur in [("identical", [10, 20, 30], [10, 20, 30]), ("disjoint", [10, 0, 0], [0, 5, 7]),
                       ("moderate-shift", [100, 200, 300, 400], [150, 220, 280, 350]), ("zero-on-one-side", [50, 50, 0], [40, 40, 20]),
                       ("many", list(rng.integers(0, 60, 15)), list(rng.integers(0, 60, 15)))]:
    ref = [int(x) for x in ref]; cur = [int(x) for x in cur]
    golden["js"].append({"name": name, "reference": ref, "current": cur, "value": float(jensenshannon(ref, cur, base=2))})

# Wasserstein distance on stored and formula samples.
for name, a, b in [("small-ties", *stored["small-ties"]), ("unequal-sizes", *stored["unequal-sizes"]),
                   ("identical", *stored["identical"]), ("one-value-each", [1.0], [3.5])]:
    golden["wasserstein"].append({"name": name, "reference": a, "current": b, "value": float(stats.wasserstein_distance(a, b))})
golden["wasserstein"].append({"name": "formula-large", "reference_formula": {"n": 12000, "seed": 23, "shift": 0.0},
                              "current_formula": {"n": 15000, "seed": 24, "shift": 0.05},
                              "value": float(stats.wasserstein_distance(formula_sample(12000, 23, 0.0), formula_sample(15000, 24, 0.05)))})

# Quantile bin edges (np.quantile, linear; repeated edges removed) and counts per bin, right-closed (np.digitize right=True).
for name, ref, cur, bins in [("normal-deciles", *stored["unequal-sizes"], 10), ("ties-collapse-edges", *stored["small-ties"], 10),
                             ("quartiles", r(rng.exponential(2.0, 101)), r(rng.exponential(2.5, 80)), 4),
                             ("values-on-edges", r(np.arange(1, 11)), r([0, 1, 1, 2, 5, 5.5, 10, 11]), 5),
                             ("one-reference-value", [3.0], [1.0, 3.0, 4.0], 10)]:
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    golden["bins"].append({"name": name, "reference": ref, "current": cur, "bins": bins, "edges": [float(e) for e in edges],
                           "reference_counts": [int(c) for c in np.bincount(np.digitize(ref, edges, right=True), minlength=len(edges) + 1)],
                           "current_counts": [int(c) for c in np.bincount(np.digitize(cur, edges, right=True), minlength=len(edges) + 1)]})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift.json")
with open(path, "w") as f:
    json.dump(golden, f)
print("wrote drift.json:", golden["generated_by"], os.path.getsize(path), "bytes")
