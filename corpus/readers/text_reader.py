"""Plain-text exports of Word/Excel forms into grids.

Two row syntaxes occur, often in one file:

* tab-start rows (Word table exports, seeds 000/001/002): every line that starts with a tab
  (optionally after spaces) opens a new cell; a line without a tab continues the cell above;
  rows are separated by one blank line.  Quirks handled:
    - a blank line *inside* a cell ("绩效考核次数；" / "" / "全年评优评先考核次数") — a text line
      after a single blank line still continues the open cell;
    - a cell pushed below two blank lines ("减少新开办企业跑单位次数" / "" / "" / "→1次") — a tab
      line after two or more blank lines completes a row that is still shorter than the table;
    - a line starting with " \t" right after a full row (two form rows exported without the
      blank line between them) — the interpreter wraps such over-long rows.
* tab-separated rows (Excel exports, seeds 003/004): a line containing tabs but not starting
  with one opens such a table; inside it every line with a tab is one row (its first cell may
  be empty) and blank lines are ignored.

Anything else is a paragraph.  A paragraph ends the current table; the paragraphs between two
tables become the next table's `title`.

Every cell and paragraph longer than MAX_CELL_CHARS is truncated with a visible marker, as in the
other readers.  A cell's continuation lines are collected and joined once when its row ends, so
a cell of a million short lines costs linear time.
"""
from __future__ import annotations

import re

from .grid import Document, Table
from .textio import clip_cell, read_text

_TAB_START = re.compile(r"^[ \u3000]*\t")
_MAX_TITLE = 8


class _Builder:
    def __init__(self, path: str):
        self.doc = Document(path=path)
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.tail: list[str] = []             # continuation parts of the row's last cell
        self.mode: str | None = None          # "tab" | "tsv" | None
        self.title: list[str] = []
        self.width = 0                        # widest finished row of the current table

    # rows and tables -------------------------------------------------------------------
    def close_cell(self) -> None:
        if self.row is not None and self.tail:
            self.row[-1] = "".join([self.row[-1], *self.tail])
        self.tail = []

    def finish_row(self) -> None:
        self.close_cell()
        if self.row is not None:
            self.rows.append([clip_cell(c) for c in self.row])
            self.width = max(self.width, len(self.row))
            self.row = None

    def finish_table(self) -> None:
        self.finish_row()
        if self.rows:
            self.doc.tables.append(
                Table(rows=self.rows, index=len(self.doc.tables), title=self.title[-_MAX_TITLE:])
            )
            self.title = []
        self.rows = []
        self.mode = None
        self.width = 0

    # line kinds ------------------------------------------------------------------------
    def tab_line(self, line: str, blanks: int) -> None:
        cells = line.split("\t")[1:]
        if self.mode == "tab" and self.row is not None:
            if blanks == 0 or (blanks >= 2 and 0 < len(self.row) < self.width):
                self.close_cell()
                self.row.extend(cells)
                return
            self.finish_row()
        elif self.mode != "tab":
            self.finish_table()
            self.mode = "tab"
        self.row = cells

    def tsv_line(self, line: str) -> None:
        if self.mode != "tsv":
            self.finish_table()
            self.mode = "tsv"
        self.rows.append([clip_cell(c) for c in line.split("\t")])

    def text_line(self, line: str, blanks: int) -> None:
        if self.mode == "tab" and self.row is not None and blanks <= 1:
            self.tail += ("\n\n" if blanks else "\n", line)
            return
        self.finish_table()
        text = clip_cell(line.strip())
        self.doc.paragraphs.append(text)
        self.title.append(text)

    def feed(self, text: str) -> Document:
        blanks = 0
        for raw in text.split("\n"):
            line = raw.rstrip("\r")
            if "\t" not in line and not line.strip(" \u3000\r\x0b\x0c"):
                blanks += 1
                continue
            if _TAB_START.match(line) and self.mode != "tsv":
                self.tab_line(line, blanks)
            elif "\t" in line:
                self.tsv_line(line)
            else:
                self.text_line(line, blanks)
            blanks = 0
        self.finish_table()
        return self.doc


def parse_text(text: str, path: str = "<text>") -> Document:
    """Split already-decoded text into a Document."""
    return _Builder(path).feed(text)


def read_text_document(path) -> Document:
    """Read a text export (UTF-8, UTF-8 BOM or GB18030/GBK) into a Document."""
    return parse_text(read_text(path), str(path))
