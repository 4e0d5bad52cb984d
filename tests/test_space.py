"""Parameter expressions mean exactly what HyperDrive's mean."""

import math
import re

import numpy as np
import pytest
import scipy.stats

from hdsearch import (
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

N_DRAWS = 4000


def draws(expression, n=N_DRAWS, seed=0):
    rng = np.random.RandomState(seed)
    return [expression.rvs(random_state=rng) for _ in range(n)]


# ------------------------------------------------------------- sampling


def test_uniform_stays_within_its_bounds():
    values = np.array(draws(uniform(-2, 3)))
    assert values.min() >= -2 and values.max() <= 3
    assert abs(values.mean() - 0.5) < 0.1


def test_loguniform_bounds_are_in_log_space():
    values = np.array(draws(loguniform(-4, 2)))
    assert values.min() >= math.exp(-4) and values.max() <= math.exp(2)
    assert abs(np.log(values).mean() - (-1.0)) < 0.1
    assert values.max() > 5  # far above 2: the bounds are not real-space bounds


def test_randint_upper_bound_is_exclusive():
    values = draws(randint(4))
    assert set(values) == {0, 1, 2, 3}
    assert all(type(v) is int for v in values)


def test_quniform_rounds_to_multiples_of_q_as_ints_for_int_q():
    values = draws(quniform(0, 10, 2))
    assert set(values) <= {0, 2, 4, 6, 8, 10}
    assert all(type(v) is int for v in values)


def test_quniform_with_float_q_gives_floats():
    values = draws(quniform(0, 1, 0.25))
    assert set(values) <= {0.0, 0.25, 0.5, 0.75, 1.0}
    assert all(type(v) is float for v in values)


def test_quniform_is_round_of_uniform_over_q():
    # round(uniform(low, high) / q) * q, drawn from the same stream.
    rng_a, rng_b = np.random.RandomState(5), np.random.RandomState(5)
    expected = [int(np.round(rng_a.uniform(1, 9) / 3) * 3) for _ in range(50)]
    assert [quniform(1, 9, 3).rvs(rng_b) for _ in range(50)] == expected


def test_qloguniform_rounds_exp_of_uniform():
    rng_a, rng_b = np.random.RandomState(2), np.random.RandomState(2)
    expected = [int(np.round(math.exp(rng_a.uniform(0, 5)) / 5) * 5) for _ in range(50)]
    assert [qloguniform(0, 5, 5).rvs(rng_b) for _ in range(50)] == expected


def test_normal_has_the_given_mean_and_deviation():
    values = np.array(draws(normal(3, 2)))
    assert abs(values.mean() - 3) < 0.15
    assert abs(values.std() - 2) < 0.15


def test_qnormal_rounds_to_multiples_of_q():
    values = draws(qnormal(0, 10, 5))
    assert all(v % 5 == 0 and type(v) is int for v in values)


def test_lognormal_is_exp_of_normal():
    rng_a, rng_b = np.random.RandomState(1), np.random.RandomState(1)
    expected = [math.exp(rng_a.normal(0.5, 0.3)) for _ in range(20)]
    assert [lognormal(0.5, 0.3).rvs(rng_b) for _ in range(20)] == expected


def test_qlognormal_rounds_exp_of_normal():
    values = draws(qlognormal(2, 1, 1))
    assert all(type(v) is int and v >= 0 for v in values)


def test_choice_accepts_varargs_list_and_range():
    assert choice(1, 2, 3) == choice([1, 2, 3]) == choice(range(1, 4))
    assert set(draws(choice("a", "b"), n=200)) == {"a", "b"}


# ----------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: uniform(1, 1), r"uniform: low must be < high, got low=1, high=1"),
        (lambda: loguniform(2, 1), r"loguniform: low must be < high"),
        (lambda: normal(0, -1), r"normal: sigma must be > 0, got sigma=-1"),
        (lambda: quniform(0, 1, 0), r"quniform: q must be > 0, got q=0"),
        (lambda: choice(), r"choice: options must not be empty"),
        (lambda: randint(0), r"randint: upper must be an int >= 1, got upper=0"),
        (lambda: uniform(0, float("inf")), r"uniform: high must be a finite number"),
        (lambda: uniform("a", 1), r"uniform: low must be a finite number, got low='a'"),
    ],
)
def test_bad_argument_is_a_value_error_naming_it(build, message):
    with pytest.raises(ValueError, match=message):
        build()


# ----------------------------------------------------------------- Space


def test_plain_list_is_a_choice():
    assert Space({"a": [1, 2]}).subspaces[0]["a"] == choice(1, 2)


def test_scipy_distribution_is_accepted_and_passed_through_to_sklearn():
    dist = scipy.stats.loguniform(1e-3, 1)
    space = Space({"C": dist, "k": choice(1, 2)})
    assert space.to_sklearn() == {"C": dist, "k": [1, 2]}


def test_string_value_is_rejected_naming_the_parameter():
    # scikit-learn's words and its TypeError; still a ValueError, as before.
    message = "Parameter grid for parameter 'kernel' needs to be a list or a numpy array, but got 'rbf'"
    for error in (TypeError, ValueError):
        with pytest.raises(error, match=message):
            Space({"kernel": "rbf"})


def test_empty_list_is_rejected_naming_the_parameter():
    message = "Parameter grid for parameter 'C' need to be a non-empty sequence, got: []"
    with pytest.raises(ValueError, match=re.escape(message)):
        Space({"C": []})


def test_two_dimensional_array_is_rejected_naming_the_parameter():
    with pytest.raises(ValueError, match="Parameter array for 'C' should be one-dimensional"):
        Space({"C": np.ones((3, 2))})


def test_param_distributions_must_be_a_dict_or_list_of_dicts():
    with pytest.raises(ValueError, match="param_distributions"):
        Space([1, 2])


def test_list_of_dicts_keeps_each_subspace_with_sorted_names():
    space = Space([{"b": [1], "a": uniform(0, 1)}, {"c": [2]}])
    assert [list(s) for s in space.subspaces] == [["a", "b"], ["c"]]
    assert space.param_names == ["a", "b", "c"]
    assert isinstance(space.to_sklearn(), list)


def test_grid_rejects_a_continuous_expression_naming_it():
    with pytest.raises(ValueError, match="parameter 'C' is uniform\\(0, 1\\)"):
        Space({"C": uniform(0, 1), "k": [1]}).grid()


EXPRESSIONS = [
    uniform(-1, 2),
    quniform(0, 10, 0.5),
    loguniform(-3, 3),
    qloguniform(0, 4, 1),
    normal(1, 2),
    qnormal(0, 4, 2),
    lognormal(0, 1),
    qlognormal(0, 1, 0.1),
]


@pytest.mark.parametrize("expression", EXPRESSIONS, ids=repr)
def test_unit_round_trip_for_continuous_expressions(expression):
    for u in (0.1, 0.37, 0.5, 0.9):
        value = expression.from_unit(u)
        if expression.q is None:
            assert expression.to_unit(value) == pytest.approx(u, abs=1e-9)
        else:  # quantized: from_unit(to_unit(v)) is v itself
            assert expression.from_unit(expression.to_unit(value)) == pytest.approx(value)


def test_unit_encoding_of_loguniform_is_uniform_in_log_space():
    assert loguniform(-3, 3).from_unit(0.5) == pytest.approx(1.0)


@pytest.mark.parametrize("expression", [choice("a", None, 3), randint(5)], ids=repr)
def test_unit_round_trip_for_discrete_expressions(expression):
    values = expression.options if hasattr(expression, "options") else range(5)
    for value in values:
        assert expression.from_unit(expression.to_unit(value)) == value


def test_scipy_distribution_unit_encoding_uses_ppf_and_cdf():
    space = Space({"C": scipy.stats.loguniform(1e-2, 1e2), "n": scipy.stats.randint(1, 10)})
    params = space.from_unit(0, [0.5, 0.5])
    assert params["C"] == pytest.approx(1.0)
    assert type(params["n"]) is int and 1 <= params["n"] < 10
    assert space.to_unit(0, {"C": 1.0, "n": 5})[0] == pytest.approx(0.5)


def test_reprs_read_like_the_calls():
    assert repr(choice(0.1, 1, "a")) == "choice(0.1, 1, 'a')"
    assert repr(uniform(0, 1)) == "uniform(0, 1)"
    assert repr(quniform(0, 10, 2)) == "quniform(0, 10, 2)"
    assert repr(loguniform(-5, 0)) == "loguniform(-5, 0)"
    assert repr(qlognormal(0, 1, 1)) == "qlognormal(0, 1, 1)"
    assert repr(randint(3)) == "randint(3)"
    assert repr(Space({"a": [1]})) == "Space({'a': choice(1)})"


def test_equal_specs_compare_equal():
    assert uniform(0, 1) == uniform(0, 1)
    assert uniform(0, 1) != uniform(0, 2)
    assert quniform(0, 1, 1) != uniform(0, 1)
    assert Space({"a": [1, 2]}) == Space({"a": choice(1, 2)})


# ------------------------------------------------ log bounds that look real


@pytest.mark.parametrize(
    "expression, sampled, spellings",
    [
        # Rule 1: both bounds in (0, 1], the range within a factor of two.
        (loguniform(1e-5, 1e-1), "[1.00001, 1.10517]",
         ["loguniform(math.log(1e-05), math.log(0.1))", "scipy.stats.loguniform(1e-05, 0.1)"]),
        # Rule 2: low typed as a value in (0, 1), high >= 1.
        (loguniform(0.001, 10), "[1.001, 22026.5]",
         ["loguniform(math.log(0.001), math.log(10))", "scipy.stats.loguniform(0.001, 10)"]),
        (qloguniform(0.001, 10, 1), "[1.001, 22026.5]", ["qloguniform(math.log(0.001), math.log(10), 1)"]),
        # Rule 3: values above 1e10.
        (loguniform(1, 1000), "[2.71828, inf]",
         ["loguniform(math.log(1), math.log(1000))", "scipy.stats.loguniform(1, 1000)"]),
    ],
)
def test_log_bounds_that_look_real_warn_with_the_parameter_the_range_and_the_spelling(
    expression, sampled, spellings
):
    from hdsearch import LogBoundsWarning

    with pytest.warns(LogBoundsWarning) as record:
        Space({"C": expression, "kernel": choice("rbf")})
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith(f"param_distributions['C']: {expression!r} samples C in {sampled}")
    assert f"If you meant C in [{expression.low!r}, {expression.high!r}], write {' or '.join(spellings)}." in message
    # The spellings suggested sample what was meant, and do not warn.
    low, high = expression.low, expression.high
    meant = loguniform(math.log(low), math.log(high))
    assert meant.from_unit(0.0) == pytest.approx(low) and meant.from_unit(1.0) == pytest.approx(high)
    assert not meant.bounds_look_real()


def test_a_log_lower_bound_of_zero_that_looks_real_says_real_bounds_need_a_positive_low():
    from hdsearch import LogBoundsWarning

    with pytest.warns(LogBoundsWarning, match=r"needs a lower bound > 0, got 0\."):
        Space({"n": loguniform(0, 100)})


@pytest.mark.parametrize(
    "expression",
    [loguniform(-3, 5), loguniform(-9, -1), loguniform(-4, -1), loguniform(-3, 3), loguniform(0, 4),
     qloguniform(0, 5, 1), qloguniform(math.log(2), math.log(64), 1), qloguniform(0.0, math.log(100), 1),
     loguniform(-5, 23)],
)
def test_log_bounds_written_as_logarithms_do_not_warn(expression, recwarn):
    Space({"C": expression})
    assert not [w for w in recwarn if "look like real values" in str(w.message)]


def test_a_parameter_whose_log_bounds_look_real_warns_once_across_subspaces():
    from hdsearch import LogBoundsWarning

    with pytest.warns(LogBoundsWarning) as record:
        Space([{"C": loguniform(1e-5, 1e-1), "a": choice(1)}, {"C": loguniform(1e-5, 1e-1)}])
    assert len(record) == 1


def test_randint_with_two_bounds_says_it_samples_from_zero_and_how_to_sample_the_range():
    with pytest.raises(TypeError, match=re.escape(
        "randint(1, 10): randint(upper) takes one argument and samples an integer in [0, upper)"
    )) as raised:
        randint(1, 10)
    assert "choice(range(1, 10)) or scipy.stats.randint(1, 10)" in str(raised.value)
    # Both spellings it suggests sample exactly the integers 1..9.
    assert sorted(set(draws(choice(range(1, 10)), n=500))) == list(range(1, 10))
    assert sorted(set(draws(Space({"n": scipy.stats.randint(1, 10)}).subspaces[0]["n"], n=500))) == list(range(1, 10))
