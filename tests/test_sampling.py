"""Grid, random and Sobol sampling."""

import numpy as np
import pytest
import scipy.stats
from scipy.stats import qmc
from sklearn.model_selection import ParameterGrid, ParameterSampler

from hdsearch import BayesianSampling, GridSampling, RandomSampling, Space, choice, loguniform, quniform, uniform
from hdsearch.sampling import make_sampling

MIXED_SPACE = {
    "C": scipy.stats.loguniform(1e-3, 1e2),
    "n": scipy.stats.randint(1, 5),
    "kernel": ["rbf", "linear", "poly"],
    "gamma": scipy.stats.uniform(0, 1),
}


def test_grid_enumerates_in_parametergrid_order():
    grid = {"a": [1, 2, 3], "b": ["x", "y"]}
    sampler = GridSampling().bind(Space(grid), 100, None)
    assert sampler.propose([], 100) == list(ParameterGrid(grid))


def test_grid_truncates_to_n_total():
    grid = {"a": [1, 2, 3], "b": ["x", "y"]}
    sampler = GridSampling().bind(Space(grid), 4, None)
    assert sampler.propose([], 100) == list(ParameterGrid(grid))[:4]


def test_grid_default_max_total_runs_is_the_grid_size():
    assert GridSampling().default_max_total_runs(Space({"a": [1, 2, 3], "b": [0, 1]})) == 6


def test_grid_rejects_continuous_expression_at_bind_naming_it():
    with pytest.raises(ValueError, match="'lr'"):
        GridSampling().bind(Space({"lr": uniform(0, 1)}), 10, None)


def test_random_draws_exactly_what_parametersampler_draws():
    sampler = RandomSampling().bind(Space(MIXED_SPACE), 12, 42)
    expected = list(ParameterSampler(MIXED_SPACE, n_iter=12, random_state=42))
    assert sampler.propose([], 12) == expected


def test_random_on_an_all_choice_space_samples_without_replacement_like_sklearn():
    space = {"a": [1, 2, 3], "b": choice("x", "y")}
    sampler = RandomSampling().bind(Space(space), 4, 0)
    expected = list(ParameterSampler({"a": [1, 2, 3], "b": ["x", "y"]}, n_iter=4, random_state=0))
    assert sampler.propose([], 10) == expected
    assert sampler.propose([], 10) == []


@pytest.mark.parametrize("rule", ["random", "sobol"])
def test_chunked_proposals_equal_one_shot_proposals(rule):
    space = Space({"C": loguniform(-3, 3), "k": choice(1, 2, 3), "q": quniform(0, 10, 1)})
    one_shot = RandomSampling(rule=rule).bind(space, 8, 3).propose([], 8)
    chunked = RandomSampling(rule=rule).bind(space, 8, 3)
    assert chunked.propose([], 3) + chunked.propose([], 5) == one_shot
    assert chunked.propose([], 5) == []


@pytest.mark.parametrize("rule", ["random", "sobol"])
def test_seed_overrides_random_state(rule):
    space = Space({"x": uniform(0, 1)})
    seeded = RandomSampling(rule=rule, seed=5)
    assert seeded.bind(space, 5, 1).propose([], 5) == seeded.bind(space, 5, 2).propose([], 5)
    assert seeded.bind(space, 5, 1).propose([], 5) != RandomSampling(rule=rule, seed=6).bind(
        space, 5, 1
    ).propose([], 5)


def test_bind_leaves_the_configuration_object_unchanged():
    sampling = RandomSampling(rule="sobol")
    sampling.bind(Space({"x": uniform(0, 1)}), 4, 0).propose([], 4)
    assert vars(sampling) == {"rule": "sobol", "seed": None}


def test_sobol_has_lower_discrepancy_than_random():
    space = Space({"a": uniform(0, 1), "b": uniform(0, 1), "c": uniform(0, 1)})

    def discrepancy(rule, seed):
        proposals = RandomSampling(rule=rule).bind(space, 64, seed).propose([], 64)
        return qmc.discrepancy(np.array([space.to_unit(0, p) for p in proposals]))

    seeds = range(5)
    sobol = np.mean([discrepancy("sobol", s) for s in seeds])
    random = np.mean([discrepancy("random", s) for s in seeds])
    assert sobol < random / 2


def test_sobol_over_a_list_of_dicts_visits_each_subspace_within_bounds():
    space = Space([{"kernel": ["rbf"], "gamma": loguniform(-4, 0)}, {"kernel": ["linear"], "C": uniform(1, 2)}])
    proposals = RandomSampling(rule="sobol").bind(space, 32, 0).propose([], 32)
    kernels = {p["kernel"] for p in proposals}
    assert kernels == {"rbf", "linear"}
    for p in proposals:
        if p["kernel"] == "rbf":
            assert set(p) == {"kernel", "gamma"} and np.exp(-4) <= p["gamma"] <= 1
        else:
            assert set(p) == {"kernel", "C"} and 1 <= p["C"] <= 2


def test_bad_rule_is_named_at_bind():
    with pytest.raises(ValueError, match="rule='halton'"):
        RandomSampling(rule="halton").bind(Space({"x": [1]}), 1, 0)


def test_shortcuts_build_the_samplings():
    assert make_sampling("grid") == GridSampling()
    assert make_sampling("random") == RandomSampling()
    assert make_sampling("sobol") == RandomSampling(rule="sobol")
    custom = RandomSampling(seed=3)
    assert make_sampling(custom) is custom


def test_unknown_shortcut_is_named():
    with pytest.raises(ValueError, match="sampling='hyperband'"):
        make_sampling("hyperband")


def test_bayesian_shortcut_builds_bayesian_sampling():
    assert make_sampling("bayesian") == BayesianSampling()
