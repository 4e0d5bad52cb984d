"""Stop a search whose first fits all fail the same way, as soon as that is clear.

A model that cannot take the data (string columns reaching a model that needs
numbers, a missing dependency, a bad fixed parameter) fails every fit with the
same error. Running all the fits first only delays scikit-learn's "All the N
fits failed" error; :class:`UniformFailureWatch` raises it from the first few.

The watch reads each trial's **first-interval fits**: with the folds resource
the first fold of the trial (interval 1), with a per-fold resource the first
step of every fold. Every started trial runs them, whatever the policy and
however tasks are grouped, and trials start in trial order, so the fits read
(the first ``min_fits`` or more in (trial, fold) order, from two trials or
more) and so the decision do not depend on timing or ``n_jobs``.
"""

import re

from .._cv_results import all_fits_failed_message

#: The fewest fits the watch reads before it decides.
MIN_FITS = 5


class UniformFailureWatch:
    """Raise scikit-learn's "all fits failed" error once the first fits make it certain.

    It raises when the first ``min_fits`` or more first-interval fits, in
    (trial, fold) order and spanning two trials or more, all failed with the
    same error (the last line of the traceback), and that error names none of
    the searched parameters nor their values (a parameter-dependent error is
    not "every fit"). As soon as one of them succeeded it never raises.

    Parameters
    ----------
    schedule : Schedule
        With a per-fold resource every fold's first step counts; with the
        folds resource the first fold of each trial counts.
    min_fits : int, default=MIN_FITS
    active : bool, default=True
        False leaves it silent from the start (``error_score="raise"``, or a
        resumed experiment with a successful fit).
    """

    def __init__(self, schedule, min_fits=MIN_FITS, active=True):
        self.folds = tuple(range(schedule.n_splits)) if schedule.per_fold else (0,)
        self.min_fits = min_fits
        self.active = active
        self._seen = {}  # (trial_id, fold) -> (traceback or None, trial params, trial_id)

    def see(self, trial, fold, first_interval, outcome):
        """Take one task's outcome; raise ValueError when every fit so far is sure to fail.

        Parameters
        ----------
        trial : Trial
        fold : int
        first_interval : int
            The first interval the task ran (1 for a fresh fold).
        outcome : FoldOutcome
            As the worker returned it.
        """
        if not self.active or fold not in self.folds or first_interval != 1:
            return
        self._seen[(trial.trial_id, fold)] = (_first_error(outcome), trial.params, trial.trial_id)
        prefix = self._decisive_prefix()
        if prefix is None:
            return
        self.active = False
        errors = [error for error, _, _ in prefix]
        if all(error is not None for error in errors) and _one_error_naming_no_parameter(prefix):
            n_trials = len({trial_id for _, _, trial_id in prefix})
            raise ValueError(all_fits_failed_message(errors, len(errors), stopped_early_after_trials=n_trials))

    def _decisive_prefix(self):
        """The first fits in (trial, fold) order, once enough are known; None until then.

        A success among them decides as well: the search runs on.
        """
        prefix, trial_id = [], 0
        while len(prefix) < self.min_fits or trial_id < 2:
            for fold in self.folds:
                seen = self._seen.get((trial_id, fold))
                if seen is None:
                    return None
                if seen[0] is None:
                    return [seen]
                prefix.append(seen)
            trial_id += 1
        return prefix


def _first_error(outcome):
    """The traceback of the task's first fit, or None when it succeeded."""
    return outcome.steps[0].error if outcome.steps else None


def _last_line(traceback_text):
    lines = [line for line in traceback_text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _one_error_naming_no_parameter(prefix):
    """Whether every fit failed with one error whose message names no searched parameter or value."""
    messages = {_last_line(error) for error, _, _ in prefix}
    if len(messages) != 1:
        return False
    message = messages.pop()
    for _, params, _ in prefix:
        for name, value in params.items():
            words = {name, name.rsplit("__", 1)[-1], str(value)}
            if any(re.search(rf"(?<![\w.]){re.escape(word)}(?![\w.])", message) for word in words):
                return False
    return True
