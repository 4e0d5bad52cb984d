"""XGBoost, LightGBM and CatBoost: boosting rounds continued natively, interval by interval."""

import os
import sqlite3
import textwrap
import time
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from helpers import assert_same_cv_results, force_run_ahead, kill_when

from hdsearch import HyperDriveSearchCV, loguniform
from hdsearch.resource.growth import rounds_of
from hdsearch._config import stream_factory
from hdsearch._data import TrainingFold
from hdsearch.engine import Evaluation
from hdsearch.policy import BanditPolicy, HalvingPolicy
from hdsearch.resource import WarmStart

LIBRARIES = ["xgboost", "lightgbm", "catboost"]
X, y = make_classification(n_samples=300, n_features=6, n_informative=4, random_state=0)
X_3, y_3 = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0)
X_reg, y_reg = make_regression(n_samples=300, n_features=6, noise=5.0, random_state=0)
SCHEDULE = WarmStart("n_estimators", 4, 24, step=4)  # 4, 8, ..., 24: six intervals


def library(name):
    """The module, or a skip when it is not installed (the ``boost`` extra installs all three)."""
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install hdsearch[boost])")


def classifier(name, **params):
    """A small, deterministic (no subsampling, no random split scores), single-threaded classifier of the library."""
    lib = library(name)
    if name == "xgboost":
        return lib.XGBClassifier(max_depth=3, learning_rate=0.3, n_jobs=1, **params)
    if name == "lightgbm":
        return lib.LGBMClassifier(num_leaves=7, learning_rate=0.3, n_jobs=1, verbose=-1, **params)
    settings = dict(depth=3, learning_rate=0.3, thread_count=1, verbose=0, random_seed=0,
                    allow_writing_files=False, random_strength=0, bootstrap_type="No")
    return lib.CatBoostClassifier(**{**settings, **params})


def regressor(name):
    lib = library(name)
    if name == "xgboost":
        return lib.XGBRegressor(max_depth=3, learning_rate=0.3, n_jobs=1)
    if name == "lightgbm":
        return lib.LGBMRegressor(num_leaves=7, learning_rate=0.3, n_jobs=1, verbose=-1)
    return lib.CatBoostRegressor(depth=3, learning_rate=0.3, thread_count=1, verbose=0, random_seed=0,
                                 allow_writing_files=False, random_strength=0, bootstrap_type="No")


SPACE = {"reg_lambda": loguniform(-3, 3)}


def search(estimator, **kwargs):
    defaults = dict(resource=SCHEDULE, policy=HalvingPolicy(factor=2), max_total_runs=6, cv=KFold(3),
                    random_state=0)
    param = "clf__reg_lambda" if isinstance(estimator, Pipeline) else "reg_lambda"
    return HyperDriveSearchCV(estimator, {param: SPACE["reg_lambda"]}, **{**defaults, **kwargs})


def grown(estimator, X, y, scored_steps, resource=SCHEDULE):
    """A model grown by ``resource`` between ``scored_steps``, as a search grows a fold model."""
    model = resource.new_model(estimator, {})
    fold = TrainingFold(X, y, np.arange(len(X)), {})
    previous = 0
    for step in scored_steps:
        model = resource.advance(model, previous + 1, step, fold, None, None)
        previous = step
    return model


# ------------------------------------------------------------------ continuation


class RecordingWarmStart(WarmStart):
    """WarmStart that records, per (trial, fold), the rounds of the fold model after each call."""

    calls = []

    def advance(self, model, first, last, fold, rng_for, classes):
        model = super().advance(model, first, last, fold, rng_for, classes)
        # rng_for(0) is seeded by (trial, fold): its first draw names the fold.
        self.calls.append((int(rng_for(0).integers(2**62)), last, rounds_of(model)))
        return model


def fold_key(trial_id, fold):
    return int(stream_factory(0, trial_id, fold)(0).integers(2**62))


@pytest.mark.parametrize("name", LIBRARIES)
def test_halving_stops_trials_and_every_fold_model_holds_the_rounds_reached(name, monkeypatch):
    # Tasks that ran ahead would train past a termination (and drop it): stop at each decision.
    force_run_ahead(monkeypatch, 0)
    RecordingWarmStart.calls = []
    fitted = search(classifier(name), resource=RecordingWarmStart("n_estimators", 4, 24, step=4)).fit(X, y)
    results = fitted.cv_results_
    assert "terminated" in set(results["status"]) and "completed" in set(results["status"])
    last_rounds = {}
    for key, last, rounds in RecordingWarmStart.calls:
        assert rounds == SCHEDULE.schedule()[last - 1]
        last_rounds[key] = rounds
    for trial_id, reached in enumerate(results["resource_reached"]):
        assert [last_rounds[fold_key(trial_id, fold)] for fold in range(3)] == [reached] * 3
    assert rounds_of(fitted.best_estimator_) == 24


class RoundCounter:
    """Counts the boosting rounds a library trains, through its own training callback."""

    rounds = 0

    @classmethod
    def fit_params(cls, name):
        if name == "lightgbm":
            return {"callbacks": [cls.lightgbm]}
        if name == "catboost":
            return {"callbacks": [cls()]}
        return {}

    @classmethod
    def estimator(cls, name):
        if name != "xgboost":
            return classifier(name)
        xgboost = library("xgboost")

        class XGBoostCounter(xgboost.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):
                cls.rounds += 1
                return False

        return classifier(name, callbacks=[XGBoostCounter()])

    @classmethod
    def lightgbm(cls, env):
        cls.rounds += 1

    def after_iteration(self, info):  # CatBoost
        type(self).rounds += 1
        return True


@pytest.mark.parametrize("name", LIBRARIES)
def test_each_interval_trains_only_its_new_rounds(name, monkeypatch):
    force_run_ahead(monkeypatch, 0)  # no work past a termination to count
    RoundCounter.rounds = 0
    fitted = search(RoundCounter.estimator(name), n_jobs=1).fit(X, y, **RoundCounter.fit_params(name))
    reached = fitted.cv_results_["resource_reached"]
    # Each fold model trains the rounds it reached once; the refit trains the best trial's in one fit.
    assert RoundCounter.rounds == 3 * reached.sum() + 24
    refits = sum(3 * sum(range(4, r + 1, 4)) for r in reached) + sum(range(4, 25, 4))
    assert RoundCounter.rounds < refits


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize("kind", ["classifier", "multiclass", "regressor", "pipeline"])
def test_a_grown_model_predicts_what_one_fit_predicts(name, kind):
    data = {"regressor": (X_reg, y_reg), "multiclass": (X_3, y_3)}.get(kind, (X, y))
    estimator = regressor(name) if kind == "regressor" else classifier(name)
    param = "n_estimators"
    if kind == "pipeline":
        estimator, param = Pipeline([("scale", StandardScaler()), ("clf", estimator)]), "clf__n_estimators"
    resource = WarmStart(param, 4, 24, step=4)
    model = grown(estimator, *data, scored_steps=(1, 2, 4, 6), resource=resource)
    one_fit = estimator.set_params(**{param: 24}).fit(*data)
    method = "predict" if kind == "regressor" else "predict_proba"
    assert rounds_of(model) == rounds_of(one_fit) == 24
    check_is_fitted(model)
    np.testing.assert_allclose(getattr(model, method)(data[0]), getattr(one_fit, method)(data[0]), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", LIBRARIES)
def test_a_pipeline_search_hands_back_a_fitted_pipeline_with_the_final_rounds(name):
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", classifier(name))])
    fitted = search(pipeline, resource=WarmStart("clf__n_estimators", 4, 24, step=4)).fit(X, y)
    check_is_fitted(fitted.best_estimator_)
    assert isinstance(fitted.best_estimator_, Pipeline)
    assert rounds_of(fitted.best_estimator_[-1]) == 24
    assert fitted.predict(X).shape == (len(X),)
    assert "terminated" in set(fitted.cv_results_["status"])


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_views_of_earlier_rounds_predict_what_the_library_predicts_at_that_round(name, kind):
    data, method = ((X, y), "predict_proba") if kind == "classifier" else ((X_reg, y_reg), "predict")
    model = grown(classifier(name) if kind == "classifier" else regressor(name), *data, scored_steps=(6,))
    predict = getattr(model, method)
    if name == "xgboost":
        at = lambda j: predict(data[0], iteration_range=(0, j))  # noqa: E731
    elif name == "lightgbm":
        at = lambda j: predict(data[0], num_iteration=j)  # noqa: E731
    else:
        at = lambda j: predict(data[0], ntree_end=j)  # noqa: E731
    # LightGBM has no staged prediction: only a short segment is read from the model.
    first = 5 if name == "lightgbm" else 1
    if first > 1:
        assert SCHEDULE.earlier_steps(model, 1, 6) == []
    views = SCHEDULE.earlier_steps(model, first, 6)
    # With the model's own round, read from the same pass, but for CatBoost.
    assert [step for step, _ in views] == list(range(first, 6 if name == "catboost" else 7))
    for step, view in views:
        np.testing.assert_allclose(getattr(view, method)(data[0]), at(SCHEDULE.schedule()[step - 1]), rtol=1e-6, atol=1e-6)
        if kind == "classifier":
            np.testing.assert_array_equal(view.classes_, model.classes_)
    if name != "catboost":  # the worker scores it from the view: it must be the model's prediction, bit for bit
        np.testing.assert_array_equal(getattr(views[-1][1], method)(data[0]), predict(data[0]))


@pytest.mark.parametrize("name, kind", [("xgboost", "classifier"), ("xgboost", "regressor"), ("catboost", "classifier")])
def test_without_a_policy_every_interval_has_a_score_from_one_fit(name, kind):
    estimator, data = (classifier(name), (X, y)) if kind == "classifier" else (regressor(name), (X_reg, y_reg))
    fitted = search(estimator, policy=None, max_total_runs=2).fit(*data)
    for trial in fitted.trials_:
        curve = trial.interval_scores("score", True, 3)
        assert len(curve) == 6 and None not in curve
        assert sorted({r.interval for r in trial.results}) == [1, 2, 3, 4, 5, 6]


# ------------------------------------------------------------------ guarantees


@pytest.mark.parametrize("name", LIBRARIES)
def test_same_results_for_one_and_two_processes(name):
    one = search(classifier(name), n_jobs=1).fit(X, y)
    two = search(classifier(name), n_jobs=2).fit(X, y)
    assert_same_cv_results(one.cv_results_, two.cv_results_)
    np.testing.assert_allclose(one.predict_proba(X), two.predict_proba(X))


def test_xgboost_and_lightgbm_without_subsampling_grow_to_any_round_in_one_call():
    assert SCHEDULE.scores_from_one_fit(classifier("xgboost"))
    assert SCHEDULE.scores_from_one_fit(classifier("xgboost", subsample=1.0))
    for settings in ({"subsample": 0.8}, {"colsample_bytree": 0.5}, {"colsample_bynode": 0.9}, {"booster": "dart"}):
        assert not SCHEDULE.grows_in_one_call(classifier("xgboost", **settings)), settings
    # LightGBM grows exactly too, but reads an earlier round only by predicting it whole.
    assert SCHEDULE.grows_in_one_call(classifier("lightgbm"))
    assert not SCHEDULE.scores_from_one_fit(classifier("lightgbm"))
    for settings in ({"subsample": 0.8, "subsample_freq": 1}, {"colsample_bytree": 0.5}, {"boosting_type": "dart"},
                     {"boosting_type": "goss"}, {"extra_trees": True}, {"feature_fraction_bynode": 0.5}):
        assert not SCHEDULE.grows_in_one_call(classifier("lightgbm", **settings)), settings
    # CatBoost's continuation is not one fit.
    assert not SCHEDULE.grows_in_one_call(classifier("catboost"))


@pytest.mark.parametrize("name", ["xgboost", "lightgbm"])
@pytest.mark.parametrize("searched, merged", [({"reg_lambda"}, True), ({"reg_lambda", "subsample"}, False)])
def test_searching_a_subsampling_parameter_scores_only_where_the_policy_acts(name, searched, merged):
    evaluation = Evaluation(classifier(name), X, y, splits=[], scorer=None, metric_names=None,
                            resource=SCHEDULE, searched_params=frozenset(searched))
    assert evaluation.merges_calls is merged
    assert evaluation.scores_from_one_fit is (merged and name == "xgboost")


@pytest.mark.parametrize("name", ["xgboost", "lightgbm"])
@pytest.mark.parametrize("run_ahead", [0, 1, 3, 100])
def test_the_same_results_however_rounds_are_grouped_into_calls(name, run_ahead, monkeypatch):
    policy = BanditPolicy(slack_factor=0.01, evaluation_interval=2)
    reference = search(classifier(name), policy=policy).fit(X, y)
    assert "terminated" in set(reference.cv_results_["status"])
    force_run_ahead(monkeypatch, run_ahead)
    RecordingWarmStart.calls = []
    resource = RecordingWarmStart("n_estimators", 4, 24, step=4)
    forced = search(classifier(name), policy=policy, resource=resource).fit(X, y)
    assert_same_cv_results(reference.cv_results_, forced.cv_results_)
    for expected, trial in zip(reference.trials_, forced.trials_):
        assert trial.interval_scores("score", True, 3) == expected.interval_scores("score", True, 3)
    np.testing.assert_array_equal(forced.predict_proba(X), reference.predict_proba(X))
    if run_ahead == 100:  # one call per fold to the last round, every round read from it; one refit
        assert len(RecordingWarmStart.calls) == 3 * len(forced.trials_) + 1


@pytest.mark.parametrize("run_ahead", [0, 1, 3])
def test_catboost_randomness_gives_the_same_results_however_far_tasks_run_ahead(run_ahead, monkeypatch):
    # With CatBoost's default random split scores and bootstrap, the random
    # stream restarts at every continuation, in one task or across tasks alike.
    estimator = classifier("catboost", random_strength=1, bootstrap_type="Bernoulli", subsample=0.7)
    reference = search(estimator, policy=HalvingPolicy(factor=2, min_resource=1)).fit(X, y)
    force_run_ahead(monkeypatch, run_ahead)
    forced = search(estimator, policy=HalvingPolicy(factor=2, min_resource=1)).fit(X, y)
    assert_same_cv_results(reference.cv_results_, forced.cv_results_)


def test_no_refit_warning_for_the_wrappers():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*refits from scratch")
        for name in LIBRARIES:
            SCHEDULE.check(classifier(name), ["reg_lambda"])


@pytest.mark.parametrize(
    "name, settings, fit_params, named",
    [
        ("xgboost", {"early_stopping_rounds": 5}, {}, "early_stopping_rounds=5"),
        ("lightgbm", {"early_stopping_round": 5}, {}, "early_stopping_round=5"),
        ("lightgbm", {}, "lightgbm_callback", "callbacks="),
        ("catboost", {"od_type": "Iter"}, {}, "od_type='Iter'"),
        ("catboost", {}, {"eval_set": (X, y)}, "use_best_model=None"),
    ],
)
def test_early_stopping_inside_the_library_is_an_error_before_any_fit(name, settings, fit_params, named):
    counting = RoundCounter.fit_params(name)
    if fit_params == "lightgbm_callback":
        fit_params = {"callbacks": [library("lightgbm").early_stopping(5), *counting["callbacks"]]}
    RoundCounter.rounds = 0
    estimator = classifier(name, **settings)
    with pytest.raises(ValueError, match=f"(?s)WarmStart.*{named}"):
        search(estimator).fit(X, y, **{**counting, **fit_params})
    assert RoundCounter.rounds == 0


def test_catboost_without_learning_rate_is_an_error_naming_it():
    catboost = library("catboost")
    with pytest.raises(ValueError, match="learning_rate is not set"):
        search(catboost.CatBoostClassifier(verbose=0)).fit(X, y)


def test_catboost_parameters_unset_in_the_constructor_can_be_searched():
    catboost = library("catboost")
    estimator = catboost.CatBoostClassifier(verbose=0, thread_count=1, allow_writing_files=False)
    fitted = HyperDriveSearchCV(
        estimator, {"learning_rate": loguniform(-3, 0), "depth": [2, 3]}, resource=SCHEDULE,
        max_total_runs=2, cv=2, random_state=0,
    ).fit(X, y)
    assert set(fitted.cv_results_["status"]) == {"completed"}


CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = {paths!r}
    from test_boosting import X, y, killable_search, slow_rounds

    killable_search({db!r}).fit(X, y, callbacks=[slow_rounds])
    """
)


def slow_rounds(env):
    """A LightGBM training callback that makes each round a little slower, so a search can be killed mid-way."""
    time.sleep(0.01)


def killable_search(db=None):
    storage = {} if db is None else {"storage": db, "experiment_name": "killed"}
    return search(classifier("lightgbm"), max_total_runs=8, max_concurrent_runs=2, **storage)


def test_a_killed_lightgbm_search_resumes_to_the_uninterrupted_results(tmp_path):
    library("lightgbm")
    db = str(tmp_path / "store.db")
    here = os.path.dirname(__file__)
    kill_when(CHILD.format(paths=[here, os.path.dirname(here)], db=db), lambda: _killable(db))
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    assert stored < 8, "the kill should land mid-search"

    resumed = killable_search(db).fit(X, y, callbacks=[slow_rounds])
    assert resumed.experiment_.resumed_trials == stored
    uninterrupted = killable_search().fit(X, y)
    assert_same_cv_results(resumed.cv_results_, uninterrupted.cv_results_)


def _killable(db):
    """A running trial with intervals done: its fold models die with the process."""
    query = """
        SELECT COUNT(*) FROM trials t WHERE t.status = 'running' AND EXISTS
            (SELECT 1 FROM intervals i WHERE i.experiment = t.experiment AND i.trial_id = t.trial_id)
    """
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute(query).fetchone()[0] >= 1
    except sqlite3.Error:
        return False


def test_the_lightgbm_example_spec_builds_a_search_that_continues_boosters():
    library("lightgbm")
    from hdsearch.resource.growth import continues
    from hdsearch._spec import read_spec

    spec = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples", "lightgbm_halving.toml")
    sweep = read_spec(spec)
    assert isinstance(sweep.search.resource, WarmStart)
    assert continues(sweep.search.estimator, sweep.search.resource.param)
    assert isinstance(sweep.search.policy, HalvingPolicy)


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize("scoring", [None, "roc_auc"])
def test_curve_points_between_scored_intervals_score_the_model_at_that_round(name, scoring):
    # HalvingPolicy(factor=2) scores intervals 1, 2, 4 and 6; 3 and 5 are read from the model.
    fitted = search(classifier(name), scoring=scoring, max_total_runs=2, policy=HalvingPolicy(factor=2)).fit(X, y)
    curve = fitted.trials_[0].interval_scores("score", True, 3)
    if name == "lightgbm":  # only short segments: 3 (12 rounds <= 16) and 5 (20 <= 24)
        assert curve[2] is not None and curve[4] is not None
    expected = []
    for train, test in KFold(3).split(X):
        model = classifier(name, reg_lambda=fitted.trials_[0].params["reg_lambda"], n_estimators=12).fit(X[train], y[train])
        if scoring is None:
            expected.append(model.score(X[test], y[test]))
        else:
            from sklearn.metrics import roc_auc_score

            expected.append(roc_auc_score(y[test], model.predict_proba(X[test])[:, 1]))
    assert curve[2] == pytest.approx(np.mean(expected), abs=1e-9)


@pytest.mark.parametrize(
    "estimator, param",
    [
        ("GradientBoostingClassifier", "n_estimators"),
        ("HistGradientBoostingClassifier", "max_iter"),
    ],
)
def test_scikit_learn_boosting_views_read_staged_predictions(estimator, param):
    from sklearn import ensemble

    model_class = getattr(ensemble, estimator)
    extra = {"early_stopping": False} if param == "max_iter" else {}
    resource = WarmStart(param, 4, 24, step=4)
    model = grown(model_class(max_depth=3, random_state=0, **extra), X, y, scored_steps=(6,), resource=resource)
    views = resource.earlier_steps(model, 1, 6)
    assert [step for step, _ in views] == [1, 2, 3, 4, 5, 6]  # the model's own round too
    for step, view in views:
        one_fit = model_class(max_depth=3, random_state=0, **extra, **{param: 4 * step}).fit(X, y)
        np.testing.assert_allclose(view.predict_proba(X), one_fit.predict_proba(X), atol=1e-12)
        assert view.score(X, y) == one_fit.score(X, y)


def test_catboost_iterations_is_a_round_parameter_too():
    resource = WarmStart("iterations", 4, 24, step=4)
    model = grown(classifier("catboost"), X, y, scored_steps=(1, 3, 6), resource=resource)
    assert rounds_of(model) == 24
    fitted = search(classifier("catboost"), resource=resource, max_total_runs=2, policy=None).fit(X, y)
    assert rounds_of(fitted.best_estimator_) == 24
