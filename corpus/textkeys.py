"""Text keys: every way jixiao folds a name or a cell before comparing it, in one place.

The keys differ on purpose (a merge key drops numbers, a duplicate check keeps them), so each has
its own name saying what it keeps and what it drops.  Outputs depend on them byte for byte: change
a rule only with the seeds and the evaluation set checked before and after.

    FULL_WIDTH_ASCII           the full-width table: U+FF01–U+FF5E → U+0021–U+007E
    FULL_WIDTH_AND_SPACE       the same, and the ideographic space U+3000 → a space
    folded_text(s)             full-width folded, zero-width dropped, whitespace runs → one space
    nfkc_squashed(s)           NFKC, lower case, no whitespace at all
    unpunctuated_name(s)       whitespace, quotes, brackets and CJK/ASCII separators dropped
    bare_name(s)               also digits, . % / - — · and the words 指标 / 的 dropped
    project_name_key(s, rx)    folded_text, the pattern rx removed, lower case
    merge_key(s, drop, filler) nfkc_squashed, characters `drop`, numbers and filler words removed

engine/tokenize.py's `normalize` (NFKC and lower case, whitespace kept) stays beside the
tokeniser it serves; it uses FULL_WIDTH_AND_SPACE from here.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# One character to one character, so positions in the folded text are positions in the original.
FULL_WIDTH_ASCII: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FULL_WIDTH_AND_SPACE: dict[int, int] = {**FULL_WIDTH_ASCII, 0x3000: 0x20}
ZERO_WIDTH: dict[int, None] = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\s\"“”‘’（）()、，,。:：；;]")
_BARE = re.compile(r"[\s\d.%％()（）“”\"'‘’、，,。:：;；\-—/·]+|指标|的")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?")


def folded_text(s: str) -> str:
    """Full-width ASCII → half-width, U+3000 → space, zero-width characters dropped, whitespace
    runs → one space, trimmed.  Chinese characters, case and punctuation are kept."""
    if not s:
        return ""
    return _WHITESPACE.sub(" ", s.translate(FULL_WIDTH_AND_SPACE).translate(ZERO_WIDTH)).strip()


def nfkc_squashed(text: str) -> str:
    """NFKC (full-width digits, letters and brackets → ASCII), lower case, all whitespace removed.
    Punctuation and numbers are kept.  Used to search names and match sector keywords."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def unpunctuated_name(name: str) -> str:
    """A 三级 name with whitespace, quotes, brackets and the separators 、，,。:：；; removed.
    Numbers, units and words are kept: 培训100人次 and 培训200人次 stay two names."""
    return _PUNCTUATION.sub("", name or "")


@lru_cache(maxsize=1 << 16)
def bare_name(name: str) -> str:
    """A name reduced to its words: whitespace, digits, . % ％, brackets, quotes, separators,
    - — / · and the words 指标 and 的 removed (培训合格率（%） → 培训合格率).  Ranks and matches
    candidates, departments and feedback."""
    return _BARE.sub("", name or "")


def project_name_key(name: str, strip: re.Pattern) -> str:
    """A project name for matching against a budget table: folded_text, every match of `strip`
    (the carry rules' punctuation and year labels) removed, lower case."""
    return strip.sub("", folded_text(name or "")).lower()


def merge_key(name: str, drop: dict[int, None], filler: re.Pattern) -> str:
    """The catalogue's merge key: nfkc_squashed, then the characters in `drop`, numbers (with
    decimals, thousands separators and a trailing %) and `filler` words removed; the squashed name
    itself when nothing is left."""
    squashed = nfkc_squashed(name)
    key = _NUMBER.sub("", squashed.translate(drop))
    key = filler.sub("", key)
    return key or squashed
