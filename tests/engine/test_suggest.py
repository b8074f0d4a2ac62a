"""`jixiao suggest`: complete, well-formed, explained drafts; the rule layer; the CLI around it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, run_cli
from jixiao.corpus.parse import parse_file
from jixiao.corpus.values import parse_value, years_in
from jixiao.engine.draft import Project
from jixiao.engine.evaluate import valid_value
from jixiao.engine.model import EngineModel
from jixiao.engine.profiles import profile, rules_data
from jixiao.engine.suggest import suggest

YEAR = 2026
# New projects officers file often, beyond the seeds' own names (the kinds of project the sector library's trigger words name).
OTHER_PROJECTS = [
    ("干部业务能力提升培训", "全年举办业务培训班4期，培训干部300人次", 20.0),
    ("办公设备购置", "购置办公电脑30台、打印机10台", 45.5),
    ("政务服务宣传册印制", "印制办事指南宣传册3000册，开展宣传活动6次", 6.0),
    ("机关办公楼物业管理费", "保洁、保安、水电维护，保障办公面积12000平方米", 88.0),
    ("困难群众临时救助补助资金", "资助困难群众约500人", 120.0),
    ("农田水利设施修缮", "", 300.0),
]


@pytest.fixture(scope="module")
def model(shared_db):
    m = EngineModel.open(shared_db)
    yield m
    m.close()


def seed_projects():
    for f in (f for p in SEEDS for f in parse_file(p) if f.kind == "project"):
        yield Project(name=f.name, description=f.description, budget=f.budget or 10.0, year=YEAR,
                      department=f.department)


def all_projects():
    yield from seed_projects()
    for name, desc, budget in OTHER_PROJECTS:
        yield Project(name=name, description=desc, budget=budget, year=YEAR, department="某县行政审批服务局")


def test_every_draft_is_complete_well_formed_and_explained(model):
    required = profile("default")["required"]
    n = 0
    for project in all_projects():
        draft = suggest(model, project, use_feedback=False)
        n += 1
        where = project.name
        present = {i.level2 for i in draft.indicators}
        assert set(required) <= present, where
        # a table about as big as real ones: rules.json table.max, or the unit's own filings' size
        assert 6 <= len(draft.indicators) <= rules_data()["table"]["max_with_history"], where
        for ind in draft.indicators:
            assert valid_value(ind), (where, ind.name, ind.value)
            assert ind.needs_input == (not ind.value), (where, ind.name)
            assert ind.sources and ind.rules, (where, ind.name)           # every line says why
        # the budget given is the value of exactly one cost line
        costs = [parse_value(i.value) for i in draft.indicators if i.level2 == "成本指标"]
        assert sum(c.op in ("≤", "=") and c.number == project.budget and c.unit == "万元" for c in costs) == 1, where
        # deadlines (and any year a timeliness value names) fall in the target year
        for ind in draft.indicators:
            if ind.level2 == "时效指标" or ind.parsed.kind == "deadline":
                assert all(y == YEAR for y in years_in(ind.value)), (where, ind.value)
        # no review errors in a fresh draft but the reminders to fill what needs input
        errors = [(f.rule, f.indicator) for f in draft.lint if f.severity == "error"]
        assert all(r.startswith("L02") and draft.indicators[i].needs_input for r, i in errors), (where, errors)
    assert n == 26


def test_drafts_are_deterministic(model):
    p = Project(name="12345政务服务热线运行维护", description="受理群众诉求约10000件", budget=80, year=YEAR)
    a = suggest(model, p).model_dump()
    b = suggest(model, p).model_dump()
    assert a == b


def test_values_come_from_the_description_budget_and_year(model):
    p = Project(name="政务服务大厅窗口运行保障", description="大厅设置14个窗口，全年办件约20000件", budget=36.5, year=YEAR)
    draft = suggest(model, p, use_feedback=False)
    from_desc = {i.value for i in draft.indicators if any(s.kind == "description" for s in i.sources)}
    assert from_desc == {"14个", "20000件"}, [(i.name, i.value) for i in draft.indicators]
    assert all(i.basis == "计划标准" for i in draft.indicators if i.value in from_desc)
    cost = [i for i in draft.indicators if i.level2 == "成本指标"][0]
    assert cost.value == "≤36.5万元" and "36.5" in " ".join(cost.rules)


def test_no_invented_numbers_without_a_source(model):
    # an unfamiliar project with no description: counts cannot be known, so they are left to fill
    p = Project(name="农田水利设施修缮", description="", budget=300, year=YEAR)
    draft = suggest(model, p, use_feedback=False)
    qty = [i for i in draft.indicators if i.level2 == "数量指标"]
    for i in qty:
        if i.value:     # a value needs a source: the library template, history or the description
            assert any(s.kind in ("filing", "library", "description") for s in i.sources)
    for i in draft.indicators:
        assert "{N}" not in i.value and "{" not in i.value


def test_carried_from_the_same_projects_last_filing(model):
    # 政务大厅运行经费 was filed for 2021; next year's draft carries its lines, rolled and based on last year
    p = Project(name="政务大厅运行经费", description="", budget=52, year=2022)
    draft = suggest(model, p, use_feedback=False)
    carried = [i for i in draft.indicators if i.status == "carried"]
    assert len(carried) >= 5
    assert all(i.basis == "按照上年" for i in carried if i.level2 != "成本指标")
    deadline = next(i for i in carried if i.name == "窗口单位人员进厅")
    assert deadline.value == "2022年底前"
    assert any("政务大厅运行经费" in s.name and s.year == 2021 for s in deadline.sources)


@pytest.mark.slow
def test_leave_one_out_beats_the_baselines(shared_db):
    out = run_cli("eval", "--db", str(shared_db), "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    ours, popular, generic = (result["systems"][k] for k in ("jixiao", "popular", "generic"))
    assert result["filings"] == 20
    assert ours["recall"] > popular["recall"] and ours["recall"] >= 2 * generic["recall"]
    assert ours["coverage"] == 1.0
    assert set(ours["recall_by_level2"]) <= set(profile("default")["required"]) | {
        "经济效益指标", "生态效益指标", "可持续影响指标"}


# -- the command ---------------------------------------------------------------------------


@pytest.mark.slow
def test_suggest_json_shape(shared_db):
    out = run_cli("suggest", "政务大厅租金", "--budget", "15", "--year", "2026", "--format", "json",
                  "--db", str(shared_db))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert set(d) >= {"project", "indicators", "lint", "similar"}
    assert d["project"]["sectors"] == ["租赁", "政务服务"] and d["project"]["sectors_inferred"] is True
    assert "租金" in d["project"]["sector_reason"]
    ind = d["indicators"][0]
    assert set(ind) >= {"level1", "level2", "name", "value", "basis", "sources", "rules", "needs_input", "parsed"}
    assert d["similar"][0]["name"] == "政务大厅租金"


@pytest.mark.slow
def test_given_type_is_used_and_unknown_type_refused(shared_db):
    out = run_cli("suggest", "综合保障经费", "--type", "热线", "--format", "json", "--db", str(shared_db))
    d = json.loads(out.stdout)
    assert d["project"]["sectors"] == ["热线"] and d["project"]["sectors_inferred"] is False
    assert d["project"]["sector_reason"] == "经办人指定"
    bad = run_cli("suggest", "综合保障经费", "--type", "火箭", "--db", str(shared_db))
    assert bad.returncode == 2 and "火箭" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_from_file_in_input_order_as_jsonl_csv_and_xlsx(shared_db, tmp_path):
    import openpyxl

    rows = [("政务大厅租金", "", 15, 2026), ("机房运维服务", "服务器20台", 30, 2026), ("业务培训", "", 5, 2026)]
    jl = tmp_path / "p.jsonl"
    jl.write_text("\n".join(json.dumps(dict(zip(("name", "description", "budget", "year"), r)),
                                       ensure_ascii=False) for r in rows), encoding="utf-8")
    csv = tmp_path / "p.csv"
    csv.write_text("项目名称,项目概况,预算金额,年度\n" + "\n".join(",".join(map(str, r)) for r in rows),
                   encoding="utf-8")
    xl = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["name", "description", "budget", "year"])
    for r in rows:
        wb.active.append(list(r))
    wb.save(xl)
    outs = []
    for src in (jl, csv, xl):
        out = run_cli("suggest", "--from", str(src), "--format", "jsonl", "--db", str(shared_db))
        assert out.returncode == 0, out.stderr
        drafts = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        assert [d["project"]["name"] for d in drafts] == [r[0] for r in rows]
        assert [d["project"]["budget"] for d in drafts] == [r[2] for r in rows]
        outs.append(drafts)
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.slow
def test_from_file_into_one_workbook_or_a_folder(shared_db, tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text('{"name": "政务大厅租金", "budget": 15}\n{"name": "../../逃逸", "budget": 3}\n', encoding="utf-8")
    book = tmp_path / "全部.xlsx"
    out = run_cli("suggest", "--from", str(src), "-o", str(book), "--db", str(shared_db))
    assert out.returncode == 0, out.stderr
    assert book.is_file()
    folder = tmp_path / "草稿"
    out = run_cli("suggest", "--from", str(src), "-o", str(folder), "--format", "json", "--db", str(shared_db))
    assert out.returncode == 0, out.stderr
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 2 and all(p.parent == folder for p in folder.iterdir())
    assert not (tmp_path / "逃逸.json").exists()


@pytest.mark.slow
def test_bad_list_and_unwritable_output_are_clean_failures(shared_db, tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("预算金额,年度\n15,2026\n", encoding="utf-8")
    out = run_cli("suggest", "--from", str(bad), "--db", str(shared_db))
    assert out.returncode == 2 and str(bad) in out.stderr and "Traceback" not in out.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run_cli("suggest", "政务大厅租金", "-o", str(blocker / "a.xlsx"), "--db", str(shared_db))
    assert out.returncode == 2 and "Traceback" not in out.stderr and "a.xlsx" in out.stderr
    out = run_cli("suggest", "政务大厅租金", "--format", "xlsx", "--db", str(shared_db))
    assert out.returncode == 2 and "-o" in out.stderr


def test_lint_finds_the_real_findings_in_the_seeds():
    out = run_cli("lint", *map(str, SEEDS), "--format", "json")
    assert out.returncode == 1          # errors found
    found = {(r["name"], f["rule"].split()[0]) for r in json.loads(out.stdout) for f in r["lint"]}
    assert ("政务大厅租金", "L11") in found          # 52万元 cost on a 15万元 budget
    assert ("政务大厅租金", "L09") in found          # satisfaction filed under 质量
    assert ("政务服务业务", "L01") in found          # no cost indicator at all


def test_a_project_nothing_matches_still_gets_every_required_category(model):
    p = Project(name="甲乙丙丁", description="", budget=None, year=YEAR)
    draft = suggest(model, p, use_feedback=False)
    assert draft.project.sectors == ["通用"] and "没有任何行业的关键词" in draft.project.sector_reason
    assert set(profile("default")["required"]) <= {i.level2 for i in draft.indicators}
    qty = [i for i in draft.indicators if i.level2 == "数量指标"]
    assert qty and all(i.needs_input and not i.value for i in qty)       # no invented count
    cost = [i for i in draft.indicators if i.level2 == "成本指标"]
    assert cost and all(i.needs_input or i.parsed.unit == "%" for i in cost)   # no budget, no amount
    assert all(s.kind != "filing" for i in draft.indicators for s in i.sources)   # nothing alike


@pytest.mark.parametrize("command", [["suggest", "x"], ["lint", str(SEEDS[0])], ["eval"], ["chat"],
                                     ["batch", str(SEEDS[0]), "--year", "2026", "-o", "out"]])
def test_unknown_profile_is_a_usage_error(command, tmp_path):
    out = run_cli(*command, "--profile", "nope", cwd=tmp_path, env={"JIXIAO_DB": str(tmp_path / "c.db")})
    assert out.returncode == 2 and "未知的模板" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_long_list_shared_over_workers_gives_the_serial_drafts(shared_db, tmp_path):
    """--jobs 2 on a list of 240 projects forks worker processes; the drafts, their order and the
    bytes written are those of --jobs 1."""
    rows = []
    for i in range(240):
        f = parse_file(SEEDS[i % len(SEEDS)])[0]
        rows.append({"name": f"{f.name}（{i + 1}）", "description": f.description[: 40 + i % 60],
                     "budget": (f.budget or 10) + i, "year": 2026, "department": f.department})
    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    written = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.jsonl"
        cmd = [sys.executable, "-m", "jixiao.cli.main", "suggest", "--from", str(src), "--format", "jsonl",
               "-o", str(out), "--db", str(shared_db), "--jobs", jobs]
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        children: set[int] = set()
        while proc.poll() is None:
            for task in Path(f"/proc/{proc.pid}/task").glob("*"):
                try:
                    children.update(int(c) for c in (task / "children").read_text().split())
                except OSError:
                    pass
            time.sleep(0.005)
        stdout, stderr = proc.communicate()
        assert proc.returncode == 0, stderr.decode("utf-8", "replace")
        assert len(children) == (0 if jobs == "1" else 2), children
        written[jobs] = out.read_bytes()
    drafts = [json.loads(line) for line in written["1"].decode("utf-8").splitlines()]
    assert [d["project"]["name"] for d in drafts] == [r["name"] for r in rows]
    assert written["1"] == written["2"]
