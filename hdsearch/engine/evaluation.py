"""What every task of a search shares, and the worker calls built from it.

:class:`Evaluation` holds the estimator, the data, the splits, the scoring
and the resource; it knows the search's :class:`~hdsearch.trials.Schedule`
and turns a task into the ``joblib.delayed`` call of a worker function
(:mod:`hdsearch.engine.worker`, :mod:`hdsearch.engine.refit`).
"""

import os
from dataclasses import dataclass, field, fields
from functools import cached_property

from sklearn.utils.parallel import delayed

from .._fast_scoring import fast_scorer
from .._fit_tasks import NoFitTasks
from .._scoring import EstimatorScore
from ..resource import Folds
from ..trials import Schedule
from .records import FoldCall, RefitCall, StepCall, WorkerSetup
from .refit import refit_beside_folds
from .worker import advance_fold, fit_and_score_fold


def worker_scorer(scoring, scorer, error_score):
    """What workers call: a fast drop-in for ``scorer`` where there is one.

    The search's ``scorer_`` stays scikit-learn's scorer; the workers call
    :class:`~hdsearch._scoring.EstimatorScore` for ``scoring=None`` and
    :func:`~hdsearch._fast_scoring.fast_scorer`'s scorer for the named
    metrics it computes itself (the same numbers, each fold's target checked
    once), else ``scorer`` itself.

    Parameters
    ----------
    scoring : str, callable, list, tuple, dict or None
        The search's ``scoring`` parameter.
    scorer : callable
        The scorer built from it.
    error_score : "raise" or float

    Returns
    -------
    callable
    """
    if scoring is None:
        return EstimatorScore(scorer)
    fast = fast_scorer(scoring, error_score)
    return scorer if fast is None else fast


@dataclass
class Evaluation:
    """Everything a worker needs besides the trial: data, splits, scoring, resource.

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator; workers clone it.
    X, y : array-like
        The whole data set, passed as the same objects to every task so that
        joblib memmaps a large array once (and dask scatters it once).
    splits : list of (ndarray, ndarray)
        The CV splits, as ``(train, test)`` index arrays.
    scorer : callable
        What workers call (see :func:`worker_scorer`).
    metric_names : list of str or None
        Known metric names, or None when only the scorer's output tells.
    fit_params, score_params : dict
    return_train_score : bool
    error_score : "raise" or float
    verbose : int
    resource : BaseResource
    seed_entropy : int
        Root of the per-(trial, fold) random streams of the resource.
    classes : ndarray or None
        All class labels, for ``partial_fit``.
    fit_tasks : FitTasks or NoFitTasks
        scikit-learn's callback tasks of the fit; each whole-fold task gets
        its evaluation task.
    searched_params : frozenset of str
        The parameter names of the search space.
    """

    estimator: object
    X: object
    y: object
    splits: list
    scorer: object
    metric_names: list | None
    fit_params: dict = field(default_factory=dict)
    score_params: dict = field(default_factory=dict)
    return_train_score: bool = False
    error_score: object = float("nan")
    verbose: int = 0
    resource: object = field(default_factory=Folds)
    seed_entropy: int = 0
    classes: object = None
    fit_tasks: object = field(default_factory=NoFitTasks)
    searched_params: frozenset = frozenset()

    @property
    def n_splits(self):
        """Number of CV splits."""
        return len(self.splits)

    @cached_property
    def smallest_train_size(self):
        """Samples in the smallest training fold; resource schedules are built on it."""
        return min(len(train) for train, _ in self.splits)

    @cached_property
    def n_intervals(self):
        """Intervals of a trial that runs to the end."""
        return self.resource.n_intervals(self.n_splits, self.smallest_train_size)

    @cached_property
    def schedule(self):
        """The search's :class:`~hdsearch.trials.Schedule`: per fold or not, splits, intervals."""
        return Schedule(self.resource.per_fold, self.n_splits, self.n_intervals)

    @cached_property
    def setup(self):
        """The :class:`~hdsearch.engine.records.WorkerSetup` every worker call shares (one object)."""
        # Every field of the setup is the evaluation's attribute of that name.
        return WorkerSetup(**{f.name: getattr(self, f.name) for f in fields(WorkerSetup)})

    @cached_property
    def held_step_cost(self):
        """What a call that continues a fold model pays per step held, in steps trained."""
        return self.resource.held_step_cost(self.estimator)

    @cached_property
    def merges_calls(self):
        """Whether every trial's fold passes several scored steps in one call (exact growth).

        Not when the search space searches a parameter that decides it (say
        ``subsample``): some trials may then need one call per scored step,
        so the search neither scores every step nor runs ahead as if calls
        merged. (Each fold model's own growth decides its calls, in
        :meth:`~hdsearch.resource.BaseResource.segments`.)
        """
        searched = set(self.resource.grouping_params(self.estimator)) & self.searched_params
        return self.resource.grows_in_one_call(self.estimator) and not searched

    @cached_property
    def scores_from_one_fit(self):
        """Whether the resource scores every step of every trial from one fit (staged boosting)."""
        return self.merges_calls and self.resource.scores_from_one_fit(self.estimator)

    def reached(self, k):
        """The amount of resource at interval ``k``."""
        return self.resource.reached(k, self.smallest_train_size)

    def delayed_fold(self, task, n_trials):
        """The ``joblib.delayed`` call that fits and scores a whole fold."""
        train, test = self.splits[task.fold]
        trial_id = task.trial.trial_id
        call = FoldCall(
            task.trial.params, train, test, progress=(task.fold, self.n_splits, trial_id, n_trials),
            **self.fit_tasks.worker_kwargs(trial_id, task.fold, self.n_splits),
        )
        return delayed(fit_and_score_fold)(self.X, self.y, self.setup, call)

    def delayed_steps(self, task, model, scored_steps):
        """The ``joblib.delayed`` call that advances a fold by steps of a per-fold resource."""
        train, test = self.splits[task.fold]
        call = StepCall(
            task.trial.params, train, test, model, task.first, task.last, scored_steps,
            seed=(self.seed_entropy, task.trial.trial_id, task.fold),
            keep_model=task.last < self.n_intervals,
        )
        return delayed(advance_fold)(self.X, self.y, self.setup, call)

    def delayed_refit(self, trial, scored_intervals):
        """The ``joblib.delayed`` call that refits ``trial`` on all the data, seeded as the search's refit."""
        call = RefitCall(trial.params, (self.seed_entropy, trial.trial_id, self.n_splits), scored_intervals,
                         os.getpid())
        return delayed(refit_beside_folds)(self.X, self.y, self.setup, call)
