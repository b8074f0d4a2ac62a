"""Project-type tags: the hand-checked tags of all 20 seed project filings, and the rules file.

HAND_TAGS was decided by reading each seed filing (name, 年度目标, indicators), not by running
the tagger: the first tag is the project's main type, the rest are further types its money
clearly covers.  test_catalogue.py checks the default catalogue's export against it too.
"""
from __future__ import annotations

import json
from importlib import resources

import pytest

from catalogue.library import GENERIC_TYPE, library_rows
from catalogue.tags import fallback_tag, resolve_tag, tag_names, tag_project
from conftest import SEEDS
from corpus.parse import parse_file

HAND_TAGS = {
    # seed 000: 放管服 / 审批制度改革 / 一件事一次办 plus the 12345 hotline in one business budget
    "政务服务业务": ["改革与营商环境", "热线"],
    # seed 001: platform and machine-room upkeep, the district hotline
    "综治平台运行维护": ["运维"],
    "互联网+监督平台运行维护": ["运维"],
    "政务公开平台运行专项": ["运维"],          # keeping the government website running
    "机房维护费": ["运维"],
    "区长热线工作经费": ["热线"],
    # seed 002
    "电子政务外网线路租赁": ["租赁"],
    "行政审批服务局软硬件运维费": ["运维"],
    "政务大厅运行经费": ["运行经费"],
    "政务大厅租金": ["租赁"],                   # rent, not the hall's running costs
    "大厅工作人员考核补助": ["人员经费"],       # staff bonus (考核补助), not a subsidy programme
    "优化营商环境经费": ["改革与营商环境"],
    "网络安全等级测评及设备": ["评审", "设备购置"],   # 等保测评 service plus the devices
    # seed 003
    "政府长聘人员经费": ["人员经费"],
    "审批业务工作经费": ["综合业务"],           # general approval work: inspections, some training
    "政务大厅电子设备维修维护标准化建设工作经费及办公楼运行经费": ["运维", "运行经费"],
    "政府类投资项目概算评审费": ["评审"],
    "12345 民生服务平台工作经费": ["热线"],
    "水土保持和食品生产许可专家技术评审费": ["评审"],
    # seed 004: the 一网通办 platform and the provincial 12345 hotline it runs
    "一网通办业务经费": ["信息化建设", "热线"],
}

REQUIRED = ["租赁", "运维", "热线", "评审", "培训", "设备购置", "信息化建设", "宣传印刷", "人员经费",
            "运行经费", "奖励补助", "改革与营商环境"]


@pytest.fixture(scope="module")
def seed_projects():
    return [f for p in SEEDS for f in parse_file(p) if f.kind == "project"]


def test_seed_project_filings_get_the_hand_checked_tags(seed_projects):
    assert sorted(f.name for f in seed_projects) == sorted(HAND_TAGS)
    got = {f.name: [t for t, _ in tag_project(f.name, f.description)] for f in seed_projects}
    assert got == HAND_TAGS


def test_every_text_gets_at_least_one_tag():
    assert tag_project("") == [(fallback_tag(), 0.0)]
    assert tag_project("某某单位工作经费", "做好各项工作")[0][0] == fallback_tag()
    for name in HAND_TAGS:
        assert tag_project(name)


def test_tags_are_best_first_with_scores():
    tags = tag_project("政务服务业务", "放管服改革深化；一件事一次办；12345政府热线运维")
    scores = [s for _, s in tags]
    assert scores == sorted(scores, reverse=True) and all(s >= 1.0 for s in scores)
    assert [t for t, _ in tags] == ["改革与营商环境", "热线"]


@pytest.mark.parametrize("name, expected", [
    ("机房租赁及运维费", ["租赁", "运维"]),            # DOMAIN: one project, two tags
    ("干部培训经费", ["培训"]),
    ("办公设备购置", ["设备购置"]),
    ("高中学生资助资金", ["奖励补助"]),
    ("政务服务宣传册印制", ["宣传印刷"]),
    ("智慧政务平台建设", ["信息化建设"]),
    ("办公楼物业管理费", ["运行经费"]),
    ("外聘人员经费", ["人员经费"]),
    ("电子政务内网线路租用费", ["租赁"]),
    ("等保测评费", ["评审"]),
    ("一件事一次办改革", ["改革与营商环境"]),
])
def test_common_project_names(name, expected):
    assert [t for t, _ in tag_project(name)] == expected


def test_a_phrase_counts_for_one_type_only():
    # 考核补助 is claimed by 人员经费, so its 补助 does not also make it a subsidy
    assert "奖励补助" not in [t for t, _ in tag_project("大厅工作人员考核补助")]
    # 大厅 alone is a weak hint: a hall's rent is not its running costs
    assert [t for t, _ in tag_project("政务大厅租金")] == ["租赁"]
    # 12345 written with a space or in full-width digits is still the hotline
    assert tag_project("１２３４５ 服务平台")[0][0] == "热线"


def test_description_alone_needs_more_than_one_hint():
    assert tag_project("工作经费", "开展业务培训")[0][0] == fallback_tag()
    assert tag_project("工作经费", "开展业务培训，组织干部轮训")[0][0] == "培训"


def test_tag_names_cover_the_required_types_in_priority_order():
    names = tag_names()
    assert set(REQUIRED) <= set(names)
    assert names[:4] == ["热线", "评审", "租赁", "运维"]        # DOMAIN.md priority order
    assert names[-1] == fallback_tag()
    assert len(set(names)) == len(names)


def test_aliases_resolve_to_tags():
    assert resolve_tag("营商") == "改革与营商环境"
    assert resolve_tag("购置") == "设备购置"
    assert resolve_tag("信息化") == "信息化建设"
    assert resolve_tag("奖补") == "奖励补助"
    assert resolve_tag(" 热线 ") == "热线"
    assert resolve_tag("航天") is None


def test_rules_live_in_the_data_file():
    data = json.loads(resources.files("catalogue").joinpath("data/type_tags.json").read_text(encoding="utf-8"))
    assert [t["tag"] for t in data["types"]] == tag_names()
    codes = [t["code"] for t in data["types"]]
    assert len(set(codes)) == len(codes)
    for t in data["types"]:
        if t["tag"] != data["fallback"]:
            assert t["keywords"] or t["patterns"], t["tag"]
            assert all(0 < w <= 2 for w in [*t["keywords"].values(), *t["patterns"].values()])


def test_library_types_are_tag_names():
    types = {r["type"] for r in library_rows()}
    assert types - {GENERIC_TYPE} <= set(tag_names())
    assert set(REQUIRED) <= types and GENERIC_TYPE in types
