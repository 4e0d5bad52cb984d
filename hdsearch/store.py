"""The experiment store: experiments, trials and intervals in one SQLite file.

The store is the embedded default of hdsearch: the standard library's
``sqlite3`` in WAL mode, no server. It records every finished interval as it
happens, one wave per transaction, so a crash or an interrupt never leaves
half a wave on disk, and a search can be resumed or read back without
refitting.

Schema (version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version`` and in
the ``meta`` table; ``PRAGMA application_id`` marks the file as an hdsearch
store):

- ``meta(key, value)``: ``format`` and ``schema_version``.
- ``experiments(name, spec, created_time)``: ``spec`` is JSON text.
- ``trials(experiment, trial_id, params_pickle, params_json, status,
  start_time, end_time, error, source)``: ``params_pickle`` is the exact
  parameter set (estimators and numpy scalars included); ``params_json`` a
  readable copy for other tools; ``error`` the trial's first traceback.
- ``run_settings(experiment, settings)``: what the latest fit of an
  experiment was given that may change between resumes (``max_total_runs``,
  ``max_duration``), as JSON; added after version 1 without changing it:
  opening a store for writing adds the table, and a store without it reads
  as having no settings.
- ``intervals(row, experiment, trial_id, interval, fold, test_scores,
  train_scores, fit_time, score_time, error)``: scores are standard JSON
  objects ``{metric: value}``; NaN and infinities are written as the strings
  ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. ``row`` keeps arrival order.

This module imports neither joblib nor the estimator machinery.

Notes
-----
Parameters are stored with :mod:`pickle`, so reading a store runs code its
writer chose: open only stores you trust, as with joblib or pickle files.
"""

import json
import math
import numbers
import os
import pickle
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import InvalidParameterError
from .trials import FoldResult, Trial

#: Version of the table layout this module reads and writes.
SCHEMA_VERSION = 1

#: ``PRAGMA application_id`` of an hdsearch store: ``b"hds1"`` as a big-endian int.
APPLICATION_ID = int.from_bytes(b"hds1", "big")

_FORMAT = "hdsearch-experiment-store"
_URL_PREFIX = "sqlite:///"
_SQLITE_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_TABLES = ("meta", "experiments", "trials", "intervals")
_BUSY_TIMEOUT_SECONDS = 60.0
_MAX_SHOWN_CHARS = 300
_EMPTY_TABLE_COLUMNS = ["trial_id", "source", "status", "params", "n_intervals", "start_time", "end_time", "error"]
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_ABSENT = object()

_SCHEMA = (
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE experiments (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        created_time REAL NOT NULL
    )""",
    """CREATE TABLE trials (
        experiment TEXT NOT NULL REFERENCES experiments(name),
        trial_id INTEGER NOT NULL,
        params_pickle BLOB NOT NULL,
        params_json TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time REAL,
        end_time REAL,
        error TEXT,
        source TEXT NOT NULL,
        PRIMARY KEY (experiment, trial_id)
    )""",
    """CREATE TABLE intervals (
        row INTEGER PRIMARY KEY,
        experiment TEXT NOT NULL,
        trial_id INTEGER NOT NULL,
        interval INTEGER NOT NULL,
        fold INTEGER NOT NULL,
        test_scores TEXT NOT NULL,
        train_scores TEXT,
        fit_time REAL NOT NULL,
        score_time REAL NOT NULL,
        error TEXT,
        UNIQUE (experiment, trial_id, interval, fold),
        FOREIGN KEY (experiment, trial_id) REFERENCES trials(experiment, trial_id)
    )""",
)

# Not in _SCHEMA: stores made before it existed get it when opened for writing.
_RUN_SETTINGS_TABLE = """CREATE TABLE IF NOT EXISTS run_settings (
        experiment TEXT PRIMARY KEY REFERENCES experiments(name),
        settings TEXT NOT NULL
    )"""

_UPSERT_TRIAL = """
    INSERT INTO trials (experiment, trial_id, params_pickle, params_json, status,
                        start_time, end_time, error, source)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (experiment, trial_id) DO UPDATE SET
        params_pickle = excluded.params_pickle,
        params_json = excluded.params_json,
        status = excluded.status,
        start_time = excluded.start_time,
        end_time = excluded.end_time,
        error = excluded.error,
        source = excluded.source
"""

# REPLACE deletes a re-run (trial, interval, fold) and appends it as a new
# row, so ``row`` order stays arrival order.
_INSERT_INTERVAL = """
    INSERT OR REPLACE INTO intervals (experiment, trial_id, interval, fold, test_scores,
                                      train_scores, fit_time, score_time, error)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


class ExperimentMismatchError(ValueError):
    """An experiment exists under this name with another spec, so it cannot be resumed.

    Raised by :meth:`ExperimentStore.open_experiment` (and so by a search's
    ``fit``) before anything runs. The message says what changed and how to
    start a new experiment from Python; the command line rewords the last
    part, after :meth:`what_changed`.

    Parameters
    ----------
    name : str
        The experiment that exists.
    path : str
        The store's file.
    differences : list of (str, str, str)
        ``(what, stored, given)`` for every entry of the spec that differs,
        e.g. ``("data: X", "array <f8 (100, 5), sha256 ...", "...")``.
    free_name : str
        A name not yet in the store, suggested for a new experiment.
    """

    def __init__(self, name, path, differences, free_name):
        self.name = name
        self.path = path
        self.differences = differences
        self.free_name = free_name
        super().__init__(
            f"{self.what_changed()} To start a new experiment, pass experiment_name={free_name!r} "
            f"(free in this store) or another storage; to resume {name!r}, fit it on the data and "
            "settings it was created with."
        )

    def __reduce__(self):
        # The default would call __init__ with the message alone: a worker could not send it back.
        return (type(self), (self.name, self.path, self.differences, self.free_name))

    def what_changed(self):
        """The first sentences of the message: the experiment and each difference.

        Returns
        -------
        str
        """
        changes = "; ".join(f"{what} changed ({old} -> {new})" for what, old, new in self.differences)
        return (
            f"experiment_name={self.name!r} in storage {self.path!r} was created with other data "
            f"or settings, so it cannot be resumed: {changes}."
        )


@dataclass(frozen=True)
class StoredExperiment:
    """One experiment of a store, as :meth:`ExperimentStore.open_experiment` returns it.

    Parameters
    ----------
    name : str
        The experiment's name, unique in its store.
    path : str
        Absolute path of the store's SQLite file.
    spec : dict
        The settings the experiment was created with, as stored (read back
        from JSON: tuples come back as lists).
    created_time : float
        ``time.time()`` when the experiment was created.
    is_new : bool
        True when this call created the experiment; False when it already
        existed with an equal spec (a resume).
    """

    name: str
    path: str
    spec: dict
    created_time: float
    is_new: bool


class ExperimentStore:
    """A SQLite file of experiments, their trials and every finished interval.

    Opening validates the file before anything is written: a file that is
    not SQLite, a corrupt database, or a SQLite database that is not an
    hdsearch store raise ``ValueError`` and the file is left untouched. A
    new file (and its missing directories) is created with the schema and
    put in WAL mode, so readers (other connections or processes) see the
    last committed wave while a search writes the next one.

    Parameters
    ----------
    storage : str or os.PathLike
        A file path, or a URL ``"sqlite:///path"`` (``sqlite:///store.db`` is
        relative, ``sqlite:////tmp/store.db`` absolute, as in SQLAlchemy and
        Optuna).
    readonly : bool, default=False
        Open an existing store for reading only: the file must exist, nothing
        is created or written, and the write methods raise.

    Attributes
    ----------
    path : str
        Absolute path of the SQLite file.
    readonly : bool

    See Also
    --------
    load_experiment : The trial table of a stored experiment.

    Notes
    -----
    One store object holds one SQLite connection and, like it, is meant to be
    used from the thread that created it. Pickling a store pickles its path;
    unpickling opens the file again. Parameters are stored with
    :mod:`pickle`: open only stores you trust.

    Examples
    --------
    >>> import os, tempfile
    >>> from hdsearch.trials import FoldResult, Trial
    >>> path = os.path.join(tempfile.mkdtemp(), "search.db")
    >>> with ExperimentStore(path) as store:
    ...     experiment = store.open_experiment("svc", {"estimator": "SVC()"})
    ...     trial = Trial(0, {"C": 1.0}, status="completed")
    ...     result = FoldResult(0, 1, {"score": 0.9}, None, 0.01, 0.002)
    ...     trial.results.append(result)
    ...     store.write_wave("svc", [trial], [(0, result)])
    ...     [t.params for t in store.load_trials("svc")]
    [{'C': 1.0}]
    """

    def __init__(self, storage, readonly=False):
        self._connection = None
        self.path = _path_from_storage(storage)
        self.readonly = bool(readonly)
        self._storage = storage
        header = _check_existing_file(storage, self.path, must_exist=self.readonly)
        if header and _application_id(header) != APPLICATION_ID:
            # Not marked as a store: inspect it as immutable first, so a foreign
            # or corrupt file is never locked and no -wal or -shm file appears.
            self._open("ro&immutable=1").close()
        self._connection = self._open("ro" if self.readonly else "rwc")

    @classmethod
    def from_storage(cls, storage, readonly=False):
        """The store a search's ``storage`` parameter names, or None.

        Parameters
        ----------
        storage : None, str, os.PathLike or ExperimentStore
            None (no store: nothing touches the disk), a path, a
            ``"sqlite:///path"`` URL, or an open store (returned as it is).
        readonly : bool, default=False
            Passed to :class:`ExperimentStore` for a path or URL.

        Returns
        -------
        store : ExperimentStore or None
        """
        if storage is None or isinstance(storage, ExperimentStore):
            return storage
        return cls(storage, readonly=readonly)

    # ------------------------------------------------------------ opening

    def _open(self, mode):
        """A connection in ``mode`` ``"ro"`` (maybe immutable) or ``"rwc"``, checked to be an hdsearch store."""
        try:
            connection = sqlite3.connect(
                f"{Path(self.path).as_uri()}?mode={mode}", uri=True,
                timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None,
            )
        except sqlite3.DatabaseError as exc:
            raise _corrupt_error(self._storage, exc) from exc
        try:
            self._prepare(connection, writable=mode == "rwc")
        except BaseException:
            connection.close()
            raise
        return connection

    def _prepare(self, connection, writable):
        """Check the file is an hdsearch store; when ``writable``, create the schema in an empty one."""
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            if not writable:
                _check_schema(self._storage, connection, allow_empty=not self.readonly)
                return
            with _transaction(connection, "BEGIN IMMEDIATE"):
                if _check_schema(self._storage, connection, allow_empty=True) == "empty":
                    _create_schema(connection)
                connection.execute(_RUN_SETTINGS_TABLE)
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise _corrupt_error(self._storage, exc) from exc
        if mode.lower() != "wal":
            raise ValueError(
                f"storage={self._storage!r}: SQLite could not switch the file to WAL mode "
                f"(journal_mode is {mode!r}); use a file on a local file system."
            )

    def close(self):
        """Close the connection; the store cannot be used afterwards."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()

    def __reduce__(self):
        return (type(self), (self.path, self.readonly))

    def __repr__(self):
        return f"{type(self).__name__}({self.path!r})"

    @property
    def journal_mode(self):
        """The SQLite journal mode of the file: ``"wal"`` for an hdsearch store."""
        return self._db.execute("PRAGMA journal_mode").fetchone()[0].lower()

    @property
    def _db(self):
        if self._connection is None:
            raise ValueError(f"{self!r} is closed.")
        return self._connection

    # -------------------------------------------------------- experiments

    def open_experiment(self, name, spec, run_settings=None):
        """Create the experiment ``name``, or return it for a resume if its spec is equal.

        Parameters
        ----------
        name : str
            The experiment's name (a search's ``experiment_name``).
        spec : dict of str to JSON-able values
            What defines the experiment: estimator repr, space repr, sampling,
            policy, resource, scoring, cv description, random_state, ...
            Values are str, numbers, bool, None, or lists and dicts of them.
            Two specs are equal when every key has the same JSON text.
        run_settings : dict, default=None
            What this fit was given that may change between resumes, such as
            ``max_total_runs``; JSON-able. Stored (replacing the previous
            fit's) when the experiment is created or resumed; read back with
            :meth:`run_settings`. None leaves the stored settings as they are.

        Returns
        -------
        experiment : StoredExperiment
            ``is_new`` tells a new experiment from one to resume.

        Raises
        ------
        ValueError
            When ``name``, ``spec`` or ``run_settings`` is invalid.
        ExperimentMismatchError
            A ``ValueError``, when the experiment exists with a different
            spec: the message names each differing entry with its stored
            and given values, and suggests a free name. Nothing is written.
        """
        _check_name(name)
        spec_text = _spec_to_json(spec)
        settings_text = None if run_settings is None else _spec_to_json(run_settings, what="run_settings")
        self._check_writable("open_experiment")
        with _transaction(self._db, "BEGIN IMMEDIATE"):
            row = self._db.execute(
                "SELECT spec, created_time FROM experiments WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                created = time.time()
                self._db.execute(
                    "INSERT INTO experiments (name, spec, created_time) VALUES (?, ?, ?)",
                    (name, spec_text, created),
                )
                experiment = StoredExperiment(name, self.path, json.loads(spec_text), created, True)
            else:
                stored_spec = json.loads(row[0])
                differences = _spec_differences(stored_spec, json.loads(spec_text))
                if differences:
                    raise ExperimentMismatchError(name, self.path, differences, self.free_name(name))
                experiment = StoredExperiment(name, self.path, stored_spec, row[1], False)
            if settings_text is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO run_settings (experiment, settings) VALUES (?, ?)",
                    (name, settings_text),
                )
        return experiment

    def run_settings(self, name):
        """What the latest fit of an experiment was given beyond its spec, e.g. ``max_total_runs``.

        Parameters
        ----------
        name : str

        Returns
        -------
        settings : dict
            Empty when none were stored (an experiment written before
            hdsearch stored them, or opened without ``run_settings``).

        Raises
        ------
        ValueError
            When there is no experiment ``name``.
        """
        with _transaction(self._db, "BEGIN"):
            self._require_experiment(name)
            if not self._has_table("run_settings"):
                return {}
            row = self._db.execute("SELECT settings FROM run_settings WHERE experiment = ?", (name,)).fetchone()
        return {} if row is None else json.loads(row[0])

    def _has_table(self, table):
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(query, (table,)).fetchone() is not None

    def free_name(self, name):
        """``name`` followed by the first of ``-2``, ``-3``, ... that no experiment of the store has.

        Parameters
        ----------
        name : str

        Returns
        -------
        str
        """
        taken = set(self.experiment_names())
        number = 2
        while f"{name}-{number}" in taken:
            number += 1
        return f"{name}-{number}"

    def experiment_names(self):
        """Names of the stored experiments, in creation order.

        Returns
        -------
        names : list of str
        """
        rows = self._db.execute("SELECT name FROM experiments ORDER BY created_time, rowid")
        return [name for (name,) in rows]

    def spec(self, name):
        """The spec an experiment was created with.

        Parameters
        ----------
        name : str

        Returns
        -------
        spec : dict
            As read back from JSON.

        Raises
        ------
        ValueError
            When there is no experiment ``name``.
        """
        row = self._db.execute("SELECT spec FROM experiments WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise self._unknown_experiment(name)
        return json.loads(row[0])

    def _unknown_experiment(self, name):
        return ValueError(
            f"experiment_name={name!r} is not in storage {self.path!r}; stored experiments: "
            f"{self.experiment_names()!r}."
        )

    def _require_experiment(self, name):
        if self._db.execute("SELECT 1 FROM experiments WHERE name = ?", (name,)).fetchone() is None:
            raise self._unknown_experiment(name)

    # ------------------------------------------------------------ writing

    def write_wave(self, name, trials=(), results=()):
        """Record one wave in one transaction: trial rows upserted, new interval results added.

        Everything is serialised before the transaction starts, and any
        failure inside it rolls the whole wave back, so the store never
        holds half a wave.

        Parameters
        ----------
        name : str
            The experiment, created by :meth:`open_experiment`.
        trials : iterable of Trial
            Trials the wave started, advanced or ended (``WaveReport.changed``).
            Their id, params, status, times and source are written; their
            results are not (pass those in ``results``).
        results : iterable of (int, FoldResult)
            ``(trial_id, result)`` of every result the wave added
            (``WaveReport.new_results``). A result with the same trial,
            interval and fold as a stored one replaces it.

        Raises
        ------
        ValueError
            When the experiment does not exist, a score is not a number, a
            value cannot be pickled, or a result's trial is neither in
            ``trials`` nor stored. Nothing of the wave is written then.
        """
        self._check_writable("write_wave")
        trial_rows = [_trial_row(name, trial) for trial in trials]
        interval_rows = [_interval_row(name, trial_id, result) for trial_id, result in results]
        with _transaction(self._db, "BEGIN IMMEDIATE"):
            self._require_experiment(name)
            self._db.executemany(_UPSERT_TRIAL, trial_rows)
            try:
                self._db.executemany(_INSERT_INTERVAL, interval_rows)
            except sqlite3.IntegrityError as exc:
                raise ValueError(
                    f"write_wave: experiment {name!r} has results for trials that are neither "
                    f"stored nor in this wave's trials ({exc}); nothing of the wave was written."
                ) from exc

    def _check_writable(self, method):
        if self.readonly:
            raise ValueError(f"{method}: {self!r} was opened with readonly=True.")

    # ------------------------------------------------------------ reading

    def load_trials(self, name, source=None):
        """Every stored trial of an experiment, with its results, in trial order.

        Parameters
        ----------
        name : str
            The experiment.
        source : str, default=None
            Overrides the ``source`` of every trial read back, e.g. the
            experiment's name for trials that warm-start another search;
            None keeps the stored source.

        Returns
        -------
        trials : list of Trial
            Equal to what was written: params (unpickled), status, times,
            source, and ``results`` in arrival order with every score (NaN
            and infinities included) and error.

        Raises
        ------
        ValueError
            When there is no experiment ``name``.
        """
        trial_rows, interval_rows = self._read_experiment(name, "params_pickle")
        trials = {}
        for trial_id, params, status, start, end, _error, stored_source in trial_rows:
            trials[trial_id] = Trial(
                trial_id, pickle.loads(params), status, [], start, end,
                stored_source if source is None else source,
            )
        for trial_id, result in interval_rows:
            trials[trial_id].results.append(result)
        return list(trials.values())

    def _read_experiment(self, name, params_column):
        """Trial rows and ``(trial_id, FoldResult)`` pairs, read in one snapshot."""
        with _transaction(self._db, "BEGIN"):
            self._require_experiment(name)
            trial_rows = self._db.execute(
                f"SELECT trial_id, {params_column}, status, start_time, end_time, error, source "
                "FROM trials WHERE experiment = ? ORDER BY trial_id",
                (name,),
            ).fetchall()
            interval_rows = self._db.execute(
                "SELECT trial_id, fold, interval, test_scores, train_scores, fit_time, score_time, "
                "error FROM intervals WHERE experiment = ? ORDER BY row",
                (name,),
            ).fetchall()
        return trial_rows, [(row[0], _fold_result(row[1:])) for row in interval_rows]

    def trial_table(self, name):
        """The trial table of an experiment as a list of dicts, one per trial.

        Parameters
        ----------
        name : str

        Returns
        -------
        rows : list of dict
            See :func:`load_experiment` for the columns.
        """
        trial_rows, interval_rows = self._read_experiment(name, "params_pickle, params_json")
        results = {}
        for trial_id, result in interval_rows:
            results.setdefault(trial_id, []).append(result)
        return _table(trial_rows, results)


def open_store(storage, readonly=False):
    """The store a search's ``storage`` parameter names, or None.

    The same as :meth:`ExperimentStore.from_storage`.

    Parameters
    ----------
    storage : None, str, os.PathLike or ExperimentStore
        None (no store: nothing touches the disk), a path, a
        ``"sqlite:///path"`` URL, or an open store (returned as it is).
    readonly : bool, default=False
        Open an existing store for reading only.

    Returns
    -------
    store : ExperimentStore or None

    Raises
    ------
    ValueError
        Naming ``storage`` and its value, when a missing directory cannot
        be created or the file is not an hdsearch store (which is then left
        untouched).
    """
    return ExperimentStore.from_storage(storage, readonly=readonly)


def load_experiment(storage, name):
    """Read the trial table of a stored experiment, without refitting anything.

    The store is opened read-only, so this is safe while a search is still
    writing to it: the table is the state after its last complete wave.

    Parameters
    ----------
    storage : str, os.PathLike or ExperimentStore
        The store: a path, a ``"sqlite:///path"`` URL, or an open store.
    name : str
        The experiment's name.

    Returns
    -------
    table : pandas.DataFrame or list of dict
        A DataFrame when pandas is installed, else a list of dicts; one row
        per trial, in trial order, with the columns:

        - ``trial_id``, ``source``, ``status``;
        - ``params`` (the parameter dict) and one ``param_<name>`` column per
          parameter (None where a trial does not have it);
        - ``n_intervals``: intervals reached;
        - for each metric of the last interval reached by each fold:
          ``mean_test_<metric>`` and ``std_test_<metric>`` (NaN when a fold
          failed), and ``mean_train_<metric>``, ``std_train_<metric>`` when
          train scores were recorded;
        - ``start_time``, ``end_time`` (``time.time`` values or None) and
          ``error`` (the trial's first traceback, or None).

    Raises
    ------
    ValueError
        When ``storage`` is not an hdsearch store or ``name`` is not in it.

    Examples
    --------
    >>> import hdsearch
    >>> table = hdsearch.load_experiment("sqlite:///search.db", "svc")  # doctest: +SKIP
    >>> table.sort_values("mean_test_score").tail(3)  # doctest: +SKIP
    """
    if isinstance(storage, ExperimentStore):
        rows = storage.trial_table(name)
    else:
        with ExperimentStore(storage, readonly=True) as store:
            rows = store.trial_table(name)
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows, columns=list(rows[0]) if rows else _EMPTY_TABLE_COLUMNS)


# ------------------------------------------------------------ validation


def _path_from_storage(storage):
    """The absolute file path a ``storage`` value names."""
    if isinstance(storage, str):
        if "://" in storage:
            if not storage.startswith(_URL_PREFIX) or len(storage) == len(_URL_PREFIX):
                raise ValueError(
                    f"storage={storage!r}: only SQLite files are supported, as a path or a "
                    "'sqlite:///path' URL (an in-memory database would lose the experiment)."
                )
            storage_path = storage[len(_URL_PREFIX):]
        else:
            storage_path = storage
    elif isinstance(storage, os.PathLike):
        storage_path = os.fspath(storage)
    else:
        raise InvalidParameterError(
            f"storage must be None, a path or a 'sqlite:///path' URL, got storage={storage!r}."
        )
    if isinstance(storage_path, bytes):
        storage_path = os.fsdecode(storage_path)
    if storage_path in ("", ":memory:"):
        raise ValueError(f"storage={storage!r}: give the path of a file.")
    return os.path.abspath(storage_path)


def _check_existing_file(storage, path, must_exist):
    """Reject what SQLite cannot open or must not touch, before connecting.

    A new store's missing directories are created (unless ``must_exist``).

    Returns
    -------
    header : bytes
        The first 100 bytes of the file (SQLite's header); empty when there
        is no file or an empty one.
    """
    directory = os.path.dirname(path)
    if not must_exist and not os.path.isdir(directory):
        _make_directory(storage, directory)
    if os.path.isdir(path):
        raise ValueError(f"storage={storage!r} is a directory, not a SQLite file.")
    if not os.path.exists(path):
        if must_exist:
            raise ValueError(f"storage={storage!r}: there is no store at {path!r}.")
        return b""
    with open(path, "rb") as file:
        header = file.read(_HEADER_SIZE)
    if header and not header.startswith(_SQLITE_HEADER):
        raise ValueError(
            f"storage={storage!r}: {path!r} is not a SQLite database, so it cannot be an "
            "hdsearch store; it was left untouched. Pass the path of a new file."
        )
    return header


def _make_directory(storage, directory):
    """Create the missing folders of a new store's path, as ``mkdir -p`` does."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"storage={storage!r}: cannot create the directory {directory!r} ({exc.strerror or exc})."
        ) from exc


def _application_id(header):
    """``PRAGMA application_id`` as SQLite's file header holds it (offset 68, big-endian)."""
    return int.from_bytes(header[68:72], "big") if len(header) >= 72 else 0


def _check_schema(storage, connection, allow_empty):
    """``"store"`` for an hdsearch store, ``"empty"`` for an empty database; else raise."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    user_version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = sorted(
        name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    )
    if application_id == 0 and user_version == 0 and not tables and allow_empty:
        return "empty"
    if application_id != APPLICATION_ID or not set(_TABLES) <= set(tables):
        raise ValueError(
            f"storage={storage!r} is a SQLite database but not an hdsearch experiment store "
            f"(tables: {tables!r}); it was left untouched. Pass the path of a new file or of "
            "an hdsearch store."
        )
    if user_version != SCHEMA_VERSION:
        newer = "a newer" if user_version > SCHEMA_VERSION else "an older"
        raise ValueError(
            f"storage={storage!r} is an hdsearch store of schema version {user_version}, written "
            f"by {newer} hdsearch; this version reads schema version {SCHEMA_VERSION}."
        )
    return "store"


def _create_schema(connection):
    for statement in _SCHEMA:
        connection.execute(statement)
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("format", _FORMAT), ("schema_version", str(SCHEMA_VERSION))],
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _corrupt_error(storage, exc):
    return ValueError(
        f"storage={storage!r} is not a readable SQLite database (SQLite says: {exc}); it may be "
        "corrupt. It was left untouched. Pass the path of a new file."
    )


@contextmanager
def _transaction(connection, begin):
    """``begin`` ... COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included)."""
    connection.execute(begin)
    try:
        yield
    except BaseException:
        if connection.in_transaction:  # SQLite may have rolled back already
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _check_name(name):
    if not isinstance(name, str) or not name:
        raise InvalidParameterError(f"experiment_name must be a non-empty str, got experiment_name={name!r}.")


# --------------------------------------------------------------- encoding


def _spec_to_json(spec, what="spec"):
    """The spec as JSON text, keys sorted; raise naming the first value JSON cannot hold."""
    if not isinstance(spec, dict) or not all(isinstance(key, str) for key in spec):
        raise InvalidParameterError(f"{what} must be a dict with str keys, got {what}={spec!r}.")
    for key, value in spec.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{what}[{key!r}] must be JSON-able (str, number, bool, None, or lists and dicts "
                f"of them), got {value!r}."
            ) from exc
    return json.dumps(spec, sort_keys=True)


def _spec_differences(stored, given, prefix=""):
    """``(what, stored, given)`` for every entry whose values differ, inside dict values too.

    An entry of a dict value is named ``"key: entry"`` (``"data: X"``).
    """
    differences = []
    for key in sorted(set(stored) | set(given), key=str):
        old, new = stored.get(key, _ABSENT), given.get(key, _ABSENT)
        if isinstance(old, dict) and isinstance(new, dict):
            differences.extend(_spec_differences(old, new, f"{prefix}{key}: "))
        elif _spec_text(old) != _spec_text(new):
            differences.append((f"{prefix}{key}", _shortened(_shown(old)), _shortened(_shown(new))))
    return differences


def _spec_text(value):
    return json.dumps(value, sort_keys=True) if value is not _ABSENT else None


def _shown(value):
    """A spec value for a message: a str as it is, anything else as JSON."""
    if value is _ABSENT:
        return "<absent>"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _shortened(text, limit=_MAX_SHOWN_CHARS):
    """``text``, cut in the middle when longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}...{text[-half:]}"


def _trial_row(name, trial):
    try:
        params_pickle = pickle.dumps(trial.params, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise ValueError(
            f"write_wave: trial {trial.trial_id} has params that cannot be pickled "
            f"({type(exc).__name__}: {exc}): params={trial.params!r}."
        ) from exc
    errors = trial.errors
    return (
        name,
        int(trial.trial_id),
        params_pickle,
        json.dumps(_readable(trial.params), sort_keys=True),
        str(trial.status),
        _time_or_none(trial.start_time),
        _time_or_none(trial.end_time),
        errors[0] if errors else None,
        str(trial.source),
    )


def _interval_row(name, trial_id, result):
    where = f"trial {trial_id}, interval {result.interval}, fold {result.fold}"
    return (
        name,
        int(trial_id),
        int(result.interval),
        int(result.fold),
        _scores_to_json(result.test_scores, f"test_scores of {where}"),
        None if result.train_scores is None else _scores_to_json(result.train_scores, f"train_scores of {where}"),
        float(result.fit_time),
        float(result.score_time),
        result.error,
    )


def _scores_to_json(scores, what):
    """``{metric: score}`` as standard JSON; non-finite floats become strings."""
    if not isinstance(scores, dict):
        raise ValueError(f"write_wave: {what} must be a dict of metric to score, got {scores!r}.")
    encoded = {}
    for metric, score in scores.items():
        if not isinstance(metric, str):
            raise ValueError(f"write_wave: {what} has a metric name that is not a str: {metric!r}.")
        encoded[metric] = _encode_score(score, f"{what}, metric {metric!r}")
    return json.dumps(encoded, allow_nan=False)


def _encode_score(score, what):
    if isinstance(score, (bool, np.bool_)) or not isinstance(score, numbers.Real):
        raise ValueError(f"write_wave: {what}: a score must be a real number, got {score!r}.")
    if isinstance(score, numbers.Integral):
        return int(score)
    score = float(score)
    if math.isfinite(score):
        return score
    return "NaN" if math.isnan(score) else ("Infinity" if score > 0 else "-Infinity")


def _scores_from_json(text):
    if text is None:
        return None
    return {metric: _NON_FINITE[v] if isinstance(v, str) else v for metric, v in json.loads(text).items()}


def _fold_result(row):
    fold, interval, test_scores, train_scores, fit_time, score_time, error = row
    return FoldResult(
        fold, interval, _scores_from_json(test_scores), _scores_from_json(train_scores),
        fit_time, score_time, error,
    )


def _readable(value):
    """A JSON-able copy of ``value`` for people and other tools; ``repr`` for anything else."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.generic):
        value = value.item()
        if not isinstance(value, (int, float, str, bool)):
            return repr(value)
        return _readable(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(key): _readable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_readable(item) for item in value]
    return repr(value)


def _time_or_none(value):
    return None if value is None else float(value)


# ------------------------------------------------------------- the table


def _table(trial_rows, results_by_trial):
    """One dict per trial, with the columns :func:`load_experiment` documents."""
    param_names = sorted({name for row in trial_rows for name in json.loads(row[2])})
    metrics, train_metrics = {}, {}
    for results in results_by_trial.values():
        for result in results:
            metrics.update(dict.fromkeys(result.test_scores))
            train_metrics.update(dict.fromkeys(result.train_scores or ()))
    return [
        _table_row(row, results_by_trial.get(row[0], []), param_names, list(metrics), list(train_metrics))
        for row in trial_rows
    ]


def _table_row(trial_row, results, param_names, metrics, train_metrics):
    trial_id, params_pickle, params_json, status, start, end, error, source = trial_row
    params = _params_for_table(params_pickle, params_json)
    row = {"trial_id": trial_id, "source": source, "status": status, "params": params}
    row.update((f"param_{name}", params.get(name)) for name in param_names)
    row["n_intervals"] = _n_intervals(results)
    last = _last_per_fold(results)
    for metric in metrics:
        _add_mean_std(row, f"test_{metric}", [r.test_scores.get(metric, math.nan) for r in last])
    for metric in train_metrics:
        _add_mean_std(row, f"train_{metric}", [(r.train_scores or {}).get(metric, math.nan) for r in last])
    row.update(start_time=start, end_time=end, error=error)
    return row


def _params_for_table(params_pickle, params_json):
    """The exact params; their readable copy when the reader cannot unpickle them."""
    try:
        return pickle.loads(params_pickle)
    except Exception:  # noqa: BLE001 - unpickling can raise anything a class chooses
        return json.loads(params_json)


def _last_per_fold(results):
    """Each fold's result of the latest interval it reached, in fold order."""
    last = {}
    for result in results:
        current = last.get(result.fold)
        if current is None or result.interval >= current.interval:
            last[result.fold] = result
    return [last[fold] for fold in sorted(last)]


def _n_intervals(results):
    """Intervals reached: folds done for the folds resource (interval k is fold k - 1), else
    the last interval every fold reached."""
    if not results:
        return 0
    if all(r.interval == r.fold + 1 for r in results):
        return len({r.fold for r in results})
    return min(r.interval for r in _last_per_fold(results))


def _add_mean_std(row, key, scores):
    """``mean_<key>`` and ``std_<key>`` (population deviation, as numpy's) of ``scores``."""
    if not scores:
        row[f"mean_{key}"] = row[f"std_{key}"] = math.nan
        return
    mean = sum(scores) / len(scores)
    row[f"mean_{key}"] = mean
    row[f"std_{key}"] = math.sqrt(sum((score - mean) ** 2 for score in scores) / len(scores))
