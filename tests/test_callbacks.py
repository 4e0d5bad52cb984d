"""Callbacks end the search at the right wave; the progress bar and verbose lines report it."""

import builtins
import math
import sys

import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold

from hdsearch import (
    EarlyStopOnPlateau,
    HyperDriveSearchCV,
    StopSearch,
    StopWhenScoreReaches,
    choice,
)
from hdsearch.callbacks import WaveSnapshot
from hdsearch.policy import BanditPolicy
from hdsearch.resource import PartialFit
from hdsearch.trials import Observation

from helpers import FixedQuality as Fixed

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
CV = KFold(2)


QUALITIES = [0.5, 0.7, 0.95, 0.6, 0.99, 0.4]


def grid_search(**kwargs):
    # One trial per wave, so "the right wave" is "the right trial".
    return HyperDriveSearchCV(
        Fixed(), {"quality": choice(*QUALITIES)}, sampling="grid", max_concurrent_runs=1, cv=CV, **kwargs
    )


def observation(trial_id, score, status="completed"):
    return Observation(trial_id, {}, status, score, 1, 1)


def test_stop_when_score_reaches_ends_after_the_wave_that_reached_it():
    search = grid_search(callbacks=[StopWhenScoreReaches(0.9)]).fit(X, y)
    assert [t["quality"] for t in search.cv_results_["params"]] == [0.5, 0.7, 0.95]
    assert search.best_params_ == {"quality": 0.95}
    assert hasattr(search, "best_estimator_")


def test_early_stop_on_plateau_counts_completed_trials_without_gain():
    search = grid_search(callbacks=[EarlyStopOnPlateau(patience=1, min_delta=0.0)]).fit(X, y)
    # 0.5, 0.7 and 0.95 improve; 0.6 does not: one trial without gain ends it.
    assert [t["quality"] for t in search.cv_results_["params"]] == [0.5, 0.7, 0.95, 0.6]


def test_plateau_min_delta_needs_a_large_enough_gain():
    callback = EarlyStopOnPlateau(patience=2, min_delta=0.1)
    snapshot = WaveSnapshot(3, (observation(0, 0.5), observation(1, 0.55), observation(2, 0.58)))
    assert callback(snapshot)
    snapshot = WaveSnapshot(3, (observation(0, 0.5), observation(1, 0.55), observation(2, 0.65)))
    assert not callback(snapshot)


def test_a_callback_raising_stop_search_ends_the_search_cleanly():
    def stop_at_second_wave(snapshot):
        if snapshot.wave == 2:
            raise StopSearch

    search = grid_search(callbacks=[stop_at_second_wave]).fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    assert set(search.cv_results_["status"]) == {"completed"}


def test_a_callback_sees_a_read_only_snapshot_of_every_wave():
    seen = []
    grid_search(callbacks=[lambda snapshot: seen.append((snapshot.wave, len(snapshot.trials)))]).fit(X, y)
    assert seen == [(k, k) for k in range(1, len(QUALITIES) + 1)]
    snapshot = WaveSnapshot(1, (observation(0, 0.5),))
    with pytest.raises(AttributeError):
        snapshot.wave = 2


def test_stopping_mid_trial_marks_running_trials_terminated():
    search = HyperDriveSearchCV(
        Fixed(), {"quality": choice(0.5, 0.6)}, sampling="grid", resource=PartialFit(4),
        policy=BanditPolicy(slack_factor=0.5), cv=CV, random_state=0,
        callbacks=[lambda snapshot: snapshot.wave == 2],
    ).fit(X, y)
    assert list(search.cv_results_["status"]) == ["terminated", "terminated"]
    assert list(search.cv_results_["n_intervals"]) == [2, 2]


def test_snapshot_best_skips_nan_and_unfinished_trials():
    snapshot = WaveSnapshot(
        1, (observation(0, math.nan), observation(1, 0.3), observation(2, 0.9, "running"), observation(3, 0.3))
    )
    assert snapshot.best.trial_id == 1


@pytest.mark.parametrize(
    "callbacks, message",
    [
        ([1], "callbacks must hold callables"),
        ([EarlyStopOnPlateau(patience=0)], "patience must be an int >= 1"),
        ([StopWhenScoreReaches(float("nan"))], "threshold must be a finite number"),
        ("not a list", "callbacks"),
    ],
)
def test_bad_callbacks_are_rejected_before_any_fit(callbacks, message):
    with pytest.raises(ValueError, match=message):
        grid_search(callbacks=callbacks).fit(X, y)


def test_verbose_prints_why_each_trial_was_terminated(capsys):
    HyperDriveSearchCV(
        Fixed(), {"quality": choice(0.9, 0.3)}, sampling="grid", resource=PartialFit(3),
        policy=BanditPolicy(slack_factor=0.1), cv=CV, random_state=0, verbose=1,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "[trial 1] terminated: bandit: 0.310 < 0.910/1.1 at interval 1" in out


def test_progress_bar_reports_statuses_and_best(capsys):
    pytest.importorskip("tqdm")
    grid_search(progress_bar=True).fit(X, y)
    err = capsys.readouterr().err
    assert "6/6" in err
    assert "6 completed, 0 terminated, 0 failed, best 0.9900" in err


def test_progress_without_tqdm_prints_plain_lines(capsys, monkeypatch):
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    grid_search(progress_bar=True).fit(X, y)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == "[hdsearch] wave 6: 6/6 trials ended (6 completed, 0 terminated, 0 failed, best 0.9900)"


def test_plain_progress_prints_at_most_a_line_a_second_and_always_the_last(monkeypatch):
    from io import StringIO

    from hdsearch._progress import ProgressReporter
    from hdsearch.engine import WaveReport
    from hdsearch.trials import Trial

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    seconds = iter([0.0, 0.3, 0.9, 1.2, 1.5, 2.0, 2.5])  # one reading per wave, then one at close
    stream = StringIO()
    progress = ProgressReporter(6, lambda trials: [], stream=stream, clock=lambda: next(seconds))
    trials = []
    for wave in range(1, 7):
        trials.append(Trial(wave - 1, {}, status="completed"))
        progress(WaveReport(wave, list(trials), [], [], []))
    progress.close()
    waves = [int(line.split()[2].rstrip(":")) for line in stream.getvalue().splitlines()]
    assert waves == [1, 4, 6]  # at 0.0 s, at 1.2 s (>= 1 s later), and the last one, held back, at close


def test_verbose_prints_the_plan_once_and_one_line_per_wave(capsys):
    HyperDriveSearchCV(
        Fixed(), {"quality": choice(0.9, 0.3, 0.8, 0.2)}, sampling="grid", resource=PartialFit(3),
        policy=BanditPolicy(slack_factor=0.1), max_concurrent_runs=2, cv=CV, random_state=0, verbose=1,
    ).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Fitting up to 4 trials x 2 folds (2 at a time) with GridSampling()")
    assert "BanditPolicy(slack_factor=0.1" in lines[0] and "resource PartialFit(max_epochs=3" in lines[0]
    assert not any(line.startswith("Fitting") for line in lines[1:])
    waves = [line for line in lines if line.startswith("[wave ")]
    assert waves[0] == "[wave 1] started trials 0-1; ended 1 terminated; 1 running, 2 started so far"
    assert "[trial 1] terminated: bandit" in lines[2]
    assert waves[-1].endswith("; 0 running, 4 started so far")
    assert [line.split("]")[0] for line in waves] == [f"[wave {k}" for k in range(1, len(waves) + 1)]
