"""Plain row tables (batch summaries, the CSV draft): CSV for Excel and simple .xlsx sheets.

    write_csv(rows, header, path)                     UTF-8 with BOM, every field quoted,
                                                      formula-like text prefixed with '
    write_xlsx_rows(rows, header, path, sheet)        one sheet: bold header, filter, frozen row
    write_xlsx_sheets(path, [(sheet, header, rows)])  several such sheets in one workbook
    xlsx_sheets_bytes(sheets, stamp)                  the same workbook as bytes

Both write atomically and pass every cell through the formula guard of .safety.  Workbooks are
written with xlsxwriter (several times faster than openpyxl, which the readers use); `Formats`,
`put` and `fill_sheet` are shared with the draft workbook (.xlsx).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

from .atomic import write_bytes, write_text
from .safety import cell_text, csv_field, is_formula_like, safe_sheet_title

HEADER_FILL = "DDEBF7"


def text_width(value) -> int:
    """Display width of a cell's longest line (CJK counts 2), for column widths and row heights."""
    text = "" if value is None else str(value)
    if text.isascii():
        return max(map(len, text.split("\n")))
    if len(text) <= 200:
        return _width_memo(text)
    return _width(text)


def _width(text: str) -> int:
    best = 0
    for line in text.split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        best = max(best, w)
    return best


_width_memo = lru_cache(maxsize=8192)(_width)


def csv_text(rows: Iterable[Sequence], header: Sequence | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if header:
        w.writerow([csv_field(h) for h in header])
    for row in rows:
        w.writerow([csv_field(v) for v in row])
    return buf.getvalue()


def write_csv(rows: Iterable[Sequence], header: Sequence | None, path, *, sync_dir: bool = True) -> None:
    """Rows to a CSV Excel opens correctly (UTF-8 BOM, CRLF) that cannot inject formulas."""
    write_text(path, csv_text(rows, header), bom=True, sync_dir=sync_dir)


_NOT_IN_CELLS = dict.fromkeys(map(ord, "\r\ufffe\uffff"))


class Formats:
    """The xlsxwriter formats of one workbook: one per distinct set of properties, and its
    quote-prefixed twin for formula-like text (see .safety.is_formula_like)."""

    def __init__(self, wb):
        self.wb = wb
        self._made: dict = {}
        self._seen: dict = {}            # (id(props), quoted) → (props, format): the same dict again

    def get(self, props: dict | None = None, quoted: bool = False):
        seen = self._seen.get((id(props), quoted))
        if seen is not None and seen[0] is props:
            return seen[1]
        fmt = self._make(props, quoted)
        if len(self._seen) < 64:         # callers building a new dict per cell gain nothing here
            self._seen[(id(props), quoted)] = (props, fmt)
        return fmt

    def _make(self, props: dict | None, quoted: bool):
        key = (tuple(sorted((props or {}).items())), quoted)
        fmt = self._made.get(key, False)
        if fmt is False:
            p = dict(props or {})
            if quoted:
                p["quote_prefix"] = True
            fmt = self._made[key] = self.wb.add_format(p) if p else None
        return fmt


def put(ws, fmts: Formats, row: int, col: int, value, props: dict | None = None):
    """Write one cell (1-based row and column) so that it can never run as a formula; returns the
    value written (.safety.cell_text).  Text is always a string cell, formula-like text also gets
    Excel's quote prefix, so that editing the cell later does not turn it into a formula."""
    v = cell_text(value)
    if isinstance(v, str):
        quoted = is_formula_like(v)
        if "\r" in v or "\ufffe" in v or "\uffff" in v:   # no XML character; xlsxwriter would write
            v = v.translate(_NOT_IN_CELLS)            # _x000D_, which readers take literally
            quoted = quoted or is_formula_like(v)
    if v == "":
        ws.write_blank(row - 1, col - 1, None, fmts.get(props))
    elif isinstance(v, str):
        ws.write_string(row - 1, col - 1, v, fmts.get(props, quoted))
    else:
        ws.write_number(row - 1, col - 1, v, fmts.get(props))
    return v


def new_workbook(stamp=None):
    """(xlsxwriter Workbook writing into memory, its output buffer).  Text is never turned into
    formulas, numbers or links; `stamp` (a datetime) fixes the creation time, which with
    xlsxwriter's fixed zip entry times makes the bytes reproducible."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    if stamp is not None:
        wb.set_properties({"created": stamp})
    return wb, buf


HEADER_PROPS = {"bold": True, "pattern": 1, "bg_color": "#" + HEADER_FILL, "valign": "vcenter", "text_wrap": True}
BODY_PROPS = {"valign": "top", "text_wrap": True}


def fill_sheet(ws, fmts: Formats, header: Sequence, rows: Iterable[Sequence], max_width: int = 60,
               first_row: int = 1, autofilter: bool = True) -> int:
    """Header at `first_row`, rows below; column widths from the content.  Returns the last row."""
    widths = [text_width(h) for h in header]
    for c, h in enumerate(header, 1):
        put(ws, fmts, first_row, c, h, HEADER_PROPS)
    r = first_row
    for r, row in enumerate(rows, first_row + 1):
        for c, v in enumerate(row, 1):
            v = put(ws, fmts, r, c, v, BODY_PROPS)
            if c > len(widths):
                widths.append(0)
            widths[c - 1] = max(widths[c - 1], text_width(v))
    for c, w in enumerate(widths):
        ws.set_column(c, c, max(6, min(max_width, w + 2)))
    if header:
        ws.freeze_panes(first_row, 0)
        if autofilter:
            ws.autofilter(first_row - 1, 0, r - 1, max(len(header), len(widths)) - 1)
    return r


def xlsx_sheets_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]], stamp=None) -> bytes:
    """One workbook, one sheet per (name, header, rows); names made safe and unique."""
    wb, buf = new_workbook(stamp)
    fmts = Formats(wb)
    taken: set[str] = set()
    for name, header, rows in sheets:
        fill_sheet(wb.add_worksheet(safe_sheet_title(name, taken)), fmts, header, rows)
    if not wb.worksheets():
        wb.add_worksheet("Sheet1")
    wb.close()
    return buf.getvalue()


def write_xlsx_sheets(path, sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]], stamp=None,
                      *, sync_dir: bool = True) -> None:
    """One workbook, one sheet per (name, header, rows), written atomically."""
    write_bytes(path, xlsx_sheets_bytes(sheets, stamp), sync_dir=sync_dir)


def write_xlsx_rows(rows: Iterable[Sequence], header: Sequence, path, sheet: str = "汇总", stamp=None,
                    *, sync_dir: bool = True) -> None:
    write_xlsx_sheets(path, [(sheet, header, rows)], stamp, sync_dir=sync_dir)
