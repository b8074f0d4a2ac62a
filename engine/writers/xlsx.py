"""Drafts as an Excel workbook in the official form layout (xlsxwriter).

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
indicators (level2, name, value).  Every cell goes through tabular.put (the formula guard).

The file is reproducible: its creation time is `stamp` (default `xlsx_stamp` of the first draft's
year: 1 January of that year, or SOURCE_DATE_EPOCH) and xlsxwriter gives every zip entry a fixed
time, so the same drafts always give the same bytes.  xlsxwriter writes a draft workbook in a few
milliseconds (openpyxl took ≈40 ms, most of `jixiao batch --format xlsx`).
"""
from __future__ import annotations

import datetime
import math
import os

from jixiao.corpus.categories import LEVEL1_OF
from jixiao.corpus.values import years_in

from .atomic import write_bytes
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
from .safety import safe_sheet_title
from .tabular import Formats, fill_sheet, new_workbook, put, text_width

FONT = "宋体"
WIDTHS = {"A": 11, "B": 15, "C": 44, "D": 20, "E": 13}
TODO_FILL = "FFF2CC"
LABEL_FILL = "F2F2F2"
LINE_HEIGHT = 15.0
FORM_SHEET = "绩效目标表"
IMPORT_SHEET = "系统导入"
REASON_SHEET = "推荐依据"

# cell properties of the form sheet (xlsxwriter format properties, combined per cell)
_FONT = {"font_name": FONT, "font_size": 11}
_BOLD = {**_FONT, "bold": True}
_TITLE = {"font_name": FONT, "font_size": 16, "bold": True}
_SMALL = {"font_name": FONT, "font_size": 10, "font_color": "#595959"}
_CENTER = {"align": "center", "valign": "vcenter", "text_wrap": True}
_LEFT = {"align": "left", "valign": "vcenter", "text_wrap": True}
_TOP_LEFT = {"align": "left", "valign": "top", "text_wrap": True}
_RIGHT = {"align": "right", "valign": "vcenter"}
_LABEL_FILL = {"pattern": 1, "bg_color": "#" + LABEL_FILL}
_TODO_FILL = {"pattern": 1, "bg_color": "#" + TODO_FILL}
_BORDER = {"border": 1, "border_color": "#000000"}


def xlsx_stamp(year: int | None) -> datetime.datetime:
    """The creation time written into .xlsx outputs: 1 January of the target year (this year's
    when none is given), or SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).replace(tzinfo=None)
    year = year or datetime.date.today().year
    return datetime.datetime(min(max(year, 1980), 2100), 1, 1)


class _Sheet:
    """One form sheet being written: the cells written so far (1-based), for the borders of the
    cells nothing else wrote."""

    def __init__(self, ws, fmts: Formats):
        self.ws, self.fmts = ws, fmts
        self.written: set[tuple[int, int]] = set()

    def put(self, row: int, col: int, value, *, font=None, align=None, fill=None, border=True):
        props = {**(font or _FONT), **(align or _LEFT), **(fill or {}), **(_BORDER if border else {})}
        self.written.add((row, col))
        return put(self.ws, self.fmts, row, col, value, props)

    def merge(self, r1: int, c1: int, r2: int, c2: int, **style) -> None:
        """A merged range; its top-left cell is written afterwards with the same style."""
        if (r1, c1) != (r2, c2):
            props = {**(style.get("font") or _FONT), **(style.get("align") or _LEFT),
                     **(style.get("fill") or {}), **(_BORDER if style.get("border", True) else {})}
            self.ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", self.fmts.get(props))
            self.written.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))

    def box(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Borders on the cells of a range that nothing wrote."""
        fmt = self.fmts.get(_BORDER)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) not in self.written:
                    self.ws.write_blank(r - 1, c - 1, None, fmt)
                    self.written.add((r, c))


def _lines(text, width_chars: float) -> int:
    """How many lines `text` takes in a column `width_chars` wide (Excel width units)."""
    usable = max(4.0, width_chars - 1.5)
    return max(1, sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text or "").split("\n")))


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


def _form_sheet(ws, draft, fmts: Formats) -> None:
    sh = _Sheet(ws, fmts)
    f = dict(facts(draft))
    header_row = 7
    layout = _grid_layout(draft, header_row + 1)
    end = header_row + len(layout)            # last grid row
    l1_spans = _spans(layout, lambda l1, l2: l1)
    l2_spans = _spans(layout, lambda l1, l2: l2)
    label = {"font": _BOLD, "align": _CENTER, "fill": _LABEL_FILL}
    group = {"font": _BOLD, "align": _CENTER}

    # title and the line above the facts block
    heights: dict[int, float] = {1: 30}
    sh.merge(1, 1, 1, 5, font=_TITLE, align=_CENTER, border=False)
    sh.put(1, 1, form_title(draft), font=_TITLE, align=_CENTER, border=False)
    sh.merge(2, 1, 2, 3, border=False)
    sh.put(2, 1, "填报单位（盖章）：", border=False)
    sh.merge(2, 4, 2, 5, align=_RIGHT, border=False)
    sh.put(2, 4, "单位：万元", align=_RIGHT, border=False)

    # project facts: label | value (merged) [| label | value]
    sh.put(3, 1, "项目名称", **label)
    sh.merge(3, 2, 3, 5)
    sh.put(3, 2, f["项目名称"])
    sh.put(4, 1, "主管部门", **label)
    sh.merge(4, 2, 4, 3)
    sh.put(4, 2, f["主管部门"])
    sh.put(4, 4, "预算金额（万元）", **label)
    budget = draft.project.budget
    sh.put(4, 5, budget if budget is not None else "", align=_CENTER)
    sh.put(5, 1, "项目实施期", **label)
    sh.merge(5, 2, 5, 5)
    sh.put(5, 2, f["项目实施期"])
    sh.put(6, 1, "年度绩效目标", **label)
    sh.merge(6, 2, 6, 5, align=_TOP_LEFT)
    sh.put(6, 2, f["年度绩效目标"], align=_TOP_LEFT)
    sh.box(3, 1, 6, 5)
    heights[3] = LINE_HEIGHT * max(_lines(f["项目名称"], _width("BCDE")), 1.4)
    heights[4] = LINE_HEIGHT * max(_lines(f["主管部门"], _width("BC")), _lines("预算金额（万元）", WIDTHS["D"]), 1.4)
    heights[5] = LINE_HEIGHT * max(_lines(f["项目实施期"], _width("BCDE")), 1.4)
    heights[6] = LINE_HEIGHT * max(3, _lines(f["年度绩效目标"], _width("BCDE")))

    # indicator grid: 一级 and 二级 merged over their rows
    for c, text in enumerate(GRID_HEADER, 1):
        sh.put(header_row, c, text, **label)
    heights[header_row] = 22
    for a, b, l1 in l1_spans:
        sh.merge(a, 1, b, 1, **group)
        sh.put(a, 1, l1, **group)
    for a, b, l2 in l2_spans:
        sh.merge(a, 2, b, 2, **group)
        sh.put(a, 2, l2, **group)
    for r, _, _, ind in layout:
        name = ind.name if ind else ""
        todo = ind is not None and ind.needs_input
        value = "" if ind is None or todo else ind.value
        basis = (ind.basis or "") if ind else ""
        sh.put(r, 3, name)
        sh.put(r, 4, value, align=_CENTER, fill=_TODO_FILL if todo else None)
        sh.put(r, 5, basis, align=_CENTER)
        if todo:
            note = "；".join(full_reasons(ind))
            ws.write_comment(r - 1, 3, f"{NEEDS_INPUT}：{note}"[:2000],
                             {"author": "jixiao", "width": 300, "height": 120})
        heights[r] = LINE_HEIGHT * max(_lines(name, WIDTHS["C"]), _lines(value, WIDTHS["D"]),
                                       _lines(basis, WIDTHS["E"]), 1.3)
    sh.box(header_row, 1, end, 5)

    # footer as on the printed form, then a legend
    sh.merge(end + 2, 1, end + 2, 5, border=False)
    sh.put(end + 2, 1, "填表人：            联系电话：            填报日期：            单位负责人签字：",
           border=False)
    todo_count = sum(1 for i in draft.indicators if i.needs_input)
    legend = (f"注：黄色底纹的 {todo_count} 个指标值{NEEDS_INPUT}。" if todo_count else "注：") + \
        f"每个指标的推荐依据和审核提示见“{REASON_SHEET}”工作表；“{IMPORT_SHEET}”工作表可导入预算管理系统。"
    sh.merge(end + 3, 1, end + 3, 5, font=_SMALL, border=False)
    sh.put(end + 3, 1, legend, font=_SMALL, border=False)
    heights[end + 3] = LINE_HEIGHT * _lines(legend, _width("ABCDE"))

    for c, w in enumerate(WIDTHS.values()):
        ws.set_column(c, c, w)
    for row, h in sorted(heights.items()):
        ws.set_row(row - 1, h)
    ws.repeat_rows(header_row - 1)
    ws.print_area(0, 0, end + 2, 4)
    ws.set_paper(9)                            # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=1.0, bottom=1.0)
    ws.freeze_panes(header_row, 0)


def _reason_rows(draft, with_name: bool):
    lead = (draft.project.name,) if with_name else ()
    for n, ind in enumerate(draft.indicators, 1):
        yield lead + (n, ind.level2, ind.name, NEEDS_INPUT if ind.needs_input else ind.value,
                      STATUS_LABEL.get(ind.status, ind.status), "\n".join(full_reasons(ind)))


def _lint_rows(draft, with_name: bool):
    lead = (draft.project.name,) if with_name else ()
    for f in draft.lint:
        yield lead + (SEVERITY_LABEL[f.severity], f.rule, f.message, indicator_ref(draft, f.indicator))


def _reason_sheet(ws, fmts: Formats, drafts, with_name: bool) -> None:
    """A title row, then reasons per indicator and, below, the review findings.

    Nothing from a draft stands in the first two rows: the corpus reader takes any table whose
    first rows mention 部门整体支出 for a department table."""
    from .tabular import BODY_PROPS

    put(ws, fmts, 1, 1, "推荐依据与审核提示", {"bold": True, "font_size": 13})
    lead = ("项目名称",) if with_name else ()
    header = lead + ("序号", "二级指标", "三级指标", "指标值", "状态", "推荐依据")
    reasons = [row for d in drafts for row in _reason_rows(d, with_name)]
    lint_header = lead + ("级别", "规则", "审核提示", "所指指标")
    lint = [row for d in drafts for row in _lint_rows(d, with_name)]
    lint = lint or [tuple("" for _ in lead) + ("—", "", "未发现问题", "")]
    last = fill_sheet(ws, fmts, header, reasons + [(), lint_header] + lint, max_width=70, first_row=3,
                      autofilter=False)
    for c, text in enumerate(lint_header, 1):     # the findings' header row in bold
        put(ws, fmts, last - len(lint), c, text, {**BODY_PROPS, "bold": True})


def _form_title_for(draft, taken: set[str], single: bool) -> str:
    if single:
        return safe_sheet_title(FORM_SHEET, taken)
    name = draft.project.name or FORM_SHEET
    # the reader takes a year named in the sheet title first: keep it the draft's year
    year = draft.project.year
    if year and any(y != year for y in years_in(name)):
        name = f"{year}年 {name}"
    return safe_sheet_title(name, taken, fallback=FORM_SHEET)


def xlsx_bytes(drafts, stamp: datetime.datetime | None = None) -> bytes:
    """The workbook of one draft or a list of drafts, as bytes (see the module doc)."""
    items = drafts if isinstance(drafts, list) else [drafts]
    if stamp is None:
        stamp = xlsx_stamp(items[0].project.year if items else None)
    single = len(items) == 1
    wb, buf = new_workbook(stamp)
    fmts = Formats(wb)
    taken = {IMPORT_SHEET, REASON_SHEET}
    for d in items:
        _form_sheet(wb.add_worksheet(_form_title_for(d, taken, single)), d, fmts)
    lead = () if single else ("项目名称",)
    rows = [((() if single else (d.project.name,)) + import_row(i))
            for d in items for _, group in d.by_category() for _, i in group]
    fill_sheet(wb.add_worksheet(IMPORT_SHEET), fmts, lead + IMPORT_HEADER, rows)
    _reason_sheet(wb.add_worksheet(REASON_SHEET), fmts, items, not single)
    wb.close()
    return buf.getvalue()


def write_xlsx(drafts, path, *, stamp: datetime.datetime | None = None, sync_dir: bool = True) -> None:
    """One draft or a list of drafts to one workbook, written atomically."""
    write_bytes(path, xlsx_bytes(drafts, stamp), sync_dir=sync_dir)
