"""The report's tables: the leaderboard and the summary, as rows, text and their numbers.

:func:`leaderboard` ranks the trials by score (HyperDrive's
``get_children_sorted_by_primary_metric``), :func:`summary` says what the
search did; the ``format_*`` functions give them as text for a terminal.
Their HTML forms are in :mod:`hdsearch.report.page`.
"""

import math

from ..trials import COMPLETED, TERMINATED
from ._bounds import params_at_bound
from ._view import experiment_view, intervals_saved, status_counts

LEADERBOARD_COLUMNS = ["rank", "trial_id", "status", "score", "n_intervals", "time"]


def leaderboard(source, top=None, include_terminated=True, metric=None):
    """The trials sorted by score, best first: HyperDrive's ``get_children_sorted_by_primary_metric``.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
        A fitted search, a stored experiment, or its trials.
    top : int, default=None
        Keep the first ``top`` rows; None keeps all.
    include_terminated : bool, default=True
        Whether trials stopped by the early-termination policy are listed.
    metric : str, default=None
        Metric to rank by; None means the primary (refit) metric.

    Returns
    -------
    rows : list of dict
        One dict per trial, best first, failed and unscored (NaN) trials
        last, ties in trial order. Keys: ``rank`` (1 = best; equal scores
        share a rank, NaN ranks last), ``trial_id``, ``status``, ``score``
        (mean test score at the last interval reached), ``n_intervals``,
        ``time`` (seconds of fitting and scoring summed over every fold and
        interval), one ``param_<name>`` per hyperparameter (None where a
        trial of a conditional space lacks it) and ``params`` (the dict).

    Raises
    ------
    ValueError
        Naming ``top`` or ``include_terminated`` when invalid.

    See Also
    --------
    HyperDriveSearchCV.leaderboard : The same rows as a DataFrame.
    format_leaderboard : The rows as a text table.
    """
    _check_top(top)
    if not isinstance(include_terminated, bool):
        raise ValueError(f"include_terminated must be True or False, got include_terminated={include_terminated!r}.")
    view = experiment_view(source, metric)
    trials = [t for t in view.trials if include_terminated or t.status != TERMINATED]
    rows = [_leaderboard_row(trial, view) for trial in trials]
    rows.sort(key=lambda row: (math.isnan(row["score"]), -_finite_or_zero(row["score"]), row["trial_id"]))
    _add_ranks(rows)
    return rows if top is None else rows[:top]


def _check_top(top):
    valid = top is None or (isinstance(top, int) and not isinstance(top, bool) and top >= 1)
    if not valid:
        raise ValueError(f"top must be None or an int >= 1, got top={top!r}.")


def _finite_or_zero(score):
    return 0.0 if math.isnan(score) else score


def _leaderboard_row(trial, view):
    row = {
        "rank": 0,
        "trial_id": int(trial.trial_id),
        "status": trial.status,
        "score": float(view.score(trial)),
        "n_intervals": int(view.n_intervals(trial)),
        "time": float(sum(r.fit_time + r.score_time for r in trial.results)),
    }
    row.update((f"param_{name}", trial.params.get(name)) for name in view.axes)
    row["params"] = dict(trial.params)
    return row


def _add_ranks(rows):
    """Scikit-learn's ``min`` ranks over sorted rows: ties share the best rank, NaN ranks last."""
    n_scored = sum(not math.isnan(row["score"]) for row in rows)
    for position, row in enumerate(rows):
        if math.isnan(row["score"]):
            row["rank"] = n_scored + 1
        elif position and rows[position - 1]["score"] == row["score"]:
            row["rank"] = rows[position - 1]["rank"]
        else:
            row["rank"] = position + 1


def as_table(rows):
    """Leaderboard rows as a pandas DataFrame when pandas is installed, else unchanged.

    Parameters
    ----------
    rows : list of dict
        As :func:`leaderboard` returns them.

    Returns
    -------
    table : pandas.DataFrame or list of dict
        The DataFrame is indexed by ``rank`` order (a fresh RangeIndex) and
        has the rows' keys as columns.
    """
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows, columns=list(rows[0]) if rows else LEADERBOARD_COLUMNS + ["params"])


def format_leaderboard(rows, at_bound=()):
    """Render leaderboard rows as a fixed-width text table.

    Scores get the significant digits that tell them apart
    (:func:`score_digits`).

    Parameters
    ----------
    rows : list of dict or pandas.DataFrame
        As returned by :func:`leaderboard` or ``HyperDriveSearchCV.leaderboard``.
    at_bound : list of AtBound, default=()
        The best trial's values at a bound of their range
        (:func:`best_at_bound`); each is marked ``(at upper bound)`` or
        ``(at lower bound)`` in that trial's params.

    Returns
    -------
    text : str
    """
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    digits = score_digits([row["score"] for row in rows])
    scores = [f"{row['score']:.{digits}g}" for row in rows]
    width = max([8, *map(len, scores)])
    lines = [f"{'rank':>4}  {'trial':>5}  {'status':<10} {'score':>{width}} {'intervals':>9} {'time s':>7}  params"]
    for row, score in zip(rows, scores):
        marks = bound_marks(row, at_bound)
        params = ", ".join(f"{k}={_short(v)}{marks.get(k, '')}" for k, v in sorted(row["params"].items()))
        lines.append(
            f"{row['rank']:>4}  {row['trial_id']:>5}  {row['status']:<10} {score:>{width}}"
            f" {row['n_intervals']:>9} {row['time']:>7.2f}  {params}"
        )
    return "\n".join(lines)


def score_digits(scores, least=4, most=10):
    """The significant digits that tell distinct scores apart.

    The fewest from ``least`` at which no two distinct finite scores print
    the same with ``"g"`` formatting, capped at ``most`` (scores closer
    than that print alike).

    Parameters
    ----------
    scores : iterable of float
    least, most : int, default=4, 10

    Returns
    -------
    digits : int
    """
    distinct = {float(score) for score in scores if math.isfinite(score)}
    for digits in range(least, most):
        if len({f"{score:.{digits}g}" for score in distinct}) == len(distinct):
            return digits
    return most


def best_at_bound(source, metric=None):
    """The best completed trial's values in the outer 5 % of a numeric range.

    A common sign that the space is too narrow. Checked for ``uniform``,
    ``quniform``, ``loguniform``, ``qloguniform`` and ``randint`` (in their
    own scale: log space for the log ones; ``randint(upper)`` from 0 to
    ``upper - 1``, from ``upper=3``); ``choice`` and the normal
    expressions have no bounds. A stored experiment's ranges are read back
    from its spec.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None

    Returns
    -------
    found : list of AtBound
        Each with ``name``, ``value``, ``side`` (``"lower"`` or
        ``"upper"``), ``expression`` and ``message()``; empty when no trial
        completed or none of its values is at a bound.
    """
    view = experiment_view(source, metric)
    best = _best_completed(view)
    return [] if best is None else params_at_bound(best, view.ranges)


def bound_marks(row, at_bound):
    """``{param: " (at upper bound)"}`` for the values of ``row`` that ``at_bound`` names."""
    if not at_bound or row["trial_id"] != at_bound[0].trial_id:
        return {}
    return {found.name: f" (at {found.side} bound)" for found in at_bound}


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


# ----------------------------------------------------------------- summary


def summary(source, metric=None):
    """The experiment in figures: settings, budget used, statuses, compute saved, best trial.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    summary : dict
        ``sampling``, ``policy``, ``resource``, ``max_total_runs`` (text),
        ``metric``, ``n_trials``, ``completed``, ``terminated``, ``failed``,
        ``running``, ``intervals_saved`` (intervals the terminated trials did
        not run), ``intervals_full`` (intervals every trial run to the end
        would take), ``compute_saved`` (their ratio, 0 when there are no
        trials), ``best_trial`` and ``best_score`` (the best completed trial,
        None when there is none) and ``best_at_bound`` (:func:`best_at_bound`).
    """
    view = experiment_view(source, metric)
    saved, full = intervals_saved(view)
    best = _best_completed(view)
    return {
        **view.settings,
        "metric": view.metric,
        "n_trials": len(view.trials),
        **status_counts(view.trials),
        "intervals_saved": saved,
        "intervals_full": full,
        "compute_saved": saved / full if full else 0.0,
        "best_trial": None if best is None else best.trial_id,
        "best_score": None if best is None else view.score(best),
        "best_at_bound": best_at_bound(view),
    }


def _best_completed(view):
    completed = [t for t in view.trials if t.status == COMPLETED and not math.isnan(view.score(t))]
    return max(completed, key=lambda t: (view.score(t), -t.trial_id), default=None)


def summary_items(info):
    """The :func:`summary` as ``(label, text)`` pairs, in the order the text and HTML forms show them."""
    budget = f"{info['n_trials']} trials / max_total_runs {info['max_total_runs']}"
    statuses = f"{info['completed']} completed, {info['terminated']} terminated, {info['failed']} failed"
    if info["running"]:
        statuses += f", {info['running']} running"
    saved = (
        f"{info['compute_saved']:.0%} ({info['intervals_saved']} of {info['intervals_full']} intervals "
        "not run thanks to early termination)"
    )
    best = "none completed" if info["best_trial"] is None else f"trial {info['best_trial']}: {info['best_score']:.4f}"
    return [
        ("sampling", info["sampling"]),
        ("policy", info["policy"]),
        ("resource", info["resource"]),
        ("budget used", budget),
        ("trials", statuses),
        ("compute saved", saved),
        (f"best {info['metric']}", best),
        *(("at a bound", found.message()) for found in info["best_at_bound"]),
    ]


def format_summary(source, metric=None):
    """The :func:`summary` as text lines, for a terminal.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None

    Returns
    -------
    text : str
    """
    return "\n".join(f"{key:>14}: {value}" for key, value in summary_items(summary(source, metric)))
