"""What the officer sees: the intro, one category step, the reasons for a line, the whole
table with its review findings, and the help.  Plain text that reads the same in a terminal
and in a piped transcript; columns aligned by display width (CJK characters are two wide).

In a terminal the REPL sets `WIDTH` to the terminal's columns before each answer: a line whose
reason does not fit moves the reason to the next line, and long sentences wrap with a hanging
indent, so nothing is cut or wrapped by the terminal at 80 columns.  Piped transcripts (WIDTH
None) keep one line per indicator.
"""
from __future__ import annotations

import unicodedata

from jixiao.corpus.categories import LEVEL1_OF, SHORT

from .commands import vocab

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS = {"suggested": "推荐", "carried": "沿用上年", "new": "新增", "moved": "调整类别", "user": "经办人填写"}
NAME_W = 28
VALUE_W = 14
WIDTH: int | None = None        # the terminal's columns (set by repl.py); None: no limit


def set_width(columns: int | None) -> None:
    global WIDTH
    WIDTH = max(40, int(columns)) if columns else None


def wrap(text: str, indent: int = 4, w: int | None = None) -> str:
    """`text` wrapped to the width (display columns) with a hanging indent; unchanged when no
    width is set."""
    w = WIDTH if w is None else w
    if not w or width(text) <= w:
        return text
    lines, line, used = [], "", 0
    for ch in text:
        cw = width(ch)
        if used + cw > w and line.strip():
            lines.append(line.rstrip())
            line, used = " " * indent, indent
            if ch == " ":
                continue
        line += ch
        used += cw
    lines.append(line.rstrip())
    return "\n".join(lines)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, w: int) -> str:
    text = " ".join((text or "").split())
    if width(text) <= w:
        return text
    out, used = [], 0
    for ch in text:
        cw = width(ch)
        if used + cw > w - 1:
            break
        out.append(ch)
        used += cw
    return "".join(out) + "…"


def pad(text: str, w: int) -> str:
    text = clip(text, w)
    return text + " " * (w - width(text))


def _pct(sim) -> str:
    return f"{round(sim * 100)}%" if sim is not None else ""


def fit(text: str) -> str:
    """A block of text with every line wrapped to the width (see _fit); unchanged without one."""
    return _fit(text.split("\n")) if WIDTH else text


def _fit(lines: list[str]) -> str:
    """Lines joined, each wrapped to the width with an indent under its own text."""
    if not WIDTH:
        return "\n".join(lines)
    return "\n".join(wrap(x, len(x) - len(x.lstrip(" ")) + 2) for x in lines)


def reason_short(ind) -> str:
    """One short reason: the strongest source of the line (经办人修改 / 经办人添加 first)."""
    if ind.status == "user":
        mine = next((s for s in ind.sources if s.kind == "user"), None)
        if mine is not None:
            return mine.name or "经办人添加"
    for s in ind.sources:
        if s.kind == "filing":
            year = f"{s.year}年" if s.year else ""
            lead = "沿用上年" if ind.status == "carried" else "参考"
            sim = f"，相似{_pct(s.similarity)}" if s.similarity and ind.status != "carried" else ""
            return f"{lead}《{clip(s.name, 16)}》{year}{sim}"
        if s.kind == "library":
            return f"共性指标库·{s.name}"
        if s.kind == "description":
            return "项目描述中写明"
    if ind.rules:
        return clip(ind.rules[0].split("：", 1)[-1], 24)
    return ""


def line(num: int, ind, tail: str | None = None, indent: int = 0) -> str:
    """A numbered line: name, value, then the short reason (or the given tail).  When a width is
    set and the reason does not fit after the value, it goes on the next line."""
    value = ind.value or "（待填写）"
    flag = " ⚠待填写" if ind.needs_input and not ind.value else ""
    tail = reason_short(ind) if tail is None else tail
    lead = " " * indent
    head = f"{lead}  {num:>2}. {pad(ind.name, NAME_W)} {pad(value, VALUE_W)}"
    text = f"{head}  {tail}{flag}".rstrip()
    if not WIDTH or width(text) <= WIDTH:
        return text
    second = f"{lead}{' ' * 8}{tail}{flag}".rstrip()
    if width(second) > WIDTH:
        second = f"{lead}{' ' * 8}" + clip(f"{tail}{flag}", WIDTH - 8 - len(lead))
    return head.rstrip() + ("\n" + second if second.strip() else "")


def finding_line(f, numbers: dict[int, int] | None = None) -> str:
    where = ""
    if f.indicator is not None and numbers and f.indicator in numbers:
        where = f"第{numbers[f.indicator]}条："
    return wrap(f"  [{SEVERITY[f.severity]}] {where}{f.message}", 6)


def intro(draft, steps: int, required: int) -> str:
    p = draft.project
    out = []
    if p.sectors:
        how = "（自动识别）" if p.sectors_inferred else ""
        out.append(f"所属行业：{'、'.join(p.sectors)}{how}" + (f" —— {p.sector_reason}" if p.sector_reason else ""))
    else:
        out.append("没有识别出所属行业，按通用指标推荐。")
    if draft.similar:
        out.append("参考的历史申报表（按相似度）：")
        for s in draft.similar:
            year = f"{s.year}年，" if s.year else ""
            out.append(f"  · 《{s.name}》（{year}相似度 {_pct(s.similarity)}）")
    else:
        out.append("指标库中没有同一项目、本单位或同行业的相近申报表，按项目描述、行业指标库和规则推荐。")
    out.append(f"共推荐 {len(draft.indicators)} 条指标。下面逐类确认（共 {steps} 类，其中必填 {required} 类）；"
               f"输入 帮助 查看全部命令。")
    return _fit(out)


def step(index: int, total: int, level2: str, required: bool, rows, cands, findings) -> str:
    """rows / cands: [(number, DraftIndicator)]; findings: [(number, LintFinding)] for the rows."""
    need = "必填" if required else "选填"
    out = [f"── 第 {index}/{total} 步 · {level2}（{LEVEL1_OF[level2]} · {need}）──"]
    if rows:
        out.append(" 表中：")
        out.extend(line(n, ind) for n, ind in rows)
    else:
        out.append(" 表中：（空）" + ("  必填类别，至少要有一条指标" if required else ""))
    if cands:
        out.append(" 其他候选（输入编号选用）：")
        out.extend(line(n, ind) for n, ind in cands)
    elif not rows:
        out.append(" 指标库中没有这一类的候选；可以 加 名称 值，或直接回车跳过。" if not required
                   else " 指标库中没有这一类的候选；请用 加 名称 值 添加。")
    if findings:
        out.append(" 审核提示：")
        out.extend(wrap(f"  [{SEVERITY[f.severity]}] 第{n}条：{f.message}", 6) for n, f in findings)
    out.append(wrap(" 回车 = 接受本类进入下一步；删 N · 改 N 值 · 换 N · 加 名称 值 · 为什么 N · 帮助", 1))
    return "\n".join(out)


def why(num: int, ind, findings, in_table: bool) -> str:
    where = "" if in_table else "（候选，尚未在表中）"
    out = [f"第{num}条「{ind.name}」{where}— {ind.level1} / {ind.level2}",
           f"  指标值：{ind.value or '（待填写）'}    绩效标准：{ind.basis or '—'}    "
           f"状态：{STATUS.get(ind.status, ind.status)}    得分：{ind.score:.2f}"]
    out.append("  依据：")
    if not ind.sources:
        out.append("    · 没有可引用的来源")
    for s in ind.sources:
        if s.kind == "filing":
            year = f"{s.year}年，" if s.year else ""
            sim = f"相似度 {_pct(s.similarity)}" if s.similarity is not None else ""
            used = f"，当时填「{s.value}」" if s.value else ""
            out.append(f"    · 历史申报《{s.name}》（{year}{sim}）{used}")
        elif s.kind == "library":
            val = f"：典型值「{s.value}」" if s.value else ""
            out.append(f"    · {s.detail or '共性指标库 · ' + s.name}{val}")
        elif s.kind == "description":
            out.append(f"    · 项目描述：{s.value or s.detail}")
        else:
            out.append(f"    · {s.detail or s.name}")
    out.append("  填值规则：")
    out.extend(f"    · {r}" for r in ind.rules) if ind.rules else out.append("    · 无")
    if ind.needs_input:
        out.append("  ⚠ 没有可靠依据给出数值，需要经办人填写。")
    if in_table:
        out.append("  审核提示：" + ("无" if not findings else ""))
        out.extend(f"    [{SEVERITY[f.severity]}] {f.message}" for f in findings)
    return _fit(out)


def table(draft, title: str = "绩效目标表") -> str:
    """The whole table, numbered as commands address it, then every review finding."""
    p = draft.project
    facts = [f"{p.year}年" if p.year else "", f"预算 {p.budget:g} 万元" if p.budget is not None else "预算未填",
             p.department or ""]
    out = [f"══ {title}：{p.name}（{'，'.join(x for x in facts if x)}）══"]
    numbers = {}
    n = 0
    level1 = None
    for l2, rows in draft.by_category():
        if not rows:
            continue
        if LEVEL1_OF[l2] != level1:
            level1 = LEVEL1_OF[l2]
            out.append(f" {level1}")
        out.append(f"  {l2}")
        for i, ind in rows:
            n += 1
            numbers[i] = n
            out.append(line(n, ind, tail=ind.basis or "", indent=2))
    if not n:
        out.append("  （表中还没有指标）")
    counts = {k: sum(1 for f in draft.lint if f.severity == k) for k in SEVERITY}
    out.append(f" 审核提示：错误 {counts['error']} · 警告 {counts['warning']} · 提示 {counts['info']}")
    out.extend(finding_line(f, numbers) for f in draft.lint)
    return "\n".join(out)


def help_text() -> str:
    v = vocab()
    out = ["命令（中文或英文都可以，编号就是屏幕上显示的编号）："]
    rows = [(spec["usage"], spec["help"], [w for w in spec["words"] if w.isascii()])
            for spec in v["commands"].values()]
    rows.insert(0, (v["select_help"]["usage"], v["select_help"]["help"], []))
    for usage, text, english in rows:
        alias = f"（{'/'.join(english)}）" if english else ""
        out.append(f"  {pad(usage, 18)} {text}{alias}")
    out.append("也可以直接说：满意度改成≥98%、不要第二个、第一个换掉、为什么有满意度。")
    out.append("空行（直接回车）= 下一步。在总表中编号指整张表的序号。")
    return _fit(out)


def short(level2: str) -> str:
    return SHORT.get(level2, level2)
