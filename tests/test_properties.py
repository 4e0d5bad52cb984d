"""Properties of spaces and samplings that hold for every expression and argument (hypothesis)."""

import math
import re

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsearch import (
    GridSampling,
    RandomSampling,
    Space,
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
from hdsearch.space import Choice, Distribution, LogNormal, LogUniform, RandInt, Uniform

# No example database: nothing is written next to the sources.
settings.register_profile(
    "hdsearch", max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FAST = settings(settings.get_profile("hdsearch"))
REL = 1e-9

units = st.floats(0.0, 1.0)
inner_units = st.floats(1e-6, 1.0 - 1e-6)  # away from the saturated tails of cdf/ppf
int_qs = st.integers(1, 10)
float_qs = st.floats(0.01, 10.0)
qs = st.one_of(int_qs, float_qs)
seeds = st.integers(0, 2**31 - 1)


@st.composite
def bounds(draw, magnitude=1e3, min_width=1e-3):
    low = draw(st.floats(-magnitude, magnitude))
    width = draw(st.floats(min_width, magnitude))
    return low, low + width


@st.composite
def gaussians(draw):
    return draw(st.floats(-5.0, 5.0)), draw(st.floats(0.01, 2.0))


def options():
    atoms = st.one_of(st.integers(-100, 100), st.text(max_size=5), st.floats(-10, 10), st.none(), st.booleans())
    # Options differ under ==: choice(1, 1.0) is covered by its own test below.
    return st.lists(atoms, min_size=1, max_size=8, unique=True)


continuous = st.one_of(
    bounds().map(lambda b: uniform(*b)),
    bounds(magnitude=10.0, min_width=0.01).map(lambda b: loguniform(*b)),
    gaussians().map(lambda g: normal(*g)),
    gaussians().map(lambda g: lognormal(*g)),
)
quantized = st.one_of(
    st.builds(lambda b, q: quniform(*b, q), bounds(), qs),
    st.builds(lambda b, q: qloguniform(*b, q), bounds(magnitude=8.0, min_width=0.01), qs),
    st.builds(lambda g, q: qnormal(*g, q), gaussians(), qs),
    st.builds(lambda g, q: qlognormal(*g, q), gaussians(), qs),
)
discrete = st.one_of(st.integers(1, 1000).map(randint), options().map(choice))
expressions = st.one_of(continuous, quantized, discrete)


# ------------------------------------------------------------ checks


def is_multiple(value, q):
    if isinstance(q, int):
        return isinstance(value, int) and value % q == 0
    ratio = value / q
    return abs(ratio - round(ratio)) <= REL * max(1.0, abs(ratio))


def quantized_bounds(low, high, q):
    """Where ``round(x / q) * q`` lands for x in [low, high]: rounding is monotonic."""
    return float(np.round(low / q) * q), float(np.round(high / q) * q)


def within(value, low, high):
    slack = REL * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


def raw_bounds(expression):
    """Bounds of the value before quantization; None for unbounded expressions."""
    if isinstance(expression, LogUniform):
        return math.exp(expression.low), math.exp(expression.high)
    if isinstance(expression, Uniform):
        return expression.low, expression.high
    if isinstance(expression, LogNormal):
        return 0.0, math.inf
    return None


def check_value(expression, value):
    """``value`` is one ``expression`` may take: in bounds, of the right type, quantized."""
    if isinstance(expression, Choice):
        assert any(value is option for option in expression.options), value
        return
    if isinstance(expression, RandInt):
        assert type(value) is int and 0 <= value < expression.upper, value
        return
    q = expression.q
    expected_type = int if isinstance(q, int) else float
    assert type(value) is expected_type, (expression, value)
    assert math.isfinite(value), (expression, value)
    limits = raw_bounds(expression)
    if q is not None:
        assert is_multiple(value, q), (expression, value)
        if limits is not None:
            limits = quantized_bounds(*limits, q) if math.isfinite(limits[1]) else (0.0, math.inf)
    if limits is not None:
        assert within(value, *limits), (expression, value, limits)
    if isinstance(expression, LogNormal) and q is None:
        assert value > 0, (expression, value)


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL, abs_tol=REL)
    return a == b and type(a) is type(b)


# ------------------------------------------------------------ expressions


@FAST
@given(expressions, seeds)
def test_every_draw_is_in_bounds_of_the_right_type_and_quantized(expression, seed):
    rng = np.random.RandomState(seed)
    for _ in range(20):
        check_value(expression, expression.rvs(random_state=rng))


@FAST
@given(expressions, st.lists(units, min_size=1, max_size=10))
def test_every_unit_point_decodes_to_a_valid_value(expression, points):
    for u in points:
        check_value(expression, expression.from_unit(u))


@FAST
@given(st.builds(lambda b, q: quniform(*b, q), bounds(), int_qs), seeds)
def test_quniform_with_an_int_q_gives_int_multiples_of_q(expression, seed):
    values = [expression.rvs(random_state=np.random.RandomState(seed + i)) for i in range(10)]
    assert all(type(v) is int and v % expression.q == 0 for v in values)


@FAST
@given(st.one_of(
    bounds().map(lambda b: uniform(*b)),
    bounds(magnitude=10.0, min_width=0.01).map(lambda b: loguniform(*b)),
), units)
def test_uniform_expressions_round_trip_through_the_unit_interval(expression, u):
    value = expression.from_unit(u)
    assert math.isclose(expression.to_unit(value), u, abs_tol=1e-6)
    assert same_value(expression.from_unit(expression.to_unit(value)), value)


@FAST
@given(st.one_of(gaussians().map(lambda g: normal(*g)), gaussians().map(lambda g: lognormal(*g))), inner_units)
def test_gaussian_expressions_round_trip_through_the_unit_interval(expression, u):
    value = expression.from_unit(u)
    assert math.isclose(expression.to_unit(value), u, abs_tol=1e-6)
    assert math.isclose(expression.from_unit(expression.to_unit(value)), value, rel_tol=1e-6, abs_tol=1e-9)


@FAST
@given(quantized, inner_units)
def test_quantized_values_are_fixed_points_of_the_encoding(expression, u):
    value = expression.from_unit(u)
    assert 0.0 <= expression.to_unit(value) <= 1.0
    assert same_value(expression.from_unit(expression.to_unit(value)), value), (expression, value)


@FAST
@given(discrete)
def test_every_discrete_value_round_trips_exactly(expression):
    values = expression.options if isinstance(expression, Choice) else range(expression.upper)
    for value in values:
        u = expression.to_unit(value)
        assert 0.0 < u < 1.0
        decoded = expression.from_unit(u)
        assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize("options", [(1, 1.0, "sqrt"), (0, False), (True, 1)])
def test_choice_keeps_equal_options_of_different_types_apart(options):
    expression = choice(*options)
    for option in options:
        decoded = expression.from_unit(expression.to_unit(option))
        assert decoded == option and type(decoded) is type(option)


@FAST
@given(st.integers(1, 50), st.integers(-20, 20))
def test_scipy_discrete_distributions_round_trip(n, low):
    expression = Distribution(scipy.stats.randint(low, low + n))
    for value in range(low, low + n):
        assert expression.from_unit(expression.to_unit(value)) == value


@FAST
@given(bounds(magnitude=100.0, min_width=0.01), inner_units)
def test_scipy_continuous_distributions_round_trip(limits, u):
    low, high = limits
    expression = Distribution(scipy.stats.uniform(low, high - low))
    value = expression.from_unit(u)
    assert within(value, low, high)
    assert math.isclose(expression.to_unit(value), u, abs_tol=1e-6)


# ------------------------------------------------------------ spaces


@st.composite
def subspaces(draw, expression_strategy=expressions, max_size=5):
    names = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=max_size, unique=True))
    return {name: draw(expression_strategy) for name in names}


@FAST
@given(subspaces(), st.lists(units, min_size=5, max_size=5))
def test_a_space_decodes_and_encodes_whole_points(subspace, point):
    space = Space(subspace)
    params = space.from_unit(0, point[: space.n_dims(0)])
    assert sorted(params) == sorted(subspace)
    for name, value in params.items():
        check_value(subspace[name], value)

    again = space.from_unit(0, space.to_unit(0, params))

    for name, value in params.items():
        check_value(subspace[name], again[name])
        if isinstance(value, float):
            assert math.isclose(again[name], value, rel_tol=1e-6, abs_tol=1e-6), (subspace[name], value)
        else:
            assert again[name] == value, (subspace[name], value)


@FAST
@given(st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=4), min_size=1, max_size=3))
def test_grid_size_is_the_sum_over_subspaces_of_the_products_of_choice_lengths(lengths):
    dicts = [
        {f"p{i}": choice(list(range(n))) for i, n in enumerate(subspace_lengths)}
        for subspace_lengths in lengths
    ]
    space = Space(dicts)
    expected = sum(math.prod(subspace_lengths) for subspace_lengths in lengths)

    assert len(space.grid()) == expected
    assert GridSampling().default_max_total_runs(space) == expected
    assert len(GridSampling().bind(space, expected + 5, None).propose([], expected + 5)) == expected


@FAST
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_a_single_grid_holds_every_combination_once(lengths):
    space = Space({f"p{i}": list(range(n)) for i, n in enumerate(lengths)})
    proposals = GridSampling().bind(space, 10_000, None).propose([], 10_000)

    combinations = {tuple(p[f"p{i}"] for i in range(len(lengths))) for p in proposals}
    assert len(proposals) == len(combinations) == math.prod(lengths)


@FAST
@given(subspaces(options().map(choice)), st.sampled_from("xyz"), st.one_of(continuous, quantized, discrete.filter(
    lambda e: not isinstance(e, Choice))))
def test_grid_sampling_rejects_a_continuous_expression_naming_it(subspace, name, expression):
    space = Space({**subspace, name: expression})
    with pytest.raises(ValueError, match=re.escape(f"parameter {name!r} is {expression!r}")):
        space.grid()


# ------------------------------------------------------------ samplings


@FAST
@given(subspaces(), st.sampled_from(["random", "sobol"]), seeds, st.integers(1, 20))
def test_random_and_sobol_proposals_are_valid_values(subspace, rule, seed, n):
    space = Space(subspace)
    proposals = RandomSampling(rule=rule).bind(space, n, seed).propose([], n)

    assert 1 <= len(proposals) <= n
    for params in proposals:
        assert sorted(params) == sorted(subspace)
        for name, value in params.items():
            check_value(subspace[name], value)


@FAST
@given(st.lists(subspaces(max_size=3), min_size=2, max_size=3), st.sampled_from(["random", "sobol"]), seeds)
def test_conditional_space_proposals_come_from_one_subspace(dicts, rule, seed):
    space = Space(dicts)
    for params in RandomSampling(rule=rule).bind(space, 12, seed).propose([], 12):
        owners = [d for d in space.subspaces if set(d) == set(params)]
        assert owners
        assert any(all(_valid(d[name], value) for name, value in params.items()) for d in owners)


def _valid(expression, value):
    try:
        check_value(expression, value)
    except AssertionError:
        return False
    return True


@FAST
@given(subspaces(), st.sampled_from(["random", "sobol"]), seeds, st.integers(0, 8), st.integers(0, 8))
def test_proposing_in_two_waves_gives_what_one_wave_gives(subspace, rule, seed, first, second):
    space = Space(subspace)
    total = first + second
    at_once = RandomSampling(rule=rule).bind(space, total, seed).propose([], total)
    sampler = RandomSampling(rule=rule).bind(space, total, seed)
    in_waves = sampler.propose([], first) + sampler.propose([], second)

    assert len(in_waves) == len(at_once)
    for left, right in zip(in_waves, at_once):
        assert left.keys() == right.keys()
        assert all(left[k] is right[k] or left[k] == right[k] for k in left)


@FAST
@given(subspaces(), st.sampled_from(["random", "sobol"]), seeds)
def test_the_same_seed_proposes_the_same_parameters(subspace, rule, seed):
    space = Space(subspace)
    first = RandomSampling(rule=rule).bind(space, 6, seed).propose([], 6)
    second = RandomSampling(rule=rule).bind(space, 6, seed).propose([], 6)
    assert first == second or all(
        all(a[k] is b[k] or a[k] == b[k] for k in a) for a, b in zip(first, second)
    )
