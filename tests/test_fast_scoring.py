"""The fast named scorers give scikit-learn's scorers' numbers, warnings and errors."""

import math
import pickle
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import check_scoring, fbeta_score, get_scorer, make_scorer
from sklearn.utils.metaestimators import available_if

import hdsearch._fast_scoring as fast_scoring
from hdsearch import HyperDriveSearchCV, loguniform
from hdsearch._fast_scoring import FAST_SCORER_NAMES, fast_scorer
from hdsearch.engine import worker_scorer

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
BINARY_ONLY = {"f1", "precision", "recall"}  # average="binary", pos_label=1
PROBABILITY_SCORERS = {"neg_log_loss", "roc_auc_ovr", "roc_auc_ovr_weighted"}
RANKING_SCORERS = {"roc_auc", "average_precision"}
REGRESSION_SCORERS = {
    "r2", "neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error"
}
CLASSIFICATION_SCORERS = sorted(FAST_SCORER_NAMES - REGRESSION_SCORERS)

LABEL_SETS = {
    "0/1": np.array([0, 1]),
    "-1/1": np.array([-1, 1]),
    "3/7": np.array([3, 7]),
    "bool": np.array([False, True]),
    "strings": np.array(["no", "yes"]),
    "object strings": np.array(["ant", "bee"], dtype=object),
    "three ints": np.array([0, 1, 2]),
    "three strings": np.array(["a", "b", "c"]),
}


def _has(name):
    return lambda self: getattr(self, name) is not None


class StubClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier answering with fixed predictions, margins and probabilities."""

    def __init__(self, classes, labels, margins=None, proba=None):
        self.classes = classes
        self.labels = labels
        self.margins = margins
        self.proba = proba
        self.classes_ = classes

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return self.labels

    @available_if(_has("margins"))
    def decision_function(self, X):
        return self.margins

    @available_if(_has("proba"))
    def predict_proba(self, X):
        return self.proba


class StubRegressor(RegressorMixin, BaseEstimator):
    """A fitted regressor answering with fixed predictions."""

    def __init__(self, predictions):
        self.predictions = predictions

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return self.predictions


def _outcome(scorer, estimator, X, y, sample_weight):
    """The score (or the exception type) and the warning categories of one call."""
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = scorer(estimator, X, y, **kwargs)
        except Exception as exc:  # noqa: BLE001
            value = type(exc)
    return value, sorted({w.category.__name__ for w in caught})


def _same(fast, expected):
    if isinstance(expected, dict):
        return fast.keys() == expected.keys() and all(_same(fast[k], expected[k]) for k in expected)
    if isinstance(expected, str):  # a multi-metric scorer's traceback text
        return isinstance(fast, str)
    if isinstance(expected, type):
        return fast is expected
    if isinstance(fast, type) or isinstance(fast, str):
        return False
    if math.isnan(expected):
        return math.isnan(fast)
    return math.isclose(fast, expected, rel_tol=1e-12, abs_tol=1e-15)


def _bit_exact_expected(name, sample_weight):
    """Unweighted, every metric is scikit-learn's float; weighted, the regression ones.

    With weights, the classification metrics sum weights per class or per
    distinct score rather than in scikit-learn's order (which for tied
    scores changed between scikit-learn 1.6 and 1.9): equal to rounding.
    """
    return sample_weight is None or name in REGRESSION_SCORERS


def _assert_same_as_sklearn(name, estimator, y, sample_weight):
    X = np.zeros((len(y), 1))
    fast = fast_scorer(name)
    expected = _outcome(get_scorer(name), estimator, X, y, sample_weight)
    first = _outcome(fast, estimator, X, y, sample_weight)
    again = _outcome(fast, estimator, X, y, sample_weight)  # from the fold's prepared target
    assert _same(first[0], expected[0]), (first, expected)
    assert first[1] == expected[1], (first, expected)
    if _bit_exact_expected(name, sample_weight) and isinstance(expected[0], float):
        assert first[0] == expected[0] or (math.isnan(first[0]) and math.isnan(expected[0]))
    assert _same(again[0], expected[0]) and again[1] == expected[1]


@st.composite
def classification_cases(draw, label_sets=tuple(LABEL_SETS)):
    """A stub classifier and a test fold: ties, constant outputs, a single class, weights."""
    classes = LABEL_SETS[draw(st.sampled_from(label_sets))]
    n_classes = len(classes)
    n = draw(st.integers(1, 25))
    codes = st.integers(0, n_classes - 1)
    # Few distinct values: ties, and sometimes a single class or a constant output.
    y_codes = np.array(draw(st.lists(codes, min_size=n, max_size=n)))
    pred_codes = np.array(draw(st.lists(codes, min_size=n, max_size=n)))
    margin_values = st.sampled_from([-2.0, -0.5, 0.0, 0.25, 1.0, 3.0])
    margins = np.array(draw(st.lists(margin_values, min_size=n, max_size=n)))
    raw = np.array(draw(st.lists(
        st.lists(st.integers(0, 4), min_size=n_classes, max_size=n_classes), min_size=n, max_size=n
    )), dtype=np.float64) + 0.5 * draw(st.booleans())
    proba = raw / np.maximum(raw.sum(axis=1, keepdims=True), 1e-300)
    proba[raw.sum(axis=1) == 0] = 1.0 / n_classes
    methods = draw(st.sampled_from(["both", "proba", "margins"]))
    estimator = StubClassifier(
        classes,
        classes[pred_codes],
        margins=(margins if n_classes == 2 else np.tile(margins[:, None], (1, n_classes)))
        if methods != "proba" else None,
        proba=proba if methods != "margins" else None,
    )
    y = classes[y_codes]
    if draw(st.booleans()):
        y = pd.Series(y)
    return estimator, y, draw(sample_weights(n))


def sample_weights(n):
    weight = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25])
    return st.one_of(
        st.none(),
        st.lists(weight, min_size=n, max_size=n).map(np.array),
        st.lists(st.integers(1, 3), min_size=n, max_size=n).map(np.array),
    )


@st.composite
def regression_cases(draw):
    """A stub regressor and a test fold: ties, constant targets and predictions, weights."""
    n = draw(st.integers(1, 25))
    value = st.sampled_from([-3.0, -1.0, 0.0, 0.5, 2.0, 1e3])
    y = np.array(draw(st.lists(value, min_size=n, max_size=n)))
    if draw(st.booleans()):
        y = y.astype(np.int64)
    predictions = np.array(draw(st.lists(
        st.floats(-1e3, 1e3, allow_nan=False, width=64), min_size=n, max_size=n
    )))
    if draw(st.booleans()):
        predictions = y.astype(np.float64) + draw(st.sampled_from([0.0, 0.5]))
    if draw(st.booleans()):
        y = pd.Series(y)
    return StubRegressor(predictions), y, draw(sample_weights(n))


@pytest.mark.parametrize("name", CLASSIFICATION_SCORERS)
@PROPERTY_SETTINGS
@given(case=classification_cases())
def test_classification_scorers_match_scikit_learn(name, case):
    _assert_same_as_sklearn(name, *case)


@pytest.mark.parametrize("name", sorted(REGRESSION_SCORERS))
@PROPERTY_SETTINGS
@given(case=regression_cases())
def test_regression_scorers_match_scikit_learn(name, case):
    _assert_same_as_sklearn(name, *case)


@settings(max_examples=100, deadline=None)
@given(case=classification_cases(), error_score=st.sampled_from([np.nan, "raise"]))
def test_multimetric_scoring_matches_scikit_learns_multimetric_scorer(case, error_score):
    estimator, y, sample_weight = case
    names = ["accuracy", "roc_auc", "neg_log_loss", "f1_macro", "precision"]
    expected_scorer = check_scoring(estimator, names, raise_exc=(error_score == "raise"))
    X = np.zeros((len(y), 1))
    expected = _outcome(expected_scorer, estimator, X, y, sample_weight)
    fast = _outcome(fast_scorer(names, error_score), estimator, X, y, sample_weight)
    assert _same(fast[0], expected[0]), (fast, expected)


def _fitted_cases():
    X, y = make_classification(n_samples=400, n_features=6, n_informative=4, n_classes=3, random_state=0)
    binary = y % 2
    yield LogisticRegression().fit(X[:200], binary[:200]), X[200:], binary[200:]
    yield LogisticRegression().fit(X[:200], y[:200]), X[200:], y[200:]
    strings = np.array(["cat", "dog"])[binary]
    yield LogisticRegression().fit(X[:200], strings[:200]), X[200:], pd.Series(strings[200:])


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("name", CLASSIFICATION_SCORERS)
def test_fitted_classifiers_score_as_scikit_learn(name, case):
    estimator, X, y = list(_fitted_cases())[case]
    weight = np.random.RandomState(case).rand(len(y))
    for sample_weight in (None, weight):
        expected = _outcome(get_scorer(name), estimator, X, y, sample_weight)
        assert _same(_outcome(fast_scorer(name), estimator, X, y, sample_weight)[0], expected[0])


def test_the_fast_path_computes_the_common_case_itself(monkeypatch):
    """Not a fallback in disguise: with scikit-learn's scorers broken, the numbers still come."""
    estimator, X, y = next(_fitted_cases())
    expected = {name: get_scorer(name)(estimator, X, y) for name in CLASSIFICATION_SCORERS}

    def broken(name):
        raise AssertionError(f"scikit-learn's scorer was called for {name}")

    monkeypatch.setattr(fast_scoring, "get_scorer", broken)
    for name in CLASSIFICATION_SCORERS:
        assert math.isclose(fast_scorer(name)(estimator, X, y), expected[name], rel_tol=1e-12)


@pytest.mark.parametrize(
    "scoring",
    [
        "explained_variance",
        "roc_auc_ovo",
        get_scorer("roc_auc"),
        lambda estimator, X, y: 0.0,
        make_scorer(fbeta_score, beta=2),
        {"a": "accuracy", "b": make_scorer(fbeta_score, beta=2)},
        ["accuracy", "jaccard"],
        [],
        None,
    ],
)
def test_unrecognised_scoring_goes_through_scikit_learn(scoring):
    assert fast_scorer(scoring) is None
    search = HyperDriveSearchCV(LogisticRegression(), {"C": loguniform(0.1, 10)}, scoring=scoring)
    sklearn_scorer = object()
    if scoring is not None:
        assert worker_scorer(search.scoring, sklearn_scorer, search.error_score) is sklearn_scorer


def test_metadata_routing_goes_through_scikit_learn():
    with config_context(enable_metadata_routing=True):
        assert fast_scorer("roc_auc") is None


def test_the_fold_target_is_prepared_once_per_y_and_sample_weight_object(monkeypatch):
    created = []

    class CountingTarget(fast_scoring.FoldTarget):
        def __init__(self, y, sample_weight):
            created.append(id(y))
            super().__init__(y, sample_weight)

    monkeypatch.setattr(fast_scoring, "FoldTarget", CountingTarget)
    estimator, X, y = next(_fitted_cases())
    scorer = fast_scorer(["roc_auc", "accuracy"])
    for _ in range(3):
        scorer(estimator, X, y)
    assert len(created) == 1
    scorer(estimator, X, y.copy())
    assert len(created) == 2
    for _ in range(fast_scoring._MAX_CACHED_FOLDS + 5):
        scorer(estimator, X, y.copy())
    assert len(scorer._folds._entries) == fast_scoring._MAX_CACHED_FOLDS


def test_pickles_without_its_cache_and_still_scores():
    estimator, X, y = next(_fitted_cases())
    scorer = fast_scorer("roc_auc")
    expected = scorer(estimator, X, y)
    assert scorer._folds._entries
    restored = pickle.loads(pickle.dumps(scorer))
    assert not restored._folds._entries
    assert len(pickle.dumps(scorer)) < 500
    assert restored(estimator, X, y) == expected


def test_threads_sharing_a_scorer_get_the_same_scores():
    estimator, X, y = list(_fitted_cases())[1]
    scorer = fast_scorer(["roc_auc_ovr", "f1_weighted", "neg_log_loss"])
    expected = check_scoring(estimator, ["roc_auc_ovr", "f1_weighted", "neg_log_loss"])(estimator, X, y)
    results = []

    def score():
        results.extend(scorer(estimator, X, y) for _ in range(20))

    threads = [threading.Thread(target=score) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 80
    assert all(_same(result, expected) for result in results)


@pytest.mark.parametrize("scoring", ["roc_auc", ["roc_auc", "neg_log_loss", "f1"]])
def test_search_scores_as_with_the_fast_path_disabled(scoring, monkeypatch):
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    refit = "roc_auc" if isinstance(scoring, list) else True

    def search():
        return HyperDriveSearchCV(
            LogisticRegression(), {"C": loguniform(1e-3, 10)}, scoring=scoring, refit=refit,
            max_total_runs=4, random_state=0, cv=3,
        ).fit(X, y)

    fast = search()
    monkeypatch.setattr("hdsearch.engine.evaluation.fast_scorer", lambda *args: None)
    slow = search()
    score_keys = [key for key in slow.cv_results_ if key.startswith("split") and "test" in key]
    assert score_keys
    for key in score_keys:
        np.testing.assert_allclose(fast.cv_results_[key], slow.cv_results_[key], rtol=1e-12, atol=0)
    scorers = fast.scorer_ if isinstance(fast.scorer_, dict) else {"score": fast.scorer_}
    assert all(type(s).__module__.startswith("sklearn.") for s in scorers.values())


def test_search_scores_do_not_depend_on_n_jobs_or_backend():
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)

    def search(n_jobs, backend):
        with parallel_config(backend=backend):
            return HyperDriveSearchCV(
                LogisticRegression(), {"C": loguniform(1e-3, 10)}, scoring=["roc_auc", "f1_macro"],
                refit="roc_auc", max_total_runs=4, random_state=0, cv=3, n_jobs=n_jobs,
            ).fit(X, y)

    serial, threads, processes = search(1, "loky"), search(2, "threading"), search(2, "loky")
    for key in [key for key in serial.cv_results_ if key.startswith("split")]:
        np.testing.assert_array_equal(threads.cv_results_[key], serial.cv_results_[key])
        np.testing.assert_array_equal(processes.cv_results_[key], serial.cv_results_[key])
