"""Every seed layout read into validated filings, checked against hand-reviewed golden files."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, SEEDS, run_cli, seed
from jixiao.corpus.parse import parse_file

GOLDEN = ROOT / "tests" / "golden"

# (seed prefix, project filings, project indicators, department tables)
EXPECTED = [("000", 1, 8, 0), ("001", 5, 21, 1), ("002", 7, 63, 0), ("003", 6, 109, 0), ("004", 1, 7, 1)]


def _plain(filings):
    """Filings as golden JSON: source file reduced to its name."""
    out = []
    for f in filings:
        d = f.model_dump(mode="json")
        d["source"]["file"] = d["source"]["file"].rsplit("/", 1)[-1]
        for i in d["indicators"]:
            i["source"]["file"] = i["source"]["file"].rsplit("/", 1)[-1]
        out.append(d)
    return out


@pytest.mark.parametrize("prefix,n_filings,n_indicators,n_dept", EXPECTED)
def test_seed_counts(prefix, n_filings, n_indicators, n_dept):
    filings = parse_file(seed(prefix))
    projects = [f for f in filings if f.kind == "project"]
    assert len(projects) == n_filings
    assert sum(len(f.indicators) for f in projects) == n_indicators
    assert sum(1 for f in filings if f.kind == "department") == n_dept
    for f in filings:
        for i in f.indicators:
            assert i.name.strip(), f"empty indicator name in {f.name}"


def test_all_seeds_total():
    projects = [f for p in SEEDS for f in parse_file(p) if f.kind == "project"]
    assert len(projects) == 20
    assert sum(len(f.indicators) for f in projects) == 208


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_matches_golden(path):
    golden = json.loads((GOLDEN / (path.stem + ".json")).read_text(encoding="utf-8"))
    assert _plain(parse_file(path)) == golden


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_golden_is_pretty_printed(path):
    """Goldens stay in the reviewable form tests/golden/regen.py writes (indent 2, real CJK)."""
    text = (GOLDEN / (path.stem + ".json")).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_vertical_form_facts_000():
    (f,) = parse_file(seed("000"))
    assert (f.name, f.year, f.budget) == ("政务服务业务", 2021, 600.0)
    assert f.period == "2021.01.01-2021.12.31"
    assert f.department == "行政审批制度改革科、行政审批业务科、行政效能科"
    assert all(i.basis == "按照上年" for i in f.indicators)
    # two form rows exported on one line (" \t群众对12345…") become two indicators
    sat = [i for i in f.indicators if i.level2 == "服务对象满意度指标"]
    assert [(i.name, i.value) for i in sat] == [("群众对政务窗口服务的满意度", "≧95%"),
                                               ("群众对12345热线服务的满意度", "≧99%")]
    # satisfaction filed under 效益指标 in this older form: canonical 一级 follows the 二级
    assert sat[0].level1 == "满意度指标" and sat[0].level1_raw == "效益指标"


def test_wide_summary_table_001():
    projects = [f for f in parse_file(seed("001")) if f.kind == "project"]
    assert [(f.name, f.budget) for f in projects] == [
        ("综治平台运行维护", 8.5), ("互联网+监督平台运行维护", 4.0), ("政务公开平台运行专项", 1.5),
        ("机房维护费", 2.5), ("区长热线工作经费", 1.5)]
    assert all(f.year == 2019 and f.department == "政务中心" for f in projects)
    sat = projects[0].indicators[-1]
    assert (sat.level2, sat.name, sat.value) == ("服务对象满意度指标", "社会公众综合满意度", "100%")


def test_numbered_multi_indicator_cells_002():
    f = next(f for f in parse_file(seed("002")) if f.name == "大厅工作人员考核补助")
    qty = [(i.name, i.value) for i in f.indicators if i.level2 == "数量指标"]
    assert qty == [("绩效考核次数", "12次"), ("全年评优评先考核次数", "4次")]
    timely = [(i.name, i.value) for i in f.indicators if i.level2 == "时效指标"]
    assert timely == [("增量考核时间", "每月末"), ("评优评先考核时间", "每季度末")]
    assert f.budget == 16.56          # 本年度申请资金, not 上年度安排资金 12.64


def test_value_pushed_below_blank_lines_002():
    f = next(f for f in parse_file(seed("002")) if f.name == "优化营商环境经费")
    social = [(i.name, i.value) for i in f.indicators if i.level2 == "社会效益指标"]
    assert social == [("减少新开办企业跑单位次数", "1次")]


def test_flat_table_with_drifting_columns_003():
    filings = parse_file(seed("003"))
    assert all(f.year == 2024 and f.department == "平罗县审批服务管理局" for f in filings)
    review = next(f for f in filings if f.name == "政府类投资项目概算评审费")
    cost = [i for i in review.indicators if i.name.startswith("聘请中介机构")]
    # written under 效益指标 with 成本指标 as 二级: a cost row is 产出 whatever column it drifted to
    assert cost[0].level2 == "成本指标" and cost[0].level1 == "产出指标" and cost[0].level1_raw == "效益指标"
    office = next(f for f in filings if f.name.startswith("政务大厅电子设备"))
    sustain = [i.name for i in office.indicators if i.level2 == "可持续影响指标"]
    assert sustain == ["持续推进事项流程优化再造，提高审批效率，优化营商环境",
                       "高效、便捷、标准化的服务水平利于推动县域经济发展",
                       "提高服务效率，提高企业和广大群众对政府的满意度"]
    assert all("必填" not in i.level2 for f in filings for i in f.indicators)


def test_prefixed_names_and_templates_004():
    filings = parse_file(seed("004"))
    project = [f for f in filings if f.kind == "project"]
    assert [(f.name, f.budget, f.year) for f in project] == [("一网通办业务经费", 807.69, 2021)]
    assert project[0].indicators[0].name == "业务办理量"          # "指标1: " stripped
    dept = [f for f in filings if f.kind == "department"]
    assert len(dept) == 1 and dept[0].department == "陕西省政务服务中心"


def test_gb18030_copy_reads_like_utf8(tmp_path):
    for src in SEEDS:
        copy = tmp_path / src.name
        copy.write_bytes(src.read_text(encoding="utf-8").encode("gb18030"))
        a = [f.model_dump(exclude={"source"}) for f in parse_file(src)]
        b = [f.model_dump(exclude={"source"}) for f in parse_file(copy)]
        for x in a + b:
            for i in x["indicators"]:
                i.pop("source")
        assert a == b


def test_utf8_bom_reads_like_utf8(tmp_path):
    src = seed("002")
    copy = tmp_path / "bom.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    assert [f.name for f in parse_file(copy)] == [f.name for f in parse_file(src)]


def test_parse_json_round_trip(tmp_path):
    out = run_cli("parse", *map(str, SEEDS), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len([d for d in data if d["kind"] == "project"]) == 20
    path = tmp_path / "filings.json"
    path.write_text(out.stdout, encoding="utf-8")
    again = parse_file(path)
    original = [f for p in SEEDS for f in parse_file(p)]
    assert [f.model_dump() for f in again] == [f.model_dump() for f in original]


def test_parse_table_output_names_projects():
    out = run_cli("parse", str(seed("000")))
    assert out.returncode == 0
    assert "政务服务业务" in out.stdout and "群众对12345热线服务的满意度" in out.stdout
    assert "共 1 张表，8 个指标" in out.stdout
