"""What a fitted search offers: ``best_estimator_``'s methods, the leaderboard, the notebook display.

:class:`FittedSearchMixin` holds the methods ``GridSearchCV`` delegates to
its refit estimator (``predict``, ``score``, ...) and hdsearch's views of the
trials; ``HyperDriveSearchCV`` inherits them and keeps ``fit`` to itself.
"""

import functools
import re

from sklearn import get_config
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import report as _report
from ._compat import inverse_transform_input, search_visual_block


def _require_refit(search, attr):
    """Raise scikit-learn's AttributeError when ``attr`` needs a refit that ``refit=False`` skipped."""
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} instance was initialized with `refit=False`. "
            f"{attr} is available only after refitting on the best parameters. You can "
            "refit an estimator manually using the `best_params_` attribute"
        )


def _estimator_has(attr):
    """``available_if`` check: delegate ``attr`` only when the estimator has it."""

    def check(self):
        _require_refit(self, attr)
        getattr(self.best_estimator_ if hasattr(self, "best_estimator_") else self.estimator, attr)
        return True

    return check


class FittedSearchMixin:
    """The methods of a fitted search that read its results, as ``BaseSearchCV``'s do.

    Expects ``refit``, ``estimator``, ``scorer_``, ``multimetric_``,
    ``best_estimator_`` and ``trials_`` on the search once fitted.
    """

    def score(self, X, y=None, **params):
        """Score ``best_estimator_`` with the refit metric's scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        **params : dict
            Parameters for the scorer; only with metadata routing enabled,
            as in scikit-learn (a ``ValueError`` otherwise).

        Returns
        -------
        score : float
        """
        _require_refit(self, "score")
        check_is_fitted(self)
        if get_config().get("enable_metadata_routing", False):
            params = process_routing(self, "score", **params).scorer.score
        elif params:
            raise ValueError(
                f"Passing extra keyword arguments to {type(self).__name__}.score is only supported "
                "if enable_metadata_routing=True, which you can set using `sklearn.set_config`. "
                "See the User Guide <https://scikit-learn.org/stable/metadata_routing.html> for "
                f"more details. Extra parameters passed are: {set(params)}"
            )
        if isinstance(self.scorer_, dict):
            return self.scorer_[self.refit](self.best_estimator_, X, y, **params)
        score = self.scorer_(self.best_estimator_, X, y, **params)
        # A callable scoring that returns a dict of metrics.
        return score[self.refit] if self.multimetric_ else score

    def _call_best(self, method_name, X):
        """``best_estimator_.<method_name>(X)``, as ``GridSearchCV`` delegates it.

        An array namespace mismatch (array API inputs) is reported under this
        search's method, where the user called it.
        """
        check_is_fitted(self)
        try:
            return getattr(self.best_estimator_, method_name)(X)
        except ValueError as exc:
            if "must use the same namespace" not in str(exc):
                raise
            inner = re.escape(type(self.best_estimator_).__name__)
            message = re.sub(rf"{inner}\.\w+\(\)", f"{type(self).__name__}.{method_name}()", str(exc))
            raise ValueError(message) from None

    @available_if(_estimator_has("score_samples"))
    def score_samples(self, X):
        """Call ``score_samples`` on ``best_estimator_``.

        Parameters
        ----------
        X : iterable
            Data the estimator accepts.

        Returns
        -------
        y_score : ndarray of shape (n_samples,)
        """
        return self._call_best("score_samples", X)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Call ``predict`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._call_best("predict", X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Call ``predict_proba`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Call ``predict_log_proba`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Call ``decision_function`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_best("decision_function", X)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        """Call ``transform`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples

        Returns
        -------
        Xt : {ndarray, sparse matrix} of shape (n_samples, n_features)
        """
        return self._call_best("transform", X)

    @available_if(_estimator_has("inverse_transform"))
    def inverse_transform(self, X=None, Xt=None):
        """Call ``inverse_transform`` on ``best_estimator_``.

        Parameters
        ----------
        X : indexable, length n_samples
            Required.
        Xt : indexable, length n_samples, default=None
            The deprecated name of ``X``, accepted (with a ``FutureWarning``)
            only where the installed ``GridSearchCV`` accepts it:
            scikit-learn < 1.7.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
        """
        X = inverse_transform_input(X, Xt)
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X)

    @property
    def n_features_in_(self):
        """Number of features seen during ``fit``; only with ``refit=True``."""
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute."
            )
        return self.best_estimator_.n_features_in_

    @property
    def classes_(self):
        """Class labels of ``best_estimator_``; only with ``refit=True``."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_


    def leaderboard(self, top=None, include_terminated=True):
        """The trials sorted by the primary metric, best first.

        HyperDrive's ``get_children_sorted_by_primary_metric``. A trial's
        ``score`` is the mean test score of the primary (refit) metric at
        the last interval it reached: for a completed trial its
        ``mean_test_*`` in ``cv_results_``, for a terminated one the score
        it was stopped with. Failed and unscored trials come last.

        Parameters
        ----------
        top : int, default=None
            Keep the first ``top`` rows; None keeps all.
        include_terminated : bool, default=True
            Whether trials stopped by the policy are listed.

        Returns
        -------
        table : pandas.DataFrame or list of dict
            A DataFrame when pandas is installed, else a list of dicts; one
            row per trial with ``rank``, ``trial_id``, ``status``, ``score``,
            ``n_intervals``, ``time`` (seconds of fitting and scoring summed
            over every fold and interval), one ``param_<name>`` column per
            hyperparameter and ``params``.

        See Also
        --------
        hdsearch.report.leaderboard : The same rows for a stored experiment.
        """
        check_is_fitted(self, "trials_")
        return _report.as_table(_report.leaderboard(self, top=top, include_terminated=include_terminated))

    @property
    def _repr_html_(self):
        """HTML for notebooks: a summary and the top trials above scikit-learn's diagram.

        The summary gives the sampling, policy and resource, the budget used,
        the trials per status and the compute saved by early termination.
        Unfitted, it is scikit-learn's estimator diagram alone. Like
        scikit-learn's, it exists only when ``display="diagram"``.
        """
        if get_config()["display"] != "diagram":
            raise AttributeError("_repr_html_ is only defined when the 'display' configuration option is 'diagram'")
        return functools.partial(_report.search_html, self)

    def _sk_visual_block_(self):
        """scikit-learn's diagram draws ``best_estimator_`` once refit, else ``estimator``."""
        if hasattr(self, "best_estimator_"):
            return search_visual_block("best_estimator_", self.best_estimator_)
        return search_visual_block("estimator", self.estimator)

    def _repr_mimebundle_(self, **kwargs):
        """Jupyter's rich display: scikit-learn's bundle with hdsearch's summary as its HTML.

        IPython prefers ``_repr_mimebundle_``, which scikit-learn defines, to
        ``_repr_html_``; without this the summary would never show.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if "text/html" in bundle:
            bundle["text/html"] = _report.search_html(self)
        return bundle
