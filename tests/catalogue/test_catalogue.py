"""The catalogue on real SQLite files: the default catalogue built on first use, stats, export,
search, show, canonical indicators, the common-indicator library, feedback, bad files."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from jixiao.catalogue.browse import search, search_library
from jixiao.catalogue.library import library_rows
from jixiao.catalogue.query import CatalogueReader
from jixiao.catalogue.ready import ensure_ready
from jixiao.catalogue.store import CatalogueError, ingest_files, open_catalogue, record_feedback
from conftest import ROOT, run_cli
from jixiao.corpus.parse import parse_file, shipped_seed_files
from test_tags import HAND_TAGS


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A user data folder whose default catalogue is built by the first command that needs it."""
    return tmp_path_factory.mktemp("home")


def _env(home) -> dict:
    return {"XDG_DATA_HOME": str(home), "JIXIAO_DB": ""}


@pytest.fixture(scope="module")
def exported(home):
    out = run_cli("catalogue", "export", env=_env(home))
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    path = tmp_path_factory.mktemp("pristine") / "catalogue.db"
    open_catalogue(path).close()
    return path


@pytest.fixture
def db(pristine, tmp_path):
    """A private copy of a freshly built default catalogue."""
    path = tmp_path / "catalogue.db"
    shutil.copyfile(pristine, path)
    return path


def _write_jsonl(path, filings):
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in filings), encoding="utf-8")
    return path


def _filing(name, indicators, **facts):
    return {"name": name, "year": 2025, "budget": 20, "description": "", **facts,
            "indicators": [{"level2": l2, "name": n, "value": v} for l2, n, v in indicators]}


# -- the default catalogue -------------------------------------------------------------------------
@pytest.mark.slow
def test_first_use_builds_the_default_catalogue_in_the_data_folder(home, exported):
    assert (home / "jixiao" / "catalogue.db").is_file()
    assert not [p for p in (home / "jixiao").iterdir() if p.name.endswith(".tmp")]


def test_export_gives_the_20_seed_projects_with_hand_checked_tags(exported):
    projects = [f for f in exported if f["kind"] == "project"]
    assert len(projects) == 20 and len(exported) == 22
    assert all(f["tags"] for f in exported)
    assert {f["name"]: f["tags"] for f in projects} == HAND_TAGS


def test_export_is_the_parse_json_plus_tags(exported):
    reference = [f.model_dump(mode="json") for p in shipped_seed_files() for f in parse_file(p)]
    assert [{k: v for k, v in f.items() if k != "tags"} for f in exported] == reference


@pytest.mark.slow
def test_stats_agree_with_export(home, exported):
    out = run_cli("catalogue", "stats", "--format", "json", env=_env(home))
    assert out.returncode == 0, out.stderr
    st = json.loads(out.stdout)
    assert st["filings"] == len(exported)
    assert st["project_filings"] == sum(f["kind"] == "project" for f in exported) == 20
    assert st["department_filings"] == 2
    assert st["indicators"] == sum(len(f["indicators"]) for f in exported)
    by_type = {}
    for f in exported:
        for t in f["tags"]:
            by_type[t] = by_type.get(t, 0) + 1
    assert {r["tag"]: r["filings"] for r in st["by_type"]} == by_type
    assert sum(r["primary"] for r in st["by_type"]) == len(exported)
    by_l2 = {}
    for f in exported:
        for i in f["indicators"]:
            by_l2[i["level2"]] = by_l2.get(i["level2"], 0) + 1
    assert {r["level2"]: r["indicators"] for r in st["by_level2"]} == by_l2
    assert st["library"] == len(library_rows())
    assert 0 < st["canonical"] < st["indicators"]
    table = run_cli("catalogue", "stats", env=_env(home))
    assert table.returncode == 0 and "申报表 22 张" in table.stdout and "按行业" in table.stdout


@pytest.mark.slow
def test_export_round_trips_through_parse_and_adds_nothing(db, tmp_path):
    target = tmp_path / "导出.jsonl"
    out = run_cli("catalogue", "export", "--format", "jsonl", "-o", str(target), "--db", str(db))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    again = [f.model_dump(mode="json") for f in parse_file(target)]
    assert again == [{k: v for k, v in f.items() if k != "tags"} for f in lines]
    report = ingest_files(db, [target])
    assert (report.added, report.duplicates, report.failed) == (0, 22, [])


# -- search and show -------------------------------------------------------------------------------
def _search(db, text, level2=None, limit=30):
    """What `catalogue search --format json` prints, from the library functions it calls."""
    conn = sqlite3.connect(db)
    try:
        total, rows = search(conn, text, limit=limit, level2=level2)
        return {"total": total, "indicators": rows, "library": search_library(conn, text, level2=level2)}
    finally:
        conn.close()


@pytest.mark.slow
def test_search_finds_two_character_and_longer_substrings(db, tmp_path):
    out = run_cli("catalogue", "search", "热线", "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    hotline = json.loads(out.stdout)
    assert hotline == {"query": "热线", **_search(db, "热线")}
    names = {r["matched"] for r in hotline["indicators"]}
    assert {"12345热线", "群众对12345热线服务的满意度", "群众对热线知晓率"} <= names
    assert hotline["total"] == len(hotline["indicators"]) >= 5
    assert all("热线" in r["matched"] for r in hotline["indicators"])
    assert any(r["name"] == "热线接通率" for r in hotline["library"])
    assert [r["matched"] for r in _search(db, "按时办结率")["indicators"]] == ["群众诉求按时办结率"]
    assert {r["matched"] for r in _search(db, "12345 热线")["indicators"]} <= names
    # 租金: only the library has it until a filing with such an indicator is ingested
    assert _search(db, "租金")["indicators"] == []
    library = {r["name"] for r in _search(db, "租金")["library"]}
    assert {"年度租金", "租金按合同约定及时足额支付率"} <= library and all("租金" in n for n in library)
    ingest_files(db, [_write_jsonl(tmp_path / "rent.jsonl", [_filing(
        "办公用房租金", [("成本指标", "年度租金", "≤20万元"), ("时效指标", "租金支付及时率", "=100%")])])])
    rent = _search(db, "租金")
    assert {r["matched"] for r in rent["indicators"]} == {"年度租金", "租金支付及时率"}
    assert [r["matched"] for r in _search(db, "租金", level2="成本指标")["indicators"]] == ["年度租金"]
    by_short = run_cli("catalogue", "search", "租金", "--level2", "成本", "--db", str(db), "--format", "json")
    assert [r["matched"] for r in json.loads(by_short.stdout)["indicators"]] == ["年度租金"]
    assert [r["matched"] for r in _search(db, "租金支付")["indicators"]] == ["租金支付及时率"]


@pytest.mark.slow
def test_search_text_is_only_data(db):
    for text in ['"; DROP TABLE canonical; --', "热线 OR 满意", "NEAR(热线", "%", "_", "*"]:
        assert _search(db, text)["indicators"] == []
    assert _search(db, "满意度")["total"] > 5            # the catalogue is intact
    limited = _search(db, "满意", limit=2)
    assert len(limited["indicators"]) == 2 and limited["total"] > 2
    table = run_cli("catalogue", "search", "热线", "--db", str(db))
    assert table.returncode == 0 and "群众对热线知晓率" in table.stdout


@pytest.mark.slow
def test_show_a_canonical_indicator_with_values_tags_and_filings(db):
    conn = sqlite3.connect(db)
    cid, code = conn.execute("SELECT id, code FROM canonical WHERE name = '社会公众综合满意度'").fetchone()
    conn.close()
    out = run_cli("catalogue", "show", code.lower(), "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["id"] == cid and d["usage"] == 5 and d["typical_value"] == "100%"
    assert d["values"] == [{"value": "100%", "count": 5}]
    assert (d["num_min"], d["num_max"], d["unit"]) == (100.0, 100.0, "%")
    # the five 2019 filings of seed 001: four upkeep projects (one also 公安司法 and 政务服务), a hotline
    assert {t["tag"]: t["filings"] for t in d["tags"]} == {"运维": 4, "热线": 1, "公安司法": 1, "政务服务": 1}
    assert {f["name"] for f in d["filings"]} == {"综治平台运行维护", "互联网+监督平台运行维护", "政务公开平台运行专项",
                                                "机房维护费", "区长热线工作经费"}
    text = run_cli("catalogue", "show", str(cid), "--db", str(db))
    assert text.returncode == 0 and code in text.stdout and "机房维护费" in text.stdout
    lib = run_cli("catalogue", "show", "GX-ZL-0401", "--db", str(db))
    assert lib.returncode == 0 and "年度租金" in lib.stdout and "≤{budget}万元" in lib.stdout
    missing = run_cli("catalogue", "show", "XX-99-9999", "--db", str(db))
    assert missing.returncode == 2 and "XX-99-9999" in missing.stderr and "Traceback" not in missing.stderr


# -- canonical indicators ----------------------------------------------------------------------------
def _canonical_of(conn, name):
    return conn.execute("SELECT canonical_id FROM indicators WHERE name = ?", (name,)).fetchone()[0]


def test_near_identical_names_share_a_canonical_indicator(db):
    conn = sqlite3.connect(db)
    # punctuation and an extra word: 政务服务“好差评”评价满意率 ~ 政务服务好差评满意率
    assert _canonical_of(conn, "政务服务“好差评”评价满意率") == _canonical_of(conn, "政务服务好差评满意率")
    # different measures stay apart
    assert _canonical_of(conn, "群众诉求按时办结率") != _canonical_of(conn, "群众诉求满意率")
    # the same name in two 二级 categories is two canonical indicators
    rows = conn.execute("SELECT DISTINCT level2, canonical_id FROM indicators WHERE name = '进驻窗口单位'").fetchall()
    assert len(rows) == 2 and len({c for _, c in rows}) == 2
    n_canon = conn.execute("SELECT COUNT(*) FROM canonical").fetchone()[0]
    n_names = conn.execute("SELECT COUNT(DISTINCT level2 || '|' || name) FROM indicators").fetchone()[0]
    assert n_canon < n_names
    conn.close()


def test_new_filings_attach_to_existing_canonical_indicators(db, tmp_path):
    conn = sqlite3.connect(db)
    cid = _canonical_of(conn, "群众对12345热线服务的满意度")
    before = conn.execute("SELECT code, usage, name FROM canonical WHERE id = ?", (cid,)).fetchone()
    codes = dict(conn.execute("SELECT id, code FROM canonical"))
    conn.close()
    new = [
        _filing("12345热线运营经费", [("服务对象满意度指标", "群众对12345热线服务满意度", "≥98%"),
                                     ("质量指标", "热线接通率", "≥98%")]),
        _filing("市长热线工作经费", [("服务对象满意度指标", "群众对 12345 热线服务的满意度（%）", "≥97%")], year=2024),
    ]
    report = ingest_files(db, [_write_jsonl(tmp_path / "hotline.jsonl", new)])
    assert (report.added, report.indicators_added, report.canonical_added) == (2, 3, 1)
    conn = sqlite3.connect(db)
    assert _canonical_of(conn, "群众对12345热线服务满意度") == cid
    assert _canonical_of(conn, "群众对 12345 热线服务的满意度（%）") == cid
    code, usage, name = conn.execute("SELECT code, usage, name FROM canonical WHERE id = ?", (cid,)).fetchone()
    assert code == before[0] and usage == before[1] + 2
    assert (conn.execute("SELECT num_min, num_max FROM canonical WHERE id = ?", (cid,)).fetchone()) == (97.0, 99.0)
    tags = json.loads(conn.execute("SELECT tags FROM canonical WHERE id = ?", (cid,)).fetchone()[0])
    assert tags[0] == "热线"
    assert {k: v for k, v in conn.execute("SELECT id, code FROM canonical") if k in codes} == codes
    new_code = conn.execute("SELECT c.code FROM canonical c JOIN indicators i ON i.canonical_id = c.id "
                            "WHERE i.name = '热线接通率'").fetchone()[0]
    assert new_code.startswith("RX-02-")
    conn.close()


def test_typical_value_is_the_most_common_value(db):
    conn = sqlite3.connect(db)
    cid = _canonical_of(conn, "控制在预算内")
    values = dict(conn.execute("SELECT value, COUNT(*) FROM indicators WHERE canonical_id = ? GROUP BY value", (cid,)))
    typical, lo, hi, unit = conn.execute(
        "SELECT typical_value, num_min, num_max, unit FROM canonical WHERE id = ?", (cid,)).fetchone()
    assert values[typical] == max(values.values())
    assert unit == "万元" and lo == 13.0 and hi == 52.0
    conn.close()


# -- library and the engine's read path -----------------------------------------------------------
def test_library_is_stored_with_templates(db):
    reader = CatalogueReader(db)
    try:
        rows = reader.library(["租赁"])
        assert {r.type for r in rows} == {"租赁", "通用"}
        rent = {r.name: r for r in rows}["年度租金"]
        assert rent._asdict() == {"type": "租赁", "level2": "成本指标", "name": "年度租金", "value": "≤{budget}万元",
                        "basis": "计划标准", "code": "GX-ZL-0401", "unit": "万元", "direction": "lower",
                        "requires": "[]"}
        assert any("{year}" in r.value for r in rows) and any("{N}" in r.value for r in rows)
        every = {r["type"] for r in library_rows()}
        assert len(reader.library(every)) == len(library_rows())
    finally:
        reader.close()


def test_engine_reader_sees_the_catalogue_and_new_revisions(db, tmp_path):
    reader = CatalogueReader(db)
    rows = list(reader.filing_texts())
    assert len(rows) == 20 == reader.count_filing_texts() and all(text for _, text in rows)
    assert [fid for fid, _ in rows] == sorted(fid for fid, _ in rows)
    cids, names = reader.canonical_texts()
    info = reader.canonicals(cids[:5])
    assert all(isinstance(v.tags, list) and v.tags for v in info.values())
    rev = reader.revision()
    reader.close()
    ingest_files(db, [_write_jsonl(tmp_path / "one.jsonl", [_filing("干部培训经费", [("数量指标", "培训人次", "300人次")])])])
    reader = CatalogueReader(db)
    assert reader.revision() != rev
    ingest_files(db, [tmp_path / "one.jsonl"])
    assert CatalogueReader(db).revision() == reader.revision()     # nothing new, no new revision
    reader.close()


def test_record_feedback(db):
    rev = CatalogueReader(db).revision()
    n = record_feedback(db, [("群众满意度", "满意度", "keep", "政务大厅租金"),
                             ("进驻窗口单位", "数量指标", "reject", "政务大厅租金"),
                             ("群众满意度", "服务对象满意度指标", "add", "政务大厅租金")])
    assert n == 3
    reader = CatalogueReader(db)
    assert reader.feedback() == {"群众满意度": 2.0, "进驻窗口单位": -1.0}
    assert reader.revision() == rev
    reader.close()
    conn = sqlite3.connect(db)
    assert {r[0] for r in conn.execute("SELECT level2 FROM feedback")} == {"服务对象满意度指标", "数量指标"}
    conn.close()
    with pytest.raises(ValueError):
        record_feedback(db, [("群众满意度", "满意度", "like", "x")])


# -- files that are not catalogues, and upgrades ----------------------------------------------------
@pytest.mark.slow
def test_bad_catalogue_files_get_one_chinese_line(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库" * 200, encoding="utf-8")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    for bad in (text, other, tmp_path):
        out = run_cli("catalogue", "stats", "--db", str(bad))
        assert out.returncode == 2, out.stdout
        assert str(bad) in out.stderr and "Traceback" not in out.stderr
        with pytest.raises(CatalogueError):
            open_catalogue(bad)
    assert sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_an_empty_file_becomes_a_catalogue(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    db = open_catalogue(empty)
    assert db.conn.execute("SELECT COUNT(*) FROM filings").fetchone()[0] == 22
    db.close()


def test_changed_rules_and_library_are_applied_on_open(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = 'old' WHERE key IN ('tags_version', 'library_version')")
    conn.execute("DELETE FROM filing_tags")
    conn.execute("UPDATE canonical SET tags = '[]'")
    conn.execute("DELETE FROM library")
    conn.commit()
    rev = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
    conn.close()
    open_catalogue(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM library").fetchone()[0] == len(library_rows())
    tags = dict(conn.execute("SELECT f.name, ft.tag FROM filing_tags ft JOIN filings f ON f.id = ft.filing_id "
                             "WHERE ft.rank = 0 AND f.kind = 'project'"))
    assert tags == {name: t[0] for name, t in HAND_TAGS.items()}
    assert conn.execute("SELECT COUNT(*) FROM canonical WHERE tags = '[]'").fetchone()[0] == 0
    assert conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0] != rev
    conn.close()


def test_search_function_short_and_long_queries(db):
    conn = sqlite3.connect(db)
    total, rows = search(conn, "热线")
    assert total == len(rows) and all("热线" in r["matched"] for r in rows)
    assert search(conn, "")[0] == 0
    assert search(conn, "满意度", limit=1)[0] > 1
    conn.close()


def test_reader_usage_queries_match_the_indicator_rows(db):
    """popular() and canonicals_only_in() read canonical.usage; it must equal the distinct
    filings in the indicator rows, with and without filings held out."""
    reader = CatalogueReader(db)
    conn = reader.conn
    try:
        filings = [i for (i,) in conn.execute("SELECT id FROM filings ORDER BY id")]
        for held_out in ({filings[0]}, set(filings[5:8]), set()):
            marks = ",".join("?" * len(held_out))
            counts = {}
            for cid, level2, n in conn.execute(
                    f"SELECT c.id, c.level2, COUNT(DISTINCT i.filing_id) FROM indicators i JOIN canonical c "
                    f"ON c.id = i.canonical_id WHERE i.filing_id NOT IN ({marks}) GROUP BY c.id", list(held_out)):
                counts.setdefault(level2, []).append((-n, cid))
            for level2, ranked in counts.items():
                expected = [(cid, -neg) for neg, cid in sorted(ranked)[:4]]
                assert [(r.id, r.n) for r in reader.popular(level2, 4, held_out)] == expected
            everything = [c for (c,) in conn.execute("SELECT id FROM canonical")]
            used_outside = {c for level2 in counts.values() for _, c in level2}
            assert reader.canonicals_only_in(everything, held_out) == set(everything) - used_outside
    finally:
        reader.close()


def test_ensure_ready_builds_updates_and_otherwise_only_reads(db, tmp_path):
    fresh = tmp_path / "新" / "catalogue.db"
    assert ensure_ready(fresh) == fresh and fresh.is_file()
    probe = ("import sys; from jixiao.catalogue.ready import ensure_ready; ensure_ready(sys.argv[1]); "
             "print('jixiao.catalogue.store' in sys.modules, 'sqlite_utils' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["False", "False"], out.stderr
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = 'old' WHERE key = 'library_version'")
    conn.execute("DELETE FROM library")
    conn.commit()
    conn.close()
    ensure_ready(db)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM library").fetchone()[0] == len(library_rows())
    conn.close()
