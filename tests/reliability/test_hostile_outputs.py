"""Output safety end to end (issue 6): hostile text goes through the catalogue and out again.

tests/cli/test_output_safety.py checks the writers themselves (safe_filename, formula cells, atomic
writes) on drafts built in memory.  Here the text travels the whole way: searches with SQL and
wildcard characters reach SQLite only as parameters and answer exactly what a plain substring
scan answers; a filing whose project, department and indicator names are formula prefixes, SQL
and ../ paths is ingested, found again verbatim, and carried by `batch` and `suggest` into
.xlsx/.csv files that hold no live formula and stay inside OUTDIR.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.catalogue.browse import search
from jixiao.corpus.textkeys import nfkc_squashed as normalise
from jixiao.engine.writers.safety import is_formula_like
from conftest import run_cli

from .mutants import HOSTILE_TEXT

SQLISH = ["'; DROP TABLE filings; --", "%", "_", "%%", "_%_", "'", "\"", "\"\"", "' OR '1'='1", "\\", "*",
          "热线*", "NEAR(热线 工单)", "热线 OR 满意", "^满意", "满意:度", "(", ")", "{}", "[a]", "\x00", "满\x00意",
          "--", "/*", "*/", ";", "\u3000", "满意度\"", "\"满意度\"", "ＡＢＣ"]

PROJECT = "=HYPERLINK(\"http://x.example\",\"点击\")夜间无人机巡检服务"
DEPARTMENT = "@SUM(A1:A9)应急管理局"
INDICATORS = [
    ("产出指标", "数量指标", "=1+1无人机巡检架次", "+120架次"),
    ("产出指标", "质量指标", "+SUM(A1:A9)巡检覆盖率", "=95%"),
    ("产出指标", "时效指标", "-2+3巡检报告提交时限", "@TODAY()"),
    ("产出指标", "成本指标", "@cmd|' /C calc'!A0巡检成本", "≤80万元"),
    ("效益指标", "社会效益指标", "'; DROP TABLE filings; --隐患发现数量", "≥30处"),
    ("效益指标", "可持续影响指标", "../../etc/passwd 巡检机制", "长期"),
    ("满意度指标", "服务对象满意度指标", "\t=群众满意度", "≥90%"),
]
LIST_NAMES = ["../../逃逸项目", "/etc/绝对路径项目", "CON", "NUL.txt", "=cmd|' /C calc'!A0项目", "..",
              "a/b\\c:d*e?f\"g<h>i|j项目", "@SUM(A1)项目", "夜间巡检" * 60, "夜间巡检" * 60]


@pytest.fixture(scope="module")
def db(shared_db, tmp_path_factory) -> Path:
    """A private copy of the default catalogue."""
    path = tmp_path_factory.mktemp("hostile") / "catalogue.db"
    src, dst = sqlite3.connect(shared_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("filings", "indicators", "canonical", "canonical_names", "library", "meta")}
    finally:
        conn.close()


def _truth(conn: sqlite3.Connection, text: str) -> set[int]:
    q = normalise(text)
    if not q:
        return set()
    return {cid for cid, norm in conn.execute("SELECT canonical_id, norm FROM canonical_names") if q in norm}


# --- search ---------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("text", [t for t in SQLISH if "\x00" not in t])
def test_cli_search_with_hostile_text_answers_and_leaves_the_catalogue_intact(db, text):
    before = _counts(db)
    # options first, the text after "--": a text may itself start with "-" (as an officer would type it)
    out = run_cli("catalogue", "search", "--db", str(db), "--format", "json", "--limit", "100000", "--", text)
    assert "Traceback" not in out.stderr
    if not text.strip():                                # nothing to search for: one clear line
        assert out.returncode == 2 and "请给出要搜索的文字" in out.stderr
        assert _counts(db) == before
        return
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    conn = sqlite3.connect(db)
    try:
        assert {r["id"] for r in got["indicators"]} == _truth(conn, text)
    finally:
        conn.close()
    assert _counts(db) == before


def test_wildcards_are_literal(db):
    """% and _ would match every name as LIKE patterns; as text they match (almost) nothing."""
    conn = sqlite3.connect(db)
    try:
        everything = conn.execute("SELECT COUNT(*) FROM canonical").fetchone()[0]
        for text in ("%", "_", "%%", "_%_"):
            total, rows = search(conn, text, limit=100000)
            assert total < everything and {r["id"] for r in rows} == _truth(conn, text)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def names(db) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [n for (n,) in conn.execute("SELECT name FROM canonical_names ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_search_answers_exactly_a_substring_scan(db, names, data):
    """Any slice of a real indicator name, with hostile characters spliced in or not: the ids
    search returns are exactly the canonical indicators whose spelling contains the text."""
    name = data.draw(st.sampled_from(names))
    i = data.draw(st.integers(0, len(name)))
    j = data.draw(st.integers(i, len(name)))
    text = name[i:j]
    if data.draw(st.booleans()):
        k = data.draw(st.integers(0, len(text)))
        text = text[:k] + data.draw(st.sampled_from(SQLISH + HOSTILE_TEXT)) + text[k:]
    text = text.replace("\x00", "")                     # NUL: see the test below
    conn = sqlite3.connect(db)
    try:
        total, rows = search(conn, text, limit=100000)
        assert {r["id"] for r in rows} == _truth(conn, text) and total == len(rows)
        level2 = data.draw(st.sampled_from(["数量指标", "'; DROP TABLE canonical; --", "%"]))
        total2, rows2 = search(conn, text, limit=100000, level2=level2)
        assert {r["id"] for r in rows2} <= {r["id"] for r in rows}
    finally:
        conn.close()


def test_search_text_with_nul_is_answered(db):
    conn = sqlite3.connect(db)
    try:
        total, rows = search(conn, "满意\x00度", limit=100000)
        assert {r["id"] for r in rows} == _truth(conn, "满意\x00度")
    finally:
        conn.close()


# --- a hostile filing in and out ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "恶意申报表.json"
    record = {"name": PROJECT, "department": DEPARTMENT, "year": 2024, "budget": 80,
              "description": "=1+1 开展夜间无人机巡检，发现安全隐患；'; DROP TABLE indicators; --",
              "indicators": [{"level1": a, "level2": b, "name": n, "value": v, "basis": "=cmd|' /C calc'!A0"}
                             for a, b, n, v in INDICATORS]}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ingested(db, hostile_file) -> Path:
    before = _counts(db)
    out = run_cli("ingest", str(hostile_file), "--db", str(db))
    assert out.returncode == 0, out.stderr
    after = _counts(db)
    assert after["filings"] == before["filings"] + 1
    assert after["indicators"] == before["indicators"] + len(INDICATORS)
    return db


@pytest.mark.slow
def test_hostile_names_are_stored_and_found_verbatim(ingested):
    out = run_cli("catalogue", "export", "--db", str(ingested))
    assert out.returncode == 0, out.stderr
    (rec,) = [json.loads(line) for line in out.stdout.splitlines() if json.loads(line)["name"] == PROJECT]
    assert rec["department"] == DEPARTMENT
    assert {i["name"] for i in rec["indicators"]} == {n.strip() for _, _, n, _ in INDICATORS}
    for _, _, name, _ in INDICATORS:
        found = run_cli("catalogue", "search", "--db", str(ingested), "--format", "json", "--", name.strip())
        assert found.returncode == 0, found.stderr
        spellings = {r["matched"] for r in json.loads(found.stdout)["indicators"]} | \
                    {r["name"] for r in json.loads(found.stdout)["indicators"]}
        assert name.strip() in spellings, (name, spellings)
    _counts(ingested)


def _xlsx_is_formula_safe(path: Path) -> list[str]:
    """No <f> element anywhere; every formula-looking text cell is a string with a quote prefix.
    Returns the formula-looking texts seen."""
    with zipfile.ZipFile(path) as zf:
        for n in zf.namelist():
            if n.startswith("xl/worksheets/"):
                body = zf.read(n)
                assert b"<f>" not in body and b"<f " not in body, (path, n)
    seen = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (path, cell.coordinate, cell.value)
                    seen.append(cell.value)
    return seen


def _csv_is_formula_safe(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    for row in rows:
        for field in row:
            assert not is_formula_like(field), (path, field)
    return rows


def _inside(folder: Path, root: Path, inputs: set[Path]) -> None:
    """Every file under root is an input or lies inside folder."""
    for p in root.rglob("*"):
        if p.is_file() and p not in inputs:
            assert p.resolve().is_relative_to(folder.resolve()), p


@pytest.mark.slow
def test_batch_carries_hostile_text_into_safe_files(ingested, hostile_file, tmp_path):
    outdir = tmp_path / "out"
    out = run_cli("batch", str(hostile_file), "--year", "2025", "-o", str(outdir), "--db", str(ingested))
    assert out.returncode in (0, 2), out.stderr
    assert "Traceback" not in out.stderr
    drafts = [p for p in outdir.iterdir() if p.suffix == ".xlsx" and not p.name.startswith("汇总")]
    assert len(drafts) == 1
    seen = _xlsx_is_formula_safe(drafts[0])
    assert PROJECT in seen and any(n.strip() in s for s in seen for _, _, n, _ in INDICATORS)
    _xlsx_is_formula_safe(outdir / "汇总.xlsx")
    assert any(PROJECT in field for row in _csv_is_formula_safe(outdir / "汇总.csv") for field in row)
    _inside(outdir, tmp_path, set())


@pytest.mark.slow
def test_suggest_for_a_hostile_project_writes_safe_spreadsheets(ingested, tmp_path):
    for fmt in ("xlsx", "csv"):
        target = tmp_path / f"draft.{fmt}"
        out = run_cli("suggest", PROJECT, "--desc", "开展夜间无人机巡检，发现安全隐患", "--dept", DEPARTMENT,
                      "--budget", "80", "--year", "2025", "--db", str(ingested), "--format", fmt, "-o", str(target))
        assert out.returncode == 0, out.stderr
        if fmt == "xlsx":
            assert {PROJECT, DEPARTMENT} <= set(_xlsx_is_formula_safe(target))
        else:
            assert any(PROJECT in f for row in _csv_is_formula_safe(target) for f in row)
    _inside(tmp_path, tmp_path, set())


@pytest.mark.slow
def test_suggest_from_a_list_of_hostile_names_stays_in_outdir(ingested, tmp_path):
    listing = tmp_path / "list" / "项目清单.csv"
    listing.parent.mkdir()
    with open(listing, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "description", "budget", "year", "department"])
        for n in LIST_NAMES:
            w.writerow([n, "开展夜间无人机巡检", "50", "2025", DEPARTMENT])
    outdir = tmp_path / "out"
    out = run_cli("suggest", "--from", str(listing), "-o", str(outdir) + "/", "--format", "xlsx",
                  "--db", str(ingested))
    assert out.returncode == 0, out.stderr
    files = sorted(outdir.iterdir())
    assert len(files) == len(LIST_NAMES)                         # one each, the repeated name too
    assert len({p.name.casefold() for p in files}) == len(files)
    _inside(outdir, tmp_path, {listing})
    from jixiao.corpus.parse import parse_file

    read_back = sorted(f.name for p in files for f in parse_file(p))
    assert read_back == sorted(LIST_NAMES)                      # each draft still names its project
    for p in files:
        assert p.parent == outdir and not p.name.startswith(".")
        _xlsx_is_formula_safe(p)
