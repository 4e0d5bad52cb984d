"""The resource base: what one evaluation interval of work is, as the engine asks it.

:class:`BaseResource` is the interface the engine and the workers call (the
schedule, how a fold model advances, which steps can be read without
retraining); :func:`fit_model` and :func:`on_known_rows` are how resources fit a
fold model.
"""

from sklearn import config_context, get_config
from sklearn.base import clone

from .._config import ConfigObject


class BaseResource(ConfigObject):
    """The interval schedule and how one interval advances a fold model."""

    per_fold = True
    #: The policy never acts before this interval.
    min_interval = 1

    def check(self, estimator, param_names):
        """Raise ValueError if the resource cannot drive ``estimator``; may warn."""

    def check_fit_params(self, estimator, fit_params):
        """Raise ValueError if the resource cannot drive ``estimator`` with these ``fit`` parameters."""

    def n_intervals(self, n_splits, n_train):
        """Number of intervals of a trial, given the folds and the smallest training fold."""
        raise NotImplementedError

    def reached(self, k, n_train):
        """The amount of resource at interval ``k`` (epochs, n_estimators, samples, folds)."""
        return k

    def axis_label(self):
        """What :meth:`reached` counts, to name a learning curve's x-axis.

        Returns
        -------
        label : str
            ``"fold"``, ``"epoch"``, the ``WarmStart`` parameter's name
            (``"max_iter"``, ``"clf__n_estimators"``) or ``"training samples"``.
        """
        return "interval"

    def new_model(self, estimator, params):
        """A fresh fold model with the trial's ``params``."""
        return clone(estimator).set_params(**clone(params, safe=False))

    def scores_from_one_fit(self, model):
        """Whether one call can take ``model`` to any later step, with every step before scored from it.

        True only where the results are the same however the steps are
        grouped into calls; then a task trains once and :meth:`views_at`
        scores every interval it passed.

        Parameters
        ----------
        model : estimator
            A fold model with the trial's parameters.

        Returns
        -------
        bool
        """
        return False

    def grows_in_one_call(self, model):
        """Whether one call can take ``model`` from any step to any later one, exactly.

        True where :meth:`scores_from_one_fit` holds, and where the model
        grows exactly but reading its earlier steps is dear (LightGBM): one
        call then reaches several scored steps, and each is read from it.

        Parameters
        ----------
        model : estimator
            A fold model with the trial's parameters.

        Returns
        -------
        bool
        """
        return self.scores_from_one_fit(model)

    def grouping_params(self, estimator):
        """Parameters whose values decide :meth:`grows_in_one_call`, named as in a search space.

        A search that searches one of them scores only where the policy reads.

        Parameters
        ----------
        estimator : estimator

        Returns
        -------
        tuple of str
        """
        return ()

    def held_step_cost(self, estimator):
        """What a call that continues a model pays for each step the model already holds.

        In steps trained: 0 where a call only does its own steps (``partial_fit``,
        a forest grown with ``warm_start``), about one half where it first
        predicts every round held on the training rows (boosting continued),
        1 where it trains them all again (a refit from scratch). The engine
        weighs it when it decides how far a task runs ahead.

        Parameters
        ----------
        estimator : estimator
            The unfitted base estimator.

        Returns
        -------
        float
        """
        return 0.0

    def segments(self, model, steps):
        """The scored ``steps`` grouped by the :meth:`advance` call that reaches them.

        One call per scored step, or one call for all of them where
        :meth:`grows_in_one_call` holds.

        Parameters
        ----------
        model : estimator
        steps : list of int
            Scored steps, in increasing order.

        Returns
        -------
        list of list of int
        """
        if steps and self.grows_in_one_call(model):
            return [steps]
        return [[step] for step in steps]

    def views_at(self, model, steps):
        """The fitted ``model`` as it was after each of ``steps``, without retraining.

        Only for a model for which :meth:`grows_in_one_call` holds.

        Parameters
        ----------
        model : estimator
        steps : sequence of int

        Returns
        -------
        dict of int to estimator-like
        """
        raise NotImplementedError

    def advance(self, model, first, last, fold, rng_for, classes):
        """Run steps ``first..last`` (from 1) on ``model`` and return the model after ``last``.

        The engine calls it from one scored interval to the next (through
        several only where :meth:`grows_in_one_call` holds), so the
        boundaries of the native calls do not depend on how work is grouped
        into tasks.

        Parameters
        ----------
        model : estimator
            The fold model after step ``first - 1`` (a fresh one when ``first`` is 1).
        first, last : int
            ``1 <= first <= last``.
        fold : TrainingFold
            The training rows of the fold, with their fit parameters.
        rng_for : callable
            ``rng_for(*key)`` returns a ``numpy.random.Generator`` seeded for
            (trial, fold, *key).
        classes : ndarray or None
            All class labels, for ``partial_fit``.
        """
        raise NotImplementedError

    def earlier_steps(self, model, first, last):
        """Views of ``model`` (after step ``last``) as it was after steps ``first..last``.

        Only where the model can answer for an earlier step without
        retraining, cheaply; the worker scores them so a learning curve has
        points between two scored intervals, and scores step ``last`` from
        the same pass when it is there (rather than predicting every round
        again).

        Parameters
        ----------
        model : estimator
            The fold model after step ``last``.
        first, last : int

        Returns
        -------
        list of (int, object)
            ``(step, view)`` pairs in step order; empty when not cheap.
        """
        return []

    def refit_steps(self, estimator, scored_intervals):
        """The scored intervals the refit of the best trial calls :meth:`advance` between.

        Parameters
        ----------
        estimator : estimator
            The unfitted base estimator.
        scored_intervals : tuple of int
            The intervals the folds were scored at.

        Returns
        -------
        tuple of int
        """
        return scored_intervals


def fit_model(model, X, y, fit_params):
    """``model.fit(X, y, **fit_params)``, without ``y`` for an unsupervised fit.

    Parameters
    ----------
    model : estimator
    X, y : array-like
        ``y`` may be None.
    fit_params : dict

    Returns
    -------
    model : estimator
        What ``fit`` returns.
    """
    if y is None:
        return model.fit(X, **fit_params)
    return model.fit(X, y, **fit_params)


def on_known_rows(fold):
    """A context that skips the finiteness check once ``fold``'s rows passed it.

    Every step of a task sees the same rows (in another order), so checking
    them once is enough; this is scikit-learn's public ``assume_finite``.

    Parameters
    ----------
    fold : TrainingFold

    Returns
    -------
    context manager
    """
    return config_context(assume_finite=fold.validated or get_config()["assume_finite"])
