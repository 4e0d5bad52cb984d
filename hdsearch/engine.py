"""The wave loop: fill slots, build tasks, run them, record results, enforce budgets.

joblib has no public submit/futures API, and an input iterable that depends on
results deadlocks its dispatcher, so the engine runs in *waves*: each wave is
one call of a reused ``joblib.Parallel`` on a fully built task list. Results
are keyed by (trial, fold), never by completion order, so a search is
deterministic whatever ``n_jobs``, the backend or the timing.
"""

import time
from dataclasses import dataclass, field

from joblib import delayed

from ._worker import fit_and_score_fold
from .trials import COMPLETED, FAILED, FoldResult, Trial


@dataclass
class FoldTask:
    """One unit of work: fit and score one fold of one trial."""

    trial: Trial
    fold: int


@dataclass
class Evaluation:
    """Everything a worker needs besides the trial: data, splits, scoring.

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator; workers clone it.
    X, y : array-like
        The whole data set, passed as the same objects to every task so that
        joblib memmaps a large array once.
    splits : list of (ndarray, ndarray)
        The CV splits, as ``(train, test)`` index arrays.
    scorer : callable
    metric_names : list of str or None
        Known metric names, or None when only the scorer's output tells.
    fit_params, score_params : dict
    return_train_score : bool
    error_score : "raise" or float
    verbose : int
    """

    estimator: object
    X: object
    y: object
    splits: list
    scorer: object
    metric_names: list | None
    fit_params: dict = field(default_factory=dict)
    score_params: dict = field(default_factory=dict)
    return_train_score: bool = False
    error_score: object = float("nan")
    verbose: int = 0

    @property
    def n_splits(self):
        """Number of CV splits."""
        return len(self.splits)

    def delayed_task(self, task, n_trials):
        """The ``joblib.delayed`` call that runs ``task``."""
        train, test = self.splits[task.fold]
        return delayed(fit_and_score_fold)(
            self.estimator,
            self.X,
            self.y,
            params=task.trial.params,
            train=train,
            test=test,
            scorer=self.scorer,
            metric_names=self.metric_names,
            fit_params=self.fit_params,
            score_params=self.score_params,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            verbose=self.verbose,
            progress=(task.fold, self.n_splits, task.trial.trial_id, n_trials),
        )


@dataclass
class Budget:
    """When the experiment stops.

    Parameters
    ----------
    max_total_runs : int
        Trials to start at most.
    max_concurrent_runs : int or None
        Trials in flight at once; None means no limit.
    max_duration : float or None
        Seconds after which no new wave starts.
    """

    max_total_runs: int
    max_concurrent_runs: int | None = None
    max_duration: float | None = None


class WaveEngine:
    """Move trials from the sampler through the workers, one wave at a time.

    Parameters
    ----------
    evaluation : Evaluation
        Data, splits and scoring shared by every task.
    sampler : bound sampling
        Has ``propose(history, n)``.
    budget : Budget
    """

    def __init__(self, evaluation, sampler, budget):
        self.evaluation = evaluation
        self.sampler = sampler
        self.budget = budget
        self.trials = []
        # Whether the scorer returns a dict, learnt from the first successful
        # fold in (trial, fold) order, as scikit-learn learns it.
        self.multimetric = None
        self._sampler_exhausted = False
        self._last_task_seconds = {}

    def run(self, parallel):
        """Run waves on ``parallel`` until the budget or the sampler is spent.

        Parameters
        ----------
        parallel : joblib.Parallel
            An open ``Parallel`` (inside its ``with`` block), reused by every wave.

        Returns
        -------
        trials : list of Trial
            Every trial started, in trial order.
        """
        start = time.monotonic()
        while True:
            self._fill_slots()
            tasks = self._next_tasks()
            if not tasks:
                break
            self._run_wave(parallel, tasks)
            if self._out_of_time(start):
                break
        return self.trials

    def _fill_slots(self):
        budget = self.budget
        n_running = sum(not trial.ended for trial in self.trials)
        n_free = budget.max_total_runs - len(self.trials)
        if budget.max_concurrent_runs is not None:
            n_free = min(n_free, budget.max_concurrent_runs - n_running)
        if n_free <= 0 or self._sampler_exhausted:
            return
        history = [trial for trial in self.trials if trial.ended]
        proposals = self.sampler.propose(history, n_free)
        if len(proposals) < n_free:
            self._sampler_exhausted = True
        new_trials = [Trial(len(self.trials) + i, params) for i, params in enumerate(proposals)]
        self.trials.extend(new_trials)
        if self.evaluation.verbose > 0 and new_trials:
            n_splits = self.evaluation.n_splits
            print(
                f"Fitting {n_splits} folds for each of {len(new_trials)} candidates,"
                f" totalling {n_splits * len(new_trials)} fits"
            )

    def _next_tasks(self):
        """One task per fold not yet run of every running trial, longest first."""
        tasks = []
        for trial in self.trials:
            if trial.ended:
                continue
            done = {result.fold for result in trial.results}
            tasks.extend(
                FoldTask(trial, fold) for fold in range(self.evaluation.n_splits) if fold not in done
            )
        # Stable sort: equal estimates keep trial order.
        tasks.sort(key=lambda task: -self._last_task_seconds.get(task.trial.trial_id, 0.0))
        return tasks

    def _run_wave(self, parallel, tasks):
        n_trials = len(self.trials)
        outcomes = parallel(self.evaluation.delayed_task(task, n_trials) for task in tasks)
        keyed = sorted(zip(tasks, outcomes), key=lambda pair: (pair[0].trial.trial_id, pair[0].fold))
        for task, outcome in keyed:
            if outcome["exception"] is not None:
                raise outcome["exception"]
        for task, outcome in keyed:
            task.trial.results.append(
                FoldResult(
                    fold=task.fold,
                    interval=1,
                    test_scores=_as_metric_dict(outcome["test_scores"]),
                    train_scores=_as_metric_dict(outcome["train_scores"]),
                    fit_time=outcome["fit_time"],
                    score_time=outcome["score_time"],
                    error=outcome["error"],
                )
            )
            if outcome["error"] is None and self.multimetric is None:
                self.multimetric = isinstance(outcome["test_scores"], dict)
            seconds = outcome["fit_time"] + outcome["score_time"]
            self._last_task_seconds[task.trial.trial_id] = seconds
        for trial in {task.trial.trial_id: task.trial for task, _ in keyed}.values():
            self._end_if_finished(trial)

    def _end_if_finished(self, trial):
        if len(trial.results) < self.evaluation.n_splits:
            return
        all_failed = all(result.error is not None for result in trial.results)
        trial.status = FAILED if all_failed else COMPLETED

    def _out_of_time(self, start):
        limit = self.budget.max_duration
        return limit is not None and time.monotonic() - start >= limit


def _as_metric_dict(scores):
    """Scores as ``{metric: value}``; a single number is the metric ``"score"``."""
    if scores is None or isinstance(scores, dict):
        return scores
    return {"score": scores}
