"""A terminal view of a draft (rich): project facts, the indicator table with a short 依据 column,
then the review findings grouped 错误 / 警告 / 提示.  Laid out for 100–120 columns; long names
wrap inside their cells.  All text from filings goes in as rich Text, never as markup."""
from __future__ import annotations

import io
import os
import shutil
import sys
from functools import lru_cache

from jixiao.corpus.categories import SHORT

from .explain import LEVEL1_SHORT, NEEDS_INPUT, facts, form_title, lint_groups, short_reason

_SEV_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}
DEFAULT_WIDTH = 110


def terminal_width() -> int:
    """The terminal's width held to 80–160 columns; 110 when output is not a terminal."""
    if not sys.stdout.isatty():
        return DEFAULT_WIDTH
    return max(80, min(160, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns))


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render_table(draft, width: int | None = None, color: bool | None = None) -> str:
    from rich import box
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    width = width or terminal_width()
    color = _use_color() if color is None else color
    console = Console(file=io.StringIO(), width=width, force_terminal=color,
                      color_system="standard" if color else None, highlight=False,
                      emoji=False, markup=False, legacy_windows=False, soft_wrap=False)
    p = draft.project
    head = Text()
    head.append(p.name or "（未命名项目）", style="bold")
    head.append(f"　{form_title(draft)}", style="dim")
    info = Text()
    for label, value in facts(draft)[1:-1]:
        if value:
            if info:
                info.append("　")
            info.append(f"{label.replace('（万元）', '')}：", style="dim")
            info.append(value + (" 万元" if label.startswith("预算金额") else ""))
    parts = [head]
    if info:
        parts.append(info)
    if p.description:
        goal = Text("年度绩效目标：", style="dim")
        goal.append(p.description)
        parts.append(goal)
    if p.sector_reason:
        why = Text("行业依据：", style="dim")
        why.append(p.sector_reason)
        parts.append(why)
    if draft.similar:
        sim = Text("参考的历史项目：", style="dim")
        sim.append("、".join(f"{s.name}（{s.year or '—'}）" for s in draft.similar[:4]))
        parts.append(sim)

    t = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False,
              header_style="bold")
    t.add_column("#", no_wrap=True, width=3, justify="right", style="dim")
    t.add_column("一级", no_wrap=True, width=6)
    t.add_column("二级", no_wrap=True, width=10)
    t.add_column("三级指标", ratio=4, overflow="fold")
    t.add_column("指标值", width=18, overflow="fold")
    t.add_column("绩效标准", width=8, overflow="fold")
    t.add_column("依据", ratio=4, overflow="fold")
    groups = [(l2, rows) for l2, rows in draft.by_category() if rows]
    prev_l1 = None
    for g, (l2, rows) in enumerate(groups):
        for k, (idx, ind) in enumerate(rows):
            l1 = LEVEL1_SHORT.get(ind.level1, ind.level1) if ind.level1 != prev_l1 else ""
            prev_l1 = ind.level1
            value = Text(NEEDS_INPUT, style="bold yellow") if ind.needs_input else Text(ind.value or "")
            t.add_row(Text(str(idx + 1)), Text(l1), Text(SHORT.get(l2, l2) if k == 0 else ""), Text(ind.name), value,
                      Text(ind.basis or "", style="dim"), Text(short_reason(ind), style="dim"),
                      end_section=(k == len(rows) - 1 and g < len(groups) - 1))
    parts.append(t)

    todo = sum(1 for i in draft.indicators if i.needs_input)
    tail = Text(f"共 {len(draft.indicators)} 个指标", style="dim")
    if todo:
        tail.append(f"，其中 {todo} 个{NEEDS_INPUT}", style="yellow")
    parts.append(tail)
    groups_lint = lint_groups(draft)
    lint = Text("审核提示：", style="bold")
    if not groups_lint:
        lint.append("未发现问题", style="green")
    parts.append(lint)
    for label, items in groups_lint:
        line = Text(f"{label}（{len(items)}）", style=_SEV_STYLE[label])
        parts.append(line)
        for item in items:
            entry = Text("  · ")
            entry.append(item)
            parts.append(entry)
    console.print(Group(*parts))
    return "\n".join(line.rstrip() for line in console.file.getvalue().rstrip("\n").split("\n"))


def render_tables(drafts, width: int | None = None, color: bool | None = None) -> str:
    items = drafts if isinstance(drafts, list) else [drafts]
    rule = "─" * min(40, width or DEFAULT_WIDTH)
    return f"\n\n{rule}\n\n".join(render_table(d, width, color) for d in items)


# -- a plain grid for long listings -----------------------------------------------------------------
# rich lays out every row with measuring, wrapping and padding (~0.4 ms a row: 60,000 rows took
# 23 s); a listing of thousands of rows needs none of that.  plain_grid folds each cell to its
# column's width in terminal cells (CJK characters are two) and joins the lines: linear, ~10 µs a row.

@lru_cache(maxsize=1 << 16)
def _cell_width(ch: str) -> int:
    import unicodedata

    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _fold(text: str, width: int) -> list[str]:
    """The text cut into lines of at most `width` terminal cells (line breaks kept)."""
    out: list[str] = []
    for part in (text or "").split("\n"):
        line, used = [], 0
        for ch in part:
            w = _cell_width(ch) if ord(ch) > 0x7f else 1
            if used + w > width and line:
                out.append("".join(line))
                line, used = [], 0
            line.append(ch)
            used += w
        out.append("".join(line))
    return out or [""]


def _pad(text: str, width: int) -> str:
    used = sum(_cell_width(ch) if ord(ch) > 0x7f else 1 for ch in text)
    return text + " " * max(0, width - used)


def plain_grid(headers: list[str], rows, widths: list[int], gap: str = "  ") -> str:
    """Rows of cells as a plain-text grid: headers, a rule, then each row folded to the column
    widths (in terminal cells).  Time grows with the text, never with the rows squared."""
    lines = [gap.join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(),
             gap.join("─" * w for w in widths)]
    for row in rows:
        cells = [_fold(str(c if c is not None else ""), w) for c, w in zip(row, widths)]
        for k in range(max(len(c) for c in cells)):
            lines.append(gap.join(_pad(c[k] if k < len(c) else "", w) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(lines)
