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

import numpy as np
from sklearn import get_config
from sklearn.metrics import check_scoring, get_scorer

from ._classification import (
    accuracy,
    average_precision,
    balanced_accuracy,
    neg_log_loss,
    precision_recall_f,
    roc_auc,
    roc_auc_ovr,
)
from ._regression import neg_mean_absolute_error, neg_mean_squared_error, neg_root_mean_squared_error, r2
from ._target import FoldTarget, Responses

# How many folds' prepared targets a scorer keeps: one per task a worker
# (or, with the threading backend, all workers) scores at the same time.
_MAX_CACHED_FOLDS = 64


class _FoldCache:
    """:class:`FoldTarget` per ``(y, sample_weight)`` object identity, bounded, thread-safe.

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
            target = FoldTarget(y, sample_weight)
            self._entries[key] = target
            if len(self._entries) > _MAX_CACHED_FOLDS:
                self._entries.popitem(last=False)
            return target


_METRICS = {
    "accuracy": accuracy,
    "balanced_accuracy": balanced_accuracy,
    "roc_auc": roc_auc,
    "roc_auc_ovr": roc_auc_ovr("macro"),
    "roc_auc_ovr_weighted": roc_auc_ovr("weighted"),
    "average_precision": average_precision,
    "neg_log_loss": neg_log_loss,
    "r2": r2,
    "neg_mean_squared_error": neg_mean_squared_error,
    "neg_root_mean_squared_error": neg_root_mean_squared_error,
    "neg_mean_absolute_error": neg_mean_absolute_error,
}
for _which in ("precision", "recall", "f1"):
    _METRICS[_which] = precision_recall_f(_which, "binary")
    for _average in ("macro", "weighted"):
        _METRICS[f"{_which}_{_average}"] = precision_recall_f(_which, _average)

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
        responses = Responses(estimator, X)
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
