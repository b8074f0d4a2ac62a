"""Content hashes: the same filing read from a .txt, a .docx or an .xlsx gets one hash.

The hash covers what the filing says (kind, name, department, year, budget, period,
description and every indicator's 二级, name, value and basis, in order), with text
NFKC-normalised and whitespace removed; it ignores where the filing came from and how the
page spelled its category labels.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

from corpus.models import Filing

_SPACE = re.compile(r"\s+")


def _text(s: str | None) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", s or ""))


def filing_hash(f: Filing) -> str:
    payload = [
        f.kind, _text(f.name), _text(f.department), f.year,
        None if f.budget is None else repr(round(float(f.budget), 6)),
        _text(f.period), _text(f.description),
        [[i.level2, _text(i.name), _text(i.value), _text(i.basis)] for i in f.indicators],
    ]
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
