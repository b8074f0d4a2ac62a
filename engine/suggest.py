"""From a few lines about a new project to a complete, explained draft table.

    project ──▶ type tags (given or inferred)
            ──▶ TF-IDF: similar past filings  ─┐
            ──▶ TF-IDF: similar indicator names ├─▶ scored candidates per 二级 ──▶ selection
            ──▶ common-indicator library ───────┘      (quota, near-duplicates dropped)
            ──▶ rule layer (values, basis)  ──▶ lint  ──▶ Draft

Scores combine text similarity of the past filings an indicator was used in, similarity of
the indicator's own name to the project text, project-type tag overlap, usage, and the
officers' recorded keep/reject feedback.  Weights are in `WEIGHTS`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.categories import LEVEL2_CANON

from .draft import Draft, DraftIndicator, Project, SourceRef
from .lint import lint_draft
from .profiles import profile as get_profile
from .profiles import quota, table_size
from .valuerules import History, fill_value, match_rule

WEIGHTS = {
    "filing": 0.60,      # used in similar past filings (relative to the best match, see _history_part)
    "name": 0.30,        # indicator name similar to the project text
    "tag": 0.10,         # used under the same project types
    "usage": 0.05,       # used often in the catalogue
    "department": 0.25,  # used by the same department (the unit's own habits)
    "library": 0.30,     # base score of a common-library entry for a matching type
    "library_generic": 0.20,  # a cross-type (通用) entry when the project has a recognised type
    "same_project": 0.6, # the same project's own earlier filing (officers copy last year)
    "feedback": 0.15,    # per recorded keep (+) / reject (−), capped
    "long_name": 0.15,   # penalty for sentence-like names (> 25 chars or a comma)
}
# A past filing this similar (TF-IDF cosine) to the new project is trusted fully; weaker best
# matches scale all history evidence down, so an unrelated catalogue yields to the library.
SIM_TRUSTED = 0.5
SUPPORT_STEP = 0.25
CLOSE_SIM = 0.2          # past filings this similar set the draft's size (Evidence.table_max)      # each further similar filing using an indicator adds this much (relative)
K_FILINGS = 30
K_NAMES = 80
_NORM = re.compile(r"[\s\d.%％()（）“”\"'‘’、，,。:：;；\-—/·]+|指标|的")


@lru_cache(maxsize=1 << 16)
def norm_key(name: str) -> str:
    return _NORM.sub("", name or "")


@dataclass(slots=True)
class Candidate:
    key: str                       # "c:<canonical id>" or "l:<library code>"
    level2: str
    name: str
    score: float = 0.0
    parts: dict = field(default_factory=dict)
    history: list[History] = field(default_factory=list)
    library_value: str | None = None
    library_basis: str | None = None
    library_type: str | None = None
    canonical_id: int | None = None
    usage: int = 0
    sources: list[SourceRef] = field(default_factory=list)
    # the past filings it was used in: how many, their best and summed similarity
    n_filings: int = 0
    sim_max: float = 0.0
    sim_sum: float = 0.0
    last_filing: int | None = None


def _same_project(a: str, b: str) -> bool:
    return bool(a) and norm_key(a) == norm_key(b)


def _same_department(filing_dept: str | None, dept_key: str) -> bool:
    other = norm_key(filing_dept or "")
    return bool(other) and (other == dept_key or (min(len(other), len(dept_key)) >= 4
                                                 and (other in dept_key or dept_key in other)))


def _history_part(c: Candidate, best: float) -> float:
    """0..1 evidence from the past filings an indicator was used in.

    Similarities are taken relative to the best-matching filing (what an officer would copy)
    and scaled by how good that best match is, so history from a weakly related catalogue
    counts for little.  Several similar filings using the same indicator add support.
    """
    if not c.n_filings or best <= 0:
        return 0.0
    support = (c.sim_max + SUPPORT_STEP * (c.sim_sum - c.sim_max)) / best
    return min(1.0, support) * min(1.0, best / SIM_TRUSTED)


def project_text(project: Project) -> str:
    return f"{project.name} {project.name} {project.description or ''}"


@dataclass
class Evidence:
    """What gathering found: candidates, and the past filings they came from (best first)."""
    cands: dict[str, Candidate]
    similar: list[tuple[int, float]]          # (filing id, similarity)
    filing_info: dict[int, dict]
    filing_sizes: dict[int, int]              # filing id → number of indicators

    def refs(self, k: int = 5) -> list[SourceRef]:
        return [SourceRef(kind="filing", name=self.filing_info[f]["name"], year=self.filing_info[f]["year"],
                          similarity=round(s, 3)) for f, s in self.similar[:k] if f in self.filing_info]

    def table_max(self) -> int:
        """Places in the draft: as many as the closely matching past filings hold (clamped to the
        rules' range), the rules' default when no past filing matches well."""
        size = table_size()
        close = [self.filing_sizes.get(f, 0) for f, s in self.similar[:3] if s >= CLOSE_SIM]
        if not close:
            return size["max"]
        close.sort()
        return max(size["max"], min(size["max_with_history"], close[len(close) // 2]))


def gather(model, project: Project, exclude_filings: set[int] = frozenset()) -> Evidence:
    """Every candidate indicator for the project, with its evidence and score parts."""
    model.sync()
    text = project_text(project)
    cands: dict[str, Candidate] = {}
    types = set(project.types)
    dept = norm_key(project.department or "")

    # 1. indicators of similar past filings (in filing id order, each in form order)
    similar = [(fid, s) for fid, s in model.similar_filings(text, K_FILINGS + len(exclude_filings))
               if fid not in exclude_filings][:K_FILINGS]
    filing_info = model.filing_facts(fid for fid, _ in similar)
    sim_of = dict(similar)
    best = max(sim_of.values(), default=0.0)
    filing_sizes: dict[int, int] = {}
    for fid, rows in model.filing_rows(fid for fid, _ in similar):
        finfo = filing_info.get(fid, {})
        fname, fyear = finfo.get("name", ""), finfo.get("year")
        same = _same_project(fname, project.name)
        same_dept = bool(dept) and _same_department(finfo.get("department"), dept)
        s = sim_of.get(fid, 0.0)
        filing_sizes[fid] = len(rows)
        for key, level2, name, cid, value in rows:
            c = cands.get(key)
            if c is None:
                c = cands[key] = Candidate(key, level2, name, canonical_id=cid)
            c.history.append(History(value, fyear, fname, s, same))
            if c.last_filing != fid:       # rows come filing by filing
                c.last_filing = fid
                c.n_filings += 1
                c.sim_sum += s
                if s > c.sim_max:
                    c.sim_max = s
            if same:
                c.parts["same_project"] = 1.0
            if same_dept:
                c.parts["department"] = 1.0
    for c in cands.values():
        c.parts["history"] = _history_part(c, best)
    # 2. indicator names similar to the project text
    for cid, s in model.similar_names(text, K_NAMES):
        key = f"c:{cid}"
        c = cands.get(key)
        if c is None:
            c = cands[key] = Candidate(key=key, level2="", name="", canonical_id=cid)
        c.parts["name"] = max(c.parts.get("name", 0.0), s)
    # canonical facts (level2, spelling, usage, tags) for everything found so far
    canon = model.canonical_facts(c.canonical_id for c in cands.values() if c.canonical_id is not None)
    if exclude_filings:
        only_excluded = model.cat.canonicals_only_in(
            [c.canonical_id for c in cands.values() if c.canonical_id is not None], exclude_filings)
    else:
        only_excluded = set()
    for key in list(cands):
        c = cands[key]
        if c.canonical_id is None:
            continue
        info = canon.get(c.canonical_id)
        if info is None or c.canonical_id in only_excluded:
            del cands[key]
            continue
        c.level2 = info["level2"]
        c.name = info["name"] or c.name
        c.usage = int(info.get("usage") or 0)
        c.parts["tag"] = 1.0 if not types.isdisjoint(info["tags"]) else 0.0
        if not c.history and info.get("typical_value"):
            c.history.append(History(value=info["typical_value"], year=None,
                                     filing="指标库典型值", similarity=0.0))
    # 3. the common-indicator library for the project's types (and the generic entries)
    from catalogue.tags import fallback_tag

    typed = types - {fallback_tag()}
    for entry in model.library_entries(types):
        key = f"l:{entry['code']}"
        # cross-type (通用) entries stand in fully when no project type was recognised
        generic = entry["type"] not in types and bool(typed)
        cands[key] = Candidate(
            key=key, level2=entry["level2"], name=entry["name"],
            library_value=entry.get("value"), library_basis=entry.get("basis"),
            library_type=entry["type"],
            parts={"library": 0.0 if generic else 1.0, "library_generic": 1.0 if generic else 0.0},
        )
    return Evidence(cands, similar, filing_info, filing_sizes)


def score(cands: dict[str, Candidate], feedback: dict[str, float], max_usage: int) -> None:
    w = WEIGHTS
    w_filing, w_dept, w_name, w_tag, w_usage = w["filing"], w["department"], w["name"], w["tag"], w["usage"]
    w_lib, w_generic, w_same, w_fb, w_long = (w["library"], w["library_generic"], w["same_project"],
                                              w["feedback"], w["long_name"])
    usage_scale = math.log1p(max_usage) if max_usage else 0.0
    for c in cands.values():
        get = c.parts.get
        s = 0.0
        s += w_filing * get("history", 0.0)
        s += w_dept * get("department", 0.0)
        s += w_name * get("name", 0.0)
        s += w_tag * get("tag", 0.0)
        if c.usage and max_usage:
            s += w_usage * math.log1p(c.usage) / usage_scale
        s += w_lib * get("library", 0.0) + w_generic * get("library_generic", 0.0)
        s += w_same * get("same_project", 0.0)
        fb = feedback.get(norm_key(c.name), 0.0) if feedback else 0.0
        s += max(-2 * w_fb, min(2 * w_fb, w_fb * fb))
        if len(c.name) > 25 or "，" in c.name:
            s -= w_long
        c.score = round(s, 4)


def _fix_category(c: Candidate) -> str:
    """Satisfaction belongs in 满意度, and 知晓率/投诉率 do not (lint L09/L10 avoided)."""
    if "满意" in c.name:
        return "服务对象满意度指标"
    if c.level2 == "服务对象满意度指标":
        return "社会效益指标"
    return c.level2


def by_category(cands: dict[str, Candidate]) -> dict[str, list[Candidate]]:
    """Named candidates per canonical 二级 (satisfaction moved where it belongs), best first."""
    by_l2: dict[str, list[Candidate]] = {l2: [] for l2 in LEVEL2_CANON}
    for c in cands.values():
        if not c.name or not c.level2:
            continue
        c.level2 = _fix_category(c)
        ranked = by_l2.get(c.level2)
        if ranked is not None:
            ranked.append(c)
    for ranked in by_l2.values():
        ranked.sort(key=lambda c: (-c.score, len(c.name), c.key))
    return by_l2


def select(by_l2: dict[str, list[Candidate]], profile: str = "default", sizes: dict | None = None,
           table_max: int | None = None) -> list[Candidate]:
    """Pick the draft's indicators from by_category()'s ranking.

    Every required 二级 of the profile gets its best candidate (and its quota `min` when the
    evidence reaches `min_score`); the remaining places up to `table.max` go to the best-scoring
    candidates overall within each category's `max`.  Near-duplicate names are dropped.
    `sizes` overrides a category's max (and a required category's min) for a caller.
    """
    from rapidfuzz import fuzz

    required = set(get_profile(profile)["required"])
    table = table_size()

    limits = {}
    for l2 in LEVEL2_CANON:
        q = dict(quota(l2))
        if sizes and l2 in sizes:
            q["max"] = q["min"] = sizes[l2]
        limits[l2] = q
    chosen: dict[str, list[Candidate]] = {l2: [] for l2 in LEVEL2_CANON}
    taken: set[int] = set()            # id() of the chosen candidates
    keys: list[str] = []

    def take(c: Candidate) -> bool:
        k = norm_key(c.name)
        if not k or any(k == o or fuzz.ratio(k, o) >= 85 for o in keys):
            return False
        chosen[c.level2].append(c)
        taken.add(id(c))
        keys.append(k)
        return True

    def pending(l2: str):
        return (c for c in by_l2.get(l2, []) if id(c) not in taken)

    # 1. the guaranteed places: one per required category, more where the quota asks and the
    #    evidence is there
    for l2 in LEVEL2_CANON:
        q = limits[l2]
        want = max(q.get("min", 0), 1 if l2 in required else 0)
        order = list(pending(l2))
        if q.get("first_rule"):
            order.sort(key=lambda c: match_rule(l2, c.name)["id"] != q["first_rule"])   # stable
        for c in order:
            if len(chosen[l2]) >= min(want, q["max"]):
                break
            if chosen[l2] and c.score < q.get("min_score", table["min_score"]):
                break
            take(c)
    # 2. the rest of the table by score across categories
    total_max = table_max or table["max"]
    if sizes:
        total_max = max(total_max, sum(limits[l2]["max"] for l2 in sizes))
    rest = sorted((c for l2 in LEVEL2_CANON for c in pending(l2)), key=lambda c: (-c.score, len(c.name), c.key))
    for c in rest:
        if len(taken) >= total_max:
            break
        q = limits[c.level2]
        if len(chosen[c.level2]) >= q["max"] or c.score < q.get("min_score", table["min_score"]):
            continue
        take(c)
    return [c for l2 in LEVEL2_CANON for c in chosen[l2]]


def to_indicator(project: Project, c: Candidate) -> DraftIndicator:
    """One candidate with its value, basis and reasons filled by the rule layer."""
    from corpus.values import parse_value

    hist = sorted(c.history, key=lambda h: (-h.same_project, -h.similarity))
    filled = fill_value(c.level2, c.name, budget=project.budget, year=project.year,
                        description=project.description, history=hist,
                        library_value=c.library_value, library_basis=c.library_basis)
    sources = []
    seen = set()
    for h in hist[:3]:
        if h.filing in seen or h.filing == "指标库典型值":
            continue
        seen.add(h.filing)
        sources.append(SourceRef(kind="filing", name=h.filing, year=h.year,
                                 similarity=round(h.similarity, 3), value=h.value))
    if c.library_type:
        sources.append(SourceRef(kind="library", name=c.library_type, value=c.library_value,
                                 detail=f"共性指标库 · {c.library_type}"))
    if filled.origin == "project":
        sources.append(SourceRef(kind="description", name="项目描述", value=filled.value))
    status = "carried" if filled.from_history is not None and filled.from_history.same_project else "suggested"
    return DraftIndicator(
        level1="", level2=c.level2, name=c.name, value=filled.value, basis=filled.basis,
        parsed=parse_value(filled.value), sources=sources, rules=filled.rules,
        needs_input=filled.needs_input, status=status, score=c.score, canonical_id=c.canonical_id,
    )


def sort_indicators(inds: list[DraftIndicator]) -> list[DraftIndicator]:
    order = {l2: i for i, l2 in enumerate(LEVEL2_CANON)}
    return sorted(inds, key=lambda i: order[i.level2])


def build_draft(project: Project, chosen: list[Candidate], profile: str = "default") -> Draft:
    draft = Draft(project=project, indicators=sort_indicators([to_indicator(project, c) for c in chosen]))
    draft.lint = lint_draft(draft, profile)
    return draft


@dataclass
class Ranking:
    """Everything a session needs to offer alternatives: ranked candidates per 二级."""
    project: Project
    by_level2: dict[str, list[Candidate]]
    chosen: list[Candidate]
    similar: list[SourceRef]

    def alternatives(self, level2: str, exclude_names: list[str] = ()) -> list[Candidate]:
        """Candidates of a category not yet in the table, best first, near-duplicates removed."""
        from rapidfuzz import fuzz

        taken = [norm_key(n) for n in exclude_names]
        out = []
        for c in self.by_level2.get(level2, []):
            k = norm_key(c.name)
            if k and not any(k == t or fuzz.ratio(k, t) >= 85 for t in taken):
                out.append(c)
                taken.append(k)
        return out

    def find(self, text: str, limit: int = 10) -> list[Candidate]:
        """Candidates of any category whose name resembles `text` (for completion)."""
        from rapidfuzz import fuzz, process

        pool = [c for cs in self.by_level2.values() for c in cs]
        got = process.extract(text, [c.name for c in pool], scorer=fuzz.WRatio, limit=limit)
        return [pool[i] for _, s, i in got if s >= 50]


def rank(model, project: Project, *, profile: str = "default", use_feedback: bool = True,
         exclude_filings: set[int] = frozenset(), sizes: dict | None = None) -> Ranking:
    """Types inferred, candidates gathered and scored, the draft's picks selected."""
    if not project.types:
        project = project.model_copy(update={"types": model.tag(project.name, project.description),
                                             "types_inferred": True})
    evidence = gather(model, project, exclude_filings)
    cands = evidence.cands
    score(cands, model.feedback() if use_feedback else {}, model.cat.max_usage())
    by_l2 = by_category(cands)
    chosen = select(by_l2, profile, sizes, evidence.table_max())
    return Ranking(project=project, by_level2=by_l2, chosen=chosen, similar=evidence.refs())


def suggest(model, project: Project, *, profile: str = "default", use_feedback: bool = True,
            exclude_filings: set[int] = frozenset(), sizes: dict | None = None) -> Draft:
    """The draft table for one project."""
    r = rank(model, project, profile=profile, use_feedback=use_feedback,
             exclude_filings=exclude_filings, sizes=sizes)
    draft = build_draft(r.project, r.chosen, profile)
    draft.similar = r.similar
    return draft
