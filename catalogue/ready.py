"""A cheap check before reading a catalogue: built, and current with the shipped data files.

    ensure_ready(path) -> Path

Plain sqlite3 only: when the catalogue exists and its meta says it was built with this schema,
library and tag rules, nothing else is imported.  Otherwise catalogue.store builds or updates it
(first use, or after the package's data files changed).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path


def _current(path: Path) -> bool:
    from .library import library_version
    from .schema import SCHEMA_VERSION
    from .tags import rules_version

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return (meta.get("schema") == str(SCHEMA_VERSION) and meta.get("library_version") == library_version()
            and meta.get("tags_version") == rules_version())


def ensure_ready(path: str | Path) -> Path:
    """Build the catalogue on first use or bring it up to date; raises store.CatalogueError."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0 and _current(path):
        return path
    from .store import open_catalogue

    open_catalogue(path, bootstrap=True).close()
    return path
