"""Output safety: names from filings stay inside OUTDIR, text from filings never becomes a live
formula in .xlsx/.csv, and writes are atomic (old file or whole new file, never half a file)."""
from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jixiao.engine.writers import OutputError, write, write_csv, write_xlsx_rows
from jixiao.engine.writers.atomic import atomic_path, write_text
from jixiao.engine.writers.safety import MAX_NAME_BYTES, cell_text, csv_field, is_formula_like, safe_filename, safe_sheet_title
from jixiao.corpus.categories import LEVEL1_OF
from jixiao.corpus.parse import parse_file
from jixiao.engine.draft import Draft, DraftIndicator, Project, draft_from_filing

from conftest import ROOT, SEEDS

HOSTILE_NAMES = [
    "../../etc/passwd", "/abs", "/etc/", "C:\\Windows\\system32", "..", ".", "", "   ", "CON", "con",
    "NUL.txt", "COM1", "LPT9", "aux ", "a\x00b", "tab\there", "line\nbreak", "trailing. . .", ".hidden",
    "a:b*c?d\"e<f>g|h", "\u202eexe.txt", "政务" * 150, "../" * 40, "政务服务热线运行维护", "政务服务热线运行维护",
    "ABC", "abc",
]
FORMULAS = ["=HYPERLINK(\"http://x.example\",\"点击\")", "+1", "-2+3", "@SUM(A1)", " =1+1", "\t=1+1",
            "\r=1", "＝1+1", "=cmd|' /C calc'!A0"]


# --- file names ---------------------------------------------------------------------------------

def test_hostile_project_names_give_safe_unique_files_inside_outdir(tmp_path):
    outdir = tmp_path / "out"
    outdir.mkdir()
    taken: set[str] = set()
    names = [safe_filename(n, "xlsx", taken) for n in HOSTILE_NAMES]
    assert len({n.casefold() for n in names}) == len(names)          # unique, also on Windows/macOS
    assert set(names) <= taken
    for raw, name in zip(HOSTILE_NAMES, names):
        stem = name[: -len(".xlsx")]
        assert name.endswith(".xlsx") and stem.strip(". ")
        assert "/" not in name and "\\" not in name and "\x00" not in name, raw
        assert not any(ord(ch) < 32 or ch in '<>:"|?*\u202e' for ch in name), raw
        assert not name.startswith(".") and not stem.endswith((".", " ")), raw
        assert stem.split(".")[0].strip().upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}, raw
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        target = outdir / name
        assert target.resolve().parent == outdir.resolve()
        target.write_bytes(b"x")                                      # the file system accepts it
    assert sorted(p.name for p in outdir.iterdir()) == sorted(names)
    assert list(tmp_path.iterdir()) == [outdir]                       # nothing escaped


def test_safe_names_stay_readable():
    taken: set[str] = set()
    assert safe_filename("政务服务热线运行维护", "xlsx", taken) == "政务服务热线运行维护.xlsx"
    assert safe_filename("政务服务热线运行维护", ".xlsx", taken) == "政务服务热线运行维护 (2).xlsx"
    assert safe_filename("政务服务热线运行维护", "xlsx", taken) == "政务服务热线运行维护 (3).xlsx"
    assert safe_filename("12345 民生服务平台工作经费", "md", taken) == "12345 民生服务平台工作经费.md"
    assert safe_filename("../../etc/passwd", "json", taken) == "etc_passwd.json"
    assert safe_filename("/abs", "json", taken) == "abs.json"
    assert safe_filename("", "json", taken) == "未命名.json"
    assert safe_filename("..", "json", taken) == "未命名 (2).json"
    assert safe_filename("CON", "json", taken) == "_CON.json"
    assert safe_filename("a\x00b", "json", taken) == "ab.json"
    long = safe_filename("政务" * 150, "xlsx", taken)
    assert long.startswith("政务政务") and len(long.encode("utf-8")) <= MAX_NAME_BYTES
    assert ("政务" * 150).startswith(long[: -len(".xlsx")])         # cut on a character boundary
    again = safe_filename("政务" * 150, "xlsx", taken)
    assert again != long and again.endswith(" (2).xlsx") and len(again.encode("utf-8")) <= MAX_NAME_BYTES


def test_sheet_titles_follow_excel_rules():
    taken = {"系统导入"}
    titles = [safe_sheet_title(n, taken) for n in
              ["系统导入", "a/b[1]:*?\\", "", "History", "'quoted'", "长" * 40, "长" * 40, "😀" * 20, "abc", "ABC"]]
    assert len({t.casefold() for t in titles + ["系统导入"]}) == len(titles) + 1
    for t in titles:
        assert t and len(t.encode("utf-16-le")) // 2 <= 31
        assert not set(t) & set("[]:*?/\\") and not t.startswith("'") and not t.endswith("'")
        assert t.casefold() != "history"
    assert titles[0] == "系统导入 (2)"
    assert titles[5] == "长" * 31 and titles[6] == "长" * 27 + " (2)"


# --- formula injection ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_detected(text):
    assert is_formula_like(text)
    assert csv_field(text) == "'" + text


@pytest.mark.parametrize("text", ["≥95%", "2025年12月31日前", "=", "-", "  ", "", "a=b", "95%+", "政务-热线"])
def test_ordinary_text_is_left_alone(text):
    assert not is_formula_like(text)
    assert csv_field(text) == text


def test_cell_text_cleans_control_characters_and_keeps_numbers():
    assert cell_text("a\x00b\x07c\nd\te") == "abc\nd\te"
    assert cell_text(None) == "" and cell_text(25) == 25 and cell_text(48.588) == 48.588
    assert cell_text("x" * 40000).endswith("…") and len(cell_text("x" * 40000)) == 32767


def _hostile_draft() -> Draft:
    base = draft_from_filing(parse_file(SEEDS[2])[0])
    inds = list(base.indicators)
    for n, text in enumerate(FORMULAS[:4]):
        l2 = inds[n].level2
        inds.append(DraftIndicator(level1=LEVEL1_OF[l2], level2=l2, name=f"{text}指标{n}", value=text,
                                   basis=text))
    project = base.project.model_copy(update={"name": "=HYPERLINK(\"http://x.example\",\"项目\")",
                                              "department": "@SUM(A1)", "description": "-2+3 a\x00b"})
    return Draft(project=project, indicators=inds)


def _formula_cells(path: Path) -> int:
    """<f> elements (formulas) in every worksheet part of the saved file."""
    with zipfile.ZipFile(path) as zf:
        return sum(zf.read(n).count(b"<f>") + zf.read(n).count(b"<f ")
                   for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_xlsx_draft_holds_no_formula(tmp_path):
    d = _hostile_draft()
    path = tmp_path / "d.xlsx"
    write(d, path)
    assert _formula_cells(path) == 0
    wb = openpyxl.load_workbook(path)
    seen = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() and cell.value.lstrip()[0] in "=+-@":
                    seen[cell.value] = cell
    for text in FORMULAS[:4]:
        assert text in seen, text
        assert seen[text].data_type == "s" and seen[text].quotePrefix
    assert seen[d.project.name].data_type == "s"
    # and the reader still takes the form for what it is
    f = parse_file(path)[0]
    assert f.name == d.project.name and set(FORMULAS[:4]) <= {i.value for i in f.indicators}


def test_summary_writers_are_formula_safe(tmp_path):
    header = ["项目", "问题", "数量"]
    rows = [[text, f"问题 {n}", n] for n, text in enumerate(FORMULAS)] + [["普通项目", "=", -3]]
    write_xlsx_rows(rows, header, tmp_path / "s.xlsx", sheet="汇总/总表")
    assert _formula_cells(tmp_path / "s.xlsx") == 0
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert ws.title == "汇总_总表"
    assert [c.value for c in ws[1]] == header
    for r, text in enumerate(FORMULAS, 2):
        cell = ws.cell(r, 1)
        assert cell.value == text.replace("\r", "") or cell.value == text
        assert cell.data_type == "s"
        assert ws.cell(r, 3).value == r - 2 and ws.cell(r, 3).data_type == "n"

    write_csv(rows, header, tmp_path / "s.csv")
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                            # Excel opens the Chinese right
    text = raw.decode("utf-8-sig")
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == header
    for n, text_in in enumerate(FORMULAS, 1):
        assert back[n][0] == "'" + text_in                             # prefixed, per OWASP
        assert back[n][2] == str(n - 1)                                # numbers untouched
    assert back[-1] == ["普通项目", "=", "-3"]
    for line in text.split("\r\n")[1:-1]:
        assert line.startswith('"') and line.endswith('"')            # every field quoted


def test_csv_draft_is_formula_safe(tmp_path):
    write(_hostile_draft(), tmp_path / "d.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "d.csv").read_text("utf-8-sig"), newline="")))
    for row in rows[1:]:
        for field in row:
            assert not is_formula_like(field) or field.startswith("'"), field
    assert rows[1][0] == "'=HYPERLINK(\"http://x.example\",\"项目\")"


# --- atomic writes --------------------------------------------------------------------------------

def test_write_leaves_only_the_final_file(tmp_path):
    d = draft_from_filing(parse_file(SEEDS[0])[0])
    for fmt in ("xlsx", "md", "json", "jsonl", "csv", "table"):
        write(d, tmp_path / "deep" / f"d.{fmt}", fmt)
    write(d, tmp_path / "deep" / "d.xlsx")                            # overwrite in place
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == \
        sorted(f"d.{fmt}" for fmt in ("xlsx", "md", "json", "jsonl", "csv", "table"))
    assert oct(os.stat(tmp_path / "deep" / "d.md").st_mode & 0o777) != oct(0o600)   # ordinary mode


def test_failure_midway_keeps_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "d.json"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half a fi", encoding="utf-8")
            raise RuntimeError("killed while writing")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_unwritable_targets_give_one_chinese_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="上级路径不是文件夹|无法写入"):
        write(Draft(project=Project(name="x")), tmp_path / "afile" / "d.json")
    (tmp_path / "adir.json").mkdir()
    (tmp_path / "adir.json" / "keep").write_text("x")
    with pytest.raises(OutputError, match="文件夹"):
        write(Draft(project=Project(name="x")), tmp_path / "adir.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.json", "afile"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_fails_cleanly(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    write_text(folder / "d.md", "old\n")
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="权限"):
            write(Draft(project=Project(name="x")), folder / "d.md")
        assert (folder / "d.md").read_text() == "old\n" and len(list(folder.iterdir())) == 1
    finally:
        folder.chmod(0o755)


_WRITER = """
import sys
from jixiao.corpus.parse import parse_file
from jixiao.engine.draft import draft_from_filing
from jixiao.engine.writers import write
drafts = [draft_from_filing(f) for p in sys.argv[2:] for f in parse_file(p)]
print("ready", flush=True)
while True:
    write(drafts, sys.argv[1])
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.7])
def test_killed_writer_leaves_old_or_whole_file(tmp_path, delay):
    """A process rewriting a workbook in a loop is SIGKILLed: the file is always a whole workbook."""
    target = tmp_path / "all.xlsx"
    seeds = [str(p) for p in SEEDS[:3]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), *seeds], stdout=subprocess.PIPE,
                            env=env, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 60
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert target.exists()
    want = sum(len(parse_file(p)) for p in seeds)
    assert len(openpyxl.load_workbook(target).sheetnames) == want + 2
    assert len(parse_file(target)) == want
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(n.startswith(".all.xlsx.") and n.endswith(".tmp") for n in leftovers)
