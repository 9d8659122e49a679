"""Golden values for modeltest's mannWhitneyU: scipy.stats.mannwhitneyu (scipy 1.10) on seeded samples.

Run with Debian's python3-scipy: /usr/bin/python3 test/golden/make_mann_whitney_golden.py
"""
import json, os
import numpy as np
import scipy
from scipy.stats import mannwhitneyu

rng = np.random.default_rng(20261128)
cases = []


def add(name, x, y, **kw):
    for alternative in ["two-sided", "less", "greater"]:
        r = mannwhitneyu(x, y, alternative=alternative, **kw)
        cases.append({"name": f"{name} {alternative}", "x": list(map(float, x)), "y": list(map(float, y)),
                      "options": {"alternative": alternative, **({"method": kw["method"]} if "method" in kw else {}),
                                  **({"useContinuity": kw["use_continuity"]} if "use_continuity" in kw else {})},
                      "statistic": float(r.statistic), "pValue": float(r.pvalue)})


add("small exact", rng.normal(0, 1, 6), rng.normal(0.8, 1, 7))
add("one small sample, exact", rng.normal(0, 1, 5), rng.normal(0.3, 1, 40))
add("small with ties", [1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 7])
add("latency, no shift", rng.lognormal(0, 0.3, 200), rng.lognormal(0, 0.3, 300))
add("latency, green slower", rng.lognormal(0.1, 0.3, 200), rng.lognormal(0, 0.3, 300))
add("heavy ties", rng.integers(0, 5, 120), rng.integers(1, 6, 90))
add("identical", [3.0] * 10, [3.0] * 12)
add("far apart", rng.normal(0, 1, 60), rng.normal(10, 1, 70))
add("no continuity", rng.normal(0, 1, 30), rng.normal(0.5, 1, 25), use_continuity=False)
add("forced exact", rng.normal(0, 1, 12), rng.normal(0.5, 1, 15), method="exact")
add("forced asymptotic", rng.normal(0, 1, 6), rng.normal(1, 1, 5), method="asymptotic")
# Added later, after the cases above so that their samples stay the same.
add("forced exact with ties (half-integer U truncated)", [1, 2, 3, 5, 8, 10], [2, 3.5, 4, 6, 7, 9, 11], method="exact")
add("exact, fully separated", rng.normal(0, 1, 8), rng.normal(10, 1, 8))
add("exact, 3 against 500", rng.normal(0.5, 1, 3), rng.normal(0, 1, 500))
add("latency, fully separated", rng.lognormal(0, 0.3, 200), rng.lognormal(0, 0.3, 300) + 10)
add("latency ms rounded, heavy ties", np.round(rng.lognormal(3, 0.2, 400)), np.round(rng.lognormal(3.02, 0.2, 350)))
add("identical, y larger sample", [7.0] * 3, [7.0] * 30)
add("unequal sizes, no continuity", rng.normal(0, 1, 9), rng.normal(0.4, 1, 150), use_continuity=False)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mann-whitney.json")
with open(out, "w") as f:
    json.dump({"generated_by": f"scipy {scipy.__version__}, numpy {np.__version__}", "cases": cases}, f)
    f.write("\n")
print(f"wrote {out}: {len(cases)} cases")
