#!/usr/bin/env python3
"""Golden values for average precision's logit interval (Boyd, Eng & Page 2013, ECML PKDD, section 4.2):
expit(logit(AP) ± z / sqrt(n_pos · AP · (1 − AP))), AP from scikit-learn's average_precision_score(pos_label=…),
z from scipy.stats.norm.ppf. Run with Debian's packages: /usr/bin/python3 make_ap_interval_golden.py
Writes ap-interval.json beside this file; the tests read it and never need Python."""
import json, os
import numpy as np
import scipy, sklearn
from scipy.special import expit, logit
from scipy.stats import norm
from sklearn.metrics import average_precision_score

rng = np.random.default_rng(20261130)
cases = []
for name, n, share, separation, labels_of, positive, confidence in [
    ("300 rows, 30% positive", 300, 0.3, 1.0, (0, 1), 1, 0.95),
    ("500 rows, 5% positive", 500, 0.05, 1.5, (0, 1), 1, 0.95),
    ("200 rows, string labels, positive 'spam'", 200, 0.4, 0.7, ("ham", "spam"), "spam", 0.9),
    ("400 rows, ±1 labels, positive -1", 400, 0.5, 0.3, (1, -1), -1, 0.99),
]:
    is_positive = rng.random(n) < share
    scores = np.round(expit(separation * is_positive + rng.normal(size=n)), 3)
    labels = [labels_of[1] if p else labels_of[0] for p in is_positive]
    ap = average_precision_score(is_positive, scores)
    positives = int(is_positive.sum())
    half = norm.ppf(1 - (1 - confidence) / 2) / np.sqrt(positives * ap * (1 - ap))
    cases.append({"name": name, "labels": labels, "positive": positive, "scores": scores.tolist(), "confidence": confidence,
                  "average_precision": ap, "positives": positives, "low": float(expit(logit(ap) - half)), "high": float(expit(logit(ap) + half))})

out = {"generated_by": f"make_ap_interval_golden.py, scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}", "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ap-interval.json"), "w") as f:
    json.dump(out, f)
