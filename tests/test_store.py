"""The experiment store keeps every wave exactly, atomically, and never touches a file it does not own."""

import hashlib
import math
import os
import pickle
import sqlite3
import sys
import threading
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from hdsearch import store as store_module
from hdsearch.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ExperimentMismatchError,
    ExperimentStore,
    load_experiment,
    open_store,
)
from hdsearch.trials import COMPLETED, FAILED, RUNNING, TERMINATED, FoldResult, Trial

SPEC = {
    "estimator": "sklearn.svm.SVC",
    "space": "[{'C': loguniform(-3, 3)}]",
    "sampling": "RandomSampling(rule='random', seed=None)",
    "policy": "None",
    "resource": "Folds()",
    "scoring": "None",
    "cv": "KFold(n_splits=3); 3 splits",
    "random_state": 0,
}


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "search.db")


@pytest.fixture
def store(path):
    with ExperimentStore(path) as opened:
        opened.open_experiment("exp", SPEC)
        yield opened


def digest(file_path):
    with open(file_path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def result(fold, interval=None, test=0.5, train=None, error=None, fit_time=0.25, score_time=0.125):
    test_scores = test if isinstance(test, dict) else {"score": test}
    return FoldResult(
        fold=fold,
        interval=fold + 1 if interval is None else interval,
        test_scores=test_scores,
        train_scores=train,
        fit_time=fit_time,
        score_time=score_time,
        error=error,
    )


def finished_trial(trial_id, params, scores, status=COMPLETED, **kwargs):
    trial = Trial(trial_id, params, status=status, start_time=1000.0 + trial_id, end_time=1001.5 + trial_id,
                  **kwargs)
    trial.results = [result(fold, test=score) for fold, score in enumerate(scores)]
    return trial


def wave_of(*trials):
    """``write_wave`` arguments for trials whose every result is new."""
    return list(trials), [(trial.trial_id, r) for trial in trials for r in trial.results]


def same_number(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def same_scores(a, b):
    if a is None or b is None:
        return a is b
    return list(a) == list(b) and all(same_number(a[key], b[key]) for key in a)


def assert_same_result(got, expected):
    assert (got.fold, got.interval, got.error) == (expected.fold, expected.interval, expected.error)
    assert same_scores(got.test_scores, expected.test_scores), (got.test_scores, expected.test_scores)
    assert same_scores(got.train_scores, expected.train_scores), (got.train_scores, expected.train_scores)
    assert same_number(got.fit_time, float(expected.fit_time))
    assert same_number(got.score_time, float(expected.score_time))


def assert_same_trial(got, expected, params_equal=None):
    assert type(got) is Trial
    assert got.trial_id == expected.trial_id
    assert got.status == expected.status
    assert got.start_time == expected.start_time and got.end_time == expected.end_time
    assert got.source == expected.source
    if params_equal is None:
        assert got.params == expected.params
    else:
        params_equal(got.params, expected.params)
    assert len(got.results) == len(expected.results)
    for got_result, expected_result in zip(got.results, expected.results):
        assert_same_result(got_result, expected_result)


# ------------------------------------------------------------ round trip


def test_trials_and_results_round_trip_exactly(store):
    trials = [
        finished_trial(0, {"C": 0.5, "kernel": "rbf"}, [0.8, 0.9, 0.85]),
        finished_trial(1, {"C": 2.0, "kernel": "linear"}, [0.7, float("nan"), 0.75], status=FAILED),
        finished_trial(2, {"C": 1e-3, "kernel": "rbf"}, [0.6], status=TERMINATED),
    ]
    trials[1].results[1].error = "Traceback (most recent call last):\nValueError: boom\n"
    store.write_wave("exp", *wave_of(*trials))

    loaded = store.load_trials("exp")

    assert [t.trial_id for t in loaded] == [0, 1, 2]
    for got, expected in zip(loaded, trials):
        assert_same_trial(got, expected)


def test_nan_and_infinite_scores_round_trip(store):
    scores = {"accuracy": float("nan"), "neg_loss": -math.inf, "odd": math.inf, "zero": 0.0, "int_score": 0}
    trial = Trial(0, {"C": 1.0}, status=COMPLETED)
    trial.results = [result(0, test=dict(scores), train={"accuracy": float("nan"), "neg_loss": math.inf})]
    store.write_wave("exp", *wave_of(trial))

    got = store.load_trials("exp")[0].results[0]

    assert math.isnan(got.test_scores["accuracy"])
    assert got.test_scores["neg_loss"] == -math.inf and got.test_scores["odd"] == math.inf
    assert same_number(got.test_scores["zero"], 0.0) and same_number(got.test_scores["int_score"], 0)
    assert list(got.test_scores) == list(scores)
    assert math.isnan(got.train_scores["accuracy"]) and got.train_scores["neg_loss"] == math.inf


def test_scores_are_stored_as_standard_json(store, path):
    trial = Trial(0, {"C": 1.0}, status=COMPLETED)
    trial.results = [result(0, test={"score": float("nan"), "loss": -math.inf})]
    store.write_wave("exp", *wave_of(trial))

    with sqlite3.connect(path) as raw:
        (text,) = raw.execute("SELECT test_scores FROM intervals").fetchone()
        extracted = raw.execute("SELECT json_extract(test_scores, '$.loss') FROM intervals").fetchone()

    assert text == '{"score": "NaN", "loss": "-Infinity"}'
    assert extracted == ("-Infinity",)


def test_multimetric_scores_with_train_scores_round_trip(store):
    trial = Trial(0, {"alpha": 0.1}, status=COMPLETED)
    trial.results = [
        result(fold, test={"accuracy": 0.9 - fold / 10, "f1": 0.8, "neg_log_loss": -0.3},
               train={"accuracy": 1.0, "f1": 0.99, "neg_log_loss": -0.01})
        for fold in range(3)
    ]
    store.write_wave("exp", *wave_of(trial))

    assert_same_trial(store.load_trials("exp")[0], trial)


def test_estimator_objects_and_numpy_scalars_in_params_round_trip(store):
    params = {
        "clf": LogisticRegression(C=3.5, max_iter=50),
        "scaler": Pipeline([("s", StandardScaler(with_mean=False))]),
        "alpha": np.float32(0.25),
        "n": np.int64(7),
        "flag": np.bool_(True),
        "none": None,
        "tuple": (1, "a"),
    }
    trial = finished_trial(0, params, [0.5, 0.6])
    store.write_wave("exp", *wave_of(trial))

    got = store.load_trials("exp")[0].params

    assert type(got["clf"]) is LogisticRegression and got["clf"].get_params() == params["clf"].get_params()
    assert repr(got["scaler"]) == repr(params["scaler"])
    for name in ("alpha", "n", "flag"):
        assert type(got[name]) is type(params[name]) and got[name] == params[name]
    assert got["none"] is None and got["tuple"] == (1, "a")


def test_trial_rows_are_upserted_across_waves(store):
    trial = Trial(0, {"C": 1.0}, start_time=10.0)
    first = result(0)
    trial.results.append(first)
    store.write_wave("exp", [trial], [(0, first)])
    assert store.load_trials("exp")[0].status == RUNNING

    second = result(1)
    trial.results.append(second)
    trial.status, trial.end_time = COMPLETED, 12.5
    store.write_wave("exp", [trial], [(0, second)])

    assert_same_trial(store.load_trials("exp")[0], trial)


def test_a_rerun_interval_replaces_the_stored_one_and_keeps_arrival_order(store):
    trial = Trial(0, {"C": 1.0})
    old = [result(0, 1, 0.1), result(1, 1, 0.2), result(0, 2, 0.3), result(1, 2, 0.4)]
    store.write_wave("exp", [trial], [(0, r) for r in old])
    # A resumed search re-runs interval 2 of fold 0 (its model was lost in the crash).
    rerun = result(0, 2, 0.35)
    store.write_wave("exp", [trial], [(0, rerun)])

    got = store.load_trials("exp")[0].results

    assert [(r.fold, r.interval, r.test_scores["score"]) for r in got] == [
        (0, 1, 0.1), (1, 1, 0.2), (1, 2, 0.4), (0, 2, 0.35),
    ]


def test_load_trials_can_mark_the_source_for_warm_start(store):
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))

    assert store.load_trials("exp")[0].source == "search"
    assert store.load_trials("exp", source="exp")[0].source == "exp"


def test_trials_load_in_trial_id_order_whatever_the_write_order(store):
    trials = [finished_trial(i, {"C": float(i)}, [0.5]) for i in (3, 0, 2, 1)]
    for trial in trials:
        store.write_wave("exp", *wave_of(trial))

    assert [t.trial_id for t in store.load_trials("exp")] == [0, 1, 2, 3]


def test_experiments_in_one_store_are_independent(store):
    store.open_experiment("other", dict(SPEC, random_state=1))
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))
    store.write_wave("other", *wave_of(finished_trial(0, {"C": 9.0}, [0.1])))

    assert store.load_trials("exp")[0].params == {"C": 1.0}
    assert store.load_trials("other")[0].params == {"C": 9.0}
    assert store.experiment_names() == ["exp", "other"]


def test_a_store_is_read_back_by_a_new_connection(path):
    trial = finished_trial(0, {"C": 1.0}, [0.5, float("nan")])
    with ExperimentStore(path) as first:
        first.open_experiment("exp", SPEC)
        first.write_wave("exp", *wave_of(trial))

    with ExperimentStore(path) as second:
        assert_same_trial(second.load_trials("exp")[0], trial)


def test_writing_10000_trials_takes_well_under_a_millisecond_each(store):
    trials = [finished_trial(i, {"C": float(i), "kernel": "rbf"}, [0.5, 0.6, 0.7]) for i in range(10_000)]
    start = time.perf_counter()
    store.write_wave("exp", *wave_of(*trials))
    seconds = time.perf_counter() - start

    assert seconds / len(trials) < 1e-3
    assert len(store.load_trials("exp")) == 10_000


# ------------------------------------------------------------ experiments


def test_open_experiment_creates_then_resumes(path):
    with ExperimentStore(path) as store:
        created = store.open_experiment("exp", SPEC)
        resumed = store.open_experiment("exp", dict(SPEC))

    assert created.is_new and not resumed.is_new
    assert created.name == resumed.name == "exp"
    assert created.path == resumed.path == os.path.abspath(path)
    assert resumed.spec == SPEC and resumed.created_time == created.created_time


def test_a_different_spec_under_the_same_name_names_the_differing_keys(store):
    changed = dict(SPEC, policy="BanditPolicy(slack_factor=0.1)", random_state=1)
    with pytest.raises(ExperimentMismatchError, match="experiment_name='exp'") as info:
        store.open_experiment("exp", changed)
    message = str(info.value)
    assert "policy changed (None -> BanditPolicy(slack_factor=0.1))" in message
    assert "random_state changed (0 -> 1)" in message
    assert "pass experiment_name='exp-2' (free in this store) or another storage" in message
    assert "sampling" not in message
    assert info.value.differences == [
        ("policy", "None", "BanditPolicy(slack_factor=0.1)"), ("random_state", "0", "1"),
    ]
    assert store.spec("exp") == SPEC


def test_a_missing_or_extra_spec_key_is_a_difference(store):
    with pytest.raises(ValueError, match=r"scoring changed \(None -> <absent>\)"):
        store.open_experiment("exp", {k: v for k, v in SPEC.items() if k != "scoring"})
    with pytest.raises(ValueError, match=r"data changed \(<absent> -> \{\"X\": \"array"):
        store.open_experiment("exp", dict(SPEC, data={"X": "array <f8 (10, 2)"}))


def test_entries_of_a_dict_value_are_compared_one_by_one(store):
    data = {"X": "array <f8 (10, 2), sha256 aaaa", "y": "array <i8 (10,), sha256 bbbb"}
    store.open_experiment("data", dict(SPEC, data=data))
    changed = dict(data, X="array <f8 (10, 2), sha256 cccc", groups="array <i8 (10,), sha256 dddd")
    with pytest.raises(ExperimentMismatchError) as info:
        store.open_experiment("data", dict(SPEC, data=changed))
    assert info.value.differences == [
        ("data: X", "array <f8 (10, 2), sha256 aaaa", "array <f8 (10, 2), sha256 cccc"),
        ("data: groups", "<absent>", "array <i8 (10,), sha256 dddd"),
    ]
    assert "data: X changed (array <f8 (10, 2), sha256 aaaa -> array <f8 (10, 2), sha256 cccc)" in str(info.value)


def test_the_mismatch_error_survives_pickling(store):
    with pytest.raises(ExperimentMismatchError) as info:
        store.open_experiment("exp", dict(SPEC, random_state=1))
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value) and copy.differences == info.value.differences


def test_the_suggested_name_is_free_in_the_store(store):
    store.open_experiment("exp-2", SPEC)
    store.open_experiment("exp-3", SPEC)
    with pytest.raises(ExperimentMismatchError, match="experiment_name='exp-4'") as info:
        store.open_experiment("exp", dict(SPEC, random_state=1))
    assert info.value.free_name == store.free_name("exp") == "exp-4"


def test_run_settings_are_stored_and_replaced_by_each_fit(store):
    assert store.run_settings("exp") == {}
    store.open_experiment("exp", SPEC, run_settings={"max_total_runs": 8, "max_duration": None})
    assert store.run_settings("exp") == {"max_total_runs": 8, "max_duration": None}
    store.open_experiment("exp", SPEC, run_settings={"max_total_runs": 12, "max_duration": 60.0})
    assert store.run_settings("exp") == {"max_total_runs": 12, "max_duration": 60.0}
    store.open_experiment("exp", SPEC)
    assert store.run_settings("exp")["max_total_runs"] == 12
    with pytest.raises(ExperimentMismatchError):
        store.open_experiment("exp", dict(SPEC, random_state=1), run_settings={"max_total_runs": 99})
    assert store.run_settings("exp")["max_total_runs"] == 12


def test_a_store_without_the_run_settings_table_reads_and_gains_it(path):
    with ExperimentStore(path) as store:
        store.open_experiment("exp", SPEC, run_settings={"max_total_runs": 8})
    with sqlite3.connect(path) as raw:  # a store written before run_settings existed
        raw.execute("DROP TABLE run_settings")
    with ExperimentStore(path, readonly=True) as reader:
        assert reader.run_settings("exp") == {}
    with ExperimentStore(path) as writer:
        writer.open_experiment("exp", SPEC, run_settings={"max_total_runs": 9})
        assert writer.run_settings("exp") == {"max_total_runs": 9}


def test_spec_equality_is_json_equality_nan_included(path):
    spec = {"error_score": float("nan"), "grid": (1, 2)}
    with ExperimentStore(path) as store:
        store.open_experiment("nan", spec)
        assert not store.open_experiment("nan", {"error_score": float("nan"), "grid": [1, 2]}).is_new


@pytest.mark.parametrize("spec, match", [
    ({"estimator": LogisticRegression()}, r"spec\['estimator'\] must be JSON-able"),
    ("SVC", "spec must be a dict"),
    ({1: "a"}, "spec must be a dict with str keys"),
])
def test_a_spec_that_json_cannot_hold_is_an_error(store, spec, match):
    with pytest.raises(ValueError, match=match):
        store.open_experiment("new", spec)
    assert store.experiment_names() == ["exp"]


@pytest.mark.parametrize("name", ["", None, 3])
def test_an_invalid_experiment_name_is_an_error(store, name):
    with pytest.raises(ValueError, match=f"experiment_name must be a non-empty str, got experiment_name={name!r}"):
        store.open_experiment(name, SPEC)


def test_spec_and_names_are_read_back(store):
    store.open_experiment("second", {"random_state": None})
    assert store.experiment_names() == ["exp", "second"]
    assert store.spec("exp") == SPEC and store.spec("second") == {"random_state": None}


def test_an_unknown_experiment_is_a_clear_error(store):
    for call in (store.spec, store.load_trials, store.trial_table):
        with pytest.raises(ValueError, match=r"experiment_name='nope' is not in storage .*\['exp'\]"):
            call("nope")
    with pytest.raises(ValueError, match="experiment_name='nope'"):
        store.write_wave("nope", [Trial(0, {})], [])


# ------------------------------------------------------------ opening


def test_storage_accepts_a_path_a_pathlike_and_a_sqlite_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for storage, expected in [
        ("plain.db", tmp_path / "plain.db"),
        (tmp_path / "pathlike.db", tmp_path / "pathlike.db"),
        ("sqlite:///relative.db", tmp_path / "relative.db"),
        (f"sqlite:///{tmp_path}/absolute.db", tmp_path / "absolute.db"),
    ]:
        with ExperimentStore(storage) as store:
            assert store.path == str(expected)
        assert expected.exists()


def test_open_store_maps_none_to_no_store_and_passes_a_store_through(path, tmp_path):
    assert open_store(None) is None
    assert ExperimentStore.from_storage(None) is None
    with open_store(path) as store:
        assert isinstance(store, ExperimentStore)
        assert open_store(store) is store
    assert os.listdir(tmp_path) == ["search.db"]


def test_a_new_store_is_in_wal_mode_with_its_schema_version(path):
    with ExperimentStore(path) as store:
        assert store.journal_mode == "wal"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert dict(raw.execute("SELECT key, value FROM meta")) == {
            "format": "hdsearch-experiment-store", "schema_version": str(SCHEMA_VERSION),
        }


def test_a_path_in_missing_directories_creates_them(tmp_path):
    storage = tmp_path / "runs" / "deep" / "search.db"
    with ExperimentStore(str(storage)) as store:
        store.open_experiment("exp", SPEC)
    assert storage.is_file()
    with open_store(f"sqlite:///{tmp_path}/other/search.db") as store:
        assert store.experiment_names() == []
    assert (tmp_path / "other" / "search.db").is_file()


def test_a_directory_that_cannot_be_created_is_an_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    storage = str(tmp_path / "file" / "sub" / "search.db")
    with pytest.raises(ValueError, match=f"storage='{storage}': cannot create the directory"):
        ExperimentStore(storage)


def test_readonly_in_a_missing_directory_is_an_error_and_creates_nothing(tmp_path):
    storage = str(tmp_path / "missing" / "search.db")
    with pytest.raises(ValueError, match=f"storage='{storage}': there is no store at"):
        ExperimentStore(storage, readonly=True)
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("storage, match", [
    (3, "storage must be None, a path or a 'sqlite:///path' URL, got storage=3"),
    (["a.db"], r"got storage=\['a.db'\]"),
    ("", "storage='': give the path of a file"),
    ("sqlite:///:memory:", "storage='sqlite:///:memory:': give the path of a file"),
    ("sqlite://", "storage='sqlite://': only SQLite files"),
    ("postgresql://user@host/db", "storage='postgresql://user@host/db': only SQLite files"),
])
def test_a_storage_that_is_not_a_file_path_is_an_error(storage, match):
    with pytest.raises(ValueError, match=match):
        ExperimentStore(storage)


def test_a_directory_is_not_a_store(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        ExperimentStore(str(tmp_path))


def test_random_bytes_are_an_error_and_the_file_is_untouched(tmp_path):
    file_path = tmp_path / "random.db"
    file_path.write_bytes(np.random.default_rng(0).bytes(8192))
    before = digest(file_path)

    with pytest.raises(ValueError, match=f"storage='{file_path}'.*not a SQLite database.*left untouched"):
        ExperimentStore(str(file_path))

    assert digest(file_path) == before
    assert os.listdir(tmp_path) == ["random.db"]


def test_a_store_damaged_after_its_header_is_an_error_and_untouched(path, tmp_path):
    with ExperimentStore(path) as store:
        store.open_experiment("exp", SPEC)
        store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))
    with open(path, "rb") as file:
        data = bytearray(file.read())
    data[100:2100] = np.random.default_rng(0).bytes(2000)  # the schema page, after the header
    with open(path, "wb") as file:
        file.write(data)
    before = digest(path)

    with pytest.raises(ValueError, match="not a readable SQLite database.*corrupt.*left untouched"):
        ExperimentStore(path)

    assert digest(path) == before


def test_a_foreign_sqlite_database_is_an_error_and_untouched(tmp_path):
    file_path = str(tmp_path / "app.db")
    with sqlite3.connect(file_path) as raw:
        raw.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("INSERT INTO users (name) VALUES ('ada')")
    raw.close()
    before = digest(file_path)

    for readonly in (False, True):
        with pytest.raises(ValueError, match=r"not an hdsearch experiment store \(tables: \['users'\]\)"):
            ExperimentStore(file_path, readonly=readonly)

    assert digest(file_path) == before
    assert os.listdir(tmp_path) == ["app.db"]


def test_a_foreign_database_with_lookalike_tables_is_not_a_store(tmp_path):
    file_path = str(tmp_path / "lookalike.db")
    with sqlite3.connect(file_path) as raw:
        for table in ("meta", "experiments", "trials", "intervals"):
            raw.execute(f"CREATE TABLE {table} (x)")
    raw.close()
    before = digest(file_path)

    with pytest.raises(ValueError, match="not an hdsearch experiment store"):
        ExperimentStore(file_path)
    assert digest(file_path) == before


def test_a_foreign_wal_database_is_an_error_and_untouched(tmp_path):
    file_path = str(tmp_path / "wal.db")
    raw = sqlite3.connect(file_path)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE events (x)")
    raw.commit()
    raw.close()
    before = digest(file_path)

    with pytest.raises(ValueError, match=r"tables: \['events'\]"):
        ExperimentStore(file_path)
    assert digest(file_path) == before
    assert os.listdir(tmp_path) == ["wal.db"]


def test_a_store_of_a_newer_schema_version_is_an_error(path):
    ExperimentStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()

    with pytest.raises(ValueError, match=f"schema version {SCHEMA_VERSION + 1}, written by a newer hdsearch"):
        ExperimentStore(path)


@pytest.mark.parametrize("make", ["empty file", "empty sqlite database"])
def test_an_empty_file_or_database_becomes_a_store(tmp_path, make):
    file_path = tmp_path / "new.db"
    if make == "empty file":
        file_path.touch()
    else:
        sqlite3.connect(str(file_path)).execute("VACUUM").connection.close()

    with ExperimentStore(str(file_path)) as store:
        store.open_experiment("exp", SPEC)
        assert store.journal_mode == "wal"


def test_readonly_needs_an_existing_store_and_refuses_writes(path, tmp_path):
    with pytest.raises(ValueError, match="there is no store at"):
        ExperimentStore(path, readonly=True)
    assert not os.path.exists(path)

    ExperimentStore(path).close()
    with ExperimentStore(path, readonly=True) as reader:
        with pytest.raises(ValueError, match="open_experiment: .* readonly=True"):
            reader.open_experiment("exp", SPEC)
        with pytest.raises(ValueError, match="write_wave: .* readonly=True"):
            reader.write_wave("exp", [], [])


def test_a_store_pickles_as_its_path(store):
    copy = pickle.loads(pickle.dumps(store))
    try:
        assert copy.path == store.path and copy.experiment_names() == ["exp"]
    finally:
        copy.close()


def test_a_closed_store_says_so(path):
    store = ExperimentStore(path)
    store.close()
    with pytest.raises(ValueError, match="is closed"):
        store.experiment_names()


# ------------------------------------------------------------ atomic waves


def test_an_unserialisable_score_writes_nothing_of_its_wave(store):
    first = Trial(0, {"C": 1.0})
    first.results.append(result(0))
    store.write_wave("exp", [first], [(0, first.results[0])])

    first.status = COMPLETED
    second = Trial(1, {"C": 2.0}, status=COMPLETED)
    good, bad = result(1), result(0, test={"score": object()})
    with pytest.raises(ValueError, match=r"test_scores of trial 1, interval 1, fold 0, metric 'score'.*real number"):
        store.write_wave("exp", [first, second], [(0, good), (1, bad)])

    loaded = store.load_trials("exp")
    assert [(t.trial_id, t.status, len(t.results)) for t in loaded] == [(0, RUNNING, 1)]


def test_unpicklable_params_write_nothing_of_their_wave(store):
    good = finished_trial(0, {"C": 1.0}, [0.5])
    bad = finished_trial(1, {"f": lambda x: x}, [0.5])

    with pytest.raises(ValueError, match="trial 1 has params that cannot be pickled"):
        store.write_wave("exp", *wave_of(good, bad))

    assert store.load_trials("exp") == []


def test_a_failure_inside_the_transaction_rolls_the_whole_wave_back(store):
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))
    # The trial rows are written, then the results of trial 7 (in no wave, not
    # stored) break the foreign key: the trial rows must go too.
    upserted = finished_trial(0, {"C": 1.0}, [0.5], status=FAILED)
    new = finished_trial(1, {"C": 2.0}, [0.6])
    with pytest.raises(ValueError, match="results for trials that are neither stored nor in this wave"):
        store.write_wave("exp", [upserted, new], [(1, new.results[0]), (7, result(0))])

    loaded = store.load_trials("exp")
    assert [(t.trial_id, t.status) for t in loaded] == [(0, COMPLETED)]


class InterruptingConnection:
    """A connection whose second ``executemany`` (the results) is interrupted, as by Ctrl-C."""

    def __init__(self, connection):
        self._connection = connection
        self.calls = 0

    def executemany(self, *args):
        self.calls += 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return self._connection.executemany(*args)

    def __getattr__(self, name):
        return getattr(self._connection, name)


def test_an_interrupt_mid_wave_leaves_the_previous_wave_and_a_usable_store(store):
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))
    real = store._connection
    store._connection = InterruptingConnection(real)
    try:
        with pytest.raises(KeyboardInterrupt):
            store.write_wave("exp", *wave_of(finished_trial(1, {"C": 2.0}, [0.6])))
    finally:
        store._connection = real

    assert not real.in_transaction
    assert [t.trial_id for t in store.load_trials("exp")] == [0]
    store.write_wave("exp", *wave_of(finished_trial(1, {"C": 2.0}, [0.6])))
    assert [t.trial_id for t in store.load_trials("exp")] == [0, 1]


# ------------------------------------------------------------ readers and writers


def test_a_reader_sees_the_last_committed_wave_while_a_writer_holds_a_transaction(store, path):
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5])))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE trials SET status = 'failed'")
    writer.execute("DELETE FROM intervals")
    try:
        with ExperimentStore(path, readonly=True) as reader:
            start = time.monotonic()
            loaded = reader.load_trials("exp")
            assert time.monotonic() - start < 5  # not blocked by the writer
            assert [(t.status, len(t.results)) for t in loaded] == [(COMPLETED, 1)]
        writer.execute("COMMIT")
        assert [(t.status, len(t.results)) for t in store.load_trials("exp")] == [(FAILED, 0)]
    finally:
        writer.close()


def test_concurrent_readers_never_see_half_a_wave(path):
    n_waves, n_folds = 40, 3
    ExperimentStore(path).close()
    errors = []

    def write():
        try:
            with ExperimentStore(path) as writer:
                writer.open_experiment("exp", SPEC)
                for i in range(n_waves):
                    trial = finished_trial(i, {"C": float(i)}, [0.1] * n_folds)
                    writer.write_wave("exp", *wave_of(trial))
        except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    seen = set()
    with ExperimentStore(path, readonly=True) as reader:
        while thread.is_alive() or len(seen) < 2:
            if "exp" not in reader.experiment_names():
                continue
            trials = reader.load_trials("exp")
            assert [t.trial_id for t in trials] == list(range(len(trials)))
            assert all(len(t.results) == n_folds and t.status == COMPLETED for t in trials)
            seen.add(len(trials))
            if not thread.is_alive():
                break
    thread.join()
    if errors:
        raise errors[0]
    assert max(seen) <= n_waves


# ------------------------------------------------------------ load_experiment


@pytest.fixture
def filled(store):
    """A store with a completed, a failed, a terminated per-fold trial and an estimator parameter."""
    completed = Trial(0, {"C": 1.0, "kernel": "rbf"}, status=COMPLETED, start_time=1.0, end_time=2.0)
    completed.results = [result(0, test={"acc": 0.8, "f1": 0.6}, train={"acc": 1.0, "f1": 1.0}),
                         result(1, test={"acc": 0.6, "f1": 0.4}, train={"acc": 0.9, "f1": 0.8})]
    failed = Trial(1, {"C": 2.0}, status=FAILED, start_time=1.5, end_time=2.5)
    failed.results = [result(0, test={"acc": float("nan"), "f1": float("nan")}, error="Traceback: boom"),
                      result(1, test={"acc": 0.5, "f1": 0.5})]
    # A per-fold resource: intervals 1 and 2 on both folds, then terminated.
    terminated = Trial(2, {"C": 3.0, "clf": LogisticRegression(C=4.0)}, status=TERMINATED, start_time=3.0,
                       end_time=4.0)
    terminated.results = [result(fold, interval, test={"acc": 0.1 * interval + fold / 10, "f1": 0.0})
                          for interval in (1, 2) for fold in (0, 1)]
    store.write_wave("exp", *wave_of(completed, failed, terminated))
    return store


def none_if_missing(value):
    """pandas may show a missing value as NaN where the list of dicts has None."""
    return None if isinstance(value, float) and math.isnan(value) else value


def check_table_rows(rows):
    assert [row["trial_id"] for row in rows] == [0, 1, 2]
    assert [row["status"] for row in rows] == [COMPLETED, FAILED, TERMINATED]
    assert [row["source"] for row in rows] == ["search"] * 3
    assert [row["param_C"] for row in rows] == [1.0, 2.0, 3.0]
    assert rows[0]["param_kernel"] == "rbf" and none_if_missing(rows[1]["param_kernel"]) is None
    assert rows[2]["param_clf"].get_params() == LogisticRegression(C=4.0).get_params()
    assert rows[0]["params"] == {"C": 1.0, "kernel": "rbf"}
    assert [row["n_intervals"] for row in rows] == [2, 2, 2]
    assert rows[0]["mean_test_acc"] == pytest.approx(0.7)
    assert rows[0]["std_test_acc"] == pytest.approx(0.1)
    assert rows[0]["mean_train_f1"] == pytest.approx(0.9)
    assert math.isnan(rows[1]["mean_test_acc"])
    assert math.isnan(rows[1]["mean_train_acc"])  # no train scores recorded
    # The last interval of each fold: 0.2 and 0.3.
    assert rows[2]["mean_test_acc"] == pytest.approx(0.25)
    assert [none_if_missing(row["error"]) for row in rows] == [None, "Traceback: boom", None]
    assert [(row["start_time"], row["end_time"]) for row in rows] == [(1.0, 2.0), (1.5, 2.5), (3.0, 4.0)]


def test_load_experiment_returns_a_dataframe_with_pandas(filled, path):
    pandas = pytest.importorskip("pandas")

    table = load_experiment(path, "exp")

    assert isinstance(table, pandas.DataFrame)
    assert list(table.columns[:4]) == ["trial_id", "source", "status", "params"]
    check_table_rows(table.to_dict("records"))


def test_load_experiment_returns_a_list_of_dicts_without_pandas(filled, path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # "import pandas" raises ImportError

    rows = load_experiment(f"sqlite:///{path}", "exp")

    assert isinstance(rows, list) and all(isinstance(row, dict) for row in rows)
    check_table_rows(rows)
    assert all(list(row) == list(rows[0]) for row in rows)


def test_load_experiment_counts_folds_as_intervals_for_the_folds_resource(store, path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    store.write_wave("exp", *wave_of(finished_trial(0, {"C": 1.0}, [0.5, 0.7, 0.9], status=TERMINATED)))

    (row,) = load_experiment(path, "exp")

    assert row["n_intervals"] == 3 and row["mean_test_score"] == pytest.approx(0.7)


def test_load_experiment_of_an_experiment_without_trials(store, path):
    pandas = pytest.importorskip("pandas")
    table = load_experiment(path, "exp")
    assert isinstance(table, pandas.DataFrame) and len(table) == 0 and "trial_id" in table.columns


def test_load_experiment_accepts_an_open_store(filled, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    check_table_rows(load_experiment(filled, "exp"))


def test_load_experiment_falls_back_to_readable_params_when_they_cannot_be_unpickled(filled, path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)

    def fail(data):
        raise ModuleNotFoundError("No module named 'private_estimators'")

    monkeypatch.setattr(store_module.pickle, "loads", fail)
    rows = load_experiment(path, "exp")

    assert rows[2]["param_clf"] == "LogisticRegression(C=4.0)"
    assert rows[0]["params"] == {"C": 1.0, "kernel": "rbf"}


def test_load_experiment_never_creates_a_file(tmp_path):
    storage = str(tmp_path / "absent.db")
    with pytest.raises(ValueError, match="there is no store at"):
        load_experiment(storage, "exp")
    assert os.listdir(tmp_path) == []


def test_load_experiment_is_exported_by_the_package():
    import hdsearch

    assert hdsearch.load_experiment is load_experiment
