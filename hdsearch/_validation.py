"""A small constraint table for constructor parameters, checked at ``fit``.

scikit-learn's own validator lives in a private module, so hdsearch keeps its
own: each constraint is a predicate plus the words that describe it, and a
failure names the parameter and the value the way scikit-learn does.
"""

import numbers

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A constructor parameter has a value outside its constraints.

    Inherits from both ``ValueError`` and ``TypeError``, like scikit-learn's
    error of the same name, so either ``except`` clause catches it.
    """


class Constraint:
    """One allowed kind of value: a predicate and its description.

    Parameters
    ----------
    accepts : callable
        Returns True for an allowed value.
    description : str
        Words for the error message, e.g. ``"an int >= 1"``.
    """

    def __init__(self, accepts, description):
        self.accepts = accepts
        self.description = description


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


NONE = Constraint(lambda v: v is None, "None")
BOOLEAN = Constraint(lambda v: isinstance(v, (bool, np.bool_)), "a bool")
STRING = Constraint(lambda v: isinstance(v, str), "a str")
CALLABLE = Constraint(callable, "a callable")
REAL = Constraint(_is_real, "a float")


def int_at_least(low):
    """Integers >= ``low``."""
    return Constraint(lambda v: _is_int(v) and v >= low, f"an int >= {low}")


def positive_real():
    """Real numbers > 0."""
    return Constraint(lambda v: _is_real(v) and v > 0, "a float > 0")


def one_of(*options):
    """Exactly one of the given strings."""
    return Constraint(
        lambda v: isinstance(v, str) and v in options, "one of " + ", ".join(map(repr, options))
    )


def instance_of(*types, description):
    """Instances of ``types``."""
    return Constraint(lambda v: isinstance(v, types), description)


def has_methods(*names):
    """Objects (not classes) with all of the named methods."""
    return Constraint(
        lambda v: not isinstance(v, type) and all(callable(getattr(v, name, None)) for name in names),
        "an object with " + " and ".join(f"a {name!r} method" for name in names),
    )


def validate_parameters(owner, constraints):
    """Check ``owner``'s parameters against ``constraints``.

    Parameters
    ----------
    owner : estimator object
        Read through ``get_params(deep=False)``.
    constraints : dict of str to list of Constraint
        A parameter is valid when any of its constraints accepts it.

    Raises
    ------
    InvalidParameterError
        Naming the first invalid parameter and its value.
    """
    params = owner.get_params(deep=False)
    for name, allowed in constraints.items():
        value = params[name]
        if any(constraint.accepts(value) for constraint in allowed):
            continue
        descriptions = [constraint.description for constraint in allowed]
        expected = (
            descriptions[0]
            if len(descriptions) == 1
            else ", ".join(descriptions[:-1]) + " or " + descriptions[-1]
        )
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(owner).__name__} must be {expected}. "
            f"Got {value!r} instead."
        )
