"""The report's interactive charts, drawn with plotly (the ``plot`` extra).

The same four charts as the matplotlib ones of :mod:`hdsearch.report.static`, as
plotly figures: hovering a point or a line shows the trial's id, status,
score and parameters; every chart zooms and pans; the parallel coordinates'
axes can be brushed to filter trials. :func:`charts_html` embeds plotly.js
once, inline, so the page works offline.
"""

import html
import math

from ..trials import COMPLETED, FAILED, TERMINATED
from ._view import CATEGORICAL, LOG, category_index, experiment_view
from .tables import summary

_PLOTLY_EXTRA_MESSAGE = (
    "hdsearch's interactive charts need plotly, which comes with the 'plot' extra: "
    "python -m pip install 'hdsearch[plot]' (or python -m pip install plotly)."
)
_STATUS_STYLE = {
    COMPLETED: {"symbol": "circle", "color": "#1f77b4"},
    TERMINATED: {"symbol": "x", "color": "#d62728"},
    FAILED: {"symbol": "triangle-down", "color": "black"},
    "running": {"symbol": "circle-open", "color": "gray"},
}
_CONFIG = {"displaylogo": False, "responsive": True}


def _plotly():
    """``(graph_objects, make_subplots)``, imported on first use."""
    try:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as exc:
        raise ImportError(_PLOTLY_EXTRA_MESSAGE) from exc
    return go, make_subplots


def interactive_figures(view, best_trial):
    """The four charts of an experiment as plotly figures.

    Parameters
    ----------
    view : ExperimentView
    best_trial : int or None
        Id of the best completed trial, drawn thicker.

    Returns
    -------
    figures : dict of str to plotly.graph_objects.Figure
        ``metric_history``, ``learning_curves``, ``parallel_coordinates``
        and ``param_scores``, in that order (:data:`INTERACTIVE_CHARTS`'s).

    Raises
    ------
    ImportError
        Naming the ``plot`` extra when plotly is missing.
    """
    _plotly()
    return {name: chart(view, best_trial) for name, chart in INTERACTIVE_CHARTS.items()}


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


def charts_html(figures):
    """The figures as HTML, after one inline copy of plotly.js.

    Parameters
    ----------
    figures : dict of str to plotly.graph_objects.Figure

    Returns
    -------
    html : str
    """
    from plotly.offline import get_plotlyjs

    parts = [f"<script type='text/javascript'>{get_plotlyjs()}</script>"]
    for name, figure in figures.items():
        div = figure.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG, div_id=f"chart-{name}")
        parts.append(f"<div class='hdsearch-chart'>{div}</div>")
    return "".join(parts)


def _hover(trial, score):
    shown = "none" if math.isnan(score) else f"{score:.4f}"
    lines = [f"<b>trial {trial.trial_id}</b>", f"status: {trial.status}", f"score: {shown}"]
    lines += [f"{html.escape(name)} = {html.escape(_label(value))}" for name, value in sorted(trial.params.items())]
    return "<br>".join(lines)


def _label(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _score_label(view):
    return f"{view.metric} (mean CV score)"


def _markers(go, points, view, status, **kwargs):
    """One marker trace of the ``(x, trial)`` points of one status."""
    style = _STATUS_STYLE[status]
    return go.Scatter(
        x=[x for x, _ in points],
        y=[view.score(t) for _, t in points],
        mode="markers",
        name=status,
        legendgroup=status,
        marker={"symbol": style["symbol"], "color": style["color"], "size": 8},
        text=[_hover(t, view.score(t)) for _, t in points],
        hovertemplate="%{text}<extra></extra>",
        **kwargs,
    )


def _metric_history(view, best_trial=None):
    go, make_subplots = _plotly()
    figure = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
        subplot_titles=("by trial", "by seconds since the first trial started"),
    )
    scored = [t for t in view.trials if not math.isnan(view.score(t))]
    starts = [t.start_time for t in view.trials if t.start_time is not None]
    origin = min(starts, default=0.0)
    for col, x_of in ((1, lambda t: t.trial_id), (2, lambda t: None if t.end_time is None else t.end_time - origin)):
        points = sorted(((x_of(t), t) for t in scored if x_of(t) is not None), key=lambda p: p[0])
        for status in _STATUS_STYLE:
            chosen = [(x, t) for x, t in points if t.status == status]
            if chosen:
                figure.add_trace(_markers(go, chosen, view, status, showlegend=col == 1), row=1, col=col)
        best_x, best_y, best = [], [], -math.inf
        for x, trial in points:
            if trial.status == COMPLETED:
                best = max(best, view.score(trial))
                best_x.append(x)
                best_y.append(best)
        if best_x:
            figure.add_trace(
                go.Scatter(x=best_x, y=best_y, mode="lines", line={"shape": "hv", "color": "#2ca02c"},
                           name="best so far", legendgroup="best", showlegend=col == 1,
                           hovertemplate="best so far: %{y:.4f}<extra></extra>"),
                row=1, col=col,
            )
    figure.update_xaxes(title_text="trial", row=1, col=1)
    figure.update_xaxes(title_text="seconds", row=1, col=2)
    figure.update_yaxes(title_text=_score_label(view), row=1, col=1)
    figure.update_layout(title="Metric history", height=420, hovermode="closest")
    return figure


def _learning_curves(view, best_trial):
    go, _ = _plotly()
    figure = go.Figure()
    stops = []
    for trial in view.trials:
        intervals, curve = view.scored_points(trial)
        if not curve:
            continue
        if trial.trial_id == best_trial:
            line, name = {"color": "#1f77b4", "width": 3.5}, f"best (trial {best_trial})"
        elif trial.status == COMPLETED:
            line, name = {"color": "rgba(31,119,180,0.55)", "width": 1.5}, "completed"
        else:
            line, name = {"color": "rgba(127,127,127,0.6)", "width": 1.5}, "terminated, failed or running"
        figure.add_trace(go.Scatter(
            x=[view.x_of(k) for k in intervals], y=curve, mode="lines+markers", line=line,
            marker={"size": 4}, name=name, legendgroup=name, showlegend=False,
            text=[_hover(trial, score) + f"<br>{_where(view, k)}" for k, score in zip(intervals, curve)],
            hovertemplate="%{text}<extra></extra>",
        ))
        if trial.status == TERMINATED:
            stops.append((intervals[-1], trial, curve[-1]))
    if stops:
        figure.add_trace(go.Scatter(
            x=[view.x_of(k) for k, _, _ in stops], y=[s for _, _, s in stops], mode="markers",
            name="terminated here", marker={"symbol": "x", "color": "#d62728", "size": 11, "line": {"width": 1}},
            text=[_hover(t, s) + f"<br>stopped at {_where(view, k)}" for k, t, s in stops],
            hovertemplate="%{text}<extra></extra>",
        ))
    xaxis = {"title": view.x_label()}
    if all(view.x_of(k) == k for k in range(1, len(view.resource_values) + 1)):
        xaxis["dtick"] = 1  # folds, epochs, intervals: whole steps
    figure.update_layout(
        title="Learning curves (x: where the policy stopped a trial)", height=460, hovermode="closest",
        xaxis=xaxis, yaxis={"title": _score_label(view)},
    )
    return figure


def _where(view, interval):
    """``max_iter 40 (interval 3)``, or ``interval 3`` when the resource's amounts are unknown."""
    if not view.resource_values:
        return f"interval {interval}"
    return f"{view.resource_axis} {view.x_of(interval)} (interval {interval})"


def _parallel_coordinates(view, best_trial=None):
    go, _ = _plotly()
    scored = [t for t in view.trials if not math.isnan(view.score(t))]
    dimensions = [{"label": "trial", "values": [t.trial_id for t in scored]}]
    dimensions += [_dimension(name, view.axes[name], scored) for name in view.axes]
    scores = [view.score(t) for t in scored]
    dimensions.append({"label": view.metric, "values": scores})
    left_out = len(view.trials) - len(scored)
    title = "Parallel coordinates (drag along an axis to filter trials)"
    if left_out:
        title += f"; {left_out} trial(s) without a score not shown"
    figure = go.Figure(go.Parcoords(
        line={"color": scores, "colorscale": "Viridis", "showscale": True,
              "colorbar": {"title": {"text": view.metric}}},
        dimensions=dimensions,
    ))
    figure.update_layout(title=title, height=480, margin={"l": 60, "r": 60, "t": 120})
    return figure


def _dimension(name, axis, trials):
    values = [t.params.get(name) for t in trials]
    if axis.kind == CATEGORICAL:
        labels = [_label(option) for option in axis.options]
        positions = [category_index(axis, v) if name in t.params else None for t, v in zip(trials, values)]
        return {"label": name, "values": [math.nan if p is None else p for p in positions],
                "tickvals": list(range(len(labels))), "ticktext": labels,
                "range": [-0.5, len(labels) - 0.5]}
    present = [float(v) for v in values if v is not None]
    if axis.kind == LOG and present and all(v > 0 for v in present):
        logs = [math.log10(float(v)) if v is not None else math.nan for v in values]
        low = math.floor(min(math.log10(v) for v in present))
        high = max(low + 1, math.ceil(max(math.log10(v) for v in present)))
        ticks = list(range(low, high + 1))
        return {"label": f"{name} (log)", "values": logs, "tickvals": ticks,
                "ticktext": [f"1e{k}" for k in ticks], "range": [low, high]}
    return {"label": name, "values": [math.nan if v is None else float(v) for v in values]}


def _param_scores(view, best_trial=None):
    go, make_subplots = _plotly()
    names = list(view.axes) or ["(no parameters)"]
    n_cols = min(3, len(names))
    n_rows = math.ceil(len(names) / n_cols)
    figure = make_subplots(rows=n_rows, cols=n_cols, shared_yaxes=True, subplot_titles=names,
                           horizontal_spacing=0.05, vertical_spacing=0.18)
    for index, name in enumerate(names):
        row, col = index // n_cols + 1, index % n_cols + 1
        if name not in view.axes:
            continue
        axis = view.axes[name]
        for status in _STATUS_STYLE:
            points = [
                (_x_of(axis, t.params[name]), t) for t in view.trials
                if t.status == status and name in t.params and not math.isnan(view.score(t))
            ]
            if points:
                figure.add_trace(_markers(go, points, view, status, showlegend=index == 0), row=row, col=col)
        if axis.kind == CATEGORICAL:
            figure.update_xaxes(type="category", categoryorder="array",
                                categoryarray=[_label(o) for o in axis.options], row=row, col=col)
        elif axis.kind == LOG and all(t.params[name] > 0 for t in view.trials if name in t.params):
            figure.update_xaxes(type="log", row=row, col=col)
    figure.update_yaxes(title_text=_score_label(view), col=1)
    figure.update_layout(title="Score by hyperparameter", height=340 * n_rows + 80, hovermode="closest")
    return figure


def _x_of(axis, value):
    return _label(value) if axis.kind == CATEGORICAL else value


#: Every interactive chart by name, in the order the report page draws them;
#: each takes ``(view, best_trial)``.
INTERACTIVE_CHARTS = {
    "metric_history": _metric_history,
    "learning_curves": _learning_curves,
    "parallel_coordinates": _parallel_coordinates,
    "param_scores": _param_scores,
}
