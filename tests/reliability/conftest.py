"""Fixtures of the reliability tests: a catalogue of their own for each test that writes one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def shared_db_copy(shared_db, tmp_path) -> Path:
    """A copy of the session's catalogue (built from the shipped seeds, its index file included),
    so a test may ingest into it, damage it or delete it."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    target = folder / shared_db.name
    shutil.copy(shared_db, target)
    index = shared_db.with_name(shared_db.name + ".index.npz")
    if index.exists():
        shutil.copy(index, target.with_name(target.name + ".index.npz"))
    return target
