"""Drafts as a Word document in the official form layout (python-docx).

    docx_bytes(drafts, stamp=None) -> bytes
    write_docx(drafts, path, *, stamp=None, sync_dir=True)

For each draft, as many provinces file it:
  title        项目支出绩效目标表（2025年度）, then 填报单位（盖章）： … 单位：万元
  one table    the project facts (项目名称 | 主管部门 · 预算金额（万元） | 项目实施期 | 年度绩效目标),
               then the indicator grid 一级 | 二级 | 三级 | 指标值 | 绩效标准 with 一级 and 二级
               merged down their rows (w:vMerge); all nine 二级 categories appear, as on the printed
               form.  A value that needs input is left empty and shaded yellow.
  after it     the signature line, a legend, and 推荐依据 (why each line is there) as numbered
               paragraphs — paragraphs, not a table, so the document holds one filing per draft.
Several drafts: one form per draft, each on a new page.  A4 portrait, 宋体.

The document reads back with corpus.parse.parse_file (the .docx reader keeps merged cells once)
into the same name, department, budget, year, period and indicators (level2, name, value, basis).
The bytes are reproducible: the core properties carry `stamp` (writers.xlsx.xlsx_stamp) and every
zip entry a fixed time, so `jixiao batch --format docx` run twice writes the same files.
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile

from jixiao.corpus.categories import LEVEL1_OF

from .atomic import write_bytes
from .explain import GRID_HEADER, NEEDS_INPUT, facts, form_title, full_reasons, number_text

FONT = "宋体"
TODO_FILL = "FFF2CC"
LABEL_FILL = "F2F2F2"
COL_WIDTHS_CM = (2.2, 3.0, 6.4, 3.2, 2.6)            # 一级 | 二级 | 三级 | 指标值 | 绩效标准
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_TEXT = 32767


def _text(value) -> str:
    """Text fit for WordprocessingML: no characters XML forbids, not unbounded."""
    text = _XML_ILLEGAL.sub("", "" if value is None else str(value))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _write(cell, text: str, *, bold: bool = False, center: bool = False, fill: str | None = None) -> None:
    """The cell's text (one paragraph per line), its style and shading."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    lines = _text(text).split("\n")
    para = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            para = cell.add_paragraph()
        run = para.add_run(line)
        run.bold = bold or None
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if fill:
        _shade(cell, fill)


def _grid_rows(draft) -> list[tuple[str, str, object]]:
    """(一级, 二级, indicator or None) in form order, every 二级 at least one row."""
    out = []
    for l2, group in draft.by_category():
        for _, ind in group or [(None, None)]:
            out.append((LEVEL1_OF[l2], l2, ind))
    return out


def _merge_down(cells, col: int, first: int, labels: list[str]) -> None:
    """Merge runs of equal labels in column `col` (rows from `first`), writing each label once."""
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            top = cells[first + start][col]
            if i - 1 > start:
                top = top.merge(cells[first + i - 1][col])
            _write(top, labels[start], bold=True, center=True)
            start = i


def _form(doc, draft) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    f = dict(facts(draft))
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_text(form_title(draft)))
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph("填报单位（盖章）：" + " " * 40 + "单位：万元")

    grid = _grid_rows(draft)
    head = 5                                   # facts rows, then the grid header
    table = doc.add_table(rows=head + len(grid), cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # every cell once, before any merge (Table.cell() walks the whole table on each call)
    cells = [list(row.cells) for row in table.rows]
    for row in cells:
        for cell, width in zip(row, COL_WIDTHS_CM):
            cell.width = Cm(width)

    def label(r: int, c: int, text: str) -> None:
        _write(cells[r][c], text, bold=True, center=True, fill=LABEL_FILL)

    label(0, 0, "项目名称")
    label(1, 0, "主管部门")
    label(1, 3, "预算金额（万元）")
    _write(cells[1][4], number_text(draft.project.budget), center=True)
    label(2, 0, "项目实施期")
    label(3, 0, "年度绩效目标")
    for c, text in enumerate(GRID_HEADER):
        label(4, c, text)
    for r, (_, _, ind) in enumerate(grid, head):
        todo = ind is not None and ind.needs_input
        _write(cells[r][2], ind.name if ind else "")
        _write(cells[r][3], "" if ind is None or todo else ind.value, center=True,
               fill=TODO_FILL if todo else None)
        _write(cells[r][4], (ind.basis or "") if ind else "", center=True)
    _write(cells[0][1].merge(cells[0][4]), f["项目名称"])
    _write(cells[1][1].merge(cells[1][2]), f["主管部门"])
    _write(cells[2][1].merge(cells[2][4]), f["项目实施期"])
    _write(cells[3][1].merge(cells[3][4]), f["年度绩效目标"])
    _merge_down(cells, 0, head, [l1 for l1, _, _ in grid])
    _merge_down(cells, 1, head, [l2 for _, l2, _ in grid])

    doc.add_paragraph("填表人：            联系电话：            填报日期：            单位负责人签字：")
    todo = sum(1 for i in draft.indicators if i.needs_input)
    legend = (f"注：黄色底纹的 {todo} 个指标值{NEEDS_INPUT}。" if todo else "注：") + \
        "每个指标的推荐依据和审核提示列在下面。"
    small = doc.add_paragraph().add_run(legend)
    small.font.size = Pt(9)
    _reasons(doc, draft)


def _reasons(doc, draft) -> None:
    from docx.shared import Pt

    if not draft.indicators and not draft.lint:
        return
    head = doc.add_paragraph().add_run("推荐依据与审核提示")
    head.bold = True
    for n, ind in enumerate(draft.indicators, 1):
        value = NEEDS_INPUT if ind.needs_input else ind.value
        text = f"{n}. {ind.level2}「{ind.name}」{value}：" + "；".join(full_reasons(ind))
        doc.add_paragraph().add_run(_text(text)).font.size = Pt(9)
    for f in draft.lint:
        doc.add_paragraph().add_run(_text(f"［{f.rule.split()[0]}］{f.message}")).font.size = Pt(9)


def _document(stamp: datetime.datetime, title: str):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):          # the template's stock thumbnail image
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2.0)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "jixiao"
    cp.title = _text(title)[:255]
    cp.comments = "jixiao（绩效）生成的绩效目标表草稿"
    cp.created = cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1
    return doc


def _fixed_zip(data: bytes) -> bytes:
    """The package with every entry's time fixed (python-docx stamps them with the clock)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_bytes(drafts, stamp: datetime.datetime | None = None) -> bytes:
    """The Word document of one draft or a list of drafts, as bytes (see the module doc)."""
    from docx.enum.section import WD_SECTION

    from .xlsx import xlsx_stamp

    items = drafts if isinstance(drafts, list) else [drafts]
    if stamp is None:
        stamp = xlsx_stamp(items[0].project.year if items else None)
    title = form_title(items[0]) if len(items) == 1 else f"项目支出绩效目标表（{len(items)} 个项目）"
    doc = _document(stamp, title)
    body = doc.element.body
    for p in list(body.iterchildren()):              # the template's empty first paragraph
        if p.tag.endswith("}p"):
            body.remove(p)
    for i, draft in enumerate(items):
        if i:
            doc.add_section(WD_SECTION.NEW_PAGE)
        _form(doc, draft)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def write_docx(drafts, path, *, stamp: datetime.datetime | None = None, sync_dir: bool = True) -> None:
    """One draft or a list of drafts to one Word document, written atomically."""
    write_bytes(path, docx_bytes(drafts, stamp), sync_dir=sync_dir)
