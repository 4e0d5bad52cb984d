"""The search space: named expressions in one or several subspaces, validated, sampled, encoded.

:class:`Space` turns ``param_distributions`` into expressions (lists become
choices, ``rvs`` objects distributions), warns about log bounds that look
real, and maps parameter sets to and from the unit cube.
"""

import warnings

import numpy as np
from sklearn.model_selection import ParameterGrid

from .._validation import InvalidParameterError
from ._expressions import Choice, Distribution, Expression, LogUniform
from ._log_bounds import LogBoundsWarning, log_bounds_message


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
