"""Errors the corpus layer raises for bad input.  Messages are Chinese and name the file."""
from __future__ import annotations

from .safe_text import one_line, shown_path


class InputError(Exception):
    """A file could not be read as filings.  str(e) is one line for the officer: the file's name
    as one printable line (a line break or undecodable bytes in it are shown escaped), then the
    problem.  `path` keeps the name exactly as given."""

    def __init__(self, path: str, problem: str):
        self.path = str(path)
        self.problem = one_line(problem)
        super().__init__(f"{shown_path(self.path)}：{self.problem}")


class PartlyReadError(InputError):
    """Some records of a JSON / JSON Lines file are unusable and the others were read.

    `filings` holds the good ones (a caller that can use them — ingest — stores them), `problems`
    one line per bad record; str(e) names the file, the first problem and how many were read."""

    def __init__(self, path: str, problems: list[str], filings: list):
        self.problems = [one_line(p) for p in problems]
        self.filings = filings
        others = f"另有 {len(problems) - 1} 条记录有问题，" if len(problems) > 1 else ""
        super().__init__(path, f"{self.problems[0]}（{others}其余 {len(filings)} 张申报表已读出）")
