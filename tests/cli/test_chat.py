"""`jixiao chat` driven through piped input: whole sessions, exports, resume after SIGKILL,
feedback, and the accept-everything session that must equal `jixiao suggest`."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

NAME = "政务服务热线运行维护"
DESC = ["全年受理群众来电诉求约10000件，保障12345热线平稳运行，",
        "工单按时办结，群众满意度保持较高水平。"]
BUDGET, YEAR, DEPT = "80", "2026", "市政务服务管理局"
STEPS = 9   # default profile: 6 required + 3 optional categories


def copy_catalogue(src: Path, folder: Path) -> Path:
    """A private copy of the shared catalogue (and its index file), so feedback stays local."""
    dst = folder / "c.db"
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    for extra in src.parent.glob(src.name + "?index*"):
        if extra.is_file():
            (folder / extra.name.replace(src.name, "c.db", 1)).write_bytes(extra.read_bytes())
    return dst


@pytest.fixture
def db(shared_db, tmp_path) -> Path:
    return copy_catalogue(shared_db, tmp_path)


def intake(name=NAME, desc=DESC, budget=BUDGET, year=YEAR, dept=DEPT) -> list[str]:
    return [name, *desc, "", budget, year, dept]


@contextmanager
def started_session(db: Path):
    """An in-process chat Session on this catalogue with the test project's intake answered."""
    from jixiao.cli.chat import store
    from jixiao.cli.chat.backend import Backend
    from jixiao.cli.chat.session import Session

    backend = Backend(db)
    try:
        s = Session.new(store.new_path(store.sessions_dir(db)), backend)
        s.start()
        for line in [NAME, *DESC, "", BUDGET, YEAR, DEPT]:
            s.handle(line)
        yield s
    finally:
        backend.close()


def chat(db: Path, lines: list[str], *args: str, cwd=None):
    return run_cli("chat", *args, input="\n".join(lines) + "\n", env={"JIXIAO_DB": str(db)}, cwd=cwd)


def suggest_json(db: Path, *args: str) -> dict:
    r = run_cli("suggest", NAME, "--desc", "\n".join(DESC), "--budget", BUDGET, "--year", YEAR,
                "--dept", DEPT, "--format", "json", *args, env={"JIXIAO_DB": str(db)})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def sessions(db: Path) -> list[Path]:
    return sorted((db.parent / "sessions").glob("*.json"), key=lambda p: p.stat().st_mtime)


def feedback_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as c:
        try:
            return c.execute("SELECT name, action FROM feedback ORDER BY rowid").fetchall()
        except sqlite3.OperationalError:
            return []


def names(draft: dict, level2: str | None = None) -> list[str]:
    return [i["name"] for i in draft["indicators"] if level2 is None or i["level2"] == level2]


@pytest.mark.slow
def test_accepting_everything_equals_suggest(db, tmp_path):
    expected = suggest_json(db)
    out = tmp_path / "草稿.json"
    r = chat(db, intake() + ["下一步"] * STEPS + [f"导出 {out}", "退出"])
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == expected
    # it said what it recognised and which past filings it draws on, then walked every category
    assert "所属行业：" in r.stdout
    if expected["similar"]:
        assert "参考的历史申报表" in r.stdout
    else:
        assert "没有同一项目、本单位或同行业的相近申报表" in r.stdout
    for s in expected["similar"][:3]:
        assert s["name"] in r.stdout
    for k in range(1, STEPS + 1):
        assert f"第 {k}/{STEPS} 步" in r.stdout
    assert "全部类别已确认" in r.stdout and "审核提示：错误" in r.stdout
    # every suggestion is shown with its value and a short reason
    first = expected["indicators"][0]
    step_line = next(l for l in r.stdout.splitlines() if first["name"][:10] in l and first["value"] in l)
    assert any(w in step_line for w in ("参考《", "行业指标库", "项目描述", "沿用上年"))


@pytest.mark.slow
def test_accept_all_without_feedback_equals_suggest_without_feedback(db, tmp_path):
    # earlier sessions recorded feedback; --no-feedback on both sides ignores it
    chat(db, intake() + ["删 1", "下一步", "删 1"] + ["下一步"] * STEPS + ["退出"])
    assert feedback_rows(db)
    expected = suggest_json(db, "--no-feedback")
    before = len(feedback_rows(db))
    out = tmp_path / "nf.json"
    r = chat(db, intake() + [""] * STEPS + [f"导出 {out}", "退出"], "--no-feedback")
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == expected
    assert len(feedback_rows(db)) == before          # nothing recorded either


@pytest.mark.slow
def test_whole_session_edit_remove_add_swap_back_why_export(db, tmp_path):
    base = suggest_json(db)
    qty, qual = names(base, "数量指标"), names(base, "质量指标")
    assert len(qty) >= 2 and len(qual) >= 2
    lines = intake() + [
        "删 1",                                   # 数量: drop the first suggestion
        "加 夜间值守覆盖时段 ≥8小时",              # 数量: one of the officer's own
        "为什么 1",
        "下一步",
        "换 2",                                    # 质量: the next candidate instead of the second
        "改 1 ≥98%",                               # 质量: a new value
        "改 2 名称 工单按时办结率（复核）",         # 质量: a new name (for the swapped-in line)
        "上一步",                                  # back to 数量: the edits are there
        "跳到 满意度",
        "满意度改成≥97%",
        "跳到 总表",
        "导出 表.xlsx", "导出 表.md", "导出 表.json",
        "退出",
    ]
    r = chat(db, lines, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    draft = json.loads((tmp_path / "表.json").read_text(encoding="utf-8"))
    got_qty = names(draft, "数量指标")
    assert qty[0] not in got_qty and "夜间值守覆盖时段" in got_qty
    added = next(i for i in draft["indicators"] if i["name"] == "夜间值守覆盖时段")
    assert (added["value"], added["status"]) == ("≥8小时", "user")
    q = [i for i in draft["indicators"] if i["level2"] == "质量指标"]
    assert q[0]["name"] == qual[0] and q[0]["value"] == "≥98%" and q[0]["status"] == "user"
    assert q[1]["name"] == "工单按时办结率（复核）" and q[1]["status"] == "user"
    assert qual[1] not in names(draft) and len(q) == len(qual)
    sat = [i for i in draft["indicators"] if i["level2"] == "服务对象满意度指标"]
    assert sat and all(i["value"] == "≥97%" for i in sat)     # every satisfaction line
    # why shows the full reasons: sources with similarity and the rules
    why = r.stdout.split("[数量 1/9] › 为什么 1", 1)[1].split("[数量 1/9] ›", 1)[0]
    assert "依据：" in why and "填值规则：" in why
    # back showed step 1 again, holding the earlier edits
    back = r.stdout.split("› 上一步", 1)[1].split("› 跳到 满意度", 1)[0]
    assert "第 1/9 步" in back and "夜间值守覆盖时段" in back and qty[0] not in back.split("其他候选")[0]
    # the three exports hold the same table
    from openpyxl import load_workbook

    cells = {str(c.value) for ws in load_workbook(tmp_path / "表.xlsx").worksheets
             for row in ws.iter_rows() for c in row if c.value is not None}
    md = (tmp_path / "表.md").read_text(encoding="utf-8")
    for ind in draft["indicators"]:
        assert ind["name"] in md
        assert any(ind["name"] in c for c in cells), ind["name"]
    assert any("≥97%" in c for c in cells) and "≥97%" in md
    assert any(NAME in c for c in cells) and NAME in md


@pytest.mark.slow
def test_pipe_defaults_and_harmless_extras(db, tmp_path):
    from jixiao.cli.cmd_suggest import default_year

    lines = [NAME, "", "", "", ""] + [""] * STEPS + ["下一步", "下一步", "乱七八糟", "导出 表.txt", "导出 x.json"]
    r = chat(db, lines, cwd=tmp_path)                 # ends without 退出: end of input saves
    assert r.returncode == 0, r.stderr
    draft = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    p = draft["project"]
    assert (p["year"], p["budget"], p["description"], p["department"]) == (default_year(), None, "", None)
    assert r.stdout.count("全部类别已确认") == 1 and "表已完成" in r.stdout
    assert "没听懂“乱七八糟”" in r.stdout and "不能导出为“表.txt”" in r.stdout
    assert not (tmp_path / "表.txt").exists()
    assert "输入结束" in r.stdout and "会话已保存" in r.stdout
    state = json.loads(sessions(db)[-1].read_text(encoding="utf-8"))
    assert state["phase"] == "done"
    # the department answered in one session is the next session's default
    chat(db, [NAME, "", "", "", DEPT, "退出"])
    r = chat(db, [NAME, "", "", "", "", "导出 y.json", "退出"], cwd=tmp_path)
    assert f"主管部门［{DEPT}］" in r.stdout
    assert json.loads((tmp_path / "y.json").read_text(encoding="utf-8"))["project"]["department"] == DEPT


@pytest.mark.slow
def test_bad_answers_are_asked_again(db, tmp_path):
    r = chat(db, ["", NAME, "", "八十", "80", "明年", "2026", "", "导出 z.json", "退出"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "项目名称不能为空" in r.stdout and "看不懂预算“八十”" in r.stdout and "看不懂年度“明年”" in r.stdout
    p = json.loads((tmp_path / "z.json").read_text(encoding="utf-8"))["project"]
    assert (p["name"], p["budget"], p["year"]) == (NAME, 80, 2026)


def _wait_for(predicate, what: str, timeout: float = 120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = predicate()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_resume_after_sigkill(db, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path,
                            text=True, encoding="utf-8")
    try:
        for line in intake() + ["改 1 ≥12345件", "下一步", "删 1"]:
            proc.stdin.write(line + "\n")
        proc.stdin.flush()

        def edited():
            files = sessions(db)
            if not files:
                return None
            try:
                state = json.loads(files[-1].read_text(encoding="utf-8"))
            except ValueError:
                return None
            return state if state.get("phase") == "review" and state.get("step") == 1 and \
                len(state.get("passed", {}).get("质量指标", [])) == 1 else None

        state = _wait_for(edited, "the session file to hold the edits")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    removed = state["passed"]["质量指标"][0]
    r = chat(db, ["导出 resumed.json", "退出"], "--resume", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "继续上次的会话" in r.stdout and "第 2/9 步" in r.stdout and str(sessions(db)[-1]) in r.stdout
    draft = json.loads((tmp_path / "resumed.json").read_text(encoding="utf-8"))
    assert draft["indicators"][0]["value"] == "≥12345件"
    assert removed not in names(draft)


def test_resume_without_session_is_a_clear_error(db):
    r = chat(db, [], "--resume")
    assert r.returncode == 2 and "没有可以继续的会话" in r.stderr and "Traceback" not in r.stderr
    bad = db.parent / "bad.json"
    bad.write_text("{broken", encoding="utf-8")
    r = chat(db, [], "--resume", str(bad))
    assert r.returncode == 2 and str(bad) in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_feedback_recorded_and_changes_later_suggestions(db, tmp_path):
    before = suggest_json(db)
    qty = [i for i in before["indicators"] if i["level2"] == "数量指标"]
    rejected, kept = qty[0], qty[1]
    r = chat(db, intake() + ["删 1"] + ["下一步"] * STEPS + ["退出"])
    assert r.returncode == 0, r.stderr
    rows = feedback_rows(db)
    assert (rejected["name"], "reject") in rows and (kept["name"], "keep") in rows
    assert "记入指标库" in r.stdout
    after = suggest_json(db)
    score = {i["name"]: i["score"] for i in after["indicators"]}
    assert score[kept["name"]] > kept["score"]
    assert rejected["name"] not in score or score[rejected["name"]] < rejected["score"]
    # and without feedback the suggestion is the original one
    assert suggest_json(db, "--no-feedback")["indicators"] == before["indicators"]
