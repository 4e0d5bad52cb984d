"""Intervals at the price of one fit: which intervals are scored, how resources jump, run-ahead.

A per-fold resource scores a fold only where the policy acts and at the last
interval (``curves="decisions"``), or everywhere (``curves="all"``, and
boosting models scored from staged predictions). Tasks may run ahead of a
policy decision; none of it may change a result.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import AdaBoostClassifier, HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold

from helpers import assert_same_cv_results, force_run_ahead

from hdsearch import HyperDriveSearchCV, choice, loguniform
from hdsearch.policy import BanditPolicy, HalvingPolicy, MedianStoppingPolicy, TruncationSelectionPolicy
from hdsearch.resource import BOOSTING_HELD_STEP_COST, PartialFit, Subsample, WarmStart


class CountingForest(RandomForestClassifier):
    """A forest that remembers the ``n_estimators`` of every ``fit`` call it took."""

    def fit(self, X, y, sample_weight=None):
        self.fits_ = [*getattr(self, "fits_", []), self.n_estimators]
        return super().fit(X, y, sample_weight=sample_weight)


class RecordingSGD(SGDClassifier):
    """An SGDClassifier that remembers the ``random_state`` and the rows of every ``partial_fit``."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.seeds_ = [*getattr(self, "seeds_", []), self.random_state]
        self.row_ids_ = [*getattr(self, "row_ids_", []), id(X)]
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def classification():
    return make_classification(n_samples=300, n_features=8, random_state=0)


def regression():
    return make_regression(n_samples=300, n_features=6, noise=10.0, random_state=0)


def scored_intervals(search):
    """The intervals each trial holds results for, every fold alike."""
    return [sorted({r.interval for r in trial.results}) for trial in search.trials_]


# ------------------------------------------------------ which intervals

@pytest.mark.parametrize(
    "policy, curves, expected",
    [
        (None, "decisions", [9]),
        (HalvingPolicy(factor=3), "decisions", [1, 3, 9]),
        (TruncationSelectionPolicy(50, evaluation_interval=4), "decisions", [4, 8, 9]),
        # Running averages and best scores read every interval up to the last decision.
        (MedianStoppingPolicy(evaluation_interval=4), "decisions", list(range(1, 10))),
        (BanditPolicy(slack_factor=0.5, evaluation_interval=3, delay_evaluation=5), "decisions",
         [1, 2, 3, 4, 5, 6, 9]),
        (None, "all", list(range(1, 10))),
    ],
)
def test_a_fold_is_scored_where_the_policy_reads_and_at_the_last_interval(policy, curves, expected):
    X, y = classification()
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0), {"alpha": loguniform(-9, -2)}, resource=PartialFit(max_epochs=9),
        policy=policy, curves=curves, max_total_runs=4, cv=3, random_state=0,
    ).fit(X, y)
    completed = [held for held, status in zip(scored_intervals(search), search.cv_results_["status"])
                 if status == "completed"]
    assert completed and all(held == expected for held in completed)
    curve = search.trials_[search.best_index_].interval_scores("score", per_fold=True, n_splits=3)
    assert len(curve) == 9
    assert [k for k, score in enumerate(curve, start=1) if score is not None] == expected


def test_curves_all_keeps_the_same_results_at_the_intervals_both_score():
    X, y = classification()

    def fit(curves):
        return HyperDriveSearchCV(
            SGDClassifier(random_state=0), {"alpha": loguniform(-9, -2)}, resource=PartialFit(max_epochs=6),
            policy=HalvingPolicy(factor=2), curves=curves, max_total_runs=6, cv=3, random_state=0,
        ).fit(X, y)

    decisions, everything = fit("decisions"), fit("all")
    # Partial fits run epoch by epoch either way: only the scoring differs.
    assert_same_cv_results(decisions.cv_results_, everything.cv_results_)
    for few, many in zip(decisions.trials_, everything.trials_):
        by_key = {(r.fold, r.interval): r.test_scores for r in many.results}
        assert all(by_key[(r.fold, r.interval)] == r.test_scores for r in few.results)


def test_curves_is_validated_before_any_fit():
    X, y = classification()
    search = HyperDriveSearchCV(SGDClassifier(), {"alpha": loguniform(-9, -2)}, curves="every")
    with pytest.raises(ValueError, match="curves"):
        search.fit(X, y)


# -------------------------------------------------------- native calls

@pytest.mark.parametrize(
    "policy, expected_fits",
    [
        (None, [20]),  # one fit straight to the end
        (HalvingPolicy(factor=3), [2, 6, 18, 20]),  # rungs at intervals 1, 3 and 9, then the end
    ],
)
def test_warm_start_jumps_to_the_next_scored_value_in_one_fit(policy, expected_fits):
    X, y = classification()
    search = HyperDriveSearchCV(
        CountingForest(random_state=0), {"max_depth": choice(2, 3, 4, 6)}, sampling="grid",
        resource=WarmStart("n_estimators", 2, 20, step=2), policy=policy, cv=3, random_state=0,
    ).fit(X, y)
    # The refit repeats the calls each fold made.
    assert search.best_estimator_.fits_ == expected_fits
    assert len(search.best_estimator_.estimators_) == 20


@pytest.mark.parametrize(
    "estimator, expected",
    [
        (HistGradientBoostingRegressor(early_stopping=False), BOOSTING_HELD_STEP_COST),  # predicts held trees
        (RandomForestClassifier(), 0.0),  # warm_start only grows the new trees
        (AdaBoostClassifier(), 1.0),  # no warm_start: every call refits from scratch
    ],
)
def test_warm_start_says_what_a_continuing_call_pays_for_the_rounds_held(estimator, expected):
    param = "max_iter" if isinstance(estimator, HistGradientBoostingRegressor) else "n_estimators"
    assert WarmStart(param, 2, 20, step=2).held_step_cost(estimator) == expected
    assert PartialFit(max_epochs=5).held_step_cost(SGDClassifier()) == 0.0


def test_subsample_trains_only_on_the_subsamples_it_scores():
    X, y = classification()
    search = HyperDriveSearchCV(
        CountingForest(n_estimators=5, random_state=0), {"max_depth": choice(2, 4)}, sampling="grid",
        resource=Subsample(20, factor=2), cv=3, random_state=0,
    ).fit(X, y)
    assert scored_intervals(search) == [[5], [5]]  # sizes 20, 40, 80, 160, then the whole fold (200)
    assert search.best_estimator_.fits_ == [5]


def test_boosting_scores_every_interval_from_one_fit_as_separate_fits_would():
    X, y = regression()
    cv = KFold(3, shuffle=True, random_state=0)
    search = HyperDriveSearchCV(
        HistGradientBoostingRegressor(early_stopping=False, random_state=0), {"max_leaf_nodes": choice(4, 8)},
        sampling="grid", resource=WarmStart("max_iter", 5, 20, step=5), cv=cv, random_state=0,
    ).fit(X, y)
    trial = search.trials_[0]
    assert sorted({r.interval for r in trial.results}) == [1, 2, 3, 4]
    for fold, (train, test) in enumerate(cv.split(X, y)):
        for result in (r for r in trial.results if r.fold == fold):
            alone = HistGradientBoostingRegressor(
                early_stopping=False, random_state=0, max_leaf_nodes=4, max_iter=5 * result.interval
            ).fit(X[train], y[train])
            assert result.test_scores["score"] == r2_score(y[test], alone.predict(X[test]))
    direct = HistGradientBoostingRegressor(
        early_stopping=False, random_state=0, max_iter=20, **search.best_params_
    ).fit(X, y)
    np.testing.assert_array_equal(search.best_estimator_.predict(X), direct.predict(X))


def test_sgd_shuffles_each_epoch_itself_from_a_seeded_random_state_on_the_same_rows():
    X, y = classification()

    def fit():
        return HyperDriveSearchCV(
            RecordingSGD(random_state=3), {"alpha": loguniform(-9, -2)}, resource=PartialFit(max_epochs=4),
            max_total_runs=2, cv=3, random_state=0,
        ).fit(X, y)

    best = fit().best_estimator_
    assert len(set(best.seeds_)) == 4  # a new order every epoch
    assert best.random_state == 3  # the user's value is put back
    assert len(set(best.row_ids_)) == 1  # no copy of the rows per epoch
    assert fit().best_estimator_.seeds_ == best.seeds_


# ---------------------------------------------------------- run-ahead

def trial_table(search):
    return [
        (t.status, sorted((r.fold, r.interval, tuple(r.test_scores.items()), r.error) for r in t.results))
        for t in search.trials_
    ]


CASES = {
    "partial_fit, bandit": (
        lambda: SGDClassifier(random_state=0), {"alpha": loguniform(-9, -1)}, PartialFit(max_epochs=8),
        BanditPolicy(slack_factor=0.02), classification,
    ),
    "partial_fit, median": (
        lambda: SGDClassifier(random_state=0), {"alpha": loguniform(-9, -1)}, PartialFit(max_epochs=8),
        MedianStoppingPolicy(delay_evaluation=2), classification,
    ),
    "partial_fit, halving": (
        lambda: SGDClassifier(random_state=0), {"alpha": loguniform(-9, -1)}, PartialFit(max_epochs=8),
        HalvingPolicy(factor=2), classification,
    ),
    "staged boosting, bandit": (
        lambda: HistGradientBoostingRegressor(early_stopping=False, random_state=0),
        {"learning_rate": loguniform(-5, -1)}, WarmStart("max_iter", 3, 24, step=3),
        BanditPolicy(slack_amount=0.05), regression,
    ),
    # Row subsampling: continuing is not one fit, so where the calls fall must not move.
    "xgboost with subsampling, halving": (
        lambda: __import__("xgboost").XGBClassifier(subsample=0.7, n_jobs=1, random_state=0),
        {"learning_rate": loguniform(-4, -1)}, WarmStart("n_estimators", 2, 16, step=2),
        HalvingPolicy(factor=2), classification,
    ),
    "lightgbm with bagging, halving": (
        lambda: __import__("lightgbm").LGBMClassifier(
            subsample=0.7, subsample_freq=1, n_jobs=1, random_state=0, verbose=-1
        ),
        {"learning_rate": loguniform(-4, -1)}, WarmStart("n_estimators", 2, 16, step=2),
        HalvingPolicy(factor=2), classification,
    ),
    "warm start forest, truncation": (
        lambda: RandomForestClassifier(random_state=0), {"max_depth": choice(1, 2, 3, 5, 8)},
        WarmStart("n_estimators", 2, 12, step=2), TruncationSelectionPolicy(40), classification,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_results_do_not_depend_on_how_far_tasks_run_ahead(monkeypatch, case):
    make_estimator, space, resource, policy, data = CASES[case]
    X, y = data()

    def fit(run_ahead, n_jobs=1):
        force_run_ahead(monkeypatch, run_ahead)
        return HyperDriveSearchCV(
            make_estimator(), space, resource=resource, policy=policy, max_total_runs=8,
            max_concurrent_runs=3, cv=3, random_state=0, n_jobs=n_jobs,
        ).fit(X, y)

    reference = fit(0)  # interval by interval: every task stops at its trial's next stop
    assert "terminated" in set(reference.cv_results_["status"])  # the policy had something to decide
    for run_ahead in (1, 3, 100, None):
        other = fit(run_ahead, n_jobs=2 if run_ahead == 3 else 1)
        assert_same_cv_results(reference.cv_results_, other.cv_results_)
        assert trial_table(other) == trial_table(reference)
        np.testing.assert_array_equal(reference.predict(X), other.predict(X))


def test_run_ahead_work_past_a_termination_is_dropped(monkeypatch):
    """Run far ahead, a stopped trial still holds nothing past the interval it stopped at."""
    X, y = classification()
    force_run_ahead(monkeypatch, 100)
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0), {"alpha": loguniform(-9, -1)}, resource=PartialFit(max_epochs=8),
        policy=HalvingPolicy(factor=2), max_total_runs=8, cv=3, random_state=0,
    ).fit(X, y)
    for trial, reached in zip(search.trials_, search.cv_results_["n_intervals"]):
        assert max(r.interval for r in trial.results) == reached


def test_a_toml_spec_sets_curves(tmp_path):
    from hdsearch._spec import SpecError, read_spec

    text = """
[data]
dataset = "breast_cancer"
[estimator]
class = "sklearn.linear_model.SGDClassifier"
[search_space]
alpha = "loguniform(-9, -2)"
[search]
curves = "{curves}"
[resource]
type = "partial_fit"
max_epochs = 4
"""
    path = tmp_path / "spec.toml"
    path.write_text(text.format(curves="all"))
    assert read_spec(path).search.curves == "all"
    path.write_text(text.format(curves="every"))
    with pytest.raises(SpecError, match="curves"):
        read_spec(path)


def test_fold_models_move_between_waves_as_private_copies():
    from hdsearch.engine.worker import PackedModel

    model = SGDClassifier(random_state=0).fit(*make_classification(60, random_state=0))
    packed = PackedModel(model)
    first, second = packed.unpack(), packed.unpack()
    first.coef_[:] = 0.0
    assert first is not model and np.array_equal(second.coef_, model.coef_) and not np.array_equal(first.coef_, model.coef_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_fold_model_plain_pickle_refuses_still_moves_between_waves(n_jobs):
    # A lambda pickles only with cloudpickle (loky's pickler): the fold model
    # is then handed over as an object, and copied when the next task takes it.
    from functools import partial

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = make_classification(120, random_state=0)
    boosting = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    results = []
    for transform in (lambda rows: rows * 2.0, partial(np.multiply, 2.0)):
        search = HyperDriveSearchCV(
            make_pipeline(FunctionTransformer(transform), boosting),
            {"histgradientboostingclassifier__learning_rate": loguniform(-3, 0)},
            resource=WarmStart("histgradientboostingclassifier__max_iter", 2, 12, step=2),
            policy=HalvingPolicy(factor=2), max_total_runs=4, cv=3, n_jobs=n_jobs, random_state=0,
        ).fit(X, y)
        assert not any(trial.errors for trial in search.trials_)
        assert max(trial.n_intervals_reached(True, 3) for trial in search.trials_) == 6
        results.append(search.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(results[0], results[1])


# --------------------------------- decisions read every interval they name


class FixedCurve(ClassifierMixin, BaseEstimator):
    """Scores ``curve[k - 1]`` after k ``partial_fit`` calls, whatever the data: a hand-made learning curve."""

    def __init__(self, curve=(0.5,)):
        self.curve = curve

    def partial_fit(self, X, y, classes=None):
        self.classes_ = np.array([0, 1])
        self.epochs_ = getattr(self, "epochs_", 0) + 1
        return self

    def fit(self, X, y):
        self.epochs_ = 0
        return self.partial_fit(X, y)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def score(self, X, y):
        return self.curve[self.epochs_ - 1]


# Running averages over 1..3: A 0.767, B 0.7; over 1..4: A 0.8, B 0.725, C 0.6575.
# Trial C's best (0.75 at 3, 0.78 at 4) clears the median of its peers' running
# averages (0.733 at 3, 0.7625 at 4), so HyperDrive's rule keeps it; averaging
# only the peers' scores at the decision intervals (0.9 and 0.8: median 0.85)
# would stop it.
HAND_MADE_CURVES = [
    (0.6, 0.8, 0.9, 0.9, 0.9),
    (0.6, 0.7, 0.8, 0.8, 0.8),
    (0.5, 0.6, 0.75, 0.78, 0.78),
]


@pytest.mark.parametrize("policy", [
    MedianStoppingPolicy(delay_evaluation=3),
    MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=3),
])
@pytest.mark.parametrize("curves", ["decisions", "all"])
def test_median_averages_every_interval_up_to_a_decision_whichever_intervals_are_scored(policy, curves):
    X, y = classification()
    search = HyperDriveSearchCV(
        FixedCurve(), {"curve": choice(HAND_MADE_CURVES)}, sampling="grid", resource=PartialFit(5),
        policy=policy, curves=curves, cv=2, random_state=0,
    ).fit(X, y)
    assert list(search.cv_results_["status"]) == ["completed"] * 3
    for trial, curve in zip(search.trials_, HAND_MADE_CURVES):
        assert trial.interval_scores("score", per_fold=True, n_splits=2) == pytest.approx(list(curve))


def test_median_stops_where_the_running_averages_say_so():
    # The same table with trial C at 0.7 from interval 3 on: its best, 0.7, is
    # below the median of A's and B's running averages at 3 (0.733).
    stopped = [*HAND_MADE_CURVES[:2], (0.5, 0.6, 0.7, 0.7, 0.7)]
    X, y = classification()
    search = HyperDriveSearchCV(
        FixedCurve(), {"curve": choice(stopped)}, sampling="grid", resource=PartialFit(5),
        policy=MedianStoppingPolicy(delay_evaluation=3), cv=2, random_state=0,
    ).fit(X, y)
    assert list(search.cv_results_["status"]) == ["completed", "completed", "terminated"]
    assert search.cv_results_["n_intervals"][2] == 3
