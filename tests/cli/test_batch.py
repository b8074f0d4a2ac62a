"""`jixiao batch` end to end: the seeds carried to 2025 as real processes on a real catalogue."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, run_cli
from jixiao.corpus.parse import parse_file
from jixiao.corpus.values import parse_value, years_in
from jixiao.engine.carry import note_id, past_years
from jixiao.engine.profiles import profile
from jixiao.engine.valuerules import match_rule

SEED_DIR = ROOT / "corpus" / "seeds"
REQUIRED = profile("default")["required"]
FUZZY_NAME = "政务大厅运行费"          # written for 政务大厅运行经费
UNMATCHED = "不存在的项目经费"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """JIXIAO_DB in a fresh folder: the first batch builds the default catalogue there."""
    return {"JIXIAO_DB": str(tmp_path_factory.mktemp("db") / "catalogue.db")}


@pytest.fixture(scope="module")
def seed_filings():
    return [f for p in SEEDS for f in parse_file(p)]


@pytest.fixture(scope="module")
def budgets(tmp_path_factory, seed_filings):
    """A budgets table (Chinese headers) for every seed filing: last year's budget + 10 % + 1."""
    amounts = {f.name: round((f.budget or 0) * 1.1 + 1, 2) for f in seed_filings}
    path = tmp_path_factory.mktemp("budgets") / "2025预算.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目名称", "预算金额（万元）"])
        for name, amount in amounts.items():
            w.writerow([FUZZY_NAME if name == "政务大厅运行经费" else name, amount])
        w.writerow([UNMATCHED, 9])
    return path, amounts


def batch(env, *args, timeout=300):
    return run_cli("batch", *map(str, args), env=env, timeout=timeout)


def read_summary(outdir: Path) -> list[dict]:
    with (outdir / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def outputs(outdir: Path) -> dict[str, bytes]:
    """Every visible file in OUTDIR with its bytes (hidden temp files are not outputs)."""
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir()) if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def seeds_json(tmp_path_factory, env, budgets):
    out = tmp_path_factory.mktemp("out") / "2025"
    r = batch(env, SEED_DIR, "--year", 2025, "-o", out, "--budgets", budgets[0], "--format", "json")
    return r, out


@pytest.mark.slow
def test_seed_batch_writes_one_draft_per_filing(seeds_json, seed_filings):
    r, out = seeds_json
    assert r.returncode == 0, r.stderr
    drafts = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    assert len(drafts) == len(seed_filings) == 22
    kinds = sorted(d["project"]["kind"] for d in drafts.values())
    assert kinds.count("project") == 20 and kinds.count("department") == 2
    assert {d["project"]["year"] for d in drafts.values()} == {2025}
    assert (out / "汇总.csv").is_file() and (out / "汇总.xlsx").is_file()
    assert "已顺延 22 张表" in r.stdout


def test_no_deadline_or_period_names_a_past_year(seeds_json):
    _, out = seeds_json
    checked = 0
    for p in out.glob("*.json"):
        d = json.loads(p.read_text(encoding="utf-8"))
        texts = [d["project"]["period"] or ""]
        texts += [i["value"] for i in d["indicators"]
                  if i["parsed"]["kind"] == "deadline" or i["level2"] == "时效指标"]
        for text in texts:
            past = {y for _, _, y, _ in past_years(text)}
            for y in years_in(text):
                checked += 1
                assert y >= 2025 or y in past, (p.name, text)
    assert checked >= 15


def test_every_total_cost_equals_the_budget_given(seeds_json, budgets):
    _, out = seeds_json
    amounts = budgets[1]
    costs = 0
    for p in out.glob("*.json"):
        d = json.loads(p.read_text(encoding="utf-8"))
        name = d["project"]["name"]
        assert d["project"]["budget"] == amounts[name], name
        for i in d["indicators"]:
            if i["level2"] != "成本指标" or "{budget}" not in match_rule("成本指标", i["name"]).get("value", ""):
                continue                            # unit costs (元/人, 每月…) and control rates
            pv = parse_value(i["value"])
            if pv.kind == "number" and pv.unit and "/" not in pv.unit and "元" in pv.unit:
                assert pv.number == amounts[name] and pv.unit == "万元", (name, i["name"], i["value"])
                costs += 1
    # one total-cost line per draft takes the new budget; parts (租车费用 ≥5万元 …) keep their amounts
    assert costs >= 16
    seen_parts = 0
    for p in out.glob("*.json"):
        d = json.loads(p.read_text(encoding="utf-8"))
        whole = [i for i in d["indicators"] if i["level2"] == "成本指标"
                 and parse_value(i["value"]).number == amounts[d["project"]["name"]]
                 and parse_value(i["value"]).unit == "万元"]
        assert len(whole) <= 1, (d["project"]["name"], whole)
        seen_parts += sum(1 for i in d["indicators"] if i["name"] == "年内外出开展现场勘验租车费用"
                          and i["value"] == "≤5万元")
    assert seen_parts == 1


def test_every_draft_has_all_required_categories(seeds_json):
    _, out = seeds_json
    for p in out.glob("*.json"):
        d = json.loads(p.read_text(encoding="utf-8"))
        present = {i["level2"] for i in d["indicators"] if i["name"]}
        assert set(REQUIRED) <= present, (p.name, set(REQUIRED) - present)
        assert not [f for f in d["lint"] if f["rule"].startswith("L01")]
        for i in d["indicators"]:
            assert i["rules"], (p.name, i["name"])
            if i["status"] == "new":
                assert i["rules"][0].startswith("C10：")


def test_summary_counts_agree_with_the_drafts(seeds_json):
    _, out = seeds_json
    rows = read_summary(out)
    drafts = [r for r in rows if r["输出文件"]]
    assert len(drafts) == 22
    for row in drafts:
        d = json.loads((out / row["输出文件"]).read_text(encoding="utf-8"))
        inds = d["indicators"]
        ids = [{note_id(x) for x in i["rules"]} for i in inds]
        recount = {
            "沿用": sum(i["status"] in ("carried", "moved") for i in inds),
            "移动": sum(i["status"] == "moved" for i in inds),
            "补充": sum(i["status"] == "new" for i in inds),
            "年份顺延": sum(bool(s & {"C02", "C04"}) for s in ids),
            "总成本重设": sum("C05" in s for s in ids),
            "成本构成调整": sum("C05" not in s and bool(s & {"C12", "C13"}) for s in ids),
            "待填写": sum(bool(i["needs_input"]) for i in inds),
            "审核提示": sum(f["severity"] in ("error", "warning") for f in d["lint"]),
            "审核错误": sum(f["severity"] == "error" for f in d["lint"]),
        }
        assert {k: int(row[k]) for k in recount} == recount, row["项目名称"]
        assert row["项目名称"] == d["project"]["name"] and row["状态"] == "成功"
        assert row["类型"] == ("部门整体" if d["project"]["kind"] == "department" else "项目")
    totals = {k: sum(int(r[k]) for r in drafts) for k in ("沿用", "总成本重设", "成本构成调整", "补充", "移动",
                                                          "年份顺延")}
    assert all(totals.values()), totals
    # problems: the unmatched budget row, the fuzzy match, and lint errors are all listed
    assert any(r["状态"] == "预算问题" and UNMATCHED in r["问题与说明"] for r in rows)
    fuzzy = next(r for r in drafts if r["项目名称"] == "政务大厅运行经费")
    assert FUZZY_NAME in fuzzy["预算来源"] and "相近名称" in fuzzy["问题与说明"]
    assert any("L0" in r["问题与说明"] or "L1" in r["问题与说明"] for r in drafts if int(r["审核错误"]))


def test_summary_xlsx_holds_the_same_rows_as_the_csv(seeds_json):
    import openpyxl

    _, out = seeds_json
    rows = read_summary(out)
    ws = openpyxl.load_workbook(out / "汇总.xlsx").active
    got = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    assert got[0] == list(rows[0].keys())
    assert got[1:] == [list(r.values()) for r in rows]


@pytest.mark.slow
def test_rerun_skips_written_drafts_unless_forced(seeds_json, env, budgets, tmp_path):
    _, out = seeds_json
    work = tmp_path / "again"
    shutil.copytree(out, work)
    edited = sorted(work.glob("*.json"))[0]
    edited.write_text('{"edited": "by the officer"}', encoding="utf-8")
    r = batch(env, SEED_DIR, "--year", 2025, "-o", work, "--budgets", budgets[0], "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "已存在跳过 22 份" in r.stdout
    assert json.loads(edited.read_text(encoding="utf-8")) == {"edited": "by the officer"}
    assert (work / "汇总.csv").read_bytes() == (out / "汇总.csv").read_bytes()
    r = batch(env, SEED_DIR, "--year", 2025, "-o", work, "--budgets", budgets[0], "--format", "json", "--force")
    assert r.returncode == 0 and "写入 22 份" in r.stdout
    assert outputs(work) == outputs(out)


@pytest.mark.slow
def test_a_bad_file_is_reported_and_the_others_are_written(env, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEEDS[0], inputs / "a.txt")
    shutil.copy(SEEDS[4], inputs / "c.txt")
    (inputs / "b_坏文件.docx").write_bytes(b"this is not a zip archive at all")
    (inputs / "d.json").write_text("{not json", encoding="utf-8")
    out = tmp_path / "out"
    r = batch(env, inputs, "--year", 2025, "-o", out, "--format", "json")
    assert r.returncode != 0
    assert "b_坏文件.docx" in r.stderr and "d.json" in r.stderr and "Traceback" not in r.stderr
    rows = read_summary(out)
    failed = [r for r in rows if r["状态"] == "失败"]
    assert sorted(Path(r["输入文件"]).name for r in failed) == ["b_坏文件.docx", "d.json"]
    assert all(r["问题与说明"] for r in failed)
    good = [r for r in rows if r["状态"] == "成功"]
    assert len(good) == 3 and all((out / r["输出文件"]).is_file() for r in good)
    assert all("没有匹配" not in r["问题与说明"] for r in rows)        # no --budgets: no budget rows


@pytest.mark.slow
def test_xlsx_and_md_outputs_are_reproducible(env, tmp_path, budgets):
    import openpyxl

    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEEDS[2], inputs / "002.txt")
    runs = []
    for n in (1, 2):
        out = tmp_path / f"x{n}"
        r = batch(env, inputs, "--year", 2025, "-o", out, "--budgets", budgets[0])
        assert r.returncode == 0, r.stderr
        runs.append(outputs(out))
        if n == 1:
            time.sleep(2.1)               # zip time stamps have 2-second resolution
    assert runs[0] == runs[1]
    drafts = [n for n in runs[0] if n.endswith(".xlsx") and not n.startswith("汇总")]
    assert len(drafts) == 7
    wb = openpyxl.load_workbook(tmp_path / "x1" / drafts[0])
    assert len(wb.sheetnames) >= 2 and "系统导入" in "".join(wb.sheetnames)
    assert wb.properties.created.year == 2025
    out = tmp_path / "md"
    r = batch(env, inputs, "--year", 2025, "-o", out, "--format", "md")
    assert r.returncode == 0 and len(list(out.glob("*.md"))) == 7


@pytest.mark.slow
def test_outputs_stay_in_outdir_and_are_not_read_back(env, tmp_path):
    import openpyxl

    inputs = tmp_path / "in"
    inputs.mkdir()
    names = ["../../逃出去/机房维护", '=HYPERLINK("http://x","点我")']
    for n, name in enumerate(names):
        f = {"name": name, "year": 2024, "budget": 5,
             "indicators": [{"level2": "数量指标", "name": "服务人次", "value": "300人次"}]}
        (inputs / f"h{n}.json").write_text(json.dumps(f, ensure_ascii=False), encoding="utf-8")
    shutil.copy(SEEDS[0], inputs / "seed.txt")
    out = inputs / "drafts"                       # OUTDIR inside the input folder
    for _ in range(2):
        r = batch(env, inputs, "--year", 2025, "-o", out, "--format", "json")
        assert r.returncode == 0, r.stderr
        assert len(read_summary(out)) == 3        # drafts written the first time are not inputs
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != inputs]
    assert {p.parent for p in written} == {out} and len(written) == 5
    assert not (tmp_path / "逃出去").exists()
    raw = (out / "汇总.csv").read_text(encoding="utf-8-sig")
    assert "\"'=HYPERLINK(" in raw and "\"=HYPERLINK" not in raw
    ws = openpyxl.load_workbook(out / "汇总.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row if str(c.value or "").lstrip("'").startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.slow
def test_one_batch_at_a_time_per_outdir(env, tmp_path):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = batch(env, SEEDS[0], "--year", 2025, "-o", out, "--format", "json")
        assert r.returncode == 2 and "另一个" in r.stderr
    finally:
        os.close(fd)
    r = batch(env, SEEDS[0], "--year", 2025, "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr


def test_usage_errors_exit_2_with_one_line(env, tmp_path):
    r = batch(env, tmp_path / "missing", "--year", 2025, "-o", tmp_path / "o")
    assert r.returncode == 2 and "不存在" in r.stderr and "Traceback" not in r.stderr
    bad_budgets = tmp_path / "b.csv"
    bad_budgets.write_text("甲,乙\n1,2\n", encoding="utf-8")
    r = batch(env, SEEDS[0], "--year", 2025, "-o", tmp_path / "o", "--budgets", bad_budgets)
    assert r.returncode == 2 and "b.csv" in r.stderr and "项目名称" in r.stderr


@pytest.mark.slow
def test_drafts_that_cannot_be_written_are_listed_even_without_a_summary(env, tmp_path):
    """A full disk (here: names taken by folders) fails drafts and the 汇总 alike: the screen
    still names every draft that failed, and the run exits 2."""
    out = tmp_path / "out"
    out.mkdir()
    first = batch(env, SEEDS[0], "--year", 2025, "-o", tmp_path / "probe")
    names = sorted(p.name for p in (tmp_path / "probe").glob("*.xlsx") if not p.name.startswith("汇总"))
    assert first.returncode == 0 and names
    for name in names + ["汇总.csv", "汇总.xlsx"]:
        (out / name).mkdir()                      # nothing can be written under these names
    r = batch(env, SEEDS[0], "--year", 2025, "-o", out, "--force")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for name in names:
        assert f"「{name[:-5]}」写入失败" in r.stderr, r.stderr
    assert "汇总" in r.stderr and "汇总表未能写出" in r.stdout


def test_an_outdir_holding_every_input_is_named_as_the_problem(env, tmp_path):
    """`batch X -o X` once said no files were found: the files are there, inside OUTDIR."""
    folder = tmp_path / "x"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "seed.txt")
    r = batch(env, folder, "--year", 2025, "-o", folder)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "输出文件夹" in r.stderr and "没有找到" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------- crash safety

def _cmd(out: Path, budgets: Path) -> list[str]:
    return [sys.executable, "-m", "jixiao.cli.main", "batch", str(SEED_DIR), "--year", "2025", "-o", str(out),
            "--budgets", str(budgets), "--format", "json"]


@pytest.mark.slow
def test_killed_batches_finish_identically(env, budgets, tmp_path):
    """SIGKILL a running batch right after chosen progress events, run it again, compare every byte.

    The progress event is an output appearing in OUTDIR (event N: N visible outputs; 0 = still
    starting up).  Five trials, each killed four times into the same OUTDIR at rising events, cover
    every N from 0 to 19 of the 24 outputs, so the kills fall before, between and during the writes
    and each leaves work still to do; no kill waits on a clock."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **env}
    ref = tmp_path / "ref"
    subprocess.run(_cmd(ref, budgets[0]), env=full_env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    expected = outputs(ref)
    assert len(expected) == 24

    def visible(out: Path) -> int:
        try:
            return sum(1 for p in os.scandir(out) if not p.name.startswith("."))
        except FileNotFoundError:
            return 0

    kills = interrupted = partial = 0
    for trial in range(5):
        out = tmp_path / f"t{trial}"
        for target in (trial, trial + 5, trial + 10, trial + 15):
            proc = subprocess.Popen(_cmd(out, budgets[0]), env=full_env, cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and visible(out) < target:
                time.sleep(0.002)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                interrupted += 1
            proc.wait()
            kills += 1
            partial += 0 < visible(out) < len(expected)
        r = subprocess.run(_cmd(out, budgets[0]), env=full_env, cwd=ROOT, capture_output=True, timeout=300)
        assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
        assert outputs(out) == expected, trial
        assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    print(f"{kills} runs killed after progress events ({interrupted} still running, {partial} left a partial OUTDIR)")
    assert kills == 20 and interrupted >= 18 and partial >= 15


@pytest.fixture(scope="module")
def many_filings(tmp_path_factory, seed_filings):
    """90 filings (the seeds again and again under numbered names), enough for worker processes,
    and one damaged file."""
    folder = tmp_path_factory.mktemp("many")
    for i in range(90):
        f = seed_filings[i % len(seed_filings)]
        d = f.model_dump(mode="json", exclude={"source"})
        d["name"] = f"{f.name}（第{i + 1}组）"
        (folder / f"{i:03d}.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    (folder / "045_damaged.json").write_text('{"name": "断开的', encoding="utf-8")
    return folder


def _many_cmd(folder: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "jixiao.cli.main", "batch", str(folder), "--year", "2025", "-o", str(out),
            "--format", "json", "--jobs", str(jobs)]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return False


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_parallel_batch_is_the_serial_batch_and_dies_with_its_parent(env, many_filings, tmp_path):
    """--jobs 2 shares reading and carrying out over forked workers: the same bytes and the same
    report of the damaged file as --jobs 1; a batch killed while its workers write leaves no
    worker running, and a re-run ends identically."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **env}
    runs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        r = subprocess.run(_many_cmd(many_filings, out, jobs), env=full_env, cwd=ROOT,
                           capture_output=True, timeout=300)
        stderr = r.stderr.decode("utf-8", "replace")
        assert r.returncode == 2 and "045_damaged.json" in stderr and "Traceback" not in stderr, stderr
        runs[jobs] = outputs(out)
    assert len(runs[1]) == 92 and runs[1] == runs[2]

    out = tmp_path / "killed"
    proc = subprocess.Popen(_many_cmd(many_filings, out, 2), env=full_env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        workers.update(_children(proc.pid))
        if out.exists() and sum(1 for p in out.iterdir() if p.suffix == ".json") >= 20:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the batch ended before it could be killed"
    workers.update(_children(proc.pid))
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < end:
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "workers outlived the killed batch"
    r = subprocess.run(_many_cmd(many_filings, out, 2), env=full_env, cwd=ROOT, capture_output=True, timeout=300)
    assert r.returncode == 2, r.stderr.decode("utf-8", "replace")
    assert outputs(out) == runs[1]
