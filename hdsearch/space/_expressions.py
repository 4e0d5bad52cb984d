"""Parameter expressions with HyperDrive's exact meaning: what one hyperparameter may take.

Every expression can draw a sample (``rvs``, so scikit-learn's
``ParameterSampler`` samples it) and map to and from the unit interval
(``from_unit`` / ``to_unit``, the encoding Sobol and Bayesian sampling work
in). Log-scaled expressions are uniform in log space there, so a model of the
unit cube models them in log space.
"""

import math
import numbers

import numpy as np
from scipy.stats import norm, rv_discrete
from sklearn.utils import check_random_state

from ._log_bounds import bounds_look_real, safe_exp

_UNIT_EPS = 1e-12


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

        Returns
        -------
        bool
            :func:`~hdsearch.space._log_bounds.bounds_look_real` of ``low``
            and ``high``.
        """
        return bounds_look_real(self.low, self.high)

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
        return f"[{safe_exp(self.low):.6g}, {safe_exp(self.high):.6g}]"

    def _names(self):
        """The builder's name and the ``, q`` argument text."""
        if self.q is None:
            return "loguniform", ""
        return "qloguniform", f", {self.q!r}"


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
