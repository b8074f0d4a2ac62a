"""engine.carry: last year's filing → next year's draft, on hand-written filings and the seeds."""
from __future__ import annotations

import pytest

from jixiao.corpus.parse import filing_from_dict, parse_file
from jixiao.corpus.values import parse_value, years_in
from jixiao.engine.carry import (carry_forward, count_changes, match_budgets, name_key, note_id, past_years,
                          roll_forward)
from jixiao.engine.draft import DraftIndicator
from jixiao.engine.profiles import profile, rules_data
from jixiao.engine.valuerules import fill_value, match_rule

from conftest import SEEDS

REQUIRED = profile("default")["required"]


def filing(indicators, year=2024, budget=20.0, period=None, name="政务服务热线运行经费", **extra):
    rows = [{"level1": "", "level2": l2, "name": n, "value": v} for l2, n, v in indicators]
    return filing_from_dict({"name": name, "year": year, "budget": budget, "period": period,
                             "description": extra.pop("description", ""), "indicators": rows, **extra})


def rule_fill(project, level2):
    """A fill callback built on the real rule layer (the command uses the suggest engine)."""
    name = {"数量指标": "服务人次", "质量指标": "服务合格率", "时效指标": "完成时间",
            "成本指标": "项目总成本", "社会效益指标": "服务能力", "服务对象满意度指标": "群众满意度",
            "可持续影响指标": "长效机制"}[level2]
    f = fill_value(level2, name, budget=project.budget, year=project.year)
    return [DraftIndicator(level1="", level2=level2, name=name, value=f.value, basis=f.basis,
                           parsed=parse_value(f.value), rules=f.rules, needs_input=f.needs_input)]


def one(draft, name):
    got = [i for i in draft.indicators if i.name == name]
    assert len(got) == 1, (name, [i.name for i in draft.indicators])
    return got[0]


def ids(ind):
    return {note_id(r) for r in ind.rules}


# --------------------------------------------------------------------------------- years

def test_deadlines_periods_and_names_roll_by_the_year_delta():
    f = filing([("时效指标", "受理及回复", "2024年底前"), ("时效指标", "审查及时性", "2024 年底"),
                ("时效指标", "全角", "２０２４年底前"), ("数量指标", "2024年度培训人次", "300人次"),
                ("数量指标", "12345热线", "1条")],
               period="2024.01.01-2024.12.31", description="2024年完成热线整合")
    d, c = carry_forward(f, 2025)
    assert one(d, "受理及回复").value == "2025年底前"
    assert one(d, "审查及时性").value == "2025 年底"
    assert one(d, "全角").value == "２０２５年底前"
    assert one(d, "2025年度培训人次").value == "300人次"
    assert one(d, "12345热线").value == "1条" and "C02" not in ids(one(d, "12345热线"))
    assert d.project.period == "2025.01.01-2025.12.31" and d.project.year == 2025
    assert d.project.description == "2025年完成热线整合"
    assert one(d, "受理及回复").parsed.year == 2025
    assert c.rolled == 4
    assert any("实施期" in n for n in c.notes)


def test_a_four_year_gap_rolls_by_four():
    f = filing([("时效指标", "平台建设完成", "2021年底前")], year=2021, period="2021.01-2021.12")
    d, _ = carry_forward(f, 2025)
    assert one(d, "平台建设完成").value == "2025年底前"
    assert d.project.period == "2025.01-2025.12"


@pytest.mark.parametrize("text", [
    "较2023年增长10%", "2020年以来累计受理", "自2019年起实施", "与2023年相比提高5%",
    "比2022年提高2个百分点", "在2023年基础上提升", "2023年同期水平",
])
def test_years_that_describe_the_past_are_not_rolled(text):
    f = filing([("社会效益指标", "诉求办理效率", text)])
    d, c = carry_forward(f, 2025)
    ind = one(d, "诉求办理效率")
    assert ind.value == text
    assert "C03" in ids(ind) and "C02" not in ids(ind)
    assert c.rolled == 0
    assert past_years(text)


def test_past_and_future_years_in_one_value():
    r = roll_forward("较2023年增长，2024年底前完成", 1)
    assert r.text == "较2023年增长，2025年底前完成"
    assert r.count == 1 and r.kept == [(2023, "较")]


def test_deadline_words_are_not_the_past():
    for text in ("2024年前完成", "2024年以前完成", "截至2024年底", "于2024年12月31日前"):
        assert past_years(text) == [], text
        assert years_in(roll_forward(text, 1).text) == [2025], text


def test_a_stale_deadline_is_moved_into_the_target_year():
    # the 2021 form still said 2019 (a copy-forward error); rolling 4 years gives 2023 < 2025
    f = filing([("时效指标", "事项梳理完成", "2019年年底前"), ("时效指标", "三年建设期", "2019-2021年")],
               year=2021)
    d, c = carry_forward(f, 2025)
    stale = one(d, "事项梳理完成")
    assert stale.value == "2025年年底前" and {"C02", "C04"} <= ids(stale)
    # a multi-year period that ends in the target year is kept; lint leaves it to a human
    assert one(d, "三年建设期").value == "2023-2025年"
    flagged = [d.indicators[x.indicator].name for x in d.lint if x.rule.startswith("L14")]
    assert flagged == ["三年建设期"]


def test_text_without_years_is_unchanged_and_codes_are_not_years():
    for text in ("全年24小时可接通", "2939 元", "2024件", "12345热线", "每月末", ""):
        r = roll_forward(text, 3)
        assert r.text == text and r.count == 0


# --------------------------------------------------------------------------------- basis

def test_carried_values_get_basis_按照上年_and_a_reason():
    f = filing([("数量指标", "受理诉求量", "10091件"), ("质量指标", "按时办结率", "≥98%")])
    f.indicators[0] = f.indicators[0].model_copy(update={"basis": "历史标准"})
    d, c = carry_forward(f, 2025)
    carried = rules_data()["carried_basis"]
    assert carried == "按照上年"
    for ind in d.indicators:
        assert ind.status == "carried" and ind.basis == carried and "C01" in ids(ind)
    assert "历史标准" in one(d, "受理诉求量").rules[0]
    assert c.carried == 2


def test_an_indicator_without_value_is_carried_as_needs_input():
    f = filing([("数量指标", "每月至少对机房进行一次全面维护", "")])
    d, c = carry_forward(f, 2025)
    ind = d.indicators[0]
    assert ind.needs_input and ind.basis is None and ids(ind) == {"C11"}
    assert c.needs_input == 1


# --------------------------------------------------------------------------------- cost

@pytest.mark.parametrize("old,new", [
    ("≤25万元", "≤30万元"),
    ("25万元", "30万元"),
    ("不超过25万元", "不超过30万元"),
    ("25万元以内", "30万元以内"),
    ("250000元", "30万元"),
    ("30 万/年", "30万元"),
    ("控制在预算内", "≤30万元"),
    ("", "≤30万元"),
])
def test_total_cost_becomes_the_new_budget_in_the_filers_style(old, new):
    f = filing([("成本指标", "项目总成本", old)], budget=25)
    d, c = carry_forward(f, 2025, budget=30)
    ind = one(d, "项目总成本")
    assert ind.value == new
    assert ind.parsed.number == 30 and ind.parsed.unit == "万元"
    assert ind.basis == "计划标准" and "C05" in ids(ind) and "C01" not in ids(ind)
    assert not ind.needs_input
    assert c.recosted == 1


@pytest.mark.parametrize("old, amount", [("≥5万元", "5"), (">0.3 万元", "0.3"), ("5万元以上", "5")])
def test_a_lower_bound_on_cost_becomes_an_upper_bound(old, amount):
    # a part of the cost keeps its amount; only the total-cost line takes the new budget
    f = filing([("成本指标", "租车费用", old), ("成本指标", "项目总成本", old)])
    d, _ = carry_forward(f, 2025, budget=12.5)
    part, total = one(d, "租车费用"), one(d, "项目总成本")
    assert part.value == f"≤{amount}万元" and "C12" in ids(part) and "下限" in part.rules[-1]
    assert total.value == "≤12.5万元" and "C05" in ids(total) and "下限" in total.rules[-1]
    assert not [x for x in d.lint if x.rule.startswith(("L11", "L12"))]


def test_unit_costs_and_rates_are_not_recosted():
    rows = [("成本指标", "人均培训成本", "≤3000元/人"), ("成本指标", "每月开支工资费用", "6万元"),
            ("成本指标", "月均接听电话的费用", "200元"), ("成本指标", "成本控制率", "=100%"),
            ("成本指标", "专家评审费", "3000元/人·年")]
    d, c = carry_forward(filing(rows), 2025, budget=40)
    for _, name, value in rows:
        ind = one(d, name)
        assert ind.value == value and ind.basis == "按照上年" and "C05" not in ids(ind)
    assert c.recosted == 0


def test_without_a_budget_costs_stay_as_last_year():
    d, c = carry_forward(filing([("成本指标", "项目总成本", "≤20万元")], budget=20), 2025)
    assert one(d, "项目总成本").value == "≤20万元" and one(d, "项目总成本").basis == "按照上年"
    assert d.project.budget == 20 and c.recosted == 0
    assert any("没有 2025 年预算" in n for n in c.notes)


# --------------------------------------------------------------------------------- moves

def test_misfiled_indicators_move_and_lint_no_longer_complains():
    rows = [("质量指标", "企业群众服务满意率", "≥90%"), ("质量指标", "办结率", "≥98%"),
            ("服务对象满意度指标", "群众对热线知晓率", "≥90%"),
            ("服务对象满意度指标", "群众满意度", "≥95%"),
            ("经济效益指标", "企业办事满意度", "≥90%"),
            ("经济效益指标", "场地租金支出", "25万元"),
            ("经济效益指标", "审减金额", "1.12亿元"),
            ("数量指标", "年度督办不满意工单数量", "300件")]
    d, c = carry_forward(filing(rows), 2025, budget=30)
    moved = {i.name: i for i in d.indicators if i.status == "moved"}
    assert set(moved) == {"企业群众服务满意率", "群众对热线知晓率", "企业办事满意度", "场地租金支出"}
    assert moved["企业群众服务满意率"].level2 == "服务对象满意度指标" and "C06" in ids(moved["企业群众服务满意率"])
    assert moved["群众对热线知晓率"].level2 == "社会效益指标" and "C07" in ids(moved["群众对热线知晓率"])
    assert moved["群众对热线知晓率"].level1 == "效益指标"
    # moved to cost, a part of it: its amount is kept, the new budget goes on the total only
    assert moved["场地租金支出"].level2 == "成本指标" and moved["场地租金支出"].value == "25万元"
    assert "C08" in ids(moved["场地租金支出"]) and "C05" not in ids(moved["场地租金支出"])
    assert one(d, "审减金额").level2 == "经济效益指标"          # a saving is not a cost
    assert one(d, "年度督办不满意工单数量").level2 == "数量指标"
    assert not [x for x in d.lint if x.rule.startswith(("L09", "L10"))]
    assert c.moved == 4
    # indicators stay in form order after moving
    order = [i.level2 for i in d.indicators]
    assert order == sorted(order, key=["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标",
                                       "社会效益指标", "生态效益指标", "可持续影响指标",
                                       "服务对象满意度指标"].index)


def test_a_move_onto_the_same_indicator_merges():
    rows = [("质量指标", "群众诉求满意率", "≥91 %"), ("服务对象满意度指标", "群众诉求满意率", "≥91%")]
    d, c = carry_forward(filing(rows), 2025)
    assert [i.name for i in d.indicators] == ["群众诉求满意率"]
    assert "C09" in ids(d.indicators[0])
    assert any("合并" in n for n in c.notes)


# --------------------------------------------------------------------------------- fill

def test_empty_required_categories_are_filled_and_marked_new():
    calls = []

    def fill(project, level2):
        calls.append((project.name, project.year, project.budget, level2))
        return rule_fill(project, level2)

    rows = [("数量指标", "受理诉求量", "10091件"), ("质量指标", "企业满意率", "≥90%"),
            ("时效指标", "每月至少巡检一次", "")]
    d, c = carry_forward(filing(rows), 2025, budget=18, fill=fill)
    filled = [x[3] for x in calls]
    # 质量 became empty when its satisfaction indicator moved; 时效 has no value
    assert filled == ["质量指标", "时效指标", "成本指标", "社会效益指标"]
    assert all(x[:3] == ("政务服务热线运行经费", 2025, 18.0) for x in calls)
    new = [i for i in d.indicators if i.status == "new"]
    assert [i.level2 for i in new] == filled
    for i in new:
        assert "C10" in ids(i) and i.rules[0].startswith("C10：")
    assert one(d, "项目总成本").value == "≤18万元"
    assert c.added == 4
    assert not [x for x in d.lint if x.rule.startswith("L01")]


def test_fill_results_that_repeat_a_name_or_a_category_are_skipped():
    def fill(project, level2):
        return [DraftIndicator(level1="", level2=level2, name="受理诉求量", value="1件"),
                DraftIndicator(level1="", level2="数量指标", name="别的类别", value="2件"),
                *rule_fill(project, level2)]

    d, c = carry_forward(filing([("数量指标", "受理诉求量", "10091件")]), 2025, budget=5, fill=fill)
    assert [i.name for i in d.indicators].count("受理诉求量") == 1
    assert "别的类别" not in [i.name for i in d.indicators]
    assert {i.level2 for i in d.indicators} >= set(REQUIRED)


def test_the_ningxia_profile_also_fills_可持续影响():
    d, _ = carry_forward(filing([("数量指标", "受理诉求量", "10091件")]), 2025, budget=5,
                         fill=rule_fill, profile="ningxia")
    assert "可持续影响指标" in {i.level2 for i in d.indicators if i.status == "new"}
    with pytest.raises(ValueError):
        carry_forward(filing([]), 2025, profile="no-such-profile")


# --------------------------------------------------------------------------------- counts

def test_counts_agree_with_the_draft_and_other_edge_cases():
    f = filing([("时效指标", "完成时间", "2024年底前"), ("成本指标", "项目总成本", "20万元"),
                ("质量指标", "服务满意率", "≥95%")], year=None)
    d, c = carry_forward(f, 2025, budget=21, fill=rule_fill)
    again = count_changes(d, c.notes)
    assert again == c
    assert c.carried == 3 and c.moved == 1 and c.recosted == 1 and c.rolled == 1 and c.added == 3
    assert c.flagged == sum(1 for x in d.lint if x.severity in ("error", "warning"))
    assert any("没有写年度" in n for n in c.notes)                 # year None → treated as 2024
    assert one(d, "完成时间").value == "2025年底前"
    d2, c2 = carry_forward(filing([("时效指标", "完成时间", "2025年底前")], year=2025), 2025)
    assert one(d2, "完成时间").value == "2025年底前" and any("未顺延" in n for n in c2.notes)


# --------------------------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seed_drafts():
    out = []
    for path in SEEDS:
        for f in parse_file(path):
            budget = round((f.budget or 10) * 1.1, 2)
            out.append((f, budget, *carry_forward(f, 2025, budget, fill=rule_fill)))
    return out


def test_seed_drafts_hold_next_years_facts(seed_drafts):
    assert len(seed_drafts) == 22
    assert sum(d.project.kind == "project" for _, _, d, _ in seed_drafts) == 20
    costs = 0
    for f, budget, d, c in seed_drafts:
        assert d.project.kind == f.kind and d.project.year == 2025 and d.project.budget == budget
        for y in years_in(d.project.period or ""):
            assert y >= 2025, d.project.period
        for ind in d.indicators:
            assert ind.rules, (d.project.name, ind.name)          # every indicator says why
            if ind.parsed.kind == "deadline" or ind.level2 == "时效指标":
                past = {y for _, _, y, _ in past_years(ind.value)}
                assert all(y >= 2025 or y in past for y in years_in(ind.value)), ind.value
            if ind.level2 == "成本指标" and "{budget}" in match_rule(ind.level2, ind.name).get("value", ""):
                pv = parse_value(ind.value)
                if pv.kind == "number" and pv.unit and "/" not in pv.unit and (
                        pv.unit.endswith("元") or pv.unit in ("万", "亿")):
                    assert pv.number == budget and pv.unit == "万元", (d.project.name, ind.name, ind.value)
                    costs += 1
        rules = {x.rule.split()[0] for x in d.lint}
        assert not rules & {"L01", "L09", "L10", "L11", "L14"}, (d.project.name, rules)
        assert count_changes(d, c.notes) == c
    # the total-cost lines only (8 project filings and a department table write one; the filings
    # whose cost lines hold no amount get one added): parts such as 租车费用 keep their amounts
    assert costs >= 16


def test_seed_moves_and_recosts_are_the_expected_ones(seed_drafts):
    by_name = {d.project.name: (d, c) for _, _, d, c in seed_drafts}
    d, c = by_name["政务大厅租金"]
    assert one(d, "控制在预算内").value == "16.5万元"     # 52万元 on a 15万元 budget, now the budget
    assert c.moved == 0 and any("合并" in n for n in c.notes)   # 满意率 under 质量 merged into 满意度
    d, c = by_name["12345 民生服务平台工作经费"]
    assert one(d, "群众对热线知晓率").level2 == "社会效益指标"
    assert one(d, "群众诉求受理及回复").value == "2025 年底"
    assert one(d, "每月开支平台使用人员月工资及社保费用").value == "2939 元"


# --------------------------------------------------------------------------------- budgets

def test_budgets_match_exactly_then_by_close_name_without_double_use():
    names = [["政务大厅运行经费"], ["政务大厅租金"], ["机房维护费"], ["12345 民生服务平台工作经费"],
             ["2025年区长热线工作经费", "2024年区长热线工作经费"], ["政务大厅运行经费"]]
    budgets = [("政务大厅运行费", 50.0), ("机房维修费", 3.0), ("12345民生服务平台工作经费", 9.0),
               ("政务大厅租金", 16.0), ("区长热线工作经费", 2.0), ("与任何项目都无关的名称", 1.0)]
    got, unmatched = match_budgets(names, budgets)
    assert got[1].amount == 16.0 and got[1].how == "exact"
    assert got[3].amount == 9.0 and got[3].how == "exact"            # spaces do not matter
    assert got[4].amount == 2.0 and got[4].how == "exact"            # nor year labels
    assert got[2] is None                                            # 维护 ≠ 维修: 80 < threshold
    # the close name goes to one filing only: two identical filings tie, so neither gets it
    assert got[0] is None and got[5] is None
    assert unmatched == [0, 1, 5]
    got, unmatched = match_budgets(names[:1], budgets[:1])
    assert got[0].how == "fuzzy" and got[0].score >= 90 and unmatched == []


def test_an_exact_budget_row_serves_every_filing_of_that_project():
    got, unmatched = match_budgets([["机房维护费"], ["机房维护费"]], [("机房维护费", 3.0)])
    assert [g.amount for g in got] == [3.0, 3.0] and unmatched == []
    assert name_key("２０２５年度 机房（维护）费") == name_key("机房维护费")


def test_names_that_differ_in_a_number_never_match_by_closeness():
    names = [["机房维护费（一期）"], ["网络安全等级测评（0014）"], ["政务大厅运行经费（0007）"]]
    budgets = [("机房维护费（二期）", 3.0), ("网络安全等级测评（0015）", 4.0), ("政务大厅运行费（0007）", 5.0)]
    got, unmatched = match_budgets(names, budgets)
    assert got[0] is None and got[1] is None and got[2].amount == 5.0 and unmatched == [0, 1]
