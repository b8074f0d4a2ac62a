"""Output writers (engine/writers): every format on drafts made from the real seed filings and on
hand-made drafts; the .xlsx form layout, its import sheet, and the round trip through our reader."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from jixiao.engine.writers import format_from_path, render, write
from jixiao.engine.writers.explain import short_reason
from jixiao.engine.writers.jsonout import pretty
from jixiao.corpus.categories import LEVEL1_OF, LEVEL2_CANON
from jixiao.corpus.parse import parse_file
from jixiao.corpus.values import parse_value
from jixiao.engine.draft import Draft, DraftIndicator, LintFinding, Project, SourceRef, draft_from_filing
from jixiao.engine.lint import lint_draft

from conftest import SEEDS

ORDER = {l2: i for i, l2 in enumerate(LEVEL2_CANON)}


@pytest.fixture(scope="module")
def seed_drafts() -> list[Draft]:
    drafts = []
    for path in SEEDS:
        for filing in parse_file(path):
            d = draft_from_filing(filing)
            d.lint = lint_draft(d)
            drafts.append(d)
    assert len(drafts) >= 20
    return drafts


def ind(l2, name, value, basis=None, **kw) -> DraftIndicator:
    return DraftIndicator(level1=LEVEL1_OF[l2], level2=l2, name=name, value=value, basis=basis,
                          parsed=parse_value(value), **kw)


def hand_draft(name="政务服务热线运行维护", year=2025, budget=25.0) -> Draft:
    """A suggest-like draft: every source kind, rules, statuses, one value to fill in."""
    hist = SourceRef(kind="filing", name="区长热线工作经费", year=2019, similarity=0.8234, value="≥90%")
    hist2 = SourceRef(kind="filing", name="12345 民生服务平台工作经费", year=2024, similarity=0.61)
    lib = SourceRef(kind="library", name="热线", value="≥95%", detail="行业指标库 · 热线 · GX-RX-0202")
    desc = SourceRef(kind="description", name="项目描述", value="14个")
    inds = [
        ind("数量指标", "开通服务窗口数量", "14个", "计划标准", sources=[desc], rules=["R40：描述中提到 14个窗口"]),
        ind("数量指标", "热线受理群众诉求件数", "", "历史标准", sources=[hist2], needs_input=True),
        ind("质量指标", "热线接通率", "≥95%", "行业标准", sources=[hist, hist2], rules=["R21：运行率取 ≥99%"]),
        ind("时效指标", "诉求办结时限", "2025年12月31日前", "计划标准", sources=[lib], status="new"),
        ind("成本指标", "项目成本控制", "≤25万元", "计划标准", rules=["R03：成本 = 预算 25 万元"]),
        ind("社会效益指标", "群众诉求解决能力", "有效提高", "历史标准", sources=[lib]),
        ind("服务对象满意度指标", "群众满意度", "≥95%", "历史标准", sources=[hist], status="moved"),
    ]
    d = Draft(project=Project(name=name, description="受理群众诉求约10000件，开通14个窗口。", budget=budget,
                              year=year, department="某区行政审批服务局", period=f"{year}.01-{year}.12",
                              sectors=["热线"], sectors_inferred=True),
              indicators=inds, similar=[hist, hist2])
    d.lint = lint_draft(d) + [LintFinding(rule="L99 test", severity="info", message="测试提示", indicator=1)]
    return d


# --- formats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path,fmt", [
    ("out.xlsx", "xlsx"), ("OUT.XLSX", "xlsx"), ("a/b.md", "md"), ("x.json", "json"), ("x.jsonl", "jsonl"),
    ("x.csv", "csv"), ("x.txt", "table"), ("x.docx", "docx"), ("x.doc", None), ("x.xls", None), ("noext", None), ("", None), (None, None),
])
def test_format_from_path(path, fmt):
    assert format_from_path(path) == fmt


def test_every_text_format_renders_every_seed_draft(seed_drafts):
    for d in seed_drafts:
        table = render(d, "table", width=110, color=False)
        assert table.splitlines()[0].startswith(d.project.name[:10])
        assert "审核提示" in table
        for label, sev in (("错误", "error"), ("警告", "warning"), ("提示", "info")):
            assert (f"{label}（" in table) == any(f.severity == sev for f in d.lint)
        assert table.count("待填写") == sum(i.needs_input for i in d.indicators) + (1 if any(
            i.needs_input for i in d.indicators) else 0)

        md = render(d, "md")
        rows = [ln for ln in md.splitlines() if ln.startswith("| ") and ln[2:3].isdigit()]
        assert len(rows) == len(d.indicators)
        assert md.startswith("# ") and "## 审核提示" in md and "## 推荐依据" in md

        data = json.loads(render(d, "json"))
        assert Draft.model_validate(data) == d
        line = render(d, "jsonl")
        assert "\n" not in line and Draft.model_validate_json(line) == d

        rows = list(csv.reader(io.StringIO(render(d, "csv"))))
        assert rows[0][:4] == ["项目名称", "一级指标", "二级指标", "三级指标"]
        assert len(rows) == len(d.indicators) + 1


def test_json_file_loads_back_identical(seed_drafts, tmp_path):
    drafts = seed_drafts[:5] + [hand_draft()]
    write(drafts[0], tmp_path / "one.json")
    assert Draft.model_validate(json.loads((tmp_path / "one.json").read_text("utf-8"))) == drafts[0]
    write(drafts, tmp_path / "all.json")
    back = json.loads((tmp_path / "all.json").read_text("utf-8"))
    assert [Draft.model_validate(x) for x in back] == drafts
    write(drafts, tmp_path / "all.jsonl")
    lines = (tmp_path / "all.jsonl").read_text("utf-8").splitlines()
    assert [Draft.model_validate_json(x) for x in lines] == drafts
    assert "政务服务热线" in (tmp_path / "all.json").read_text("utf-8")    # readable, not \\u escapes
    # our own reader takes a draft file as filings (same names and values)
    filings = parse_file(tmp_path / "all.jsonl")
    assert [f.name for f in filings] == [d.project.name for d in drafts]
    assert [i.value for i in filings[-1].indicators] == [i.value for i in drafts[-1].indicators]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_pretty_json_is_the_standard_indented_dump(data):
    assert pretty(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_pretty_json_of_real_drafts(seed_drafts):
    data = [d.model_dump(mode="json") for d in seed_drafts]
    assert pretty(data) == json.dumps(data, ensure_ascii=False, indent=2)
    assert pretty({1: "non-str key", "t": (1, 2)}) == json.dumps({1: "non-str key", "t": (1, 2)},
                                                                ensure_ascii=False, indent=2)


def test_short_reasons_say_where_each_indicator_comes_from():
    d = hand_draft()
    reasons = [short_reason(i) for i in d.indicators]
    assert reasons[0] == "项目描述：14个"
    assert reasons[2] == "区长热线工作经费（2019） · 相似 0.82 等2份"
    assert reasons[3] == "新增 · 热线行业指标库"
    assert reasons[4] == "填值规则"
    assert reasons[6].startswith("调整类别 · 区长热线工作经费")
    carried = next(i for i in draft_from_filing(parse_file(SEEDS[0])[0]).indicators)
    assert short_reason(carried) == "上年同项目"


def test_table_shows_reasons_needs_input_and_findings():
    out = render(hand_draft(), "table", width=120, color=False)
    todo_line = next(line for line in out.splitlines() if "热线受理群众诉求件数" in line)
    assert "待填写" in todo_line and "历史标准" in todo_line
    assert "项目描述：14个" in out and "热线行业指标库" in out and "相似 0.82" in out
    assert "其中 1 个待填写" in out
    assert out.index("错误（1）") < out.index("提示（1）") and "测试提示（第 2 条）" in out
    assert "\x1b[" not in out            # no colour codes unless asked


@pytest.mark.parametrize("width", [100, 120])
def test_table_fits_the_width_with_long_names_and_markup(width):
    d = hand_draft(name="超长项目名称" * 30)
    d.indicators[0].name = "很长的三级指标名称" * 25
    d.indicators[2].value = "[bold red]不是标记[/bold red] ≥95%"
    d.indicators[3].sources = [SourceRef(kind="filing", name="[link=x]历史项目[/link]" * 5, year=2024,
                                         similarity=0.5)]
    out = render(d, "table", width=width, color=False)
    assert max(cell_len(line) for line in out.splitlines()) <= width
    assert "[bold" in out and "不是标记" in out          # shown as written, not taken as markup
    assert out.count("很") == 25                        # the long name wraps, nothing is cut
    assert out.count("超长项目名称") >= 25
    colored = render(d, "table", width=width, color=True)
    assert "\x1b[" in colored


def test_markdown_escapes_cells_and_lists_sections(seed_drafts, tmp_path):
    d = hand_draft()
    d.indicators[0].name = "窗口|数量*加粗*\n第二行"
    md = render(d, "md")
    row = next(ln for ln in md.splitlines() if ln.startswith("| 1 |"))
    assert row.count(" | ") == 6                  # the pipe in the name is escaped
    assert "窗口\\|数量\\*加粗\\* 第二行" in row
    assert "**待填写**" in md
    assert "### 提示" in md and "测试提示（第 2 条）" in md
    write(seed_drafts[:3], tmp_path / "three.md")
    text = (tmp_path / "three.md").read_text("utf-8")
    assert text.count("\n---\n") == 2
    assert [ln[2:] for ln in text.splitlines() if ln.startswith("# ")] == [d.project.name for d in seed_drafts[:3]]


def test_csv_draft_has_import_columns(tmp_path):
    write(hand_draft(), tmp_path / "d.csv")
    raw = (tmp_path / "d.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["项目名称", "一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据"]
    by_name = {r[3]: r for r in rows[1:]}
    assert by_name["热线接通率"][4:7] == ["≥", "95", "%"]
    assert by_name["开通服务窗口数量"][4:7] == ["=", "14", "个"]       # a lone "=" needs no guard
    assert by_name["热线受理群众诉求件数"][4:7] == ["", "", ""]


# --- xlsx -------------------------------------------------------------------------------------

def _grid(ws):
    """(header row, grid rows): the rows between the 一级指标 header and the blank row above 填表人."""
    col_a = [ws.cell(r, 1).value or "" for r in range(1, ws.max_row + 1)]
    header = col_a.index("一级指标") + 1
    footer = next(r for r, v in enumerate(col_a, 1) if v.startswith("填表人"))
    return header, list(range(header + 1, footer - 1))


def test_xlsx_form_layout(tmp_path):
    d = hand_draft()
    path = tmp_path / "out" / "sub" / "draft.xlsx"          # parent folders are created
    write(d, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["绩效目标表", "系统导入", "推荐依据"]
    ws = wb["绩效目标表"]
    assert ws["A1"].value == "项目支出绩效目标表（2025年度）"
    facts = {ws.cell(r, c).value: ws.cell(r, c + 1).value for r in range(2, 8) for c in (1, 4)}
    assert facts["项目名称"] == d.project.name
    assert facts["主管部门"] == "某区行政审批服务局"
    assert facts["预算金额（万元）"] == 25
    assert facts["项目实施期"] == "2025.01-2025.12"
    assert facts["年度绩效目标"] == d.project.description
    header, rows = _grid(ws)
    assert [ws.cell(header, c).value for c in range(1, 6)] == ["一级指标", "二级指标", "三级指标", "指标值", "绩效标准"]
    # all nine 二级 rows of the printed form; 一级 and 二级 merged over their rows
    expected_rows = sum(max(1, sum(1 for i in d.indicators if i.level2 == l2)) for l2 in LEVEL2_CANON)
    assert len(rows) == expected_rows
    merged = {str(m) for m in ws.merged_cells.ranges}
    covered = {(r, c) for m in ws.merged_cells.ranges for r, c in m.cells} - \
              {(m.min_row, m.min_col) for m in ws.merged_cells.ranges}
    first = rows[0]
    n_output = sum(max(1, sum(1 for i in d.indicators if i.level2 == l2)) for l2 in LEVEL2_CANON[:4])
    assert f"A{first}:A{first + n_output - 1}" in merged and ws.cell(first, 1).value == "产出指标"
    assert f"B{first}:B{first + 1}" in merged and ws.cell(first, 2).value == "数量指标"   # two 数量 rows
    n_benefit = 4
    assert f"A{first + n_output}:A{first + n_output + n_benefit - 1}" in merged
    assert ws.cell(first + n_output, 1).value == "效益指标"
    # the indicator needing input: empty value, highlighted, with a note
    todo = next(r for r in rows if ws.cell(r, 3).value == "热线受理群众诉求件数")
    cell = ws.cell(todo, 4)
    assert cell.value is None
    assert cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert cell.comment is not None and cell.comment.text.startswith("待填写")
    filled = next(r for r in rows if ws.cell(r, 3).value == "热线接通率")
    assert ws.cell(filled, 4).value == "≥95%" and ws.cell(filled, 5).value == "行业标准"
    assert ws.cell(filled, 4).fill.fgColor.rgb != cell.fill.fgColor.rgb
    # borders, wrapping, widths, print setup
    for r in [header] + rows:
        for c in range(1, 6):
            b = ws.cell(r, c).border
            sides = (b.left, b.right) if (r, c) in covered else (b.left, b.right, b.top, b.bottom)
            assert all(side.style == "thin" for side in sides), (r, c)
    assert ws.cell(filled, 3).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    # one page wide (fitToWidth 1 is the OOXML default, which a writer may leave out), any height
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"


def test_xlsx_import_sheet_splits_values(tmp_path):
    d = hand_draft()
    write(d, tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx")["系统导入"]
    rows = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据"]
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["热线接通率"][3:7] == ["≥", 95, "%", "行业标准"]
    assert by_name["项目成本控制"][3:6] == ["≤", 25, "万元"]
    assert by_name["诉求办结时限"][3:6] == ["", "2025年12月31日前", ""]
    assert by_name["开通服务窗口数量"][:6] == ["产出指标", "数量指标", "开通服务窗口数量", "=", 14, "个"]
    assert by_name["热线受理群众诉求件数"][3:6] == ["", "", ""]
    # qualitative grades keep their words whole, under the grammar's qualitative sign
    assert by_name["群众诉求解决能力"][4:6] == ["有效提高", ""]
    assert len(rows) == len(d.indicators) + 1
    reasons = openpyxl.load_workbook(tmp_path / "d.xlsx")["推荐依据"]
    text = "\n".join(str(c) for row in reasons.iter_rows(values_only=True) for c in row if c is not None)
    assert "历史申报表《区长热线工作经费》（2019年），相似度 0.82" in text
    assert "R03：成本 = 预算 25 万元" in text and "测试提示" in text and "错误" not in text.split("审核提示")[0]


def _same_indicators(filing, draft):
    got = [(i.level2, i.name, i.value) for i in filing.indicators]
    want = sorted(((i.level2, i.name, "" if i.needs_input else i.value) for i in draft.indicators),
                  key=lambda t: ORDER[t[0]])
    return got == want


def test_xlsx_round_trip_through_our_reader(seed_drafts, tmp_path):
    for n, d in enumerate(seed_drafts + [hand_draft()]):
        path = tmp_path / f"{n}.xlsx"
        write(d, path)
        filings = parse_file(path)
        assert len(filings) == 1, d.project.name
        f = filings[0]
        assert (f.name, f.year, f.budget, f.kind) == (d.project.name, d.project.year, d.project.budget,
                                                        d.project.kind)
        assert _same_indicators(f, d), d.project.name


@pytest.mark.slow
def test_xlsx_many_drafts_one_workbook(seed_drafts, tmp_path):
    extra = [hand_draft(name="2024年政务热线运维（续）"), hand_draft(name="政务服务热线运行维护"),
             hand_draft(name="政务服务热线运行维护"), hand_draft(name="a/b[1]:*?" + "长" * 40)]
    drafts = seed_drafts + extra
    write(drafts, tmp_path / "all.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "all.xlsx")
    names = wb.sheetnames
    assert names[-2:] == ["系统导入", "推荐依据"]
    forms = names[:-2]
    assert len(forms) == len(drafts) and len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "政务服务热线运行维护" in forms and "政务服务热线运行维护 (2)" in forms
    filings = parse_file(tmp_path / "all.xlsx")
    assert [f.name for f in filings] == [d.project.name for d in drafts]
    for f, d in zip(filings, drafts):
        assert (f.year, f.budget) == (d.project.year, d.project.budget)   # "2024年…" still reads 2025
        assert _same_indicators(f, d)
    imp = wb["系统导入"]
    header = [c.value for c in imp[1]]
    assert header[0] == "项目名称" and header[1:] == ["一级指标", "二级指标", "三级指标", "计算符号", "指标值",
                                                   "计量单位", "指标值设定依据"]
    assert imp.max_row == 1 + sum(len(d.indicators) for d in drafts)


def test_empty_and_department_drafts(tmp_path, seed_drafts):
    dept = next(d for d in seed_drafts if d.project.kind == "department")
    write(dept, tmp_path / "dept.xlsx")
    assert openpyxl.load_workbook(tmp_path / "dept.xlsx").worksheets[0]["A1"].value.startswith("部门整体支出绩效目标表")
    empty = Draft(project=Project(name="空项目"))
    for fmt in ("table", "md", "json", "jsonl", "csv"):
        assert render(empty, fmt)
    write(empty, tmp_path / "empty.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "empty.xlsx").worksheets[0]
    assert ws["A1"].value == "项目支出绩效目标表" and ws["B3"].value == "空项目"


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="输出格式"):
        write(hand_draft(), tmp_path / "x.pdf")
    with pytest.raises(ValueError):
        render(hand_draft(), "xlsx")
    assert list(tmp_path.iterdir()) == []


def test_workbook_starting_with_a_department_draft_reads_back_without_extra_filings(seed_drafts, tmp_path):
    # the system-import sheet lists the department draft's name in its rows: not a department table
    dept = [d for d in seed_drafts if d.project.kind == "department"]
    drafts = dept + [d for d in seed_drafts if d.project.kind == "project"][:3]
    write(drafts, tmp_path / "all.xlsx")
    filings = parse_file(tmp_path / "all.xlsx")
    assert [(f.name, f.kind) for f in filings] == [(d.project.name, d.project.kind) for d in drafts]
