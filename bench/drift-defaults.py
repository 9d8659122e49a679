#!/usr/bin/env python3
"""How often toHaveNoDriftFrom's defaults flag drift, old and new, by rows per side: a simulation that
models the statistics with scipy (the same tests and distances modeltest computes, checked against scipy
in test/drift.test.ts). Run: /usr/bin/python3 bench/drift-defaults.py  (REPS=200 by default)

old: up to 1,000 rows a side KS (numeric) or chi-square (categories) at p < 0.05; above, Wasserstein
     distance / reference sd > 0.1, or Jensen-Shannon distance (base 2) > 0.1.
new: KS or chi-square at p < 0.05 at every n, and a minimum effect in the column's units: Wasserstein
     distance >= 0.05 reference sd, or a category's share changed by >= 2 points.
"detectable" is the shift the record states (about 80% power): the larger of sqrt(pi/2) * 2.8016 * se and
0.05 + 0.8416 * se, se = sqrt(2/n) sd; for categories the same with se = sqrt(p(1-p) * 2/n), p the top share."""
import math, os
import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

rng = np.random.default_rng(20261130)
REPS = int(os.environ.get("REPS", 200))
SIZES = [100, 1000, 10000, 100000]
Z80 = 1.959963984540054 + 0.8416212335729143


def numeric(n, shift):
    old = new = 0
    for _ in range(REPS):
        base, current = rng.normal(0, 1, n), rng.normal(shift, 1, n)
        p = ks_2samp(base, current).pvalue
        w = wasserstein_distance(base, current) / base.std()
        old += (p < 0.05) if n <= 1000 else (w > 0.1)
        new += (p < 0.05) and (w >= 0.05)
    return old / REPS, new / REPS


SHARES = np.array([0.40, 0.30, 0.20, 0.10])
MOVED = np.array([0.34, 0.32, 0.22, 0.12])  # the top class loses 6 points to the others


def categorical(n, shares):
    old = new = 0
    for _ in range(REPS):
        base, current = rng.multinomial(n, SHARES), rng.multinomial(n, shares)
        p = chi2_contingency(np.array([base, current]), correction=False)[1]
        js = jensenshannon(base / n, current / n, base=2)
        change = np.abs(current / n - base / n).max()
        old += (p < 0.05) if n <= 1000 else (js > 0.1)
        new += (p < 0.05) and (change >= 0.02)
    return old / REPS, new / REPS


def detectable(n):
    se = math.sqrt(2 / n)
    return max(math.sqrt(math.pi / 2) * Z80 * se, 0.05 + 0.8416212335729143 * se)


def detectable_share(n):
    se = math.sqrt(0.4 * 0.6 * 2 / n)
    return max(Z80 * se, 0.02 + 0.8416212335729143 * se)


def moved_by(change):
    """The top class loses `change` to the others, in proportion to their shares."""
    return np.concatenate([[0.40 - change], SHARES[1:] + change * SHARES[1:] / SHARES[1:].sum()])


print(f"# drift defaults: share of {REPS} runs flagged, old -> new (rows per side = n)")
print("| scenario | " + " | ".join(f"n={n:,}" for n in SIZES) + " |")
print("|---|" + "---|" * len(SIZES))
rows = [("numeric, no drift (false alarms)", lambda n: numeric(n, 0.0)),
        ("numeric, 0.03 sd shift (below the 0.05 floor)", lambda n: numeric(n, 0.03)),
        ("numeric, 0.1 sd shift", lambda n: numeric(n, 0.1)),
        ("numeric, 0.3 sd shift", lambda n: numeric(n, 0.3)),
        ("numeric, shift = the stated detectable shift", lambda n: numeric(n, detectable(n))),
        ("categories, no drift (false alarms)", lambda n: categorical(n, SHARES)),
        ("categories, top class 0.40 -> 0.34", lambda n: categorical(n, MOVED)),
        ("categories, top class moved by the stated detectable change", lambda n: categorical(n, moved_by(min(detectable_share(n), 0.39))))]
for name, run in rows:
    cells = [run(n) for n in SIZES]
    print(f"| {name} | " + " | ".join(f"{old:.2f} -> {new:.2f}" for old, new in cells) + " |")
print("| stated detectable shift (sd) | " + " | ".join(f"{detectable(n):.3f}" for n in SIZES) + " |")
print("| stated detectable change of the top share | " + " | ".join(f"{detectable_share(n):.3f}" for n in SIZES) + " |")
