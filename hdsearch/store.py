"""The experiment store: experiments, trials and intervals in one SQLite file.

This module owns the store's API: open or resume an experiment, write a wave,
read trials back. The file itself (schema, checks, transactions) is in
``_store_file``, how values become rows in ``_store_rows``, and the trial
table of :func:`load_experiment` in ``_trial_table``.

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
import pickle
import sqlite3
import time
from dataclasses import dataclass

from ._store_file import (
    APPLICATION_ID,
    INSERT_INTERVAL,
    SCHEMA_VERSION,
    UPSERT_TRIAL,
    application_id,
    check_existing_file,
    connect,
    path_from_storage,
    transaction,
)
from ._store_rows import (
    ExperimentMismatchError,
    check_name,
    fold_result,
    interval_row,
    spec_differences,
    spec_to_json,
    trial_row,
)
from ._trial_table import EMPTY_TABLE_COLUMNS, table_rows
from .trials import Trial

# Defined with the spec comparison it reports; hdsearch.store is its public home.
ExperimentMismatchError.__module__ = __name__

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "ExperimentMismatchError",
    "ExperimentStore",
    "StoredExperiment",
    "load_experiment",
    "open_store",
]



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
        self.path = path_from_storage(storage)
        self.readonly = bool(readonly)
        header = check_existing_file(storage, self.path, must_exist=self.readonly)
        if header and application_id(header) != APPLICATION_ID:
            # Not marked as a store: inspect it as immutable first, so a foreign
            # or corrupt file is never locked and no -wal or -shm file appears.
            connect(storage, self.path, "ro&immutable=1", self.readonly).close()
        self._connection = connect(storage, self.path, "ro" if self.readonly else "rwc", self.readonly)

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
        check_name(name)
        spec_text = spec_to_json(spec)
        settings_text = None if run_settings is None else spec_to_json(run_settings, what="run_settings")
        self._check_writable("open_experiment")
        with transaction(self._db, "BEGIN IMMEDIATE"):
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
                differences = spec_differences(stored_spec, json.loads(spec_text))
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
        with transaction(self._db, "BEGIN"):
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
        trial_rows = [trial_row(name, trial) for trial in trials]
        interval_rows = [interval_row(name, trial_id, result) for trial_id, result in results]
        with transaction(self._db, "BEGIN IMMEDIATE"):
            self._require_experiment(name)
            self._db.executemany(UPSERT_TRIAL, trial_rows)
            try:
                self._db.executemany(INSERT_INTERVAL, interval_rows)
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
        with transaction(self._db, "BEGIN"):
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
        return trial_rows, [(row[0], fold_result(row[1:])) for row in interval_rows]

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
        return table_rows(trial_rows, results)


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
    return pandas.DataFrame(rows, columns=list(rows[0]) if rows else EMPTY_TABLE_COLUMNS)
