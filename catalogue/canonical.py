"""Canonical indicators: near-identical 三级 names in one 二级 merged under one id.

    name_key(name) -> str          the merge key (numbers, punctuation and filler words removed)
    level2_code(level2) -> "01"…   the 二级 number used in codes
    level2_name(text) -> 二级       a canonical 二级 from any spelling or short name
    CanonicalIndex                 merge keys → canonical ids, kept in memory by a writer

Merging is blocked: a name's key is looked up exactly first; only a key never seen before is
compared (rapidfuzz ratio) with the known keys of its 二级 whose length allows the threshold at
all and that share its whole first half or whole last half (an edit or two falls in one half).
Blocks stay small even when thousands of names share a head and a tail (群众对……满意度).
The rules (filler words, threshold) live in data/canonical.json.
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
    _blocks: dict[tuple, tuple[list[str], list[int]]] = field(default_factory=dict)

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
        for block in _blocks_of(level2, key, len(key)):
            keys, cids = self._blocks.setdefault(block, ([], []))
            keys.append(key)
            cids.append(cid)

    def find(self, level2: str, key: str) -> int | None:
        """The canonical id for this key: exact, else the closest near-identical key in its blocks."""
        cid = self.by_key.get((level2, key))
        if cid is not None:
            return cid
        r = rules()
        n, threshold = len(key), r["fuzzy_threshold"]
        if n < r["min_fuzzy_chars"]:
            return None
        from rapidfuzz import fuzz, process

        # ratio = 2·matches / (len a + len b) can reach the threshold only for lengths in this range
        shortest = -(-n * threshold // (200 - threshold))
        longest = n * (200 - threshold) // threshold
        best, best_score = None, -1.0
        for length in range(shortest, longest + 1):
            for block in _blocks_of(level2, key, length):
                keys, cids = self._blocks.get(block, ((), ()))
                if not keys:
                    continue
                hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=threshold)
                if hit and (hit[1] > best_score or (hit[1] == best_score and cids[hit[2]] < best)):
                    best, best_score = cids[hit[2]], hit[1]
        return best


def _blocks_of(level2: str, key: str, length: int) -> tuple[tuple, tuple]:
    """The two blocks holding keys of `length` characters that begin with this key's first half
    or end with its last half (halves measured for `length`).  A near-identical key differs in
    one half only, so it shares the other with this key and sits in one of these blocks."""
    head = (length + 1) // 2
    tail = length - head
    return (level2, length, key[:head], ""), (level2, length, "", key[len(key) - tail:] if tail else "")
