"""The value grammar (corpus/values.py) on real filing strings, plus property tests."""
from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.corpus.models import ParsedValue
from jixiao.corpus.textkeys import folded_text as normalise_text
from jixiao.corpus.values import (
    Quantity,
    extract_quantities,
    format_value,
    parse_value,
    roll_years,
    split_fused,
    split_value,
    vague_words,
    years_in,
)
from conftest import SEEDS

# (value as written, kind, op, number, unit, year)
NUMBERS = [
    ("≥95%", "≥", 95, "%"),
    ("≧95%", "≥", 95, "%"),              # full-width ≧ (seed 000)
    ("≧66.67%", "≥", 66.67, "%"),
    (">=95%", "≥", 95, "%"),
    ("≦5%", "≤", 5, "%"),
    ("<=5%", "≤", 5, "%"),
    ("≤3%", "≤", 3, "%"),
    ("≥98 %", "≥", 98, "%"),
    ("> 300 件", ">", 300, "件"),
    (">0.3 万元", ">", 0.3, "万元"),
    ("<1%", "<", 1, "%"),
    ("980 项", "=", 980, "项"),
    ("255 大项", "=", 255, "大项"),
    ("5 大类", "=", 5, "大类"),
    ("14个", "=", 14, "个"),
    ("40名", "=", 40, "名"),
    ("300册", "=", 300, "册"),
    ("1条", "=", 1, "条"),
    ("23 台", "=", 23, "台"),
    ("1700 人次", "=", 1700, "人次"),
    ("1000万人次", "=", 1000, "万人次"),
    ("5000所", "=", 5000, "所"),
    ("1.12 亿元", "=", 1.12, "亿元"),
    ("30 万/年", "=", 30, "万/年"),
    ("3000 元人/年", "=", 3000, "元人/年"),
    ("20000/人/年", "=", 20000, "/人/年"),
    ("≥30万元/个", "≥", 30, "万元/个"),
    ("40万元/人", "=", 40, "万元/人"),
    ("2万元/人", "=", 2, "万元/人"),
    ("3000元/人·年", "=", 3000, "元/人·年"),
    ("500元每人", "=", 500, "元/人"),
    ("≥5.9 万件", "≥", 5.9, "万件"),
    ("≤807.69万元", "≤", 807.69, "万元"),
    ("2939 元", "=", 2939, "元"),
    ("10091 件", "=", 10091, "件"),
    ("10376.01", "=", 10376.01, None),
    ("100兆", "=", 100, "兆"),
    ("1个工作日", "=", 1, "个工作日"),
    ("1天", "=", 1, "天"),
    ("1年", "=", 1, "年"),
    ("≥3年", "≥", 3, "年"),
    ("100%", "=", 100, "%"),
    ("=100%", "=", 100, "%"),
    ("≤0%", "≤", 0, "%"),
    ("1,000件", "=", 1000, "件"),
    ("≥100百分比", "≥", 100, "%"),
    ("120㎡", "=", 120, "平方米"),
    # operator words
    ("不低于95%", "≥", 95, "%"),
    ("不少于10条", "≥", 10, "条"),
    ("达到100%", "≥", 100, "%"),
    ("95%及以上", "≥", 95, "%"),
    ("90%以上", "≥", 90, "%"),
    ("95%（含）以上", "≥", 95, "%"),
    ("不高于5%", "≤", 5, "%"),
    ("不超过25万元", "≤", 25, "万元"),
    ("300件以内", "≤", 300, "件"),
    ("控制在25万元以内", "≤", 25, "万元"),
    ("超过10万元", ">", 10, "万元"),
    ("5以上", "≥", 5, None),
    ("每年≥90%", "≥", 90, "%"),
    ("年均不少于200次", "≥", 200, "次"),
    # full-width digits and percent
    ("９５％", "=", 95, "%"),
    ("≥９８％", "≥", 98, "%"),
]


@pytest.mark.parametrize("text,op,number,unit", NUMBERS)
def test_numbers(text, op, number, unit):
    pv = parse_value(text)
    assert (pv.kind, pv.op, pv.number, pv.unit) == ("number", op, pytest.approx(number), unit)
    assert pv.year is None


DEADLINES = [
    ("2024年底前", 2024),
    ("2024 年底", 2024),
    ("2019年年底前", 2019),
    ("2024年", 2024),
    ("（2021 年度）", 2021),
    ("年底前", None),
    ("年底", None),
    ("每年年底前", None),
    ("2025年12月31日前", 2025),
    ("2022年10月底", 2022),
    ("2022年12月前", 2022),
    ("6月30日前", None),
    ("每月末", None),
    ("每季度末", None),
    ("按年支付", None),
    ("按月", None),
    ("按月安排", None),
    ("按年支付评审服务费用", None),
    ("全年24小时可接通", None),
    ("7×24小时", None),
    ("在计划完成时间内完成", None),
    ("在项目计划完成时间内完成", None),
    ("2021.01.01-2021.12.31", 2021),
    ("2021.01-2021.12", 2021),
    ("2021.1.1-12.31", 2021),
    ("2019年—2021年", 2019),
    ("2019年-2021年", 2019),
    ("2021.12", 2021),
    ("2024-12-31前", 2024),
]


@pytest.mark.parametrize("text,year", DEADLINES)
def test_deadlines(text, year):
    pv = parse_value(text)
    assert pv.kind == "deadline"
    assert pv.year == year
    assert pv.number is None and pv.op is None


# Convention: a time amount "within" (内/以内/之内, optionally followed by a verb) is a deadline with
# op ≤ and the amount kept; without 内 it is an ordinary number ("1个工作日", "≥3年").
DURATIONS = [
    ("3小时内", 3, "小时"),
    ("3 小时内", 3, "小时"),
    ("30分钟内响应", 30, "分钟"),
    ("4小时内解决", 4, "小时"),
    ("1个工作日内办结", 1, "个工作日"),
    ("3个月以内", 3, "个月"),
    ("≤2小时内", 2, "小时"),
]


@pytest.mark.parametrize("text,number,unit", DURATIONS)
def test_durations_are_deadlines_with_an_upper_bound(text, number, unit):
    pv = parse_value(text)
    assert (pv.kind, pv.op, pv.number, pv.unit) == ("deadline", "≤", number, unit)


GRADES = ["有效", "有效提高", "有效推进", "有效保障", "显著提升", "显著提高", "明显降低", "明显促进",
          "不断提高", "不断优化", "不断提升", "不断精简", "不断强化", "稳步提高", "持续", "持续提升",
          "持续发挥", "基本完成", "效果明显", "应保尽保", "是", "否", "达成", "达成预期指标", "好",
          "较好", "一般", "全力保障", "大幅提升", "有效提高。", " 显著提升 ", "实现应保尽保"]


@pytest.mark.parametrize("text", GRADES)
def test_grades(text):
    pv = parse_value(text)
    assert pv.kind == "grade"
    assert pv.op is None and pv.number is None


@pytest.mark.parametrize("text", ["不超预算", "控制在预算内", "成本控制在预算内"])
def test_cost_bounds_without_number_are_upper_bound_grades(text):
    assert parse_value(text) == ParsedValue(kind="grade", op="≤")


TEXTS = [
    "社会公众综合满意度达到100%",            # fused name + value: split_fused's job
    "小型故障在24小时内处理完毕，大型故障在72小时候内处理完毕。",
    "办公用房标准",
    "1个本级5个分中心",
    "政府投资项目的实施, 加快平罗县经济社会发展快速增长",
    "实施期（2019年-2021年）",
    "按照上年",
    "≥",
    "%",
    # placeholders are text (lint L03 flags them)
    "**", "***", "XX", "xx%", "≥XX%", "…", "……", "...",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text(text):
    assert parse_value(text) == ParsedValue(kind="text")


@pytest.mark.parametrize("text", ["", " ", "\u3000", "\u3000\u3000", "□", " □ ", "\n\t"])
def test_empty(text):
    assert parse_value(text) == ParsedValue(kind="empty")


def test_non_string_input_does_not_raise():
    assert parse_value(None).kind == "empty"
    assert parse_value(95).kind == "number"


def test_every_value_in_the_seeds_parses_to_a_known_shape():
    """Each value column cell of the real filings: the grammar recognises all but a few sentences."""
    from jixiao.corpus.parse import parse_file

    kinds: dict[str, int] = {}
    unrecognised = []
    for path in SEEDS:
        for filing in parse_file(path):
            for ind in filing.indicators:
                pv = parse_value(ind.value)
                kinds[pv.kind] = kinds.get(pv.kind, 0) + 1
                if pv.kind == "text":
                    unrecognised.append(ind.value)
    assert kinds["number"] > 80 and kinds["grade"] >= 10 and kinds["deadline"] >= 5
    assert unrecognised == ["1个本级5个分中心"]


# ---------------------------------------------------------------------------------- split_value

@pytest.mark.parametrize("text,parts", [
    ("≥95%", ("≥", "95", "%")),
    ("≧95%", ("≥", "95", "%")),
    ("100%", ("=", "100", "%")),
    ("≥98 %", ("≥", "98", "%")),
    ("> 300 件", (">", "300", "件")),
    ("1.12 亿元", ("=", "1.12", "亿元")),
    ("≤807.69万元", ("≤", "807.69", "万元")),
    ("10376.01", ("=", "10376.01", "")),
    ("≥30万元/个", ("≥", "30", "万元/个")),
    ("95%及以上", ("≥", "95", "%")),
    ("每年≥90%", ("≥", "90", "%")),
    ("3小时内", ("≤", "3", "小时")),
    ("年底前", ("", "年底前", "")),
    ("2024 年底", ("", "2024 年底", "")),
    ("2021.01-2021.12", ("", "2021.01-2021.12", "")),
    ("有效提高", ("定性", "有效提高", "")),
    ("显著提升。", ("定性", "显著提升", "")),
    ("是", ("定性", "是", "")),
    ("不超预算", ("定性", "不超预算", "")),
    ("办公用房标准", ("", "办公用房标准", "")),
    ("XX", ("", "XX", "")),
    ("\u3000", ("", "", "")),
])
def test_split_value(text, parts):
    assert split_value(text) == parts


# ---------------------------------------------------------------------------------- format_value

@pytest.mark.parametrize("args,shown", [
    (("≥", 95.0, "%"), "≥95%"),
    (("≤", 25, "万元"), "≤25万元"),
    (("=", 100.0, "%"), "=100%"),
    (("≤", 807.69, "万元"), "≤807.69万元"),
    (("=", 0.3, "万元"), "=0.3万元"),
    (("=", 10376.01, None), "=10376.01"),
    ((None, 14.0, "个"), "14个"),
    (("≥", 1e-7, "%"), "≥0.0000001%"),
    (("=", 1e20, "元"), "=100000000000000000000元"),
])
def test_format_value(args, shown):
    assert format_value(*args) == shown


_DATA = json.loads(resources.files("jixiao.corpus").joinpath("data/values.json").read_text(encoding="utf-8"))
UNITS, ALIASES = _DATA["units"], _DATA["unit_aliases"]


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(["≥", "≤", "=", ">", "<"]),
       number=st.decimals(min_value=0, max_value=10**6, places=2).map(float),
       unit=st.sampled_from(UNITS + ["万元/个", "元/人·月", "万/年", None]))
def test_format_then_parse_round_trips(op, number, unit):
    pv = parse_value(format_value(op, number, unit))
    assert pv.kind == "number"
    assert (pv.op, pv.number) == (op, number)
    assert pv.unit == (ALIASES.get(unit, unit) if unit else None)


# ---------------------------------------------------------------------------------- years

@pytest.mark.parametrize("text,rolled,count", [
    ("2024年底前", "2025年底前", 1),
    ("2024 年底", "2025 年底", 1),
    ("2019年年底前", "2020年年底前", 1),
    ("2021.01.01-2021.12.31", "2022.01.01-2022.12.31", 2),
    ("2021.01-2021.12", "2022.01-2022.12", 2),
    ("（2021 年度）", "（2022 年度）", 1),
    ("2021年", "2022年", 1),
    ("2019年—2021年", "2020年—2022年", 2),
    ("2019-2021年", "2020-2022年", 2),
    ("2021-12", "2022-12", 1),
    ("２０２４年底前", "２０２５年底前", 1),
    ("截至2020年底完成10091件", "截至2021年底完成10091件", 1),
])
def test_roll_years(text, rolled, count):
    assert roll_years(text, 1) == (rolled, count)


@pytest.mark.parametrize("text", ["2939 元", "10091 件", "2000元/人", "2024件", "12345热线", "20000/人/年",
                                  "≥2000 次", "2021.10万元", "1989年", "2024", "1.2024年"])
def test_roll_years_leaves_non_years_alone(text):
    assert roll_years(text, 1) == (text, 0)
    assert years_in(text) == []


def test_roll_years_keeps_the_whole_text_when_a_year_would_leave_the_range():
    assert roll_years("2099年底前 2019年", 5) == ("2099年底前 2019年", 0)
    assert roll_years("2024年底前", 0) == ("2024年底前", 0)


@pytest.mark.parametrize("text,years", [
    ("2019年年底前", [2019]),
    ("项目支出实施期 2021.01.01-2021.12.31", [2021, 2021]),
    ("（2024 年度）共2939 元、12345热线", [2024]),
    ("2021/12/31前", [2021]),
    ("", []),
])
def test_years_in(text, years):
    assert years_in(text) == years


def test_deadline_year_for_lint():
    """The L14 situation: the 2021 form's own example still says 2019."""
    assert parse_value("2019年年底前").year == 2019
    assert [y for y in years_in("2019年年底前") if y < 2021] == [2019]


# ---------------------------------------------------------------------------------- split_fused

@pytest.mark.parametrize("cell,parts", [
    ("社会公众综合满意度达到100%", ("社会公众综合满意度", "100%")),
    ("确保政府门户网站首页栏目每天更新不少于10条", ("确保政府门户网站首页栏目每天更新", "不少于10条")),
    ("出现网格故障须在1小时内处理完毕", ("出现网格故障须在1小时内处理完毕", "")),
    ("满意度达90%", ("满意度", "90%")),
    ("群众满意度≥95%", ("群众满意度", "≥95%")),
    ("群众满意度达到９５％以上", ("群众满意度", "９５％以上")),
    ("新增幼儿园5000所。", ("新增幼儿园", "5000所")),
    ("故障处理时间在1小时内", ("故障处理时间", "1小时内")),
    ("维护的办公电脑、打印机及其他电子设备>600台", ("维护的办公电脑、打印机及其他电子设备", ">600台")),
    ("困难群众保障实现应保尽保", ("困难群众保障", "应保尽保")),
    # no clean split: whole cell is the name
    ("每月至少对平台网络进行一次全面监测", ("每月至少对平台网络进行一次全面监测", "")),
    ("12345热线", ("12345热线", "")),
    ("目标1", ("目标1", "")),
    ("达到100%", ("达到100%", "")),
    ("群众满意度显著提升", ("群众满意度显著提升", "")),
    ("", ("", "")),
])
def test_split_fused(cell, parts):
    assert split_fused(cell) == parts


# ---------------------------------------------------------------------------------- quantities

def _triples(text):
    return [(q.number, q.unit, q.noun) for q in extract_quantities(text)]


def test_extract_quantities_training_description():
    got = extract_quantities("主体班培训280人次;邀请校外名师、领导授课25人次;开设课程数量220门")
    assert [(q.number, q.unit) for q in got] == [(280, "人次"), (25, "人次"), (220, "门")]
    assert got[0].noun == "主体班培训"
    assert "授课" in got[1].noun
    assert got[2].noun == "开设课程数量"


@pytest.mark.parametrize("text,triples", [
    ("大厅共设14个窗口", [(14, "个", "窗口")]),
    ("印制办事指南300册", [(300, "册", "办事指南")]),
    ("1个本级5个分中心", [(1, "个", "本级"), (5, "个", "分中心")]),
    ("目标 1: 保障政务大厅 1-3 层日常用水用电", []),
])
def test_extract_quantities(text, triples):
    assert _triples(text) == triples


def test_extract_quantities_flags_years_and_money():
    got = extract_quantities("截至 2020 年底，本部门人员编制 24 人；2021年预算收入1146.37 万元，"
                             "计划于2021年12月31日前完成，实施期2021.01.01-2021.12.31，服务不少于1000人次")
    years = [q for q in got if q.is_year]
    money = [q for q in got if q.is_money]
    counts = [q for q in got if not q.is_year and not q.is_money]
    assert [q.number for q in years] == [2020, 2021, 2021, 2021, 2021]
    assert [(q.number, q.unit) for q in money] == [(1146.37, "万元")]
    assert [(q.number, q.unit, q.op) for q in counts] == [(24, "人", None), (1000, "人次", "≥")]
    assert all(isinstance(q, Quantity) for q in got)


def test_per_unit_money_is_money():
    (q,) = extract_quantities("专家评审费3000元/人·年")
    assert (q.unit, q.is_money) == ("元/人·年", True)


# ---------------------------------------------------------------------------------- normalise_text

@pytest.mark.parametrize("raw,norm", [
    ("≥９５％", "≥95%"),
    ("\u3000政务服务\u3000\u3000业务　", "政务服务 业务"),
    ("ＡＢＣ  １２３\n\tx", "ABC 123 x"),
    ("", ""),
])
def test_normalise_text(raw, norm):
    assert normalise_text(raw) == norm


def test_word_lists_come_from_the_data_file():
    from jixiao.corpus.values import _grammar

    assert {"有效提高", "显著提升", "应保尽保", "是", "好"} <= _grammar().grades   # the qualitative grades (定性)
    assert {"不断", "进一步", "逐步", "大幅", "明显", "拓宽"} <= set(vague_words())


# ---------------------------------------------------------------------------------- properties

_VALUEISH = st.text(alphabet="0123456789０１２９.．-—/ 年度底前月日内以上下≥≤≧≦<>=%％万元件个人次每按不少于达到"
                             "XＸ*…□\u3000有效提高", max_size=24)
_ANY = st.one_of(st.text(max_size=60), _VALUEISH)


@settings(max_examples=600, deadline=None)
@given(text=_ANY)
def test_never_raises(text):
    pv = parse_value(text)
    assert pv.kind in ("number", "deadline", "grade", "text", "empty")
    sign, value, unit = split_value(text)
    assert isinstance(sign, str) and isinstance(value, str) and isinstance(unit, str)
    name, val = split_fused(text)
    assert name in text and val in text
    assert isinstance(years_in(text), list)
    assert isinstance(extract_quantities(text), list)
    assert isinstance(normalise_text(text), str)


_YEAR_TEXT = st.lists(st.one_of(
    st.sampled_from(["2024年底前", "2024 年底", "2019年年底前", "2021.01.01-2021.12.31", "2021.01-2021.12",
                     "（2021 年度）", "2019年—2021年", "2939 元", "10091 件", "2000元/人", "2024件",
                     "12345热线", "20000/人/年", "２０２１年", "2100年", "1990.01"]),
    _VALUEISH), max_size=5).map("".join)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(text=_YEAR_TEXT, delta=st.integers(min_value=-120, max_value=120))
def test_roll_years_round_trips(text, delta):
    rolled, n = roll_years(text, delta)
    assert len(rolled) == len(text)
    if n:
        assert roll_years(rolled, -delta) == (text, n)
        assert [y + delta for y in years_in(text)] == years_in(rolled)
    else:
        assert rolled == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), delta=st.integers(min_value=-50, max_value=50))
def test_roll_years_round_trips_on_any_text(text, delta):
    rolled, n = roll_years(text, delta)
    if n:
        assert roll_years(rolled, -delta)[0] == text


@pytest.mark.parametrize("text", [
    "达到" + " " * 3000 + "5" + " " * 3000 + "x",
    "1" + " " * 5000 + "人" + " " * 5000 + "以上 x",
    ("服务" + " " * 2000) * 3 + "30人",
    "2024" + " " * 3000 + "-" + " " * 3000 + "2025年",
    "9" * 5000,
    "年" * 5000,
])
def test_long_and_blank_heavy_cells(text):
    """Huge cells (whole pasted documents, runs of blanks) are handled, not choked on."""
    assert parse_value(text) == parse_value("".join(text.split()))   # blanks never matter to a value
    assert split_fused(text)[0]
    assert all(q.unit for q in extract_quantities(text) if not q.is_year)
    roll_years(text, 1)


def test_canonical_level2_accepts_short_names():
    from jixiao.corpus.categories import canonical_level2

    assert canonical_level2("满意度") == "服务对象满意度指标"
    assert canonical_level2("数量") == "数量指标"
    assert canonical_level2("环境效益") == "生态效益指标"
    assert canonical_level2("不是类别") is None
