"""A search's scorers: built from ``scoring``, routed ``fit`` parameters, the best trial, ``scoring=None``'s fast path.

The functions take what they read (``estimator``, ``scoring``, ``refit``)
and return what ``HyperDriveSearchCV`` stores; :class:`EstimatorScore` is
what workers call for ``scoring=None``.

``scoring=None`` means the estimator's own ``score``. For a classifier that
inherits ``ClassifierMixin.score`` unchanged, that is
``accuracy_score(y, estimator.predict(X))``. Its target checks
(``type_of_target`` twice, ``unique`` twice, data-frame probing of each array)
cost about 3.5 ms per call on 14,000 test rows: three times the prediction,
and a sixth of a whole ``partial_fit`` epoch of ``SGDClassifier`` when every
epoch is scored. When ``y`` and the prediction are 1-D numpy arrays of
integer, boolean or string labels of one kind, the checks cannot fail and
the accuracy is computed directly: the same float, bit for bit, since both
are a mean of zeros and ones. Every other case goes to scikit-learn's scorer.
"""

import numbers
import warnings

import numpy as np
from sklearn import get_config
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score, check_scoring
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import process_routing

from ._compat import release_forwards_sample_weight, scorer_accepts_sample_weight
from .trials import COMPLETED

# Label kinds whose equality is exact and whose type_of_target is never
# "continuous": bool, signed and unsigned integers, unicode strings.
_PLAIN_LABEL_KINDS = frozenset("biuU")


class EstimatorScore:
    """Call a ``scoring=None`` scorer, skipping accuracy's checks when they cannot fail.

    Parameters
    ----------
    scorer : callable
        The scorer scikit-learn builds for ``scoring=None``
        (``check_scoring(estimator)``); used for every case the fast path
        does not cover.
    """

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, X, y=None, **score_params):
        """Score ``estimator`` on ``X`` and ``y``, as ``scorer`` would."""
        if not score_params and _is_plain_labels(y) and _scores_by_accuracy(estimator):
            y_pred = estimator.predict(X)
            if _is_plain_labels(y_pred) and y_pred.shape == y.shape and _same_kind(y_pred, y):
                return float(np.mean(y_pred == y))
            # What ClassifierMixin.score returns, checks and errors included,
            # without predicting twice.
            return accuracy_score(y, y_pred)
        if y is None:
            return self.scorer(estimator, X, **score_params)
        return self.scorer(estimator, X, y, **score_params)

    def __repr__(self):
        return f"EstimatorScore({self.scorer!r})"


def _scores_by_accuracy(estimator):
    return getattr(type(estimator), "score", None) is ClassifierMixin.score


def _is_plain_labels(y):
    return isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in _PLAIN_LABEL_KINDS


def _same_kind(a, b):
    return a.dtype.kind == b.dtype.kind or {a.dtype.kind, b.dtype.kind} == {"i", "u"}


def get_scorer(estimator, scoring, refit, error_score):
    """The scorer for ``scoring`` and, when known before fitting, its metric names.

    Parameters
    ----------
    estimator : estimator object
    scoring : str, callable, list, tuple, set, dict or None
        The search's ``scoring``.
    refit : bool, str or callable
        The search's ``refit``, checked against the metric names of a
        multi-metric ``scoring``.
    error_score : "raise" or float

    Returns
    -------
    scorer : callable
    metric_names : list of str or None
        None for a callable ``scoring``: the first scores name them.
    """
    if callable(scoring):
        return scoring, None
    if scoring is None or isinstance(scoring, str):
        return check_scoring(estimator, scoring), ["score"]
    metric_names = list(scoring)
    if not isinstance(scoring, dict) and len(set(metric_names)) != len(metric_names):
        raise ValueError(f"scoring={scoring!r} contains duplicate names.")
    if not metric_names:
        raise ValueError(f"scoring={scoring!r}: an empty scoring is not allowed.")
    check_refit_for_multimetric(refit, metric_names)
    scorer = check_scoring(estimator, scoring, raise_exc=(error_score == "raise"))
    return scorer, metric_names


def check_refit_for_multimetric(refit, metric_names):
    """Raise scikit-learn's ValueError unless ``refit`` can pick among ``metric_names``.

    Parameters
    ----------
    refit : bool, str or callable
    metric_names : list of str
    """
    valid = isinstance(refit, str) and refit in metric_names
    if refit is not False and not valid and not callable(refit):
        raise ValueError(
            "For multi-metric scoring, the parameter refit must be set to a scorer key "
            "or a callable to refit an estimator with the best parameter setting on the "
            "whole data and make the best_* attributes available for that metric. If "
            f"this is not needed, refit should be set to False explicitly. {refit!r} "
            "was passed."
        )


def route_fit_params(search, scorer, params):
    """``fit``'s parameters per consumer: the estimator's ``fit``, the scorer, the splitter.

    With metadata routing enabled, scikit-learn routes them; without it,
    ``groups`` goes to the splitter, the rest to ``fit`` and, as the
    installed scikit-learn decides, ``sample_weight`` to the scorer too.

    Parameters
    ----------
    search : HyperDriveSearchCV
        The router, and the name in the warnings.
    scorer : callable
        What :func:`get_scorer` returned.
    params : dict
        ``fit``'s keyword arguments.

    Returns
    -------
    routed : Bunch
        ``estimator.fit``, ``scorer.score`` and ``splitter.split``, as
        :func:`sklearn.utils.metadata_routing.process_routing` returns them.
    """
    if get_config().get("enable_metadata_routing", False):
        return process_routing(search, "fit", **params)
    params = dict(params)
    groups = params.pop("groups", None)
    score_params = {}
    if params.get("sample_weight") is not None and _scorer_takes_sample_weight(search, scorer):
        score_params["sample_weight"] = params["sample_weight"]
    return Bunch(
        estimator=Bunch(fit=params),
        splitter=Bunch(split={"groups": groups}),
        scorer=Bunch(score=score_params),
    )


def _scorer_takes_sample_weight(search, scorer):
    """Whether ``fit``'s ``sample_weight`` goes to the scorer, without metadata routing.

    As scikit-learn >= 1.9 decides it: when any scorer accepts it, each
    scorer that does not is named in a warning and called without it.
    Older releases never forward it.
    """
    if not release_forwards_sample_weight():
        return False
    scorers = scorer_attribute(search.estimator, search.scoring, scorer)
    if isinstance(scorers, dict):
        refusing = [f"{name}={s}" for name, s in scorers.items() if not scorer_accepts_sample_weight(s)]
        accepted = len(refusing) < len(scorers)
    else:
        accepted = scorer_accepts_sample_weight(scorers)
        refusing = [] if accepted else [f"{scorers}"]
    for description in refusing:
        warnings.warn(
            f"The scoring {description} does not support sample_weight, which may lead to "
            f"statistically incorrect results when fitting {search} with sample_weight. ",
            UserWarning,
        )
    return accepted


def scorer_attribute(estimator, scoring, scorer):
    """``scorer_``: the scorer, or one scorer per name for multi-metric scoring.

    Parameters
    ----------
    estimator : estimator object
    scoring : str, callable, list, tuple, set, dict or None
    scorer : callable
        What :func:`get_scorer` returned.

    Returns
    -------
    scorer_ : callable or dict of callables
    """
    if isinstance(scoring, (list, tuple, set)):
        return {name: check_scoring(estimator, name) for name in scoring}
    if isinstance(scoring, dict):
        return {name: check_scoring(estimator, s) for name, s in scoring.items()}
    return scorer


def select_best(results, refit, multimetric):
    """The best row of ``results`` and its score, as ``GridSearchCV`` picks them.

    Parameters
    ----------
    results : dict
        ``cv_results_``.
    refit : bool, str or callable
        A callable picks the row itself; otherwise the lowest rank of the
        refit metric (``"score"`` for single-metric scoring) among this
        search's completed trials, the first one on ties.
    multimetric : bool

    Returns
    -------
    best_index : int
    best_score : float or None
        None when a callable ``refit`` picked the row.
    """
    if callable(refit):
        best_index = refit(results)
        if not isinstance(best_index, numbers.Integral):
            raise TypeError("best_index_ returned is not an integer")
        if best_index < 0 or best_index >= len(results["params"]):
            raise IndexError("best_index_ index out of range")
        return int(best_index), None
    refit_metric = refit if multimetric else "score"
    best_index = _best_completed(results, f"rank_test_{refit_metric}")
    return best_index, results[f"mean_test_{refit_metric}"][best_index]


def _best_completed(results, rank_key):
    """Lowest-ranked completed trial of this search, the first one on ties."""
    ranks = np.asarray(results[rank_key], dtype=float)
    own = (results["status"] == COMPLETED) & (results["source"] == "search")
    ranks = np.where(own, ranks, np.inf)
    return int(np.argmin(ranks))
