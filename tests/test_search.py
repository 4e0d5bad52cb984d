"""HyperDriveSearchCV as a scikit-learn estimator: validation, delegation, nesting."""

import pickle
import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris, make_regression
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hdsearch import HyperDriveSearchCV, choice, loguniform, uniform


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class and counts every call to fit, across clones."""

    fits = 0

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        type(self).fits += 1
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


# ------------------------------------------------------------- validation


def test_unknown_parameter_name_fails_before_any_fit(iris):
    X, y = iris
    CountingClassifier.fits = 0
    search = HyperDriveSearchCV(CountingClassifier(), {"alpha": uniform(0, 1), "beta": [1, 2]}, n_jobs=1)
    with pytest.raises(ValueError, match="Invalid parameter 'beta'"):
        search.fit(X, y)
    assert CountingClassifier.fits == 0


def test_nested_parameter_of_a_searched_step_is_accepted(iris):
    X, y = iris
    pipe = Pipeline([("clf", LogisticRegression())])
    space = {"clf": [SVC()], "clf__kernel": ["linear"]}
    search = HyperDriveSearchCV(pipe, space, sampling="grid", cv=3).fit(X, y)
    assert search.best_params_["clf__kernel"] == "linear"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("max_total_runs", 0, "'max_total_runs' parameter .* must be an int >= 1 or None. Got 0"),
        ("max_concurrent_runs", -2, "'max_concurrent_runs' parameter .* Got -2"),
        ("max_duration", -1.0, "'max_duration' parameter .* Got -1.0"),
        ("sampling", "hyperband", "'sampling' parameter .* Got 'hyperband'"),
        ("error_score", "ignore", "'error_score' parameter .* Got 'ignore'"),
        ("cv", 1, "'cv' parameter .* Got 1"),
    ],
)
def test_bad_constructor_value_is_named_at_fit(iris, name, value, message):
    X, y = iris
    CountingClassifier.fits = 0
    search = HyperDriveSearchCV(CountingClassifier(), {"alpha": [1.0]}, **{name: value})
    with pytest.raises(ValueError, match=message):
        search.fit(X, y)
    assert CountingClassifier.fits == 0


@pytest.mark.parametrize("name, value", [("policy", "bandit"), ("resource", "epochs")])
def test_unknown_policy_or_resource_is_named_before_any_fit(iris, name, value):
    X, y = iris
    CountingClassifier.fits = 0
    search = HyperDriveSearchCV(CountingClassifier(), {"alpha": [1.0]}, **{name: value})
    with pytest.raises(ValueError, match=f"'{name}' parameter .* Got '{value}'"):
        search.fit(X, y)
    assert CountingClassifier.fits == 0


def test_bad_space_value_is_named_before_any_fit(iris):
    X, y = iris
    CountingClassifier.fits = 0
    search = HyperDriveSearchCV(CountingClassifier(), {"alpha": "not a list"})
    with pytest.raises(ValueError, match="Parameter grid for parameter 'alpha' needs to be a list"):
        search.fit(X, y)
    assert CountingClassifier.fits == 0


def test_grid_sampling_rejects_continuous_expression_naming_it(iris):
    X, y = iris
    search = HyperDriveSearchCV(CountingClassifier(), {"alpha": uniform(0, 1)}, sampling="grid")
    with pytest.raises(ValueError, match="alpha"):
        search.fit(X, y)


def test_constructor_stores_parameters_verbatim():
    space = {"C": loguniform(-3, 3)}
    search = HyperDriveSearchCV(SVC(), space, sampling="sobol", max_total_runs=3)
    assert search.param_distributions is space
    assert search.sampling == "sobol"
    assert search.get_params()["max_total_runs"] == 3


# ------------------------------------------------------------ the results


def test_max_total_runs_caps_the_grid_in_grid_order(iris):
    X, y = iris
    grid = {"C": choice(0.1, 1.0, 10.0, 100.0)}
    search = HyperDriveSearchCV(SVC(), grid, sampling="grid", max_total_runs=2, cv=3).fit(X, y)
    assert search.cv_results_["params"] == [{"C": 0.1}, {"C": 1.0}]


def test_grid_default_runs_the_whole_grid(iris):
    X, y = iris
    grid = {"C": choice(0.1, 1.0, 10.0), "kernel": choice("linear", "rbf")}
    search = HyperDriveSearchCV(SVC(), grid, sampling="grid", cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 6


def test_sobol_sampling_runs_end_to_end(iris):
    X, y = iris
    space = {"C": loguniform(-3, 3), "gamma": loguniform(-4, 0)}
    search = HyperDriveSearchCV(SVC(), space, sampling="sobol", max_total_runs=8, cv=3, random_state=0)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert all(np.exp(-3) <= p["C"] <= np.exp(3) for p in search.cv_results_["params"])


def test_trials_record_every_fold(iris):
    X, y = iris
    search = HyperDriveSearchCV(SVC(), {"C": [0.1, 1.0]}, sampling="grid", cv=3).fit(X, y)
    trial = search.trials_[1]
    assert trial.params == {"C": 1.0}
    assert trial.status == "completed"
    assert [r.fold for r in trial.final_results()] == [0, 1, 2]
    scores = [r.test_scores["score"] for r in trial.final_results()]
    assert np.mean(scores) == search.cv_results_["mean_test_score"][1]


def test_max_concurrent_runs_does_not_change_results(iris):
    X, y = iris
    space = {"C": loguniform(-3, 3)}
    kwargs = dict(max_total_runs=7, cv=3, random_state=3)
    at_once = HyperDriveSearchCV(SVC(), space, **kwargs).fit(X, y)
    two_at_a_time = HyperDriveSearchCV(SVC(), space, max_concurrent_runs=2, **kwargs).fit(X, y)
    assert two_at_a_time.cv_results_["params"] == at_once.cv_results_["params"]
    np.testing.assert_array_equal(
        two_at_a_time.cv_results_["mean_test_score"], at_once.cv_results_["mean_test_score"]
    )


class SlowClassifier(CountingClassifier):
    def fit(self, X, y):
        import time

        time.sleep(0.05)
        return super().fit(X, y)


def test_max_duration_stops_between_waves_and_keeps_finished_trials(iris):
    X, y = iris
    search = HyperDriveSearchCV(
        SlowClassifier(), {"alpha": uniform(0, 1)}, max_total_runs=100, max_concurrent_runs=1,
        max_duration=0.3, cv=2, random_state=0,
    ).fit(X, y)
    n_trials = len(search.cv_results_["params"])
    assert 1 <= n_trials < 100
    assert set(search.cv_results_["status"]) == {"completed"}


@pytest.mark.parametrize("verbose", [1, 2, 3, 10])
def test_verbose_prints_the_lines_gridsearchcv_prints(iris, capsys, verbose):
    import re

    from sklearn.model_selection import GridSearchCV

    X, y = iris
    GridSearchCV(SVC(), {"C": [1.0, 2.0]}, cv=3, verbose=verbose).fit(X, y)
    theirs = capsys.readouterr().out
    HyperDriveSearchCV(SVC(), {"C": [1.0, 2.0]}, sampling="grid", cv=3, verbose=verbose).fit(X, y)
    ours = capsys.readouterr().out
    assert "Fitting 3 folds for each of 2 candidates, totalling 6 fits" in ours
    without_times = re.compile(r"total time=.*")
    assert without_times.sub("", ours) == without_times.sub("", theirs)


# ------------------------------------------------------------- delegation


def test_delegates_only_the_methods_the_estimator_has(iris):
    X, y = iris
    search = HyperDriveSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function", "score"):
        assert hasattr(search, method)
    assert not hasattr(search, "transform")
    assert not hasattr(search, "inverse_transform")
    assert not hasattr(search, "score_samples")
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    assert search.n_features_in_ == 4
    np.testing.assert_allclose(search.predict_proba(X), search.best_estimator_.predict_proba(X))


def test_delegates_transform_and_inverse_transform(iris):
    X, _ = iris
    search = HyperDriveSearchCV(PCA(), {"n_components": [2, 3]}, cv=3).fit(X)
    assert search.transform(X).shape[1] == search.best_params_["n_components"]
    assert search.inverse_transform(search.transform(X)).shape == X.shape


def test_feature_names_in_comes_from_the_best_estimator(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    search = HyperDriveSearchCV(LogisticRegression(), {"C": [1.0]}, cv=3).fit(frame, y)
    assert list(search.feature_names_in_) == ["a", "b", "c", "d"]


def test_refit_false_hides_prediction_methods(iris):
    X, y = iris
    search = HyperDriveSearchCV(SVC(), {"C": [0.1, 1.0]}, refit=False, cv=3).fit(X, y)
    assert not hasattr(search, "predict")
    assert not hasattr(search, "best_estimator_")
    assert search.best_params_ in search.cv_results_["params"]


# --------------------------------------------------------------- nesting


def test_works_as_a_pipeline_step(iris):
    X, y = iris
    pipe = Pipeline(
        [("scale", StandardScaler()), ("search", HyperDriveSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3))]
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.9


def test_works_inside_cross_val_score():
    X, y = make_regression(n_samples=80, n_features=4, random_state=0)
    search = HyperDriveSearchCV(Ridge(), {"alpha": loguniform(-3, 3)}, max_total_runs=4, cv=3, random_state=0)
    scores = cross_val_score(search, X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores > 0.9)


def test_clone_keeps_parameters_and_drops_fitted_state(iris):
    X, y = iris
    search = HyperDriveSearchCV(SVC(), {"C": loguniform(-1, 1)}, max_total_runs=3, random_state=0).fit(X, y)
    cloned = clone(search)
    assert cloned.get_params()["max_total_runs"] == 3
    assert repr(cloned.param_distributions["C"]) == repr(search.param_distributions["C"])
    assert not hasattr(cloned, "cv_results_")


def test_pickle_round_trip_keeps_predictions(iris):
    X, y = iris
    search = HyperDriveSearchCV(SVC(), {"C": loguniform(-1, 1)}, max_total_runs=3, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.best_params_ == search.best_params_


def test_sklearn_callbacks_see_fit_search_and_refit_tasks_with_a_per_fold_resource(iris):
    # With a per-fold resource a fold's model moves through several worker
    # calls, so no evaluation task is reported (README); GridSearchCV's own
    # task tree is tested by scikit-learn's suite (test_sklearn_search_suite.py).
    callback_utils = pytest.importorskip("sklearn.callback.tests._utils", reason="callbacks need scikit-learn >= 1.9")
    from sklearn.linear_model import SGDClassifier

    from hdsearch.resource import PartialFit

    X, y = iris
    callback = callback_utils.RecordingCallback()
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0), {"alpha": choice(1e-4, 1e-3)}, sampling="grid",
        resource=PartialFit(max_epochs=2), cv=2,
    ).set_callbacks(callback)
    search.fit(X, y)
    tasks = [entry["context"].task_name for entry in callback.record if entry["name"] == "on_fit_task_begin"]
    assert tasks == ["fit", "search", "refit-with-best-params"]
    assert callback.count_hooks("on_fit_task_end") == 3
    assert callback.count_hooks("setup") == callback.count_hooks("teardown") == 1


class OpenEndedClassifier(CountingClassifier):
    """Accepts in ``set_params`` a name ``get_params`` does not list, as scikit-learn's MinimalClassifier."""

    def set_params(self, **params):
        self.beta = params.pop("beta", None)
        return super().set_params(**params)


def test_a_name_set_params_accepts_is_valid_though_get_params_does_not_list_it(iris):
    X, y = iris
    search = HyperDriveSearchCV(OpenEndedClassifier(), {"alpha": [1.0], "beta": [1, 2]}, sampling="grid", cv=2)
    assert search.fit(X, y).cv_results_["params"] == [{"alpha": 1.0, "beta": 1}, {"alpha": 1.0, "beta": 2}]


def test_a_value_that_fails_set_params_fails_as_in_gridsearchcv(iris):
    # Both names are listed; only one of the steps lacks C. The trial that
    # sets it raises scikit-learn's error, as GridSearchCV's does.
    from sklearn.model_selection import GridSearchCV

    X, y = iris
    pipe = Pipeline([("clf", LogisticRegression())])
    space = {"clf": [PCA(), LogisticRegression()], "clf__C": [1.0]}
    for search in (HyperDriveSearchCV(pipe, space, sampling="grid", cv=2), GridSearchCV(pipe, space, cv=2)):
        with pytest.raises(ValueError, match=re.escape("Invalid parameter 'C' for estimator PCA()")):
            search.fit(X, y)
