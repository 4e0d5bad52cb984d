"""The trial table: one plain record per parameter set and the scores it reported.

A trial moves ``running -> completed | failed`` (and, once early termination
lands, ``running -> terminated``).  Its scores are kept per fold and per
interval, so learning curves can be read back from ``HyperDriveSearchCV.trials_``
and policies can compare trials at the same interval.

This module is pure: no joblib, no estimators.
"""

from dataclasses import dataclass, field

import numpy as np

RUNNING = "running"
COMPLETED = "completed"
TERMINATED = "terminated"
FAILED = "failed"
ENDED_STATUSES = (COMPLETED, TERMINATED, FAILED)


@dataclass(frozen=True)
class Schedule:
    """How a search's intervals map onto its folds: one value, passed whole.

    Parameters
    ----------
    per_fold : bool
        True when every fold steps through the intervals (epochs, estimators,
        subsamples); False for the ``Folds`` resource, where interval k is the
        k-th fold.
    n_splits : int
        Number of CV splits.
    n_intervals : int
        Intervals of a trial that runs to its end (``n_splits`` for ``Folds``).
    """

    per_fold: bool
    n_splits: int
    n_intervals: int


@dataclass
class FoldResult:
    """What one fold of one trial reported for one interval.

    Parameters
    ----------
    fold : int
        Index of the CV split, from 0.
    interval : int
        Interval number, from 1.
    test_scores : dict of str to float
        Test score per metric name (``"score"`` for single-metric scoring).
        Failed fits hold ``error_score`` here.
    train_scores : dict of str to float or None
        Train score per metric, or None when train scores are not requested.
    fit_time, score_time : float
        Seconds spent fitting and scoring, as ``time.time`` measures them.
    error : str or None
        Formatted traceback when the fit failed, else None.
    """

    fold: int
    interval: int
    test_scores: dict
    train_scores: dict | None
    fit_time: float
    score_time: float
    error: str | None = None


@dataclass
class Trial:
    """One parameter set and everything it reported.

    Parameters
    ----------
    trial_id : int
        Position of the trial in the search, from 0; also its row in
        ``cv_results_``.
    params : dict
        The parameter set, as the sampling proposed it.
    status : str
        ``"running"``, ``"completed"``, ``"terminated"`` or ``"failed"``.
    results : list of FoldResult
        Every (fold, interval) result received so far, in arrival order.
    start_time, end_time : float or None
        Wall-clock (``time.time``) when the trial entered its first wave and
        when it ended; None until then.
    source : str
        ``"search"`` for a trial of this fit; the experiment name for a trial
        read back from a store to warm-start the search.
    """

    trial_id: int
    params: dict
    status: str = RUNNING
    results: list = field(default_factory=list)
    start_time: float | None = None
    end_time: float | None = None
    source: str = "search"

    @property
    def ended(self):
        """Whether the trial has left the running state."""
        return self.status in ENDED_STATUSES

    @property
    def errors(self):
        """Tracebacks of the failed fits of this trial, in fold order."""
        return [r.error for r in sorted(self.results, key=_fold_key) if r.error]

    def last_result_per_fold(self):
        """The result of the latest interval each fold reached, ordered by fold.

        See :func:`last_result_per_fold` for the rule.

        Returns
        -------
        results : list of FoldResult
        """
        return last_result_per_fold(self.results)

    def final_results(self):
        """The last interval's result of each fold, ordered by fold.

        The same as :meth:`last_result_per_fold`, under its older name.

        Returns
        -------
        results : list of FoldResult
        """
        return last_result_per_fold(self.results)

    def intervals_reached(self, schedule):
        """Intervals finished by every fold.

        Parameters
        ----------
        schedule : Schedule
            For the ``Folds`` resource (``schedule.per_fold`` False) interval
            k is the k-th fold, so this counts the results; otherwise the
            smallest of the folds' latest intervals (0 while a fold has none).

        Returns
        -------
        k : int
        """
        return _intervals_reached(self.results, schedule.per_fold, schedule.n_splits)

    def n_intervals_reached(self, per_fold, n_splits):
        """:meth:`intervals_reached` for callers that still pass ``(per_fold, n_splits)``.

        Parameters
        ----------
        per_fold : bool
        n_splits : int

        Returns
        -------
        k : int
        """
        return _intervals_reached(self.results, per_fold, n_splits)

    def learning_curve(self, metric, schedule):
        """The learning curve: the test score at intervals 1, 2, ... reached.

        The score at an interval is :func:`interval_means`'s; an interval
        that was run but not scored (a per-fold resource scores the
        intervals the policy reads and the last one, unless the search asked
        for ``curves="all"``) holds None. The curve stops at
        :meth:`intervals_reached`.

        Parameters
        ----------
        metric : str
        schedule : Schedule

        Returns
        -------
        scores : list of float or None
            Index k - 1 holds interval k.
        """
        return _curve_with_gaps(self.results, metric, schedule.per_fold, schedule.n_splits)

    def interval_scores(self, metric, per_fold, n_splits):
        """:meth:`learning_curve` for callers that still pass ``(per_fold, n_splits)``.

        Parameters
        ----------
        metric : str
        per_fold : bool
        n_splits : int

        Returns
        -------
        scores : list of float or None
        """
        return _curve_with_gaps(self.results, metric, per_fold, n_splits)


@dataclass(frozen=True)
class Observation:
    """What a sampling sees of one trial: its parameters, status and score.

    The engine builds one per trial, running ones included, before every
    ``propose`` call, so a model-based sampling can use finished trials as
    evidence and running ones as pending points.

    Parameters
    ----------
    trial_id : int
    params : dict
    status : str
        ``"running"``, ``"completed"``, ``"terminated"`` or ``"failed"``.
    score : float
        Mean test score of the primary metric at the last interval every fold
        reached (greater is better, as scikit-learn scorers are); NaN for a
        failed trial or one with no interval yet.
    n_intervals : int
        Intervals reached.
    final_interval : int
        Intervals of a trial that runs to the end.
    """

    trial_id: int
    params: dict
    status: str
    score: float
    n_intervals: int
    final_interval: int


def _fold_key(result):
    return (result.fold, result.interval)


# ---------------------------------------------------------------- the rules


def last_result_per_fold(results):
    """Each fold's result of the latest interval it reached, ordered by fold.

    The one "last result per fold" rule of hdsearch (``cv_results_``, the
    store's trial table, MLflow's final metrics): the greatest interval
    wins, and of two results of one fold and one interval the later one.
    No trial holds two such results: the engine records each (fold,
    interval) once (a resume drops the results past what every fold
    reached before running them again) and the store keeps one row per
    (trial, interval, fold), a rewrite replacing the row. So the tie rule
    never decides anything; it is written down to be one rule.

    Parameters
    ----------
    results : iterable of FoldResult

    Returns
    -------
    results : list of FoldResult
    """
    last = {}
    for result in results:
        current = last.get(result.fold)
        if current is None or result.interval >= current.interval:
            last[result.fold] = result
    return [last[fold] for fold in sorted(last)]


def interval_means(results, metric, per_fold, n_splits):
    """The one learning-curve rule: the score at each interval, and whether every fold is in it.

    For a per-fold resource the score at interval k is the mean over folds
    of their interval-k test scores, in arrival order; interval k is
    *complete* when all ``n_splits`` folds scored it. For the ``Folds``
    resource (interval k is the k-th fold) the score at k is the mean of
    the first k folds' scores, in fold order; it is complete when those
    are folds 0 to k - 1, with no gap. A missing metric counts as NaN.

    Parameters
    ----------
    results : iterable of FoldResult
    metric : str
    per_fold : bool
    n_splits : int

    Returns
    -------
    means : dict of int to (float, bool)
        Interval to ``(score, complete)``, for the intervals some fold
        scored, in interval order.
    """
    if not per_fold:
        by_fold = sorted(results, key=_fold_key)
        scores = [r.test_scores.get(metric, float("nan")) for r in by_fold]
        return {
            k: (float(np.mean(scores[:k])), k <= n_splits and [r.fold for r in by_fold[:k]] == list(range(k)))
            for k in range(1, len(scores) + 1)
        }
    by_interval = {}
    for result in results:
        by_interval.setdefault(result.interval, {})[result.fold] = result.test_scores.get(metric, float("nan"))
    return {
        k: (float(np.mean(list(folds.values()))), len(folds) == n_splits)
        for k, folds in sorted(by_interval.items())
    }


def complete_learning_curve(trial, metric, schedule):
    """The trial's learning curve at its complete intervals only (see :func:`interval_means`).

    What MLflow tracking logs: a per-fold curve scored at only some
    intervals gives only those, and a ``Folds`` curve stops at its first
    missing fold.

    Parameters
    ----------
    trial : Trial
    metric : str
    schedule : Schedule

    Returns
    -------
    scores : dict of int to float
        Interval to score, in interval order.
    """
    means = interval_means(trial.results, metric, schedule.per_fold, schedule.n_splits)
    return {k: score for k, (score, is_complete) in means.items() if is_complete}


def _intervals_reached(results, per_fold, n_splits):
    if not per_fold:
        return len(results)
    steps = [0] * n_splits
    for result in results:
        steps[result.fold] = max(steps[result.fold], result.interval)
    return min(steps)


def _curve_with_gaps(results, metric, per_fold, n_splits):
    """:meth:`Trial.learning_curve`: every interval up to the reached one, None where unscored."""
    means = interval_means(results, metric, per_fold, n_splits)
    reached = _intervals_reached(results, per_fold, n_splits)
    return [means[k][0] if k in means else None for k in range(1, reached + 1)]
