"""The default scorer's fast path for accuracy gives what ``estimator.score`` gives."""

import numpy as np
import pytest
import sklearn.metrics
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hdsearch import HyperDriveSearchCV, PartialFit, choice, loguniform
from hdsearch._scoring import EstimatorScore


@pytest.fixture
def forbid_accuracy_score(monkeypatch):
    """Make any call of scikit-learn's accuracy_score fail the test."""

    def fail(*args, **kwargs):
        raise AssertionError("accuracy_score was called")

    monkeypatch.setattr(sklearn.metrics, "accuracy_score", fail)
    monkeypatch.setattr("hdsearch._scoring.accuracy_score", fail)


def _data(n_classes, labels):
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=n_classes, random_state=0
    )
    return X, np.asarray(labels)[y]


LABELS = {
    "int binary": (2, np.array([3, 7])),
    "uint multiclass": (3, np.array([0, 1, 2], dtype=np.uint8)),
    "bool": (2, np.array([False, True])),
    "strings": (3, np.array(["cat", "dog", "eel"])),
}


@pytest.mark.parametrize("case", list(LABELS))
@pytest.mark.parametrize("estimator", [LogisticRegression(), DecisionTreeClassifier(max_depth=2, random_state=0)])
def test_plain_labels_skip_accuracy_score_and_give_the_same_float(case, estimator, forbid_accuracy_score):
    X, y = _data(*LABELS[case])
    model = estimator.fit(X[:200], y[:200])
    expected = float(np.mean(model.predict(X[200:]) == y[200:]))
    score = EstimatorScore(check_scoring(model))(model, X[200:], y[200:])
    assert type(score) is float
    assert score == expected
    assert 0 < score < 1  # a score that could be wrong


@pytest.mark.parametrize("case", list(LABELS))
def test_the_fast_path_equals_the_estimators_own_score_bit_for_bit(case):
    X, y = _data(*LABELS[case])
    model = LogisticRegression().fit(X[:200], y[:200])
    assert EstimatorScore(check_scoring(model))(model, X[200:], y[200:]) == model.score(X[200:], y[200:])


class OwnScore(DecisionTreeClassifier):
    def score(self, X, y, sample_weight=None):
        return 0.25


@pytest.mark.parametrize(
    "y, score_params",
    [
        pytest.param(np.array([0.0, 1.0, 1.0, 0.0]), {}, id="float labels"),
        pytest.param(np.array(["a", "b", "a", "b"], dtype=object), {}, id="object labels"),
        pytest.param(np.array([0, 1, 1, 0]), {"sample_weight": np.array([1.0, 0.0, 0.0, 0.0])}, id="sample_weight"),
    ],
)
def test_other_labels_and_score_params_go_through_accuracy_score(y, score_params, monkeypatch):
    calls = []
    real = sklearn.metrics.accuracy_score

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sklearn.metrics, "accuracy_score", counted)
    monkeypatch.setattr("hdsearch._scoring.accuracy_score", counted)
    X = np.arange(2 * len(y), dtype=float).reshape(-1, 2)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert EstimatorScore(check_scoring(model))(model, X, y, **score_params) == 1.0
    assert calls == [1]


def test_an_overridden_score_a_pipeline_and_a_regressor_use_their_own_score(forbid_accuracy_score):
    X, y = _data(2, np.array([0, 1]))
    own = OwnScore(random_state=0).fit(X, y)
    assert EstimatorScore(check_scoring(own))(own, X, y) == 0.25
    regressor = LinearRegression().fit(X, y)
    assert EstimatorScore(check_scoring(regressor))(regressor, X, y) == regressor.score(X, y)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(AssertionError, match="accuracy_score was called"):
        EstimatorScore(check_scoring(pipeline))(pipeline, X, y)  # Pipeline.score -> ClassifierMixin.score


def test_a_prediction_of_another_kind_gets_what_accuracy_score_gives():
    class StringPredictions(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.full(len(X), "x")

    X, y = _data(2, np.array([0, 1]))
    model = StringPredictions().fit(X, y)

    def outcome(score):
        try:
            return score(X, y)
        except ValueError as exc:  # scikit-learn >= 1.7: "Mix of label input types"
            return str(exc)

    expected = outcome(model.score)
    assert outcome(lambda X, y: EstimatorScore(check_scoring(model))(model, X, y)) == expected


def test_scoring_none_and_scoring_accuracy_give_identical_searches():
    X, y = make_classification(n_samples=400, n_features=8, random_state=1)
    y = np.array(["no", "yes"])[y]

    def search(scoring):
        return HyperDriveSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(-6, -1), "penalty": choice("l2", "l1")},
            resource=PartialFit(4),
            scoring=scoring,
            max_total_runs=5,
            cv=KFold(3, shuffle=True, random_state=0),
            random_state=0,
        ).fit(X, y)

    default, accuracy = search(None), search("accuracy")
    for key in ["mean_test_score", "split0_test_score", "split2_test_score"]:
        np.testing.assert_array_equal(default.cv_results_[key], accuracy.cv_results_[key])
    curves = [[r.test_scores for r in trial.results] for trial in default.trials_]
    assert curves == [[r.test_scores for r in trial.results] for trial in accuracy.trials_]
    distinct = {score["score"] for curve in curves for score in curve}
    assert len(distinct) > 3  # the scores differ from step to step: the check has teeth
    assert default.scorer_ is not None and not isinstance(default.scorer_, EstimatorScore)
