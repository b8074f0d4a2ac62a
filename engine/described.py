"""The description's own statements as draft lines (engine.suggest step 4): each stated
quantity, target, time or amount takes over the candidate it is the same indicator as (the
library entry or past line gets the officer's value and wording) or becomes a line of its own; a
unit cost is worked out from the budget and the stated parts.  The budget stated again is the
total-cost line, not a second one.  Thresholds are data (data/rules.json).
"""
from __future__ import annotations

import re
from functools import lru_cache

from jixiao.corpus.categories import L2
from jixiao.corpus.textkeys import bare_name

from .amounts import amount_data
from .candidate_key import CandidateKey, KeyKind
from .candidates import Candidate, counted_group, counts_beneficiaries, is_total_line
from .draft import Project, SourceRef
from .profiles import rules_data
from .reading import Reading, Stated

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
        lib_unit = template_unit(c.library_value)
        if lib_unit:
            unit_ok = _same_measure(lib_unit, stated.unit) or (
                # 补助对象数量 ≥{N}个 counts whoever is paid, in households as well as in 个
                stated.kind == "quantity" and lib_unit in rules_data()["generic_counts"]["any_unit"]
                and (counts_beneficiaries(bare_name(c.name)) or c.parts.get("counts_paid")))
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
    if unit_ok and waiting and stated.kind == "quantity" and counts_beneficiaries(b) \
            and _common_run(counted_group(b), a) >= len(counted_group(b)):
        return True                    # 扶助对象人数 420人 is the sector's 受益人数 ≥{N}人
    if stated.kind == "deadline" and "{year}" in template \
            and _common_run(*(re.sub(shared["deadline_generic"], "", x) for x in (a, b))) >= shared["deadline"]:
        return True                    # 上线时间 2026年9月底前 is the sector's 系统上线（验收）时间
    if unit_ok and stated.unit in rules["same_unit_fits"] and waiting:
        return True                    # 新造林面积 3000亩 is the sector's 项目实施面积 ≥{N}亩
    short, alike = min(len(a), len(b)), rules["name_alike"]
    return fuzz.ratio(a, b) >= alike["ratio"] or (short >= alike["partial_min_chars"]
                                                   and fuzz.partial_ratio(a, b) >= alike["partial_ratio"])


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
def template_unit(template: str) -> str | None:
    from jixiao.corpus.values import parse_value

    pv = parse_value(template.replace("{N}", "8").replace("{budget}", "10").replace("{year}", "2025"))
    return pv.unit if pv.kind == "number" else None


def add_described_lines(project: Project, reading: Reading, cands: dict, who: str) -> None:
    """Lines the description states: each takes over the candidate it is the same as (so a
    library entry or a past line gets the officer's own value), or becomes a new candidate."""
    from rapidfuzz import fuzz

    w = rules_data()["ranking"]
    for n, s in enumerate(reading.stated):
        if _is_the_budget(s, project.budget):
            # '共申请预算资金2026400元' is the budget: the one total-cost line says it already
            for c in cands.values():
                if is_total_line(c):
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
        got = template_unit(c.library_value) if c.library_value and "{N}" in c.library_value else None
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
    scale = amount_data()["to_wan"].get(s.unit)
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
                and c.library_value and "{N}" in c.library_value and counts_beneficiaries(bare_name(c.name))]:
        del cands[key]
