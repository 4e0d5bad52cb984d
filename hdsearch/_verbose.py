"""What ``verbose >= 1`` prints: the plan once, then what each wave changed.

A search that is one wave of plain cross-validation (the ``folds``
resource, no policy, every trial started at once) prints exactly
``GridSearchCV``'s line, ``Fitting 3 folds for each of 4 candidates,
totalling 12 fits``, and nothing per wave. Any other search prints one line
of what it will do when it starts, and one line per wave of the trials it
started and ended (the policy's reasons follow, one line per terminated
trial). A :class:`~hdsearch._hooks.SearchCallback`.
"""

from collections import Counter

from ._hooks import SearchCallback
from .trials import ENDED_STATUSES


class VerboseLines(SearchCallback):
    """Print the search's plan when its trials first start, and each wave's changes.

    Parameters
    ----------
    sampling : BaseSampling
        As the search was given it (for the plan line).
    """

    def __init__(self, sampling):
        self.sampling = sampling
        self._planned = False
        self._one_wave = False
        self._n_seen = 0
        self._ended = set()

    def on_trials_started(self, engine, new_trials, sampler_exhausted):
        """Print the plan at the engine's first call; later calls print nothing.

        Parameters
        ----------
        engine : WaveEngine
            After it added ``new_trials`` to its trials.
        new_trials : list of Trial
        sampler_exhausted : bool
            Whether the sampling has proposed its last trial.
        """
        if self._planned:
            return
        self._planned = True
        restored = engine.trials[: len(engine.trials) - len(new_trials)]
        self._n_seen = len(restored)
        self._ended = {trial.trial_id for trial in restored if trial.ended}
        self._one_wave = (
            not restored
            and engine.policy is None
            and not engine.evaluation.schedule.per_fold
            and (sampler_exhausted or len(new_trials) >= engine.budget.max_total_runs)
        )
        print(_grid_line(engine, new_trials) if self._one_wave else self._plan_line(engine, restored))

    def _plan_line(self, engine, restored):
        budget, evaluation = engine.budget, engine.evaluation
        policy = "no early termination" if engine.policy is None else repr(engine.policy)
        width = "all at once" if budget.max_concurrent_runs is None else f"{budget.max_concurrent_runs} at a time"
        line = (
            f"Fitting up to {budget.max_total_runs} trials x {evaluation.n_splits} folds ({width}) with "
            f"{self.sampling!r}, {policy}, resource {evaluation.resource!r}: "
            f"{evaluation.n_intervals} intervals per trial"
        )
        return line + (f"; resuming after {len(restored)} stored trials" if restored else "")

    def on_wave_end(self, report):
        """Print what the wave changed, then why the policy stopped each trial; never asks to stop.

        Parameters
        ----------
        report : WaveReport
        """
        self._print_changes(report)
        for trial_id, _, reason in report.terminated:
            print(f"[trial {trial_id}] terminated: {reason}")
        return False

    def _print_changes(self, report):
        started = report.trials[self._n_seen:]
        self._n_seen = len(report.trials)
        ended = [t for t in report.changed if t.status in ENDED_STATUSES and t.trial_id not in self._ended]
        self._ended.update(t.trial_id for t in ended)
        if self._one_wave:
            return
        counts = Counter(t.status for t in ended)
        parts = []
        if started:
            parts.append(f"started {_id_range(started)}")
        if ended:
            parts.append("ended " + ", ".join(f"{counts[s]} {s}" for s in ENDED_STATUSES if counts[s]))
        running = sum(not t.ended for t in report.trials)
        parts.append(f"{running} running, {len(report.trials)} started so far")
        print(f"[wave {report.wave}] " + "; ".join(parts))


def _grid_line(engine, new_trials):
    n_splits = engine.evaluation.n_splits
    return (
        f"Fitting {n_splits} folds for each of {len(new_trials)} candidates,"
        f" totalling {n_splits * len(new_trials)} fits"
    )


def _id_range(trials):
    first, last = trials[0].trial_id, trials[-1].trial_id
    return f"trial {first}" if first == last else f"trials {first}-{last}"
