"""Crash safety of chat (issue 6): a piped session killed with SIGKILL at random moments always
leaves a session file that loads, holds a whole draft state, and that `--resume` restores."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from jixiao.cli.chat import store
from conftest import ROOT, run_cli
from test_chat import copy_catalogue, intake

RUNS = 20
SCRIPT = intake() + ["删 1", "加 夜间值守覆盖时段 ≥8小时", "下一步", "改 1 ≥98%", "换 2", "下一步",
                     "1 2", "上一步", "下一步", "下一步", "下一步", "满意度改成≥97%", "跳到 总表"]


def test_sigkill_at_random_points_loses_nothing(shared_db, tmp_path):
    rng = random.Random(20240611)
    db = copy_catalogue(shared_db, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_DB": str(db)}
    folder = store.sessions_dir(db)
    killed_with_file = resumed = 0
    for run in range(RUNS):
        before = set(folder.glob("*.json")) if folder.exists() else set()
        proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "chat"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                text=True, encoding="utf-8")
        try:
            proc.stdin.write("\n".join(SCRIPT) + "\n")
            proc.stdin.flush()
            time.sleep(rng.uniform(0.2, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        new = set(folder.glob("*.json")) - before
        if not new:
            continue                          # killed before the first answer was handled
        (path,) = new
        killed_with_file += 1
        state = store.load(path)              # never torn: loads and validates
        if state.draft is not None:
            assert len(state.origins) == len(state.draft.indicators)
        if state.draft is not None and resumed < 4:     # and --resume restores it exactly
            out = tmp_path / f"r{run}.json"
            r = run_cli("chat", "--resume", str(path), input=f"导出 {out}\n退出\n",
                        env={"JIXIAO_DB": str(db)}, cwd=tmp_path)
            assert r.returncode == 0, r.stderr
            assert json.loads(out.read_text(encoding="utf-8")) == state.draft.model_dump(mode="json")
            resumed += 1
    assert killed_with_file >= RUNS // 2 and resumed >= 1
    print(f"{RUNS} kills, {killed_with_file} with a session file, {resumed} resumed and compared")
