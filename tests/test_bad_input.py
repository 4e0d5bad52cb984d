"""Every constructor parameter of HyperDriveSearchCV fails clearly, before any fit starts.

Each case builds a search around an estimator that records its fits, calls
``fit``, and checks that the error names the parameter and the value and
that no fit ran (nor was a store file written).
"""

import hashlib
import os
import re
import sqlite3
from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from hdsearch import (
    BanditPolicy,
    GridSampling,
    HalvingPolicy,
    HyperDriveSearchCV,
    MedianStoppingPolicy,
    PartialFit,
    RandomSampling,
    Subsample,
    TruncationSelectionPolicy,
    WarmStart,
    choice,
    uniform,
)

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.array([0, 1] * 10)


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Scores ``C / 10``; every ``fit`` is recorded in :attr:`fits` (the tests run in one process)."""

    fits: ClassVar[list] = []

    def __init__(self, C=1.0, n_estimators=10):
        self.C = C
        self.n_estimators = n_estimators

    def fit(self, X, y):
        RecordingClassifier.fits.append(self.get_params())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.C / 10


@pytest.fixture(autouse=True)
def no_fit_yet():
    RecordingClassifier.fits.clear()
    yield
    RecordingClassifier.fits.clear()


def mentions(*parts):
    """A ``match=`` pattern: the message contains every part, in any order."""
    return "(?s)" + "".join(f"(?=.*{re.escape(str(part))})" for part in parts)


def search(**overrides):
    arguments = {"estimator": RecordingClassifier(), "param_distributions": {"C": [1.0, 2.0]}, "cv": 2,
                 "max_total_runs": 2, "random_state": 0}
    arguments.update(overrides)
    return HyperDriveSearchCV(**arguments)


def assert_fails_before_any_fit(overrides, *parts, exception=ValueError):
    with pytest.raises(exception, match=mentions(*parts)):
        search(**overrides).fit(X, y)
    assert RecordingClassifier.fits == []


def digest(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def test_the_recording_estimator_records_the_fits_of_a_valid_search():
    search().fit(X, y)
    assert len(RecordingClassifier.fits) == 2 * 2 + 1  # two trials of two folds, then the refit


# ------------------------------------------------------------ wrong types and out-of-range numbers

BAD_VALUES = [
    ("estimator", "svc"),
    ("estimator", object()),
    ("param_distributions", "C"),
    ("param_distributions", 3),
    ("sampling", 3),
    ("policy", 0.5),
    ("resource", 3),
    ("max_total_runs", 0),
    ("max_total_runs", -1),
    ("max_total_runs", 2.5),
    ("max_total_runs", "10"),
    ("max_total_runs", True),
    ("max_concurrent_runs", 0),
    ("max_concurrent_runs", 1.5),
    ("max_duration", 0),
    ("max_duration", -5.0),
    ("max_duration", float("nan")),
    ("max_duration", "1h"),
    ("scoring", 3),
    ("n_jobs", 0),
    ("n_jobs", 1.5),
    ("n_jobs", "2"),
    ("refit", 3),
    ("refit", None),
    ("cv", 1),
    ("cv", 0),
    ("cv", 2.5),
    ("cv", "5"),
    ("verbose", -1),
    ("verbose", "high"),
    ("pre_dispatch", 0),
    ("pre_dispatch", 1.5),
    ("random_state", -1),
    ("random_state", 1.5),
    ("random_state", "seed"),
    ("error_score", "ignore"),
    ("error_score", None),
    ("return_train_score", "yes"),
    ("return_train_score", 1),
    ("callbacks", "print"),
    ("callbacks", print),
    ("progress_bar", "yes"),
    ("storage", 3),
    ("storage", ["search.db"]),
    ("experiment_name", 3),
    ("experiment_name", ["exp"]),
    ("resume_from", "exp"),
    ("resume_from", 3),
]


@pytest.mark.parametrize("name, value", BAD_VALUES, ids=[f"{n}={v!r}" for n, v in BAD_VALUES])
def test_a_value_of_the_wrong_type_or_range_names_the_parameter_and_the_value(name, value):
    assert_fails_before_any_fit({name: value}, repr(value), name)


# ------------------------------------------------------------ strings, samplings and policies


@pytest.mark.parametrize("sampling", ["bogus", "Random", "grid_search", ""])
def test_an_unknown_sampling_string_is_an_error(sampling):
    assert_fails_before_any_fit({"sampling": sampling}, "sampling", repr(sampling), "'random'", "'grid'")


@pytest.mark.parametrize("policy", ["bandit", "median", "BanditPolicy", "none"])
def test_a_policy_string_is_an_error_asking_for_a_policy_object(policy):
    assert_fails_before_any_fit({"policy": policy}, "policy", repr(policy), "policy object")


@pytest.mark.parametrize("resource", ["epochs", "partialfit", ""])
def test_an_unknown_resource_string_is_an_error(resource):
    assert_fails_before_any_fit({"resource": resource}, "resource", repr(resource), "'folds'")


def test_an_unknown_random_sampling_rule_is_an_error():
    assert_fails_before_any_fit({"sampling": RandomSampling(rule="halton")}, "rule", "'halton'")


@pytest.mark.parametrize("sampling", ["grid", GridSampling()])
def test_grid_sampling_with_a_continuous_expression_names_the_parameter(sampling):
    space = {"C": uniform(0.1, 10), "n_estimators": choice(5, 10)}
    assert_fails_before_any_fit(
        {"sampling": sampling, "param_distributions": space}, "Grid sampling", "'C'", "uniform(0.1, 10)"
    )


def test_grid_sampling_with_a_scipy_distribution_names_the_parameter():
    scipy_stats = pytest.importorskip("scipy.stats")
    space = {"C": scipy_stats.loguniform(1e-3, 1e3)}
    assert_fails_before_any_fit({"sampling": "grid", "param_distributions": space}, "Grid sampling", "'C'")


POLICIES = [
    (BanditPolicy(), ("slack_factor=None", "slack_amount=None")),
    (BanditPolicy(slack_factor=0.1, slack_amount=0.2), ("slack_factor=0.1", "slack_amount=0.2")),
    (BanditPolicy(slack_factor=-0.1), ("slack_factor", "-0.1")),
    (BanditPolicy(slack_amount=-1), ("slack_amount", "-1")),
    (BanditPolicy(slack_factor=0.1, evaluation_interval=0), ("evaluation_interval", "0")),
    (BanditPolicy(slack_factor=0.1, delay_evaluation=-1), ("delay_evaluation", "-1")),
    (MedianStoppingPolicy(evaluation_interval=1.5), ("evaluation_interval", "1.5")),
    (TruncationSelectionPolicy(0), ("truncation_percentage", "0")),
    (TruncationSelectionPolicy(100), ("truncation_percentage", "100")),
    (TruncationSelectionPolicy(20.5), ("truncation_percentage", "20.5")),
    (TruncationSelectionPolicy(20, exclude_finished_jobs="no"), ("exclude_finished_jobs", "'no'")),
    (HalvingPolicy(factor=1), ("factor", "1")),
    (HalvingPolicy(min_resource=0), ("min_resource", "0")),
]


@pytest.mark.parametrize("policy, parts", POLICIES, ids=[repr(p[0]) for p in POLICIES])
def test_a_policy_with_bad_arguments_names_them(policy, parts):
    assert_fails_before_any_fit({"policy": policy}, type(policy).__name__, *parts)


# ------------------------------------------------------------ resources


class NoPartialFit(RecordingClassifier):
    """Has fit but no partial_fit."""


def test_partial_fit_on_an_estimator_without_partial_fit_is_an_error():
    assert_fails_before_any_fit(
        {"estimator": NoPartialFit(), "resource": PartialFit(max_epochs=3)}, "PartialFit", "partial_fit",
        "NoPartialFit",
    )


def test_the_partial_fit_shortcut_on_an_estimator_without_partial_fit_is_an_error():
    assert_fails_before_any_fit({"resource": "partial_fit"}, "partial_fit", "RecordingClassifier")


@pytest.mark.parametrize("resource, parts", [
    (PartialFit(max_epochs=0), ("max_epochs", "0")),
    (PartialFit(max_epochs=3, min_epochs=5), ("min_epochs", "5")),
    (Subsample(min_samples=0), ("min_samples", "0")),
    (Subsample(min_samples=2, factor=1), ("factor", "1")),
])
def test_a_resource_with_bad_arguments_names_them(resource, parts):
    class WithPartialFit(RecordingClassifier):
        def partial_fit(self, X, y, classes=None):
            RecordingClassifier.fits.append("partial_fit")
            return self

    assert_fails_before_any_fit({"estimator": WithPartialFit(), "resource": resource}, *parts)


def test_an_unknown_warm_start_parameter_is_an_error():
    assert_fails_before_any_fit(
        {"resource": WarmStart("n_trees", 1, 10, step=3)}, "WarmStart", "param='n_trees'", "RecordingClassifier"
    )


@pytest.mark.parametrize("resource, parts", [
    (WarmStart("n_estimators", 10, 1, step=1), ("start", "stop")),
    (WarmStart("n_estimators", 1, 10), ("step=None", "factor=None")),
    (WarmStart("n_estimators", 1, 10, step=1, factor=2), ("step=1", "factor=2")),
    (WarmStart("n_estimators", 1, 10, factor=1), ("factor", "1")),
    (WarmStart("n_estimators", 0, 10, step=1), ("start", "0")),
    (WarmStart(3, 1, 10, step=1), ("param", "3")),
])
def test_a_warm_start_with_bad_arguments_names_them(resource, parts):
    assert_fails_before_any_fit({"param_distributions": {"C": [1.0]}, "resource": resource}, "WarmStart", *parts)


def test_a_warm_start_parameter_also_in_the_space_is_an_error():
    assert_fails_before_any_fit(
        {"param_distributions": {"n_estimators": [1, 2]}, "resource": WarmStart("n_estimators", 1, 10, step=3)},
        "WarmStart", "'n_estimators'", "param_distributions",
    )


# ------------------------------------------------------------ spaces


@pytest.mark.parametrize("space, parts", [
    ({"gamma": [1, 2]}, ("'gamma'", "param_distributions")),
    ({"C": "abc"}, ("'C'", "'abc'")),
    ({"C": 5}, ("'C'", "5")),
    ({"C": []}, ("'C'", "empty")),
    ({1: [1, 2]}, ("param_distributions", "1")),
    ([], ("param_distributions", "[]")),
    ([{"C": [1.0]}, "C"], ("param_distributions", "'C'")),
])
def test_a_bad_space_names_the_parameter(space, parts):
    assert_fails_before_any_fit({"param_distributions": space}, *parts)


# ------------------------------------------------------------ scoring, refit, cv, callbacks


@pytest.mark.parametrize("scoring, parts", [
    ("not_a_scorer", ("'not_a_scorer'",)),
    ([], ("scoring", "[]")),
    (["accuracy", "accuracy"], ("scoring", "['accuracy', 'accuracy']")),
    ({"acc": "not_a_scorer"}, ("'not_a_scorer'",)),
])
def test_a_bad_scoring_names_the_value(scoring, parts):
    assert_fails_before_any_fit({"scoring": scoring, "refit": False}, *parts)


def test_a_refit_metric_that_is_not_scored_is_an_error():
    assert_fails_before_any_fit({"scoring": ["accuracy", "f1"], "refit": "roc_auc"}, "refit", "'roc_auc'")


def test_a_callback_that_is_not_callable_is_named():
    assert_fails_before_any_fit({"callbacks": [print, 3]}, "callbacks", "3")


def test_an_unparsable_pre_dispatch_string_is_an_error():
    assert_fails_before_any_fit({"pre_dispatch": "lots"}, "pre_dispatch", "'lots'")


def test_an_estimator_class_instead_of_an_instance_is_an_error():
    assert_fails_before_any_fit({"estimator": RecordingClassifier}, "estimator", "RecordingClassifier")


# ------------------------------------------------------------ storage and warm start


def test_a_storage_path_whose_directory_cannot_be_made_is_an_error(tmp_path):
    (tmp_path / "file").write_text("a file where a folder should be")
    storage = str(tmp_path / "file" / "missing" / "search.db")
    assert_fails_before_any_fit({"storage": storage}, "storage", repr(storage), "cannot create the directory")


def test_a_storage_url_whose_directory_cannot_be_made_is_an_error(tmp_path):
    (tmp_path / "file").write_text("a file where a folder should be")
    storage = f"sqlite:///{tmp_path}/file/missing/search.db"
    assert_fails_before_any_fit({"storage": storage}, "storage", repr(storage))


def test_a_corrupt_storage_file_is_an_error_and_never_overwritten(tmp_path):
    path = tmp_path / "search.db"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    before = digest(path)

    assert_fails_before_any_fit({"storage": str(path)}, "storage", repr(str(path)), "not a SQLite database")

    assert digest(path) == before
    assert os.listdir(tmp_path) == ["search.db"]


def test_a_foreign_sqlite_storage_file_is_an_error_and_never_overwritten(tmp_path):
    path = str(tmp_path / "app.db")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    before = digest(path)

    assert_fails_before_any_fit({"storage": path}, "storage", repr(path), "not an hdsearch experiment store")

    assert digest(path) == before
    assert os.listdir(tmp_path) == ["app.db"]


def test_a_bad_parameter_leaves_no_store_file_behind(tmp_path):
    storage = str(tmp_path / "search.db")
    assert_fails_before_any_fit({"storage": storage, "max_total_runs": 0}, "max_total_runs", "0")
    assert not os.path.exists(storage)


def test_an_empty_experiment_name_is_an_error(tmp_path):
    assert_fails_before_any_fit(
        {"storage": str(tmp_path / "search.db"), "experiment_name": ""}, "experiment_name", "''"
    )


def test_a_warm_start_name_without_storage_is_an_error():
    assert_fails_before_any_fit({"resume_from": ["earlier"]}, "resume_from", "'earlier'", "storage")


def test_a_warm_start_name_missing_from_the_store_is_an_error(tmp_path):
    assert_fails_before_any_fit(
        {"storage": str(tmp_path / "search.db"), "experiment_name": "now", "resume_from": ["earlier"]},
        "resume_from", "'earlier'",
    )


@pytest.mark.parametrize("source", [3, "unfitted search"])
def test_a_warm_start_source_that_is_neither_a_name_nor_a_fitted_search_is_an_error(source):
    if source == "unfitted search":
        source = search()
    assert_fails_before_any_fit({"resume_from": [source]}, "resume_from", repr(source))


# ------------------------------------------------------------ misspelled keywords and names


@pytest.mark.parametrize("build, parts", [
    (lambda: MedianStoppingPolicy(delay_evaluations=3),
     ("MedianStoppingPolicy got an unexpected argument 'delay_evaluations'; did you mean 'delay_evaluation'?",
      "It takes: evaluation_interval=1, delay_evaluation=0.")),
    (lambda: BanditPolicy(slack=0.1),
     ("BanditPolicy got an unexpected argument 'slack'; did you mean 'slack_factor' or 'slack_amount'?",)),
    (lambda: TruncationSelectionPolicy(10, exclude_finished_job=True), ("did you mean 'exclude_finished_jobs'?",)),
    (lambda: HalvingPolicy(Factor=2), ("HalvingPolicy", "did you mean 'factor'?", "factor=3, min_resource=1")),
    (lambda: PartialFit(max_epoch=3), ("PartialFit", "did you mean 'max_epochs'?", "max_epochs, min_epochs=1")),
    (lambda: WarmStart("n_estimators", 1, 10, steps=1), ("WarmStart", "did you mean 'step'?")),
    (lambda: Subsample(min_sample=3), ("Subsample", "did you mean 'min_samples'?")),
    (lambda: RandomSampling(sed=1), ("RandomSampling", "did you mean 'seed'?")),
    (lambda: GridSampling(seed=1), ("GridSampling got an unexpected argument 'seed'. It takes: no arguments.",)),
    (lambda: MedianStoppingPolicy(1, 2, 3), ("MedianStoppingPolicy takes at most 2 arguments, got 3",)),
])
def test_a_misspelled_constructor_keyword_names_the_class_the_arguments_and_the_closest(build, parts):
    with pytest.raises(TypeError, match=mentions(*parts)):
        build()


def test_median_stopping_policy_has_its_own_signature():
    import inspect

    assert list(inspect.signature(MedianStoppingPolicy).parameters) == ["evaluation_interval", "delay_evaluation"]


def test_an_unknown_parameter_name_suggests_the_closest_pipeline_parameter():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), RecordingClassifier())
    assert_fails_before_any_fit(
        {"estimator": pipeline, "param_distributions": {"recordingclassifier__c": [1.0, 2.0]}},
        "Invalid parameter 'recordingclassifier__c'", "did you mean 'recordingclassifier__C'?",
    )


def test_log_bounds_that_look_real_warn_when_the_search_fits():
    from hdsearch import LogBoundsWarning, loguniform

    with pytest.warns(LogBoundsWarning, match=re.escape("param_distributions['C']: loguniform(1e-05, 0.1)")):
        search(param_distributions={"C": loguniform(1e-5, 1e-1)}).fit(X, y)


@pytest.mark.parametrize("pipeline", [False, True])
def test_a_float_q_on_an_int_parameter_is_an_error_before_any_fit(pipeline):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    from hdsearch import quniform

    estimator, name = DecisionTreeClassifier(), "max_depth"
    if pipeline:
        estimator, name = make_pipeline(StandardScaler(), estimator), "decisiontreeclassifier__max_depth"
    with pytest.raises(ValueError, match=mentions(
        f"param_distributions[{name!r}]: quniform(2, 10, 1.0) draws floats such as 4.0",
        f"but {name} takes an int there", "Write quniform(2, 10, 1): with an int q it draws ints.",
    )):
        HyperDriveSearchCV(estimator, {name: quniform(2, 10, 1.0)}, cv=2, max_total_runs=2).fit(X, y)
    # The spelling the message gives is accepted, and draws ints.
    search = HyperDriveSearchCV(estimator, {name: quniform(2, 10, 1)}, cv=2, max_total_runs=2, random_state=0)
    assert all(isinstance(params[name], int) for params in search.fit(X, y).cv_results_["params"])


def test_a_float_q_on_a_parameter_that_takes_floats_is_accepted():
    from sklearn.ensemble import RandomForestClassifier

    from hdsearch import quniform

    search = HyperDriveSearchCV(RandomForestClassifier(n_estimators=2, random_state=0),
                                {"max_features": quniform(0.1, 1.0, 0.1)}, cv=2, max_total_runs=2, random_state=0)
    assert search.fit(X, y).cv_results_["mean_test_score"].shape == (2,)


@pytest.mark.parametrize("policy, first", [
    (MedianStoppingPolicy(delay_evaluation=3), 3),
    (BanditPolicy(slack_factor=0.1, evaluation_interval=2), 2),
    (HalvingPolicy(min_resource=2), 2),
])
def test_a_policy_whose_first_decision_never_comes_warns_before_the_first_fit(policy, first, monkeypatch):
    def fit_must_not_have_run_yet(message, category=None, stacklevel=1):
        assert RecordingClassifier.fits == []
        raise AssertionError(message)

    with pytest.raises(AssertionError, match=mentions(
        f"{policy!r} will stop no trial: it acts first at interval {first}", "with Folds() a trial has 2 intervals",
        f"raise cv above {first}",
    )):
        monkeypatch.setattr("hdsearch.search.warnings.warn", fit_must_not_have_run_yet)
        search(policy=policy).fit(X, y)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="will stop no trial"):
        search(policy=policy).fit(X, y)


def test_a_policy_that_can_act_before_the_last_fold_does_not_warn(recwarn):
    search(policy=MedianStoppingPolicy(delay_evaluation=1)).fit(X, y)
    assert not [w for w in recwarn if "will stop no trial" in str(w.message)]


def test_partial_fit_on_a_pipeline_says_how_to_get_there_today():
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), SGDClassifier())
    with pytest.raises(ValueError, match=mentions(
        "resource=PartialFit needs an estimator with partial_fit; Pipeline has none.",
        "Its final step SGDClassifier has partial_fit, but a Pipeline does not pass it on",
        "PartialFit on pipelines is planned", "transform X before the search", "WarmStart", "folds resource",
    )):
        HyperDriveSearchCV(pipeline, {"sgdclassifier__alpha": [1e-4, 1e-3]}, resource=PartialFit(3), cv=2).fit(X, y)
