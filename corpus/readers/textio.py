"""Byte-level guards shared by every reader: size limits, text decoding, format sniffing.

    read_text(path)            bytes → str for text-like files (txt, tsv, csv, json, jsonl)
    sniff_kind(path)           "xlsx" | "docx" | "csv" | "json" | "jsonl" | "text"
    guard_zip(path, label)     refuse zip bombs and broken zips before an Office library opens them
    count_tags(path, members, tag)  count XML elements in zip members as a stream (cell budgets)
    clip_cell(text)            one cell's text, cut at MAX_CELL_CHARS with a visible marker
    max_cells()                the cell budget per workbook/document

Limits come from the resource budget (corpus/limits.py, data/limits.json), read from the
environment on every call, so a test or an officer can lower them:

    MAX_TEXT_BYTES      20 MB   JIXIAO_MAX_TEXT_MB       text-like files
    MAX_UNZIPPED_BYTES 200 MB   JIXIAO_MAX_UNZIPPED_MB   total uncompressed size of an .xlsx/.docx
    MAX_CELLS          500,000  JIXIAO_MAX_CELLS         cells per workbook / document
    MAX_CELL_CHARS      10,000  (fixed)                  longer cells are truncated, not refused

(the figures above are the shipped defaults; the constants hold them for tests and messages)

Every problem is an InputError whose str is "path：problem" in Chinese.
"""
from __future__ import annotations

import copy
import re
import struct
import zipfile
import zlib
from pathlib import Path

from .. import limits
from ..errors import InputError

MB = limits.MB
_DEFAULTS = limits.defaults()
MAX_TEXT_BYTES = int(_DEFAULTS["text_mb"] * MB)
MAX_UNZIPPED_BYTES = int(_DEFAULTS["unzipped_mb"] * MB)
# openpyxl takes ~50 µs and ~0.7 KB per cell: 500,000 cells load in about half a minute and
# 400 MB (2,000,000 took 150 s and 1.3 GB); real workbooks of filings hold tens of thousands
MAX_CELLS = int(_DEFAULTS["cells"])
MAX_CELL_CHARS = int(_DEFAULTS["cell_chars"])
CLIP_MARKER = "…（内容过长，已截断）"

# zip members: refuse more entries than this, and any member that inflates more than
# MAX_RATIO times once it is bigger than RATIO_FLOOR (small members may compress very well)
MAX_ZIP_MEMBERS = 10_000
MAX_RATIO = 100
RATIO_FLOOR = 2 * MB
_ZIP_CHUNK = 256 * 1024
# what zipfile raises on damaged archives (a flipped version field gives NotImplementedError,
# a cut header struct.error, a broken deflate stream zlib.error)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError,
              struct.error, zlib.error)

_SAMPLE = 64 * 1024
_MAX_CONTROL_RATIO = 0.05

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# bytes that never occur in text: C0 controls except \t \n \v \f \r, \x1a (old DOS EOF) and ESC
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 26, 27)) + b"\x7f"
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL) + b"]")
_CONTROL_STR_RE = re.compile("[" + re.escape(_CONTROL.decode("ascii")) + "]")


# --- limits --------------------------------------------------------------------------------


def max_text_bytes() -> int:
    return limits.budget().text_bytes


def max_unzipped_bytes() -> int:
    return limits.budget().unzipped_bytes


def max_cells() -> int:
    return limits.budget().cells


def _mb(n: float, exact: bool = False) -> str:
    """A size as the officer reads it: "120.0 MB", limits as "20 MB"; under 1 MB in KB."""
    if n < MB:
        return f"{n / 1024:.0f} KB" if exact or n % 1024 == 0 else f"{n / 1024:.1f} KB"
    v = n / MB
    return f"{v:.0f} MB" if exact and v == int(v) else f"{v:.1f} MB"


def too_big(size: int, limit: int) -> str:
    return f"文件过大（{_mb(size)}，上限 {_mb(limit, exact=True)}）"


def clip_cell(text: str) -> str:
    """Cells longer than MAX_CELL_CHARS are truncated (with CLIP_MARKER), never refused:
    one runaway note cell should not cost the officer the whole table."""
    if len(text) > MAX_CELL_CHARS:
        return text[:MAX_CELL_CHARS] + CLIP_MARKER
    return text


# --- files ---------------------------------------------------------------------------------


def _stat_size(path: Path) -> int:
    try:
        if path.is_dir():
            raise InputError(path, "这是一个文件夹，不是文件")
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "文件不存在") from None
    except PermissionError:
        raise InputError(path, "没有读取权限") from None
    except OSError as exc:
        raise InputError(path, f"无法读取文件（{exc.strerror or exc}）") from None


def _read_bytes(path: Path, limit: int | None = None) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read() if limit is None else fh.read(limit)
    except FileNotFoundError:
        raise InputError(path, "文件不存在") from None
    except PermissionError:
        raise InputError(path, "没有读取权限") from None
    except OSError as exc:
        raise InputError(path, f"无法读取文件（{exc.strerror or exc}）") from None


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return True
    return len(_CONTROL_RE.findall(sample)) > _MAX_CONTROL_RATIO * max(len(sample), 1)


def _not_text(path: Path) -> InputError:
    return InputError(path, "不是文本文件（可能是二进制或损坏的文件）")


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode text bytes: BOM (UTF-8/UTF-16/UTF-32) first, then UTF-8, then GB18030.

    GB18030 is a superset of GBK and GB2312, so files saved by older Chinese Windows tools read
    unchanged; a GB18030 copy of a UTF-8 file decodes to exactly the same str.  A leading
    U+FEFF is dropped whichever encoding carried it.
    """
    path = Path(path)
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                if codec == "utf-8":
                    break          # a stray BOM on a GBK file: try the others below
                raise InputError(path, f"文件以 {codec.upper()} 标记开头，但内容无法按此编码解读") from None
            sample = text[:_SAMPLE]
            if "\x00" in sample or \
                    len(_CONTROL_STR_RE.findall(sample)) > _MAX_CONTROL_RATIO * max(len(sample), 1):
                raise _not_text(path)
            return text.lstrip("\ufeff") if codec == "utf-8" else text
    if _looks_binary(data):
        raise _not_text(path)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        # a UTF-8 file cut in the middle of its last character: keep what is there
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - 3:
            return body[:exc.start].decode("utf-8").lstrip("\ufeff")
    try:
        return body.decode("gb18030").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InputError(path, "无法识别文件编码（应为 UTF-8 或 GBK/GB18030 编码的文本）") from None


def read_text(path: str | Path, limit: int | None = None) -> str:
    """The text of a text-like file, guarded and decoded (see decode_bytes).

    Refuses: files over the text limit (or `limit` bytes), empty (or whitespace-only) files,
    binary files, and bytes that are neither UTF-8 nor GB18030.
    """
    p = Path(path)
    size = _stat_size(p)
    limit = limit or max_text_bytes()
    if size > limit:
        raise InputError(p, too_big(size, limit))
    if size == 0:
        raise InputError(p, "文件为空")
    data = _read_bytes(p, limit + 1)
    if len(data) > limit:                      # grew while we looked
        raise InputError(p, too_big(len(data), limit))
    if not data:
        raise InputError(p, "文件为空")
    text = decode_bytes(data, p)
    if not text.strip():
        raise InputError(p, "文件为空（只有空白字符）")
    return text


# --- zip containers (.xlsx / .docx) ----------------------------------------------------------


def guard_zip(path: str | Path, label: str = ".xlsx") -> list[str]:
    """Check an Office zip before any library inflates it; returns the member names.

    Refuses (InputError): a file that is not a readable zip ("无法读取 .xlsx：文件已损坏或不
    完整"), encrypted members, compression methods other than stored/deflate, more than
    MAX_ZIP_MEMBERS entries, a total uncompressed size over the limit, any member above
    RATIO_FLOOR that inflates more than MAX_RATIO times, and any member whose data does not
    inflate to exactly the size the central directory declares.

    The last check matters because the sizes are only claims: zipfile's read() of a whole member
    (what openpyxl and python-docx call) inflates *all* its compressed bytes in one go and only
    then cuts the result to the declared size, so a member declared at 100 KB whose 3 MB of
    deflate data expand to 3 GB would be inflated in memory.  Each member is therefore streamed
    once here in bounded chunks, stopping one byte past its declared size.
    """
    p = Path(path)
    broken = f"无法读取 {label}：文件已损坏或不完整"
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except InputError:
        raise
    except ZIP_ERRORS:
        raise InputError(p, broken) from None
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise InputError(p, "文件不存在") from None
        raise InputError(p, broken) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(p, f"{label} 文件结构异常（包含 {len(infos)} 个内部文件），拒绝读取")
    limit = max_unzipped_bytes()
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(p, f"{label} 文件已加密，请去掉密码后另存再试")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise InputError(p, f"{label} 文件内部压缩比异常（{info.filename} 解压后 "
                                f"{_mb(info.file_size)}，压缩比 {ratio:.0f}:1），疑似压缩炸弹，拒绝读取")
    if total > limit:
        raise InputError(p, f"{label} 解压后过大（{_mb(total)}，上限 {_mb(limit, exact=True)}），拒绝读取")
    try:
        with zipfile.ZipFile(p) as zf:
            for info in infos:
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or \
                        _inflated_size(zf, info) != info.file_size:
                    raise InputError(p, broken)
    except InputError:
        raise
    except (*ZIP_ERRORS, OSError):
        raise InputError(p, broken) from None
    return [i.filename for i in infos]


def count_tags(path: str | Path, members: list[str], tag: re.Pattern) -> int:
    """How many matches of `tag` (an element's opening, e.g. <c …>) the members hold, read as a
    stream in 1 MB chunks — no XML parsing, so a table too big to load is refused before any
    library builds it in memory.  A tag straddling two chunks is counted once."""
    total = 0
    with zipfile.ZipFile(path) as zf:
        for name in members:
            tail = b""
            with zf.open(name) as fh:
                while True:
                    chunk = fh.read(MB)
                    if not chunk:
                        break
                    buf = tail + chunk
                    cut = max(len(buf) - 64, 0)       # count matches starting before the kept tail
                    total += sum(1 for m in tag.finditer(buf) if m.start() < cut)
                    tail = buf[cut:]
            total += len(tag.findall(tail))
    return total


def _inflated_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """How many bytes a member really inflates to, read in bounded chunks and never more than
    one byte past its declared size (zipfile checks the CRC when the data ends first)."""
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    size = 0
    with zf.open(probe) as fh:
        while size <= info.file_size:
            chunk = fh.read(_ZIP_CHUNK)
            if not chunk:
                break
            size += len(chunk)
    return size


# --- sniffing --------------------------------------------------------------------------------

_EXT_KIND = {
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".docx": "docx",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
_OLD_OFFICE = {
    ".xls": "不支持旧版 .xls 格式，请另存为 .xlsx 后再试",
    ".et": "不支持 WPS 表格 .et 格式，请另存为 .xlsx 后再试",
    ".doc": "不支持旧版 .doc 格式，请另存为 .docx 后再试",
    ".wps": "不支持 WPS 文字 .wps 格式，请另存为 .docx 后再试",
}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole_problem(path: Path, ext: str) -> str:
    """What an OLE2 compound file is: an old .xls/.doc, or an encrypted .xlsx/.docx."""
    data = _read_bytes(path, 8 * MB)
    if _utf16("EncryptionInfo") in data or _utf16("EncryptedPackage") in data:
        return "文件设有打开密码（已加密），请去掉密码后另存再试"
    if ext in _OLD_OFFICE:
        return _OLD_OFFICE[ext]
    if _utf16("WordDocument") in data:
        return _OLD_OFFICE[".doc"]
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return _OLD_OFFICE[".xls"]
    return "是旧版 Office 二进制格式，请另存为 .xlsx 或 .docx 后再试"


def _zip_kind(path: Path, ext: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (*ZIP_ERRORS, OSError):
        names = set()          # broken: decide by extension, the reader reports the damage
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if ext in (".xlsx", ".xlsm", ".docx"):
        return _EXT_KIND[ext]
    if not names:
        raise InputError(path, "是损坏的 zip 压缩包，无法读取")
    raise InputError(path, "是 zip 压缩包，不是 .xlsx 或 .docx 文件；请解压后再试")


def sniff_kind(path: str | Path) -> str:
    """The file's format: "xlsx", "docx", "csv", "json", "jsonl" or "text".

    Magic bytes win over the extension (an .xlsx renamed .docx is still read as a workbook; a
    zip's members tell Word from Excel).  Raises InputError for missing/empty files, old binary
    Office (.xls/.doc/WPS — asks the officer to save as .xlsx/.docx), encrypted Office files,
    PDF, RTF, HTML tables saved as .xls/.doc, and .xlsx/.docx whose bytes are not a zip.
    Anything else is "text" (read_text then decides whether it really is text).
    """
    p = Path(path)
    size = _stat_size(p)
    if size == 0:
        raise InputError(p, "文件为空")
    ext = p.suffix.lower()
    head = _read_bytes(p, 1024)
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(p, ext)
    if head.startswith(_OLE_MAGIC):
        raise InputError(p, _ole_problem(p, ext))
    if head.startswith(b"%PDF"):
        raise InputError(p, "是 PDF 文件，暂不支持；请提供 .docx、.xlsx 或文本格式")
    if head.startswith(b"{\\rtf"):
        raise InputError(p, "是 RTF 格式，请用 Word 另存为 .docx 后再试")
    lead = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if ext in (".xls", ".xlsx", ".xlsm", ".et", ".doc", ".docx", ".wps"):
        target = ".docx" if ext in (".doc", ".docx", ".wps") else ".xlsx"
        if lead.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"mime-version")) \
                or b"<html" in lead or b"urn:schemas-microsoft-com:office" in lead:
            raise InputError(p, f"是网页（HTML/XML）格式导出的表格，不是真正的 {ext} 文件；"
                                f"请用 Excel/Word 打开后另存为 {target} 再试")
        if ext in _OLD_OFFICE:
            raise InputError(p, _OLD_OFFICE[ext])
        raise InputError(p, f"无法读取 {ext}：文件已损坏或不完整（内容不是 {ext} 格式）")
    return _EXT_KIND.get(ext, "text")
