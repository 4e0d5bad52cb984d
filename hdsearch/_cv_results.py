"""Turn the finished trial table into scikit-learn's ``cv_results_`` dict.

Keys, dtypes, masked ``param_*`` columns, ranks and warnings follow
``GridSearchCV`` exactly, so code written against it reads ours unchanged;
``status`` and ``n_intervals`` are added.
"""

import warnings
from collections import Counter, defaultdict

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning



def metric_names_of(trials, multimetric):
    """Metric names in the order the first successful fold reported them."""
    if multimetric:
        for trial in trials:
            for result in sorted(trial.results, key=lambda r: r.fold):
                if result.error is None:
                    return list(result.test_scores)
    return ["score"]


def fill_failed_scores(trials, metric_names, error_score):
    """Give failed folds ``error_score`` under every metric name.

    A callable scorer reveals its metric names only when a fit succeeds, so
    folds that failed earlier recorded a single ``"score"``.
    """
    failed = dict.fromkeys(metric_names, error_score)
    for trial in trials:
        for result in trial.results:
            if result.error is not None and list(result.test_scores) != metric_names:
                result.test_scores = dict(failed)
                if result.train_scores is not None:
                    result.train_scores = dict(failed)


def warn_or_raise_about_fit_failures(trials, error_score):
    """Raise when every fit failed, warn when some did (scikit-learn's messages)."""
    errors = [error for trial in trials for error in trial.errors]
    if not errors:
        return
    n_fits = sum(len(trial.results) for trial in trials)
    if len(errors) == n_fits:
        raise ValueError(all_fits_failed_message(errors, n_fits))
    summary = _failure_summary(errors)
    warnings.warn(
        f"\n{len(errors)} fits failed out of a total of {n_fits}.\n"
        "The score on these train-test partitions for these parameters"
        f" will be set to {error_score}.\n"
        "If these failures are not expected, you can try to debug them "
        "by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
    )


def all_fits_failed_message(errors, n_fits, stopped_early_after_trials=None):
    """scikit-learn's "All the N fits failed" message for ``errors`` (tracebacks).

    Parameters
    ----------
    errors : list of str
    n_fits : int
    stopped_early_after_trials : int or None, default=None
        The trials the fits came from, when the search stopped after them:
        the message then says that the other fits were not run.

    Returns
    -------
    str
    """
    early = ""
    if stopped_early_after_trials is not None:
        early = (
            f"The search stopped early: its first {n_fits} fits, from {stopped_early_after_trials} trials, all "
            "failed with the same error, which names no searched parameter, so every fit would; the other fits "
            "were not run.\n\n"
        )
    return (
        f"\nAll the {n_fits} fits failed.\n"
        "It is very likely that your model is misconfigured.\n"
        "You can try to debug the error by setting error_score='raise'.\n\n"
        f"{early}Below are more details about the failures:\n{_failure_summary(errors)}"
    )


def _failure_summary(errors):
    delimiter = "-" * 80 + "\n"
    return "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}" for error, n in Counter(errors).items()
    )


def cv_results_of(trials, schedule, metric_names, return_train_score, resource_at=None):
    """The ``cv_results_`` dict of a finished search.

    Parameters
    ----------
    trials : list of Trial
        In trial order; row i of every array is ``trials[i]``.
    schedule : Schedule
        The search's schedule: ``n_splits`` split columns, and the
        ``n_intervals`` column counts :meth:`Trial.intervals_reached`.
    metric_names : list of str
        ``["score"]`` for single-metric scoring.
    return_train_score : bool
    resource_at : callable, default=None
        The resource's amount at interval k (``Evaluation.reached``); with
        it, a ``resource_reached`` column (0 for a trial with no interval).

    Returns
    -------
    cv_results : dict of str to ndarray or list
    """
    n_splits = schedule.n_splits
    results = {}
    fold_results = [_by_fold(trial, n_splits) for trial in trials]

    def column(read):
        return np.array(
            [[np.nan if r is None else read(r) for r in row] for row in fold_results],
            dtype=np.float64,
        ).reshape(len(trials), n_splits)

    missing = np.array([[r is None for r in row] for row in fold_results], dtype=bool).reshape(
        len(trials), n_splits
    )
    _store(results, "fit_time", column(lambda r: r.fit_time), missing)
    _store(results, "score_time", column(lambda r: r.score_time), missing)
    params = [trial.params for trial in trials]
    results.update(_masked_param_columns(params))
    results["params"] = params
    for name in metric_names:
        _store(results, f"test_{name}", column(lambda r: r.test_scores[name]), missing, splits=True, rank=True)
        if return_train_score:
            _store(results, f"train_{name}", column(lambda r: r.train_scores[name]), missing, splits=True)
    results["status"] = np.array([trial.status for trial in trials], dtype=object)
    results["source"] = np.array([trial.source for trial in trials], dtype=object)
    reached = [trial.intervals_reached(schedule) for trial in trials]
    results["n_intervals"] = np.array(reached, dtype=np.int64)
    if resource_at is not None:
        results["resource_reached"] = np.array([resource_at(k) if k else 0 for k in reached])
    return results


def _by_fold(trial, n_splits):
    row = [None] * n_splits
    for result in trial.last_result_per_fold():
        row[result.fold] = result
    return row


def _store(results, key_name, array, missing, splits=False, rank=False):
    if splits:
        for split_idx in range(array.shape[1]):
            results[f"split{split_idx}_{key_name}"] = array[:, split_idx]
    means = np.average(array, axis=1)
    stds = np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))
    # Trials stopped early under the folds resource miss their last folds:
    # their figures are those of the folds they ran.
    for row in np.flatnonzero(missing.any(axis=1) & ~missing.all(axis=1)):
        ran = array[row][~missing[row]]
        means[row] = np.mean(ran)
        stds[row] = np.std(ran)
    results[f"mean_{key_name}"] = means
    if key_name.startswith(("train_", "test_")) and np.any(~np.isfinite(means)):
        warnings.warn(
            f"One or more of the {key_name.split('_')[0]} scores are non-finite: {means}",
            category=UserWarning,
        )
    results[f"std_{key_name}"] = stds
    if rank:
        results[f"rank_{key_name}"] = rank_scores(means)


def rank_scores(means):
    """Rank 1 for the highest mean; NaN means tie with the worst, as in scikit-learn."""
    if np.isnan(means).all():
        return np.ones_like(means, dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return rankdata(-filled, method="min").astype(np.int32, copy=False)


def _masked_param_columns(candidate_params):
    """One masked ``param_<name>`` array per parameter, masked where absent."""
    n_candidates = len(candidate_params)
    by_name = defaultdict(dict)
    for index, params in enumerate(candidate_params):
        for name, value in params.items():
            by_name[f"param_{name}"][index] = value
    columns = {}
    for key, values in by_name.items():
        try:
            inferred = np.array(list(values.values()))
        except ValueError:  # ragged sequences
            dtype = np.dtype(object)
        else:
            # Strings and same-length sequences stay objects, as in scikit-learn.
            dtype = inferred.dtype if inferred.dtype.kind != "U" and inferred.ndim == 1 else object
        column = MaskedArray(np.empty(n_candidates, dtype=dtype), mask=True)
        for index, value in values.items():
            column[index] = value
        columns[key] = column
    return columns
