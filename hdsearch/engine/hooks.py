"""The engine's one hook object: what it calls when trials start, when a wave ends, and once it is recorded.

:class:`NoHooks` is the default and does nothing; a search passes a
:class:`~hdsearch.callbacks.CallbackList`, which hands each moment to its
callbacks.
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
