"""Text → tokens for the TF-IDF matcher.  Deterministic: the same text always gives the same list.

1. `normalize`: NFKC folds full-width letters, digits and punctuation to half-width
   ("１２３４５热线（ＬＥＤ）" → "12345热线(led)"), then Latin is lower-cased.
2. Segmentation: jieba's precise mode (with its HMM for unknown words) over jieba's dictionary
   plus the domain words of engine/data/dict.txt.  A dictionary word of 3+ characters is
   preceded by its parts — the way jieba would cut it were it not a word itself, recursively,
   parts of one character left out — and by the domain words inside it, each once: so
   "12345热线" gives 12345, 热线, 12345热线 and still meets a text that wrote "12345 热线", and
   电子政务外网 gives 电子政务 and 政务外网 too.  (jieba's own
   search mode adds every dictionary 2-/3-gram inside a word instead, which brings in words
   the text does not contain: 运行经费 → 行经, 电子政务 → 子政.)
3. Filtering: stopwords (engine/data/stopwords.txt); tokens with no letter and no CJK
   character (punctuation); bare numbers — amounts, counts, percentages, dates and years
   ("2024年" → 2024 is dropped and 年 is a stopword) say nothing about the topic — except the
   numbers listed in dict.txt (12345, 12315 …), which stay one token; tokens longer than
   MAX_TOKEN_LEN characters (URLs, codes).

Segmentation runs on engine.jieba_mirror, which mirrors jieba's precise mode on jieba's
internals (pinned to the version it mirrors) so that a cold start does not wait ≈1 s for
jieba's prefix dictionary: the dictionary is read lazily from a per-user cache.  Tokens are
memoised per text block, since indicator names repeat across filings.
"""
from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from pathlib import Path

from .jieba_mirror import RE_HAN_DEFAULT, JiebaMirror

TOKENIZER_VERSION = 1          # bump when the rules below change: persisted indexes rebuild
MAX_TOKEN_LEN = 20
_MEMO_MAX = 200_000

DATA = Path(__file__).resolve().parent / "data"
DICT_PATH = DATA / "dict.txt"
STOPWORDS_PATH = DATA / "stopwords.txt"

# the text blocks jieba segments (its re_han_default); everything between them is separators
_BLOCK = RE_HAN_DEFAULT
_LETTER_OR_CJK = re.compile(r"[^\W\d_]")


# full-width ASCII (！ … ～) → ASCII, ideographic space → space
from jixiao.corpus.textkeys import FULL_WIDTH_AND_SPACE as _HALF_WIDTH  # noqa: E402


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and lower-case Latin.

    NFKC itself is slow (≈60 µs for a 200-character text) whenever the text needs a change, and
    the common change — full-width punctuation like ，（） — is a fixed offset; so those are
    mapped first and full NFKC runs only if anything else is left (the result is the same).
    """
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = text.translate(_HALF_WIDTH)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _read_lines(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _user_words() -> list[tuple[str, int | None]]:
    words = []
    for line in _read_lines(DICT_PATH):
        parts = line.split()
        word = normalize(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        words.append((word, freq))
    return words


class Segmenter:
    """jieba's precise mode (engine.jieba_mirror) with the domain dictionary, parts and stopwords."""

    def __init__(self):
        self.stopwords = frozenset(normalize(w) for w in _read_lines(STOPWORDS_PATH))
        user = _user_words()
        self.domain_words = frozenset(w for w, _ in user)
        self.keep_numbers = frozenset(w for w in self.domain_words if w.isdigit())
        self.mirror = JiebaMirror(user, DICT_PATH)
        self._memo: dict[str, tuple[str, ...]] = {}
        self._sub_memo: dict[str, tuple[str, ...]] = {}

    # -- segmentation -----------------------------------------------------------------------
    def _keep(self, w: str) -> bool:
        if w in self.stopwords or len(w) > MAX_TOKEN_LEN:
            return False
        if _LETTER_OR_CJK.search(w):
            return True
        return w in self.keep_numbers

    def _subwords(self, word: str) -> tuple[str, ...]:
        """The word preceded by its parts (recursively) and the domain words inside it, once each.

        Only dictionary words of 3+ characters are taken apart; parts of one character are
        left out.
        """
        got = self._sub_memo.get(word)
        if got is None:
            found: dict[str, None] = {}
            n = len(word)
            if n > 2 and self.mirror.is_word(word):
                for part in self.mirror.parts(word):
                    if len(part) > 1:
                        found.update(dict.fromkeys(self._subwords(part)))
                for i in range(n - 1):
                    for j in range(i + 2, n + (i > 0)):
                        if word[i:j] in self.domain_words:
                            found.update(dict.fromkeys(self._subwords(word[i:j])))
            found.pop(word, None)
            got = (*found, word)
            self._sub_memo[word] = got
        return got

    def cut_block(self, block: str) -> tuple[str, ...]:
        got = self._memo.get(block)
        if got is not None:
            return got
        out: list[str] = []
        for word in self.mirror.cut(block):
            out.extend(self._subwords(word))
        got = tuple(w for w in out if self._keep(w))
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
            self._sub_memo.clear()
            self.mirror.clear_memos()
        self._memo[block] = got
        return got

    def tokenize(self, text: str) -> list[str]:
        out: list[str] = []
        for block in _BLOCK.findall(normalize(text)):
            out.extend(self.cut_block(block))
        return out


_SEGMENTER: Segmenter | None = None
_INIT_LOCK = threading.Lock()


def segmenter() -> Segmenter:
    """The process's one segmenter (jieba loads once per process)."""
    global _SEGMENTER
    if _SEGMENTER is None:
        with _INIT_LOCK:
            if _SEGMENTER is None:
                _SEGMENTER = Segmenter()
    return _SEGMENTER


def tokenize(text: str) -> list[str]:
    """Tokens of a text, in order, repeated as often as they occur."""
    return segmenter().tokenize(text)


def blocks(text: str) -> list[str]:
    """The runs of letters and digits a text is cut in, in order: tokenize(text) is the
    cut_block() tokens of these, one after the other."""
    return _BLOCK.findall(normalize(text))


def cut_block(block: str) -> tuple[str, ...]:
    """The tokens of one block (see blocks)."""
    return segmenter().cut_block(block)


def fingerprint() -> str:
    """Identifies everything that decides the tokens; a persisted vocabulary is valid only with it."""
    h = hashlib.sha256(f"{TOKENIZER_VERSION}|{MAX_TOKEN_LEN}|{segmenter().mirror.jieba.__version__}|".encode())
    for path in (DICT_PATH, STOPWORDS_PATH):
        h.update(path.read_bytes())
        h.update(b"|")
    return h.hexdigest()[:32]
