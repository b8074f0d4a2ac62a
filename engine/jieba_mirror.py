"""jieba 0.42.1's precise-mode segmentation, mirrored on jieba's internals for start-up speed.

jieba builds its prefix dictionary (≈350,000 words) at first use, ≈1 s, and even its own cache
is one pickle of all of it, read whole.  A one-shot `jixiao suggest` segments a few dozen
characters, so `JiebaMirror` keeps one `jieba.Tokenizer` (not jieba's global one) whose
prefix dictionary is filled lazily from a per-user cache, and cuts a block in one pass instead
of through jieba's generators.  Both lean on jieba's undocumented internals, which is why
pyproject.toml pins jieba to exactly JIEBA_VERSION and tests/engine/test_tokenize.py checks the
mirror against jieba itself (on every block of the seed filings and on random strings).

What is mirrored (jieba/__init__.py of 0.42.1):
- `Tokenizer.initialize`: `tok.FREQ` (word → frequency, every prefix of a word present with
  frequency 0), `tok.total` and `tok.initialized` are set here, from the cache or from
  `gen_pfdict(get_dict_file())` plus `add_word` of the domain words (then the cache is written);
- `Tokenizer.get_DAG`, `Tokenizer.calc` and `Tokenizer.__cut_DAG` (what `cut(s, HMM=True)` does
  to a string that is one whole `re_han_default` block): `cut_dag`, with the same float
  operations in the same order;
- `finalseg.cut` is called as it is (runs of single characters), memoised.
`Tokenizer.get_DAG` and `Tokenizer.calc` themselves serve `parts` (how a word would be cut if
it were not a word itself), and `Tokenizer.cut` any string that is not one block.

The cache ($XDG_CACHE_HOME/jixiao or ~/.cache/jixiao) holds the final prefix dictionary —
jieba's words with the domain words added — grouped by first character.  A text only needs
the entries starting with its own characters (every lookup jieba makes is a substring of the
text), so a process memory-maps the file, reads its small header (the groups' first characters
and where each group lies) and decodes into dict entries only the groups its texts touch (of
≈12,000 groups, 9 MB).  The cache is keyed by the jieba version, jieba's dictionary file (size
and mtime) and the bytes of the domain dictionary; it is written atomically, and an unreadable
or corrupt cache is silently replaced by a normal load.
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
import warnings
from array import array
from math import log
from pathlib import Path

JIEBA_VERSION = "0.42.1"       # the jieba whose internals this module mirrors (pinned in pyproject)
CACHE_FORMAT = 2

# jieba's re_han_default: the blocks its precise mode segments; cut_dag takes one whole block
RE_HAN_DEFAULT = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
_SEP = "\x00"
_MAGIC = b"jixiao jieba cache %d\n" % CACHE_FORMAT


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jixiao"


def import_jieba():
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


class JiebaMirror:
    """One jieba Tokenizer with the domain words added, its prefix dictionary read lazily from
    the per-user cache; `cut` gives jieba's precise mode with its HMM.

    `user_words`: the domain words and their frequencies (None: jieba's suggest_freq);
    `dict_path`: the file they were read from, whose bytes key the cache.
    """

    def __init__(self, user_words: list[tuple[str, int | None]], dict_path: Path):
        self.jieba = import_jieba()
        self.tok = self.jieba.Tokenizer()
        self._user = user_words
        self._dict_path = dict_path
        self.key = self._cache_key()
        self._lock = threading.Lock()
        self._blob = None             # the cache file, memory-mapped
        self._chars = ""              # the cached groups' first characters, in file order
        self._spans = array("q")      # per group: offset from _base, bytes of words, bytes of freqs
        self._base = 0
        self._loaded: set[str] = set()
        self._complete = False     # True when FREQ holds the whole prefix dictionary
        self._parts_memo: dict[str, list[str]] = {}
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
        h.update(self._dict_path.read_bytes())
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

    def ensure(self, chars: set[str]) -> None:
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
    def is_word(self, word: str) -> bool:
        """A dictionary word (a prefix of one only is not), once its first character is ensured."""
        return bool(self.tok.FREQ.get(word))

    def cut(self, block: str):
        """jieba's precise mode with its HMM: the words of a block, in order."""
        self.ensure(set(block))
        return self.cut_dag(block) if RE_HAN_DEFAULT.fullmatch(block) else self.tok.cut(block, HMM=True)

    def parts(self, word: str) -> list[str]:
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

    def cut_dag(self, s: str) -> list[str]:
        """jieba's precise mode with its HMM for one block — list(self.tok.cut(s, HMM=True)) for
        a string that is one whole block — computed in one pass instead of jieba's generators.

        The same steps as jieba 0.42's Tokenizer.get_DAG, calc and __cut_DAG: each position's
        dictionary words (or the character alone), the best route from the end backwards — score
        log(freq or 1) − log(total) + the rest's score, ties to the longer word, exactly as jieba's
        max over (score, end) tuples, with the same float operations in the same order — and
        runs of single characters given to finalseg (memoised: the HMM is a pure function of
        the run) unless the run is itself a word.  tests/engine/test_tokenize.py checks it against
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

    def clear_memos(self) -> None:
        self._parts_memo.clear()
        self._hmm_memo.clear()
        self._logp.clear()
