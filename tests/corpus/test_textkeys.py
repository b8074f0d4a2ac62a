"""corpus.textkeys: each key keeps and drops what its docstring says (the rules outputs rest on)."""
from __future__ import annotations

import re

from jixiao.corpus.textkeys import (FULL_WIDTH_AND_SPACE, FULL_WIDTH_ASCII, bare_name, folded_text, merge_key,
                                    nfkc_squashed, project_name_key, unpunctuated_name)


def test_full_width_table_is_one_to_one():
    assert "（１２３ＡＢｃ）！～".translate(FULL_WIDTH_ASCII) == "(123ABc)!~"
    assert "\u3000".translate(FULL_WIDTH_ASCII) == "\u3000"          # the space only in the wider table
    assert "\u3000".translate(FULL_WIDTH_AND_SPACE) == " "
    assert all(len(chr(k)) == len(chr(v)) for k, v in FULL_WIDTH_AND_SPACE.items())


def test_folded_text_keeps_case_and_punctuation():
    assert folded_text("　Ａｂ，  ２０２５\u200b年\n") == "Ab, 2025年"
    assert folded_text("") == "" and folded_text(None) == ""


def test_nfkc_squashed_lowers_and_drops_all_whitespace():
    assert nfkc_squashed(" 机房 ＩＴ（运维）\t服务 ") == "机房it(运维)服务"


def test_unpunctuated_name_keeps_numbers():
    assert unpunctuated_name("培训（100）人次，“优质”") == "培训100人次优质"
    assert unpunctuated_name("培训100人次") != unpunctuated_name("培训200人次")
    assert unpunctuated_name(None) == ""


def test_bare_name_drops_numbers_and_filler_words():
    assert bare_name("培训合格率（%）") == "培训合格率"
    assert bare_name("2025年度 的 群众满意度指标") == "年度群众满意度"
    assert bare_name("培训100人次") == bare_name("培训200人次")


def test_project_name_key_uses_the_given_pattern():
    strip = re.compile(r"[\s（）()]|\d{4}年度?")
    assert project_name_key("２０２５年度 机房（维护）费", strip) == project_name_key("机房维护费", strip) == "机房维护费"


def test_merge_key_falls_back_to_the_squashed_name():
    filler = re.compile("率")
    drop = {ord("、"): None}
    assert merge_key("验收、合格率 100%", drop, filler) == "验收合格"
    assert merge_key("100%", drop, filler) == "100%"
