"""The real command line under a memory cap, for the issue-17 tests (tests/reliability/test_hostile_*.py).

    run_capped(*args, memory_mb=300, ...)   `python -m jixiao.cli.main ARGS` with its address space capped
                                            (RLIMIT_AS) and a generous wall-clock guard (a hang
                                            guard, not a benchmark: times are measured by
                                            benchmarks/fuzz_campaign.py); asserts no traceback
    line_about(out, name)                   the one stderr line naming a file, checked to be a
                                            Chinese message on one line
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
MEMORY_MB = 300
TIMEOUT_S = 120
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _limits(memory_mb: int, fsize: int | None):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
        if fsize is not None:
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the cap fails (EFBIG), no kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


def run_capped(*args: str, memory_mb: int = MEMORY_MB, timeout: float = TIMEOUT_S, env: dict | None = None,
               input: str | None = None, fsize: int | None = None, cwd=None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    for name in ("JIXIAO_MAX_TEXT_MB", "JIXIAO_MAX_UNZIPPED_MB", "JIXIAO_MAX_CELLS"):
        if not env or name not in env:
            full.pop(name, None)                  # the shipped limits are what is tested
    out = subprocess.run([sys.executable, "-m", "jixiao.cli.main", *args], capture_output=True, text=True,
                         encoding="utf-8", errors="replace", env=full, input=input, cwd=cwd or ROOT,
                         timeout=timeout, preexec_fn=_limits(memory_mb, fsize))
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout, out.stderr[-3000:]
    assert out.returncode in (0, 1, 2), (out.returncode, out.stderr[-2000:])
    return out


def line_about(out: subprocess.CompletedProcess, name: str, *fragments: str) -> str:
    """The single stderr line that names `name` (as shown: one line); its problem is Chinese."""
    lines = [line for line in out.stderr.splitlines() if name in line]
    assert len(lines) == 1, out.stderr
    line = lines[0]
    assert _CJK.search(line.split(name, 1)[1]), line
    for fragment in fragments:
        assert fragment in line, line
    return line
