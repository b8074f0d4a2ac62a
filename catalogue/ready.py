"""A cheap check before reading a catalogue: built, and current with the shipped data files.

    ensure_ready(path) -> Path
    connect_read_only(path) -> sqlite3.Connection
    read_only_uri(path) -> str

Plain sqlite3 only: when the catalogue exists and its meta says it was built with this schema,
library and tag rules, nothing else is imported.  Otherwise catalogue.store builds or updates it
(first use, or after the package's data files changed).  Temporary files a killed run left in
the catalogue's folder (a first build, an index file) are removed first (catalogue.leftovers).

A catalogue is read through a read-only connection.  A catalogue in WAL mode needs its "-shm"
file to be read; in a folder nobody may write to (a copy on read-only media, a shared folder)
that has none, SQLite cannot create it, and the file is opened as immutable instead: nobody can
be changing it there.  Such a catalogue is used as it is — brought up to date only when its
folder can be written.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def cannot_write_beside(path: Path) -> bool:
    """The folder cannot be written and the catalogue has no -shm to share with a writer."""
    return not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists()


def read_only_uri(path: str | Path) -> str:
    path = Path(path).absolute()
    mode = "immutable=1" if cannot_write_beside(path) else "mode=ro"
    return f"{path.as_uri()}?{mode}"


def connect_read_only(path: str | Path, timeout: float = 30) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=timeout)


def _meta(path: Path) -> dict | None:
    try:
        conn = connect_read_only(path)
        try:
            return dict(conn.execute("SELECT key, value FROM meta"))
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _current(path: Path) -> bool:
    from .library import library_version
    from .schema import SCHEMA_VERSION
    from .tags import rules_version

    meta = _meta(path)
    return meta is not None and (meta.get("schema") == str(SCHEMA_VERSION)
                                 and meta.get("library_version") == library_version()
                                 and meta.get("tags_version") == rules_version())


def sweep_leftovers(path: Path) -> None:
    from .leftovers import remove_stale

    for stem in (path.name, f"{path.name}.index.npz"):
        remove_stale(path.parent, stem)


def ensure_ready(path: str | Path) -> Path:
    """Build the catalogue on first use or bring it up to date; raises store.CatalogueError."""
    path = Path(path)
    sweep_leftovers(path)
    if path.is_file() and path.stat().st_size > 0:
        if _current(path):
            return path
        if cannot_write_beside(path) and (_meta(path) or {}).get("schema"):
            return path                 # a jixiao catalogue on read-only media: read it as it is
    from .store import open_catalogue

    open_catalogue(path, bootstrap=True).close()
    return path
