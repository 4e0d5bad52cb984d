"""Tracking callbacks: the :class:`SearchCallback` kind that mirrors a whole fit elsewhere (MLflow).

Also owns :func:`interval_scores`, the learning curve a tracking backend
logs (one function, which every backend calls).
"""

import math

import numpy as np

from ._config import ConfigObject
from ._hooks import FitContext, SearchCallback

__all__ = ["FitContext", "TrackingCallback", "TrackingWarning", "interval_scores"]


class TrackingWarning(UserWarning):
    """A tracking backend failed; the search went on without it."""


class TrackingCallback(ConfigObject, SearchCallback):
    """Base of the callbacks that follow a whole fit: its start, every wave, its end.

    A :class:`~hdsearch.callbacks.SearchCallback` that never ends the search.
    Pass one in ``callbacks`` like any other callback. The search calls
    :meth:`on_fit_start` before the first wave, :meth:`on_wave` after every
    wave (once the store, if any, has recorded it: the
    ``on_wave_recorded`` moment) and :meth:`on_fit_end` after the refit, or
    with the error that ended the fit.
    """

    def on_wave_recorded(self, report, stop_reason=None):
        """Hand the recorded wave to :meth:`on_wave`."""
        self.on_wave(report, stop_reason)

    def on_wave(self, report, stop_reason=None):
        """Called after every wave, once recorded; the parameters are :meth:`on_wave_recorded`'s."""

    def __call__(self, snapshot):
        """A tracking callback, called as a plain one, never asks to stop."""
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
