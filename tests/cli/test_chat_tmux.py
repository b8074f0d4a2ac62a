"""End to end: the real terminal program (prompt_toolkit) driven in tmux with send-keys and
read back with capture-pane — answer the questions, walk every category, Ctrl-C a half-typed
command, complete a category with Tab, export, leave with Ctrl-D."""
from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_cli
from test_chat import BUDGET, DEPT, DESC, NAME, STEPS, YEAR, copy_catalogue

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (apt-get install tmux); the terminal test needs it")


class Pane:
    def __init__(self, socket, command: str):
        self.base = ["tmux", "-u", "-S", str(socket)]
        subprocess.run([*self.base, "new-session", "-d", "-s", "chat", "-x", "160", "-y", "50", command],
                       check=True)

    def screen(self) -> str:
        r = subprocess.run([*self.base, "capture-pane", "-p", "-J", "-S", "-", "-t", "chat"],
                           capture_output=True, text=True, encoding="utf-8")
        return r.stdout

    def wait(self, text: str, count: int = 1, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"“{text}” did not appear {count}×; screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "chat", *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "chat", "-l", text], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def chat_pane(db, folder, after: str = "sleep 60") -> Pane:
    """`jixiao chat` on this catalogue in a tmux pane (160×50), run from `folder`, then `after`."""
    env = {"JIXIAO_DB": str(db), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "HOME": str(folder), "TERM": "xterm-256color"}
    command = (" ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
               + f" {shlex.quote(sys.executable)} -m jixiao.cli.main chat; {after}")
    return Pane(folder / "tmux.sock", f"cd {shlex.quote(str(folder))} && env {command}")


def answer_intake(pane: Pane) -> None:
    """Answers the six intake questions with the test project as each one appears."""
    for answer, question in ((NAME, "项目名称："), (DESC[0], "项目描述："), ("", "……："),
                             (BUDGET, "预算（万元）"), (YEAR, "目标年度"), (DEPT, "主管部门")):
        pane.wait(question)
        if answer:
            pane.type(answer)
        pane.keys("Enter")


@pytest.mark.slow
def test_terminal_session_in_tmux(shared_db, tmp_path):
    db = copy_catalogue(shared_db, tmp_path)
    expected = run_cli("suggest", NAME, "--desc", DESC[0], "--budget", BUDGET, "--year", YEAR,
                       "--dept", DEPT, "--format", "json", env={"JIXIAO_DB": str(db)})
    assert expected.returncode == 0, expected.stderr
    out = tmp_path / "表.xlsx"
    pane = chat_pane(db, tmp_path, after='echo "[exit $?]"; sleep 60')
    try:
        answer_intake(pane)
        screen = pane.wait("第 1/9 步")
        assert "所属行业" in screen and "参考的历史申报表" in screen
        pane.wait("尚空")          # the bottom toolbar, drawn with the prompt after the step's text
        pane.type("删 1")                               # typed, then cancelled with Ctrl-C
        pane.keys("C-c")
        for k in range(2, STEPS + 1):
            pane.keys("Enter")
            pane.wait(f"第 {k}/{STEPS} 步")
        pane.keys("Enter")
        pane.wait("全部类别已确认")
        pane.type("跳到 满")                            # Tab completes the category
        pane.keys("Tab")
        pane.wait("跳到 满意度")
        pane.keys("Enter")
        pane.wait(f"第 {STEPS}/{STEPS} 步", count=2)
        pane.keys("Enter")
        pane.wait("全部类别已确认", count=2)
        pane.type(f"导出 {out}")
        pane.keys("Enter")
        pane.wait("已导出到")
        pane.type(f"导出 {tmp_path / '表.json'}")
        pane.keys("Enter")
        pane.wait("已导出到", count=2)
        pane.keys("C-d")
        pane.wait("保存并退出？")
        pane.keys("Enter")
        screen = pane.wait("[exit 0]")
        assert "会话已保存" in screen
    finally:
        pane.close()
    # the cancelled 删 1 never happened: the table is exactly the suggestion
    assert json.loads((tmp_path / "表.json").read_text(encoding="utf-8")) == json.loads(expected.stdout)
    from openpyxl import load_workbook

    cells = [str(c.value) for ws in load_workbook(out).worksheets for row in ws.iter_rows()
             for c in row if c.value is not None]
    assert any(NAME in c for c in cells)
    for ind in json.loads(expected.stdout)["indicators"]:
        assert any(ind["name"] in c for c in cells), ind["name"]
    assert (tmp_path / "chat-history").read_text(encoding="utf-8").count(NAME) == 1   # input history
