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

Loading jieba is the slow part of a cold start (≈1 s to build its prefix dictionary), so the
final prefix dictionary — jieba's words with the domain words added — is cached once per user
in $XDG_CACHE_HOME/jixiao (or ~/.cache/jixiao), grouped by first character.  A text only needs
the entries starting with its own characters (every lookup jieba makes is a substring of the
text), so a process memory-maps the file, reads its small header (the groups' first characters
and where each group lies) and decodes into dict entries only the groups its texts touch (of
≈12,000 groups, 9 MB).  The cache is keyed by the jieba version, jieba's dictionary file (size
and mtime) and the hash of dict.txt; it is written atomically, and an unreadable or corrupt
cache is silently replaced by a normal load.  Segmentation is memoised per text block, since
indicator names repeat across filings.
"""
from __future__ import annotations

import hashlib
import io
import mmap
import os
import pickle
import re
import struct
import sys
import threading
import unicodedata
import warnings
from array import array
from math import log
from pathlib import Path

TOKENIZER_VERSION = 1          # bump when the rules below change: persisted indexes rebuild
CACHE_FORMAT = 2
MAX_TOKEN_LEN = 20
_MEMO_MAX = 200_000

DATA = Path(__file__).resolve().parent / "data"
DICT_PATH = DATA / "dict.txt"
STOPWORDS_PATH = DATA / "stopwords.txt"

# the text blocks jieba segments (its re_han_default); everything between them is separators
_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
_LETTER_OR_CJK = re.compile(r"[^\W\d_]")
_SEP = "\x00"
_MAGIC = b"jixiao jieba cache %d\n" % CACHE_FORMAT


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


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jixiao"


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


def _import_jieba():
    """Import jieba quietly and without pkg_resources.

    jieba's _compat imports pkg_resources (≈0.15 s) only to open its own data files and falls
    back to plain open() when the import fails; make it fail for the duration of the import.
    Its invalid escape sequences warn on first compilation; its logger prints on stderr.
    """
    import logging

    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba


class _Restricted(pickle.Unpickler):
    """The cache header holds only dicts, str, bytes and int: refuse any class."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in the jieba cache")


class Segmenter:
    """One jieba Tokenizer (not jieba's global one) with the domain dictionary and stopwords."""

    def __init__(self):
        self.jieba = _import_jieba()
        self.tok = self.jieba.Tokenizer()
        self.stopwords = frozenset(normalize(w) for w in _read_lines(STOPWORDS_PATH))
        self._user = _user_words()
        self.domain_words = frozenset(w for w, _ in self._user)
        self.keep_numbers = frozenset(w for w in self.domain_words if w.isdigit())
        self.key = self._cache_key()
        self._lock = threading.Lock()
        self._blob = None             # the cache file, memory-mapped
        self._chars = ""              # the cached groups' first characters, in file order
        self._spans = array("q")      # per group: offset from _base, bytes of words, bytes of freqs
        self._base = 0
        self._loaded: set[str] = set()
        self._complete = False     # True when FREQ holds the whole prefix dictionary
        self._memo: dict[str, tuple[str, ...]] = {}
        self._parts_memo: dict[str, list[str]] = {}
        self._sub_memo: dict[str, tuple[str, ...]] = {}
        self._hmm_memo: dict[str, tuple[str, ...]] = {}     # finalseg.cut of a run of single characters
        self._logp: dict[str, float] = {}                   # word → log(its frequency or 1) − log(total)
        self._logp_total = 0
        self.from_cache = self._load_cache()
        if not self.from_cache:
            self._build(self._user)

    # -- the cached prefix dictionary -------------------------------------------------------
    def _cache_key(self) -> str:
        main = Path(self.jieba.__file__).resolve().parent / "dict.txt"
        st = main.stat()
        h = hashlib.sha256()
        h.update(f"{CACHE_FORMAT}|{self.jieba.__version__}|{main}|{st.st_size}|{st.st_mtime_ns}|".encode())
        h.update(DICT_PATH.read_bytes())
        return h.hexdigest()

    @property
    def cache_path(self) -> Path:
        return cache_dir() / f"jieba-{self.key[:20]}.cache"

    def _load_cache(self) -> bool:
        """Map the cache file and read its small header; groups are decoded when first needed."""
        try:
            with open(self.cache_path, "rb") as f:
                blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            if blob[:len(_MAGIC)] != _MAGIC:
                return False
            start = len(_MAGIC) + 8
            (head_len,) = struct.unpack("<Q", blob[len(_MAGIC):start])
            head = _Restricted(io.BytesIO(blob[start:start + head_len])).load()
            if head["key"] != self.key:
                return False
            total, chars, spans = head["total"], head["chars"], array("q", head["spans"])
            if not isinstance(total, int) or not isinstance(chars, str) or len(spans) != 3 * len(chars):
                return False
            base = start + head_len
            if base + (sum(spans[-3:]) if spans else 0) != len(blob):     # truncated or padded
                return False
        except Exception:  # missing, unreadable, truncated or foreign: build instead
            return False
        self._blob, self._chars, self._spans, self._base = blob, chars, spans, base
        self.tok.FREQ = {}
        self.tok.total = total
        self.tok.initialized = True
        return True

    def _build(self, user: list[tuple[str, int | None]]) -> None:
        tok = self.tok
        tok.FREQ, tok.total = tok.gen_pfdict(tok.get_dict_file())
        tok.initialized = True
        for word, freq in user:
            tok.add_word(word, freq if freq is not None else tok.suggest_freq(word, False))
        self._complete = True
        self._write_cache()

    def _write_cache(self) -> None:
        """MAGIC, header length, pickled header {key, total, chars, spans}, then the groups:
        per first character the words (UTF-8, NUL-separated) and their frequencies (int64)."""
        groups: dict[str, tuple[list[str], array]] = {}
        for word, freq in self.tok.FREQ.items():
            g = groups.get(word[0])
            if g is None:
                g = groups[word[0]] = ([], array("q"))
            g[0].append(word)
            g[1].append(freq)
        body, spans, offset = [], array("q"), 0
        for ws, fs in groups.values():
            words, freqs = _SEP.join(ws).encode("utf-8"), fs.tobytes()
            body += (words, freqs)
            spans.extend((offset, len(words), len(freqs)))
            offset += len(words) + len(freqs)
        head = pickle.dumps({"key": self.key, "total": self.tok.total, "chars": "".join(groups),
                             "spans": spans.tobytes()}, protocol=5)
        path = self.cache_path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(_MAGIC + struct.pack("<Q", len(head)) + head)
                f.writelines(body)
            os.replace(tmp, path)
            for old in path.parent.glob("jieba-*"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:  # no writable cache folder: carry on without a cache
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def _ensure(self, chars: set[str]) -> None:
        """Turn the cached groups of these first characters into prefix-dictionary entries.

        A malformed group (a cache damaged in a way the header check did not notice) makes the
        segmenter fall back to the full dictionary, silently, like an unreadable cache.
        """
        if self._complete:
            return
        missing = chars - self._loaded
        if not missing:
            return
        with self._lock:
            if self._complete:
                return
            freq = self.tok.FREQ
            for ch in missing:
                i = self._chars.find(ch)
                if i < 0:
                    continue
                at, n_words, n_freqs = self._spans[3 * i:3 * i + 3]
                at += self._base
                try:
                    words = self._blob[at:at + n_words].decode("utf-8").split(_SEP)
                    fs = array("q", self._blob[at + n_words:at + n_words + n_freqs])
                    if len(words) != len(fs) or not all(w.startswith(ch) for w in words):
                        raise ValueError("inconsistent group")
                except (TypeError, ValueError, IndexError, UnicodeDecodeError):
                    self._build(self._user)
                    return
                freq.update(zip(words, fs))
            self._loaded |= missing

    # -- segmentation -----------------------------------------------------------------------
    def _keep(self, w: str) -> bool:
        if w in self.stopwords or len(w) > MAX_TOKEN_LEN:
            return False
        if _LETTER_OR_CJK.search(w):
            return True
        return w in self.keep_numbers

    def _parts(self, word: str) -> list[str]:
        """How the word would be cut if it were not a dictionary word itself."""
        got = self._parts_memo.get(word)
        if got is None:
            n = len(word)
            dag = self.tok.get_DAG(word)
            dag[0] = [j for j in dag[0] if j != n - 1] or [0]
            route: dict = {}
            self.tok.calc(word, dag, route)
            got, x = [], 0
            while x < n:
                y = route[x][1] + 1
                got.append(word[x:y])
                x = y
            self._parts_memo[word] = got
        return got

    def _cut_dag(self, s: str) -> list[str]:
        """jieba's precise mode with its HMM for one block — list(self.tok.cut(s, HMM=True)) for
        a string that is one whole block — computed in one pass instead of jieba's generators.

        The same steps as jieba 0.42's Tokenizer.get_DAG, calc and __cut_DAG: each position's
        dictionary words (or the character alone), the best route from the end backwards — score
        log(freq or 1) − log(total) + the rest's score, ties to the longer word, exactly as jieba's
        max over (score, end) tuples, with the same float operations in the same order — and
        runs of single characters given to finalseg (memoised: the HMM is a pure function of
        the run) unless the run is itself a word.  tests/test_tokenize.py checks it against
        jieba on every block of the shipped corpus and on random strings.
        """
        tok = self.tok
        freq = tok.FREQ
        if tok.total != self._logp_total:
            self._logp.clear()
            self._logp_total = tok.total
        logp, logtotal = self._logp, log(tok.total)
        n = len(s)
        score = [0.0] * (n + 1)
        end = list(range(n + 1))
        for k in range(n - 1, -1, -1):
            best, best_x = None, k
            i, frag = k, s[k]
            while i < n and frag in freq:
                if freq[frag]:
                    p = logp.get(frag)
                    if p is None:
                        p = logp[frag] = log(freq[frag]) - logtotal
                    sc = p + score[i + 1]
                    if best is None or sc >= best:
                        best, best_x = sc, i
                i += 1
                frag = s[k:i + 1]
            if best is None:                   # no word starts here: the character alone
                p = logp.get(s[k])
                if p is None:
                    p = logp[s[k]] = log(freq.get(s[k]) or 1) - logtotal
                best = p + score[k + 1]
            score[k], end[k] = best, best_x
        out: list[str] = []
        x, buf = 0, ""
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                buf += s[x]
            else:
                if buf:
                    out.extend(self._single_run(buf))
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            out.extend(self._single_run(buf))
        return out

    def _single_run(self, buf: str) -> tuple[str, ...]:
        if len(buf) == 1:
            return (buf,)
        if self.tok.FREQ.get(buf):
            return tuple(buf)
        got = self._hmm_memo.get(buf)
        if got is None:
            got = self._hmm_memo[buf] = tuple(self.jieba.finalseg.cut(buf))
        return got

    def _subwords(self, word: str) -> tuple[str, ...]:
        """The word preceded by its parts (recursively) and the domain words inside it, once each.

        Only dictionary words of 3+ characters are taken apart; parts of one character are
        left out.
        """
        got = self._sub_memo.get(word)
        if got is None:
            found: dict[str, None] = {}
            n = len(word)
            if n > 2 and self.tok.FREQ.get(word):
                for part in self._parts(word):
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
        self._ensure(set(block))
        out: list[str] = []
        words = self._cut_dag(block) if _BLOCK.fullmatch(block) else self.tok.cut(block, HMM=True)
        for word in words:
            out.extend(self._subwords(word))
        got = tuple(w for w in out if self._keep(w))
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
            self._parts_memo.clear()
            self._sub_memo.clear()
            self._hmm_memo.clear()
            self._logp.clear()
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
    h = hashlib.sha256(f"{TOKENIZER_VERSION}|{MAX_TOKEN_LEN}|{segmenter().jieba.__version__}|".encode())
    for path in (DICT_PATH, STOPWORDS_PATH):
        h.update(path.read_bytes())
        h.update(b"|")
    return h.hexdigest()[:32]
