"""The fast scorers' inputs: one fold's target, validated and encoded once, and one model's responses.

:class:`FoldTarget` checks and encodes ``y`` and ``sample_weight``;
:class:`Responses` calls each prediction method at most once. Both raise
:class:`Fallback` for what the fast path does not cover.
"""

from functools import cached_property

import numpy as np
from sklearn.base import is_classifier

LABEL_KINDS = frozenset("biuUO")
NUMBER_KINDS = frozenset("biuf")


class Fallback(Exception):
    """The fast path does not cover this case: scikit-learn's scorer decides."""


class FoldTarget:
    """One fold's ``y`` and ``sample_weight``, validated and encoded once.

    Each property raises :class:`Fallback` when the fast path does not cover
    the target; a property computed once is kept.
    """

    def __init__(self, y, sample_weight):
        self.y = y
        self.sample_weight = sample_weight

    @cached_property
    def values(self):
        """``y`` as a 1-D numpy array (pandas Series included)."""
        values = np.asarray(self.y)
        if values.ndim != 1 or values.shape[0] == 0:
            raise Fallback("y is not a non-empty 1-D array")
        return values

    @cached_property
    def weight(self):
        """``sample_weight`` as float64, or None; non-negative, finite, summing above 0."""
        if self.sample_weight is None:
            return None
        weight = np.asarray(self.sample_weight)
        if weight.shape != self.values.shape or weight.dtype.kind not in NUMBER_KINDS:
            raise Fallback("sample_weight is not a 1-D numeric array as long as y")
        weight = weight.astype(np.float64)
        if not (np.isfinite(weight).all() and (weight >= 0).all() and weight.sum() > 0):
            raise Fallback("sample_weight has negative, non-finite or only zero weights")
        return weight

    @cached_property
    def labels(self):
        """The sorted distinct labels of a ``y`` of booleans, integers or strings."""
        values = self.values
        if values.dtype.kind not in LABEL_KINDS:
            raise Fallback("y is not made of labels")
        if values.dtype.kind == "O" and not all(isinstance(v, str) for v in values):
            raise Fallback("y holds objects that are not all strings")
        labels, codes = np.unique(values, return_inverse=True)
        self.__dict__["codes"] = codes.reshape(-1)
        return labels

    @cached_property
    def codes(self):
        """Index of each sample's label in :attr:`labels`."""
        self.labels  # noqa: B018  (sets codes)
        return self.__dict__["codes"]

    @cached_property
    def class_weights(self):
        """Total weight (or count) of each label; every label weighs more than 0."""
        weights = np.bincount(self.codes, weights=self.weight, minlength=len(self.labels))
        if not (weights > 0).all():
            raise Fallback("a label of y has no weight")
        return weights.astype(np.float64)

    def ranking(self, k):
        """Label ``labels[k]`` against the rest, as scikit-learn's ranking metrics see it.

        Returns
        -------
        ranking : tuple
            ``(kept, positive, weight)``: the indices of the samples of
            non-zero weight (None when all are kept; scikit-learn drops the
            others), which of them are of label ``k`` (0. or 1.) and their
            weights (None without ``sample_weight``). Computed once per label.
        """
        rankings = self.__dict__.setdefault("_rankings", {})
        if k not in rankings:
            positive = (self.codes == k).astype(np.float64)
            kept, weight = None, self.weight
            if weight is not None and not (weight != 0).all():
                kept = np.flatnonzero(weight)
                positive, weight = positive[kept], weight[kept]
            rankings[k] = (kept, positive, weight)
        return rankings[k]

    @cached_property
    def column(self):
        """``y`` as a float64 column, as scikit-learn's regression metrics see it."""
        values = self.values
        if values.dtype.kind not in NUMBER_KINDS or not np.isfinite(values).all():
            raise Fallback("y is not a finite numeric target")
        return values.astype(np.float64).reshape(-1, 1)

    @cached_property
    def weight_column(self):
        """``sample_weight`` as a column, or None."""
        return None if self.weight is None else self.weight.reshape(-1, 1)

    @cached_property
    def r2_denominator(self):
        """``r2_score``'s denominator: the weighted squared deviation of ``y``."""
        column = self.column
        if column.shape[0] < 2:
            raise Fallback("r2 needs two samples")
        mean = np.average(column, axis=0, weights=self.weight)
        weight = 1.0 if self.weight is None else self.weight_column
        denominator = np.sum(weight * (column - mean) ** 2, axis=0)
        if denominator[0] == 0:
            raise Fallback("constant y: r2's special cases")
        return denominator


class Responses:
    """One estimator's outputs on one ``X``, each method called at most once."""

    def __init__(self, estimator, X):
        self.estimator = estimator
        self.X = X
        self._outputs = {}

    def __call__(self, method):
        if method not in self._outputs:
            self._outputs[method] = getattr(self.estimator, method)(self.X)
        return self._outputs[method]

    def first_available(self, methods):
        """The first of ``methods`` the estimator has, as scikit-learn picks it."""
        for method in methods:
            if getattr(self.estimator, method, None) is not None:
                return method
        raise Fallback(f"the estimator has none of {methods}")

    @cached_property
    def classes(self):
        """A classifier's ``classes_``: 1-D labels of one kind, at least two."""
        if not is_classifier(self.estimator):
            raise Fallback("not a classifier")
        classes = getattr(self.estimator, "classes_", None)
        if not (isinstance(classes, np.ndarray) and classes.ndim == 1 and len(classes) >= 2):
            raise Fallback("classes_ is not a 1-D array of two or more labels")
        if classes.dtype.kind not in LABEL_KINDS:
            raise Fallback("classes_ is not made of labels")
        return classes


def check_length(array, target, ndim):
    """Fall back unless ``array`` is an ``ndim``-D numpy array with a row per sample of ``target``."""
    if not isinstance(array, np.ndarray) or array.ndim != ndim or array.shape[0] != len(target.values):
        raise Fallback("the response does not match y")


def finite_float64(array):
    """``array`` when it is finite float64; fall back otherwise."""
    if array.dtype != np.float64 or not np.isfinite(array).all():
        raise Fallback("the response is not finite float64")
    return array
