"""The chat grammar: what an officer types → the action the session takes; intake answers."""
from __future__ import annotations

import pytest

from jixiao.cli.chat.commands import Action, category_of, number_of, parse
from jixiao.cli.chat.intake import AnswerError, read_budget, read_department, read_name, read_year


@pytest.mark.parametrize("line, kind, refs", [
    ("删 2", "remove", (2,)),
    ("删2", "remove", (2,)),
    ("del 2 3", "remove", (2, 3)),
    ("删 2，3、4", "remove", (2, 3, 4)),
    ("删除第二个", "remove", (2,)),
    ("不要第二个", "remove", (2,)),
    ("第二个不要了", "remove", (2,)),
    ("去掉满意度", "remove", ("满意度",)),
    ("换 1", "swap", (1,)),
    ("swap 1", "swap", (1,)),
    ("换掉第一个", "swap", (1,)),
    ("第三条换一个", "swap", (3,)),
    ("为什么 2", "why", (2,)),
    ("why 2", "why", (2,)),
    ("为什么有满意度", "why", ("满意度",)),
    ("第十二个为什么", "why", (12,)),
    ("1 3 6", "select", (1, 3, 6)),
    ("１，３", "select", (1, 3)),
])
def test_references(line, kind, refs):
    act = parse(line)
    assert (act.kind, act.refs) == (kind, refs)


@pytest.mark.parametrize("line, ref, field, text", [
    ("改 3 ≥98%", 3, "value", "≥98%"),
    ("改3 >=98％", 3, "value", "≥98%"),
    ("edit 3 <=50万元", 3, "value", "≤50万元"),
    ("改 3 名称 群众满意度", 3, "name", "群众满意度"),
    ("edit 3 name 群众满意度", 3, "name", "群众满意度"),
    ("改 3 标准 按照上年", 3, "basis", "按照上年"),
    ("满意度改成≥98%", "满意度", "value", "≥98%"),
    ("把第三个改为98%", 3, "value", "98%"),
    ("满意度的名称改成群众满意度", "满意度", "name", "群众满意度"),
    ("改 满意度 ≥95%", "满意度", "value", "≥95%"),
])
def test_edit(line, ref, field, text):
    act = parse(line)
    assert act == Action("edit", refs=(ref,), field=field, text=text)


@pytest.mark.parametrize("line, category, name, value", [
    ("加 热线接通率 ≥95%", None, "热线接通率", "≥95%"),
    ("加 热线接通率≥95%", None, "热线接通率", "≥95%"),
    ("add 回访率", None, "回访率", ""),
    ("加 质量 热线接通率 95%", "质量指标", "热线接通率", "95%"),
    ("加 满意度 群众满意度 >=90%", "服务对象满意度指标", "群众满意度", "≥90%"),
    ("加 系统上线时间 2026年6月底前", None, "系统上线时间", "2026年6月底前"),
])
def test_add(line, category, name, value):
    assert parse(line) == Action("add", text=name, value=value, category=category)


@pytest.mark.parametrize("line, kind, text", [
    ("", "empty", ""),
    ("   ", "empty", ""),
    ("上一步", "back", ""), ("back", "back", ""),
    ("下一步", "next", ""), ("NEXT", "next", ""),
    ("跳到 质量", "goto", "质量"), ("跳到质量", "goto", "质量"), ("goto 总表", "goto", "总表"),
    ("导出 我的 表.xlsx", "export", "我的 表.xlsx"), ("export out.md", "export", "out.md"),
    ("帮助", "help", ""), ("?", "help", ""), ("help", "help", ""),
    ("退出", "quit", ""), ("quit", "quit", ""),
    ("撤销", "undo", ""), ("总表", "table", ""),
    ("加强宣传", "unknown", "加强宣传"),          # 加 runs into a word: not a command
    ("改成", "unknown", "改成"),
    ("delivery", "unknown", "delivery"),          # an English word that only starts like del
])
def test_plain_commands(line, kind, text):
    act = parse(line)
    assert (act.kind, act.text) == (kind, text)


def test_ordinals_and_categories():
    assert [number_of(t) for t in ("3", "３", "第三个", "第12条", "十二", "二十", "二十三", "两", "第x个")] == \
        [3, 3, 3, 12, 12, 20, 23, 2, None]
    assert category_of("质量") == "质量指标"
    assert category_of("满意度") == "服务对象满意度指标"
    assert category_of("社会") == "社会效益指标"
    assert category_of("环境效益指标") == "生态效益指标"
    assert category_of("效益") is None           # three categories start with it


def test_intake_answers():
    assert read_name("  政务服务热线运行维护 ") == "政务服务热线运行维护"
    with pytest.raises(AnswerError):
        read_name("   ")
    assert [read_budget(t) for t in ("80", "80万", "80万元", "８０", "800000元", "1.2亿", "", "不填", "1,200")] == \
        [80, 80, 80, 80, 80, 12000, None, None, 1200]
    for bad in ("八十", "-5", "80美元"):
        with pytest.raises(AnswerError):
            read_budget(bad)
    assert read_year("2026") == 2026 and read_year("2026年") == 2026
    for bad in ("26", "明年", "1850"):
        with pytest.raises(AnswerError):
            read_year(bad)
    assert read_department("无") is None and read_department(" 市政务服务局 ") == "市政务服务局"
