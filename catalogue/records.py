"""What the catalogue's read path (catalogue.query.CatalogueReader) returns: named, immutable rows.

Field order is the SELECT order in catalogue.query.
"""
from __future__ import annotations

from typing import NamedTuple


class FilingFacts(NamedTuple):
    """A stored filing as the engine reads it; tags: its sectors, primary first."""
    id: int
    name: str
    year: int | None
    budget: float | None
    department: str | None
    description: str | None
    kind: str
    src_file: str | None
    tags: tuple[str, ...]


class IndicatorFacts(NamedTuple):
    """One indicator of a stored filing (rows come in form order)."""
    filing_id: int
    canonical_id: int | None
    level2: str
    name: str
    value: str | None
    basis: str | None


class CanonicalFacts(NamedTuple):
    """A canonical indicator: the most used spelling, how many filings use it, its typical value
    and its sectors (most used first; a frozenset once the engine caches it)."""
    id: int
    code: str
    level2: str
    name: str
    usage: int
    typical_value: str | None
    tags: list[str] | frozenset[str]


class LibraryEntry(NamedTuple):
    """A sector library entry (行业指标库); requires: JSON list of words the project text must hold."""
    type: str
    level2: str
    name: str
    value: str | None
    basis: str | None
    code: str
    unit: str | None
    direction: str | None
    requires: str | None


class PopularIndicator(NamedTuple):
    """A canonical indicator of a 二级 and how many filings (outside the held-out ones) use it."""
    id: int
    name: str
    typical_value: str | None
    n: int
