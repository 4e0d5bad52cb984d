"""Tracking callbacks: the :class:`SearchCallback` kind that mirrors a whole fit elsewhere (MLflow).

The learning curve a tracking backend logs is
:func:`hdsearch.trials.complete_learning_curve` (the intervals every fold
scored), from the one rule in :mod:`hdsearch.trials`.
"""

from ._config import ConfigObject
from ._hooks import FitContext, SearchCallback

__all__ = ["FitContext", "TrackingCallback", "TrackingWarning"]


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
