"""One layout interpreter over grids: tables of cells → Filing records.

Three table shapes occur in real filings, all read here:

* forms (seeds 000, 002, 003, 004): project facts as label/value rows, then an indicator grid
  (一级 | 二级 | 三级 | 指标值 [| 绩效标准]).  Cells are classified by *content*, not by column:
  category labels are recognised wherever they drifted to, the first other cell of a row is the
  indicator name, the next its value, a basis word (按照上年, 计划标准 …) its basis.  Empty
  一级/二级 cells carry down from the rows above (row-spans).  Rows longer than one indicator
  (two form rows exported as one line) yield several indicators.
* wide summary tables (seed 001 附件3-2): one row per project, one column per 二级 category,
  each cell holding name and value fused ("社会公众综合满意度达到100%").
* department tables (部门整体支出): read like forms, marked kind=department.

Tables without a project name — the example tables in 编报说明 sections and empty templates —
are not filings.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from .categories import (
    L1,
    L2,
    LEVEL1_OF,
    is_basis,
    is_satisfaction_name,
    is_section_label,
    label_key,
    level1_of,
    level2_of,
    squash,
)
from .limits import budget_problem, year_problem
from .models import Filing, Indicator, Source, trusted_indicator
from .readers.grid import Document, Table
from .values import parse_value, split_fused

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_DOT = re.compile(r"((?:19|20)\d{2})[.\-/年]\s*\d{1,2}")
_PREFIX = re.compile(r"^\s*指标\s*\d+\s*[:：]\s*")
_NUMBERING = re.compile(r"^\s*(\d{1,2})\s*[.、．]\s*")
_SPLIT_PARTS = re.compile(r"\s*[；;]\s*\n*\s*|\s*\n+\s*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CODE_SUFFIX = re.compile(r"\s*\d{4,}\s*$")
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_CJK_BREAK = re.compile(r"\s*\n\s*")


@lru_cache(maxsize=1)
def _fields() -> dict[str, tuple[str, ...]]:
    with resources.files("jixiao.corpus").joinpath("data/fields.json").open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return {k: tuple(label_key(s) for s in v) for k, v in raw.items() if not k.startswith("_")}


def clean(cell: str | None) -> str:
    """Cell text without full-width blanks, check boxes' padding and outer whitespace."""
    if not cell:
        return ""
    return cell.replace("\u3000", " ").replace("\xa0", " ").strip()


def one_line(text: str) -> str:
    """Join a cell's lines (form exports break long Chinese text anywhere)."""
    if text and len(text) <= 128:               # names and values repeat across filings
        return _one_line_memo(text)
    return _CJK_BREAK.sub("", clean(text))


@lru_cache(maxsize=16384)
def _one_line_memo(text: str) -> str:
    return _CJK_BREAK.sub("", clean(text))


def field_of(cell: str) -> str | None:
    """Which project fact a label cell names (name, department, budget …), if any."""
    key = label_key(cell)
    if not key or len(key) > 16:
        return None
    for field, keys in _fields().items():
        if field in ("grid_header", "name_header", "end_of_grid", "department_table",
                     "example_context", "budget_column", "budget_total_row"):
            continue
        if key in keys:
            return field
    return None


def _is_grid_header(cells: list[str]) -> bool:
    keys = {label_key(c) for c in cells if c}
    hdr = set(_fields()["grid_header"])
    return len(keys & hdr) >= 2


def _is_end(cells: list[str]) -> bool:
    first = next((label_key(c) for c in cells if clean(c)), "")
    return any(first.startswith(k) for k in _fields()["end_of_grid"])


def _number(text: str) -> float | None:
    m = _NUMBER.search(clean(text).replace(",", ""))
    return float(m.group()) if m else None


def _budget(text: str) -> float | None:
    """The budget a form states, or None when it states none a budget can be (negative, beyond
    the range of data/limits.json): one odd cell does not cost the filing."""
    amount = _number(text)
    return amount if amount is not None and budget_problem(amount) is None else None


def _year(found: str) -> int | None:
    year = int(found)
    return year if year_problem(year) is None else None


def _year_in(texts) -> int | None:
    for t in texts:
        m = _YEAR.search(t or "")
        if m and _year(m.group(1)) is not None:
            return int(m.group(1))
    return None


def _year_from_period(period: str | None) -> int | None:
    if not period:
        return None
    m = _YEAR.search(period) or _YEAR_DOT.search(period)
    return _year(m.group(1)) if m else None


# --- level 2 inference (for rows that name only a 一级, and for loose JSON) ------------------

_INFER = {
    L2.TIMELINESS: ("时间", "及时", "按时", "按期", "期限", "时限", "进度", "工作日", "小时", "年底", "月底"),
    L2.COST: ("成本", "费用", "资金", "经费", "万元", "金额", "预算"),
    L2.QUANTITY: ("数量", "个数", "次数", "人数", "人次", "面积", "件数", "条数", "台数", "规模"),
    L2.ECOLOGICAL: ("环境", "生态", "排放", "能耗", "节能", "污染", "绿化", "水土"),
    L2.ECONOMIC: ("经济", "节约", "收入", "增收", "效益额", "产值"),
    L2.SUSTAINABLE: ("持续", "长效", "机制", "长期", "使用年限"),
}


def infer_level2(level1: str | None, name: str, value: str = "") -> str:
    """Best canonical 二级 for an indicator whose form gave only a 一级 (or nothing)."""
    text = f"{name} {value}"
    if level1 == L1.SATISFACTION or is_satisfaction_name(name):
        return L2.SATISFACTION
    pv = parse_value(value)
    if level1 == L1.BENEFIT:
        for l2 in (L2.ECOLOGICAL, L2.ECONOMIC, L2.SUSTAINABLE):
            if any(w in text for w in _INFER[l2]):
                return l2
        return L2.SOCIAL
    if pv.kind == "deadline" or any(w in name for w in _INFER[L2.TIMELINESS]):
        return L2.TIMELINESS
    if (pv.unit or "").endswith("元") or any(w in name for w in _INFER[L2.COST]):
        return L2.COST
    if pv.kind == "number" and pv.unit and pv.unit != "%":
        return L2.QUANTITY
    if any(w in name for w in _INFER[L2.QUANTITY]):
        return L2.QUANTITY
    return L2.QUALITY


def make_indicator(level1_raw: str, level2_raw: str, name: str, value: str,
                   basis: str | None = None, source: Source | None = None, *,
                   level1_written: str | None = None, level2_written: str | None = None) -> Indicator | None:
    """Normalise one row into an Indicator; None when it carries nothing.

    The labels classify the row; `level1_written` / `level2_written`, when given, are kept as
    the labels the page wrote instead of the classifying ones (our JSON carries both).  Every
    field is made here from strings, so the record is built without validating it again.
    """
    name = _PREFIX.sub("", one_line(name)).strip(" ：:;；")
    value = one_line(value)
    if not _HAS_WORD.search(name):
        name = ""
    if not name and not value:
        return None
    l2 = level2_of(level2_raw) if level2_raw else None
    l1 = level1_of(level1_raw) if level1_raw else None
    if l2 is None and level2_raw:
        # a 一级 spelled in the 二级 slot ("产出指标" under 实施效果指标)
        l1 = level1_of(level2_raw) or l1
    if l1 == L2.COST:            # 财预〔2021〕101号: 成本 as its own 一级
        l2 = l2 or L2.COST
    if l2 is None:
        l2 = infer_level2(l1, name, value)
    return trusted_indicator(
        LEVEL1_OF[l2], l2,
        one_line(level1_raw) if level1_written is None else level1_written,
        one_line(level2_raw) if level2_written is None else level2_written,
        name, value, parse_value(value), one_line(basis) if basis else None, source,
    )


def _strip_numbering(parts: list[str]) -> list[str] | None:
    """["1.12次", "2.4次"] → ["12次", "4次"] when the parts are numbered 1, 2, …; else None."""
    out = []
    for i, p in enumerate(parts, 1):
        m = _NUMBERING.match(p)
        if not m or int(m.group(1)) != i:
            return None
        out.append(p[m.end():])
    return out


def _parts(text: str) -> list[str]:
    return [p.strip(" 。.") for p in _SPLIT_PARTS.split(clean(text)) if p.strip(" 。.")]


def expand_cells(name: str, value: str) -> list[tuple[str, str]]:
    """Split numbered multi-indicator cells into (name, value) pairs.

    "绩效考核次数；全年评优评先考核次数" / "1.12次；2.4次" → two indicators (12次, 4次);
    "1、…;\n2、…\n3、…" with no value → three names.
    """
    names, values = _parts(name), _parts(value)
    if len(names) >= 2 and len(names) == len(values):
        return list(zip(_strip_numbering(names) or names, _strip_numbering(values) or values))
    if len(names) >= 2 and not values:
        numbered = _strip_numbering(names)
        if numbered:
            return [(n, "") for n in numbered]
    return [(name, value)]


# --- forms -------------------------------------------------------------------------------


class _Facts:
    """Label → value pairs of one form; the spelling listed first in fields.json wins."""

    def __init__(self):
        self.found: dict[str, list[tuple[int, int, str]]] = {}   # field → (priority, row, text)

    def put(self, field: str, value: str, row: int, label: str = "") -> None:
        value = clean(value)
        if not value:
            return
        keys = _fields().get(field, ())
        key = label_key(label)
        prio = keys.index(key) if key in keys else len(keys)
        self.found.setdefault(field, []).append((prio, row, value))

    def get(self, field: str, default: str = "") -> str:
        got = self.found.get(field)
        return min(got)[2] if got else default

    def all(self, field: str) -> list[str]:
        return [v for _, _, v in sorted(self.found.get(field, []))]

    @property
    def name_row(self) -> int:
        got = self.found.get("name")
        return min(got)[1] if got else 0

    @property
    def values(self) -> dict[str, str]:
        return {f: self.get(f) for f in self.found}


def _read_facts(rows: list[list[str]], stop: int, facts: _Facts) -> None:
    budget_col = None
    for r, row in enumerate(rows[:stop]):
        cells = [clean(c) for c in row]
        keys = [label_key(c) for c in cells]
        for c, k in enumerate(keys):
            if k in _fields()["budget_column"]:
                budget_col = c
        if budget_col is not None and any(k in _fields()["budget_total_row"] for k in keys):
            if budget_col < len(cells) and _number(cells[budget_col]) is not None:
                facts.put("budget", cells[budget_col], r, "本年度申请资金")
                budget_col = None
        c = 0
        while c < len(cells):
            field = field_of(cells[c]) if cells[c] else None
            if field is None:
                c += 1
                continue
            # the value is the next non-empty cell; a sub-label of the same fact is skipped
            # ("项目资金 → 年度资金总额: → 64.86"), any other label means this one is blank
            j = c + 1
            while j < len(cells) and (not cells[j] or field_of(cells[j]) == field):
                j += 1
            if j < len(cells) and field_of(cells[j]) is None:
                if field != "budget" or _number(cells[j]) is not None:
                    facts.put(field, cells[j], r, cells[c])
                c = j + 1
            else:
                c = j


class _Grid:
    """Walks indicator rows, carrying 一级/二级 down the row-spans."""

    def __init__(self, path: str, table: int):
        self.path, self.table = path, table
        self.l1 = ""
        self.l2 = ""
        self.out: list[Indicator] = []

    def row(self, r: int, cells: list[str]) -> None:
        l1 = l2 = None
        both = []
        contents: list[tuple[str, str]] = []        # ("text"|"basis", text)
        for cell in cells:
            t = clean(cell)
            if not t or not _HAS_WORD.search(t):
                continue
            is_l1, is_l2 = level1_of(t), level2_of(t)
            if is_l1 and is_l2:
                both.append(t)
            elif is_l2:
                l2 = t
            elif is_l1:
                l1 = t
            elif is_section_label(t):
                continue
            elif is_basis(t) and contents:
                contents.append(("basis", t))
            else:
                contents.append(("text", t))
        for t in both:                      # 满意度指标 / 成本指标: 一级 or 二级?
            if level2_of(t) == L2.COST:
                l2 = l2 or t
            elif l2 is not None:
                l1 = l1 or t
            elif l1 is not None:
                l2 = t
            else:
                l1 = l2 = t
        if l1 is not None:
            if level1_of(l1) != level1_of(self.l1 or "") and l2 is None:
                self.l2 = ""
            self.l1 = l1
        if l2 is not None:
            self.l2 = l2
        i = 0
        while i < len(contents):
            kind, name = contents[i]
            i += 1
            if kind == "basis":
                continue
            value, basis = "", None
            if i < len(contents) and contents[i][0] == "text":
                value = contents[i][1]
                i += 1
            if i < len(contents) and contents[i][0] == "basis":
                basis = contents[i][1]
                i += 1
            self.add(r, name, value, basis)

    def add(self, r: int, name: str, value: str, basis: str | None) -> None:
        src = Source(file=self.path, table=self.table, row=r)
        pairs = expand_cells(name, value)
        for n, v in pairs:
            ind = make_indicator(self.l1, self.l2, n, v, basis, src)
            if ind is None:
                continue
            if not ind.name:             # a lone value: it completes the indicator above
                if self.out and not self.out[-1].value:
                    prev = self.out[-1]
                    self.out[-1] = prev.model_copy(update={"value": ind.value, "parsed": ind.parsed})
                continue
            self.out.append(ind)


def _title_texts(table: Table) -> list[str]:
    head = [" ".join(clean(c) for c in row if clean(c)) for row in table.rows[:3]]
    return list(reversed(table.title)) + head


def _is_example(table: Table) -> bool:
    near = " ".join(table.title[-3:])
    return any(k in near for k in _fields()["example_context"]) or bool(
        table.title and re.search(r"如[^，。]*[：:]\s*$", table.title[-1])
    )


def _is_department(table: Table) -> bool:
    """A 部门整体支出 table: said in the title above it or in its first rows before the indicator
    grid starts (a project name in the grid's rows, such as a system-import sheet, doesn't count)."""
    head = []
    for row in table.rows[:2]:
        cells = [clean(c) for c in row]
        if _is_grid_header(cells):
            break
        head.append(" ".join(cells))
    texts = table.title[-3:] + head
    return any(k in squash(t) for t in texts for k in _fields()["department_table"])


def _description(facts: _Facts) -> str:
    """The year target; short targets ("100兆") are completed with 概况 and the long-term target."""
    texts = [re.sub(r"\s+", " ", re.sub(r"</?p>", " ", t)).strip() for t in facts.all("description")]
    desc = texts[0] if texts else ""
    if len(desc) < 20:
        parts = []
        for t in [clean(facts.get("overview"))] + texts[1:] + [desc]:
            if t and t not in parts:
                parts.append(t)
        desc = "。".join(parts)
    return desc


def _department(facts: _Facts) -> str | None:
    dept = facts.get("department")
    if not dept:
        return None
    dept = _CODE_SUFFIX.sub("", one_line(dept))
    return dept or None


_DEPT_PARA = re.compile(r"^(?:部门|单位)名称\s*[：:]\s*(\S.{0,40})$")


def _department_in(paragraphs: list[str]) -> str | None:
    """"部门名称：陕西省政务服务中心" written above the tables of a published budget."""
    for p in paragraphs:
        m = _DEPT_PARA.match(clean(p))
        if m:
            return m.group(1).strip()
    return None


def _form(table: Table, path: str, doc: Document) -> list[Filing]:
    rows = table.rows
    header = next((r for r, row in enumerate(rows) if _is_grid_header(row)), None)
    start = header
    if start is None:   # no header row: the first row that names a category
        for r, row in enumerate(rows):
            if any(level1_of(c) or level2_of(c) for c in row if clean(c)):
                start = r - 1
                break
    if start is None:
        return []
    facts = _Facts()
    _read_facts(rows, max(start, 0) + (1 if header is None else 0), facts)
    grid = _Grid(path, table.index)
    for r in range(start + 1, len(rows)):
        cells = rows[r]
        if _is_grid_header(cells):
            continue
        if _is_end(cells):
            break
        grid.row(r, cells)
    department = _is_department(table)
    name = one_line(facts.get("name"))
    dept = _department(facts) or _department_in(doc.paragraphs)
    if not grid.out:
        return []
    if not name:
        if not department:
            return []           # 编报说明 example or empty template
        name = f"{dept or ''}部门整体支出".strip()
    if _is_example(table) and not facts.get("name"):
        return []
    period = clean(facts.get("period")) or None
    year = _year_in(_title_texts(table)) or _year_from_period(period) or _year_in(doc.paragraphs)
    budget = _budget(facts.get("budget"))
    return [Filing(
        name=name,
        department=dept,
        year=year,
        budget=budget,
        period=period,
        description=_description(facts),
        kind="department" if department else "project",
        indicators=grid.out,
        source=Source(file=path, table=table.index, row=facts.name_row),
    )]


# --- wide summary tables -------------------------------------------------------------------


def _wide(table: Table, path: str) -> list[Filing] | None:
    rows = table.rows
    cat_row = None
    for r, row in enumerate(rows):
        cats = {c: level2_of(cell) for c, cell in enumerate(row) if clean(cell) and level2_of(cell)}
        if len(set(cats.values())) >= 4:
            cat_row, cat_cols = r, cats
            break
    if cat_row is None:
        return None
    fact_cols: dict[int, str] = {}
    fact_labels: dict[int, str] = {}
    for row in rows[:cat_row]:
        for c, cell in enumerate(row):
            f = field_of(cell) if clean(cell) else None
            if f and c not in fact_cols:
                fact_cols[c], fact_labels[c] = f, cell
    filings = []
    for r in range(cat_row + 1, len(rows)):
        row = rows[r]
        facts = _Facts()
        for c, f in sorted(fact_cols.items()):
            if c < len(row):
                facts.put(f, row[c], r, fact_labels[c])
        if not facts.get("name"):
            continue
        grid = _Grid(path, table.index)
        for c, l2 in cat_cols.items():
            if c >= len(row) or not clean(row[c]):
                continue
            grid.l1, grid.l2 = "", rows[cat_row][c]
            for part_name, part_value in expand_cells(row[c], ""):
                n, v = split_fused(one_line(part_name))
                grid.add(r, n, v, None)
        if not grid.out:
            continue
        period = clean(facts.get("period")) or None
        filings.append(Filing(
            name=one_line(facts.get("name")),
            department=_department(facts),
            year=_year_from_period(period) or _year_in(_title_texts(table)),
            budget=_budget(facts.get("budget")),
            period=period,
            description=_description(facts),
            kind="project",
            indicators=grid.out,
            source=Source(file=path, table=table.index, row=r),
        ))
    return filings


def interpret(doc: Document) -> list[Filing]:
    """All filings a document holds, in document order."""
    out: list[Filing] = []
    for table in doc.tables:
        wide = _wide(table, doc.path)
        if wide is not None:
            out.extend(wide)
            continue
        out.extend(_form(table, doc.path, doc))
    return out
