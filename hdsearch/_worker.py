"""The one function shipped to workers: fit and score one (trial, fold).

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

from ._config import stream_factory
from ._data import TrainingFold, index_params, num_samples, reuse_mapping, take_rows
from ._fit_tasks import callback_metadata


def fit_and_score_fold(
    estimator,
    X,
    y,
    *,
    params,
    train,
    test,
    scorer,
    metric_names,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    verbose=0,
    progress=None,
    callback_ctx=None,
    caller=None,
):
    """Fit a fresh copy of ``estimator`` with ``params`` on one split and score it.

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator; it is cloned here, never modified.
    X, y : array-like
        The whole data set; ``train`` and ``test`` index into it.
    params : dict
        The trial's parameter set.
    train, test : ndarray of int
        Indices of the split.
    scorer : callable
        Returns a number, or a dict of numbers for multi-metric scoring.
    metric_names : list of str or None
        Metric names when known before fitting (multi-metric from a list or
        dict), so that a failed fit reports ``error_score`` for each of them.
    fit_params, score_params : dict
        Whole-data parameters for ``fit`` and the scorer; arrays as long as
        ``X`` are indexed like it.
    return_train_score : bool
        Whether to score on the training part too.
    error_score : "raise" or float
        Score recorded for a failed fit.
    verbose : int
        scikit-learn's verbosity: above 1, print one ``[CV] END`` line.
    progress : tuple of int or None
        ``(fold, n_splits, trial, n_trials)`` for the verbose line.
    callback_ctx : sklearn.callback.CallbackContext or None
        The evaluation task of scikit-learn's callbacks; its hooks are called
        around the fit and the scoring, and it propagates to the estimator.
    caller : HyperDriveSearchCV or None
        The search, which the hooks receive.

    Returns
    -------
    outcome : dict
        ``test_scores``, ``train_scores`` (number or dict), ``fit_time``,
        ``score_time``, ``error`` (traceback text or None) and ``exception``
        (an exception the parent must raise, or None).
    """
    outcome = {"train_scores": None, "fit_time": 0.0, "score_time": 0.0}
    outcome.update(error=None, exception=None)
    if verbose > 9:
        start_msg = f"[CV{_progress_message(progress, verbose)}] START {_params_message(params)}"
        print(f"{start_msg}{(80 - len(start_msg)) * '.'}")
    try:
        _run(outcome, estimator, X, y, params, train, test, scorer, metric_names,
             fit_params, score_params, return_train_score, error_score, (callback_ctx, caller))
    except Exception as exc:  # a search-stopping error: the parent raises it
        outcome["exception"] = exc
        outcome["error"] = traceback.format_exc()
    if verbose > 1:
        _print_end_line(outcome, params, progress, verbose, return_train_score)
    return outcome


def _run(outcome, estimator, X, y, params, train, test, scorer, metric_names,
         fit_params, score_params, return_train_score, error_score, callback_task=(None, None)):
    X, y = reuse_mapping(X), reuse_mapping(y)
    estimator = clone(estimator).set_params(**clone(params, safe=False))
    n_samples = num_samples(X)
    fit_params = index_params(fit_params, n_samples, train)
    pairwise = get_tags(estimator).input_tags.pairwise
    X_train, y_train = _split(pairwise, X, y, train)
    X_test, y_test = _split(pairwise, X, y, test, train)
    context, caller = callback_task
    hook_args = {"estimator": caller, "X": X_train, "y": y_train, "metadata": callback_metadata(fit_params)}
    try:
        _fit_and_score(outcome, estimator, X_train, y_train, X_test, y_test, n_samples, train, test,
                       scorer, metric_names, fit_params, score_params, return_train_score,
                       error_score, context, hook_args)
    finally:
        if context is not None:
            context.call_on_fit_task_end(**hook_args)


def _fit_and_score(outcome, estimator, X_train, y_train, X_test, y_test, n_samples, train, test,
                   scorer, metric_names, fit_params, score_params, return_train_score,
                   error_score, context, hook_args):
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
        outcome["fit_time"] = time.time() - start
        if error_score == "raise":
            raise
        outcome["error"] = traceback.format_exc()
        failed = _failed_scores(metric_names, error_score)
        outcome["test_scores"] = failed
        if return_train_score:
            outcome["train_scores"] = failed
        return
    outcome["fit_time"] = time.time() - start
    outcome["test_scores"] = _score(
        estimator, X_test, y_test, scorer, index_params(score_params, n_samples, test), error_score
    )
    outcome["score_time"] = time.time() - start - outcome["fit_time"]
    if return_train_score:
        outcome["train_scores"] = _score(
            estimator, X_train, y_train, scorer, index_params(score_params, n_samples, train),
            error_score,
        )


def lost_task_outcome(per_fold, metric_names, error_score, return_train_score, reason):
    """The outcome of a task whose worker died before it could answer.

    Parameters
    ----------
    per_fold : bool
        Whether the task was an :func:`advance_fold` task.
    metric_names : list of str or None
    error_score : float
    return_train_score : bool
    reason : str
        What happened, kept as the trial's error text.

    Returns
    -------
    outcome : dict
        Shaped like the outcome of the task's function, marking a failed fit.
    """
    failed = _failed_scores(metric_names, error_score)
    step = {
        "test_scores": failed,
        "train_scores": failed if return_train_score else None,
        "fit_time": 0.0,
        "score_time": 0.0,
        "error": reason,
    }
    if per_fold:
        return {"steps": [step], "model": None, "failed": True, "exception": None}
    return {**step, "exception": None}


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


def _print_end_line(outcome, params, progress, verbose, return_train_score):
    """Print scikit-learn's ``[CV i/n; c/N] END params;... total time=`` line."""
    end_msg = f"[CV{_progress_message(progress, verbose)}] END "
    params_msg = _params_message(params)
    result_msg = params_msg + (";" if params_msg else "")
    test_scores, train_scores = outcome.get("test_scores"), outcome["train_scores"]
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
    total = outcome["fit_time"] + outcome["score_time"]
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


def advance_fold(
    estimator,
    X,
    y,
    *,
    model,
    params,
    resource,
    train,
    test,
    first_step,
    last_step,
    scored_steps,
    seed,
    classes,
    scorer,
    metric_names,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    keep_model,
):
    """Advance one fold of one trial through steps ``first_step..last_step`` of a resource.

    The fold is scored at ``scored_steps`` (the last step among them), and at
    the steps in between that the resource can read from the model without
    retraining (boosting rounds); the resource moves the model from one
    scored step to the next in one :meth:`~hdsearch.resource.BaseResource.advance`
    call, or through all of them in one call where one fit stands for them
    (:meth:`~hdsearch.resource.BaseResource.segments`).

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator.
    X, y : array-like
        The whole data set.
    model : PackedModel or None
        The fold model after ``first_step - 1`` steps, as the previous task
        packed it; None at step 1.
    params : dict
        The trial's parameter set.
    resource : BaseResource
        A per-fold resource.
    train, test : ndarray of int
    first_step, last_step : int
    scored_steps : sequence of int
        Every step of the schedule that is scored, in increasing order;
        ``last_step`` must be one of them.
    seed : tuple of int
        ``(entropy, trial_id, fold)``; step randomness comes from
        ``SeedSequence(entropy, spawn_key=(trial_id, fold, *key))``.
    classes : ndarray or None
    scorer, metric_names, fit_params, score_params, return_train_score, error_score
        As for :func:`fit_and_score_fold`.
    keep_model : bool
        Return the fold model for the next wave.

    Returns
    -------
    outcome : dict
        ``steps``: one dict per step scored, in step order (``interval``,
        ``test_scores``, ``train_scores``, ``fit_time`` of the call that
        reached it, on the call's last step, ``score_time``, ``error``);
        ``model``: the fold model as a :class:`PackedModel`, or None;
        ``failed``: whether a fit failed (the fold stops there);
        ``exception``: an error the parent must raise, or None.
    """
    rng_for = stream_factory(*seed)
    outcome = {"steps": [], "model": None, "failed": False, "exception": None}
    try:
        X, y = reuse_mapping(X), reuse_mapping(y)
        n_samples = num_samples(X)
        model = resource.new_model(estimator, params) if model is None else model.unpack()
        # Slice once per task, not once per step.
        pairwise = get_tags(model).input_tags.pairwise
        X_test, y_test = _split(pairwise, X, y, test, train)
        test_score_params = index_params(score_params, n_samples, test)
        test_set = (X_test, y_test, scorer, test_score_params)
        train_set = None
        if return_train_score:
            X_train, y_train = _split(pairwise, X, y, train)
            train_set = (X_train, y_train, scorer, index_params(score_params, n_samples, train))
        fold = TrainingFold(X, y, train, fit_params)
        # A model from an earlier wave was trained on these very rows.
        fold.validated = first_step > 1
        steps = [s for s in scored_steps if first_step <= s <= last_step]
        previous = first_step - 1
        for segment in resource.segments(model, steps):
            start = time.time()
            try:
                model = resource.advance(model, previous + 1, segment[-1], fold, rng_for, classes)
            except Exception:
                if error_score == "raise":
                    raise
                failed = _failed_scores(metric_names, error_score)
                outcome["steps"].append({
                    "interval": segment[0], "test_scores": failed,
                    "train_scores": failed if return_train_score else None,
                    "fit_time": time.time() - start, "score_time": 0.0, "error": traceback.format_exc(),
                })
                outcome["failed"] = True
                return outcome
            fit_time = time.time() - start
            # The steps between two scored ones, where the model can answer for
            # them without retraining, read as the call ending at the later one
            # would read them; and that scored step from the same pass.
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
            # The test rows passed the finiteness check at this task's first score.
            with config_context(assume_finite=previous >= first_step or get_config()["assume_finite"]):
                for step, view, scored in points:
                    result = _score_step(step, view, test_set, train_set, error_score)
                    # The whole segment's fit is charged to its last step.
                    if scored and step == segment[-1]:
                        result["fit_time"] = fit_time
                    outcome["steps"].append(result)
            previous = segment[-1]
        if keep_model:
            outcome["model"] = PackedModel(model)
    except Exception as exc:  # a search-stopping error: the parent raises it
        outcome["exception"] = exc
    return outcome


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
    """The outcome of one scored step: ``model`` scored on the test rows (and the training rows)."""
    start = time.time()
    result = {"interval": step, "fit_time": 0.0, "error": None, "train_scores": None}
    result["test_scores"] = _score(model, *test_set, error_score)
    if train_set is not None:
        result["train_scores"] = _score(model, *train_set, error_score)
    result["score_time"] = time.time() - start
    return result
