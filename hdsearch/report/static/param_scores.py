"""The parameter scores chart: the score against each hyperparameter, one panel each."""

import math

from .._view import CATEGORICAL, LOG, category_index, experiment_view
from ._base import STATUS_COLORS, STATUS_MARKERS, load_matplotlib, option_label, score_label


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
    Figure, _, _ = load_matplotlib()
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
        axes[row * n_cols].set_ylabel(score_label(view))
    figure.suptitle("Score by hyperparameter")
    return figure


def _plot_param(ax, name, view):
    axis = view.axes[name]
    for status, marker in STATUS_MARKERS.items():
        points = [
            (_x_of(axis, t.params[name]), view.score(t))
            for t in view.trials
            if t.status == status and name in t.params and not math.isnan(view.score(t))
        ]
        points = [(x, y) for x, y in points if x is not None]
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, linestyle="none", marker=marker, color=STATUS_COLORS[status], alpha=0.8, label=status)
    if axis.kind == CATEGORICAL:
        ax.set_xticks(range(len(axis.options)), [option_label(o) for o in axis.options])
        ax.set_xlim(-0.5, len(axis.options) - 0.5)
    elif axis.kind == LOG and all(t.params[name] > 0 for t in view.trials if name in t.params):
        ax.set_xscale("log")


def _x_of(axis, value):
    return category_index(axis, value) if axis.kind == CATEGORICAL else value
