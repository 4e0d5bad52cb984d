"""Leaderboards of a fitted search: the top trials as rows or as text."""

import numpy as np


def leaderboard(search, top=10, metric=None):
    """The best trials of a fitted search, best first.

    Parameters
    ----------
    search : HyperDriveSearchCV
        A fitted search.
    top : int, default=10
        Number of rows to return.
    metric : str, default=None
        Metric to rank by; None means the refit metric (``"score"`` for
        single-metric scoring).

    Returns
    -------
    rows : list of dict
        ``rank``, ``trial``, ``status``, ``mean_test``, ``std_test``,
        ``mean_fit_time`` and ``params`` for each row.
    """
    results = search.cv_results_
    if metric is None:
        metric = search.refit if search.multimetric_ and isinstance(search.refit, str) else "score"
    ranks = results[f"rank_test_{metric}"]
    order = np.lexsort((np.arange(len(ranks)), ranks))[:top]
    return [
        {
            "rank": int(ranks[i]),
            "trial": int(i),
            "status": str(results["status"][i]),
            "mean_test": float(results[f"mean_test_{metric}"][i]),
            "std_test": float(results[f"std_test_{metric}"][i]),
            "mean_fit_time": float(results["mean_fit_time"][i]),
            "params": results["params"][i],
        }
        for i in order
    ]


def format_leaderboard(rows):
    """Render ``leaderboard`` rows as a fixed-width text table.

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`leaderboard`.

    Returns
    -------
    text : str
    """
    lines = [f"{'rank':>4}  {'trial':>5}  {'status':<10} {'mean test':>10} {'std':>7} {'fit s':>7}  params"]
    for row in rows:
        params = ", ".join(f"{k}={_short(v)}" for k, v in sorted(row["params"].items()))
        lines.append(
            f"{row['rank']:>4}  {row['trial']:>5}  {row['status']:<10} {row['mean_test']:>10.4f}"
            f" {row['std_test']:>7.4f} {row['mean_fit_time']:>7.3f}  {params}"
        )
    return "\n".join(lines)


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else repr(value)
