"""The trial table: one plain record per parameter set and the scores it reported.

A trial moves ``running -> completed | failed`` (and, once early termination
lands, ``running -> terminated``).  Its scores are kept per fold and per
interval, so learning curves can be read back from ``HyperDriveSearchCV.trials_``
and policies can compare trials at the same interval.

This module is pure: no joblib, no estimators.
"""

from dataclasses import dataclass, field

import numpy as np

RUNNING = "running"
COMPLETED = "completed"
TERMINATED = "terminated"
FAILED = "failed"
ENDED_STATUSES = (COMPLETED, TERMINATED, FAILED)


@dataclass(frozen=True)
class Schedule:
    """How a search's intervals map onto its folds: one value, passed whole.

    Parameters
    ----------
    per_fold : bool
        True when every fold steps through the intervals (epochs, estimators,
        subsamples); False for the ``Folds`` resource, where interval k is the
        k-th fold.
    n_splits : int
        Number of CV splits.
    n_intervals : int
        Intervals of a trial that runs to its end (``n_splits`` for ``Folds``).
    """

    per_fold: bool
    n_splits: int
    n_intervals: int


@dataclass
class FoldResult:
    """What one fold of one trial reported for one interval.

    Parameters
    ----------
    fold : int
        Index of the CV split, from 0.
    interval : int
        Interval number, from 1.
    test_scores : dict of str to float
        Test score per metric name (``"score"`` for single-metric scoring).
        Failed fits hold ``error_score`` here.
    train_scores : dict of str to float or None
        Train score per metric, or None when train scores are not requested.
    fit_time, score_time : float
        Seconds spent fitting and scoring, as ``time.time`` measures them.
    error : str or None
        Formatted traceback when the fit failed, else None.
    """

    fold: int
    interval: int
    test_scores: dict
    train_scores: dict | None
    fit_time: float
    score_time: float
    error: str | None = None


@dataclass
class Trial:
    """One parameter set and everything it reported.

    Parameters
    ----------
    trial_id : int
        Position of the trial in the search, from 0; also its row in
        ``cv_results_``.
    params : dict
        The parameter set, as the sampling proposed it.
    status : str
        ``"running"``, ``"completed"``, ``"terminated"`` or ``"failed"``.
    results : list of FoldResult
        Every (fold, interval) result received so far, in arrival order.
    start_time, end_time : float or None
        Wall-clock (``time.time``) when the trial entered its first wave and
        when it ended; None until then.
    source : str
        ``"search"`` for a trial of this fit; the experiment name for a trial
        read back from a store to warm-start the search.
    """

    trial_id: int
    params: dict
    status: str = RUNNING
    results: list = field(default_factory=list)
    start_time: float | None = None
    end_time: float | None = None
    source: str = "search"

    @property
    def ended(self):
        """Whether the trial has left the running state."""
        return self.status in ENDED_STATUSES

    @property
    def errors(self):
        """Tracebacks of the failed fits of this trial, in fold order."""
        return [r.error for r in sorted(self.results, key=_fold_key) if r.error]

    def final_results(self):
        """The last interval's result of each fold, ordered by fold.

        Returns
        -------
        results : list of FoldResult
        """
        last = {}
        for result in self.results:
            current = last.get(result.fold)
            if current is None or result.interval > current.interval:
                last[result.fold] = result
        return [last[fold] for fold in sorted(last)]

    def n_intervals_reached(self, per_fold, n_splits):
        """Intervals finished by every fold.

        Parameters
        ----------
        per_fold : bool
            True for a resource that steps every fold (epochs, estimators,
            subsamples); False for the ``Folds`` resource, where interval k is
            the k-th fold.
        n_splits : int

        Returns
        -------
        k : int
        """
        if not per_fold:
            return len(self.results)
        steps = [0] * n_splits
        for result in self.results:
            steps[result.fold] = max(steps[result.fold], result.interval)
        return min(steps)

    def interval_scores(self, metric, per_fold, n_splits):
        """The learning curve: the test score at intervals 1, 2, ... reached.

        For the ``Folds`` resource the score at k is the mean of the first k
        folds' scores; otherwise the mean over folds of the step-k scores,
        and None at an interval that was run but not scored (a per-fold
        resource scores the intervals the policy reads and the last one,
        unless the search asked for ``curves="all"``).

        Parameters
        ----------
        metric : str
        per_fold : bool
        n_splits : int

        Returns
        -------
        scores : list of float or None
        """
        reached = self.n_intervals_reached(per_fold, n_splits)
        if not per_fold:
            by_fold = sorted(self.results, key=_fold_key)
            scores = [r.test_scores.get(metric, float("nan")) for r in by_fold]
            return [float(np.mean(scores[:k])) for k in range(1, reached + 1)]
        by_interval = {}
        for result in self.results:
            by_interval.setdefault(result.interval, []).append(result.test_scores.get(metric, float("nan")))
        return [float(np.mean(by_interval[k])) if k in by_interval else None for k in range(1, reached + 1)]


@dataclass(frozen=True)
class Observation:
    """What a sampling sees of one trial: its parameters, status and score.

    The engine builds one per trial, running ones included, before every
    ``propose`` call, so a model-based sampling can use finished trials as
    evidence and running ones as pending points.

    Parameters
    ----------
    trial_id : int
    params : dict
    status : str
        ``"running"``, ``"completed"``, ``"terminated"`` or ``"failed"``.
    score : float
        Mean test score of the primary metric at the last interval every fold
        reached (greater is better, as scikit-learn scorers are); NaN for a
        failed trial or one with no interval yet.
    n_intervals : int
        Intervals reached.
    final_interval : int
        Intervals of a trial that runs to the end.
    """

    trial_id: int
    params: dict
    status: str
    score: float
    n_intervals: int
    final_interval: int


def _fold_key(result):
    return (result.fold, result.interval)
