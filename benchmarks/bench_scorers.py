"""Per-call cost of the fast named scorers against scikit-learn's, on a 15,000-row test fold.

For every scorer name ``hdsearch._fast_scoring`` computes itself: a model
fitted on 30,000 rows is scored on the same 15,000 test rows (the same ``y``
object every call, as a worker scores one fold at every step) by
scikit-learn's scorer (``get_scorer(name)``) and by ``fast_scorer(name)``,
the two calls alternated, each timed ``--calls`` times after a warm-up call;
the table gives the medians and their ratio, without and with a
``sample_weight``. Both include the model's own prediction (predict,
decision_function or predict_proba), which neither can avoid: its median
cost, timed in the same loop, is the "model" column, and "beyond model" is
the ratio of what each scorer costs beyond it. Goal: ratio <= 0.3 for each
scorer.

Models: LogisticRegression for the binary (labels 0/1) and 3-class tasks,
Ridge for the regression task; data from ``make_classification`` /
``make_regression`` with ``random_state=0``.

Usage::

    python benchmarks/bench_scorers.py [--calls 60] [--out table.md]
"""

import argparse
import math
import platform
import statistics
import time

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer

from hdsearch._fast_scoring import FAST_SCORER_NAMES, fast_scorer

N_TRAIN, N_TEST = 30_000, 15_000
GOAL = 0.3
REGRESSION = ("r2", "neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error")
MULTICLASS = ("roc_auc_ovr", "roc_auc_ovr_weighted")
# The model method each scorer calls (LogisticRegression has all three).
RESPONSE = dict.fromkeys(("roc_auc", "average_precision"), "decision_function") | dict.fromkeys(
    ("neg_log_loss", "roc_auc_ovr", "roc_auc_ovr_weighted"), "predict_proba"
)


def tasks():
    """Task name -> (fitted model, X_test, y_test, sample_weight)."""
    rng = np.random.RandomState(0)
    weight = rng.uniform(0.5, 2.0, N_TEST)
    out = {}
    for name, n_classes in (("binary", 2), ("3 classes", 3)):
        X, y = make_classification(
            n_samples=N_TRAIN + N_TEST, n_features=20, n_informative=10, n_classes=n_classes,
            random_state=0,
        )
        model = LogisticRegression(max_iter=200).fit(X[:N_TRAIN], y[:N_TRAIN])
        out[name] = (model, X[N_TRAIN:], y[N_TRAIN:], weight)
    X, y = make_regression(n_samples=N_TRAIN + N_TEST, n_features=20, noise=10.0, random_state=0)
    out["regression"] = (Ridge().fit(X[:N_TRAIN], y[:N_TRAIN]), X[N_TRAIN:], y[N_TRAIN:], weight)
    return out


def cases():
    """(scorer name, task name) pairs: each scorer on the task it is made for."""
    for name in sorted(FAST_SCORER_NAMES):
        if name in REGRESSION:
            yield name, "regression"
        elif name in MULTICLASS:
            yield name, "3 classes"
        else:
            yield name, "binary"
    for name in ("accuracy", "neg_log_loss", "f1_macro", "balanced_accuracy"):
        yield name, "3 classes"


def median_costs(name, model, X, y, weight, calls):
    """Median seconds per call: scikit-learn's scorer, the fast one, the model's response alone."""
    kwargs = {} if weight is None else {"sample_weight": weight}
    slow, fast = get_scorer(name), fast_scorer(name)
    expected, got = slow(model, X, y, **kwargs), fast(model, X, y, **kwargs)  # warm-up
    if not math.isclose(expected, got, rel_tol=1e-12, abs_tol=1e-15):
        raise AssertionError(f"{name}: scikit-learn {expected!r}, fast {got!r}")
    response = getattr(model, RESPONSE.get(name, "predict"))
    timed = {
        "sklearn": lambda: slow(model, X, y, **kwargs),
        "fast": lambda: fast(model, X, y, **kwargs),
        "model": lambda: response(X),
    }
    times = {key: [] for key in timed}
    for _ in range(calls):
        for key, call in timed.items():
            start = time.perf_counter()
            call()
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in times.items()}


def table(calls):
    data = tasks()
    lines = [
        "| scorer | task | weights | scikit-learn ms | fast ms | ratio | model ms "
        f"| beyond model | goal <= {GOAL} |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, task in cases():
        model, X, y, weight = data[task]
        for label, w in (("none", None), ("random", weight)):
            cost = median_costs(name, model, X, y, w, calls)
            ratio = cost["fast"] / cost["sklearn"]
            beyond = (cost["fast"] - cost["model"]) / (cost["sklearn"] - cost["model"])
            row = [
                name, task, label, f"{cost['sklearn'] * 1e3:.2f}", f"{cost['fast'] * 1e3:.2f}",
                f"{ratio:.2f}", f"{cost['model'] * 1e3:.2f}", f"{beyond:.2f}",
                "met" if ratio <= GOAL else "MISSED",
            ]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    args = parser.parse_args()
    header = (
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}; {N_TEST:,} test rows, median of {args.calls} calls each"
    )
    text = header + "\n\n" + table(args.calls) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
