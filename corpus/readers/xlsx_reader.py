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

Guards (the resource budget, corpus/limits.py), all before openpyxl loads anything: guard_zip
(total uncompressed size, per-member compression ratio, entry count, encryption), a streaming
count of the <c> and <mergeCell> elements of every worksheet against the cell budget, and of the
shared-string table's entries and size.  openpyxl is driven sheet by sheet (`_Workbook`) so that
it only parses cells: it never expands merged ranges into a cell object per covered position
(one <mergeCell ref="A30:XFD1048576"/> would ask for 17 billion) nor hyperlinks given for a
range.  Merges are *clipped* to the sheet's data (the rectangle of its defined cells): covered
positions outside it hold nothing, so clipping loses nothing, and the clipped areas count
against the cell budget with the sheets' data rectangles (a stray value at XFD1048576 would
otherwise ask for 17 billion cells).  All cell text of the workbook is held to a character
budget (a long shared string repeated in many cells is copied into each).  A cell longer than
MAX_CELL_CHARS is *truncated* with a visible marker rather than refusing the file.
A corrupt or truncated file raises InputError("无法读取 .xlsx：文件已损坏或不完整").
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .. import limits
from ..errors import InputError
from .grid import Document, Table
from .textio import MB, ZIP_ERRORS, clip_cell, count_tags, guard_zip

_BROKEN = "无法读取 .xlsx：文件已损坏或不完整"
# cells and merges are counted together against the cell budget before anything is loaded
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|mergeCell)[\s>/]")
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


class _Counter:
    """What the workbook has spent of its budget so far: cells and characters."""

    def __init__(self, path: Path, cells: int, chars: int):
        self.path, self.cells, self.chars = path, cells, chars

    def spend_cells(self, n: int, what: str) -> None:
        self.cells -= n
        if self.cells < 0:
            raise InputError(self.path, f"{what}，超出单元格上限（{limits.budget().cells} 个，"
                                        "合并单元格只计入数据范围之内的部分），拒绝读取")

    def spend_chars(self, n: int) -> None:
        self.chars -= n
        if self.chars < 0:
            raise InputError(self.path, f"表格文字过多（超过 {limits.budget().grid_chars} 字），拒绝读取")


def _merge_bounds(refs: list[str]) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merge; a malformed ref is ignored."""
    from openpyxl.utils.cell import range_boundaries

    out = []
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError, KeyError):
            continue
        if None in (min_col, min_row, max_col, max_row):
            continue
        out.append((min_row, min_col, max_row, max_col))
    return out


def _sheet_rows(ws, merges: list[str], counter: _Counter) -> list[list[str]]:
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
            counter.spend_chars(len(text))
            texts[(r, c)] = text
    if texts and merges:
        # clipped to the data: positions beyond the last defined cell hold nothing to clear
        rows = max(r for r, _ in texts)
        cols = max(c for _, c in texts)
        for r0, c0, r1, c1 in _merge_bounds(merges):
            r1, c1 = min(r1, rows), min(c1, cols)
            if r0 > r1 or c0 > c1:
                continue
            counter.spend_cells((r1 - r0 + 1) * (c1 - c0 + 1), f"工作表“{ws.title}”的合并单元格范围过大")
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        texts.pop((r, c), None)
    used = [(r, c) for (r, c), t in texts.items() if t.strip()]
    if not used:
        return []
    height = max(r for r, _ in used)
    width = max(c for _, c in used)
    counter.spend_cells(height * width, f"工作表“{ws.title}”范围过大（{height} 行 × {width} 列），"
                                        "请删除远处的多余内容后再试")
    rows = [[""] * width for _ in range(height)]
    for (r, c), t in texts.items():
        if r <= height and c <= width:
            rows[r - 1][c - 1] = t
    return rows


_SHARED_STRINGS_TYPE = "spreadsheetml.sharedStrings+xml"
_SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _shared_strings_part(p: Path, names: list[str]) -> str | None:
    """The shared-string table's member: as [Content_Types].xml names it, else by its usual name."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as zf:
            types = zf.read("[Content_Types].xml")[:1 << 20].decode("utf-8", "replace") \
                if "[Content_Types].xml" in names else ""
    except (*ZIP_ERRORS, OSError):
        types = ""
    for m in re.finditer(r"<(?:\w+:)?Override\b[^>]*>", types):
        tag = m.group()
        if _SHARED_STRINGS_TYPE in tag:
            part = re.search(r'PartName="/?([^"]+)"', tag)
            if part and part.group(1) in names:
                return part.group(1)
    return next((n for n in names if n.lower().endswith("sharedstrings.xml")), None)


def _check_shared_strings(p: Path, names: list[str]) -> None:
    import zipfile

    part = _shared_strings_part(p, names)
    if part is None:
        return
    b = limits.budget()
    with zipfile.ZipFile(p) as zf:
        size = zf.getinfo(part).file_size
    if size > b.shared_strings_bytes:
        raise InputError(p, f"共享字符串表过大（{size / MB:.1f} MB，上限 {b.shared_strings_bytes // MB} MB），拒绝读取")
    count = count_tags(p, [part], _SI_TAG)
    if count > b.shared_strings:
        raise InputError(p, f"共享字符串过多（{count} 条，上限 {b.shared_strings} 条），拒绝读取")


def _load(fh):
    """The workbook with its worksheets' cells and merge refs, read by openpyxl sheet by sheet
    (see module docstring): (workbook, {sheet title: [merge ref, …]})."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._reader import WorksheetReader

    class _Workbook(ExcelReader):
        merges: dict[str, list[str]] = {}

        def read_worksheets(self):
            self.merges = {}
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = self.wb.create_sheet(sheet.name)
                with self.archive.open(rel.target) as part:
                    reader = WorksheetReader(ws, part, self.shared_strings, self.data_only, self.rich_text)
                    reader.bind_cells()          # cells only: no merge expansion, no hyperlinks
                    found = reader.parser.merged_cells
                    self.merges[ws.title] = [m.ref for m in found.mergeCell] if found else []
                ws.sheet_state = sheet.state

    reader = _Workbook(fh, read_only=False, keep_vba=False, data_only=True, keep_links=False)
    reader.read()
    return reader.wb, reader.merges


def read_xlsx(path: str | Path) -> Document:
    """Every worksheet of an .xlsx/.xlsm as one Table (see module docstring)."""
    p = Path(path)
    names = guard_zip(p, ".xlsx")
    if "xl/workbook.xml" not in names:
        raise InputError(p, f"{_BROKEN}（缺少工作簿内容）")
    b = limits.budget()
    try:
        counted = count_tags(p, [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")],
                             _CELL_TAG)
        if counted > b.cells:
            raise InputError(p, f"表格过大（{counted} 个单元格，上限 {b.cells}），拒绝读取")
        _check_shared_strings(p, names)
    except InputError:
        raise
    except (*ZIP_ERRORS, OSError):
        raise InputError(p, _BROKEN) from None

    try:
        # a file object, not the path: openpyxl refuses paths by extension, and sniff_kind has
        # already told a workbook from a document by its members
        with open(p, "rb") as fh:
            wb, merges = _load(fh)
    except MemoryError:
        raise InputError(p, "表格过大，内存不足，无法读取") from None
    except Exception:  # openpyxl raises KeyError, ValueError, ParseError, zip errors … on damage
        raise InputError(p, _BROKEN) from None
    doc = Document(path=str(p))
    counter = _Counter(p, b.cells, b.grid_chars)
    try:
        for ws in wb.worksheets:
            rows = _sheet_rows(ws, merges.get(ws.title, []), counter)
            doc.tables.append(Table(rows=rows, index=len(doc.tables),
                                    title=[ws.title], sheet=ws.title))
    finally:
        wb.close()
    return doc
