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

from jixiao.corpus.textkeys import merge_key



@lru_cache(maxsize=1)
def rules() -> dict:
    with resources.files("jixiao.catalogue").joinpath("data/canonical.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    strip = unicodedata.normalize("NFKC", data["strip_chars"]) + data["strip_chars"]
    data["_strip_table"] = {ord(ch): None for ch in strip}
    data["_filler"] = re.compile("|".join(re.escape(w) for w in sorted(data["filler"], key=len, reverse=True)))
    return data


@lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """Merge key of an indicator name; the squashed name itself when nothing else is left."""
    r = rules()
    return merge_key(name, r["_strip_table"], r["_filler"])


def level2_code(level2: str) -> str:
    return rules()["level2_codes"].get(level2, "00")


def level2_name(text: str) -> str | None:
    """The canonical 二级 for a canonical name, a spelling or a short name (数量, 满意度)."""
    from jixiao.corpus.categories import SHORT, canonical_level2

    text = (text or "").strip()
    return canonical_level2(text) or {short: full for full, short in SHORT.items()}.get(text)


# Blocks holding more keys than this also map their keys' differing halves (and every way of
# dropping one character from them) to positions, so most lookups there are dictionary hits
# instead of a comparison with every key (see CanonicalIndex.find).
NEAR_MAP_MIN = 32
# A lookup deleting more characters than this from the query's half scans the block instead.
MAX_QUERY_DELETIONS = 3


class _Block:
    """Keys of one 二级 and length sharing their first half (head block) or last half (tail block)."""

    __slots__ = ("keys", "cids", "head", "cut", "near", "parts")

    def __init__(self, head: bool, length: int):
        self.keys: list[str] = []
        self.cids: list[int] = []
        self.head = head                     # True: the keys share their head; they differ in key[cut:]
        self.cut = (length + 1) // 2
        self.near: dict[str, list[int]] | None = None
        self.parts: list[str] = []              # differing(key) of every key, once `near` exists

    def differing(self, key: str) -> str:
        return key[self.cut:] if self.head else key[:self.cut]

    def add(self, key: str, cid: int) -> None:
        self.keys.append(key)
        self.cids.append(cid)
        if self.near is not None:
            self._map(len(self.keys) - 1)
        elif len(self.keys) > NEAR_MAP_MIN:
            self.near = {}
            for pos in range(len(self.keys)):
                self._map(pos)

    def _map(self, pos: int) -> None:
        part = self.differing(self.keys[pos])
        self.parts.append(part)
        near = self.near
        for v in (part, *deletion_variants(part, 1)):
            got = near.get(v)
            if got is None:
                near[v] = [pos]
            elif got[-1] != pos:
                got.append(pos)


@lru_cache(maxsize=1 << 16)
def deletion_variants(text: str, k: int) -> frozenset[str]:
    """Every string left after deleting exactly k characters of text."""
    if k == 0:
        return frozenset((text,))
    if k > len(text):
        return frozenset()
    one = frozenset(text[:i] + text[i + 1:] for i in range(len(text)))
    if k == 1:
        return one
    return frozenset(v for shorter in one for v in deletion_variants(shorter, k - 1))


@dataclass
class CanonicalIndex:
    """Known merge keys and name variants of a catalogue, refreshed incrementally.

    A writer refreshes it inside each write transaction (`refresh`), so keys another process
    added meanwhile are seen before new canonical indicators are created.
    """

    by_key: dict[tuple[str, str], int] = field(default_factory=dict)
    variants: dict[tuple[int, str], int] = field(default_factory=dict)   # (canonical id, name) -> variant id
    last_variant_id: int = 0
    _blocks: dict[tuple, _Block] = field(default_factory=dict)

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
        n = len(key)
        for head, block in zip((True, False), _blocks_of(level2, key, n)):
            blk = self._blocks.get(block)
            if blk is None:
                blk = self._blocks[block] = _Block(head, n)
            blk.add(key, cid)

    def find(self, level2: str, key: str) -> int | None:
        """The canonical id for this key: exact, else the closest near-identical key in its blocks.

        Near-identical: rapidfuzz ratio ≥ fuzzy_threshold, i.e. at most D = (100 − threshold) ×
        (len a + len b) / 100 characters inserted or deleted between the keys.  Keys of one block
        share a half, and the insertions and deletions between two keys sharing a prefix (or
        suffix) are those between the remaining parts.  Two parts X, Y are that close exactly
        when deleting k_x characters from X and k_y from Y leaves the same string for some
        k_x + k_y ≤ D, with k_y − k_x = len Y − len X.  A large block maps every key's part
        and its one-character deletions (k_y ≤ 1) to positions, so the query's part with k_x
        deletions is looked up there; only when k_y ≥ 2 could be needed (or k_x is large) is
        the block compared key by key.  The candidates are scored with rapidfuzz either way:
        same winner as comparing every key of the blocks (best score, then lower id; within a
        block the first position).
        """
        cid = self.by_key.get((level2, key))
        if cid is not None:
            return cid
        r = rules()
        n, threshold = len(key), r["fuzzy_threshold"]
        if n < r["min_fuzzy_chars"]:
            return None
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import Indel

        best, best_score = None, -1.0
        for length, budget, scan, deletions in _plan(n, threshold):
            for block in _blocks_of(level2, key, length):
                blk = self._blocks.get(block)
                if blk is None:
                    continue
                if blk.near is None:
                    hit = process.extractOne(key, blk.keys, scorer=fuzz.ratio, score_cutoff=threshold)
                    if hit is None:
                        continue
                    score, pos = hit[1], hit[2]
                else:
                    part = key[blk.cut:] if blk.head else key[:n - length + blk.cut]
                    if scan:       # the fewest insertions/deletions between the parts is the best ratio
                        hit = process.extractOne(part, blk.parts, scorer=Indel.distance, score_cutoff=budget)
                        found = (hit[2],) if hit is not None else ()
                    else:
                        found = set()
                        for k_x in deletions:
                            for v in deletion_variants(part, k_x):
                                found.update(blk.near.get(v, ()))
                        found = sorted(found)
                    score, pos = -1.0, None
                    for p in found:
                        sc = fuzz.ratio(key, blk.keys[p], score_cutoff=threshold)
                        if sc >= threshold and sc > score:
                            score, pos = sc, p
                    if pos is None:
                        continue
                c = blk.cids[pos]
                if score > best_score or (score == best_score and c < best):
                    best, best_score = c, score
        return best


@lru_cache(maxsize=1024)
def _plan(n: int, threshold: int) -> tuple[tuple[int, int, bool, tuple[int, ...]], ...]:
    """For a key of n characters, per compatible length of the other key: (length, D, whether a
    large block must be compared key by key, the k_x to look up with).  Ratio = 2·matches /
    (len a + len b) reaches the threshold only for lengths in this range."""
    plan = []
    for length in range(-(-n * threshold // (200 - threshold)), n * (200 - threshold) // threshold + 1):
        delta = length - n                                    # = k_y − k_x
        budget = (100 - threshold) * (n + length) // 100      # D
        scan = 2 * max(0, 2 - delta) + delta <= budget        # some k_y ≥ 2 fits in D
        deletions = tuple(k_y - delta for k_y in (0, 1) if 0 <= k_y - delta and 2 * k_y - delta <= budget)
        scan = scan or any(k_x > MAX_QUERY_DELETIONS for k_x in deletions)
        plan.append((length, budget, scan, deletions))
    return tuple(plan)


def _blocks_of(level2: str, key: str, length: int) -> tuple[tuple, tuple]:
    """The two blocks holding keys of `length` characters that begin with this key's first half
    or end with its last half (halves measured for `length`).  A near-identical key differs in
    one half only, so it shares the other with this key and sits in one of these blocks."""
    head = (length + 1) // 2
    tail = length - head
    return (level2, length, key[:head], ""), (level2, length, "", key[len(key) - tail:] if tail else "")
