"""Connecting to SQLite or PostgreSQL, with the locking both need, and noticing a lost file."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "IMPORT_LOCK",
    "LEDGER_LOCK",
    "MIGRATION_LOCK",
    "DatabaseFile",
    "exclusive",
    "open_engine",
    "sqlite_url",
    "take_lock",
]

# PostgreSQL advisory lock keys: one process migrates at a time; one reservation at a time;
# one imported conversation is checked against the owner's and stored at a time.
MIGRATION_LOCK = 0x63686174_01
LEDGER_LOCK = 0x63686174_02
IMPORT_LOCK = 0x63686174_03


def sqlite_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'conversations.sqlite3'}"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would run DDL outside any transaction (committed at once), so a step
    # killed halfway through left a half-migrated database; SQLAlchemy emits every
    # BEGIN instead (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # writers wait their turn, up to 10 s
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _use_wal(cursor: Any, *, tries: int = 100, pause: float = 0.05) -> None:
    """Readers never block the writer (write-ahead log).

    The switch to WAL needs the database to itself, and SQLite answers "database is
    locked" at once, without its busy timeout, while another process opens it at the same
    moment (seen with processes starting together): so it is tried again a few times.
    """
    for attempt in range(tries):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(pause)


def _on_sqlite_begin(connection: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE where a step must read and write with no writer between."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def open_engine(url: str) -> Engine:
    """A connection pool for ``url``, shared by every session of the process."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 10, "check_same_thread": False}
    elif url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def exclusive(connection: Connection) -> Connection:
    """``connection`` whose next SQLite transaction holds the write lock from its start;
    with :func:`take_lock` inside it, one such transaction runs at a time."""
    if connection.dialect.name == "sqlite":
        return connection.execution_options(sqlite_begin="IMMEDIATE")
    return connection


def take_lock(connection: Connection, lock: int) -> None:
    """Inside a transaction: wait for PostgreSQL's advisory lock ``lock`` (SQLite: no-op,
    its BEGIN IMMEDIATE already holds the write lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})


class DatabaseFile:
    """Which SQLite file an engine opened, to tell when it is deleted or replaced.

    Open connections keep writing into a deleted file, which vanishes with them:
    without this check every later save would seem to succeed and be lost.
    """

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._path = database if database and database != ":memory:" else None
        self._identity = self._identify()

    def _identify(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            status = os.stat(self._path)
        except OSError:
            return (-1, -1)
        return (status.st_dev, status.st_ino)

    def lost(self) -> bool:
        return self._identity is not None and self._identify() != self._identity
