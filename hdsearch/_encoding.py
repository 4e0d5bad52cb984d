"""The feature encoding a Gaussian process works in, built on the Space's unit cube.

Two coordinate systems are used:

- **raw coordinates**: one number in [0, 1] per parameter, as
  ``Space.from_unit`` takes them; candidates are drawn here (Sobol, local
  perturbations);
- **features**: what the Gaussian process sees. A continuous, integer,
  quantized or numeric-choice parameter is one feature (its snapped unit
  coordinate); a non-numeric ``choice`` is one-hot (one feature per option).

*Snapping* maps raw coordinates to the features of the parameter values they
decode to, so integer and quantized parameters are modelled at the values that
will actually run. Log-scaled expressions are uniform in log space on the unit
cube, so they are modelled in log space; normal and lognormal through their
quantile transform (clipped to the 0.1% and 99.9% quantiles, so proposals stay
finite and sensible).

A list of dicts (a conditional space) becomes one feature vector: a one-hot
indicator of the dict, then one block of features per dict; the blocks of the
dicts a point does not belong to hold a constant 0 (imputation of inactive
parameters, as SMAC does).

This module is pure: numpy and scipy only.
"""

import math
import numbers

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import rv_discrete

from .space import Choice, Distribution, LogNormal, LogUniform, Normal, RandInt, Uniform

# Quantile-encoded expressions are unbounded; proposals stay within these quantiles.
_QUANTILE_LOW, _QUANTILE_HIGH = 1e-3, 1 - 1e-3
_TINY = 1e-300


def _bin_index(u, k):
    """Index of the bin of ``u`` among ``k`` equal bins of [0, 1]."""
    return np.minimum(np.floor(np.asarray(u, dtype=float) * k), k - 1).astype(int).clip(0)


def _bin_center(index, k):
    return (np.asarray(index, dtype=float) + 0.5) / k


class _Codec:
    """How one parameter maps between raw coordinates, values and features."""

    n_columns = 1
    n_values = None  # number of values when finite, else None
    refinable = True  # whether a gradient refinement may move it

    def __init__(self, expression):
        self.expression = expression

    def snap(self, u):
        """Features (m, n_columns) of the values that raw coordinates ``u`` (m,) decode to."""
        raise NotImplementedError

    def raw(self, columns):
        """Raw coordinates (m,) from features (m, n_columns)."""
        return columns[:, 0]

    def decode(self, u):
        """The parameter value at raw coordinate ``u``."""
        return self.expression.from_unit(float(u))

    def encode(self, value):
        """Features (n_columns,) of a parameter value; ValueError if not a value of it."""
        raise NotImplementedError


class _OneHotCodec(_Codec):
    """A choice of non-numeric options: one feature per option."""

    refinable = False

    def __init__(self, expression):
        super().__init__(expression)
        self.n_columns = self.n_values = len(expression.options)

    def snap(self, u):
        return np.eye(self.n_columns)[_bin_index(u, self.n_columns)]

    def raw(self, columns):
        return _bin_center(np.argmax(columns, axis=1), self.n_columns)

    def encode(self, value):
        index = int(self.expression.to_unit(value) * self.n_columns)
        return np.eye(self.n_columns)[index]


class _OrdinalCodec(_Codec):
    """A choice of numbers: one feature, the options in increasing order, equally spaced."""

    def __init__(self, expression):
        super().__init__(expression)
        options = expression.options
        self.n_values = len(options)
        self._order = sorted(range(len(options)), key=lambda i: float(options[i]))
        self._rank = {position: rank for rank, position in enumerate(self._order)}

    def snap(self, u):
        return _bin_center(_bin_index(u, self.n_values), self.n_values)[:, None]

    def decode(self, u):
        return self.expression.options[self._order[int(_bin_index(u, self.n_values))]]

    def encode(self, value):
        position = int(self.expression.to_unit(value) * self.n_values)
        return np.array([(self._rank[position] + 0.5) / self.n_values])


class _IntegerCodec(_Codec):
    """``randint(upper)``: one feature, the center of the value's bin."""

    def __init__(self, expression):
        super().__init__(expression)
        self.n_values = expression.upper

    def snap(self, u):
        return _bin_center(_bin_index(u, self.n_values), self.n_values)[:, None]

    def encode(self, value):
        if not isinstance(value, numbers.Integral) or not 0 <= value < self.n_values:
            raise ValueError(f"{value!r} is not a value of {self.expression!r}")
        return np.array([self.expression.to_unit(value)])


class _ContinuousCodec(_Codec):
    """uniform, loguniform, normal, lognormal (optionally quantized) and scipy distributions."""

    def __init__(self, expression):
        super().__init__(expression)
        self._quantile = isinstance(expression, (Normal, Distribution))
        self.low, self.high = (_QUANTILE_LOW, _QUANTILE_HIGH) if self._quantile else (0.0, 1.0)
        self._discrete = isinstance(expression, Distribution) and isinstance(
            getattr(expression.distribution, "dist", None), rv_discrete
        )
        self._snaps = getattr(expression, "q", None) is not None or self._discrete
        if isinstance(expression, Distribution) and not hasattr(expression.distribution, "ppf"):
            raise ValueError(
                f"{expression.distribution!r} has no ppf: Bayesian sampling needs the quantile "
                "transform; use random sampling or a hdsearch expression."
            )

    def snap(self, u):
        u = np.clip(np.asarray(u, dtype=float), self.low, self.high)
        if self._snaps:
            u = np.clip(self._unit_of(self._value_of(u)), self.low, self.high)
        return u[:, None]

    def decode(self, u):
        return self.expression.from_unit(float(np.clip(u, self.low, self.high)))

    def encode(self, value):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a value of {self.expression!r}")
        return np.array([np.clip(self.expression.to_unit(value), self.low, self.high)])

    def _value_of(self, u):
        """Vectorized ``from_unit``."""
        expr = self.expression
        if isinstance(expr, Distribution):
            return expr.distribution.ppf(u)
        if isinstance(expr, Normal):
            raw = expr.mu + expr.sigma * ndtri(u)
        else:
            raw = expr.low + u * (expr.high - expr.low)
        if isinstance(expr, (LogUniform, LogNormal)):
            raw = np.exp(raw)
        return np.round(raw / expr.q) * expr.q

    def _unit_of(self, value):
        """Vectorized ``to_unit``."""
        expr = self.expression
        if isinstance(expr, Distribution):
            return expr.distribution.cdf(value)
        if isinstance(expr, (LogUniform, LogNormal)):
            value = np.log(np.maximum(value, _TINY))
        if isinstance(expr, Normal):
            return ndtr((value - expr.mu) / expr.sigma)
        return (value - expr.low) / (expr.high - expr.low)


def _codec_for(expression):
    if isinstance(expression, Choice):
        numeric = all(
            isinstance(o, numbers.Real) and not isinstance(o, (bool, np.bool_)) and math.isfinite(o)
            for o in expression.options
        )
        return _OrdinalCodec(expression) if numeric else _OneHotCodec(expression)
    if isinstance(expression, RandInt):
        return _IntegerCodec(expression)
    if isinstance(expression, (Uniform, Normal, Distribution)):
        return _ContinuousCodec(expression)
    raise ValueError(f"Bayesian sampling cannot encode the expression {expression!r}")


class SpaceEncoding:
    """Feature encoding of a whole (possibly conditional) Space.

    Parameters
    ----------
    space : Space

    Attributes
    ----------
    n_features : int
        Columns of a feature matrix.
    n_subspaces : int
    """

    def __init__(self, space):
        self.space = space
        self.n_subspaces = len(space.subspaces)
        self._codecs = [[_codec_for(e) for e in sub.values()] for sub in space.subspaces]
        self._names = [list(sub) for sub in space.subspaces]
        self._leading = self.n_subspaces if self.n_subspaces > 1 else 0
        self._blocks = []
        start = self._leading
        for codecs in self._codecs:
            columns = []
            for codec in codecs:
                columns.append(np.arange(start, start + codec.n_columns))
                start += codec.n_columns
            self._blocks.append(columns)
        self.n_features = start

    def n_raw(self, index):
        """Raw coordinates of subspace ``index`` (one per parameter)."""
        return len(self._codecs[index])

    def refinable_columns(self, index):
        """Feature columns of subspace ``index`` a local refinement may move."""
        cols = [c for codec, c in zip(self._codecs[index], self._blocks[index]) if codec.refinable]
        return np.concatenate(cols) if cols else np.array([], dtype=int)

    def n_values(self, index):
        """Number of distinct parameter sets of subspace ``index``, or None when infinite."""
        counts = [codec.n_values for codec in self._codecs[index]]
        return None if None in counts else math.prod(counts)

    def grid(self, index):
        """Raw coordinates of every parameter set of a finite subspace, shape (n, d)."""
        axes = [_bin_center(np.arange(codec.n_values), codec.n_values) for codec in self._codecs[index]]
        if not axes:
            return np.zeros((1, 0))
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)

    def snap(self, index, raw):
        """Features (m, n_features) of the parameter sets raw points (m, d) decode to."""
        raw = np.atleast_2d(np.asarray(raw, dtype=float))
        features = np.zeros((raw.shape[0], self.n_features))
        if self._leading:
            features[:, index] = 1.0
        for j, (codec, cols) in enumerate(zip(self._codecs[index], self._blocks[index])):
            features[:, cols] = codec.snap(raw[:, j])
        return features

    def raw(self, index, features):
        """Raw coordinates (m, d) of feature rows of subspace ``index``."""
        features = np.atleast_2d(features)
        columns = [codec.raw(features[:, cols]) for codec, cols in zip(self._codecs[index], self._blocks[index])]
        return np.stack(columns, axis=1) if columns else np.zeros((features.shape[0], 0))

    def decode(self, index, features):
        """The parameter dict of one feature row of subspace ``index``."""
        raw = self.raw(index, features)[0]
        return {name: codec.decode(u) for name, codec, u in zip(self._names[index], self._codecs[index], raw)}

    def encode(self, params):
        """(subspace index, features) of a parameter dict, or None when no subspace holds it.

        Parameters
        ----------
        params : dict

        Returns
        -------
        tuple of (int, ndarray) or None
        """
        for index, names in enumerate(self._names):
            if set(names) != set(params):
                continue
            try:
                row = np.zeros(self.n_features)
                if self._leading:
                    row[index] = 1.0
                for name, codec, cols in zip(names, self._codecs[index], self._blocks[index]):
                    row[cols] = codec.encode(params[name])
            except (ValueError, TypeError):
                continue
            return index, row
        return None
