"""The built-in common-indicator library (共性指标) from data/common_indicators.json."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources

from corpus.categories import LEVEL1_OF

GENERIC_TYPE = "通用"


def _raw() -> str:
    return resources.files("catalogue").joinpath("data/common_indicators.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def library_rows() -> tuple[dict, ...]:
    """One dict per entry: type, level1, level2, name, value, basis, code, explain, source."""
    data = json.loads(_raw())
    rows = []
    for tag, body in data["types"].items():
        for e in body["entries"]:
            rows.append({"type": tag, "level1": LEVEL1_OF[e["level2"]], "level2": e["level2"],
                         "name": e["name"], "value": e["value"], "basis": e["basis"], "code": e["code"],
                         "explain": e["explain"], "source": e.get("source", "")})
    return tuple(rows)


def library_version() -> str:
    """Changes whenever the data file changes (the stored library is reloaded then)."""
    return hashlib.sha256(_raw().encode("utf-8")).hexdigest()[:16]
