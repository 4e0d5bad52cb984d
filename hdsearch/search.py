"""HyperDriveSearchCV: HyperDrive's experiment as a scikit-learn search estimator."""

import copy
import os
import re
import time
import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags, indexable
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping
from sklearn.utils.parallel import Parallel

from . import _validation as v
from ._checks import (
    check_int_parameters_get_ints,
    check_param_names,
    max_duration_message,
    warn_if_the_policy_never_acts,
)
from ._compat import CallbackSupportMixin, inconsistent_splits_message, with_callbacks
from ._cv_results import (
    cv_results_of,
    fill_failed_scores,
    metric_names_of,
    warn_or_raise_about_fit_failures,
)
from ._experiment import open_recorder, restore_from_store, warm_start_trials
from ._fit_hooks import FitSetup, fit_hooks
from ._fit_tasks import NoFitTasks, fit_tasks
from ._fitted import FittedSearchMixin
from ._scoring import (
    check_refit_for_multimetric,
    get_scorer,
    route_fit_params,
    scorer_attribute,
    select_best,
)
from .callbacks import check_callbacks
from .engine import Budget, Evaluation, WaveEngine, worker_scorer
from .engine.refit import refit_trial, show_warnings
from .policy import BasePolicy, make_policy
from .resource import BaseResource, make_resource
from .sampling import BaseSampling, make_sampling, seed_from
from .space import Space

# scikit-learn's words when there is nothing to fit.
_NO_FITS_MESSAGE = "No fits were performed. Was the CV iterator empty? Were there no candidates?"

# Waves per worker when a time budget needs regular checks and no
# max_concurrent_runs bounds the waves.
_TRIALS_PER_WORKER_UNDER_TIME_BUDGET = 4


class HyperDriveSearchCV(FittedSearchMixin, MetaEstimatorMixin, CallbackSupportMixin, BaseEstimator):
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
        last), and the resource runs from one to the next in one call;
        ``"all"`` scores every interval, one resource call each. Intervals
        not scored read as None in a learning curve, except where boosting
        under ``WarmStart`` (XGBoost, LightGBM, CatBoost, scikit-learn's
        gradient boosting) scores them without retraining. The ``folds``
        resource always scores every fold.
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
        As in ``GridSearchCV``; None uses the estimator's ``score``. A
        classifier's inherited accuracy and the common scorer names
        (``"accuracy"``, ``"roc_auc"``, ``"neg_log_loss"``, ``"r2"``, ...;
        ``hdsearch._fast_scoring.FAST_SCORER_NAMES``) are computed with each
        test fold's target checked once: scikit-learn's numbers at a
        fraction of its per-call cost. Metadata routing and every other case
        go to scikit-learn's scorer.
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
    callbacks : list of callable or SearchCallback, default=None
        A callable is called after every wave with a read-only
        :class:`~hdsearch.callbacks.WaveSnapshot` of the trial table.
        Returning True, or raising :class:`~hdsearch.StopSearch`, ends the
        search cleanly after that wave, keeping every result. See
        :class:`~hdsearch.StopWhenScoreReaches` and
        :class:`~hdsearch.EarlyStopOnPlateau`. A
        :class:`~hdsearch.callbacks.SearchCallback` hears every moment of
        the fit (start, each wave's trials, results and decisions, end); a
        :class:`~hdsearch.callbacks.TrackingCallback` such as
        :class:`~hdsearch.callbacks.MLflowCallback` mirrors the search
        elsewhere as it runs.
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
        scorer, metric_names = get_scorer(self.estimator, self.scoring, self.refit, self.error_score)
        X, y = indexable(X, y)
        routed = route_fit_params(self, scorer, params)
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
        recorder = open_recorder(self, space, sampling, policy, resource, splits, X, y, params, max_total_runs)
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
        warn_if_the_policy_never_acts(policy, resource, engine.first_decision(), evaluation.n_intervals)
        self.experiment_ = None if recorder is None else recorder.experiment
        self.resource_values_ = tuple(evaluation.reached(k) for k in range(1, evaluation.n_intervals + 1))
        setup = FitSetup(sampling, policy, resource, max_total_runs, cv, self._primary_metric(metric_names))
        resume = restore_from_store(engine, recorder, max_total_runs, self.verbose)
        # Built once the engine is restored: the callbacks read its trials and its curves.
        hooks = fit_hooks(self, engine, callbacks, recorder, setup, resume)
        engine.hooks = hooks
        tasks.begin_search(max_subtasks=max_total_runs * self.n_splits_)
        try:
            try:
                # scikit-learn's Parallel carries its configuration to the workers, as
                # GridSearchCV's does; joblib's memory-mapping defaults stay (other settings
                # restart the loky workers: 1.5 to 2 s measured). A generator, in task order,
                # lets the engine stop a wave early when every fit fails alike.
                with Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch, return_as="generator") as parallel:
                    trials = engine.run(parallel)
            except BaseException:
                # KeyboardInterrupt included: what finished stays readable.
                self.trials_ = engine.trials
                raise
            finally:
                hooks.search_end()
            self._finish_fit(trials, prior, metric_names, evaluation, X, y, routed, scorer, engine, tasks)
        except BaseException as exc:
            hooks.fit_end(self, exc)
            raise
        hooks.fit_end(self)
        return self

    def _finish_fit(self, trials, prior, metric_names, evaluation, X, y, routed, scorer, engine, tasks):
        """From the finished trial table to ``cv_results_``, ``best_*`` and the refit."""
        if engine.stop_reason == "max_duration":
            warnings.warn(max_duration_message(self.max_duration, trials), UserWarning)
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
        self.cv_results_ = cv_results_of(
            trials + prior, evaluation.schedule, metric_names, self.return_train_score, evaluation.reached
        )
        self._select_best(metric_names)
        if self.refit:
            self._refit_best(X, y, routed.estimator.fit, evaluation, engine, tasks)
        self.scorer_ = scorer_attribute(self.estimator, self.scoring, scorer)
        tasks.end()

    def _check_experiment(self):
        """Validate everything that can be checked before any fit starts."""
        v.validate_parameters(self, self._parameter_constraints)
        space = Space(self.param_distributions)
        sampling = make_sampling(self.sampling)
        policy = make_policy(self.policy)
        resource = make_resource(self.resource)
        check_param_names(self.estimator, space)
        check_int_parameters_get_ints(self.estimator, space)
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

    def _wave_width(self, sampling):
        if self.max_concurrent_runs is not None:
            return self.max_concurrent_runs
        width = sampling.default_max_concurrent_runs(effective_n_jobs(self.n_jobs))
        if width is not None or self.max_duration is None:
            return width
        return _TRIALS_PER_WORKER_UNDER_TIME_BUDGET * effective_n_jobs(self.n_jobs)

    def _select_best(self, metric_names):
        """``best_index_``, ``best_params_`` and ``best_score_``, as ``GridSearchCV`` sets them."""
        if callable(self.scoring) and self.multimetric_:
            check_refit_for_multimetric(self.refit, metric_names)
        if not (self.refit or not self.multimetric_):
            return
        best_index, best_score = select_best(self.cv_results_, self.refit, self.multimetric_)
        if best_score is not None:
            self.best_score_ = best_score
        self.best_index_ = best_index
        self.best_params_ = self.cv_results_["params"][best_index]

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


# What joblib's pre_dispatch strings look like: "all", "2*n_jobs", "n_jobs + 2", "8".
_PRE_DISPATCH = re.compile(r"all|\d+|(\d+\s*\*\s*)?n_jobs(\s*[*+-]\s*\d+)?")
