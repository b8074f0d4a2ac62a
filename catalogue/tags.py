"""Project-type tags (租赁, 运维, 热线, 评审 …) from the rules in data/type_tags.json.

    tag_project(name, description="") -> [(tag, score), ...]   best first, never empty
    tag_names() -> [tag, ...]                                   every valid tag, priority order
    resolve_tag(text) -> tag | None                             a tag from a user's spelling

Matching (the data file's comment says the same): text is normalised; candidates are the
longest keyword starting at each position and every pattern match; they claim their characters
longest first and then by type priority, so one phrase counts for one type only; a type scores
the weights of its distinct matched rules, the project name counting `name_weight` and the
description `description_weight`; types at or above `threshold` are kept.  A project nothing
matches gets the fallback tag.  All keywords are found with one compiled alternation.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII), lower case, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "").lower())


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
    version: str


def _raw_text() -> str:
    return resources.files("catalogue").joinpath("data/type_tags.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = _raw_text()
    data = json.loads(raw)
    tags, codes, aliases, rules = [], {}, {}, []
    for ti, t in enumerate(data["types"]):
        tag = t["tag"]
        tags.append(tag)
        codes[tag] = t["code"]
        aliases[normalise(tag)] = tag
        for a in t.get("aliases", []):
            aliases.setdefault(normalise(a), tag)
        for kw, w in t.get("keywords", {}).items():
            rules.append(_Rule(ti, len(rules), float(w), normalise(kw), None))
        for pat, w in t.get("patterns", {}).items():
            rules.append(_Rule(ti, len(rules), float(w), None, re.compile(pat)))
    if data["fallback"] not in tags:
        raise ValueError("type_tags.json: fallback must be one of the types")
    by_keyword: dict[str, list[_Rule]] = {}
    for r in rules:
        if r.literal:
            by_keyword.setdefault(r.literal, []).append(r)
    keywords = re.compile("|".join(re.escape(k) for k in sorted(by_keyword, key=len, reverse=True)) or "(?!)")
    return _Rules(tuple(tags), codes, aliases, keywords, {k: tuple(v) for k, v in by_keyword.items()},
                  tuple(r for r in rules if r.regex is not None), float(data["name_weight"]),
                  float(data["description_weight"]), float(data["threshold"]), data["fallback"],
                  f'{data["version"]}:{hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]}')


@lru_cache(maxsize=1 << 16)
def _field_scores(text: str) -> dict[int, float]:
    """tag index -> summed weight of its distinct rules that claimed text in this field."""
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
    matched: dict[int, _Rule] = {}
    for start, end, r in hits:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        matched[r.rule_id] = r
    scores: dict[int, float] = {}
    for r in matched.values():
        scores[r.tag_index] = scores.get(r.tag_index, 0.0) + r.weight
    return scores


def tag_project(name: str, description: str = "") -> list[tuple[str, float]]:
    """Project-type tags with scores, best first; at least one (the fallback when nothing fits)."""
    rules = _rules()
    in_name = _field_scores(normalise(name))
    in_desc = _field_scores(normalise(description))
    scored = []
    for ti in set(in_name) | set(in_desc):
        score = rules.name_weight * in_name.get(ti, 0.0) + rules.description_weight * in_desc.get(ti, 0.0)
        if score >= rules.threshold:
            scored.append((-round(score, 6), -in_name.get(ti, 0.0), ti))
    if not scored:
        return [(rules.fallback, 0.0)]
    scored.sort()
    return [(rules.tags[ti], -neg) for neg, _, ti in scored]


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
    return _rules().aliases.get(normalise(text))


def rules_version() -> str:
    """Changes whenever type_tags.json changes (stored tags are recomputed then)."""
    return _rules().version
