"""From a few lines about a new project to a complete, explained draft table.

    project ──▶ sectors (given or inferred from trigger words; 通用 with its reason)
            ──▶ the description read (engine.reading): quantities, targets, times, purposes
            ──▶ past filings: the same project and the same unit always; another unit's only
                when similar (absolute TF-IDF floor) and of a shared sector
            ──▶ the sector library of the project's sectors, and the 通用 entries (engine.library_lines)
            ──▶ the description's statements take over their lines or add their own (engine.described)
            ──▶ scored candidates per 二级 ──▶ selection (engine.selection: quotas, kept lines;
                what the description states always gets its line) ──▶ rule layer (values,
                basis) ──▶ lint ──▶ Draft

A line's value comes from the description, the budget (one total-cost line only), a unit cost
worked out from both, the same project's or unit's past filing, the library's typical value, or
is left 待填写 — never from another unit's filing (engine.valuerules).  The weights are data
(data/rules.json `ranking`, `history`, `quota`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.corpus.categories import LEVEL2_CANON
from jixiao.corpus.textkeys import bare_name

from jixiao.catalogue.records import FilingFacts

from .candidate_key import CandidateKey, KeyKind
from .candidates import Candidate
from .described import add_described_lines
from .draft import Draft, DraftIndicator, Project, SourceRef
from .library_lines import add_library_lines, beneficiary_word
from .lint import lint_draft
from .profiles import rules_data, table_size
from .reading import Reading, fold, read_project
from .selection import by_category, fix_category, near_duplicate, score, select
from .valuerules import History, fill_value


def project_text(project: Project) -> str:
    return f"{project.name} {project.name} {project.description or ''}"


def _same_project(a: str, b: str) -> bool:
    return bool(a) and bare_name(a) == bare_name(b)


def unit_matches(unit_key: str, dept_key: str) -> bool:
    """Two department keys (bare_name) for one unit: equal, or one (4+ characters) inside the
    other (平罗县审批服务管理局 / 审批服务管理局)."""
    return bool(dept_key) and (dept_key == unit_key or (min(len(dept_key), len(unit_key)) >= 4
                                                        and (dept_key in unit_key or unit_key in dept_key)))


def _same_department(filing_dept: str | None, dept_key: str) -> bool:
    return unit_matches(dept_key, bare_name(filing_dept or ""))


def with_sectors(model, project: Project) -> Project:
    """The project with its sectors (inferred when not given) and the reason for them."""
    from jixiao.catalogue.tags import tag_reason

    update = {}
    if not project.sectors:
        update.update(sectors=model.tag(project.name, project.description, project.department or ""),
                      sectors_inferred=True)
    if not project.sector_reason:
        if project.sectors and not project.sectors_inferred:
            update["sector_reason"] = "经办人指定"
        else:
            update["sector_reason"] = tag_reason(project.name, project.description, project.department or "")
    return project.model_copy(update=update) if update else project


@dataclass
class Evidence:
    """What gathering found: candidates, and the past filings they came from (best first)."""
    cands: dict[str, Candidate]
    similar: list[tuple[int, float]]          # (filing id, similarity) of the filings used
    filing_info: dict[int, FilingFacts]
    reading: Reading

    def refs(self, k: int = 5) -> list[SourceRef]:
        return [SourceRef(kind="filing", name=self.filing_info[f].name, year=self.filing_info[f].year,
                          similarity=round(s, 3)) for f, s in self.similar[:k] if f in self.filing_info]

    own_sizes: list[dict] = field(default_factory=list)   # per 二级 counts of own filings, most similar first

    def table_max(self) -> int:
        return table_size()["max"]

    def habits(self) -> dict[str, int] | None:
        """How many lines per 二级 (and "*" in all) the unit's own filings most like this project
        hold — the median of up to `habit_filings` of them — or None without such filings."""
        own = self.own_sizes[:rules_data()["history"]["habit_filings"]]
        if not own:
            return None
        out = {}
        for key in {k for counts in own for k in counts} | {"*"}:
            values = sorted(counts.get(key, 0) for counts in own)
            out[key] = values[len(values) // 2]
        return out


# -- gathering -------------------------------------------------------------------------------------
def unit_of_filing(info: FilingFacts) -> str:
    """A past filing's unit: its department, or — when the form names none — the document it was
    published in ("file:<path>"; one published document is one unit's)."""
    dept = bare_name(info.department or "")
    return dept or (f"file:{info.src_file}" if info.src_file else "")


def _same_unit(unit: str, info: FilingFacts) -> bool:
    if not unit:
        return False
    if unit.startswith("file:"):
        return unit == unit_of_filing(info)
    return _same_department(info.department, unit)


def _history(model, project: Project, text: str, cands: dict, exclude: set[int],
             unit: str | None = None) -> tuple[list, dict]:
    """Lines of the past filings that may count: same project, same unit, or similar (absolute
    floor) and of a shared sector."""
    hcfg = rules_data()["history"]
    from jixiao.catalogue.tags import fallback_tag

    sectors = set(project.sectors) - {fallback_tag()}
    dept = unit or bare_name(project.department or "")
    found = [(fid, s) for fid, s in model.similar_filings(text, hcfg["k_filings"] + len(exclude))
             if fid not in exclude][:hcfg["k_filings"]]
    listed = {fid for fid, _ in found}
    # the same project's and the unit's own filings count however little their words overlap
    found += [(fid, 0.0) for fid in model.own_filings(project.name, dept)
              if fid not in listed and fid not in exclude]
    info = model.filing_facts(fid for fid, _ in found)
    kept: list[tuple[int, float]] = []
    flags: dict[int, tuple[bool, bool]] = {}
    for fid, s in found:
        finfo = info.get(fid)
        if finfo is None:
            continue
        same = _same_project(finfo.name, project.name)
        own = _same_unit(dept, finfo)
        tags = finfo.tags
        shared = not sectors or bool(sectors & set(tags))
        # another unit's filing counts when really alike: similar enough, and its main sector
        # is one of the project's (an office-equipment purchase is not a hall's upkeep)
        # and the project's own main sector is among the filing's (a 政务服务中心's 物业 project is
        # not like the 政务服务 filings of the hall it looks after)
        primary = project.sectors[0] if project.sectors else None
        alike = s >= hcfg["floor"] and (not sectors or (bool(tags) and tags[0] in sectors
                                                        and (primary not in sectors or primary in tags)))
        if same or own or alike:
            kept.append((fid, s))
            flags[fid] = (same, own, shared)
    sim_of = dict(kept)
    habit_level2 = set(hcfg["unit_habit_level2"])
    own_sizes: dict[int, dict] = {}
    for fid, rows in model.filing_rows(fid for fid, _ in kept):
        finfo = info[fid]
        same, unit, shared = flags[fid]
        s = sim_of[fid]
        if same or (unit and shared):
            counts = own_sizes[fid] = {"*": len(rows)}
            for row in rows:
                counts[row[1]] = counts.get(row[1], 0) + 1
        for key, level2, name, cid, value in rows:
            c = cands.get(key)
            if c is None:
                c = cands[key] = Candidate(key, level2, name, canonical_id=cid)
            c.history.append(History(value, finfo.year, finfo.name, s, same, unit))
            if c.last_filing != fid:       # rows come filing by filing
                c.last_filing = fid
                c.n_filings += 1
                c.sim_sum += s
                c.sim_max = max(c.sim_max, s)
            if same:
                c.parts["same_project"] = 1.0
            if unit and (shared or level2 in habit_level2):
                c.parts["same_unit"] = max(c.parts.get("same_unit", 0.0), 1.0 + s)
            elif not same:
                c.parts["similar"] = 1.0     # another unit's, or the unit's other kind of project
    ranked_own = [own_sizes[fid] for fid, _ in kept if fid in own_sizes]   # most similar first
    return kept, info, ranked_own


def _canonical_facts(model, cands: dict, exclude: set[int], sectors: set[str]) -> None:
    canon = model.canonical_facts(c.canonical_id for c in cands.values() if c.canonical_id is not None)
    only_excluded = set()
    if exclude:
        only_excluded = model.cat.canonicals_only_in(
            [c.canonical_id for c in cands.values() if c.canonical_id is not None], exclude)
    for key in list(cands):
        c = cands[key]
        if c.canonical_id is None:
            continue
        got = canon.get(c.canonical_id)
        if got is None or c.canonical_id in only_excluded:
            del cands[key]
            continue
        c.level2 = got.level2
        c.name = got.name or c.name
        c.usage = int(got.usage or 0)
        c.parts["tag"] = 1.0 if not sectors.isdisjoint(got.tags) else 0.0

def _merge_library_twins(cands: dict) -> None:
    """A past line named as a library entry is one candidate: the past line's evidence with the
    library's typical value and basis (群众对热线知晓率 gets ≥90% instead of 待填写).  Sentence-like
    names of other units' filings are dropped (lint L22); the unit's own habits stay."""
    library = {(c.level2, bare_name(c.name)): c for c in cands.values() if c.library_type}
    long_max = rules_data()["ranking"]["sentence_chars"]
    for key in list(cands):
        c = cands.get(key)
        if c is None or c.library_type or c.stated is not None:
            continue
        own = c.parts.get("same_project") or c.parts.get("same_unit")
        if not own and (len(c.name) > long_max or "，" in c.name or "," in c.name):
            del cands[key]
            continue
        twin = library.pop((fix_category(c), bare_name(c.name)), None)
        if twin is not None:
            c.library_value, c.library_basis = twin.library_value, twin.library_basis
            c.library_type, c.library_code = twin.library_type, twin.library_code
            c.level2 = twin.level2
            c.parts["library"] = twin.parts.get("library", 0.0)
            del cands[twin.key]


def _gate_benefits(project: Project, cands: dict, lib_level2: set[str]) -> None:
    """经济效益 / 生态效益 only where real: described, from the sector library, or (past lines)
    named with an economic / ecological word."""
    gates = {k: re.compile(v) for k, v in rules_data()["benefit_gate"].items() if not k.startswith("_")}
    for key in list(cands):
        c = cands[key]
        rx = gates.get(c.level2)
        if rx is None or c.stated is not None or c.library_type is not None:
            continue
        if c.level2 not in lib_level2 and not rx.search(c.name):
            del cands[key]


def gather(model, project: Project, exclude_filings: set[int] = frozenset(), unit: str | None = None) -> Evidence:
    """Every candidate line for the project, with its evidence and score parts.  `unit` names the
    project's unit when it is not its department (see unit_of_filing)."""
    model.sync()
    project = with_sectors(model, project)
    text = project_text(project)
    folded = fold(f"{project.name} {project.description or ''}")
    cands: dict[str, Candidate] = {}
    from jixiao.catalogue.tags import fallback_tag

    sectors = set(project.sectors) - {fallback_tag()}
    # 1. past filings that may count
    kept, info, own_sizes = _history(model, project, text, cands, set(exclude_filings), unit)
    # 2. catalogue indicator names close to the project text (only where a sector is shared)
    hcfg = rules_data()["history"]
    if sectors:
        for cid, s in model.similar_names(text, hcfg["k_names"]):
            if s < hcfg["names_floor"]:
                break
            key = CandidateKey(KeyKind.CANONICAL, str(cid))
            c = cands.get(key)
            if c is None:
                c = cands[key] = Candidate(key=key, level2="", name="", canonical_id=cid)
            c.parts["name"] = max(c.parts.get("name", 0.0), s)
    _canonical_facts(model, cands, set(exclude_filings), sectors)
    for key in [k for k, c in cands.items() if c.parts.get("name") and not c.history
                and c.parts.get("tag", 0.0) == 0.0]:
        del cands[key]                 # a name alike in words but used in no shared sector
    # 3. the sector library (project's sectors and 通用)
    reading = read_project(project.name, project.description or "")
    who = beneficiary_word(project, reading, model.sector_beneficiaries())
    add_library_lines(model, project, cands, folded, who, bool(reading.beneficiaries), reading.subsidised)
    _merge_library_twins(cands)
    lib_level2 = {c.level2 for c in cands.values() if c.library_type and c.library_type != fallback_tag()}
    # 4. the description's own statements
    add_described_lines(project, reading, cands, who)
    _gate_benefits(project, cands, lib_level2)
    return Evidence(cands, kept, info, reading, own_sizes)




# -- building the draft ------------------------------------------------------------------------------
def to_indicator(project: Project, c: Candidate) -> DraftIndicator:
    """One candidate with its value, basis and reasons filled by the rule layer."""
    from jixiao.corpus.values import parse_value

    hist = sorted(c.history, key=lambda h: (-h.same_project, -h.same_unit, -h.similarity))
    filled = fill_value(c.level2, c.name, budget=project.budget, year=project.year, history=hist,
                        library_value=c.library_value, library_basis=c.library_basis, stated=c.stated,
                        computed=c.computed)
    sources = [s for s in c.sources]
    seen = set()
    for h in hist[:3]:
        if h.filing in seen:
            continue
        seen.add(h.filing)
        how = "同一项目" if h.same_project else ("本单位" if h.same_unit else "相似项目")
        sources.append(SourceRef(kind="filing", name=h.filing, year=h.year, similarity=round(h.similarity, 3),
                                 value=h.value if h.carries else None, detail=how))
    if c.library_type:
        sources.append(SourceRef(kind="library", name=c.library_type, value=c.library_value,
                                 detail=f"行业指标库 · {c.library_type} · {c.library_code}"))
    if not sources:
        sources.append(SourceRef(kind="rule", name="填值规则", detail="按填值规则补充"))
    carried = filled.from_history is not None and filled.from_history.same_project
    return DraftIndicator(
        level1="", level2=c.level2, name=c.name, value=filled.value, basis=filled.basis,
        parsed=parse_value(filled.value), sources=sources, rules=filled.rules,
        needs_input=filled.needs_input, status="carried" if carried else "suggested", score=c.score,
        canonical_id=c.canonical_id,
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
        taken = [bare_name(n) for n in exclude_names]
        out = []
        for c in self.by_level2.get(level2, []):
            k = bare_name(c.name)
            if k and not any(near_duplicate(k, t) for t in taken):
                out.append(c)
                taken.append(k)
        return out

    def find(self, text: str, limit: int = 10) -> list[Candidate]:
        """Candidates of any category whose name resembles `text` (for completion)."""
        from rapidfuzz import fuzz, process

        pool = [c for cs in self.by_level2.values() for c in cs]
        got = process.extract(text, [c.name for c in pool], scorer=fuzz.WRatio, limit=limit)
        floor = rules_data()["ranking"]["find_floor"]
        return [pool[i] for _, s, i in got if s >= floor]


def rank(model, project: Project, *, profile: str = "default", use_feedback: bool = True,
         exclude_filings: set[int] = frozenset(), sizes: dict | None = None, unit: str | None = None) -> Ranking:
    """Sectors inferred, candidates gathered and scored, the draft's picks selected."""
    project = with_sectors(model, project)
    evidence = gather(model, project, exclude_filings, unit)
    cands = evidence.cands
    score(cands, model.feedback() if use_feedback else {}, model.cat.max_usage())
    by_l2 = by_category(cands)
    chosen = select(by_l2, profile, sizes, evidence.table_max(), evidence.habits(),
                    fold(f"{project.name} {project.description or ''}"))
    return Ranking(project=project, by_level2=by_l2, chosen=chosen, similar=evidence.refs())


def suggest(model, project: Project, *, profile: str = "default", use_feedback: bool = True,
            exclude_filings: set[int] = frozenset(), sizes: dict | None = None, unit: str | None = None) -> Draft:
    """The draft table for one project."""
    r = rank(model, project, profile=profile, use_feedback=use_feedback,
             exclude_filings=exclude_filings, sizes=sizes, unit=unit)
    draft = build_draft(r.project, r.chosen, profile)
    draft.similar = r.similar
    return draft
