"""The value grammar of real filings (docs/domain.md §2): parse, split, format, roll years.

A target value (指标值) is one of
  * a comparison, a number and a unit   "≥95%", "不少于10条", "30 万/年", "10376.01"
  * a deadline, period or frequency     "2024年底前", "2021.01-2021.12", "每月末", "3小时内"
  * a qualitative grade (定性)           "有效提高", "显著提升", "是"
  * free text, or nothing.
The vocabulary (operator spellings, units, grades, deadline shapes) lives in data/values.json;
this module compiles it once.  `parse_value` runs about a million times in a bulk ingest, so it
is cached and works on precompiled expressions only.

Conventions (also in the functions' docstrings):
  * Durations: a time amount written as "within" — number + time unit + 内/以内/之内, optionally
    followed by a verb ("3小时内", "30分钟内响应", "1个工作日内办结") — is a *deadline* with op ≤,
    the number and the time unit set.  A time amount without 内 is an ordinary number
    ("1个工作日", "≥3年", "1天").
  * Bare numbers are op "=" ("100%", "980 项", "10376.01").  The op a word gives wins over a
    symbol when both are written ("≥95%及以上" → ≥; a suffix word beats a prefix).
  * Numbers keep the scale they were written in: "1.12 亿元" is 1.12 with unit 亿元, "≥5.9 万件"
    is 5.9 with unit 万件.
  * Cost bounds without a number ("不超预算", "控制在预算内") are grades with op ≤.
  * Placeholders ("**", "XX", "…") are text; lint flags them.
  * For budget-system import (split_value) qualitative grades carry the sign "定性" (the national
    systems keep qualitative values under a sign of their own, code 6 in one client); deadlines
    and free text carry no sign; durations split like numbers.
  * A year is a 4-digit number in 1990–2100 that is followed by 年/年度/年底 (spaces allowed), or
    starts a date YYYY.MM[.DD] / YYYY-MM[-DD] / YYYY/MM[/DD], or starts a range ending in a year
    ("2019-2021年").  "2939 元", "2024件", "12345热线", "2000元/人" hold no year.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from .models import ParsedValue
from .textkeys import FULL_WIDTH_AND_SPACE as _FOLD
from .textkeys import ZERO_WIDTH as _ZERO_WIDTH

__all__ = [
    "Quantity",
    "extract_quantities",
    "format_value",
    "parse_value",
    "roll_years",
    "split_fused",
    "split_value",
    "vague_words",
    "years_in",
]

_WS = re.compile(r"\s+")
_TRAILING_PUNCT = re.compile(r"[。.;；,，、!！]+$")
_CJK = "\u4e00-\u9fff"
_NIAN = re.compile(r"\s*年")


def _alt(words) -> str:
    """A regex alternation of literal words, longest first (so 不超过 wins over 超过)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _int_range_re(lo: int, hi: int) -> str:
    """Alternation matching the 4-digit integers lo..hi (decades collapsed)."""
    parts = []
    for decade in range(lo // 10, hi // 10 + 1):
        first, last = max(lo, decade * 10), min(hi, decade * 10 + 9)
        if first == decade * 10 and last == decade * 10 + 9:
            parts.append(f"{decade}[0-9]")
        else:
            parts.extend(str(y) for y in range(first, last + 1))
    return "(?:" + "|".join(parts) + ")"


_NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_M = r"(?:1[0-2]|0?[1-9])"
_MM = r"(?:0[1-9]|1[0-2])"
_D = r"(?:3[01]|[12][0-9]|0?[1-9])"


class _LazyRe:
    """A regular expression compiled on first use.

    The grammar has a few dozen large expressions (≈80 ms to compile them all) and one command
    usually needs only some of them; after the first use the compiled pattern's methods are
    plain attributes, so a lazy one costs nothing more than a compiled one."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)
        self._rx = None

    def __getattr__(self, name):          # called only for what is not an attribute yet
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(*self._args)
            for attr in ("match", "fullmatch", "search", "finditer", "findall", "sub"):
                setattr(self, attr, getattr(rx, attr))
        return getattr(rx, name)


class _Grammar:
    """Everything compiled from data/values.json, built once (each expression on first use)."""

    def __init__(self, raw: dict):
        self.raw = raw
        lo, hi = raw["year_range"]
        self.year_lo, self.year_hi = lo, hi
        y = _int_range_re(lo, hi)

        self.ops_symbol: dict[str, str] = raw["op_symbols"]
        self.ops_prefix: dict[str, str] = raw["op_prefix_words"]
        self.ops_suffix: dict[str, str] = raw["op_suffix_words"]
        self.ops_lead = {**self.ops_prefix, **self.ops_symbol}
        self.aliases: dict[str, str] = raw["unit_aliases"]
        self.time_units = frozenset(raw["time_units"])
        self.money_units = frozenset(raw["money_units"])
        self.grades = frozenset(raw["grades"])
        self.budget_bound = frozenset(raw["budget_bound_phrases"])
        self.empty_chars = frozenset(raw["empty_chars"]) | frozenset(" ")
        self.noise = tuple(raw["noise_tokens"])
        self.placeholder = _LazyRe(raw["placeholder_re"])
        self.qualitative_sign = raw["qualitative_sign"]
        self.grade_joiners = tuple(raw["grade_joiners"])

        lead = _alt(self.ops_lead)
        suffix = _alt(self.ops_suffix)
        quals = _alt(raw["qualifier_prefixes"])
        per = "(?:" + _alt(raw["per_units"]) + ")"
        base = "(?:" + _alt(raw["units"]) + ")"
        rate = rf"(?:[/每]{per}(?:[·・•.]{per})*)"
        unit = rf"(?:{base}{rate}*|{rate}+)"

        # number grammar on compact text: [qualifier][op][qualifier] NUMBER rest
        self.number = _LazyRe(
            rf"(?:{quals})?(?P<op>{lead})?(?:{quals})?(?P<num>{_NUM}|\.[0-9]+)(?P<rest>.*)", re.S)
        self.rest_unit = _LazyRe(rf"(?P<unit>{unit})?(?P<suf>{suffix})?")
        self.rest_unit_unit = _LazyRe(rf"(?P<unit>{unit}{unit})(?P<suf>{suffix})?")
        self.rest_unit_noun = _LazyRe(rf"(?P<unit>{unit})(?P<noun>[{_CJK}]{{1,4}}?)(?P<suf>{suffix})?")
        self.rest_other = _LazyRe(rf"(?P<unit>[{_CJK}A-Za-z]{{1,4}}?)(?P<suf>{suffix})?")

        # deadlines
        pre = "(?:" + _alt(raw["deadline_lead_words"]) + ")?"
        dotdate = rf"{y}[.\-/](?:{_MM}(?:[.\-/]{_D})?|{_M}[.\-/]{_D})"
        date = rf"{y}(?:[.\-/](?:{_MM}(?:[.\-/]{_D})?|{_M}[.\-/]{_D})|年(?:{_M}月(?:{_D}[日号])?)?)?"
        date2 = rf"(?:{date}|{_M}[.\-/]{_D}|{_MM}|{_M}月(?:{_D}[日号])?)"
        macros = {
            "{PRE}": pre, "{Y}": y, "{M}": _M, "{MM}": _MM, "{D}": _D, "{DOTDATE}": dotdate,
            "{DATE}": date, "{DATE2}": date2, "{N}": _NUM, "{T}": "(?:" + _alt(self.time_units) + ")",
            "{V}": f"[{_CJK}]{{0,{int(raw['deadline_max_trailer'])}}}",
        }
        self.deadlines = []
        for pattern in raw["deadline_patterns"]:
            for k, v in macros.items():
                pattern = pattern.replace(k, v)
            self.deadlines.append((_LazyRe(pattern), "(?P<num>" in pattern))

        # years (on text folded to ASCII digits; see _year_matches)
        seps = r"[-—–~～至到]"
        unit_starts = {u[0] for u in raw["units"]} - set("年月日天周号工小分秒")
        no_unit = "(?!\\s*[" + re.escape("".join(sorted(unit_starts))) + "])"
        self.year = _LazyRe(
            rf"(?<![0-9.])(?P<y>{y})(?![0-9])"
            rf"(?=(?P<date>[.\-/](?:{_MM}(?:[.\-/]{_D})?|{_M}[.\-/]{_D}))(?![0-9]|\.[0-9]){no_unit}"
            rf"|\s*年|\s*{seps}\s*{y}\s*年)")

        # split_fused: a value phrase at the end of a cell (known units only)
        joiners = _alt(raw["fused_joiners"])
        # (no two \s* side by side: long blank runs must not make the search cubic)
        self.fused_number = _LazyRe(
            rf"(?:(?P<join>{joiners})\s*)?(?P<value>(?:(?P<op>{lead})\s*)?(?<![0-9.])(?P<num>{_NUM})"
            rf"(?:\s*(?P<unit>{unit}))?(?:\s*(?P<suf>{suffix}))?)\s*(?:[。.;；,，]\s*)?$")
        self.fused_grade = _LazyRe(
            rf"(?P<join>{_alt(self.grade_joiners)})\s*(?P<value>{_alt(self.grades)})\s*(?:[。.;；,，]\s*)?$")
        self.name_word = _LazyRe(rf"[{_CJK}A-Za-z]")
        self.fused_trim = " \t:：,，;；、"

        # extract_quantities
        self.q_number = _LazyRe(rf"(?<![0-9.])(?P<num>{_NUM})(?P<sp>\s*)(?P<unit>{unit})?")
        self.q_op_before = _LazyRe(rf"(?:{lead})\s*$")
        self.q_suffix_after = _LazyRe(rf"\s*(?:{suffix})")
        self.q_after = _LazyRe(rf"[{_CJK}A-Za-z]{{1,{int(raw['noun_max_chars'])}}}")
        self.q_sep = _LazyRe(r"[，,;；。：:!！?？\n\r\t()（）“”\"'‘’《》【】\[\]]")
        self.noun_verbs = tuple(sorted(raw["noun_lead_verbs"], key=len, reverse=True))
        self.noun_measures = tuple(raw["noun_measure_endings"])
        self.noun_trailing = tuple(sorted(set(raw["noun_trailing_words"]) | set(self.ops_lead), key=len, reverse=True))
        self.noun_max = int(raw["noun_max_chars"])

    def canon_unit(self, unit: str | None) -> str | None:
        """Fold spelling variants: 百分比 → %, ㎡ → 平方米, 元每人 → 元/人, 人.年 → 人·年."""
        if not unit:
            return None
        if unit in self.aliases:
            return self.aliases[unit]
        if "每" in unit or "/" in unit:
            unit = unit.replace("每", "/")
            head, _, tail = unit.partition("/")
            head = self.aliases.get(head, head)
            tail = re.sub(r"[・•.]", "·", tail)
            unit = f"{head}/{tail}"
        return unit

    def is_money(self, unit: str | None) -> bool:
        if not unit:
            return False
        head = unit.split("/", 1)[0]
        return head in self.money_units or "元" in head


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    with resources.files("jixiao.corpus").joinpath("data/values.json").open(encoding="utf-8") as fh:
        return _Grammar(json.load(fh))


def vague_words() -> tuple[str, ...]:
    """Slogan words that make a quantitative value vague (lint L04)."""
    return tuple(_grammar().raw["vague_words"])


# ---------------------------------------------------------------------------------- parse

_EMPTY = ParsedValue(kind="empty")
_TEXT = ParsedValue(kind="text")
_MAX_VALUE_CHARS = 120          # longer cells are sentences, not values
_DEADLINE_HINT = re.compile(r"[\u4e00-\u9fff.\-/~～]")   # every deadline shape has one of these


def _compact(text: str, g: _Grammar) -> str:
    """Folded, without whitespace, noise tokens or trailing punctuation; outer brackets dropped."""
    c = _WS.sub("", text.translate(_FOLD).translate(_ZERO_WIDTH))
    for tok in g.noise:
        if tok in c:
            c = c.replace(tok, "")
    return c


def _to_float(num: str) -> float | None:
    try:
        f = float(num.replace(",", ""))
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def parse_value(text: str) -> ParsedValue:
    """Classify one 指标值 and split it into op / number / unit / year.  Never raises.

    kind "number" (op ∈ ≥ ≤ = > <, "=" for a bare number), "deadline" (year = the first year it
    names; durations "3小时内" also carry op ≤, number and unit), "grade" (closed list; cost
    bounds like 不超预算 carry op ≤), "text" (sentences, placeholders) or "empty".
    """
    if type(text) is not str:
        text = "" if text is None else str(text)
    return _parse_cached(text)


@lru_cache(maxsize=1 << 16)
def _parse_cached(text: str) -> ParsedValue:
    g = _grammar()
    c = _compact(text, g)
    if not c or all(ch in g.empty_chars for ch in c):
        return _EMPTY
    if len(c) > _MAX_VALUE_CHARS or g.placeholder.search(c):
        return _TEXT
    c = _TRAILING_PUNCT.sub("", c).lstrip(":;,、")
    if len(c) >= 2 and c[0] == "(" and c[-1] == ")":
        c = c[1:-1]
    if not c:
        return _TEXT

    if c in g.budget_bound:
        return ParsedValue(kind="grade", op="≤")
    if c in g.grades:
        return ParsedValue(kind="grade")
    for j in g.grade_joiners:
        if c.startswith(j) and c[len(j):] in g.grades:
            return ParsedValue(kind="grade")

    for rx, is_duration in (g.deadlines if _DEADLINE_HINT.search(c) else ()):
        m = rx.fullmatch(c)
        if m:
            years = years_in(c)
            year = years[0] if years else None
            if is_duration:
                n = _to_float(m.group("num"))
                if n is not None:
                    return ParsedValue(kind="deadline", op="≤", number=n, unit=m.group("unit"), year=year)
            return ParsedValue(kind="deadline", year=year)

    return _parse_number(c, g)


def _parse_number(c: str, g: _Grammar) -> ParsedValue:
    m = g.number.fullmatch(c)
    if not m:
        return _TEXT
    n = _to_float(m.group("num"))
    if n is None:
        return _TEXT
    rest = m.group("rest")
    unit = suf = None
    if rest:
        r = (g.rest_unit.fullmatch(rest) or g.rest_unit_unit.fullmatch(rest)
             or g.rest_unit_noun.fullmatch(rest) or g.rest_other.fullmatch(rest))
        if not r:
            return _TEXT
        unit, suf = r.group("unit"), r.group("suf")
    op = g.ops_suffix[suf] if suf else g.ops_lead[m.group("op")] if m.group("op") else "="
    unit = g.canon_unit(unit)
    if suf and g.ops_suffix[suf] == "≤" and unit in g.time_units and suf in ("内", "以内", "之内"):
        return ParsedValue(kind="deadline", op="≤", number=n, unit=unit)
    return ParsedValue(kind="number", op=op, number=n, unit=unit)


# ---------------------------------------------------------------------------------- split / format

def _fmt_number(x) -> str:
    """95.0 → "95", 0.3 → "0.3", 807.69 → "807.69" (no exponent, no trailing .0)."""
    if x is None:
        return ""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(f):
        return str(f)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    s = repr(f)
    if "e" in s or "E" in s:
        s = format(Decimal(s), "f")
    return s


def format_value(op: str | None, number: float | None, unit: str | None) -> str:
    """Canonical display: format_value("≥", 95.0, "%") → "≥95%"; ("≤", 25, "万元") → "≤25万元"."""
    return f"{op or ''}{_fmt_number(number)}{unit or ''}"


def split_value(text: str) -> tuple[str, str, str]:
    """(计算符号, 指标值, 计量单位) for budget-system import.

    number    → (op, number, unit):          "≥95%" → ("≥", "95", "%"); "10376.01" → ("=", "10376.01", "")
    duration  → like a number:               "3小时内" → ("≤", "3", "小时")
    deadline  → ("", text, ""):              "年底前" → ("", "年底前", "")
    grade     → ("定性", text, ""):           "有效提高" → ("定性", "有效提高", "")
    text      → ("", text, "") — no sign: the importer must ask;  empty → ("", "", "").
    Frequency words before a number are dropped ("每年≥90%" → ("≥", "90", "%")).  Text is returned
    as written, outer whitespace trimmed and inner runs collapsed.
    """
    if type(text) is not str:
        text = "" if text is None else str(text)
    pv = parse_value(text)
    shown = _WS.sub(" ", text.replace("\u3000", " ")).strip()
    if pv.kind == "empty":
        return ("", "", "")
    if pv.kind == "grade":
        return (_grammar().qualitative_sign, _TRAILING_PUNCT.sub("", shown), "")
    if pv.number is not None and pv.kind in ("number", "deadline"):
        return (pv.op or "=", _fmt_number(pv.number), pv.unit or "")
    return ("", shown, "")


# ---------------------------------------------------------------------------------- years

def _year_matches(text: str):
    """Year references (regex matches over `text` folded to ASCII; same positions as text)."""
    g = _grammar()
    return list(g.year.finditer(text.translate(_FOLD)))


def years_in(text: str) -> list[int]:
    """Every year the text names, in order of appearance (repeats kept)."""
    if not text or type(text) is not str:
        return []
    return [int(m.group("y")) for m in _year_matches(text)]


def roll_years(text: str, delta: int) -> tuple[str, int]:
    """Shift every year reference by `delta`; returns (new text, references rolled).

    "2024年底前" +1 → "2025年底前"; "2021.01-2021.12" +1 → "2022.01-2022.12".  Counts, money and
    codes ("2939 元", "2024件", "12345热线") are left alone.  Digits keep their width (a full-width
    year stays full-width).  When a shifted year would leave 1990–2100 nothing is rolled, so
    roll_years(roll_years(t, d)[0], -d)[0] == t whenever the first call rolled anything.
    """
    if not text or type(text) is not str or not delta:
        return (text if type(text) is str else "", 0)
    g = _grammar()
    matches = _year_matches(text)
    if not matches:
        return (text, 0)
    spans = []
    for m in matches:
        new = int(m.group("y")) + int(delta)
        if not g.year_lo <= new <= g.year_hi:
            return (text, 0)
        spans.append((m.start("y"), m.end("y"), str(new)))
    out, pos = [], 0
    for start, end, new in spans:
        out.append(text[pos:start])
        old = text[start:end]
        out.append("".join(chr(ord(d) + 0xFEE0) if "０" <= o <= "９" else d for o, d in zip(old, new)))
        pos = end
    out.append(text[pos:])
    return ("".join(out), len(spans))


# ---------------------------------------------------------------------------------- fused cells

def split_fused(cell: str) -> tuple[str, str]:
    """Split a cell that writes name and value together; (cell, "") when there is no clean split.

    Only when the cell ENDS with a value phrase — an optional operator word/symbol, a number, a
    known unit, an optional 以上/以内 — or with a grade word right after 达到/实现, and at least
    two characters of name (with a letter or CJK character) remain.  Joining words (达到, 达, 为,
    在 …) belong to neither part; operator words (不少于 …) stay with the value.  A number needs a
    unit, an operator or a joining word to count as a value ("12345热线" has none).
      "社会公众综合满意度达到100%"               → ("社会公众综合满意度", "100%")
      "确保政府门户网站首页栏目每天更新不少于10条" → ("确保政府门户网站首页栏目每天更新", "不少于10条")
      "出现网格故障须在1小时内处理完毕"          → (whole cell, "")
    Both parts are slices of the input (outer whitespace trimmed), so spelling is kept.
    """
    if type(cell) is not str:
        cell = "" if cell is None else str(cell)
    whole = cell.strip()
    if not whole or len(whole) > 400:
        return (whole, "")
    g = _grammar()
    folded = whole.translate(_FOLD)
    m = g.fused_number.search(folded)
    if m and not (m.group("unit") or m.group("op") or m.group("join") or m.group("suf")):
        m = None
    if m is None:
        m = g.fused_grade.search(folded)
    if m is None:
        return (whole, "")
    name = whole[:m.start()].rstrip(g.fused_trim)
    value = whole[m.start("value"):m.end("value")].strip()
    if len(name) < 2 or not g.name_word.search(name.translate(_FOLD)) or not value:
        return (whole, "")
    return (name, value)


# ---------------------------------------------------------------------------------- quantities

@dataclass(frozen=True)
class Quantity:
    """A number with a unit found in free text, and the noun it counts."""

    number: float
    unit: str | None
    noun: str = ""               # the thing counted: words right after the unit, else before the number
    op: str | None = None        # an operator written next to it ("不少于300人" → ≥), else None
    is_money: bool = False       # 元 / 万元 / 亿元 and per-unit money (万元/个)
    is_year: bool = False        # a year reference (see years_in); number is the year
    text: str = ""               # the span as written


def _noun_before(seg: str, g: _Grammar) -> str:
    seg = seg.strip()
    trimmed = True
    while trimmed:
        trimmed = False
        for w in g.noun_trailing:
            if seg.endswith(w):
                seg, trimmed = seg[:-len(w)].rstrip(), True
                break
    if len(seg) > g.noun_max:
        seg = seg[-g.noun_max:]
    if not seg.endswith(g.noun_measures):
        for v in g.noun_verbs:
            if seg.startswith(v) and len(seg) - len(v) >= 2:
                seg = seg[len(v):]
                break
    return seg


def extract_quantities(text: str) -> list[Quantity]:
    """Numbers with a known unit in a description, with the noun they count, in order.

    "主体班培训280人次;…开设课程数量220门" → (280, 人次, 主体班培训) … (220, 门, 开设课程数量);
    "大厅共设14个窗口" → (14, 个, 窗口); "印制办事指南300册" → (300, 册, 办事指南).
    The noun is the word run right after the unit when there is one (up to 的 or punctuation),
    else the clause before the number, without trailing 共/约/达到…, and without a leading action
    verb (印制, 开展 …) unless it names a measure (…数量, …人数).  Years and money are returned
    too, flagged is_year / is_money.  Numbers without a unit, and month/day parts of dates, are
    skipped.
    """
    if not text or type(text) is not str:
        return []
    g = _grammar()
    t = text.translate(_FOLD)
    out: list[Quantity] = []
    years = {m.start("y"): m for m in _year_matches(t)}
    skip_until = 0
    clause_start = 0
    scanned = 0                  # separators before here are already in clause_start: linear time
    for m in g.q_number.finditer(t):
        start = m.start()
        if start < skip_until:
            continue
        sep = None
        for sep in g.q_sep.finditer(t, max(clause_start, scanned), start):
            pass
        scanned = start
        if sep is not None:
            clause_start = sep.end()
        if start in years:
            ym = years[start]
            end = ym.end("date") if ym.group("date") else ym.end("y")
            nian = _NIAN.match(t, end)
            unit = None
            if nian:
                unit, end = "年", nian.end()
            out.append(Quantity(number=float(ym.group("y")), unit=unit, is_year=True, text=text[start:end]))
            skip_until = clause_start = end
            continue
        unit = m.group("unit")
        if not unit:
            continue
        end = m.end()
        # month and day numbers of a date ("12月31日") are not quantities
        if unit in ("月", "日") and (t[max(0, start - 1):start] in ("年", "月")
                                     or re.match(r"[0-9]{1,2}\s*[日号]", t[end:end + 4])):
            continue
        number = _to_float(m.group("num"))
        if number is None:
            continue
        op = None
        before = g.q_op_before.search(t, clause_start, start)
        if before:
            op = g.ops_lead.get(before.group(0).strip())
        suf = g.q_suffix_after.match(t, end)
        if suf:
            op = g.ops_suffix.get(suf.group(0).strip(), op)
            end_noun = suf.end()
        else:
            end_noun = end
        after = g.q_after.match(t, end_noun)
        noun = ""
        if after:
            noun = after.group(0).split("的", 1)[0]
        if not noun:
            noun = _noun_before(t[clause_start:start], g)
        cu = g.canon_unit(unit)
        out.append(Quantity(number=number, unit=cu, noun=noun, op=op, is_money=g.is_money(cu),
                            text=text[start:end]))
        clause_start = end
    return out
