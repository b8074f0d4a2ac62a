"""engine.reading: what a project's description states, read into indicator lines."""
from __future__ import annotations

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from jixiao.corpus.values import parse_value
from jixiao.engine.reading import read_project


def lines(desc: str, name: str = "某项目") -> dict[str, tuple[str, str]]:
    """name → (二级, value) of what the description states."""
    return {s.name: (s.level2, s.value) for s in read_project(name, desc).stated}


@pytest.mark.parametrize("desc, name, level2, value", [
    ("培训基层干部300人次", "培训基层干部人次", "数量指标", "300人次"),
    ("新造林3000亩，苗木成活率85%以上", "新造林面积", "数量指标", "3000亩"),
    ("新造林3000亩，苗木成活率85%以上", "苗木成活率", "质量指标", "≥85%"),
    ("设置话务座席30个，接通率不低于95%", "接通率", "质量指标", "≥95%"),
    ("每季度巡检一次，故障响应时间不超过30分钟", "巡检次数", "数量指标", "1次/季度"),
    ("每季度巡检一次，故障响应时间不超过30分钟", "故障响应时间", "时效指标", "≤30分钟"),
    ("审减率不低于5%", "审减率", "质量指标", "≥5%"),
    ("投诉率控制在2%以内", "投诉率", "质量指标", "≤2%"),
    ("服务周期2023.07-2024.01", "服务周期", "时效指标", "2023.07-2024.01"),
    ("租期一年", "租期", "时效指标", "1年"),
    ("2026年8月底前完工", "完工时间", "时效指标", "2026年8月底前"),
    ("增加脱贫户收入10.9万元", "增加脱贫户收入", "经济效益指标", "≥10.9万元"),
    ("亩均投资不超过1500元", "亩均投资", "成本指标", "≤1500元/亩"),
    ("补助标准1000元/人", "补助标准", "成本指标", "1000元/人"),
    ("为辖区12万常住居民提供服务", "常住居民人数", "数量指标", "12万人"),
    ("对64户脱贫户进行产业补助", "脱贫户数", "数量指标", "64户"),
    ("建设10栋大棚，每栋种植1760株", "种植株数", "数量指标", "17600株"),
    ("项目区粮食亩产提高50公斤", "项目区粮食亩产提高", "经济效益指标", "50公斤"),
    ("保障56个村级组织正常运转", "村级组织正常运转数量", "数量指标", "56个"),
    ("生活垃圾无害化处理率达到100%", "生活垃圾无害化处理率", "生态效益指标", "=100%"),
    ("满意度达到95%以上", "满意度", "服务对象满意度指标", "≥95%"),
])
def test_each_kind_of_statement(desc, name, level2, value):
    got = lines(desc)
    assert got.get(name) == (level2, value), got
    assert parse_value(value).kind in ("number", "deadline")


def test_purposes_become_graded_benefits_on_the_right_line():
    got = lines("进一步提高博物馆纪念馆运行效率和免费开放服务水平；改善了城市生态环境")
    assert got["博物馆纪念馆运行效率"] == ("社会效益指标", "有效提高")
    assert got["免费开放服务水平"] == ("社会效益指标", "有效提高")
    assert got["城市生态环境"] == ("生态效益指标", "有效改善")
    assert lines("优化营商环境")["营商环境"] == ("社会效益指标", "不断优化")   # not ecology
    assert len([k for k, (l2, _) in lines("提高甲水平；提高乙水平；提高丙水平").items()
                if l2 == "社会效益指标"]) == 2                            # at most two per project


def test_what_is_not_a_quantity_or_a_target_is_left_out():
    got = lines("保障12345热线全年24小时运行；第一年按投资额20%分红；一件事一次办；每村4400元")
    assert not got, got


def test_beneficiaries_most_specific_first():
    r = read_project("困难群众临时救助", "资助困难群众约500人，惠及群众")
    assert r.beneficiaries[0] == "困难群众" and "群众" in r.beneficiaries
    assert read_project("某项目", "").beneficiaries == ()


@pytest.mark.parametrize("text", ["建设10栋大棚，每栋种植1760株",
                                  "按照1760株/栋的标准，在10栋设施温棚中种植葡萄"])   # the density first
def test_totals_multiply_out_per_unit_counts(text):
    r = read_project("大棚", text)
    assert r.totals["株"][0] == 17600 and r.products == ("株",)
    assert ("种植株数", "17600株") in [(s.name, s.value) for s in r.stated]


@seed(14)
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("培训人次亩万元年月日底前不低于超过以内%0123456789，。、；每栋株户个提高改善的和及")),
               max_size=80))
def test_any_text_reads_without_error(text):
    r = read_project("项目", text)
    for s in r.stated:
        assert s.name and s.value and s.level2.endswith("指标")


def test_the_thing_counted_is_found_before_a_long_scope():
    """保障全县城乡低保对象约8600人基本生活: the verb and 全县 are left out, the count names the
    低保对象, not 基本生活 (the words after the number)."""
    r = read_project("最低生活保障资金", "保障全县城乡低保对象约8600人基本生活")
    assert [(s.name, s.value) for s in r.stated if s.kind == "quantity"] == [("城乡低保对象人数", "8600人")]


@pytest.mark.parametrize("text, name, value", [
    ("保障全镇12个村村组干部报酬按时足额发放", "村数量", "12个村"),     # 村村: the villages are counted
    ("全镇12个村", "村数量", "12个村"),
    ("覆盖全县12个乡镇", "覆盖乡镇数量", "12个乡镇"),
    ("覆盖全县56个村级组织", "覆盖村级组织数量", "56个"),            # 个村 starts 村级组织
    ("在10栋设施温棚中种植葡萄", "设施温棚数量", "10栋"),            # 中 + a verb end the thing counted
    ("新建5座污水处理站", "新建污水处理站数量", "5座"),               # a verb inside a noun does not
    ("在5个村内开展宣传", "村数量", "5个村"),                          # inside the villages, not ≤5个
])
def test_a_scope_before_a_count_of_places_is_not_its_name(text, name, value):
    """保障全镇12个村: the count is of villages (not 保障全镇数量); the scope word is left out."""
    assert [(s.name, s.value) for s in read_project("村级经费", text).stated if s.kind == "quantity"] == [(name, value)]


@pytest.mark.parametrize("text, expected", [
    ("约500人", [("人数", "500人")]),             # not 约人数
    ("共计300人次", [("人次", "300人次")]),       # not 计人次 (共 stripped, 计 left)
    ("按照1760株/栋的标准", []),                   # a planting standard, not 照数量
])
def test_a_filler_word_alone_is_no_name(text, expected):
    assert [(s.name, s.value) for s in read_project("某项目", text).stated] == expected


@pytest.mark.parametrize("text, expected", [
    ("3日内完成", [("完成时限", "≤3日")]),                 # not 内完成
    ("2个工作日内办结", [("办结时限", "≤2个工作日")]),
])
def test_a_time_limit_after_its_number_is_named_for_the_deed(text, expected):
    assert [(s.name, s.value) for s in read_project("某项目", text).stated] == expected


def test_a_per_person_per_month_amount_keeps_both_in_its_unit():
    r = read_project("最低生活保障资金", "城市低保标准每人每月780元，农村低保标准每人每年6500元")
    assert [(s.level2, s.name, s.value) for s in r.stated] == [
        ("成本指标", "城市低保标准", "780元/人·月"), ("成本指标", "农村低保标准", "6500元/人·年")]


@pytest.mark.parametrize("text, name, value", [
    ("为全市1800名老年人提供居家养老服务，每人每月补贴300元", "补贴标准", "300元/人·月"),
    ("每亩补助200元", "补助标准", "200元/亩"),
])
def test_a_payment_after_its_per_word_is_its_standard(text, name, value):
    r = read_project("补贴资金", text)
    assert (name, value) in [(s.name, s.value) for s in r.stated if s.level2 == "成本指标"]


@pytest.mark.parametrize("name, desc, expected", [
    ("支持西青区国有企业疫情期间减免房租补贴", "对疫情期间开展房租减免工作的国有企业进行补助，扶持国有企业正常运转。", "国有企业"),
    ("2020年非营利性民办园房租补贴", "缓解非营利性民办园租房需求", "非营利性民办园"),
    ("养老机构运营补贴", "对全市32家民办养老机构给予运营补贴", "民办养老机构"),
    ("2026年农村低保资金补助", "对全县1200户低保家庭发放补助", "低保家庭"),
    ("村级组织运转经费补助", "保障村级组织正常运转", ""),          # whom it pays is not said
    ("困难群众临时救助资金", "资助困难群众约500人", ""),             # people: counted in 人, not payees
    ("高标准农田建设项目", "新建高标准农田1万亩", ""),               # no subsidy at all
])
def test_whom_a_subsidy_pays(name, desc, expected):
    assert read_project(name, desc).subsidised == expected


def test_a_short_bracketed_aside_stays_out_of_names():
    got = lines("在7个林场和11个乡镇(街道办事处)实施营造林8万亩")
    assert not any(")" in n or "）" in n or "街道办事处" in n for n in got), got
    assert got.get("实施营造林面积") == ("数量指标", "8万亩"), got     # 乡镇 was the count before's
    assert lines("为3所学校购置教学设备200台").get("购置教学设备数量") == ("数量指标", "200台")
    got = lines("为全县(区)12个乡镇(街道)的困难群众发放救助金")
    assert ("数量指标", "12个") in got.values() and not any("(" in n for n in got), got
    # an aside holding a number is read, not dropped
    assert any(v == "300人次" for _, v in lines("开展培训(300人次)").values())


@pytest.mark.parametrize("text, name, value", [
    ("完成市档案馆5个标准档案库房消防设备的升级改造安装工作", "标准档案库房消防设备数量", "5个"),
    ("为3所学校购置教学设备", "学校数量", "3所"),
    ("扶持3个合作社发展特色产业", "合作社数量", "3个"),
    ("保障56个村级组织正常运转", "村级组织正常运转数量", "56个"),   # 组织 is part of the noun here
    ("新建5座污水处理站", "新建污水处理站数量", "5座"),
])
def test_a_classifier_followed_by_a_noun_counts_that_noun(text, name, value):
    assert lines(text).get(name) == ("数量指标", value), lines(text)


@pytest.mark.parametrize("text, name", [
    ("完成档案整理3000卷", "档案整理卷数"),
    ("完成培训300人次", "培训人次"),
])
def test_a_count_is_named_for_what_is_counted_not_for_finishing_it(text, name):
    assert name in lines(text), lines(text)
    assert lines("完成率达到95%") == {"完成率": ("质量指标", "≥95%")}


def test_how_things_stand_is_not_a_target():
    """Background ('户籍人口76户174人', '全县现有12个乡镇') is not read as the project's counts; the
    second count of the same people keeps their name ('受益人口76户174人' → 受益人口数 174人)."""
    got = lines("沙湾子村是少数民族聚居村，户籍人口76户174人，常住户26户56人。全县现有12个乡镇。"
                "项目新建养殖场占地约6500平米。项目实施后受益人口76户174人。")
    assert not any(n.startswith(("户籍", "常住", "乡镇")) or n == "人数" for n in got), got
    assert got.get("受益人口数") == ("社会效益指标", "174人"), got
    assert got.get("受益人口户数") == ("社会效益指标", "76户"), got
    assert got.get("项目新建养殖场占地面积") == ("数量指标", "6500平米"), got


def test_a_purpose_about_waste_is_ecological():
    got = lines("提高畜禽粪污综合利用率和规模养殖场设施装备配套率。")
    assert got.get("畜禽粪污综合利用率", ("",))[0] == "生态效益指标", got


@pytest.mark.parametrize("text, names", [
    ("提升六安城市的知名度和美誉度", ["六安城市知名度", "六安城市美誉度"]),
    ("逐步提升各乡镇及部门项目文本的编制质量", ["各乡镇及部门项目文本编制质量"]),
    ("确保每一个学生都能享受到国家政策福利", []),      # a whole clause, not an aim's object
])
def test_a_purpose_keeps_its_owner_and_its_whole_object(text, names):
    assert [s.name for s in read_project("某项目", text).stated if s.kind == "purpose"] == names
