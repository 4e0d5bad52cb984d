"""Tracking callbacks: the hooks that mirror a whole fit somewhere else (MLflow).

A plain callback sees a :class:`~hdsearch.callbacks.WaveSnapshot` after every
wave. A :class:`TrackingCallback` also hears when the fit starts and ends, and
gets every wave's full :class:`~hdsearch.engine.WaveReport` after the store has
recorded it, trials stopped by a time limit or a callback included.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._config import ConfigObject


class TrackingWarning(UserWarning):
    """A tracking backend failed; the search went on without it."""


@dataclass(frozen=True)
class FitContext:
    """What a tracking callback learns when a fit starts.

    Parameters
    ----------
    search : HyperDriveSearchCV
        The search being fitted (its parameters; fitted attributes come at the end).
    settings : dict of str to str
        The search's settings as text: estimator, sampling, policy, resource, curves,
        budgets, cv, scoring, refit, random_state, error_score,
        return_train_score.
    metric : str or None
        The primary metric (the refit metric, or ``"score"``); None when a
        callable scorer has not said its metric names yet.
    per_fold : bool
        False for the ``folds`` resource (interval k is the k-th fold), True
        when every fold steps through the intervals.
    n_splits : int
    experiment : Experiment or None
        The search's experiment in its store, None without ``storage``.
    trials : list of Trial
        Trials read back from the store (a resumed search), in trial order.
    score_name : str
        What a single-metric search's ``"score"`` measures, to name it
        after: the scoring string (``"roc_auc"``), ``"accuracy"`` or ``"r2"``
        for the estimator's own classifier or regressor score, else
        ``"score"``.
    resource_axis : str
        What the resource counts: ``"fold"``, ``"epoch"``, the
        ``WarmStart`` parameter's name, ``"training samples"``.
    resource_values : tuple
        The amount of resource at intervals 1, 2, ...; empty when unknown.
    """

    search: object
    settings: dict
    metric: str | None
    per_fold: bool
    n_splits: int
    experiment: object = None
    trials: tuple = ()
    score_name: str = "score"
    resource_axis: str = "interval"
    resource_values: tuple = ()

    def curve_steps(self):
        """The MLflow step of each interval, and what the steps count.

        The resource's amount at the interval (``max_iter``, epochs, rows,
        folds) when every amount is a whole number, as MLflow steps must be
        ints; otherwise (a ``WarmStart`` grown by a float factor of a float
        parameter) the interval number, not a rounded amount that could
        give two intervals one step.

        Returns
        -------
        steps : dict of int to int
            Interval to step.
        label : str
            The resource's name, or ``"interval"``.
        """
        values = self.resource_values
        if values and all(float(value).is_integer() for value in values):
            return {k: int(value) for k, value in enumerate(values, start=1)}, self.resource_axis
        return {k: k for k in range(1, len(values) + 1)}, "interval"

    def logged_name(self, metric):
        """The name ``metric`` is logged under: ``score_name`` for ``"score"``, else itself."""
        return self.score_name if metric == "score" else metric


class TrackingCallback(ConfigObject):
    """Base of the callbacks that follow a whole fit: its start, every wave, its end.

    Pass one in ``callbacks`` like any other callback. The search calls
    :meth:`on_fit_start` before the first wave, :meth:`on_wave` after every
    wave (once the store, if any, has recorded it) and :meth:`on_fit_end`
    after the refit, or with the error that ended the fit. A tracking
    callback never ends the search.
    """

    def on_fit_start(self, context):
        """Called before the first wave.

        Parameters
        ----------
        context : FitContext
        """

    def on_wave(self, report, stop_reason=None):
        """Called after every wave.

        Parameters
        ----------
        report : WaveReport
            Every trial so far (read, never modify) and what the wave changed.
        stop_reason : str or None
            ``"max_duration"`` or ``"callback"`` when the search stops after
            this wave; the trials it stopped are terminated without a policy
            reason.
        """

    def on_fit_end(self, search, error=None):
        """Called once the fit is over.

        Parameters
        ----------
        search : HyperDriveSearchCV
            Fitted, unless ``error`` is set.
        error : BaseException or None
            What ended the fit early (``KeyboardInterrupt`` included), or None.
        """

    def __call__(self, snapshot):
        return False


def interval_scores(trial, metric, per_fold, n_splits):
    """The trial's learning curve at the intervals its results hold.

    Read from the ``FoldResult.interval`` values present, so a curve scored
    at only some intervals gives only those. For a per-fold resource the
    score at k is the mean over folds of the step-k scores, for intervals
    every fold reached; for the ``folds`` resource, the mean of the first k
    folds' scores, for the first folds without a gap.

    Parameters
    ----------
    trial : Trial
    metric : str
    per_fold : bool
    n_splits : int

    Returns
    -------
    scores : dict of int to float
        Interval to mean test score, in interval order.
    """
    if not per_fold:
        by_fold = {r.fold: r.test_scores.get(metric, math.nan) for r in trial.results}
        scores = []
        for fold in range(n_splits):
            if fold not in by_fold:
                break
            scores.append(by_fold[fold])
        return {k: float(np.mean(scores[:k])) for k in range(1, len(scores) + 1)}
    by_interval = {}
    for result in trial.results:
        by_interval.setdefault(result.interval, {})[result.fold] = result.test_scores.get(metric, math.nan)
    return {
        k: float(np.mean(list(folds.values())))
        for k, folds in sorted(by_interval.items())
        if len(folds) == n_splits
    }
