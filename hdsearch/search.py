"""HyperDriveSearchCV: HyperDrive's experiment as a scikit-learn search estimator."""

import copy
import functools
import numbers
import os
import re
import time
import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch, get_tags, indexable
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel
from sklearn.utils.validation import check_is_fitted

from . import _validation as v
from . import report as _report
from ._boosting import parameter_names
from ._compat import (
    CallbackSupportMixin,
    declared_to_reject,
    inconsistent_splits_message,
    inverse_transform_input,
    release_forwards_sample_weight,
    scorer_accepts_sample_weight,
    search_visual_block,
    with_callbacks,
)
from ._config import did_you_mean
from ._cv_results import (
    build_cv_results,
    fill_failed_scores,
    metric_names_of,
    warn_or_raise_about_fit_failures,
)
from ._experiment import ExperimentRecorder, logger, spec_of, warm_start_trials
from ._fit_tasks import NoFitTasks, fit_tasks
from ._progress import ProgressReporter
from ._tracking import FitContext, TrackingCallback
from ._verbose import VerboseLines
from .callbacks import WaveSnapshot, check_callbacks, run_callbacks
from .engine import Budget, CallableHooks, Evaluation, WaveEngine, worker_scorer
from .engine.refit import refit_trial, show_warnings
from .policy import BasePolicy, make_policy
from .resource import BaseResource, make_resource
from .sampling import BaseSampling, make_sampling, seed_from
from .space import Normal, Space, Uniform
from .trials import COMPLETED

# scikit-learn's words when there is nothing to fit.
_NO_FITS_MESSAGE = "No fits were performed. Was the CV iterator empty? Were there no candidates?"

# Waves per worker when a time budget needs regular checks and no
# max_concurrent_runs bounds the waves.
_TRIALS_PER_WORKER_UNDER_TIME_BUDGET = 4


def _require_refit(search, attr):
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} instance was initialized with `refit=False`. "
            f"{attr} is available only after refitting on the best parameters. You can "
            "refit an estimator manually using the `best_params_` attribute"
        )


def _estimator_has(attr):
    """``available_if`` check: delegate ``attr`` only when the estimator has it."""

    def check(self):
        _require_refit(self, attr)
        getattr(self.best_estimator_ if hasattr(self, "best_estimator_") else self.estimator, attr)
        return True

    return check


class HyperDriveSearchCV(MetaEstimatorMixin, CallbackSupportMixin, BaseEstimator):
    """Hyperparameter search the way Azure ML HyperDrive runs it.

    A search space of HyperDrive expressions (or scikit-learn lists and scipy
    distributions), a sampling strategy, and an early-termination policy,
    cross-validated and run in parallel with joblib. It drops in wherever
    ``GridSearchCV`` or ``RandomizedSearchCV`` goes.

    Parameters
    ----------
    estimator : estimator object
        Cloned for every fit; must implement ``fit`` and, unless ``scoring``
        is given, ``score``.
    param_distributions : dict or list of dicts
        Parameter names mapped to expressions (``choice``, ``uniform``,
        ``loguniform``, ...), plain lists (same as ``choice``) or objects with
        ``rvs`` such as ``scipy.stats`` frozen distributions. A list of dicts
        is a conditional space, as in scikit-learn.
    sampling : {"random", "grid", "sobol"} or sampling object, default="random"
        How parameter sets are chosen: ``GridSampling()``,
        ``RandomSampling(rule="random" | "sobol")`` or their names.
    policy : policy object or None, default=None
        Early-termination policy: ``BanditPolicy``, ``MedianStoppingPolicy``,
        ``TruncationSelectionPolicy``, ``HalvingPolicy``, or None /
        ``NoTerminationPolicy()`` to run every trial to the end. It compares
        trials on the refit metric.
    resource : "folds", "partial_fit" or resource object, default="folds"
        What one evaluation interval is: ``"folds"`` (interval k is the k-th
        CV fold; any estimator), ``PartialFit(max_epochs)`` (``"partial_fit"``
        means ``PartialFit(max_epochs=10)``), ``WarmStart(param, start, stop,
        step | factor)`` or ``Subsample(min_samples, factor)``.
    curves : {"decisions", "all"}, default="decisions"
        Which intervals of a per-fold resource are scored, and so held in
        ``trials_`` and the store: ``"decisions"`` scores the intervals the
        policy's decisions read and the last one (with no policy, only the
        last; ``BanditPolicy`` and ``MedianStoppingPolicy`` read every
        interval up to their last decision, ``TruncationSelectionPolicy``
        and ``HalvingPolicy`` only the intervals they decide at), and the
        resource runs from one to the next in one call (``WarmStart`` jumps
        straight to the next value); ``"all"`` scores
        every interval, one resource call each. The intervals not scored
        read as None in a learning curve, except where the model can be
        scored as it was at an earlier interval without retraining
        (``WarmStart`` on boosting: XGBoost, LightGBM, CatBoost and
        scikit-learn's gradient boosting), which fills them in. The ``folds`` resource always
        scores every fold.
    max_total_runs : int, default=None
        Number of trials to run. None means the whole grid for grid sampling,
        the initial design plus 20 for Bayesian sampling (e.g. 26 for three
        parameters), and 10 otherwise.
    max_concurrent_runs : int, default=None
        Trials in flight at once. None means no limit beyond
        ``max_total_runs``.
    max_duration : float, default=None
        Seconds after which no new wave of work starts. Trials already
        finished are kept.
    scoring : str, callable, list, tuple, set or dict, default=None
        As in ``GridSearchCV``; None uses the estimator's ``score``. For a
        classifier that inherits ``ClassifierMixin.score`` and 1-D integer,
        boolean or string labels, that accuracy is computed directly, without
        ``accuracy_score``'s input checks: the same number, several
        milliseconds sooner per score (it matters when every epoch is scored).
        Likewise the common scorer names (``"accuracy"``, ``"roc_auc"``,
        ``"neg_log_loss"``, ``"f1_macro"``, ``"r2"``, ...; the list is
        ``hdsearch._fast_scoring.FAST_SCORER_NAMES``), alone or in a list or
        dict, are computed from the predictions with each test fold's target
        checked once: scikit-learn's numbers (bit for bit without sample
        weights, to rounding with them), a fraction of its per-call cost.
        Every case they do not cover, metadata routing included, goes to
        scikit-learn's scorer.
    n_jobs : int, default=None
        Number of joblib workers; None means 1 unless in a
        ``joblib.parallel_config`` context, -1 means all processors.
    refit : bool, str or callable, default=True
        Refit the best parameter set on the whole data, as in
        ``GridSearchCV``; with multi-metric scoring, the metric name to
        select the best trial, or a callable of ``cv_results_`` returning
        the best index.
    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV``: None means 5-fold (stratified for
        classifiers).
    verbose : int, default=0
        scikit-learn's verbosity. >0 prints what the search will do once
        (``Fitting up to 20 trials x 4 folds (4 at a time) with ...``), then
        one line per wave of the trials it started and ended, and why each
        terminated trial was stopped; a search that is one wave of plain
        cross-validation (``folds`` resource, no policy, every trial at
        once) prints ``GridSearchCV``'s ``Fitting 3 folds for each of 4
        candidates, totalling 12 fits`` instead, and nothing per wave. >1
        prints one line per fit, >2 adds the scores.
    pre_dispatch : int or str, default="2*n_jobs"
        Passed to ``joblib.Parallel``.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling. An int makes the search reproducible, whatever
        ``n_jobs`` and the joblib backend.
    error_score : "raise" or float, default=np.nan
        Score of a failed fit; "raise" stops the search with the error.
    return_train_score : bool, default=False
        Also score each fold on its training part.
    callbacks : list of callable, default=None
        Each is called after every wave with a read-only
        :class:`~hdsearch.callbacks.WaveSnapshot` of the trial table.
        Returning True, or raising :class:`~hdsearch.StopSearch`, ends the
        search cleanly after that wave, keeping every result. See
        :class:`~hdsearch.StopWhenScoreReaches` and
        :class:`~hdsearch.EarlyStopOnPlateau`. A
        :class:`~hdsearch.callbacks.TrackingCallback` such as
        :class:`~hdsearch.callbacks.MLflowCallback` also hears when the fit
        starts and ends, and mirrors the search elsewhere as it runs.
    progress_bar : bool, default=False
        Show a progress bar (tqdm's ``auto`` flavour, from the ``progress``
        extra; plain lines on stderr without tqdm): trials ended, completed,
        terminated and failed, and the best score so far.
    storage : str, path or None, default=None
        An SQLite file (a path or ``"sqlite:///path"``; missing folders are
        created) that records every wave in one transaction. ``fit`` on an
        experiment already in the file, with the same spec (estimator and
        its parameters, space, sampling, policy, resource, scoring, splits,
        random_state, max_concurrent_runs, error_score,
        return_train_score, and a content fingerprint of X, y and every fit
        parameter such as ``sample_weight`` and ``groups``), resumes it:
        finished trials and intervals are read back, trials that were in
        flight are re-run, and the final ``cv_results_`` equal those of an
        uninterrupted run. A resume is logged on the ``"hdsearch"`` logger
        (INFO), printed when ``verbose > 0`` and shown by the progress bar.
        None touches no disk.
    experiment_name : str, default=None
        The experiment's name in ``storage``; None derives it from the
        spec, so refitting the same search on the same data resumes it, and
        on other data starts a new experiment. Under an existing name, a
        different spec (other data included) raises
        :class:`~hdsearch.ExperimentMismatchError`, naming each changed
        entry and a free name, before anything runs.
    resume_from : list of str or fitted HyperDriveSearchCV, default=None
        Warm start: ended trials of earlier experiments (names in
        ``storage``, or fitted searches) inform the sampling and the
        policy's comparisons. They are not run again, do not count against
        ``max_total_runs``, cannot be ``best_``, and appear after this
        search's rows in ``cv_results_`` with their ``source``.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        ``GridSearchCV``'s keys and dtypes, one row per trial in trial order,
        plus ``status`` (``"completed"``, ``"terminated"`` or ``"failed"``),
        ``n_intervals`` (intervals run), ``resource_reached`` (folds,
        epochs, the grown parameter's value or training samples) and
        ``source`` (``"search"``, or the experiment a warm-start trial came
        from). Split and mean scores are those of the last interval reached.
    best_estimator_ : estimator
        The best parameter set refit on the whole data; with ``refit=True``.
    best_score_ : float
        Mean cross-validated score of the best trial.
    best_params_ : dict
        Parameters of the best trial.
    best_index_ : int
        Row of the best trial in ``cv_results_``.
    scorer_ : callable or dict
        The scorer, or a dict of scorers for multi-metric scoring.
    n_splits_ : int
        Number of cross-validation splits.
    resource_values_ : tuple
        The amount of resource at intervals 1, 2, ... of a trial run to the
        end: folds, epochs, the ``WarmStart`` parameter's values or training
        samples (of the smallest training fold); what learning curves are
        drawn against.
    refit_time_ : float
        Seconds spent refitting the best trial.
    multimetric_ : bool
        Whether the scoring is multi-metric.
    trials_ : list of Trial
        One plain record per trial: params, status and every fold's scores
        and times.
    experiment_ : Experiment or None
        ``name`` and ``storage`` path of the stored experiment, and
        ``resumed_trials`` read back when the fit started; None without
        ``storage``. ``hdsearch.load_experiment(storage, name)`` reads it
        back without refitting.
    classes_, n_features_in_, feature_names_in_
        Those of ``best_estimator_``, when it has them.

    See Also
    --------
    sklearn.model_selection.GridSearchCV
    sklearn.model_selection.RandomizedSearchCV

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hdsearch import HyperDriveSearchCV, choice, loguniform
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperDriveSearchCV(
    ...     SVC(), {"C": loguniform(-3, 3), "kernel": choice("rbf", "linear")},
    ...     max_total_runs=8, random_state=0,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['C', 'kernel']
    """

    _parameter_constraints = {
        "estimator": [v.has_methods("fit")],
        "param_distributions": [v.instance_of(dict, list, description="a dict or a list of dicts")],
        "sampling": [
            v.one_of("random", "grid", "sobol", "bayesian"),
            v.instance_of(BaseSampling, description="a sampling object"),
        ],
        "policy": [v.instance_of(BasePolicy, description="a policy object"), v.NONE],
        "resource": [
            v.one_of("folds", "partial_fit"),
            v.instance_of(BaseResource, description="a resource object"),
            v.NONE,
        ],
        "curves": [v.one_of("decisions", "all")],
        "max_total_runs": [v.int_at_least(1), v.NONE],
        "max_concurrent_runs": [v.int_at_least(1), v.NONE],
        "max_duration": [v.positive_real(), v.NONE],
        "scoring": [
            v.STRING,
            v.CALLABLE,
            v.instance_of(list, tuple, set, dict, description="a list, tuple, set or dict"),
            v.NONE,
        ],
        "n_jobs": [v.Constraint(lambda n: v._is_int(n) and n != 0, "a non-zero int"), v.NONE],
        "refit": [v.BOOLEAN, v.STRING, v.CALLABLE],
        "cv": [
            v.int_at_least(2),
            v.has_methods("split", "get_n_splits"),
            v.Constraint(lambda c: hasattr(c, "__iter__") and not isinstance(c, str), "an iterable"),
            v.NONE,
        ],
        "verbose": [v.int_at_least(0), v.BOOLEAN],
        "pre_dispatch": [
            v.int_at_least(1),
            v.Constraint(
                lambda p: isinstance(p, str) and _PRE_DISPATCH.fullmatch(p.strip()) is not None,
                "'all', or an expression of n_jobs such as '2*n_jobs'",
            ),
        ],
        "random_state": [
            v.int_at_least(0),
            v.instance_of(np.random.RandomState, description="a RandomState instance"),
            v.NONE,
        ],
        "error_score": [v.one_of("raise"), v.REAL],
        "return_train_score": [v.BOOLEAN],
        "callbacks": [v.instance_of(list, tuple, description="a list of callables"), v.NONE],
        "progress_bar": [v.BOOLEAN],
        "storage": [v.instance_of(str, os.PathLike, description="a path or 'sqlite:///path'"), v.NONE],
        "experiment_name": [v.STRING, v.NONE],
        "resume_from": [v.instance_of(list, tuple, description="a list of names or fitted searches"), v.NONE],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        sampling="random",
        policy=None,
        resource="folds",
        curves="decisions",
        max_total_runs=None,
        max_concurrent_runs=None,
        max_duration=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        callbacks=None,
        progress_bar=False,
        storage=None,
        experiment_name=None,
        resume_from=None,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.sampling = sampling
        self.policy = policy
        self.resource = resource
        self.curves = curves
        self.max_total_runs = max_total_runs
        self.max_concurrent_runs = max_concurrent_runs
        self.max_duration = max_duration
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.callbacks = callbacks
        self.progress_bar = progress_bar
        self.storage = storage
        self.experiment_name = experiment_name
        self.resume_from = resume_from

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        # Lets cross-validation see 'precomputed' kernels and sparse support.
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        # A search on array API inputs works when its estimator's does.
        tags.array_api_support = inner.array_api_support
        return tags

    # ------------------------------------------------------------------ fit

    @with_callbacks
    def fit(self, X, y=None, **params):
        """Run the experiment and refit the best trial.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training data; a square kernel for a ``precomputed`` estimator.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        **params : dict
            Parameters for the estimator's ``fit``, the scorer and the CV
            splitter (``groups``). Arrays as long as ``X`` are split with it.
            With metadata routing enabled they go where they are requested.

        Returns
        -------
        self : HyperDriveSearchCV
            The fitted search.
        """
        space, sampling, policy, resource = self._check_experiment()
        callbacks = check_callbacks(self.callbacks)
        scorer, metric_names = self._get_scorer()
        X, y = indexable(X, y)
        routed = self._route_fit_params(scorer, params)
        resource.check_fit_params(self.estimator, routed.estimator.fit)
        tasks = fit_tasks(self, X, y, params)

        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, **routed.splitter.split)
        splits = list(cv.split(X, y, **routed.splitter.split))
        if len(splits) != self.n_splits_:
            raise ValueError(inconsistent_splits_message(self.n_splits_, len(splits)))
        if not splits:
            raise ValueError(_NO_FITS_MESSAGE)

        max_total_runs = self.max_total_runs
        if max_total_runs is None:
            max_total_runs = sampling.default_max_total_runs(space)
        sampler = sampling.bind(space, max_total_runs, self.random_state)
        evaluation = Evaluation(
            estimator=clone(self.estimator),
            X=X,
            y=y,
            splits=splits,
            scorer=worker_scorer(self.scoring, scorer, self.error_score),
            metric_names=metric_names,
            fit_params=routed.estimator.fit,
            score_params=routed.scorer.score,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            verbose=self.verbose,
            resource=resource,
            seed_entropy=self._seed_entropy(resource),
            # Only per-fold resources pass classes (to partial_fit); leaving
            # them out otherwise keeps array API inputs off numpy.
            classes=(
                np.unique(y)
                if resource.per_fold and is_classifier(self.estimator) and y is not None
                else None
            ),
            fit_tasks=tasks,
            searched_params=frozenset(space.param_names),
        )
        recorder = None
        if self.storage is not None:
            spec = spec_of(self, space, sampling, policy, resource, splits, X, y, params)
            run_settings = {"max_total_runs": max_total_runs, "max_duration": self.max_duration}
            recorder = ExperimentRecorder(self.storage, self.experiment_name, spec, run_settings)
        prior = warm_start_trials(
            self.resume_from or [], recorder and recorder.store, recorder and recorder.name
        )
        budget = Budget(max_total_runs, self._wave_width(sampling), self.max_duration)
        engine = WaveEngine(
            evaluation, sampler, budget, policy, self._primary_metric(metric_names), prior_trials=prior,
            curves=self.curves,
            # A callable refit picks from cv_results_ and scikit-learn's callbacks
            # report the refit as its own task: both refit in the parent.
            refit_early=bool(self.refit) and not callable(self.refit) and isinstance(tasks, NoFitTasks),
        )
        _warn_if_the_policy_never_acts(policy, resource, engine.first_decision(), evaluation.n_intervals)
        resume = None
        if recorder is not None:
            engine.restore(recorder.load())
            resume = recorder.resume_summary(engine.trials, max_total_runs)
            self._announce(resume)
        self.experiment_ = None if recorder is None else recorder.experiment
        self.resource_values_ = tuple(evaluation.reached(k) for k in range(1, evaluation.n_intervals + 1))
        trackers = [callback for callback in callbacks if isinstance(callback, TrackingCallback)]
        context = FitContext(
            search=self,
            settings=self._settings_text(sampling, policy, resource, max_total_runs, cv),
            metric=self._primary_metric(metric_names),
            per_fold=resource.per_fold,
            n_splits=self.n_splits_,
            experiment=self.experiment_,
            trials=tuple(engine.trials),
            score_name=_score_name(self.scoring, self.estimator),
            resource_axis=resource.axis_label(),
            resource_values=self.resource_values_,
        )
        for tracker in trackers:
            tracker.on_fit_start(context)
        progress = (
            ProgressReporter(max_total_runs, engine.completed_scores, resume=resume) if self.progress_bar else None
        )
        plain_callbacks = [c for c in callbacks if not isinstance(c, TrackingCallback)]
        verbose_lines = VerboseLines(sampling) if self.verbose > 0 else None
        engine.hooks = CallableHooks(
            announce=None if verbose_lines is None else verbose_lines.announce,
            listeners=self._wave_listeners(engine, plain_callbacks, progress, verbose_lines),
            recorder=_recorder_with_trackers(recorder, trackers, engine),
        )
        tasks.begin_search(max_subtasks=max_total_runs * self.n_splits_)
        try:
            try:
                # scikit-learn's Parallel carries its configuration (array_api_dispatch,
                # transform_output, ...) to the workers, as GridSearchCV's does.
                # joblib's defaults stay: a Parallel whose memory-mapping settings
                # differ from the last one's restarts the loky workers (measured:
                # 1.5 to 2 s for a search that follows GridSearchCV).
                # Outcomes as a generator, in task order: the engine can stop a wave
                # early when every fit fails alike.
                with Parallel(
                    n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch, return_as="generator"
                ) as parallel:
                    trials = engine.run(parallel)
            except BaseException:
                # KeyboardInterrupt included: what finished stays readable.
                self.trials_ = engine.trials
                raise
            finally:
                if progress is not None:
                    progress.close()
            self._finish_fit(trials, prior, metric_names, evaluation, X, y, routed, scorer, engine, tasks)
        except BaseException as exc:
            for tracker in trackers:
                tracker.on_fit_end(self, exc)
            raise
        for tracker in trackers:
            tracker.on_fit_end(self)
        return self

    def _finish_fit(self, trials, prior, metric_names, evaluation, X, y, routed, scorer, engine, tasks):
        """From the finished trial table to ``cv_results_``, ``best_*`` and the refit."""
        if engine.stop_reason == "max_duration":
            warnings.warn(_max_duration_message(self.max_duration, trials), UserWarning)
        if not trials:
            raise ValueError(_NO_FITS_MESSAGE)
        tasks.end_search()

        self.multimetric_ = bool(engine.multimetric)
        if metric_names is None:
            metric_names = metric_names_of(trials, self.multimetric_)
        if self.multimetric_:
            fill_failed_scores(trials, metric_names, self.error_score)
        warn_or_raise_about_fit_failures(trials, self.error_score)
        self.trials_ = trials
        self.cv_results_ = build_cv_results(
            trials + prior, self.n_splits_, metric_names, self.return_train_score, evaluation
        )
        self._select_best(metric_names)
        if self.refit:
            self._refit_best(X, y, routed.estimator.fit, evaluation, engine, tasks)
        self.scorer_ = self._scorer_attribute(scorer)
        tasks.end()

    def _announce(self, resume):
        """Log a resume on the ``hdsearch`` logger (INFO) and, with ``verbose > 0``, print it."""
        if resume is None:
            return
        logger.info("%s", resume)
        if self.verbose > 0:
            print(f"[hdsearch] {resume}", flush=True)

    def _settings_text(self, sampling, policy, resource, max_total_runs, cv):
        """The settings a tracking backend records, as text."""
        estimator = self.estimator
        return {
            "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
            "sampling": repr(sampling),
            "policy": repr(policy),
            "resource": repr(resource),
            "curves": self.curves,
            "max_total_runs": str(max_total_runs),
            "max_concurrent_runs": str(self.max_concurrent_runs),
            "max_duration": str(self.max_duration),
            "cv": _describe_cv(cv, self.cv, self.n_splits_),
            "scoring": repr(self.scoring),
            "refit": repr(self.refit),
            "random_state": repr(self.random_state),
            "error_score": repr(self.error_score),
            "return_train_score": str(self.return_train_score),
        }

    def _wave_listeners(self, engine, callbacks, progress, verbose_lines):
        """What runs after every wave: the verbose lines, the progress bar, the callbacks."""
        listeners = []
        if verbose_lines is not None:
            listeners += [verbose_lines, _print_terminations]
        if progress is not None:
            listeners.append(progress)
        if callbacks:
            listeners.append(
                lambda report: run_callbacks(
                    callbacks, WaveSnapshot(report.wave, tuple(engine.observations(include_prior=False)))
                )
            )
        return listeners

    def _check_experiment(self):
        """Validate everything that can be checked before any fit starts."""
        v.validate_parameters(self, self._parameter_constraints)
        space = Space(self.param_distributions)
        sampling = make_sampling(self.sampling)
        policy = make_policy(self.policy)
        resource = make_resource(self.resource)
        self._check_param_names(space)
        _check_int_parameters_get_ints(self.estimator, space)
        resource.check(self.estimator, space.param_names)
        return space, sampling, policy, resource

    def _seed_entropy(self, resource):
        """Root of the resource's random streams (data order, subsamples)."""
        if not resource.per_fold:
            return 0  # folds need no randomness; leave a RandomState untouched
        seed = seed_from(self.random_state)
        return np.random.SeedSequence().entropy if seed is None else seed

    def _primary_metric(self, metric_names):
        """The metric policies compare: the refit metric, or the first one."""
        refit_name = self.refit if isinstance(self.refit, str) else None
        if metric_names is None:  # a callable scorer: the engine learns the names
            return refit_name
        return refit_name if refit_name in metric_names else metric_names[0]

    def _check_param_names(self, space):
        """Set one parameter set of every subspace on a clone, as each trial will.

        ``set_params`` is the judge, not ``get_params``: an estimator may
        accept more names than it lists. When ``set_params`` fails although
        every name is listed (or belongs to a step searched in the same
        dict), the drawn values failed, not the names: the trials report it.
        """
        for subspace in space.subspaces:
            params = {name: expression.rvs(random_state=0) for name, expression in subspace.items()}
            if not params:
                continue
            try:
                clone(self.estimator).set_params(**clone(params, safe=False))
            except Exception as exc:
                unlisted = self._unlisted_names(subspace)
                if unlisted:
                    hint = did_you_mean(unlisted[0], self._listed_names())
                    raise ValueError(
                        f"Invalid parameter {unlisted[0]!r} in param_distributions for estimator "
                        f"{self.estimator!r}{hint} set_params raised {type(exc).__name__}: {exc}"
                    ) from exc

    def _listed_names(self):
        """Every parameter name the estimator lists, its steps' included (``svc__C``)."""
        # CatBoost lists only the parameters its constructor was given.
        return set(self.estimator.get_params(deep=True)) | parameter_names(self.estimator)

    def _unlisted_names(self, subspace):
        """Names of ``subspace`` that neither ``get_params`` nor a searched step lists."""
        listed = self._listed_names()
        # 'clf__C' is settable when 'clf' itself is searched in the same dict.
        return [
            name
            for name in subspace
            if name not in listed and not ("__" in name and name.rsplit("__", 1)[0] in subspace)
        ]

    def _wave_width(self, sampling):
        if self.max_concurrent_runs is not None:
            return self.max_concurrent_runs
        width = sampling.default_max_concurrent_runs(effective_n_jobs(self.n_jobs))
        if width is not None or self.max_duration is None:
            return width
        return _TRIALS_PER_WORKER_UNDER_TIME_BUDGET * effective_n_jobs(self.n_jobs)

    def _get_scorer(self):
        """The scorer and, when known before fitting, its metric names."""
        if callable(self.scoring):
            return self.scoring, None
        if self.scoring is None or isinstance(self.scoring, str):
            return check_scoring(self.estimator, self.scoring), ["score"]
        if isinstance(self.scoring, dict):
            metric_names = list(self.scoring)
        else:
            metric_names = list(self.scoring)
            if len(set(metric_names)) != len(metric_names):
                raise ValueError(f"scoring={self.scoring!r} contains duplicate names.")
        if not metric_names:
            raise ValueError(f"scoring={self.scoring!r}: an empty scoring is not allowed.")
        self._check_refit_for_multimetric(metric_names)
        scorer = check_scoring(
            self.estimator, self.scoring, raise_exc=(self.error_score == "raise")
        )
        return scorer, metric_names

    def _check_refit_for_multimetric(self, metric_names):
        valid = isinstance(self.refit, str) and self.refit in metric_names
        if self.refit is not False and not valid and not callable(self.refit):
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a scorer key "
                "or a callable to refit an estimator with the best parameter setting on the "
                "whole data and make the best_* attributes available for that metric. If "
                f"this is not needed, refit should be set to False explicitly. {self.refit!r} "
                "was passed."
            )

    def _route_fit_params(self, scorer, params):
        if get_config().get("enable_metadata_routing", False):
            return process_routing(self, "fit", **params)
        params = dict(params)
        groups = params.pop("groups", None)
        score_params = {}
        if params.get("sample_weight") is not None and self._scorer_takes_sample_weight(scorer):
            score_params["sample_weight"] = params["sample_weight"]
        return Bunch(
            estimator=Bunch(fit=params),
            splitter=Bunch(split={"groups": groups}),
            scorer=Bunch(score=score_params),
        )

    def _scorer_takes_sample_weight(self, scorer):
        """Whether ``fit``'s ``sample_weight`` goes to the scorer, without metadata routing.

        As scikit-learn >= 1.9 decides it: when any scorer accepts it, each
        scorer that does not is named in a warning and called without it.
        Older releases never forward it.
        """
        if not release_forwards_sample_weight():
            return False
        scorers = self._scorer_attribute(scorer)
        if isinstance(scorers, dict):
            refusing = [f"{name}={s}" for name, s in scorers.items() if not scorer_accepts_sample_weight(s)]
            accepted = len(refusing) < len(scorers)
        else:
            accepted = scorer_accepts_sample_weight(scorers)
            refusing = [] if accepted else [f"{scorers}"]
        for description in refusing:
            warnings.warn(
                f"The scoring {description} does not support sample_weight, which may lead to "
                f"statistically incorrect results when fitting {self} with sample_weight. ",
                UserWarning,
            )
        return accepted

    def _select_best(self, metric_names):
        results = self.cv_results_
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(metric_names)
        if not (self.refit or not self.multimetric_):
            return
        if callable(self.refit):
            best_index = self.refit(results)
            if not isinstance(best_index, numbers.Integral):
                raise TypeError("best_index_ returned is not an integer")
            if best_index < 0 or best_index >= len(results["params"]):
                raise IndexError("best_index_ index out of range")
        else:
            refit_metric = self.refit if self.multimetric_ else "score"
            best_index = _best_completed(results, f"rank_test_{refit_metric}")
            self.best_score_ = results[f"mean_test_{refit_metric}"][best_index]
        self.best_index_ = int(best_index)
        self.best_params_ = results["params"][best_index]

    def _refit_best(self, X, y, fit_params, evaluation, engine, tasks):
        """Refit the best trial on all the data, repeating the schedule it was scored with.

        The engine may have run this very refit already, beside the best
        trial's last folds (:meth:`WaveEngine._sure_best`).
        """
        early_trial, early = engine.early_refit or (None, None)
        if early_trial == self.best_index_ and early.estimator is not None:
            show_warnings(early.warnings)
            self.best_estimator_ = early.estimator
            self.refit_time_ = early.refit_time
        else:
            start = time.time()
            seed = (evaluation.seed_entropy, self.best_index_, self.n_splits_)
            self.best_estimator_ = refit_trial(
                self.estimator, self.best_params_, evaluation.resource, X, y, fit_params, seed,
                evaluation.classes, engine.scored_intervals, around=tasks.refit,
            )
            self.refit_time_ = time.time() - start
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

    def _scorer_attribute(self, scorer):
        """``scorer_``: the scorer, or one scorer per name for multi-metric scoring."""
        if isinstance(self.scoring, (list, tuple, set)):
            return {name: check_scoring(self.estimator, name) for name in self.scoring}
        if isinstance(self.scoring, dict):
            return {name: check_scoring(self.estimator, s) for name, s in self.scoring.items()}
        return scorer

    # ------------------------------------------------------------ routing

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` parameters to the estimator's ``fit``, the scorer
            and the splitter, and ``score`` parameters to the scorer.
        """
        router = MetadataRouter(owner=self)
        router.add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        scorer = self.scoring if callable(self.scoring) else check_scoring(
            self.estimator, self.scoring
        )
        router.add(
            scorer=scorer,
            method_mapping=MethodMapping()
            .add(caller="score", callee="score")
            .add(caller="fit", callee="score"),
        )
        router.add(splitter=self.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
        return router

    # --------------------------------------------------------- delegation

    def score(self, X, y=None, **params):
        """Score ``best_estimator_`` with the refit metric's scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        **params : dict
            Parameters for the scorer; only with metadata routing enabled,
            as in scikit-learn (a ``ValueError`` otherwise).

        Returns
        -------
        score : float
        """
        _require_refit(self, "score")
        check_is_fitted(self)
        if get_config().get("enable_metadata_routing", False):
            params = process_routing(self, "score", **params).scorer.score
        elif params:
            raise ValueError(
                f"Passing extra keyword arguments to {type(self).__name__}.score is only supported "
                "if enable_metadata_routing=True, which you can set using `sklearn.set_config`. "
                "See the User Guide <https://scikit-learn.org/stable/metadata_routing.html> for "
                f"more details. Extra parameters passed are: {set(params)}"
            )
        if isinstance(self.scorer_, dict):
            return self.scorer_[self.refit](self.best_estimator_, X, y, **params)
        score = self.scorer_(self.best_estimator_, X, y, **params)
        # A callable scoring that returns a dict of metrics.
        return score[self.refit] if self.multimetric_ else score

    def _call_best(self, method_name, X):
        """``best_estimator_.<method_name>(X)``, as ``GridSearchCV`` delegates it.

        An array namespace mismatch (array API inputs) is reported under this
        search's method, where the user called it.
        """
        check_is_fitted(self)
        try:
            return getattr(self.best_estimator_, method_name)(X)
        except ValueError as exc:
            if "must use the same namespace" not in str(exc):
                raise
            inner = re.escape(type(self.best_estimator_).__name__)
            message = re.sub(rf"{inner}\.\w+\(\)", f"{type(self).__name__}.{method_name}()", str(exc))
            raise ValueError(message) from None

    @available_if(_estimator_has("score_samples"))
    def score_samples(self, X):
        """Call ``score_samples`` on ``best_estimator_``.

        Parameters
        ----------
        X : iterable
            Data the estimator accepts.

        Returns
        -------
        y_score : ndarray of shape (n_samples,)
        """
        return self._call_best("score_samples", X)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Call ``predict`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._call_best("predict", X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Call ``predict_proba`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Call ``predict_log_proba`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Call ``decision_function`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("decision_function", X)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        """Call ``transform`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        Xt : {ndarray, sparse matrix} of shape (n_samples, n_features)
        """
        return self._call_best("transform", X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X=None, Xt=None):
        """Call ``inverse_transform`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples
            Required.
        Xt : indexable, length n_samples, default=None
            The deprecated name of ``X``, accepted (with a ``FutureWarning``)
            only where the installed ``GridSearchCV`` accepts it:
            scikit-learn < 1.7.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
        """
        X = inverse_transform_input(X, Xt)
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X)

    @property
    def n_features_in_(self):
        """Number of features seen during ``fit``; only with ``refit=True``."""
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute."
            )
        return self.best_estimator_.n_features_in_

    @property
    def classes_(self):
        """Class labels of ``best_estimator_``; only with ``refit=True``."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    # ------------------------------------------------------------ reports

    def leaderboard(self, top=None, include_terminated=True):
        """The trials sorted by the primary metric, best first.

        HyperDrive's ``get_children_sorted_by_primary_metric``. A trial's
        ``score`` is the mean test score of the primary (refit) metric at
        the last interval it reached: for a completed trial its
        ``mean_test_*`` in ``cv_results_``, for a terminated one the score
        it was stopped with. Failed and unscored trials come last.

        Parameters
        ----------
        top : int, default=None
            Keep the first ``top`` rows; None keeps all.
        include_terminated : bool, default=True
            Whether trials stopped by the policy are listed.

        Returns
        -------
        table : pandas.DataFrame or list of dict
            A DataFrame when pandas is installed, else a list of dicts; one
            row per trial with ``rank``, ``trial_id``, ``status``, ``score``,
            ``n_intervals``, ``time`` (seconds of fitting and scoring summed
            over every fold and interval), one ``param_<name>`` column per
            hyperparameter and ``params``.

        See Also
        --------
        hdsearch.report.leaderboard : The same rows for a stored experiment.
        """
        check_is_fitted(self, "trials_")
        return _report.as_table(_report.leaderboard(self, top=top, include_terminated=include_terminated))

    @property
    def _repr_html_(self):
        """HTML for notebooks: a summary and the top trials above scikit-learn's diagram.

        The summary gives the sampling, policy and resource, the budget used,
        the trials per status and the compute saved by early termination.
        Unfitted, it is scikit-learn's estimator diagram alone. Like
        scikit-learn's, it exists only when ``display="diagram"``.
        """
        if get_config()["display"] != "diagram":
            raise AttributeError("_repr_html_ is only defined when the 'display' configuration option is 'diagram'")
        return functools.partial(_report.search_html, self)

    def _sk_visual_block_(self):
        """scikit-learn's diagram draws ``best_estimator_`` once refit, else ``estimator``."""
        if hasattr(self, "best_estimator_"):
            return search_visual_block("best_estimator_", self.best_estimator_)
        return search_visual_block("estimator", self.estimator)

    def _repr_mimebundle_(self, **kwargs):
        """Jupyter's rich display: scikit-learn's bundle with hdsearch's summary as its HTML.

        IPython prefers ``_repr_mimebundle_``, which scikit-learn defines, to
        ``_repr_html_``; without this the summary would never show.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if "text/html" in bundle:
            bundle["text/html"] = _report.search_html(self)
        return bundle


# What joblib's pre_dispatch strings look like: "all", "2*n_jobs", "n_jobs + 2", "8".
_PRE_DISPATCH = re.compile(r"all|\d+|(\d+\s*\*\s*)?n_jobs(\s*[*+-]\s*\d+)?")


def _describe_cv(splitter, cv, n_splits):
    """The splitter used, as short text: ``"5-fold StratifiedKFold"``, ``"3 splits of ShuffleSplit"``.

    Parameters
    ----------
    splitter : cross-validator
        What ``check_cv`` made of ``cv``.
    cv : int, splitter, iterable or None
        The ``cv`` parameter as given.
    n_splits : int
    """
    if not (cv is None or isinstance(cv, numbers.Integral) or hasattr(cv, "split")):
        return f"{n_splits} splits given as a {type(cv).__name__}"
    name = type(splitter).__name__
    text = f"{n_splits}-fold {name}" if name.endswith("KFold") else f"{n_splits} splits of {name}"
    if getattr(splitter, "shuffle", False):
        text += f", shuffled with random_state={splitter.random_state!r}"
    return text


def _score_name(scoring, estimator):
    """What a single-metric search's ``score`` is: the scoring string, or the estimator's own metric.

    ``scoring=None`` scores with ``estimator.score``: ``"accuracy"`` for
    scikit-learn's classifier mixin, ``"r2"`` for its regressor mixin (a
    pipeline's final step decides), ``"score"`` for any other ``score``
    method and for a callable scorer.
    """
    if isinstance(scoring, str):
        return scoring
    if scoring is not None:
        return "score"
    while isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    own_score = getattr(type(estimator), "score", None)
    if own_score is ClassifierMixin.score:
        return "accuracy"
    return "r2" if own_score is RegressorMixin.score else "score"


def _recorder_with_trackers(recorder, trackers, engine):
    """The engine's recorder: the store first, then every tracking callback."""
    if not trackers:
        return recorder

    def record(report):
        if recorder is not None:
            recorder(report)
        for tracker in trackers:
            tracker.on_wave(report, engine.stop_reason)

    return record


def _print_terminations(report):
    for trial_id, _, reason in report.terminated:
        print(f"[trial {trial_id}] terminated: {reason}")


def _warn_if_the_policy_never_acts(policy, resource, first_decision, n_intervals):
    """Warn before any fit when the policy's first decision comes at or after a trial's last interval."""
    if policy is None or (first_decision is not None and first_decision < n_intervals):
        return
    when = "never" if first_decision is None else f"first at interval {first_decision}"
    more = "cv" if not resource.per_fold else "the resource's intervals"
    warnings.warn(
        f"{policy!r} will stop no trial: it acts {when}, but with {resource!r} a trial has {n_intervals} "
        f"intervals and a policy never acts at the last one. Lower delay_evaluation (or evaluation_interval, "
        f"HalvingPolicy's min_resource, PartialFit's min_epochs), or raise {more} above "
        f"{first_decision or n_intervals}.",
        UserWarning,
        stacklevel=2,
    )


def _check_int_parameters_get_ints(estimator, space):
    """Raise ValueError before any fit when an expression draws floats for a parameter declared int-only.

    ``quniform(2, 10, 1.0)`` on scikit-learn's ``max_depth`` would make
    every fit fail; ``quniform(2, 10, 1)`` draws ints.
    """
    for subspace in space.subspaces:
        for name, expression in subspace.items():
            value = _float_an_int_parameter_rejects(estimator, name, expression)
            if value is not None:
                raise ValueError(
                    f"param_distributions[{name!r}]: {expression!r} draws floats such as {value!r}, but "
                    f"{name} takes an int there (scikit-learn's declared constraints): its fits would fail. "
                    f"Write {_drawing_ints(expression)!r}: with an int q it draws ints."
                )


def _float_an_int_parameter_rejects(estimator, name, expression):
    """A value ``expression`` draws that ``name`` rejects as a float and takes as an int, or None."""
    if not isinstance(expression, (Uniform, Normal)) or expression.is_integer:
        return None
    for u in (0.25, 0.5, 0.75):
        value = expression.from_unit(u)
        as_int = int(round(value))
        if declared_to_reject(estimator, name, value) and not declared_to_reject(estimator, name, as_int):
            return value
    return None


def _drawing_ints(expression):
    """``expression`` with an int ``q``: the same step when it is a whole number, else 1."""
    q = expression.q
    return expression.with_q(int(q) if q is not None and float(q).is_integer() else 1)


def _max_duration_message(max_duration, trials):
    counts = {status: sum(t.status == status for t in trials) for status in ("completed", "terminated", "failed")}
    return (
        f"max_duration={max_duration} s ran out: the search stopped between waves after "
        f"{len(trials)} trials ({counts['completed']} completed, {counts['terminated']} terminated, "
        f"{counts['failed']} failed). Their results are kept; trials still running were marked terminated."
    )


def _best_completed(results, rank_key):
    """Lowest-ranked completed trial of this search, the first one on ties."""
    ranks = np.asarray(results[rank_key], dtype=float)
    own = (results["status"] == COMPLETED) & (results["source"] == "search")
    ranks = np.where(own, ranks, np.inf)
    return int(np.argmin(ranks))
