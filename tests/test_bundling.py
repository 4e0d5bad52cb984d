"""How a wave's tasks are packed into joblib calls: balanced, short ones together, unknown ones alone."""

from hdsearch._bundling import BUNDLES_PER_WORKER, MIN_BUNDLE_SECONDS, UNKNOWN_BUNDLES_PER_WORKER, balanced_bundles


def loads(bundles, seconds):
    return [sum(seconds[i] for i in bundle) for bundle in bundles]


def test_long_tasks_are_never_bundled_and_go_longest_first():
    seconds = [0.5, 2.0, 1.0, 0.8]
    bundles = balanced_bundles(seconds, n_workers=2)
    assert bundles == [[1], [2], [3], [0]]


def test_short_tasks_share_bundles_of_equal_work():
    seconds = [0.001] * 60  # a 60 ms wave: fewer bundles, but two per worker at least
    bundles = balanced_bundles(seconds, n_workers=2)
    assert len(bundles) == BUNDLES_PER_WORKER * 2
    assert sorted(i for bundle in bundles for i in bundle) == list(range(60))
    assert max(loads(bundles, seconds)) - min(loads(bundles, seconds)) < 1e-9


def test_bundles_hold_the_minimum_work_on_average_when_there_is_enough():
    seconds = [0.004] * 100  # 0.4 s in all
    bundles = balanced_bundles(seconds, n_workers=2)
    assert len(bundles) == int(0.4 / MIN_BUNDLE_SECONDS)
    assert sum(loads(bundles, seconds)) / len(bundles) >= MIN_BUNDLE_SECONDS
    assert max(loads(bundles, seconds)) - min(loads(bundles, seconds)) <= 0.004 + 1e-9


def test_longest_processing_time_first_balances_uneven_tasks():
    # Ordered by the engine's trial order, not by length: a batch of the first
    # six would hold all the long ones.
    seconds = [0.06] * 6 + [0.002] * 30
    bundles = balanced_bundles(seconds, n_workers=2)
    per_bundle = loads(bundles, seconds)
    assert max(per_bundle) <= 0.06 + 0.004
    assert per_bundle == sorted(per_bundle, reverse=True)


def test_tasks_of_unknown_time_run_alone_after_the_others():
    seconds = [None, 0.001, 0.001, None]
    bundles = balanced_bundles(seconds, n_workers=2)
    assert bundles[-2:] == [[0], [3]]
    assert sorted(i for bundle in bundles[:-2] for i in bundle) == [1, 2]


def test_very_many_tasks_of_unknown_time_share_equal_bundles():
    n_bundles = UNKNOWN_BUNDLES_PER_WORKER * 2
    bundles = balanced_bundles([None] * (10 * n_bundles + 3), n_workers=2)
    assert len(bundles) == n_bundles
    assert sorted(len(bundle) for bundle in bundles) == [10] * (n_bundles - 3) + [11] * 3
    assert [i for bundle in bundles for i in bundle] == list(range(10 * n_bundles + 3))
