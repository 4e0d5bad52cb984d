"""Early termination end to end: exactly which trials stop, and each resource for real."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from helpers import assert_same_cv_results

from hdsearch import HyperDriveSearchCV, choice, loguniform
from hdsearch.policy import (
    BanditPolicy,
    HalvingPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)
from hdsearch.resource import PartialFit, Subsample, WarmStart

# Score after k partial_fit calls (or at fold k - 1), keyed by the curve parameter.
TABLE = {
    0: [0.5, 0.6, 0.7, 0.8],
    1: [0.4, 0.45, 0.5, 0.55],
    2: [0.55, 0.65, 0.75, 0.85],
    3: [0.2, 0.3, 0.9, 0.95],
    4: [0.5, 0.5, 0.5, 0.5],
}


class TableCurve(ClassifierMixin, BaseEstimator):
    """Its score after k partial_fit calls is TABLE[curve][k - 1].

    Under the folds resource (plain fit), it scores TABLE[curve][fold], the fold
    read from the test rows' first feature.
    """

    def __init__(self, curve=0):
        self.curve = curve

    def partial_fit(self, X, y, classes=None):
        self.calls_ = getattr(self, "calls_", 0) + 1
        self.classes_ = np.array([0, 1])
        return self

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def score(self, X, y=None):
        if hasattr(self, "calls_"):
            return TABLE[self.curve][self.calls_ - 1]
        return TABLE[self.curve][int(X[0, 0])]


def table_data():
    X = np.repeat(np.arange(4), 10).reshape(-1, 1).astype(float)
    y = np.tile([0, 1], 20)
    return X, y


def table_search(policy, resource=PartialFit(max_epochs=4), n_splits=2, **kwargs):
    return HyperDriveSearchCV(
        TableCurve(),
        {"curve": choice(0, 1, 2, 3, 4)},
        sampling="grid",
        policy=policy,
        resource=resource,
        cv=KFold(n_splits),
        random_state=0,
        **kwargs,
    )


@pytest.mark.parametrize(
    "policy, statuses, n_intervals",
    [
        # k=1: best 0.55, slack 0.1 -> 1 (0.4) and 3 (0.2) stop; k=2: best 0.65 -> 4 (0.5) stops.
        (BanditPolicy(slack_amount=0.1), "CTCTT", [4, 1, 4, 1, 2]),
        # k=1: 1 and 3 below the others' median 0.5; k=2: 4 (0.5) below median(0.55, 0.6).
        (MedianStoppingPolicy(), "CTCTT", [4, 1, 4, 1, 2]),
        # k=1: ranks 0..2 of 5 stop (3, 1, then 4 before 0 on the 0.5 tie); k=2: 0 is rank 0 of 2.
        (TruncationSelectionPolicy(50), "TTCTT", [2, 1, 4, 1, 1]),
        # rung 1 keeps ceil(5/2) = 3 (2, 0, 4); rung 2 keeps 2 of 3 (2, 0).
        (HalvingPolicy(factor=2), "CTCTT", [4, 1, 4, 1, 2]),
        (NoTerminationPolicy(), "CCCCC", [4, 4, 4, 4, 4]),
    ],
)
def test_exactly_the_expected_trials_terminate_with_partial_fit(policy, statuses, n_intervals):
    X, y = table_data()
    search = table_search(policy).fit(X, y)
    names = {"C": "completed", "T": "terminated"}
    assert list(search.cv_results_["status"]) == [names[s] for s in statuses]
    assert list(search.cv_results_["n_intervals"]) == n_intervals
    assert list(search.cv_results_["resource_reached"]) == n_intervals
    expected_means = [TABLE[i][k - 1] for i, k in enumerate(n_intervals)]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected_means)
    # Without a policy the late bloomer 3 wins; with one it was stopped at k=1.
    assert search.best_params_ == {"curve": 3 if statuses == "CCCCC" else 2}
    assert search.best_estimator_.calls_ == 4  # the refit repeats all epochs


def test_late_bloomer_survives_without_policy_and_wins():
    X, y = table_data()
    search = table_search(None).fit(X, y)
    assert search.best_params_ == {"curve": 3}


def test_folds_resource_terminates_on_the_mean_of_the_first_folds():
    # Interval k is fold k - 1; 4 folds. Bandit slack 0.1 as above: the same trials stop.
    X, y = table_data()
    search = table_search(BanditPolicy(slack_amount=0.1), resource="folds", n_splits=4).fit(X, y)
    assert list(search.cv_results_["status"]) == [
        "completed", "terminated", "completed", "terminated", "terminated",
    ]
    # Trial 4 ran folds 0 and 1 (mean 0.5); its later splits are NaN.
    assert search.cv_results_["mean_test_score"][4] == 0.5
    assert np.isnan(search.cv_results_["split2_test_score"][4])
    # Trial 0 ran all folds: the mean of the first k folds at each interval.
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(np.mean(TABLE[0]))


def test_max_concurrent_runs_refills_freed_slots_in_trial_order():
    X, y = table_data()
    search = table_search(BanditPolicy(slack_amount=0.1), max_concurrent_runs=2).fit(X, y)
    assert len(search.trials_) == 5
    # Trials 0 and 1 start together. At k=1, 0.4 is not below 0.5 - 0.1; at k=2 the
    # best-so-far 0.45 is below 0.6 - 0.1, so 1 stops and trial 2 takes its slot.
    assert search.trials_[1].status == "terminated"
    assert search.cv_results_["n_intervals"][1] == 2
    # Trial 2 then meets trials 0 and 1 at k=1 and leads; trial 3 (0.2) stops at k=1.
    assert search.trials_[3].status == "terminated"
    assert search.cv_results_["n_intervals"][3] == 1


def test_only_completed_trials_can_be_best():
    # Truncation stops trial 0 at k=2 although its mean (0.6) beats completed 4's 0.5.
    X, y = table_data()
    search = table_search(TruncationSelectionPolicy(50)).fit(X, y)
    assert search.cv_results_["status"][search.best_index_] == "completed"


def test_trials_record_learning_curves():
    X, y = table_data()
    search = table_search(BanditPolicy(slack_amount=0.1)).fit(X, y)
    trial = search.trials_[4]
    assert trial.interval_scores("score", per_fold=True, n_splits=2) == [0.5, 0.5]
    assert sorted((r.fold, r.interval) for r in trial.results) == [(0, 1), (0, 2), (1, 1), (1, 2)]


# ------------------------------------------------------- reproducibility

POLICIES = [
    BanditPolicy(slack_factor=0.05),
    MedianStoppingPolicy(),
    TruncationSelectionPolicy(30),
    HalvingPolicy(factor=2),
]


def sgd_search(policy, resource, n_jobs, backend=None):
    X, y = make_classification(n_samples=300, n_features=10, random_state=0)
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0) if not isinstance(resource, WarmStart) else RandomForestClassifier(random_state=0),
        {"alpha": loguniform(-10, -2)} if not isinstance(resource, WarmStart) else {"max_depth": choice(1, 2, 4, 8)},
        policy=policy,
        resource=resource,
        max_total_runs=6,
        max_concurrent_runs=4,
        cv=3,
        random_state=1,
        n_jobs=n_jobs,
    )
    if backend is None:
        return search.fit(X, y)
    with parallel_config(backend=backend):
        return search.fit(X, y)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
@pytest.mark.parametrize(
    "resource",
    ["folds", PartialFit(max_epochs=4), WarmStart("n_estimators", 2, 8, factor=2), Subsample(30, factor=3)],
    ids=["folds", "partial_fit", "warm_start", "subsample"],
)
def test_same_terminations_for_one_and_two_processes_and_threads(policy, resource):
    serial = sgd_search(policy, resource, n_jobs=1)
    assert_same_cv_results(serial.cv_results_, sgd_search(policy, resource, n_jobs=2).cv_results_)
    assert_same_cv_results(serial.cv_results_, sgd_search(policy, resource, n_jobs=2, backend="threading").cv_results_)


# ------------------------------------------------------ real resources


class CountingSGD(SGDClassifier):
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.epochs_seen_ = getattr(self, "epochs_seen_", 0) + 1
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "estimator",
    [CountingSGD(random_state=0), MLPClassifier(hidden_layer_sizes=(8,), random_state=0)],
    ids=["sgd", "mlp"],
)
def test_partial_fit_epochs_reached_match_resource_reached_under_two_processes(estimator):
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    search = HyperDriveSearchCV(
        estimator, {"alpha": loguniform(-10, -1)}, resource=PartialFit(max_epochs=5),
        policy=MedianStoppingPolicy(), max_total_runs=6, cv=3, n_jobs=2, random_state=0,
    ).fit(X, y)
    assert set(search.cv_results_["resource_reached"][search.cv_results_["status"] == "completed"]) == {5}
    assert search.cv_results_["status"][search.best_index_] == "completed"
    if isinstance(estimator, CountingSGD):
        assert search.best_estimator_.epochs_seen_ == 5


def test_partial_fit_needs_partial_fit_before_any_fit():
    X, y = make_classification(n_samples=50, random_state=0)
    search = HyperDriveSearchCV(LogisticRegression(), {"C": [1.0]}, resource=PartialFit(3))
    with pytest.raises(ValueError, match="needs an estimator with partial_fit"):
        search.fit(X, y)


def test_partial_fit_shortcut_string():
    X, y = make_classification(n_samples=100, random_state=0)
    search = HyperDriveSearchCV(SGDClassifier(), {"alpha": [1e-4]}, resource="partial_fit", cv=2).fit(X, y)
    assert search.cv_results_["resource_reached"][0] == 10


@pytest.mark.parametrize(
    "estimator, param, schedule_args, check",
    [
        (RandomForestClassifier(random_state=0), "n_estimators", (2, 10, 4, None),
         lambda m: len(m.estimators_) == 10),
        (GradientBoostingClassifier(random_state=0), "n_estimators", (5, 20, None, 2),
         lambda m: m.n_estimators_ == 20),
        (HistGradientBoostingClassifier(random_state=0, early_stopping=False), "max_iter", (5, 20, None, 2),
         lambda m: m.n_iter_ == 20),
        (Pipeline([("scale", StandardScaler()), ("clf", RandomForestClassifier(random_state=0))]),
         "clf__n_estimators", (3, 9, 3, None), lambda m: len(m[-1].estimators_) == 9),
    ],
    ids=["random_forest", "gradient_boosting", "hist_gradient_boosting", "pipeline_step"],
)
def test_warm_start_grows_the_parameter_and_refits_to_the_end(estimator, param, schedule_args, check):
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    start, stop, step, factor = schedule_args
    resource = WarmStart(param, start, stop, step=step, factor=factor)
    depth = "clf__max_depth" if param.startswith("clf__") else "max_depth"
    search = HyperDriveSearchCV(
        estimator, {depth: choice(2, 3)}, resource=resource, policy=BanditPolicy(slack_factor=0.5),
        sampling="grid", cv=3, n_jobs=2, random_state=0,
    ).fit(X, y)
    completed = search.cv_results_["status"] == "completed"
    assert set(search.cv_results_["resource_reached"][completed]) == {stop}
    assert check(search.best_estimator_)


def test_warm_start_without_warm_start_parameter_warns_it_refits():
    X, y = make_classification(n_samples=100, random_state=0)
    resource = WarmStart("max_depth", 1, 4, step=1)
    with pytest.warns(UserWarning, match="refits from scratch"):
        search = HyperDriveSearchCV(
            DecisionTreeClassifier(random_state=0), {"min_samples_leaf": [1]}, resource=resource, cv=2
        ).fit(X, y)
    assert search.best_estimator_.get_depth() <= 4
    assert search.cv_results_["resource_reached"][0] == 4


def test_warm_start_rejects_a_searched_parameter():
    X, y = make_classification(n_samples=100, random_state=0)
    search = HyperDriveSearchCV(
        RandomForestClassifier(), {"n_estimators": [5]}, resource=WarmStart("n_estimators", 1, 5, step=1)
    )
    with pytest.raises(ValueError, match="also in param_distributions"):
        search.fit(X, y)


def test_subsample_grows_the_training_set_to_the_whole_fold():
    X, y = make_classification(n_samples=300, random_state=0)
    search = HyperDriveSearchCV(
        LogisticRegression(), {"C": loguniform(-3, 3)}, resource=Subsample(20, factor=3),
        policy=BanditPolicy(slack_amount=0.05), max_total_runs=5, cv=3, random_state=0,
    ).fit(X, y)
    # Training folds hold 200 samples: 20, 60, 180, 200.
    reached = search.cv_results_["resource_reached"]
    assert set(reached) <= {20, 60, 180, 200}
    assert set(reached[search.cv_results_["status"] == "completed"]) == {200}


def test_hist_gradient_boosting_partial_state_moves_between_processes():
    X, y = make_classification(n_samples=300, random_state=0)
    search = HyperDriveSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {"learning_rate": loguniform(-4, 0)}, resource=WarmStart("max_iter", 5, 20, factor=2),
        policy=MedianStoppingPolicy(), max_total_runs=6, max_concurrent_runs=3, cv=3, n_jobs=2,
        random_state=0,
    ).fit(X, y)
    assert search.best_estimator_.n_iter_ == 20
