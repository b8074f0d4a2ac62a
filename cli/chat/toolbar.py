"""The bottom toolbar in the terminal: where the officer is and which categories are empty."""
from __future__ import annotations


def toolbar_text(session) -> str:
    st = session.status()
    parts = [st["where"]]
    if session.state.phase != "intake":
        parts.append("尚空：" + ("、".join(st["empty"]) if st["empty"] else "无"))
    parts.append("Tab 补全 · Ctrl-C 取消输入 · Ctrl-D 保存退出 · 帮助")
    return " " + " │ ".join(parts)


def make_toolbar(session):
    """A callable for PromptSession(bottom_toolbar=...), re-evaluated on every redraw."""
    return lambda: toolbar_text(session)
