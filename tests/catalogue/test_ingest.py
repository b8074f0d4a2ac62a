"""`jixiao ingest` on real files: dedupe by content (same file twice, a .docx/.xlsx copy of a
seed), bad files reported while the good ones go in, whole filings per transaction."""
from __future__ import annotations

import json
import sqlite3

import docx
import openpyxl
import pytest

from jixiao.catalogue.fingerprint import filing_hash
from jixiao.catalogue.store import ingest_files
from conftest import SEEDS, run_cli, seed
from jixiao.corpus.parse import parse_file
from jixiao.corpus.readers.dispatch import read_document


def _counts(db):
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT COUNT(*) FROM filings").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM indicators").fetchone()[0])
    finally:
        conn.close()


def _whole_filings(db) -> bool:
    conn = sqlite3.connect(db)
    try:
        bad = conn.execute(
            "SELECT COUNT(*) FROM filings f WHERE f.n_indicators != "
            "(SELECT COUNT(*) FROM indicators i WHERE i.filing_id = f.id)").fetchone()[0]
        return bad == 0
    finally:
        conn.close()


def write_office_copies(source, folder):
    """The grid a seed reads as, written into a .docx (tables with their title paragraphs) and an
    .xlsx (one sheet per table, title rows first): the same filings in two other formats."""
    doc = read_document(source)
    d = docx.Document()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in doc.tables:
        for line in t.title:
            d.add_paragraph(line)
        cols = max((len(r) for r in t.rows), default=1)
        table = d.add_table(rows=len(t.rows), cols=cols)
        for row, cells in zip(t.rows, table.rows):
            for text, cell in zip(row, cells.cells):
                first, *rest = text.split("\n")
                cell.paragraphs[0].text = first
                for line in rest:
                    cell.add_paragraph(line)
        ws = wb.create_sheet(f"表{t.index + 1}")
        for line in t.title:
            ws.append([line])
        for row in t.rows:
            ws.append(row)
    d.save(folder / f"{source.stem}.docx")
    wb.save(folder / f"{source.stem}.xlsx")
    return folder / f"{source.stem}.docx", folder / f"{source.stem}.xlsx"


@pytest.mark.slow
def test_ingesting_the_same_files_twice_adds_nothing(tmp_path):
    db = tmp_path / "own.db"
    first = run_cli("ingest", *map(str, SEEDS), "--db", str(db), "--no-seeds")
    assert first.returncode == 0, first.stderr
    assert "新增申报表 22 张" in first.stdout and "指标 225 个" in first.stdout
    assert _counts(db) == (22, 225)
    again = run_cli("ingest", str(SEEDS[0].parent), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert "新增申报表 0 张" in again.stdout and "重复跳过 22 张" in again.stdout and "此前已读过" in again.stdout
    # the same filings in a file with other bytes (GB18030, CRLF, renamed): found by content
    copy = tmp_path / "副本" / "旧表.txt"
    copy.parent.mkdir()
    text = seed("002").read_text(encoding="utf-8")
    copy.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    third = ingest_files(db, [copy.parent])
    assert (third.files, third.files_skipped, third.added, third.duplicates) == (1, 0, 0, 7)
    assert _counts(db) == (22, 225)


@pytest.mark.slow
def test_a_docx_or_xlsx_copy_of_a_seed_filing_is_a_duplicate(tmp_path):
    docx_path, xlsx_path = write_office_copies(seed("002"), tmp_path)
    reference = {filing_hash(f) for f in parse_file(seed("002"))}
    assert len(reference) == 7
    for copy in (docx_path, xlsx_path):
        assert {filing_hash(f) for f in parse_file(copy)} == reference
    db = tmp_path / "catalogue.db"                       # a default catalogue: the seeds are in it
    out = run_cli("ingest", str(docx_path), str(xlsx_path), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "新增申报表 0 张" in out.stdout and "重复跳过 14 张" in out.stdout
    assert _counts(db)[0] == 22


@pytest.mark.slow
def test_bad_files_are_listed_and_the_good_ones_still_go_in(tmp_path):
    folder = tmp_path / "往年"
    folder.mkdir()
    (folder / "坏文件.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "空表.docx").write_bytes(b"")
    good = [{"name": "政务服务宣传册印制", "year": 2024, "budget": 2, "description": "印制办事指南",
             "indicators": [{"level2": "数量指标", "name": "印制办事指南", "value": "3000册"},
                            {"level2": "成本指标", "name": "印制费用", "value": "≤2万元"}]}]
    (folder / "好.jsonl").write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in good),
                                    encoding="utf-8")
    db = tmp_path / "c.db"
    out = run_cli("ingest", str(folder), str(tmp_path / "不存在.xlsx"), "--db", str(db))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    for name in ("坏文件.txt", "空表.docx", "不存在.xlsx"):
        assert any(name in line for line in out.stderr.splitlines()), out.stderr
    assert "3 个文件未能读取" in out.stderr
    assert "新增申报表 1 张" in out.stdout
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT f.name, ft.tag FROM filings f JOIN filing_tags ft ON ft.filing_id = f.id "
                       "WHERE f.name = '政务服务宣传册印制'").fetchone()
    assert row == ("政务服务宣传册印制", "宣传印刷")
    conn.close()


def test_a_folder_without_filings_is_an_error(tmp_path):
    (tmp_path / "空").mkdir()
    (tmp_path / "空" / "说明.pdf").write_bytes(b"%PDF-1.4")
    out = run_cli("ingest", str(tmp_path / "空"), "--db", str(tmp_path / "c.db"))
    assert out.returncode == 2 and "没有找到可读取的绩效目标表文件" in out.stderr


def test_small_batches_keep_filings_whole(tmp_path):
    db = tmp_path / "c.db"
    seen = []
    report = ingest_files(db, SEEDS, bootstrap=False, batch_size=1, progress=lambda r: seen.append(r.added))
    assert report.added == 22 and report.failed == []
    assert seen == sorted(seen) and len(seen) >= 22          # one transaction per filing
    assert _whole_filings(db)
    conn = sqlite3.connect(db)
    changes = int(conn.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()[0])
    assert changes >= 22                                     # every transaction bumped the revision
    positions = conn.execute("SELECT filing_id, GROUP_CONCAT(position) FROM indicators GROUP BY filing_id "
                             "ORDER BY filing_id").fetchall()
    assert all(p == ",".join(map(str, range(len(p.split(","))))) for _, p in positions)
    conn.close()


def test_ingest_without_seeds_and_with_them(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"name": "干部培训经费", "year": 2025, "budget": 5, "indicators": [
        {"level2": "数量指标", "name": "培训人次", "value": "300人次"}]}, ensure_ascii=False), encoding="utf-8")
    bare = ingest_files(tmp_path / "bare.db", [one], bootstrap=False)
    full = ingest_files(tmp_path / "full.db", [one])
    assert bare.added == full.added == 1
    assert _counts(tmp_path / "bare.db")[0] == 1 and _counts(tmp_path / "full.db")[0] == 23


def _content(db) -> list:
    """Everything an ingest decides, in id order (times of day left out)."""
    conn = sqlite3.connect(db)
    try:
        return [conn.execute(f"SELECT {cols} FROM {table} ORDER BY 1").fetchall() for table, cols in (
            ("filings", "id, content_hash, name, year, budget, n_indicators, primary_tag, src_file"),
            ("indicators", "id, filing_id, position, level2, name, value, basis, canonical_id"),
            ("canonical", "id, code, key, name, usage, typical_value, tags, top_values"),
            ("canonical_names", "id, canonical_id, name, n"),
            ("sources", "sha256, path, filings"))]
    finally:
        conn.close()


@pytest.mark.slow
def test_reading_workers_store_exactly_what_one_process_stores(tmp_path):
    """Files are read by a worker process while the catalogue is written (JIXIAO_JOBS=2): the same
    rows, ids and codes as reading them here, the same report of a damaged file, and a file whose
    bytes repeat another's is skipped either way."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, path in enumerate(SEEDS):
        (folder / f"{i}_{path.name}").write_bytes(path.read_bytes())
    (folder / "9_again.txt").write_bytes(SEEDS[1].read_bytes())
    (folder / "5_damaged.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "6_list.jsonl").write_text("\n".join(
        json.dumps({**f.model_dump(mode="json", exclude={"source"}), "name": f"{f.name}（副本{k}）"},
                   ensure_ascii=False) for k, f in enumerate(parse_file(SEEDS[2]))), encoding="utf-8")
    results = {}
    for jobs in ("1", "2"):
        db = tmp_path / f"jobs{jobs}.db"
        out = run_cli("ingest", str(folder), "--db", str(db), "--no-seeds", env={"JIXIAO_JOBS": jobs})
        assert out.returncode == 2 and "5_damaged.xlsx" in out.stderr and "Traceback" not in out.stderr
        assert "其中 1 个此前已读过" in out.stdout          # 9_again.txt: the bytes of 1_…
        results[jobs] = (_content(db), out.stdout.splitlines()[0])
    assert results["1"] == results["2"]
    content, first_line = results["2"]
    assert len(content[0]) == 20 + 2 + 7 and "读取文件 8 个" in first_line
