"""Which lines of a table repeat an earlier line of another category, in near-linear time.

    earlier_duplicates(keys, groups, threshold) -> list[int | None]
    near(x, y, threshold) -> bool               the definition, for one pair

For every position b: the first earlier position a (a < b) whose group (二级 category) differs
from b's and whose key is the same as b's or *near* it, else None.  Two keys are near when their
lengths allow the threshold, rapidfuzz `ratio` reaches it, and they share their whole first half
or their whole last half (halves of the shorter key) — the catalogue's own notion of
near-identical names (catalogue/canonical.py): one or two edits fall in one half.  Empty keys
never match.

How, without comparing every pair:

* Per distinct key, what its near keys tell about positions is small and mergeable (`_Near`):
  the two earliest first positions of near keys whose first lines lie in different groups, and
  the earliest position of a near key in a group other than its first line's.  The answer for
  each position then takes constant time.
* Each distinct key is indexed under its first and last halves for every length it could be near
  to; a key is compared only with the keys of the blocks it falls in.  Blocks of real names hold
  a handful of keys, so the work grows with the number of lines.
* A large block (hundreds of same-length names sharing half their text) also maps the differing
  halves of its keys, and those halves with one or two characters deleted, to the keys: the
  query's differing half with the matching number of deletions is looked up there (two keys
  sharing a half are near exactly when deleting k_x characters from one's other half and k_y from
  the other's leaves the same text, k_x + k_y within the threshold's budget).  The few candidates
  are scored in C (rapidfuzz.process.extract).
* A query with too many candidates there (a block of near-identical keys), or whose budget needs
  more deletions (keys of 30 characters or more), is scored against the block in C with
  rapidfuzz.process.cdist, column chunks in order of first position, and stops as soon as no
  later key can change its summary.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from jixiao.catalogue.canonical import deletion_variants

SMALL_TABLE = 48           # distinct keys up to which every pair is compared directly
LARGE_BLOCK = 64           # blocks longer than this are handled as large blocks
MAX_DELETIONS = 2          # deletions mapped per key in a large block
MAX_VARIANTS = 600_000     # mapped deletion variants per large block, at most (memory)
MAX_CANDIDATES = 512       # candidates from the map above which a query is scored by cdist
SCAN_BUDGET = 40_000_000   # pairs one large block may score by cdist without settling early
_CHUNK = 256               # block columns scored per cdist call
_NONE = 1 << 62            # "no position"


@lru_cache(maxsize=4096)
def _lengths(n: int, threshold: int) -> tuple[int, ...]:
    """Lengths m for which two *different* keys of n and m characters can reach the threshold:
    ratio = 1 − edits / (n + m), so at least one edit must fit and the lengths must be close."""
    return tuple(m for m in range(-(-n * threshold // (200 - threshold)), n * (200 - threshold) // threshold + 1)
                 if (100 - threshold) * (n + m) >= 100)


def _halves(m: int) -> tuple[int, int]:
    head = (m + 1) // 2
    return head, m - head


def _budget(n: int, m: int, threshold: int) -> int:
    """Most characters inserted or deleted between keys of n and m characters at the threshold."""
    return (100 - threshold) * (n + m) // 100




def near(x: str, y: str, threshold: int) -> bool:
    """The definition: equal, or lengths that allow it, ratio ≥ threshold and a shared half."""
    if x == y:
        return bool(x)
    lx, ly = len(x), len(y)
    if not lx or not ly:
        return False
    budget = (100 - threshold) * (lx + ly) // 100       # insertions + deletions allowed
    if budget < 1 or abs(lx - ly) > budget or max(lx, ly) not in _lengths(min(lx, ly), threshold):
        return False
    head, tail = _halves(min(lx, ly))
    if not (x[:head] == y[:head] or tail == 0 or x[lx - tail:] == y[ly - tail:]):
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(x, y, score_cutoff=threshold) >= threshold


def _direct(keys: Sequence[str], groups: Sequence[int], threshold: int) -> list[int | None]:
    """earlier_duplicates by comparing each line with every earlier line (small tables).  Most
    pairs are settled by their lengths alone (names of a few characters are near only when equal)."""
    slack = 100 - threshold
    memo: dict[tuple[str, str], bool] = {}
    lengths = [len(k) for k in keys]
    out: list[int | None] = []
    for b, kb in enumerate(keys):
        found = None
        if kb:
            gb, lb = groups[b], lengths[b]
            for a in range(b):
                ka = keys[a]
                if not ka or groups[a] == gb:
                    continue
                if ka == kb:
                    found = a
                    break
                la = lengths[a]
                budget = slack * (la + lb) // 100
                if budget < 1 or abs(la - lb) > budget:
                    continue
                pair = (ka, kb) if ka < kb else (kb, ka)
                hit = memo.get(pair)
                if hit is None:
                    hit = memo[pair] = near(ka, kb, threshold)
                if hit:
                    found = a
                    break
        out.append(found)
    return out


class _Near:
    """What one key knows about its near keys (itself included), merged one candidate at a time."""

    __slots__ = ("p1", "g1", "p2", "other")

    def __init__(self):
        self.p1 = self.p2 = self.other = _NONE
        self.g1 = -1

    def add(self, pos: int, group: int, other: int) -> None:
        if other < self.other:
            self.other = other
        if pos < self.p1:
            if group != self.g1:
                self.p2 = self.p1
            self.p1, self.g1 = pos, group
        elif group != self.g1 and pos < self.p2:
            self.p2 = pos

    def earliest_outside(self, group: int) -> int:
        """The earliest position of a near key in a group other than `group`."""
        return min(self.p1 if self.g1 != group else self.p2, self.other)


class _Keys:
    """The distinct keys of a table with their first positions, groups and summaries."""

    def __init__(self, keys: Sequence[str], groups: Sequence[int], threshold: int):
        self.threshold = threshold
        self.ids: list[int] = []
        distinct: dict[str, int] = {}
        for k in keys:
            self.ids.append(distinct.setdefault(k, len(distinct)) if k else -1)
        self.texts = list(distinct)
        first = [-1] * len(self.texts)
        other = [_NONE] * len(self.texts)      # first position whose group differs from the first's
        for pos, (i, g) in enumerate(zip(self.ids, groups)):
            if i < 0:
                continue
            if first[i] < 0:
                first[i] = pos
            elif other[i] == _NONE and g != groups[first[i]]:
                other[i] = pos
        self.first, self.other = first, other
        self.group = [groups[p] for p in first]
        self.groups_of: list[set[int]] = [set() for _ in self.texts]
        for i, g in zip(self.ids, groups):
            if i >= 0:
                self.groups_of[i].add(g)
        self.near = [_Near() for _ in self.texts]
        for i in range(len(self.texts)):
            self.near[i].add(first[i], self.group[i], other[i])

    def hit(self, i: int, j: int) -> None:
        self.near[i].add(self.first[j], self.group[j], self.other[j])


def earlier_duplicates(keys: Sequence[str], groups: Sequence[int], threshold: int,
                       direct_up_to: int = SMALL_TABLE) -> list[int | None]:
    if len(keys) <= direct_up_to:
        return _direct(keys, groups, threshold)
    from rapidfuzz import fuzz

    ks = _Keys(keys, groups, threshold)
    texts = ks.texts
    # index: (length, head?, cut, text of that half) -> key ids, in order of first position
    blocks: dict[tuple, list[int]] = {}
    for i, t in enumerate(texts):
        size = len(t)
        for head, tail in {_halves(m) for m in _lengths(size, threshold) if m <= size}:
            blocks.setdefault((size, True, head, t[:head]), []).append(i)
            blocks.setdefault((size, False, tail, t[size - tail:] if tail else ""), []).append(i)

    large: dict[tuple, list[int]] = {}
    for i, t in enumerate(texts):
        size = len(t)
        seen = {i}
        for m in _lengths(size, threshold):
            head, tail = _halves(min(size, m))
            for block in ((m, True, head, t[:head]), (m, False, tail, t[size - tail:] if tail else "")):
                members = blocks.get(block)
                if not members:
                    continue
                if len(members) > LARGE_BLOCK:
                    large.setdefault(block, []).append(i)
                    continue
                for j in members:
                    if j not in seen:
                        seen.add(j)
                        if fuzz.ratio(t, texts[j], score_cutoff=threshold) >= threshold:
                            ks.hit(i, j)
    for block, queries in large.items():
        _LargeBlock(ks, block, blocks[block]).compare(queries)

    out: list[int | None] = []
    for b, i in enumerate(ks.ids):
        a = ks.near[i].earliest_outside(groups[b]) if i >= 0 else _NONE
        out.append(a if a < b else None)
    return out


class _LargeBlock:
    """One large block: keys of one length sharing their first (or last) `cut` characters."""

    def __init__(self, ks: _Keys, block: tuple, members: list[int]):
        self.ks = ks
        self.length, self.head, self.cut, _ = block
        self.members = members                 # ascending first position (ids are first-seen order)
        self.maps: list[dict[str, list[int]]] | None = None
        self.full = False                      # a deeper map would pass MAX_VARIANTS

    def part(self, text: str) -> str:
        """The half a key does not share with the block."""
        return text[self.cut:] if self.head else text[:len(text) - self.cut]

    def _map(self, depth: int) -> int:
        """Map the differing halves with 0..d deletions → member positions, for the largest
        d ≤ depth whose variants fit MAX_VARIANTS; returns d (−1: not even the halves fit)."""
        if self.maps is not None and (len(self.maps) > depth or self.full):
            return min(depth, len(self.maps) - 1)
        from math import comb

        texts = self.ks.texts
        parts = [self.part(texts[j]) for j in self.members]
        size, fits = 0, -1
        for k in range(depth + 1):
            size += sum(comb(len(p), k) for p in parts)
            if size > MAX_VARIANTS:
                self.full = True               # deeper maps will not fit either
                break
            fits = k
        if self.maps is not None and len(self.maps) > fits:
            return len(self.maps) - 1
        maps: list[dict[str, list[int]]] = []
        for k in range(fits + 1):
            level: dict[str, list[int]] = {}
            for pos, p in enumerate(parts):
                for v in deletion_variants(p, k):
                    level.setdefault(v, []).append(pos)
            maps.append(level)
        self.maps = maps
        return fits

    def _candidates(self, text: str, delta: int, lo: int, hi: int) -> set[int] | None:
        """Member positions whose differing half meets the query's after k_x ∈ [lo, hi]
        deletions from the query's and k_x + delta from theirs; None past MAX_CANDIDATES."""
        part = self.part(text)
        found: set[int] = set()
        for k_x in range(lo, hi + 1):
            level = self.maps[k_x + delta]
            for v in deletion_variants(part, k_x):
                got = level.get(v)
                if got:
                    if len(got) > MAX_CANDIDATES:
                        return None
                    found.update(got)
                    if len(found) > MAX_CANDIDATES:
                        return None
        return found

    def compare(self, queries: list[int]) -> None:
        """Every near member of each query, exactly — except that a block which would need more
        than SCAN_BUDGET pairs scored for queries whose budget exceeds the mapped deletions
        (keys of 30 characters or more, thousands of them sharing a half) looks only for near
        members within the mapped deletions."""
        ks, threshold = self.ks, self.ks.threshold
        texts = ks.texts
        crowded: list[int] = []              # too many candidates: near-identical keys
        deep: list[tuple[int, int, int, int]] = []   # needs more deletions than are mapped
        for i in queries:
            t = texts[i]
            delta = self.length - len(t)                       # k_y − k_x
            budget = _budget(len(t), self.length, threshold)
            lo, hi = max(0, -delta), (budget - delta) // 2     # k_x
            if hi < lo:
                continue
            mapped = self._map(min(hi + delta, MAX_DELETIONS))
            if mapped < hi + delta:
                deep.append((i, delta, lo, mapped - delta))
                continue
            found = self._candidates(t, delta, lo, hi)
            if found is None:
                crowded.append(i)
            elif found:
                self._score(i, [self.members[p] for p in found])
        if deep and len(deep) * len(self.members) <= SCAN_BUDGET:
            crowded.extend(i for i, *_ in deep)
        else:
            for i, delta, lo, hi in deep:
                found = self._candidates(texts[i], delta, lo, hi) if hi >= lo else set()
                if found is None:
                    crowded.append(i)
                elif found:
                    self._score(i, [self.members[p] for p in found])
        if crowded:
            self._scan(crowded)

    def _score(self, i: int, cands: list[int]) -> None:
        from rapidfuzz import fuzz, process

        ks = self.ks
        for _, _, idx in process.extract(ks.texts[i], [ks.texts[j] for j in cands], scorer=fuzz.ratio,
                                         score_cutoff=ks.threshold, limit=None):
            ks.hit(i, cands[idx])

    def _scan(self, rows: list[int]) -> None:
        """Score rows against the block in C, column chunks in order of first position, until no
        later member can change a row's summary."""
        import numpy as np
        from rapidfuzz import fuzz, process

        ks, threshold = self.ks, self.ks.threshold
        cols = self.members
        col_first = np.array([ks.first[j] for j in cols], dtype=np.int64)
        col_group = np.array([ks.group[j] for j in cols], dtype=np.int64)
        col_other = np.array([ks.other[j] for j in cols], dtype=np.int64)
        n = len(cols)
        # from each column on: least `other`, and the two least firsts of different groups
        suf_other = np.minimum.accumulate(col_other[::-1])[::-1]
        suf_p1 = [_NONE] * (n + 1)
        suf_g1 = [-1] * (n + 1)
        suf_p2 = [_NONE] * (n + 1)
        for c in range(n - 1, -1, -1):
            f, g = int(col_first[c]), int(col_group[c])
            p1, g1, p2 = suf_p1[c + 1], suf_g1[c + 1], suf_p2[c + 1]
            if f < p1:
                p1, g1, p2 = f, g, (p1 if g != g1 else p2)
            elif g != g1 and f < p2:
                p2 = f
            suf_p1[c], suf_g1[c], suf_p2[c] = p1, g1, p2
        active = list(rows)
        for start in range(0, n, _CHUNK):
            if not active:
                break
            stop = min(n, start + _CHUNK)
            scores = process.cdist([ks.texts[i] for i in active], [ks.texts[j] for j in cols[start:stop]],
                                   scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8, workers=-1)
            hit = scores >= threshold
            # per row: the earliest near member, the earliest of another group, the least other
            firsts = np.where(hit, col_first[start:stop], _NONE)
            c1 = firsts.argmin(axis=1)
            every = np.arange(len(active))
            v1, g1 = firsts[every, c1], col_group[start:stop][c1]
            seconds = np.where(hit & (col_group[None, start:stop] != g1[:, None]), col_first[start:stop], _NONE)
            c2 = seconds.argmin(axis=1)
            v2, g2 = seconds[every, c2], col_group[start:stop][c2]
            least_other = np.where(hit, col_other[start:stop], _NONE).min(axis=1)
            for r, i in enumerate(active):
                agg = ks.near[i]
                if v1[r] < _NONE:
                    agg.add(int(v1[r]), int(g1[r]), int(least_other[r]))
                if v2[r] < _NONE:
                    agg.add(int(v2[r]), int(g2[r]), _NONE)
            if stop == n:
                break
            active = [i for i in active if not self._settled(ks, i, stop, col_first, suf_other,
                                                             suf_p1, suf_g1, suf_p2)]

    @staticmethod
    def _settled(ks: _Keys, i: int, c: int, col_first, suf_other, suf_p1, suf_g1, suf_p2) -> bool:
        """No member from column c on can change what key i knows."""
        agg = ks.near[i]
        if int(col_first[c]) < agg.p1 or int(suf_other[c]) < agg.other:
            return False
        if agg.g1 not in ks.groups_of[i]:
            return True                        # its lines never need a second group
        best_elsewhere = suf_p1[c] if suf_g1[c] != agg.g1 else suf_p2[c]
        return best_elsewhere >= agg.p2
