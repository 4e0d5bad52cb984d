"""Resume and warm start through the store: an interrupted search costs nothing."""

import logging
import os
import sqlite3
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold

from helpers import SleepySGD, assert_same_cv_results, kill_when

from hdsearch import ExperimentMismatchError, HyperDriveSearchCV, load_experiment, loguniform
from hdsearch._experiment import ExperimentRecorder
from hdsearch.engine import WaveEngine
from hdsearch.policy import MedianStoppingPolicy
from hdsearch.resource import PartialFit
from hdsearch.store import open_store
from hdsearch.trials import Trial

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
SPACE = {"alpha": loguniform(-10, -1), "eta0": loguniform(-6, -1)}


def search(estimator=None, **kwargs):
    defaults = dict(
        resource=PartialFit(6), policy=MedianStoppingPolicy(delay_evaluation=2), max_total_runs=8,
        max_concurrent_runs=3, cv=KFold(3), random_state=0,
    )
    if estimator is None:
        estimator = SGDClassifier(learning_rate="constant", random_state=0)
    return HyperDriveSearchCV(estimator, SPACE, **{**defaults, **kwargs})


CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = {paths!r}
    from helpers import SleepySGD
    from test_resume import X, y, search

    search(SleepySGD(learning_rate="constant", random_state=0), storage={db!r}, experiment_name="killed").fit(X, y)
    """
)


def killable(db):
    """Two trials ended and one still running with intervals done: its fold models die with the process."""
    query = """
        SELECT
            (SELECT COUNT(*) FROM trials WHERE status != 'running'),
            (SELECT COUNT(*) FROM trials t WHERE t.status = 'running' AND EXISTS
                (SELECT 1 FROM intervals i WHERE i.experiment = t.experiment AND i.trial_id = t.trial_id))
    """
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            ended, running_with_intervals = connection.execute(query).fetchone()
    except sqlite3.Error:
        return False
    return ended >= 2 and running_with_intervals >= 1


def test_a_search_killed_with_sigkill_resumes_to_the_uninterrupted_results(tmp_path):
    db = str(tmp_path / "store.db")
    here = os.path.dirname(__file__)
    kill_when(CHILD.format(paths=[here, os.path.dirname(here)], db=db), lambda: killable(db))

    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    assert 2 <= stored < 8, "the kill should land mid-search"

    resumed = search(SleepySGD(learning_rate="constant", random_state=0), storage=db, experiment_name="killed")
    resumed.fit(X, y)
    assert resumed.experiment_.resumed_trials == stored

    uninterrupted = search().fit(X, y)
    assert_same_cv_results(resumed.cv_results_, uninterrupted.cv_results_)
    assert resumed.best_params_ == uninterrupted.best_params_


def test_fitting_a_finished_experiment_again_reruns_nothing(tmp_path, monkeypatch):
    db = tmp_path / "store.db"
    first = search(storage=db).fit(X, y)
    waves = []
    original = WaveEngine._run_wave
    with monkeypatch.context() as patch:
        patch.setattr(WaveEngine, "_run_wave", lambda self, *args: waves.append(1) or original(self, *args))
        again = search(storage=db).fit(X, y)
    assert again.experiment_.name == first.experiment_.name
    assert again.experiment_.resumed_trials == 8
    assert waves == []
    assert_same_cv_results(again.cv_results_, first.cv_results_)


def test_a_larger_budget_continues_the_experiment(tmp_path):
    db = tmp_path / "store.db"
    search(storage=db, experiment_name="grow").fit(X, y)
    grown = search(storage=db, experiment_name="grow", max_total_runs=12).fit(X, y)
    straight = search(max_total_runs=12).fit(X, y)
    assert grown.experiment_.resumed_trials == 8
    assert_same_cv_results(grown.cv_results_, straight.cv_results_)


def test_a_different_spec_under_the_same_name_is_an_error_naming_the_keys(tmp_path):
    db = tmp_path / "store.db"
    search(storage=db, experiment_name="exp").fit(X, y)
    with pytest.raises(ValueError, match="(?s)exp.*policy"):
        search(storage=db, experiment_name="exp", policy=None).fit(X, y)


def test_warm_start_trials_inform_the_search_and_are_marked(tmp_path):
    db = tmp_path / "store.db"
    search(storage=db, experiment_name="earlier", max_total_runs=5).fit(X, y)
    warm = search(storage=db, experiment_name="later", random_state=1, resume_from=["earlier"]).fit(X, y)
    sources = list(warm.cv_results_["source"])
    assert sources == ["search"] * 8 + ["earlier"] * 5
    assert len(warm.trials_) == 8
    assert warm.cv_results_["source"][warm.best_index_] == "search"


def test_warm_start_from_a_fitted_search_without_storage():
    earlier = search(max_total_runs=4).fit(X, y)
    warm = search(random_state=1, resume_from=[earlier]).fit(X, y)
    assert list(warm.cv_results_["source"][8:]) == [warm.cv_results_["source"][8]] * 4
    assert warm.cv_results_["source"][8] != "search"


def test_warm_start_needs_storage_for_names():
    with pytest.raises(ValueError, match="resume_from='x'.*storage"):
        search(resume_from=["x"]).fit(X, y)


def test_load_experiment_reads_the_table_without_refitting(tmp_path):
    pd = pytest.importorskip("pandas")
    db = tmp_path / "store.db"
    fitted = search(storage=db, experiment_name="read").fit(X, y)
    table = load_experiment(db, "read")
    assert isinstance(table, pd.DataFrame)
    assert list(table["status"]) == list(fitted.cv_results_["status"])
    np.testing.assert_allclose(table["mean_test_score"], fitted.cv_results_["mean_test_score"])


def test_without_storage_nothing_touches_the_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fitted = search().fit(X, y)
    assert fitted.experiment_ is None
    assert list(tmp_path.iterdir()) == []


def test_a_storage_path_in_missing_folders_creates_them(tmp_path):
    db = tmp_path / "runs" / "sub" / "store.db"
    fitted = search(storage=str(db), experiment_name="made").fit(X, y)
    assert db.is_file()
    assert fitted.experiment_.storage == str(db)
    assert len(load_experiment(str(db), "made")) == 8


class InterruptAfter(SGDClassifier):
    """Raises KeyboardInterrupt in the partial_fit call number ``budget`` of this process."""

    calls = 0
    budget = None

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        type(self).calls += 1
        if type(self).budget is not None and type(self).calls >= type(self).budget:
            raise KeyboardInterrupt
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def test_an_interrupted_search_keeps_a_consistent_store_and_resumes(tmp_path, monkeypatch):
    db = tmp_path / "store.db"
    estimator = InterruptAfter(learning_rate="constant", random_state=0)
    # Well under the fewest partial_fit calls the search makes (96 and more: how far
    # tasks run ahead of a decision depends on timing), and past the first trial's end.
    monkeypatch.setattr(InterruptAfter, "calls", 0)
    monkeypatch.setattr(InterruptAfter, "budget", 60)
    interrupted = search(estimator, storage=db, experiment_name="ctrl-c", n_jobs=1)
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y)
    finished = [trial for trial in interrupted.trials_ if trial.ended]
    assert finished, "some trials should have finished before the interrupt"
    stored = {row["trial_id"]: row["status"] for row in _rows(load_experiment(db, "ctrl-c"))}
    assert all(stored[trial.trial_id] == trial.status for trial in finished)

    monkeypatch.setattr(InterruptAfter, "budget", None)
    resumed = search(estimator, storage=db, experiment_name="ctrl-c").fit(X, y)
    uninterrupted = search().fit(X, y)
    assert resumed.experiment_.resumed_trials >= len(finished)
    assert_same_cv_results(resumed.cv_results_, uninterrupted.cv_results_)


def _rows(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else table


def test_trials_a_callback_stops_are_stored_as_terminated(tmp_path):
    db = tmp_path / "store.db"
    stopped = search(storage=db, experiment_name="cb", callbacks=[lambda snapshot: snapshot.wave == 2]).fit(X, y)
    assert "terminated" in set(stopped.cv_results_["status"])
    stored = _rows(load_experiment(db, "cb"))
    assert [row["status"] for row in stored] == list(stopped.cv_results_["status"])


# ------------------------------------------------- the store knows its data

X_OTHER = X.copy()
X_OTHER[::7, 0] += 0.5  # another sample of the same shape and dtype


def stored_trial_rows(db):
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT experiment, trial_id, status FROM trials ORDER BY 1, 2").fetchall()


def refused(db, fit_kwargs, *matches, X_fit=X, y_fit=y):
    """Fit ``exp`` again with other inputs: refused before any trial, the message matching ``matches``."""
    before = stored_trial_rows(db)
    with pytest.raises(ExperimentMismatchError) as info:
        search(storage=db, experiment_name="exp").fit(X_fit, y_fit, **fit_kwargs)
    message = str(info.value)
    for match in matches:
        assert match in message, message
    assert stored_trial_rows(db) == before
    return message


def test_a_resume_on_changed_X_of_the_same_shape_is_refused_saying_what_changed(tmp_path):
    db = str(tmp_path / "store.db")
    first = search(storage=db, experiment_name="exp").fit(X, y)
    with open_store(first.experiment_.storage) as store:
        old_x = store.spec("exp")["data"]["X"]
    assert old_x.startswith("array <f8 (120, 6), sha256 ")
    message = refused(db, {}, f"experiment_name='exp' in storage '{db}'", f"data: X changed ({old_x} -> ",
                      "pass experiment_name='exp-2' (free in this store) or another storage", X_fit=X_OTHER)
    assert "data: y" not in message and "policy" not in message


def test_a_resume_on_changed_y_is_refused(tmp_path):
    db = str(tmp_path / "store.db")
    search(storage=db, experiment_name="exp").fit(X, y)
    message = refused(db, {}, "data: y changed (array <i8 (120,), sha256 ", y_fit=1 - y)
    assert "data: X" not in message


def test_a_resume_with_changed_sample_weight_is_refused(tmp_path):
    db = str(tmp_path / "store.db")
    weights = np.ones(len(y))
    search(storage=db, experiment_name="exp").fit(X, y, sample_weight=weights)
    other = weights.copy()
    other[:10] = 2.0
    refused(db, {"sample_weight": other}, "data: sample_weight changed (array <f8 (120,), sha256 ")
    refused(db, {}, "data: sample_weight changed (array <f8 (120,), sha256 ", " -> <absent>)")


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored by KFold")
def test_a_resume_with_changed_groups_is_refused_even_when_the_splits_ignore_them(tmp_path):
    db = str(tmp_path / "store.db")
    groups = np.arange(len(y)) % 4
    search(storage=db, experiment_name="exp").fit(X, y, groups=groups)
    message = refused(db, {"groups": groups[::-1].copy()}, "data: groups changed (array <i8 (120,), sha256 ")
    assert "cv changed" not in message  # KFold ignores groups: only the fingerprint tells


def test_changed_data_under_a_new_name_equals_a_fresh_run(tmp_path):
    db = str(tmp_path / "store.db")
    search(storage=db, experiment_name="exp").fit(X, y)
    with pytest.raises(ExperimentMismatchError):
        search(storage=db, experiment_name="exp").fit(X_OTHER, y)
    renamed = search(storage=db, experiment_name="exp-2").fit(X_OTHER, y)
    fresh = search().fit(X_OTHER, y)
    assert renamed.experiment_.resumed_trials == 0
    assert_same_cv_results(renamed.cv_results_, fresh.cv_results_)
    assert renamed.best_score_ == fresh.best_score_


def test_changed_data_without_a_name_is_a_new_experiment_equal_to_a_fresh_run(tmp_path):
    db = str(tmp_path / "store.db")
    first = search(storage=db).fit(X, y)
    other = search(storage=db).fit(X_OTHER, y)
    assert other.experiment_.name != first.experiment_.name
    assert other.experiment_.resumed_trials == 0
    assert_same_cv_results(other.cv_results_, search().fit(X_OTHER, y).cv_results_)


def test_equal_data_in_new_objects_still_resumes(tmp_path):
    pandas = pytest.importorskip("pandas")
    db = str(tmp_path / "store.db")
    frame = pandas.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    weights = np.linspace(0.5, 1.5, len(y))
    first = search(storage=db, experiment_name="exp").fit(frame, y, sample_weight=weights)
    again = search(storage=db, experiment_name="exp").fit(frame.copy(), list(y), sample_weight=weights.copy())
    assert again.experiment_.resumed_trials == 8
    assert_same_cv_results(again.cv_results_, first.cv_results_)


def test_a_renamed_column_is_a_change_of_data(tmp_path):
    pandas = pytest.importorskip("pandas")
    db = str(tmp_path / "store.db")
    frame = pandas.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    search(storage=db, experiment_name="exp").fit(frame, y)
    refused(db, {}, "data: X changed (DataFrame (120, 6), sha256 ", X_fit=frame.rename(columns={"f0": "g0"}))


# ------------------------------------------------------ a resume is announced


def test_a_resume_is_logged_and_printed_with_verbose(tmp_path, caplog, capsys):
    db = str(tmp_path / "store.db")
    with caplog.at_level(logging.INFO, logger="hdsearch"):
        search(storage=db, experiment_name="exp").fit(X, y)
    assert not [r for r in caplog.records if "Resuming" in r.getMessage()]  # a new experiment says nothing

    with caplog.at_level(logging.INFO, logger="hdsearch"):
        search(storage=db, experiment_name="exp", max_total_runs=12, verbose=1).fit(X, y)
    expected = (
        f"Resuming experiment 'exp' in {db}: 8 trials found (8 ended, 0 unfinished to continue), "
        "4 left to start of max_total_runs=12"
    )
    assert [r.getMessage() for r in caplog.records if r.name == "hdsearch"] == [expected]
    assert caplog.records[0].levelno == logging.INFO
    assert f"[hdsearch] {expected}" in capsys.readouterr().out


def test_a_resume_after_an_interrupt_counts_the_unfinished_trials(tmp_path):
    db = str(tmp_path / "store.db")
    store_trials = [
        Trial(0, {"alpha": 1e-4, "eta0": 1e-2}, status="completed"),
        Trial(1, {"alpha": 1e-3, "eta0": 1e-2}, status="running"),
    ]
    recorder = ExperimentRecorder(db, "exp", {"estimator": "x"}, {"max_total_runs": 8})
    recorder.store.write_wave("exp", store_trials, [])
    again = ExperimentRecorder(db, "exp", {"estimator": "x"}, {"max_total_runs": 8})
    summary = again.resume_summary(again.load(), 8)
    assert str(summary) == (
        f"Resuming experiment 'exp' in {db}: 2 trials found (1 ended, 1 unfinished to continue), "
        "6 left to start of max_total_runs=8"
    )


def test_the_progress_bar_starts_at_the_resumed_trials(tmp_path, capsys):
    pytest.importorskip("tqdm")
    db = str(tmp_path / "store.db")
    search(storage=db, experiment_name="exp").fit(X, y)
    capsys.readouterr()
    search(storage=db, experiment_name="exp", max_total_runs=12, progress_bar=True).fit(X, y)
    err = capsys.readouterr().err
    assert "hdsearch (resumed: 8 trials found):  67%" in err and " 8/12 " in err
    assert "12/12" in err


def test_plain_progress_prints_the_resume_first(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "store.db")
    search(storage=db, experiment_name="exp").fit(X, y)
    capsys.readouterr()
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    search(storage=db, experiment_name="exp", max_total_runs=12, progress_bar=True).fit(X, y)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("[hdsearch] Resuming experiment 'exp' in ")
    assert lines[-1].startswith("[hdsearch] wave ") and "12/12 trials ended" in lines[-1]
