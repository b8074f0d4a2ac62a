"""One entry point for grid formats: pick the reader by what the file really is.

    read_document(path) -> Document     .xlsx/.xlsm, .docx, .csv and text exports (.txt/.tsv …)
    sniff_kind(path) -> str             re-exported from textio

`read_document` is only for grid formats.  JSON and JSON Lines are records, not grids: callers
(corpus.parse, engine.project_list) call `sniff_kind` first and route "json"/"jsonl" themselves;
handing one to `read_document` raises InputError.  Unreadable files (old .xls/.doc, PDF, empty,
binary, zip bombs, corrupt) raise InputError from sniff_kind or the reader.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .grid import Document
from .textio import sniff_kind

__all__ = ["read_document", "sniff_kind"]


def read_document(path: str | Path) -> Document:
    p = Path(path)
    kind = sniff_kind(p)
    if kind == "xlsx":
        from .xlsx_reader import read_xlsx

        return read_xlsx(p)
    if kind == "docx":
        from .docx_reader import read_docx

        return read_docx(p)
    if kind == "csv":
        from .csv_reader import read_csv

        return read_csv(p)
    if kind == "text":
        from .text_reader import read_text_document

        return read_text_document(p)
    raise InputError(p, f"是 {kind.upper()} 记录文件，不是表格；请用 parse 命令直接读取")
