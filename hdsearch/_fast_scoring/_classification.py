"""The classification metrics of the fast path: label-based (accuracy, precision, ...) and ranking (ROC AUC, ...).

Each metric takes the model's :class:`~hdsearch._fast_scoring._target.Responses`
and the fold's :class:`~hdsearch._fast_scoring._target.FoldTarget` and repeats
scikit-learn's arithmetic, or raises ``Fallback``.
"""

import numpy as np
from sklearn.base import is_classifier, is_regressor

from ._target import Fallback, check_length, finite_float64

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 has only trapz


def _prediction(responses, target):
    """``predict``'s labels, of the same kind as ``y``'s."""
    if is_regressor(responses.estimator):
        raise Fallback("a regressor scored by a classification metric")
    if is_classifier(responses.estimator):
        responses.classes  # noqa: B018  (scikit-learn's scorer reads classes_)
    y_pred = responses("predict")
    check_length(y_pred, target, 1)
    kinds = {y_pred.dtype.kind, target.values.dtype.kind}
    if len(kinds) > 1 and kinds != {"i", "u"}:
        raise Fallback("y and the prediction are labels of different kinds")
    return y_pred


def _prediction_codes(responses, target):
    """Index of each predicted label in ``y``'s labels; a label ``y`` lacks falls back.

    A single label falls back too (scikit-learn's confusion matrix warns).
    """
    y_pred = _prediction(responses, target)
    labels = target.labels
    if len(labels) < 2:
        raise Fallback("a single label")
    codes = np.searchsorted(labels, y_pred)
    np.minimum(codes, len(labels) - 1, out=codes)
    if not np.array_equal(labels[codes], y_pred):
        raise Fallback("a predicted label is not in y")
    return codes


def _binary_score(responses, target, methods, pos_label):
    """The positive class's margin or probability, ``y``'s labels being ``classes_``.

    As scikit-learn's scorer: the first of ``methods`` the classifier has,
    ``pos_label`` None meaning ``classes_[-1]``; a ``pos_label`` that is not
    ``classes_[-1]`` (flipped margins) falls back.
    """
    classes = responses.classes
    if len(classes) != 2 or not np.array_equal(classes, target.labels):
        raise Fallback("not a binary classifier of y's labels")
    target.class_weights  # noqa: B018  (a class without weight falls back)
    if pos_label is not None and classes[-1] != pos_label:
        raise Fallback("pos_label is not the last class")
    method = responses.first_available(methods)
    score = responses(method)
    if method == "predict_proba":
        check_length(score, target, 2)
        if score.shape[1] != 2:
            raise Fallback("predict_proba does not have two columns")
        score = score[:, 1]
    check_length(score, target, 1)
    return finite_float64(score)


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
    check_length(proba, target, 2)
    if proba.shape[1] != len(classes):
        raise Fallback("predict_proba does not have a column per class")
    proba = finite_float64(proba)
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
        raise Fallback("one class only: the AUC is undefined")
    if len(false_positives) > 2:
        corners = np.logical_or(np.diff(false_positives, 2), np.diff(true_positives, 2))
        kept = np.flatnonzero(np.concatenate(([True], corners, [True])))
        false_positives, true_positives = false_positives[kept], true_positives[kept]
    false_positive_rate = np.append(0.0, false_positives) / false_positives[-1]
    true_positive_rate = np.append(0.0, true_positives) / true_positives[-1]
    return float(_trapezoid(true_positive_rate, false_positive_rate))


def _average_precision_of(score, ranking):
    """Average precision: scikit-learn's step sum over the precision-recall curve."""
    false_positives, true_positives = _curve(score, ranking)
    if true_positives[-1] == 0:
        raise Fallback("no positive sample: scikit-learn warns")
    predicted = true_positives + false_positives
    precision = np.zeros_like(true_positives)
    np.divide(true_positives, predicted, out=precision, where=(predicted != 0))
    recall = true_positives / true_positives[-1]
    precision = np.append(precision[::-1], 1.0)
    recall = np.append(recall[::-1], 0.0)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def roc_auc(responses, target):
    """ROC AUC of a binary classifier, from its margin or probability of ``classes_[-1]``."""
    score = _binary_score(responses, target, ("decision_function", "predict_proba"), None)
    return _auc(score, target.ranking(1))


def roc_auc_ovr(average):
    """``roc_auc_ovr`` (macro) or ``roc_auc_ovr_weighted``: one AUC per class."""

    def roc_auc_ovr(responses, target):
        if len(responses.classes) == 2:
            return _roc_auc_from_probability(responses, target)
        proba = _probabilities(responses, target)
        if proba.shape[1] != len(target.labels) or not _close(1, _row_sums(proba), rtol=1e-5):
            raise Fallback("not probabilities over y's labels")
        class_weights = target.class_weights  # every class weighs more than 0
        scores = [_auc(proba[:, k], target.ranking(k)) for k in range(proba.shape[1])]
        return float(np.average(scores, weights=class_weights if average == "weighted" else None))

    return roc_auc_ovr


def _roc_auc_from_probability(responses, target):
    score = _binary_score(responses, target, ("predict_proba",), None)
    return _auc(score, target.ranking(1))


def average_precision(responses, target):
    """Average precision of a binary classifier, label 1 positive."""
    score = _binary_score(responses, target, ("decision_function", "predict_proba"), 1)
    return _average_precision_of(score, target.ranking(1))


# ------------------------------------------------------ label-based metrics


def accuracy(responses, target):
    """Fraction (weighted) of predictions equal to ``y``."""
    y_pred = _prediction(responses, target)
    target.labels  # noqa: B018  (floats and objects other than strings fall back)
    correct = y_pred == target.values
    return float(np.average(correct, weights=target.weight))


def balanced_accuracy(responses, target):
    """Mean over ``y``'s labels of the recall of each."""
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


def precision_recall_f(which, average):
    """``precision``/``recall``/``f1`` with ``average`` "binary" (pos_label=1), "macro" or "weighted"."""

    def metric(responses, target):
        if average == "binary":
            _check_binary_pos_label(responses, target)
        true_positives, predicted, actual = _class_counts(responses, target)
        if not ((predicted > 0).all() and (actual > 0).all()):
            raise Fallback("an undefined precision or recall: scikit-learn warns")
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
        raise Fallback("pos_label=1 is not a class")
    if len(target.labels) != 2 or target.labels.dtype.kind not in "biu":
        raise Fallback("y is not binary numeric labels")
    _index_of_one(target.labels)


def _index_of_one(labels):
    matches = np.flatnonzero(labels == 1)
    if len(matches) != 1:
        raise Fallback("pos_label=1 is not a label of y")
    return matches[0]


def neg_log_loss(responses, target):
    """``log_loss``: probabilities clipped to [eps, 1 - eps], as scikit-learn >= 1.6 does."""
    proba = _probabilities(responses, target)
    if proba.min() < 0 or proba.max() > 1:
        raise Fallback("probabilities outside [0, 1]")
    if proba.ndim == 1:
        proba = np.stack([1 - proba, proba], axis=1)
    if proba.shape[1] != len(target.labels):
        raise Fallback("y's labels are not predict_proba's columns")
    eps = np.finfo(proba.dtype).eps
    if not _close(_row_sums(proba), 1, rtol=np.sqrt(eps)):
        raise Fallback("probabilities do not sum to one: scikit-learn warns")
    chosen = np.clip(proba[np.arange(len(proba)), target.codes], eps, 1 - eps)
    return -float(np.average(-np.log(chosen), weights=target.weight))
