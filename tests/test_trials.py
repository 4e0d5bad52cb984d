"""The trial table's rules: one learning curve, one "last result per fold", one schedule."""

import math

import pytest

from hdsearch.trials import (
    FoldResult,
    Schedule,
    Trial,
    complete_learning_curve,
    interval_means,
    last_result_per_fold,
)

PER_FOLD = Schedule(per_fold=True, n_splits=2, n_intervals=4)
FOLDS = Schedule(per_fold=False, n_splits=3, n_intervals=3)


def trial_with(*results):
    """A trial holding ``(fold, interval, score)`` results, in that arrival order."""
    return Trial(0, {}, results=[FoldResult(f, k, {"score": s}, None, 0.0, 0.0) for f, k, s in results])


def test_a_per_fold_curve_means_the_folds_and_holds_none_at_an_unscored_interval():
    # Interval 2 was run but not scored; fold 1 ran ahead to interval 4.
    trial = trial_with((0, 1, 0.5), (1, 1, 0.7), (0, 3, 0.8), (1, 3, 0.6), (1, 4, 0.9))
    assert trial.intervals_reached(PER_FOLD) == 3
    assert trial.learning_curve("score", PER_FOLD) == pytest.approx([0.6, None, 0.7])
    assert trial.learning_curve("score", PER_FOLD)[1] is None


def test_the_complete_curve_keeps_only_intervals_every_fold_scored():
    trial = trial_with((0, 1, 0.5), (1, 1, 0.7), (0, 3, 0.8), (1, 3, 0.6), (1, 4, 0.9))
    assert complete_learning_curve(trial, "score", PER_FOLD) == pytest.approx({1: 0.6, 3: 0.7})
    assert interval_means(trial.results, "score", True, 2)[4] == (0.9, False)


def test_a_folds_curve_means_the_first_folds_and_its_complete_curve_stops_at_a_gap():
    trial = trial_with((2, 3, 0.9), (0, 1, 0.6))  # fold 1 missing
    assert trial.intervals_reached(FOLDS) == 2
    assert trial.learning_curve("score", FOLDS) == pytest.approx([0.6, 0.75])
    assert complete_learning_curve(trial, "score", FOLDS) == pytest.approx({1: 0.6})


def test_a_metric_a_result_did_not_record_counts_as_nan():
    trial = Trial(0, {}, results=[FoldResult(0, 1, {"other": 1.0}, None, 0.0, 0.0)])
    assert math.isnan(trial.learning_curve("score", Schedule(True, 1, 1))[0])


def test_the_pair_forms_equal_the_schedule_forms():
    trial = trial_with((0, 1, 0.5), (1, 1, 0.7), (0, 2, 0.8))
    assert trial.n_intervals_reached(True, 2) == trial.intervals_reached(PER_FOLD) == 1
    assert trial.interval_scores("score", True, 2) == trial.learning_curve("score", PER_FOLD)


def test_last_result_per_fold_takes_each_folds_latest_interval_in_fold_order():
    trial = trial_with((1, 1, 0.1), (0, 2, 0.2), (0, 1, 0.3), (1, 3, 0.4))
    assert [(r.fold, r.interval) for r in trial.last_result_per_fold()] == [(0, 2), (1, 3)]
    assert trial.final_results() == trial.last_result_per_fold()


def test_of_two_results_of_one_fold_and_interval_the_later_is_the_last():
    first, later = FoldResult(0, 2, {"score": 0.1}, None, 0.0, 0.0), FoldResult(0, 2, {"score": 0.2}, None, 0.0, 0.0)
    assert last_result_per_fold([first, later]) == [later]
