"""Temporary files a killed run left behind, removed at the next start — only where the process
that wrote them is gone.

    remove_stale(folder, stem) -> list[Path]

Every temporary file jixiao writes next to a target is named ".<target>.<pid>[.<hex>].tmp"
(SQLite adds "-wal", "-shm" or "-journal" to a temporary catalogue): the catalogue's first build
(catalogue.store), its index file (engine.index_format), session saves (cli.chat.store).  A file
matching ".<stem>.…" whose pid is not a running process — and that has not been written to for
STALE_GRACE_SECONDS (a process on another machine sharing the folder keeps writing its file) —
is removed; so is any such file untouched for STALE_MAX_SECONDS, whatever its pid (pids are
reused).  A file that cannot be removed is left alone.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

STALE_GRACE_SECONDS = 5
STALE_MAX_SECONDS = 3600
_TAIL = re.compile(r"\.(\d{1,10})(?:\.[0-9a-fA-F]{1,64})?\.tmp(?:-wal|-shm|-journal)?")


def process_gone(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return pid <= 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False                    # exists (another user's), or we cannot tell
    return False


def remove_stale(folder: str | Path, stem: str) -> list[Path]:
    """Remove the stale temporaries of `stem` in `folder` (see module docstring)."""
    folder = Path(folder)
    prefix = f".{stem}."
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix):
            continue
        m = _TAIL.fullmatch(name, len(prefix) - 1)
        if m is None:
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if not entry.is_file(follow_symlinks=False):
                continue
        except OSError:
            continue
        if age >= STALE_MAX_SECONDS or (age >= STALE_GRACE_SECONDS and process_gone(int(m.group(1)))):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed

