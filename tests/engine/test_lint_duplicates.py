"""Issue 17 item 7: lint's duplicate check (L16) in near-linear time, with the same answers as
comparing every pair.

engine.near_duplicates finds, for every line, the first earlier line of another category whose
name is the same or near it (rapidfuzz ratio ≥ 90, sharing a half — the catalogue's notion of
near-identical).  Small tables compare every pair (`_direct`, the definition); large ones use
blocks, deletion maps and C scans.  The property tests force the large-table machinery on
random tables built from real indicator names and check it against the definition.
"""
from __future__ import annotations

import json
import random

import pytest

import jixiao.engine.near_duplicates as nd
from jixiao.engine.draft import Draft, DraftIndicator, Project
from jixiao.engine.lint import lint_draft

from reliability.capped import run_capped
from reliability.hostile import NAMES, big_filing, filings_jsonl

EDITS = "率度数量项目年达标及时"


def _random_table(rnd: random.Random, n: int) -> tuple[list[str], list[int]]:
    keys = []
    for _ in range(n):
        k = rnd.choice(NAMES + ["服务对象满意度调查问卷统计分析报告内容", "ab", "受益人口数量" + str(rnd.randrange(100))])
        for _ in range(rnd.randint(0, 3)):
            pos = rnd.randint(0, len(k))
            if rnd.random() < 0.5:
                k = k[:pos] + rnd.choice(EDITS) + k[pos:]
            elif k:
                pos = min(pos, len(k) - 1)
                k = k[:pos] + k[pos + 1:]
        keys.append("" if rnd.random() < 0.03 else k)
    return keys, [rnd.randrange(4) for _ in range(n)]


@pytest.mark.slow
@pytest.mark.parametrize("large_block, max_candidates", [(64, 512), (2, 512), (2, 1), (0, 1)],
                         ids=["blocks", "maps", "scans", "all-scans"])
def test_the_indexed_check_gives_the_definitions_answers(monkeypatch, large_block, max_candidates):
    monkeypatch.setattr(nd, "LARGE_BLOCK", large_block)
    monkeypatch.setattr(nd, "MAX_CANDIDATES", max_candidates)
    rnd = random.Random(17 + large_block + max_candidates)
    found = 0
    for _ in range(120):
        keys, groups = _random_table(rnd, rnd.randint(20, 300))
        got = nd.earlier_duplicates(keys, groups, 90, direct_up_to=0)
        assert got == nd._direct(keys, groups, 90)
        found += sum(a is not None for a in got)
    assert found > 1000                        # the tables do hold duplicates to find


def test_near_is_the_catalogue_notion():
    assert nd.near("项目完成及时率", "项目完成及时率", 90)
    assert nd.near("受益人口数量达到全区总人口", "受益人口数量达到全区人口", 90)      # one deletion
    assert not nd.near("验收合格率", "验收合格", 90)                                   # too short for an edit
    assert not nd.near("", "", 90)
    assert not nd.near("甲乙丙丁戊己庚辛壬癸子丑", "乙甲丙丁戊己庚辛壬子癸丑", 90)           # both halves differ


@pytest.mark.slow
@pytest.mark.parametrize("case", ["numbered", "same-half", "near-identical", "identical", "long"])
def test_hostile_tables_of_twenty_thousand_lines(case):
    """Tables that defeat blocking by halves — all sharing a half, all near each other — are
    still answered (the time is measured in benchmarks/bench_lint.py)."""
    rnd = random.Random(3)
    n = 20_000
    keys = {
        "numbered": [f"受益人口数量{i:05d}" for i in range(n)],
        "same-half": ["服务对象满意度调查" + "".join(rnd.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(9)) for _ in range(n)],
        "near-identical": ["项" * 30 + chr(0x4E00 + i) for i in range(n)],
        "identical": ["完全相同的指标名称"] * n,
        "long": ["服务对象满意度调查问卷统计分析报告" + "".join(rnd.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(17))
                 for _ in range(n)],
    }[case]
    groups = [i % 3 for i in range(n)]
    got = nd.earlier_duplicates(keys, groups, 90)
    assert len(got) == n and all(a is None or (a < b and groups[a] != groups[b]) for b, a in enumerate(got))
    if case in ("numbered", "near-identical", "identical"):
        assert sum(a is not None for a in got) > n // 2


def _draft(rows: list[tuple[str, str]]) -> Draft:
    return Draft(project=Project(name="查重", budget=100, year=2025),
                 indicators=[DraftIndicator(level1="", level2=l2, name=name, value="≥95%") for l2, name in rows])


def test_l16_reports_each_line_once_against_the_first_earlier_line():
    findings = [f for f in lint_draft(_draft([
        ("数量指标", "受益人口数量"), ("质量指标", "受益人口数量"),
        ("时效指标", "受益人口数量"),                      # the same pair of names: reported once
        ("质量指标", "验收合格率"), ("质量指标", "验收合格率"),  # one category: not a duplicate
        ("社会效益指标", "受益人口数"),                    # near the first line's name
        ("社会效益指标", "12345热线接通率"), ("质量指标", "12345热线接通率！"),
    ])) if f.rule.startswith("L16")]
    assert [(f.indicator, f.message) for f in findings] == [
        (1, "「受益人口数量」在「数量指标」和「质量指标」中重复出现"),
        (5, "「受益人口数」在「数量指标」和「社会效益指标」中重复出现"),
        (7, "「12345热线接通率！」在「社会效益指标」和「质量指标」中重复出现"),
    ]


@pytest.mark.slow
def test_a_plain_grid_of_sixty_thousand_rows_keeps_every_line_in_its_columns():
    """The listing renderer for long tables (rich lays out 60,000 rows in half a minute)."""
    from jixiao.engine.writers.table import _cell_width, plain_grid

    widths = [10, 18, 24, 10]
    rows = [("产出指标", "数量指标", f"受益人口数量达到全区总人口的百分之九十以上{i}", "≥95%") for i in range(60_000)]
    text = plain_grid(["一级", "二级", "三级指标", "指标值"], rows, widths)
    lines = text.split("\n")
    assert len(lines) == 2 + 2 * len(rows)                          # each name folds onto a second line
    total = sum(widths) + 2 * (len(widths) - 1)
    assert all(sum(_cell_width(c) if ord(c) > 0x7F else 1 for c in line) <= total for line in lines)
    assert lines[2].startswith("产出指标") and "≥95%" in lines[2]


@pytest.mark.slow
def test_lint_of_twenty_thousand_indicators_and_of_ten_thousand_filings(tmp_path):
    """Through the command line (timings: benchmarks/bench_lint.py and README)."""
    one = tmp_path / "one.json"
    one.write_text(json.dumps(big_filing(20_000, random.Random(1)), ensure_ascii=False), encoding="utf-8")
    out = run_capped("lint", str(one), "--format", "json", memory_mb=1024, timeout=300)
    assert out.returncode == 1, out.stderr
    (report,) = json.loads(out.stdout)
    assert len(report["indicators"]) == 20_000
    assert any(f["rule"].startswith("L16") for f in report["lint"])
    many = filings_jsonl(tmp_path / "many.jsonl", 10_000, 10, random.Random(2))
    out = run_capped("lint", str(many), memory_mb=2048, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "共检查 10000 张表" in out.stdout

