"""The sector library drafts nothing its own review (lint) would warn about: no satisfaction outside
满意度 or non-satisfaction inside it (L09/L10), no 生态效益 without an environmental word (L17), no
money input offered as a 数量/质量 output (L18)."""
from __future__ import annotations

import pytest

from jixiao.catalogue.sectors import sector_data
from jixiao.engine.draft import Draft, DraftIndicator, Project
from jixiao.engine.lint import lint_draft

ENTRIES = [(s.name, e) for s in sector_data().sectors for e in s.entries]
NAME_RULES = ("L09", "L10", "L17", "L18")


def test_the_library_is_the_size_the_issue_asks():
    assert len(ENTRIES) >= 1200
    assert len(sector_data().sectors) >= 30


@pytest.mark.parametrize("sector", sorted({s for s, _ in ENTRIES}))
def test_no_library_entry_draws_a_review_warning(sector):
    inds = []
    for s, e in ENTRIES:
        if s != sector:
            continue
        name = e["name"].replace("{对象}", "服务对象").replace("{补助对象}", "合作社")
        value = e["value"].replace("{N}", "10").replace("{budget}", "50").replace("{year}", "2026")
        inds.append(DraftIndicator(level1="", level2=e["level2"], name=name, value=value))
    draft = Draft(project=Project(name=f"{sector}项目", budget=50, year=2026), indicators=inds)
    bad = [(inds[f.indicator].name, f.rule) for f in lint_draft(draft)
           if f.indicator is not None and f.rule.split()[0] in NAME_RULES]
    assert not bad, bad
