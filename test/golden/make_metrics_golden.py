#!/usr/bin/env python3
"""Golden values for src/metrics/classification.ts and src/metrics/regression.ts, computed by scikit-learn.
Run with Debian's python (apt-get install python3-sklearn python3-numpy): /usr/bin/python3 make_metrics_golden.py
Writes metrics.json beside this file; the tests read it and never need Python.

Conventions the TypeScript functions follow, and so the calls below:
- confusion matrices and per-class ('none') scores use labels=range(k), k = max label/prediction + 1;
- averaged precision/recall/F1 use sklearn's default labels (the classes present in y_true or y_pred)
  unless `classes` is given, when they use labels=range(classes);
- log_loss is called with labels=range(width) and sklearn 1.2's default eps ("auto": float64 machine epsilon);
- expected calibration error has no sklearn function: it is computed here with numpy, binning as
  sklearn.calibration.calibration_curve(strategy="uniform") does, and its per-bin fractions are checked
  against calibration_curve before they are written."""
import json, os
import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (precision_recall_curve, roc_curve, average_precision_score, balanced_accuracy_score, brier_score_loss, confusion_matrix,
                             log_loss, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                             precision_recall_fscore_support, r2_score, roc_auc_score)

rng = np.random.default_rng(20261129)
golden = {"generated_by": f"numpy {np.__version__}, scikit-learn {sklearn.__version__}",
          "classes": [], "binary_scores": [], "ovr": [], "log_loss": [], "brier": [], "ece": [], "regression": []}


def prf(y_true, y_pred, **kw):
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, zero_division="warn", **kw)
    as_list = lambda v: v.tolist() if isinstance(v, np.ndarray) else float(v)
    return {"precision": as_list(p), "recall": as_list(r), "f1": as_list(f)}


def noisy(labels, k, right):
    """Predictions equal to the label with probability `right`, otherwise a uniformly drawn class."""
    return np.where(rng.random(len(labels)) < right, labels, rng.integers(0, k, len(labels)))


# ---- label/prediction cases: balanced accuracy, confusion matrix, precision/recall/F1
label_cases = []
y = rng.integers(0, 2, 200); label_cases.append(("binary", y, noisy(y, 2, 0.7)))
y = np.array([0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1]); label_cases.append(("binary-small", y, np.array([0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1])))
y = (rng.random(150) < 0.2).astype(int); label_cases.append(("binary-imbalanced", y, noisy(y, 2, 0.8)))
y = rng.integers(0, 2, 40); label_cases.append(("binary-no-positive-predictions", y, np.zeros(40, dtype=int)))
y = rng.integers(0, 2, 30); label_cases.append(("binary-worst", y, 1 - y))
y = rng.integers(0, 3, 300); label_cases.append(("multiclass-3", y, noisy(y, 3, 0.6)))
y = rng.choice(4, 400, p=[0.5, 0.25, 0.15, 0.1]); label_cases.append(("multiclass-4", y, noisy(y, 4, 0.5)))
y = rng.integers(0, 4, 50); label_cases.append(("multiclass-perfect", y, y.copy()))
y = rng.integers(0, 3, 60); p = noisy(y, 3, 0.7); p[p == 2] = 1  # class 2 is never predicted
label_cases.append(("multiclass-never-predicted", y, p))
y = rng.choice([0, 1, 3], 80); p = noisy(y, 4, 0.6); p[p == 2] = 0  # class 2 is in neither
label_cases.append(("multiclass-gap", y, p))
y = rng.integers(0, 3, 50); p = noisy(y, 3, 0.7); p[:4] = 3  # class 3 predicted but never a label
label_cases.append(("multiclass-predicted-only", y, p))

for name, y, p in label_cases:
    k = int(max(y.max(), p.max())) + 1
    present = sorted(set(y.tolist()) | set(p.tolist()))
    case = {"name": name, "labels": y.tolist(), "predicted": p.tolist(), "k": k,
            "balanced_accuracy": float(balanced_accuracy_score(y, p)),
            "confusion": confusion_matrix(y, p, labels=list(range(k))).tolist(),
            "prf": {avg: prf(y, p, average=avg) for avg in ["macro", "micro", "weighted"]},
            "prf_none": prf(y, p, average=None, labels=list(range(k))),
            "prf_classes": {"classes": k + 1, **{avg: prf(y, p, average=avg, labels=list(range(k + 1)))
                                                  for avg in ["macro", "micro", "weighted"]}}}
    if len(present) <= 2:
        case["prf"]["binary"] = prf(y, p, average="binary", pos_label=1)
        case["prf"]["binary-positive-0"] = prf(y, p, average="binary", pos_label=0)
    golden["classes"].append(case)

# ---- binary scores: ROC AUC and average precision
score_cases = []
y = rng.integers(0, 2, 300); score_cases.append(("random", y, np.clip(0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.3, 300), 0, 1)))
y = rng.integers(0, 2, 120); score_cases.append(("ties", y, np.round(np.clip(0.4 + 0.2 * y + rng.normal(0, 0.25, 120), 0, 1), 1)))
score_cases.append(("small", np.array([0, 0, 1, 1, 0, 1, 1, 0]), np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.05])))
y = rng.integers(0, 2, 20); score_cases.append(("all-tied", y if 0 < y.sum() < 20 else np.r_[0, 1, y[2:]], np.full(20, 0.5)))
y = np.array([0, 1] * 15); score_cases.append(("perfect", y, y * 0.6 + rng.random(30) * 0.3))
score_cases.append(("worst", y, (1 - y) * 0.6 + rng.random(30) * 0.3))
y = (rng.random(250) < 0.1).astype(int); score_cases.append(("imbalanced-logits", y, rng.normal(0, 2, 250) + 1.5 * y))
def roc_points(y, s):
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    return {"fpr": fpr.tolist(), "tpr": tpr.tolist()}


def pr_points(y, s):
    """In the order of descending thresholds, as modeltest returns them: scikit-learn's arrays reversed."""
    precision, recall, _ = precision_recall_curve(y, s)
    return {"precision": precision[::-1].tolist(), "recall": recall[::-1].tolist()}


for name, y, s in score_cases:
    golden["binary_scores"].append({"name": name, "labels": y.tolist(), "scores": s.tolist(),
                                    "roc_auc": float(roc_auc_score(y, s)),
                                    "average_precision": float(average_precision_score(y, s)),
                                    "roc_curve": roc_points(y, s), "pr_curve": pr_points(y, s)})


# ---- one-vs-rest ROC AUC on probability matrices
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ovr_cases = []
for name, n, k in [("ovr-3", 120, 3), ("ovr-4-imbalanced", 150, 4)]:
    y = rng.choice(k, n, p=None if k == 3 else [0.55, 0.25, 0.12, 0.08])
    ovr_cases.append((name, y, softmax(rng.normal(0, 1, (n, k)) + 1.2 * np.eye(k)[y])))
y = rng.integers(0, 3, 90)  # rows drawn from four fixed probability vectors: many tied scores
palette = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.25, 0.25, 0.5], [1 / 3, 1 / 3, 1 / 3]])
ovr_cases.append(("ovr-3-ties", y, palette[np.where(rng.random(90) < 0.6, y, rng.integers(0, 4, 90))]))
for name, y, P in ovr_cases:
    golden["ovr"].append({"name": name, "labels": y.tolist(), "rows": P.shape[0], "width": P.shape[1],
                          "values": P.ravel().tolist(),
                          "macro": float(roc_auc_score(y, P, multi_class="ovr", average="macro")),
                          "weighted": float(roc_auc_score(y, P, multi_class="ovr", average="weighted"))})

# ---- log loss (labels=range(width); width 1 is a positive-class probability per row)
ll_cases = []
y = rng.integers(0, 2, 100); ll_cases.append(("binary-positive-column", y, np.clip(0.3 + 0.4 * y + rng.normal(0, 0.2, 100), 0, 1)[:, None], "auto"))
y = rng.integers(0, 2, 100); p1 = rng.random(100); ll_cases.append(("binary-two-columns", y, np.c_[1 - p1, p1], "auto"))
y = rng.integers(0, 3, 150); ll_cases.append(("multiclass-3", y, softmax(rng.normal(0, 1, (150, 3)) + np.eye(3)[y]), "auto"))
y = rng.integers(0, 4, 120); ll_cases.append(("multiclass-4", y, softmax(rng.normal(0, 1.5, (120, 4)) + np.eye(4)[y]), "auto"))
y = np.array([0, 1, 2, 1, 0]); ll_cases.append(("certain-and-wrong", y, np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [0.5, 0.5, 0]], float), "auto"))
ll_cases.append(("certain-and-wrong-eps-1e-15", y, ll_cases[-1][2], 1e-15))
y = rng.integers(0, 3, 40); ll_cases.append(("rows-not-summing-to-one", y, rng.random((40, 3)), "auto"))
y = np.array([1, 0, 1, 1, 0, 0]); ll_cases.append(("binary-column-with-0-and-1", y, np.array([[1.0], [0.0], [0.0], [0.7], [0.2], [1.0]]), "auto"))
for name, y, P, eps in ll_cases:
    width = P.shape[1]
    labels = [0, 1] if width == 1 else list(range(width))
    golden["log_loss"].append({"name": name, "labels": y.tolist(), "rows": P.shape[0], "width": width,
                               "values": P.ravel().tolist(), "eps": None if eps == "auto" else eps,
                               "expected": float(log_loss(y, P[:, 0] if width == 1 else P, eps=eps, labels=labels))})

# ---- Brier score
y = rng.integers(0, 2, 200); brier_cases = [("random", y, rng.random(200))]
y = rng.integers(0, 2, 30); brier_cases.append(("perfect", y, y.astype(float)))
brier_cases.append(("worst", y, 1.0 - y))
brier_cases.append(("one-class", np.zeros(10, dtype=int), rng.random(10)))
for name, y, p in brier_cases:
    golden["brier"].append({"name": name, "labels": y.tolist(), "probabilities": p.tolist(),
                            "expected": float(brier_score_loss(y, p))})


# ---- expected calibration error: equal-width bins over [0, 1], each (lower, upper] except the first, [0, upper]
def ece(y, p, bins):
    edges = np.linspace(0.0, 1.0, bins + 1)            # as calibration_curve(strategy="uniform")
    ids = np.searchsorted(edges[1:-1], p)               # side="left": p on an inner edge goes to the lower bin
    count = np.bincount(ids, minlength=bins)
    label_sum = np.bincount(ids, weights=y, minlength=bins)
    prob_sum = np.bincount(ids, weights=p, minlength=bins)
    used = count > 0
    frac_true, mean_prob = label_sum[used] / count[used], prob_sum[used] / count[used]
    # Cross-check the per-bin fractions against scikit-learn where comparable (the non-empty bins).
    ref_true, ref_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
    assert np.array_equal(frac_true, ref_true) and np.allclose(mean_prob, ref_pred, rtol=0, atol=1e-15), "calibration_curve disagrees"
    value = float(np.sum(count[used] / len(y) * np.abs(frac_true - mean_prob)))
    return value, [{"bin": int(b), "count": int(c), "fraction_positive": float(t), "mean_probability": float(m)}
                   for b, c, t, m in zip(np.flatnonzero(used), count[used], ref_true, ref_pred)]


p = rng.beta(2, 2, 250); y = (rng.random(250) < p ** 1.3).astype(int); ece_cases = [("beta", y, p, [10, 5, 15])]
p = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 0.05, 0.15, 0.3, 1.0]); y = np.array([0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0])
ece_cases.append(("edges", y, p, [10, 4, 3]))
y = rng.integers(0, 2, 50); ece_cases.append(("perfect-0-1", y, y.astype(float), [10]))
for name, y, p, bin_counts in ece_cases:
    results = []
    for bins in bin_counts:
        value, per_bin = ece(y, p, bins)
        results.append({"bins": bins, "expected": value, "per_bin": per_bin})
    golden["ece"].append({"name": name, "labels": y.tolist(), "probabilities": p.tolist(), "results": results})

# ---- regression
reg_cases = []
y = rng.normal(10, 3, 150); reg_cases.append(("normal", y, y + rng.normal(0, 1, 150)))
y = rng.lognormal(2, 1, 200); reg_cases.append(("skewed", y, y * rng.normal(1, 0.2, 200)))
y = rng.normal(0, 1, 50); reg_cases.append(("perfect", y, y.copy()))
reg_cases.append(("worse-than-mean", y, -y * 2))
reg_cases.append(("constant-target", np.full(20, 3.0), rng.normal(3, 1, 20)))
reg_cases.append(("constant-target-perfect", np.full(20, 3.0), np.full(20, 3.0)))
reg_cases.append(("small", np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])))
reg_cases.append(("zero-target", np.array([0.0, 1.0, -2.0, 4.0]), np.array([0.5, 1.0, -1.0, 4.5])))  # MAPE divides by eps
for name, y, p in reg_cases:
    golden["regression"].append({"name": name, "labels": y.tolist(), "predicted": p.tolist(),
                                 "mae": float(mean_absolute_error(y, p)),
                                 "rmse": float(mean_squared_error(y, p, squared=False)),
                                 "r2": float(r2_score(y, p)),
                                 "mape": float(mean_absolute_percentage_error(y, p))})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
with open(path, "w") as f:
    json.dump(golden, f)
print(f"wrote metrics.json ({os.path.getsize(path) // 1024} KB):", golden["generated_by"])
