"""For a fixed random_state, results do not depend on n_jobs, the backend or timing."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from helpers import assert_same_cv_results

from hdsearch import HyperDriveSearchCV, choice, loguniform, uniform


class ReadOnlySafeSGD(SGDClassifier):
    """An SGDClassifier: a model with arrays that loky may hand back memmapped."""


def run(sampling, n_jobs, backend=None, **kwargs):
    X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    space = {
        "alpha": loguniform(-9, -2),
        "l1_ratio": uniform(0, 1),
        "penalty": choice("l2", "elasticnet"),
    }
    search = HyperDriveSearchCV(
        ReadOnlySafeSGD(max_iter=20, tol=None, random_state=0),
        space,
        sampling=sampling,
        max_total_runs=6,
        cv=3,
        random_state=7,
        n_jobs=n_jobs,
        **kwargs,
    )
    if backend is None:
        return search.fit(X, y)
    with parallel_config(backend=backend):
        return search.fit(X, y)


@pytest.mark.parametrize("sampling", ["random", "sobol"])
def test_results_identical_for_one_and_two_processes_and_threads(sampling):
    serial = run(sampling, n_jobs=1)
    assert_same_cv_results(serial.cv_results_, run(sampling, n_jobs=2).cv_results_)
    assert_same_cv_results(serial.cv_results_, run(sampling, n_jobs=2, backend="threading").cv_results_)


def test_results_identical_with_concurrency_limit_and_two_processes():
    serial = run("random", n_jobs=1)
    limited = run("random", n_jobs=2, max_concurrent_runs=2)
    assert_same_cv_results(serial.cv_results_, limited.cv_results_)


def test_same_random_state_same_candidates_different_state_different():
    first = run("random", n_jobs=1).cv_results_["params"]
    assert run("random", n_jobs=1).cv_results_["params"] == first
    X, y = make_classification(n_samples=60, random_state=0)
    other = HyperDriveSearchCV(
        ReadOnlySafeSGD(max_iter=5, tol=None), {"alpha": loguniform(-9, -2)}, max_total_runs=6,
        cv=3, random_state=8,
    ).fit(X, y)
    assert other.cv_results_["params"] != first


class RecordsWhatItReceives(ClassifierMixin, BaseEstimator):
    """Fails if the estimator it was handed had been fitted (workers must clone)."""

    def __init__(self, c=1.0):
        self.c = c

    def fit(self, X, y):
        assert not hasattr(self, "fitted_"), "the worker reused a fitted estimator"
        self.fitted_ = True
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_threads_never_share_a_fitted_estimator():
    X, y = make_classification(n_samples=60, random_state=0)
    with parallel_config(backend="threading"):
        search = HyperDriveSearchCV(
            RecordsWhatItReceives(), {"c": uniform(0, 1)}, max_total_runs=8, cv=3, n_jobs=2,
            error_score="raise",
        ).fit(X, y)
    assert set(search.cv_results_["status"]) == {"completed"}
