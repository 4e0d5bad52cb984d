"""The command line end to end: run, demo, show, report, and bad specs named by key and line."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hdsearch import load_experiment
from hdsearch.cli import main
from hdsearch.store import open_store

ROOT = Path(__file__).resolve().parents[1]

SPEC = """\
[experiment]
name = "logreg-iris"

[data]
dataset = "iris"

[[estimator.steps]]
name = "scale"
class = "sklearn.preprocessing.StandardScaler"

[[estimator.steps]]
name = "clf"
class = "sklearn.linear_model.LogisticRegression"
params = { max_iter = 200 }

[search_space]
clf__C = "loguniform(-6, 3)"
scale__with_mean = [true, false]

[search]
sampling = "random"
cv = 3
n_jobs = 1
random_state = 0

[early_termination]
type = "bandit"
slack_factor = 0.05

[limits]
max_total_runs = 5
"""


def hdsearch(*args, cwd):
    """``python -m hdsearch ARGS`` in a subprocess, with this checkout importable."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "hdsearch", *map(str, args)], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=240,
    )


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """``hdsearch run spec.toml --out run`` in a fresh folder."""
    pytest.importorskip("plotly")
    folder = tmp_path_factory.mktemp("cli")
    (folder / "spec.toml").write_text(SPEC)
    result = hdsearch("run", "spec.toml", "--out", "run", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result


def test_run_writes_the_run_folder_and_prints_leaderboard_and_report(run_folder):
    folder, result = run_folder
    run = folder / "run"
    assert {p.name for p in run.iterdir()} >= {
        "results.csv", "leaderboard.csv", "best_model.joblib", "store.db", "report.html"
    }
    with open(run / "results.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 5 and {"mean_test_score", "status", "param_clf__C"} <= set(rows[0])
    with open(run / "leaderboard.csv", newline="") as file:
        board = list(csv.DictReader(file))
    scores = [float(r["score"]) for r in board]
    assert scores == sorted(scores, reverse=True)
    assert "rank  trial  status" in result.stdout
    assert f"report: {(run / 'report.html').resolve()}" in result.stdout
    assert "hdsearch" in result.stderr  # the progress bar
    assert (run / "report.html").read_text().count("Plotly.newPlot(") == 4  # the interactive charts


def test_show_prints_the_stored_leaderboard(run_folder):
    folder, _ = run_folder
    result = hdsearch("show", "run/store.db", "--experiment", "logreg-iris", "--top", "3", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "experiment 'logreg-iris'" in result.stdout and "compute saved" in result.stdout
    assert "budget used: 5 trials / max_total_runs 5" in result.stdout
    table = result.stdout.split("rank  trial  status")[1].strip().splitlines()[1:]
    assert len(table) == 3


def test_show_into_a_closed_pipe_stops_quietly(run_folder):
    folder, _ = run_folder
    command = [sys.executable, "-m", "hdsearch", "show", "run/store.db"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()  # like `| head -1`
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_report_rebuilds_report_html(run_folder):
    folder, _ = run_folder
    result = hdsearch("report", "run/store.db", "--experiment", "logreg-iris", "--out", "rebuilt", cwd=folder)
    assert result.returncode == 0, result.stderr
    page = (folder / "rebuilt" / "report.html").read_text()
    assert page.count("Plotly.newPlot(") == 4 and "logreg-iris" in page


def test_show_or_report_of_an_unknown_experiment_is_a_one_line_error(run_folder, capsys):
    folder, _ = run_folder
    for command in ("show", "report"):
        assert main([command, str(folder / "run" / "store.db"), "--experiment", "nope"]) == 2
        assert "--experiment 'nope' is not in" in capsys.readouterr().err


def test_demo_runs_a_small_sweep_and_writes_its_run_folder(tmp_path):
    pytest.importorskip("matplotlib")
    result = hdsearch("demo", "--max-total-runs", "4", "--out", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "BanditPolicy" in result.stdout and "rank  trial  status" in result.stdout
    assert f"report: {(tmp_path / 'demo' / 'report.html').resolve()}" in result.stdout
    assert (tmp_path / "demo" / "best_model.joblib").is_file()


def test_a_bad_spec_exits_2_naming_key_and_line_without_traceback(tmp_path):
    (tmp_path / "bad.toml").write_text(SPEC.replace('"loguniform(-6, 3)"', '"logunform(-6, 3)"'))
    result = hdsearch("run", "bad.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.toml, line 17: [search_space.clf__C] unknown expression 'logunform'" in result.stderr


@pytest.mark.parametrize(
    "old, new, where, message",
    [
        ("[estimator.steps]]\nname = \"clf\"", "[estimator.steps]]\nname = \"clf\"\nclas = 1",
         "line 13: [estimator.steps.clas]", "unknown key in step 2"),
        ('"sklearn.linear_model.LogisticRegression"', '"sklearn.linear_model.Nope"',
         "line 13: [estimator.steps.class]", "cannot import"),
        ("max_iter = 200", "max_iterations = 200", "line 14: [estimator.steps.params]", "rejects these parameters"),
        ('dataset = "iris"', 'dataset = "irises"', "line 5: [data.dataset]", "unknown dataset 'irises'"),
        ("clf__C =", "clf__D =", "line 17: [search_space.clf__D]", "has no parameter 'clf__D'"),
        ('"loguniform(-6, 3)"', '"loguniform(3, -6)"', "line 17: [search_space.clf__C]", "low must be < high"),
        ('"loguniform(-6, 3)"', '"loguniform(__import__)"', "line 17: [search_space.clf__C]", "literal"),
        ("slack_factor = 0.05", "slack = 0.05", "line 28: [early_termination.slack]",
         "BanditPolicy got an unexpected argument 'slack'; did you mean 'slack_factor' or 'slack_amount'?"),
        ("slack_factor = 0.05", "slack_factor = -1", "line 28: [early_termination.slack_factor]", "slack_factor"),
        ('type = "bandit"', 'type = "bandits"', "line 27: [early_termination.type]", "type must be one of"),
        ("max_total_runs = 5", "max_total_runs = 0", "line 31: [limits.max_total_runs]", "max_total_runs"),
        ("cv = 3", "cv = 3\nscoring = \"accuracyy\"", "line 23: [search.scoring]", "accuracyy"),
        ("[limits]", "[limit]", "line 30: [limit]", "unknown section"),
        ("[limits]\nmax_total_runs = 5", "[limits]\nmax_total_runs = 5\nmax_total_runs = 6",
         "TOML syntax error", "line 32"),
        # Did you mean: sections, keys, step keys, parameter names, estimator parameters, types.
        ('"loguniform(-6, 3)"', '"randint(1, 10)"', "line 17: [search_space.clf__C]",
         "randint(upper) takes one argument and samples an integer in [0, upper)"),
        ("[limits]", "[limts]", "line 30: [limts]", "unknown section; did you mean 'limits'?"),
        ("max_total_runs = 5", "max_total_run = 5", "line 31: [limits.max_total_run]",
         "unknown key; did you mean 'max_total_runs'?"),
        ("[estimator.steps]]\nname = \"clf\"", "[estimator.steps]]\nname = \"clf\"\nclas = 1",
         "line 13: [estimator.steps.clas]", "unknown key in step 2; did you mean 'class'?"),
        ("clf__C =", "clf__c =", "line 17: [search_space.clf__c]", "no parameter 'clf__c'; did you mean 'clf__C'?"),
        ("max_iter = 200", "max_iters = 200", "line 14: [estimator.steps.params]", "did you mean 'max_iter'?"),
        ('type = "bandit"', 'type = "bandits"', "line 27: [early_termination.type]", "did you mean 'bandit'?"),
    ],
)
def test_spec_errors_name_the_key_and_the_line(tmp_path, capsys, old, new, where, message):
    assert old in SPEC
    (tmp_path / "spec.toml").write_text(SPEC.replace(old, new, 1))
    assert main(["run", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert where in error and message in error, error
    assert not (tmp_path / "run").exists()


def test_a_missing_spec_or_store_is_a_one_line_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "none.toml")]) == 2
    assert "cannot read the spec file" in capsys.readouterr().err
    assert main(["show", str(tmp_path / "none.db")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_console_script_is_declared():
    setup = (ROOT / "setup.cfg").read_text()
    assert "console_scripts =\n    hdsearch = hdsearch.cli:main" in setup


CSV_SPEC = """\
[experiment]
name = "tab"

[data]
path = "data.csv"
target = "label"

[estimator]
class = "sklearn.linear_model.LogisticRegression"

[search_space]
C = "loguniform(-3, 3)"

[search]
cv = 3
random_state = 0

[limits]
max_total_runs = 3
"""


def write_csv(path, shift=0.0):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=60, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    X[::5, 0] += shift
    lines = ["a,b,c,label"] + [f"{a!r},{b!r},{c!r},{label}" for (a, b, c), label in zip(X.tolist(), y)]
    path.write_text("\n".join(lines) + "\n")


def test_run_on_changed_data_is_refused_and_new_or_named_experiments_start_afresh(tmp_path, capsys, monkeypatch):
    pytest.importorskip("pandas")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.toml").write_text(CSV_SPEC)
    write_csv(tmp_path / "data.csv")
    assert main(["run", "spec.toml", "--out", "run"]) == 0
    capsys.readouterr()

    write_csv(tmp_path / "data.csv", shift=1.0)  # the same shape, other values
    assert main(["run", "spec.toml", "--out", "run"]) == 1
    error = capsys.readouterr().err
    assert "hdsearch run: error: experiment_name='tab' in storage " in error
    assert "data: X changed (DataFrame (60, 3), sha256 " in error and "data: y" not in error
    assert "To start a new experiment: hdsearch run spec.toml --experiment tab-2 (or --new)" in error
    assert len(load_experiment("run/store.db", "tab")) == 3

    assert main(["run", "spec.toml", "--out", "run", "--new"]) == 0
    assert "hdsearch run: experiment 'tab-2'" in capsys.readouterr().out
    assert main(["run", "spec.toml", "--out", "run", "--experiment", "fresh"]) == 0
    assert "hdsearch run: experiment 'fresh'" in capsys.readouterr().out
    with open_store("run/store.db", readonly=True) as store:
        assert store.experiment_names() == ["tab", "tab-2", "fresh"]
    new, named = load_experiment("run/store.db", "tab-2"), load_experiment("run/store.db", "fresh")
    assert list(new["mean_test_score"]) == list(named["mean_test_score"])  # both measured the new data

    assert main(["run", "spec.toml", "--out", "run", "--experiment", "fresh"]) == 0  # unchanged: resumes
    assert len(load_experiment("run/store.db", "fresh")) == 3


def test_new_keeps_the_name_when_the_store_does_not_hold_it(tmp_path, capsys, monkeypatch):
    pytest.importorskip("pandas")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.toml").write_text(CSV_SPEC)
    write_csv(tmp_path / "data.csv")
    assert main(["run", "spec.toml", "--out", "run", "--new", "--experiment", "mine"]) == 0
    assert "hdsearch run: experiment 'mine'" in capsys.readouterr().out


# ------------------------------------------------- categorical columns (issue 22)

ORDERS = """\
[data]
path = "orders.csv"
target = "returned"

{estimator}

[search]
cv = 2
n_jobs = 1
random_state = 0

[limits]
max_total_runs = 2
"""
WITH_PREPROCESSING = """\
[preprocessing]
categorical = "one_hot"

[estimator]
class = "sklearn.linear_model.LogisticRegression"

[search_space]
C = "loguniform(-3, 3)"
"""
FROM_DTYPE = """\
[estimator]
class = "sklearn.ensemble.HistGradientBoostingClassifier"
params = { categorical_features = "from_dtype", early_stopping = false, max_leaf_nodes = 4, min_samples_leaf = 2 }

[search_space]
learning_rate = [0.1, 0.3]

[resource]
type = "warm_start"
param = "max_iter"
start = 5
stop = 10
step = 5
"""


def _orders_csv(folder):
    """120 orders; the color (a string column) decides whether one is returned."""
    rows = ["color,weight,returned"]
    rows += [f"{color},{1 + i % 7},{int(color == 'red')}" for i, color in enumerate(["red", "blue", "green", "red"] * 30)]
    (folder / "orders.csv").write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize("estimator", [WITH_PREPROCESSING, FROM_DTYPE], ids=["preprocessing", "from_dtype"])
def test_a_csv_with_a_string_column_runs_through_the_cli(tmp_path, estimator):
    _orders_csv(tmp_path)
    (tmp_path / "spec.toml").write_text(ORDERS.format(estimator=estimator))
    result = hdsearch("run", "spec.toml", "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "run" / "results.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["status"] for row in rows] == ["completed", "completed"]
    assert all(float(row["mean_test_score"]) >= 0.9 for row in rows)  # color alone tells the returns


def test_string_columns_are_read_as_categories_and_preprocessing_wraps_the_estimator(tmp_path):
    from hdsearch._spec import read_spec

    _orders_csv(tmp_path)
    (tmp_path / "spec.toml").write_text(
        ORDERS.format(estimator=WITH_PREPROCESSING.replace("[estimator]", "[estimator]\nparams = { max_iter = 50 }"))
    )
    sweep = read_spec(tmp_path / "spec.toml")
    assert str(sweep.X["color"].dtype) == "category" and str(sweep.X["weight"].dtype) == "int64"
    assert [name for name, _ in sweep.search.estimator.steps] == ["preprocessing", "model"]
    assert list(sweep.search.param_distributions) == ["model__C"]


@pytest.mark.parametrize(
    "spec, message",
    [
        (ORDERS.format(estimator=WITH_PREPROCESSING.replace('"one_hot"', '"onehot"')),
         "line 6: [preprocessing.categorical] must be one of ['one_hot', 'ordinal', 'passthrough'], got 'onehot'"),
        (SPEC + "\n[preprocessing]\n", "[preprocessing] needs [data] path"),
    ],
)
def test_bad_preprocessing_is_a_spec_error(tmp_path, capsys, spec, message):
    _orders_csv(tmp_path)
    (tmp_path / "spec.toml").write_text(spec)
    assert main(["run", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "run")]) == 2
    assert message in capsys.readouterr().err


def test_the_spec_docs_say_the_report_is_interactive():
    docs = (ROOT / "docs" / "spec.md").read_text()
    (row,) = [line for line in docs.splitlines() if line.startswith("| `report.html`")]
    assert "interactive plotly charts" in row and "embedded as PNG" not in row
    assert "[preprocessing]" in docs and "categorical_csv.toml" in docs


def test_the_categorical_example_runs(tmp_path):
    result = hdsearch("run", ROOT / "examples" / "categorical_csv.toml", "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "model__C=" in result.stdout


@pytest.mark.parametrize(
    "expression, toml_spelling",
    [
        ("loguniform(1e-5, 1e-1)", 'clf__C = "loguniform(-11.5129, -2.30259)"'),
        ("loguniform(0.001, 10)", 'clf__C = "loguniform(-6.90776, 2.30259)"'),
        ("qloguniform(0.001, 10, 1)", 'clf__C = "qloguniform(-6.90776, 2.30259, 1)"'),
    ],
)
def test_spec_log_bounds_that_look_real_warn_at_their_line_with_the_toml_spelling(tmp_path, expression, toml_spelling):
    from hdsearch import LogBoundsWarning
    from hdsearch._spec import read_spec

    (tmp_path / "spec.toml").write_text(SPEC.replace('"loguniform(-6, 3)"', f'"{expression}"'))
    with pytest.warns(LogBoundsWarning) as record:
        read_spec(tmp_path / "spec.toml")
    assert len(record) == 1
    message = str(record[0].message)
    assert "spec.toml, line 17: [search_space.clf__C]" in message
    assert "look like real values" in message and f"write {toml_spelling}." in message


def test_hdsearch_run_warns_about_log_bounds_once(tmp_path):
    pytest.importorskip("plotly")
    from hdsearch import LogBoundsWarning

    (tmp_path / "spec.toml").write_text(SPEC.replace('"loguniform(-6, 3)"', '"loguniform(1e-5, 1e-1)"'))
    with pytest.warns(LogBoundsWarning) as record:
        assert main(["run", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "run")]) == 0
    assert len([w for w in record if issubclass(w.category, LogBoundsWarning)]) == 1


@pytest.mark.parametrize("kind", ["bandit", "Bandit", "BANDIT", "BanditPolicy"])
def test_spec_types_are_read_case_insensitively(tmp_path, kind):
    from hdsearch import BanditPolicy, Folds
    from hdsearch._spec import read_spec

    text = SPEC.replace('type = "bandit"', f'type = "{kind}"') + '\n[resource]\ntype = "Folds"\n'
    (tmp_path / "spec.toml").write_text(text.replace('sampling = "random"', 'sampling = "Sobol"'))
    search = read_spec(tmp_path / "spec.toml").search
    assert search.policy == BanditPolicy(slack_factor=0.05)
    assert search.resource == Folds()
    assert search.sampling == "sobol"
