"""Hostile variants of real filings, for the property tests and benchmarks/reliability_report.py.

Every base input starts from the shipped seeds (corpus/seeds/*.txt, 22 real tables):

    seed_texts()                  the seed files' text
    seed_grids()                  their tables as cell grids (what the text reader returns)
    seed_records()                their filings as our JSON records (`parse --format json`)

Mutations take a `random.Random` and return a new value; each is named so a failing case can be
read off hypothesis's report (the op names and the seed):

    mutate_lines(text, ops, rnd)  line-level edits of a text export (cut, swap, stray tabs …)
    mutate_grid(rows, ops, rnd)   cell-level edits of a table (cut tables, swapped columns …)
    mutate_bytes(data, ops, rnd)  byte-level damage (flips, cuts, inserted NUL / random bytes)
    mutate_zip(data, ops, rnd)    damage inside an .xlsx/.docx (random bytes in members, dropped,
                                  duplicated or swapped members, truncation)
    mutate_record(rec, ops, rnd)  JSON records with keys dropped and values of every JSON type

Writers put a grid on disk in each supported format: write_txt (Word-style tab-start rows or
Excel-style tab-separated rows), write_csv, write_xlsx, write_docx, write_json, write_jsonl.

check_parse(path) is the property every input must have: parse_file returns validated filings
from this file (our JSON may name the file a record first came from), or raises InputError whose single Chinese line names the file — and never the
catch-all "无法解析（…）" that parse_file uses when a reader meets something unforeseen.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import random
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from jixiao.corpus.readers.textio import ZIP_ERRORS

ROOT = Path(__file__).resolve().parents[2]
SEED_FILES = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))

# characters officers' files really carry between and inside cells
STRAY = ["\t", "\u3000", " ", "\xa0", "\n", "\r", "\r\n", "\u200b", "\ufeff", "\x0b", "\x0c", "　\t"]
HOSTILE_TEXT = ["=HYPERLINK(\"http://x.example\",\"点击\")", "+1", "-2+3", "@SUM(A1)",
                "'; DROP TABLE filings; --", "../../etc/passwd", "%", "_", "\"", "'", "\\",
                "一级指标", "二级指标", "三级指标", "产出指标", "满意度指标", "项目名称", "≥", "年底前",
                "２０２４年", "９５％", "NaN", "1e309", "-0", "∞", "𠀀𪚥", "\u202e", "😀"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
             "big5", "shift_jis", "cp1252", "latin-1"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --- bases ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def seed_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in SEED_FILES)


@lru_cache(maxsize=1)
def seed_grids() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Every table of every seed as rows of cells (immutable; mutate_grid copies)."""
    from jixiao.corpus.readers.text_reader import parse_text

    out = []
    for text in seed_texts():
        for table in parse_text(text).tables:
            if len(table.rows) >= 3:
                out.append(tuple(tuple(r) for r in table.rows))
    return tuple(out)


@lru_cache(maxsize=1)
def seed_records() -> tuple[str, ...]:
    """Every seed filing as our JSON record (serialised, so each use starts from a fresh copy)."""
    from jixiao.corpus.parse import parse_file

    return tuple(json.dumps(f.model_dump(mode="json"), ensure_ascii=False)
                 for p in SEED_FILES for f in parse_file(p))


def seed_values() -> list[str]:
    """Every 指标值, 三级指标 name and project description the seeds hold."""
    out: set[str] = set()
    for raw in seed_records():
        rec = json.loads(raw)
        out.add(rec.get("description") or "")
        for ind in rec["indicators"]:
            out.update((ind["name"], ind["value"] or "", ind.get("basis") or ""))
    return sorted(out)


# --- text lines ----------------------------------------------------------------------------

def _pos(rnd: random.Random, n: int) -> int:
    return rnd.randrange(n) if n > 0 else 0


def _insert(text: str, piece: str, rnd: random.Random) -> str:
    i = _pos(rnd, len(text) + 1)
    return text[:i] + piece + text[i:]


def long_text(rnd: random.Random, n: int) -> str:
    """n characters cut from the seeds' own text (varied, so zip ratios stay real)."""
    src = "".join(seed_texts())
    start = _pos(rnd, len(src))
    out = (src[start:] + src) * (n // len(src) + 1)
    return out[:n]


LINE_OPS = ("cut_head", "cut_tail", "cut_middle", "swap_lines", "dup_lines", "drop_blank",
            "add_blank", "stray", "long_line", "hostile", "fullwidth", "tab_to_space", "space_to_tab",
            "join_lines", "shuffle_block")


def mutate_lines(text: str, ops: list[str], rnd: random.Random) -> str:
    lines = text.split("\n")
    for op in ops:
        n = len(lines)
        if op == "cut_head" and n > 1:
            lines = lines[_pos(rnd, n):]
        elif op == "cut_tail" and n > 1:
            lines = lines[:_pos(rnd, n) + 1]
        elif op == "cut_middle" and n > 2:
            a = _pos(rnd, n)
            lines = lines[:a] + lines[a + rnd.randint(1, max(1, n // 4)):]
        elif op == "swap_lines" and n > 1:
            a, b = _pos(rnd, n), _pos(rnd, n)
            lines[a], lines[b] = lines[b], lines[a]
        elif op == "dup_lines" and n:
            a = _pos(rnd, n)
            lines[a:a] = lines[a:a + rnd.randint(1, 8)]
        elif op == "drop_blank":
            blanks = [i for i, line in enumerate(lines) if not line.strip()]
            if blanks:
                del lines[rnd.choice(blanks)]
        elif op == "add_blank":
            lines.insert(_pos(rnd, n + 1), rnd.choice(["", " ", "\u3000", "\t", "\r"]))
        elif op == "stray" and n:
            a = _pos(rnd, n)
            lines[a] = _insert(lines[a], rnd.choice(STRAY), rnd)
        elif op == "long_line" and n:
            a = _pos(rnd, n)
            lines[a] = lines[a] + long_text(rnd, rnd.choice([12_000, 50_000, 200_000]))
        elif op == "hostile" and n:
            a = _pos(rnd, n)
            lines[a] = _insert(lines[a], rnd.choice(HOSTILE_TEXT), rnd)
        elif op == "fullwidth" and n:
            a = _pos(rnd, n)
            lines[a] = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in lines[a])
        elif op == "tab_to_space" and n:
            a = _pos(rnd, n)
            lines[a] = lines[a].replace("\t", rnd.choice(["", " ", "\u3000"]), 1)
        elif op == "space_to_tab" and n:
            a = _pos(rnd, n)
            lines[a] = lines[a].replace(" ", "\t", 1).replace("\u3000", "\t", 1)
        elif op == "join_lines" and n > 1:
            a = _pos(rnd, n - 1)
            lines[a:a + 2] = [lines[a] + rnd.choice(["", "\t", " "]) + lines[a + 1]]
        elif op == "shuffle_block" and n > 2:
            a = _pos(rnd, n - 1)
            block = lines[a:a + rnd.randint(2, 12)]
            rnd.shuffle(block)
            lines[a:a + len(block)] = block
    return "\n".join(lines)


# --- grids ---------------------------------------------------------------------------------

GRID_OPS = ("cut_rows", "cut_row", "swap_cols", "stray", "long_cell", "drop_cell", "dup_rows",
            "shuffle_rows", "blank_cells", "hostile", "fullwidth", "merge_cells", "transpose",
            "control", "add_col", "empty")


def mutate_grid(rows, ops: list[str], rnd: random.Random) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for op in ops:
        n = len(rows)
        width = max((len(r) for r in rows), default=0)
        if op == "cut_rows" and n > 1:
            a = _pos(rnd, n)
            rows = rows[a:a + rnd.randint(1, n)]
        elif op == "cut_row" and n:
            r = _pos(rnd, n)
            rows[r] = rows[r][:_pos(rnd, len(rows[r]) + 1)]
        elif op == "swap_cols" and width > 1:
            a, b = _pos(rnd, width), _pos(rnd, width)
            for row in rows:
                row.extend([""] * (width - len(row)))
                row[a], row[b] = row[b], row[a]
        elif op in ("stray", "hostile", "long_cell", "fullwidth", "control", "blank_cells") and n:
            r = _pos(rnd, n)
            if not rows[r]:
                continue
            c = _pos(rnd, len(rows[r]))
            text = rows[r][c]
            if op == "stray":
                text = _insert(text, rnd.choice(STRAY), rnd)
            elif op == "hostile":
                text = _insert(text, rnd.choice(HOSTILE_TEXT), rnd)
            elif op == "long_cell":
                text = text + long_text(rnd, rnd.choice([10_001, 40_000, 150_000]))
            elif op == "fullwidth":
                text = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)
            elif op == "control":
                text = _insert(text, chr(rnd.choice([0, 1, 7, 8, 27, 127, 0xFFFE])), rnd)
            else:
                text = ""
            rows[r][c] = text
        elif op == "drop_cell" and n:
            r = _pos(rnd, n)
            if rows[r]:
                del rows[r][_pos(rnd, len(rows[r]))]
        elif op == "dup_rows" and n:
            a = _pos(rnd, n)
            rows[a:a] = [list(x) for x in rows[a:a + rnd.randint(1, 6)]]
        elif op == "shuffle_rows" and n > 1:
            a = _pos(rnd, n - 1)
            block = rows[a:a + rnd.randint(2, 10)]
            rnd.shuffle(block)
            rows[a:a + len(block)] = block
        elif op == "merge_cells" and n:
            r = _pos(rnd, n)
            if len(rows[r]) > 1:
                c = _pos(rnd, len(rows[r]) - 1)
                rows[r][c:c + 2] = [rows[r][c] + rnd.choice(["", "\n", " "]) + rows[r][c + 1]]
        elif op == "transpose" and n and width:
            rows = [list(col) for col in zip(*[r + [""] * (width - len(r)) for r in rows])]
        elif op == "add_col" and n:
            at = _pos(rnd, width + 1)
            for row in rows:
                row.insert(min(at, len(row)), rnd.choice(["", "备注", "1", "按照上年"]))
        elif op == "empty":
            rows = [[""] * width for _ in range(rnd.randint(0, 3))]
    return rows


# --- bytes ---------------------------------------------------------------------------------

BYTE_OPS = ("flip", "truncate", "insert_random", "insert_nul", "delete_span", "dup_span",
            "bad_utf8", "prefix_bom")


def mutate_bytes(data: bytes, ops: list[str], rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for op in ops:
        n = len(buf)
        if op == "flip" and n:
            for _ in range(rnd.randint(1, 16)):
                buf[_pos(rnd, n)] = rnd.randrange(256)
        elif op == "truncate" and n:
            del buf[_pos(rnd, n):]
        elif op == "insert_random":
            i = _pos(rnd, n + 1)
            buf[i:i] = rnd.randbytes(rnd.randint(1, 64))
        elif op == "insert_nul":
            i = _pos(rnd, n + 1)
            buf[i:i] = b"\x00" * rnd.randint(1, 4)
        elif op == "delete_span" and n:
            i = _pos(rnd, n)
            del buf[i:i + rnd.randint(1, 256)]
        elif op == "dup_span" and n:
            i = _pos(rnd, n)
            buf[i:i] = buf[i:i + rnd.randint(1, 256)]
        elif op == "bad_utf8":
            i = _pos(rnd, n + 1)
            buf[i:i] = rnd.choice([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe4\xb8", b"\x80\x80"])
        elif op == "prefix_bom":
            buf[0:0] = rnd.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"])
    return bytes(buf)


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


# --- zip containers --------------------------------------------------------------------------

ZIP_OPS = ("member_bytes", "member_cut", "member_random", "drop_member", "dup_member",
           "swap_members", "raw_flip", "raw_truncate", "stored", "member_xml")


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()]


def _zip(members: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), body,
                        compress_type=method)
    return out.getvalue()


_XML_HOSTILE = [b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
                b"&b;", b"<![CDATA[", b"]]>", b"</", b"<w:tbl>", b"<c r=\"XFD1048576\"><v>1</v></c>",
                b"<row r=\"1048576\">", b"<w:gridSpan w:val=\"999999\"/>", b"<w:gridBefore w:val=\"-5\"/>",
                b"<mergeCell ref=\"A1:XFD1048576\"/>", b"<v>1e309</v>", b"t=\"s\"", b"<v>99999999</v>",
                b"&#0;", b"&#xFFFE;", b"\xef\xbf\xbe", b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"]


def mutate_zip(data: bytes, ops: list[str], rnd: random.Random) -> bytes:
    for op in ops:
        try:
            members = _members(data)
        except (*ZIP_ERRORS, OSError):          # already too damaged to unpack: damage the bytes
            members = None
        if op in ("raw_flip", "raw_truncate") or not members:
            data = mutate_bytes(data, ["flip" if op != "raw_truncate" else "truncate"], rnd)
            continue
        i = _pos(rnd, len(members))
        name, body = members[i]
        if op == "member_bytes":
            members[i] = (name, mutate_bytes(body, [rnd.choice(["flip", "insert_random", "delete_span",
                                                                "dup_span", "bad_utf8", "insert_nul"])], rnd))
        elif op == "member_cut":
            members[i] = (name, body[:_pos(rnd, len(body) + 1)])
        elif op == "member_random":
            members[i] = (name, rnd.randbytes(rnd.randint(0, 4096)))
        elif op == "member_xml":
            at = _pos(rnd, len(body) + 1)
            members[i] = (name, body[:at] + rnd.choice(_XML_HOSTILE) + body[at:])
        elif op == "drop_member":
            del members[i]
        elif op == "dup_member":
            members.append((name, members[_pos(rnd, len(members))][1]))
        elif op == "swap_members" and len(members) > 1:
            j = _pos(rnd, len(members))
            members[i], members[j] = (name, members[j][1]), (members[j][0], body)
        data = _zip(members, zipfile.ZIP_STORED if op == "stored" else zipfile.ZIP_DEFLATED)
    return data


# --- JSON records ----------------------------------------------------------------------------

RECORD_OPS = ("drop_key", "retype", "retype_indicator", "drop_indicator_key", "hostile_text",
              "long_text", "wrap_list", "nest", "no_indicators", "dup_indicators", "extra_key",
              "indicator_not_object", "record_not_object")
_JSON_VALUES = [None, True, False, 0, -1, 2**70, 1e308, -1e-308, 3.5, "", "null", "2021", "≥95%",
                [], [1, "a"], {}, {"x": 1}, "NaN", "\x00"]


def mutate_record(rec, ops: list[str], rnd: random.Random):
    rec = copy.deepcopy(rec)
    for op in ops:
        if not isinstance(rec, dict):
            break
        inds = rec.get("indicators") if isinstance(rec.get("indicators"), list) else []
        keys = list(rec)
        if op == "drop_key" and keys:
            rec.pop(rnd.choice(keys))
        elif op == "retype" and keys:
            rec[rnd.choice(keys)] = copy.deepcopy(rnd.choice(_JSON_VALUES))
        elif op == "retype_indicator" and inds:
            ind = rnd.choice(inds)
            if isinstance(ind, dict) and ind:
                ind[rnd.choice(list(ind))] = copy.deepcopy(rnd.choice(_JSON_VALUES))
        elif op == "drop_indicator_key" and inds:
            ind = rnd.choice(inds)
            if isinstance(ind, dict) and ind:
                ind.pop(rnd.choice(list(ind)))
        elif op == "hostile_text":
            target = rnd.choice(inds) if inds and rnd.random() < 0.7 else rec
            if isinstance(target, dict):
                key = rnd.choice(["name", "value", "basis", "level1", "level2", "department", "description"])
                target[key] = rnd.choice(HOSTILE_TEXT) + str(target.get(key) or "")
        elif op == "long_text":
            target = rnd.choice(inds) if inds and rnd.random() < 0.5 else rec
            if isinstance(target, dict):
                target[rnd.choice(["name", "value", "description"])] = long_text(rnd, rnd.choice([10_001, 300_000]))
        elif op == "wrap_list":
            rec = {"filings": [rec]} if rnd.random() < 0.5 else {"project": {k: v for k, v in rec.items()
                                                                          if k != "indicators"},
                                                              "indicators": inds}
        elif op == "nest":
            rec["indicators"] = [[[ind]] for ind in inds]
        elif op == "no_indicators":
            rec["indicators"] = rnd.choice([[], None, "", {}])
        elif op == "dup_indicators" and inds:
            rec["indicators"] = inds * rnd.randint(2, 20)
        elif op == "extra_key":
            rec[rnd.choice(["kind", "tags", "source", "year", "budget", "period", "zzz"])] = \
                copy.deepcopy(rnd.choice(_JSON_VALUES + [{"file": 1, "table": "x"}, "department"]))
        elif op == "indicator_not_object" and inds:
            inds[_pos(rnd, len(inds))] = copy.deepcopy(rnd.choice(_JSON_VALUES))
        elif op == "record_not_object":
            rec = copy.deepcopy(rnd.choice(_JSON_VALUES))
    return rec


# --- writers -------------------------------------------------------------------------------

def write_txt(rows, path: Path, *, style: str = "tab", encoding: str = "utf-8") -> Path:
    """Word-style (every cell a line starting with a tab, rows apart by a blank line) or
    Excel-style (tab-separated rows) text export."""
    if style == "tab":
        text = "\n\n".join("\n".join("\t" + c for c in row) for row in rows)
    else:                      # Excel pads every row to the used width and keeps a cell on its line
        width = max((len(r) for r in rows), default=0)
        text = "\n".join("\t".join([c.replace("\r", " ").replace("\n", " ") for c in row]
                                   + [""] * (width - len(row))) for row in rows)
    path.write_bytes(encode("2021年项目支出绩效目标表\n" + text + "\n", encoding))
    return path


def write_csv(rows, path: Path, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    path.write_bytes(encode(buf.getvalue(), encoding))
    return path


def _xml_safe(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)


def write_xlsx(tables, path: Path, *, numbers: bool = False, merges: int = 0,
               rnd: random.Random | None = None) -> Path:
    """One sheet per grid; numeric-looking cells stored as numbers when `numbers`; `merges`
    random merged ranges per sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rnd = rnd or random.Random(0)
    for k, rows in enumerate(tables):
        ws = wb.create_sheet(f"表{k + 1}")
        for row in rows:
            out = []
            for c in row:
                c = _xml_safe(c)
                if numbers and re.fullmatch(r"-?\d{1,12}(\.\d{1,6})?", c.strip()):
                    out.append(float(c) if "." in c else int(c))
                else:
                    out.append(c)
            ws.append(out)
        height, width = len(rows), max((len(r) for r in rows), default=0)
        for _ in range(merges if height and width else 0):
            r0, c0 = rnd.randint(1, height), rnd.randint(1, width)
            ws.merge_cells(start_row=r0, start_column=c0, end_row=min(height, r0 + rnd.randint(0, 3)),
                           end_column=min(width, c0 + rnd.randint(0, 2)))
    if not tables:
        wb.create_sheet("空")
    wb.save(path)
    return path


def write_docx(tables, path: Path, *, merges: int = 0, rnd: random.Random | None = None) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("2021年项目支出绩效目标表")
    rnd = rnd or random.Random(0)
    for rows in tables:
        height, width = len(rows), max((len(r) for r in rows), default=0)
        if not height or not width:
            d.add_paragraph("（空表）")
            continue
        t = d.add_table(rows=height, cols=width)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                t.cell(r, c).text = _xml_safe(text)
        for _ in range(merges):
            r0, c0 = rnd.randrange(height), rnd.randrange(width)
            try:
                t.cell(r0, c0).merge(t.cell(min(height - 1, r0 + rnd.randint(0, 2)),
                                            min(width - 1, c0 + rnd.randint(0, 1))))
            except Exception:     # python-docx refuses merges that cross earlier ones: skip
                pass
        d.add_paragraph("填报说明")
    d.save(path)
    return path


def write_json(records, path: Path, *, encoding: str = "utf-8") -> Path:
    body = records[0] if len(records) == 1 and isinstance(records, list) else records
    path.write_bytes(encode(json.dumps(body, ensure_ascii=False), encoding))
    return path


def write_jsonl(records, path: Path, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(encode("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding))
    return path


# --- the property ------------------------------------------------------------------------------

def check_parse(path: Path) -> str:
    """parse_file(path) on any input: filings from this file, or one clean per-file refusal.

    Returns "parsed" or "refused"; any other outcome fails an assertion (or raises)."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.models import Filing
    from jixiao.corpus.parse import parse_file

    try:
        filings = parse_file(path)
    except InputError as exc:
        message = str(exc)
        assert exc.path == str(path) and message.startswith(f"{path}："), message
        assert "\n" not in message and _CJK.search(exc.problem), message
        assert not exc.problem.startswith("无法解析（"), f"a reader failed unforeseen: {message!r}"
        return "refused"
    assert filings and all(isinstance(f, Filing) for f in filings)
    for f in filings:
        assert f.source is not None
        if path.suffix.lower() not in (".json", ".jsonl"):      # our JSON keeps the source it names
            assert f.source.file == str(path)
        again = Filing.model_validate(f.model_dump(mode="json"))
        assert again.model_dump() == f.model_dump()
    return "parsed"
