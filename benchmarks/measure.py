"""Whole-process measurements shared by the benchmark scripts.

    run(cmd, env)          one process: (wall seconds, peak RSS in MB of that process, stdout)
    alternate(cmds, runs)  each command `runs` times, interleaved (A B A B …), so a slow patch of
                           the machine hits them alike; returns the wall times per command
    median_ms / shown      figures and the command line as printed

Peak RSS comes from os.wait4 for exactly that child (ru_maxrss, kB on Linux), not from the
children of the whole script.
"""
from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def jixiao_cmd() -> list[str]:
    """The installed console command when there is one (what officers run), else -m jixiao.cli.main."""
    exe = Path(sys.executable).with_name("jixiao")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jixiao.cli.main"]


def bench_env(**extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)          # cold runs read cached bytecode, as installed
    env.update(extra)
    return env


def run(cmd: list[str], env: dict | None = None, check: bool = True) -> tuple[float, float, str]:
    """Run one process to its end: (wall seconds, peak RSS MB of that child, stdout).

    Output goes to temp files so the child can be reaped with wait4 (its own rusage)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise SystemExit(f"failed ({p.returncode}): {shown(cmd)}\n"
                             f"{err.read().decode('utf-8', 'replace')[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024.0, text


def alternate(cmds: list[list[str]], runs: int, env: dict | None = None) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for k, cmd in enumerate(cmds):
            times[k].append(run(cmd, env)[0])
    return times


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000.0


def shown(cmd: list[str]) -> str:
    parts = [("python" if c == sys.executable else c) for c in cmd]
    parts = [str(Path(c).relative_to(ROOT)) if c.startswith(str(ROOT)) else c for c in parts]
    return " ".join(shlex.quote(c) for c in parts)


def machine() -> str:
    return f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
