"""The functions shipped to workers: fit and score one whole fold, or advance one fold by steps.

Each takes the data, the search's :class:`~hdsearch.engine.records.WorkerSetup`
and one call record, and returns a :class:`~hdsearch.engine.records.FoldOutcome`.

Workers never raise. A failure in ``fit`` becomes ``error_score`` plus the
traceback text; anything that must stop the search (``error_score="raise"``,
a scorer that returns something other than a number) travels back as the
exception object, and the parent raises it after the wave.
"""

import copy
import numbers
import pickle
import time
import traceback
import warnings
from contextlib import nullcontext, suppress

import numpy as np
from joblib.logger import short_format_time
from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.utils import get_tags

from .._config import stream_factory
from .._data import TrainingFold, index_params, num_samples, reuse_mapping, take_rows
from .._fit_tasks import callback_metadata
from .records import FoldOutcome, StepScore


def fit_and_score_fold(X, y, setup, call):
    """Fit a fresh copy of the estimator with the trial's parameters on one split and score it.

    Parameters
    ----------
    X, y : array-like
        The whole data set; ``call.train`` and ``call.test`` index into it.
    setup : WorkerSetup
        What every task of the search shares (estimator, scorer, ...).
    call : FoldCall
        The trial's parameters, the split, the verbose progress and
        scikit-learn's callback task (its hooks are called around the fit
        and the scoring, and it propagates to the estimator).

    Returns
    -------
    FoldOutcome
        One :class:`StepScore` (no interval: the engine knows it), and
        ``exception``: an error the parent must raise, or None.
    """
    step = StepScore()
    outcome = FoldOutcome([step])
    if setup.verbose > 9:
        start_msg = f"[CV{_progress_message(call.progress, setup.verbose)}] START {_params_message(call.params)}"
        print(f"{start_msg}{(80 - len(start_msg)) * '.'}")
    try:
        _run(step, X, y, setup, call)
    except Exception as exc:  # a search-stopping error: the parent raises it
        outcome.exception = exc
        step.error = traceback.format_exc()
    if setup.verbose > 1:
        _print_end_line(step, call.params, call.progress, setup.verbose, setup.return_train_score)
    return outcome


def _run(step, X, y, setup, call):
    X, y = reuse_mapping(X), reuse_mapping(y)
    estimator = clone(setup.estimator).set_params(**clone(call.params, safe=False))
    n_samples = num_samples(X)
    fit_params = index_params(setup.fit_params, n_samples, call.train)
    pairwise = get_tags(estimator).input_tags.pairwise
    train_set = _split(pairwise, X, y, call.train)
    test_set = _split(pairwise, X, y, call.test, call.train)
    context = call.callback_ctx
    hook_args = {"estimator": call.caller, "X": train_set[0], "y": train_set[1],
                 "metadata": callback_metadata(fit_params)}
    try:
        _fit_and_score(step, estimator, train_set, test_set, n_samples, setup, call, fit_params, hook_args)
    finally:
        if context is not None:
            context.call_on_fit_task_end(**hook_args)


def _fit_and_score(step, estimator, train_set, test_set, n_samples, setup, call, fit_params, hook_args):
    context = call.callback_ctx
    (X_train, y_train), (X_test, y_test) = train_set, test_set
    start = time.time()
    try:
        with nullcontext() if context is None else context.propagate_callback_context(estimator):
            if context is not None:
                context.call_on_fit_task_begin(**hook_args)
            if y_train is None:
                estimator.fit(X_train, **fit_params)
            else:
                estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        step.fit_time = time.time() - start
        if setup.error_score == "raise":
            raise
        _fail(step, setup, traceback.format_exc())
        return
    step.fit_time = time.time() - start
    step.test_scores = _score(
        estimator, X_test, y_test, setup.scorer, index_params(setup.score_params, n_samples, call.test),
        setup.error_score,
    )
    step.score_time = time.time() - start - step.fit_time
    if setup.return_train_score:
        step.train_scores = _score(
            estimator, X_train, y_train, setup.scorer, index_params(setup.score_params, n_samples, call.train),
            setup.error_score,
        )


def _fail(step, setup, error):
    """Mark ``step`` a failed fit: ``error_score`` for every metric, and the error text."""
    failed = _failed_scores(setup.metric_names, setup.error_score)
    step.test_scores = failed
    step.train_scores = failed if setup.return_train_score else None
    step.error = error
    return step


def lost_task_outcome(setup, reason):
    """The outcome of a task whose worker died before it could answer.

    Parameters
    ----------
    setup : WorkerSetup
    reason : str
        What happened, kept as the trial's error text.

    Returns
    -------
    FoldOutcome
        One failed step (no interval: the engine knows it), ``failed`` set.
    """
    return FoldOutcome([_fail(StepScore(), setup, reason)], failed=True)


def _failed_scores(metric_names, error_score):
    """``error_score``, once per metric when the metric names are known."""
    return error_score if metric_names is None else dict.fromkeys(metric_names, error_score)


def _score(estimator, X, y, scorer, score_params, error_score):
    """Score like scikit-learn's cross-validation does, failures included."""
    try:
        scores = scorer(estimator, X, **score_params) if y is None else scorer(
            estimator, X, y, **score_params
        )
    except Exception:
        if error_score == "raise":
            raise
        _warn_scoring_failed(error_score, traceback.format_exc())
        return error_score
    if isinstance(scores, dict):
        # A multi-metric scorer built with raise_exc=False reports a failing
        # metric as its traceback text.
        for name, value in scores.items():
            if isinstance(value, str):
                _warn_scoring_failed(error_score, value)
                scores[name] = error_score
        return {name: _as_number(value, name) for name, value in scores.items()}
    return _as_number(scores, scorer)


def _as_number(score, scorer):
    if hasattr(score, "item"):
        with suppress(ValueError):
            score = score.item()  # numpy scalars and memmapped 0-d arrays
    if not isinstance(score, numbers.Number):
        raise ValueError(
            f"scoring must return a number, got {score} ({type(score)}) instead. "
            f"(scorer={scorer})"
        )
    return score


def _warn_scoring_failed(error_score, details):
    warnings.warn(
        "Scoring failed. The score on this train-test partition for these parameters"
        f" will be set to {error_score}. Details: \n{details}",
        UserWarning,
    )


def _split(pairwise, X, y, indices, train_indices=None):
    """Index ``X`` and ``y``; a pairwise estimator gets kernel rows and columns."""
    if pairwise:
        if not hasattr(X, "shape"):
            raise ValueError(
                "Precomputed kernels or affinity matrices have to be passed as arrays "
                "or sparse matrices."
            )
        if X.shape[0] != X.shape[1]:
            raise ValueError("X should be a square kernel matrix")
        columns = indices if train_indices is None else train_indices
        X_part = X[np.ix_(indices, columns)]
    else:
        X_part = take_rows(X, indices)
    y_part = None if y is None else take_rows(y, indices)
    return X_part, y_part


def _print_end_line(step, params, progress, verbose, return_train_score):
    """Print scikit-learn's ``[CV i/n; c/N] END params;... total time=`` line."""
    end_msg = f"[CV{_progress_message(progress, verbose)}] END "
    params_msg = _params_message(params)
    result_msg = params_msg + (";" if params_msg else "")
    test_scores, train_scores = step.test_scores, step.train_scores
    if verbose > 2 and test_scores is not None:
        if isinstance(test_scores, dict):
            for name in sorted(test_scores):
                result_msg += f" {name}: ("
                if return_train_score:
                    result_msg += f"train={train_scores[name]:.3f}, "
                result_msg += f"test={test_scores[name]:.3f})"
        elif return_train_score:
            result_msg += f", score=(train={train_scores:.3f}, test={test_scores:.3f})"
        else:
            result_msg += f", score={test_scores:.3f}"
    total = step.fit_time + step.score_time
    result_msg += f" total time={short_format_time(total)}"
    end_msg += "." * (80 - len(end_msg) - len(result_msg))
    print(end_msg + result_msg)


def _progress_message(progress, verbose):
    if verbose <= 2 or progress is None:
        return ""
    fold, n_splits, trial, n_trials = progress
    message = f" {fold + 1}/{n_splits}"
    if verbose > 9:
        message += f"; {trial + 1}/{n_trials}"
    return message


def _params_message(params):
    return ", ".join(f"{k}={params[k]}" for k in sorted(params))


def advance_fold(X, y, setup, call):
    """Advance one fold of one trial through steps ``first_step..last_step`` of a resource.

    The fold is scored at ``call.scored_steps`` (the last step among them),
    and at the steps in between that the resource can read from the model
    without retraining (boosting rounds); the resource moves the model from
    one scored step to the next in one
    :meth:`~hdsearch.resource.BaseResource.advance` call, or through all of
    them in one call where one fit stands for them
    (:meth:`~hdsearch.resource.BaseResource.segments`).

    Parameters
    ----------
    X, y : array-like
        The whole data set.
    setup : WorkerSetup
        What every task of the search shares; ``setup.resource`` is a
        per-fold resource.
    call : StepCall
        The trial's parameters, the split, the fold model so far, the steps
        to run and the seed of their random streams.

    Returns
    -------
    FoldOutcome
        ``steps``: one :class:`StepScore` per step scored, in step order
        (``fit_time`` of the call that reached it on the call's last step);
        ``model``: the fold model as a :class:`PackedModel`, or None;
        ``failed``: whether a fit failed (the fold stops there);
        ``exception``: an error the parent must raise, or None.
    """
    outcome = FoldOutcome()
    try:
        X, y = reuse_mapping(X), reuse_mapping(y)
        resource = setup.resource
        model = resource.new_model(setup.estimator, call.params) if call.model is None else call.model.unpack()
        test_set, train_set = _scoring_sets(X, y, get_tags(model).input_tags.pairwise, setup, call)
        fold = TrainingFold(X, y, call.train, setup.fit_params)
        # A model from an earlier wave was trained on these very rows.
        fold.validated = call.first_step > 1
        steps = [s for s in call.scored_steps if call.first_step <= s <= call.last_step]
        previous = call.first_step - 1
        rng_for = stream_factory(*call.seed)
        for segment in resource.segments(model, steps):
            start = time.time()
            try:
                model = resource.advance(model, previous + 1, segment[-1], fold, rng_for, setup.classes)
            except Exception:
                if setup.error_score == "raise":
                    raise
                step = _fail(StepScore(segment[0], fit_time=time.time() - start), setup, traceback.format_exc())
                outcome.steps.append(step)
                outcome.failed = True
                return outcome
            fit_time = time.time() - start
            first_scored = previous >= call.first_step
            outcome.steps += _score_segment(resource, model, previous, segment, fit_time, first_scored,
                                            test_set, train_set, setup.error_score)
            previous = segment[-1]
        if call.keep_model:
            outcome.model = PackedModel(model)
    except Exception as exc:  # a search-stopping error: the parent raises it
        outcome.exception = exc
    return outcome


def _scoring_sets(X, y, pairwise, setup, call):
    """The test rows (and the training rows with ``return_train_score``) as the scorer takes them.

    Sliced once per task, not once per step.
    """
    n_samples = num_samples(X)
    X_test, y_test = _split(pairwise, X, y, call.test, call.train)
    test_set = (X_test, y_test, setup.scorer, index_params(setup.score_params, n_samples, call.test))
    train_set = None
    if setup.return_train_score:
        X_train, y_train = _split(pairwise, X, y, call.train)
        train_set = (X_train, y_train, setup.scorer, index_params(setup.score_params, n_samples, call.train))
    return test_set, train_set


def _score_segment(resource, model, previous, segment, fit_time, checked, test_set, train_set, error_score):
    """The steps a call from ``previous + 1`` through ``segment`` scores, in step order.

    The steps between two scored ones, where the model can answer for them
    without retraining, read as the call ending at the later one would read
    them; and that scored step from the same pass. ``checked`` says the test
    rows already passed the finiteness check at an earlier score of the task.
    """
    filled, low = [], previous + 1
    for step in segment:
        if low < step:
            filled += resource.earlier_steps(model, low, step)
        low = step + 1
    views = {step: view for step, view in filled if step in segment}
    # One staged pass scores the rest of the segment, its last step too:
    # the model's own prediction would predict every round again.
    rest = [step for step in segment if step not in views]
    if len(segment) > 1 and rest:
        views.update(resource.views_at(model, rest))
    points = sorted([(step, view, False) for step, view in filled if step not in segment]
                    + [(step, views.get(step, model), True) for step in segment],
                    key=lambda point: point[0])
    scores = []
    with config_context(assume_finite=checked or get_config()["assume_finite"]):
        for step, view, scored in points:
            result = _score_step(step, view, test_set, train_set, error_score)
            # The whole segment's fit is charged to its last step.
            if scored and step == segment[-1]:
                result.fit_time = fit_time
            scores.append(result)
    return scores


class PackedModel:
    """A fold model between two tasks, pickled once by the worker that trained it.

    The parent only keeps it and hands it to the next task, so a process
    backend moves bytes: the parent neither unpickles nor pickles the model
    again (a LightGBM booster of 225 rounds and 200 leaves takes 0.13 s to
    pickle), and the next task unpickles a private copy, which it may change
    in place. A model that plain pickle refuses (a lambda in a pipeline) is
    kept as the object itself, which loky's cloudpickle or an in-process
    backend carries as before, and is deep-copied when unpacked.

    Parameters
    ----------
    model : estimator
        A fitted fold model.
    """

    __slots__ = ("_data", "_model")

    def __init__(self, model):
        try:
            self._data, self._model = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), None
        except Exception:  # whatever pickle raises for an object it cannot take
            self._data, self._model = None, model

    def unpack(self):
        """A private copy of the model.

        Returns
        -------
        estimator
        """
        if self._data is None:
            return copy.deepcopy(self._model)
        return pickle.loads(self._data)


def _score_step(step, model, test_set, train_set, error_score):
    """The scores of one step: ``model`` scored on the test rows (and the training rows)."""
    start = time.time()
    result = StepScore(step, test_scores=_score(model, *test_set, error_score))
    if train_set is not None:
        result.train_scores = _score(model, *train_set, error_score)
    result.score_time = time.time() - start
    return result
