"""Reports of an experiment: leaderboard, summary, charts and a standalone HTML page.

Every function takes a fitted :class:`~hdsearch.HyperDriveSearchCV`, a stored
experiment as a ``(storage, name)`` pair, or the list of trials
``open_store(storage).load_trials(name)`` returns.

The ``plot_*`` charts need matplotlib (the ``plot`` extra) and return a
``matplotlib.figure.Figure`` that is not registered with pyplot: it shows in a
notebook (after ``%matplotlib inline``) and saves with ``fig.savefig``.
:func:`plotly_figures` gives the same charts as interactive plotly figures,
and :func:`report_html` draws them on its page when plotly is installed.

The **score** of a trial, everywhere here, is the mean test score of the
primary metric (the refit metric, greater is better) at the last interval the
trial reached: for a completed trial the ``mean_test_*`` of ``cv_results_``,
for a terminated one the score it was stopped with.
"""

import base64
import html
import io
import math
import time

from ._bounds import params_at_bound
from ._interactive import charts_html, interactive_figures
from ._view import (
    CATEGORICAL,
    LOG,
    category_index,
    experiment_view,
    intervals_saved,
    status_counts,
)
from .trials import COMPLETED, FAILED, TERMINATED

_PLOT_EXTRA_MESSAGE = (
    "hdsearch's static charts need matplotlib, which comes with the 'plot' extra: "
    "python -m pip install 'hdsearch[plot]' (or python -m pip install matplotlib)."
)
_STATUS_MARKERS = {COMPLETED: "o", TERMINATED: "x", FAILED: "v", "running": "."}
_STATUS_COLORS = {COMPLETED: "tab:blue", TERMINATED: "tab:red", FAILED: "black", "running": "tab:gray"}
_LEADERBOARD_COLUMNS = ["rank", "trial_id", "status", "score", "n_intervals", "time"]

# ------------------------------------------------------------- leaderboard


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
    return pandas.DataFrame(rows, columns=list(rows[0]) if rows else _LEADERBOARD_COLUMNS + ["params"])


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
        marks = _bound_marks(row, at_bound)
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


def _bound_marks(row, at_bound):
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


def _summary_items(info):
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
    return "\n".join(f"{key:>14}: {value}" for key, value in _summary_items(summary(source, metric)))


# -------------------------------------------------------------------- HTML


def summary_html(source, top=5, metric=None):
    """A compact HTML block: the summary and the ``top`` trials, for notebooks.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    top : int or None, default=5
        Rows of the leaderboard; None lists every trial.
    metric : str, default=None

    Returns
    -------
    html : str
        A ``<div class="hdsearch-summary">`` element.
    """
    info = summary(source, metric)
    items = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in _summary_items(info)
    )
    notes = "".join(
        f"<p class='hdsearch-at-bound' style='color:#b35900'><b>Warning:</b> best trial {info['best_trial']}: "
        f"{html.escape(found.message())}</p>"
        for found in info["best_at_bound"]
    )
    rows = leaderboard(source, top=top, metric=metric)
    caption = "all trials" if top is None else f"top {len(rows)} trials"
    return (
        "<div class='hdsearch-summary'>"
        f"<table class='hdsearch-settings'>{items}</table>{notes}"
        f"<p><b>Leaderboard</b> ({caption}, best first)</p>{leaderboard_html(rows, info['best_at_bound'])}</div>"
    )


def search_html(search, top=5):
    """A search's notebook HTML: :func:`summary_html` above scikit-learn's estimator diagram.

    Parameters
    ----------
    search : HyperDriveSearchCV
    top : int, default=5
        Rows of the leaderboard.

    Returns
    -------
    html : str
        The diagram (``sklearn.utils.estimator_html_repr``) alone when the
        search is not fitted.
    """
    from sklearn.utils import estimator_html_repr

    diagram = estimator_html_repr(search)
    if not (hasattr(search, "trials_") and hasattr(search, "cv_results_")):
        return diagram
    return summary_html(search, top=top) + diagram


def leaderboard_html(rows, at_bound=()):
    """Leaderboard rows as an HTML table.

    Scores get the significant digits that tell them apart
    (:func:`score_digits`).

    Parameters
    ----------
    rows : list of dict
        As :func:`leaderboard` returns them.
    at_bound : list of AtBound, default=()
        The best trial's values at a bound (:func:`best_at_bound`), marked
        ``(at upper bound)``/``(at lower bound)`` in their cells (class
        ``hdsearch-at-bound``).

    Returns
    -------
    html : str
    """
    params = [key for key in (rows[0] if rows else {}) if key.startswith("param_")]
    header = _LEADERBOARD_COLUMNS + [key[len("param_"):] for key in params]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    digits = score_digits([row["score"] for row in rows])
    body = "".join(_leaderboard_row_html(row, params, digits, _bound_marks(row, at_bound)) for row in rows)
    return f"<table class='hdsearch-leaderboard'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _leaderboard_row_html(row, params, digits, marks):
    cells = [_cell(row[key], digits if key == "score" else 4) for key in _LEADERBOARD_COLUMNS]
    cells = [f"<td>{html.escape(text)}</td>" for text in cells]
    for key in params:
        mark = marks.get(key[len("param_"):])
        text = html.escape(_cell(row[key]) + (mark or ""))
        cells.append(f"<td class='hdsearch-at-bound' style='color:#b35900'>{text}</td>" if mark else f"<td>{text}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


def _cell(value, digits=4):
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return "" if value is None else str(value)


_PAGE_STYLE = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
img { max-width: 100%; display: block; margin: 1em 0; }
"""


def report_html(source, title=None, metric=None, interactive=None):
    """A standalone HTML page: summary, full leaderboard and every chart.

    With plotly (the ``plot`` extra) the charts are interactive: hover shows
    a trial's id, status, score and parameters, every chart zooms, and the
    parallel coordinates' axes can be brushed to filter trials; plotly.js is
    embedded, so the page works offline. Without plotly the charts are
    matplotlib PNGs, and without either the page names the extra that draws
    them.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    title : str, default=None
        None uses the experiment's name.
    metric : str, default=None
    interactive : bool or None, default=None
        True: plotly charts (ImportError naming the ``plot`` extra without
        plotly); False: PNG charts; None: plotly charts when plotly is
        installed, else PNG charts.

    Returns
    -------
    html : str

    Raises
    ------
    ValueError
        Naming ``interactive`` when it is not True, False or None.
    """
    if interactive not in (None, True, False):
        raise ValueError(f"interactive must be True, False or None, got interactive={interactive!r}.")
    view = experiment_view(source, metric)
    title = title or f"hdsearch experiment {view.name or ''}".strip()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_PAGE_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>Generated {stamp}.</p><h2>Summary</h2>{summary_html(view, top=None)}"
        f"<h2>Charts</h2>{_charts_html(view, interactive)}</body></html>"
    )


_STATIC_CHARTS = ("plot_metric_history", "plot_learning_curves", "plot_parallel_coordinates", "plot_param_scores")


def _charts_html(view, interactive):
    if interactive is not False:
        try:
            figures = interactive_figures(view, summary(view)["best_trial"])
        except ImportError:
            if interactive:
                raise
        else:
            return charts_html(figures)
    try:
        _matplotlib()
    except ImportError:
        missing = (
            "<p class='hdsearch-missing'>This chart needs the 'plot' extra (plotly draws it interactive, "
            "matplotlib as a picture): python -m pip install 'hdsearch[plot]'.</p>"
        )
        return "".join(f"<h3>{name}</h3>{missing}" for name in _STATIC_CHARTS)
    charts = [
        "<p class='hdsearch-missing'>Static charts: interactive ones (hover, zoom, brushing) need plotly, "
        "from the 'plot' extra: python -m pip install 'hdsearch[plot]'.</p>"
    ] if interactive is None else []
    for name in _STATIC_CHARTS:
        plot = globals()[name]
        data = base64.b64encode(figure_png(plot(view))).decode("ascii")
        charts.append(f"<h3>{name}</h3><img alt='{name}' src='data:image/png;base64,{data}'>")
    return "".join(charts)


def plotly_figures(source, metric=None):
    """The report's four charts as interactive plotly figures (the ``plot`` extra).

    Hovering a point or a line shows the trial's id, status, score and
    parameters; the learning curves mark with an ``x`` where the policy
    stopped a trial; the parallel coordinates' axes can be brushed.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    figures : dict of str to plotly.graph_objects.Figure
        ``metric_history``, ``learning_curves``, ``parallel_coordinates``
        and ``param_scores``; each shows in a notebook and saves with
        ``write_html``.

    Raises
    ------
    ImportError
        Naming the ``plot`` extra when plotly is missing.
    """
    view = experiment_view(source, metric)
    return interactive_figures(view, summary(view)["best_trial"])


def figure_png(figure, dpi=100):
    """The PNG bytes of a figure.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dpi : int, default=100

    Returns
    -------
    png : bytes
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def write_report(source, path, title=None, metric=None, interactive=None):
    """Write :func:`report_html` to ``path``.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    path : str or os.PathLike
        The file to write (its directory must exist).
    title : str, default=None
    metric : str, default=None
    interactive : bool or None, default=None
        As in :func:`report_html`.

    Returns
    -------
    path : str or os.PathLike
        ``path``.
    """
    with open(path, "w", encoding="utf-8") as file:
        file.write(report_html(source, title, metric, interactive))
    return path


# ------------------------------------------------------------------ charts


def _matplotlib():
    """``(Figure, colormap, Normalize)``, imported on first use."""
    try:
        from matplotlib import colormaps
        from matplotlib.colors import Normalize
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(_PLOT_EXTRA_MESSAGE) from exc
    return Figure, colormaps["viridis"], Normalize


def _score_label(view):
    return f"{view.metric} (mean CV score)"


def plot_metric_history(source, metric=None):
    """Score per trial and the best score so far, against trial number and against time.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Two axes: by trial number, and by seconds since the first trial
        started (trials without an end time are left out). Each has one
        marker series per status present (labelled with the status) and a
        ``best so far`` step line over completed trials.
    """
    Figure, _, _ = _matplotlib()
    view = experiment_view(source, metric)
    figure = Figure(figsize=(11, 4), layout="constrained")
    by_trial, by_time = figure.subplots(1, 2, sharey=True)
    points = [(t, view.score(t)) for t in view.trials]
    _plot_history(by_trial, [(t.trial_id, t, s) for t, s in points], "trial")
    starts = [t.start_time for t in view.trials if t.start_time is not None]
    origin = min(starts, default=0.0)
    timed = sorted(((t.end_time - origin, t, s) for t, s in points if t.end_time is not None), key=lambda p: p[0])
    _plot_history(by_time, timed, "seconds since the first trial started")
    by_trial.set_ylabel(_score_label(view))
    figure.suptitle("Metric history")
    return figure


def _plot_history(ax, points, xlabel):
    for status, marker in _STATUS_MARKERS.items():
        chosen = [(x, s) for x, t, s in points if t.status == status and not math.isnan(s)]
        if chosen:
            xs, ys = zip(*chosen)
            ax.plot(xs, ys, linestyle="none", marker=marker, color=_STATUS_COLORS[status], label=status)
    best_x, best_y, best = [], [], -math.inf
    for x, trial, score in points:
        if trial.status == COMPLETED and not math.isnan(score):
            best = max(best, score)
            best_x.append(x)
            best_y.append(best)
    if best_x:
        ax.step(best_x, best_y, where="post", color="tab:green", label="best so far")
    ax.set_xlabel(xlabel)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize="small")


def plot_learning_curves(source, metric=None):
    """Every trial's score at each interval, with terminated trials marked where they stopped.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One axes: one line per trial with a score (``gid`` ``"trial-<id>"``;
        completed trials in blue, the best one thicker, terminated ones in
        grey), and one red ``x`` marker series (``gid`` ``"terminated"``,
        label ``"terminated"``) at (last interval, last score) of each
        terminated trial. The x-axis is the resource, titled with what it
        counts (``max_iter``, ``epoch``, ``fold``): each interval sits at the
        resource's amount there, or at its number when the amounts are not
        known (``Subsample`` read back from a store).
    """
    Figure, _, _ = _matplotlib()
    from matplotlib.ticker import MaxNLocator

    view = experiment_view(source, metric)
    figure = Figure(figsize=(8, 5), layout="constrained")
    ax = figure.subplots()
    best = summary(view)["best_trial"]
    stops = []
    for trial in view.trials:
        intervals, scores = view.scored_points(trial)
        if not scores:
            continue
        xs = [view.x_of(k) for k in intervals]
        ax.plot(xs, scores, gid=f"trial-{trial.trial_id}", **_curve_style(trial, best))
        if trial.status == TERMINATED:
            stops.append((xs[-1], scores[-1]))
    if stops:
        xs, ys = zip(*stops)
        ax.plot(xs, ys, linestyle="none", marker="x", markersize=9, color="tab:red",
                gid="terminated", label="terminated", zorder=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(view.x_label())
    ax.set_ylabel(_score_label(view))
    ax.set_title("Learning curves")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    return figure


def _curve_style(trial, best):
    if trial.trial_id == best:
        return {"color": "tab:blue", "linewidth": 2.5, "label": f"best (trial {best})", "zorder": 2}
    if trial.status == COMPLETED:
        return {"color": "tab:blue", "linewidth": 1, "alpha": 0.5}
    return {"color": "tab:gray", "linewidth": 1, "alpha": 0.6}


def plot_parallel_coordinates(source, metric=None):
    """One vertical axis per hyperparameter, plus the score; one line per trial, coloured by score.

    Log-scaled expressions (``loguniform``, ``lognormal`` and their
    quantized forms, scipy's ``loguniform``) get log axes, choices get
    categorical axes with one tick per option, other numbers linear axes.
    Terminated trials are dashed; trials without a score are grey.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    figure : matplotlib.figure.Figure
        A hidden base axes holding the trial lines (``gid``
        ``"trial-<id>"``), one axes per hyperparameter (``xlabel`` its name)
        then one for the score, and a colour bar.
    """
    Figure, cmap, Normalize = _matplotlib()
    view = experiment_view(source, metric)
    names = list(view.axes)
    scores = {t.trial_id: view.score(t) for t in view.trials}
    finite = [s for s in scores.values() if not math.isnan(s)]
    score_limits = _limits(finite, log=False)
    norm = Normalize(*score_limits)
    figure = Figure(figsize=(max(6.0, 1.8 * (len(names) + 1)), 4.8))
    base = figure.add_axes([0.07, 0.18, 0.76, 0.72])
    base.set_axis_off()
    positions = [_param_axis(base, name, view, i, len(names) + 1) for i, name in enumerate(names)]
    positions.append(_score_axis(base, view, len(names), score_limits))
    for trial in sorted(view.trials, key=lambda t: _draw_order(scores[t.trial_id])):
        ys = [position(trial) for position in positions]
        score = scores[trial.trial_id]
        color = "lightgray" if math.isnan(score) else cmap(norm(score))
        base.plot(range(len(ys)), ys, color=color, linewidth=1.5, gid=f"trial-{trial.trial_id}",
                  linestyle="--" if trial.status == TERMINATED else "-")
    base.set_xlim(0, len(positions) - 1)
    base.set_ylim(0, 1)
    _colorbar(figure, cmap, norm, view)
    figure.suptitle("Parallel coordinates")
    return figure


def _draw_order(score):
    return (not math.isnan(score), -math.inf if math.isnan(score) else score)


def _param_axis(base, name, view, index, n_axes):
    """Draw the axis of one parameter; return ``position(trial)`` in [0, 1] (NaN when absent)."""
    axis = view.axes[name]
    values = [t.params[name] for t in view.trials if name in t.params]
    ax = _vertical_axis(base, index, n_axes, name)
    if axis.kind == CATEGORICAL:
        return _categorical_axis(ax, name, axis)
    log = axis.kind == LOG and all(v > 0 for v in values)
    limits = _limits(values, log)
    if log:
        ax.set_yscale("log")
    ax.set_ylim(*limits)
    return lambda trial: _unit(trial.params[name], limits, log) if name in trial.params else math.nan


def _categorical_axis(ax, name, axis):
    n = len(axis.options)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_yticks(range(n), [_label(option) for option in axis.options])

    def position(trial):
        index = category_index(axis, trial.params[name]) if name in trial.params else None
        return math.nan if index is None else (index + 0.5) / n

    return position


def _label(option):
    return f"{option:.4g}" if isinstance(option, float) else str(option)


def _score_axis(base, view, index, limits):
    ax = _vertical_axis(base, index, index + 1, view.metric)
    ax.set_ylim(*limits)
    return lambda trial: _unit(view.score(trial), limits, log=False)


def _vertical_axis(base, index, n_axes, label):
    ax = base.inset_axes([index / (n_axes - 1), 0.0, 1e-9, 1.0])
    ax.patch.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.set_xlabel(label, rotation=15)
    return ax


def _limits(values, log):
    """Axis limits covering ``values``, padded when they are all equal."""
    values = [float(v) for v in values if not math.isnan(float(v))]
    if not values:
        return (0.1, 10.0) if log else (0.0, 1.0)
    low, high = min(values), max(values)
    if low < high:
        return low, high
    return (low / 2, high * 2) if log else (low - (abs(low) or 1) * 0.1, high + (abs(high) or 1) * 0.1)


def _unit(value, limits, log):
    low, high = limits
    if log:
        value, low, high = math.log(value), math.log(low), math.log(high)
    return (float(value) - low) / (high - low)


def _colorbar(figure, cmap, norm, view):
    from matplotlib.cm import ScalarMappable

    cax = figure.add_axes([0.88, 0.18, 0.015, 0.72])
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, label=_score_label(view))


def plot_param_scores(source, metric=None):
    """The score against each hyperparameter, one panel per parameter.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name) or list of Trial
    metric : str, default=None
        None means the primary metric.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One axes per hyperparameter (``xlabel`` its name; log x axis for a
        log-scaled expression, one tick per option for a choice), with one
        marker series per status present. Trials without a score are left out.
    """
    Figure, _, _ = _matplotlib()
    view = experiment_view(source, metric)
    names = list(view.axes) or ["(no parameters)"]
    n_cols = min(3, len(names))
    n_rows = math.ceil(len(names) / n_cols)
    figure = Figure(figsize=(4 * n_cols, 3.2 * n_rows), layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False, sharey=True).ravel()
    for ax, name in zip(axes, names):
        if name in view.axes:
            _plot_param(ax, name, view)
        ax.set_xlabel(name)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize="small")
    for row in range(n_rows):
        axes[row * n_cols].set_ylabel(_score_label(view))
    figure.suptitle("Score by hyperparameter")
    return figure


def _plot_param(ax, name, view):
    axis = view.axes[name]
    for status, marker in _STATUS_MARKERS.items():
        points = [
            (_x_of(axis, t.params[name]), view.score(t))
            for t in view.trials
            if t.status == status and name in t.params and not math.isnan(view.score(t))
        ]
        points = [(x, y) for x, y in points if x is not None]
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, linestyle="none", marker=marker, color=_STATUS_COLORS[status], alpha=0.8, label=status)
    if axis.kind == CATEGORICAL:
        ax.set_xticks(range(len(axis.options)), [_label(o) for o in axis.options])
        ax.set_xlim(-0.5, len(axis.options) - 0.5)
    elif axis.kind == LOG and all(t.params[name] > 0 for t in view.trials if name in t.params):
        ax.set_xscale("log")


def _x_of(axis, value):
    return category_index(axis, value) if axis.kind == CATEGORICAL else value
