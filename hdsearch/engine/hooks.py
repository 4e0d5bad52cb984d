"""The engine's one hook object: what it calls when trials start, when a wave ends, and once it is recorded.

:class:`NoHooks` is the default and does nothing; :class:`CallableHooks`
adapts plain callables (an announcer, wave listeners, a recorder) to it.
"""


class NoHooks:
    """The hooks of a search nobody watches: every moment passes silently.

    Any object with these three methods can take its place.
    """

    def trials_started(self, engine, new_trials, sampler_exhausted):
        """Called at the start of every wave, once its new trials (maybe none) are started.

        Parameters
        ----------
        engine : WaveEngine
        new_trials : list of Trial
        sampler_exhausted : bool
            Whether the sampler has no more parameter sets.
        """

    def wave_ended(self, report):
        """Called after every wave, once the policy has been applied.

        Parameters
        ----------
        report : WaveReport

        Returns
        -------
        bool
            True asks the search to stop after this wave (reason ``"callback"``).
        """
        return False

    def wave_recorded(self, report):
        """Called last after every wave, with every change of the wave.

        The trials a time limit or :meth:`wave_ended` stopped are included,
        marked terminated.

        Parameters
        ----------
        report : WaveReport
        """


class CallableHooks(NoHooks):
    """Hooks made of plain callables.

    Parameters
    ----------
    announce : callable or None, default=None
        ``announce(engine, new_trials, sampler_exhausted)``, as
        :meth:`NoHooks.trials_started`.
    listeners : list of callable, default=()
        Each is called as ``listener(report)`` after every wave; one that
        returns True ends the search after that wave. All are called.
    recorder : callable or None, default=None
        ``recorder(report)``, as :meth:`NoHooks.wave_recorded`.
    """

    def __init__(self, announce=None, listeners=(), recorder=None):
        self.announce = announce
        self.listeners = list(listeners)
        self.recorder = recorder

    def trials_started(self, engine, new_trials, sampler_exhausted):
        if self.announce is not None:
            self.announce(engine, new_trials, sampler_exhausted)

    def wave_ended(self, report):
        stop = False
        for listener in self.listeners:
            stop = bool(listener(report)) or stop
        return stop

    def wave_recorded(self, report):
        if self.recorder is not None:
            self.recorder(report)
