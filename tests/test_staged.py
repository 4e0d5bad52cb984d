"""The assumption behind staged boosting, checked on the installed scikit-learn.

With early stopping off, continuing a ``GradientBoosting*`` or
``HistGradientBoosting*`` model with ``warm_start`` equals one fit, and its
staged prediction at round i equals the prediction of a model fit to i, bit for
bit. ``hdsearch.resource.growth.scores_from_one_fit`` relies on both; a release that
breaks them fails here.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import get_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hdsearch.resource.growth import round_views, scores_from_one_fit

X_CLF, Y_CLF = make_classification(n_samples=400, n_features=6, n_classes=3, n_informative=4, random_state=0)
X_REG, Y_REG = make_regression(n_samples=400, n_features=6, noise=5.0, random_state=0)

MODELS = {
    "hgb classifier": (HistGradientBoostingClassifier, "max_iter", {"early_stopping": False, "max_features": 0.5}),
    "hgb regressor": (HistGradientBoostingRegressor, "max_iter", {"early_stopping": False}),
    "gb classifier": (GradientBoostingClassifier, "n_estimators", {"subsample": 0.7}),
    "gb regressor": (GradientBoostingRegressor, "n_estimators", {"max_features": 0.5}),
}


def data_for(model_class):
    return (X_CLF, Y_CLF) if "Classifier" in model_class.__name__ else (X_REG, Y_REG)


@pytest.mark.parametrize("name", list(MODELS))
def test_warm_start_continuation_equals_one_fit_and_staged_equals_a_shorter_fit(name):
    model_class, rounds, params = MODELS[name]
    X, y = data_for(model_class)
    method = "predict_proba" if "Classifier" in name else "predict"
    once = model_class(random_state=0, **params, **{rounds: 30}).fit(X, y)
    short = model_class(random_state=0, warm_start=True, **params, **{rounds: 10}).fit(X, y)
    at_10 = getattr(short, method)(X)
    continued = short.set_params(**{rounds: 30}).fit(X, y)
    np.testing.assert_array_equal(getattr(continued, method)(X), getattr(once, method)(X))
    staged = list(getattr(once, f"staged_{method}")(X))
    np.testing.assert_array_equal(staged[9], at_10)


@pytest.mark.parametrize(
    "model, param, expected",
    [
        (HistGradientBoostingRegressor(early_stopping=False), "max_iter", True),
        (HistGradientBoostingRegressor(), "max_iter", False),  # early stopping "auto"
        (GradientBoostingClassifier(), "n_estimators", True),
        (GradientBoostingClassifier(n_iter_no_change=5), "n_estimators", False),
        (GradientBoostingClassifier(), "max_depth", False),
        (make_pipeline(StandardScaler(), HistGradientBoostingClassifier(early_stopping=False)),
         "histgradientboostingclassifier__max_iter", True),
        (StandardScaler(), "n_estimators", False),
    ],
)
def test_which_models_score_every_round_from_one_fit(model, param, expected):
    assert scores_from_one_fit(model, param) is expected


@pytest.mark.parametrize("scoring", [None, "roc_auc_ovr", "neg_log_loss", "accuracy", "balanced_accuracy"])
def test_a_view_scores_as_the_model_fit_to_its_round_would(scoring):
    X, y = X_CLF, Y_CLF
    pipeline = make_pipeline(StandardScaler(), GradientBoostingClassifier(n_estimators=20, random_state=0))
    pipeline.fit(X, y)
    # The worker scores the last round of a call from its view too.
    views = round_views(pipeline, "gradientboostingclassifier__n_estimators", [5, 12, 20])
    scorer = get_scorer(scoring) if scoring else (lambda est, X_, y_: est.score(X_, y_))
    for round_, view in zip([5, 12, 20], views):
        shorter = make_pipeline(
            StandardScaler(), GradientBoostingClassifier(n_estimators=round_, random_state=0)
        ).fit(X, y)
        assert scorer(view, X, y) == scorer(shorter, X, y)
    np.testing.assert_array_equal(views[0].classes_, pipeline.classes_)
