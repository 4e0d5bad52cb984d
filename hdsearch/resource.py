"""Resources: what one evaluation interval of work is.

- ``Folds`` (``"folds"``): interval k is the k-th CV fold; the score at k is
  the mean of the first k folds' scores. Works for every estimator.
- ``PartialFit``: interval k is k passes of ``partial_fit`` over the training
  fold, in an order seeded per (trial, fold, epoch).
- ``WarmStart``: a parameter such as ``n_estimators`` grows each interval;
  with ``warm_start`` the model continues, otherwise it is refit.
- ``Subsample``: interval k trains on a growing, seeded subsample of the
  training fold and scores on the whole test fold.

A per-fold resource (all but ``Folds``) advances every fold of a trial by the
same steps; its score at k is the mean over folds of the step-k scores.

A fold is only scored at some intervals (the ones a policy reads, and the
last), so :meth:`BaseResource.advance` takes a model from one scored interval
to the next in as few native calls as the resource allows: ``WarmStart`` jumps
straight to the next value in one ``fit``, ``Subsample`` trains only on the
subsample it is scored on, ``PartialFit`` runs its passes back to back.
"""

import math
import numbers
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn import config_context, get_config
from sklearn.base import clone

from . import _boosting
from ._config import ConfigObject, check_int


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


class Folds(BaseResource):
    """Interval k is the k-th CV fold (the default, ``resource="folds"``)."""

    per_fold = False

    def __init__(self):
        pass

    def n_intervals(self, n_splits, n_train):
        return n_splits

    def axis_label(self):
        return "fold"


def _fit(model, X, y, fit_params):
    if y is None:
        return model.fit(X, **fit_params)
    return model.fit(X, y, **fit_params)


def _on_known_rows(fold):
    """A context that skips the finiteness check once ``fold``'s rows passed it.

    Every step of a task sees the same rows (in another order), so checking
    them once is enough; this is scikit-learn's public ``assume_finite``.
    """
    return config_context(assume_finite=fold.validated or get_config()["assume_finite"])


class PartialFit(BaseResource):
    """Interval k is k passes of ``partial_fit`` over the training fold.

    Each pass visits the training fold in an order seeded per (trial, fold,
    epoch); classes are passed on the first call. The refit of the best trial
    repeats the same number of seeded passes on the whole data.

    Estimators of scikit-learn's SGD family (``SGDClassifier``,
    ``SGDRegressor``, ``SGDOneClassSVM``, ``Perceptron``,
    ``PassiveAggressive*``) with ``shuffle=True`` shuffle every
    ``partial_fit`` call themselves, from a seed drawn from their
    ``random_state`` at each call. For them the pass is seeded by setting
    ``random_state`` to the (trial, fold, epoch) seed for that one call (the
    user's value is put back after it), so the rows are not copied at every
    epoch; every other estimator gets the fold's rows gathered in the seeded
    order.

    Parameters
    ----------
    max_epochs : int
        Passes of a trial that runs to the end.
    min_epochs : int, default=1
        The policy never stops a trial before this many passes.
    """

    def __init__(self, max_epochs, min_epochs=1):
        self.max_epochs = max_epochs
        self.min_epochs = min_epochs

    @property
    def min_interval(self):
        return self.min_epochs

    def _arguments(self):
        return {"max_epochs": self.max_epochs, "min_epochs": self.min_epochs}

    def check(self, estimator, param_names):
        check_int("PartialFit", "max_epochs", self.max_epochs, 1)
        check_int("PartialFit", "min_epochs", self.min_epochs, 1)
        if self.min_epochs > self.max_epochs:
            raise ValueError(
                f"PartialFit: min_epochs must be <= max_epochs, got min_epochs={self.min_epochs}, "
                f"max_epochs={self.max_epochs}"
            )
        if not callable(getattr(estimator, "partial_fit", None)):
            raise ValueError(_no_partial_fit_message(estimator))

    def n_intervals(self, n_splits, n_train):
        return self.max_epochs

    def axis_label(self):
        return "epoch"

    def advance(self, model, first, last, fold, rng_for, classes):
        shuffles_itself = _shuffles_each_call(model)
        for epoch in range(first, last + 1):
            rng = rng_for(epoch)
            if shuffles_itself:
                X, y, params = fold.X, fold.y, dict(fold.fit_params)
            else:
                X, y, params = fold.shuffled(rng.permutation(len(fold)))
            if classes is not None and epoch == 1:
                params["classes"] = classes
            with _on_known_rows(fold), _seeded_call(model, rng if shuffles_itself else None):
                if y is None:
                    model.partial_fit(X, **params)
                else:
                    model.partial_fit(X, y, **params)
            fold.validated = True
        return model


def _no_partial_fit_message(estimator):
    """Why ``PartialFit`` cannot drive ``estimator``, and, for a pipeline, how to get there today."""
    name = type(estimator).__name__
    message = f"resource=PartialFit needs an estimator with partial_fit; {name} has none."
    final = getattr(estimator, "steps", None) and estimator.steps[-1][1]
    if not callable(getattr(final, "partial_fit", None)):
        return message
    return (
        f"{message} Its final step {type(final).__name__} has partial_fit, but a {name} does not pass it on "
        "(PartialFit on pipelines is planned). Today: transform X before the search and search the final step "
        "alone, or use WarmStart on a parameter that grows (max_iter with warm_start=True), or the folds "
        "resource."
    )


def _shuffles_each_call(model):
    """Whether ``model.partial_fit`` shuffles the rows itself, from its ``random_state``, at every call.

    Checked in scikit-learn's source for its SGD family: each ``partial_fit``
    draws the shuffling seed from ``check_random_state(self.random_state)``.
    """
    return isinstance(model, _sgd_family()) and model.get_params().get("shuffle") is True


def _sgd_family():
    from sklearn import linear_model

    names = ("SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "Perceptron",
             "PassiveAggressiveClassifier", "PassiveAggressiveRegressor")
    return tuple(getattr(linear_model, name) for name in names if hasattr(linear_model, name))


@contextmanager
def _seeded_call(model, rng):
    """Set ``model.random_state`` to a seed from ``rng`` for one call, then put the user's value back."""
    if rng is None:
        yield
        return
    users = model.random_state
    model.random_state = int(rng.integers(2**31 - 1))
    try:
        yield
    finally:
        model.random_state = users


class WarmStart(BaseResource):
    """A parameter grows each interval, e.g. ``n_estimators`` or ``max_iter``.

    Values go ``start``, then ``+ step`` or ``* factor`` (rounded up for
    integers), and end at ``stop``. When the estimator (or the pipeline step
    owning ``param``) has ``warm_start``, training continues from the previous
    interval's model; otherwise each interval refits from scratch, which the
    search warns about. Between two scored intervals the parameter jumps
    straight to the later value in one ``fit`` (with no policy: one fit to
    ``stop``), and the refit of the best trial makes the same calls.

    scikit-learn's ``GradientBoosting*`` (``n_estimators``) and
    ``HistGradientBoosting*`` (``max_iter``), with early stopping off, do
    better: continuing them equals one fit, bit for bit, so each task trains
    once, to the last interval it runs, and every interval on the way is
    scored from that model's staged predictions; the refit is one fit to
    ``stop``.

    The rounds of XGBoost, LightGBM and CatBoost (``n_estimators`` of their
    scikit-learn wrappers, or CatBoost's ``iterations``; also as the last step
    of a ``Pipeline``) continue natively: each interval fits only the missing
    rounds on top of the previous booster (``xgb_model=``, ``init_model=``),
    so the model after interval k has exactly the rounds of interval k, and
    the refit of the best trial fits its final round count in one fit. In a
    pipeline the transformers are fit once, at the first interval, and later
    intervals continue the final step on their ``transform`` output. Early
    stopping inside these libraries is rejected before any fit, and so is a
    CatBoost model without ``learning_rate`` (CatBoost would pick it from the
    iteration count of each fit).

    Between two scored intervals, the rounds in between are scored from the
    fitted model without retraining where that is cheap: XGBoost
    (``iteration_range`` with ``base_margin``), CatBoost and scikit-learn's
    ``GradientBoosting*`` and ``HistGradientBoosting*`` (``staged_*``), and
    LightGBM (``num_iteration``) for short segments only.

    Parameters
    ----------
    param : str
        The growing parameter; ``"clf__n_estimators"`` reaches a pipeline step.
    start, stop : int or float
        First and last value, ``start <= stop`` (equal means one interval).
    step : int or float, default=None
        Additive growth.
    factor : float, default=None
        Multiplicative growth, > 1. Exactly one of ``step`` and ``factor``.
    """

    def __init__(self, param, start, stop, step=None, factor=None):
        self.param = param
        self.start = start
        self.stop = stop
        self.step = step
        self.factor = factor

    def _arguments(self):
        return {"param": self.param, "start": self.start, "stop": self.stop, "step": self.step,
                "factor": self.factor}

    def schedule(self):
        """The parameter's value at intervals 1, 2, ..."""
        values, value = [], self.start
        integer = isinstance(self.start, numbers.Integral) and isinstance(self.stop, numbers.Integral)
        while value < self.stop:
            values.append(value)
            value = value + self.step if self.step is not None else value * self.factor
            if integer:
                value = int(math.ceil(value))
        values.append(self.stop)
        return values

    def check(self, estimator, param_names):
        if not isinstance(self.param, str):
            raise ValueError(f"WarmStart: param must be a str, got param={self.param!r}")
        valid = set(estimator.get_params(deep=True)) | _boosting.parameter_names(estimator)
        if self.param not in valid:
            raise ValueError(f"WarmStart: param={self.param!r} is not a parameter of {estimator!r}")
        if self.param in param_names:
            raise ValueError(
                f"WarmStart: param={self.param!r} is also in param_distributions; the resource "
                "sets it, so remove it from the space."
            )
        for name in ("start", "stop"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value > 0):
                raise ValueError(f"WarmStart: {name} must be a number > 0, got {name}={value!r}")
        if self.start > self.stop:
            raise ValueError(f"WarmStart: start must be <= stop, got start={self.start}, stop={self.stop}")
        if (self.step is None) == (self.factor is None):
            raise ValueError(
                f"WarmStart: give exactly one of step and factor, got step={self.step!r}, "
                f"factor={self.factor!r}"
            )
        if self.step is not None and not (isinstance(self.step, numbers.Real) and self.step > 0):
            raise ValueError(f"WarmStart: step must be > 0, got step={self.step!r}")
        if self.factor is not None and not (isinstance(self.factor, numbers.Real) and self.factor > 1):
            raise ValueError(f"WarmStart: factor must be > 1, got factor={self.factor!r}")
        if _boosting.continues(estimator, self.param):
            _boosting.check_settings(estimator, self.param, param_names)
        elif self._warm_start_name() not in valid:
            warnings.warn(
                f"WarmStart: {type(estimator).__name__} has no {self._warm_start_name()!r} "
                "parameter, so every interval refits from scratch with the larger "
                f"{self.param!r}.",
                UserWarning,
            )

    def check_fit_params(self, estimator, fit_params):
        if _boosting.continues(estimator, self.param):
            _boosting.check_fit_params(estimator, self.param, fit_params)

    def _warm_start_name(self):
        owner, _, _ = self.param.rpartition("__")
        return f"{owner}__warm_start" if owner else "warm_start"

    def n_intervals(self, n_splits, n_train):
        return len(self.schedule())

    def reached(self, k, n_train):
        return self.schedule()[k - 1]

    def axis_label(self):
        return self.param

    def new_model(self, estimator, params):
        model = super().new_model(estimator, params)
        if _boosting.continues(model, self.param):
            return _boosting.seeded_per_round(model, self.param)
        if self._warm_start_name() in model.get_params(deep=True):
            model.set_params(**{self._warm_start_name(): True})
        return model

    def scores_from_one_fit(self, model):
        return _boosting.scores_from_one_fit(model, self.param)

    def grows_in_one_call(self, model):
        return _boosting.grows_in_one_call(model, self.param)

    def grouping_params(self, estimator):
        return _boosting.grouping_params(estimator, self.param)

    def held_step_cost(self, estimator):
        if _boosting.continues(estimator, self.param) or _boosting.is_gradient_boosting(estimator, self.param):
            return BOOSTING_HELD_STEP_COST
        if self._warm_start_name() not in estimator.get_params(deep=True):
            return 1.0  # every call refits from scratch
        return 0.0

    def views_at(self, model, steps):
        # Scored steps: LightGBM's are read however dear (one call each would predict them too).
        views = _boosting.round_views(model, self.param, [self.schedule()[step - 1] for step in steps], cheap_only=False)
        return dict(zip(steps, views))

    def advance(self, model, first, last, fold, rng_for, classes):
        target = self.schedule()[last - 1]
        if _boosting.continues(model, self.param):
            return _boosting.grow(model, self.param, target, fold.X, fold.y, fold.fit_params, fresh=first == 1)
        # Without warm_start, fit() starts over: each call refits from scratch.
        model.set_params(**{self.param: target})
        with _on_known_rows(fold):
            _fit(model, fold.X, fold.y, fold.fit_params)
        fold.validated = True
        return model

    def earlier_steps(self, model, first, last):
        # The view at ``last`` stands in for the model's own prediction where the
        # two are the same bit for bit; CatBoost's staged probabilities differ
        # from its own in the last bit.
        owner, _ = _boosting.split_param(model, self.param)
        end = last if _boosting.library_of(owner) == "catboost" else last + 1
        steps = list(range(first, end))
        try:
            views = _boosting.round_views(model, self.param, [self.schedule()[k - 1] for k in steps])
        except Exception:  # the points in between are a bonus: never fail a trial for them
            return []
        return [] if views is None else list(zip(steps, views))

    def refit_steps(self, estimator, scored_intervals):
        # A native continuation is the same as one fit: go straight to the end.
        if _boosting.continues(estimator, self.param):
            return scored_intervals[-1:]
        return scored_intervals


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
        _fit(model, X, y, params)
        return model


def make_resource(resource):
    """A resource object from ``"folds"``, ``"partial_fit"``, None or an instance.

    Parameters
    ----------
    resource : {"folds", "partial_fit"}, None or BaseResource

    Returns
    -------
    BaseResource
    """
    if resource is None or (isinstance(resource, str) and resource == "folds"):
        return Folds()
    if isinstance(resource, str) and resource == "partial_fit":
        return PartialFit(max_epochs=DEFAULT_MAX_EPOCHS)
    if isinstance(resource, BaseResource):
        return resource
    raise ValueError(
        "resource must be 'folds', 'partial_fit', or a Folds, PartialFit, WarmStart or "
        f"Subsample object; got resource={resource!r}"
    )


DEFAULT_MAX_EPOCHS = 10
#: What continuing a boosting model costs per round it holds, in rounds
#: trained: it predicts every held tree on the training rows first. Measured on
#: HistGradientBoostingRegressor, 27,000 rows: a warm-start call from 100 to
#: 120 iterations spent 0.090 s predicting the 100 trees and 0.034 s growing
#: the 20 new ones (0.0009 s against 0.0017 s a tree).
BOOSTING_HELD_STEP_COST = 0.5
