"""The catalogue's tables (created with sqlite-utils) and what each column means.

Read by catalogue.query (the engine): meta, filings, indicators, canonical, library, feedback.
The rest support the write path, the catalogue commands and incremental statistics.

    meta              key → value: revision, changes, catalogue_id, schema, library/tags versions
    sources           files already read, by SHA-256 of their bytes (re-reading them is skipped)
    filings           one row per filing; content_hash (unique) dedupes the same filing from any format
    filing_tags       sectors (行业) of each filing, rank 0 = primary
    indicators        one row per 三级 indicator, in form order; parsed value; canonical_id
    canonical         merged near-identical names per 二级: usage (filings), typical value, tags,
                      numeric range in the most common unit, top values, stable code
    canonical_names   the spellings merged into each canonical indicator (name, merge key, count);
                      canonical_names_fts indexes their normalised text (FTS5 trigram) for search
    canonical_values  value → count per canonical indicator (number/unit parsed)
    canonical_tags    tag → number of filings per canonical indicator
    code_seq          last sequence number per code prefix <type>-<二级>
    dirty_canonical   canonical ids whose statistics wait for the end of an ingest run
    library           the built-in sector library (行业指标库, data/sectors/): entries per sector
    feedback          what officers kept / added / changed / rejected in chat
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 1

_TABLES = {
    "meta": ({"key": str, "value": str}, "key"),
    "sources": ({"sha256": str, "path": str, "filings": int, "ingested_at": str}, "sha256"),
    "filings": ({
        "id": int, "content_hash": str, "kind": str, "name": str, "department": str, "year": int,
        "budget": float, "period": str, "description": str, "src_file": str, "src_table": int,
        "src_row": int, "n_indicators": int, "primary_tag": str, "file_sha": str, "ingested_at": str,
    }, "id"),
    "filing_tags": ({"filing_id": int, "tag": str, "score": float, "rank": int}, ("filing_id", "tag")),
    "indicators": ({
        "id": int, "filing_id": int, "position": int, "level1": str, "level2": str,
        "level1_raw": str, "level2_raw": str, "name": str, "value": str, "basis": str,
        "kind": str, "op": str, "number": float, "unit": str, "year": int,
        "src_file": str, "src_table": int, "src_row": int, "canonical_id": int,
    }, "id"),
    "canonical": ({
        "id": int, "code": str, "key": str, "level1": str, "level2": str, "name": str, "usage": int,
        "typical_value": str, "tags": str, "unit": str, "num_min": float, "num_max": float,
        "top_values": str, "created_at": str,
    }, "id"),
    "canonical_names": ({"id": int, "canonical_id": int, "level2": str, "name": str, "key": str,
                         "norm": str, "n": int}, "id"),
    "canonical_values": ({"canonical_id": int, "value": str, "n": int, "number": float, "unit": str},
                         ("canonical_id", "value")),
    "canonical_tags": ({"canonical_id": int, "tag": str, "n": int}, ("canonical_id", "tag")),
    "code_seq": ({"prefix": str, "last": int}, "prefix"),
    "dirty_canonical": ({"id": int}, "id"),
    "library": ({"id": int, "type": str, "level1": str, "level2": str, "name": str, "value": str,
                 "basis": str, "code": str, "explain": str, "source": str, "unit": str, "direction": str,
                 "requires": str}, "id"),
    "feedback": ({"id": int, "name": str, "level2": str, "action": str, "project": str,
                  "created_at": str}, "id"),
}

_NOT_NULL = {
    "filings": {"content_hash", "kind", "name", "n_indicators"},
    "indicators": {"filing_id", "position", "level2", "name"},
    "canonical": {"code", "key", "level2", "name", "usage"},
    "canonical_names": {"canonical_id", "level2", "name", "key", "norm", "n"},
}

_DEFAULTS = {
    "canonical": {"usage": 0, "tags": "[]", "top_values": "[]"},
}

_INDEXES = [
    ("filings", ["content_hash"], True),
    ("filing_tags", ["tag"], False),
    ("indicators", ["filing_id", "position"], False),
    ("indicators", ["canonical_id"], False),
    ("canonical", ["code"], True),
    ("canonical", ["level2"], False),
    ("canonical_names", ["canonical_id", "name"], True),
    ("library", ["code"], True),
]

FTS_TABLE = "canonical_names_fts"


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every missing table and index (inside the caller's transaction)."""
    for name, (columns, pk) in _TABLES.items():
        db[name].create(columns, pk=pk, not_null=_NOT_NULL.get(name), defaults=_DEFAULTS.get(name),
                        if_not_exists=True)
    for table, columns, unique in _INDEXES:
        db[table].create_index(columns, index_name=f"idx_{table}_{'_'.join(columns)}",
                               unique=unique, if_not_exists=True)
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "norm, content='canonical_names', content_rowid='id', tokenize='trigram')")
