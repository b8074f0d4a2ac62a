"""catalogue.writer.prepare: a filing becomes named rows whose fields line up with its tables."""
from __future__ import annotations

import pickle
import sqlite3

from jixiao.catalogue.schema import create_schema
from jixiao.catalogue.writer import FilingRow, IndicatorRow, prepare
from jixiao.corpus.parse import parse_file, shipped_seed_files


def _columns(table: str) -> list[str]:
    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    create_schema(db)
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def test_named_rows_are_the_table_columns_in_order():
    filings = _columns("filings")
    assert list(FilingRow._fields) == filings[filings.index("kind"):filings.index("src_row") + 1]
    inds = _columns("indicators")
    assert list(IndicatorRow._fields) == inds[inds.index("level1"):inds.index("src_row") + 1]


def test_prepare_names_the_fields_of_a_seed_filing():
    filing = parse_file(shipped_seed_files()[0])[0]
    p = prepare(filing)
    assert p.row.name == filing.name and p.row.kind == filing.kind
    assert type(p.indicators[0]) is tuple                # plain: pickled by the million
    first, ind = IndicatorRow._make(p.indicators[0]), filing.indicators[0]
    assert (first.level2, first.name, first.value, first.unit) == (ind.level2, ind.name, ind.value, ind.parsed.unit)
    assert pickle.loads(pickle.dumps(p)) == p          # sent from reading workers
