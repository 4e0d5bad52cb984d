"""MLflowCallback against a real local MLflow tracking store, read back with MlflowClient."""

import math
import sys
import time

import mlflow
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import KFold

from hdsearch import HyperDriveSearchCV, choice
from hdsearch.callbacks import MLflowCallback, TrackingWarning
from hdsearch.policy import BanditPolicy
from hdsearch.resource import PartialFit

from helpers import FixedQuality as Fixed
from helpers import assert_same_cv_results

X, y = make_classification(n_samples=40, n_features=4, random_state=0)
QUALITIES = [0.5, 0.9, 0.6, 0.95, 0.3, 0.8]
EPOCHS = 4


def search(callbacks, qualities=QUALITIES, **kwargs):
    """A grid over ``qualities``, two trials per wave, a bandit policy that stops the weak ones."""
    kwargs = {"policy": BanditPolicy(slack_factor=0.2), "max_concurrent_runs": 2, **kwargs}
    return HyperDriveSearchCV(
        Fixed(), {"quality": choice(*qualities)}, sampling="grid", resource=PartialFit(EPOCHS),
        cv=KFold(2), random_state=0, callbacks=callbacks, **kwargs,
    )


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory):
    # One SQLite store for the module (creating its tables takes seconds); each
    # test uses its own MLflow experiment. Artifacts go to ./mlruns: the folder.
    folder = tmp_path_factory.mktemp("mlflow")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        yield f"sqlite:///{folder / 'mlflow.db'}"


def children(client, callback):
    runs = client.search_runs(
        [callback.experiment_id_], f"tags.`mlflow.parentRunId` = '{callback.run_id_}'", max_results=1000
    )
    return {int(run.data.tags["hdsearch.trial_id"]): run for run in runs}


def test_without_mlflow_the_error_names_the_tracking_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(ImportError, match=r"hdsearch\[tracking\]"):
        MLflowCallback()


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"tracking_uri": 3}, "tracking_uri=3"),
        ({"experiment_name": ""}, "experiment_name=''"),
        ({"log_best_model": "yes"}, "log_best_model='yes'"),
        ({"tracking_uri": "sqlite:////dev/null/mlflow.db"}, "MLflow cannot track in tracking_uri="),
    ],
)
def test_bad_arguments_are_rejected_before_any_fit(arguments, message):
    fitted = []

    class Recording(Fixed):
        def fit(self, X, y):
            fitted.append(self.quality)
            return super().fit(X, y)

    bad = HyperDriveSearchCV(Recording(), {"quality": choice(0.5)}, callbacks=[MLflowCallback(**arguments)])
    with pytest.raises(ValueError, match=message):
        bad.fit(X, y)
    assert fitted == []


def test_a_search_is_a_parent_run_with_one_child_run_per_trial(tracking_uri, tmp_path):
    callback = MLflowCallback(tracking_uri, "parent-and-children")
    fitted = search([callback]).fit(X, y)
    client = mlflow.MlflowClient(tracking_uri)

    parent = client.get_run(callback.run_id_)
    assert parent.info.status == "FINISHED"
    assert parent.data.params["policy"] == repr(BanditPolicy(slack_factor=0.2))
    assert parent.data.params["resource"] == repr(PartialFit(EPOCHS))
    assert parent.data.params["max_total_runs"] == str(len(QUALITIES))
    assert parent.data.params["best_quality"] == "0.95"
    assert parent.data.metrics["best_score"] == pytest.approx(fitted.best_score_)
    artifacts = {a.path for a in client.list_artifacts(callback.run_id_)}
    assert {"cv_results.csv", "report.html"} <= artifacts
    report = client.download_artifacts(callback.run_id_, "report.html", str(tmp_path))
    assert "Leaderboard" in open(report, encoding="utf-8").read()
    model = mlflow.sklearn.load_model(f"runs:/{callback.run_id_}/best_model")
    assert mlflow.sklearn.load_model(callback.model_uri_).get_params() == model.get_params()
    assert model.get_params() == fitted.best_estimator_.get_params()

    runs = children(client, callback)
    results = fitted.cv_results_
    assert sorted(runs) == list(range(len(QUALITIES)))
    expected_status = {"completed": "FINISHED", "terminated": "KILLED"}
    for trial in fitted.trials_:
        run = runs[trial.trial_id]
        assert run.data.params == {"quality": str(trial.params["quality"])}
        assert run.data.tags["hdsearch.status"] == trial.status
        assert run.info.status == expected_status[trial.status]
        assert run.data.metrics["mean_test_score"] == pytest.approx(results["mean_test_score"][trial.trial_id])
        assert run.data.metrics["std_test_score"] == pytest.approx(results["std_test_score"][trial.trial_id])
        history = client.get_metric_history(run.info.run_id, "score")
        intervals = sorted({r.interval for r in trial.results})
        assert [m.step for m in sorted(history, key=lambda m: m.step)] == intervals
        if trial.status == "terminated":
            assert run.data.tags["hdsearch.termination_reason"].startswith("bandit:")
    assert {t.status for t in fitted.trials_} == {"completed", "terminated"}


def test_a_plain_directory_tracking_uri_works(tmp_path, monkeypatch):
    # MLflow 3 keeps its file store in maintenance mode, behind this switch.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    callback = MLflowCallback(str(tmp_path / "mlruns"), "directory", log_best_model=False)
    fitted = search([callback], qualities=[0.5, 0.9]).fit(X, y)
    client = mlflow.MlflowClient(str(tmp_path / "mlruns"))
    assert client.get_run(callback.run_id_).info.status == "FINISHED"
    runs = children(client, callback)
    assert {i: r.data.tags["hdsearch.status"] for i, r in runs.items()} == {
        t.trial_id: t.status for t in fitted.trials_
    }


def test_multi_metric_scoring_logs_every_metric_and_the_refit_curve(tracking_uri):
    callback = MLflowCallback(tracking_uri, "multi-metric", log_best_model=False)
    scoring = {"acc": lambda est, X, y: est.score(X, y), "half": lambda est, X, y: est.score(X, y) / 2}
    fitted = search([callback], scoring=scoring, refit="acc", return_train_score=True).fit(X, y)
    client = mlflow.MlflowClient(tracking_uri)
    results = fitted.cv_results_
    for trial_id, run in children(client, callback).items():
        for key in ("mean_test_acc", "std_test_acc", "mean_test_half", "mean_train_acc", "mean_train_half"):
            assert run.data.metrics[key] == pytest.approx(results[key][trial_id]), key
        assert client.get_metric_history(run.info.run_id, "acc")
        assert not client.get_metric_history(run.info.run_id, "half")
    assert client.get_run(callback.run_id_).data.params["best_quality"] == "0.95"


def test_a_failing_trial_is_a_failed_child_run_with_its_error(tracking_uri):
    callback = MLflowCallback(tracking_uri, "failing-trial", log_best_model=False)
    with pytest.warns(FitFailedWarning, match="this quality cannot fit"):
        fitted = search([callback], qualities=[0.5, -1.0, 0.9], policy=None).fit(X, y)
    runs = children(mlflow.MlflowClient(tracking_uri), callback)
    failed = runs[1]
    assert fitted.cv_results_["status"][1] == "failed"
    assert failed.info.status == "FAILED"
    assert failed.data.tags["hdsearch.status"] == "failed"
    assert "this quality cannot fit" in failed.data.tags["hdsearch.error"]
    assert [runs[i].info.status for i in (0, 2)] == ["FINISHED", "FINISHED"]


def test_n_jobs_2_logs_what_n_jobs_1_logs(tracking_uri):
    client = mlflow.MlflowClient(tracking_uri)
    logged = []
    for n_jobs in (1, 2):
        callback = MLflowCallback(tracking_uri, f"n-jobs-{n_jobs}", log_best_model=False)
        search([callback], n_jobs=n_jobs).fit(X, y)
        logged.append({
            trial_id: (run.info.status, run.data.params, run.data.metrics)
            for trial_id, run in children(client, callback).items()
        })
    assert logged[0] == logged[1]
    assert len(logged[1]) == len(QUALITIES)


def test_runs_are_logged_wave_by_wave_and_a_resumed_search_continues_them(tracking_uri, tmp_path):
    client = mlflow.MlflowClient(tracking_uri)
    storage = str(tmp_path / "store.db")
    callback = MLflowCallback(tracking_uri, "resume", log_best_model=False)
    ended_in_mlflow = []

    def watch_then_interrupt(snapshot):
        # Plain callbacks run before the wave is recorded: MLflow holds the waves before this one.
        runs = children(client, callback).values()
        ended_in_mlflow.append(sum(run.data.tags["hdsearch.status"] != "running" for run in runs))
        if snapshot.wave == 4:
            raise KeyboardInterrupt

    interrupted = search([callback, watch_then_interrupt], storage=storage, experiment_name="exp")
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y)
    first_parent = callback.run_id_
    assert ended_in_mlflow[0] == 0 and ended_in_mlflow[-1] > 0
    assert ended_in_mlflow == sorted(ended_in_mlflow)
    assert client.get_run(first_parent).info.status == "KILLED"
    before = children(client, callback)

    resumed = search([callback], storage=storage, experiment_name="exp").fit(X, y)
    assert callback.run_id_ == first_parent
    assert client.get_run(first_parent).info.status == "FINISHED"
    after = children(client, callback)
    all_runs = client.search_runs([callback.experiment_id_], f"tags.`mlflow.parentRunId` = '{first_parent}'")
    assert len(all_runs) == len(after) == len(QUALITIES)
    assert {i: before[i].info.run_id for i in before} == {i: after[i].info.run_id for i in before}
    for trial in resumed.trials_:
        run = after[trial.trial_id]
        assert run.data.tags["hdsearch.status"] == trial.status
        steps = [m.step for m in client.get_metric_history(run.info.run_id, "score")]
        assert sorted(steps) == sorted(set(steps)) == sorted({r.interval for r in trial.results})


def test_a_search_nests_under_the_active_run(tracking_uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    mlflow.set_experiment("nested")
    with mlflow.start_run() as outer:
        callback = MLflowCallback(log_best_model=False)
        search([callback], qualities=[0.5, 0.9]).fit(X, y)
        assert mlflow.active_run().info.run_id == outer.info.run_id
    parent = mlflow.MlflowClient(tracking_uri).get_run(callback.run_id_)
    assert parent.data.tags["mlflow.parentRunId"] == outer.info.run_id
    assert parent.info.experiment_id == outer.info.experiment_id


class FlakyClient(mlflow.MlflowClient):
    """The real client, slow on every batch, raising on the batches numbered in ``failing``.

    Batch 1 logs the parent run's settings when the fit starts; later ones
    log the trials as the search runs.
    """

    failing = frozenset()
    delay = 0.0
    calls = 0

    def log_batch(self, *args, **kwargs):
        time.sleep(type(self).delay)
        type(self).calls += 1
        if type(self).calls in type(self).failing:
            raise ConnectionError("tracking server unreachable")
        return super().log_batch(*args, **kwargs)


def test_a_slow_and_failing_mlflow_loses_no_trial(tracking_uri, monkeypatch):
    monkeypatch.setattr(FlakyClient, "calls", 0)
    monkeypatch.setattr(FlakyClient, "failing", {2, 3, 6})
    monkeypatch.setattr(FlakyClient, "delay", 0.05)
    monkeypatch.setattr(mlflow, "MlflowClient", FlakyClient)
    callback = MLflowCallback(tracking_uri, "flaky", log_best_model=False)
    with pytest.warns(TrackingWarning, match="tracking server unreachable"):
        fitted = search([callback]).fit(X, y)
    assert_same_cv_results(fitted.cv_results_, search([]).fit(X, y).cv_results_)
    runs = children(FlakyClient(tracking_uri), callback)
    assert sorted(runs) == list(range(len(QUALITIES)))
    for trial in fitted.trials_:
        run = runs[trial.trial_id]
        assert run.data.tags["hdsearch.status"] == trial.status
        assert math.isclose(run.data.metrics["mean_test_score"], fitted.cv_results_["mean_test_score"][trial.trial_id])


def test_an_mlflow_that_always_fails_never_stops_the_search(tracking_uri, monkeypatch):
    monkeypatch.setattr(FlakyClient, "calls", 0)
    monkeypatch.setattr(FlakyClient, "failing", range(2, 10**6))
    monkeypatch.setattr(mlflow, "MlflowClient", FlakyClient)
    callback = MLflowCallback(tracking_uri, "always-failing", log_best_model=False)
    with pytest.warns(TrackingWarning, match="not fully logged"):
        fitted = search([callback]).fit(X, y)
    assert_same_cv_results(fitted.cv_results_, search([]).fit(X, y).cv_results_)
    assert fitted.best_params_ == {"quality": 0.95}


def test_curves_step_by_the_resource_and_metrics_are_named_after_the_scorer(tracking_uri):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    from hdsearch.resource import WarmStart

    callback = MLflowCallback(tracking_uri, "resource-steps", log_best_model=False)
    resource = WarmStart("max_iter", 4, 16, factor=2)
    fitted = HyperDriveSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, max_leaf_nodes=4, random_state=0),
        {"learning_rate": choice(0.1, 0.3)}, sampling="grid", resource=resource, curves="all",
        scoring="roc_auc", cv=StratifiedKFold(2), random_state=0, callbacks=[callback],
    ).fit(X, y)
    client = mlflow.MlflowClient(tracking_uri)
    parent = client.get_run(callback.run_id_)
    assert parent.data.params["cv"] == "2-fold StratifiedKFold"
    assert parent.data.params["curve_step"] == "max_iter"
    for trial_id, run in children(client, callback).items():
        history = sorted(client.get_metric_history(run.info.run_id, "roc_auc"), key=lambda m: m.step)
        assert [m.step for m in history] == [4, 8, 16]
        assert history[-1].value == pytest.approx(fitted.cv_results_["mean_test_score"][trial_id])
        assert run.data.metrics["mean_test_roc_auc"] == pytest.approx(fitted.cv_results_["mean_test_score"][trial_id])
        assert not client.get_metric_history(run.info.run_id, "score")
        assert "mean_test_score" not in run.data.metrics


def test_a_float_warm_start_steps_by_interval_and_says_so():
    from hdsearch._tracking import FitContext
    from hdsearch.trials import Schedule

    context = FitContext(None, {}, "score", Schedule(True, 2, 3), resource_axis="C", resource_values=(0.5, 1.5, 2.0))
    assert context.curve_steps() == ({1: 1, 2: 2, 3: 3}, "interval")
    whole = FitContext(None, {}, "score", Schedule(True, 2, 2), resource_axis="epoch", resource_values=(1.0, 2.0))
    assert whole.curve_steps() == ({1: 1, 2: 2}, "epoch")


@pytest.mark.parametrize(
    "scoring, estimator, name",
    [
        ("roc_auc", "classifier", "roc_auc"),
        (None, "classifier", "accuracy"),
        (None, "regressor pipeline", "r2"),
        (None, "own score", "score"),
        (lambda est, X, y: 1.0, "classifier", "score"),
    ],
)
def test_the_score_is_named_after_the_scoring_or_the_estimators_own_metric(scoring, estimator, name):
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from hdsearch._fit_hooks import score_name

    estimators = {
        "classifier": LogisticRegression(),
        "regressor pipeline": make_pipeline(StandardScaler(), Ridge()),
        "own score": Fixed(),
    }
    assert score_name(scoring, estimators[estimator]) == name


def test_a_resumed_search_keeps_stepping_by_the_resource(tracking_uri, tmp_path, monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from hdsearch.resource import WarmStart

    from helpers import force_run_ahead

    force_run_ahead(monkeypatch, 0)  # one interval per wave: the interrupted trials have logged some steps
    client = mlflow.MlflowClient(tracking_uri)
    callback = MLflowCallback(tracking_uri, "resume-resource-steps", log_best_model=False)
    resource = WarmStart("max_iter", 2, 16, factor=2)

    def interrupt(snapshot):
        if snapshot.wave == 2:
            raise KeyboardInterrupt

    def hgb_search(callbacks):
        return HyperDriveSearchCV(
            HistGradientBoostingClassifier(early_stopping=False, max_leaf_nodes=4, random_state=0),
            {"learning_rate": choice(0.05, 0.1, 0.2, 0.3)}, sampling="grid", resource=resource, curves="all",
            policy=BanditPolicy(slack_factor=10.0), max_concurrent_runs=2, cv=KFold(2), random_state=0, callbacks=callbacks,
            storage=str(tmp_path / "store.db"), experiment_name="hgb",
        )

    with pytest.raises(KeyboardInterrupt):
        hgb_search([callback, interrupt]).fit(X, y)
    logged = [m.step for run in children(client, callback).values()
              for m in client.get_metric_history(run.info.run_id, "accuracy")]
    assert logged and max(logged) < 16  # the interrupted trials had logged part of their curves
    resumed = hgb_search([callback]).fit(X, y)
    runs = children(client, callback)
    assert sorted(runs) == [0, 1, 2, 3]
    for trial in resumed.trials_:
        steps = [m.step for m in client.get_metric_history(runs[trial.trial_id].info.run_id, "accuracy")]
        assert sorted(steps) == [2, 4, 8, 16]  # each amount once, none logged twice across the two fits
