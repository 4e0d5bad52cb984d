"""The regression metrics of the fast path: squared, root squared and absolute errors, and r2.

Each takes the model's responses and the fold's target, as in
:mod:`hdsearch._fast_scoring._classification`, and raises ``Fallback`` where
scikit-learn must decide.
"""

import numpy as np
from sklearn.base import is_classifier

from ._target import Fallback, check_length, finite_float64


def _regression_errors(responses, target):
    """``y - prediction`` as a float64 column, for a 1-D target."""
    if is_classifier(responses.estimator):
        raise Fallback("a classifier scored by a regression metric")
    column = target.column
    y_pred = responses("predict")
    if isinstance(y_pred, np.ndarray) and y_pred.ndim == 2 and y_pred.shape[1] == 1:
        y_pred = y_pred[:, 0]
    check_length(y_pred, target, 1)
    return column - finite_float64(y_pred).reshape(-1, 1)


def neg_mean_squared_error(responses, target):
    """Minus the (weighted) mean squared error."""
    errors = _regression_errors(responses, target)
    return -float(np.average(errors**2, axis=0, weights=target.weight)[0])


def neg_root_mean_squared_error(responses, target):
    """Minus the root of the (weighted) mean squared error."""
    errors = _regression_errors(responses, target)
    return -float(np.sqrt(np.average(errors**2, axis=0, weights=target.weight))[0])


def neg_mean_absolute_error(responses, target):
    """Minus the (weighted) mean absolute error."""
    errors = _regression_errors(responses, target)
    return -float(np.average(np.abs(-errors), axis=0, weights=target.weight)[0])


def r2(responses, target):
    """The coefficient of determination, as ``r2_score``."""
    errors = _regression_errors(responses, target)
    weight = 1.0 if target.weight_column is None else target.weight_column
    numerator = np.sum(weight * errors**2, axis=0)
    denominator = target.r2_denominator
    return 1.0 if numerator[0] == 0 else float(1 - numerator[0] / denominator[0])
