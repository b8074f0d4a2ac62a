"""The chat session in process, on a real catalogue: what selecting, deleting, swapping, undo,
free phrases and name fragments do to the draft, what is saved, and what feedback it yields."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from jixiao.cli.chat import store
from jixiao.cli.chat.feedback import decisions
from jixiao.cli.chat.session import CANDIDATES_SHOWN, Session
from conftest import ROOT
from test_chat import DEPT, DESC, NAME, copy_catalogue, started_session


@pytest.fixture
def session(shared_db, tmp_path):
    with started_session(copy_catalogue(shared_db, tmp_path)) as s:
        yield s


def rows(s: Session, level2: str | None = None) -> list:
    l2 = level2 or s.steps[s.state.step]
    return [i for i in s.state.draft.indicators if i.level2 == l2]


def saved(s: Session) -> store.SessionState:
    return store.load(s.path)


def test_intake_builds_the_suggested_draft(session):
    st = session.state
    assert st.phase == "review" and st.step == 0
    p = st.draft.project
    assert (p.name, p.budget, p.year, p.department) == (NAME, 80, 2026, DEPT)
    assert p.description == "\n".join(DESC) and p.sectors and p.sector_reason
    assert st.origins == [i.name for i in st.draft.indicators]
    assert saved(session).draft == st.draft


def test_numbers_alone_select_what_the_category_keeps(session):
    items = session._items()
    table = [it for it in items if it.index is not None]
    cands = [it for it in items if it.index is None]
    assert len(table) >= 2 and 1 <= len(cands) <= CANDIDATES_SHOWN
    keep, take = table[1], cands[0]
    session.handle(f"{keep.num} {take.num}")
    assert [i.name for i in rows(session)] == [keep.ind.name, take.ind.name]
    assert saved(session).draft.indicators == session.state.draft.indicators
    out = session.handle("99")
    assert "没有第99条" in out[0] and len(rows(session)) == 2
    # in the whole table a bare number does not silently wipe anything
    session.handle("跳到 总表")
    n = len(session.state.draft.indicators)
    assert "在总表中" in session.handle("1")[0] and len(session.state.draft.indicators) == n


def test_undo_restores_and_delete_needs_a_table_line(session):
    before = [i.name for i in rows(session)]
    cand = next(it for it in session._items() if it.index is None)
    assert "是候选" in session.handle(f"删 {cand.num}")[0]
    session.handle("删 1")
    session.handle("删 1")
    assert [i.name for i in rows(session)] == before[2:]
    session.handle("撤销")
    session.handle("撤销")
    assert [i.name for i in rows(session)] == before
    assert "没有可以撤销" in session.handle("撤销")[0]
    assert [i.name for i in saved(session).draft.indicators if i.level2 == "数量指标"] == before


def test_swap_walks_through_the_candidates(session):
    first = rows(session)[0].name
    alts = [c.name for c in session._alternatives("数量指标")]
    session.handle("换 1")
    got1 = rows(session)[0].name
    session.handle("换 1")
    got2 = rows(session)[0].name
    assert got1 == alts[0] and got2 not in (first, got1)
    assert session.state.passed["数量指标"] == [first, got1]


def test_free_phrases_and_name_fragments(session):
    session.handle("跳到 满意度")
    sat = rows(session)[0]
    session.handle("满意度改成≥97%")
    assert rows(session)[0].value == "≥97%" and rows(session)[0].status == "user"
    session.handle("改 1 98")                       # a bare number keeps sign and unit
    assert rows(session)[0].value == "≥98%"
    session.handle("跳到 质量")
    q = [i.name for i in rows(session)]
    session.handle("不要第二个")
    assert [i.name for i in rows(session)] == [q[0], *q[2:]]
    # a fragment found in several lines is refused, not guessed
    session.handle("撤销")
    names = [i.name for i in rows(session)]
    shared = next(ch for ch in names[0] if ch in names[1])
    out = session.handle(f"删 {shared}")
    assert "不止一条" in out[0] and [i.name for i in rows(session)] == q
    assert "表中没有找到" in session.handle("删 不存在的指标")[0]
    assert "依据：" in session.handle(f"为什么有{sat.name[-4:]}")[0]


def test_add_by_name_and_duplicates(session):
    session.handle("加 夜间值守覆盖时段 ≥8小时")
    added = rows(session)[-1]
    assert (added.name, added.value, added.status) == ("夜间值守覆盖时段", "≥8小时", "user")
    assert any(s.kind == "user" for s in added.sources)
    n = len(session.state.draft.indicators)
    assert "没有重复添加" in session.handle("加 夜间值守覆盖时段")[0]
    # a catalogue candidate added by name without a value: the value is asked for, the rule
    # layer's value offered for Enter, and the line waits as 待填写 until then
    cand = session._alternatives("质量指标")[0]
    offered = session._cand_indicator(cand).value
    out = session.handle(f"加 质量 {cand.name}")
    got = next(i for i in session.state.draft.indicators if i.name == cand.name)
    assert got.level2 == "质量指标" and got.needs_input and not got.value
    assert "指标值是多少" in out[0] and offered in out[0]
    session.handle("")
    got = next(i for i in session.state.draft.indicators if i.name == cand.name)
    assert got.value == offered and not got.needs_input and got.basis
    assert len(session.state.draft.indicators) == n + 1
    session.handle("跳到 总表")
    assert "加到哪一类" in session.handle("加 一个全新的指标 5个")[0]


def test_feedback_decisions_follow_each_line(session):
    first, second = rows(session)[0].name, rows(session)[1].name
    session.handle("删 1")
    session.handle("改 1 名称 改过的名字")
    session.handle("加 夜间值守覆盖时段 ≥8小时")
    got = {(n, a) for n, _, a, _ in decisions(session.state)}
    assert got == {(first, "reject"), (second, "change"), ("夜间值守覆盖时段", "add")} | {
        (s.name, "keep") for s in session.state.suggested if s.level2 == "数量指标"} - {(first, "keep"), (second, "keep")}
    # categories never shown say nothing
    assert all(l2 == "数量指标" for _, l2, _, _ in decisions(session.state))
    session.handle("跳到 总表")
    assert {l2 for _, l2, _, _ in decisions(session.state)} == {s.level2 for s in session.state.suggested}


def test_resume_state_matches_and_toolbar_status(session):
    session.handle("删 1")
    session.handle("下一步")
    again = Session(store.load(session.path), session.path, session.backend)
    assert again.state.step == 1 and again.state.draft == session.state.draft
    out = again.start(resumed=True)
    assert "继续上次的会话" in out[0] and "第 2/9 步" in out[1]
    assert "满意度*" not in again.status()["empty"]
    again.handle("跳到 满意度")
    for _ in rows(again):
        again.handle("删 1")
    status = again.status()
    assert status["where"].startswith("第 9/9 步") and "满意度*" in status["empty"]
    names = [n for n, _ in again.completion_entries()]
    assert names and len(names) == len(set(names))


@pytest.mark.slow
def test_pipe_mode_and_start_up_do_not_load_prompt_toolkit(shared_db, tmp_path):
    db = copy_catalogue(shared_db, tmp_path)
    code = ("import sys; from jixiao.cli.main import main; rc = main(['chat']); "
            "sys.stderr.write('PTK=%s' % ('prompt_toolkit' in sys.modules)); sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_DB": str(db)}
    r = subprocess.run([sys.executable, "-c", code], input=f"{NAME}\n\n\n\n\n退出\n", capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == 0 and "PTK=False" in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-c", "import sys; from jixiao.cli.main import build_parser; build_parser(); "
                        "print(sorted(m for m in ('prompt_toolkit', 'jixiao.engine.suggest', 'jixiao.cli.chat.session') "
                        "if m in sys.modules))"], capture_output=True, text=True, env=env, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr
    state = json.loads(store.latest(store.sessions_dir(db)).read_text(encoding="utf-8"))
    assert state["phase"] == "review"
