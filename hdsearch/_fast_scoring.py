"""Named scorers at scikit-learn's numbers, without its per-call checks.

scikit-learn's scorer for ``"roc_auc"`` spends most of a call on a 15,000-row
test fold in input checks, label handling and the full ROC curve, although
the fold's ``y`` and ``sample_weight`` never change between the calls that
score one fold at every step. :func:`fast_scorer` returns a drop-in scorer
that validates and encodes ``y`` and ``sample_weight`` once per fold (keyed by
the identity of those objects: workers slice them once per task) and computes
each metric from the model's predictions, margins or probabilities directly.

It covers the common case only and hands every other one to scikit-learn's
own scorer, so that errors, warnings and values are scikit-learn's: an
undefined metric (a zero denominator, a single class), labels the fast path
does not encode (floats, mixed kinds, objects that are not all strings),
non-finite predictions, negative or all-zero weights, a multi-output target,
any score parameter other than ``sample_weight``, and any exception raised
on the fast path.

Exactness: every metric repeats scikit-learn's arithmetic (the same numpy
operations on the same shapes, the same ROC and precision-recall curves,
intermediate points dropped alike), so without ``sample_weight`` the floats
are scikit-learn's to the bit, and so are the regression metrics with
weights. With weights, the classification metrics sum weights per class, or
along scores sorted in another order of ties (scikit-learn's own changed
between 1.6 and 1.9), and agree to rounding: ``tests/test_fast_scoring.py``
checks 1e-12 relative.
"""

import threading
from collections import OrderedDict
from functools import cached_property

import numpy as np
from sklearn import get_config
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import check_scoring, get_scorer

# How many folds' prepared targets a scorer keeps: one per task a worker
# (or, with the threading backend, all workers) scores at the same time.
_MAX_CACHED_FOLDS = 64
_LABEL_KINDS = frozenset("biuUO")
_NUMBER_KINDS = frozenset("biuf")
_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz


class _Fallback(Exception):
    """The fast path does not cover this case: scikit-learn's scorer decides."""


# --------------------------------------------------------------- fold targets


class _FoldTarget:
    """One fold's ``y`` and ``sample_weight``, validated and encoded once.

    Each property raises :class:`_Fallback` when the fast path does not cover
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
            raise _Fallback("y is not a non-empty 1-D array")
        return values

    @cached_property
    def weight(self):
        """``sample_weight`` as float64, or None; non-negative, finite, summing above 0."""
        if self.sample_weight is None:
            return None
        weight = np.asarray(self.sample_weight)
        if weight.shape != self.values.shape or weight.dtype.kind not in _NUMBER_KINDS:
            raise _Fallback("sample_weight is not a 1-D numeric array as long as y")
        weight = weight.astype(np.float64)
        if not (np.isfinite(weight).all() and (weight >= 0).all() and weight.sum() > 0):
            raise _Fallback("sample_weight has negative, non-finite or only zero weights")
        return weight

    @cached_property
    def labels(self):
        """The sorted distinct labels of a ``y`` of booleans, integers or strings."""
        values = self.values
        if values.dtype.kind not in _LABEL_KINDS:
            raise _Fallback("y is not made of labels")
        if values.dtype.kind == "O" and not all(isinstance(v, str) for v in values):
            raise _Fallback("y holds objects that are not all strings")
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
            raise _Fallback("a label of y has no weight")
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
        if values.dtype.kind not in _NUMBER_KINDS or not np.isfinite(values).all():
            raise _Fallback("y is not a finite numeric target")
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
            raise _Fallback("r2 needs two samples")
        mean = np.average(column, axis=0, weights=self.weight)
        weight = 1.0 if self.weight is None else self.weight_column
        denominator = np.sum(weight * (column - mean) ** 2, axis=0)
        if denominator[0] == 0:
            raise _Fallback("constant y: r2's special cases")
        return denominator


class _FoldCache:
    """:class:`_FoldTarget` per ``(y, sample_weight)`` object identity, bounded, thread-safe.

    The entries hold the keyed objects, so that their ids are not reused
    while cached.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = OrderedDict()

    def get(self, y, sample_weight):
        key = (id(y), id(sample_weight))
        with self._lock:
            target = self._entries.get(key)
            if target is not None:
                self._entries.move_to_end(key)
                return target
            target = _FoldTarget(y, sample_weight)
            self._entries[key] = target
            if len(self._entries) > _MAX_CACHED_FOLDS:
                self._entries.popitem(last=False)
            return target


# ------------------------------------------------------------------ responses


class _Responses:
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
        raise _Fallback(f"the estimator has none of {methods}")

    @cached_property
    def classes(self):
        """A classifier's ``classes_``: 1-D labels of one kind, at least two."""
        if not is_classifier(self.estimator):
            raise _Fallback("not a classifier")
        classes = getattr(self.estimator, "classes_", None)
        if not (isinstance(classes, np.ndarray) and classes.ndim == 1 and len(classes) >= 2):
            raise _Fallback("classes_ is not a 1-D array of two or more labels")
        if classes.dtype.kind not in _LABEL_KINDS:
            raise _Fallback("classes_ is not made of labels")
        return classes


def _check_length(array, target, ndim):
    if not isinstance(array, np.ndarray) or array.ndim != ndim or array.shape[0] != len(target.values):
        raise _Fallback("the response does not match y")


def _finite_float64(array):
    if array.dtype != np.float64 or not np.isfinite(array).all():
        raise _Fallback("the response is not finite float64")
    return array


def _prediction(responses, target):
    """``predict``'s labels, of the same kind as ``y``'s."""
    if is_regressor(responses.estimator):
        raise _Fallback("a regressor scored by a classification metric")
    if is_classifier(responses.estimator):
        responses.classes  # noqa: B018  (scikit-learn's scorer reads classes_)
    y_pred = responses("predict")
    _check_length(y_pred, target, 1)
    kinds = {y_pred.dtype.kind, target.values.dtype.kind}
    if len(kinds) > 1 and kinds != {"i", "u"}:
        raise _Fallback("y and the prediction are labels of different kinds")
    return y_pred


def _prediction_codes(responses, target):
    """Index of each predicted label in ``y``'s labels; a label ``y`` lacks falls back.

    A single label falls back too (scikit-learn's confusion matrix warns).
    """
    y_pred = _prediction(responses, target)
    labels = target.labels
    if len(labels) < 2:
        raise _Fallback("a single label")
    codes = np.searchsorted(labels, y_pred)
    np.minimum(codes, len(labels) - 1, out=codes)
    if not np.array_equal(labels[codes], y_pred):
        raise _Fallback("a predicted label is not in y")
    return codes


def _binary_score(responses, target, methods, pos_label):
    """The positive class's margin or probability, ``y``'s labels being ``classes_``.

    As scikit-learn's scorer: the first of ``methods`` the classifier has,
    ``pos_label`` None meaning ``classes_[-1]``; a ``pos_label`` that is not
    ``classes_[-1]`` (flipped margins) falls back.
    """
    classes = responses.classes
    if len(classes) != 2 or not np.array_equal(classes, target.labels):
        raise _Fallback("not a binary classifier of y's labels")
    target.class_weights  # noqa: B018  (a class without weight falls back)
    if pos_label is not None and classes[-1] != pos_label:
        raise _Fallback("pos_label is not the last class")
    method = responses.first_available(methods)
    score = responses(method)
    if method == "predict_proba":
        _check_length(score, target, 2)
        if score.shape[1] != 2:
            raise _Fallback("predict_proba does not have two columns")
        score = score[:, 1]
    _check_length(score, target, 1)
    return _finite_float64(score)


def _row_sums(proba):
    """``proba.sum(axis=1)``, the same floats, a column at a time (10x faster for few columns)."""
    total = proba[:, 0].copy()
    for column in range(1, proba.shape[1]):
        total += proba[:, column]
    return total


def _close(a, b, rtol):
    """``np.all(np.isclose(a, b, rtol))`` (atol 1e-8, tolerance relative to ``b``), without its overhead."""
    return bool(np.all(np.abs(a - b) <= 1e-8 + rtol * np.abs(b)))


def _probabilities(responses, target):
    """``predict_proba`` as scikit-learn's scorer passes it: 1-D for two classes."""
    classes = responses.classes
    proba = responses("predict_proba")
    _check_length(proba, target, 2)
    if proba.shape[1] != len(classes):
        raise _Fallback("predict_proba does not have a column per class")
    proba = _finite_float64(proba)
    return proba[:, 1] if len(classes) == 2 else proba


# ----------------------------------------------------------- ranking metrics


def _curve(score, ranking):
    """False and true positives (weighted) at each distinct score, by decreasing score.

    scikit-learn's ``_binary_clf_curve`` without its checks. Without
    weights the counts are exact integers whatever the order of tied scores,
    so the curve is scikit-learn's to the bit; with weights, sums over tied
    scores may round differently (scikit-learn's own order of ties changed
    between 1.6 and 1.9).
    """
    kept, positive, weight = ranking
    if kept is not None:
        score = score.take(kept)
    order = np.argsort(score)[::-1]
    sorted_score = score[order]
    thresholds = np.append(np.flatnonzero(np.diff(sorted_score)), len(score) - 1)
    positive = positive[order]
    if weight is None:
        true_positives = np.cumsum(positive)[thresholds]
        return 1 + thresholds - true_positives, true_positives
    weight = weight[order]
    true_positives = np.cumsum(positive * weight)[thresholds]
    return np.cumsum((1 - positive) * weight)[thresholds], true_positives


def _auc(score, ranking):
    """ROC AUC: the trapezoids under scikit-learn's ROC curve (``drop_intermediate=True``)."""
    false_positives, true_positives = _curve(score, ranking)
    if false_positives[-1] <= 0 or true_positives[-1] <= 0:
        raise _Fallback("one class only: the AUC is undefined")
    if len(false_positives) > 2:
        corners = np.logical_or(np.diff(false_positives, 2), np.diff(true_positives, 2))
        kept = np.flatnonzero(np.concatenate(([True], corners, [True])))
        false_positives, true_positives = false_positives[kept], true_positives[kept]
    false_positive_rate = np.append(0.0, false_positives) / false_positives[-1]
    true_positive_rate = np.append(0.0, true_positives) / true_positives[-1]
    return float(_trapezoid(true_positive_rate, false_positive_rate))


def _average_precision(score, ranking):
    """Average precision: scikit-learn's step sum over the precision-recall curve."""
    false_positives, true_positives = _curve(score, ranking)
    if true_positives[-1] == 0:
        raise _Fallback("no positive sample: scikit-learn warns")
    predicted = true_positives + false_positives
    precision = np.zeros_like(true_positives)
    np.divide(true_positives, predicted, out=precision, where=(predicted != 0))
    recall = true_positives / true_positives[-1]
    precision = np.append(precision[::-1], 1.0)
    recall = np.append(recall[::-1], 0.0)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _roc_auc(responses, target):
    score = _binary_score(responses, target, ("decision_function", "predict_proba"), None)
    return _auc(score, target.ranking(1))


def _roc_auc_ovr(average):
    """``roc_auc_ovr`` (macro) or ``roc_auc_ovr_weighted``: one AUC per class."""

    def roc_auc_ovr(responses, target):
        if len(responses.classes) == 2:
            return _roc_auc_from_probability(responses, target)
        proba = _probabilities(responses, target)
        if proba.shape[1] != len(target.labels) or not _close(1, _row_sums(proba), rtol=1e-5):
            raise _Fallback("not probabilities over y's labels")
        class_weights = target.class_weights  # every class weighs more than 0
        scores = [_auc(proba[:, k], target.ranking(k)) for k in range(proba.shape[1])]
        return float(np.average(scores, weights=class_weights if average == "weighted" else None))

    return roc_auc_ovr


def _roc_auc_from_probability(responses, target):
    score = _binary_score(responses, target, ("predict_proba",), None)
    return _auc(score, target.ranking(1))


def _average_precision_metric(responses, target):
    score = _binary_score(responses, target, ("decision_function", "predict_proba"), 1)
    return _average_precision(score, target.ranking(1))


# ------------------------------------------------------ label-based metrics


def _accuracy(responses, target):
    y_pred = _prediction(responses, target)
    target.labels  # noqa: B018  (floats and objects other than strings fall back)
    correct = y_pred == target.values
    return float(np.average(correct, weights=target.weight))


def _balanced_accuracy(responses, target):
    codes = _prediction_codes(responses, target)
    correct = codes == target.codes
    hits = np.bincount(target.codes[correct], weights=_selected(target.weight, correct),
                       minlength=len(target.labels))
    return float(np.mean(hits / target.class_weights))


def _selected(weight, mask):
    return None if weight is None else weight[mask]


def _class_counts(responses, target):
    """Per label of ``y``: true positives, predicted and true totals (weighted)."""
    codes = _prediction_codes(responses, target)
    n_labels = len(target.labels)
    correct = codes == target.codes
    true_positives = np.bincount(
        codes[correct], weights=_selected(target.weight, correct), minlength=n_labels
    ).astype(np.float64)
    predicted = np.bincount(codes, weights=target.weight, minlength=n_labels).astype(np.float64)
    return true_positives, predicted, target.class_weights


def _precision_recall_f(which, average):
    """``precision``/``recall``/``f1`` with ``average`` "binary" (pos_label=1), "macro" or "weighted"."""

    def metric(responses, target):
        if average == "binary":
            _check_binary_pos_label(responses, target)
        true_positives, predicted, actual = _class_counts(responses, target)
        if not ((predicted > 0).all() and (actual > 0).all()):
            raise _Fallback("an undefined precision or recall: scikit-learn warns")
        if which == "precision":
            values = true_positives / predicted
        elif which == "recall":
            values = true_positives / actual
        else:
            values = 2.0 * true_positives / (actual + predicted)
        if average == "binary":
            return float(values[_index_of_one(target.labels)])
        return float(np.average(values, weights=actual if average == "weighted" else None))

    return metric


def _check_binary_pos_label(responses, target):
    """pos_label=1 is a class of the binary classifier and of ``y``."""
    if is_classifier(responses.estimator) and 1 not in responses.classes.tolist():
        raise _Fallback("pos_label=1 is not a class")
    if len(target.labels) != 2 or target.labels.dtype.kind not in "biu":
        raise _Fallback("y is not binary numeric labels")
    _index_of_one(target.labels)


def _index_of_one(labels):
    matches = np.flatnonzero(labels == 1)
    if len(matches) != 1:
        raise _Fallback("pos_label=1 is not a label of y")
    return matches[0]


def _log_loss(responses, target):
    """``log_loss``: probabilities clipped to [eps, 1 - eps], as scikit-learn >= 1.6 does."""
    proba = _probabilities(responses, target)
    if proba.min() < 0 or proba.max() > 1:
        raise _Fallback("probabilities outside [0, 1]")
    if proba.ndim == 1:
        proba = np.stack([1 - proba, proba], axis=1)
    if proba.shape[1] != len(target.labels):
        raise _Fallback("y's labels are not predict_proba's columns")
    eps = np.finfo(proba.dtype).eps
    if not _close(_row_sums(proba), 1, rtol=np.sqrt(eps)):
        raise _Fallback("probabilities do not sum to one: scikit-learn warns")
    chosen = np.clip(proba[np.arange(len(proba)), target.codes], eps, 1 - eps)
    return -float(np.average(-np.log(chosen), weights=target.weight))


# -------------------------------------------------------- regression metrics


def _regression_errors(responses, target):
    """``y - prediction`` as a float64 column, for a 1-D target."""
    if is_classifier(responses.estimator):
        raise _Fallback("a classifier scored by a regression metric")
    column = target.column
    y_pred = responses("predict")
    if isinstance(y_pred, np.ndarray) and y_pred.ndim == 2 and y_pred.shape[1] == 1:
        y_pred = y_pred[:, 0]
    _check_length(y_pred, target, 1)
    return column - _finite_float64(y_pred).reshape(-1, 1)


def _mean_squared_error(responses, target):
    errors = _regression_errors(responses, target)
    return -float(np.average(errors**2, axis=0, weights=target.weight)[0])


def _root_mean_squared_error(responses, target):
    errors = _regression_errors(responses, target)
    return -float(np.sqrt(np.average(errors**2, axis=0, weights=target.weight))[0])


def _mean_absolute_error(responses, target):
    errors = _regression_errors(responses, target)
    return -float(np.average(np.abs(-errors), axis=0, weights=target.weight)[0])


def _r2(responses, target):
    errors = _regression_errors(responses, target)
    weight = 1.0 if target.weight_column is None else target.weight_column
    numerator = np.sum(weight * errors**2, axis=0)
    denominator = target.r2_denominator
    return 1.0 if numerator[0] == 0 else float(1 - numerator[0] / denominator[0])


_METRICS = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "roc_auc": _roc_auc,
    "roc_auc_ovr": _roc_auc_ovr("macro"),
    "roc_auc_ovr_weighted": _roc_auc_ovr("weighted"),
    "average_precision": _average_precision_metric,
    "neg_log_loss": _log_loss,
    "r2": _r2,
    "neg_mean_squared_error": _mean_squared_error,
    "neg_root_mean_squared_error": _root_mean_squared_error,
    "neg_mean_absolute_error": _mean_absolute_error,
}
for _which in ("precision", "recall", "f1"):
    _METRICS[_which] = _precision_recall_f(_which, "binary")
    for _average in ("macro", "weighted"):
        _METRICS[f"{_which}_{_average}"] = _precision_recall_f(_which, _average)

#: The scorer names the fast path computes itself.
FAST_SCORER_NAMES = frozenset(_METRICS)


# --------------------------------------------------------------------- scorer


def _fast_score(name, target, responses):
    """The metric from the fast path, or None when scikit-learn must decide."""
    if target is None:
        return None
    try:
        return _METRICS[name](responses, target)
    except Exception:  # noqa: BLE001  (scikit-learn reports its own errors)
        return None


class FastScorer:
    """Score named metrics like scikit-learn's scorers, preparing each fold's target once.

    Parameters
    ----------
    names : dict
        Metric name (a key of the result for multi-metric scoring) -> scorer
        name of scikit-learn (one of ``FAST_SCORER_NAMES``).
    multimetric : bool
        Return a dict of scores (as scikit-learn's multi-metric scorer) or
        one score.
    raise_exc : bool
        Multi-metric only: whether a metric that fails raises, or is
        reported as its traceback text (scikit-learn's ``raise_exc``).
    """

    def __init__(self, names, multimetric, raise_exc=True):
        self.names = dict(names)
        self.multimetric = multimetric
        self.raise_exc = raise_exc
        self._folds = _FoldCache()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_folds"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._folds = _FoldCache()

    def __call__(self, estimator, X, y=None, **score_params):
        """Score ``estimator`` on ``X`` and ``y``, as scikit-learn's scorer(s) would.

        Parameters
        ----------
        estimator : estimator object
            A fitted estimator.
        X : array-like
            Test data.
        y : array-like, default=None
            Test target.
        **score_params : dict
            ``sample_weight``; any other parameter sends every metric to
            scikit-learn's scorer.

        Returns
        -------
        score : float or dict
            One score, or a dict of scores for multi-metric scoring.
        """
        fast = y is not None and set(score_params) <= {"sample_weight"}
        target = self._folds.get(y, score_params.get("sample_weight")) if fast else None
        responses = _Responses(estimator, X)
        scores = {key: _fast_score(name, target, responses) for key, name in self.names.items()}
        if any(score is None for score in scores.values()):
            args = (estimator, X) if y is None else (estimator, X, y)
            expected = self._sklearn_scorer(estimator)(*args, **score_params)
            if not self.multimetric:
                return expected
            scores = {key: expected[key] if score is None else score for key, score in scores.items()}
        return scores if self.multimetric else scores[next(iter(scores))]

    def _sklearn_scorer(self, estimator):
        """scikit-learn's scorer for all the metrics.

        Multi-metric: its answer for a metric can depend on the others
        (predictions are cached by method, whatever the ``pos_label``), so
        the metrics the fast path does not cover are read from one call of
        the whole of it.
        """
        if not self.multimetric:
            return get_scorer(next(iter(self.names.values())))
        return check_scoring(estimator, self.names, raise_exc=self.raise_exc)

    def __repr__(self):
        return f"FastScorer({self.names!r}, multimetric={self.multimetric})"


def fast_scorer(scoring, error_score=np.nan):
    """A :class:`FastScorer` for ``scoring``, or None when scikit-learn's scorer must be used.

    Parameters
    ----------
    scoring : str, list, tuple, set or dict
        As ``HyperDriveSearchCV``'s ``scoring``. Only names in
        ``FAST_SCORER_NAMES`` (one, or a collection of them, or a dict whose
        values are all such names) are recognised; a callable, a scorer
        object, None, any other name, or metadata routing enabled give None.
    error_score : "raise" or float, default=np.nan
        For multi-metric scoring: ``"raise"`` makes a failing metric raise,
        else its traceback text is returned as scikit-learn's multi-metric
        scorer does.

    Returns
    -------
    scorer : FastScorer or None
    """
    if get_config().get("enable_metadata_routing", False):
        return None
    if isinstance(scoring, str):
        return FastScorer({scoring: scoring}, multimetric=False) if scoring in FAST_SCORER_NAMES else None
    if isinstance(scoring, dict):
        names = dict(scoring)
    elif isinstance(scoring, (list, tuple, set)):
        names = {name: name for name in scoring}
    else:
        return None
    if not names or not all(isinstance(n, str) and n in FAST_SCORER_NAMES for n in names.values()):
        return None
    return FastScorer(names, multimetric=True, raise_exc=(error_score == "raise"))
