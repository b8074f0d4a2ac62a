"""corpus.categories.L1 / L2: the constants the code uses are the names in data/labels.json."""
from __future__ import annotations

from jixiao.corpus.categories import L1, L2, LEVEL1_CANON, LEVEL1_OF, LEVEL2_CANON, canonical_level2


def _values(ns) -> tuple[str, ...]:
    return tuple(v for k, v in vars(ns).items() if k.isupper())


def test_level2_constants_are_the_data_names_in_form_order():
    assert _values(L2) == LEVEL2_CANON


def test_level1_constants_are_the_parents():
    assert _values(L1) == LEVEL1_CANON
    assert set(LEVEL1_OF.values()) == set(LEVEL1_CANON)
    assert LEVEL1_OF[L2.COST] == L1.OUTPUT and LEVEL1_OF[L2.SUSTAINABLE] == L1.BENEFIT
    assert LEVEL1_OF[L2.SATISFACTION] == L1.SATISFACTION


def test_short_names_resolve_to_the_constants():
    assert canonical_level2("满意度") == L2.SATISFACTION
    assert canonical_level2("数量") == L2.QUANTITY


def test_forms_that_write_value_columns_or_budget_control_keep_their_categories(tmp_path):
    """Some provinces' forms label the 二级 column 时效值 / 经济效益值 (Shandong) or call cost
    预算(或投资规模)控制指标: read as the category, not guessed from the indicator's name."""
    import json

    from jixiao.corpus.parse import parse_file

    spellings = {"时效值": L2.TIMELINESS, "经济效益值": L2.ECONOMIC, "生态效益值": L2.ECOLOGICAL,
                 "可持续影响值": L2.SUSTAINABLE, "预算(或投资规模)控制指标": L2.COST,
                 "预算（或投资规模）控制指标": L2.COST, "成本值": L2.COST}
    for label, canon in spellings.items():
        assert canonical_level2(label) == canon, label
    # end to end: a filing whose 时效 line is named like a quality line stays 时效
    doc = {"name": "小学教育公用经费", "kind": "project", "description": "", "indicators": [
        {"level1": "产出指标", "level2": "时效值", "name": "资金支付合规率", "value": "100%"},
        {"level1": "效益指标", "level2": "可持续影响值", "name": "学校正常运转", "value": "长期"}]}
    path = tmp_path / "filing.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (filing,) = parse_file(str(path))
    assert [i.level2 for i in filing.indicators] == [L2.TIMELINESS, L2.SUSTAINABLE]
