"""Crash safety of chat (issue 6): a piped session killed with SIGKILL right after each of its
progress events always leaves a session file that loads, holds a whole draft state, and that
`--resume` restores."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from jixiao.cli.chat import store
from conftest import ROOT, run_cli
from test_chat import copy_catalogue, intake

SCRIPT = intake() + ["删 1", "加 夜间值守覆盖时段 ≥8小时", "下一步", "改 1 ≥98%", "换 2", "下一步",
                     "1 2", "上一步", "下一步", "下一步", "下一步", "满意度改成≥97%", "跳到 总表"]
RUNS = len(SCRIPT)          # one run per progress event 0 .. len(SCRIPT) - 1


def _is_echo(line: str, answer: str) -> bool:
    """Piped chat prints each prompt with the answer it read (`项目名称：…`, `[数量 1/9] › 删 1`), at
    the start of a line, once the answer is handled and the session saved: the progress event."""
    return not line.startswith((" ", "\t")) and line.endswith(("：" + answer, "› " + answer))


def _run_until(env: dict, event: int) -> bool:
    """Pipe the whole script into `jixiao chat` and SIGKILL it right after progress event `event`
    (0: its first output line, the greeting; n >= 1: the echo of the n-th answer), while it is
    already working on the next answer.  False if the session ended before the event."""
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            text=True, encoding="utf-8")
    try:
        proc.stdin.write("\n".join(SCRIPT) + "\n")
        proc.stdin.close()
        seen = -1
        for line in proc.stdout:
            line = line.rstrip("\n")
            if seen < 0 or _is_echo(line, SCRIPT[seen]):
                seen += 1
            if seen >= event:
                break
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return killed and seen >= event
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


@pytest.mark.slow
def test_sigkill_after_every_progress_event_loses_nothing(shared_db, tmp_path):
    db = copy_catalogue(shared_db, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_DB": str(db)}
    folder = store.sessions_dir(db)
    killed = resumed = 0
    for event in range(RUNS):
        before = set(folder.glob("*.json")) if folder.exists() else set()
        killed += _run_until(env, event)
        new = set(folder.glob("*.json")) - before
        if event == 0 and not new:
            continue                          # killed before the first answer was handled
        (path,) = new                         # from the first answer on, the session is on disk
        state = store.load(path)              # never torn: loads and validates
        if state.draft is not None:
            assert len(state.origins) == len(state.draft.indicators)
        if state.draft is not None and resumed < 4 and event % 3 == 0:     # and --resume restores it exactly
            out = tmp_path / f"r{event}.json"
            r = run_cli("chat", "--resume", str(path), input=f"导出 {out}\n退出\n",
                        env={"JIXIAO_DB": str(db)}, cwd=tmp_path)
            assert r.returncode == 0, r.stderr
            assert json.loads(out.read_text(encoding="utf-8")) == state.draft.model_dump(mode="json")
            resumed += 1
    assert killed >= RUNS - 2 and resumed >= 3
    print(f"{RUNS} runs, {killed} killed right after their progress event, {resumed} resumed and compared")
