"""Shared fixtures: the shipped seeds, a fresh catalogue per test session, the CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))


def seed(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


def run_cli(*args: str, env: dict | None = None, input: str | None = None, cwd=None, timeout=300):
    """Run `python -m cli.main ...` as a real process; returns CompletedProcess (text)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True,
                          env=full_env, input=input, cwd=cwd or ROOT, timeout=timeout)


@pytest.fixture(scope="session")
def shared_db(tmp_path_factory) -> Path:
    """A default catalogue built once from the shipped corpus (like a fresh install)."""
    path = tmp_path_factory.mktemp("catalogue") / "catalogue.db"
    from engine.model import EngineModel

    EngineModel.open(path).close()
    return path
