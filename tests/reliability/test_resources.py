"""Bounded resources (issue 6): decompression bombs, oversized workbooks and documents, a 100 MB
text file and cells of a million characters are refused or read within a set memory and time.

Each input goes to a real `python -m jixiao.cli.main parse FILE` process whose address space is capped
(RLIMIT_AS, MEMORY_MB) and which must end within TIMEOUT_S (a hang guard, not a benchmark): exit
status 0 or 2, no traceback, and for a refusal one Chinese line that names the file.  The readers
run at their default limits (corpus/limits.py, data/limits.json): 20 MB of text (40 MB of JSON),
200 MB unzipped, 500,000 cells, cells cut at 10,000 characters.
"""
from __future__ import annotations

import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from jixiao.corpus.readers.textio import CLIP_MARKER, MAX_CELL_CHARS, MAX_CELLS

from .bombs import MB, deflate_run, deflated, raw_zip, sparse_file, swap_member
from .mutants import ROOT, long_text, seed_grids, seed_records, seed_texts, write_docx, write_txt, write_xlsx

MEMORY_MB = 1024
TIMEOUT_S = 120
BOMB_SIZE = 3 * 1024 * MB          # what each bomb member inflates to
_CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs POSIX rlimits")


def _limit(mb: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (mb * MB, mb * MB))
    return apply


def parse_limited(path: Path, *args: str, memory_mb: int = MEMORY_MB) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    for name in ("JIXIAO_MAX_TEXT_MB", "JIXIAO_MAX_UNZIPPED_MB", "JIXIAO_MAX_CELLS"):
        env.pop(name, None)                       # the default limits are what is tested
    out = subprocess.run([sys.executable, "-m", "jixiao.cli.main", "parse", str(path), *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=_limit(memory_mb))
    assert out.returncode in (0, 2), out.stderr
    assert "Traceback" not in out.stderr and "Error" not in out.stderr, out.stderr
    return out


def refused(path: Path, *fragments: str, memory_mb: int = MEMORY_MB) -> str:
    out = parse_limited(path, memory_mb=memory_mb)
    assert out.returncode == 2
    (line,) = [line for line in out.stderr.splitlines() if str(path) in line]
    assert _CJK.search(line.split(str(path), 1)[1]), line
    for fragment in fragments:
        assert fragment in line, line
    return line


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    grid = seed_grids()[0]
    return {".xlsx": write_xlsx([grid], folder / "form.xlsx"), ".docx": write_docx([grid], folder / "form.docx")}


MAIN_PART = {".xlsx": "xl/worksheets/sheet1.xml", ".docx": "word/document.xml"}


# --- decompression bombs ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_decompression_bomb_is_refused_before_inflating(office, tmp_path, suffix):
    """A 3 MB member that inflates to 3 GB, sizes declared honestly: refused from the directory."""
    bomb = swap_member(office[suffix], tmp_path / f"bomb{suffix}", MAIN_PART[suffix],
                       (MAIN_PART[suffix], deflate_run(BOMB_SIZE), 0, BOMB_SIZE))
    assert bomb.stat().st_size < 5 * MB
    refused(bomb, "压缩炸弹", memory_mb=512)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_member_that_lies_about_its_size_is_refused_in_bounded_memory(office, tmp_path, suffix):
    """The same 3 GB stream declared as 100 KB, with the CRC of its first 100 KB: zipfile's read()
    inflates all of it before cutting to the declared size, so only streaming the member first
    keeps memory bounded.  Under 512 MB the file must be refused as damaged, not run out of memory."""
    declared = 100_000
    fill = b"<x/>"
    bomb = swap_member(office[suffix], tmp_path / f"liar{suffix}", MAIN_PART[suffix],
                       (MAIN_PART[suffix], deflate_run(BOMB_SIZE, fill), zlib.crc32((fill * declared)[:declared]),
                        declared))
    line = refused(bomb, "已损坏或不完整", memory_mb=512)
    assert "内存" not in line


# --- oversized office files --------------------------------------------------------------------

def test_xlsx_over_the_unzipped_limit_is_refused(office, tmp_path):
    """201 MB of stored (uncompressed) media inside: nothing to inflate, refused by total size."""
    big = tmp_path / "media.xlsx"
    with zipfile.ZipFile(office[".xlsx"]) as zf:
        keep = [deflated(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    raw_zip(big, keep + [("xl/media/image1.png", None, 0, 201 * MB, 201 * MB)])
    refused(big, "解压后过大", "上限 200 MB", memory_mb=512)


def _sheet_xml(cells: int, width: int = 20) -> bytes:
    rows = []
    for r in range(cells // width):
        rows.append(f'<row r="{r + 1}">' + "".join(f'<c t="inlineStr"><is><t>{r}-{c}-{(r * 7919 + c * 104729) % 99991}</t></is></c>'
                                                  for c in range(width)) + "</row>")
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData>' + "".join(rows) + "</sheetData></worksheet>").encode()


def _document_xml(cells: int, width: int = 10) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    row = lambda r: "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{r}-{c}-{(r * 7919 + c) % 99991}</w:t></w:r></w:p></w:tc>"
                                       for c in range(width)) + "</w:tr>"
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body><w:tbl>'
            + "".join(row(r) for r in range(cells // width)) + "</w:tbl></w:body></w:document>").encode()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_office_file_over_the_cell_limit_is_refused(office, tmp_path, suffix):
    cells = MAX_CELLS + 20_000
    part = _sheet_xml(cells) if suffix == ".xlsx" else _document_xml(cells)
    big = swap_member(office[suffix], tmp_path / f"cells{suffix}", MAIN_PART[suffix], deflated(MAIN_PART[suffix], part))
    refused(big, "表格过大", f"{MAX_CELLS}")


# --- text --------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".txt", ".csv", ".json", ".jsonl", ".tsv"])
def test_100_mb_sparse_text_file_is_refused_by_size(tmp_path, suffix):
    """Text exports up to 20 MB, jixiao's own JSON exports (which run larger) up to 40 MB."""
    path = sparse_file(tmp_path / f"huge{suffix}", 100 * MB)
    limit = 40 if suffix in (".json", ".jsonl") else 20
    refused(path, f"文件过大（100.0 MB，上限 {limit} MB）", memory_mb=512)


def test_100_mb_of_real_text_is_refused_by_size(tmp_path):
    path = tmp_path / "huge.txt"
    chunk = "".join(seed_texts()).encode("utf-8")
    with open(path, "wb") as fh:
        for _ in range(100 * MB // len(chunk) + 1):
            fh.write(chunk)
    refused(path, "文件过大", "上限 20 MB", memory_mb=512)


@pytest.mark.slow
def test_text_just_under_the_limit_with_a_cell_of_700_000_lines(tmp_path):
    """A form whose last cell runs on for 19 MB of continuation lines: read in linear time, the
    cell cut at MAX_CELL_CHARS, the form above it still read."""
    path = tmp_path / "runaway.txt"
    path.write_text(seed_texts()[0] + "\n\t备注\t" + "续行文字续行文字\n" * 700_000, encoding="utf-8")
    assert 15 * MB < path.stat().st_size < 20 * MB
    out = parse_limited(path, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert "政务服务业务" in [f["name"] for f in json.loads(out.stdout)]


@pytest.mark.slow
def test_text_just_under_the_limit_made_of_tabs(tmp_path):
    """19 MB of tab-separated empty cells (a sheet exported with its whole used range)."""
    path = tmp_path / "tabs.txt"
    path.write_text(seed_texts()[3] + "\n" + ("项目\t" + "\t" * 1000 + "\n") * 18_000, encoding="utf-8")
    out = parse_limited(path, "--format", "json")
    assert out.returncode == 0, out.stderr


# --- a cell of a million characters --------------------------------------------------------------

MILLION = 1_000_000
NAME = "政务服务中心窗口及分中心"


def _million(seed: int) -> str:
    """A million characters of the seeds' prose on one line (a text export cannot hold a tab or a
    line break inside a cell without splitting it)."""
    return re.sub(r"[\t\r\n]", "", long_text(random.Random(seed), MILLION + MILLION // 5))[:MILLION]


def _grid_with_long_cell():
    rows = [list(r) for r in seed_grids()[0]]
    (r, c), = [(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell.strip() == NAME]
    rows[r][c] = NAME + _million(1)
    return rows


def _assert_clipped(out):
    assert out.returncode == 0, out.stderr
    names = [i["name"] for f in json.loads(out.stdout) for i in f["indicators"] if i["name"].startswith(NAME)]
    assert names and all(len(n) <= MAX_CELL_CHARS + len(CLIP_MARKER) for n in names)
    assert any(n.endswith(CLIP_MARKER) for n in names)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["tab", "tsv"])
def test_million_character_cell_in_text_is_cut(tmp_path, fmt):
    path = write_txt(_grid_with_long_cell(), tmp_path / f"long-{fmt}.txt", style=fmt)
    _assert_clipped(parse_limited(path, "--format", "json"))


@pytest.mark.slow
def test_million_character_cell_in_xlsx_is_cut(tmp_path):
    path = write_xlsx([_grid_with_long_cell()], tmp_path / "long.xlsx")
    _assert_clipped(parse_limited(path, "--format", "json"))


@pytest.mark.slow
def test_million_character_cell_in_docx_is_cut(tmp_path):
    path = write_docx([_grid_with_long_cell()], tmp_path / "long.docx")
    _assert_clipped(parse_limited(path, "--format", "json"))


@pytest.mark.slow
def test_million_character_field_in_json_is_cut(tmp_path):
    rec = json.loads(seed_records()[0])
    rec["indicators"][0]["name"] = NAME + _million(2)
    rec["description"] = _million(3)
    path = tmp_path / "long.json"
    path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    out = parse_limited(path, "--format", "json")
    _assert_clipped(out)
    assert json.loads(out.stdout)[0]["description"].endswith(CLIP_MARKER)
    assert parse_limited(path).returncode == 0                 # and the table view of it


def test_million_character_field_in_csv_is_refused_as_an_unclosed_quote(tmp_path):
    """Excel never writes a cell over 32,767 characters: a CSV field of a million is a quote that
    was never closed, and is reported as such."""
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(_grid_with_long_cell())
    refused(path, "CSV 格式有误", "引号没有闭合")
