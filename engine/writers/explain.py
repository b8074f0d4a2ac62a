"""What every writer says about a draft: project facts, reasons, lint groups, the import split.

    facts(draft)            [(label, text)] of the project, in form order
    form_title(draft)       "项目支出绩效目标表（2025年度）" (部门整体支出… for department drafts)
    short_reason(ind)       one short 依据 cell: "上年同项目 · 相似 0.82", "共性指标库 · 热线"
    full_reasons(ind)       every reason as a sentence (sources, rules, what is missing)
    lint_groups(draft)      [(错误/警告/提示, [line, ...])] for the findings present
    indicator_ref(draft, i) "第 3 条 质量「…」" for a finding's indicator
    import_row(ind)         (一级, 二级, 三级, 计算符号, 指标值, 计量单位, 指标值设定依据)
"""
from __future__ import annotations

from jixiao.corpus.categories import L1, SHORT
from jixiao.corpus.values import format_value, split_value

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_LABEL = {"suggested": "推荐", "carried": "沿用", "new": "新增", "moved": "调整类别", "user": "人工"}
LEVEL1_SHORT = {L1.OUTPUT: "产出", L1.BENEFIT: "效益", L1.SATISFACTION: "满意度"}
NEEDS_INPUT = "待填写"
GRID_HEADER = ("一级指标", "二级指标", "三级指标", "指标值", "绩效标准")
IMPORT_HEADER = ("一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据")


def number_text(x) -> str:
    """25.0 → "25", 48.588 → "48.588"; None → ""."""
    return "" if x is None else format_value(None, x, None)


def form_title(draft) -> str:
    kind = "部门整体支出绩效目标表" if draft.project.kind == "department" else "项目支出绩效目标表"
    return f"{kind}（{draft.project.year}年度）" if draft.project.year else kind


def facts(draft) -> list[tuple[str, str]]:
    p = draft.project
    types = "、".join(p.sectors)
    if types and p.sectors_inferred:
        types += "（自动识别）"
    return [
        ("项目名称", p.name),
        ("主管部门", p.department or ""),
        ("预算金额（万元）", number_text(p.budget)),
        ("目标年度", str(p.year) if p.year else ""),
        ("项目实施期", p.period or ""),
        ("所属行业", types),
        ("年度绩效目标", p.description),
    ]


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _similarity(s) -> str:
    return "" if s is None else f" · 相似 {s:.2f}"


def short_reason(ind) -> str:
    """Why the indicator is in the draft, short enough for a table cell."""
    parts = []
    if ind.status in ("new", "moved"):
        parts.append(STATUS_LABEL[ind.status])
    filings = [s for s in ind.sources if s.kind == "filing"]
    first = ind.sources[0] if ind.sources else None
    if first is None:
        parts.append("填值规则" if ind.rules else "—")
    elif first.kind == "filing":
        if ind.status == "carried":
            label = "上年同项目"
        else:
            year = f"（{first.year}）" if first.year else ""
            label = f"{_clip(first.name, 8)}{year}"
        label += _similarity(first.similarity)
        if len(filings) > 1:
            label += f" 等{len(filings)}份"
        parts.append(label)
    elif first.kind == "library":
        parts.append(f"{first.name}行业指标库")
    elif first.kind == "description":
        parts.append("项目描述" + (f"：{first.value}" if first.value else ""))
    elif first.kind == "rule":
        parts.append(first.name or "填值规则")
    elif first.kind == "user":
        parts.append(first.name or "人工填写")
    else:
        parts.append(first.detail or "以往采纳记录")
    return " · ".join(parts)


def _source_sentence(s) -> str:
    value = f"，原值「{s.value}」" if s.value else ""
    if s.kind == "filing":
        year = f"（{s.year}年）" if s.year else ""
        sim = f"，相似度 {s.similarity:.2f}" if s.similarity is not None else ""
        how = f"（{s.detail}）" if s.detail else ""
        return f"历史申报表《{s.name}》{year}{how}{sim}{value}"
    if s.kind == "library":
        ref = f"，参考值「{s.value}」" if s.value else ""
        return f"{s.detail or '行业指标库 · ' + s.name}{ref}"
    if s.kind == "rule":
        return f"{s.name}：{s.detail}" if s.detail else s.name
    if s.kind == "description":
        return f"项目描述{('：' + s.detail) if s.detail else ''}{('，取值「' + s.value + '」') if s.value else ''}"
    if s.kind == "user":
        return (s.name or "人工填写") + (f"：{s.detail}" if s.detail else "")
    return (s.detail or "以往采纳记录") + value


def full_reasons(ind) -> list[str]:
    out = [_source_sentence(s) for s in ind.sources]
    out.extend(ind.rules)
    if ind.status in ("new", "moved"):
        out.append({"new": "原表缺少该类别，按推荐新增", "moved": "原表类别填错，已调整到本类别"}[ind.status])
    if ind.needs_input:
        out.append("没有可依据的历史值或规则，指标值需要人工填写")
    return out


def indicator_ref(draft, index) -> str:
    if index is None or not 0 <= index < len(draft.indicators):
        return ""
    ind = draft.indicators[index]
    return f"第 {index + 1} 条 {SHORT.get(ind.level2, ind.level2)}「{_clip(ind.name, 20)}」"


def lint_groups(draft) -> list[tuple[str, list[str]]]:
    groups = []
    for sev, label in SEVERITY_LABEL.items():
        lines = []
        for f in draft.lint:
            if f.severity != sev:
                continue
            ok = f.indicator is not None and 0 <= f.indicator < len(draft.indicators)
            lines.append(f"{f.message}（第 {f.indicator + 1} 条）" if ok else f.message)
        if lines:
            groups.append((label, lines))
    return groups


def import_row(ind) -> tuple:
    """The budget-system import columns; the value split by corpus.values.split_value
    ("≥95%" → ≥ / 95 / %; deadlines and free text whole in 指标值).  A value that needs input is
    left empty.  Pure numbers become numbers so the sheet does not hold numbers as text."""
    sign, number, unit = ("", "", "") if ind.needs_input else split_value(ind.value)
    if sign and sign in "≥≤=><" and number:
        try:
            f = float(number)
            number = int(f) if f.is_integer() and abs(f) < 1e15 else f
        except ValueError:
            pass
    return (ind.level1, ind.level2, ind.name, sign, number, unit, ind.basis or "")
