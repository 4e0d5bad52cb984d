"""The per-fold plan: what each fold of each running trial runs next, and the results it holds.

One interface, chosen once per search by :func:`make_plan`:
:class:`WholeFoldPlan` for the ``Folds`` resource (interval k is fold k - 1,
each task one whole fold) and :class:`PerFoldPlan` for a resource that steps
every fold (each task takes one fold through some intervals, may run ahead of
its trial, and leaves its model for the next task). The loop asks a plan for
the wave's tasks and their worker calls, hands it the outcomes, and takes
back, trial by trial, the results up to each trial's stop.
"""

from collections import deque
from dataclasses import dataclass, field

from .records import FoldTask
from .runahead import RunAhead


class FoldPlan:
    """What every plan shares: task times for ordering, and the interface the loop calls.

    Parameters
    ----------
    evaluation : Evaluation
        The schedule, the splits and the worker calls.
    """

    def __init__(self, evaluation):
        self.evaluation = evaluation
        self.schedule = evaluation.schedule
        self.n_splits = evaluation.n_splits
        # Seconds of each trial's latest task: the wave starts the longest first.
        self.last_task_seconds = {}

    def next_tasks(self, trials, stops, n_running):
        """The tasks that take every running trial to its stop, longest first.

        Parameters
        ----------
        trials : list of Trial
            Every trial, in trial order.
        stops : dict
            ``{trial_id: interval}``: where each running trial goes this wave.
        n_running : int

        Returns
        -------
        list of FoldTask
        """
        tasks = self._tasks(trials, stops, n_running)
        # Stable sort: equal estimates keep trial order.
        tasks.sort(key=lambda task: -self.last_task_seconds.get(task.trial.trial_id, 0.0))
        return tasks

    def _tasks(self, trials, stops, n_running):
        raise NotImplementedError

    def call(self, task, n_trials):
        """The ``joblib.delayed`` worker call of ``task``."""
        raise NotImplementedError

    def absorb(self, task, outcome):
        """Keep a task's :class:`~hdsearch.engine.records.FoldOutcome` until its trial reaches it."""
        raise NotImplementedError

    def raise_reached_errors(self, stops):
        """Raise a search-stopping error a trial reached by its stop, before anything is recorded."""
        raise NotImplementedError

    def release(self, trial, stop):
        """The held results of ``trial`` up to ``stop``, to record now.

        Returns
        -------
        results : list of (int, int, StepScore)
            ``(fold, interval, scores)`` in fold order, then interval order.
        failed : bool
            Whether a fold's fit failed, which fails the trial.
        """
        raise NotImplementedError

    def drop(self, trial):
        """Forget a trial's held results and fold models (it ended)."""

    def clear(self):
        """Forget everything held (the search ended)."""

    def rebuild_tasks(self, trials):
        """The tasks that rebuild the fold models of restored running trials (none to rebuild here)."""
        return []

    def restore_models(self, tasks, outcomes):
        """Keep the fold models that :meth:`rebuild_tasks`' tasks returned."""

    def note_decisions(self, stopped_flags):
        """Take whether each policy decision on a running trial stopped it (run-ahead reads the rate)."""

    def use_workers(self, n_workers):
        """Take the number of workers the waves run on (run-ahead weighs a wave's cost by it)."""


class WholeFoldPlan(FoldPlan):
    """The ``Folds`` resource: interval k is fold k - 1, and one task fits and scores one whole fold."""

    def __init__(self, evaluation):
        super().__init__(evaluation)
        self._held = {}  # (trial_id, fold) -> FoldOutcome of this wave

    def _tasks(self, trials, stops, n_running):
        tasks = []
        for trial in trials:
            if trial.trial_id in stops:
                reached = trial.intervals_reached(self.schedule)
                tasks += [FoldTask(trial, fold, fold + 1, fold + 1) for fold in range(reached, stops[trial.trial_id])]
        return tasks

    def call(self, task, n_trials):
        return self.evaluation.delayed_fold(task, n_trials)

    def absorb(self, task, outcome):
        self._held[(task.trial.trial_id, task.fold)] = outcome
        step = outcome.steps[0]
        self.last_task_seconds[task.trial.trial_id] = step.fit_time + step.score_time

    def raise_reached_errors(self, stops):
        for key in sorted(self._held):
            if self._held[key].exception is not None:
                raise self._held[key].exception

    def release(self, trial, stop):
        folds = sorted(fold for trial_id, fold in self._held if trial_id == trial.trial_id)
        return [(fold, fold + 1, self._held.pop((trial.trial_id, fold)).steps[0]) for fold in folds], False

    def drop(self, trial):
        for fold in range(self.n_splits):
            self._held.pop((trial.trial_id, fold), None)

    def clear(self):
        self._held.clear()


@dataclass
class FoldProgress:
    """Where one fold of a running trial really is, which may be past what its trial recorded.

    Parameters
    ----------
    model : PackedModel or None
        The fold model after step ``position``.
    position : int
        The last step the model has run.
    ahead : deque of StepScore
        Step outcomes past the trial's recorded results, in step order.
    failed : bool
        Whether the last of ``ahead`` is a failed fit (the fold goes no further).
    exception : tuple of (int, Exception) or None
        A search-stopping error and the step it happened at, raised when the
        trial reaches that step.
    """

    model: object = None
    position: int = 0
    ahead: deque = field(default_factory=deque)
    failed: bool = False
    exception: tuple | None = None

    def covers(self, step):
        """Whether nothing needs to run for the fold to report ``step``."""
        return self.position >= step or self.failed or self.exception is not None


class PerFoldPlan(FoldPlan):
    """A resource that steps every fold: tasks continue fold models and may run ahead of their trial.

    A task starts where its fold really is and may run past its trial's
    stop (:class:`~hdsearch.engine.runahead.RunAhead`); the results past
    the stop wait here, with the fold model, until the trial gets there, and
    are dropped if the policy stops it first.

    Parameters
    ----------
    evaluation : Evaluation
    stops : Stops
        Where the policy acts, and the scored intervals.
    run_ahead : int or None
        As for :class:`~hdsearch.engine.WaveEngine`.
    """

    def __init__(self, evaluation, stops, run_ahead):
        super().__init__(evaluation)
        self.stops = stops
        self.run_ahead = RunAhead(stops, evaluation, run_ahead)
        # Where each fold of a running trial is: its model and results past
        # the trial's records. Dropped as soon as the trial ends.
        self._folds = {}

    def _tasks(self, trials, stops, n_running):
        """Every fold behind its trial's stop gets a task from where it is.

        A fold whose results already reach the stop gets no task, unless the
        wave runs anyway: then it runs ahead too, so that waves stay full.
        """
        tasks, covered = [], []
        for trial in trials:
            if trial.trial_id not in stops:
                continue
            stop = stops[trial.trial_id]
            reached = trial.intervals_reached(self.schedule)
            for fold in range(self.n_splits):
                progress = self._folds.get((trial.trial_id, fold))
                position = reached if progress is None else progress.position
                if progress is None or not progress.covers(stop):
                    tasks.append(self._task(trial, fold, position, stop, n_running))
                elif not (progress.failed or progress.exception):
                    covered.append((trial, fold, position, stop))
        if tasks:  # the wave runs anyway: the folds that ran ahead may go further
            for trial, fold, position, stop in covered:
                task = self._task(trial, fold, position, stop, n_running)
                if task.last > position:
                    tasks.append(task)
        return tasks

    def _task(self, trial, fold, position, stop, n_running):
        return FoldTask(trial, fold, position + 1, self.run_ahead.task_end(trial.trial_id, stop, n_running))

    def call(self, task, n_trials):
        return self.evaluation.delayed_steps(task, self._take_model(task), self.stops.scored_intervals)

    def _take_model(self, task):
        """The fold model a task continues from (None for a fresh fold); the task hands it back."""
        progress = self._folds.get((task.trial.trial_id, task.fold))
        if progress is None:
            return None
        model, progress.model = progress.model, None
        return model

    def absorb(self, task, outcome):
        key = (task.trial.trial_id, task.fold)
        progress = self._folds.setdefault(key, FoldProgress(position=task.first - 1))
        steps = outcome.steps
        scored = [k for k in self.stops.scored_intervals if task.first <= k <= task.last]
        for step, interval in zip(steps, scored):
            if step.interval is None:  # a lost task's outcome carries none
                step.interval = interval
        progress.ahead.extend(steps)
        progress.model = outcome.model
        progress.position = task.last
        progress.failed = outcome.failed
        if outcome.exception is not None:
            # It happened in the segment after the last scored step that finished
            # (steps may also hold the points in between, read without retraining).
            done = sum(step.interval in scored for step in steps)
            progress.exception = (scored[min(done, len(scored) - 1)], outcome.exception)
        seconds = sum(step.fit_time + step.score_time for step in steps)
        self.last_task_seconds[task.trial.trial_id] = seconds
        if steps and not outcome.failed:
            self.run_ahead.note_task(task.trial.trial_id, seconds, steps[-1].interval - task.first + 1)

    def raise_reached_errors(self, stops):
        for trial_id, stop in sorted(stops.items()):
            for fold in range(self.n_splits):
                progress = self._folds.get((trial_id, fold))
                if progress is not None and progress.exception is not None and progress.exception[0] <= stop:
                    raise progress.exception[1]

    def release(self, trial, stop):
        results, failed = [], False
        for fold in range(self.n_splits):
            progress = self._folds.get((trial.trial_id, fold))
            if progress is None:
                continue
            while progress.ahead and progress.ahead[0].interval <= stop:
                step = progress.ahead.popleft()
                results.append((fold, step.interval, step))
            if progress.failed and not progress.ahead:  # the failed fit is released now
                failed = True
        return results, failed

    def drop(self, trial):
        for fold in range(self.n_splits):
            self._folds.pop((trial.trial_id, fold), None)

    def clear(self):
        self._folds.clear()

    def rebuild_tasks(self, trials):
        """Tasks that re-run the finished steps of restored running trials, to get their fold models back.

        The same scored intervals split the same resource calls, so the
        models are the ones the interrupted search had. Results beyond what
        every fold reached are dropped, to be run again in the next wave.
        """
        tasks = []
        for trial in trials:
            reached = trial.intervals_reached(self.schedule)
            if not trial.ended and reached:
                tasks.extend(FoldTask(trial, fold, 1, reached) for fold in range(self.n_splits))
                trial.results = [r for r in trial.results if r.interval <= reached]
        return tasks

    def restore_models(self, tasks, outcomes):
        for task, outcome in zip(tasks, outcomes):
            if outcome.exception is not None:
                raise outcome.exception
            if outcome.model is not None:
                self._folds[(task.trial.trial_id, task.fold)] = FoldProgress(outcome.model, task.last)

    def note_decisions(self, stopped_flags):
        self.run_ahead.note_decisions(stopped_flags)

    def use_workers(self, n_workers):
        self.run_ahead.n_workers = n_workers


def make_plan(evaluation, stops, run_ahead):
    """The plan for the search's resource: per fold, or whole folds.

    Parameters
    ----------
    evaluation : Evaluation
    stops : Stops
    run_ahead : int or None

    Returns
    -------
    FoldPlan
    """
    if evaluation.schedule.per_fold:
        return PerFoldPlan(evaluation, stops, run_ahead)
    return WholeFoldPlan(evaluation)
