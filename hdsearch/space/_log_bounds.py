"""The log-bounds guard: ``loguniform`` bounds that look like real values, and the words that say so.

HyperDrive's ``loguniform(low, high)`` takes natural logarithms; bounds such
as ``(1e-5, 1e-1)`` were usually meant as values. :class:`~hdsearch.space.Space`
and the spec reader warn with :class:`LogBoundsWarning` and these texts.
"""

import math

#: Above ``exp(_LOG_HIGH_LIMIT)`` = 1e10 no hyperparameter plausibly goes: such
#: an upper bound was meant as a real value (``loguniform(1, 1000)``).
_LOG_HIGH_LIMIT = math.log(1e10)


class LogBoundsWarning(UserWarning):
    """``loguniform`` or ``qloguniform`` bounds that look like real values, not logarithms.

    HyperDrive's bounds are natural logarithms: ``loguniform(1e-5, 1e-1)``
    samples values between 1.00001 and 1.105. :class:`Space` warns once per
    parameter, with the spelling that samples the real-valued range instead.
    """


def bounds_look_real(low, high):
    """Whether log-space bounds ``low`` and ``high`` look like real values that were meant instead.

    True under any of three rules (``loguniform``'s docstring explains them):

    1. ``0 < low < high <= 1`` and ``exp(high) / exp(low) < 2``;
    2. ``0 < low < 1`` written with at most 3 significant digits (0.001,
       1e-4, 0.25, not ``math.log(2)``) and ``high >= 1``;
    3. ``high > log(1e10)``.

    Parameters
    ----------
    low, high : float
        The bounds as written, in log space.

    Returns
    -------
    bool
    """
    within_factor_two = 0 < low < high <= 1 and high - low < math.log(2)
    low_typed_as_a_value = 0 < low < 1 and float(f"{low:.3g}") == low and high >= 1
    return within_factor_two or low_typed_as_a_value or high > _LOG_HIGH_LIMIT


def safe_exp(x):
    """``exp(x)``, or infinity where it would overflow."""
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
