"""Sector tags (行业): the hand-checked sectors of all 20 seed project filings, and the sector files.

HAND_TAGS was decided by reading each seed filing (name, 年度目标, indicators), not by running
the tagger: the first sector is what the project's name says the money is for, the rest are
further sectors its name or description clearly covers.  test_catalogue.py checks the default
catalogue's export against it too.
"""
from __future__ import annotations

import json
from importlib import resources

import pytest

from jixiao.catalogue.library import GENERIC_TYPE, library_rows
from jixiao.catalogue.tags import fallback_tag, resolve_tag, tag_names, tag_project
from conftest import SEEDS
from jixiao.corpus.parse import parse_file

HAND_TAGS = {
    # seed 000: government-service business: 放管服 / 一件事一次办 reform and the 12345 hotline
    "政务服务业务": ["政务服务", "改革与营商环境", "热线"],
    # seed 001: platform and machine-room upkeep, the district hotline; 综治 is public order
    # (社会治安综合治理) and the description is about 政务服务事项
    "综治平台运行维护": ["运维", "公安司法", "政务服务"],
    "互联网+监督平台运行维护": ["运维"],
    "政务公开平台运行专项": ["运维"],          # keeping the government website running
    "机房维护费": ["运维"],
    "区长热线工作经费": ["热线"],
    # seed 002
    "电子政务外网线路租赁": ["租赁", "信息化建设"],   # a network line for e-government
    "行政审批服务局软硬件运维费": ["运维", "政务服务"],
    "政务大厅运行经费": ["运行经费", "政务服务"],
    "政务大厅租金": ["租赁", "政务服务"],       # rent first: the name ends with it
    "大厅工作人员考核补助": ["人员经费"],       # staff bonus (考核补助), not a subsidy programme
    "优化营商环境经费": ["改革与营商环境"],
    "网络安全等级测评及设备": ["设备购置", "评审"],   # the devices (the name ends with them) and 等保测评
    # seed 003
    "政府长聘人员经费": ["人员经费"],
    "审批业务工作经费": ["通用"],               # general approval work: inspections, some training
    "政务大厅电子设备维修维护标准化建设工作经费及办公楼运行经费": ["运维", "运行经费", "政务服务"],
    "政府类投资项目概算评审费": ["评审"],
    "12345 民生服务平台工作经费": ["热线"],
    "水土保持和食品生产许可专家技术评审费": ["评审", "水利"],   # an expert-review fee on 水土保持
    # seed 004: the 一网通办 government-service platform and the provincial 12345 hotline it runs
    "一网通办业务经费": ["政务服务", "热线"],
}

# the project types jixiao had before the sector library (kept), and the sectors issue 14 names
REQUIRED = ["租赁", "运维", "热线", "评审", "培训", "设备购置", "信息化建设", "宣传印刷", "人员经费",
            "运行经费", "奖励补助", "改革与营商环境",
            "教育", "卫生健康", "农业", "林业草原", "水利", "交通公路", "住建工程", "文化文物", "体育", "旅游",
            "生态环保", "城市管理环卫", "社会救助", "民政养老", "乡村振兴", "市场监管食品安全", "应急消防",
            "公安司法", "档案", "科技", "会议活动", "课题研究", "物业", "党建与基层组织"]


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


def test_sectors_the_name_names_come_first():
    tags = tag_project("政务服务业务", "放管服改革深化；一件事一次办；12345政府热线运维")
    assert [t for t, _ in tags] == ["政务服务", "改革与营商环境", "热线"]
    assert all(s >= 1.0 for _, s in tags)
    # the description alone may outweigh the name, but the name decides what the money is for
    tags = tag_project("水土保持和食品生产许可专家技术评审费", "改善水土保持工作条件，减少水土流失，控制水土流失")
    assert [t for t, _ in tags] == ["评审", "水利"] and tags[1][1] > tags[0][1]


@pytest.mark.parametrize("name, expected", [
    ("机房租赁及运维费", ["运维", "租赁"]),            # one project, two sectors; the head word last
    ("干部培训经费", ["培训"]),
    ("办公设备购置", ["设备购置"]),
    ("高中学生资助资金", ["教育", "奖励补助"]),
    ("政务服务宣传册印制", ["宣传印刷", "政务服务"]),
    ("智慧政务平台建设", ["信息化建设"]),
    ("办公楼物业管理费", ["物业", "运行经费"]),
    ("2023年新造林项目", ["林业草原"]),
    ("岳阳县2022年高标准农田建设项目", ["农业"]),
    ("农村义务教育学生营养改善计划", ["教育"]),
    ("基本公共卫生服务项目", ["卫生健康"]),
    ("支持国有企业减免房租补贴", ["奖励补助"]),   # a subsidy for rent relief, not a lease
    ("城区环境卫生清扫保洁经费", ["城市管理环卫"]),
    ("村组干部报酬", ["人员经费"]),
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
    # a hall's rent is not its running costs
    assert "运行经费" not in [t for t, _ in tag_project("政务大厅租金")]
    # 12345 written with a space or in full-width digits is still the hotline
    assert tag_project("１２３４５ 服务平台")[0][0] == "热线"


def test_description_alone_needs_more_than_one_hint():
    assert tag_project("工作经费", "开展业务培训")[0][0] == fallback_tag()
    assert tag_project("工作经费", "开展业务培训，组织干部轮训")[0][0] == "培训"


def test_tag_names_cover_the_required_sectors_in_priority_order():
    names = tag_names()
    assert set(REQUIRED) <= set(names) and len(names) >= 31
    assert names[:3] == ["热线", "评审", "租赁"]        # the most specific phrases claim first
    assert names[-1] == fallback_tag() == "通用"
    assert len(set(names)) == len(names)


def test_a_project_without_sector_words_gets_the_fallback_with_its_reason():
    from jixiao.catalogue.tags import tag_reason

    assert tag_project("某某单位工作经费", "做好各项工作") == [("通用", 0.0)]
    assert "没有任何行业的关键词" in tag_reason("某某单位工作经费", "做好各项工作")
    reason = tag_reason("2023年新造林项目", "新造林3000亩，苗木成活率85%以上")
    assert reason.startswith("林业草原：") and "造林" in reason and "苗木" in reason


def test_aliases_resolve_to_tags():
    assert resolve_tag("营商") == "改革与营商环境"
    assert resolve_tag("购置") == "设备购置"
    assert resolve_tag("信息化") == "信息化建设"
    assert resolve_tag("奖补") == "奖励补助"
    assert resolve_tag(" 热线 ") == "热线"
    assert resolve_tag("航天") is None


def test_rules_live_in_the_sector_files():
    folder = resources.files("jixiao.catalogue").joinpath("data/sectors")
    index = json.loads(folder.joinpath("_index.json").read_text(encoding="utf-8"))
    sectors = [json.loads(folder.joinpath(f"{stem}.json").read_text(encoding="utf-8")) for stem in index["order"]]
    assert [s["sector"] for s in sectors] == tag_names()
    codes = [s["code"] for s in sectors]
    assert len(set(codes)) == len(codes)
    for s in sectors:
        if s["sector"] != index["fallback"]:
            assert s["keywords"] or s["patterns"], s["sector"]
            assert all(0 < w <= 2 for w in [*s["keywords"].values(), *s["patterns"].values()])


def test_library_types_are_tag_names():
    types = {r["type"] for r in library_rows()}
    assert types - {GENERIC_TYPE} <= set(tag_names())
    assert set(REQUIRED) <= types and GENERIC_TYPE in types


def test_the_department_names_the_sector_only_when_the_text_names_none():
    from jixiao.catalogue.tags import tag_reason

    # the text says nothing of its kind: the unit does (a library's 共享工程 is culture)
    assert tag_project("共享工程", "", "黄石市图书馆")[0][0] == "文化文物"
    assert "主管部门“黄石市图书馆”含“图书馆”" in tag_reason("共享工程", "", "黄石市图书馆")
    assert tag_project("镇际联网路升级改造工程一期", "完成勘察设计费结算", "东莞市交通运输局")[0][0] == "交通公路"
    # the text names its kind: the department does not change it (a 交通局 funds a school bus)
    assert tag_project("校车购置", "购置校车5辆，保障学生上下学", "某县交通运输局")[0][0] != "交通公路"
    # a department without sector words leaves the fallback
    assert tag_project("专项工作经费", "", "某县人民政府办公室")[0][0] == "通用"


@pytest.mark.parametrize("name, desc, sector", [
    ("村级补助及运转经费", "村级组织运转400000元，村民组长、党小组长基本报酬252000元", "党建与基层组织"),
    ("校园维修改造及设备购置", "", "教育"),
    ("标准化工作专项补助经费", "补助全市从事标准研制及相关科研项目", "市场监管食品安全"),
])
def test_words_real_filings_use_name_their_sector(name, desc, sector):
    assert sector in [t for t, _ in tag_project(name, desc)]


def test_sector_files_pass_their_check_and_are_in_the_house_layout():
    """`python -m jixiao.catalogue.sectors --format` would change nothing: entries stay in 二级 then
    code order (a library entry's place in its list is part of its score), and check() is clean."""
    from jixiao.catalogue.sectors import _raw_files, check, format_text

    assert check() == []
    for fname, text in _raw_files()[1:]:
        assert format_text(json.loads(text)) == text, fname
