"""Callbacks: code of yours that follows a search and may end it.

Every callback follows one protocol, :class:`SearchCallback` (fit start,
trials started, wave end, wave recorded, search end, fit end). The simplest
callback is any callable taking a :class:`WaveSnapshot`, adapted to the
protocol by :class:`CallableCallback`: returning True, or raising
:class:`StopSearch`, ends the search cleanly after that wave: trials still
running are marked terminated and everything finished is kept, refit
included. Two are shipped: :class:`StopWhenScoreReaches` and
:class:`EarlyStopOnPlateau`.

A :class:`TrackingCallback` follows the whole fit to mirror it elsewhere;
:class:`MLflowCallback` (the ``tracking`` extra, in
:mod:`hdsearch.integrations.mlflow`, imported only when named) tracks a
search in MLflow.
"""

import math
from dataclasses import dataclass

from ._config import ConfigObject
from ._hooks import CallbackList, FitContext, SearchCallback
from ._tracking import TrackingCallback, TrackingWarning
from .trials import COMPLETED

__all__ = [
    "CallableCallback",
    "CallbackList",
    "EarlyStopOnPlateau",
    "FitContext",
    "MLflowCallback",
    "SearchCallback",
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

    def check_arguments(self):
        """Raise ``ValueError`` unless ``threshold`` is a finite number."""
        threshold = self.threshold
        if not (isinstance(threshold, (int, float)) and not isinstance(threshold, bool) and math.isfinite(threshold)):
            raise ValueError(f"StopWhenScoreReaches: threshold must be a finite number, got threshold={threshold!r}")


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

    def check_arguments(self):
        """Raise ``ValueError`` unless ``patience`` is an int >= 1 and ``min_delta`` >= 0."""
        patience, min_delta = self.patience, self.min_delta
        if not (isinstance(patience, int) and not isinstance(patience, bool) and patience >= 1):
            raise ValueError(f"EarlyStopOnPlateau: patience must be an int >= 1, got patience={patience!r}")
        if not (isinstance(min_delta, (int, float)) and min_delta >= 0):
            raise ValueError(f"EarlyStopOnPlateau: min_delta must be >= 0, got min_delta={min_delta!r}")


class CallableCallback(SearchCallback):
    """A plain callback (a callable taking a :class:`WaveSnapshot`) as a :class:`SearchCallback`.

    Parameters
    ----------
    function : callable
        Called at every wave end with the wave's :class:`WaveSnapshot`;
        returning True or raising :class:`StopSearch` ends the search.
    engine : WaveEngine
        Reads the trials as observations (the warm-start trials left out).
    """

    def __init__(self, function, engine):
        self.function = function
        self.engine = engine

    def on_wave_end(self, report):
        """Call the function on the wave's snapshot; True when it asks to stop."""
        snapshot = WaveSnapshot(report.wave, tuple(self.engine.observations(include_prior=False)))
        return run_callbacks([self.function], snapshot)


def check_callbacks(callbacks):
    """Validate the ``callbacks`` parameter; return a list.

    Raises
    ------
    ValueError
        Naming the first entry that is neither callable nor a
        :class:`SearchCallback`, or a bad argument of a shipped callback.
    """
    if callbacks is None:
        return []
    callbacks = list(callbacks)
    for callback in callbacks:
        if not (callable(callback) or isinstance(callback, SearchCallback)):
            raise ValueError(f"callbacks must hold callables, got {callback!r}")
        if isinstance(callback, (SearchCallback, StopWhenScoreReaches, EarlyStopOnPlateau)):
            callback.check_arguments()
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


def __getattr__(name):
    # MLflowCallback lives with the integrations: imported only when named.
    if name == "MLflowCallback":
        from .integrations.mlflow import MLflowCallback

        return MLflowCallback
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
