#!/usr/bin/env python3
"""Golden values for modeltest's drift statistics, computed by scipy and numpy.
Run with Debian's python (apt-get install python3-scipy): /usr/bin/python3 make_drift_golden.py
Writes drift.json beside this file; the tests read it and never need Python."""
import json, os
import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261128)
r = lambda a: [float(x) for x in np.round(a, 6)]  # rounded so that the JSON holds exactly what scipy saw

samples = {
    "small-ties": (r(rng.integers(0, 5, 12)), r(rng.integers(0, 6, 9))),
    "equal-sizes": (r(rng.normal(0, 1, 40)), r(rng.normal(0.3, 1, 40))),
    "unequal-sizes": (r(rng.normal(0, 1, 300)), r(rng.normal(0.1, 1.2, 170))),
    "identical": (r(np.arange(20) / 3), r(np.arange(20) / 3)),
    "far-apart": (r(rng.normal(0, 1, 50)), r(rng.normal(5, 1, 60))),
    "large-asymptotic": (r(rng.normal(0, 1, 12000)), r(rng.normal(0.02, 1, 11000))),
}
golden = {"generated_by": f"scipy {scipy.__version__}, numpy {np.__version__}", "ks": [], "wasserstein": [], "chi2": [], "chi2_sf": [], "psi": [], "js": [], "bins": []}
for name, (a, b) in samples.items():
    res = stats.ks_2samp(a, b)
    entry = {"name": name, "reference": a, "current": b, "statistic": float(res.statistic), "pvalue": float(res.pvalue)}
    if max(len(a), len(b)) > 10000:  # modeltest's asymptotic branch: the Kolmogorov limit distribution
        en = len(a) * len(b) / (len(a) + len(b))
        entry["pvalue_kstwobign"] = float(stats.kstwobign.sf(np.sqrt(en) * res.statistic))
    golden["ks"].append(entry)
    golden["wasserstein"].append({"name": name, "reference": a if len(a) < 1000 else None, "current": b if len(b) < 1000 else None, "value": float(stats.wasserstein_distance(a, b))})

for name, ref, cur in [("dof1-yates", [30, 10], [20, 25]), ("three-categories", [50, 30, 20], [40, 35, 40]), ("with-empty-category", [10, 0, 5, 7], [8, 0, 9, 1]), ("many", list(rng.integers(5, 60, 12)), list(rng.integers(5, 60, 12)))]:
    ref = [int(x) for x in ref]; cur = [int(x) for x in cur]
    keep = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
    stat, p, dof, _ = stats.chi2_contingency(np.array([[ref[i] for i in keep], [cur[i] for i in keep]]))
    golden["chi2"].append({"name": name, "reference": ref, "current": cur, "statistic": float(stat), "pvalue": float(p), "dof": int(dof)})
    eps = 1e-4
    rp = np.maximum(np.array(ref) / sum(ref), eps); cp = np.maximum(np.array(cur) / sum(cur), eps)
    golden["psi"].append({"name": name, "reference": ref, "current": cur, "value": float(np.sum((cp - rp) * np.log(cp / rp)))})
    golden["js"].append({"name": name, "reference": ref, "current": cur, "value": float(jensenshannon(ref, cur, base=2))})

for dof in [1, 2, 3, 5, 10, 30]:
    for x in [0.01, 0.5, 1, 3.84, 10, 25, 60, 120]:
        golden["chi2_sf"].append({"x": x, "dof": dof, "value": float(stats.chi2.sf(x, dof))})

ref, cur = samples["unequal-sizes"]
edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
golden["bins"].append({"reference": ref, "current": cur, "edges": [float(e) for e in edges],
                       "reference_counts": [int(c) for c in np.bincount(np.digitize(ref, edges, right=True), minlength=len(edges) + 1)],
                       "current_counts": [int(c) for c in np.bincount(np.digitize(cur, edges, right=True), minlength=len(edges) + 1)]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift.json"), "w") as f:
    json.dump(golden, f)
print("wrote drift.json:", golden["generated_by"], os.path.getsize(os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift.json")), "bytes")
