#!/usr/bin/env python3
"""Golden values for modeltest's paired tests: statsmodels' exact McNemar test.
Run with Debian's python (apt-get install python3-statsmodels): /usr/bin/python3 make_paired_golden.py"""
import json, os
import numpy as np
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar

cases = []
for b, c in [(2, 0), (10, 3), (0, 0), (5, 5), (30, 12), (120, 80), (1000, 950), (4, 1), (3000, 2800)]:
    # Rows: baseline right / wrong; columns: candidate right / wrong. b = baseline right, candidate wrong.
    result = mcnemar(np.array([[500, b], [c, 60]]), exact=True)
    cases.append({"b": b, "c": c, "statistic": float(result.statistic), "pvalue": float(result.pvalue)})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "paired.json"), "w") as f:
    json.dump({"generated_by": f"statsmodels {statsmodels.__version__}", "mcnemar": cases}, f, indent=1)
print("wrote paired.json")
