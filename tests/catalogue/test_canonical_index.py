"""catalogue.canonical.CanonicalIndex.find against a brute force of the merge rule it documents.

The rule: a key seen for the first time joins the known key of its 二级 with the highest
rapidfuzz ratio ≥ fuzzy_threshold among the keys of a compatible length that share its whole
first half or whole last half (halves measured for the other key's length); ties go to the lower
canonical id, and within one block to the key stored first.  The index answers from
neighbourhood maps in large blocks; the brute force below compares every stored key.
"""
from __future__ import annotations

import random

from rapidfuzz import fuzz, process
import pytest

from jixiao.catalogue.canonical import NEAR_MAP_MIN, CanonicalIndex, rules


def brute_force(stored: dict[tuple[str, int], list[tuple[str, int]]], level2: str, key: str) -> int | None:
    """`stored`: (二级, key length) → [(key, canonical id)] in the order they were stored."""
    r = rules()
    n, threshold = len(key), r["fuzzy_threshold"]
    for k, cid in stored.get((level2, n), ()):
        if k == key:
            return cid
    if n < r["min_fuzzy_chars"]:
        return None
    best, best_score = None, -1.0
    for length in range(1, 3 * n):
        head = (length + 1) // 2
        tail = length - head
        same_length = stored.get((level2, length), ())
        blocks = ([(k, cid) for k, cid in same_length if k[:head] == key[:head]],
                  [(k, cid) for k, cid in same_length if k[length - tail:] == key[n - tail:]])
        for block in blocks:
            if not block:
                continue
            hit = process.extractOne(key, [k for k, _ in block], scorer=fuzz.ratio, score_cutoff=threshold)
            if hit and (hit[1] > best_score or (hit[1] == best_score and block[hit[2]][1] < best)):
                best, best_score = block[hit[2]][1], hit[1]
    return best


def _mutate(rng: random.Random, text: str, alphabet: str) -> str:
    chars = list(text)
    for _ in range(rng.choice((1, 1, 2, 3))):
        op = rng.choice("ids")
        i = rng.randrange(len(chars) + (op == "i"))
        if op == "i":
            chars.insert(i, rng.choice(alphabet))
        elif op == "d" and len(chars) > 2:
            del chars[i]
        elif chars:
            chars[i % len(chars)] = rng.choice(alphabet)
    return "".join(chars)


@pytest.mark.slow
def test_find_is_the_brute_force_of_the_documented_rule():
    """Thousands of keys from a few stems with two characters put in front (as place names are)
    or one to three characters changed, added or dropped anywhere (short and long keys, blocks
    far above NEAR_MAP_MIN), stored the way a writer stores them: each new key is looked up,
    then added under the id found or a new one."""
    alphabet = "服务群众满意度热线接通率办结及时"
    for seed in range(4):
        rng = random.Random(seed)
        stems = ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 26))) for _ in range(6)]
        index, stored, next_id, compared = CanonicalIndex(), {}, 0, 0
        for _ in range(2500):
            level2 = rng.choice(("数量指标", "数量指标", "数量指标", "质量指标"))
            stem = rng.choice(stems)
            key = (chr(rng.randrange(0x4E00, 0x9FA5)) + chr(rng.randrange(0x4E00, 0x9FA5)) + stem
                   if rng.random() < 0.5
                   else _mutate(rng, stem, alphabet))
            if (level2, key) in index.by_key:
                continue
            expected = brute_force(stored, level2, key)
            assert index.find(level2, key) == expected, (seed, level2, key)
            compared += 1
            if expected is None:
                next_id += 1
                expected = next_id
            index.add_key(level2, key, expected)
            stored.setdefault((level2, len(key)), []).append((key, expected))
        assert compared > 2000
        assert max(len(b.keys) for b in index._blocks.values()) > 3 * NEAR_MAP_MIN
        assert sum(1 for b in index._blocks.values() if b.near is not None) > 10
