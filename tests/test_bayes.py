"""Bayesian sampling: valid proposals, evidence from every trial status, determinism, policies, efficiency."""

import math

import numpy as np
import pytest
import scipy.stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier

from helpers import assert_same_cv_results

from hdsearch import (
    BanditPolicy,
    BayesianSampling,
    HalvingPolicy,
    HyperDriveSearchCV,
    MedianStoppingPolicy,
    PartialFit,
    RandomSampling,
    Space,
    TruncationSelectionPolicy,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from hdsearch._gp import acquisition, fit_gp, log_expected_improvement
from hdsearch._proposer import _is_seen, _targets
from hdsearch.sampling import make_sampling
from hdsearch.trials import Observation

BRANIN_OPTIMUM = 0.397887


def branin(x1, x2):
    """Branin-Hoo on [-5, 10] x [0, 15]; minimum 0.397887."""
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


class BraninEstimator(RegressorMixin, BaseEstimator):
    """Learns nothing; its ``score`` is minus Branin at its parameters."""

    def __init__(self, x1=0.0, x2=0.0):
        self.x1 = x1
        self.x2 = x2

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -branin(self.x1, self.x2)


BRANIN_SPACE = {"x1": uniform(-5, 10), "x2": uniform(0, 15)}

EVERY_EXPRESSION = {
    "kernel": choice("rbf", "linear", "poly"),
    "width": choice(16, 32, 64, 128),
    "depth": randint(6),
    "ratio": uniform(-1, 1),
    "steps": quniform(0, 10, 2),
    "half": quniform(0.5, 2.5, 0.5),
    "lr": loguniform(-5, 0),
    "batch": qloguniform(0, 5, 1),
    "shift": normal(0, 2),
    "qshift": qnormal(5, 1, 0.5),
    "scale": lognormal(0, 1),
    "qscale": qlognormal(1, 0.5, 1),
    "C": scipy.stats.loguniform(1e-3, 1e2),
    "k": scipy.stats.randint(2, 9),
}


def fake_score(params):
    """A smooth made-up score over EVERY_EXPRESSION, so the model has something to fit."""
    return -((params["ratio"] - 0.3) ** 2) - 0.01 * params["depth"] - abs(math.log(params["lr"]) + 2)


def observe(params_list, scores, status="completed", start=0):
    return [Observation(start + i, p, status, s, 1, 1) for i, (p, s) in enumerate(zip(params_list, scores))]


def grow(sampler, score, n_total, batch, statuses=("completed",)):
    """Propose in batches of ``batch`` and observe, cycling through ``statuses``."""
    history = []
    while len(history) < n_total:
        proposals = sampler.propose(history, batch)
        if not proposals:
            break
        for params in proposals:
            status = statuses[len(history) % len(statuses)]
            value = float("nan") if status == "failed" else score(params)
            history.append(Observation(len(history), params, status, value, 1, 1))
    return history


def assert_valid(name, expression, value):
    """``value`` is a value ``expression`` can produce: in range, right type, on its grid."""
    if name in ("kernel", "width"):
        assert value in expression.options
        assert type(value) is type(expression.options[0])
        return
    if name == "depth":
        assert type(value) is int and 0 <= value < 6
        return
    if name == "k":
        assert 2 <= value < 9 and float(value).is_integer()
        return
    if name == "C":
        assert 1e-3 <= value <= 1e2
        return
    q = getattr(expression, "q", None)
    if q is not None:
        assert math.isclose(value / q, round(value / q), abs_tol=1e-9), (name, value)
        assert type(value) is (int if isinstance(q, int) else float), (name, value)
    else:
        assert type(value) is float, (name, value)
    low, high = {
        "ratio": (-1, 1),
        "steps": (0, 10),
        "half": (0.5, 2.5),
        "lr": (math.exp(-5), 1),
        "batch": (0, round(math.exp(5))),
        "shift": (-8, 8),
        "qshift": (1, 9),
        "scale": (math.exp(-4), math.exp(4)),
        "qscale": (0, math.exp(3)),
    }[name]
    assert low - 1e-12 <= value <= high + 1e-12, (name, value)


# ---------------------------------------------------------------- configuration


def test_shortcut_builds_the_default_bayesian_sampling():
    assert make_sampling("bayesian") == BayesianSampling()


def test_constructor_stores_arguments_and_bind_leaves_them_unchanged():
    arguments = dict(n_initial=3, acquisition="ucb", kappa=1.0, batch_kappa=0.25, n_candidates=64, seed=2)
    sampling = BayesianSampling(**arguments)
    sampling.bind(Space(BRANIN_SPACE), 10, 0).propose([], 2)
    assert vars(sampling) == arguments
    assert repr(sampling) == (
        "BayesianSampling(n_initial=3, acquisition='ucb', kappa=1.0, batch_kappa=0.25, n_candidates=64, seed=2)"
    )
    assert sampling == BayesianSampling(**arguments)
    assert sampling != BayesianSampling()


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"n_initial": 0}, "n_initial=0"),
        ({"n_initial": 2.5}, "n_initial=2.5"),
        ({"acquisition": "thompson"}, "acquisition='thompson'"),
        ({"kappa": -1.0}, "kappa=-1.0"),
        ({"kappa": float("nan")}, "kappa=nan"),
        ({"batch_kappa": -0.5}, "batch_kappa=-0.5"),
        ({"batch_kappa": float("inf")}, "batch_kappa=inf"),
        ({"n_candidates": 0}, "n_candidates=0"),
        ({"seed": "a"}, "seed='a'"),
    ],
)
def test_bad_arguments_raise_at_bind_naming_parameter_and_value(arguments, message):
    with pytest.raises(ValueError, match=message):
        BayesianSampling(**arguments).bind(Space(BRANIN_SPACE), 10, 0)


def test_default_concurrency_is_four_whatever_the_workers():
    assert [BayesianSampling().default_max_concurrent_runs(w) for w in (1, 2, 64)] == [4, 4, 4]


def test_default_initial_design_is_max_five_and_twice_the_dimensions():
    history = observe([{"x": 0.1 * i} for i in range(4)], [float(i) for i in range(4)])
    small = BayesianSampling().bind(Space({"x": uniform(0, 1)}), 20, 0)
    assert small._proposer.n_initial == 5
    wide = BayesianSampling().bind(Space({f"x{i}": uniform(0, 1) for i in range(4)}), 20, 0)
    assert wide._proposer.n_initial == 8
    assert len(small.propose(history, 3)) == 3


def test_default_budget_is_the_initial_design_plus_twenty_guided_trials():
    three = Space({f"x{i}": uniform(0, 1) for i in range(3)})
    assert BayesianSampling().default_max_total_runs(three) == 6 + 20
    assert BayesianSampling(n_initial=2).default_max_total_runs(three) == 2 + 20
    conditional = Space([{"a": uniform(0, 1)}, {"b": uniform(0, 1), "c": uniform(0, 1)}])
    assert BayesianSampling().default_max_total_runs(conditional) == max(5, 2 * (1 + 2)) + 20


def test_search_with_default_budget_runs_model_guided_trials():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    space = {"alpha": loguniform(-8, -1), "eta0": loguniform(-5, -1), "l1_ratio": uniform(0, 1)}
    search = HyperDriveSearchCV(SGDClassifier(penalty="elasticnet", random_state=0), space,
                                sampling="bayesian", cv=2, random_state=0).fit(X, y)
    assert len(search.cv_results_["params"]) == 26


def test_an_rvs_object_without_ppf_is_rejected_at_bind():
    class Draws:
        def rvs(self, random_state=None):
            return 1.0

    with pytest.raises(ValueError, match="no ppf"):
        BayesianSampling().bind(Space({"x": Draws()}), 5, 0)


# -------------------------------------------------------------- valid proposals


def test_every_expression_type_is_proposed_within_bounds_with_the_right_type_and_quantization():
    space = Space(EVERY_EXPRESSION)
    sampler = BayesianSampling(n_initial=4, n_candidates=128, seed=0).bind(space, 40, None)
    history = grow(sampler, fake_score, 16, batch=3, statuses=("completed", "completed", "terminated", "failed"))
    assert len(history) >= 16
    for observation in history:
        assert set(observation.params) == set(EVERY_EXPRESSION)
        for name, value in observation.params.items():
            assert_valid(name, space.subspaces[0][name], value)


def test_list_of_dicts_proposes_from_both_dicts_with_valid_values():
    space = Space(
        [
            {"kernel": ["linear"], "C": loguniform(-3, 3)},
            {"kernel": ["rbf"], "C": loguniform(-3, 3), "gamma": quniform(1, 9, 2)},
        ]
    )

    def score(params):
        return -abs(math.log(params["C"])) + (0.5 if params["kernel"] == "rbf" else 0.0)

    history = grow(BayesianSampling(n_initial=4, seed=1).bind(space, 30, None), score, 14, batch=2)
    kernels = {obs.params["kernel"] for obs in history}
    assert kernels == {"linear", "rbf"}
    for obs in history:
        expected = {"kernel", "C"} | ({"gamma"} if obs.params["kernel"] == "rbf" else set())
        assert set(obs.params) == expected
        assert math.exp(-3) <= obs.params["C"] <= math.exp(3)
        if "gamma" in obs.params:
            assert obs.params["gamma"] in (0, 2, 4, 6, 8) and type(obs.params["gamma"]) is int


def test_a_batch_holds_distinct_points():
    sampler = BayesianSampling(n_initial=5, seed=0).bind(Space(BRANIN_SPACE), 30, None)
    history = grow(sampler, lambda p: -branin(**p), 10, batch=1)
    batch = sampler.propose(history, 4)
    assert len({tuple(sorted(p.items())) for p in batch}) == 4


def test_a_point_proposed_beside_pending_ones_maximizes_ucb_of_the_kriging_believer():
    # A finite space is searched exhaustively, so the rule can be checked exactly:
    # the first point maximizes EI; the second, with the first pending at its
    # predicted score, maximizes mean + batch_kappa * std over the unseen values.
    space = Space({"x": choice(*range(21))})
    history = observe([{"x": x} for x in (0, 5, 10, 15, 20)], [0.0, 0.6, 1.0, 0.7, 0.1])
    sampler = BayesianSampling(n_initial=5, batch_kappa=0.5, seed=0).bind(space, 30, None)
    first, second = sampler.propose(history, 2)

    proposer = sampler._proposer
    X, y, _, seen = proposer._read(history)
    model = proposer._fit(X, y)
    grid = proposer._grid[1]
    fresh = ~_is_seen(grid, seen)
    best = float(np.max(model.predict(X)[0]))
    ei = acquisition("ei", model, grid, best, 0.0)
    expected_first = int(np.flatnonzero(fresh)[np.argmax(ei[fresh])])
    assert first == proposer.encoding.decode(0, grid[expected_first])
    pending = grid[[expected_first]]
    believer = model.condition(pending, model.predict(pending)[0])
    ucb = acquisition("ucb", believer, grid, best, 0.5)
    fresh[expected_first] = False
    expected_second = int(np.flatnonzero(fresh)[np.argmax(ucb[fresh])])
    assert second == proposer.encoding.decode(0, grid[expected_second])


def test_choice_only_space_never_repeats_and_returns_fewer_when_exhausted():
    space = Space({"a": choice(1, 2, 3), "b": choice("x", "y")})
    sampler = BayesianSampling(n_initial=2, seed=0).bind(space, 10, None)

    def score(params):
        return params["a"] + (1 if params["b"] == "y" else 0)

    history = grow(sampler, score, 10, batch=2, statuses=("completed", "failed"))
    seen = [tuple(sorted(obs.params.items())) for obs in history]
    assert len(seen) == 6 and len(set(seen)) == 6
    assert sampler.propose(history, 2) == []


def test_running_trials_are_pending_and_not_proposed_again():
    space = Space({"a": choice(1, 2, 3)})
    history = observe([{"a": 1}, {"a": 2}], [0.0, 1.0])
    history.append(Observation(2, {"a": 3}, "running", float("nan"), 0, 1))
    sampler = BayesianSampling(n_initial=1, seed=0).bind(space, 10, None)
    assert sampler.propose(history, 3) == []


# ----------------------------------------------------------------- evidence


def test_terminated_scores_are_capped_at_the_median_completed_score_and_failed_are_worst():
    statuses = ["completed", "completed", "completed", "terminated", "terminated", "failed"]
    scores = np.array([0.2, 0.4, 0.9, 0.95, 0.1, np.nan])
    np.testing.assert_allclose(_targets(statuses, scores), [0.2, 0.4, 0.9, 0.4, 0.1, 0.1])


def test_terminated_without_completed_trials_keep_their_scores():
    np.testing.assert_allclose(_targets(["terminated", "failed"], np.array([0.3, np.nan])), [0.3, 0.3])


def test_a_terminated_region_is_not_proposed_again_as_if_it_were_good():
    # The best score so far sits at x=0.9 but its trial was terminated: the
    # sampler must trust the completed region near x=0.3 instead.
    xs = [0.05, 0.2, 0.3, 0.4, 0.6, 0.75, 0.9]
    scores = [0.1, 0.5, 0.8, 0.5, 0.2, 0.1, 5.0]
    statuses = ["completed"] * 6 + ["terminated"]
    history = [Observation(i, {"x": x}, s, v, 1, 3) for i, (x, s, v) in enumerate(zip(xs, statuses, scores))]
    sampler = BayesianSampling(n_initial=5, seed=0).bind(Space({"x": uniform(0, 1)}), 20, None)
    (proposal,) = sampler.propose(history, 1)
    assert 0.15 <= proposal["x"] <= 0.5


def test_failed_trials_push_proposals_away():
    xs = [0.1, 0.3, 0.5, 0.7, 0.9, 0.95]
    scores = [0.1, 0.2, 0.3, 0.4, 0.5, float("nan")]
    statuses = ["completed"] * 5 + ["failed"]
    history = [Observation(i, {"x": x}, s, v, 1, 1) for i, (x, s, v) in enumerate(zip(xs, statuses, scores))]
    sampler = BayesianSampling(n_initial=5, seed=0).bind(Space({"x": uniform(0, 1)}), 20, None)
    (proposal,) = sampler.propose(history, 1)
    assert 0.75 <= proposal["x"] <= 0.94


# -------------------------------------------------------------- determinism


def test_proposals_are_a_function_of_the_history_and_seed():
    space = Space(EVERY_EXPRESSION)
    history = grow(BayesianSampling(n_initial=4, seed=3).bind(space, 30, None), fake_score, 10, batch=2)
    first = BayesianSampling(seed=3, n_initial=4).bind(space, 30, None)
    second = BayesianSampling(seed=3, n_initial=4).bind(space, 30, None)
    second.propose(history[:5], 2)  # what came before does not matter
    assert first.propose(history, 3) == second.propose(history, 3)
    assert second.skip(history, 3) == 3
    other = BayesianSampling(seed=4, n_initial=4).bind(space, 30, None)
    assert other.propose(history, 3) != first.propose(history, 3)


def test_random_state_of_the_search_seeds_it_and_seed_overrides_it():
    space = Space(BRANIN_SPACE)
    assert BayesianSampling().bind(space, 5, 1).propose([], 3) == BayesianSampling().bind(space, 5, 1).propose([], 3)
    assert BayesianSampling().bind(space, 5, 1).propose([], 3) != BayesianSampling().bind(space, 5, 2).propose([], 3)
    seeded = BayesianSampling(seed=7)
    assert seeded.bind(space, 5, 1).propose([], 3) == seeded.bind(space, 5, 2).propose([], 3)


def sgd_search(n_jobs, policy=None, **kwargs):
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    search = HyperDriveSearchCV(
        SGDClassifier(tol=None, random_state=0),
        {"alpha": loguniform(-9, -1), "penalty": choice("l2", "l1"), "eta0": uniform(0.001, 0.1)},
        sampling=BayesianSampling(n_initial=3),
        policy=policy,
        max_total_runs=9,
        cv=2,
        random_state=5,
        n_jobs=n_jobs,
        **kwargs,
    )
    return search.fit(X, y)


def test_results_identical_for_one_and_two_processes():
    serial = sgd_search(n_jobs=1)
    assert_same_cv_results(serial.cv_results_, sgd_search(n_jobs=2).cv_results_)


@pytest.mark.parametrize(
    "policy",
    [
        None,
        BanditPolicy(slack_factor=0.05),
        MedianStoppingPolicy(),
        TruncationSelectionPolicy(truncation_percentage=50),
        HalvingPolicy(factor=2),
    ],
    ids=["none", "bandit", "median", "truncation", "halving"],
)
def test_runs_end_to_end_with_every_policy(policy):
    search = sgd_search(n_jobs=1, policy=policy, resource=PartialFit(max_epochs=4))
    statuses = list(search.cv_results_["status"])
    assert len(statuses) == 9
    assert set(statuses) <= {"completed", "terminated"}
    assert search.best_params_ in list(search.cv_results_["params"])
    if policy is not None:
        assert "terminated" in statuses


# ---------------------------------------------------------------- efficiency


def regret_after(sampling, seed, n_evals=25):
    X, y = np.zeros((4, 1)), np.zeros(4)
    search = HyperDriveSearchCV(
        BraninEstimator(), BRANIN_SPACE, sampling=sampling, max_total_runs=n_evals, cv=2, random_state=seed
    ).fit(X, y)
    return -search.best_score_ - BRANIN_OPTIMUM


def test_beats_random_search_on_branin_at_25_evaluations_for_four_of_five_seeds():
    wins = [regret_after("bayesian", seed) < regret_after(RandomSampling(), seed) for seed in range(5)]
    assert sum(wins) >= 4, wins


# ----------------------------------------------------------------- the model


def test_log_expected_improvement_matches_the_closed_form_and_stays_finite_far_below():
    mean, std = np.array([1.0, 0.0, -2.0, -40.0, -1e5]), np.ones(5)
    z = mean - 0.5
    closed = std * (z * scipy.stats.norm.cdf(z) + scipy.stats.norm.pdf(z))
    values = log_expected_improvement(mean, std, 0.5)
    np.testing.assert_allclose(values[:3], np.log(closed[:3]), rtol=1e-10)
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) < 0)
    # h(z) = phi(z) / z**2 * (1 - 3 / z**2 + ...) far below the incumbent, here z = -40.5
    asymptotic = scipy.stats.norm.logpdf(-40.5) - 2 * math.log(40.5) - 3 / 40.5**2
    assert values[3] == pytest.approx(asymptotic, abs=1e-5)


def test_gaussian_process_fits_a_smooth_function():
    rng = np.random.default_rng(0)
    X = rng.random((30, 2))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2
    gp = fit_gp(X, (y - y.mean()) / y.std())
    X_test = rng.random((50, 2))
    mean, std = gp.predict(X_test)
    truth = (np.sin(4 * X_test[:, 0]) + X_test[:, 1] ** 2 - y.mean()) / y.std()
    assert np.max(np.abs(mean - truth)) < 0.1
    assert np.all(std < 0.2)
