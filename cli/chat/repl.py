"""The terminal loop (prompt_toolkit): input history, completion, bottom toolbar.

Ctrl-C cancels the line being typed; Ctrl-D asks whether to save and leave (the session is
saved after every change anyway, so leaving loses nothing).  Loaded only when standard input
is a terminal.
"""
from __future__ import annotations

from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory

from . import view
from .commands import vocab
from .completer import ChatCompleter
from .session import Session
from .toolbar import make_toolbar


def _emit(blocks: list[str]) -> None:
    for block in blocks:
        if block:
            print(view.fit(block), flush=True)


def _confirm_leave() -> bool:
    from prompt_toolkit import prompt

    try:
        answer = prompt("保存并退出？［Y/n］：")
    except KeyboardInterrupt:
        return False
    except EOFError:
        return True
    return answer.strip().lower() in vocab()["yes_words"]


def _fit_terminal() -> None:
    """Lay text out for the terminal's current width (it may have been resized)."""
    import shutil

    view.set_width(shutil.get_terminal_size((100, 24)).columns - 1)


def run_repl(session: Session, history: Path, resumed: bool = False) -> int:
    history.parent.mkdir(parents=True, exist_ok=True)
    ps = PromptSession(history=FileHistory(str(history)), completer=ChatCompleter(session),
                       complete_while_typing=True, bottom_toolbar=make_toolbar(session))
    _fit_terminal()
    _emit(session.start(resumed))
    while not session.closed:
        _fit_terminal()
        try:
            line = ps.prompt(session.prompt_text())
        except KeyboardInterrupt:
            continue                        # Ctrl-C: drop the current input, ask again
        except EOFError:
            if _confirm_leave():
                _emit(session.leave())
                break
            continue
        try:
            _emit(session.handle(line))
        except KeyboardInterrupt:
            print("（已中断）", flush=True)
    return 0
