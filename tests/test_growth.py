"""WarmStart's growth adapters: one chosen per search at check time, called directly by the fold steps."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    AdaBoostClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from hdsearch import HyperDriveSearchCV
from hdsearch._data import TrainingFold
from hdsearch.policy import HalvingPolicy
from hdsearch.resource import WarmStart, make_resource
from hdsearch.resource import warm_start as warm_start_module
from hdsearch.resource.growth import (
    CatBoostGrowth,
    LightGBMGrowth,
    Refit,
    StagedBoosting,
    WarmStartFlag,
    XGBoostGrowth,
    choose_growth,
)

X, y = make_classification(n_samples=200, n_features=6, n_informative=4, random_state=0)


def wrapper(library, **params):
    """A classifier of an optional library, or a skip when it is not installed."""
    module = pytest.importorskip(library)
    settings = {"xgboost": {"n_jobs": 1}, "lightgbm": {"n_jobs": 1, "verbose": -1},
                "catboost": {"thread_count": 1, "verbose": 0, "learning_rate": 0.3, "allow_writing_files": False}}
    names = {"xgboost": "XGBClassifier", "lightgbm": "LGBMClassifier", "catboost": "CatBoostClassifier"}
    return getattr(module, names[library])(**settings[library], **params)


@pytest.mark.parametrize(
    "make_estimator, param, adapter",
    [
        (lambda: HistGradientBoostingClassifier(early_stopping=False), "max_iter", StagedBoosting),
        (lambda: GradientBoostingRegressor(), "n_estimators", StagedBoosting),
        (lambda: make_pipeline(StandardScaler(), GradientBoostingClassifier()),
         "gradientboostingclassifier__n_estimators", StagedBoosting),
        (lambda: RandomForestClassifier(), "n_estimators", WarmStartFlag),
        (lambda: LogisticRegression(), "max_iter", WarmStartFlag),
        (lambda: AdaBoostClassifier(), "n_estimators", Refit),
        (lambda: wrapper("xgboost"), "n_estimators", XGBoostGrowth),
        (lambda: wrapper("lightgbm"), "n_estimators", LightGBMGrowth),
        (lambda: wrapper("catboost"), "iterations", CatBoostGrowth),
        (lambda: make_pipeline(StandardScaler(), wrapper("xgboost")), "xgbclassifier__n_estimators", XGBoostGrowth),
    ],
)
def test_check_chooses_one_adapter_per_case(make_estimator, param, adapter):
    resource = WarmStart(param, 2, 8, step=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # AdaBoost's "refits from scratch"
        resource.check(make_estimator(), [])
    assert type(resource.growth_for(make_estimator())) is adapter


def test_a_fold_step_calls_the_adapter_chosen_at_check_and_chooses_no_other(monkeypatch):
    estimator = HistGradientBoostingClassifier(early_stopping=False, max_depth=2, random_state=0)
    resource = WarmStart("max_iter", 2, 8, step=2)
    resource.check(estimator, [])
    chosen = resource.growth_for(estimator)
    calls = []
    monkeypatch.setattr(warm_start_module, "choose_growth", lambda *args: calls.append(args))
    model = resource.new_model(estimator, {"learning_rate": 0.1})
    fold = TrainingFold(X, y, np.arange(len(X)), {})
    previous = 0
    for segment in resource.segments(model, [1, 2, 4]):
        model = resource.advance(model, previous + 1, segment[-1], fold, None, None)
        previous = segment[-1]
    views = resource.earlier_steps(model, 1, 4)
    assert calls == []
    assert resource.growth_for(model) is chosen
    assert model.n_iter_ == 8 and [step for step, _ in views] == [1, 2, 3, 4]


def test_the_adapter_travels_with_the_resource_to_the_workers():
    resource = make_resource(WarmStart("n_estimators", 2, 8, step=2))
    resource.check(GradientBoostingClassifier(), [])
    loaded = pickle.loads(pickle.dumps(resource))
    assert type(loaded._growth) is StagedBoosting
    assert loaded._growth.kind == resource._growth.kind
    assert loaded == resource


def test_a_search_binds_the_adapter_to_its_own_copy_of_the_resource():
    resource = WarmStart("max_iter", 2, 6, step=2)
    search = HyperDriveSearchCV(HistGradientBoostingClassifier(early_stopping=False), {"max_depth": [2, 3]},
                                resource=resource, max_total_runs=2, cv=2, random_state=0).fit(X, y)
    assert search.resource is resource
    assert "_growth" not in vars(resource)


def test_a_resource_checked_for_one_estimator_answers_for_another_of_another_kind():
    resource = WarmStart("n_estimators", 2, 8, step=2)
    resource.check(GradientBoostingClassifier(), [])
    assert resource.held_step_cost(RandomForestClassifier()) == 0.0
    assert not resource.grows_in_one_call(RandomForestClassifier())
    assert resource.held_step_cost(GradientBoostingClassifier()) == 0.5


def test_no_boosting_library_is_imported_with_hdsearch_or_its_adapters():
    code = ("import sys, hdsearch, hdsearch.resource.growth; "
            "print(sorted(m for m in ('xgboost', 'lightgbm', 'catboost', 'sklearn.ensemble') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


class SubclassedBoosting(GradientBoostingClassifier):
    """A user's subclass: its module is not scikit-learn's."""


def test_a_subclass_of_scikit_learn_boosting_is_scored_as_the_class_itself():
    # Before the adapters, its staged rounds were refused by module name and the search raised TypeError.
    def fitted(estimator):
        return HyperDriveSearchCV(
            estimator, {"learning_rate": [0.05, 0.1, 0.2]}, resource=WarmStart("n_estimators", 5, 20, step=5),
            policy=HalvingPolicy(factor=2), max_total_runs=3, cv=3, random_state=0,
        ).fit(X, y)

    subclassed = fitted(SubclassedBoosting(max_depth=2, random_state=0))
    plain = fitted(GradientBoostingClassifier(max_depth=2, random_state=0))
    assert list(subclassed.cv_results_["status"]) == list(plain.cv_results_["status"])
    np.testing.assert_array_equal(subclassed.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"])
