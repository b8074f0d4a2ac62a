"""Drafts written one at a time, so a long `suggest --from` list never holds them all.

    DraftStream(fh, fmt, for_file=...)    .add(draft) for each draft in order, then .close()

The text is exactly what render(list_of_drafts, fmt) gives (and, for a file, what
write(list_of_drafts, path, fmt) writes): a JSON array (json), one object per line (jsonl),
Markdown sections (md), table text (table) or one CSV (csv, with the byte-order mark and
header a CSV file gets).  Each draft is written and flushed as soon as it is added.
"""
from __future__ import annotations

from typing import TextIO

STREAM_FORMATS = ("json", "jsonl", "md", "table", "csv")


class DraftStream:
    def __init__(self, fh: TextIO, fmt: str, *, for_file: bool = False):
        if fmt not in STREAM_FORMATS:
            raise ValueError(f"{fmt} 不能逐份写出")
        self.fh, self.fmt, self.for_file = fh, fmt, for_file
        self.count = 0
        self._ends_line = True
        if fmt == "csv":
            from . import CSV_HEADER
            from .tabular import csv_text

            self.fh.write(("\ufeff" if for_file else "") + csv_text([], CSV_HEADER))

    def _piece(self, draft) -> str:
        fmt = self.fmt
        first = self.count == 0
        if fmt == "jsonl":
            from .jsonout import render_jsonl

            return ("" if first else "\n") + render_jsonl(draft)
        if fmt == "json":
            from .jsonout import draft_dict, pretty

            return ("[\n  " if first else ",\n  ") + pretty(draft_dict(draft)).replace("\n", "\n  ")
        if fmt == "md":
            from .markdown import render_md_one

            return ("" if first else "\n---\n\n") + render_md_one(draft)
        if fmt == "table":
            from .table import DEFAULT_WIDTH, render_table

            rule = "─" * min(40, DEFAULT_WIDTH)
            return ("" if first else f"\n\n{rule}\n\n") + render_table(draft, None, False if self.for_file else None)
        from . import _csv_rows
        from .tabular import csv_text

        return csv_text(_csv_rows([draft]))

    def add(self, draft) -> None:
        piece = self._piece(draft)
        self.fh.write(piece)
        self.fh.flush()
        self.count += 1
        self._ends_line = piece.endswith("\n") if piece else self._ends_line

    def close(self) -> None:
        """The end of the text: the array's bracket, and the newline a file (or the screen) ends with."""
        if self.fmt == "json":
            self.fh.write("\n]" if self.count else "[]")
            self._ends_line = False
        if self.fmt != "csv" and (not self._ends_line or not self.count):
            self.fh.write("\n")
        self.fh.flush()
