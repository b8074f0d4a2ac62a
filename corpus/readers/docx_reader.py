"""Word documents (.docx) into grids: body paragraphs and every table, in document order.

    read_docx(path) -> Document

* The body is walked in order (`w:p` and `w:tbl` interleaved; content controls `w:sdt` and
  `w:customXml` are looked through).  Non-empty paragraph lines go to `Document.paragraphs` and
  into the next table's `title` (the lines since the previous table, nearest last, at most 8).
* Tables are read from the XML, not python-docx's `row.cells` (which repeats merged cells):
  a cell spanning n grid columns (`w:gridSpan`) gives its text once and then n-1 "", a cell that
  continues a vertical merge (`w:vMerge` without val="restart") gives "", `w:gridBefore` /
  `w:gridAfter` give leading/trailing "", and rows are padded to the table's width.
* Cell text = the cell's paragraphs joined with "\\n" (tabs as "\\t", line breaks as "\\n");
  blank paragraphs at the start and end of a cell are dropped (Word puts one after every
  nested table, and templates leave them behind), blank ones between lines are kept.
  Nested tables do not add to their cell's text; each is emitted as a separate Table right after
  its parent (depth first).  A nested table's title is the parent's title followed by the
  paragraphs that precede it inside its cell.
* Deleted text (tracked changes) and field codes are not text; text boxes are read once
  (the mc:Fallback copy is skipped).

Guards (the resource budget, corpus/limits.py): guard_zip first (size, ratio, entries,
encryption), then the <w:tc> elements of word/document.xml counted as a stream against the cell
budget before python-docx parses anything (a 520,000-cell document was otherwise refused only
after 13 s and 400 MB), then every cell as read *with its span* against the same budget — a
w:gridSpan (or gridBefore / gridAfter) is counted before the row is widened, so
gridSpan="100000000" is refused without allocating it — and cells over MAX_CELL_CHARS truncated
with a marker.  A text run over libxml2's 10 MB limit is refused as too long (it is not damage).
A corrupt or truncated file raises InputError("无法读取 .docx：文件已损坏或不完整").
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .grid import Document, Table
from .textio import ZIP_ERRORS, clip_cell, count_tags, guard_zip, max_cells

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
_BROKEN = "无法读取 .docx：文件已损坏或不完整"
_MAX_TITLE = 8
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tc[\s>/]")


def _wattr(el, name: str) -> str | None:
    return el.get(_W + name) if el is not None else None


def _int_attr(el, name: str, default: int) -> int:
    raw = _wattr(el, name)
    try:
        return max(int(raw), 0) if raw is not None else default
    except ValueError:
        return default


def _blocks(container):
    """Block-level children (w:p, w:tbl, w:tr, w:tc …), looking through sdt / customXml."""
    for child in container:
        tag = child.tag
        if tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif tag == _CUSTOM_XML:
            yield from _blocks(child)
        else:
            yield child


def paragraph_text(p) -> str:
    """A w:p's text: w:t runs, w:tab → \\t, w:br/w:cr → \\n; skips mc:Fallback copies."""
    out: list[str] = []

    def walk(el):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK:
                continue
            if tag == _W + "t":
                out.append(child.text or "")
            elif tag == _W + "tab":
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag == _P:                      # a text box's paragraphs inside this one
                out.append("\n")
                walk(child)
            else:
                walk(child)

    walk(p)
    return "".join(out)


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.doc = Document(path=str(path))
        self.title: list[str] = []
        self.cells = 0
        self.limit = max_cells()

    def body(self, body) -> None:
        for el in _blocks(body):
            if el.tag == _P:
                for line in paragraph_text(el).split("\n"):
                    line = line.strip()
                    if line:
                        self.doc.paragraphs.append(line)
                        self.title.append(line)
            elif el.tag == _TBL:
                self.table(el, self.title[-_MAX_TITLE:])
                self.title = []

    def table(self, tbl, title: list[str]) -> None:
        rows: list[list[str]] = []
        nested: list[tuple[object, list[str]]] = []
        for tr in _blocks(tbl):
            if tr.tag != _TR:
                continue
            trpr = tr.find(_W + "trPr")
            before = _int_attr(trpr.find(_W + "gridBefore") if trpr is not None else None, "val", 0)
            after = _int_attr(trpr.find(_W + "gridAfter") if trpr is not None else None, "val", 0)
            self.spend(before)
            row = [""] * before
            for tc in _blocks(tr):
                if tc.tag != _TC:
                    continue
                tcpr = tc.find(_W + "tcPr")
                span = _int_attr(tcpr.find(_W + "gridSpan") if tcpr is not None else None, "val", 1)
                span = max(span, 1)
                self.spend(span)                  # before the row is widened by the span
                vmerge = tcpr.find(_W + "vMerge") if tcpr is not None else None
                continues = vmerge is not None and _wattr(vmerge, "val") in (None, "continue")
                text = self.cell(tc, title, nested)
                row.append("" if continues else text)
                row.extend([""] * (span - 1))
            self.spend(after)
            row.extend([""] * after)
            rows.append(row)
        width = max((len(r) for r in rows), default=0)
        self.spend(sum(width - len(r) for r in rows))   # padding to the table's width
        for r in rows:
            r.extend([""] * (width - len(r)))
        self.doc.tables.append(Table(rows=rows, index=len(self.doc.tables), title=list(title)))
        for inner, inner_title in nested:
            self.table(inner, inner_title)

    def spend(self, n: int) -> None:
        """Count n cells (a span, gridBefore/gridAfter padding) against the budget before they
        are allocated: w:gridSpan="100000000" is refused, not built."""
        self.cells += n
        if self.cells > self.limit:
            raise InputError(self.path, f"表格过大（超过 {self.limit} 个单元格，合并单元格按所跨列数计），拒绝读取")

    def cell(self, tc, title: list[str], nested: list) -> str:
        lines: list[str] = []
        for el in _blocks(tc):
            if el.tag == _P:
                lines.append(paragraph_text(el))
            elif el.tag == _TBL:
                before = [s.strip() for line in lines for s in line.split("\n") if s.strip()]
                nested.append((el, (title + before)[-_MAX_TITLE:]))
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
        return clip_cell(text)


def read_docx(path: str | Path) -> Document:
    """Body paragraphs and every table of a .docx (see module docstring)."""
    p = Path(path)
    names = guard_zip(p, ".docx")
    if "word/document.xml" not in names and not any(n.startswith("word/") for n in names):
        raise InputError(p, f"{_BROKEN}（缺少正文内容）")
    limit = max_cells()
    try:
        counted = count_tags(p, [n for n in names if n == "word/document.xml"], _CELL_TAG)
    except (*ZIP_ERRORS, OSError):
        raise InputError(p, _BROKEN) from None
    if counted > limit:
        raise InputError(p, f"表格过大（{counted} 个单元格，上限 {limit}），拒绝读取")

    import docx

    try:
        document = docx.Document(str(p))
        body = document.element.body
    except MemoryError:
        raise InputError(p, "文件过大，内存不足，无法读取") from None
    except Exception as exc:  # PackageNotFoundError, KeyError, XMLSyntaxError, zip errors …
        if "content type" in str(exc) and "macroEnabled" in str(exc):
            raise InputError(p, "是启用宏的 Word 文档，请另存为 .docx 后再试") from None
        if "XML_PARSE_HUGE" in str(exc):
            # libxml2's own limits (a text run over 10 MB, nesting over 256): too big, not damaged
            if "too long" in str(exc).lower():
                raise InputError(p, "文档中有一段文字过长（单段超过 10 MB），拒绝读取") from None
            raise InputError(p, "文档结构超出读取上限（嵌套过深或内容过长），拒绝读取") from None
        raise InputError(p, _BROKEN) from None
    reader = _Reader(p)
    if body is not None:
        reader.body(body)
    return reader.doc
