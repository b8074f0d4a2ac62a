"""Issue 15, drafts in Word: `suggest -o x.docx` writes the official form (project header, the
indicator table with 一级/二级 merged down their rows) that python-docx opens and `jixiao parse`
reads back to the same filing; the same from chat's 导出 and for several drafts in one file."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli
from jixiao.corpus.parse import parse_file

NAME = "政务服务热线运行维护"
DESC = "全年受理群众来电诉求约10000件，保障12345热线平稳运行，工单按时办结。"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _suggest(db, *args):
    r = run_cli("suggest", NAME, "--desc", DESC, "--budget", "80万元", "--year", "2026", "--dept", "市政务服务管理局",
                *args, "--db", str(db))
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.slow
def test_a_word_draft_opens_holds_the_form_and_reads_back(shared_db, tmp_path):
    import docx

    draft = json.loads(_suggest(shared_db, "--format", "json").stdout)
    out = tmp_path / "草稿.docx"
    _suggest(shared_db, "-o", str(out))
    doc = docx.Document(str(out))                                  # a Word document python-docx opens
    assert doc.paragraphs[0].text == "项目支出绩效目标表（2026年度）"
    (table,) = doc.tables
    header = [[c.text for c in row.cells] for row in table.rows[:5]]
    assert header[0][:2] == ["项目名称", NAME] and header[1] == ["主管部门", "市政务服务管理局", "市政务服务管理局",
                                                               "预算金额（万元）", "80"]
    assert header[3][1] == DESC and header[4] == ["一级指标", "二级指标", "三级指标", "指标值", "绩效标准"]
    names = [row.cells[2].text for row in table.rows[5:]]
    for ind in draft["indicators"]:
        assert ind["name"] in names
    # 一级 and 二级 are merged down their rows: one restart per label, the rest continue it
    starts = {col: [] for col in (0, 1)}
    for tr in table._tbl.tr_lst[5:]:
        for col, tc in enumerate(tr.tc_lst[:2]):
            vm = tc.tcPr.find(W + "vMerge") if tc.tcPr is not None else None
            if vm is None or vm.get(W + "val") == "restart":
                starts[col].append("".join(t.text for t in tc.iter(W + "t")))
    assert starts[0] == ["产出指标", "效益指标", "满意度指标"]
    assert starts[1][:4] == ["数量指标", "质量指标", "时效指标", "成本指标"] and len(starts[1]) == 9
    # jixiao parse reads it to the same filing
    r = run_cli("parse", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    (f,) = json.loads(r.stdout)
    assert (f["name"], f["department"], f["year"], f["budget"], f["description"]) == \
        (NAME, "市政务服务管理局", 2026, 80, DESC)
    want = [(i["level2"], i["name"], "" if i["needs_input"] else i["value"], i["basis"] or None)
            for i in draft["indicators"]]
    assert [(i["level2"], i["name"], i["value"], i["basis"] or None) for i in f["indicators"]] == want


@pytest.mark.slow
def test_several_drafts_in_one_word_file_are_several_filings(shared_db, tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text('{"name": "政务大厅租金", "budget": 15, "year": 2026}\n'
                   '{"name": "机房运维服务", "description": "服务器20台", "budget": 30, "year": 2026}\n', encoding="utf-8")
    out = tmp_path / "全部.docx"
    r = run_cli("suggest", "--from", str(src), "-o", str(out), "--db", str(shared_db))
    assert r.returncode == 0, r.stderr
    assert [(f.name, f.budget) for f in parse_file(out)] == [("政务大厅租金", 15), ("机房运维服务", 30)]


@pytest.mark.slow
def test_word_bytes_are_reproducible(shared_db, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    _suggest(shared_db, "-o", str(a))
    _suggest(shared_db, "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_hostile_text_stays_text_in_word(tmp_path):
    from jixiao.engine.writers import write
    from jixiao.engine.draft import Draft, DraftIndicator, Project

    draft = Draft(project=Project(name="=HYPERLINK(\"x\")\x07项目", budget=1, year=2026),
                  indicators=[DraftIndicator(level1="产出指标", level2="数量指标", name="+cmd|'/C calc'!A0\x00",
                                             value="≥1个", basis="计划标准")])
    out = tmp_path / "x.docx"
    write(draft, out)
    (f,) = parse_file(out)
    assert f.name == "=HYPERLINK(\"x\")项目" and f.indicators[0].name == "+cmd|'/C calc'!A0"
