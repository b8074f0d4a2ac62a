"""Shared fixtures: the shipped seeds, a fresh catalogue per test session, the CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Property tests are deterministic by default (the same examples on every machine, so CI is never
# red by luck); HYPOTHESIS_PROFILE=explore draws fresh examples each run.  Long fuzzing lives in
# benchmarks/ (reliability_report.py, fuzz_campaign.py), not in the suite.
try:
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("ci", derandomize=True, deadline=None)
    _hyp_settings.register_profile("explore", derandomize=False, deadline=None)
    _hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:          # hypothesis is a test extra; the suite names it when a test needs it
    pass

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))


def seed(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


def run_cli(*args: str, env: dict | None = None, input: str | None = None, cwd=None, timeout=300):
    """Run `python -m jixiao.cli.main ...` as a real process; returns CompletedProcess (text)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "jixiao.cli.main", *args], capture_output=True, text=True,
                          env=full_env, input=input, cwd=cwd or ROOT, timeout=timeout)


@pytest.fixture(scope="session")
def shared_db(tmp_path_factory) -> Path:
    """A default catalogue built once from the shipped corpus (like a fresh install)."""
    path = tmp_path_factory.mktemp("catalogue") / "catalogue.db"
    from jixiao.engine.model import EngineModel

    EngineModel.open(path).close()
    return path
