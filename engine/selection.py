"""Scoring the candidates and choosing the draft's lines (engine.suggest's last steps before
the rule layer): score(), by_category(), select().  Quotas, table size, kept lines and weights
are data (data/rules.json `ranking`, `quota`, `table`, `kept_lines`, `satisfaction`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from jixiao.corpus.categories import L2, LEVEL2_CANON, is_satisfaction_name
from jixiao.corpus.textkeys import bare_name

from .candidates import GENERIC, Candidate, is_total_line
from .described import template_unit
from .profiles import profile as get_profile
from .profiles import quota, rules_data, table_size

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


def fix_category(c: Candidate) -> str:
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
        c.level2 = fix_category(c)
        ranked = by_l2.get(c.level2)
        if ranked is not None:
            ranked.append(c)
    for ranked in by_l2.values():
        ranked.sort(key=lambda c: (-c.score, len(c.name), c.key))
    return by_l2


def near_duplicate(a: str, b: str) -> bool:
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
    return template_unit(c.library_value)


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


@lru_cache(maxsize=1)
def _kept_rules() -> tuple[tuple[str, re.Pattern | None, re.Pattern, re.Pattern | None], ...]:
    """(二级, when_re, name_re, reject_re) of rules.json kept_lines, compiled once."""
    return tuple((k["level2"], re.compile(k["when_re"]) if k["when_re"] else None, re.compile(k["name_re"]),
                  re.compile(k["reject_re"]) if k["reject_re"] else None)
                 for k in rules_data()["kept_lines"]["lines"])


def _kept_lines(text: str) -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    """二级 → (name_re, reject_re) of the lines a draft of this project keeps a place for
    (`text` is the project's name and description)."""
    return {l2: (name, reject) for l2, when, name, reject in _kept_rules() if when is None or when.search(text)}


def _is_kept(c: Candidate, kept: dict) -> bool:
    """Whether a candidate is its category's kept line (项目完成时限 for 时效, 验收合格率 for 质量)."""
    rule = kept.get(c.level2)
    if rule is None:
        return False
    name = bare_name(c.name)
    return bool(rule[0].search(name)) and not (rule[1] and rule[1].search(name))


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
        if not k or any(near_duplicate(k, o) for o in keys):
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
        if is_total_line(c):
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
        if is_total_line(c) and take(c):
            break
    # 1. the guaranteed places: one per required category, more where the quota asks and the
    #    evidence is there
    for l2 in LEVEL2_CANON:
        q = limits[l2]
        want = max(q.get("min", 0), 1 if l2 in required else 0)
        order = list(pending(l2))
        if q.get("first_rule"):
            order.sort(key=lambda c: not is_total_line(c))   # stable: the total-cost line first
        if l2 == L2.SATISFACTION and rules_data()["satisfaction"]["public_before_served"]:
            # stable: 服务对象满意度 only after the named group and the public (群众满意度)
            order.sort(key=lambda c: _asks(c) == "served" and c.stated is None and not c.history)
        for c in order:
            if len(chosen[l2]) >= min(want, q["max"]):
                break
            if chosen[l2] and c.score < q.get("min_score", table["min_score"]):
                break
            take(c)
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
