"""The one callback protocol: :class:`SearchCallback`, its :class:`FitContext`, and :class:`CallbackList`.

Everything that follows a fit (progress bar, verbose lines, store recorder,
MLflow tracking, your callbacks) is a :class:`SearchCallback`; one
:class:`CallbackList` hands each moment of the fit to all of them, in order.
"""

from dataclasses import dataclass

from .trials import Schedule


@dataclass(frozen=True)
class FitContext:
    """What a callback learns when a fit starts.

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
    schedule : Schedule
        How intervals map onto folds: ``per_fold`` (False for the ``folds``
        resource, where interval k is the k-th fold), ``n_splits`` and
        ``n_intervals``.
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
    schedule: Schedule
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


class SearchCallback:
    """Base of everything that follows a fit: override the moments you need.

    In every fit the moments come in this order: :meth:`on_fit_start` once;
    then, wave after wave, :meth:`on_trials_started`, :meth:`on_wave_end`
    and :meth:`on_wave_recorded`; :meth:`on_search_end` once the waves are
    over (normally or not); :meth:`on_fit_end` after the refit, or with the
    error that ended the fit. Every method does nothing by default. Pass an
    instance in ``callbacks``; a plain callable there is adapted to this
    protocol (it runs at :meth:`on_wave_end`).
    """

    def check_arguments(self):
        """Raise ``ValueError`` naming a bad argument; called before any fit."""

    def on_fit_start(self, context):
        """Called before the first wave.

        Parameters
        ----------
        context : FitContext
        """

    def on_trials_started(self, engine, new_trials, sampler_exhausted):
        """Called at the start of every wave, once its new trials (maybe none) are started.

        Parameters
        ----------
        engine : WaveEngine
            After it added ``new_trials`` to its trials (read, never modify).
        new_trials : list of Trial
        sampler_exhausted : bool
            Whether the sampling has proposed its last trial.
        """

    def on_wave_end(self, report):
        """Called after every wave, once the policy has decided; True ends the search.

        Parameters
        ----------
        report : WaveReport
            Every trial so far (read, never modify), the wave's new results
            and the policy's terminations.

        Returns
        -------
        stop : bool
            True ends the search after this wave (``stop_reason``
            ``"callback"``): running trials are marked terminated.
        """
        return False

    def on_wave_recorded(self, report, stop_reason=None):
        """Called last in every wave, once the store (if any) has recorded it.

        Parameters
        ----------
        report : WaveReport
            As for :meth:`on_wave_end`, plus the trials a time limit or a
            callback stopped.
        stop_reason : str or None
            ``"max_duration"`` or ``"callback"`` when the search stops after
            this wave; the trials it stopped are terminated without a policy
            reason.
        """

    def on_search_end(self):
        """Called once the waves are over, before the refit, even when an error ended them."""

    def on_fit_end(self, search, error=None):
        """Called once the fit is over.

        Parameters
        ----------
        search : HyperDriveSearchCV
            Fitted, unless ``error`` is set.
        error : BaseException or None
            What ended the fit early (``KeyboardInterrupt`` included), or None.
        """


class CallbackList:
    """Hand every moment of a fit to each callback, in list order: the engine's ``hooks``.

    Parameters
    ----------
    callbacks : list of SearchCallback
    engine : WaveEngine
        The engine whose waves the callbacks follow (for its ``stop_reason``).
    """

    def __init__(self, callbacks, engine):
        self.callbacks = list(callbacks)
        self.engine = engine

    def fit_start(self, context):
        """Every callback's :meth:`~SearchCallback.on_fit_start`."""
        for callback in self.callbacks:
            callback.on_fit_start(context)

    def trials_started(self, engine, new_trials, sampler_exhausted):
        """Every callback's :meth:`~SearchCallback.on_trials_started` (called by the engine)."""
        for callback in self.callbacks:
            callback.on_trials_started(engine, new_trials, sampler_exhausted)

    def wave_ended(self, report):
        """Every callback's :meth:`~SearchCallback.on_wave_end`; True when one asks to stop.

        Every callback runs, even after one asked to stop, so each sees every
        wave.
        """
        stop = False
        for callback in self.callbacks:
            stop = bool(callback.on_wave_end(report)) or stop
        return stop

    def wave_recorded(self, report):
        """Every callback's :meth:`~SearchCallback.on_wave_recorded` (called by the engine)."""
        for callback in self.callbacks:
            callback.on_wave_recorded(report, self.engine.stop_reason)

    def search_end(self):
        """Every callback's :meth:`~SearchCallback.on_search_end`."""
        for callback in self.callbacks:
            callback.on_search_end()

    def fit_end(self, search, error=None):
        """Every callback's :meth:`~SearchCallback.on_fit_end`."""
        # Without an error, called as it always was (with the search only).
        arguments = (search,) if error is None else (search, error)
        for callback in self.callbacks:
            callback.on_fit_end(*arguments)
