"""Sector tags (行业: 热线, 运维, 教育, 林业草原 … or 通用) from the sector library's trigger words
(data/sectors/, see catalogue.sectors).

    tag_project(name, description="", department="") -> [(tag, score), ...]
                                                                best first, never empty
    tag_reason(name, description="", department="") -> str     why those sectors (Chinese, one line)
    tag_names() -> [tag, ...]                                   every valid tag, priority order
    resolve_tag(text) -> tag | None                             a tag from a user's spelling

Matching (data/sectors/_index.json says the same): text is normalised; candidates are the
longest keyword starting at each position and every pattern match; they claim their characters
longest first and then by type priority, so one phrase counts for one type only; a type scores
the weights of its distinct matched rules, the project name counting `name_weight` and the
description `description_weight`; types at or above `threshold` are kept (at most
`max_sectors`).  A project whose name and description match nothing is tagged by its
department's name when that names a sector, else it gets the fallback tag (通用) and its reason.  All
keywords are found with one compiled alternation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jixiao.corpus.textkeys import nfkc_squashed



@dataclass(frozen=True)
class _Rule:
    tag_index: int
    rule_id: int
    weight: float
    literal: str | None
    regex: re.Pattern | None


@dataclass(frozen=True)
class _Rules:
    tags: tuple[str, ...]
    codes: dict[str, str]
    aliases: dict[str, str]
    keywords: re.Pattern                 # every keyword, longest first
    by_keyword: dict[str, tuple[_Rule, ...]]
    patterns: tuple[_Rule, ...]
    name_weight: float
    description_weight: float
    threshold: float
    fallback: str
    fallback_reason: str
    max_sectors: int
    version: str
    secondary: frozenset


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    from .sectors import sector_data

    data = sector_data()
    tags, codes, aliases, rules = [], {}, {}, []
    for ti, sector in enumerate(data.sectors):
        tag = sector.name
        tags.append(tag)
        codes[tag] = sector.code
        aliases[nfkc_squashed(tag)] = tag
        for a in sector.aliases:
            aliases.setdefault(nfkc_squashed(a), tag)
        for kw, w in sector.keywords.items():
            rules.append(_Rule(ti, len(rules), float(w), nfkc_squashed(kw), None))
        for pat, w in sector.patterns.items():
            rules.append(_Rule(ti, len(rules), float(w), None, re.compile(pat)))
    if data.fallback not in tags:
        raise ValueError("sectors/_index.json: fallback must be one of the sectors")
    by_keyword: dict[str, list[_Rule]] = {}
    for r in rules:
        if r.literal:
            by_keyword.setdefault(r.literal, []).append(r)
    keywords = re.compile("|".join(re.escape(k) for k in sorted(by_keyword, key=len, reverse=True)) or "(?!)")
    return _Rules(tuple(tags), codes, aliases, keywords, {k: tuple(v) for k, v in by_keyword.items()},
                  tuple(r for r in rules if r.regex is not None), data.name_weight,
                  data.description_weight, data.threshold, data.fallback, data.fallback_reason,
                  data.max_sectors, data.version, frozenset(tags.index(t) for t in data.secondary if t in tags))


@lru_cache(maxsize=1 << 16)
def _field_scores(text: str) -> dict[int, float]:
    """tag index -> summed weight of its distinct rules that claimed text in this field."""
    return {ti: sum(w for w, _ in hits) for ti, hits in _field_hits(text).items()}


@lru_cache(maxsize=1 << 12)
def _head_positions(text: str) -> dict[int, int]:
    """tag index -> the end position of its last match in the text (-1 when none)."""
    return {ti: max(end for _, _, end in hits) for ti, hits in _field_spans(text).items()}


@lru_cache(maxsize=1 << 12)
def _field_hits(text: str) -> dict[int, list[tuple[float, str]]]:
    """tag index -> (weight, matched text) of its distinct rules that claimed text in this field."""
    return {ti: [(w, word) for w, word, _ in hits] for ti, hits in _field_spans(text).items()}


@lru_cache(maxsize=1 << 12)
def _field_spans(text: str) -> dict[int, list[tuple[float, str, int]]]:
    """tag index -> (weight, matched text, end) of its distinct rules that claimed text here."""
    if not text:
        return {}
    rules = _rules()
    hits = []          # (start, end, rule)
    pos, search = 0, rules.keywords.search
    while (m := search(text, pos)) is not None:
        hits.extend((m.start(), m.end(), r) for r in rules.by_keyword[m.group()])
        pos = m.start() + 1
    for r in rules.patterns:
        if r.regex.search(text):
            hits.extend((m.start(), m.end(), r) for m in r.regex.finditer(text) if m.end() > m.start())
    if not hits:
        return {}
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[2].tag_index, -h[2].weight, h[0]))
    taken = bytearray(len(text))
    matched: dict[int, tuple[_Rule, str]] = {}
    for start, end, r in hits:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        matched.setdefault(r.rule_id, (r, text[start:end], end))
    out: dict[int, list[tuple[float, str, int]]] = {}
    for r, word, end in matched.values():
        out.setdefault(r.tag_index, []).append((r.weight, word, end))
    return out


def tag_project(name: str, description: str = "", department: str = "") -> list[tuple[str, float]]:
    """Project-type tags with scores, best first; at least one (the fallback when nothing fits).
    When the name and description name no sector, the department's name may (黄石市图书馆 →
    文化文物, 东莞市交通运输局 → 交通公路): a unit's projects are mostly of its own kind."""
    tags = _tag_text(name, description)
    if department and tags[0][1] == 0.0 and tags[0][0] == _rules().fallback:
        by_unit = _tag_text(department, "")
        if by_unit[0][1] > 0.0:
            return by_unit
    return tags


def _tag_text(name: str, description: str) -> list[tuple[str, float]]:
    rules = _rules()
    in_name = _field_scores(nfkc_squashed(name))
    in_desc = _field_scores(nfkc_squashed(description))
    head = _head_positions(nfkc_squashed(name))
    scored = []
    named_main = any(ti not in rules.secondary for ti in in_name)
    for ti in set(in_name) | set(in_desc):
        score = rules.name_weight * in_name.get(ti, 0.0) + rules.description_weight * in_desc.get(ti, 0.0)
        if score >= rules.threshold:
            # the project name says what the money is for: sectors by how strongly the name
            # names them, ties to the one whose words stand nearer its end (a Chinese name's head
            # word comes last: 房租补贴 is a subsidy, 补贴系统运维 is maintenance), then by the
            # description's support
            # a secondary sector (how the money is paid) after the sector the name says it pays for
            later = 1 if ti in rules.secondary and named_main else 0
            scored.append((later, -round(in_name.get(ti, 0.0), 6), -head.get(ti, -1), -round(score, 6), ti))
    if not scored:
        return [(rules.fallback, 0.0)]
    scored.sort()
    return [(rules.tags[ti], -neg) for _, _, _, neg, ti in scored[:rules.max_sectors]]


def tag_reason(name: str, description: str = "", department: str = "") -> str:
    """Why the project got its sectors, e.g. '林业草原：名称含“造林”，描述含“苗木”', or the
    fallback's reason."""
    rules = _rules()
    tags = _tag_text(name, description)
    if tags[0][0] == rules.fallback and tags[0][1] == 0.0:
        if department and tag_project(name, description, department) != tags:
            index = {t: i for i, t in enumerate(rules.tags)}
            hits = _field_hits(nfkc_squashed(department))
            return "；".join(f"{tag}：名称和描述未点明行业，主管部门“{department}”含"
                            + "、".join(f"“{w}”" for _, w in hits.get(index[tag], []))
                            for tag, _ in tag_project(name, description, department))
        return rules.fallback_reason
    index = {t: i for i, t in enumerate(rules.tags)}
    in_name, in_desc = _field_hits(nfkc_squashed(name)), _field_hits(nfkc_squashed(description))
    parts = []
    for tag, _ in tags:
        ti = index[tag]
        said = []
        if in_name.get(ti):
            said.append("名称含" + "、".join(f"“{w}”" for _, w in in_name[ti]))
        if in_desc.get(ti):
            said.append("描述含" + "、".join(f"“{w}”" for _, w in in_desc[ti][:4]))
        parts.append(f"{tag}：{'，'.join(said)}")
    return "；".join(parts)


def tag_names() -> list[str]:
    """Every valid tag in priority order (the fallback last)."""
    return list(_rules().tags)


def fallback_tag() -> str:
    return _rules().fallback


def tag_code(tag: str) -> str:
    """Short code of a tag for indicator codes (RX for 热线 …); the fallback's code when unknown."""
    rules = _rules()
    return rules.codes.get(tag) or rules.codes[rules.fallback]


def resolve_tag(text: str) -> str | None:
    """The tag a user means by `text` (a tag name or one of its aliases), else None."""
    return _rules().aliases.get(nfkc_squashed(text))


# bumped when the way tags are worked out changes (2: the department when the text names none)
_LOGIC_VERSION = 2


def rules_version() -> str:
    """Changes whenever the sector files change (stored tags are recomputed then)."""
    return f"{_rules().version}:t{_LOGIC_VERSION}"
