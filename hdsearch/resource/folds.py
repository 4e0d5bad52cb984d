"""The folds resource: interval k is the k-th CV fold.

The default: it works for every estimator, and its score at k is the mean of the
first k folds' scores; the engine plans whole folds for it, not steps.
"""

from .base import BaseResource


class Folds(BaseResource):
    """Interval k is the k-th CV fold (the default, ``resource="folds"``)."""

    per_fold = False

    def __init__(self):
        pass

    def n_intervals(self, n_splits, n_train):
        return n_splits

    def axis_label(self):
        return "fold"
