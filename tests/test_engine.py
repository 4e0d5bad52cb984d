"""The engine's parts on their own: typed worker calls and outcomes, the plan, the hooks."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold
from sklearn.utils.parallel import Parallel

from hdsearch.callbacks import CallbackList, SearchCallback
from hdsearch.engine import Budget, Evaluation, FoldOutcome, NoHooks, StepScore, WaveEngine
from hdsearch.engine.plan import PerFoldPlan, WholeFoldPlan, make_plan
from hdsearch.engine.records import FoldCall, FoldTask, StepCall
from hdsearch.engine.stops import Stops
from hdsearch.engine.worker import PackedModel, advance_fold, fit_and_score_fold
from hdsearch.policy import HalvingPolicy
from hdsearch.resource import Folds, PartialFit
from hdsearch.sampling import make_sampling
from hdsearch.space import Space, choice
from hdsearch.trials import Schedule, Trial

X, y = make_classification(n_samples=120, n_features=5, random_state=0)
SPLITS = list(KFold(3).split(X, y))


def evaluation(estimator, resource, **kwargs):
    return Evaluation(estimator, X, y, SPLITS, check_scoring(estimator), ["score"], resource=resource,
                      classes=np.unique(y), **kwargs)


def test_a_whole_fold_worker_takes_one_call_and_returns_one_typed_step():
    ev = evaluation(LogisticRegression(), Folds())
    train, test = SPLITS[0]
    outcome = fit_and_score_fold(X, y, ev.setup, FoldCall({"C": 0.5}, train, test))
    assert isinstance(outcome, FoldOutcome) and outcome.exception is None
    (step,) = outcome.steps
    assert isinstance(step, StepScore) and step.error is None and step.interval is None
    assert step.test_scores == LogisticRegression(C=0.5).fit(X[train], y[train]).score(X[test], y[test])


def test_a_failed_fit_is_a_step_with_error_score_and_its_traceback():
    ev = evaluation(LogisticRegression(), Folds(), error_score=-1.0)
    train, test = SPLITS[0]
    (step,) = fit_and_score_fold(X, y, ev.setup, FoldCall({"C": -1.0}, train, test)).steps
    assert step.test_scores == {"score": -1.0} and "C" in step.error


def test_a_per_fold_worker_scores_each_scored_step_and_hands_back_its_model():
    ev = evaluation(SGDClassifier(random_state=0), PartialFit(4))
    train, test = SPLITS[1]
    call = StepCall({"alpha": 1e-3}, train, test, None, 1, 4, (2, 4), seed=(0, 0, 1), keep_model=True)
    outcome = advance_fold(X, y, ev.setup, call)
    assert [step.interval for step in outcome.steps] == [2, 4]
    assert not outcome.failed and outcome.exception is None
    assert isinstance(outcome.model, PackedModel)
    # Going on from the model after step 2 gives the same step 4.
    first = advance_fold(X, y, ev.setup, StepCall({"alpha": 1e-3}, train, test, None, 1, 2, (2, 4), (0, 0, 1), True))
    rest = advance_fold(X, y, ev.setup, StepCall({"alpha": 1e-3}, train, test, first.model, 3, 4, (2, 4), (0, 0, 1), False))
    assert rest.steps[-1].test_scores == outcome.steps[-1].test_scores and rest.model is None


def test_the_schedule_chooses_the_plan_once():
    for resource, plan_type, per_fold in [(Folds(), WholeFoldPlan, False), (PartialFit(4), PerFoldPlan, True)]:
        ev = evaluation(SGDClassifier(), resource)
        assert ev.schedule == Schedule(per_fold, 3, ev.n_intervals)
        assert type(make_plan(ev, Stops(None, ev, "decisions"), None)) is plan_type


def test_a_whole_fold_plan_runs_each_fold_as_its_interval():
    ev = evaluation(LogisticRegression(), Folds())
    trial = Trial(0, {})
    tasks = make_plan(ev, Stops(None, ev, "decisions"), None).next_tasks([trial], {0: 3}, 1)
    assert [(task.fold, task.first, task.last) for task in tasks] == [(0, 1, 1), (1, 2, 2), (2, 3, 3)]


class Moments(NoHooks):
    def __init__(self, stop_after):
        self.seen, self.stop_after = [], stop_after

    def trials_started(self, engine, new_trials, sampler_exhausted):
        self.seen.append(("started", [t.trial_id for t in new_trials]))

    def wave_ended(self, report):
        self.seen.append(("ended", report.wave))
        return report.wave >= self.stop_after

    def wave_recorded(self, report):
        self.seen.append(("recorded", report.wave, sorted({t.status for t in report.changed})))


def engine(hooks, max_concurrent_runs):
    ev = evaluation(SGDClassifier(random_state=0), PartialFit(4))
    sampler = make_sampling("grid").bind(Space({"alpha": choice([1e-4, 1e-3, 1e-2, 1e-1])}), 4, 0)
    return WaveEngine(ev, sampler, Budget(4, max_concurrent_runs), HalvingPolicy(factor=2), "score", hooks=hooks)


def test_the_hooks_see_each_moment_in_order_and_can_stop_the_search():
    hooks = Moments(stop_after=1)
    search = engine(hooks, max_concurrent_runs=2)
    with Parallel(n_jobs=1, return_as="generator") as parallel:
        trials = search.run(parallel)
    assert search.stop_reason == "callback" and len(trials) == 2
    assert [moment[0] for moment in hooks.seen] == ["started", "ended", "recorded"]
    # The trials the stop ended reach the recorder marked terminated.
    assert "running" not in hooks.seen[-1][2]


class TerminatedSeen(SearchCallback):
    """Collects every wave's terminations."""

    def __init__(self):
        self.terminated = []

    def on_wave_end(self, report):
        self.terminated.extend(report.terminated)


def test_no_hooks_and_a_callback_list_run_the_same_search():
    results = []
    for listens in (False, True):
        search = engine(None, max_concurrent_runs=None)
        if listens:
            search.hooks = CallbackList([SearchCallback()], search)
        with Parallel(n_jobs=1, return_as="generator") as parallel:
            trials = search.run(parallel)
        results.append([(t.trial_id, t.status, [(r.fold, r.interval, r.test_scores) for r in t.results]) for t in trials])
    assert results[0] == results[1]
    assert {status for _, status, _ in results[0]} == {"completed", "terminated"}


def test_a_fold_task_record_defaults_to_the_first_interval():
    assert FoldTask(Trial(0, {}), 2) == FoldTask(Trial(0, {}), 2, 1, 1)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_terminated_trials_are_named_by_their_trial_ids(n_jobs):
    seen = TerminatedSeen()
    search = engine(None, max_concurrent_runs=None)
    search.hooks = CallbackList([seen], search)
    terminated = seen.terminated
    with Parallel(n_jobs=n_jobs, return_as="generator") as parallel:
        trials = search.run(parallel)
    assert terminated and all(trials[trial_id].status == "terminated" for trial_id, _, _ in terminated)
