"""Parameter expressions with HyperDrive's exact meaning, and the search Space.

``_expressions`` holds the expression classes, ``_builders`` the functions
users write (``choice``, ``loguniform``, ...), ``_space`` the validated
:class:`Space` and ``_log_bounds`` the guard against log bounds that look
like real values. Pure: no joblib, no estimators.
"""

from ._builders import (
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
from ._expressions import Choice, Distribution, Expression, LogNormal, LogUniform, Normal, RandInt, Uniform
from ._log_bounds import LogBoundsWarning, log_bounds_message
from ._space import Space, as_expression

__all__ = [
    "Choice",
    "Distribution",
    "Expression",
    "LogBoundsWarning",
    "LogNormal",
    "LogUniform",
    "Normal",
    "RandInt",
    "Space",
    "Uniform",
    "as_expression",
    "choice",
    "log_bounds_message",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]
