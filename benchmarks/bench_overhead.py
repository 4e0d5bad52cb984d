"""Wall time of HyperDriveSearchCV(sampling="grid") against GridSearchCV, same run.

Two cases, both with n_jobs=2, the two searches alternated so that machine
noise hits both alike; each ratio is the median of the per-round ratios.

(a) LogisticRegression on digits, a 30-candidate grid, 5 folds.  Goal <= 1.05.
(b) A trivial estimator, a 2,000-candidate grid, 5 folds: pure overhead.  Goal <= 1.5.

Usage::

    python benchmarks/bench_overhead.py [--rounds 5] [--rounds-trivial N]
"""

import argparse
import platform
import statistics
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hdsearch import HyperDriveSearchCV, choice


class TrivialClassifier(ClassifierMixin, BaseEstimator):
    """Predicts class 0; fit and predict cost next to nothing."""

    def __init__(self, a=0, b=0):
        self.a = a
        self.b = b

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def logistic_case():
    X, y = load_digits(return_X_y=True)
    grid = {
        "logisticregression__C": list(np.logspace(-3, 2, 15)),
        "logisticregression__fit_intercept": [True, False],
    }
    return "(a) LogisticRegression, digits, 30 candidates x 5 folds", make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=300)
    ), grid, X, y, 1.05


def trivial_case():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    grid = {"a": list(range(40)), "b": list(range(50))}
    return "(b) trivial estimator, 2,000 candidates x 5 folds", TrivialClassifier(), grid, X, y, 1.5


def time_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def run_case(case, rounds):
    title, estimator, grid, X, y, goal = case
    hd_grid = {name: choice(values) for name, values in grid.items()}
    ratios, theirs_times, ours_times = [], [], []
    for round_index in range(rounds):
        theirs = GridSearchCV(estimator, grid, cv=5, n_jobs=2)
        ours = HyperDriveSearchCV(estimator, hd_grid, sampling="grid", cv=5, n_jobs=2)
        # Alternate who goes first, so warm-up and drift do not favour one.
        if round_index % 2 == 0:
            t_theirs, t_ours = time_fit(theirs, X, y), time_fit(ours, X, y)
        else:
            t_ours, t_theirs = time_fit(ours, X, y), time_fit(theirs, X, y)
        np.testing.assert_array_equal(
            ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
        )
        theirs_times.append(t_theirs)
        ours_times.append(t_ours)
        ratios.append(t_ours / t_theirs)
    ratio = statistics.median(ratios)
    return (
        f"| {title} | {statistics.median(theirs_times):.2f} | {statistics.median(ours_times):.2f} "
        f"| **{ratio:.3f}** | <= {goal} | {'met' if ratio <= goal else 'MISSED'} |"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--rounds-trivial", type=int, default=None,
        help="rounds of case (b); default --rounds (GridSearchCV 1.9 takes minutes per round there)",
    )
    args = parser.parse_args()
    rounds_trivial = args.rounds if args.rounds_trivial is None else args.rounds_trivial
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"n_jobs=2, median of {args.rounds} alternated rounds ({rounds_trivial} for case b)"
    )
    print()
    print("| case | GridSearchCV s (median) | HyperDriveSearchCV s (median) | ratio (median) | goal | |")
    print("|---|---|---|---|---|---|")
    print(run_case(logistic_case(), args.rounds), flush=True)
    print(run_case(trivial_case(), rounds_trivial), flush=True)


if __name__ == "__main__":
    main()
