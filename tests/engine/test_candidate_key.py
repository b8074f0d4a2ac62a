"""engine.candidate_key: kinds are named, and keys break ranking ties as their text form did."""
from __future__ import annotations

import itertools

from jixiao.engine.candidate_key import CandidateKey, KeyKind


def test_text_form():
    assert str(CandidateKey(KeyKind.CANONICAL, "12")) == "c:12"
    assert str(CandidateKey(KeyKind.PAST_NAME, "数量指标:培训人次")) == "n:数量指标:培训人次"
    assert {k.value for k in KeyKind} == set("dxcnlu")


def test_keys_sort_as_their_text():
    idents = ["12", "123", "45", "数量指标:培训", "元/人", "a:b", ""]
    keys = [CandidateKey(k, i) for k, i in itertools.product(KeyKind, idents)]
    assert [str(k) for k in sorted(keys)] == sorted(str(k) for k in keys)


def test_equal_keys_are_one_dict_key():
    d = {CandidateKey(KeyKind.LIBRARY, "GX-RX-0106"): 1}
    assert d[CandidateKey(KeyKind("l"), "GX-RX-0106")] == 1
    assert CandidateKey(KeyKind.CANONICAL, "1") != CandidateKey(KeyKind.LIBRARY, "1")
