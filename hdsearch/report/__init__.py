"""Reports of an experiment: leaderboard, summary, charts and a standalone HTML page.

The package, in the shape of Optuna's ``visualization``: :mod:`._view` reads
any source into one :class:`~hdsearch.report._view.ExperimentView`;
:mod:`.tables` holds the leaderboard and the summary; :mod:`.page` the HTML;
:mod:`._bounds` the at-a-bound check;
:mod:`.static` one matplotlib chart per module, found by name in
:data:`STATIC_CHARTS`; :mod:`.interactive` the plotly charts, found by name
in :data:`INTERACTIVE_CHARTS`.

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

from .interactive import INTERACTIVE_CHARTS, plotly_figures
from .page import leaderboard_html, report_html, search_html, summary_html, write_report
from .static import (
    STATIC_CHARTS,
    figure_png,
    plot_learning_curves,
    plot_metric_history,
    plot_parallel_coordinates,
    plot_param_scores,
)
from .tables import (
    as_table,
    best_at_bound,
    format_leaderboard,
    format_summary,
    leaderboard,
    score_digits,
    summary,
)

__all__ = [
    "INTERACTIVE_CHARTS",
    "STATIC_CHARTS",
    "as_table",
    "best_at_bound",
    "figure_png",
    "format_leaderboard",
    "format_summary",
    "leaderboard",
    "leaderboard_html",
    "plot_learning_curves",
    "plot_metric_history",
    "plot_parallel_coordinates",
    "plot_param_scores",
    "plotly_figures",
    "report_html",
    "score_digits",
    "search_html",
    "summary",
    "summary_html",
    "write_report",
]
