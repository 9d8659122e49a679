#!/usr/bin/env python3
"""Golden values for modeltest's confidence intervals, computed by scipy.
Run with Debian's python (apt-get install python3-scipy): /usr/bin/python3 make_interval_golden.py"""
import json, os
import scipy
from scipy.stats import binomtest
from scipy.special import ndtri, ndtr

golden = {"generated_by": f"scipy {scipy.__version__}", "wilson": [], "ndtri": [], "ndtr": []}
for k, n, conf in [(493, 597, 0.95), (0, 10, 0.95), (10, 10, 0.95), (1, 1, 0.9), (480, 600, 0.99), (5012, 6000, 0.95), (3, 40, 0.8)]:
    ci = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    golden["wilson"].append({"successes": k, "n": n, "confidence": conf, "low": float(ci.low), "high": float(ci.high)})
for p in [1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.995, 0.999999]:
    golden["ndtri"].append({"p": p, "value": float(ndtri(p))})
for x in [-8, -3, -1.96, -0.5, 0, 0.25, 1, 1.959963984540054, 4, 7]:
    golden["ndtr"].append({"x": x, "value": float(ndtr(x))})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "intervals.json"), "w") as f:
    json.dump(golden, f, indent=1)
print("wrote intervals.json:", golden["generated_by"])
