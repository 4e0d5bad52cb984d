"""The report page: the summary, leaderboard and charts as one standalone HTML file.

:func:`report_html` draws the interactive charts (plotly) when it can, else
the static ones (matplotlib) as PNGs, each found by name in
:data:`~hdsearch.report.interactive.INTERACTIVE_CHARTS` or
:data:`~hdsearch.report.static.STATIC_CHARTS`.
"""

import base64
import html
import time

from ._view import experiment_view
from .interactive import charts_html, interactive_figures
from .static import STATIC_CHARTS, figure_png
from .static._base import load_matplotlib
from .tables import LEADERBOARD_COLUMNS, bound_marks, leaderboard, score_digits, summary, summary_items


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
        for k, v in summary_items(info)
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
    header = LEADERBOARD_COLUMNS + [key[len("param_"):] for key in params]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    digits = score_digits([row["score"] for row in rows])
    body = "".join(_leaderboard_row_html(row, params, digits, bound_marks(row, at_bound)) for row in rows)
    return f"<table class='hdsearch-leaderboard'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _leaderboard_row_html(row, params, digits, marks):
    cells = [_cell(row[key], digits if key == "score" else 4) for key in LEADERBOARD_COLUMNS]
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
        load_matplotlib()
    except ImportError:
        missing = (
            "<p class='hdsearch-missing'>This chart needs the 'plot' extra (plotly draws it interactive, "
            "matplotlib as a picture): python -m pip install 'hdsearch[plot]'.</p>"
        )
        return "".join(f"<h3>{name}</h3>{missing}" for name in STATIC_CHARTS)
    charts = [
        "<p class='hdsearch-missing'>Static charts: interactive ones (hover, zoom, brushing) need plotly, "
        "from the 'plot' extra: python -m pip install 'hdsearch[plot]'.</p>"
    ] if interactive is None else []
    for name, plot in STATIC_CHARTS.items():
        data = base64.b64encode(figure_png(plot(view))).decode("ascii")
        charts.append(f"<h3>{name}</h3><img alt='{name}' src='data:image/png;base64,{data}'>")
    return "".join(charts)


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
