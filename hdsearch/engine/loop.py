"""The wave loop: fill slots, build tasks, run them, apply the policy, enforce budgets.

joblib has no public submit/futures API, and an input iterable that depends on
results deadlocks its dispatcher, so the engine runs in *waves*: each wave is
one call of a reused ``joblib.Parallel`` on a fully built task list. Results
are keyed by (trial, fold), never by completion order, and the policy is
applied in trial order after each wave, so a search is deterministic whatever
``n_jobs``, the backend or the timing.

Each wave takes every running trial to its next *stop*: the next interval at
which the policy acts, or the trial's last interval
(:class:`~hdsearch.engine.stops.Stops`). With no policy that is the last
interval, so a plain search runs in one wave, as ``GridSearchCV``. What each
fold runs to get there, and the results it holds until its trial gets there,
is the plan's business (:mod:`hdsearch.engine.plan`): the trial table, the
policy and the sampling see exactly what they would see interval by interval.

When the best trial is known before its last folds end (no trial completed,
none left to start, one running to its end), its refit joins that wave
(:meth:`WaveEngine._sure_best`).
"""

import time
from dataclasses import dataclass

from joblib import effective_n_jobs

from ..policy import Curve
from ..trials import COMPLETED, FAILED, TERMINATED, FoldResult, Observation, Trial
from .crashes import run_isolating_crashes
from .fail_fast import UniformFailureWatch
from .hooks import NoHooks
from .plan import make_plan
from .records import RefitTask
from .stops import Stops


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
    """What one wave changed, handed to the hooks.

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
    hooks : object, default=NoHooks()
        Has ``trials_started(engine, new_trials, sampler_exhausted)``,
        ``wave_ended(report) -> bool`` (True stops the search, reason
        ``"callback"``) and ``wave_recorded(report)`` (last, with the trials
        a stop ended included); see :class:`~hdsearch.engine.hooks.NoHooks`.
    prior_trials : list of Trial, default=()
        Ended trials of other experiments (warm start): the policy compares
        against them and the sampling sees them, but they are not run.
    curves : {"decisions", "all"}, default="decisions"
        Which intervals a per-fold resource scores: the ones the policy reads
        (``policy.intervals_read``) and the last one, or every interval.
    run_ahead : int or None, default=None
        How many stops past its trial's next stop a per-fold task runs: None
        weighs the waves and calls saved against the work a termination
        would throw away (:class:`~hdsearch.engine.runahead.RunAhead`). It
        changes no result, only the number of waves and calls.
    refit_early : bool, default=False
        Refit a trial sure to be the best in the wave that ends it, beside
        its last folds, where a worker would otherwise wait for the wave to
        end (with two workers or more). The search sets it when it refits
        its best trial by rank.

    Attributes
    ----------
    stop_reason : str or None
        Why the search ended early: ``"max_duration"``, ``"callback"``, or
        None when it ran out of trials.
    early_refit : tuple of (int, RefitOutcome) or None
        ``(trial_id, outcome)`` of the refit run in a wave; None when none ran.
    """

    def __init__(self, evaluation, sampler, budget, policy=None, primary_metric=None, hooks=None,
                 prior_trials=(), curves="decisions", run_ahead=None, refit_early=False):
        self.evaluation = evaluation
        self.sampler = sampler
        self.budget = budget
        self.policy = policy
        self.primary_metric = primary_metric
        self.hooks = NoHooks() if hooks is None else hooks
        self.prior_trials = list(prior_trials)
        self.refit_early = refit_early
        self.trials = []
        self.stop_reason = None
        self.early_refit = None
        # Whether the scorer returns a dict, learnt from the first successful
        # fold in (trial, fold) order, as scikit-learn learns it.
        self.multimetric = None
        self.stops = Stops(policy, evaluation, curves)
        self.plan = make_plan(evaluation, self.stops, run_ahead)
        self._sampler_exhausted = False
        self._n_workers = 1
        # Learning curves by trial object, with the number of results they were read from.
        self._curves = {}
        # The stop each running trial runs to in the current wave.
        self._stops = {}
        self._wave = 0
        self._failure_watch = UniformFailureWatch(evaluation.schedule, active=evaluation.error_score != "raise")
        self._changed = {}
        self._new_results = []
        self._terminated = []

    @property
    def scored_intervals(self):
        """The intervals at which every fold of a per-fold resource is scored (:attr:`Stops.scored_intervals`)."""
        return self.stops.scored_intervals

    def first_decision(self, limit=10_000):
        """The first interval in 1..``limit`` at which the policy may stop a trial, or None.

        A policy never acts at a trial's last interval, so a first decision at
        or past :attr:`Evaluation.n_intervals` never happens.
        """
        return self.stops.first_decision(limit)

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
        as they were after the last complete wave, which the hooks saw.

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
        self.plan.use_workers(self._n_workers)
        self._rebuild_models(parallel)
        while True:
            new_trials = self._start_trials()
            self.hooks.trials_started(self, new_trials, self._sampler_exhausted)
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
            self.hooks.wave_recorded(self._report())
            self._changed, self._new_results, self._terminated = {}, [], []
            if self.stop_reason is not None:
                break
        self.plan.clear()
        return self.trials

    # ------------------------------------------------------------ trials

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

    def _end_running_trials(self):
        """Mark trials stopped between their intervals as terminated."""
        now = time.time()
        for trial in self.trials:
            if not trial.ended:
                self._end(trial, TERMINATED, now)

    def _end(self, trial, status, now):
        trial.status = status
        trial.end_time = now
        self._changed[trial.trial_id] = trial
        self.plan.drop(trial)

    def _end_if_finished(self, trial):
        if trial.status == FAILED:  # a per-fold resource's fit failed
            self._end(trial, FAILED, time.time())
            return
        schedule = self.evaluation.schedule
        if trial.intervals_reached(schedule) < schedule.n_intervals:
            return
        all_failed = all(result.error is not None for result in trial.results)
        self._end(trial, FAILED if all_failed else COMPLETED, time.time())

    def _report(self):
        return WaveReport(
            self._wave,
            self.trials,
            [self._changed[i] for i in sorted(self._changed)],
            self._new_results,
            self._terminated,
        )

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

    # ------------------------------------------------------------- waves

    def _next_tasks(self):
        """The tasks of every running trial up to its next stop, longest first."""
        schedule = self.evaluation.schedule
        running = [trial for trial in self.trials if not trial.ended]
        self._stops = {
            trial.trial_id: self.stops.after(trial.intervals_reached(schedule))
            for trial in running
        }
        return self.plan.next_tasks(self.trials, self._stops, len(running))

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
        """Run the wave's tasks (and an early refit), then record every result up to each trial's stop."""
        calls = [self.plan.call(task, len(self.trials)) for task in tasks]
        if refit_trial is not None:
            # First: it is the longest task (all the rows, the whole schedule).
            tasks = [RefitTask(refit_trial)] + tasks
            calls = [self.evaluation.delayed_refit(refit_trial, self.scored_intervals)] + calls
        outcomes = self._run_isolating_crashes(parallel, tasks, calls)
        if refit_trial is not None:
            if outcomes[0] is not None:
                self.early_refit = (refit_trial.trial_id, outcomes[0])
            tasks, outcomes = tasks[1:], outcomes[1:]
        for task, outcome in sorted(zip(tasks, outcomes), key=lambda pair: (pair[0].trial.trial_id, pair[0].fold)):
            self.plan.absorb(task, outcome)
        self.plan.raise_reached_errors(self._stops)
        for trial_id, stop in sorted(self._stops.items()):
            trial = self.trials[trial_id]
            results, failed = self.plan.release(trial, stop)
            for fold, interval, step in results:
                self._record(trial, fold, interval, step)
            if failed:
                trial.status = FAILED
            self._changed[trial_id] = trial
            self._end_if_finished(trial)

    def _run_isolating_crashes(self, parallel, tasks, calls):
        """Run ``calls``, watching the first fits; see :func:`~hdsearch.engine.crashes.run_isolating_crashes`."""
        return run_isolating_crashes(parallel, tasks, calls, self.evaluation.setup, self._watch_for_uniform_failure)

    def _watch_for_uniform_failure(self, task, outcome):
        """Raise scikit-learn's "all fits failed" error once the first fits show every fit fails alike."""
        if not isinstance(task, RefitTask):
            self._failure_watch.see(task.trial, task.fold, task.first, outcome)

    def _rebuild_models(self, parallel):
        """Re-run the finished steps of restored running trials to get their fold models back."""
        tasks = self.plan.rebuild_tasks(self.trials)
        if tasks:
            calls = [self.plan.call(task, len(self.trials)) for task in tasks]
            self.plan.restore_models(tasks, self._run_isolating_crashes(parallel, tasks, calls))

    def _record(self, trial, fold, interval, step):
        result = FoldResult(
            fold=fold,
            interval=interval,
            test_scores=_as_metric_dict(step.test_scores),
            train_scores=_as_metric_dict(step.train_scores),
            fit_time=step.fit_time,
            score_time=step.score_time,
            error=step.error,
        )
        trial.results.append(result)
        self._new_results.append((trial.trial_id, result))
        if step.error is None and self.multimetric is None:
            self.multimetric = isinstance(step.test_scores, dict)

    # ------------------------------------------------------------ policy

    def _apply_policy(self):
        if self.policy is None:
            return
        metric = self._metric()
        final = self.evaluation.n_intervals
        everyone = self.prior_trials + self.trials
        # Warm-start trials come first, so they lead ties as earlier trials do.
        curves = [
            Curve(
                trial.trial_id,
                self._curve(trial, metric),
                running=not trial.ended,
                completed=trial.status == COMPLETED,
                final_interval=final,
                order=position,
            )
            for position, trial in enumerate(everyone)
        ]
        # Only this search's trials run, so a running curve's trial id is its place in self.trials.
        running = {c.trial_id: c for c in curves if c.running}
        reached = sorted({len(c.scores) for c in running.values()})
        now = time.time()
        for k in reached:
            if not self.stops.acts_at(k):
                continue
            stopped = self.policy.terminated_at(curves, k)
            self.plan.note_decisions(
                c.trial_id in stopped for c in curves if c.running and len(c.scores) == k < final
            )
            for trial_id in stopped:
                curve = running[trial_id]
                self._end(self.trials[trial_id], TERMINATED, now)
                curve.running = False
                self._terminated.append((trial_id, k, self.policy.explain(curve, curves, k)))

    def _curve(self, trial, metric):
        """``trial.learning_curve``, computed again only once the trial has new results.

        The policy and the sampling read every trial's curve after every
        wave; recomputing them all made the parent's work grow with the
        square of the trials.
        """
        version = (len(trial.results), metric)
        cached = self._curves.get(id(trial))
        if cached is None or cached[0] != version:
            schedule = self.evaluation.schedule
            cached = (version, trial.learning_curve(metric, schedule))
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


def _as_metric_dict(scores):
    """Scores as ``{metric: value}``; a single number is the metric ``"score"``."""
    if scores is None or isinstance(scores, dict):
        return scores
    return {"score": scores}
