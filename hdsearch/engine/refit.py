"""The refit: one trial's parameters trained on all the data.

The search refits its best trial in the parent once the trials are done. When
the best trial is known before its last folds end (it is the only trial left
and no other can complete), the engine runs the same refit in a worker beside
those folds instead (:func:`refit_beside_folds`), where a worker would
otherwise wait for the wave to end; the search keeps that model only if the
trial it would refit is that very trial.
"""

import os
import time
import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.base import clone

from .._config import stream_factory
from .._data import TrainingFold, num_samples, reuse_mapping
from .records import RefitOutcome


def refit_with_resource(estimator, params, resource, X, y, fit_params, seed, classes, scored_intervals):
    """Run every step of a per-fold resource on all the rows, as the trial ran on each fold.

    The random streams are keyed ``(trial, n_splits, step)``: the refit is one
    more "fold" after the CV folds, seeded like them. The resource is called
    between the same scored intervals as on the folds (once, to the end, where
    one fit gives the same model).

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator.
    params : dict
        The trial's parameters.
    resource : BaseResource
        A per-fold resource.
    X, y : array-like
        The whole data.
    fit_params : dict
        The whole-data parameters of ``fit``.
    seed : tuple of int
        ``(entropy, trial_id, n_splits)``.
    classes : ndarray or None
        All class labels, for ``partial_fit``.
    scored_intervals : sequence of int
        The intervals the folds were scored at.

    Returns
    -------
    estimator
        The trained model.
    """
    rng_for = stream_factory(*seed)
    model = resource.new_model(estimator, params)
    fold = TrainingFold(X, y, np.arange(num_samples(X)), fit_params)
    previous = 0
    for segment in resource.segments(model, list(resource.refit_steps(estimator, scored_intervals))):
        model = resource.advance(model, previous + 1, segment[-1], fold, rng_for, classes)
        previous = segment[-1]
    return model


def refit_plain(estimator, params, X, y, fit_params, around=lambda model: nullcontext()):
    """One ``fit`` of a fresh copy of ``estimator`` with ``params`` on all the data (the folds resource).

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator.
    params : dict
        The trial's parameters; cloned too, as they may be estimators
        (pipeline steps).
    X, y : array-like
        The whole data.
    fit_params : dict
        The whole-data parameters of ``fit``.
    around : callable, default=no context
        ``around(model)`` is the context the fit runs in (the search reports
        its refit to scikit-learn's callbacks there).

    Returns
    -------
    estimator
        The fitted copy.
    """
    model = clone(estimator).set_params(**clone(params, safe=False))
    with around(model):
        # The model itself, not what its fit returns (some fits return None).
        if y is None:
            model.fit(X, **fit_params)
        else:
            model.fit(X, y, **fit_params)
    return model


def refit_trial(estimator, params, resource, X, y, fit_params, seed, classes, scored_intervals,
                around=lambda model: nullcontext()):
    """The refit of one trial on all the data: the per-fold resource's steps, or one plain ``fit``.

    Parameters
    ----------
    estimator, params, resource, X, y, fit_params, seed, classes, scored_intervals
        As for :func:`refit_with_resource`.
    around : callable, default=no context
        As for :func:`refit_plain`; a per-fold resource's refit runs in
        ``around(None)`` (its model is built step by step).

    Returns
    -------
    estimator
        The trained model.
    """
    if resource.per_fold:
        with around(None):
            return refit_with_resource(estimator, params, resource, X, y, fit_params, seed, classes, scored_intervals)
    return refit_plain(estimator, params, X, y, fit_params, around)


def refit_beside_folds(X, y, setup, call):
    """The refit of one trial, run in a worker; a failure leaves the refit to the parent.

    Parameters
    ----------
    X, y : array-like
        The whole data.
    setup : WorkerSetup
        What every task of the search shares (estimator, resource, ``fit``
        parameters, classes).
    call : RefitCall
        The trial's parameters, the refit's seed, the scored intervals and
        the search's process id. In another process the refit's warnings
        are recorded and sent back, for the parent to show as its own refit
        would; in the parent's own process (threads, ``n_jobs=1``) they are
        shown as they come.

    Returns
    -------
    RefitOutcome
    """
    start = time.time()
    elsewhere = os.getpid() != call.parent_pid
    model = None
    with warnings.catch_warnings(record=True) if elsewhere else nullcontext() as caught:
        if elsewhere:
            warnings.simplefilter("always")  # the parent's filters decide what shows
        try:
            X, y = reuse_mapping(X), reuse_mapping(y)
            model = refit_trial(setup.estimator, call.params, setup.resource, X, y, setup.fit_params,
                                call.seed, setup.classes, call.scored_intervals)
        except Exception:
            model = None
    recorded = [(w.category, str(w.message), w.filename, w.lineno) for w in caught or ()]
    return RefitOutcome(model, time.time() - start, recorded)


def show_warnings(recorded):
    """Issue warnings recorded by :func:`refit_beside_folds` in this process, under its filters."""
    for category, message, filename, lineno in recorded:
        warnings.warn_explicit(message, category, filename, lineno)
