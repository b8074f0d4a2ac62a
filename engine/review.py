"""Reviewing existing filings against the review rules (engine.lint), file by file.

    ReviewedFiling(file, filing, draft, findings)
    review_file(path, profile="default", departments=False) -> [ReviewedFiling]
        every project filing of one file (department filings too when departments), as a draft
        with its findings; corpus.errors.InputError when the file cannot be read
"""
from __future__ import annotations

from typing import NamedTuple


class ReviewedFiling(NamedTuple):
    file: str                  # the file as given
    filing: object             # corpus.models.Filing
    draft: object              # engine.draft.Draft made from the filing
    findings: list             # engine.draft.LintFinding


def review_file(path, profile: str = "default", departments: bool = False) -> list[ReviewedFiling]:
    from jixiao.corpus.parse import parse_file

    from .draft import draft_from_filing
    from .lint import lint_draft

    out = []
    for f in parse_file(path):
        if f.kind != "project" and not departments:
            continue
        draft = draft_from_filing(f)
        out.append(ReviewedFiling(str(path), f, draft, lint_draft(draft, profile)))
    return out
