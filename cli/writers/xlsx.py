"""Drafts as an Excel workbook in the official form layout (openpyxl).

Sheets, for one draft:
  绩效目标表   the 项目支出绩效目标表 as filed: title with the year, the project facts block, the
              indicator grid 一级 | 二级 | 三级 | 指标值 | 绩效标准 with 一级 and 二级 merged over their
              rows; all nine 二级 categories appear, as on the printed form.  Values that need
              input are empty, filled yellow and carry a note "待填写".  A4, fit to width.
  系统导入     the budget-system import columns 一级指标, 二级指标, 三级指标, 计算符号, 指标值, 计量单位,
              指标值设定依据 (the value split by corpus.values.split_value).
  推荐依据     every indicator's reasons and the review findings.
Several drafts: one form sheet per draft (named after the project), then one 系统导入 and one
推荐依据 sheet with a leading 项目名称 column.

The form sheet reads back with corpus.parse.parse_file into the same name, budget, year and
indicators (level2, name, value).  Every cell goes through safety.set_cell.
"""
from __future__ import annotations

import math
from copy import copy

from corpus.categories import LEVEL1_OF
from corpus.values import years_in

from .atomic import atomic_path
from .explain import (
    GRID_HEADER,
    IMPORT_HEADER,
    NEEDS_INPUT,
    SEVERITY_LABEL,
    STATUS_LABEL,
    facts,
    form_title,
    full_reasons,
    import_row,
    indicator_ref,
)
from .safety import safe_sheet_title, set_cell
from .tabular import fill_sheet, text_width

FONT = "宋体"
WIDTHS = {"A": 11, "B": 15, "C": 44, "D": 20, "E": 13}
TODO_FILL = "FFF2CC"
LABEL_FILL = "F2F2F2"
LINE_HEIGHT = 15.0
FORM_SHEET = "绩效目标表"
IMPORT_SHEET = "系统导入"
REASON_SHEET = "推荐依据"


class _Styles:
    """Style objects, built once per workbook, and a cache of the combinations used.

    Setting font/alignment/fill/border on an openpyxl cell hashes every style object each time;
    a form has a few hundred cells in half a dozen combinations, so the first cell of each
    combination is styled normally and the others get a copy of its style array."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=11)
        self.bold = Font(name=FONT, size=11, bold=True)
        self.title = Font(name=FONT, size=16, bold=True)
        self.small = Font(name=FONT, size=10, color="595959")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center")
        self.label_fill = PatternFill("solid", fgColor=LABEL_FILL)
        self.todo_fill = PatternFill("solid", fgColor=TODO_FILL)
        self._cache: dict[tuple, object] = {}

    def apply(self, cell, font=None, align=None, fill=None, border=True) -> None:
        key = (id(font), id(align), id(fill), border)
        cached = self._cache.get(key)
        if cached is not None:
            cell._style = copy(cached)        # openpyxl's StyleArray: indices into the workbook
            return
        if font is not None:
            cell.font = font
        if align is not None:
            cell.alignment = align
        if fill is not None:
            cell.fill = fill
        if border:
            cell.border = self.border
        self._cache[key] = copy(cell._style)


def _lines(text, width_chars: float) -> int:
    """How many lines `text` takes in a column `width_chars` wide (Excel width units)."""
    usable = max(4.0, width_chars - 1.5)
    return max(1, sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text or "").split("\n")))


def _put(ws, row: int, col: int, value, st: _Styles, *, font=None, align=None, fill=None, border=True):
    """Style a cell, then write its value (set_cell may add the quote prefix to the style)."""
    cell = ws.cell(row=row, column=col)
    st.apply(cell, font or st.font, align or st.left, fill, border)
    return set_cell(cell, value)


def _merge(ws, r1: int, c1: int, r2: int, c2: int) -> None:
    """Merge before the top-left cell is styled: openpyxl then has no borders to spread."""
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _box(ws, r1: int, c1: int, r2: int, c2: int, st: _Styles) -> None:
    """Borders on the cells of a range that no _put styled (the covered parts of merges)."""
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            cell = ws.cell(row=r, column=c)
            if not cell.has_style:
                st.apply(cell)


def _width(cols: str) -> float:
    return sum(WIDTHS[c] for c in cols)


def _grid_layout(draft, first_row: int):
    """[(row, 一级, 二级, indicator or None)] in form order, every 二级 at least one row."""
    out = []
    r = first_row
    for l2, group in draft.by_category():
        for _, ind in group or [(None, None)]:
            out.append((r, LEVEL1_OF[l2], l2, ind))
            r += 1
    return out


def _spans(layout, key) -> list[tuple[int, int, str]]:
    """(first row, last row, label) of consecutive rows sharing key(row)."""
    spans: list[tuple[int, int, str]] = []
    for r, l1, l2, _ in layout:
        label = key(l1, l2)
        if spans and spans[-1][2] == label:
            spans[-1] = (spans[-1][0], r, label)
        else:
            spans.append((r, r, label))
    return spans


def _form_sheet(ws, draft, st: _Styles) -> None:
    from openpyxl.comments import Comment
    from openpyxl.worksheet.properties import PageSetupProperties

    f = dict(facts(draft))
    header_row = 7
    layout = _grid_layout(draft, header_row + 1)
    end = header_row + len(layout)            # last grid row
    l1_spans = _spans(layout, lambda l1, l2: l1)
    l2_spans = _spans(layout, lambda l1, l2: l2)

    for r1, c1, r2, c2 in [(1, 1, 1, 5), (2, 1, 2, 3), (2, 4, 2, 5), (3, 2, 3, 5), (4, 2, 4, 3),
                           (5, 2, 5, 5), (6, 2, 6, 5), (end + 2, 1, end + 2, 5), (end + 3, 1, end + 3, 5)]:
        _merge(ws, r1, c1, r2, c2)
    for a, b, _ in l1_spans:
        _merge(ws, a, 1, b, 1)
    for a, b, _ in l2_spans:
        _merge(ws, a, 2, b, 2)

    # title and the line above the facts block
    heights: dict[int, float] = {1: 30}
    _put(ws, 1, 1, form_title(draft), st, font=st.title, align=st.center, border=False)
    _put(ws, 2, 1, "填报单位（盖章）：", st, border=False)
    _put(ws, 2, 4, "单位：万元", st, align=st.right, border=False)

    # project facts: label | value (merged) [| label | value]
    def label(r, c, text):
        _put(ws, r, c, text, st, font=st.bold, align=st.center, fill=st.label_fill)

    label(3, 1, "项目名称")
    _put(ws, 3, 2, f["项目名称"], st)
    label(4, 1, "主管部门")
    _put(ws, 4, 2, f["主管部门"], st)
    label(4, 4, "预算金额（万元）")
    budget = draft.project.budget
    _put(ws, 4, 5, budget if budget is not None else "", st, align=st.center)
    label(5, 1, "项目实施期")
    _put(ws, 5, 2, f["项目实施期"], st)
    label(6, 1, "年度绩效目标")
    _put(ws, 6, 2, f["年度绩效目标"], st, align=st.top_left)
    _box(ws, 3, 1, 6, 5, st)
    heights[3] = LINE_HEIGHT * max(_lines(f["项目名称"], _width("BCDE")), 1.4)
    heights[4] = LINE_HEIGHT * max(_lines(f["主管部门"], _width("BC")), _lines("预算金额（万元）", WIDTHS["D"]), 1.4)
    heights[5] = LINE_HEIGHT * max(_lines(f["项目实施期"], _width("BCDE")), 1.4)
    heights[6] = LINE_HEIGHT * max(3, _lines(f["年度绩效目标"], _width("BCDE")))

    # indicator grid: 一级 and 二级 merged over their rows
    for c, text in enumerate(GRID_HEADER, 1):
        label(header_row, c, text)
    heights[header_row] = 22
    for a, _, l1 in l1_spans:
        _put(ws, a, 1, l1, st, font=st.bold, align=st.center)
    for a, _, l2 in l2_spans:
        _put(ws, a, 2, l2, st, font=st.bold, align=st.center)
    for r, _, _, ind in layout:
        name = ind.name if ind else ""
        todo = ind is not None and ind.needs_input
        value = "" if ind is None or todo else ind.value
        basis = (ind.basis or "") if ind else ""
        _put(ws, r, 3, name, st)
        cell = _put(ws, r, 4, value, st, align=st.center, fill=st.todo_fill if todo else None)
        _put(ws, r, 5, basis, st, align=st.center)
        if todo:
            note = "；".join(full_reasons(ind))
            cell.comment = Comment(f"{NEEDS_INPUT}：{note}"[:2000], "jixiao", width=300, height=120)
        heights[r] = LINE_HEIGHT * max(_lines(name, WIDTHS["C"]), _lines(value, WIDTHS["D"]),
                                       _lines(basis, WIDTHS["E"]), 1.3)
    _box(ws, header_row, 1, end, 5, st)

    # footer as on the printed form, then a legend
    _put(ws, end + 2, 1, "填表人：            联系电话：            填报日期：            单位负责人签字：",
         st, border=False)
    todo_count = sum(1 for i in draft.indicators if i.needs_input)
    legend = (f"注：黄色底纹的 {todo_count} 个指标值{NEEDS_INPUT}。" if todo_count else "注：") + \
        f"每个指标的推荐依据和审核提示见“{REASON_SHEET}”工作表；“{IMPORT_SHEET}”工作表可导入预算管理系统。"
    _put(ws, end + 3, 1, legend, st, font=st.small, border=False)
    heights[end + 3] = LINE_HEIGHT * _lines(legend, _width("ABCDE"))

    for col, w in WIDTHS.items():
        ws.column_dimensions[col].width = w
    for row, h in heights.items():
        ws.row_dimensions[row].height = h
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:E{end + 3}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.freeze_panes = f"A{header_row + 1}"


def _reason_rows(draft, with_name: bool):
    lead = (draft.project.name,) if with_name else ()
    for n, ind in enumerate(draft.indicators, 1):
        yield lead + (n, ind.level2, ind.name, NEEDS_INPUT if ind.needs_input else ind.value,
                      STATUS_LABEL.get(ind.status, ind.status), "\n".join(full_reasons(ind)))


def _lint_rows(draft, with_name: bool):
    lead = (draft.project.name,) if with_name else ()
    for f in draft.lint:
        yield lead + (SEVERITY_LABEL[f.severity], f.rule, f.message, indicator_ref(draft, f.indicator))


def _reason_sheet(ws, drafts, with_name: bool) -> None:
    """A title row, then reasons per indicator and, below, the review findings.

    Nothing from a draft stands in the first two rows: the corpus reader takes any table whose
    first rows mention 部门整体支出 for a department table."""
    from openpyxl.styles import Font

    set_cell(ws.cell(row=1, column=1), "推荐依据与审核提示").font = Font(bold=True, size=13)
    lead = ("项目名称",) if with_name else ()
    header = lead + ("序号", "二级指标", "三级指标", "指标值", "状态", "推荐依据")
    reasons = [row for d in drafts for row in _reason_rows(d, with_name)]
    lint_header = lead + ("级别", "规则", "审核提示", "所指指标")
    lint = [row for d in drafts for row in _lint_rows(d, with_name)]
    lint = lint or [tuple("" for _ in lead) + ("—", "", "未发现问题", "")]
    last = fill_sheet(ws, header, reasons + [(), lint_header] + lint, max_width=70, first_row=3)
    bold = Font(bold=True)
    for c in range(1, len(lint_header) + 1):
        ws.cell(row=last - len(lint), column=c).font = bold
    ws.auto_filter.ref = None


def _form_title_for(draft, taken: set[str], single: bool) -> str:
    if single:
        return safe_sheet_title(FORM_SHEET, taken)
    name = draft.project.name or FORM_SHEET
    # the reader takes a year named in the sheet title first: keep it the draft's year
    year = draft.project.year
    if year and any(y != year for y in years_in(name)):
        name = f"{year}年 {name}"
    return safe_sheet_title(name, taken, fallback=FORM_SHEET)


def build_workbook(drafts):
    import openpyxl

    single = len(drafts) == 1
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    st = _Styles()
    taken = {IMPORT_SHEET, REASON_SHEET}
    for d in drafts:
        _form_sheet(wb.create_sheet(_form_title_for(d, taken, single)), d, st)
    ws = wb.create_sheet(IMPORT_SHEET)
    lead = () if single else ("项目名称",)
    rows = [((() if single else (d.project.name,)) + import_row(i))
            for d in drafts for _, group in d.by_category() for _, i in group]
    fill_sheet(ws, lead + IMPORT_HEADER, rows)
    _reason_sheet(wb.create_sheet(REASON_SHEET), drafts, not single)
    wb.active = 0
    return wb


def write_xlsx(drafts, path) -> None:
    """One draft or a list of drafts to one workbook, written atomically."""
    items = drafts if isinstance(drafts, list) else [drafts]
    wb = build_workbook(items)
    with atomic_path(path) as tmp:
        wb.save(tmp)
