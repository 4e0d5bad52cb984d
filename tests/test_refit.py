"""The refit of a trial sure to be the best runs beside its last folds, and changes nothing."""

import os
import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier

import hdsearch.engine as engine_module
from hdsearch import HyperDriveSearchCV, PartialFit, WarmStart
from hdsearch.policy import HalvingPolicy

from helpers import assert_same_cv_results

X, y = make_classification(n_samples=600, n_features=8, random_state=0)
TEST_PID = os.getpid()


@pytest.fixture
def early_refits(monkeypatch):
    """The trial id of every refit the engine ran in a wave, in order."""
    seen = []
    sure_best = engine_module.WaveEngine._sure_best

    def spy(self, tasks):
        trial = sure_best(self, tasks)
        if trial is not None:
            seen.append(trial.trial_id)
        return trial

    monkeypatch.setattr(engine_module.WaveEngine, "_sure_best", spy)
    return seen


def _halving_searches():
    """Searches whose last rung keeps one trial: its refit can run beside its last folds."""
    sgd = HyperDriveSearchCV(
        SGDClassifier(random_state=0), {"alpha": loguniform(1e-6, 1e-2)}, resource=PartialFit(9),
        policy=HalvingPolicy(), max_total_runs=9, cv=3, random_state=0,
    )
    hgb = HyperDriveSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {"learning_rate": loguniform(0.01, 0.5)}, resource=WarmStart("max_iter", 5, 45, step=5),
        policy=HalvingPolicy(), max_total_runs=9, cv=3, random_state=0,
    )
    folds = HyperDriveSearchCV(
        LogisticRegression(), {"C": loguniform(1e-3, 1e2)}, resource="folds",
        policy=HalvingPolicy(), max_total_runs=9, cv=9, random_state=0,
    )
    return {"sgd": sgd, "hgb": hgb, "folds": folds}


@pytest.mark.parametrize("name", ["sgd", "hgb", "folds"])
def test_the_refit_beside_the_last_folds_is_the_refit_in_the_parent(name, early_refits):
    serial = _halving_searches()[name].set_params(n_jobs=1).fit(X, y)
    assert early_refits == []  # one worker: nothing to run beside
    parallel = _halving_searches()[name].set_params(n_jobs=2).fit(X, y)
    assert early_refits == [parallel.best_index_]
    with parallel_backend("threading", n_jobs=2):
        threads = _halving_searches()[name].fit(X, y)
    assert early_refits == [parallel.best_index_] * 2
    for search in (parallel, threads):
        assert_same_cv_results(serial.cv_results_, search.cv_results_)
        assert search.best_index_ == serial.best_index_
        assert search.refit_time_ > 0
        np.testing.assert_array_equal(
            search.best_estimator_.decision_function(X), serial.best_estimator_.decision_function(X)
        )


def test_no_refit_beside_the_folds_while_another_trial_may_be_best(early_refits):
    search = HyperDriveSearchCV(
        LogisticRegression(), {"C": loguniform(1e-3, 1e2)}, max_total_runs=4, cv=3, n_jobs=2,
        max_concurrent_runs=1, random_state=0,
    ).fit(X, y)
    assert early_refits == []  # the last trial runs alone, but three have completed
    assert search.best_estimator_.C == search.best_params_["C"]


class Flaky(ClassifierMixin, BaseEstimator):
    """Warns, raises or kills its worker when fitted on all the rows, in a worker process only."""

    def __init__(self, action=None, n_rows=len(X)):
        self.action = action
        self.n_rows = n_rows

    def fit(self, X, y):
        if len(X) == self.n_rows:
            if self.action == "warn":
                warnings.warn("refit on all the rows", UserWarning)
            if self.action == "raise":
                raise ValueError("no refit on all the rows")
            if self.action == "exit" and os.getpid() != TEST_PID:
                os._exit(3)
        self.classes_ = np.unique(y)
        # scikit-learn tolerates a fit that returns nothing; so must the refit.
        return None if self.action == "return nothing" else self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _one_trial(action):
    return HyperDriveSearchCV(Flaky(), {"action": [action]}, max_total_runs=1, cv=4, n_jobs=2)


def test_a_refit_beside_the_folds_shows_its_warnings_in_the_parent(early_refits):
    with pytest.warns(UserWarning, match="refit on all the rows"):
        _one_trial("warn").fit(X, y)
    assert early_refits == [0]


def test_a_refit_that_raises_beside_the_folds_raises_in_the_parent(early_refits):
    with pytest.raises(ValueError, match="no refit on all the rows"):
        _one_trial("raise").fit(X, y)
    assert early_refits == [0]


def test_a_refit_that_kills_its_worker_loses_only_itself(early_refits):
    search = _one_trial("exit").fit(X, y)
    assert early_refits == [0]
    assert list(search.cv_results_["status"]) == ["completed"]
    assert search.best_estimator_.classes_.tolist() == [0, 1]


def test_a_refit_beside_the_folds_keeps_a_model_whose_fit_returns_nothing(early_refits, monkeypatch):
    fits_on_all_rows = []
    fit = Flaky.fit

    def counted_fit(self, X, y):
        if len(X) == self.n_rows:
            fits_on_all_rows.append(self)
        return fit(self, X, y)

    monkeypatch.setattr(Flaky, "fit", counted_fit)
    with parallel_backend("threading", n_jobs=2):  # the refit's fit is counted in this process
        search = _one_trial("return nothing").fit(X, y)
    assert early_refits == [0]
    assert fits_on_all_rows == [search.best_estimator_]  # refit once, beside the folds, and kept
    assert search.best_estimator_.classes_.tolist() == [0, 1]
