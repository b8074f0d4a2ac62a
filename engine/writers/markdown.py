"""Markdown: project facts, the indicator table with a short 依据 column, full reasons by row
number, and the review findings.  Several drafts become sections separated by rules."""
from __future__ import annotations

import re

from .explain import GRID_HEADER, NEEDS_INPUT, facts, form_title, full_reasons, lint_groups, short_reason

_SPECIAL = re.compile(r"([\\`*_|\[\]<>#])")
_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def esc(text) -> str:
    """Text safe inside a Markdown table cell or list item: one line, markup characters escaped."""
    return _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", str(text or "")).strip())


def render_md_one(draft) -> str:
    p = draft.project
    lines = [f"# {esc(p.name) or '（未命名项目）'}", "", f"**{form_title(draft)}**", ""]
    for label, value in facts(draft):
        if label != "项目名称":
            lines.append(f"- **{label}**：{esc(value) or '—'}")
    if draft.similar:
        refs = "、".join(f"{esc(s.name)}（{s.year or '—'}）" for s in draft.similar[:5])
        lines.append(f"- **参考的历史项目**：{refs}")
    lines += ["", "## 绩效指标", ""]
    header = ("序号",) + GRID_HEADER + ("依据",)
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    prev_l1 = prev_l2 = None
    for n, ind in enumerate(draft.indicators, 1):
        l1 = ind.level1 if ind.level1 != prev_l1 else ""
        l2 = ind.level2 if (ind.level1, ind.level2) != (prev_l1, prev_l2) else ""
        prev_l1, prev_l2 = ind.level1, ind.level2
        value = f"**{NEEDS_INPUT}**" if ind.needs_input else esc(ind.value)
        cells = (str(n), esc(l1), esc(l2), esc(ind.name), value, esc(ind.basis), esc(short_reason(ind)))
        lines.append("| " + " | ".join(cells) + " |")
    if not draft.indicators:
        lines.append("| — | | | （没有指标） | | | |")
    lines += ["", "## 推荐依据", ""]
    for n, ind in enumerate(draft.indicators, 1):
        reasons = "；".join(esc(r) for r in full_reasons(ind)) or "—"
        lines.append(f"{n}. **{esc(ind.name)}**：{reasons}")
    lines += ["", "## 审核提示", ""]
    groups = lint_groups(draft)
    if not groups:
        lines.append("未发现问题。")
    for label, items in groups:
        lines.append(f"### {label}（{len(items)}）")
        lines.append("")
        lines.extend(f"- {esc(item)}" for item in items)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_md(drafts) -> str:
    items = drafts if isinstance(drafts, list) else [drafts]
    return "\n---\n\n".join(render_md_one(d) for d in items)
