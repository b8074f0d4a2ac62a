"""Issue 15, a command line that speaks Chinese and takes amounts as officers write them:
argparse's own texts, did-you-mean, --version, --year and --budget checked, the missing-budget
hint, empty folders, output names jixiao cannot write, and `suggest --from` lists with bad rows
(every good row drafted, the bad ones listed, exit 1), streamed with flat memory."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS, run_cli
from jixiao.corpus.parse import parse_file
from jixiao.engine.amounts import AmountError, parse_amount


@pytest.mark.parametrize("text, wan", [
    ("80", 80), ("80万", 80), ("80万元", 80), ("800000元", 80), ("８０万元", 80), ("1,200", 1200),
    ("1.2亿", 12000), ("约 80 万元", 80), ("5000千元", 500), (12.5, 12.5), ("", None), (None, None),
])
def test_amounts_as_officers_write_them(text, wan):
    assert parse_amount(text) == wan


@pytest.mark.parametrize("text, why", [
    ("十万", "汉字数字"), ("八万", "汉字数字"), ("0", "为 0"), ("-5", "负数"), ("80美元", "单位"),
    ("≥80万元", "比较符号"), ("80万/年", "单位"), ("abc", "看不懂"),
])
def test_amounts_that_are_not_amounts_say_why(text, why):
    with pytest.raises(AmountError, match=why):
        parse_amount(text)


def test_a_bare_number_in_a_column_headed_in_yuan_is_yuan(tmp_path):
    from jixiao.engine.project_list import read_project_list

    src = tmp_path / "b.csv"
    src.write_text("项目名称,预算金额（元）\n政务大厅租金,150000\n机房维护费,2.5万元\n", encoding="utf-8")
    got = read_project_list(src, need_budget=True)
    assert [(r.name, r.budget) for r in got.rows] == [("政务大厅租金", 15), ("机房维护费", 2.5)]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_long_project_list_has_its_own_size_limit(tmp_path, monkeypatch, suffix):
    """100,000 projects run to about 30 MB: a list is bounded by list_mb, not by the 20 MB a
    text export of one filing may have (here scaled down: text 1 MB, list 1 MB then 4 MB)."""
    from jixiao.corpus.errors import InputError
    from jixiao.engine.project_list import read_project_list

    desc = "为辖区群众提供政务服务，受理办件约10000件，群众满意度不低于95%。" * 6
    src = tmp_path / f"list{suffix}"
    if suffix == ".jsonl":
        src.write_text("\n".join(json.dumps({"name": f"项目{i}", "description": desc, "budget": 10 + i % 9},
                                            ensure_ascii=False) for i in range(6000)), encoding="utf-8")
    else:
        src.write_text("项目名称,项目概况,预算金额\n" + "".join(f"项目{i},{desc},{10 + i % 9}\n" for i in range(6000)),
                       encoding="utf-8")
    assert 1.5 * 2**20 < src.stat().st_size < 4 * 2**20
    monkeypatch.setenv("JIXIAO_MAX_TEXT_MB", "1")
    monkeypatch.setenv("JIXIAO_MAX_LIST_MB", "4")
    got = read_project_list(src)
    assert len(got.rows) == 6000 and not got.problems
    monkeypatch.setenv("JIXIAO_MAX_LIST_MB", "1")
    with pytest.raises(InputError, match="文件过大"):
        read_project_list(src)


def test_help_and_errors_are_chinese():
    top = run_cli("--help")
    assert top.returncode == 0
    for word in ("用法：", "位置参数：", "选项：", "显示帮助并退出", "显示版本号并退出", "feedback"):
        assert word in top.stdout, word
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in top.stdout
    sub = run_cli("suggest", "--help")
    assert "用法：jixiao suggest" in sub.stdout and "80万元" in sub.stdout and "show this help" not in sub.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("jixiao ")


@pytest.mark.parametrize("args, says", [
    (["sugest", "x"], "您是不是要输入：suggest"),
    (["catalogue", "stat"], "您是不是要输入：stats"),
    (["suggest", "x", "--bugdet", "80"], "您是不是要输入：--budget"),
    (["suggest", "x", "--format", "jsn"], "您是不是要输入：json"),
    (["batch", "x"], "缺少必需的参数：--year、-o/--output"),
    (["suggest", "x", "--year", "25"], "2000–2100"),
    (["suggest", "x", "--budget", "十万"], "汉字数字"),
    (["suggest", "x", "--budget", "0"], "应大于 0"),
    (["suggest", "x", "--jobs", "many"], "--jobs"),
])
def test_usage_errors_say_what_is_wrong_and_what_was_meant(args, says, tmp_path):
    r = run_cli(*args, env={"JIXIAO_DB": str(tmp_path / "c.db")})
    assert r.returncode == 2, r.stderr
    assert says in r.stderr and "用法：" in r.stderr
    assert "Traceback" not in r.stderr and "invalid" not in r.stderr and "error:" not in r.stderr


@pytest.mark.slow
def test_budget_with_units_and_the_missing_budget_hint(shared_db):
    r = run_cli("suggest", "政务大厅租金", "--budget", "800000元", "--format", "json", "--db", str(shared_db))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["project"]["budget"] == 80 and "--budget" not in r.stderr
    r = run_cli("suggest", "政务大厅租金", "--format", "json", "--db", str(shared_db))
    assert r.returncode == 0
    assert r.stderr.count("成本指标需要预算金额：加 --budget") == 1


@pytest.mark.slow
def test_an_empty_folder_is_reported(tmp_path):
    empty = tmp_path / "空"
    empty.mkdir()
    for cmd in ("parse", "lint"):
        r = run_cli(cmd, str(empty))
        assert r.returncode == 2 and "没有找到可读取的绩效目标表文件" in r.stderr and str(empty) in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x.xls", "x.doc", "x.pdf", "noext"])
def test_an_output_name_jixiao_cannot_write_is_refused(name, shared_db, tmp_path):
    r = run_cli("suggest", "政务大厅租金", "--budget", "15", "-o", str(tmp_path / name), "--db", str(shared_db))
    assert r.returncode == 2 and name in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []
    r = run_cli("suggest", "政务大厅租金", "-o", str(tmp_path / "x.json"), "--format", "md", "--db", str(shared_db))
    assert r.returncode == 2 and "不一致" in r.stderr


@pytest.mark.slow
def test_a_list_with_bad_rows_drafts_the_rest_and_lists_them(shared_db, tmp_path):
    import openpyxl

    src = tmp_path / "清单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "项目概况", "预算金额", "年度"])
    for row in (["政务大厅租金", "", 15, 2026], ["机房运维服务", "服务器20台", "八万", 2026], ["", "无名", 5, 2026],
                ["业务培训", "", "50000元", 2026], ["热线运行", "", 30, "26年"]):
        ws.append(row)
    wb.save(src)
    r = run_cli("suggest", "--from", str(src), "--format", "jsonl", "--db", str(shared_db))
    assert r.returncode == 1, r.stderr
    got = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert [(d["project"]["name"], d["project"]["budget"]) for d in got] == [("政务大厅租金", 15), ("业务培训", 5)]
    assert "3 行没有生成草稿" in r.stderr
    for row, what in ((3, "八万"), (4, "缺少项目名称"), (6, "26年")):
        assert f"第 {row} 行" in r.stderr and what in r.stderr
    assert "Traceback" not in r.stderr
    # -o folder: one .xlsx per good project, like batch, and each reads back
    folder = tmp_path / "草稿"
    r = run_cli("suggest", "--from", str(src), "-o", str(folder), "--db", str(shared_db))
    assert r.returncode == 1
    made = sorted(p.name for p in folder.iterdir())
    assert made == ["业务培训.xlsx", "政务大厅租金.xlsx"]
    assert [f.name for p in sorted(folder.iterdir()) for f in parse_file(p)] == ["业务培训", "政务大厅租金"]


@pytest.mark.slow
def test_list_output_streams_exactly_like_the_whole_rendering(shared_db, tmp_path):
    """Every format a list can be written in, to the screen and to a file, equals what the
    writers make of the whole list at once."""
    from jixiao.engine.writers import render, write
    from jixiao.engine.draft import Draft

    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps({"name": n, "budget": b, "year": 2026}, ensure_ascii=False)
                             for n, b in (("政务大厅租金", 15), ("机房运维服务", 30), ("业务培训", 5))),
                   encoding="utf-8")
    r = run_cli("suggest", "--from", str(src), "--format", "jsonl", "--db", str(shared_db))
    drafts = [Draft.model_validate(json.loads(x)) for x in r.stdout.splitlines()]
    for fmt in ("json", "jsonl", "md", "csv", "table"):
        ext = {"table": "txt"}.get(fmt, fmt)
        out = tmp_path / f"all.{ext}"
        r = run_cli("suggest", "--from", str(src), "-o", str(out), "--db", str(shared_db))
        assert r.returncode == 0, r.stderr
        ref = tmp_path / f"ref.{ext}"
        write(drafts, ref, fmt)
        assert out.read_bytes() == ref.read_bytes(), fmt
        if fmt != "table":
            screen = run_cli("suggest", "--from", str(src), "--format", fmt, "--db", str(shared_db))
            text = render(drafts, fmt).replace("\r\n", "\n")      # the screen reads CSV lines as text
            assert screen.stdout == (text if text.endswith("\n") else text + "\n"), fmt


def _peak_rss_kb(cmd: list[str], env: dict) -> int:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    assert proc.returncode == 0, err
    return usage.ru_maxrss


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_list_memory_is_flat_in_the_lists_length(jobs, shared_db, tmp_path):
    """1,500 projects need about the memory of 100: drafts are written as they are made (the
    list was once held whole: ≈50 KB a draft, 70 MB more for 1,400 drafts)."""
    rows = []
    filings = [f for p in SEEDS for f in parse_file(p) if f.kind == "project"]
    for i in range(1500):
        f = filings[i % len(filings)]
        rows.append({"name": f"{f.name}（{i + 1}）", "description": f.description, "budget": (f.budget or 10) + i % 7,
                     "year": 2026})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    peaks = {}
    for n in (100, 1500):
        src = tmp_path / f"p{n}.jsonl"
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:n]), encoding="utf-8")
        cmd = [sys.executable, "-m", "jixiao.cli.main", "suggest", "--from", str(src), "--format", "jsonl",
               "-o", str(tmp_path / f"o{n}.jsonl"), "--db", str(shared_db), "--jobs", jobs]
        peaks[n] = _peak_rss_kb(cmd, env)
        assert len((tmp_path / f"o{n}.jsonl").read_text(encoding="utf-8").splitlines()) == n
    assert peaks[1500] - peaks[100] < 25_000, peaks
