"""The bottom toolbar in the terminal: where the officer is and which categories are empty.

It fits the terminal's width: the key reminders go first when space runs out, then the list of
empty categories is shortened, so the bar is never cut off at 80 columns."""
from __future__ import annotations

KEYS_LONG = "Tab 补全 · Ctrl-C 取消输入 · Ctrl-D 保存退出 · 帮助"
KEYS_SHORT = "Tab 补全 · Ctrl-D 退出"


def toolbar_text(session, columns: int | None = None) -> str:
    from .view import clip, width

    st = session.status()
    parts = [st["where"]]
    if session.state.phase != "intake":
        parts.append("尚空：" + ("、".join(st["empty"]) if st["empty"] else "无"))
    for keys in (KEYS_LONG, KEYS_SHORT, None):
        text = " " + " │ ".join(parts + ([keys] if keys else []))
        if not columns or width(text) <= columns - 1:
            return text
    return clip(text, max(10, columns - 1))


def make_toolbar(session):
    """A callable for PromptSession(bottom_toolbar=...), re-evaluated on every redraw."""
    def bar():
        import shutil

        return toolbar_text(session, shutil.get_terminal_size((100, 24)).columns)

    return bar
