"""The README's Python example (“在 Python 中使用”) runs exactly as written and makes the same draft as
`jixiao suggest` with the arguments its comment names.

The ```python block is run by the installed Python in a fresh folder with a copy of the test
catalogue as JIXIAO_DB; the `jixiao suggest …` command of its first comment line is run the same
way in another folder.  The lines the example prints must be the draft's indicators as the
command's --format json gives them, and the .xlsx both write must be the same bytes.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def python_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 在 Python 中使用", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the section has one Python example"
    return blocks[0]


def the_same_command(code: str) -> list[str]:
    """The `jixiao suggest …` command the example's comment says it equals, as arguments."""
    said = re.search(r"#\s*与 (jixiao suggest .*?) 相同", code)
    assert said, "the example names the command it equals"
    return shlex.split(said.group(1))


@pytest.fixture
def env(tmp_path, shared_db):
    db = tmp_path / "db" / "catalogue.db"
    db.parent.mkdir()
    shutil.copy(shared_db, db)
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "JIXIAO_DB": str(db), "PYTHONIOENCODING": "utf-8",
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def _run(args, cwd, env):
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                         timeout=300)
    assert out.returncode == 0, (args, out.stderr[-2000:])
    return out.stdout


def test_the_python_example_makes_the_same_draft_as_jixiao_suggest(tmp_path, env):
    if not shutil.which("jixiao", path=env["PATH"]):
        pytest.skip("jixiao is not installed next to this Python (pip install -e .)")
    code = python_example()
    command = the_same_command(code)
    assert command[:2] == ["jixiao", "suggest"] and command[-2] == "-o"
    out_name = command[-1]

    api_dir, cli_dir = tmp_path / "api", tmp_path / "cli"
    api_dir.mkdir()
    cli_dir.mkdir()
    printed = _run([sys.executable, "-c", code], api_dir, env)
    _run(command, cli_dir, env)
    shown = json.loads(_run(command[:-2] + ["--format", "json"], cli_dir, env))

    expected = "".join(f"{i['level2']}\t{i['name']}\t{i['value']}\n" for i in shown["indicators"])
    assert shown["indicators"] and printed == expected
    assert (api_dir / out_name).read_bytes() == (cli_dir / out_name).read_bytes()


def test_help_shows_the_api():
    out = subprocess.run([sys.executable, "-c", "import jixiao; help(jixiao)"], capture_output=True,
                         text=True, encoding="utf-8", env={**os.environ, "PAGER": "cat"}, timeout=60)
    assert out.returncode == 0, out.stderr
    for name in ("open_catalogue", "suggest", "write", "render", "parse", "lint", "ingest", "batch"):
        assert re.search(rf"^    {name}\(", out.stdout, flags=re.M), name
