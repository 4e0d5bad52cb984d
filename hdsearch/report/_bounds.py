"""The best trial at the edge of its search space: a sign the space is too narrow.

A numeric range (``uniform``, ``quniform``, ``loguniform``, ``qloguniform``,
``randint``) has bounds; ``normal`` and the others do not, and neither does a
``choice``. A value *sits at a bound* when it lies in the outer
:data:`BOUND_FRACTION` of its range, measured in the expression's own scale
(log space for the log ones): the best value may well lie beyond it.
"""

import ast
import re
from dataclasses import dataclass

from .. import space as _space

#: The outer share of a range, at each end, where a value counts as at a bound.
#: 5 %: one draw in ten of a uniform sampling lands there, so a best trial
#: there is worth a look without being rare noise at the very edge only.
BOUND_FRACTION = 0.05

_BOUNDED = {
    "uniform": _space.uniform,
    "quniform": _space.quniform,
    "loguniform": _space.loguniform,
    "qloguniform": _space.qloguniform,
    "randint": _space.randint,
}
_SPEC_BOUNDED = re.compile(r"'(?P<name>[^']+)':\s*(?P<expr>" + "|".join(_BOUNDED) + r")\((?P<args>[^()]*)\)")


@dataclass(frozen=True)
class AtBound:
    """A hyperparameter value at a bound of its range.

    Parameters
    ----------
    trial_id : int
    name : str
    value : int or float
    side : {"lower", "upper"}
    expression : str
        The range, as it prints (``loguniform(-3, 3)``).
    """

    trial_id: int
    name: str
    value: object
    side: str
    expression: str

    def message(self):
        """One line for a report: which value, which bound, what to do."""
        return (
            f"{self.name}={self.value!r} sits at the {self.side} bound of {self.expression} "
            f"(its outer {BOUND_FRACTION:.0%}): the best value may lie beyond; consider widening the range."
        )


def bounded_expressions(subspaces):
    """The numeric ranges of a space, by parameter name.

    A name whose range differs between the subspaces of a conditional space
    is left out: which range a trial drew from is not recorded.

    Parameters
    ----------
    subspaces : list of dict of str to Expression

    Returns
    -------
    ranges : dict of str to Expression
    """
    found, mixed = {}, set()
    for subspace in subspaces:
        for name, expression in subspace.items():
            if not isinstance(expression, (_space.Uniform, _space.RandInt)):
                mixed.add(name)
            elif found.setdefault(name, expression) != expression:
                mixed.add(name)
    return {name: expression for name, expression in found.items() if name not in mixed}


def bounded_expressions_from_spec(space_text):
    """:func:`bounded_expressions` read back from a stored spec's ``space`` text.

    The arguments are parsed as literals, never evaluated; an expression
    that does not parse is left out.

    Parameters
    ----------
    space_text : str
        As the store keeps it: ``"[{'C': loguniform(-3, 3), ...}]"``.

    Returns
    -------
    ranges : dict of str to Expression
    """
    subspaces = [{}]
    for match in _SPEC_BOUNDED.finditer(space_text):
        try:
            arguments = ast.literal_eval(f"({match['args']},)")
            expression = _BOUNDED[match["expr"]](*arguments)
        except (ValueError, TypeError, SyntaxError):
            continue
        if match["name"] in subspaces[-1]:
            subspaces.append({})
        subspaces[-1][match["name"]] = expression
    return bounded_expressions(subspaces)


def position(expression, value):
    """Where ``value`` lies in the range of ``expression``, from 0 (lower) to 1 (upper).

    In the expression's own scale: log space for ``loguniform``; for
    ``randint(upper)``, 0 is 0 and 1 is ``upper - 1``.

    Returns
    -------
    position : float or None
        None for a range too small to have an inside (``randint(2)`` or
        less) or a value that is not a number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(expression, _space.RandInt):
        return None if expression.upper < 3 else value / (expression.upper - 1)
    return expression.to_unit(value)


def params_at_bound(trial, ranges, fraction=BOUND_FRACTION):
    """The values of ``trial``'s parameters in the outer ``fraction`` of their range.

    Parameters
    ----------
    trial : Trial
    ranges : dict of str to Expression
        As :func:`bounded_expressions` returns them.
    fraction : float, default=BOUND_FRACTION

    Returns
    -------
    found : list of AtBound
        In parameter name order.
    """
    found, params = [], trial.params
    for name in sorted(set(params) & set(ranges)):
        where = position(ranges[name], params[name])
        if where is None:
            continue
        if where <= fraction or where >= 1 - fraction:
            side = "lower" if where <= fraction else "upper"
            found.append(AtBound(trial.trial_id, name, params[name], side, repr(ranges[name])))
    return found
