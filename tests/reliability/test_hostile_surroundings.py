"""Issue 17, broken surroundings: a session that cannot be saved, another application's SQLite
file, damaged / read-only / deleted catalogues, crafted session files, temporaries of killed
runs.  Each is answered in Chinese through the real command line (capped.run_capped: 300 MB
address space, no traceback) and nothing is lost or changed that should not be.

Items of the issue: 4 chat cannot save, 9 a foreign SQLite file, 10 broken catalogues,
11 session files, 13 leftovers.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .capped import ROOT, line_about, run_capped

NAME = "政务服务热线运行维护"
INTAKE = [NAME, "全年受理群众来电诉求约10000件，保障12345热线平稳运行。", "", "80", "2026", "市政务服务管理局"]


def _chat(db: Path, lines: list[str], *args: str, env: dict | None = None, **kw):
    return run_capped("chat", "--no-feedback", *args, input="\n".join(lines) + "\n",
                      env={"JIXIAO_DB": str(db), **(env or {})}, **kw)


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".tmp" in p.name]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 4. chat cannot save -----------------------------------------------------------------------------

@pytest.mark.slow
def test_chat_goes_on_when_its_sessions_folder_cannot_be_made(shared_db_copy, tmp_path):
    """sessions/ cannot be created (a file of that name stands in the way, as a read-only
    folder would): the session is saved in the temporary folder instead, the officer is told,
    the draft exported, and --resume of the saved copy continues it."""
    (shared_db_copy.parent / "sessions").write_text("不是文件夹", encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = _chat(shared_db_copy, INTAKE + ["下一步", f"导出 {tmp_path / 'draft.xlsx'}", "退出"],
                env={"TMPDIR": str(temp)}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "会话无法保存到" in out.stdout and "改为保存在" in out.stdout
    assert out.stdout.count("会话无法保存") == 1                      # said once, not at every line
    assert (tmp_path / "draft.xlsx").is_file()
    (saved,) = (temp / "jixiao-sessions").glob("*.json")
    assert f"已保存在 {saved}" in out.stdout
    again = _chat(shared_db_copy, ["跳到 总表", "退出"], "--resume", str(saved), env={"TMPDIR": str(temp)}, cwd=tmp_path)
    assert again.returncode == 0 and "继续上次的会话" in again.stdout, again.stderr
    assert not _temporaries(shared_db_copy.parent) and not _temporaries(temp)


@pytest.mark.slow
def test_chat_goes_on_when_nothing_can_be_saved_and_says_so(shared_db_copy, tmp_path):
    (shared_db_copy.parent / "sessions").write_text("不是文件夹", encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / "jixiao-sessions").write_text("也不是文件夹", encoding="utf-8")
    out = _chat(shared_db_copy, INTAKE + ["下一步", f"导出 {tmp_path / 'draft.json'}", "退出"],
                env={"TMPDIR": str(temp)}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "会话无法保存" in out.stdout and "导出" in out.stdout
    assert "草稿没有保存下来" in out.stdout and "会话已保存" not in out.stdout
    assert json.loads((tmp_path / "draft.json").read_text(encoding="utf-8"))["project"]["name"] == NAME


@pytest.mark.slow
def test_chat_on_a_full_disk_keeps_the_last_good_save_and_leaves_no_temporary(shared_db_copy, tmp_path):
    """Writes past 4 KB fail as on a full disk (RLIMIT_FSIZE): the questions' answers are
    saved, the first draft is not; the chat goes on and the earlier session file stays whole.
    (A connection held open here keeps the catalogue's 32 KB -shm in place for the reader.)"""
    temp = tmp_path / "tmp"
    temp.mkdir()
    keep = sqlite3.connect(shared_db_copy)
    try:
        keep.execute("SELECT count(*) FROM meta").fetchone()
        out = _chat(shared_db_copy, INTAKE + ["下一步", "下一步", "退出"], env={"TMPDIR": str(temp)},
                    fsize=4096, cwd=tmp_path)
    finally:
        keep.close()
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("会话无法保存") == 1 and "草稿没有保存下来" in out.stdout
    (session,) = (shared_db_copy.parent / "sessions").glob("*.json")
    state = json.loads(session.read_text(encoding="utf-8"))          # whole, from before the draft
    assert state["answers"]["name"] == NAME
    assert not _temporaries(shared_db_copy.parent) and not _temporaries(temp)


# --- 9. another application's SQLite file ---------------------------------------------------------------

@pytest.fixture
def foreign(tmp_path) -> Path:
    path = tmp_path / "other-app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('别的软件的数据')")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["suggest", NAME, "--budget", "80", "--year", "2026"], ["ingest", str(ROOT / "corpus" / "seeds")],
    ["catalogue", "stats"], ["lint", str(ROOT / "corpus" / "seeds")]], ids=["suggest", "ingest", "stats", "lint"])
def test_a_foreign_sqlite_file_is_refused_and_left_as_it_was(foreign, command):
    before = _sha(foreign)
    out = run_capped(*command, env={"JIXIAO_DB": str(foreign)})
    if command[0] != "lint":                       # lint never opens the catalogue
        assert out.returncode == 2
        line_about(out, str(foreign), "不是 jixiao 指标库", "未作任何改动")
    assert _sha(foreign) == before
    assert not list(foreign.parent.glob(foreign.name + "-*"))
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.slow
def test_a_file_that_is_not_sqlite_is_refused_naming_the_jixiao_db_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库" * 100, encoding="utf-8")
    before = _sha(path)
    for command in (["suggest", NAME, "--budget", "80"], ["batch", str(ROOT / "corpus" / "seeds"), "--year", "2025",
                                                          "-o", str(tmp_path / "out")]):
        out = run_capped(*command, env={"JIXIAO_DB": str(path)})
        assert out.returncode == 2
        line = line_about(out, str(path), "不是 SQLite 文件")
        assert "（默认）" not in line
    assert _sha(path) == before


# --- 10. broken catalogues ------------------------------------------------------------------------------

def _damage(db: Path, page: int = -6, pages: int = 4) -> None:
    """Overwrite pages near the end of the file (indicator and index pages, not the schema)."""
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.seek(size + page * 4096)
        fh.write(os.urandom(pages * 4096))


@pytest.mark.slow
def test_ingest_into_a_damaged_catalogue_does_not_report_success(shared_db_copy):
    seeds = str(ROOT / "corpus" / "seeds")
    assert run_capped("ingest", seeds, "--db", str(shared_db_copy)).returncode == 0     # all already read
    with sqlite3.connect(shared_db_copy) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(shared_db_copy)
    out = run_capped("ingest", seeds, "--db", str(shared_db_copy))
    assert out.returncode == 2 and "新增申报表" not in out.stdout
    line_about(out, str(shared_db_copy), "已损坏")


@pytest.mark.slow
def test_damage_met_only_by_a_query_is_named_not_a_traceback(shared_db_copy):
    """Found by the campaign: a catalogue that opens fine but whose library pages are overwritten
    fails when suggest reads them; the officer gets the file and 已损坏, exit 2."""
    with sqlite3.connect(shared_db_copy) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'library'").fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    with open(shared_db_copy, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x0d" + os.urandom(page_size - 1))
    out = run_capped("suggest", NAME, "--budget", "80", "--year", "2026", "--db", str(shared_db_copy))
    assert out.returncode == 2
    line_about(out, str(shared_db_copy), "已损坏")


@pytest.mark.slow
@pytest.mark.parametrize("key", ["schema", "changes"])
def test_a_non_numeric_schema_value_is_named(shared_db_copy, key):
    with sqlite3.connect(shared_db_copy) as conn:
        conn.execute("UPDATE meta SET value = 'abc' WHERE key = ?", (key,))
    for command in (["ingest", str(ROOT / "corpus" / "seeds")], ["catalogue", "stats"]):
        out = run_capped(*command, "--db", str(shared_db_copy))
        assert out.returncode == 2
        line_about(out, str(shared_db_copy), f"meta.{key}")


def _read_only(folder: Path):
    """Make a folder read-only for this process, or skip: chmod for a user, the immutable
    attribute for root (root ignores permission bits)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    pytest.skip("cannot make a folder read-only here")


@pytest.mark.slow
def test_a_catalogue_in_a_read_only_folder_is_read_and_not_written(shared_db_copy, tmp_path):
    """Copied to read-only media without its -wal/-shm: suggest and catalogue stats read it;
    ingest says the folder cannot be written."""
    with sqlite3.connect(shared_db_copy) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in shared_db_copy.parent.glob(shared_db_copy.name + "-*"):
        extra.unlink()
    undo = _read_only(shared_db_copy.parent)
    try:
        out = run_capped("suggest", NAME, "--budget", "80", "--year", "2026", "--format", "json",
                         "--db", str(shared_db_copy), memory_mb=1024)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["indicators"]
        assert run_capped("catalogue", "stats", "--db", str(shared_db_copy)).returncode == 0
        out = run_capped("ingest", str(ROOT / "corpus" / "seeds"), "--db", str(shared_db_copy))
        assert out.returncode == 2
        line_about(out, str(shared_db_copy), "只读")
        assert sorted(p.name for p in shared_db_copy.parent.iterdir()) == sorted(
            [shared_db_copy.name, shared_db_copy.name + ".index.npz"])
    finally:
        undo()


@pytest.mark.slow
def test_a_catalogue_deleted_during_a_chat_is_noticed(shared_db_copy, tmp_path):
    """退出 records the officer's choices: into a catalogue that was deleted meanwhile it must
    say so, not build a fresh one and report them recorded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_DB": str(shared_db_copy)}
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
                            text=True, encoding="utf-8")
    try:
        proc.stdin.write("\n".join(INTAKE + ["下一步"]) + "\n")
        proc.stdin.flush()
        folder = shared_db_copy.parent / "sessions"
        end = time.monotonic() + 120
        while time.monotonic() < end:
            files = list(folder.glob("*.json")) if folder.is_dir() else []
            try:
                if files and json.loads(files[0].read_text(encoding="utf-8")).get("step") == 1:
                    break
            except ValueError:
                pass
            time.sleep(0.1)
        for path in shared_db_copy.parent.glob(shared_db_copy.name + "*"):
            path.unlink()
        out, err = proc.communicate("退出\n", timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert "被删除或移走" in out and "记入指标库，以后" not in out
    assert not shared_db_copy.exists()


# --- 11. crafted and damaged session files ----------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_session(shared_db, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("session")
    db = folder / "c.db"
    shutil.copy(shared_db, db)
    shutil.copy(shared_db.with_name(shared_db.name + ".index.npz"), folder / "c.db.index.npz")
    out = _chat(db, INTAKE + ["下一步", "退出"], cwd=folder)
    assert out.returncode == 0, out.stderr
    (path,) = (folder / "sessions").glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("change, fragment", [
    ({"draft": None}, "没有草稿"), ({"field": 99}, "问题序号"), ({"step": -5}, "步骤序号"), ({"step": 99}, "步骤序号"),
    ({"profile": "上海"}, "模板"), ({"answers": {"budget": "八十"}, "phase": "intake"}, "回答"),
    ({"answers": {"year": [2026]}, "phase": "intake"}, "回答"), ({"format": 7}, "不是本版本"),
    ({"draft": {"project": "x"}}, "不完整"),
], ids=["no-draft", "field-99", "step-minus-5", "step-99", "profile", "budget-text", "year-list", "format", "draft-shape"])
def test_a_crafted_session_file_is_named_on_resume(saved_session, shared_db_copy, tmp_path, change, fragment):
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps({**saved_session, **change}, ensure_ascii=False), encoding="utf-8")
    out = run_capped("chat", "--resume", str(path), input="退出\n", env={"JIXIAO_DB": str(shared_db_copy)})
    assert out.returncode == 2
    line_about(out, str(path), fragment)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["cut", "bytes", "empty", "nan", "surrogate"])
def test_a_damaged_session_file_is_named_on_resume(saved_session, shared_db_copy, tmp_path, damage):
    path = tmp_path / "damaged.json"
    text = json.dumps(saved_session, ensure_ascii=False)
    if damage == "cut":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "bytes":
        path.write_bytes(os.urandom(2000))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "nan":
        path.write_text(text.replace('"step": 1', '"step": NaN'), encoding="utf-8")
    else:
        path.write_text(text.replace(f'"{NAME}"', '"\\ud800"', 1), encoding="utf-8")
    out = run_capped("chat", "--resume", str(path), input="退出\n", env={"JIXIAO_DB": str(shared_db_copy)})
    if damage == "surrogate":                       # replaced when read: the session goes on
        assert out.returncode == 0, out.stderr
        return
    assert out.returncode == 2
    line_about(out, str(path))


# --- 13. temporaries of killed runs ------------------------------------------------------------------------

def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _leftover(path: Path, age: float = 120) -> Path:
    path.write_bytes(b"\0" * 1024)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_temporaries_of_killed_runs_are_removed_at_the_next_start(shared_db_copy):
    folder, name = shared_db_copy.parent, shared_db_copy.name
    dead = _dead_pid()
    gone = [_leftover(folder / f".{name}.{dead}.a1b2c3d4.tmp"), _leftover(folder / f".{name}.{dead}.a1b2c3d4.tmp-wal"),
            _leftover(folder / f".{name}.{dead}.a1b2c3d4.tmp-shm"), _leftover(folder / f".{name}.index.npz.{dead}.tmp")]
    sessions = folder / "sessions"
    sessions.mkdir()
    gone.append(_leftover(sessions / f".20250101-000000-{dead}.json.{dead}.tmp"))
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        kept = [_leftover(folder / f".{name}.{live.pid}.0badcafe.tmp"), _leftover(folder / f".{name}.{dead}.ab.tmp", age=0),
                _leftover(folder / f".other.db.{dead}.tmp"), _leftover(sessions / f".x.json.{live.pid}.tmp")]
        out = run_capped("suggest", NAME, "--budget", "80", "--year", "2026", "--db", str(shared_db_copy))
        assert out.returncode == 0, out.stderr
        assert run_capped("chat", "--list", "--db", str(shared_db_copy)).returncode == 0
        assert not any(p.exists() for p in gone)
        assert all(p.exists() for p in kept)
    finally:
        live.kill()
        live.wait()


@pytest.mark.slow
def test_a_first_build_killed_midway_leaves_nothing_after_the_next_start(tmp_path):
    db = tmp_path / "new" / "catalogue.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "catalogue", "stats", "--db", str(db)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for leftover in _temporaries(db.parent) if db.parent.exists() else []:
            old = time.time() - 60                        # as found a minute later
            os.utime(leftover, (old, old))
        out = run_capped("catalogue", "stats", "--db", str(db))
        assert out.returncode == 0, out.stderr
        assert not _temporaries(db.parent)
        db.unlink()
        for extra in db.parent.glob(db.name + "*"):
            extra.unlink()
