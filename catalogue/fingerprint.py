"""Content hashes: the same filing read from a .txt, a .docx or an .xlsx gets one hash.

The hash covers what the filing says (kind, name, department, year, budget, period,
description and every indicator's 二级, name, value and basis, in order) with all whitespace
removed (line breaks inside cells differ between a text export and the .docx it came from);
it ignores where the filing came from and how the page spelled its category labels.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from jixiao.corpus.models import Filing

_SPACE = re.compile(r"\s+")
_SEP = "\x00"      # field separator (not whitespace; readers do not keep NUL in cell text)


def filing_hash(f: Filing) -> str:
    parts = [f.kind, f.name, f.department or "", "" if f.year is None else str(f.year),
             "" if f.budget is None else repr(round(float(f.budget), 6)), f.period or "", f.description or ""]
    for i in f.indicators:
        parts += (i.level2, i.name, i.value or "", i.basis or "")
    text = _SPACE.sub("", _SEP.join(parts))
    return hashlib.sha256(f"{len(f.indicators)}{_SEP}{text}".encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
