"""Text that can always be stored, printed and written: no lone surrogates, one line per message.

    clean_text(text) -> str     lone surrogates (U+D800–U+DFFF: a JSON "\\ud800" escape, or a file
                                name's undecodable bytes) replaced by U+FFFD; other text unchanged
    shown_path(path) -> str     a path as one printable line: undecodable bytes as \\xNN, line
                                breaks, tabs and other control characters as escapes
    one_line(text) -> str       a message part on one line (control characters escaped)

SQLite, json.dumps(ensure_ascii=False) written to a UTF-8 stream and every writer refuse lone
surrogates; a line break in a file name would split a one-line message in two.
"""
from __future__ import annotations

import os
import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f\u2028\u2029\u0085]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def clean_text(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _escape(m: re.Match) -> str:
    ch = m.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def one_line(text: str) -> str:
    text = clean_text(text)
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def shown_path(path) -> str:
    text = os.fspath(path) if not isinstance(path, str) else path
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if _SURROGATE.search(text):
        # undecodable bytes of a file name (os.fsdecode's surrogateescape) shown as \xNN
        text = "".join(f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF
                       else ("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch) for ch in text)
    return one_line(text)
