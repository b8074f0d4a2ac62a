"""Office, CSV and byte-level readers on real files written into tmp_path.

The form below is laid out like seed 000 (项目支出绩效目标表): project facts as label/value
rows, then an indicator grid whose 一级 cells are merged over 4 rows and 二级 cells over 2 rows.
The same form is written as .xlsx (openpyxl merges) and .docx (gridSpan / vMerge) and must read
back to the exact grid, merged positions "".
"""
from __future__ import annotations

import datetime as dt
import os
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from conftest import seed
from jixiao.corpus.errors import InputError
from jixiao.corpus.readers.csv_reader import read_csv
from jixiao.corpus.readers.dispatch import read_document
from jixiao.corpus.readers.docx_reader import read_docx
from jixiao.corpus.readers.textio import CLIP_MARKER, MAX_CELL_CHARS, read_text, sniff_kind
from jixiao.corpus.readers.xlsx_reader import cell_text, read_xlsx

TITLE = "2021年项目支出绩效目标表"
N = None   # a position covered by a merged cell

# rows of the form (5 columns); N marks positions covered by a merge
FORM = [
    ["项目支出名称", "政务服务业务", N, N, N],
    ["预算部门", "行政审批制度改革科", N, N, N],
    ["年度本级预算金额", "600", "项目支出实施期", "2021.01.01-2021.12.31", N],
    ["本年度绩效目标", "1、流程再造和优化。\n2、12345政府热线运维。", N, N, N],
    ["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"],
    ["产出指标", "数量指标", "政务服务中心窗口及分中心", "6个", "按照上年"],
    [N, N, "12345热线", "1条", "按照上年"],
    [N, "质量指标", "审批事项入驻率", "≥95%", "按照上年"],
    [N, N, "12345热线整合覆盖率", "100%", "按照上年"],
    ["效益指标", "社会效益指标", "群众办事跑动次数", "≤1次", "计划标准"],
    [N, N, "一件事一次办事项数", "≥50项", "计划标准"],
    [N, "可持续影响指标", "审批服务长效机制", "长期", "计划标准"],
    [N, N, "政务服务标准化水平", "持续提升", "计划标准"],
    ["满意度指标", "服务对象满意度指标", "办事群众满意度", "≥90%", "计划标准"],
]
# (first row, first col, last row, last col), 0-based, inclusive
MERGES = [
    (0, 1, 0, 4), (1, 1, 1, 4), (2, 3, 2, 4), (3, 1, 3, 4),
    (5, 0, 8, 0), (5, 1, 6, 1), (7, 1, 8, 1),
    (9, 0, 12, 0), (9, 1, 10, 1), (11, 1, 12, 1),
]
EXPECTED = [["" if c is None else c for c in row] for row in FORM]


def write_form_xlsx(path, *, title_row=True, sheet="绩效目标表"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    top = 0
    if title_row:
        ws.append([TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        top = 1
    for row in FORM:
        ws.append([int(c) if c == "600" else c for c in row])   # the budget as a number
    for r0, c0, r1, c1 in MERGES:
        ws.merge_cells(start_row=r0 + 1 + top, start_column=c0 + 1,
                       end_row=r1 + 1 + top, end_column=c1 + 1)
    ws["H40"].font = openpyxl.styles.Font(bold=True)          # formatted but empty: trimmed
    wb.save(path)
    return path


def write_form_docx(path, *, before=("附件2-1", TITLE, "填报单位：（盖章）  单位：万元")):
    d = docx.Document()
    for text in before:
        d.add_paragraph(text)
    t = d.add_table(rows=len(FORM), cols=5)
    for r0, c0, r1, c1 in MERGES:
        t.cell(r0, c0).merge(t.cell(r1, c1))
    for r, row in enumerate(FORM):
        for c, text in enumerate(row):
            if text is not None:
                cell = t.cell(r, c)
                lines = text.split("\n")
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:          # a second paragraph, not a line break
                    cell.add_paragraph(line)
    d.save(path)
    return path


# --- xlsx --------------------------------------------------------------------------------


def test_xlsx_form_grid_with_merged_cells(tmp_path):
    doc = read_xlsx(write_form_xlsx(tmp_path / "form.xlsx"))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.sheet == "绩效目标表" and table.title == ["绩效目标表"] and table.index == 0
    assert table.rows == [[TITLE, "", "", "", ""]] + EXPECTED
    assert doc.paragraphs == []


def test_xlsx_sheets_values_and_trimming(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数值"
    ws.append([25, 25.0, 48.588, 0.1 + 0.2, dt.date(2021, 1, 1)])
    ws.append([dt.datetime(2021, 12, 31, 0, 0), dt.datetime(2024, 3, 4, 10, 30), True, None, "  "])
    ws["A3"] = 0.95
    ws["A3"].number_format = "0%"
    ws["B3"] = 0.9575
    ws["B3"].number_format = "0.00%"
    ws["C3"] = "=1+1"                        # never calculated: no cached value
    ws["D3"] = "第一行\r\n第二行"
    gaps = wb.create_sheet("空行")
    gaps["A1"] = "a"
    gaps["A3"] = "b"                          # row 2 is empty and stays
    gaps["A6"] = " "                          # whitespace only: trimmed with the rows after b
    wb.create_sheet("空表")
    wb.save(tmp_path / "values.xlsx")

    doc = read_document(tmp_path / "values.xlsx")
    assert [(t.index, t.sheet, t.title) for t in doc.tables] == [
        (0, "数值", ["数值"]), (1, "空行", ["空行"]), (2, "空表", ["空表"])]
    assert doc.tables[0].rows == [
        ["25", "25", "48.588", "0.3", "2021.01.01"],
        ["2021.12.31", "2024.03.04 10:30", "TRUE", "", "  "],   # kept: inside the table
        ["95%", "95.75%", "", "第一行\n第二行", ""],
    ]
    assert doc.tables[1].rows == [["a"], [""], ["b"]]
    assert doc.tables[2].rows == []


def test_cell_text_numbers():
    assert cell_text(25) == "25"
    assert cell_text(25.0) == "25"
    assert cell_text(48.588) == "48.588"
    assert cell_text(-0.5) == "-0.5"
    assert cell_text(807.69) == "807.69"
    assert cell_text(1e20) == "1e+20"
    assert cell_text(None) == ""


def test_xlsx_long_cell_is_truncated_with_marker(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "长" * (MAX_CELL_CHARS + 500)
    wb.save(tmp_path / "long.xlsx")
    cell = read_xlsx(tmp_path / "long.xlsx").tables[0].rows[0][0]
    assert cell == "长" * MAX_CELL_CHARS + CLIP_MARKER


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_truncated_office_file_is_refused_in_chinese(tmp_path, kind):
    write = write_form_xlsx if kind == "xlsx" else write_form_docx
    data = write(tmp_path / f"good.{kind}").read_bytes()
    bad = tmp_path / f"cut.{kind}"
    bad.write_bytes(data[: len(data) // 2])
    for read in (read_xlsx, read_document) if kind == "xlsx" else (read_document,):
        with pytest.raises(InputError) as err:
            read(bad)
        assert str(err.value) == f"{bad}：无法读取 .{kind}：文件已损坏或不完整"


def test_xlsx_with_damaged_member_is_refused(tmp_path):
    # a complete zip whose sheet XML is cut: the zip guard passes, openpyxl fails
    good = write_form_xlsx(tmp_path / "good.xlsx")
    bad = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info.filename, data)
    with pytest.raises(InputError) as err:
        read_document(bad)
    assert "无法读取 .xlsx：文件已损坏或不完整" in str(err.value)


def _bomb(path, member, size, *, compressible=True, extra=("xl/workbook.xml",)):
    """A zip whose `member` inflates to `size` bytes, streamed (low memory)."""
    chunk = bytes(1024 * 1024) if compressible else os.urandom(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in extra:
            zf.writestr(name, "<x/>")
        with zf.open(member, "w", force_zip64=True) as fh:
            left = size
            while left > 0:
                fh.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
    return path


def test_zip_bomb_member_ratio_is_refused(tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 5 * 1024 * 1024)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InputError) as err:
        read_document(bomb)
    assert str(err.value).startswith(f"{bomb}：")
    assert "压缩炸弹" in str(err.value)


def test_unzipped_size_limit_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_MAX_UNZIPPED_MB", "1")
    big = _bomb(tmp_path / "big.xlsx", "xl/media/image1.bin", 2 * 1024 * 1024, compressible=False)
    with pytest.raises(InputError) as err:
        read_document(big)
    assert "解压后过大" in str(err.value) and "上限 1 MB" in str(err.value)
    doc_bomb = _bomb(tmp_path / "big.docx", "word/media/image1.bin", 2 * 1024 * 1024,
                     compressible=False, extra=("word/document.xml",))
    with pytest.raises(InputError) as err:
        read_document(doc_bomb)
    assert ".docx 解压后过大" in str(err.value)


def test_cell_limits_from_env(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    for r in range(20):
        wb.active.append([f"{r}-{c}" for c in range(10)])
    wb.save(tmp_path / "many.xlsx")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目名称"
    wb.active["CV100"] = "远处的内容"          # 2 cells, a 100 × 100 grid
    wb.save(tmp_path / "far.xlsx")
    monkeypatch.setenv("JIXIAO_MAX_CELLS", "150")
    with pytest.raises(InputError) as err:
        read_xlsx(tmp_path / "many.xlsx")
    assert "表格过大（200 个单元格，上限 150）" in str(err.value)
    monkeypatch.setenv("JIXIAO_MAX_CELLS", "1000")
    with pytest.raises(InputError) as err:
        read_xlsx(tmp_path / "far.xlsx")
    assert "范围过大（100 行 × 100 列）" in str(err.value)
    monkeypatch.delenv("JIXIAO_MAX_CELLS")
    assert read_xlsx(tmp_path / "far.xlsx").tables[0].rows[99][99] == "远处的内容"


# --- docx --------------------------------------------------------------------------------


def test_docx_form_grid_title_and_paragraphs(tmp_path):
    path = write_form_docx(tmp_path / "form.docx")
    d = docx.Document(str(path))
    d.add_paragraph("")                                      # blank paragraphs are not text
    d.add_paragraph("附件2-2")
    d.add_paragraph("部门整体支出绩效目标表")
    second = d.add_table(rows=2, cols=2)
    second.cell(0, 0).text = "部门名称"
    second.cell(0, 1).text = "政务服务中心"
    d.save(str(path))

    doc = read_docx(path)
    assert doc.paragraphs == ["附件2-1", TITLE, "填报单位：（盖章）  单位：万元",
                              "附件2-2", "部门整体支出绩效目标表"]
    assert [t.index for t in doc.tables] == [0, 1]
    first, last = doc.tables
    assert first.title == ["附件2-1", TITLE, "填报单位：（盖章）  单位：万元"]
    assert first.sheet is None
    assert first.rows == EXPECTED
    assert last.title == ["附件2-2", "部门整体支出绩效目标表"]
    assert last.rows == [["部门名称", "政务服务中心"], ["", ""]]


def test_docx_nested_tables_line_breaks_and_grid_before(tmp_path):
    d = docx.Document()
    d.add_paragraph("第一行\n第二行")                          # a w:br inside one paragraph
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text = "外表"
    t.cell(0, 1).text = "甲\t乙"
    holder = t.cell(1, 1)
    holder.paragraphs[0].text = "嵌套说明"
    inner = holder.add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "内表"
    inner.cell(0, 1).text = "值"
    deeper = inner.cell(0, 1).add_table(rows=1, cols=1)
    deeper.cell(0, 0).text = "更深"
    # row 3 starts one grid column in (w:gridBefore) and has only two cells
    tr = t.rows[2]._tr
    tr.remove(tr.tc_lst[0])
    trpr = tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    trpr.append(before)
    tr.tc_lst[0].clear_content()
    tr.tc_lst[0].add_p().append(OxmlElement("w:r"))
    tr.tc_lst[0].p_lst[0].r_lst[0].append(OxmlElement("w:t"))
    tr.tc_lst[0].p_lst[0].r_lst[0][0].text = "右移"
    d.add_paragraph("表后")
    d.save(tmp_path / "nested.docx")

    doc = read_docx(tmp_path / "nested.docx")
    assert doc.paragraphs == ["第一行", "第二行", "表后"]
    assert [t.rows for t in doc.tables] == [
        [["外表", "甲\t乙", ""], ["", "嵌套说明", ""], ["", "右移", ""]],
        [["内表", "值"]],
        [["更深"]],
    ]
    assert [t.index for t in doc.tables] == [0, 1, 2]
    assert doc.tables[0].title == ["第一行", "第二行"]
    assert doc.tables[1].title == ["第一行", "第二行", "嵌套说明"]
    assert doc.tables[2].title == ["第一行", "第二行", "嵌套说明", "值"]


# --- sniffing and refusals ----------------------------------------------------------------


def test_sniff_kind_by_extension_and_magic(tmp_path):
    xlsx = write_form_xlsx(tmp_path / "form.xlsx")
    renamed = tmp_path / "really_a_workbook.docx"
    renamed.write_bytes(xlsx.read_bytes())
    word = write_form_docx(tmp_path / "form.docx")
    for name, text, kind in [("a.csv", "a,b\n", "csv"), ("a.json", "[]", "json"),
                             ("a.jsonl", "{}\n", "jsonl"), ("a.txt", "x\n", "text"),
                             ("a.tsv", "a\tb\n", "text"), ("noext", "x\n", "text")]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert sniff_kind(tmp_path / name) == kind
    assert sniff_kind(xlsx) == "xlsx"
    assert sniff_kind(renamed) == "xlsx"
    assert read_document(renamed).tables[0].sheet == "绩效目标表"
    assert sniff_kind(word) == "docx"
    with pytest.raises(InputError) as err:
        read_document(tmp_path / "a.json")
    assert "不是表格" in str(err.value)


@pytest.mark.parametrize("name, head, message", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不支持旧版 .xls 格式，请另存为 .xlsx 后再试"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不支持旧版 .doc 格式，请另存为 .docx 后再试"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
     "文件设有打开密码"),
    ("export.xls", b"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><table>",
     "网页（HTML/XML）格式"),
    ("scan.pdf", b"%PDF-1.7\n", "是 PDF 文件"),
    ("fake.xlsx", "项目名称\t政务服务".encode("utf-8"), "无法读取 .xlsx：文件已损坏或不完整"),
])
def test_unsupported_formats_say_what_to_do(tmp_path, name, head, message):
    path = tmp_path / name
    path.write_bytes(head + bytes(512))
    with pytest.raises(InputError) as err:
        read_document(path)
    assert str(err.value).startswith(f"{path}：")
    assert message in str(err.value)


def test_empty_and_missing_files(tmp_path):
    for name in ("empty.txt", "empty.xlsx", "empty.docx", "empty.csv"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(InputError) as err:
            read_document(path)
        assert str(err.value) == f"{path}：文件为空"
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\u3000\n", encoding="utf-8")
    with pytest.raises(InputError, match="文件为空"):
        read_text(blank)
    with pytest.raises(InputError, match="文件不存在"):
        read_document(tmp_path / "missing.xlsx")


def test_binary_garbage_is_not_text(tmp_path):
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)) * 64)
    controls = tmp_path / "controls.txt"
    controls.write_bytes(b"\x01\x02\x03\x04abc" * 100)
    for path in (garbage, controls):
        with pytest.raises(InputError) as err:
            read_document(path)
        assert str(err.value) == f"{path}：不是文本文件（可能是二进制或损坏的文件）"


def test_text_size_limit_from_env(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("项目名称\t政务服务\n" * 200, encoding="utf-8")
    assert read_text(path).startswith("项目名称")
    monkeypatch.setenv("JIXIAO_MAX_TEXT_MB", "0.001")
    with pytest.raises(InputError) as err:
        read_text(path)
    assert "文件过大（" in str(err.value) and "上限 1 KB）" in str(err.value)


# --- text decoding -------------------------------------------------------------------------


def test_gb18030_and_other_encodings_decode_like_utf8(tmp_path):
    src = seed("000")
    text = src.read_text(encoding="utf-8")
    assert read_text(src) == text
    variants = {
        "gb18030.txt": text.encode("gb18030"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16le.txt": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf16be.txt": b"\xfe\xff" + text.encode("utf-16-be"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        assert read_text(tmp_path / name) == text, name
    gbk_plain = "年度绩效目标：审批事项入驻率≥95%"
    (tmp_path / "gbk.txt").write_bytes(gbk_plain.encode("gbk"))
    assert read_text(tmp_path / "gbk.txt") == gbk_plain


def test_csv_with_bom_quotes_and_delimiters(tmp_path):
    bom = tmp_path / "2021年项目清单.csv"
    bom.write_bytes("项目名称,预算金额,指标\r\n政务服务业务,600,\"a,b\r\n第二行\"\r\n,,\r\n".encode("utf-8-sig"))
    doc = read_csv(bom)
    assert len(doc.tables) == 1
    assert doc.tables[0].rows == [["项目名称", "预算金额", "指标"], ["政务服务业务", "600", "a,b\n第二行"]]
    assert doc.tables[0].title == ["2021年项目清单"]

    semi = tmp_path / "semi.csv"
    semi.write_bytes("项目名称;预算金额\n一网通办业务经费;807,69\n".encode("gb18030"))
    assert read_document(semi).tables[0].rows == [["项目名称", "预算金额"], ["一网通办业务经费", "807,69"]]

    tabs = tmp_path / "tabs.csv"
    tabs.write_text("项目名称\t预算金额\t\n短行\n", encoding="utf-8")
    assert read_document(tabs).tables[0].rows == [["项目名称", "预算金额"], ["短行", ""]]


def test_csv_broken_quotes_are_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n"x' + "y" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_csv(path)
    assert str(err.value).startswith(f"{path}：CSV 格式有误")


# --- round trip through the layout interpreter ----------------------------------------------


def _filings(path):
    from jixiao.corpus.parse import parse_file

    out = []
    for f in parse_file(path):
        d = f.model_dump(exclude={"source"})
        for ind in d["indicators"]:
            ind.pop("source")
        out.append(d)
    return out


def test_same_form_as_docx_xlsx_and_csv_parses_to_the_same_filing(tmp_path):
    from_docx = _filings(write_form_docx(tmp_path / "form.docx"))
    from_xlsx = _filings(write_form_xlsx(tmp_path / "form.xlsx"))
    untitled = _filings(write_form_xlsx(tmp_path / "untitled.xlsx", title_row=False,
                                        sheet="2021年项目支出绩效目标表"))
    csv_path = tmp_path / f"{TITLE}.csv"             # what Excel's "save as CSV" gives
    csv_path.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in EXPECTED) + "\n",
                        encoding="gb18030")
    from_csv = _filings(csv_path)

    assert len(from_docx) == 1
    filing = from_docx[0]
    assert (filing["name"], filing["year"], filing["budget"], filing["department"]) == (
        "政务服务业务", 2021, 600.0, "行政审批制度改革科")
    assert [(i["level1"], i["level2"], i["name"], i["value"]) for i in filing["indicators"]][:3] == [
        ("产出指标", "数量指标", "政务服务中心窗口及分中心", "6个"),
        ("产出指标", "数量指标", "12345热线", "1条"),
        ("产出指标", "质量指标", "审批事项入驻率", "≥95%"),
    ]
    assert len(filing["indicators"]) == 9
    assert from_xlsx == from_docx
    assert untitled == from_docx
    assert from_csv == from_docx
