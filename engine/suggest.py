"""From a few lines about a new project to a complete, explained draft table.

    project ──▶ sectors (given or inferred from trigger words; 通用 with its reason)
            ──▶ the description read (engine.reading): quantities, targets, times, purposes
            ──▶ past filings: the same project and the same unit always; another unit's only
                when similar (absolute TF-IDF floor) and of a shared sector
            ──▶ the sector library of the project's sectors, and the 通用 entries
            ──▶ scored candidates per 二级 ──▶ selection (quotas; what the description states
                always gets its line) ──▶ rule layer (values, basis) ──▶ lint ──▶ Draft

A line's value comes from the description, the budget (one total-cost line only), a unit cost
worked out from both, the same project's or unit's past filing, the library's typical value, or
is left 待填写 — never from another unit's filing (engine.valuerules).  The weights are data
(data/rules.json `ranking`, `history`, `quota`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from jixiao.corpus.categories import L2, LEVEL2_CANON, is_satisfaction_name
from jixiao.corpus.textkeys import bare_name

from jixiao.catalogue.records import FilingFacts, LibraryEntry

from .candidate_key import CandidateKey, KeyKind
from .draft import Draft, DraftIndicator, Project, SourceRef
from .lint import lint_draft
from .profiles import profile as get_profile
from .profiles import quota, rules_data, table_size
from .reading import Reading, Stated, fold, read_project
from .valuerules import History, fill_value, is_total_cost

GENERIC = "通用"          # the fallback sector: entries every project may take
OBJECT_SLOT = "{对象}"
SUBSIDISED_SLOT = "{补助对象}"


@dataclass(slots=True)
class Candidate:
    """One possible line of the draft and the evidence for it.

    key: where it comes from and which one (engine.candidate_key: a line read from the
    description, a worked-out unit cost, a past filing's indicator by canonical id or by 二级 and
    name, a sector library entry, an indicator the officer named).
    """
    key: CandidateKey
    level2: str
    name: str
    score: float = 0.0
    parts: dict = field(default_factory=dict)
    history: list[History] = field(default_factory=list)
    library_value: str | None = None
    library_basis: str | None = None
    library_type: str | None = None          # the sector of a library entry
    library_code: str | None = None
    canonical_id: int | None = None
    usage: int = 0
    sources: list[SourceRef] = field(default_factory=list)
    stated: Stated | None = None             # what the description says for this line
    computed: tuple[str, str] | None = None  # (value, reason) worked out from budget and description
    # the past filings it was used in: how many, their best and summed similarity
    n_filings: int = 0
    sim_max: float = 0.0
    sim_sum: float = 0.0
    last_filing: int | None = None

    @property
    def described(self) -> bool:
        return self.stated is not None and self.stated.kind != "purpose"


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


def _beneficiary(project: Project, reading: Reading, sector_beneficiaries: dict) -> str:
    """Who {对象}满意度 names: the beneficiary the description names, else (with `unnamed`
    "sector") the primary sector's first beneficiary, else the `unnamed` word (服务对象)."""
    if reading.beneficiaries:
        return reading.beneficiaries[0]
    unnamed = rules_data()["satisfaction"]["unnamed"]
    if unnamed == "sector":
        for s in project.sectors:
            if sector_beneficiaries.get(s):
                return sector_beneficiaries[s][0]
        return "服务对象"
    return unnamed


def _payment_word(text: str) -> str | None:
    """The word the project uses for its payments (补贴, 补助 …), first in the text."""
    words = rules_data()["payment_words"]["words"]
    found = [(text.find(w), w) for w in words if w in text]
    return min(found)[1] if found else None


def _own_wording(name: str, text: str, word: str | None) -> str:
    """A library name in the project's own payment word (补助 → 补贴 on a 补贴 project): `text`
    is where the project said its word (its name, else its name and description)."""
    if not word:
        return name
    for w in rules_data()["payment_words"]["words"]:
        if w != word and w in name and w not in text:
            return name.replace(w, word)
    return name


def _requires_met(entry: LibraryEntry, text: str) -> tuple[bool, bool]:
    """(applies, specialised): an entry applies when the project text holds one of its words."""
    req = entry.requires or "[]"
    words = json.loads(req) if isinstance(req, str) else list(req)
    if not words:
        return True, False
    return any(fold(w) in text for w in words), True


def _overlap(name: str, text: str) -> float:
    """Share of a name's two-character pieces found in the project text (0..1)."""
    key = bare_name(name.replace(OBJECT_SLOT, ""))
    pieces = {key[i:i + 2] for i in range(len(key) - 1)}
    if not pieces:
        return 0.0
    return sum(1 for p in pieces if p in text) / len(pieces)


_SATISFIED = re.compile(r"(满意度|满意率|满意)$")
_MEASURE_TAIL = re.compile(r"(数量|覆盖率)$")


def _names_foreign_beneficiary(name: str, text: str, native: set[str]) -> bool:
    """A satisfaction entry naming someone the project does not serve (受助学生满意度 on a
    救助 project for adults): not generic, not among the sector's own, not in the text."""
    who = _SATISFIED.sub("", name.replace(OBJECT_SLOT, ""))
    who = re.sub(r"^.*对(?!象)|的$", "", who)     # 师生对实验室改造满意度 asks 师生; 服务对象 is a word
    cfg = rules_data()["satisfaction"]
    if not who or who in cfg["generic"] or who in native or OBJECT_SLOT in name:
        return False
    return _overlap(who, text) < cfg["named_share"]


def _library(model, project: Project, cands: dict, text: str, who: str, who_described: bool,
             subsidised: str = "") -> None:
    from jixiao.catalogue.tags import fallback_tag

    w = rules_data()["ranking"]
    sat = rules_data()["satisfaction"]
    fallback = fallback_tag()
    ranks = {s: i for i, s in enumerate(project.sectors) if s != fallback}
    primary = next((s for s in project.sectors if s != fallback), None)
    entries = model.library_entries(project.sectors)
    native = set(model.sector_beneficiaries().get(primary, ())[:sat["sector_top"]])
    if any(e.type == primary and e.level2 == L2.SATISFACTION and _requires_met(e, text) == (True, True)
           for e in entries):
        native = set()          # the project names whom it serves (扶助对象): not the sector's usual 患者
    position: dict[tuple[str, str], int] = {}
    named: list[Candidate] = []
    # the payment word of the project's name wins (支持…减免房租补贴 whose description says 补助)
    own_name = fold(project.name)
    word, said_in = _payment_word(own_name), own_name
    if word is None:
        word, said_in = _payment_word(text), text
    for entry in entries:
        sector = entry.type
        applies, specialised = _requires_met(entry, text)
        if not applies or (SUBSIDISED_SLOT in entry.name and not subsidised):
            continue
        if entry.level2 == L2.SATISFACTION and not specialised \
                and _names_foreign_beneficiary(entry.name, text, native):
            continue
        # place among the entries that apply: one that does not apply pushes none down
        slot = (sector, entry.level2)
        n = position.get(slot, 0)
        position[slot] = n + 1
        if sector == fallback:
            base = w["generic"]
        else:
            rank_of = ranks.get(sector, len(w["sector_rank"]) - 1)
            base = w["sector_rank"][min(rank_of, len(w["sector_rank"]) - 1)]
        name = _own_wording(entry.name.replace(OBJECT_SLOT, who).replace(SUBSIDISED_SLOT, subsidised), said_in, word)
        key = CandidateKey(KeyKind.LIBRARY, entry.code)
        cands[key] = Candidate(
            key=key, level2=entry.level2, name=name, library_value=entry.value,
            library_basis=entry.basis, library_type=sector, library_code=entry.code,
            parts={"library": base - w["position_step"] * n
                   + (sat["described_bonus"] if who_described and OBJECT_SLOT in entry.name else 0.0),
                   "requires": 1.0 if specialised else 0.0,
                   "overlap": _overlap(name, text)},
        )
        if SUBSIDISED_SLOT in entry.name:
            cands[key].parts["counts_paid"] = 1.0
            named.append(cands[key])
    _drop_general_payee_lines(cands, named, subsidised)


def _drop_general_payee_lines(cands: dict, named: list[Candidate], subsidised: str) -> None:
    """Once the payee is named (补贴国有企业数量, 补贴国有企业覆盖率), the library lines that say the
    same in general words (奖补对象数量, 补助对象覆盖率, 受益企业数量) or count beneficiaries in
    general (受益（补贴）人数, 补贴发放户数 — still waiting for a number) are left out."""
    kind = next((e for e in rules_data()["subsidised_kinds"] if subsidised.endswith(e)), None)
    for c in named:
        tail = _MEASURE_TAIL.search(bare_name(c.name))

        def same_in_general(o: Candidate) -> bool:
            key = bare_name(o.name)
            return bool(tail) and ("对象" in o.name or (kind is not None and kind in o.name)) \
                and key.endswith(tail.group(0))

        def counts_anyone(o: Candidate) -> bool:
            return "{N}" in (o.library_value or "") and _counts_beneficiaries(bare_name(o.name))

        for key in [k for k, o in cands.items() if o is not c and o.library_type and o.level2 == c.level2
                    and (same_in_general(o) or counts_anyone(o))]:
            del cands[key]


def _unit_cost(project: Project, reading: Reading) -> tuple[str, str, str] | None:
    """(unit, value, reason) of a unit cost the budget and the description's quantities give."""
    if not project.budget or project.budget <= 0:
        return None
    units = rules_data()["unit_cost_units"]
    # what the project delivers in the end: a multiplied-out total (10栋 × 每栋1760株), else the
    # count the description gives when it gives only one — with two (养护45万平方米、补植2000株;
    # 电脑30台、打印机10台) the budget pays for both, and dividing it by either would mislead;
    # counts that only organise the output (3期 of 450人次) do not count
    unit = next((u for u in reading.products if u in units), None)
    if unit is None:
        grouping = rules_data()["unit_cost_grouping"]
        counts = [s for s in reading.stated if s.kind == "quantity" and s.level2 == L2.QUANTITY and s.number
                  and s.unit not in grouping]
        if len(counts) != 1 or counts[0].unit not in units:
            return None
        # and only when the count is what the project is named for (培训人次 on 乡村医生培训项目;
        # not 扑火机具 on 森林防火专项经费, whose budget also pays for the patrols)
        generic = rules_data()["unit_cost_name_generic"]
        if _common_run(re.sub(generic, "", bare_name(project.name)), re.sub(generic, "", bare_name(counts[0].name))) < 2:
            return None
        unit = counts[0].unit
    number = reading.totals[unit][0]
    yuan = project.budget * 10000 / number
    per = {"名": "人"}.get(unit, unit)                # 800名 → 元/人
    value = f"≤{_fmt(yuan)}元/{per}" if yuan < 100000 else f"≤{_fmt(yuan / 10000)}万元/{per}"
    reason = f"预算 {_fmt(project.budget)} 万元 ÷ 描述中的 {_fmt(number)}{unit}，约 {value.lstrip('≤')}"
    return unit, value, reason


def _fmt(x: float) -> str:
    """A worked-out amount: one decimal from 10 up (28.4), two below (3.57)."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if x < 10 else f"{x:.1f}".rstrip("0").rstrip(".")


_PEOPLE = frozenset(("人", "人次", "名"))
_MEASURE_END = re.compile(r"(数量|人数|人次|面积|次数|期数|件数|个数|户数|里程|长度|批次|天数|班次|次|数|量)$")


def _same_measure(a: str | None, b: str | None) -> bool:
    """Two value units that count the same thing (人 and 人次 both count people; 万页 and 页 the
    same pages in another size)."""
    a, b = (u[1:] if u and u.startswith("万") and len(u) > 1 else u for u in (a, b))
    return a == b or (a in _PEOPLE and b in _PEOPLE)


def _subsequence(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


def _fits(stated: Stated, c: Candidate, any_level2: bool = False) -> bool:
    """Whether a line the description states is the same indicator as a candidate: same 二级
    (any 二级 with `any_level2`), compatible units, and names alike (either name's core read in
    order inside the other counts: 培训人次 in 培训基层干部人次)."""
    from rapidfuzz import fuzz

    if (c.level2 != stated.level2 and not any_level2) or c.stated is not None:
        return False
    a, b = bare_name(stated.name), bare_name(c.name)
    if not a or not b or min(len(a), len(b)) < 2:
        return False
    unit_ok = None
    if c.library_value and stated.unit:
        lib_unit = _template_unit(c.library_value)
        if lib_unit:
            unit_ok = _same_measure(lib_unit, stated.unit) or (
                # 补助对象数量 ≥{N}个 counts whoever is paid, in households as well as in 个
                stated.kind == "quantity" and lib_unit in rules_data()["generic_counts"]["any_unit"]
                and (_counts_beneficiaries(bare_name(c.name)) or c.parts.get("counts_paid")))
            if not unit_ok:
                return False
    core_b, core_a = _MEASURE_END.sub("", b), _MEASURE_END.sub("", a)
    if unit_ok and ((len(core_b) >= 2 and _subsequence(core_b, a)) or (len(core_a) >= 3 and _subsequence(core_a, b))):
        return True
    rules, template = rules_data(), c.library_value or ""
    shared, waiting = rules["shared_words"], "{N}" in template
    if unit_ok is not False and a[-1] in "率度":
        tail = _common_tail(a, b)
        # 工程质量验收合格率 =100% is the sector's 修缮工程验收合格率; 绿化成活率 its 苗木成活率
        if tail >= shared["rate_tail"] or a[len(a) - tail:] in rules["same_rate_words"]:
            return True
    if unit_ok and stated.kind == "money" and "/" in (stated.unit or "") and waiting:
        return True                    # 国家助学金标准 2000元/人·年 is the sector's 人均资助标准 ={N}元/人·年
    if unit_ok and waiting and _common_run(a, b) >= shared["count"]:
        return True                    # 新增功能模块数量 5个 is the sector's 建设内容（功能模块）完成数
    if unit_ok and waiting and stated.kind == "quantity" and _counts_beneficiaries(b) \
            and _common_run(_counted(b), a) >= len(_counted(b)):
        return True                    # 扶助对象人数 420人 is the sector's 受益人数 ≥{N}人
    if stated.kind == "deadline" and "{year}" in template \
            and _common_run(*(re.sub(shared["deadline_generic"], "", x) for x in (a, b))) >= shared["deadline"]:
        return True                    # 上线时间 2026年9月底前 is the sector's 系统上线（验收）时间
    if unit_ok and stated.unit in rules["same_unit_fits"] and waiting:
        return True                    # 新造林面积 3000亩 is the sector's 项目实施面积 ≥{N}亩
    short, alike = min(len(a), len(b)), rules["name_alike"]
    return fuzz.ratio(a, b) >= alike["ratio"] or (short >= alike["partial_min_chars"]
                                                   and fuzz.partial_ratio(a, b) >= alike["partial_ratio"])


@lru_cache(maxsize=1024)
def _counts_beneficiaries(key: str) -> bool:
    """Whether a library name (as its bare_name) counts whoever benefits (受益人数, 受益老年人数):
    any count the description states in its unit is that count, named as the officer names it."""
    cfg = rules_data()["generic_counts"]
    return key in {bare_name(n) for n in cfg["names"]} or re.search(cfg["pattern"], key) is not None


def _counted(key: str) -> str:
    """Whom a count of beneficiaries names (老年 of 受益老年人数; empty for 受益人数)."""
    return re.sub(rules_data()["generic_counts"]["frame"], "", key)


def _common_tail(a: str, b: str) -> int:
    """How many characters two names end with in common."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_run(a: str, b: str) -> int:
    """Length of the longest run of characters two names share."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


@lru_cache(maxsize=4096)
def _template_unit(template: str) -> str | None:
    from jixiao.corpus.values import parse_value

    pv = parse_value(template.replace("{N}", "8").replace("{budget}", "10").replace("{year}", "2025"))
    return pv.unit if pv.kind == "number" else None


def _described(project: Project, reading: Reading, cands: dict, who: str) -> None:
    """Lines the description states: each takes over the candidate it is the same as (so a
    library entry or a past line gets the officer's own value), or becomes a new candidate."""
    from rapidfuzz import fuzz

    w = rules_data()["ranking"]
    for n, s in enumerate(reading.stated):
        if _is_the_budget(s, project.budget):
            # '共申请预算资金2026400元' is the budget: the one total-cost line says it already
            for c in cands.values():
                if _is_total(c):
                    c.sources.append(SourceRef(kind="description", name="项目描述", value=s.value,
                                               detail=f"描述写明「{s.clause[:40]}」，即预算总额"))
            continue
        name = s.name
        if s.level2 == L2.SATISFACTION and len(bare_name(name)) <= 3:
            name = f"{who}满意度"
            s = Stated(s.kind, s.level2, name, s.value, s.clause, s.number, s.unit, s.op)
        base = w["described_purpose"] if s.kind == "purpose" else w["described"]
        fits = sorted((c for c in cands.values() if _fits(s, c)),
                      key=lambda c: -fuzz.ratio(bare_name(s.name), bare_name(c.name)))
        twin = fits[0] if fits else None
        # library entries that are this indicator again, waiting for a number, in any 二级
        waiting = [] if s.kind == "purpose" else [c for c in cands.values() if c.library_value
                                                  and "{N}" in c.library_value and _fits(s, c, any_level2=True)]
        if twin is None and s.kind == "quantity" and waiting:
            # 惠及企业60家 read as a benefit is the library's 支持企业数量 ≥{N}家: the library's
            # 二级 is where officers put that count
            twin = max(waiting, key=lambda c: fuzz.ratio(bare_name(s.name), bare_name(c.name)))
        for other in waiting:
            if other is not twin:
                del cands[other.key]
        if twin is not None and s.kind != "purpose":
            twin.stated = s
            twin.parts["described"] = base - w["described_step"] * n
            twin.sources.append(SourceRef(kind="description", name="项目描述", value=s.value,
                                          detail=f"描述写明「{s.clause[:40]}」"))
            if len(bare_name(s.name)) >= 3:
                twin.name = s.name     # the officer's own wording
            continue
        if twin is not None:           # a purpose the library already has: support it
            twin.parts["described"] = max(twin.parts.get("described", 0.0), base - w["described_step"] * n)
            continue
        key = CandidateKey(KeyKind.DESCRIBED, str(n))
        cands[key] = Candidate(key=key, level2=s.level2, name=name, stated=s,
                               parts={"described": base - w["described_step"] * n},
                               sources=[SourceRef(kind="description", name="项目描述", value=s.value,
                                                  detail=f"描述写明「{s.clause[:40]}」")])
    _drop_second_counts(cands)
    cost = _unit_cost(project, reading)
    if cost is None:
        return
    unit, value, reason = cost
    if any(s.kind == "money" and s.unit and s.unit.endswith(f"/{unit}") for s in reading.stated):
        return                         # the officer wrote the unit cost already
    def per_unit(c: Candidate) -> str | None:
        got = _template_unit(c.library_value) if c.library_value and "{N}" in c.library_value else None
        return got.partition("/")[2] if got and "/" in got and got.startswith("元") else None

    target = next((c for c in cands.values() if c.level2 == L2.COST and c.stated is None
                   and _same_measure(per_unit(c), unit)), None)
    if target is None:                 # the sector's own per-unit standard for this kind of project
        #                                (种植补助标准 ={N}元/亩 on a planting project) in the project's unit
        target = next((c for c in cands.values() if c.level2 == L2.COST and c.stated is None
                       and per_unit(c) and c.parts.get("requires") == 1.0), None)
    if target is None:
        name = rules_data()["unit_cost_units"][unit]
        key = CandidateKey(KeyKind.UNIT_COST, unit)
        target = cands[key] = Candidate(key=key, level2=L2.COST, name=name)
    target.computed = (value, reason)
    target.parts["unit_cost"] = 1.0
    target.sources.append(SourceRef(kind="rule", name="单位成本", value=value, detail=reason))


def _is_the_budget(s: Stated, budget: float | None) -> bool:
    """A stated amount that is the whole budget (2026400元 on a 202.64万元 project), not a part
    or a unit cost."""
    if s.kind != "money" or not budget or s.number is None or not s.unit or "/" in s.unit:
        return False
    scale = rules_data()["budget_amount_units"].get(s.unit)
    return scale is not None and abs(s.number * scale - budget) <= max(0.01, budget * 0.005)


def _drop_second_counts(cands: dict) -> None:
    """Once the description counts whom the project pays or serves (资助困难群众500人, 1200户),
    library counts of beneficiaries of the same 二级 still waiting for a number in another unit
    (救助发放户数 ≥{N}户 beside 500人) are dropped: they would ask again for what the officer
    wrote.  An outcome count of another 二级 (社会效益 受益人口数 beside 10户) stays."""
    units = set(rules_data()["generic_counts"]["bearer_units"])
    counted = {c.level2 for c in cands.values()            # where the stated counts landed
               if c.stated is not None and c.stated.kind == "quantity" and c.stated.unit in units}
    for key in [k for k, c in cands.items() if c.level2 in counted and c.stated is None and not c.history
                and c.library_value and "{N}" in c.library_value and _counts_beneficiaries(bare_name(c.name))]:
        del cands[key]


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
        twin = library.pop((_fix_category(c), bare_name(c.name)), None)
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
    who = _beneficiary(project, reading, model.sector_beneficiaries())
    _library(model, project, cands, folded, who, bool(reading.beneficiaries), reading.subsidised)
    _merge_library_twins(cands)
    lib_level2 = {c.level2 for c in cands.values() if c.library_type and c.library_type != fallback_tag()}
    # 4. the description's own statements
    _described(project, reading, cands, who)
    _gate_benefits(project, cands, lib_level2)
    return Evidence(cands, kept, info, reading, own_sizes)


# -- scoring and selection ---------------------------------------------------------------------------
def score(cands: dict[str, Candidate], feedback: dict[str, float], max_usage: int) -> None:
    w = rules_data()["ranking"]
    step = w["support_step"]
    for c in cands.values():
        get = c.parts.get
        s = get("described", 0.0)
        if get("same_project"):
            s = max(s, w["same_project"])
        if get("same_unit"):
            s = max(s, w["same_unit"] + w["same_unit_sim"] * min(1.0, get("same_unit") - 1.0)
                    + step * w["same_unit_step_share"] * (c.n_filings - 1))
        if get("similar") and c.n_filings:
            s = max(s, w["similar_base"] + w["similar_sim"] * c.sim_max + step * (c.n_filings - 1) * c.sim_max)
        if get("unit_cost"):
            s = max(s, w["unit_cost"])
        if "library" in c.parts:
            lib = get("library") + w["requires_bonus"] * get("requires", 0.0) + w["name_overlap"] * get("overlap", 0.0)
            s = max(s, lib) + (w["history_bonus"] if s and c.history else 0.0)
        s += w["name_match"] * get("name", 0.0)
        fb = feedback.get(bare_name(c.name), 0.0) if feedback else 0.0
        cap = w["feedback_cap"] * w["feedback"]
        s += max(-cap, min(cap, w["feedback"] * fb))
        if (len(c.name) > w["long_name_chars"] or "，" in c.name) and not c.stated:
            s -= w["long_name"]
        c.score = round(s, 4)


def _fix_category(c: Candidate) -> str:
    """Satisfaction belongs in 满意度, and 知晓率/投诉率/不满意工单数量 do not: the one rule lint
    L09/L10 checks (corpus.categories.is_satisfaction_name)."""
    if is_satisfaction_name(c.name):
        return L2.SATISFACTION
    if c.level2 == L2.SATISFACTION:
        return L2.SOCIAL
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


def _near_duplicate(a: str, b: str) -> bool:
    """Two name keys for the same line: equal, nearly equal, or one (4+ characters) inside the
    other (使用单位满意度 / 使用单位（干部职工）满意度)."""
    from rapidfuzz import fuzz

    near = rules_data()["near_duplicate"]
    if a == b or fuzz.ratio(a, b) >= near["ratio"]:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= near["contained_min"] and short in long_ and len(long_) - len(short) <= near["contained_extra"]


def _waits_for_number(c: Candidate) -> str | None:
    """The unit a library line waits for when nothing gives its number (亩 for 项目实施面积
    ≥{N}亩 with no stated, worked-out or past value), else None."""
    if c.stated is not None or c.computed is not None or c.history or "{N}" not in (c.library_value or ""):
        return None
    return _template_unit(c.library_value)


def _asks(c: Candidate) -> str:
    """Whom a satisfaction line asks: "public", "served" or "particular" (a named group)."""
    return _asks_anyone(c.name) or "particular"


def _asks_anyone(name: str) -> str | None:
    """Which of the two generic askings a satisfaction line is: "public" (群众满意度, 市民满意度 —
    the public at large) or "served" (服务对象满意度, 受益群众满意度 — whoever the project
    serves), else None (学员满意度, 沿街商户满意度 name a particular group)."""
    who = re.sub(r"(满意度|满意率)$", "", bare_name(name))
    cfg = rules_data()["satisfaction"]
    if who in cfg["served"]:
        return "served"
    return "public" if who in cfg["generic"] else None


def _kept_lines(text: str) -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    """二级 → (name_re, reject_re) of the lines a draft of this project keeps a place for
    (rules.json kept_lines; `text` is the project's name and description)."""
    out = {}
    for k in rules_data()["kept_lines"]["lines"]:
        if not k["when_re"] or re.search(k["when_re"], text):
            out[k["level2"]] = (re.compile(k["name_re"]), re.compile(k["reject_re"]) if k["reject_re"] else None)
    return out


def _is_kept(c: Candidate, kept: dict) -> bool:
    """Whether a candidate is its category's kept line (项目完成时限 for 时效, 验收合格率 for 质量)."""
    rule = kept.get(c.level2)
    if rule is None:
        return False
    name = bare_name(c.name)
    return bool(rule[0].search(name)) and not (rule[1] and rule[1].search(name))


def _is_total(c: Candidate) -> bool:
    return c.level2 == L2.COST and c.stated is None and c.computed is None \
        and is_total_cost(c.name, c.library_value)


def select(by_l2: dict[str, list[Candidate]], profile: str = "default", sizes: dict | None = None,
           table_max: int | None = None, habits: dict | None = None, text: str = "") -> list[Candidate]:
    """Pick the draft's indicators from by_category()'s ranking.

    What the description states always gets its line.  Every required 二级 of the profile gets
    its best candidate (and its quota `min` when the evidence reaches `min_score`); the remaining
    places up to `table.max` go to the best-scoring candidates overall within each category's
    `max`.  Then a category gets the line most filed tables hold if the lines chosen left it
    none (rules.json kept_lines: 时效 a deadline such as 项目完成时限; 质量 an acceptance rate on
    a project that builds or buys — `text` is the project's name and description) — beyond the
    category's and the table's max, and never a second one; not where the unit's own tables
    (`habits`) set the shape.  Near-duplicate names are dropped; the whole budget goes on one
    total-cost line only.
    `sizes` overrides a category's max (and a required category's min) for a caller; `habits`
    (Evidence.habits) lets the table grow to the size the unit's own similar filings have.
    """
    required = set(get_profile(profile)["required"])
    table = table_size()
    kept = _kept_lines(text)

    limits = {}
    cap = table["max_with_history"]
    for l2 in LEVEL2_CANON:
        q = dict(quota(l2))
        if habits and not sizes:
            q["max"] = max(q["max"], min(habits.get(l2, 0), cap))
        if sizes and l2 in sizes:
            q["max"] = q["min"] = sizes[l2]
        limits[l2] = q
    chosen: dict[str, list[Candidate]] = {l2: [] for l2 in LEVEL2_CANON}
    taken: set[int] = set()            # id() of the chosen candidates
    keys: list[str] = []
    has_total = [False]

    def take(c: Candidate) -> bool:
        k = bare_name(c.name)
        if not k or any(_near_duplicate(k, o) for o in keys):
            return False
        blank = _waits_for_number(c)
        if blank and any(_waits_for_number(o) == blank for o in chosen[c.level2]):
            return False               # two lines of one category waiting for the same kind of number
        if blank and c.library_type == GENERIC and chosen[c.level2]:
            return False               # 完成主要工作任务数量 待填写 only where the category has nothing else
        if c.level2 == L2.SATISFACTION and c.stated is None and not c.history \
                and any(_asks(o) == _asks(c) for o in chosen[L2.SATISFACTION]):
            return False               # 群众满意度 and 市民满意度 ask the same people; one group
            #                            the project serves (学生满意度) beside one generic line
        if _is_kept(c, kept) and any(_is_kept(o, kept) for o in chosen[c.level2]):
            return False               # one deadline, one acceptance line (rules.json kept_lines)
        if _is_total(c):
            if has_total[0]:
                return False
            has_total[0] = True
        chosen[c.level2].append(c)
        taken.add(id(c))
        keys.append(k)
        return True

    def pending(l2: str):
        return (c for c in by_l2.get(l2, []) if id(c) not in taken)

    # 0. what the description states, and the one line the whole budget goes on
    if not sizes:
        for l2 in LEVEL2_CANON:
            for c in list(pending(l2)):
                if c.described:
                    take(c)
    for c in list(pending(L2.COST)):
        if _is_total(c) and take(c):
            break
    # 1. the guaranteed places: one per required category, more where the quota asks and the
    #    evidence is there
    for l2 in LEVEL2_CANON:
        q = limits[l2]
        want = max(q.get("min", 0), 1 if l2 in required else 0)
        order = list(pending(l2))
        if q.get("first_rule"):
            order.sort(key=lambda c: not _is_total(c))   # stable: the total-cost line first
        for c in order:
            if len(chosen[l2]) >= min(want, q["max"]):
                break
            if chosen[l2] and c.score < q.get("min_score", table["min_score"]):
                break
            take(c)
    # 1b. categories marked generic_slot keep a place for the best 通用 line (the standard
    #     wording most forms use: 验收合格率, 项目完成及时率 …) beside the sector's own lines
    for l2 in LEVEL2_CANON:
        q = limits[l2]
        if not q.get("generic_slot") or len(chosen[l2]) >= q["max"] \
                or any(c.library_type == GENERIC for c in chosen[l2]):
            continue
        generic = next((c for c in pending(l2) if c.library_type == GENERIC), None)
        if generic is not None and generic.score >= table["min_score"]:
            take(generic)
    # 2. the rest of the table by score across categories
    total_max = table_max or table["max"]
    if habits and not sizes:
        total_max = max(total_max, min(habits["*"], cap))
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
    # 3. the lines most filed tables hold (项目完成时限, 验收合格率), beyond the maxima, when the
    #    category has none — unless the unit's own tables set the draft's shape
    for l2 in LEVEL2_CANON:
        if l2 not in kept or sizes or habits or any(_is_kept(c, kept) for c in chosen[l2]):
            continue
        line = next((c for c in pending(l2) if _is_kept(c, kept)), None)
        if line is not None and line.score >= table["min_score"]:
            take(line)
    return [c for l2 in LEVEL2_CANON for c in chosen[l2]]


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
            if k and not any(_near_duplicate(k, t) for t in taken):
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
