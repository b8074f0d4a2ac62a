"""CSV files into one grid.

    read_csv(path) -> Document

Text goes through read_text (size limit, binary check, UTF-8 / UTF-8 BOM / GB18030 / UTF-16),
so a CSV saved by Excel on Chinese Windows (GBK) reads like a UTF-8 one.  The delimiter is ","
unless the first non-blank lines hold more tabs or more ";" than commas (no csv.Sniffer: it
guesses wrong on Chinese text).  Quoted cells may hold delimiters and line breaks.

The single Table is rectangular (short rows padded with ""), trailing empty rows and columns
trimmed, cells over MAX_CELL_CHARS truncated with a marker.  A field longer than the csv
module's limit (131,072 characters; Excel itself stops at 32,767) is refused as a format error:
it is almost always a quote that was never closed and swallowed the rest of the file.  Its `title` is the file name
without extension — the CSV counterpart of a sheet name, where exports keep "2021年…绩效目标表".
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import InputError
from .grid import Document, Table
from .textio import clip_cell, max_cells, read_text

_PROBE_LINES = 5


def pick_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:_PROBE_LINES]
    probe = "\n".join(lines)
    commas, tabs, semis = probe.count(","), probe.count("\t"), probe.count(";")
    if tabs > commas and tabs >= semis:
        return "\t"
    if semis > commas:
        return ";"
    return ","


def read_csv(path: str | Path, text_limit: int | None = None, cell_limit: int | None = None) -> Document:
    """One Table with every row of the CSV (see module docstring).  A caller reading a list of
    small records (a project list) passes its own, larger limits (corpus/limits.py list_mb)."""
    p = Path(path)
    text = read_text(p, text_limit)
    delimiter = pick_delimiter(text)
    limit = cell_limit or max_cells()
    rows: list[list[str]] = []
    count = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            cells = [clip_cell(c.replace("\r\n", "\n").replace("\r", "\n")) for c in row]
            count += len(cells)
            if count > limit:
                raise InputError(p, f"表格过大（超过 {limit} 个单元格），拒绝读取")
            rows.append(cells)
    except csv.Error as exc:
        problem = str(exc)
        if "field limit" in problem:
            problem = f"有单元格超过 {csv.field_size_limit()} 个字符，可能是引号没有闭合"
        raise InputError(p, f"CSV 格式有误（第 {reader.line_num} 行）：{problem}") from None
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    width = max((i + 1 for r in rows for i, c in enumerate(r) if c.strip()), default=0)
    rows = [(r + [""] * (width - len(r)))[:width] for r in rows]
    doc = Document(path=str(p))
    doc.tables.append(Table(rows=rows, index=0, title=[p.stem]))
    return doc
