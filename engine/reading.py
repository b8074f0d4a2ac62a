"""Reading a project's own words: what the description states becomes indicators.

    read_project(name, description, budget) -> Reading

A `Reading` holds
  * `stated` — one `Stated` line per fact the description gives, each with its 二级, an indicator
    name built from the clause, the value as written (operator kept: "不低于95%" → ≥95%) and the
    clause quoted as its reason:
      quantities with their objects   "培训基层干部300人次"     → 数量 培训基层干部人次 300人次
      stated targets                  "审减率不低于5%"           → 质量 审减率 ≥5%
      service times                   "故障响应时间不超过30分钟" → 时效 故障响应时间 ≤30分钟
      frequencies                     "每季度巡检1次"            → 数量 巡检次数 1次/季度
      periods                         "服务周期2023.07-2024.01" → 时效 服务周期 2023.07-2024.01
      deadlines                       "2026年8月底前完工"        → 时效 完工时间 2026年8月底前
      money: benefits and components  "增加脱贫户收入10.9万元"   → 经济效益 增加脱贫户收入 ≥10.9万元
      purposes                        "改善城市生态环境"         → 生态效益 城市生态环境 有效改善
  * `beneficiaries` — who the project serves, as named in the text (学生, 农户, 游客 …), most
    specific first; satisfaction indicators are named after them.
  * `totals` — counted quantities by unit, for unit costs (10栋 × 每栋1760株 → 17600株).

The vocabulary (verbs, measure words, rate directions, purpose verbs, beneficiaries) is data:
data/reading.json.  Nothing here looks at past filings; it reads only the project.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from jixiao.corpus.categories import L2
from jixiao.corpus.textkeys import FULL_WIDTH_AND_SPACE as _FOLD
from jixiao.corpus.values import extract_quantities, parse_value

_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[^\u4e00-\u9fffA-Za-z0-9]+|[^\u4e00-\u9fffA-Za-z0-9）)]+$")
_DATE = r"(?:19|20)\d{2}(?:[.\-/年]\s*\d{1,2}月?(?:[.\-/]\s*\d{1,2}日?)?)?"
_PERIOD = re.compile(rf"(?P<start>{_DATE})\s*(?:-|—|–|~|～|至|到)\s*(?P<end>(?:{_DATE})|\d{{1,2}}月?(?:[.\-/]\d{{1,2}}日?)?)")
_DEADLINE = re.compile(r"(?P<date>(?:(?:19|20)\d{2}年)?(?:\d{1,2}月(?:\d{1,2}日)?(?:底|末)?|年?底|年末)(?:前|以前|之前))"
                       r"(?P<verb>全面完工|完工|完成|竣工|交付|验收|上线|投入使用|到位|发放|办结|建成)?")
_EVERY = re.compile(r"^每(?P<per>年|季度|季|月|周|天|日|半年|学期)")
_TIME_UNITS = frozenset(("小时", "分钟", "秒", "天", "日", "个工作日", "工作日", "周", "个月", "月", "年"))


@dataclass(frozen=True)
class Stated:
    """One thing the description states, as an indicator line."""

    kind: str            # quantity | target | duration | frequency | period | deadline | money | purpose
    level2: str
    name: str
    value: str
    clause: str          # the words it was read from, quoted as the reason
    number: float | None = None
    unit: str | None = None
    op: str | None = None


@dataclass(frozen=True)
class Reading:
    stated: tuple[Stated, ...]
    beneficiaries: tuple[str, ...]
    totals: dict                     # unit → (number, clause) of the largest count of that unit
    products: tuple[str, ...] = ()   # units whose total was multiplied out (10栋 × 每栋1760株)
    subsidised: str = ""             # whom a subsidy pays, when organisations or households (国有企业)

    def of(self, level2: str) -> list[Stated]:
        return [s for s in self.stated if s.level2 == level2]


@lru_cache(maxsize=1)
def _vocab() -> dict:
    with resources.files("jixiao.engine").joinpath("data/reading.json").open(encoding="utf-8") as fh:
        raw = json.load(fh)
    v = dict(raw)
    v["clause_re"] = re.compile(raw["clause_separators"])
    units = "|".join(sorted(map(re.escape, raw["numeral_units"]), key=len, reverse=True))
    nums = "|".join(sorted(map(re.escape, raw["numerals"]), key=len, reverse=True))
    v["numeral_re"] = re.compile(rf"({nums})({units})(?=$|[，,;；。！!？?、的\s])")
    v["lead"] = tuple(sorted(raw["lead_words"], key=len, reverse=True))
    v["trail"] = tuple(sorted(raw["trail_words"], key=len, reverse=True))
    v["verbs_t"] = tuple(sorted(raw["verbs"], key=len, reverse=True))
    v["after_verbs"] = tuple(raw["after_verbs"])
    v["context_t"] = tuple(raw["context_words"])
    v["scope_lead"] = tuple(sorted(list(raw["verbs"]) + list(raw["purpose_verbs"]) + list(raw["scope_words"]),
                                   key=len, reverse=True))
    v["after_cut_re"] = re.compile("|".join(map(re.escape, raw["after_cut"])))
    v["measure_t"] = tuple(sorted(raw["measure_endings"], key=len, reverse=True))
    v["qty_l2"] = [(r["level2"], re.compile(r["re"])) for r in raw["quantity_level2"]]
    v["rate_l2"] = [(r["level2"], re.compile(r["re"])) for r in raw["rate_level2"]]
    v["purpose_l2"] = [(r["level2"], re.compile(r["re"])) for r in raw["purpose_level2"]]
    v["duration_re"] = re.compile(raw["duration_words"])
    v["wan_people_re"] = re.compile(raw["wan_people"])
    v["rate_name_re"] = re.compile(raw["rate_name_endings"])
    v["not_ecology_re"] = re.compile(raw["not_ecology"])
    v["period_re"] = re.compile(raw["period_words"])
    v["purpose_skip_re"] = re.compile(raw["purpose_skip"])
    verbs = "|".join(sorted(map(re.escape, raw["purpose_verbs"]), key=len, reverse=True))
    lead = "|".join(sorted(raw["purpose_lead"], key=len, reverse=True))      # small regexes
    v["purpose_re"] = re.compile(rf"^(?:{lead})*(?P<verb>{verbs})(?P<obj>[^，,;；。！!？?\n]+)")
    v["purpose_drop_re"] = re.compile(raw["purpose_drop"])
    v["purpose_verb_inside_re"] = re.compile(raw["purpose_verb_inside"])
    spellings = sorted(raw["beneficiaries"], key=len, reverse=True)
    v["beneficiary_re"] = re.compile("|".join(map(re.escape, spellings)))
    return v


def fold(text: str) -> str:
    """Full-width ASCII folded, whitespace removed (positions are not kept)."""
    return _SPACE.sub("", (text or "").translate(_FOLD))


def _numerals(text: str) -> str:
    v = _vocab()
    return v["numeral_re"].sub(lambda m: f"{_fmt(v['numerals'][m.group(1)])}{m.group(2)}", text)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _strip_words(text: str, lead: tuple[str, ...], trail: tuple[str, ...]) -> str:
    if text in lead:
        return ""                       # '约', '共计', '按照' alone name nothing (not '计', '照')
    changed = True
    while changed and text:
        changed = False
        for w in lead:
            if text.startswith(w) and len(text) > len(w):
                text, changed = text[len(w):], True
                break
        for w in trail:
            if text.endswith(w) and len(text) > len(w):
                text, changed = text[:-len(w)], True
                break
        text = _EDGE.sub("", text)
    return text


def _level2_by(rules, text: str, default: str) -> str:
    for level2, rx in rules:
        if rx.search(text):
            return level2
    return default


def _count_name(before: str, after: str, unit: str) -> str:
    """An indicator name for a count: the words before the number (or the verb before it and the
    thing counted after the unit), ending with the unit's measure word."""
    v = _vocab()
    if len(before) > 8:                # 保障全县城乡低保对象 → 城乡低保对象
        core = _strip_words(before, v["scope_lead"], ())
        if 3 < len(core) <= 8:
            before = core
    base = before
    if after:
        verb = next((w for w in v["verbs_t"] if before.endswith(w)), "")
        # '市档案馆5个标准档案库房': a classifier followed by a noun counts that noun
        if verb or len(before) <= 3 or len(before) > 8 or "的" in before or unit in v["classifiers"]:
            base = verb + after
    base = _EDGE.sub("", base)
    filler = next((w for w in v["count_filler"] if base.startswith(w) and len(base) - len(w) >= 2), "")
    base = base[len(filler):]          # '完成档案整理' → 档案整理
    measure = v["measure_by_unit"].get(unit, "数量")
    if not base:                        # '约500人': the measure alone (人数), if it names one
        return "" if measure == "数量" else measure
    if len(unit) == 1 and base.endswith(unit) and measure.startswith(unit):   # 脱贫户 + 户数 → 脱贫户数
        return base + measure[1:]
    if base.endswith(v["measure_t"]) or base.endswith(unit):
        return base
    return base + measure


def _rate_value(name: str, number: float, op: str | None, unit: str = "%") -> tuple[str, str]:
    """(value, op) of a stated rate (% or ‰): the operator as written, else by the rate's direction."""
    v = _vocab()
    whole = 1000 if unit == "‰" else 100
    if op is None:
        if any(w in name for w in v["lower_rate_words"]):
            op = "≤"
        elif number >= whole:
            op = "="
        else:
            op = "≥"
    if op in ("≥", ">") and number >= whole:
        op = "="                                   # 达到100% is the whole of it
    return f"{op}{_fmt(number)}{unit}", op


def _per_unit(per_word: str, period: str | None) -> str:
    """The unit's per part for a per-word and an optional period after it: 每人 → /人, 每人每月 → /人·月."""
    v = _vocab()
    return f"/{v['per_words'][per_word]}" + (f"·{v['per_period'][period]}" if period else "")


def _clauses(text: str) -> list[str]:
    v = _vocab()
    parts = v["clause_re"].split(_numerals(re.sub(v["aside_re"], "", text)))
    return [p.strip() for p in parts if p and p.strip()]


def _after_words(clause: str, end: int) -> str:
    v = _vocab()
    m = re.match(r"(?:以内|之内|内)?([\u4e00-\u9fffA-Za-z]{1,12})", clause[end:])   # '3日内完成': 完成
    if not m:
        return ""
    word = m.group(1)
    cut = v["after_cut_re"].search(word)
    if cut:
        word = word[:cut.start()]
    # '10栋设施温棚中种植黄金蜜': a place word and a verb end the thing counted (设施温棚);
    # '3所学校购置教学设备': so does a verb alone (学校)
    at = next((i for i in range(2, len(word) - 1) if word[i] in "中内" and word.startswith(v["verbs_t"], i + 1)),
              None)
    if at is None:
        at = next((i for i in range(2, len(word) - 1) if word.startswith(v["after_verbs"], i)), None)
    if at is not None:
        word = word[:at]
    return word if len(word) >= 2 else ""


_SERVICE_TIME_UNITS = frozenset(("小时", "分钟", "秒"))
_PLACE_UNITS = frozenset(("个村", "个乡镇"))


def _read_clause(clause: str, out: list[Stated], totals: dict, state: dict) -> None:
    """The numbers of one clause, in order, as Stated lines.  `state` carries the last count
    across clauses (for '10栋大棚，每栋种植1760株')."""
    v = _vocab()
    head = _strip_words(re.split(r"[0-9]", clause, maxsplit=1)[0], v["lead"] + tuple(v["scope_words"]), ())
    if head.startswith(v["context_t"]):
        return                          # '户籍人口76户174人': how things stand, not what is done
    period = _PERIOD.search(clause)
    if period:
        before = _strip_words(clause[:period.start()], v["lead"], v["trail"])
        name = before if v["period_re"].search(before) or before.endswith("时间") else "项目实施期"
        value = period.group(0)
        if parse_value(value).kind == "deadline":
            out.append(Stated("period", L2.TIMELINESS, name[-12:], value, clause))
        clause = clause[:period.start()] + clause[period.end():]
    deadline = _DEADLINE.search(clause)
    if deadline and parse_value(deadline.group("date")).kind == "deadline":
        before = _strip_words(clause[:deadline.start()], v["lead"], v["trail"])
        verb = deadline.group("verb") or next((w for w in ("完工", "完成", "竣工", "交付", "建成")
                                               if w in clause[deadline.end():]), "完成")
        noun = before if 1 < len(before) <= 8 and not re.search(r"[0-9%]", before) else ""
        out.append(Stated("deadline", L2.TIMELINESS, f"{noun}{verb}时间", deadline.group("date"), clause))
        clause = clause[:deadline.start()] + clause[deadline.end():]
    pos = 0
    for q in extract_quantities(clause):
        if q.is_year or q.number is None:
            continue
        at = clause.find(q.text, pos)
        if at < 0:
            continue
        end = at + len(q.text)
        raw_before = clause[pos:at]
        pos = end
        unit = q.unit or ""
        place = ""
        if unit in _PLACE_UNITS and clause[end:end + 1] == "内" and q.op == "≤":
            q = replace(q, op=None)       # '在5个村内开展宣传': inside the villages, not at most 5
        if unit in _PLACE_UNITS and (clause[end:end + 1] in (unit[-1], "内")
                                     or not re.match(r"[\u4e00-\u9fff]", clause[end:end + 1])
                                     or clause[end:].startswith(v["verbs_t"])):   # '11个乡镇实施造林
            place, unit = unit[1:], "个"   # '12个村村组干部报酬', '全镇12个村': the villages are counted
        elif unit in _PLACE_UNITS and re.match(r"[\u4e00-\u9fff]", clause[end:end + 1]):
            # '56个村级组织': the unit 个村 ate the start of the thing counted
            end -= len(unit) - 1
            unit = "个"
            pos = end
        every = _EVERY.match(_EDGE.sub("", raw_before))
        before = _strip_words(raw_before, v["lead"], v["trail"])
        if unit not in ("%", "‰"):      # 覆盖全县 → 覆盖: the scope is not the thing counted
            before = _strip_words(before, (), tuple(v["scope_words"]))
        after = place or _after_words(clause, end)
        if unit in ("%", "‰"):
            name = _strip_words(before, v["lead"] + tuple(v["purpose_verbs"]), v["trail"]) or before
            if not name or len(name) > 20 or not v["rate_name_re"].search(name):
                continue                # '第一年按投资额20%' is a term, not a target
            value, op = _rate_value(name, q.number, q.op, unit)
            level2 = _level2_by(v["rate_l2"], name, L2.QUALITY)
            out.append(Stated("target", level2, name, value, clause, q.number, unit, op))
            continue
        if q.is_money and unit in ("万", "亿"):        # 12万常住居民: people, not money
            if not v["wan_people_re"].search(after[:4]):
                continue
            unit = f"{unit}人" if "户" not in after[:2] else f"{unit}户"
            name = _count_name(before, after, unit[-1])
            if name and len(name) <= 22:
                level2 = _level2_by(v["qty_l2"], name, L2.QUANTITY)
                out.append(Stated("quantity", level2, name, f"{_fmt(q.number)}{unit}", clause, q.number, unit, q.op))
            continue
        if q.is_money:
            name = before or after
            lead_per = next((w for w in v["per_words"] if name.startswith(w)), None)
            if lead_per and "/" not in unit:        # 每人每月补贴300元 → 补贴标准 300元/人·月
                rest = name[len(lead_per):]
                period = next((w for w in v["per_period"] if rest.startswith(w)), None)
                rest = rest[len(period):] if period else rest
                rest = _strip_words(rest, v["lead"], v["trail"])
                if rest in v["payment_words"]:
                    unit += _per_unit(lead_per, period)
                    out.append(Stated("money", L2.COST, f"{rest}标准", f"{_fmt(q.number)}{unit}", clause,
                                      q.number, unit, ""))
                    continue
            if not name or len(name) > 20 or len(name) < 3 or name.startswith("每"):
                continue
            per_word = next((w for w in v["per_words"] if w in name), None)
            if per_word and "/" not in unit:
                # 亩均投资 1500元 → 1500元/亩; 每人每月780元 → 780元/人·月
                period = next((w for w in v["per_period"] if name.endswith(per_word + w)), None)
                unit += _per_unit(per_word, period)
                if name.endswith(per_word + (period or "")) and len(name) - len(per_word + (period or "")) >= 2:
                    name = name[:-len(per_word + (period or ""))]   # 城市低保标准每人每月 → 城市低保标准
            level2 = _level2_by(v["qty_l2"][:1], name, L2.COST)
            op = q.op or ("≥" if level2 != L2.COST else ("" if "标准" in name else "≤"))
            value = f"{op}{_fmt(q.number)}{unit}"
            out.append(Stated("money", level2, name, value, clause, q.number, unit, op))
            continue
        if not unit:
            continue
        if every:
            per = {"季": "季度"}.get(every.group("per"), every.group("per"))
            name = _count_name(before[len(every.group(0)) - 0:] if before.startswith(every.group(0)) else before,
                               after, unit)
            name = name.removeprefix(every.group(0))
            if name:
                out.append(Stated("frequency", L2.QUANTITY, name, f"{_fmt(q.number)}{unit}/{per}", clause,
                                  q.number, f"{unit}/{per}", q.op))
            continue
        is_duration = bool(v["duration_re"].search(raw_before + after)) or q.op == "≤"
        if unit in _SERVICE_TIME_UNITS and not is_duration:
            continue                    # '全年24小时运行' is not a count
        if unit in _TIME_UNITS and is_duration:
            name = before or (after + "时限" if after and not v["period_re"].search(after) else after)
            if not name or len(name) > 20:
                continue
            op = q.op or ("=" if v["period_re"].search(name) else "≤")
            value = f"{op}{_fmt(q.number)}{unit}" if op != "=" else f"{_fmt(q.number)}{unit}"
            level2 = _level2_by(v["qty_l2"], name, L2.TIMELINESS)
            out.append(Stated("duration", level2, name, value, clause, q.number, unit, op))
            continue
        if before.startswith("每") and state.get("last") is not None:    # 10栋大棚，每栋种植1760株
            n0, u0 = state["last"]
            per_word = before[1:1 + len(u0)]
            if per_word == u0:
                totals.setdefault(unit, (n0 * q.number, clause))
                state.setdefault("products", []).append(unit)
                rest = before[1 + len(u0):]
                name = _count_name(rest, after, unit)
                if name:
                    out.append(Stated("quantity", L2.QUANTITY, name, f"{_fmt(n0 * q.number)}{unit}", clause,
                                      n0 * q.number, unit, q.op))
                continue
        stem = state.get("stem") if not before and not after and clause[:at].endswith(state.get("end", "\0")) else None
        if stem:                        # '受益人口76户174人': the second count is of the same people
            name = stem + ("数" if stem.endswith("人口") and unit in ("人", "名") else v["measure_by_unit"].get(unit, "数量"))
        else:
            name = _count_name(before, after, unit)
        each, per, of = unit.partition("/")
        if not name and per and each and of:    # '按照1760株/栋的标准': counted once the 栋 are
            state["density"] = (q.number, each, of)
            continue
        if not name or len(name) > 22:
            continue
        level2 = _level2_by(v["qty_l2"], name, L2.QUANTITY)
        op = q.op if q.op in ("≥", "≤", ">", "<") else None
        written = re.sub(r"^[0-9.,，]+\s*", "", clause[at:end]) or unit    # 公斤 as written, not 千克
        value = f"{op or ''}{_fmt(q.number)}{written}"
        out.append(Stated("quantity", level2, name, value, clause, q.number, unit, op))
        if after and after in name and clause.startswith(after, end):
            pos = end + len(after)      # '11个乡镇实施造林8万亩': 乡镇 was this count's, not the next's
        if unit not in totals or q.number > totals[unit][0]:
            totals[unit] = (q.number, clause)
        state["last"] = (q.number, unit)
        state["stem"], state["end"] = _strip_words(before, (), ()) or None, clause[at:end]
        if state.get("density") and state["density"][2] == unit:     # … '在10栋温棚中种植': 17600株
            n1, each, _ = state.pop("density")
            verb = next((w for w in v["verbs_t"] if w in clause[end:]), "")
            total = q.number * n1
            totals.setdefault(each, (total, clause))
            state.setdefault("products", []).append(each)
            out.append(Stated("quantity", L2.QUANTITY, verb + v["measure_by_unit"].get(each, "数量"),
                              f"{_fmt(total)}{each}", clause, total, each, None))


def _purpose_pieces(obj: str) -> list[str]:
    """The objects of one purpose: '知名度和美誉度' are two, each with the owner written before
    the first ('六安城市的知名度和美誉度' → 六安城市的知名度, 六安城市的美誉度); '各乡镇及部门项目
    文本的编制质量' is one (what the 的 follows is the coordination, not a second aim)."""
    pieces = re.split(r"和|及|与|、|以及|并", obj)
    if len(pieces) < 2:
        return pieces
    if any("的" in p for p in pieces[1:]):
        return [obj]
    owner, of, _ = pieces[0].rpartition("的")
    if of and owner:
        return [pieces[0]] + [f"{owner}的{p}" for p in pieces[1:]]
    return pieces


def _purposes(clauses: list[str]) -> list[Stated]:
    v = _vocab()
    out: list[Stated] = []
    used: dict[str, int] = {}
    for clause in clauses:
        for m in v["purpose_re"].finditer(_EDGE.sub("", clause)):
            obj = _EDGE.sub("", m.group("obj")).lstrip("了着对让使把将")
            if v["purpose_skip_re"].search(obj) or re.search(r"[0-9]", obj):
                continue
            for piece in _purpose_pieces(obj)[:2]:
                piece = _EDGE.sub("", v["purpose_drop_re"].sub("", piece))
                if v["purpose_verb_inside_re"].search(piece):
                    continue           # '坚决杜绝病媒传播的需要' is a second aim, not an object
                piece = piece.replace("的", "")
                if not (2 <= len(piece) <= 18):
                    continue
                rules = v["purpose_l2"]
                if v["not_ecology_re"].search(piece):      # 营商环境 is not ecology
                    rules = [r for r in rules if r[0] != L2.ECOLOGICAL]
                level2 = _level2_by(rules, piece, L2.SOCIAL)
                if used.get(level2, 0) >= v["purpose_max"].get(level2, 1):
                    continue
                used[level2] = used.get(level2, 0) + 1
                out.append(Stated("purpose", level2, piece, v["purpose_verbs"][m.group("verb")], clause))
            break                     # one purpose per clause
    return out


def _beneficiaries(text: str) -> tuple[str, ...]:
    v = _vocab()
    found: list[str] = []
    for m in v["beneficiary_re"].finditer(text):
        canon = v["beneficiaries"][m.group(0)]
        if canon not in found:
            found.append(canon)
    specific = [b for b in found if b not in v["generic_beneficiaries"]]
    generic = [b for b in found if b in v["generic_beneficiaries"]]
    return tuple(specific + generic)


def _subsidised(name: str, text: str) -> str:
    """Whom the subsidy pays ('对…的国有企业进行补助' → 国有企业; '非营利性民办园房租补贴' →
    非营利性民办园), when they are organisations or households; else ""."""
    cfg = _vocab()["subsidised"]
    found = [m.group(1) for m in re.finditer(cfg["description_re"], text)]
    m = re.search(cfg["name_re"], name)
    if m:
        found.append(m.group(1))
    for phrase in found:
        for cut in cfg["cut_after"]:
            phrase = phrase.rpartition(cut)[2]
        changed = True
        while changed:                 # 全县1200户低保家庭 → 低保家庭
            changed = False
            counted = re.sub(cfg["count_re"], "", phrase)
            if counted != phrase:
                phrase, changed = counted, True
            for lead in cfg["lead"]:
                if phrase.startswith(lead) and len(phrase) > len(lead) + 1:
                    phrase, changed = phrase[len(lead):], True
        if 2 <= len(phrase) <= 12 and phrase.endswith(tuple(cfg["ends"])):
            return phrase
    return ""


@lru_cache(maxsize=4096)
def read_project(name: str, description: str = "") -> Reading:
    """What the project's name and description state (cached: suggest, chat and batch ask often)."""
    text = (description or "").translate(_FOLD)
    clauses = _clauses(text)
    stated: list[Stated] = []
    totals: dict = {}
    state: dict = {}
    for clause in clauses:
        _read_clause(clause, stated, totals, state)
    stated += _purposes(clauses)
    # the same name twice (a clause repeated in the description): keep the first
    seen, unique = set(), []
    for s in stated:
        if _SPACE.search(s.name):      # '村民监督委员会 工资': a name holds no spaces
            s = replace(s, name=_SPACE.sub("", s.name))
        key = (s.level2, s.name)
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return Reading(tuple(unique), _beneficiaries(fold(description) + fold(name)), totals,
                   tuple(state.get("products", ())), _subsidised(fold(name), fold(description)))
