"""Property tests on every reader: mutated real filings in every format either parse into valid
filings from that file or are refused with one Chinese line naming the file (issue 6).

Inputs start from the shipped seeds — their text exports, and .csv/.xlsx/.docx/.json/.jsonl
files written from their tables and filings — and are then damaged the way officers' files are:
cut tables, swapped columns, stray tabs and full-width spaces, odd encodings, very long cells,
random bytes in zip members (see mutants.py).  `check_parse` is the property.
"""
from __future__ import annotations

import json
import random
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.corpus.parse import parse_file

from .mutants import (
    BYTE_OPS,
    ENCODINGS,
    GRID_OPS,
    LINE_OPS,
    RECORD_OPS,
    ZIP_OPS,
    check_parse,
    encode,
    mutate_bytes,
    mutate_grid,
    mutate_lines,
    mutate_record,
    mutate_zip,
    seed_grids,
    seed_records,
    seed_texts,
    write_csv,
    write_docx,
    write_json,
    write_jsonl,
    write_txt,
    write_xlsx,
)

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
OFFICE = settings(FUZZ, max_examples=40)

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def ops(names, max_size=4):
    return st.lists(st.sampled_from(names), min_size=1, max_size=max_size)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _grids(index: int, grid_ops, rnd, count: int = 1):
    bases = seed_grids()
    return [mutate_grid(bases[(index + k) % len(bases)], grid_ops, rnd) for k in range(count)]


# --- the unmutated bases read as what they are -------------------------------------------------

def test_bases_parse_in_every_format(work):
    """The writers below give files the readers take for filings (so the mutations start from
    real input, not from files that are refused anyway)."""
    grids = [seed_grids()[0]]
    for path in (write_txt(grids[0], work / "b-tab.txt"), write_txt(grids[0], work / "b-tsv.txt", style="tsv"),
                 write_csv(grids[0], work / "b.csv"), write_xlsx(grids, work / "b.xlsx"),
                 write_docx(grids, work / "b.docx"),
                 write_json([json.loads(seed_records()[0])], work / "b.json"),
                 write_jsonl([json.loads(r) for r in seed_records()], work / "b.jsonl")):
        assert check_parse(path) == "parsed", path
        assert parse_file(path)[0].indicators


# --- text exports ---------------------------------------------------------------------------------

@pytest.mark.slow
@FUZZ
@given(which=st.integers(0, 4), line_ops=ops(LINE_OPS, 6), seed=seeds, encoding=st.sampled_from(ENCODINGS))
def test_mutated_seed_text_exports(work, which, line_ops, seed, encoding):
    rnd = random.Random(seed)
    text = mutate_lines(seed_texts()[which], line_ops, rnd)
    path = work / f"seed-{which}.txt"
    path.write_bytes(encode(text, encoding))
    check_parse(path)


@FUZZ
@given(which=st.integers(0, 4), byte_ops=ops(BYTE_OPS), seed=seeds, encoding=st.sampled_from(ENCODINGS[:4]))
def test_seed_text_exports_with_damaged_bytes(work, which, byte_ops, seed, encoding):
    rnd = random.Random(seed)
    path = work / f"bytes-{which}.txt"
    path.write_bytes(mutate_bytes(encode(seed_texts()[which], encoding), byte_ops, rnd))
    check_parse(path)


@FUZZ
@given(index=st.integers(0, 30), grid_ops=ops(GRID_OPS), seed=seeds, style=st.sampled_from(["tab", "tsv"]))
def test_mutated_tables_as_text(work, index, grid_ops, seed, style):
    rnd = random.Random(seed)
    (rows,) = _grids(index, grid_ops, rnd)
    check_parse(write_txt(rows, work / f"grid-{style}.txt", style=style, encoding=rnd.choice(ENCODINGS[:4])))


@settings(FUZZ, max_examples=40)
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".txt", ".csv", ".json", ".jsonl", ".tsv"]))
def test_random_bytes_as_text_like_files(work, data, suffix):
    path = work / f"random{suffix}"
    path.write_bytes(data)
    check_parse(path)


# --- csv ------------------------------------------------------------------------------------------

@FUZZ
@given(index=st.integers(0, 30), grid_ops=ops(GRID_OPS), seed=seeds,
       encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from([",", "\t", ";"]),
       byte_ops=st.lists(st.sampled_from(BYTE_OPS), max_size=2))
def test_mutated_tables_as_csv(work, index, grid_ops, seed, encoding, delimiter, byte_ops):
    rnd = random.Random(seed)
    (rows,) = _grids(index, grid_ops, rnd)
    path = write_csv(rows, work / "grid.csv", encoding=encoding, delimiter=delimiter)
    if byte_ops:
        path.write_bytes(mutate_bytes(path.read_bytes(), byte_ops, rnd))
    check_parse(path)


# --- xlsx -----------------------------------------------------------------------------------------

@pytest.mark.slow
@OFFICE
@given(index=st.integers(0, 30), grid_ops=ops(GRID_OPS), seed=seeds, sheets=st.integers(1, 3),
       numbers=st.booleans(), merges=st.integers(0, 4))
def test_mutated_tables_as_xlsx(work, index, grid_ops, seed, sheets, numbers, merges):
    rnd = random.Random(seed)
    path = write_xlsx(_grids(index, grid_ops, rnd, sheets), work / "grid.xlsx", numbers=numbers,
                      merges=merges, rnd=rnd)
    check_parse(path)


@lru_cache(maxsize=None)
def office_base(suffix: str) -> bytes:
    """A workbook / document holding four seed tables (built once)."""
    grids = list(seed_grids()[:4])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"base{suffix}"
        (write_xlsx(grids, path, numbers=True) if suffix == ".xlsx" else write_docx(grids, path))
        return path.read_bytes()


@pytest.mark.slow
@settings(FUZZ, max_examples=80)
@given(suffix=st.sampled_from([".xlsx", ".docx"]), zip_ops=ops(ZIP_OPS, 3), seed=seeds,
       rename=st.booleans())
def test_office_files_with_damaged_members(work, suffix, zip_ops, seed, rename):
    """Random bytes, cuts, hostile XML, dropped/duplicated/swapped members inside the zip; also
    saved under the other Office extension (magic bytes decide the reader)."""
    rnd = random.Random(seed)
    data = mutate_zip(office_base(suffix), zip_ops, rnd)
    path = work / ("damaged" + ({".xlsx": ".docx", ".docx": ".xlsx"}[suffix] if rename else suffix))
    path.write_bytes(data)
    check_parse(path)


# --- docx -----------------------------------------------------------------------------------------

@pytest.mark.slow
@settings(OFFICE, max_examples=20)          # python-docx writes slowly: ~1 s per document
@given(index=st.integers(0, 30), grid_ops=ops(GRID_OPS), seed=seeds, tables=st.integers(1, 3),
       merges=st.integers(0, 3))
def test_mutated_tables_as_docx(work, index, grid_ops, seed, tables, merges):
    rnd = random.Random(seed)
    check_parse(write_docx(_grids(index, grid_ops, rnd, tables), work / "grid.docx", merges=merges, rnd=rnd))


# --- json / jsonl ---------------------------------------------------------------------------------

@pytest.mark.slow
@FUZZ
@given(which=st.integers(0, 40), record_ops=ops(RECORD_OPS, 5), seed=seeds, count=st.integers(1, 3),
       encoding=st.sampled_from(ENCODINGS[:5]), lines=st.booleans())
def test_mutated_records_as_json(work, which, record_ops, seed, count, encoding, lines):
    rnd = random.Random(seed)
    records = seed_records()
    recs = [mutate_record(json.loads(records[(which + k) % len(records)]), record_ops, rnd) for k in range(count)]
    path = (write_jsonl(recs, work / "recs.jsonl", encoding=encoding) if lines
            else write_json(recs, work / "recs.json", encoding=encoding))
    check_parse(path)


@FUZZ
@given(which=st.integers(0, 40), byte_ops=ops(BYTE_OPS), seed=seeds, lines=st.booleans())
def test_records_with_damaged_bytes(work, which, byte_ops, seed, lines):
    rnd = random.Random(seed)
    records = [json.loads(r) for r in seed_records()]
    path = (write_jsonl(records[which % 22:], work / "d.jsonl") if lines
            else write_json([records[which % len(records)]], work / "d.json"))
    path.write_bytes(mutate_bytes(path.read_bytes(), byte_ops, rnd))
    check_parse(path)


def test_deeply_nested_json_is_refused_cleanly(work):
    for depth in (50, 5000, 200_000):
        path = work / f"deep{depth}.json"
        path.write_text("[" * depth + "]" * depth, encoding="utf-8")
        check_parse(path)
        path = work / f"deepobj{depth}.json"
        path.write_text('{"name": "x", "indicators": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
        check_parse(path)


def test_zip_that_is_neither_workbook_nor_document(work):
    path = work / "other.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert check_parse(path) == "refused"


# --- what the campaign found (kept as fixed examples) ------------------------------------------------

@pytest.mark.parametrize("record", [
    {"name": "x", "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "a", "value": "1",
                                   "basis": {"x": 1}}]},
    {"name": "x", "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": ["a"], "value": "1"}]},
    {"project": ["not", "an", "object"], "indicators": []},
    {"name": "x", "indicators": 5},
])
def test_json_fields_of_the_wrong_type_are_format_errors(work, record):
    path = write_json([record], work / "wrong-type.json")
    assert check_parse(path) == "refused"


def test_zip_with_a_damaged_version_field_is_a_damaged_file(work):
    """A flipped "version needed to extract" byte makes zipfile raise NotImplementedError."""
    data = bytearray(office_base(".xlsx"))
    at = data.index(b"PK\x01\x02") + 6                # first central-directory entry
    data[at:at + 2] = (0xD5).to_bytes(2, "little")    # version 21.3
    path = work / "version.xlsx"
    path.write_bytes(bytes(data))
    assert check_parse(path) == "refused"
