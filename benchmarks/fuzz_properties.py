"""The suite's property tests (hypothesis) as a long fuzz run, with fresh examples and a report.

    .venv/bin/python benchmarks/fuzz_properties.py [--scale 20] [--seed N] [-k EXPR] [paths ...]

In the suite (and in CI) every property test draws the same examples on every machine (profile
"ci", derandomize, see tests/conftest.py) with the max_examples written on the test.  Here the
same tests run under HYPOTHESIS_PROFILE=explore (fresh random examples; --seed N repeats a run)
with each test's max_examples multiplied by --scale.  Only tests that use hypothesis are run
(by default from tests/; name files or folders to narrow it, -k as in pytest).

Prints one line per property test (examples asked for, times its body ran — shrinking included
—, seconds, outcome), then the totals and the command line.  Exit status is pytest's: 0 when
every property held; a failure prints hypothesis's minimal example and the seed to reproduce it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class ScaleExamples:
    """pytest plugin: keep the hypothesis tests only, scale their max_examples, count and time them."""

    def __init__(self, scale: int):
        self.scale = scale
        self.rows: dict[str, dict] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        from hypothesis import settings

        keep = []
        for item in items:
            test = getattr(item, "obj", None)
            handle = getattr(test, "hypothesis", None)
            if handle is None:
                continue
            base = getattr(test, "_hypothesis_internal_use_settings", settings.default)
            wanted = base.max_examples * self.scale
            # the settings object the @given wrapper reads when it runs (explicit @settings included)
            test._hypothesis_internal_use_settings = settings(base, max_examples=wanted)
            row = self.rows[item.nodeid] = {"asked": wanted, "ran": 0, "seconds": 0.0, "outcome": "—"}
            handle.inner_test = self._counting(handle.inner_test, row)
            keep.append(item)
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep

    @staticmethod
    def _counting(inner, row):
        def counted(*args, **kwargs):
            row["ran"] += 1
            return inner(*args, **kwargs)
        return counted

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        start = time.perf_counter()
        outcome = yield
        row = self.rows.get(item.nodeid)
        if row is not None:
            row["seconds"] += time.perf_counter() - start
            row["outcome"] = "passed" if outcome.excinfo is None else "failed"

    def report(self) -> None:
        rows = [(k, r) for k, r in self.rows.items() if r["outcome"] != "—"]
        width = max((len(k) for k, _ in rows), default=10)
        print()
        print(f"{'property test':<{width}}  {'asked':>7}  {'ran':>7}  {'seconds':>8}  outcome")
        for key, r in rows:
            print(f"{key:<{width}}  {r['asked']:>7}  {r['ran']:>7}  {r['seconds']:>8.1f}  {r['outcome']}")
        failed = sum(r["outcome"] == "failed" for _, r in rows)
        print(f"\n{len(rows)} property tests, {sum(r['ran'] for _, r in rows):,} examples run "
              f"({sum(r['asked'] for _, r in rows):,} asked), {sum(r['seconds'] for _, r in rows):.0f} s, "
              f"{failed} failed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=20, help="multiply each test's max_examples (default 20)")
    ap.add_argument("--seed", type=int, help="hypothesis seed (repeat a run); default: fresh")
    ap.add_argument("-k", dest="keyword", help="pytest -k expression")
    ap.add_argument("paths", nargs="*", help="test files or folders (default: tests/)")
    args = ap.parse_args(argv)

    os.environ["HYPOTHESIS_PROFILE"] = "explore"          # read by tests/conftest.py
    os.chdir(ROOT)
    plugin = ScaleExamples(args.scale)
    pytest_args = ["-p", "no:cacheprovider", "-q", "-W", "ignore", *(args.paths or ["tests"])]
    if args.seed is not None:
        pytest_args += ["--hypothesis-seed", str(args.seed)]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    start = time.monotonic()
    status = pytest.main(pytest_args, plugins=[plugin])
    plugin.report()
    print(f"wall time {time.monotonic() - start:.0f} s; command: python benchmarks/fuzz_properties.py "
          + " ".join(argv if argv is not None else sys.argv[1:]))
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
