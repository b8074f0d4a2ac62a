"""jixiao installs one import package: the repository's folders are jixiao.corpus, jixiao.catalogue,
jixiao.engine and jixiao.cli, and none of them is a top-level name that could clash with another
distribution (``catalogue`` is a dependency of spaCy)."""
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")          # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_only_jixiao_is_importable_outside_the_repository(tmp_path):
    for name in ("corpus", "catalogue", "engine", "cli"):
        r = _run(f"import {name}", tmp_path)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, (name, r.stderr)
        r = _run(f"import jixiao.{name}; print(jixiao.{name}.__file__)", tmp_path)
        assert r.returncode == 0, r.stderr
        assert Path(r.stdout.strip()).parent == ROOT / name


def test_every_data_folder_is_declared_as_package_data():
    """A data folder missing from the packages list is left out of a wheel (and makes setuptools
    print a screenful of warnings); every folder under the four packages must be listed."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(conf["packages"])
    mapped = {v: k for k, v in conf["package-dir"].items()}
    for top in ("corpus", "catalogue", "engine", "cli"):
        for folder in [ROOT / top, *(p for p in (ROOT / top).rglob("*") if p.is_dir())]:
            if folder.name == "__pycache__" or not any(f.is_file() for f in folder.iterdir()):
                continue
            rel = folder.relative_to(ROOT / top).parts
            name = ".".join([mapped[top], *rel])
            assert name in declared, f"{folder.relative_to(ROOT)} is not declared as {name}"
            files = [f for f in folder.iterdir() if f.is_file() and f.suffix != ".py"]
            data = conf["package-data"].get(name, [])
            for f in files:
                assert any(f.match(pattern) for pattern in data), f"{f.relative_to(ROOT)} not in package-data"
