"""A new project to draft, from what an officer gives (a name, a description, a budget …).

    default_year() -> int           budgets are prepared for the coming year
    make_project(name, desc="", budget=None, year=None, dept=None, types=None) -> draft.Project
    resolve_types(given) -> (canonical sector tags or None, unknown spellings)
"""
from __future__ import annotations

import datetime


def default_year() -> int:
    """Budgets are prepared for the coming year."""
    return datetime.date.today().year + 1


def make_project(name, desc="", budget=None, year=None, dept=None, types=None):
    from jixiao.engine.draft import Project

    return Project(name=name.strip(), description=(desc or "").strip(), budget=budget,
                   year=year or default_year(), department=dept or None,
                   sectors=list(types or []), sectors_inferred=not types)


def resolve_types(given: list[str] | None) -> tuple[list[str] | None, list[str]]:
    """(canonical tags, unknown spellings) for --type values or a list row's type."""
    if not given:
        return None, []
    from jixiao.catalogue.tags import resolve_tag

    resolved = [resolve_tag(t) for t in given]
    unknown = [t for t, r in zip(given, resolved) if r is None]
    return list(dict.fromkeys(r for r in resolved if r)) or None, unknown
