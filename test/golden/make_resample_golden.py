#!/usr/bin/env python3
"""Golden values for the bootstrap of row counts: average precision, ROC AUC (binary and one-vs-rest) and
ECE of resamples given as each row's count, computed by scikit-learn (ECE: numpy on the bins of
sklearn.calibration.calibration_curve) on the materialised resample (np.repeat of the rows by their counts).
Run with Debian's packages: /usr/bin/python3 make_resample_golden.py. Writes resamples.json beside this file.

Each resample is drawn within each class, as modeltest's stratified bootstrap does; the scores are rounded
so that ties occur, and a positive class other than 1 and string labels are covered."""
import json, os
import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, roc_auc_score

rng = np.random.default_rng(20261130)


def ece(is_positive, p, bins=10):
    prob_true, prob_pred = calibration_curve(is_positive, p, n_bins=bins, strategy="uniform")
    which = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], p, side="left")
    counts = np.bincount(which, minlength=bins)
    nonempty = counts > 0
    return float(np.sum(counts[nonempty] / len(p) * np.abs(prob_true - prob_pred)))


def stratified_counts(labels):
    """Each row's count in a resample drawn within each class (as many draws as the class has rows)."""
    counts = np.zeros(len(labels), dtype=int)
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        np.add.at(counts, rng.choice(rows, size=len(rows)), 1)
    return counts


golden = {"generated_by": f"numpy {np.__version__}, scikit-learn {sklearn.__version__}", "binary": [], "ovr": []}

for name, values, positive, n, decimals in [("0/1, positive 1", [0, 1], 1, 200, 2), ("0/1, positive 0", [0, 1], 0, 150, 1),
                                             ("strings, positive 'spam'", ["ham", "spam"], "spam", 120, 2), ("±1, positive -1, 4 positives", [1, -1], -1, 80, 2)]:
    share = 4 / n if name.endswith("4 positives") else 0.35
    is_positive = rng.random(n) < share
    labels = np.array([positive if flag else next(v for v in values if v != positive) for flag in is_positive], dtype=object)
    p = np.round(np.clip(0.3 + 0.35 * is_positive + 0.4 * (rng.random(n) - 0.5), 0, 1), decimals)
    case = {"name": name, "labels": labels.tolist(), "positive": positive, "scores": p.tolist(), "resamples": []}
    for _ in range(3):
        counts = stratified_counts(np.array([str(v) for v in labels]))
        y, s = np.repeat(labels, counts), np.repeat(p, counts)
        flag = (y == positive).astype(int)
        case["resamples"].append({"counts": counts.tolist(), "average_precision": float(average_precision_score(flag, s)),
                                  "roc_auc": float(roc_auc_score(flag, s)), "ece": ece(flag, s)})
    golden["binary"].append(case)

n, width = 150, 3
labels = rng.integers(0, width, n)
raw = rng.random((n, width)) + 0.8 * np.eye(width)[labels]
probabilities = np.round(raw / raw.sum(axis=1, keepdims=True), 3)
probabilities[:, -1] = 1 - probabilities[:, :-1].sum(axis=1)
case = {"name": "3 classes", "labels": labels.tolist(), "width": width, "values": probabilities.ravel().tolist(), "resamples": []}
for _ in range(3):
    counts = stratified_counts(labels)
    y, s = np.repeat(labels, counts), np.repeat(probabilities, counts, axis=0)
    case["resamples"].append({"counts": counts.tolist(), "macro": float(roc_auc_score(y, s, multi_class="ovr", average="macro")),
                              "weighted": float(roc_auc_score(y, s, multi_class="ovr", average="weighted"))})
golden["ovr"].append(case)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resamples.json"), "w") as f:
    json.dump(golden, f, indent=1)
print("wrote resamples.json:", golden["generated_by"])
