"""Each policy on hand-made learning curves, with hand-computed thresholds."""

import pytest

from hdsearch.policy import (
    BanditPolicy,
    Curve,
    HalvingPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    make_policy,
)


def curves(*score_lists, final=10, completed=()):
    """Curves 0, 1, ... from score lists; trials in ``completed`` have ended."""
    return [
        Curve(i, list(scores), running=i not in completed, completed=i in completed, final_interval=final)
        for i, scores in enumerate(score_lists)
    ]


# ------------------------------------------------------------ bandit


def test_bandit_hyperdrive_example_terminates_below_best_over_one_plus_slack():
    # Best 0.8, slack_factor 0.2: threshold 0.8 / 1.2 = 0.6667.
    table = curves([0.8], [0.666], [0.667], [0.7])
    assert BanditPolicy(slack_factor=0.2).terminated_at(table, 1) == [1]


def test_bandit_slack_amount_terminates_below_best_minus_amount():
    # Best 0.9, slack_amount 0.15: threshold 0.75.
    table = curves([0.9], [0.749], [0.75])
    assert BanditPolicy(slack_amount=0.15).terminated_at(table, 1) == [1]


def test_bandit_uses_each_trial_best_score_up_to_k():
    # Trial 1 scores 0.5 at k=2 but had 0.79 at k=1: Y = 0.79 > 0.8/1.2.
    table = curves([0.7, 0.8], [0.79, 0.5])
    assert BanditPolicy(slack_factor=0.2).terminated_at(table, 2) == []


def test_bandit_on_a_loss_uses_the_minimize_rule():
    # Scores are negative losses; best = -1.0, loss 1.0; slack 0.2 allows loss up to 1.2.
    table = curves([-1.0], [-1.19], [-1.21])
    assert BanditPolicy(slack_factor=0.2).terminated_at(table, 1) == [2]


def test_bandit_never_terminates_the_leader_even_alone():
    assert BanditPolicy(slack_amount=0.0).terminated_at(curves([0.1]), 1) == []


def test_bandit_never_acts_at_the_final_interval():
    table = curves([0.9, 0.9], [0.1, 0.1], final=2)
    assert BanditPolicy(slack_amount=0.1).terminated_at(table, 2) == []


def test_bandit_respects_evaluation_interval_and_delay():
    table = curves([0.9, 0.9, 0.9, 0.9], [0.1, 0.1, 0.1, 0.1])
    policy = BanditPolicy(slack_amount=0.1, evaluation_interval=2, delay_evaluation=3)
    assert [k for k in (1, 2, 3, 4) if policy.acts_at(k)] == [4]
    short = [Curve(c.trial_id, c.scores[:2], final_interval=10) for c in table]
    assert policy.terminated_at(short, 2) == []  # k=2 < delay 3
    assert policy.terminated_at(table, 4) == [1]


def test_bandit_compares_with_completed_trials_but_stops_only_running_ones():
    table = curves([0.9], [0.1], [0.2], completed=(0, 2))
    assert BanditPolicy(slack_amount=0.1).terminated_at(table, 1) == [1]


def test_bandit_counts_a_nan_score_as_the_worst():
    table = curves([0.5], [float("nan")])
    assert BanditPolicy(slack_amount=0.1).terminated_at(table, 1) == [1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of slack_factor and slack_amount"),
        ({"slack_factor": 0.1, "slack_amount": 0.1}, "exactly one"),
        ({"slack_factor": 0}, "slack_factor must be > 0, got slack_factor=0"),
        ({"slack_amount": -1}, "slack_amount must be >= 0"),
        ({"slack_amount": 0.1, "evaluation_interval": 0}, "evaluation_interval must be an int >= 1"),
        ({"slack_amount": 0.1, "delay_evaluation": -1}, "delay_evaluation must be an int >= 0"),
    ],
)
def test_bandit_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BanditPolicy(**kwargs).validate()


# ------------------------------------------------------------ median


def test_median_stops_a_best_score_below_the_median_of_others_running_averages():
    # At k=2 the others' averages: trial0 (0.6+0.8)/2 = 0.7, trial1 0.5, trial2 0.4 ->
    # for trial 3 the median of {0.7, 0.5, 0.4} is 0.5; its best up to 2 is 0.45 < 0.5.
    table = curves([0.6, 0.8], [0.5, 0.5], [0.4, 0.4], [0.45, 0.3])
    assert MedianStoppingPolicy().terminated_at(table, 2) == [2, 3]


def test_median_trial_exactly_at_the_median_continues():
    # Trial 2: others' averages {0.7, 0.5}, median 0.6; best 0.6 is not below.
    table = curves([0.7], [0.5], [0.6])
    assert MedianStoppingPolicy().terminated_at(table, 1) == [1]


def test_median_needs_at_least_two_other_trials():
    assert MedianStoppingPolicy().terminated_at(curves([0.9], [0.1]), 1) == []


def test_median_respects_delay_evaluation():
    table = curves([0.9], [0.5], [0.1])
    assert MedianStoppingPolicy(delay_evaluation=2).terminated_at(table, 1) == []


# -------------------------------------------------------- truncation


def test_truncation_stops_the_lowest_percentage():
    # n=5, 40%: ranks r < 2 stop -> the two worst at k=1.
    table = curves([0.5], [0.1], [0.9], [0.2], [0.7])
    assert TruncationSelectionPolicy(40).terminated_at(table, 1) == [1, 3]


def test_truncation_ties_rank_the_later_trial_lower():
    # n=4, 25%: only rank 0 stops; trials 1 and 2 tie at 0.2, trial 2 is later -> it is rank 0.
    table = curves([0.5], [0.2], [0.2], [0.9])
    assert TruncationSelectionPolicy(25).terminated_at(table, 1) == [2]


def test_truncation_can_exclude_finished_jobs_from_the_ranking():
    # Completed trials 0 and 1 are the worst; included, they take ranks 0, 1 and the
    # running trial 2 (rank 2 of 4) survives 50%; excluded, trial 2 is rank 0 of 2.
    table = curves([0.1], [0.2], [0.5], [0.9], completed=(0, 1))
    assert TruncationSelectionPolicy(50).terminated_at(table, 1) == []
    assert TruncationSelectionPolicy(50, exclude_finished_jobs=True).terminated_at(table, 1) == [2]


def test_truncation_needs_two_trials():
    assert TruncationSelectionPolicy(99).terminated_at(curves([0.1]), 1) == []


@pytest.mark.parametrize("pct", [0, 100, 50.0, True])
def test_truncation_percentage_must_be_an_int_in_1_99(pct):
    with pytest.raises(ValueError, match="truncation_percentage must be an int in \\[1, 99\\]"):
        TruncationSelectionPolicy(pct).validate()


# ------------------------------------------------------------ halving


def test_halving_acts_only_at_rungs():
    policy = HalvingPolicy(factor=3, min_resource=2)
    assert [k for k in range(1, 20) if policy.acts_at(k)] == [2, 6, 18]


def test_halving_keeps_the_top_third_at_a_rung():
    # 6 trials at rung 1, factor 3: keep ceil(6/3) = 2 (trials 2 and 4).
    table = curves([0.3], [0.1], [0.9], [0.2], [0.8], [0.5])
    assert HalvingPolicy(factor=3).terminated_at(table, 1) == [0, 1, 3, 5]


def test_halving_ties_favour_the_earlier_trial():
    table = curves([0.5], [0.5], [0.5], [0.5])
    assert HalvingPolicy(factor=2).terminated_at(table, 1) == [2, 3]


@pytest.mark.parametrize("kwargs", [{"factor": 1}, {"min_resource": 0}])
def test_halving_bad_arguments_are_named(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        HalvingPolicy(**kwargs).validate()


# -------------------------------------------------------------- none


def test_no_termination_policy_is_the_same_as_none():
    assert make_policy(None) is None
    assert make_policy(NoTerminationPolicy()) is None
    assert NoTerminationPolicy().terminated_at(curves([0.9], [0.0]), 1) == []


def test_make_policy_rejects_other_objects_naming_policy():
    with pytest.raises(ValueError, match="policy="):
        make_policy("bandit")


def test_intervals_that_were_not_scored_are_left_out_of_best_and_average():
    curve = Curve(0, [None, 0.4, None, 0.2], final_interval=6)
    assert not curve.has_score_at(1) and not curve.has_score_at(3)
    assert curve.has_score_at(2) and curve.has_score_at(4)
    assert curve.best_score_up_to(4) == 0.4
    assert curve.average_up_to(4) == pytest.approx(0.3)


def test_policy_compares_only_trials_scored_at_the_interval():
    # Trial 2 (another experiment's) has no score at 2: it is no peer there.
    curves = [Curve(0, [0.8, 0.8], final_interval=5), Curve(1, [0.1, 0.1], final_interval=5),
              Curve(2, [0.9, None], running=False, final_interval=5)]
    assert MedianStoppingPolicy().terminated_at(curves, 2) == []  # needs two other trials at 2
    assert BanditPolicy(slack_amount=0.1).terminated_at(curves, 2) == [1]


# ------------------------------------------------- intervals each rule reads


@pytest.mark.parametrize(
    "policy, expected",
    [
        # Best scores and running averages over 1..k: every interval up to the last decision.
        (BanditPolicy(slack_factor=0.1, evaluation_interval=2, delay_evaluation=3), {1, 2, 3, 4, 5, 6}),
        (MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=3), {1, 2, 3, 4, 5, 6}),
        # The score at k alone.
        (TruncationSelectionPolicy(20, evaluation_interval=2, delay_evaluation=3), {4, 6}),
        (HalvingPolicy(factor=2), {4, 6}),
    ],
)
def test_each_policy_declares_the_intervals_its_decisions_read(policy, expected):
    assert policy.intervals_read([4, 6]) == expected


def test_a_policy_that_never_decides_reads_nothing():
    assert MedianStoppingPolicy().intervals_read([]) == set()


def test_median_verdict_needs_the_intervals_before_the_decision():
    # At k=3 the peers' running averages over 1..3 are 0.767 and 0.7 (median
    # 0.733): trial 2's best, 0.75, is kept. Had only interval 3 been scored,
    # the "averages" would be 0.9 and 0.8 (median 0.85), and it would stop
    # (trial 1 too, against 0.9 and 0.75).
    full = curves([0.6, 0.8, 0.9], [0.6, 0.7, 0.8], [0.5, 0.6, 0.75])
    decisions_only = curves([None, None, 0.9], [None, None, 0.8], [None, None, 0.75])
    policy = MedianStoppingPolicy(delay_evaluation=3)
    assert policy.terminated_at(full, 3) == []
    assert policy.terminated_at(decisions_only, 3) == [1, 2]
    assert policy.intervals_read([3]) == {1, 2, 3}


def test_ties_go_to_the_earlier_trial_in_order_and_stops_name_trial_ids():
    # Trial 9 comes first in trial order (a warm-start trial, say): it wins
    # the tie, and the policy names the trial it stops by its id, 5.
    table = [Curve(5, [0.5], final_interval=4, order=1), Curve(9, [0.5], running=False, final_interval=4, order=0)]
    assert HalvingPolicy(factor=2).terminated_at(table, 1) == [5]
    swapped = [Curve(5, [0.5], final_interval=4, order=0), Curve(9, [0.5], final_interval=4, order=1)]
    assert HalvingPolicy(factor=2).terminated_at(swapped, 1) == [9]


def test_a_curve_without_an_order_is_ordered_by_its_trial_id():
    assert Curve(3, [0.1]).order == 3
