"""`jixiao eval`: how close drafts come to what officers really filed.

Two modes:
  * leave-one-out over the catalogue's project filings: each filing is held out (its own
    indicators and any canonical indicator only it used are invisible), and the draft for its
    name/description/budget/year is compared with what it really filed;
  * a folder of filings not in the catalogue (e.g. public filings from other units).

Figures per system (jixiao and three baselines, run on the same held-out filings):
  recall      share of real indicators matched one-to-one by a suggestion of the same 二级 under
              the strict rule of engine.matching (also per 二级: `recall_by_level2`)
  coverage    share of the template's required categories the table fills
  validity    share of values that are well-formed (number with unit, deadline, grade) or
              explicitly marked needs_input
  size        mean number of indicators per table (real filings: `real_size`)
Baselines: `popular` — the most used indicators per 二级, as many per category as jixiao's draft;
`copy` — the most similar past filing copied as it is (what officers do by hand); `generic` — one
fixed 11-line table, the same for every project (data/eval_match.json).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.corpus.categories import LEVEL2_CANON
from jixiao.corpus.values import parse_value

from .draft import Draft, DraftIndicator, Project
from .lint import lint_draft
from .matching import generic_table, matched_pairs
from .profiles import profile as get_profile
from .suggest import suggest


def _match(draft: Draft, real: list) -> tuple[int, int, dict[str, list[int]]]:
    reals = [r for r in real if r.name]
    pairs = matched_pairs([(s.level2, s.name) for s in draft.indicators], [(r.level2, r.name) for r in reals])
    per: dict[str, list[int]] = {}
    matched = {j for _, j in pairs}
    for j, r in enumerate(reals):
        got = per.setdefault(r.level2, [0, 0])
        got[1] += 1
        got[0] += j in matched
    return len(pairs), len(reals), per


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
    by_level2: dict = field(default_factory=dict)     # 二级 → [matched, filed]

    def add(self, draft: Draft, real: list, profile: str) -> tuple[int, int]:
        h, t, per = _match(draft, real)
        self.hit += h
        self.total += t
        for l2, (a, b) in per.items():
            got = self.by_level2.setdefault(l2, [0, 0])
            got[0] += a
            got[1] += b
        req = get_profile(profile)["required"]
        present = {i.level2 for i in draft.indicators if i.name}
        self.covered += sum(1 for l2 in req if l2 in present)
        self.required += len(req)
        self.valid += sum(1 for i in draft.indicators if valid_value(i))
        self.values += len(draft.indicators)
        self.size += len(draft.indicators)
        self.tables += 1
        self.errors += sum(1 for f in lint_draft(draft, profile) if f.severity == "error")
        return h, t

    def figures(self) -> dict:
        div = lambda a, b: round(a / b, 3) if b else 0.0  # noqa: E731
        per = {l2: div(*self.by_level2[l2]) for l2 in LEVEL2_CANON if l2 in self.by_level2}
        return {"recall": div(self.hit, self.total), "coverage": div(self.covered, self.required),
                "validity": div(self.valid, self.values), "size": div(self.size, self.tables),
                "lint_errors_per_table": div(self.errors, self.tables), "recall_by_level2": per,
                "matched": self.hit, "filed": self.total}


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
            inds.append(DraftIndicator(level1="", level2=l2, name=row.name, value=row.typical_value or "",
                                       needs_input=not row.typical_value))
    return Draft(project=project, indicators=inds)


def _generic_draft(project: Project) -> Draft:
    """The fixed generic table: the same lines for every project, values left to fill."""
    inds = [DraftIndicator(level1="", level2=l2, name=name, needs_input=True)
            for l2, names in generic_table().items() for name in names]
    return Draft(project=project, indicators=inds)


def _copy_draft(model, project: Project, exclude: set[int]) -> Draft:
    from .suggest import project_text

    hits = [f for f, _ in model.similar_filings(project_text(project), 1 + len(exclude)) if f not in exclude]
    inds = []
    if hits:
        for row in model.cat.indicators_of([hits[0]]):
            inds.append(DraftIndicator(level1="", level2=row.level2, name=row.name, value=row.value or "",
                                       needs_input=not row.value))
    return Draft(project=project, indicators=inds)


def evaluate(model, filings: list, *, exclude_ids: list[set[int]] | None = None, profile: str = "default",
             mode: str = "leave-one-out", units: list[str | None] | None = None) -> EvalResult:
    """Run jixiao and the baselines over held-out filings.  `units` gives, per filing, its unit
    when the form names no department (leave-one-out: the document it was published in)."""
    systems = {"jixiao": Tally(), "popular": Tally(), "copy": Tally(), "generic": Tally()}
    result = EvalResult(mode=mode, filings=len(filings), real_size=0.0)
    real_total = 0
    for n, f in enumerate(filings):
        exclude = exclude_ids[n] if exclude_ids else set()
        project = Project(name=f.name, description=f.description, budget=f.budget,
                          year=f.year, department=f.department)
        ours = suggest(model, project, profile=profile, use_feedback=False, exclude_filings=exclude,
                       unit=units[n] if units else None)
        places: dict[str, int] = {}
        for ind in ours.indicators:
            places[ind.level2] = places.get(ind.level2, 0) + 1
        drafts = {
            "jixiao": ours,
            "popular": _popular_draft(model, project, exclude, places),
            "copy": _copy_draft(model, project, exclude),
            "generic": _generic_draft(project),
        }
        real = [i for i in f.indicators if i.name]
        real_total += len(real)
        row = {"name": f.name, "real": len(real)}
        for k, d in drafts.items():
            h, t = systems[k].add(d, real, profile)
            row[k] = f"{h}/{t}"
        result.per_filing.append(row)
    result.real_size = round(real_total / len(filings), 2) if filings else 0.0
    result.systems = {k: v.figures() for k, v in systems.items()}
    return result
