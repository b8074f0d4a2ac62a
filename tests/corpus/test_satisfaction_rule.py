"""One satisfaction rule (docs/domain.md §3) for parsing, suggesting, carrying and lint L09/L10:
a count of 不满意 work orders is not a satisfaction indicator, wherever it is read or moved."""
from __future__ import annotations

import pytest

from jixiao.corpus.categories import is_satisfaction_name
from jixiao.corpus.layout import infer_level2
from jixiao.engine.candidate_key import CandidateKey, KeyKind
from jixiao.engine.draft import Draft, DraftIndicator, Project
from jixiao.engine.lint import lint_draft
from jixiao.engine.candidates import Candidate
from jixiao.engine.selection import by_category

SAT = "服务对象满意度指标"
NAMES = {
    "群众满意度": True,
    "服务对象满意率": True,
    "年度督办不满意工单数量": False,
    "不满意工单办结率": False,
    "对不满意工单的回访满意度": True,       # 不满意 removed, 满意度 remains
    "政策知晓率": False,
}


@pytest.mark.parametrize("name,expected", NAMES.items())
def test_the_rule(name, expected):
    assert is_satisfaction_name(name) is expected


def _lint_codes(level2: str, name: str) -> set[str]:
    draft = Draft(project=Project(name="热线运行", budget=10, year=2025),
                  indicators=[DraftIndicator(level1="", level2=level2, name=name, value="≥95%")])
    return {f.rule.split()[0] for f in lint_draft(draft)}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("level1", ["产出指标", "效益指标", None])
def test_parser_files_where_lint_agrees(name, level1):
    """A form giving only a 一级 (or nothing): the 二级 read is one lint does not flag."""
    l2 = infer_level2(level1, name, "300件")
    assert (l2 == SAT) is NAMES[name]
    assert not {"L09", "L10"} & _lint_codes(l2, name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("level2", [SAT, "数量指标", "社会效益指标"])
def test_suggest_moves_where_lint_agrees(name, level2):
    c = Candidate(key=CandidateKey(KeyKind.OFFICER, name), level2=level2, name=name)
    placed = [l2 for l2, ranked in by_category({"k": c}).items() if c in ranked]
    assert len(placed) == 1
    assert (placed[0] == SAT) is NAMES[name]
    assert not {"L09", "L10"} & _lint_codes(placed[0], name)
