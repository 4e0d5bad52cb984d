"""The subsample resource: interval k trains on a growing, seeded subsample of the training fold.

Every interval trains from scratch and scores on the whole test fold.
"""

import math
import numbers

import numpy as np
from sklearn.base import clone

from .._config import check_int
from .base import BaseResource, fit_model


class Subsample(BaseResource):
    """Interval k trains on ``min_samples * factor**(k - 1)`` samples of the training fold.

    The subsamples are nested prefixes of one permutation of the training
    fold, seeded per (trial, fold); the last interval trains on the whole
    training fold, like successive halving's ``n_samples`` resource. Every
    interval scores on the whole test fold. Each interval trains from scratch,
    so an interval that is not scored is not trained either.

    Parameters
    ----------
    min_samples : int
        Training samples at interval 1; >= 1.
    factor : int or float, default=3
        Growth per interval; > 1.
    """

    def __init__(self, min_samples, factor=3):
        self.min_samples = min_samples
        self.factor = factor

    def _arguments(self):
        return {"min_samples": self.min_samples, "factor": self.factor}

    def check(self, estimator, param_names):
        check_int("Subsample", "min_samples", self.min_samples, 1)
        if not (isinstance(self.factor, numbers.Real) and self.factor > 1):
            raise ValueError(f"Subsample: factor must be > 1, got factor={self.factor!r}")

    def sizes(self, n_train):
        """Training samples at intervals 1, 2, ..., ending with ``n_train``."""
        sizes, size = [], self.min_samples
        while size < n_train:
            sizes.append(int(size))
            size = int(math.ceil(size * self.factor))
        sizes.append(n_train)
        return sizes

    def n_intervals(self, n_splits, n_train):
        return len(self.sizes(n_train))

    def reached(self, k, n_train):
        return self.sizes(n_train)[k - 1]

    def axis_label(self):
        return "training samples"

    def advance(self, model, first, last, fold, rng_for, classes):
        n_train = len(fold)
        sizes = self.sizes(n_train)
        # The fold's training set may be a little larger than the smallest one
        # the schedule was built from: the last interval takes all of it.
        size = n_train if last >= len(sizes) else sizes[last - 1]
        X, y, params = fold.rows(np.sort(rng_for(0).permutation(n_train)[:size]))
        model = clone(model)  # each interval trains from scratch on its subsample
        fit_model(model, X, y, params)
        return model
