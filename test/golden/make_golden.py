#!/usr/bin/env python3
"""Golden values for modeltest's metric and statistic tests, computed by the reference libraries.
Run with Debian's python (apt-get install python3-sklearn python3-numpy): /usr/bin/python3 make_golden.py
Writes golden.json beside this file; the tests read it and never need Python."""
import json, os
import numpy as np
import sklearn
from sklearn.metrics import accuracy_score

rng = np.random.default_rng(20261128)
golden = {"generated_by": f"numpy {np.__version__}, scikit-learn {sklearn.__version__}", "accuracy": [], "percentile": []}

for name, n, k in [("binary-small", 7, 2), ("binary", 600, 2), ("multiclass", 1000, 5), ("all-wrong", 4, 2)]:
    labels = rng.integers(0, k, n)
    predicted = rng.integers(0, k, n) if name != "all-wrong" else 1 - labels
    golden["accuracy"].append({"name": name, "labels": labels.tolist(), "predicted": predicted.tolist(),
                               "expected": float(accuracy_score(labels, predicted))})

for name, samples in [("one", [3.5]), ("two", [1.0, 2.0]), ("latency-like", (rng.lognormal(0.0, 0.6, 100)).tolist()),
                      ("ties", [1, 1, 1, 2, 2, 9, 9, 9, 9, 40]), ("unsorted", rng.normal(50, 10, 37).tolist())]:
    qs = [0, 1, 25, 50, 90, 95, 99, 100]
    golden["percentile"].append({"name": name, "samples": [float(x) for x in samples], "q": qs,
                                 "expected": [float(np.percentile(samples, q)) for q in qs]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json"), "w") as f:
    json.dump(golden, f)
print("wrote golden.json:", golden["generated_by"])
