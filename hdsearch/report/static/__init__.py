"""The static charts, drawn with matplotlib (the ``plot`` extra): one chart per module.

Each ``plot_*`` function takes a search, a stored experiment or a list of
trials and returns a ``matplotlib.figure.Figure`` not registered with pyplot.
:data:`STATIC_CHARTS` finds a chart by its name, in the report's order.
"""

from ._base import figure_png
from .learning_curves import plot_learning_curves
from .metric_history import plot_metric_history
from .parallel_coordinates import plot_parallel_coordinates
from .param_scores import plot_param_scores

#: Every static chart by name, in the order the report page draws them.
STATIC_CHARTS = {
    "plot_metric_history": plot_metric_history,
    "plot_learning_curves": plot_learning_curves,
    "plot_parallel_coordinates": plot_parallel_coordinates,
    "plot_param_scores": plot_param_scores,
}

__all__ = [
    "STATIC_CHARTS",
    "figure_png",
    "plot_learning_curves",
    "plot_metric_history",
    "plot_parallel_coordinates",
    "plot_param_scores",
]
