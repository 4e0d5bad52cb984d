"""The parallel coordinates chart: one axis per hyperparameter and one for the score."""

import math

from ...trials import TERMINATED
from .._view import CATEGORICAL, LOG, category_index, experiment_view
from ._base import load_matplotlib, option_label, score_label


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
    Figure, cmap, Normalize = load_matplotlib()
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
    ax.set_yticks(range(n), [option_label(option) for option in axis.options])

    def position(trial):
        index = category_index(axis, trial.params[name]) if name in trial.params else None
        return math.nan if index is None else (index + 0.5) / n

    return position


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
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, label=score_label(view))
