#!/usr/bin/env python3
"""Golden values for the positive class of binary metrics, full-precision scores, metrics on data whose
bootstrap resamples can lose a class, and DeLong's ROC AUC variance and interval.
Run with Debian's packages (apt-get install python3-sklearn r-cran-proc): /usr/bin/python3 make_statistics_golden.py
Writes statistics.json beside this file; the tests read it and never need Python or R.

- Positive class: scikit-learn with pos_label (roc_auc_score and brier/AP on y_true == pos_label, as
  scikit-learn's pos_label means); ECE has no scikit-learn function and is computed with numpy on
  the bins of sklearn.calibration.calibration_curve(pos_label=…).
- DeLong: R's pROC (var(roc, method="delong"), ci.auc(method="delong")), run through Rscript, and a second,
  independent implementation here (the fast algorithm of Sun & Xu 2014, midranks with numpy); the
  script stops unless the two agree to 1e-12."""
import json, os, subprocess, tempfile
import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, mean_absolute_error, precision_recall_fscore_support, roc_auc_score

rng = np.random.default_rng(20261130)
golden = {"generated_by": "", "positive": [], "precision": {}, "degenerate": [], "delong": [], "delong_paired": [], "mean_interval": [], "r2_interval": []}


def ece(is_positive, p, bins=10):
    prob_true, prob_pred = calibration_curve(is_positive, p, n_bins=bins, strategy="uniform")
    edges = np.linspace(0, 1, bins + 1)
    which = np.searchsorted(edges[1:-1], p, side="left")
    counts = np.bincount(which, minlength=bins)
    nonempty = counts > 0
    assert np.allclose(prob_true, np.bincount(which, weights=is_positive, minlength=bins)[nonempty] / counts[nonempty])
    return float(np.sum(counts[nonempty] / len(p) * np.abs(prob_true - prob_pred)))


def binary_case(name, labels, score_of_positive, predicted, positive):
    """labels, predicted: any two label values; score_of_positive: the positive class's probability."""
    y = np.asarray(labels)
    is_positive = (y == positive).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y, np.asarray(predicted), average="binary", pos_label=positive)
    return {"name": name, "positive": positive,
            "roc_auc": float(roc_auc_score(is_positive, score_of_positive)),
            "average_precision": float(average_precision_score(y, score_of_positive, pos_label=positive)),
            "brier": float(brier_score_loss(y, score_of_positive, pos_label=positive)),
            "ece": ece(is_positive, score_of_positive),
            "precision": float(p), "recall": float(r), "f1": float(f)}


# A two-column model through toMeetMetric: labels 0/1, scores [P(0), P(1)], class = argmax.
for name, noise in [("perfect", 0.0), ("noisy", 0.35)]:
    labels = rng.integers(0, 2, 60)
    p1 = np.where(labels == 1, rng.uniform(0.6, 1.0, 60), rng.uniform(0.0, 0.4, 60))
    flip = rng.random(60) < noise
    p1 = np.where(flip, 1 - p1, p1).round(6)
    scores = np.stack([1 - p1, p1], axis=1)
    predicted = scores.argmax(axis=1)
    golden["positive"].append({"name": name, "labels": labels.tolist(), "scores": scores.tolist(),
                               "cases": [binary_case(name, labels, scores[:, c], predicted, c) for c in (0, 1)]})
# One score per row (P(class 1)) through toMeetMetric: the positive class 0 scores 1 − p.
labels = rng.integers(0, 2, 50)
p1 = np.clip(labels * 0.5 + rng.normal(0.25, 0.2, 50), 0, 1).round(6)
predicted = (p1 >= 0.5).astype(int)
golden["positive"].append({"name": "one-column", "labels": labels.tolist(), "scores": p1.tolist(),
                           "cases": [binary_case("one-column", labels, 1 - p1, predicted, 0), binary_case("one-column", labels, p1, predicted, 1)]})
# Any label values, through the metric functions: class names and ±1.
for name, values in [("strings", np.array(["ham", "spam"])), ("plus-minus-one", np.array([-1, 1]))]:
    which = rng.integers(0, 2, 80)
    labels = values[which]
    guess = np.where(rng.random(80) < 0.8, which, 1 - which)
    predicted = values[guess]
    p_second = np.clip(which * 0.4 + rng.uniform(0.05, 0.55, 80), 0, 1).round(6)
    cases = [binary_case(name, labels, np.abs((1 - c) - p_second), predicted, values[c].item()) for c in (0, 1)]
    golden["positive"].append({"name": name, "labels": labels.tolist(), "predicted": predicted.tolist(), "second_class_scores": p_second.tolist(), "cases": cases})

# Full precision: what float32 scores would round away.
targets = (1e7 + 0.25 * np.arange(8)).tolist()
predictions = (np.array(targets) + 0.25).tolist()
golden["precision"]["mae"] = {"targets": targets, "predictions": predictions, "value": float(mean_absolute_error(targets, predictions))}
p = [1 - 1e-9, 0.3, 1 - 1e-7]
golden["precision"]["log_loss"] = {"labels": [0, 1, 1], "positive_probabilities": p, "value": float(log_loss([0, 1, 1], np.array(p), labels=[0, 1]))}

# Metrics defined on the whole data set although many bootstrap resamples would lose a class.
for name, n, positives in [("3-of-300", 300, 3), ("both-in-5", 5, 2)]:
    labels = np.zeros(n, dtype=int)
    labels[rng.choice(n, positives, replace=False)] = 1
    p1 = np.clip(labels * 0.3 + rng.uniform(0, 0.7, n), 0, 1).round(6)
    golden["degenerate"].append({"name": name, "labels": labels.tolist(), "scores": p1.tolist(),
                                 "roc_auc": float(roc_auc_score(labels, p1)), "average_precision": float(average_precision_score(labels, p1))})


def fast_delong(is_positive, scores):
    """Sun & Xu (2014): placement values from midranks of the pooled, positive and negative scores."""
    from scipy.stats import rankdata
    x, y = scores[is_positive == 1], scores[is_positive == 0]
    m, k = len(x), len(y)
    pooled = rankdata(np.concatenate([x, y]))
    tx, ty = rankdata(x), rankdata(y)
    auc = (pooled[:m].sum() - m * (m + 1) / 2) / (m * k)
    v10 = (pooled[:m] - tx) / k
    v01 = 1 - (pooled[m:] - ty) / m
    return float(auc), float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / k)


def proc(is_positive, scores, confidence):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("label,score\n" + "".join(f"{a},{b!r}\n" for a, b in zip(is_positive, scores)))
    script = (f"suppressMessages(library(pROC)); d <- read.csv('{f.name}'); "
              "r <- roc(d$label, d$score, levels = c(0, 1), direction = '<', quiet = TRUE); "
              f"ci <- ci.auc(r, method = 'delong', conf.level = {confidence}); "
              "cat(sprintf('%.17g', c(as.numeric(auc(r)), var(r, method = 'delong'), ci[1], ci[3])), as.character(packageVersion('pROC')))")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout.split()
    os.unlink(f.name)
    return [float(v) for v in out[:4]], out[4]


cases = [("normal-200", 200, 0.5, 2, 0.95), ("ties-120", 120, 0.3, 1, 0.95), ("rare-positives-400", 400, 0.05, 3, 0.9), ("small-12", 12, 0.5, 2, 0.95), ("near-perfect-60", 60, 0.5, 6, 0.99)]
proc_version = ""
for name, n, share, separation, confidence in cases:
    is_positive = (rng.random(n) < share).astype(int)
    is_positive[:2], is_positive[2:4] = 1, 0
    scores = rng.normal(is_positive * separation / 2, 1)
    scores = scores.round(1 if name.startswith("ties") else 6)
    (auc, variance, low, high), proc_version = proc(is_positive.tolist(), scores.tolist(), confidence)
    fast_auc, fast_variance = fast_delong(is_positive, scores)
    assert abs(fast_auc - auc) < 1e-12 and abs(fast_variance - variance) < 1e-12, (name, auc, fast_auc, variance, fast_variance)
    assert abs(auc - roc_auc_score(is_positive, scores)) < 1e-12
    golden["delong"].append({"name": name, "labels": is_positive.tolist(), "scores": scores.tolist(), "confidence": confidence,
                             "auc": auc, "variance": variance, "low": low, "high": high})

def proc_paired(is_positive, a, b):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("label,a,b\n" + "".join(f"{y},{x!r},{z!r}\n" for y, x, z in zip(is_positive, a, b)))
    script = (f"suppressMessages(library(pROC)); d <- read.csv('{f.name}'); "
              "ra <- roc(d$label, d$a, levels = c(0, 1), direction = '<', quiet = TRUE); "
              "rb <- roc(d$label, d$b, levels = c(0, 1), direction = '<', quiet = TRUE); "
              "t <- roc.test(ra, rb, method = 'delong', paired = TRUE); "
              "cat(sprintf('%.17g', c(t$statistic, t$p.value)))")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout.split()
    os.unlink(f.name)
    return [float(v) for v in out]


for name, n, gain in [("paired-300", 300, 0.4), ("paired-close-150", 150, 0.05), ("paired-ties-80", 80, 0.8)]:
    is_positive = (rng.random(n) < 0.4).astype(int)
    is_positive[:2], is_positive[2:4] = 1, 0
    common = rng.normal(is_positive, 1)
    a = (common + rng.normal(0, 0.8, n) + gain * is_positive).round(1 if "ties" in name else 6)
    b = (common + rng.normal(0, 0.8, n)).round(1 if "ties" in name else 6)
    z, p_value = proc_paired(is_positive.tolist(), a.tolist(), b.tolist())
    golden["delong_paired"].append({"name": name, "labels": is_positive.tolist(), "a": a.tolist(), "b": b.tolist(), "z": z, "p_value": p_value,
                                    "difference": float(roc_auc_score(is_positive, a) - roc_auc_score(is_positive, b))})

# The normal interval of a mean of per-row losses: scipy.stats.norm.interval with the standard error of the mean.
from scipy.stats import norm, sem
import scipy
for name, n, confidence in [("exponential-50", 50, 0.95), ("exponential-2000", 2000, 0.9), ("uniform-7", 7, 0.99)]:
    terms = (rng.exponential(0.4, n) if name.startswith("exponential") else rng.uniform(0, 1, n)).round(9)
    low, high = norm.interval(confidence, loc=terms.mean(), scale=sem(terms))
    golden["mean_interval"].append({"name": name, "terms": terms.tolist(), "confidence": confidence, "low": float(low), "high": float(high)})

# R²'s delta-method interval: R² ± z·se, se from the influence function of 1 − A/B (A = mean squared error,
# B = mean squared deviation of y), checked here against a 20,000-resample bootstrap standard error.
from sklearn.metrics import r2_score
for name, n, noise in [("r2-200", 200, 0.5), ("r2-1000-weak", 1000, 2.0)]:
    x = rng.normal(0, 1, n)
    y = (3 * x + rng.normal(0, noise * 3, n)).round(6)
    pred = (2.8 * x + 0.1).round(6)
    e2, d2 = (y - pred) ** 2, (y - y.mean()) ** 2
    a, b = e2.mean(), d2.mean()
    r2 = float(r2_score(y, pred))
    influence = -(e2 - a) / b + a * (d2 - b) / b ** 2
    se = np.sqrt(np.var(influence, ddof=1) / n)
    boot = [r2_score(y[i], pred[i]) for i in (rng.integers(0, n, n) for _ in range(20000))]
    assert abs(np.std(boot) / se - 1) < 0.05, (name, np.std(boot), se)
    golden["r2_interval"].append({"name": name, "labels": y.tolist(), "predicted": pred.tolist(), "r2": r2,
                                  "low": float(r2 - norm.ppf(0.975) * se), "high": float(min(1.0, r2 + norm.ppf(0.975) * se))})

golden["generated_by"] = f"scipy {scipy.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, R pROC {proc_version}"
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "statistics.json"), "w") as f:
    json.dump(golden, f, indent=1)
print("wrote statistics.json:", golden["generated_by"])
