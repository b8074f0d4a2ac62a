"""Rewrite the golden files from the current parser.

Use only deliberately, after a parser change you mean to keep:

    .venv/bin/python tests/golden/regen.py          # every seed
    .venv/bin/python tests/golden/regen.py 002 003  # seeds whose file name starts with these

then read `git diff tests/golden/` line by line against the seed text (see REVIEW.md) before
committing.  The shape is the one tests/corpus/test_parse_seeds.py compares (`_plain`).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent), str(HERE.parent / "corpus")]

from jixiao.corpus.parse import parse_file  # noqa: E402
from test_parse_seeds import GOLDEN, SEEDS, _plain  # noqa: E402


def write_golden(seed: Path) -> Path:
    """Write tests/golden/<seed stem>.json atomically; returns its path."""
    text = json.dumps(_plain(parse_file(seed)), ensure_ascii=False, indent=2) + "\n"
    target = GOLDEN / (seed.stem + ".json")
    fd, tmp = tempfile.mkstemp(dir=GOLDEN, prefix=".regen-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target


def main(prefixes: list[str]) -> int:
    chosen = [s for s in SEEDS if not prefixes or s.name.startswith(tuple(prefixes))]
    if not chosen:
        print(f"没有找到以 {' '.join(prefixes)} 开头的种子文件", file=sys.stderr)
        return 2
    for seed in chosen:
        print(write_golden(seed).relative_to(HERE.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
