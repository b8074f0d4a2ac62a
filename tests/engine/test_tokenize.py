"""The tokenizer on the seeds' real texts, and its per-user jieba cache in real processes."""
from __future__ import annotations

import json
import os
import pickle
import struct
import subprocess
import sys
import unicodedata
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS
from jixiao.corpus.parse import parse_file
from jixiao.engine.jieba_mirror import _MAGIC as MAGIC
from jixiao.engine.tokenize import STOPWORDS_PATH, normalize, tokenize

DOMAIN_TERMS = ["12345热线", "一窗受理", "放管服", "好差评", "一网通办", "跨省通办", "政务外网", "电子政务",
                "等保测评", "概算评审", "营商环境", "政务大厅", "便民服务", "民生服务平台", "软硬件运维", "机房", "专线"]


def seed_texts() -> list[str]:
    texts = []
    for path in SEEDS:
        for f in parse_file(path):
            texts += [f.name, f.description, *(i.name for i in f.indicators)]
    return [t for t in texts if t]


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms, spaces as U+3000."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def stopwords() -> set[str]:
    return {line.strip() for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_term_is_one_token(term):
    assert term in tokenize(term)


def test_domain_terms_stay_whole_in_the_seeds_sentences():
    found = 0
    for text in seed_texts():
        for term in DOMAIN_TERMS:
            if term in normalize(text):
                found += 1
                assert term in tokenize(text), (term, text, tokenize(text))
    assert found >= 10  # the seeds do use these words


def test_compound_words_also_give_their_parts():
    tokens = tokenize("12345热线运行维护")
    assert {"12345热线", "12345", "热线", "运行维护", "运行", "维护"} <= set(tokens)
    # the other spelling meets it on the parts
    assert {"12345", "热线"} <= set(tokenize("12345 热线"))


def test_deterministic_within_a_process():
    texts = seed_texts()
    assert [tokenize(t) for t in texts] == [tokenize(t) for t in texts]


def test_full_width_and_half_width_give_the_same_tokens():
    texts = seed_texts() + ["12345热线 LED屏 Wi-Fi 5G 政务外网(100M)", "ABC政务服务平台, 2024年: 95%"]
    changed = 0
    for text in texts:
        wide = full_width(text)
        changed += wide != text
        assert tokenize(wide) == tokenize(text), text
    assert changed > 10
    assert tokenize("ＬＥＤ屏") == tokenize("led屏") == tokenize("LED屏")
    assert "led" in tokenize("ＬＥＤ屏")


def test_stopwords_and_punctuation_removed():
    stop = stopwords()
    assert {"的", "指标", "项目", "工作", "完成"} <= stop
    for text in seed_texts():
        tokens = tokenize(text)
        assert not stop & set(tokens), text
        assert all(any(ch.isalpha() for ch in t) or t.isdigit() for t in tokens), tokens
    assert tokenize("项目工作完成情况的指标。") == []
    # meaningful words of the domain survive
    assert {"服务", "满意度", "经费", "运行"} <= set(tokenize("群众对政务服务的满意度 运行经费"))


def test_numbers_dropped_but_hotline_numbers_kept():
    assert tokenize("2024年") == []
    assert tokenize("2021.01.01-2021.12.31") == []
    assert tokenize("≥95% 300 12.5") == []
    assert tokenize("采购300册") == tokenize("采购12册") == ["采购", "册"]
    assert "12345" in tokenize("12345 民生服务平台")
    assert "12315" in tokenize("12315投诉")


# -- the cache, in real processes ----------------------------------------------------------------
PROBE = """
import json, sys
from jixiao.engine.tokenize import segmenter, tokenize
texts = json.load(sys.stdin)
seg = segmenter()
print(json.dumps({"from_cache": seg.mirror.from_cache, "cache": str(seg.mirror.cache_path),
                  "tokens": [tokenize(t) for t in texts]}, ensure_ascii=False))
"""


def probe(cache_home, texts, hash_seed="0"):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": str(ROOT),
           "PYTHONHASHSEED": hash_seed, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(texts), capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no jieba log lines, no warnings
    return json.loads(r.stdout)


@pytest.mark.slow
def test_cache_is_written_then_loaded_and_gives_the_same_tokens(tmp_path):
    texts = seed_texts()
    first = probe(tmp_path, texts, hash_seed="1")
    assert not first["from_cache"]
    cache = first["cache"]
    assert os.path.dirname(cache) == str(tmp_path / "jixiao") and os.path.getsize(cache) > 1_000_000
    second = probe(tmp_path, texts, hash_seed="2")
    assert second["from_cache"] and second["cache"] == cache
    # the lazily loaded cache segments exactly like the full dictionary it was built from
    assert second["tokens"] == first["tokens"]
    assert second["tokens"] == [tokenize(t) for t in texts]
    assert os.listdir(tmp_path / "jixiao") == [os.path.basename(cache)]  # no temp files left


@pytest.mark.slow
def test_corrupt_cache_falls_back_silently_and_is_rewritten(tmp_path):
    texts = seed_texts()[:40]
    expected = [tokenize(t) for t in texts]
    cache = probe(tmp_path, texts)["cache"]
    good = open(cache, "rb").read()

    class Evil:
        def __reduce__(self):
            return (print, ("unpickled code ran",))

    def cache_file(head: bytes, body: bytes) -> bytes:
        return MAGIC + struct.pack("<Q", len(head)) + head + body

    # our own file: a well-formed header whose group 政 is wrong (one frequency short)
    head_len = struct.unpack("<Q", good[len(MAGIC):len(MAGIC) + 8])[0]
    body_at = len(MAGIC) + 8 + head_len
    head = pickle.loads(good[len(MAGIC) + 8:body_at])
    spans = array("q", head["spans"])
    i = head["chars"].index("政")
    spans[3 * i + 2] -= 8
    body = bytearray(good[body_at:])
    cut = spans[3 * i] + spans[3 * i + 1] + spans[3 * i + 2]
    del body[cut:cut + 8]
    for j in range(i + 1, len(head["chars"])):
        spans[3 * j] -= 8
    damaged = cache_file(pickle.dumps({**head, "spans": spans.tobytes()}, protocol=5), bytes(body))
    corruptions = [good[: len(good) // 2], b"not a cache at all",
                   cache_file(pickle.dumps({"key": "x", "total": 1, "chars": Evil()}, protocol=5), b""),
                   damaged]
    for bad in corruptions:
        with open(cache, "wb") as f:
            f.write(bad)
        got = probe(tmp_path, texts)
        assert got["from_cache"] == (bad is corruptions[-1])  # the last one only shows when used
        assert got["tokens"] == expected
        assert open(cache, "rb").read() == good  # rebuilt to the same bytes
    assert probe(tmp_path, texts)["from_cache"]


@pytest.mark.slow
def test_unwritable_cache_folder_still_tokenizes(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")  # XDG_CACHE_HOME is a file: the cache folder cannot be created
    texts = ["政务大厅租金", "12345热线运行维护"]
    got = probe(blocker, texts)
    assert not got["from_cache"]
    assert got["tokens"] == [tokenize(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_normalize_is_nfkc_and_lower_case(text):
    assert normalize(text) == unicodedata.normalize("NFKC", text).lower()


# -- the one-pass cut is jieba's precise mode with HMM, word for word --------------------------

def _both_cuts(seg, block: str) -> tuple[list[str], list[str]]:
    """(the one-pass cut, jieba's own cut) of a block, as cut_block uses it."""
    seg.mirror.ensure(set(block))              # the prefix dictionary entries a cut looks up
    return seg.mirror.cut_dag(block), list(seg.mirror.tok.cut(block, HMM=True))


def test_one_pass_cut_is_jiebas_on_every_block_of_the_seeds():
    from jixiao.engine.tokenize import blocks, segmenter

    seg = segmenter()
    seen = {b for text in seed_texts() for b in blocks(text)}
    seg.mirror._hmm_memo.clear()
    for block in sorted(seen):
        ours, jiebas = _both_cuts(seg, block)
        assert ours == jiebas, block
    assert len(seen) > 300
    assert seg.mirror._hmm_memo   # runs of single characters went through jieba's HMM too


_WORDS = ["热线", "运行", "维护", "运行维护", "政务", "服务", "中心", "12345", "热线电话", "平台", "系统",
          "数据", "安全", "项目", "经费", "评审", "租赁", "办公", "用房", "网络", "外网", "电子政务", "等保"]
_CHARS = "的了是在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系"
_OTHER = "abcXYZ0123456789+#&._%-"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(alphabet=_CHARS, min_size=1, max_size=3),
                          st.text(alphabet=_OTHER, min_size=1, max_size=3)), min_size=1, max_size=8))
def test_one_pass_cut_is_jiebas_on_random_blocks(parts):
    from jixiao.engine.tokenize import segmenter

    block = "".join(parts)
    seg = segmenter()
    ours, jiebas = _both_cuts(seg, block)
    assert ours == jiebas


# -- the mirror is jieba itself, at the version pyproject pins --------------------------------

def test_jieba_is_pinned_to_the_version_the_mirror_mirrors():
    import re

    from jixiao.engine.jieba_mirror import JIEBA_VERSION, import_jieba

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")     # no tomllib on Python 3.10
    assert re.findall(r'"(jieba\b[^"]*)"', pyproject) == [f"jieba=={JIEBA_VERSION}"]
    assert import_jieba().__version__ == JIEBA_VERSION


def test_mirror_cuts_the_seeds_like_a_plain_jieba_tokenizer(tmp_path):
    """The lazily read cached dictionary and the one-pass cut, against an ordinary jieba
    Tokenizer (its own full dictionary load) with the same domain words added."""
    from jixiao.engine.jieba_mirror import RE_HAN_DEFAULT, import_jieba
    from jixiao.engine.tokenize import _user_words, blocks, segmenter

    jieba = import_jieba()
    plain = jieba.Tokenizer()
    plain.tmp_dir = str(tmp_path)             # jieba's own cache file goes here
    plain.initialize()
    for word, freq in _user_words():
        plain.add_word(word, freq if freq is not None else plain.suggest_freq(word, False))
    mirror = segmenter().mirror
    texts = seed_texts()
    assert len(texts) > 200
    for text in texts:
        ours = [w for block in blocks(text) for w in mirror.cut(block)]
        jiebas = [w for w in plain.cut(normalize(text), HMM=True) if RE_HAN_DEFAULT.fullmatch(w)]
        assert ours == jiebas, text
