"""Plain row tables (batch summaries, the CSV draft): CSV for Excel and simple .xlsx sheets.

    write_csv(rows, header, path)                     UTF-8 with BOM, every field quoted,
                                                      formula-like text prefixed with '
    write_xlsx_rows(rows, header, path, sheet)        one sheet: bold header, filter, frozen row
    write_xlsx_sheets(path, [(sheet, header, rows)])  several such sheets in one workbook

Both write atomically and pass every cell through the formula guard of .safety.
"""
from __future__ import annotations

import csv
import io
from copy import copy
import unicodedata
from typing import Iterable, Sequence

from .atomic import atomic_path, write_text
from .safety import csv_field, safe_sheet_title, set_cell

HEADER_FILL = "DDEBF7"


def text_width(value) -> int:
    """Display width of a cell's longest line (CJK counts 2), for column widths and row heights."""
    text = "" if value is None else str(value)
    best = 0
    for line in text.split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        best = max(best, w)
    return best


def csv_text(rows: Iterable[Sequence], header: Sequence | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if header:
        w.writerow([csv_field(h) for h in header])
    for row in rows:
        w.writerow([csv_field(v) for v in row])
    return buf.getvalue()


def write_csv(rows: Iterable[Sequence], header: Sequence | None, path) -> None:
    """Rows to a CSV Excel opens correctly (UTF-8 BOM, CRLF) that cannot inject formulas."""
    write_text(path, csv_text(rows, header), bom=True)


def fill_sheet(ws, header: Sequence, rows: Iterable[Sequence], max_width: int = 60,
               first_row: int = 1) -> int:
    """Header at `first_row`, rows below; column widths from the content.  Returns the last row."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    top = Alignment(vertical="top", wrap_text=True)
    widths = [text_width(h) for h in header]
    for c, h in enumerate(header, 1):
        cell = set_cell(ws.cell(row=first_row, column=c), h)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center", wrap_text=True)
    r = first_row
    body_style = None      # one style for every body cell: set once, then copy the style array
    for r, row in enumerate(rows, first_row + 1):
        for c, v in enumerate(row, 1):
            cell = ws.cell(row=r, column=c)
            if body_style is None:
                cell.alignment = top
                body_style = copy(cell._style)
            else:
                cell._style = copy(body_style)
            set_cell(cell, v)
            if c > len(widths):
                widths.append(0)
            widths[c - 1] = max(widths[c - 1], text_width(cell.value))
    from openpyxl.utils import get_column_letter

    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = max(6, min(max_width, w + 2))
    if header:
        ws.freeze_panes = f"A{first_row + 1}"
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(max(len(header), len(widths)))}{r}"
    return r


def write_xlsx_sheets(path, sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> None:
    """One workbook, one sheet per (name, header, rows); names made safe and unique."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for name, header, rows in sheets:
        ws = wb.create_sheet(safe_sheet_title(name, taken))
        fill_sheet(ws, header, rows)
    if not wb.worksheets:
        wb.create_sheet("Sheet1")
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_xlsx_rows(rows: Iterable[Sequence], header: Sequence, path, sheet: str = "汇总") -> None:
    write_xlsx_sheets(path, [(sheet, header, rows)])
