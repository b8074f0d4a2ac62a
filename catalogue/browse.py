"""What `jixiao catalogue` shows: statistics, name search, one indicator, export.

Plain reads over an open connection; text from the user reaches SQLite only as parameters.
Search covers the catalogue's canonical indicators (all their spellings) and the common-indicator
library.  Queries of three or more characters go through the FTS5 trigram index; one- and
two-character queries (热线, 租金), which a trigram index cannot answer, scan the normalised
spellings of canonical indicators — a table far smaller than the indicators themselves.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterator

from jixiao.corpus.categories import LEVEL2_CANON

from .schema import FTS_TABLE
from jixiao.corpus.textkeys import nfkc_squashed

from .tags import tag_names


def _count(conn: sqlite3.Connection, sql: str, params=()) -> int:
    return int(conn.execute(sql, params).fetchone()[0] or 0)


def stats(conn: sqlite3.Connection) -> dict:
    """Counts of filings, indicators, canonical indicators and library entries, per type and 二级."""
    by_tag = {t: (n, p) for t, n, p in conn.execute(
        "SELECT ft.tag, COUNT(*), SUM(ft.rank = 0) FROM filing_tags ft GROUP BY ft.tag")}
    order = tag_names() + sorted(set(by_tag) - set(tag_names()))
    ind_l2 = dict(conn.execute("SELECT level2, COUNT(*) FROM indicators GROUP BY level2"))
    can_l2 = dict(conn.execute("SELECT level2, COUNT(*) FROM canonical GROUP BY level2"))
    lib_type = dict(conn.execute("SELECT type, COUNT(*) FROM library GROUP BY type"))
    l2_order = list(LEVEL2_CANON) + sorted((set(ind_l2) | set(can_l2)) - set(LEVEL2_CANON))
    return {
        "filings": _count(conn, "SELECT COUNT(*) FROM filings"),
        "project_filings": _count(conn, "SELECT COUNT(*) FROM filings WHERE kind = 'project'"),
        "department_filings": _count(conn, "SELECT COUNT(*) FROM filings WHERE kind = 'department'"),
        "indicators": _count(conn, "SELECT COUNT(*) FROM indicators"),
        "canonical": _count(conn, "SELECT COUNT(*) FROM canonical"),
        "library": _count(conn, "SELECT COUNT(*) FROM library"),
        "by_type": [{"tag": t, "filings": by_tag[t][0], "primary": int(by_tag[t][1] or 0)}
                    for t in order if t in by_tag],
        "by_level2": [{"level2": l2, "indicators": ind_l2.get(l2, 0), "canonical": can_l2.get(l2, 0)}
                      for l2 in l2_order if l2 in ind_l2 or l2 in can_l2],
        "library_by_type": lib_type,
        "revision": (conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone() or ["0"])[0],
    }


def sectors(conn: sqlite3.Connection) -> list[dict]:
    """Every sector of the library in priority order: code, sector, aliases, keywords,
    beneficiaries, entries (count), by_level2 (count per 二级), filings (in this catalogue)."""
    from .sectors import sector_data

    filings = dict(conn.execute("SELECT tag, COUNT(*) FROM filing_tags GROUP BY tag"))
    out = []
    for s in sector_data().sectors:
        per: dict[str, int] = {}
        for e in s.entries:
            per[e["level2"]] = per.get(e["level2"], 0) + 1
        out.append({"code": s.code, "sector": s.name, "aliases": list(s.aliases),
                    "keywords": sorted(s.keywords, key=lambda k: -s.keywords[k]) + list(s.patterns),
                    "beneficiaries": list(s.beneficiaries), "entries": len(s.entries), "by_level2": per,
                    "filings": int(filings.get(s.name, 0))})
    return out


def sector_entries(conn: sqlite3.Connection, sector: str) -> list[dict]:
    """The library entries of one sector as the catalogue holds them, in library order."""
    import json

    cols = ("code", "level2", "name", "value", "basis", "direction", "unit", "requires", "explain")
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM library WHERE type = ? ORDER BY id", (sector,))
    out = []
    for r in rows:
        d = dict(zip(cols, r))
        d["requires"] = json.loads(d["requires"] or "[]")
        out.append(d)
    return out


def search(conn: sqlite3.Connection, text: str, *, limit: int = 30,
           level2: str | None = None) -> tuple[int, list[dict]]:
    """Canonical indicators with a spelling containing `text`: (how many, the first `limit`).

    Each row: id, code, level2, name, matched (the most used matching spelling), usage,
    typical_value, tags.  Most used first.
    """
    q = nfkc_squashed(text)
    if not q:
        return 0, []
    if len(q) >= 3 and "\x00" not in q:      # FTS5 reads a NUL as the end of the query
        where = f"id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
        params: list = ['"' + q.replace('"', '""') + '"']
    else:
        where, params = "instr(norm, ?) > 0", [q]
    sql = (f"WITH hits AS (SELECT canonical_id AS cid, name, MAX(n) AS n FROM canonical_names "
           f"WHERE {where} GROUP BY canonical_id) "
           "SELECT c.id, c.code, c.level2, c.name, hits.name, c.usage, c.typical_value, c.tags, "
           "COUNT(*) OVER () FROM hits JOIN canonical c ON c.id = hits.cid")
    if level2:
        sql += " WHERE c.level2 = ?"
        params.append(level2)
    sql += " ORDER BY c.usage DESC, c.id LIMIT ?"
    params.append(max(1, int(limit)))
    rows, total = [], 0
    for r in conn.execute(sql, params):
        total = r[8]
        rows.append({"id": r[0], "code": r[1], "level2": r[2], "name": r[3], "matched": r[4],
                     "usage": r[5], "typical_value": r[6], "tags": json.loads(r[7] or "[]")})
    return total, rows


def search_library(conn: sqlite3.Connection, text: str, *, level2: str | None = None) -> list[dict]:
    """Common-library entries whose name contains `text` (the library is small: a plain scan)."""
    q = nfkc_squashed(text)
    if not q:
        return []
    rows = conn.execute("SELECT code, type, level2, name, value, basis, explain FROM library ORDER BY id")
    keys = ("code", "type", "level2", "name", "value", "basis", "explain")
    return [dict(zip(keys, r)) for r in rows
            if q in nfkc_squashed(r[3]) and (not level2 or r[2] == level2)]


def library_entry(conn: sqlite3.Connection, code: str) -> dict | None:
    row = conn.execute("SELECT code, type, level1, level2, name, value, basis, explain, source FROM library "
                       "WHERE code = ?", (code.strip().upper(),)).fetchone()
    keys = ("code", "type", "level1", "level2", "name", "value", "basis", "explain", "source")
    return dict(zip(keys, row)) if row else None


def show(conn: sqlite3.Connection, ident: str, *, max_filings: int = 50) -> dict | None:
    """One canonical indicator by id or code, with its spellings, values, tags and filings."""
    ident = ident.strip()
    row = conn.execute(
        "SELECT id, code, level1, level2, name, usage, typical_value, unit, num_min, num_max, tags "
        "FROM canonical WHERE code = ? OR (? GLOB '[0-9]*' AND id = CAST(? AS INTEGER))",
        (ident.upper(), ident, ident)).fetchone()
    if row is None:
        return None
    keys = ("id", "code", "level1", "level2", "name", "usage", "typical_value", "unit", "num_min", "num_max")
    out = dict(zip(keys, row[:10]))
    cid = out["id"]
    out["tags"] = [{"tag": t, "filings": n} for t, n in conn.execute(
        "SELECT tag, n FROM canonical_tags WHERE canonical_id = ? ORDER BY n DESC, tag", (cid,))]
    out["names"] = [{"name": nm, "count": n} for nm, n in conn.execute(
        "SELECT name, n FROM canonical_names WHERE canonical_id = ? ORDER BY n DESC, id", (cid,))]
    out["values"] = [{"value": v, "count": n} for v, n in conn.execute(
        "SELECT value, n FROM canonical_values WHERE canonical_id = ? ORDER BY n DESC, value LIMIT 20", (cid,))]
    out["filings"] = [
        {"id": fid, "name": name, "year": year, "department": dept, "indicator": iname, "value": value}
        for fid, name, year, dept, iname, value in conn.execute(
            "SELECT f.id, f.name, f.year, f.department, i.name, i.value FROM indicators i "
            "JOIN filings f ON f.id = i.filing_id WHERE i.canonical_id = ? "
            "ORDER BY f.year DESC, f.id, i.position LIMIT ?", (cid, max_filings))]
    out["filings_total"] = _count(conn, "SELECT COUNT(DISTINCT filing_id) FROM indicators WHERE canonical_id = ?",
                                  (cid,))
    return out


def _source(file, table, row) -> dict | None:
    if file is None and table is None and row is None:
        return None
    return {"file": file or "", "table": table or 0, "row": row or 0}


def export_filings(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every filing in the `parse --format json` shape plus `tags`, in catalogue order."""
    tags: dict[int, list[str]] = {}
    for fid, tag in conn.execute("SELECT filing_id, tag FROM filing_tags ORDER BY filing_id, rank"):
        tags.setdefault(fid, []).append(tag)
    inds = conn.cursor().execute(
        "SELECT filing_id, level1, level2, level1_raw, level2_raw, name, value, kind, op, number, unit, "
        "year, basis, src_file, src_table, src_row FROM indicators ORDER BY filing_id, position")
    pending = next(inds, None)
    for (fid, name, dept, year, budget, period, desc, kind, sfile, stable, srow) in conn.execute(
            "SELECT id, name, department, year, budget, period, description, kind, src_file, src_table, "
            "src_row FROM filings ORDER BY id"):
        indicators = []
        while pending is not None and pending[0] <= fid:
            if pending[0] == fid:
                (_, l1, l2, l1r, l2r, iname, value, vkind, op, number, unit, vyear, basis,
                 ifile, itable, irow) = pending
                indicators.append({
                    "level1": l1, "level2": l2, "level1_raw": l1r or "", "level2_raw": l2r or "",
                    "name": iname, "value": value or "",
                    "parsed": {"kind": vkind or "empty", "op": op, "number": number, "unit": unit, "year": vyear},
                    "basis": basis,
                    "source": _source(ifile if ifile is not None else (sfile if itable is not None else None),
                                      itable, irow),
                })
            pending = next(inds, None)
        yield {"name": name, "department": dept, "year": year, "budget": budget, "period": period,
               "description": desc or "", "kind": kind, "indicators": indicators,
               "source": _source(sfile, stable, srow), "tags": tags.get(fid, [])}


def feedback_entries(conn: sqlite3.Connection, session: str | None = None,
                     limit: int | None = None) -> list[dict]:
    """What the catalogue learned from chat choices, newest first: id, created_at, action
    (keep / change / reject / add), name, level2, project, session ("" for records made before
    sessions were named), weight (what the record adds to the indicator's score)."""
    from .query import FEEDBACK_WEIGHT

    try:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
    except sqlite3.Error:
        return []
    if not cols:
        return []
    session_col = "session" if "session" in cols else "''"
    sql = (f"SELECT id, created_at, action, name, level2, project, {session_col} AS session "
           "FROM feedback")
    params: list = []
    if session is not None:
        if "session" not in cols:
            return []
        sql += " WHERE session = ?"
        params.append(session)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    out = []
    for r in conn.execute(sql, params):
        row = dict(zip(("id", "created_at", "action", "name", "level2", "project", "session"), r))
        row["session"] = row["session"] or ""
        row["project"] = row["project"] or ""
        row["weight"] = FEEDBACK_WEIGHT.get(row["action"], 0.0)
        out.append(row)
    return out


def feedback_count(conn: sqlite3.Connection) -> int:
    try:
        return _count(conn, "SELECT COUNT(*) FROM feedback")
    except sqlite3.Error:
        return 0
