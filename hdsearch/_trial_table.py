"""The trial table of a stored experiment: one row of plain columns per trial.

:func:`table_rows` turns the store's trial rows and results into the rows
:func:`hdsearch.store.load_experiment` returns (params, ``n_intervals``,
``mean_test_*``/``std_test_*`` of each fold's last result, times, error).
Pure: it reads nothing from disk.
"""

import json
import math
import pickle

from .trials import last_result_per_fold

#: The columns of a table without trials.
EMPTY_TABLE_COLUMNS = ["trial_id", "source", "status", "params", "n_intervals", "start_time", "end_time", "error"]


def table_rows(trial_rows, results_by_trial):
    """One dict per trial, with the columns :func:`hdsearch.store.load_experiment` documents.

    Parameters
    ----------
    trial_rows : list of tuple
        ``(trial_id, params_pickle, params_json, status, start_time,
        end_time, error, source)`` per trial, in trial order.
    results_by_trial : dict of int to list of FoldResult
        Each trial's results, in arrival order.

    Returns
    -------
    rows : list of dict
        The scores are those of each fold's last result
        (:func:`hdsearch.trials.last_result_per_fold`).
    """
    param_names = sorted({name for row in trial_rows for name in json.loads(row[2])})
    metrics, train_metrics = {}, {}
    for results in results_by_trial.values():
        for result in results:
            metrics.update(dict.fromkeys(result.test_scores))
            train_metrics.update(dict.fromkeys(result.train_scores or ()))
    return [
        _table_row(row, results_by_trial.get(row[0], []), param_names, list(metrics), list(train_metrics))
        for row in trial_rows
    ]


def _table_row(trial_row, results, param_names, metrics, train_metrics):
    trial_id, params_pickle, params_json, status, start, end, error, source = trial_row
    params = _params_for_table(params_pickle, params_json)
    row = {"trial_id": trial_id, "source": source, "status": status, "params": params}
    row.update((f"param_{name}", params.get(name)) for name in param_names)
    row["n_intervals"] = _n_intervals(results)
    last = last_result_per_fold(results)
    for metric in metrics:
        _add_mean_std(row, f"test_{metric}", [r.test_scores.get(metric, math.nan) for r in last])
    for metric in train_metrics:
        _add_mean_std(row, f"train_{metric}", [(r.train_scores or {}).get(metric, math.nan) for r in last])
    row.update(start_time=start, end_time=end, error=error)
    return row


def _params_for_table(params_pickle, params_json):
    """The exact params; their readable copy when the reader cannot unpickle them."""
    try:
        return pickle.loads(params_pickle)
    except Exception:  # noqa: BLE001 - unpickling can raise anything a class chooses
        return json.loads(params_json)


def _n_intervals(results):
    """Intervals reached, read from the results alone (a store row holds no schedule).

    Folds done when every result is at interval fold + 1 (the ``folds``
    resource); else the smallest of the stored folds' latest intervals.
    """
    if not results:
        return 0
    if all(r.interval == r.fold + 1 for r in results):
        return len({r.fold for r in results})
    return min(r.interval for r in last_result_per_fold(results))


def _add_mean_std(row, key, scores):
    """``mean_<key>`` and ``std_<key>`` (population deviation, as numpy's) of ``scores``."""
    if not scores:
        row[f"mean_{key}"] = row[f"std_{key}"] = math.nan
        return
    mean = sum(scores) / len(scores)
    row[f"mean_{key}"] = mean
    row[f"std_{key}"] = math.sqrt(sum((score - mean) ** 2 for score in scores) / len(scores))
