"""`jixiao eval`: how close drafts come to what officers really filed.

Two modes:
  * leave-one-out over the catalogue's project filings: each filing is held out (its own
    indicators and any canonical indicator only it used are invisible), and the draft for its
    name/description/budget/year is compared with what it really filed;
  * a folder of filings not in the catalogue (e.g. public filings from other units).

Figures per system (jixiao and two baselines, run on the same held-out filings):
  recall      share of real indicators matched by a suggestion of the same 二级 with a similar
              name (see `similar_names`)
  coverage    share of the template's required categories the table fills
  validity    share of values that are well-formed (number with unit, deadline, grade) or
              explicitly marked needs_input
  size        mean number of indicators per table (real filings: `real_size`)
Baselines: `popular` — the most used indicators per 二级, as many per category as jixiao's draft;
`copy` — the most similar past filing copied as it is (what officers do by hand).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.categories import LEVEL2_CANON
from corpus.values import parse_value

from .draft import Draft, DraftIndicator, Project
from .lint import lint_draft
from .profiles import profile as get_profile
from .suggest import norm_key, suggest

NAME_MATCH = 60     # rapidfuzz score (0–100) for "a similar name"


def similar_names(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    ka, kb = norm_key(a), norm_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    score = fuzz.ratio(ka, kb)
    if min(len(ka), len(kb)) >= 4:
        score = max(score, 0.9 * fuzz.partial_ratio(ka, kb))
    return score >= NAME_MATCH


def recall_of(draft: Draft, real: list) -> tuple[int, int]:
    """(matched, total) real indicators; each suggestion matches at most one real indicator."""
    used: set[int] = set()
    hit = 0
    reals = [r for r in real if r.name]
    for r in reals:
        for j, s in enumerate(draft.indicators):
            if j in used or s.level2 != r.level2:
                continue
            if similar_names(s.name, r.name):
                used.add(j)
                hit += 1
                break
    return hit, len(reals)


_WELL_FORMED = re.compile(r".")


def valid_value(ind: DraftIndicator) -> bool:
    if ind.needs_input and not ind.value:
        return True
    pv = parse_value(ind.value or "")
    if pv.kind == "number":
        return bool(pv.unit)
    return pv.kind in ("deadline", "grade")


@dataclass
class Tally:
    hit: int = 0
    total: int = 0
    covered: int = 0
    required: int = 0
    valid: int = 0
    values: int = 0
    size: int = 0
    tables: int = 0
    errors: int = 0

    def add(self, draft: Draft, real: list, profile: str) -> None:
        h, t = recall_of(draft, real)
        self.hit += h
        self.total += t
        req = get_profile(profile)["required"]
        present = {i.level2 for i in draft.indicators if i.name}
        self.covered += sum(1 for l2 in req if l2 in present)
        self.required += len(req)
        self.valid += sum(1 for i in draft.indicators if valid_value(i))
        self.values += len(draft.indicators)
        self.size += len(draft.indicators)
        self.tables += 1
        self.errors += sum(1 for f in lint_draft(draft, profile) if f.severity == "error")

    def figures(self) -> dict:
        div = lambda a, b: round(a / b, 3) if b else 0.0  # noqa: E731
        return {"recall": div(self.hit, self.total), "coverage": div(self.covered, self.required),
                "validity": div(self.valid, self.values), "size": div(self.size, self.tables),
                "lint_errors_per_table": div(self.errors, self.tables)}


@dataclass
class EvalResult:
    mode: str
    filings: int
    real_size: float
    systems: dict = field(default_factory=dict)      # name → figures
    per_filing: list = field(default_factory=list)


def _popular_draft(model, project: Project, exclude: set[int], places: dict[str, int]) -> Draft:
    """The most used indicators of each 二级, as many places per category as jixiao's draft."""
    inds = []
    for l2 in LEVEL2_CANON:
        for row in model.cat.popular(l2, places.get(l2, 0), exclude) if places.get(l2) else []:
            inds.append(DraftIndicator(level1="", level2=l2, name=row["name"], value=row.get("typical_value") or "",
                                       needs_input=not row.get("typical_value")))
    return Draft(project=project, indicators=inds)


def _copy_draft(model, project: Project, exclude: set[int]) -> Draft:
    from .suggest import project_text

    hits = [f for f, _ in model.similar_filings(project_text(project), 1 + len(exclude)) if f not in exclude]
    inds = []
    if hits:
        for row in model.cat.indicators_of([hits[0]]):
            inds.append(DraftIndicator(level1="", level2=row["level2"], name=row["name"], value=row["value"] or "",
                                       needs_input=not row["value"]))
    return Draft(project=project, indicators=inds)


def evaluate(model, filings: list, *, exclude_ids: list[set[int]] | None = None, profile: str = "default",
             mode: str = "leave-one-out") -> EvalResult:
    """Run jixiao and both baselines over held-out filings."""
    systems = {"jixiao": Tally(), "popular": Tally(), "copy": Tally()}
    result = EvalResult(mode=mode, filings=len(filings), real_size=0.0)
    real_total = 0
    for n, f in enumerate(filings):
        exclude = exclude_ids[n] if exclude_ids else set()
        project = Project(name=f.name, description=f.description, budget=f.budget,
                          year=f.year, department=f.department)
        ours = suggest(model, project, profile=profile, use_feedback=False, exclude_filings=exclude)
        places: dict[str, int] = {}
        for ind in ours.indicators:
            places[ind.level2] = places.get(ind.level2, 0) + 1
        drafts = {
            "jixiao": ours,
            "popular": _popular_draft(model, project, exclude, places),
            "copy": _copy_draft(model, project, exclude),
        }
        real = [i for i in f.indicators if i.name]
        real_total += len(real)
        row = {"name": f.name, "real": len(real)}
        for k, d in drafts.items():
            systems[k].add(d, real, profile)
            h, t = recall_of(d, real)
            row[k] = f"{h}/{t}"
        result.per_filing.append(row)
    result.real_size = round(real_total / len(filings), 2) if filings else 0.0
    result.systems = {k: v.figures() for k, v in systems.items()}
    return result
