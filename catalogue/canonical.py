"""Canonical indicators: near-identical 三级 names in one 二级 merged under one id.

    name_key(name) -> str          the merge key (numbers, punctuation and filler words removed)
    level2_code(level2) -> "01"…   the 二级 number used in codes
    level2_name(text) -> 二级       a canonical 二级 from any spelling or short name
    CanonicalIndex                 merge keys → canonical ids, kept in memory by a writer

Merging is blocked: a name's key is looked up exactly first; only a key never seen before is
compared (rapidfuzz ratio) with the known keys of its 二级 that share its first or last
characters.  The rules (filler words, threshold, block size) live in data/canonical.json.
"""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?")


@lru_cache(maxsize=1)
def rules() -> dict:
    with resources.files("catalogue").joinpath("data/canonical.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    strip = unicodedata.normalize("NFKC", data["strip_chars"]) + data["strip_chars"]
    data["_strip_table"] = {ord(ch): None for ch in strip}
    data["_filler"] = re.compile("|".join(re.escape(w) for w in sorted(data["filler"], key=len, reverse=True)))
    return data


@lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """Merge key of an indicator name; the squashed name itself when nothing else is left."""
    r = rules()
    squashed = _SPACE.sub("", unicodedata.normalize("NFKC", name or "").lower())
    key = _NUMBER.sub("", squashed.translate(r["_strip_table"]))
    key = r["_filler"].sub("", key)
    return key or squashed


def level2_code(level2: str) -> str:
    return rules()["level2_codes"].get(level2, "00")


def level2_name(text: str) -> str | None:
    """The canonical 二级 for a canonical name, a spelling or a short name (数量, 满意度)."""
    from corpus.categories import SHORT, canonical_level2

    text = (text or "").strip()
    return canonical_level2(text) or {short: full for full, short in SHORT.items()}.get(text)


@dataclass
class CanonicalIndex:
    """Known merge keys and name variants of a catalogue, refreshed incrementally.

    A writer refreshes it inside each write transaction (`refresh`), so keys another process
    added meanwhile are seen before new canonical indicators are created.
    """

    by_key: dict[tuple[str, str], int] = field(default_factory=dict)
    variants: dict[tuple[int, str], int] = field(default_factory=dict)   # (canonical id, name) -> variant id
    last_variant_id: int = 0
    _blocks: dict[tuple[str, str, str], tuple[list[str], list[int]]] = field(default_factory=dict)

    def refresh(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute(
            "SELECT id, canonical_id, level2, name, key FROM canonical_names WHERE id > ? ORDER BY id",
            (self.last_variant_id,))
        for vid, cid, level2, name, key in rows:
            self.variants[(cid, name)] = vid
            self.add_key(level2, key, cid)
            self.last_variant_id = vid

    def add_key(self, level2: str, key: str, cid: int) -> None:
        if (level2, key) in self.by_key:
            return
        self.by_key[(level2, key)] = cid
        for block in self._block_ids(level2, key):
            keys, cids = self._blocks.setdefault(block, ([], []))
            keys.append(key)
            cids.append(cid)

    def find(self, level2: str, key: str) -> int | None:
        """The canonical id for this key: exact, else the closest near-identical key in its blocks."""
        cid = self.by_key.get((level2, key))
        if cid is not None:
            return cid
        r = rules()
        if len(key) < r["min_fuzzy_chars"]:
            return None
        from rapidfuzz import fuzz, process

        best, best_score = None, -1.0
        for block in self._block_ids(level2, key):
            keys, cids = self._blocks.get(block, ((), ()))
            if not keys:
                continue
            hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=r["fuzzy_threshold"])
            if hit and hit[1] > best_score:
                best, best_score = cids[hit[2]], hit[1]
        return best

    @staticmethod
    def _block_ids(level2: str, key: str) -> tuple[tuple[str, str, str], ...]:
        n = rules()["block_chars"]
        return (level2, "head", key[:n]), (level2, "tail", key[-n:])
