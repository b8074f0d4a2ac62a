"""Issue 17, hostile inputs: every reader spends within the resource budget (corpus/limits.py)
and one bad filing never costs a run.  Each test builds its own hostile file and runs the real
command line under a 300 MB address-space cap (capped.run_capped): the file is refused with one
Chinese line naming it (exit 2), or read with the good filings kept (exit 0 / 1).

Items of the issue: 1 merged-cell bombs, 2 lone surrogates in JSON, 3 giant numbers, 5 shared
strings, 6 docx spans, 12 numbers that are not finite, 14 messages (long runs, odd file names).
"""
from __future__ import annotations

import json
import os
import random
import resource
import sqlite3

import pytest

from jixiao.corpus.limits import budget, defaults

from .capped import ROOT, line_about, run_capped
from .hostile import (
    docx_with, formatting_ref, grid_span, hyperlink_ref, long_run, merge_refs, raw_json, seed_record,
    shared_strings_xlsx, with_values, xlsx_with,
)

pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs POSIX rlimits")


def _names(out) -> list[str]:
    return [f["name"] for f in json.loads(out.stdout)]


def _strict(text: str):
    """json.loads that refuses NaN / Infinity: what any other program reading our JSON expects."""
    def no(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=no)


@pytest.fixture(scope="module")
def base_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("base") / "form.xlsx"
    xlsx_with(path)
    out = run_capped("parse", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    return path, json.loads(out.stdout)


def _same_filings(a: list[dict], b: list[dict]) -> None:
    strip = lambda fs: [{k: v for k, v in f.items() if k != "source"} | {
        "indicators": [{k: v for k, v in i.items() if k != "source"} for i in f["indicators"]]} for f in fs]
    assert strip(a) == strip(b)


# --- 1. merged-cell bombs --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("ref", ["A30:XFD1048576", "A1000:XFD1048576", "XFD1048576:XFD1048576"])
def test_a_merge_beyond_the_data_is_clipped_and_the_form_read(tmp_path, base_xlsx, ref):
    """A 6 KB workbook with one merge of 17 billion cells below its form: the merge is clipped
    to the sheet's data (nothing lies there), so the form reads exactly as without it."""
    path = xlsx_with(tmp_path / "bomb.xlsx", merge_refs([ref]))
    assert path.stat().st_size < 20_000
    out = run_capped("parse", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    _same_filings(json.loads(out.stdout), base_xlsx[1])


@pytest.mark.slow
def test_a_merge_over_the_whole_form_leaves_nothing_to_read(tmp_path):
    """A1:Z200000 covers every cell but A1: Excel shows only A1, and so do we — quickly."""
    path = xlsx_with(tmp_path / "cover.xlsx", merge_refs(["A1:Z200000"]))
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, path.name, "没有找到绩效指标表")


@pytest.mark.slow
def test_merges_stacked_over_the_data_count_against_the_cell_budget(tmp_path):
    """Thousands of merges each covering the whole form: their clipped areas add up past the cell
    budget and the file is refused, naming the limit — not expanded cell by cell."""
    copies = budget().cells // 150 + 10
    path = xlsx_with(tmp_path / "stacked.xlsx", merge_refs(["A1:XFD1048576"] * copies))
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, path.name, "合并单元格", str(budget().cells))


@pytest.mark.slow
@pytest.mark.parametrize("edit", [hyperlink_ref("A1:XFD1048576"), formatting_ref("A1:XFD1048576")],
                         ids=["hyperlink", "conditional-format"])
def test_ranges_that_only_format_are_not_expanded(tmp_path, base_xlsx, edit):
    path = xlsx_with(tmp_path / "ranges.xlsx", edit)
    out = run_capped("parse", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    _same_filings(json.loads(out.stdout), base_xlsx[1])


@pytest.mark.slow
def test_a_merge_bomb_does_not_stall_an_ingest(tmp_path, shared_db_copy):
    good = tmp_path / "in" / "good.json"
    good.parent.mkdir()
    good.write_text(json.dumps(with_values(seed_record(random.Random(3)), name="合并炸弹旁边的好文件"),
                               ensure_ascii=False), encoding="utf-8")
    xlsx_with(tmp_path / "in" / "bomb.xlsx", merge_refs(["A30:XFD1048576", "A1:Z200000"]))
    out = run_capped("ingest", str(good.parent), "--db", str(shared_db_copy))
    assert out.returncode in (0, 2), out.stderr
    with sqlite3.connect(shared_db_copy) as conn:
        assert conn.execute("SELECT count(*) FROM filings WHERE name = '合并炸弹旁边的好文件'").fetchone()[0] == 1


# --- 2. lone surrogates in JSON -----------------------------------------------------------------------

def _surrogate_files(folder):
    rec = seed_record(random.Random(5))
    rec["indicators"][0]["value"] = "SURROGATE_VALUE"
    one = folder / "surrogate.json"
    one.write_text(raw_json(with_values(rec, name="SURROGATE_NAME"),
                            SURROGATE_NAME='"代理\\ud800项目"', SURROGATE_VALUE='"\\udfff≥95%"'), encoding="utf-8")
    lines = folder / "surrogate.jsonl"
    lines.write_text(json.dumps(with_values(rec, name="第一行好项目"), ensure_ascii=False) + "\n"
                     + raw_json(with_values(rec, name="SURROGATE_NAME"), SURROGATE_NAME='"\\ud83d孤立"') + "\n",
                     encoding="utf-8")
    return one, lines


@pytest.mark.slow
def test_lone_surrogates_are_replaced_when_read(tmp_path):
    one, lines = _surrogate_files(tmp_path)
    out = run_capped("parse", str(one), str(lines), "--format", "json")
    assert out.returncode == 0, out.stderr
    names = _names(out)
    assert "代理\ufffd项目" in names and "\ufffd孤立" in names and "第一行好项目" in names
    assert out.stdout.encode("utf-8")                       # writable as UTF-8 from end to end
    assert run_capped("parse", str(one)).returncode == 0
    assert run_capped("lint", str(one), str(lines)).returncode in (0, 1)


@pytest.mark.slow
def test_ingest_stores_the_run_with_surrogate_files_in_it(tmp_path, shared_db_copy):
    folder = tmp_path / "in"
    folder.mkdir()
    _surrogate_files(folder)
    good = folder / "good.json"
    good.write_text(json.dumps(with_values(seed_record(random.Random(6)), name="同一批的好文件"),
                               ensure_ascii=False), encoding="utf-8")
    out = run_capped("ingest", str(folder), "--db", str(shared_db_copy))
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(shared_db_copy) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM filings")}
    assert {"同一批的好文件", "代理\ufffd项目", "\ufffd孤立", "第一行好项目"} <= names


@pytest.mark.slow
def test_batch_with_a_surrogate_file_writes_its_summary(tmp_path, shared_db_copy):
    folder = tmp_path / "in"
    folder.mkdir()
    _surrogate_files(folder)
    out = run_capped("batch", str(folder), "--year", "2025", "-o", str(tmp_path / "out"),
                     "--db", str(shared_db_copy), memory_mb=600)
    assert (tmp_path / "out" / "汇总.csv").is_file(), out.stderr
    with open(tmp_path / "out" / "汇总.csv", encoding="utf-8-sig") as fh:
        assert "代理\ufffd项目" in fh.read()


# --- 3. giant numbers ---------------------------------------------------------------------------------

GIANT = str(2 ** 63)


@pytest.mark.slow
@pytest.mark.parametrize("field, raw, fragment", [
    ("year", GIANT, "年度"), ("year", "1800", "年度"), ("budget", "1e400", "超出范围"),
    ("budget", "-5", "负数"), ("budget", "1" + "0" * 60, "数字过长"),
], ids=["year-2^63", "year-1800", "budget-1e400", "budget-negative", "budget-61-digits"])
def test_numbers_out_of_range_are_refused_at_the_model(tmp_path, field, raw, fragment):
    path = tmp_path / f"{field}.json"
    path.write_text(raw_json(with_values(seed_record(), **{field: "PLACEHOLDER"}), PLACEHOLDER=raw), encoding="utf-8")
    for command in (["parse", str(path)], ["lint", str(path)]):
        out = run_capped(*command)
        assert out.returncode == 2
        line_about(out, path.name, fragment)


@pytest.mark.slow
def test_a_giant_year_costs_only_its_own_filing_in_ingest(tmp_path, shared_db_copy):
    """Years ≥ 2^63 once crashed ingest with OverflowError and lost the whole run: now the bad
    record is listed, the other filings — in other files and in the same JSON Lines file — stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    rec = seed_record(random.Random(7))
    (folder / "a-good.json").write_text(json.dumps(with_values(rec, name="好文件甲"), ensure_ascii=False), encoding="utf-8")
    (folder / "b-giant.json").write_text(raw_json(with_values(rec, name="巨大年度", year="Y"), Y=GIANT), encoding="utf-8")
    (folder / "c-mixed.jsonl").write_text(
        json.dumps(with_values(rec, name="同文件的好记录"), ensure_ascii=False) + "\n"
        + raw_json(with_values(rec, name="同文件的坏记录", year="Y"), Y=GIANT) + "\n"
        + raw_json(with_values(rec, name="表格位置过大", source={"file": "x", "table": 0, "row": "R"}), R=GIANT) + "\n",
        encoding="utf-8")
    out = run_capped("ingest", str(folder), "--db", str(shared_db_copy))
    assert out.returncode == 2
    line_about(out, "b-giant.json", "年度")
    line_about(out, "c-mixed.jsonl", "其余 1 张申报表已读出")
    with sqlite3.connect(shared_db_copy) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM filings")}
    assert {"好文件甲", "同文件的好记录"} <= names
    assert not names & {"巨大年度", "同文件的坏记录", "表格位置过大"}


# --- 5. shared strings ------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_flood_of_shared_strings_is_refused_before_loading(tmp_path):
    n = budget().shared_strings + 1
    path = shared_strings_xlsx(tmp_path / "flood.xlsx", n)
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, path.name, "共享字符串过多", str(budget().shared_strings))


@pytest.mark.slow
def test_a_long_shared_string_repeated_in_many_cells_is_refused(tmp_path):
    """One 100,000-character string shown in 20,000 cells: 2 billion characters once every cell
    holds its copy — the workbook's character budget refuses it after a few thousand cells."""
    path = shared_strings_xlsx(tmp_path / "repeat.xlsx", 1, text=lambda i: "长文本" * 33_334, cells=20_000)
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, path.name, "文字过多")


# --- 6. docx spans -------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("where", ["gridSpan", "gridBefore", "gridAfter"])
def test_a_span_of_a_hundred_million_columns_is_refused_before_it_is_built(tmp_path, where):
    path = docx_with(tmp_path / f"{where}.docx", grid_span("100000000", where))
    assert path.stat().st_size < 100_000
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, path.name, "表格过大", str(budget().cells))


@pytest.mark.slow
@pytest.mark.parametrize("value", ["-3", "abc", "0", "2"])
def test_odd_but_small_spans_are_read(tmp_path, value):
    path = docx_with(tmp_path / "span.docx", grid_span(value))
    out = run_capped("parse", str(path))
    assert out.returncode in (0, 2)
    if out.returncode == 2:
        line_about(out, path.name)


# --- 12. numbers that are not numbers ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("raw", ["Infinity", "-Infinity", "NaN"])
def test_non_finite_budgets_are_refused_and_never_written(tmp_path, raw):
    path = tmp_path / "inf.json"
    path.write_text(raw_json(with_values(seed_record(), budget="B"), B=raw), encoding="utf-8")
    out = run_capped("parse", str(path), "--format", "json")
    assert out.returncode == 2 and out.stdout.strip() in ("", "[]")
    line_about(out, path.name, raw.lstrip("-"))


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--budget", "nan"], ["--budget", "inf"], ["--budget", "-inf"],
                                  ["--budget", "1e400"], ["--year", "99999"]])
def test_numbers_on_the_command_line_are_checked(shared_db_copy, args):
    out = run_capped("suggest", "政务服务热线运行维护", *args, "--format", "json", "--db", str(shared_db_copy))
    assert out.returncode == 2 and not out.stdout
    assert "≤nan" not in out.stderr and "参数" in out.stderr


def test_parse_json_output_is_standard_json(tmp_path):
    rec = with_values(seed_record(), budget=99_999_999.5, year=2100)
    rec["indicators"][0]["value"] = "≥1e308万元"
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    out = run_capped("parse", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    (f,) = _strict(out.stdout)
    assert f["budget"] == 99_999_999.5 and f["year"] == 2100


# --- 14. messages --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_ten_megabyte_text_run_is_called_too_long_not_damaged(tmp_path):
    path = docx_with(tmp_path / "run.docx", long_run(3_500_000, random.Random(1)))
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line = line_about(out, path.name, "过长")
    assert "损坏" not in line


@pytest.mark.slow
@pytest.mark.parametrize("name, shown", [("第一行\n第二行.json", "第一行\\n第二行.json"),
                                         (os.fsdecode(b"\xff\xfe\xe4.json"), "\\xff\\xfe\\xe4.json"),
                                         ("制表\t符.json", "制表\\t符.json")])
def test_an_odd_file_name_stays_on_one_line(tmp_path, name, shown):
    path = tmp_path / name
    path.write_text("{不是 JSON", encoding="utf-8")
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, shown, "JSON")


@pytest.mark.slow
def test_a_file_with_undecodable_bytes_in_its_name_is_stored(tmp_path, shared_db_copy):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / os.fsdecode(b"\xff\xfe\xe4.json")
    rec = with_values(seed_record(random.Random(9)), name="怪文件名里的表")
    rec.pop("source")                       # the filing's source is then this file
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    out = run_capped("ingest", str(folder), "--db", str(shared_db_copy))
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(shared_db_copy) as conn:
        (src,) = conn.execute("SELECT src_file FROM filings WHERE name = '怪文件名里的表'").fetchone()
        paths = [p for (p,) in conn.execute("SELECT path FROM sources")]
    assert src.endswith("\ufffd\ufffd\ufffd.json")
    assert any(p.endswith("\ufffd\ufffd\ufffd.json") for p in paths)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["batch", "lint"])
def test_a_seed_under_an_undecodable_name_is_drafted_and_linted(tmp_path, shared_db_copy, command):
    """Found by the campaign: the name reached the 汇总 (.csv, .xlsx) and the screen as lone
    surrogates, which UTF-8 cannot hold — a traceback after every draft was written."""
    folder = tmp_path / "in"
    folder.mkdir()
    seed = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))[0]
    (folder / os.fsdecode(b"\xff\xfe\xe4\xb8.txt")).write_bytes(seed.read_bytes())
    if command == "batch":
        out = run_capped("batch", str(folder), "--year", "2026", "-o", str(tmp_path / "out"),
                         "--db", str(shared_db_copy))
        assert out.returncode == 0, out.stderr
        written = sorted(p.name for p in (tmp_path / "out").iterdir())
        assert "汇总.csv" in written and "汇总.xlsx" in written and len(written) > 2
        summary = (tmp_path / "out" / "汇总.csv").read_text(encoding="utf-8-sig")
        assert "\ufffd" in summary                 # the odd bytes shown as replacement characters
    else:
        out = run_capped("lint", str(folder))
        assert out.returncode in (0, 1)
        assert "\\xff\\xfe\\xe4\\xb8.txt" in out.stdout   # shown escaped, on one line


def test_a_workbook_with_a_broken_deflate_stream_is_named(tmp_path, base_xlsx):
    """Found by the campaign: the check whether a workbook is a jixiao 汇总 met zlib.error."""
    import zipfile

    good, _ = base_xlsx
    path = tmp_path / "broken.xlsx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/workbook.xml")
    # the entry's compressed bytes start after its local header (30 bytes + name + extra)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + 24] = bytes([0xFF] * 24)
    path.write_bytes(bytes(data))
    out = run_capped("parse", str(path))
    assert out.returncode == 2
    line_about(out, str(path))


# --- the budget itself --------------------------------------------------------------------------------------

def test_the_budget_is_data_and_every_limit_is_positive():
    shipped = defaults()
    assert shipped["cells"] == budget().cells or "JIXIAO_MAX_CELLS" in os.environ
    for key, value in shipped.items():
        values = value if isinstance(value, list) else [value]
        assert all(isinstance(v, (int, float)) and v >= 0 for v in values), key


def test_the_cell_budget_can_be_lowered_for_one_run(tmp_path, base_xlsx):
    out = run_capped("parse", str(base_xlsx[0]), env={"JIXIAO_MAX_CELLS": "50"})
    assert out.returncode == 2
    line_about(out, base_xlsx[0].name, "上限 50")
