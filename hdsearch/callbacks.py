"""Callbacks: code of yours that runs after every wave and may end the search.

A callback is any callable taking a :class:`WaveSnapshot`. Returning True, or
raising :class:`StopSearch`, ends the search cleanly after that wave: trials
still running are marked terminated and everything finished is kept, refit
included. Two are shipped: :class:`StopWhenScoreReaches` and
:class:`EarlyStopOnPlateau`.

A :class:`TrackingCallback` follows the whole fit (start, every wave, end) to
mirror it elsewhere; :class:`MLflowCallback` (the ``tracking`` extra) tracks a
search in MLflow.
"""

import math
from dataclasses import dataclass

from ._config import ConfigObject
from ._mlflow import MLflowCallback
from ._tracking import FitContext, TrackingCallback, TrackingWarning
from .trials import COMPLETED

__all__ = [
    "EarlyStopOnPlateau",
    "FitContext",
    "MLflowCallback",
    "StopSearch",
    "StopWhenScoreReaches",
    "TrackingCallback",
    "TrackingWarning",
    "WaveSnapshot",
    "check_callbacks",
    "run_callbacks",
]


class StopSearch(Exception):
    """Raise this in a callback to end the search after the current wave."""


@dataclass(frozen=True)
class WaveSnapshot:
    """A read-only view of the trial table after one wave.

    Parameters
    ----------
    wave : int
        Wave number, from 1.
    trials : tuple of Observation
        Every trial of this search so far, in trial order: parameters,
        status and primary score.
    """

    wave: int
    trials: tuple

    @property
    def completed(self):
        """The completed trials with a finite score, in trial order."""
        return tuple(t for t in self.trials if t.status == COMPLETED and math.isfinite(t.score))

    @property
    def best(self):
        """The completed trial with the highest score (the first on ties), or None."""
        completed = self.completed
        return max(completed, key=lambda t: (t.score, -t.trial_id)) if completed else None


class StopWhenScoreReaches(ConfigObject):
    """End the search once a completed trial scores ``threshold`` or more.

    Parameters
    ----------
    threshold : float
        In the scorer's units (greater is better, as scikit-learn scorers are:
        a loss is negated, e.g. ``-0.05`` for ``neg_log_loss``).

    Examples
    --------
    >>> from hdsearch.callbacks import StopWhenScoreReaches
    >>> StopWhenScoreReaches(0.95)
    StopWhenScoreReaches(threshold=0.95)
    """

    def __init__(self, threshold):
        self.threshold = threshold

    def _arguments(self):
        return {"threshold": self.threshold}

    def __call__(self, snapshot):
        best = snapshot.best
        return best is not None and best.score >= self.threshold


class EarlyStopOnPlateau(ConfigObject):
    """End the search when ``patience`` completed trials in a row improve nothing.

    A trial improves when its score beats the best score before it by more
    than ``min_delta``. Trials count in trial order, so the decision does not
    depend on how the waves were cut.

    Parameters
    ----------
    patience : int
        Completed trials without improvement that end the search; >= 1.
    min_delta : float, default=0.0
        Smallest gain that counts as an improvement; >= 0.
    """

    def __init__(self, patience, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta

    def _arguments(self):
        return {"patience": self.patience, "min_delta": self.min_delta}

    def __call__(self, snapshot):
        best, since_improvement = -math.inf, 0
        for trial in snapshot.completed:
            if trial.score > best + self.min_delta:
                best, since_improvement = trial.score, 0
            else:
                since_improvement += 1
        return since_improvement >= self.patience


def check_callbacks(callbacks):
    """Validate the ``callbacks`` parameter; return a list.

    Raises
    ------
    ValueError
        Naming the first entry that is not callable, or a bad argument of a
        shipped callback.
    """
    if callbacks is None:
        return []
    callbacks = list(callbacks)
    for callback in callbacks:
        if not callable(callback):
            raise ValueError(f"callbacks must hold callables, got {callback!r}")
        if isinstance(callback, EarlyStopOnPlateau):
            if not (isinstance(callback.patience, int) and not isinstance(callback.patience, bool)
                    and callback.patience >= 1):
                raise ValueError(f"EarlyStopOnPlateau: patience must be an int >= 1, got patience={callback.patience!r}")
            if not (isinstance(callback.min_delta, (int, float)) and callback.min_delta >= 0):
                raise ValueError(f"EarlyStopOnPlateau: min_delta must be >= 0, got min_delta={callback.min_delta!r}")
        if isinstance(callback, MLflowCallback):
            callback._check_arguments()
        if isinstance(callback, StopWhenScoreReaches) and not (
            isinstance(callback.threshold, (int, float)) and not isinstance(callback.threshold, bool)
            and math.isfinite(callback.threshold)
        ):
            raise ValueError(
                f"StopWhenScoreReaches: threshold must be a finite number, got threshold={callback.threshold!r}"
            )
    return callbacks


def run_callbacks(callbacks, snapshot):
    """Call every callback; True when one of them asks to stop.

    Every callback runs, even after one asked to stop, so each sees every wave.
    """
    stop = False
    for callback in callbacks:
        try:
            stop = bool(callback(snapshot)) or stop
        except StopSearch:
            stop = True
    return stop
