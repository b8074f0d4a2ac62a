"""`jixiao batch` fills a missing category with the very lines `jixiao suggest` drafts for the same
project, and a unit's own filings come first in both (issue 14: one ranking for suggest, chat, batch)."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli

PROJECT = {"name": "乡镇敬老院运营补助", "department": "某县民政局", "year": 2025, "budget": 60.0,
           "description": "保障敬老院集中供养特困老人120名，每月开展健康巡诊1次"}


def _filing(indicators, **extra):
    return {**PROJECT, **extra, "kind": "project",
            "indicators": [{"level1": "", "level2": l2, "name": n, "value": v} for l2, n, v in indicators]}


def _suggest(db, **extra):
    p = {**PROJECT, **extra}
    out = run_cli("suggest", p["name"], "--desc", p["description"], "--budget", "60", "--year", "2026",
                  "--dept", p["department"], "--format", "json", "--no-feedback", "--db", str(db))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
def test_batch_fills_a_missing_category_with_the_suggest_lines(tmp_path):
    shared_db = tmp_path / "c.db"          # a fresh default catalogue: no feedback recorded
    src = tmp_path / "去年.json"
    # last year's table has no satisfaction and no timeliness line
    src.write_text(json.dumps(_filing([("数量指标", "集中供养特困老人人数", "120名"),
                                       ("质量指标", "供养标准达标率", "=100%"),
                                       ("成本指标", "项目总成本", "≤60万元"),
                                       ("社会效益指标", "特困老人基本生活", "有效保障")]), ensure_ascii=False),
                   encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("batch", str(src), "--year", "2026", "-o", str(out), "--format", "json", "--db", str(shared_db))
    assert r.returncode == 0, r.stderr
    drafted = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    suggested = _suggest(shared_db)
    for level2 in ("服务对象满意度指标", "时效指标"):
        added = [(i["name"], i["value"]) for i in drafted["indicators"] if i["level2"] == level2]
        expected = [(i["name"], i["value"]) for i in suggested["indicators"] if i["level2"] == level2]
        assert added and added == expected, (level2, added, expected)
        assert all(i["status"] == "new" for i in drafted["indicators"] if i["level2"] == level2)


@pytest.mark.slow
def test_a_units_own_filing_comes_first_in_suggest_and_batch(tmp_path):
    db = tmp_path / "c.db"
    own = tmp_path / "本单位.json"
    # the unit's own filing for this kind of project writes satisfaction its own way
    own.write_text(json.dumps(_filing([("数量指标", "集中供养特困老人人数", "118名"),
                                       ("服务对象满意度指标", "供养老人对敬老院服务的满意度", "≥96%")],
                                      name="敬老院运转经费", year=2024), ensure_ascii=False), encoding="utf-8")
    r = run_cli("ingest", str(own), "--db", str(db))
    assert r.returncode == 0, r.stderr
    suggested = _suggest(db)
    sat = [i for i in suggested["indicators"] if i["level2"] == "服务对象满意度指标"]
    assert sat[0]["name"] == "供养老人对敬老院服务的满意度" and sat[0]["value"] == "≥96%"
    assert any(s["kind"] == "filing" and s.get("detail") == "本单位" for s in sat[0]["sources"])
    src = tmp_path / "去年.json"
    src.write_text(json.dumps(_filing([("数量指标", "集中供养特困老人人数", "120名")]), ensure_ascii=False),
                   encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("batch", str(src), "--year", "2026", "-o", str(out), "--format", "json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    drafted = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    got = [i for i in drafted["indicators"] if i["level2"] == "服务对象满意度指标"]
    assert got[0]["name"] == sat[0]["name"] and got[0]["value"] == sat[0]["value"]
