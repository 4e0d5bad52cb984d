"""The learning curves chart: every trial's score at each interval, terminated trials marked."""

from ...trials import COMPLETED, TERMINATED
from .._view import experiment_view
from ..tables import summary
from ._base import load_matplotlib, score_label


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
    Figure, _, _ = load_matplotlib()
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
    ax.set_ylabel(score_label(view))
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
