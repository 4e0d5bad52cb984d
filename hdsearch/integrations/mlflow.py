"""MLflowCallback: a search as an MLflow parent run with one child run per trial.

Also reachable as ``hdsearch.callbacks.MLflowCallback``; this module (and
mlflow) is imported only when the callback is used.

Everything goes through one ``mlflow.MlflowClient`` with explicit run ids, so
the runs land in the tracking store the callback names, whatever run is active.
A failing MLflow call never stops the search: it is reported as a
:class:`~hdsearch._tracking.TrackingWarning`, and what it did not log is
logged at the next wave, because every wave brings every unfinished child run
up to date with its trial.
"""

import hashlib
import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._export import write_cv_results_csv
from .._tracking import TrackingCallback, TrackingWarning
from ..report import write_report
from ..trials import COMPLETED, ENDED_STATUSES, FAILED, TERMINATED, complete_learning_curve

_TRACKING_EXTRA_MESSAGE = (
    "MLflowCallback needs mlflow, which comes with the 'tracking' extra: "
    "python -m pip install 'hdsearch[tracking]' (or python -m pip install mlflow)."
)
_RUN_STATUS = {COMPLETED: "FINISHED", TERMINATED: "KILLED", FAILED: "FAILED"}
_METRIC_KEY_INVALID = re.compile(r"[^A-Za-z0-9_\-. /]")
# MLflow's log_batch limits per call.
_MAX_METRICS, _MAX_PARAMS_AND_TAGS = 1000, 100
_MAX_PARAM_LENGTH, _MAX_TAG_LENGTH = 6000, 8000


def _import_mlflow():
    try:
        import mlflow
    except ImportError as exc:
        raise ImportError(_TRACKING_EXTRA_MESSAGE) from exc
    return mlflow


class MLflowCallback(TrackingCallback):
    """Track a search in MLflow: one parent run per fit, one child run per trial.

    The parent run (nested under the active run, if any) gets the search's
    settings as params and, at the end, ``best_<name>`` params, the
    ``best_score`` metric, ``cv_results.csv`` and ``report.html`` artifacts
    and, when ``log_best_model`` and ``refit``, the refitted best estimator
    through ``mlflow.sklearn.log_model`` (artifact ``best_model``, serialized
    with cloudpickle so that estimators of your own classes log too: load
    only models you trust, as with any pickle).

    Each trial is a child run named ``trial <id>``, tagged
    ``mlflow.parentRunId``, ``hdsearch.trial_id``, ``hdsearch.status``
    (``running``, ``completed``, ``terminated``, ``failed``) and, when it
    ended early, ``hdsearch.termination_reason`` (or ``hdsearch.error``, the
    first traceback of a failed trial). Its params are the trial's
    parameters; the primary metric is logged at every interval the trial's
    results hold, with ``step`` = the resource's amount at that interval
    (``max_iter`` or ``n_estimators``, epochs, training samples, folds; the
    interval number when the amounts are not whole numbers, as the parent's
    ``curve_step`` param says); when the trial ends, ``mean_test_<metric>``
    and ``std_test_<metric>`` for every metric (and
    ``mean_train_*``/``std_train_*`` with ``return_train_score``), and the
    run ends FINISHED (completed), KILLED (terminated) or FAILED (failed).
    A metric is named after its scorer: the scoring string (``roc_auc``,
    ``neg_mean_squared_error``), ``accuracy`` or ``r2`` for
    ``scoring=None`` with a scikit-learn classifier or regressor (``score``
    for another ``score`` method or a callable scorer), or the names of a
    multi-metric scoring.

    Runs are written after every wave, as the search goes. A search resumed
    from its store (``storage=``) continues the same parent run and the same
    child runs, found by their tags, and logs nothing twice. A failing or
    slow MLflow never loses a trial: the error is reported as a
    ``TrackingWarning`` and the next wave logs what was missed.

    Parameters
    ----------
    tracking_uri : str or path, default=None
        Where to track: ``"sqlite:///mlflow.db"``, a directory, a server's
        URL. None uses ``mlflow.get_tracking_uri()`` (``MLFLOW_TRACKING_URI``).
    experiment_name : str, default=None
        MLflow experiment of the parent run, created if missing. None uses
        the active run's experiment, else ``MLFLOW_EXPERIMENT_NAME``, else
        ``"Default"``.
    log_best_model : bool, default=True
        Log the refitted best estimator with ``mlflow.sklearn.log_model``.

    Attributes
    ----------
    run_id_ : str
        The parent run of the last fit.
    experiment_id_ : str
        Its MLflow experiment.
    model_uri_ : str or None
        ``mlflow.sklearn.load_model(model_uri_)`` loads the best model logged
        by the last fit; None when none was.

    Raises
    ------
    ImportError
        When mlflow is not installed, naming the ``tracking`` extra.

    Examples
    --------
    >>> from hdsearch.callbacks import MLflowCallback  # doctest: +SKIP
    >>> search = HyperDriveSearchCV(
    ...     estimator, space, callbacks=[MLflowCallback("sqlite:///mlflow.db", "svc-digits")]
    ... ).fit(X, y)  # doctest: +SKIP
    """

    def __init__(self, tracking_uri=None, experiment_name=None, log_best_model=True):
        _import_mlflow()
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.log_best_model = log_best_model

    def _arguments(self):
        return {
            "tracking_uri": self.tracking_uri,
            "experiment_name": self.experiment_name,
            "log_best_model": self.log_best_model,
        }

    def on_fit_start(self, context):
        """Open the tracking store, then find the parent run (resume) or start one.

        Raises
        ------
        ValueError
            Naming ``tracking_uri``, ``experiment_name`` or
            ``log_best_model`` when invalid, or ``tracking_uri`` when MLflow
            cannot open it; before any trial runs.
        """
        self.check_arguments()
        self._session = _Session(self, context)
        self.run_id_ = self._session.parent_id
        self.experiment_id_ = self._session.experiment_id

    def on_wave(self, report, stop_reason=None):
        """Bring every child run up to date with its trial."""
        self._session.sync(report.trials, report.terminated, stop_reason)

    def on_fit_end(self, search, error=None):
        """Log the best trial and the artifacts, and end the runs."""
        session, self._session = self._session, None
        session.finish(search, error)
        self.model_uri_ = session.model_uri

    def check_arguments(self):
        """Raise ``ValueError`` naming ``tracking_uri``, ``experiment_name`` or ``log_best_model`` when invalid."""
        uri = self.tracking_uri
        if not (uri is None or (isinstance(uri, (str, os.PathLike)) and str(uri))):
            raise ValueError(
                f"MLflowCallback: tracking_uri must be None, a URI or a path, got tracking_uri={uri!r}"
            )
        name = self.experiment_name
        if not (name is None or (isinstance(name, str) and name)):
            raise ValueError(
                f"MLflowCallback: experiment_name must be None or a non-empty str, got experiment_name={name!r}"
            )
        if not isinstance(self.log_best_model, bool):
            raise ValueError(
                "MLflowCallback: log_best_model must be True or False, "
                f"got log_best_model={self.log_best_model!r}"
            )


@dataclass
class _ChildRun:
    """What is logged of one trial's child run."""

    run_id: str | None = None
    steps: set = field(default_factory=set)
    params_logged: bool = False
    ended: bool = False
    create_failed: bool = False


class _Session:
    """One fit's runs: the parent, the children, and what each has logged."""

    def __init__(self, callback, context):
        mlflow = _import_mlflow()
        self.mlflow = mlflow
        self.callback = callback
        self.context = context
        self.metric = context.metric
        self.step_of, self.step_label = context.curve_steps()
        self.interval_of = {step: k for k, step in self.step_of.items()}
        self.reasons = {}
        self.children = {}
        self.model_uri = None
        requested = callback.tracking_uri
        self.uri = mlflow.get_tracking_uri() if requested is None else str(requested)
        try:
            self.client = mlflow.MlflowClient(self.uri)
            active = mlflow.active_run() if self.uri == mlflow.get_tracking_uri() else None
            self.experiment_id = self._experiment_id(active)
            self.parent_id = self._resumed_parent() or self._new_parent(active)
        except Exception as exc:
            raise ValueError(
                f"MLflowCallback: MLflow cannot track in tracking_uri={self.uri!r}: {type(exc).__name__}: {exc}"
            ) from exc

    # ------------------------------------------------------------ start

    def _experiment_id(self, active):
        name = self.callback.experiment_name
        if name is None and active is not None:
            return active.info.experiment_id
        name = name or os.environ.get("MLFLOW_EXPERIMENT_NAME") or "Default"
        experiment = self.client.get_experiment_by_name(name)
        return experiment.experiment_id if experiment is not None else self.client.create_experiment(name)

    def _experiment_key(self):
        """A tag value naming the hdsearch experiment in its store: how a resumed fit finds its runs."""
        experiment = self.context.experiment
        if experiment is None:
            return None
        return hashlib.sha1(f"{experiment.storage}\n{experiment.name}".encode()).hexdigest()[:16]

    def _resumed_parent(self):
        key = self._experiment_key()
        # A store that holds no trial of the experiment starts afresh, even where MLflow kept old runs.
        if key is None or not self.context.trials:
            return None
        found = self.client.search_runs(
            [self.experiment_id], f"tags.`hdsearch.experiment_key` = '{key}'", max_results=1,
            order_by=["attributes.start_time DESC"],
        )
        if not found:
            return None
        parent_id = found[0].info.run_id
        self.client.update_run(parent_id, status="RUNNING")
        logged = found[0].data.params
        self._log(parent_id, params={k: v for k, v in self._parent_params().items() if k not in logged})
        self._find_children(parent_id)
        return parent_id

    def _find_children(self, parent_id):
        token = None
        while True:
            page = self.client.search_runs(
                [self.experiment_id], f"tags.`mlflow.parentRunId` = '{parent_id}'",
                max_results=1000, page_token=token,
            )
            for run in page:
                trial_id = run.data.tags.get("hdsearch.trial_id")
                if trial_id is None:
                    continue
                ended = run.data.tags.get("hdsearch.status") in ENDED_STATUSES
                child = _ChildRun(run.info.run_id, params_logged=True, ended=ended)
                if not ended:
                    history = self.client.get_metric_history(child.run_id, self._curve_key(self.metric or "score"))
                    child.steps = {self.interval_of.get(m.step, m.step) for m in history}
                    self.client.update_run(child.run_id, status="RUNNING")
                self.children[int(trial_id)] = child
            token = page.token
            if not token:
                return

    def _new_parent(self, active):
        context = self.context
        tags = {"mlflow.runName": _run_name(context)}
        if active is not None:
            tags["mlflow.parentRunId"] = active.info.run_id
        key = self._experiment_key()
        if key is not None:
            tags["hdsearch.experiment_key"] = key
            tags["hdsearch.experiment"] = context.experiment.name
            tags["hdsearch.storage"] = str(context.experiment.storage)
        run = self.client.create_run(self.experiment_id, tags=tags)
        self._log(run.info.run_id, params=self._parent_params())
        return run.info.run_id

    def _parent_params(self):
        """The search's settings, and what the steps of the trials' curves count."""
        return {**self.context.settings, "curve_step": self.step_label}

    # ------------------------------------------------------------ waves

    def sync(self, trials, terminated=(), stop_reason=None):
        """Log what every unfinished child run misses; stop at the first MLflow error."""
        for trial_id, _, reason in terminated:
            self.reasons[trial_id] = reason
        if self.metric is None:
            self.metric = _first_metric(trials)
        for trial in trials:
            child = self.children.setdefault(trial.trial_id, _ChildRun())
            if child.ended:
                continue
            try:
                self._sync_trial(trial, child, stop_reason)
            except Exception as exc:
                _warn(f"logging trial {trial.trial_id} to MLflow failed ({type(exc).__name__}: {exc}); "
                      "the search goes on, and the next wave logs what is missing")
                return False
        return True

    def _sync_trial(self, trial, child, stop_reason):
        if child.run_id is None:
            child.run_id = self._child_run(trial, child)
        curve_key = self._curve_key(self.metric or "score")
        curve = complete_learning_curve(trial, self.metric or "score", self.context.schedule)
        now = _ms(time.time())
        new_steps = {k: v for k, v in curve.items() if k not in child.steps and math.isfinite(v)}
        metrics = [(curve_key, v, now, self.step_of.get(k, k)) for k, v in new_steps.items()]
        tags = {}
        ended = trial.status in ENDED_STATUSES
        if ended:
            metrics += [(key, v, now, 0) for key, v in _final_metrics(trial, self.context.logged_name).items()]
            tags = _end_tags(trial, self.reasons.get(trial.trial_id), stop_reason)
        params = {} if child.params_logged else trial.params
        self._log(child.run_id, metrics=metrics, params=params, tags=tags)
        child.params_logged = True
        child.steps.update(new_steps)
        if ended:
            end_time = _ms(trial.end_time) if trial.end_time is not None else None
            self.client.set_terminated(child.run_id, _RUN_STATUS[trial.status], end_time=end_time)
            child.ended = True

    def _child_run(self, trial, child):
        if child.create_failed:  # the failed call may have created it all the same
            found = self.client.search_runs(
                [self.experiment_id],
                f"tags.`mlflow.parentRunId` = '{self.parent_id}' and tags.`hdsearch.trial_id` = '{trial.trial_id}'",
                max_results=1,
            )
            if found:
                return found[0].info.run_id
        child.create_failed = True
        run = self.client.create_run(
            self.experiment_id,
            start_time=_ms(trial.start_time) if trial.start_time is not None else None,
            tags={
                "mlflow.parentRunId": self.parent_id,
                "mlflow.runName": f"trial {trial.trial_id}",
                "hdsearch.trial_id": str(trial.trial_id),
                "hdsearch.status": "running",
            },
        )
        child.create_failed = False
        return run.info.run_id

    def _curve_key(self, metric):
        return _metric_key(self.context.logged_name(metric))

    def _log(self, run_id, metrics=(), params=None, tags=None):
        """One ``log_batch`` per MLflow limit's worth of metrics, params and tags."""
        from mlflow.entities import Metric, Param, RunTag

        metrics = [Metric(key, float(value), stamp, step) for key, value, stamp, step in metrics]
        params = [Param(key, _text(value, _MAX_PARAM_LENGTH)) for key, value in (params or {}).items()]
        tags = [RunTag(key, _text(value, _MAX_TAG_LENGTH)) for key, value in (tags or {}).items()]
        while metrics or params or tags:
            self.client.log_batch(
                run_id,
                metrics=metrics[:_MAX_METRICS],
                params=params[:_MAX_PARAMS_AND_TAGS],
                tags=tags[:_MAX_PARAMS_AND_TAGS],
            )
            metrics = metrics[_MAX_METRICS:]
            params, tags = params[_MAX_PARAMS_AND_TAGS:], tags[_MAX_PARAMS_AND_TAGS:]

    # -------------------------------------------------------------- end

    def finish(self, search, error):
        """Log the last changes, then the best trial, the artifacts and the model; end the runs."""
        trials = getattr(search, "trials_", None) or list(self.context.trials)
        synced = self.sync(trials)
        if error is None:
            self._guarded("the best trial", self._log_best, search)
            self._guarded("the artifacts", self._log_artifacts, search)
            if self.callback.log_best_model and hasattr(search, "best_estimator_"):
                self._guarded("the best model", self._log_model, search)
        else:
            self._guarded("the interrupted trials", self._kill_running_children)
        status = "FINISHED" if error is None else "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"
        self._guarded("the end of the parent run", self.client.set_terminated, self.parent_id, status)
        if not synced:
            missing = sorted(t.trial_id for t in trials if not self.children.get(t.trial_id, _ChildRun()).ended)
            _warn(f"trials {missing} are not fully logged to MLflow; they are all in the search's "
                  "trials_ and cv_results_ (and its store)")

    def _guarded(self, what, function, *args):
        try:
            function(*args)
        except Exception as exc:
            _warn(f"logging {what} to MLflow failed ({type(exc).__name__}: {exc}); the search's results are intact")

    def _log_best(self, search):
        if not hasattr(search, "best_params_"):
            return
        logged = self.client.get_run(self.parent_id).data.params
        params = {f"best_{name}": _text(value, _MAX_PARAM_LENGTH) for name, value in search.best_params_.items()}
        changed = {k: v for k, v in params.items() if k in logged and logged[k] != v}
        params = {k: v for k, v in params.items() if k not in logged}
        # MLflow params cannot change: a resumed search that found a better trial tags the new values.
        tags = {"hdsearch.best_trial_id": str(search.best_index_)}
        tags.update((f"hdsearch.{k}", v) for k, v in changed.items())
        metrics = []
        if hasattr(search, "best_score_") and math.isfinite(search.best_score_):
            metrics.append(("best_score", float(search.best_score_), _ms(time.time()), 0))
        self._log(self.parent_id, metrics=metrics, params=params, tags=tags)

    def _log_artifacts(self, search):
        with tempfile.TemporaryDirectory() as folder:
            results = os.path.join(folder, "cv_results.csv")
            report = os.path.join(folder, "report.html")
            write_cv_results_csv(results, search.cv_results_)
            write_report(search, report)
            self.client.log_artifact(self.parent_id, results)
            self.client.log_artifact(self.parent_id, report)

    def _log_model(self, search):
        import mlflow.sklearn

        mlflow = self.mlflow
        previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(self.uri)
        try:
            # log_model writes to the active run: make the parent run active for that call.
            with mlflow.start_run(run_id=self.parent_id, nested=mlflow.active_run() is not None):
                # cloudpickle, not MLflow's default skops, which refuses any class of the
                # user's own (as the run folder's best_model.joblib, a pickle: load what you trust).
                self.model_uri = mlflow.sklearn.log_model(
                    search.best_estimator_, name="best_model",
                    serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
                    pip_requirements=_model_requirements(search.best_estimator_),
                ).model_uri
        finally:
            mlflow.set_tracking_uri(previous)

    def _kill_running_children(self):
        for child in self.children.values():
            if child.run_id is not None and not child.ended:
                self.client.set_terminated(child.run_id, "KILLED")


def _model_requirements(estimator):
    """scikit-learn and the installed distributions of the estimator's classes, pinned.

    What MLflow would infer by loading the model in a subprocess (many
    seconds), read from the estimator's parameter tree instead.
    """
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    import mlflow.sklearn

    objects = [estimator, *estimator.get_params(deep=True).values()]
    packages = {type(obj).__module__.split(".")[0] for obj in objects if hasattr(obj, "get_params")}
    requirements = set(mlflow.sklearn.get_default_pip_requirements(include_cloudpickle=True))
    distributions = None
    for package in packages - {"sklearn", "__main__"}:
        try:
            requirements.add(f"{package}=={version(package)}")
            continue
        except PackageNotFoundError:
            pass
        if distributions is None:  # scans every installed distribution: only when needed
            distributions = packages_distributions()
        for distribution in distributions.get(package, ()):
            requirements.add(f"{distribution}=={version(distribution)}")
    return sorted(requirements)


def _run_name(context):
    if context.experiment is not None:
        return context.experiment.name
    return f"hdsearch {context.settings['estimator'].rsplit('.', 1)[-1]} {time.strftime('%Y-%m-%d %H:%M:%S')}"


def _first_metric(trials):
    """The primary metric of a callable scorer: the first one its results hold."""
    for trial in trials:
        for result in trial.results:
            if result.error is None and result.test_scores:
                return next(iter(result.test_scores))
    return None


def _metric_key(name):
    return _METRIC_KEY_INVALID.sub("_", name)


def _final_metrics(trial, logged_name):
    """``mean_test_<m>`` and ``std_test_<m>`` (and train) over the last interval of each fold.

    ``logged_name(m)`` is the name metric ``m`` is logged under.
    """
    final = trial.last_result_per_fold()
    metrics = {}
    for kind in ("test", "train"):
        per_fold = [getattr(r, f"{kind}_scores") for r in final]
        if not per_fold or any(scores is None for scores in per_fold):
            continue
        for name in per_fold[0]:
            values = np.array([scores.get(name, math.nan) for scores in per_fold], dtype=float)
            key = _metric_key(logged_name(name))
            for stat, value in (("mean", np.mean(values)), ("std", np.std(values))):
                if math.isfinite(value):
                    metrics[f"{stat}_{kind}_{key}"] = float(value)
    return metrics


def _end_tags(trial, reason, stop_reason):
    tags = {"hdsearch.status": trial.status}
    if trial.status == TERMINATED:
        tags["hdsearch.termination_reason"] = reason or f"the search stopped ({stop_reason or 'interrupted'})"
    elif trial.status == FAILED and trial.errors:
        tags["hdsearch.error"] = trial.errors[0][-_MAX_TAG_LENGTH:]  # a traceback's end says the most
    return tags


def _text(value, limit):
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ms(seconds):
    return int(seconds * 1000)


def _warn(message):
    warnings.warn(f"MLflowCallback: {message}", TrackingWarning, stacklevel=3)
