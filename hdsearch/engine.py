"""The wave loop: fill slots, build tasks, run them, apply the policy, enforce budgets.

joblib has no public submit/futures API, and an input iterable that depends on
results deadlocks its dispatcher, so the engine runs in *waves*: each wave is
one call of a reused ``joblib.Parallel`` on a fully built task list. Results
are keyed by (trial, fold), never by completion order, and the policy is
applied in trial order after each wave, so a search is deterministic whatever
``n_jobs``, the backend or the timing.

Each wave takes every running trial to its next *stop*: the next interval at
which the policy acts, or the trial's last interval. With no policy that is
the last interval, so a plain search runs in one wave, as ``GridSearchCV``.

With a per-fold resource, a fold is scored only at the *scored intervals*
(the ones the policy reads, and the last one; every interval with
``curves="all"`` or where one pass reads them all), and its model moves from
one scored interval to the next in one resource call (through several in one
call where the model grows exactly). A task may also *run ahead* past its
trial's next stop: a policy's decision at interval k reads only scores at
intervals <= k, so the results past the stop wait, with the fold model, in
the parent until the trial gets there, and are dropped if the policy stops it
first. The trial table, the policy and the sampling see exactly what they
would see interval by interval, so how far tasks run ahead (chosen from
measured times) never changes a result.

When the best trial is known before its last folds end (no trial completed,
none left to start, one running to its end), its refit joins that wave
(:meth:`WaveEngine._sure_best`).
"""

import os
import time
import warnings
from collections import deque
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from joblib import effective_n_jobs
from sklearn.utils.parallel import delayed

from ._fail_fast import UniformFailureWatch
from ._fit_tasks import NoFitTasks
from ._refit import refit_beside_folds
from ._worker import advance_fold, fit_and_score_fold, lost_task_outcome
from .policy import Curve
from .resource import Folds
from .trials import COMPLETED, FAILED, TERMINATED, FoldResult, Observation, Trial


@dataclass
class FoldTask:
    """One unit of work: take one fold of one trial through steps ``first..last``.

    For the ``Folds`` resource a task is one whole fold (one step).
    """

    trial: Trial
    fold: int
    first: int = 1
    last: int = 1


@dataclass
class RefitTask:
    """The refit of a trial on all the data, run in the wave that ends the trial.

    Only for a trial sure to be the best: the last one running, with no
    other trial completed and none left to start.
    """

    trial: Trial


@dataclass
class FoldProgress:
    """Where one fold of a running trial really is, which may be past what its trial recorded.

    Parameters
    ----------
    model : estimator or None
        The fold model after step ``position``.
    position : int
        The last step the model has run.
    ahead : deque of dict
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


@dataclass
class Evaluation:
    """Everything a worker needs besides the trial: data, splits, scoring, resource.

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
    resource : BaseResource
    seed_entropy : int
        Root of the per-(trial, fold) random streams of the resource.
    classes : ndarray or None
        All class labels, for ``partial_fit``.
    fit_tasks : FitTasks or NoFitTasks
        scikit-learn's callback tasks of the fit; each whole-fold task gets
        its evaluation task.
    searched_params : frozenset of str
        The parameter names of the search space.
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
    resource: object = field(default_factory=Folds)
    seed_entropy: int = 0
    classes: object = None
    fit_tasks: object = field(default_factory=NoFitTasks)
    searched_params: frozenset = frozenset()

    @property
    def n_splits(self):
        """Number of CV splits."""
        return len(self.splits)

    @cached_property
    def smallest_train_size(self):
        """Samples in the smallest training fold; resource schedules are built on it."""
        return min(len(train) for train, _ in self.splits)

    @cached_property
    def n_intervals(self):
        """Intervals of a trial that runs to the end."""
        return self.resource.n_intervals(self.n_splits, self.smallest_train_size)

    @cached_property
    def held_step_cost(self):
        """What a call that continues a fold model pays per step held, in steps trained."""
        return self.resource.held_step_cost(self.estimator)

    @cached_property
    def merges_calls(self):
        """Whether every trial's fold passes several scored steps in one call (exact growth).

        Not when the search space searches a parameter that decides it (say
        ``subsample``): some trials may then need one call per scored step,
        so the search neither scores every step nor runs ahead as if calls
        merged. (Each fold model's own growth decides its calls, in
        :meth:`~hdsearch.resource.BaseResource.segments`.)
        """
        searched = set(self.resource.grouping_params(self.estimator)) & self.searched_params
        return self.resource.grows_in_one_call(self.estimator) and not searched

    @cached_property
    def scores_from_one_fit(self):
        """Whether the resource scores every step of every trial from one fit (staged boosting)."""
        return self.merges_calls and self.resource.scores_from_one_fit(self.estimator)

    def reached(self, k):
        """The amount of resource at interval ``k``."""
        return self.resource.reached(k, self.smallest_train_size)

    def delayed_fold(self, task, n_trials):
        """The ``joblib.delayed`` call that fits and scores a whole fold."""
        train, test = self.splits[task.fold]
        return delayed(fit_and_score_fold)(
            self.estimator,
            self.X,
            self.y,
            params=task.trial.params,
            train=train,
            test=test,
            verbose=self.verbose,
            **self._scoring_kwargs(),
            progress=(task.fold, self.n_splits, task.trial.trial_id, n_trials),
            **self.fit_tasks.worker_kwargs(task.trial.trial_id, task.fold, self.n_splits),
        )

    def delayed_steps(self, task, model, scored_steps):
        """The ``joblib.delayed`` call that advances a fold by steps of a per-fold resource."""
        train, test = self.splits[task.fold]
        return delayed(advance_fold)(
            self.estimator,
            self.X,
            self.y,
            model=model,
            params=task.trial.params,
            resource=self.resource,
            train=train,
            test=test,
            first_step=task.first,
            last_step=task.last,
            scored_steps=scored_steps,
            seed=(self.seed_entropy, task.trial.trial_id, task.fold),
            classes=self.classes,
            keep_model=task.last < self.n_intervals,
            **self._scoring_kwargs(),
        )

    def delayed_refit(self, trial, scored_intervals):
        """The ``joblib.delayed`` call that refits ``trial`` on all the data, seeded as the search's refit."""
        return delayed(refit_beside_folds)(
            self.estimator,
            self.X,
            self.y,
            params=trial.params,
            resource=self.resource,
            fit_params=self.fit_params,
            seed=(self.seed_entropy, trial.trial_id, self.n_splits),
            classes=self.classes,
            scored_intervals=scored_intervals,
            parent_pid=os.getpid(),
        )

    def _scoring_kwargs(self):
        """Worker arguments shared by both kinds of task."""
        return dict(
            scorer=self.scorer,
            metric_names=self.metric_names,
            fit_params=self.fit_params,
            score_params=self.score_params,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
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


@dataclass
class WaveReport:
    """What one wave changed, handed to every wave listener.

    Parameters
    ----------
    wave : int
        Wave number, from 1.
    trials : list of Trial
        Every trial so far, in trial order (the engine's own records: read,
        never modify).
    changed : list of Trial
        The trials this wave started, advanced or ended, in trial order.
    new_results : list of (int, FoldResult)
        ``(trial_id, result)`` of every result this wave added.
    terminated : list of (int, int, str)
        ``(trial_id, interval, reason)`` of every trial the policy stopped.
    """

    wave: int
    trials: list
    changed: list
    new_results: list
    terminated: list


class NoHooks:
    """The engine's hooks when nothing listens: the three calls a hooks object answers."""

    def trials_started(self, engine, new_trials, sampler_exhausted):
        """At the start of every wave, once its new trials (maybe none) are started."""

    def wave_ended(self, report):
        """After every wave, once the policy has been applied; True ends the search ("callback")."""
        return False

    def wave_recorded(self, report):
        """Last in every wave, with the trials a time limit or a callback stopped."""


class WaveEngine:
    """Move trials from the sampler through the workers, one wave at a time.

    Parameters
    ----------
    evaluation : Evaluation
        Data, splits, scoring and resource shared by every task.
    sampler : bound sampling
        Has ``propose(history, n)``.
    budget : Budget
    policy : BasePolicy or None
        None never stops a trial.
    primary_metric : str or None
        The metric the policy compares; None means ``"score"``, or the first
        metric of a callable multi-metric scorer.
    prior_trials : list of Trial, default=()
        Ended trials of other experiments (warm start): the policy compares
        against them and the sampling sees them, but they are not run.
    curves : {"decisions", "all"}, default="decisions"
        Which intervals a per-fold resource scores: the ones the policy reads
        (``policy.intervals_read``) and the last one, or every interval.
    run_ahead : int or None, default=None
        How many stops past its trial's next stop a per-fold task runs: None
        weighs the waves and calls saved against the work a termination
        would throw away, from how often the policy stopped trials lately
        and measured task times. It changes no result, only the number of
        waves and calls.
    refit_early : bool, default=False
        Refit a trial sure to be the best in the wave that ends it, beside
        its last folds, where a worker would otherwise wait for the wave to
        end (with two workers or more). The search sets it when it refits
        its best trial by rank.
    hooks : object, default=None
        What hears the waves (see :class:`NoHooks` for the three calls);
        None hears nothing. The search sets :attr:`hooks` once the engine
        is restored, as the callbacks read it.

    Attributes
    ----------
    hooks : object
        As given, or a :class:`NoHooks`.
    stop_reason : str or None
        Why the search ended early: ``"max_duration"``, ``"callback"``, or
        None when it ran out of trials.
    early_refit : tuple of (int, dict) or None
        ``(trial_id, outcome)`` of the refit run in a wave, with the
        outcome of :func:`~hdsearch._refit.refit_beside_folds`; None when
        none ran.
    """

    def __init__(self, evaluation, sampler, budget, policy=None, primary_metric=None,
                 prior_trials=(), curves="decisions", run_ahead=None, refit_early=False, hooks=None):
        self.evaluation = evaluation
        self.sampler = sampler
        self.budget = budget
        self.policy = policy
        self.primary_metric = primary_metric
        self.hooks = NoHooks() if hooks is None else hooks
        self.prior_trials = list(prior_trials)
        self.curves = curves
        self.run_ahead = run_ahead
        self.refit_early = refit_early
        self.trials = []
        self.stop_reason = None
        self.early_refit = None
        # Whether the scorer returns a dict, learnt from the first successful
        # fold in (trial, fold) order, as scikit-learn learns it.
        self.multimetric = None
        self._sampler_exhausted = False
        self._last_task_seconds = {}
        self._seconds_per_step = {}
        # Learning curves by trial object, with the number of results they were read from.
        self._curves = {}
        self._n_workers = 1
        # Where each fold of a running trial is: its model and results past
        # the trial's records. Dropped as soon as the trial ends.
        self._folds = {}
        # The stop each running trial runs to in the current wave.
        self._stops = {}
        # Whether each of the latest policy decisions stopped its trial, for
        # the run-ahead choice.
        self._recent_decisions = deque(maxlen=RUN_AHEAD_WINDOW)
        self._wave = 0
        self._failure_watch = UniformFailureWatch(
            evaluation.resource.per_fold, evaluation.n_splits, active=evaluation.error_score != "raise"
        )
        self._changed = {}
        self._new_results = []
        self._terminated = []

    def restore(self, trials):
        """Start from trials read back from a store, as they were after their last wave.

        Ended trials are kept as they are. Running trials of a per-fold
        resource keep their results, and :meth:`run` first re-runs their
        steps to rebuild the fold models (nothing is stored on disk but
        scores), without recording or judging them again; running trials of
        the folds resource keep their finished folds. The sampling is
        replayed over the restored trials, so the search goes on exactly as
        an uninterrupted one would.

        Parameters
        ----------
        trials : list of Trial
            In trial order, ids 0, 1, ...
        """
        self.trials = list(trials)
        if any(result.error is None for trial in self.trials for result in trial.results):
            self._failure_watch.active = False  # a fit succeeded: not every fit fails
        # The store keeps scores as {metric: value}; one metric named "score"
        # is how a single-metric scorer's numbers were recorded.
        for trial in self.trials:
            for result in trial.results:
                if result.error is None and self.multimetric is None:
                    self.multimetric = isinstance(result.test_scores, dict) and set(result.test_scores) != {"score"}
        if self.sampler.skip(self.observations(), len(self.trials)) < len(self.trials):
            self._sampler_exhausted = True

    def run(self, parallel):
        """Run waves on ``parallel`` until the budget or the sampler is spent.

        An exception (``KeyboardInterrupt`` included) leaves :attr:`trials`
        as they were after the last complete wave, which every listener saw.

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
        self._n_workers = max(1, effective_n_jobs(parallel.n_jobs))
        self._rebuild_models(parallel)
        while True:
            self._fill_slots()
            tasks = self._next_tasks()
            if not self._stops:  # no trial running; a wave may have no task when all ran ahead
                break
            self._run_wave(parallel, tasks, self._sure_best(tasks))
            self._apply_policy()
            self._wave += 1
            if self._out_of_time(start):
                self.stop_reason = "max_duration"
            if self.hooks.wave_ended(self._report()) and self.stop_reason is None:
                self.stop_reason = "callback"
            if self.stop_reason is not None:
                self._end_running_trials()
            self._record_wave()
            if self.stop_reason is not None:
                break
        self._folds.clear()
        return self.trials

    def _end_running_trials(self):
        """Mark trials stopped between their intervals as terminated."""
        now = time.time()
        for trial in self.trials:
            if not trial.ended:
                trial.status = TERMINATED
                trial.end_time = now
                self._changed[trial.trial_id] = trial
                self._drop_models(trial)

    def _report(self):
        return WaveReport(
            self._wave,
            self.trials,
            [self._changed[i] for i in sorted(self._changed)],
            self._new_results,
            self._terminated,
        )

    def _record_wave(self):
        """Give the hooks the whole wave, the trials stopped by a time limit or a callback included."""
        self.hooks.wave_recorded(self._report())
        self._changed, self._new_results, self._terminated = {}, [], []

    # ------------------------------------------------------------ slots

    def _fill_slots(self):
        new_trials = self._start_trials()
        self.hooks.trials_started(self, new_trials, self._sampler_exhausted)

    def _start_trials(self):
        """Start as many trials as the budget and the sampler allow; return them."""
        budget = self.budget
        n_running = sum(not trial.ended for trial in self.trials)
        n_free = budget.max_total_runs - len(self.trials)
        if budget.max_concurrent_runs is not None:
            n_free = min(n_free, budget.max_concurrent_runs - n_running)
        if n_free <= 0 or self._sampler_exhausted:
            return []
        proposals = self.sampler.propose(self.observations(), n_free)
        if len(proposals) < n_free:
            self._sampler_exhausted = True
        now = time.time()
        new_trials = [
            Trial(len(self.trials) + i, params, start_time=now) for i, params in enumerate(proposals)
        ]
        self.trials.extend(new_trials)
        self._changed.update((trial.trial_id, trial) for trial in new_trials)
        return new_trials

    def observations(self, include_prior=True):
        """Every trial so far as an :class:`Observation`: warm-start trials first, then this search's.

        Parameters
        ----------
        include_prior : bool, default=True
            Include the warm-start trials.

        Returns
        -------
        list of Observation
        """
        trials = self.prior_trials + self.trials if include_prior else self.trials
        metric = self._metric()
        return [self._observation(trial, metric) for trial in trials]

    def completed_scores(self, trials):
        """Primary scores of the completed ones among ``trials``."""
        metric = self._metric()
        return [self._observation(t, metric).score for t in trials if t.status == COMPLETED]

    def _observation(self, trial, metric):
        curve = self._curve(trial, metric)
        score = curve[-1] if curve and trial.status != FAILED else float("nan")
        return Observation(
            trial.trial_id, dict(trial.params), trial.status, score, len(curve), self.evaluation.n_intervals
        )

    # ------------------------------------------------------------ tasks

    def _acts_at(self, k):
        """Whether the policy may stop a trial at interval ``k``."""
        return (
            self.policy is not None
            and k >= self.evaluation.resource.min_interval
            and self.policy.acts_at(k)
        )

    def first_decision(self, limit=10_000):
        """The first interval in 1..``limit`` at which the policy may stop a trial, or None.

        A policy never acts at a trial's last interval, so a first decision at
        or past :attr:`Evaluation.n_intervals` never happens.
        """
        return next((k for k in range(1, limit + 1) if self._acts_at(k)), None)

    @cached_property
    def scored_intervals(self):
        """The intervals at which every fold of a per-fold resource is scored.

        The intervals the policy reads for its decisions
        (:meth:`~hdsearch.policy.BasePolicy.intervals_read`) and the last
        one; every interval with ``curves="all"`` or where the resource
        scores every step from one fit anyway (staged boosting). The
        resource runs from one to the next in one call, and the refit of the
        best trial makes the same calls.
        """
        final = self.evaluation.n_intervals
        every = self.curves == "all" or self.evaluation.scores_from_one_fit
        read = set()
        if self.policy is not None:
            read = self.policy.intervals_read([k for k in range(1, final) if self._acts_at(k)])
        return tuple(k for k in range(1, final + 1) if k == final or every or k in read)

    def _next_stop(self, reached):
        """The interval a trial that reached ``reached`` runs to in this wave."""
        final = self.evaluation.n_intervals
        return next((k for k in range(reached + 1, final) if self._acts_at(k)), final)

    def _next_tasks(self):
        """The tasks of every running trial up to its next stop, longest first.

        A per-fold task starts where its fold really is and may run ahead of
        the stop; a fold whose results already reach the stop gets no task,
        unless the wave runs anyway: then it runs ahead too, so that waves
        stay full.
        """
        tasks, covered = [], []
        per_fold = self.evaluation.resource.per_fold
        self._stops = {}
        n_running = sum(not trial.ended for trial in self.trials)
        for trial in self.trials:
            if trial.ended:
                continue
            reached = trial.n_intervals_reached(per_fold, self.evaluation.n_splits)
            stop = self._next_stop(reached)
            self._stops[trial.trial_id] = stop
            if per_fold:
                for fold in range(self.evaluation.n_splits):
                    progress = self._folds.get((trial.trial_id, fold))
                    position = reached if progress is None else progress.position
                    if progress is None or not progress.covers(stop):
                        end = self._task_end(trial, position + 1, stop, n_running)
                        tasks.append(FoldTask(trial, fold, position + 1, end))
                    elif not (progress.failed or progress.exception):
                        covered.append((trial, fold, position, stop))
            else:  # interval k is fold k - 1
                tasks.extend(FoldTask(trial, fold) for fold in range(reached, stop))
        if tasks:  # the wave runs anyway: the folds that ran ahead may go further
            for trial, fold, position, stop in covered:
                end = self._task_end(trial, position + 1, stop, n_running)
                if end > position:
                    tasks.append(FoldTask(trial, fold, position + 1, end))
        # Stable sort: equal estimates keep trial order.
        tasks.sort(key=lambda task: -self._last_task_seconds.get(task.trial.trial_id, 0.0))
        return tasks

    def _task_end(self, trial, first, stop, n_running):
        """Where a task from ``first`` that must reach ``stop`` ends: ``stop``, or a later stop when that pays.

        Running ahead saves calls and waves: each wave has its dispatch, its
        barrier and the models' round trip, and each call of a boosting model
        predicts the rounds it holds again. It loses the work past a
        termination. The stop rate is the share of the latest policy
        decisions that stopped their trial.
        """
        final = self.evaluation.n_intervals
        end = stop
        if self.run_ahead is not None:
            for _ in range(self.run_ahead):
                end = self._next_stop(end) if end < final else end
            return end
        decisions = self._recent_decisions
        stop_rate = (sum(decisions) + 0.5) / (len(decisions) + 1)  # 1/2 before any decision
        staged = self.evaluation.merges_calls
        if stop_rate <= (RUN_AHEAD_RARE_STOPS_STAGED if staged else RUN_AHEAD_RARE_STOPS):
            return final  # one wave for the rest of the trial
        seconds_per_step = self._seconds_per_step.get(trial.trial_id)
        if self.policy is None or seconds_per_step is None:
            return end
        # What a task costs beyond its work, as its share of the workers' time
        # a wave costs, plus its own slicing and model copies; a continuing
        # call also pays for the steps its model holds.
        share = WAVE_SECONDS * self._n_workers / (n_running * self.evaluation.n_splits) + TASK_SECONDS
        held_step_cost = self.evaluation.held_step_cost
        alive = 1.0  # the chance the trial survives the decisions up to ``end``
        n_decisions = 0
        while end < final:
            later = self._next_stop(end)
            n_decisions += 1
            # A trial that passed decisions is likelier than most to pass the
            # next: the j-th decision ahead stops it at the rate to the power 1/j.
            alive *= (1.0 - stop_rate) ** (1.0 / n_decisions)
            # Go on from ``end`` to ``later`` when the work a termination at or
            # before ``end`` would throw away costs less than the next call saves.
            wasted = (1.0 - alive) * (later - end) * seconds_per_step
            saved = alive * (share + held_step_cost * end * seconds_per_step)
            if wasted > saved:
                break
            end = later
        return end

    # ------------------------------------------------------------- waves

    def _calls(self, tasks, n_trials):
        evaluation = self.evaluation
        if evaluation.resource.per_fold:
            return [
                evaluation.delayed_steps(task, self._take_model(task), self.scored_intervals) for task in tasks
            ]
        return [evaluation.delayed_fold(task, n_trials) for task in tasks]

    def _take_model(self, task):
        """The fold model a task continues from (None for a fresh fold); the task hands it back."""
        progress = self._folds.get((task.trial.trial_id, task.fold))
        if progress is None:
            return None
        model, progress.model = progress.model, None
        return model

    def _sure_best(self, tasks):
        """The trial whose refit runs in this wave: one sure to be the best once it ends, or None.

        The search refits the best completed trial. When no trial has
        completed, none is left to start and one trial is running, which
        this wave takes to its last interval, that trial is the only one
        that can complete. It may still fail; the search then refits as
        usual. Only worth it with a second worker and fold tasks to run
        beside.
        """
        if not (self.refit_early and tasks and self._n_workers > 1):
            return None
        if len(self.trials) < self.budget.max_total_runs and not self._sampler_exhausted:
            return None
        if any(trial.status == COMPLETED for trial in self.trials):
            return None
        running = [trial for trial in self.trials if not trial.ended]
        if len(running) != 1 or self._stops[running[0].trial_id] != self.evaluation.n_intervals:
            return None
        return running[0]

    def _run_wave(self, parallel, tasks, refit_trial=None):
        calls = self._calls(tasks, len(self.trials))
        if refit_trial is not None:
            # First: it is the longest task (all the rows, the whole schedule).
            tasks = [RefitTask(refit_trial)] + tasks
            calls = [self.evaluation.delayed_refit(refit_trial, self.scored_intervals)] + calls
        outcomes = self._run_isolating_crashes(parallel, tasks, calls)
        if refit_trial is not None:
            if outcomes[0] is not None:
                self.early_refit = (refit_trial.trial_id, outcomes[0])
            tasks, outcomes = tasks[1:], outcomes[1:]
        keyed = sorted(zip(tasks, outcomes), key=lambda pair: (pair[0].trial.trial_id, pair[0].fold))
        if self.evaluation.resource.per_fold:
            for task, outcome in keyed:
                self._absorb(task, outcome)
            self._release_steps()
            return
        for _, outcome in keyed:
            if outcome["exception"] is not None:
                raise outcome["exception"]
        for task, outcome in keyed:
            self._record(task.trial, task.fold, task.fold + 1, outcome)
        for trial in {task.trial.trial_id: task.trial for task, _ in keyed}.values():
            self._changed[trial.trial_id] = trial
            self._end_if_finished(trial)

    def _absorb(self, task, outcome):
        """Keep a per-fold task's model and step outcomes until its trial reaches them."""
        key = (task.trial.trial_id, task.fold)
        progress = self._folds.setdefault(key, FoldProgress(position=task.first - 1))
        steps = outcome["steps"]
        scored = [k for k in self.scored_intervals if task.first <= k <= task.last]
        for step, interval in zip(steps, scored):
            step.setdefault("interval", interval)  # a lost task's outcome carries none
        progress.ahead.extend(steps)
        progress.model = outcome["model"]
        progress.position = task.last
        progress.failed = outcome["failed"]
        if outcome["exception"] is not None:
            # It happened in the segment after the last scored step that finished
            # (steps may also hold the points in between, read without retraining).
            done = sum(step["interval"] in scored for step in steps)
            progress.exception = (scored[min(done, len(scored) - 1)], outcome["exception"])
        seconds = sum(s["fit_time"] + s["score_time"] for s in steps)
        self._last_task_seconds[task.trial.trial_id] = seconds
        if steps and not outcome["failed"]:
            self._seconds_per_step[task.trial.trial_id] = seconds / (steps[-1]["interval"] - task.first + 1)

    def _release_steps(self):
        """Record, for every running trial, the fold results up to the stop of this wave."""
        running = sorted(self._stops.items())
        # A search-stopping error the trials have reached raises before anything is recorded.
        for trial_id, stop in running:
            for fold in range(self.evaluation.n_splits):
                progress = self._folds.get((trial_id, fold))
                if progress is not None and progress.exception is not None and progress.exception[0] <= stop:
                    raise progress.exception[1]
        for trial_id, stop in running:
            trial = self.trials[trial_id]
            for fold in range(self.evaluation.n_splits):
                progress = self._folds.get((trial_id, fold))
                if progress is None:
                    continue
                while progress.ahead and progress.ahead[0]["interval"] <= stop:
                    step = progress.ahead.popleft()
                    self._record(trial, fold, step["interval"], step)
                if progress.failed and not progress.ahead:  # the failed fit was just recorded
                    trial.status = FAILED
            self._changed[trial_id] = trial
            self._end_if_finished(trial)

    def _run_isolating_crashes(self, parallel, tasks, calls):
        """Run ``calls``; when a worker dies, find the task that killed it by halving.

        Workers never raise, so an executor breaking means a process died
        (``os._exit``, a segfault, the OOM killer, a lost dask worker). joblib
        then loses the whole call and rebuilds its pool on the next one, so
        the halves are run again until the killing task is alone. Its trial
        fails, and its other tasks are not run again. Tasks are
        deterministic, so re-running the others changes no result. A refit
        that kills its worker only loses the refit (its outcome is None):
        the search refits as usual.
        """
        outcomes = [None] * len(tasks)
        dead = {}  # trial ids, and ("refit", trial id), of the tasks that killed a worker
        groups = [list(range(len(tasks)))] if tasks else []
        while groups:
            group = [i for i in groups.pop() if tasks[i].trial.trial_id not in dead and _key(tasks[i]) not in dead]
            if not group:
                continue
            try:
                with _results_of(parallel, [calls[i] for i in group]) as results:
                    for i, outcome in zip(group, results):
                        outcomes[i] = outcome
                        self._watch_for_uniform_failure(tasks[i], outcome)
            except Exception as exc:
                if not _is_worker_death(exc) or self.evaluation.error_score == "raise":
                    raise
                if len(group) == 1:
                    reason = f"The worker process running this fit died: {type(exc).__name__}: {exc}"
                    dead[_key(tasks[group[0]])] = reason
                else:
                    middle = len(group) // 2
                    groups += [group[middle:], group[:middle]]  # the first half runs first
        for i, task in enumerate(tasks):
            if outcomes[i] is None and not isinstance(task, RefitTask):
                outcomes[i] = self._lost_outcome(dead[task.trial.trial_id])
        return outcomes

    def _watch_for_uniform_failure(self, task, outcome):
        """Raise scikit-learn's "all fits failed" error once the first fits show every fit fails alike."""
        if isinstance(task, RefitTask):
            return
        first = task.first if self.evaluation.resource.per_fold else task.fold + 1
        self._failure_watch.see(task.trial, task.fold, first, outcome)

    def _lost_outcome(self, reason):
        evaluation = self.evaluation
        return lost_task_outcome(
            evaluation.resource.per_fold, evaluation.metric_names, evaluation.error_score,
            evaluation.return_train_score, reason,
        )

    def _rebuild_models(self, parallel):
        """Re-run the finished steps of restored running trials to get their fold models back.

        The same scored intervals split the same resource calls, so the
        models are the ones the interrupted search had.
        """
        if not self.evaluation.resource.per_fold:
            return
        tasks = []
        for trial in self.trials:
            reached = trial.n_intervals_reached(True, self.evaluation.n_splits)
            if not trial.ended and reached:
                tasks.extend(FoldTask(trial, fold, 1, reached) for fold in range(self.evaluation.n_splits))
                # Results beyond what every fold reached are re-run in the next wave.
                trial.results = [r for r in trial.results if r.interval <= reached]
        if not tasks:
            return
        outcomes = self._run_isolating_crashes(parallel, tasks, self._calls(tasks, len(self.trials)))
        for task, outcome in zip(tasks, outcomes):
            if outcome["exception"] is not None:
                raise outcome["exception"]
            if outcome["model"] is not None:
                self._folds[(task.trial.trial_id, task.fold)] = FoldProgress(outcome["model"], task.last)

    def _record(self, trial, fold, interval, outcome):
        result = FoldResult(
            fold=fold,
            interval=interval,
            test_scores=_as_metric_dict(outcome["test_scores"]),
            train_scores=_as_metric_dict(outcome["train_scores"]),
            fit_time=outcome["fit_time"],
            score_time=outcome["score_time"],
            error=outcome["error"],
        )
        trial.results.append(result)
        self._new_results.append((trial.trial_id, result))
        if outcome["error"] is None and self.multimetric is None:
            self.multimetric = isinstance(outcome["test_scores"], dict)
        if not self.evaluation.resource.per_fold:
            self._last_task_seconds[trial.trial_id] = outcome["fit_time"] + outcome["score_time"]

    def _end_if_finished(self, trial):
        if trial.status == FAILED:  # a per-fold resource's fit failed
            trial.end_time = time.time()
            self._drop_models(trial)
            return
        final = self.evaluation.n_intervals
        if trial.n_intervals_reached(self.evaluation.resource.per_fold, self.evaluation.n_splits) < final:
            return
        all_failed = all(result.error is not None for result in trial.results)
        trial.status = FAILED if all_failed else COMPLETED
        trial.end_time = time.time()
        self._drop_models(trial)

    def _drop_models(self, trial):
        """Forget a trial's fold models and any work it ran ahead."""
        for fold in range(self.evaluation.n_splits):
            self._folds.pop((trial.trial_id, fold), None)

    # ------------------------------------------------------------ policy

    def _apply_policy(self):
        if self.policy is None:
            return
        metric = self._metric()
        final = self.evaluation.n_intervals
        # Warm-start trials come first, so they lead ties as earlier trials do.
        curves = [
            Curve(
                position,
                self._curve(trial, metric),
                running=not trial.ended,
                completed=trial.status == COMPLETED,
                final_interval=final,
            )
            for position, trial in enumerate(self.prior_trials + self.trials)
        ]
        everyone = self.prior_trials + self.trials
        reached = sorted({len(c.scores) for c in curves if c.running})
        now = time.time()
        for k in reached:
            if not self._acts_at(k):
                continue
            stopped = self.policy.terminated_at(curves, k)
            self._recent_decisions.extend(
                c.trial_id in stopped for c in curves if c.running and len(c.scores) == k < final
            )
            for position in stopped:
                trial = everyone[position]
                trial.status = TERMINATED
                trial.end_time = now
                curves[position].running = False
                self._changed[trial.trial_id] = trial
                self._terminated.append((trial.trial_id, k, self.policy.explain(curves[position], curves, k)))
                self._drop_models(trial)

    def _curve(self, trial, metric):
        """``trial.interval_scores``, computed again only once the trial has new results.

        The policy and the sampling read every trial's curve after every
        wave; recomputing them all made the parent's work grow with the
        square of the trials.
        """
        version = (len(trial.results), metric)
        cached = self._curves.get(id(trial))
        if cached is None or cached[0] != version:
            per_fold = self.evaluation.resource.per_fold
            cached = (version, trial.interval_scores(metric, per_fold, self.evaluation.n_splits))
            self._curves[id(trial)] = cached
        return cached[1]

    def _metric(self):
        if self.primary_metric is not None:
            return self.primary_metric
        for trial in self.trials:
            for result in trial.results:
                if result.error is None:
                    return next(iter(result.test_scores))
        return "score"

    def _out_of_time(self, start):
        limit = self.budget.max_duration
        return limit is not None and time.monotonic() - start >= limit


@contextmanager
def _results_of(parallel, calls):
    """``parallel(calls)``, closed on the way out: a generator left early cancels its remaining tasks.

    With ``return_as="generator"`` outcomes arrive in task order as they
    finish, so the search can stop before a wave ends.
    """
    results = parallel(calls)
    try:
        yield results
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                # joblib counts the cancelled tasks; stopping them is the point.
                warnings.filterwarnings("ignore", message=r".*tasks which were still being processed")
                close()


def _key(task):
    """What a task that kills its worker takes down: its trial, or only itself for a refit."""
    return ("refit", task.trial.trial_id) if isinstance(task, RefitTask) else task.trial.trial_id


def _is_worker_death(exc):
    """Whether ``exc`` says a worker process died, rather than that the code is wrong."""
    # dask's errors are matched by name: distributed is an optional extra. A
    # closed worker takes its tasks (KilledWorker after retries) and the data
    # scattered to it (FutureCancelledError: "lost dependencies") along.
    return isinstance(exc, BrokenExecutor) or type(exc).__name__ in _DASK_WORKER_LOSS


_DASK_WORKER_LOSS = ("KilledWorker", "FutureCancelledError")


def _as_metric_dict(scores):
    """Scores as ``{metric: value}``; a single number is the metric ``"score"``."""
    if scores is None or isinstance(scores, dict):
        return scores
    return {"score": scores}


#: The stop rate that decides how far tasks run ahead is read over the latest
#: this many policy decisions on a running trial.
RUN_AHEAD_WINDOW = 48
#: At or below this stop rate, tasks run to their trial's end;
RUN_AHEAD_RARE_STOPS = 0.03
#: boosting tasks whose calls merge (``Evaluation.merges_calls``) sooner,
#: since each call of theirs predicts every earlier tree again (measured: ten
#: warm-start calls to 200 iterations cost 1.85 times one fit).
RUN_AHEAD_RARE_STOPS_STAGED = 0.15
#: What one wave costs beyond its tasks, in seconds of wall time: measured
#: 12 ms for a wave of 12 trivial tasks on two loky workers, plus the tasks'
#: own slicing and the models' round trip.
WAVE_SECONDS = 0.015
#: What one per-fold task costs beyond its steps: slicing its test and
#: training rows (0.4 to 0.5 ms each on 14,000 to 29,000 rows of 7 features)
#: and the model's round trip and copy.
TASK_SECONDS = 0.002
