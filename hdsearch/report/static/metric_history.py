"""The metric history chart: score per trial and best so far, by trial number and by time."""

import math

from ...trials import COMPLETED
from .._view import experiment_view
from ._base import STATUS_COLORS, STATUS_MARKERS, load_matplotlib, score_label


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
    Figure, _, _ = load_matplotlib()
    view = experiment_view(source, metric)
    figure = Figure(figsize=(11, 4), layout="constrained")
    by_trial, by_time = figure.subplots(1, 2, sharey=True)
    points = [(t, view.score(t)) for t in view.trials]
    _plot_history(by_trial, [(t.trial_id, t, s) for t, s in points], "trial")
    starts = [t.start_time for t in view.trials if t.start_time is not None]
    origin = min(starts, default=0.0)
    timed = sorted(((t.end_time - origin, t, s) for t, s in points if t.end_time is not None), key=lambda p: p[0])
    _plot_history(by_time, timed, "seconds since the first trial started")
    by_trial.set_ylabel(score_label(view))
    figure.suptitle("Metric history")
    return figure


def _plot_history(ax, points, xlabel):
    for status, marker in STATUS_MARKERS.items():
        chosen = [(x, s) for x, t, s in points if t.status == status and not math.isnan(s)]
        if chosen:
            xs, ys = zip(*chosen)
            ax.plot(xs, ys, linestyle="none", marker=marker, color=STATUS_COLORS[status], label=status)
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
