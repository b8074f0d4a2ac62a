"""Excel workbooks (.xlsx/.xlsm) into grids: one Table per worksheet.

    read_xlsx(path) -> Document

* Every worksheet (chart sheets have no cells and are skipped) becomes one Table, in workbook
  order, hidden sheets included; `sheet` and `title` ([sheet name]) carry the sheet name.
* Cells become strings the way the sheet shows them: integers without ".0" (25, not 25.0),
  other numbers at 15 significant digits (48.588; binary noise like 0.30000000000000004 is
  dropped), percentage-formatted numbers as "95%", dates as YYYY.MM.DD (with " HH:MM" when a
  time is set), booleans as TRUE/FALSE, formulas as their cached values (data_only=True; a
  formula never calculated reads ""), line breaks as "\\n".
* Merged ranges: the value once at the top-left position, "" in every covered position.
* The grid is rectangular from A1 to the last row/column holding a non-blank cell: trailing
  empty rows and columns are trimmed; empty rows and columns inside the table are kept.

Guards, all before openpyxl loads anything: guard_zip (total uncompressed size, per-member
compression ratio, entry count, encryption) and a streaming count of the <c> elements of every
worksheet against max_cells().  After loading, the rectangular area of all sheets is held to the
same budget (a stray value at XFD1048576 would otherwise ask for 17 billion cells).  A cell
longer than MAX_CELL_CHARS is *truncated* with a visible marker rather than refusing the file.
A corrupt or truncated file raises InputError("无法读取 .xlsx：文件已损坏或不完整").
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import InputError
from .grid import Document, Table
from .textio import ZIP_ERRORS, clip_cell, count_tags, guard_zip, max_cells

_BROKEN = "无法读取 .xlsx：文件已损坏或不完整"
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_PERCENT_DECIMALS = re.compile(r"0(?:\.(0+))?%")


def _number(value: float, number_format: str | None) -> str:
    fmt = number_format or ""
    if "%" in fmt and "\"%\"" not in fmt and "\\%" not in fmt:
        m = _PERCENT_DECIMALS.search(fmt)
        decimals = len(m.group(1) or "") if m else 0
        return f"{value * 100:.{decimals}f}%"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(f"{value:.15g}"))


def cell_text(value, number_format: str | None = None) -> str:
    """One cell value as the sheet shows it (see module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number(value, number_format)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%Y.%m.%d")
        return value.strftime("%Y.%m.%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y.%m.%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return clip_cell(text)


def _sheet_rows(ws, budget: int, path: Path) -> list[list[str]]:
    # ws._cells holds only the cells the file defines; iterating ws.iter_rows() would create a
    # Cell object for every position of the used range.
    cells = getattr(ws, "_cells", {})
    texts: dict[tuple[int, int], str] = {}
    for (r, c), cell in cells.items():
        value = getattr(cell, "value", None)
        if value is None:
            continue
        text = cell_text(value, getattr(cell, "number_format", None))
        if text:
            texts[(r, c)] = text
    for rng in ws.merged_cells.ranges:      # openpyxl already empties covered cells; be sure
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    texts.pop((r, c), None)
    used = [(r, c) for (r, c), t in texts.items() if t.strip()]
    if not used:
        return []
    height = max(r for r, _ in used)
    width = max(c for _, c in used)
    if height * width > budget:
        raise InputError(path, f"工作表“{ws.title}”范围过大（{height} 行 × {width} 列），"
                               "请删除远处的多余内容后再试")
    rows = [[""] * width for _ in range(height)]
    for (r, c), t in texts.items():
        if r <= height and c <= width:
            rows[r - 1][c - 1] = t
    return rows


def read_xlsx(path: str | Path) -> Document:
    """Every worksheet of an .xlsx/.xlsm as one Table (see module docstring)."""
    p = Path(path)
    names = guard_zip(p, ".xlsx")
    if "xl/workbook.xml" not in names:
        raise InputError(p, f"{_BROKEN}（缺少工作簿内容）")
    limit = max_cells()
    try:
        counted = count_tags(p, [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")],
                             _CELL_TAG)
    except (*ZIP_ERRORS, OSError):
        raise InputError(p, _BROKEN) from None
    if counted > limit:
        raise InputError(p, f"表格过大（{counted} 个单元格，上限 {limit}），拒绝读取")

    import openpyxl

    try:
        # a file object, not the path: openpyxl refuses paths by extension, and sniff_kind has
        # already told a workbook from a document by its members
        with open(p, "rb") as fh:
            wb = openpyxl.load_workbook(fh, read_only=False, data_only=True)
    except MemoryError:
        raise InputError(p, "表格过大，内存不足，无法读取") from None
    except Exception:  # openpyxl raises KeyError, ValueError, ParseError, zip errors … on damage
        raise InputError(p, _BROKEN) from None
    doc = Document(path=str(p))
    budget = limit
    try:
        for ws in wb.worksheets:
            rows = _sheet_rows(ws, budget, p)
            budget -= len(rows) * (len(rows[0]) if rows else 0)
            doc.tables.append(Table(rows=rows, index=len(doc.tables),
                                    title=[ws.title], sheet=ws.title))
    finally:
        wb.close()
    return doc
