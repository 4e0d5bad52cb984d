"""Leaderboard, summary, notebook HTML and charts, from a fitted search, a store and plain trials."""

import math
import re
import sys

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr

from hdsearch import BanditPolicy, HyperDriveSearchCV, PartialFit, choice, loguniform, report
from hdsearch.report._view import experiment_view
from hdsearch.store import open_store
from hdsearch.trials import FoldResult, Trial

from helpers import FixedQuality as Fixed

SPACE = {
    "alpha": loguniform(-10, 2),
    "eta0": loguniform(-9, -1),
    "learning_rate": choice("constant", "invscaling", "adaptive"),
}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A small stored search with completed and terminated trials."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    storage = str(tmp_path_factory.mktemp("store") / "store.db")
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0), SPACE, policy=BanditPolicy(slack_factor=0.02, delay_evaluation=2),
        resource=PartialFit(max_epochs=5), max_total_runs=10, max_concurrent_runs=5, cv=3, n_jobs=1,
        random_state=0, storage=storage, experiment_name="sgd",
    ).fit(X, y)
    statuses = set(search.cv_results_["status"])
    assert {"completed", "terminated"} <= statuses, statuses
    return search


def _trial(trial_id, status, fold_scores, params=None, fit_time=0.5):
    """A folds-resource trial: fold k reports its score at interval k + 1."""
    results = [FoldResult(k, k + 1, {"score": s}, None, fit_time, 0.1) for k, s in enumerate(fold_scores)]
    return Trial(trial_id, params or {"C": 1.0 + trial_id}, status, results, 0.0, 1.0 + trial_id)


def _hand_made():
    return [
        _trial(0, "completed", [0.8, 0.8, 0.8]),
        _trial(1, "failed", [math.nan, math.nan, math.nan]),
        _trial(2, "completed", [0.9, 0.9, 0.9]),
        _trial(3, "terminated", [0.6]),
        _trial(4, "completed", [0.9, 0.9, 0.9]),
    ]


# ------------------------------------------------------------- leaderboard


def test_leaderboard_sorts_best_first_ties_in_trial_order_failed_last():
    rows = report.leaderboard(_hand_made())
    assert [r["trial_id"] for r in rows] == [2, 4, 0, 3, 1]
    assert [r["rank"] for r in rows] == [1, 1, 3, 4, 5]


def test_leaderboard_rows_hold_id_params_status_score_intervals_time():
    row = report.leaderboard(_hand_made())[3]
    assert list(row) == ["rank", "trial_id", "status", "score", "n_intervals", "time", "param_C", "params"]
    assert row["status"] == "terminated"
    assert row["score"] == pytest.approx(0.6)  # the score at the interval it stopped at
    assert row["n_intervals"] == 1
    assert row["time"] == pytest.approx(0.6)  # fit 0.5 + score 0.1, one fold
    assert row["param_C"] == 4.0 and row["params"] == {"C": 4.0}


def test_leaderboard_top_and_exclude_terminated():
    rows = report.leaderboard(_hand_made(), top=4, include_terminated=False)
    assert [r["trial_id"] for r in rows] == [2, 4, 0, 1]


@pytest.mark.parametrize("top", [0, -1, 1.5, "3", True])
def test_leaderboard_rejects_a_bad_top(top):
    with pytest.raises(ValueError, match=r"top must be None or an int >= 1, got top="):
        report.leaderboard(_hand_made(), top=top)


def test_search_leaderboard_matches_cv_results(fitted):
    rows = report.leaderboard(fitted)
    results = fitted.cv_results_
    assert [r["trial_id"] for r in rows][0] == fitted.best_index_
    for row in rows:
        i = row["trial_id"]
        assert row["status"] == results["status"][i]
        assert row["n_intervals"] == results["n_intervals"][i]
        assert row["params"] == results["params"][i]
        if row["status"] == "completed":
            assert row["score"] == pytest.approx(results["mean_test_score"][i])
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_search_leaderboard_is_a_dataframe_with_one_column_per_param(fitted):
    pandas = pytest.importorskip("pandas")
    table = fitted.leaderboard(top=3)
    assert isinstance(table, pandas.DataFrame)
    assert len(table) == 3
    assert list(table.columns) == [
        "rank", "trial_id", "status", "score", "n_intervals", "time",
        "param_alpha", "param_eta0", "param_learning_rate", "params",
    ]
    assert len(fitted.leaderboard(include_terminated=False)) == sum(fitted.cv_results_["status"] != "terminated")


def test_leaderboard_of_the_store_equals_the_search_one(fitted):
    stored = report.leaderboard((fitted.experiment_.storage, "sgd"))
    live = report.leaderboard(fitted)
    assert [(r["trial_id"], r["status"], r["score"], r["n_intervals"]) for r in stored] == [
        (r["trial_id"], r["status"], r["score"], r["n_intervals"]) for r in live
    ]


def test_an_unfitted_search_or_a_stranger_is_rejected():
    with pytest.raises(ValueError, match="not fitted"):
        report.leaderboard(HyperDriveSearchCV(SGDClassifier(), SPACE))
    with pytest.raises(ValueError, match="source must be a fitted HyperDriveSearchCV"):
        report.leaderboard(42)
    with pytest.raises(ValueError, match="metric='nope' was not recorded"):
        report.leaderboard(_hand_made(), metric="nope")


# -------------------------------------------------------- summary and HTML


def test_summary_counts_compute_saved_by_terminations():
    info = report.summary(_hand_made())
    assert (info["completed"], info["terminated"], info["failed"]) == (3, 1, 1)
    # Trial 3 ran 1 of 3 folds: 2 intervals saved of 5 trials x 3.
    assert (info["intervals_saved"], info["intervals_full"]) == (2, 15)
    assert info["compute_saved"] == pytest.approx(2 / 15)
    assert (info["best_trial"], info["best_score"]) == (2, pytest.approx(0.9))


def _diagram(search):
    """scikit-learn's diagram, without the container ids that change with every call."""
    return re.sub(r"-id-\d+", "-id-N", estimator_html_repr(search))


def test_repr_html_shows_summary_and_top_trials_above_the_sklearn_diagram(fitted):
    page = re.sub(r"-id-\d+", "-id-N", fitted._repr_html_())
    diagram = _diagram(fitted)
    assert page.endswith(diagram)
    summary = page[: -len(diagram)]
    assert "hdsearch-summary" in summary
    for text in ("BanditPolicy(slack_factor=0.02", "PartialFit(max_epochs=5", "RandomSampling(",
                 "10 trials / max_total_runs 10", "compute saved", "Leaderboard"):
        assert text in summary, text
    info = report.summary(fitted)
    assert f"{info['compute_saved']:.0%}" in summary
    assert f"{info['terminated']} terminated" in summary
    assert summary.count("<tr><td>") == 5  # the top 5 trials


def test_repr_html_of_an_unfitted_search_is_the_sklearn_diagram():
    search = HyperDriveSearchCV(SGDClassifier(), SPACE)
    assert re.sub(r"-id-\d+", "-id-N", search._repr_html_()) == _diagram(search)
    with config_context(display="text"):
        assert not hasattr(search, "_repr_html_")


def test_static_report_html_embeds_every_chart_as_a_png(fitted, tmp_path):
    pytest.importorskip("matplotlib")
    path = report.write_report(fitted, tmp_path / "report.html", interactive=False)
    page = path.read_text()
    assert page.count("src='data:image/png;base64,") == 4
    assert "Leaderboard" in page and "compute saved" in page


def test_report_html_draws_every_chart_with_plotly_embedded_for_offline_use(fitted):
    pytest.importorskip("plotly")
    page = report.report_html(fitted)
    for name in ("metric_history", "learning_curves", "parallel_coordinates", "param_scores"):
        assert page.count(f'id="chart-{name}"') == 1, name
    assert re.search(r"<script[^>]*\ssrc=", page) is None  # plotly.js is inline
    assert "src='data:image/png" not in page
    assert page.count("Plotly.newPlot(") == 4


def test_without_plotly_the_report_has_png_charts_and_names_the_plot_extra(fitted, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setitem(sys.modules, "plotly", None)
    page = report.report_html(fitted)
    assert page.count("src='data:image/png;base64,") == 4
    assert "interactive ones (hover, zoom, brushing) need plotly, from the 'plot' extra" in page
    with pytest.raises(ImportError, match=r"'plot' extra"):
        report.report_html(fitted, interactive=True)


def test_without_plotly_and_matplotlib_each_missing_chart_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    page = report.report_html(_hand_made())
    assert page.count("This chart needs the 'plot' extra") == 4
    assert "python -m pip install 'hdsearch[plot]'" in page


def test_each_static_chart_is_found_by_name_in_the_registry_the_page_draws_from(monkeypatch):
    pytest.importorskip("matplotlib")
    assert list(report.STATIC_CHARTS) == [
        "plot_metric_history", "plot_learning_curves", "plot_parallel_coordinates", "plot_param_scores",
    ]
    assert all(report.STATIC_CHARTS[name] is getattr(report, name) for name in report.STATIC_CHARTS)
    drawn = []

    def extra_chart(view):
        drawn.append(view)
        return report.plot_metric_history(view)

    monkeypatch.setitem(report.STATIC_CHARTS, "extra_chart", extra_chart)
    page = report.report_html(_hand_made(), interactive=False)
    assert page.count("src='data:image/png;base64,") == 5
    assert "<h3>extra_chart</h3><img alt='extra_chart'" in page
    assert len(drawn) == 1


def test_each_interactive_chart_is_found_by_name_in_the_registry_the_page_draws_from(monkeypatch):
    pytest.importorskip("plotly")
    assert list(report.INTERACTIVE_CHARTS) == ["metric_history", "learning_curves", "parallel_coordinates", "param_scores"]
    extra = report.INTERACTIVE_CHARTS["metric_history"]
    monkeypatch.setitem(report.INTERACTIVE_CHARTS, "extra_chart", extra)
    assert list(report.plotly_figures(_hand_made())) == list(report.INTERACTIVE_CHARTS)
    page = report.report_html(_hand_made(), interactive=True)
    assert page.count('id="chart-extra_chart"') == 1


def test_report_html_rejects_a_bad_interactive():
    with pytest.raises(ValueError, match="interactive='yes'"):
        report.report_html(_hand_made(), interactive="yes")


def test_plotly_learning_curves_mark_terminated_trials_where_they_stopped(fitted):
    pytest.importorskip("plotly")
    figure = report.plotly_figures(fitted)["learning_curves"]
    stops = [trace for trace in figure.data if trace.name == "terminated here"]
    assert len(stops) == 1
    terminated = [t for t in fitted.trials_ if t.status == "terminated"]
    view = experiment_view(fitted)
    assert list(stops[0].x) == [view.n_intervals(t) for t in terminated]
    assert list(stops[0].y) == pytest.approx([view.score(t) for t in terminated])
    assert f"<b>trial {terminated[0].trial_id}</b>" in stops[0].text[0]
    curves = [trace for trace in figure.data if trace.name != "terminated here"]
    assert len(curves) == len(fitted.trials_)


def test_plotly_hover_text_holds_id_status_score_and_params(fitted):
    pytest.importorskip("plotly")
    figure = report.plotly_figures(fitted)["metric_history"]
    trace = next(trace for trace in figure.data if trace.name == "completed")
    trial = next(t for t in fitted.trials_ if t.status == "completed" and t.trial_id == trace.x[0])
    text = trace.text[0]
    assert f"<b>trial {trial.trial_id}</b>" in text and "status: completed" in text
    assert f"score: {experiment_view(fitted).score(trial):.4f}" in text
    assert f"learning_rate = {trial.params['learning_rate']}" in text


def test_plotly_parallel_coordinates_have_trial_log_categorical_and_score_axes(fitted):
    pytest.importorskip("plotly")
    figure = report.plotly_figures(fitted)["parallel_coordinates"]
    dimensions = figure.data[0].dimensions
    assert [d.label for d in dimensions] == ["trial", "alpha (log)", "eta0 (log)", "learning_rate", "score"]
    assert list(dimensions[3].ticktext) == ["constant", "invscaling", "adaptive"]
    alphas = [t.params["alpha"] for t in fitted.trials_]
    assert list(dimensions[1].values) == pytest.approx([math.log10(a) for a in alphas])


# ------------------------------------------------------------------ charts


@pytest.fixture
def mpl():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    return matplotlib


def _trial_lines(ax):
    return [line for line in ax.get_lines() if str(line.get_gid()).startswith("trial-")]


def _all_axes(figure):
    """The figure's axes and their inset axes."""
    return [*figure.axes, *(child for ax in figure.axes for child in ax.child_axes)]


def _draw(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()
    return figure


def test_learning_curves_draw_every_trial_and_mark_terminations(fitted, mpl):
    figure = _draw(report.plot_learning_curves(fitted))
    (ax,) = figure.axes
    assert len(_trial_lines(ax)) == len(fitted.trials_)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "score (mean CV score)"
    (marks,) = [line for line in ax.get_lines() if line.get_gid() == "terminated"]
    assert marks.get_marker() == "x" and marks.get_label() == "terminated"
    view = experiment_view(fitted)
    expected = [(view.n_intervals(t), view.score(t)) for t in fitted.trials_ if t.status == "terminated"]
    np.testing.assert_allclose(np.column_stack(marks.get_data()), expected)
    curve = next(line for line in _trial_lines(ax) if line.get_gid() == f"trial-{fitted.best_index_}")
    # Scored where the bandit reads (every interval up to its last decision, 4) and at the last one.
    assert list(curve.get_xdata()) == [1, 2, 3, 4, 5]


def test_learning_curves_from_the_store_and_from_trials_equal_the_search_ones(fitted, mpl):
    def marks(source):
        ax = report.plot_learning_curves(source).axes[0]
        return np.column_stack(next(l for l in ax.get_lines() if l.get_gid() == "terminated").get_data())

    stored = open_store(fitted.experiment_.storage, readonly=True).load_trials("sgd")
    np.testing.assert_allclose(marks((fitted.experiment_.storage, "sgd")), marks(fitted))
    np.testing.assert_allclose(marks(stored), marks(fitted))


def test_parallel_coordinates_have_log_categorical_and_score_axes(fitted, mpl):
    figure = _draw(report.plot_parallel_coordinates(fitted))
    by_label = {ax.get_xlabel(): ax for ax in _all_axes(figure) if ax.get_xlabel()}
    assert set(by_label) == {"alpha", "eta0", "learning_rate", "score"}
    assert by_label["alpha"].get_yscale() == "log" and by_label["eta0"].get_yscale() == "log"
    assert by_label["score"].get_yscale() == "linear"
    labels = [t.get_text() for t in by_label["learning_rate"].get_yticklabels()]
    assert labels == ["constant", "invscaling", "adaptive"]
    base = next(ax for ax in figure.axes if _trial_lines(ax))
    lines = _trial_lines(base)
    assert len(lines) == len(fitted.trials_)
    assert all(len(line.get_xdata()) == 4 for line in lines)
    dashed = {line.get_gid() for line in lines if line.get_linestyle() == "--"}
    assert dashed == {f"trial-{t.trial_id}" for t in fitted.trials_ if t.status == "terminated"}
    assert any(ax.get_ylabel() == "score (mean CV score)" for ax in figure.axes)  # the colour bar


def test_parallel_coordinates_of_stored_trials_know_log_axes_from_the_spec(fitted, mpl):
    figure = report.plot_parallel_coordinates((fitted.experiment_.storage, "sgd"))
    by_label = {ax.get_xlabel(): ax for ax in _all_axes(figure) if ax.get_xlabel()}
    assert by_label["alpha"].get_yscale() == "log"
    assert [t.get_text() for t in by_label["learning_rate"].get_yticklabels()] == [
        "adaptive", "constant", "invscaling",  # the store keeps values, not the choice's order
    ]


def test_param_scores_have_one_panel_per_param_with_log_and_choice_axes(fitted, mpl):
    figure = _draw(report.plot_param_scores(fitted))
    panels = {ax.get_xlabel(): ax for ax in figure.axes if ax.get_visible()}
    assert set(panels) == {"alpha", "eta0", "learning_rate"}
    assert panels["alpha"].get_xscale() == "log"
    assert [t.get_text() for t in panels["learning_rate"].get_xticklabels()] == ["constant", "invscaling", "adaptive"]
    n_points = sum(len(line.get_xdata()) for line in panels["alpha"].get_lines())
    assert n_points == len(fitted.trials_)


def test_metric_history_plots_scores_and_a_rising_best_so_far(fitted, mpl):
    figure = _draw(report.plot_metric_history(fitted))
    by_trial, by_time = figure.axes
    assert by_trial.get_xlabel() == "trial" and "seconds" in by_time.get_xlabel()
    for ax in (by_trial, by_time):
        labels = {line.get_label(): line for line in ax.get_lines()}
        assert {"completed", "terminated", "best so far"} <= set(labels)
        best = labels["best so far"].get_ydata()
        assert list(best) == sorted(best) and best[-1] == pytest.approx(fitted.best_score_)
    assert len(by_trial.get_lines()[0].get_xdata()) == sum(fitted.cv_results_["status"] == "completed")


def test_charts_without_matplotlib_name_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"'plot' extra"):
        report.plot_learning_curves(_hand_made())


def test_jupyter_rich_display_shows_the_hdsearch_summary(fitted):
    bundle = fitted._repr_mimebundle_()
    assert re.sub(r"-id-\d+", "-id-N", bundle["text/html"]) == re.sub(r"-id-\d+", "-id-N", fitted._repr_html_())
    assert "text/plain" in bundle


# ------------------------------------------------- issue 22: axis, digits, bounds


class Peaked(Fixed):
    """Scores ``-(quality - peak)**2``: the best quality is ``peak``."""

    def __init__(self, quality=0.5, peak=0.5, other=1.0):
        super().__init__(quality)
        self.peak = peak
        self.other = other

    def score(self, X, y):
        return -((self.quality - self.peak) ** 2)


@pytest.fixture(scope="module")
def warm_started(tmp_path_factory):
    """A stored HistGradientBoosting search grown by max_iter 4, 8, 16."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from hdsearch import WarmStart

    X, y = load_breast_cancer(return_X_y=True)
    storage = str(tmp_path_factory.mktemp("warm") / "store.db")
    return HyperDriveSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, max_leaf_nodes=4, random_state=0),
        {"learning_rate": choice(0.05, 0.3)}, sampling="grid", resource=WarmStart("max_iter", 4, 16, factor=2),
        curves="all", cv=2, random_state=0, storage=storage, experiment_name="hgb",
    ).fit(X[:200], y[:200])


def test_learning_curves_are_drawn_against_the_resource_and_named_after_it(warm_started, mpl):
    assert warm_started.resource_values_ == (4, 8, 16)
    stored = (warm_started.experiment_.storage, "hgb")
    for source in (warm_started, stored):
        (ax,) = _draw(report.plot_learning_curves(source)).axes
        assert ax.get_xlabel() == "max_iter"
        assert [list(line.get_xdata()) for line in _trial_lines(ax)] == [[4, 8, 16], [4, 8, 16]]


def test_plotly_learning_curves_are_drawn_against_the_resource(warm_started):
    pytest.importorskip("plotly")
    figure = report.plotly_figures(warm_started)["learning_curves"]
    assert figure.layout.xaxis.title.text == "max_iter"
    assert [list(trace.x) for trace in figure.data] == [[4, 8, 16], [4, 8, 16]]
    assert "max_iter 16 (interval 3)" in figure.data[0].text[-1]


def test_the_folds_resource_is_drawn_against_the_fold():
    search = HyperDriveSearchCV(Fixed(), {"quality": choice(0.5, 0.9)}, sampling="grid", cv=3).fit(*_data())
    assert experiment_view(search).x_label() == "fold"
    assert experiment_view(_hand_made()).x_label() == "interval (folds scored)"  # plain trials: resource unknown


def _data():
    return np.zeros((12, 2)), np.arange(12) % 2


def test_score_digits_tell_large_close_scores_apart():
    assert report.score_digits([-1374.21, -1374.38, -1377.0]) == 5
    assert report.score_digits([0.91, 0.93, math.nan]) == 4
    assert report.score_digits([1.0, 1.0 + 1e-12]) == 10  # capped


def test_leaderboards_show_large_close_scores_distinct():
    trials = [_trial(i, "completed", [s] * 3) for i, s in enumerate([-1374.21, -1374.38, -1377.0, -1375.5])]
    rows = report.leaderboard(trials)
    text = report.format_leaderboard(rows)
    for score in ("-1374.2", "-1374.4", "-1375.5", "-1377"):
        assert score in text
    cells = re.findall(r"<tr><td>\d+</td><td>\d+</td><td>completed</td><td>([^<]+)</td>", report.leaderboard_html(rows))
    assert cells == ["-1374.2", "-1374.4", "-1375.5", "-1377"]


def _peaked_search(peak, **kwargs):
    """32 Sobol points: one quality in each 1/32 of [0, 1], so the best is within 1/32 of ``peak``."""
    from hdsearch import RandomSampling, uniform

    return HyperDriveSearchCV(
        Peaked(peak=peak), {"quality": uniform(0.0, 1.0), "other": loguniform(-3, 3)},
        sampling=RandomSampling("sobol"), max_total_runs=32, cv=2, random_state=0, **kwargs,
    ).fit(*_data())


def test_a_best_value_at_a_bound_is_warned_about_and_marked(tmp_path):
    search = _peaked_search(1.0, storage=str(tmp_path / "store.db"), experiment_name="peak")
    best = search.best_params_["quality"]
    assert best >= 31 / 32
    for source in (search, (str(tmp_path / "store.db"), "peak")):
        (found,) = [f for f in report.best_at_bound(source) if f.name == "quality"]
        assert (found.trial_id, found.value, found.side) == (search.best_index_, best, "upper")
        page = report.report_html(source, interactive=False)
        assert "sits at the upper bound of uniform(0.0, 1.0)" in page
        assert f"{best:.4g} (at upper bound)" in page
        assert "sits at the upper bound of uniform(0.0, 1.0)" in report.format_summary(source)
    text = report.format_leaderboard(report.leaderboard(search), report.best_at_bound(search))
    (best_line,) = [line for line in text.splitlines() if line.split()[:1] == ["1"]]
    assert "(at upper bound)" in best_line


def test_a_best_value_inside_its_range_gets_no_warning():
    search = _peaked_search(0.5)
    assert [f.name for f in report.best_at_bound(search)] in ([], ["other"])
    assert not any(f.name == "quality" for f in report.best_at_bound(search))


def test_at_bound_reads_each_range_in_its_own_scale():
    from hdsearch.report._bounds import params_at_bound
    from hdsearch.space import loguniform as log_range
    from hdsearch.space import randint

    ranges = {"C": log_range(-3, 3), "n": randint(10), "flag": randint(2)}
    trial = Trial(7, {"C": math.exp(2.8), "n": 0, "flag": 1})
    found = params_at_bound(trial, ranges)
    assert [(f.name, f.side) for f in found] == [("C", "upper"), ("n", "lower")]  # randint(2) has no inside
    assert params_at_bound(Trial(7, {"C": math.exp(2.6), "n": 5}), ranges) == []
