"""The experiment store's SQLite file: its schema, the checks before opening it, transactions.

:func:`connect` opens a file as an hdsearch store (creating the schema in a
new one) or raises a ``ValueError`` naming ``storage``, leaving a foreign or
corrupt file untouched. The schema is described in :mod:`hdsearch.store`.
"""

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from ._validation import InvalidParameterError

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

UPSERT_TRIAL = """
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
INSERT_INTERVAL = """
    INSERT OR REPLACE INTO intervals (experiment, trial_id, interval, fold, test_scores,
                                      train_scores, fit_time, score_time, error)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def connect(storage, path, mode, readonly):
    """A connection to ``path`` in ``mode`` ``"ro"`` (maybe immutable) or ``"rwc"``, checked to be an hdsearch store.

    Parameters
    ----------
    storage : str or os.PathLike
        The ``storage`` value, for messages.
    path : str
        Absolute path of the file.
    mode : str
        SQLite's URI ``mode``: ``"ro"``, ``"ro&immutable=1"`` or ``"rwc"``.
    readonly : bool
        Whether the store was opened read-only (an empty file is then not a store).

    Returns
    -------
    connection : sqlite3.Connection
    """
    try:
        connection = sqlite3.connect(
            f"{Path(path).as_uri()}?mode={mode}", uri=True,
            timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None,
        )
    except sqlite3.DatabaseError as exc:
        raise _corrupt_error(storage, exc) from exc
    try:
        _prepare(storage, connection, writable=mode == "rwc", readonly=readonly)
    except BaseException:
        connection.close()
        raise
    return connection


def _prepare(storage, connection, writable, readonly):
    """Check the file is an hdsearch store; when ``writable``, create the schema in an empty one."""
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        if not writable:
            _check_schema(storage, connection, allow_empty=not readonly)
            return
        with transaction(connection, "BEGIN IMMEDIATE"):
            if _check_schema(storage, connection, allow_empty=True) == "empty":
                _create_schema(connection)
            connection.execute(_RUN_SETTINGS_TABLE)
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        connection.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise _corrupt_error(storage, exc) from exc
    if mode.lower() != "wal":
        raise ValueError(
            f"storage={storage!r}: SQLite could not switch the file to WAL mode "
            f"(journal_mode is {mode!r}); use a file on a local file system."
        )


def path_from_storage(storage):
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


def check_existing_file(storage, path, must_exist):
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


def application_id(header):
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
def transaction(connection, begin):
    """``begin`` ... COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included)."""
    connection.execute(begin)
    try:
        yield
    except BaseException:
        if connection.in_transaction:  # SQLite may have rolled back already
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
