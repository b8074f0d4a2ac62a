"""Issue 15 in chat and the catalogue's learning: an officer's edit makes the line the officer's
(绩效标准 计划标准 unless the officer names one, provenance 经办人修改), 加 splits name and value
by the value grammar and asks for a missing value, sessions are listed and resumed by name, the
text fits 80 columns, 导出 writes Word, and what the catalogue learned can be listed and undone."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pytest

from jixiao.cli.chat import view
from jixiao.cli.chat.session import Session
from jixiao.cli.chat.toolbar import toolbar_text
from conftest import run_cli
from jixiao.corpus.parse import parse_file
from test_chat import BUDGET, NAME, chat, copy_catalogue, intake, started_session


@pytest.fixture
def db(shared_db, tmp_path):
    return copy_catalogue(shared_db, tmp_path)


@pytest.fixture
def session(db):
    with started_session(db) as s:
        yield s


def table(s: Session, level2: str = "数量指标") -> list:
    return [i for i in s.state.draft.indicators if i.level2 == level2]


def test_an_officers_edit_is_the_officers_line(session):
    session.handle("跳到 质量")
    lines = table(session, "质量指标")
    n = next(k for k, i in enumerate(lines, 1) if i.basis != "计划标准")      # 历史标准, 行业标准 …
    session.handle(f"改 {n} 97")
    got = table(session, "质量指标")[n - 1]
    assert (got.value, got.basis, got.status) == ("≥97%", "计划标准", "user")
    assert got.sources[0].kind == "user" and got.sources[0].name == "经办人修改"
    assert view.reason_short(got) == "经办人修改" and "经办人修改" in view.step(2, 9, "质量指标", True,
                                                                             [(n, got)], [], [])
    # a name change too; and a basis the officer names stays through later value edits
    m = next(k for k, i in enumerate(table(session, "质量指标"), 1) if i.basis != "计划标准")
    session.handle(f"改 {m} 名称 热线诉求受理率")
    assert table(session, "质量指标")[m - 1].basis == "计划标准"
    session.handle(f"改 {m} 标准 按照上年")
    session.handle(f"改 {m} 96")
    got = table(session, "质量指标")[m - 1]
    assert (got.name, got.value, got.basis) == ("热线诉求受理率", "≥96%", "按照上年")
    assert sum(r.startswith("经办人修改：") for r in got.rules) == 3
    # 满意度改成 every line of the category, each the officer's
    session.handle("满意度改成≥95%")
    assert all(i.value == "≥95%" and i.basis == "计划标准" and i.sources[0].name == "经办人修改"
               for i in table(session, "服务对象满意度指标"))


def test_add_splits_name_and_value_and_asks_for_a_missing_value(session):
    session.handle("加 热线服务长效运行机制 持续完善")
    got = next(i for i in session.state.draft.indicators if i.name == "热线服务长效运行机制")
    assert (got.value, got.basis) == ("持续完善", "计划标准")
    out = session.handle("加 热线值守人数")
    assert "指标值是多少" in out[0]
    waiting = next(i for i in session.state.draft.indicators if i.name == "热线值守人数")
    assert waiting.needs_input and not waiting.value and waiting.basis
    session.handle("5人")
    got = next(i for i in session.state.draft.indicators if i.name == "热线值守人数")
    assert (got.value, got.needs_input, got.basis) == ("5人", False, "计划标准")
    # a command instead of a value: handled as a command, the line stays 待填写
    session.handle("加 知识库更新次数")
    n = session.state.step
    session.handle("下一步")
    assert session.state.step == n + 1
    assert next(i for i in session.state.draft.indicators if i.name == "知识库更新次数").needs_input


def test_the_screen_fits_80_columns(session):
    try:
        view.set_width(79)
        session.handle("加 一个相当长的指标名称用来测试八十列的终端显示效果 ≥95%")
        texts = session.handle("总表") + [session._view(), view.help_text()]
        texts += session.handle("为什么 1")
        for text in texts:
            for line in text.splitlines():
                assert view.width(line) <= 79, line
    finally:
        view.set_width(None)
    bar = toolbar_text(session, 80)
    assert view.width(bar) <= 79 and "尚空" in bar
    assert view.width(toolbar_text(session, 160)) > view.width(bar)      # the full bar where it fits


@pytest.mark.slow
def test_sessions_are_listed_and_resumed_by_name(db, tmp_path):
    first = chat(db, intake(name="政务大厅租金", desc=["大厅租赁"]) + ["退出"])
    second = chat(db, intake() + ["退出"])
    assert first.returncode == 0 and second.returncode == 0
    names = [p.stem for p in sorted((db.parent / "sessions").glob("*.json"), key=lambda p: p.stat().st_mtime)]
    assert len(names) == 2
    listed = run_cli("chat", "--list", env={"JIXIAO_DB": str(db)})
    assert listed.returncode == 0
    assert names[0] in listed.stdout and names[1] in listed.stdout and "政务大厅租金" in listed.stdout
    assert listed.stdout.index(names[1]) < listed.stdout.index(names[0])          # newest first
    # --resume NAME opens that session, not the latest
    r = chat(db, ["总表", "退出"], "--resume", names[0])
    assert r.returncode == 0 and "政务大厅租金" in r.stdout and NAME not in r.stdout
    r = chat(db, ["退出"], "--resume", "不存在的会话")
    assert r.returncode == 2 and "chat --list" in r.stderr


@pytest.mark.slow
def test_export_word_from_chat(db, tmp_path):
    out = tmp_path / "表.docx"
    r = chat(db, intake() + ["总表", f"导出 {out}", "退出"])
    assert r.returncode == 0 and "已导出到" in r.stdout, r.stdout[-500:]
    (f,) = parse_file(out)
    assert f.name == NAME and f.budget == float(BUDGET)


@pytest.mark.slow
def test_what_the_catalogue_learned_can_be_listed_and_undone(db, tmp_path):
    r = chat(db, intake() + ["删 1", "下一步", "改 1 ≥99%", "退出"])
    assert r.returncode == 0, r.stderr
    env = {"JIXIAO_DB": str(db)}
    session = next((db.parent / "sessions").glob("*.json")).stem
    listed = json.loads(run_cli("feedback", "list", "--format", "json", env=env).stdout)
    assert listed and {x["session"] for x in listed} == {session}
    assert {"reject", "change"} <= {x["action"] for x in listed}
    table_out = run_cli("feedback", "list", env=env).stdout
    assert "删除" in table_out and session in table_out

    def weights():
        with sqlite3.connect(db) as conn:
            return dict(conn.execute("SELECT name, COUNT(*) FROM feedback GROUP BY name"))

    def ids():
        with sqlite3.connect(db) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM feedback")}

    one = listed[0]
    r = run_cli("feedback", "undo", str(one["id"]), env=env)
    assert r.returncode == 0 and ids() == {x["id"] for x in listed} - {one["id"]}
    assert run_cli("feedback", "undo", "999999", env=env).returncode == 1
    r = run_cli("feedback", "undo", session, env=env)
    assert r.returncode == 0 and weights() == {}
    # clear asks; "n" keeps everything, --yes clears
    chat(db, intake() + ["下一步", "退出"])
    before = weights()
    assert before
    r = run_cli("feedback", "clear", env=env, input="n\n")
    assert r.returncode == 1 and weights() == before and "确定清除" in r.stderr
    r = run_cli("feedback", "clear", "--yes", env=env)
    assert r.returncode == 0 and weights() == {}
    # the engine reads what is left: nothing
    from jixiao.engine.model import EngineModel

    m = EngineModel.open(db)
    try:
        assert m.cat.feedback() == {}
    finally:
        m.close()


def test_feedback_list_on_an_older_catalogue_without_sessions(db):
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO feedback (name, level2, action, project, created_at) "
                     "VALUES ('热线接通率', '质量指标', 'keep', '旧项目', '2024-01-01T00:00:00')")
    r = run_cli("feedback", "list", "--format", "json", env={"JIXIAO_DB": str(db)})
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert (row["name"], row["session"]) == ("热线接通率", "")


@pytest.mark.slow
def test_a_real_terminal_of_80_columns_wraps_nothing(db, tmp_path):
    """The prompt_toolkit program in an 80-column tmux pane: the screen with wrapped lines
    joined (-J) has as many lines as without, and the bottom bar is whole."""
    from test_chat_tmux import answer_intake, chat_pane

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    pane = chat_pane(db, tmp_path)
    subprocess.run([*pane.base, "resize-window", "-t", "chat", "-x", "80", "-y", "50"], capture_output=True)
    try:
        answer_intake(pane)
        pane.wait("尚空")
        pane.type("总表")
        pane.keys("Enter")
        pane.wait("审核提示：错误")
        width = subprocess.run([*pane.base, "display", "-p", "-t", "chat", "#{pane_width}"],
                               capture_output=True, text=True).stdout.strip()
        assert width == "80"
        raw = subprocess.run([*pane.base, "capture-pane", "-p", "-S", "-", "-t", "chat"],
                             capture_output=True, text=True, encoding="utf-8").stdout
        assert raw.rstrip("\n").count("\n") == pane.screen().rstrip("\n").count("\n"), raw
        bar = [x for x in raw.splitlines() if "尚空" in x][-1]
        assert "Ctrl-D" in bar and view.width(bar.rstrip()) <= 80
    finally:
        pane.close()
