"""The common shape every reader produces: a document as tables of text cells.

A Table is a list of rows, each row a list of cell strings (merged cells appear once, in their
first position, with "" in the positions they cover).  `title` holds the paragraphs that stood
between the previous table and this one, nearest last; the layout interpreter reads years and
table kinds (部门整体, 编报说明 examples) from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    rows: list[list[str]]
    index: int = 0
    title: list[str] = field(default_factory=list)
    sheet: str | None = None


@dataclass
class Document:
    path: str
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
