"""Parameter expressions with HyperDrive's exact meaning, and the search Space.

Every expression can draw a sample (``rvs``, so scikit-learn's
``ParameterSampler`` samples it) and map to and from the unit interval
(``from_unit`` / ``to_unit``, the encoding Sobol and Bayesian sampling work
in). Log-scaled expressions are uniform in log space there, so a model of the
unit cube models them in log space.

This module is pure: no joblib, no estimators.
"""

import math
import numbers
import warnings

import numpy as np
from scipy.stats import norm, rv_discrete
from sklearn.model_selection import ParameterGrid
from sklearn.utils import check_random_state

from ._validation import InvalidParameterError

_UNIT_EPS = 1e-12
#: Above ``exp(_LOG_HIGH_LIMIT)`` = 1e10 no hyperparameter plausibly goes: such
#: an upper bound was meant as a real value (``loguniform(1, 1000)``).
_LOG_HIGH_LIMIT = math.log(1e10)


class LogBoundsWarning(UserWarning):
    """``loguniform`` or ``qloguniform`` bounds that look like real values, not logarithms.

    HyperDrive's bounds are natural logarithms: ``loguniform(1e-5, 1e-1)``
    samples values between 1.00001 and 1.105. :class:`Space` warns once per
    parameter, with the spelling that samples the real-valued range instead.
    """


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_finite(expression, **arguments):
    for name, value in arguments.items():
        if not _is_number(value) or not math.isfinite(value):
            raise ValueError(f"{expression}: {name} must be a finite number, got {name}={value!r}")


def _check_low_high(expression, low, high):
    _check_finite(expression, low=low, high=high)
    if low >= high:
        raise ValueError(f"{expression}: low must be < high, got low={low!r}, high={high!r}")


def _check_sigma(expression, sigma):
    _check_finite(expression, sigma=sigma)
    # HyperDrive rejects sigma < 0; sigma == 0 would be a constant, so it is rejected too.
    if sigma <= 0:
        raise ValueError(f"{expression}: sigma must be > 0, got sigma={sigma!r}")


def _check_q(expression, q):
    _check_finite(expression, q=q)
    if q <= 0:
        raise ValueError(f"{expression}: q must be > 0, got q={q!r}")


class Expression:
    """A parameter expression: what one hyperparameter may take.

    Subclasses implement ``rvs``, ``from_unit`` and ``to_unit``.
    """

    is_log = False
    is_categorical = False

    @property
    def is_integer(self):
        """Whether every value is an ``int``."""
        return False

    def rvs(self, random_state=None):
        """Draw one value.

        Parameters
        ----------
        random_state : int, RandomState instance or None
            Passed through ``sklearn.utils.check_random_state``.
        """
        raise NotImplementedError

    def from_unit(self, u):
        """The value at quantile ``u`` in [0, 1]."""
        raise NotImplementedError

    def to_unit(self, value):
        """The quantile in [0, 1] of ``value``; inverse of ``from_unit``."""
        raise NotImplementedError

    def _arguments(self):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__.lower()}({', '.join(map(repr, self._arguments()))})"

    def __eq__(self, other):
        return type(self) is type(other) and self._arguments() == other._arguments()

    def __hash__(self):
        return hash((type(self).__name__, repr(self._arguments())))


class Choice(Expression):
    """One of a list of options (HyperDrive's ``choice``).

    Parameters
    ----------
    options : list
        The options, any objects.
    """

    is_categorical = True

    def __init__(self, options):
        self.options = list(options)
        if not self.options:
            raise ValueError("choice: options must not be empty, got options=[]")

    @property
    def is_integer(self):
        return all(isinstance(o, numbers.Integral) and not isinstance(o, bool) for o in self.options)

    def rvs(self, random_state=None):
        rng = check_random_state(random_state)
        return self.options[rng.randint(len(self.options))]

    def from_unit(self, u):
        n = len(self.options)
        return self.options[min(int(math.floor(u * n)), n - 1)]

    def to_unit(self, value):
        # The same object first, then an equal option of the same type, then
        # any equal one: 1 and 1.0 (or 0 and False) mean different things to
        # scikit-learn (max_features), so they must not encode alike.
        matches = (
            lambda option: option is value,
            lambda option: type(option) is type(value) and _equal(option, value),
            lambda option: _equal(option, value),
        )
        for match in matches:
            for index, option in enumerate(self.options):
                if match(option):
                    return (index + 0.5) / len(self.options)
        raise ValueError(f"choice: {value!r} is not one of the options {self.options!r}")

    def _arguments(self):
        return tuple(self.options)


def _equal(a, b):
    try:
        return bool(a == b)
    except Exception:  # arrays and odd objects: identity only
        return False


class RandInt(Expression):
    """An integer in [0, upper) (HyperDrive's ``randint``).

    Parameters
    ----------
    upper : int
        Exclusive upper bound, >= 1.
    """

    def __init__(self, upper):
        if not isinstance(upper, numbers.Integral) or isinstance(upper, bool) or upper < 1:
            raise ValueError(f"randint: upper must be an int >= 1, got upper={upper!r}")
        self.upper = int(upper)

    @property
    def is_integer(self):
        return True

    def rvs(self, random_state=None):
        return int(check_random_state(random_state).randint(self.upper))

    def from_unit(self, u):
        return min(int(math.floor(u * self.upper)), self.upper - 1)

    def to_unit(self, value):
        return (value + 0.5) / self.upper

    def _arguments(self):
        return (self.upper,)


class _Quantizable(Expression):
    """A continuous expression, rounded to multiples of ``q`` when ``q`` is given."""

    q = None

    @property
    def is_integer(self):
        return isinstance(self.q, numbers.Integral) and not isinstance(self.q, bool)

    def with_q(self, q):
        """The same expression rounded to multiples of ``q`` instead.

        Parameters
        ----------
        q : int or float

        Returns
        -------
        Expression
            ``quniform(2, 10, 1)`` from ``uniform(2, 10)`` or ``quniform(2, 10, 1.0)``.
        """
        return type(self)(*self._arguments()[:2], q)

    def _finish(self, raw):
        if self.q is None:
            return float(raw)
        rounded = np.round(raw / self.q) * self.q
        return int(rounded) if self.is_integer else float(rounded)

    def _raw(self, rng):
        raise NotImplementedError

    def _raw_from_unit(self, u):
        raise NotImplementedError

    def _unit_from_raw(self, raw):
        raise NotImplementedError

    def rvs(self, random_state=None):
        return self._finish(self._raw(check_random_state(random_state)))

    def from_unit(self, u):
        return self._finish(self._raw_from_unit(float(u)))

    def to_unit(self, value):
        return float(np.clip(self._unit_from_raw(float(value)), 0.0, 1.0))

    def __repr__(self):
        name = type(self).__name__.lower()
        return f"{'q' if self.q is not None else ''}{name}({', '.join(map(repr, self._arguments()))})"


class Uniform(_Quantizable):
    """Uniform in [low, high] (``uniform``, ``quniform``)."""

    def __init__(self, low, high, q=None):
        name = "uniform" if q is None else "quniform"
        _check_low_high(name, low, high)
        if q is not None:
            _check_q(name, q)
        self.low, self.high, self.q = low, high, q

    def _raw(self, rng):
        return rng.uniform(self.low, self.high)

    def _raw_from_unit(self, u):
        return self.low + u * (self.high - self.low)

    def _unit_from_raw(self, raw):
        return (raw - self.low) / (self.high - self.low)

    def _arguments(self):
        return (self.low, self.high) + (() if self.q is None else (self.q,))


class LogUniform(Uniform):
    """``exp(uniform(low, high))``: bounds in log space (``loguniform``, ``qloguniform``).

    :meth:`bounds_look_real` says when the bounds look like real values.
    """

    is_log = True

    def __init__(self, low, high, q=None):
        name = "loguniform" if q is None else "qloguniform"
        _check_low_high(name, low, high)
        if q is not None:
            _check_q(name, q)
        self.low, self.high, self.q = low, high, q

    def _raw(self, rng):
        return math.exp(rng.uniform(self.low, self.high))

    def _raw_from_unit(self, u):
        return math.exp(super()._raw_from_unit(u))

    def _unit_from_raw(self, raw):
        return super()._unit_from_raw(math.log(max(raw, 1e-300)))

    def bounds_look_real(self):
        """Whether the log-space bounds look like real values that were meant instead.

        True under any of three rules (``loguniform``'s docstring explains them):

        1. ``0 < low < high <= 1`` and ``exp(high) / exp(low) < 2``;
        2. ``0 < low < 1`` written with at most 3 significant digits (0.001,
           1e-4, 0.25, not ``math.log(2)``) and ``high >= 1``;
        3. ``high > log(1e10)``.

        Returns
        -------
        bool
        """
        low, high = self.low, self.high
        within_factor_two = 0 < low < high <= 1 and high - low < math.log(2)
        low_typed_as_a_value = 0 < low < 1 and float(f"{low:.3g}") == low and high >= 1
        return within_factor_two or low_typed_as_a_value or high > _LOG_HIGH_LIMIT

    def real_value_spellings(self):
        """The spellings that sample ``[low, high]`` in real values, in Python.

        Returns
        -------
        list of str
            ``loguniform(math.log(low), math.log(high))`` and, without ``q``,
            ``scipy.stats.loguniform(low, high)``; empty when ``low <= 0``
            (no real-valued log range starts there).
        """
        if self.low <= 0:
            return []
        name, q = self._names()
        spellings = [f"{name}(math.log({self.low!r}), math.log({self.high!r}){q})"]
        if self.q is None:
            spellings.append(f"scipy.stats.loguniform({self.low!r}, {self.high!r})")
        return spellings

    def spelling_with_log_bounds(self):
        """This expression with ``log(low)`` and ``log(high)`` as numbers, e.g. ``"loguniform(-11.5129, -2.30259)"``.

        For a spec file, where ``math.log`` cannot be written.

        Returns
        -------
        str or None
            None when ``low <= 0``.
        """
        if self.low <= 0:
            return None
        name, q = self._names()
        return f"{name}({math.log(self.low):.6g}, {math.log(self.high):.6g}{q})"

    def sampled_range_text(self):
        """``"[exp(low), exp(high)]"`` with both ends computed, e.g. ``"[1.00001, 1.10517]"``."""
        return f"[{_safe_exp(self.low):.6g}, {_safe_exp(self.high):.6g}]"

    def _names(self):
        """The builder's name and the ``, q`` argument text."""
        if self.q is None:
            return "loguniform", ""
        return "qloguniform", f", {self.q!r}"


def _safe_exp(x):
    return math.exp(x) if x < 709 else math.inf


def log_bounds_message(name, expression, spellings):
    """The warning text for ``expression`` on parameter ``name`` whose bounds look real.

    Parameters
    ----------
    name : str
        The parameter.
    expression : LogUniform
    spellings : list of str
        What to write instead to sample ``[low, high]`` in real values.

    Returns
    -------
    str
    """
    low, high = expression.low, expression.high
    instead = (
        f"If you meant {name} in [{low!r}, {high!r}], write {' or '.join(spellings)}."
        if spellings
        else f"A range of real values for a log scale needs a lower bound > 0, got {low!r}."
    )
    drawn = f"exp(uniform({low!r}, {high!r}))"
    if expression.q is not None:
        drawn = f"round({drawn} / {expression.q!r}) * {expression.q!r}"
    return (
        f"{expression!r} samples {name} in {expression.sampled_range_text()}: its bounds are natural "
        f"logarithms (HyperDrive's meaning, {name} = {drawn}), but they look like real values. {instead}"
    )


class Normal(_Quantizable):
    """Gaussian with mean ``mu`` and deviation ``sigma`` (``normal``, ``qnormal``)."""

    def __init__(self, mu, sigma, q=None):
        name = "normal" if q is None else "qnormal"
        _check_finite(name, mu=mu)
        _check_sigma(name, sigma)
        if q is not None:
            _check_q(name, q)
        self.mu, self.sigma, self.q = mu, sigma, q

    def _raw(self, rng):
        return rng.normal(self.mu, self.sigma)

    def _raw_from_unit(self, u):
        return self.mu + self.sigma * float(norm.ppf(np.clip(u, _UNIT_EPS, 1 - _UNIT_EPS)))

    def _unit_from_raw(self, raw):
        return float(norm.cdf((raw - self.mu) / self.sigma))

    def _arguments(self):
        return (self.mu, self.sigma) + (() if self.q is None else (self.q,))


class LogNormal(Normal):
    """``exp(normal(mu, sigma))`` (``lognormal``, ``qlognormal``)."""

    is_log = True

    def __init__(self, mu, sigma, q=None):
        name = "lognormal" if q is None else "qlognormal"
        _check_finite(name, mu=mu)
        _check_sigma(name, sigma)
        if q is not None:
            _check_q(name, q)
        self.mu, self.sigma, self.q = mu, sigma, q

    def _raw(self, rng):
        return math.exp(rng.normal(self.mu, self.sigma))

    def _raw_from_unit(self, u):
        return math.exp(super()._raw_from_unit(u))

    def _unit_from_raw(self, raw):
        return super()._unit_from_raw(math.log(max(raw, 1e-300)))


class Distribution(Expression):
    """Any object with ``rvs(random_state=...)``, e.g. a frozen scipy.stats distribution.

    scipy's meaning applies: ``scipy.stats.loguniform(1e-4, 1)`` has bounds
    in real space.

    Parameters
    ----------
    distribution : object
        Has ``rvs``; ``ppf`` and ``cdf`` for the unit-cube encoding.
    """

    def __init__(self, distribution):
        self.distribution = distribution

    @property
    def is_integer(self):
        return self._is_discrete()

    def _is_discrete(self):
        return isinstance(getattr(self.distribution, "dist", None), rv_discrete)

    def rvs(self, random_state=None):
        return self.distribution.rvs(random_state=random_state)

    def from_unit(self, u):
        ppf = getattr(self.distribution, "ppf", None)
        if ppf is None:
            raise ValueError(
                f"{self.distribution!r} has no ppf: it cannot be sampled through the unit cube "
                "(Sobol or Bayesian sampling); use random sampling or a hdsearch expression."
            )
        value = ppf(np.clip(u, _UNIT_EPS, 1 - _UNIT_EPS))
        return int(value) if self._is_discrete() else float(value)

    def to_unit(self, value):
        return float(np.clip(self.distribution.cdf(value), 0.0, 1.0))

    def _arguments(self):
        dist = self.distribution
        name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
        return (name, tuple(getattr(dist, "args", ())), tuple(sorted(getattr(dist, "kwds", {}).items())))

    def __repr__(self):
        name, args, kwds = self._arguments()
        inner = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwds])
        return f"scipy.stats.{name}({inner})"


# ------------------------------------------------------------------ builders


def choice(*options):
    """One of the options; ``choice(1, 2)``, ``choice([1, 2])`` and ``choice(range(3))`` all work.

    Parameters
    ----------
    *options : objects, or one list, tuple or range
        The options.

    Returns
    -------
    Choice

    Examples
    --------
    >>> choice("rbf", "linear")
    choice('rbf', 'linear')
    """
    if len(options) == 1 and isinstance(options[0], (list, tuple, range)):
        options = options[0]
    return Choice(options)


def randint(upper, *bounds):
    """An integer in [0, upper) (HyperDrive's ``randint`` has no lower bound).

    Parameters
    ----------
    upper : int
        Exclusive upper bound.
    *bounds
        Rejected: ``randint(1, 10)`` raises a TypeError saying how to sample
        [1, 10) (``choice(range(1, 10))`` or ``scipy.stats.randint(1, 10)``).

    Returns
    -------
    RandInt
    """
    if bounds:
        raise TypeError(_randint_message((upper, *bounds)))
    return RandInt(upper)


def _randint_message(arguments):
    """Why ``randint(*arguments)`` with more than one argument is an error, and what to write."""
    called = f"randint({', '.join(map(repr, arguments))})"
    low, high = arguments[0], arguments[1]
    return (
        f"{called}: randint(upper) takes one argument and samples an integer in [0, upper), as HyperDrive's "
        f"does. For an integer in [{low!r}, {high!r}) write choice(range({low!r}, {high!r})) or "
        f"scipy.stats.randint({low!r}, {high!r}) (in a spec file, the array of the integers)."
    )


def uniform(low, high):
    """A float in [low, high].

    Parameters
    ----------
    low, high : float

    Returns
    -------
    Uniform
    """
    return Uniform(low, high)


def quniform(low, high, q):
    """``round(uniform(low, high) / q) * q``; an int when ``q`` is an int.

    Parameters
    ----------
    low, high : float
    q : int or float
        Quantization step, > 0.

    Returns
    -------
    Uniform
    """
    return Uniform(low, high, q)


def loguniform(low, high):
    """``exp(uniform(low, high))``: the bounds are in log space (HyperDrive's meaning).

    For values between 1e-5 and 0.1, write ``loguniform(math.log(1e-5),
    math.log(0.1))`` or ``scipy.stats.loguniform(1e-5, 0.1)``.

    :class:`Space` (so every search) warns with a :class:`LogBoundsWarning`,
    naming the parameter, when the bounds look like real values:

    1. both in (0, 1] and the sampled range narrower than a factor of two
       (``loguniform(1e-5, 1e-1)`` samples 1.00001 to 1.105);
    2. ``low`` a fraction in (0, 1) written with at most 3 significant
       digits, as values are typed (0.001, 1e-4, 0.25, not ``math.log(2)``),
       and ``high >= 1`` (``loguniform(0.001, 10)`` samples 1.001 to 22026);
    3. ``high > log(1e10)`` = 23.03, values above 1e10
       (``loguniform(1, 1000)``).

    Negative, zero or integer bounds (``loguniform(-3, 5)``,
    ``loguniform(0, 4)``) and ``math.log`` results never warn.

    Parameters
    ----------
    low, high : float
        Natural logarithms of the smallest and largest values.

    Returns
    -------
    LogUniform

    Examples
    --------
    >>> loguniform(-3, 3)   # values in [exp(-3), exp(3)], about [0.05, 20]
    loguniform(-3, 3)
    """
    return LogUniform(low, high)


def qloguniform(low, high, q):
    """``round(exp(uniform(low, high)) / q) * q``.

    Bounds that look like real values warn as in :func:`loguniform`.

    Parameters
    ----------
    low, high : float
        Bounds in log space.
    q : int or float
        Quantization step, > 0.

    Returns
    -------
    LogUniform
    """
    return LogUniform(low, high, q)


def normal(mu, sigma):
    """A Gaussian.

    Parameters
    ----------
    mu : float
    sigma : float
        Standard deviation, > 0.

    Returns
    -------
    Normal
    """
    return Normal(mu, sigma)


def qnormal(mu, sigma, q):
    """``round(normal(mu, sigma) / q) * q``.

    Parameters
    ----------
    mu, sigma : float
    q : int or float

    Returns
    -------
    Normal
    """
    return Normal(mu, sigma, q)


def lognormal(mu, sigma):
    """``exp(normal(mu, sigma))``.

    Parameters
    ----------
    mu, sigma : float

    Returns
    -------
    LogNormal
    """
    return LogNormal(mu, sigma)


def qlognormal(mu, sigma, q):
    """``round(exp(normal(mu, sigma)) / q) * q``.

    Parameters
    ----------
    mu, sigma : float
    q : int or float

    Returns
    -------
    LogNormal
    """
    return LogNormal(mu, sigma, q)


def as_expression(name, value):
    """Normalize one ``param_distributions`` value to an Expression.

    Parameters
    ----------
    name : str
        The parameter, for error messages.
    value : Expression, list, tuple, range or object with ``rvs``

    Returns
    -------
    Expression

    Raises
    ------
    ValueError
        For an empty list or a multi-dimensional array, in scikit-learn's words.
    InvalidParameterError
        Both a ``TypeError`` (scikit-learn's type) and a ``ValueError``, for
        anything else that is not a list of options, an expression or an
        ``rvs`` object, such as a bare value or a string.
    """
    if isinstance(value, Expression):
        return value
    if hasattr(value, "rvs"):
        return Distribution(value)
    if isinstance(value, np.ndarray) and value.ndim > 1:
        raise ValueError(
            f"Parameter array for {name!r} should be one-dimensional, got: {value!r} "
            f"with shape {value.shape}"
        )
    if isinstance(value, (list, tuple, range, np.ndarray)):
        if len(value) == 0:
            # scikit-learn's words, grammar included.
            raise ValueError(
                f"Parameter grid for parameter {name!r} need to be a non-empty sequence, "
                f"got: {value!r}"
            )
        return Choice(value)
    # A TypeError as in scikit-learn, and a ValueError as hdsearch raised before.
    hint = f" Use choice({value!r}) or [{value!r}]." if isinstance(value, str) else ""
    raise InvalidParameterError(
        f"Parameter grid for parameter {name!r} needs to be a list or a numpy array, but got "
        f"{value!r} (of type {type(value).__name__}) instead. Single values need to be wrapped "
        f"in a list with one element. An expression (choice, uniform, ...) or an object with "
        f"rvs is accepted too.{hint}"
    )


class Space:
    """A validated search space: one or several subspaces of named expressions.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        Names mapped to expressions, lists or ``rvs`` objects. A list of dicts
        is a conditional space: each candidate comes from one of the dicts.
    warn_log_bounds : bool, default=True
        Warn (:class:`LogBoundsWarning`, once per parameter) about
        ``loguniform``/``qloguniform`` bounds that look like real values;
        False where a search that already warned is read back.

    Attributes
    ----------
    subspaces : list of dict
        Each dict maps parameter names, sorted, to Expressions.
    """

    def __init__(self, param_distributions, *, warn_log_bounds=True):
        self.param_distributions = param_distributions
        if isinstance(param_distributions, dict):
            dicts, self._is_list = [param_distributions], False
        elif isinstance(param_distributions, list) and param_distributions and all(
            isinstance(d, dict) for d in param_distributions
        ):
            dicts, self._is_list = param_distributions, True
        else:
            raise ValueError(
                "param_distributions must be a dict or a non-empty list of dicts, "
                f"got {param_distributions!r}"
            )
        self.subspaces = []
        for subspace in dicts:
            for name in subspace:
                if not isinstance(name, str):
                    raise ValueError(f"param_distributions: parameter names must be str, got {name!r}")
            self.subspaces.append({name: as_expression(name, subspace[name]) for name in sorted(subspace)})
        if warn_log_bounds:
            self._warn_about_log_bounds()

    def _warn_about_log_bounds(self):
        """One :class:`LogBoundsWarning` per parameter whose log bounds look like real values."""
        for name, expression in self._log_bounds_that_look_real():
            message = log_bounds_message(name, expression, expression.real_value_spellings())
            warnings.warn(f"param_distributions[{name!r}]: {message}", LogBoundsWarning, stacklevel=3)

    def _log_bounds_that_look_real(self):
        """``(name, expression)`` pairs, each once, whose log bounds look like real values."""
        seen = []
        for subspace in self.subspaces:
            for name, expression in subspace.items():
                if isinstance(expression, LogUniform) and expression.bounds_look_real():
                    if (name, expression) not in seen:
                        seen.append((name, expression))
        return seen

    @property
    def param_names(self):
        """Sorted names of every parameter of every subspace."""
        return sorted({name for subspace in self.subspaces for name in subspace})

    def to_sklearn(self):
        """The space as scikit-learn's searches take it: choices as lists, scipy objects as given.

        Returns
        -------
        dict or list of dict
        """
        converted = [
            {name: _as_sklearn(expression) for name, expression in subspace.items()}
            for subspace in self.subspaces
        ]
        return converted if self._is_list else converted[0]

    def grid(self):
        """The ``ParameterGrid`` of a choice-only space.

        Raises
        ------
        ValueError
            Naming the first parameter that is not a choice.
        """
        for subspace in self.subspaces:
            for name, expression in subspace.items():
                if not isinstance(expression, Choice):
                    raise ValueError(
                        "Grid sampling accepts only choice expressions or lists; "
                        f"parameter {name!r} is {expression!r}"
                    )
        return ParameterGrid(self.to_sklearn())

    def n_dims(self, subspace_index):
        """Number of unit-cube coordinates of a subspace (one per parameter)."""
        return len(self.subspaces[subspace_index])

    def from_unit(self, subspace_index, u):
        """Parameters at unit-cube point ``u`` (sorted-name order) of a subspace."""
        subspace = self.subspaces[subspace_index]
        return {name: expr.from_unit(float(x)) for (name, expr), x in zip(subspace.items(), u)}

    def to_unit(self, subspace_index, params):
        """Unit-cube point of ``params`` in a subspace; inverse of ``from_unit``."""
        subspace = self.subspaces[subspace_index]
        return np.array([expr.to_unit(params[name]) for name, expr in subspace.items()], dtype=float)

    def __repr__(self):
        parts = [
            "{" + ", ".join(f"{name!r}: {expr!r}" for name, expr in subspace.items()) + "}"
            for subspace in self.subspaces
        ]
        return f"Space([{', '.join(parts)}])" if self._is_list else f"Space({parts[0]})"

    def __eq__(self, other):
        return isinstance(other, Space) and self.subspaces == other.subspaces

    def __hash__(self):
        return hash(repr(self))


def _as_sklearn(expression):
    if isinstance(expression, Choice):
        return list(expression.options)
    if isinstance(expression, Distribution):
        return expression.distribution
    return expression
