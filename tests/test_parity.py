"""HyperDriveSearchCV reproduces GridSearchCV and RandomizedSearchCV exactly."""

import warnings

import numpy as np
import pytest
import scipy.stats
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, RandomizedSearchCV
from sklearn.svm import SVC

from hdsearch import HyperDriveSearchCV, choice

SCORE_KEYS = ("mean_test_{}", "std_test_{}", "rank_test_{}")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=120, n_features=6, random_state=0)


def grid_pair(estimator, grid, **kwargs):
    """A GridSearchCV and the HyperDriveSearchCV that must match it."""
    hd_grid = {name: choice(values) for name, values in grid.items()}
    return (
        GridSearchCV(estimator, grid, **kwargs),
        HyperDriveSearchCV(estimator, hd_grid, sampling="grid", **kwargs),
    )


def assert_same_results(theirs, ours, metrics=("score",), train=False):
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    for metric in metrics:
        for template in SCORE_KEYS:
            key = template.format(metric)
            np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key], key)
        if train:
            for key in (f"mean_train_{metric}", f"std_train_{metric}"):
                np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key], key)
    timing_free = [k for k in theirs.cv_results_ if "time" not in k]
    assert [k for k in ours.cv_results_ if "time" not in k and k not in ("status", "source", "n_intervals", "resource_reached")] == timing_free


def test_single_metric_grid_matches_gridsearchcv(data):
    X, y = data
    theirs, ours = grid_pair(LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3)
    theirs.fit(X, y)
    ours.fit(X, y)
    assert_same_results(theirs, ours)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == theirs.best_score_
    assert ours.n_splits_ == theirs.n_splits_ == 3
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_cv_results_dtypes_match_gridsearchcv(data):
    X, y = data
    grid = {"C": [0.1, 1.0], "kernel": ["linear", "rbf"]}
    theirs, ours = grid_pair(SVC(), grid, cv=3)
    theirs.fit(X, y)
    ours.fit(X, y)
    for key, value in theirs.cv_results_.items():
        if key == "params":
            continue
        assert type(ours.cv_results_[key]) is type(value), key
        assert ours.cv_results_[key].dtype == value.dtype, key
    np.testing.assert_array_equal(ours.cv_results_["param_kernel"], theirs.cv_results_["param_kernel"])
    assert list(ours.cv_results_["status"]) == ["completed"] * 4
    assert list(ours.cv_results_["n_intervals"]) == [3] * 4


def test_conditional_grid_masks_absent_params_like_gridsearchcv(data):
    X, y = data
    grid = [{"kernel": ["linear"], "C": [0.1, 1.0]}, {"kernel": ["rbf"], "gamma": [0.1, 1.0]}]
    hd_grid = [{k: choice(v) for k, v in g.items()} for g in grid]
    theirs = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    ours = HyperDriveSearchCV(SVC(), hd_grid, sampling="grid", cv=3).fit(X, y)
    assert_same_results(theirs, ours)
    for key in ("param_C", "param_gamma", "param_kernel"):
        np.testing.assert_array_equal(ours.cv_results_[key].mask, theirs.cv_results_[key].mask)


def test_multimetric_with_refit_name_matches_gridsearchcv(data):
    X, y = data
    scoring = {"acc": "accuracy", "auc": "roc_auc"}
    theirs, ours = grid_pair(
        LogisticRegression(), {"C": [0.01, 0.1, 1.0]}, cv=3, scoring=scoring, refit="auc"
    )
    theirs.fit(X, y)
    ours.fit(X, y)
    assert_same_results(theirs, ours, metrics=("acc", "auc"))
    assert ours.multimetric_ and theirs.multimetric_
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    assert set(ours.scorer_) == {"acc", "auc"}
    assert ours.score(X, y) == theirs.score(X, y)


def test_multimetric_list_without_refit_name_is_rejected_before_fitting(data):
    X, y = data
    search = HyperDriveSearchCV(LogisticRegression(), {"C": [1.0]}, scoring=["accuracy", "f1"])
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        search.fit(X, y)


def test_refit_callable_matches_gridsearchcv(data):
    X, y = data

    def lowest_c_within_one_std(cv_results):
        means = cv_results["mean_test_score"]
        good = np.flatnonzero(means >= means.max() - cv_results["std_test_score"][means.argmax()])
        return int(good[0])

    theirs, ours = grid_pair(
        LogisticRegression(), {"C": [0.001, 0.01, 0.1, 1.0]}, cv=3, refit=lowest_c_within_one_std
    )
    theirs.fit(X, y)
    ours.fit(X, y)
    assert ours.best_index_ == theirs.best_index_
    assert ours.best_params_ == theirs.best_params_
    assert not hasattr(ours, "best_score_")


def test_return_train_score_matches_gridsearchcv(data):
    X, y = data
    theirs, ours = grid_pair(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3, return_train_score=True)
    theirs.fit(X, y)
    ours.fit(X, y)
    assert_same_results(theirs, ours, train=True)
    for split in range(3):
        key = f"split{split}_train_score"
        np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])


class FailsForSomeC(ClassifierMixin, BaseEstimator):
    """Classifier whose fit raises when C is negative."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C < 0:
            raise ValueError("C must be non-negative")
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@pytest.mark.parametrize("error_score", [np.nan, 0.0])
def test_error_score_matches_gridsearchcv(data, error_score):
    X, y = data
    theirs, ours = grid_pair(FailsForSomeC(), {"C": [1.0, -1.0, 2.0]}, cv=3, error_score=error_score)
    with pytest.warns(sklearn.exceptions.FitFailedWarning, match="3 fits failed out of a total of 9"):
        theirs.fit(X, y)
    with pytest.warns(sklearn.exceptions.FitFailedWarning, match="3 fits failed out of a total of 9"):
        ours.fit(X, y)
    assert_same_results(theirs, ours)
    assert ours.best_params_ == theirs.best_params_
    assert list(ours.cv_results_["status"]) == ["completed", "failed", "completed"]
    assert "C must be non-negative" in ours.trials_[1].errors[0]


def test_all_fits_failed_raises_like_gridsearchcv(data):
    X, y = data
    search = HyperDriveSearchCV(FailsForSomeC(), {"C": [-1.0, -2.0]}, sampling="grid", cv=3)
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        search.fit(X, y)


def test_error_score_raise_reraises_the_fit_error(data):
    X, y = data
    search = HyperDriveSearchCV(
        FailsForSomeC(), {"C": [1.0, -1.0]}, sampling="grid", cv=3, error_score="raise"
    )
    with pytest.raises(ValueError, match="C must be non-negative"):
        search.fit(X, y)


def test_group_kfold_with_groups_matches_gridsearchcv(data):
    X, y = data
    groups = np.arange(len(y)) % 4
    theirs, ours = grid_pair(LogisticRegression(), {"C": [0.1, 1.0]}, cv=GroupKFold(n_splits=4))
    theirs.fit(X, y, groups=groups)
    ours.fit(X, y, groups=groups)
    assert_same_results(theirs, ours)
    assert ours.n_splits_ == 4


def test_sample_weight_routed_to_estimator_and_scorer_matches_gridsearchcv(data):
    X, y = data
    weights = np.random.RandomState(0).uniform(0.1, 3.0, size=len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = LogisticRegression().set_fit_request(sample_weight=True)
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        theirs, ours = grid_pair(estimator, {"C": [0.01, 0.1, 1.0]}, cv=3, scoring=scorer)
        theirs.fit(X, y, sample_weight=weights)
        ours.fit(X, y, sample_weight=weights)
    assert_same_results(theirs, ours)
    unweighted = GridSearchCV(LogisticRegression(), {"C": [0.01, 0.1, 1.0]}, cv=3).fit(X, y)
    assert not np.array_equal(ours.cv_results_["mean_test_score"], unweighted.cv_results_["mean_test_score"])


def test_sample_weight_without_routing_matches_gridsearchcv(data):
    X, y = data
    weights = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y))
    theirs, ours = grid_pair(LogisticRegression(), {"C": [0.01, 1.0]}, cv=KFold(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs.fit(X, y, sample_weight=weights)
        ours.fit(X, y, sample_weight=weights)
    assert_same_results(theirs, ours)


def test_random_sampling_matches_randomizedsearchcv(data):
    X, y = data
    space = {
        "C": scipy.stats.loguniform(1e-3, 1e2),
        "kernel": ["linear", "rbf"],
        "gamma": scipy.stats.uniform(0.01, 1.0),
    }
    theirs = RandomizedSearchCV(SVC(), space, n_iter=7, cv=3, random_state=42).fit(X, y)
    ours = HyperDriveSearchCV(SVC(), space, max_total_runs=7, cv=3, random_state=42).fit(X, y)
    assert_same_results(theirs, ours)
    assert ours.best_params_ == theirs.best_params_


def test_default_max_total_runs_is_ten_like_randomizedsearchcv(data):
    X, y = data
    space = {"C": scipy.stats.loguniform(1e-3, 1e2)}
    theirs = RandomizedSearchCV(LogisticRegression(), space, cv=3, random_state=0).fit(X, y)
    ours = HyperDriveSearchCV(LogisticRegression(), space, cv=3, random_state=0).fit(X, y)
    assert len(ours.cv_results_["params"]) == 10
    assert_same_results(theirs, ours)
