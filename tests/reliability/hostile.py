"""Hostile files for issue 17 (bounded memory and time, no traceback), built in little time and
disk from the shipped seeds, for tests/reliability/test_hostile_*.py and benchmarks/fuzz_campaign.py.

    xlsx_with(path, sheet_edit=None, extra=None)   a seed workbook whose first sheet's XML is edited
    merge_refs(refs) / hyperlink_ref(ref) / formatting_ref(ref)
                                                   sheet edits: merges, a range hyperlink, a range
                                                   conditional format
    shared_strings_xlsx(path, n, text, cells)      a workbook with n shared strings (and `cells`
                                                   cells referring to the first)
    docx_with(path, document_edit)                 a seed document whose body XML is edited
    grid_span(value, where) / long_run(chars, rnd) document edits
    seed_record(rnd) / with_values(rec, **fields)  one seed filing as a JSON record, fields replaced
    big_filing(n, rnd, names)                      one filing with n indicators
    filings_jsonl(path, n, per, rnd)               n filings of `per` indicators, one per line
    project_rows(n, rnd, hostile)                  rows of a `suggest --from` project list
    write_projects(rows, path)                     … as .jsonl / .json / .csv / .xlsx by suffix
    odd_name(rnd)                                  a file name with a line break, undecodable bytes …
"""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import zipfile
from pathlib import Path

from .mutants import seed_grids, seed_records, write_docx, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
DOCUMENT = "word/document.xml"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

LEVEL2 = ["数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "生态效益指标",
          "可持续影响指标", "服务对象满意度指标"]
NAMES = ["受益人口数量", "培训人次", "验收合格率", "服务对象满意度", "项目完成及时率", "资金支付及时率",
         "设备完好率", "群众满意度", "项目总成本", "工作任务完成率", "公共服务水平", "项目效益持续发挥",
         "12345热线接通率", "政务服务事项网上可办率", "绿化养护面积", "垃圾清运及时率"]


def _rewrite(src: Path, dst: Path, member: str, edit, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a zip with one member's text edited (and members added)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member and edit is not None:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


# --- workbooks -------------------------------------------------------------------------------------

def xlsx_with(path: Path, sheet_edit=None, grid: int = 0) -> Path:
    base = write_xlsx([seed_grids()[grid % len(seed_grids())]], path.with_name(path.stem + ".base.xlsx"))
    try:
        return _rewrite(base, path, SHEET, sheet_edit)
    finally:
        base.unlink()


def merge_refs(refs: list[str]):
    """A sheet edit adding these merged ranges."""
    def edit(xml: str) -> str:
        cells = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
        if "<mergeCells" in xml:
            xml = re.sub(r'<mergeCells[^>]*>', lambda m: "<mergeCells>" + cells, xml, count=1)
        else:
            xml = xml.replace("</sheetData>", f"</sheetData><mergeCells>{cells}</mergeCells>", 1)
        return xml
    return edit


def hyperlink_ref(ref: str):
    def edit(xml: str) -> str:
        return xml.replace("</worksheet>", f'<hyperlinks><hyperlink ref="{ref}" location="表1!A1"/></hyperlinks></worksheet>', 1)
    return edit


def formatting_ref(ref: str):
    def edit(xml: str) -> str:
        rule = (f'<conditionalFormatting sqref="{ref}"><cfRule type="expression" priority="1">'
                "<formula>TRUE</formula></cfRule></conditionalFormatting>")
        return xml.replace("</worksheet>", rule + "</worksheet>", 1)
    return edit


def shared_strings_xlsx(path: Path, n: int, text=lambda i: f"共享{i}", cells: int = 1,
                        rows_per_cell: bool = True) -> Path:
    """A hand-made workbook: `n` shared strings (written as a stream) and `cells` cells that all
    show the first of them, one per row."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>")
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN_NS}" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
               "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode())
            for r in range(1, cells + 1):
                fh.write(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>'.encode())
            fh.write(b"</sheetData></worksheet>")
        with zf.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN_NS}" count="{n}" uniqueCount="{n}">'.encode())
            chunk = []
            for i in range(n):
                chunk.append(f"<si><t>{text(i)}</t></si>")
                if len(chunk) >= 10_000:
                    fh.write("".join(chunk).encode())
                    chunk = []
            fh.write(("".join(chunk) + "</sst>").encode())
    return path


# --- documents -------------------------------------------------------------------------------------

def docx_with(path: Path, document_edit, grid: int = 0) -> Path:
    base = write_docx([seed_grids()[grid % len(seed_grids())]], path.with_name(path.stem + ".base.docx"))
    try:
        return _rewrite(base, path, DOCUMENT, document_edit)
    finally:
        base.unlink()


def grid_span(value: str, where: str = "gridSpan"):
    """A document edit: the first table cell spans `value` columns (gridSpan), or its row has
    `value` columns before / after it (gridBefore / gridAfter)."""
    def edit(xml: str) -> str:
        if where == "gridSpan":
            return re.sub(r"<w:tc>", f'<w:tc><w:tcPr><w:gridSpan w:val="{value}"/></w:tcPr>', xml, count=1)
        return re.sub(r"<w:tr( [^>]*)?>", lambda m: f'{m.group()}<w:trPr><w:{where} w:val="{value}"/></w:trPr>',
                      xml, count=1)
    return edit


def long_run(chars: int, rnd: random.Random):
    """A document edit: one paragraph holding `chars` random CJK characters in a single run."""
    text = "".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(chars))

    def edit(xml: str) -> str:
        return xml.replace("<w:body>", f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>", 1)
    return edit


# --- JSON records ----------------------------------------------------------------------------------

def seed_record(rnd: random.Random | None = None) -> dict:
    records = seed_records()
    return json.loads(records[(rnd or random.Random(0)).randrange(len(records))])


def with_values(rec: dict, **fields) -> dict:
    out = dict(rec)
    out.update(fields)
    return out


def raw_json(value, **replacements: str) -> str:
    """JSON text of a value with placeholders replaced verbatim (for what json.dumps will not
    write: lone surrogate escapes, NaN, numbers of a thousand digits)."""
    text = json.dumps(value, ensure_ascii=False)
    for key, raw in replacements.items():
        text = text.replace(json.dumps(key), raw)
    return text


def big_filing(n: int, rnd: random.Random, names=NAMES, name: str = "大型项目绩效目标表") -> dict:
    inds = [{"level2": rnd.choice(LEVEL2), "name": rnd.choice(names),
             "value": f"≥{rnd.randint(1, 99)}%"} for _ in range(n)]
    return {"name": name, "year": 2024, "budget": 100, "department": "某局", "indicators": inds}


def filings_jsonl(path: Path, n: int, per: int, rnd: random.Random) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(n):
            fh.write(json.dumps(big_filing(per, rnd, name=f"项目{k:05d}"), ensure_ascii=False) + "\n")
    return path


# --- project lists (suggest --from) -----------------------------------------------------------------

PROJECT_NAMES = ["政务服务热线运行维护", "城市道路绿化养护", "农村饮水安全工程", "中小学校舍维修", "老年人助餐服务",
                 "森林防火巡护", "档案数字化加工", "基层干部培训", "食品安全抽检", "应急物资储备"]
HOSTILE_VALUES = ['"\\ud800"', '"\\udfff名称"', "NaN", "Infinity", "-Infinity", "1e400", "9" * 60,
                  "9223372036854775808", "-5", "0", '"八万"', '"99999"', "null", "[]", "{}", "true"]


def project_rows(n: int, rnd: random.Random, hostile: float = 0.0) -> list[str]:
    """n JSON Lines rows; a `hostile` share carries one odd value (surrogate, NaN, a giant number …)."""
    out = []
    for i in range(n):
        row = {"name": f"{rnd.choice(PROJECT_NAMES)}{i}", "description": "完成年度工作任务，服务群众。",
               "budget": rnd.choice([10, 50, 80.5, 200]), "year": 2025, "department": "某局"}
        text = json.dumps(row, ensure_ascii=False)
        if rnd.random() < hostile:
            field = rnd.choice(["name", "description", "budget", "year", "department"])
            text = text.replace(json.dumps(row[field], ensure_ascii=False), rnd.choice(HOSTILE_VALUES), 1)
        out.append(text)
    return out


def write_projects(rows: list[str], path: Path) -> Path:
    """JSON Lines rows written as the file's format: .jsonl as is, .json as an array, .csv and
    .xlsx as a table (odd values as their text)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path
    if suffix == ".json":
        path.write_text("[" + ",\n".join(rows) + "]", encoding="utf-8")
        return path
    header = ["项目名称", "项目概况", "预算金额", "年度", "主管部门"]
    keys = ["name", "description", "budget", "year", "department"]
    table = []
    for line in rows:
        try:
            rec = json.loads(line)
        except ValueError:
            rec = {"name": line[:40]}
        if not isinstance(rec, dict):
            rec = {"name": str(rec)[:40]}
        table.append(["" if rec.get(k) is None else str(rec.get(k)) for k in keys])
    if suffix == ".csv":
        buf = io.StringIO(newline="")
        csv.writer(buf).writerows([header, *table])
        path.write_text(buf.getvalue(), encoding="utf-8-sig", errors="replace")
        return path
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [header, *table]:
        ws.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", c) for c in row])
    wb.save(path)
    return path


# --- names -------------------------------------------------------------------------------------------

def odd_name(rnd: random.Random, suffix: str) -> str:
    """A file name officers' folders really hold, or a hostile one: a line break, a tab,
    undecodable bytes (shown as \\xNN), leading dashes, very long."""
    kind = rnd.choice(["newline", "bytes", "dash", "long", "space"])
    if kind == "newline":
        return f"第一行\n第二行{suffix}"
    if kind == "bytes":
        return os.fsdecode(b"\xff\xfe\xe4\xb8" + suffix.encode())
    if kind == "dash":
        return f"--format{suffix}"
    if kind == "long":
        return "长" * 80 + suffix
    return f" 前后空格 {suffix}"
