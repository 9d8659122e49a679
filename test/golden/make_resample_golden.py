#!/usr/bin/env python3
"""Golden values for the bootstrap of row counts: average precision, ROC AUC (binary and one-vs-rest) and
ECE of resamples given as each row's count, computed by scikit-learn (ECE: numpy on the bins of
sklearn.calibration.calibration_curve) on the materialised resample (np.repeat of the rows by their counts).
Run with Debian's packages: /usr/bin/python3 make_resample_golden.py. Writes resamples.json beside this file.

Each resample is drawn within each class, as modeltest's stratified bootstrap does; the scores are rounded
so that ties occur, and a positive class other than 1 and string labels are covered.

One-vs-rest ROC AUC's DeLong variance (the structural components of the class AUCs summed per row with the
classes' weights; Var = sum over classes g of n_g times the sample variance of the components of g's rows):
computed here by brute force (every positive against every negative), and the script stops unless it is
within 15% of the variance of 4,000 stratified bootstrap resamples of scikit-learn's roc_auc_score."""
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


golden = {"generated_by": f"numpy {np.__version__}, scikit-learn {sklearn.__version__}", "binary": [], "ovr": [], "ovr_delong": []}

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



def delong_ovr(labels, probabilities, average):
    n, width = probabilities.shape
    counts = np.bincount(labels, minlength=width)
    weights = (counts if average == "weighted" else np.ones(width)) / (n if average == "weighted" else width)
    components = np.zeros(n)
    for c in range(width):
        s, positive = probabilities[:, c], labels == c
        pos, neg = s[positive], s[~positive]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        components[positive] += weights[c] * psi.mean(axis=1) / positive.sum()
        components[~positive] += weights[c] * psi.mean(axis=0) / (~positive).sum()
    return float(sum(counts[g] * np.var(components[labels == g], ddof=1) for g in range(width)))


for name, n, width, decimals in [("3 classes, 300 rows", 300, 3, 3), ("4 classes, 240 rows, ties", 240, 4, 1)]:
    labels = rng.integers(0, width, n)
    raw = np.round(rng.random((n, width)) + 0.6 * np.eye(width)[labels], decimals) + 0.05
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    entry = {"name": name, "labels": labels.tolist(), "width": width, "values": probabilities.ravel().tolist()}
    for average in ["macro", "weighted"]:
        variance = delong_ovr(labels, probabilities, average)
        boot = [roc_auc_score(labels[rows], probabilities[rows], multi_class="ovr", average=average)
                for rows in (np.repeat(np.arange(n), stratified_counts(labels)) for _ in range(4000))]
        assert abs(np.var(boot, ddof=1) / variance - 1) < 0.15, (name, average, variance, np.var(boot, ddof=1))
        entry[average] = {"auc": float(roc_auc_score(labels, probabilities, multi_class="ovr", average=average)), "variance": variance}
    golden["ovr_delong"].append(entry)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resamples.json"), "w") as f:
    json.dump(golden, f, indent=1)
print("wrote resamples.json:", golden["generated_by"])
