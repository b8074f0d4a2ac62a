"""Output safety: file and sheet names that stay where they belong, cells that stay text.

    safe_filename(name, ext, taken)   a file name for OUTDIR derived from a project name
    safe_sheet_title(name, taken)     an Excel sheet name (≤31, no []:*?/\\, unique)
    cell_text(value)                  a value made fit for a cell (no control characters, no
                                      over-long text); numbers stay numbers
    is_formula_like(text)             would a spreadsheet run this text as a formula?
    csv_field(value)                  cell_text + the OWASP single-quote prefix for CSV

Text from filings is hostile until proven otherwise: a 三级指标 "=HYPERLINK(...)" must reach the
officer's spreadsheet as the characters "=HYPERLINK(...)", never as a live formula, and a project
called "../../etc/passwd" must produce a file inside OUTDIR.

`write_csv` and `write_xlsx_rows` (the summary writers) live in .tabular and are re-exported here.
"""
from __future__ import annotations

import re
import unicodedata

# --- file names -------------------------------------------------------------------------------

MAX_NAME_BYTES = 240          # most file systems allow 255 bytes per name; keep a margin
_FALLBACK = "未命名"
# characters no file system should see in a name (Windows forbids all of them; / and NUL Unix)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{n}" for p in ("COM", "LPT") for n in list("123456789") + ["¹", "²", "³"]]
)


def _visible(text: str) -> str:
    """Drop control, format (bidi overrides, zero-width) and separator characters."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append(" " if ch in "\t\n\r\x0b\x0c\u2028\u2029" else "")
        else:
            out.append(ch)
    return "".join(out)


def _clip_bytes(text: str, limit: int) -> str:
    """The longest prefix of text whose UTF-8 encoding fits in `limit` bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _clean_stem(name: str) -> str:
    stem = unicodedata.normalize("NFC", _visible(str(name or "")))
    # path-like names: keep the meaningful parts ("../../etc/passwd" → "etc_passwd")
    parts = [p.strip() for p in _SEPARATORS.split(stem)]
    stem = "_".join(p for p in parts if p.strip(". "))
    stem = _FORBIDDEN.sub("_", stem)
    stem = _SPACES.sub(" ", stem.replace("\u3000", " ")).strip()
    stem = stem.strip(". ")             # no hidden files, no "..", no trailing dot/space (Windows)
    if not stem.strip("._ "):
        return _FALLBACK
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = "_" + stem
    return stem


class TakenNames(set):
    """The names already used in a folder, also kept case-folded, for safe_filename to check a
    name in constant time (a batch names thousands of files); add names with .add()."""

    def __init__(self, names=()):
        super().__init__(names)
        self.folded = {n.casefold() for n in self}

    def add(self, name: str) -> None:
        super().add(name)
        self.folded.add(name.casefold())


def safe_filename(name: str, ext: str, taken: set[str]) -> str:
    """A readable, safe, unique file name for `name` with extension `ext` ("xlsx" or ".xlsx").

    The result is a single path component: no separators, no "..", no control or bidi characters,
    no Windows reserved device names, no trailing dots or spaces, at most MAX_NAME_BYTES bytes
    (trimmed on a character boundary), never empty ("未命名").  Chinese stays as it is.  When the
    name is already in `taken` (compared case-insensitively, as Windows and macOS do) " (2)",
    " (3)" … is added.  The returned name is added to `taken`.
    """
    ext = _FORBIDDEN.sub("", _visible(str(ext or ""))).strip(". ")
    suffix = f".{ext}" if ext else ""
    stem = _clean_stem(name)
    seen = taken.folded if isinstance(taken, TakenNames) else {t.casefold() for t in taken}
    n = 1
    while True:
        tail = "" if n == 1 else f" ({n})"
        room = MAX_NAME_BYTES - len((tail + suffix).encode("utf-8"))
        base = _clip_bytes(stem, room).rstrip(". ") or _FALLBACK
        candidate = f"{base}{tail}{suffix}"
        if candidate.casefold() not in seen:
            taken.add(candidate)
            return candidate
        n += 1


# --- sheet names ------------------------------------------------------------------------------

MAX_SHEET_CHARS = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip_utf16(text: str, limit: int) -> str:
    out = []
    used = 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if used + w > limit:
            break
        out.append(ch)
        used += w
    return "".join(out)


def safe_sheet_title(name: str, taken: set[str], fallback: str = "表") -> str:
    """An Excel sheet name from `name`: ≤31 characters (UTF-16 units, as Excel counts), none of
    []:*?/\\, no leading/trailing apostrophe, not "History" (reserved by Excel), unique within
    `taken` case-insensitively (" (2)" …).  The returned name is added to `taken`."""
    title = _SHEET_FORBIDDEN.sub("_", _SPACES.sub(" ", _visible(str(name or ""))).strip())
    title = title.strip("' ") or fallback
    if title.casefold() == "history":
        title = f"{title}_"
    seen = taken.folded if isinstance(taken, TakenNames) else {t.casefold() for t in taken}
    n = 1
    while True:
        tail = "" if n == 1 else f" ({n})"
        base = _clip_utf16(title, MAX_SHEET_CHARS - _utf16_len(tail)).rstrip("' ") or fallback
        candidate = base + tail
        if candidate.casefold() not in seen:
            taken.add(candidate)
            return candidate
        n += 1


# --- cells ------------------------------------------------------------------------------------

MAX_CELL_CHARS = 32767        # Excel's limit for one cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")   # XML 1.0 / openpyxl refuse these
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA_START = frozenset("=+-@＝＋－＠")
_LEADING_SPACE = " \u3000\xa0\t\r\n"


def cell_text(value):
    """A value ready for a spreadsheet cell: None → "", int/float stay numbers (bool → 是/否),
    anything else becomes text without control characters, cut at Excel's 32,767 characters.

    It does not add a formula guard: use tabular.put (xlsx) or csv_field (CSV), which call it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    text = _ILLEGAL.sub("", str(value))
    if _SURROGATE.search(text):     # a file name's undecodable bytes: UTF-8 cannot hold them
        text = _SURROGATE.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def is_formula_like(text) -> bool:
    """True when a spreadsheet could read `text` as a formula or DDE call: it starts with
    = + - @ (or their full-width forms) followed by anything, also after leading spaces, tabs and
    line breaks, or it starts with a tab or carriage return (OWASP CSV injection guidance).  A
    lone sign ("=", "-") is plain text."""
    if not isinstance(text, str) or not text:
        return False
    if text[0] in "\t\r":
        return True
    stripped = text.strip(_LEADING_SPACE)
    # a lone sign ("=" in a 计算符号 column, "-" for nothing) cannot carry a formula
    return len(stripped) > 1 and stripped[0] in _FORMULA_START


def csv_field(value):
    """A CSV field: cell_text, and formula-like text prefixed with a single quote (OWASP)."""
    v = cell_text(value)
    if isinstance(v, str) and is_formula_like(v):
        return "'" + v
    return v


def __getattr__(name):       # the summary writers, re-exported without an import cycle
    if name in ("write_csv", "write_xlsx_rows", "write_xlsx_sheets"):
        from . import tabular

        return getattr(tabular, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
