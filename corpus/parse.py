"""Files → validated filings: the corpus layer's one entry point.

    parse_file(path)        every filing in one file (any supported format)
    iter_input_files(paths) files and folders → the supported files inside, sorted
    shipped_seed_files()    the real published filings the package ships (corpus/seeds/)

Bad input raises InputError with one Chinese line naming the file and the problem.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import ValidationError

from .errors import InputError, PartlyReadError
from .limits import budget
from .models import Filing, Source
from .readers.textio import MAX_CELL_CHARS, clip_cell

GRID_SUFFIXES = {".txt", ".text", ".tsv", ".docx", ".xlsx", ".xlsm", ".csv"}
JSON_SUFFIXES = {".json", ".jsonl"}
SUPPORTED = GRID_SUFFIXES | JSON_SUFFIXES


def shipped_seed_files() -> list[Path]:
    root = resources.files("jixiao.corpus").joinpath("seeds")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield files as given and, for folders, every supported file below them (sorted)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED and not f.name.startswith((".", "~$")):
                    yield f
        else:
            yield p


_IND_TEXT = ("level1", "level1_raw", "level2", "level2_raw", "name", "value", "basis")
_SOURCE_FIELDS = {"file": str, "table": int, "row": int}


def _source(src: dict) -> Source:
    """A Source from a JSON record, validated unless it is exactly our own shape (text already
    cleaned by corpus.json_input, positions in range)."""
    if src.keys() <= _SOURCE_FIELDS.keys() and all(
            type(v) is _SOURCE_FIELDS[k] and (k == "file" or 0 <= v <= _POSITION_MAX) for k, v in src.items()):
        return Source.model_construct(**src)
    return Source(**src)


_POSITION_MAX = 2**31 - 1


_PLAIN = frozenset((str, type(None)))
_FILING_FIELDS = frozenset(Filing.model_fields) - {"indicators"}


def _text_fields(raw: dict, i: int) -> list:
    """The indicator's text fields (None when absent), numbers as text, long ones clipped."""
    vals = list(map(raw.get, _IND_TEXT))
    if _PLAIN.issuperset(map(type, vals)) and sum(map(len, filter(None, vals))) <= MAX_CELL_CHARS:
        return vals                          # plain short text: nothing to convert or cut
    for k, v in enumerate(vals):
        if v is None:
            continue
        if type(v) is not str:
            if isinstance(v, (dict, list)):
                raise ValueError(f"第 {i + 1} 个指标的 {_IND_TEXT[k]} 应为文字，不是 JSON "
                                 f"{'对象' if isinstance(v, dict) else '数组'}")
            vals[k] = v = str(v)
        if len(v) > MAX_CELL_CHARS:
            vals[k] = clip_cell(v)
    return vals


def filing_from_dict(d: dict, source: Source | None = None) -> Filing:
    """A filing from our JSON shape, with labels normalised and values parsed again.

    Accepts the exact `parse --format json` output and looser hand-written JSON (labels as
    the page wrote them, `value: null`, missing `parsed`).  Text longer than a cell may hold
    is cut like any cell a grid reader returns.
    """
    from .layout import make_indicator

    if not isinstance(d, dict):
        raise ValueError("每条记录应为 JSON 对象（object）")
    if not isinstance(d.get("indicators") or [], list):
        raise ValueError("indicators 应为指标的数组（array）")
    indicators = []
    for i, raw in enumerate(d.get("indicators") or []):
        if not isinstance(raw, dict):
            raise ValueError(f"第 {i + 1} 个指标不是 JSON 对象")
        level1, level1_raw, level2, level2_raw, name, value, basis = _text_fields(raw, i)
        src = raw.get("source")
        # classify by the canonical labels when given (our own JSON), else by what the page wrote;
        # keep the labels as the page wrote them when the record says so
        ind = make_indicator(level1 or level1_raw or "", level2 or level2_raw or "", name or "",
                             value or "", basis, _source(src) if isinstance(src, dict) else source,
                             level1_written=(level1_raw or "") if "level1_raw" in raw else None,
                             level2_written=(level2_raw or "") if "level2_raw" in raw else None)
        if ind is not None:
            indicators.append(ind)
    data = {k: v for k, v in d.items() if k in _FILING_FIELDS}
    if isinstance(data.get("source"), dict):
        data["source"] = Source(**data["source"])
    elif source is not None:
        data["source"] = source
    else:
        data.pop("source", None)
    if data.get("budget") in ("", None):
        data["budget"] = None
    if data.get("description") is None:      # hand-written JSON: null means "not given"
        data.pop("description", None)
    return Filing(**data, indicators=indicators)


def _clipped(item):
    """A JSON record with its own text fields cut at MAX_CELL_CHARS like any cell a grid reader
    returns (its indicators' fields are cut by filing_from_dict)."""
    if not isinstance(item, dict) or not any(type(v) is str and len(v) > MAX_CELL_CHARS
                                             for v in item.values()):
        return item
    return {k: clip_cell(v) if isinstance(v, str) else v for k, v in item.items()}


def _records(path: Path, kind: str) -> Iterator[tuple[int, object, str | None, bool]]:
    """(record number, record, problem, several records?) of a JSON / JSON Lines file, one at a
    time (a JSON Lines file is never held as Python objects all at once), within the budget's
    list lengths; a JSON Lines line that is not JSON is a problem of that record only."""
    from .json_input import json_lines, load_json
    from .readers.textio import read_text

    b = budget()
    text = read_text(path, b.json_bytes)
    total = 0

    def counted(n: int, item) -> None:
        nonlocal total
        _check_count(path, n)
        inds = item.get("indicators") if isinstance(item, dict) else None
        total += len(inds) if isinstance(inds, list) else 0
        if total > b.indicators_per_file:
            raise InputError(path, f"指标过多（超过 {b.indicators_per_file} 个），请拆分后再读")

    if kind == "jsonl":
        for k, x in enumerate(json_lines(text, path), 1):
            counted(k, x.value)
            yield x.line, x.value, x.problem, True
        return
    data = load_json(text, path)
    del text
    if isinstance(data, dict) and isinstance(data.get("filings"), list):
        data = data["filings"]
    if isinstance(data, dict) and isinstance(data.get("project"), dict) and "indicators" in data:
        data = {**data["project"], "indicators": data["indicators"]}   # a jixiao draft
    data = data if isinstance(data, list) else [data]
    _check_count(path, len(data))
    for k, item in enumerate(data, 1):
        counted(k, item)
    many = len(data) > 1
    data.reverse()                                # hand each record over and let it go
    n = 0
    while data:
        n += 1
        yield n, data.pop(), None, many


def _check_count(path: Path, n: int) -> None:
    limit = budget().filings_per_file
    if n > limit:
        raise InputError(path, f"记录过多（{n} 条，上限 {limit} 条），请拆分后再读")


def _record_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ")
        loc = ".".join(str(x) for x in first.get("loc") or ())
        return f"字段 {loc}：{msg}" if loc else msg
    return str(exc)


def _json_filings(path: Path, kind: str = "json") -> list[Filing]:
    """The filings of a JSON / JSON Lines file.  Each record is read on its own: when some are
    unusable and others are not, PartlyReadError carries the good ones and a line per bad one."""
    per_filing = budget().indicators_per_filing
    out, problems = [], []
    for n, item, problem, many in _records(path, kind):
        where = f"第 {n} 条记录" if many else "记录"
        if problem is not None:
            problems.append(problem)
            continue
        if isinstance(item, dict) and isinstance(item.get("project"), dict) and "name" not in item:
            item = {**item["project"], "indicators": item.get("indicators", [])}
        inds = item.get("indicators") if isinstance(item, dict) else None
        if isinstance(inds, list) and len(inds) > per_filing:
            problems.append(f"{where}的指标过多（{len(inds)} 个，上限 {per_filing} 个）")
            continue
        try:
            out.append(filing_from_dict(_clipped(item), Source(file=str(path), table=0, row=n)))
        except (ValidationError, ValueError, TypeError) as exc:
            problems.append(f"{where}不符合绩效目标表格式：{_record_problem(exc)}")
    if problems and out:
        raise PartlyReadError(path, problems, out)
    if problems:
        more = f"（共 {len(problems)} 条记录有问题）" if len(problems) > 1 else ""
        raise InputError(path, problems[0] + more)
    return out


def parse_file(path: str | Path) -> list[Filing]:
    """Every filing found in one file.  Raises InputError for anything unreadable, and its
    subclass PartlyReadError when some records of a JSON file are unusable and others are not
    (the good filings ride on the exception: a caller may use them and report the rest)."""
    from .layout import interpret
    from .readers.dispatch import read_document, sniff_kind

    p = Path(path)
    if not p.exists():
        raise InputError(p, "文件不存在")
    if p.is_dir():
        raise InputError(p, "这是一个文件夹，不是文件")
    try:
        kind = sniff_kind(p)
        if kind in ("json", "jsonl"):
            filings = _json_filings(p, kind)
        else:
            filings = interpret(read_document(p))
    except InputError:
        raise
    except (MemoryError, RecursionError):
        raise InputError(p, "文件过大或结构过深，无法处理") from None
    except Exception as exc:  # a reader met something it cannot read: say so, no traceback
        raise InputError(p, f"无法解析（{type(exc).__name__}）：{str(exc)[:120]}") from exc
    if not filings:
        raise InputError(p, "没有找到绩效指标表（no indicator table）")
    return filings
