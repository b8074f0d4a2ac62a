"""Line-by-line mode, used when standard input is not a terminal, so a session can be scripted.

One answer per line; the description ends at an empty line; an empty answer takes the shown
default (in a category step: 下一步).  Each prompt is printed with the answer read, so the
output reads as a transcript.  End of input saves the draft and leaves.
"""
from __future__ import annotations

from typing import TextIO

from .session import Session


def _emit(out: TextIO, blocks: list[str]) -> None:
    for block in blocks:
        if block:
            out.write(block + "\n")
    out.flush()


def run_pipe(session: Session, stdin: TextIO, stdout: TextIO, resumed: bool = False) -> int:
    _emit(stdout, session.start(resumed))
    while not session.closed:
        prompt = session.prompt_text()
        line = stdin.readline()
        if not line:
            _emit(stdout, [prompt, "（输入结束）", *session.leave()])
            break
        line = line.rstrip("\r\n")
        _emit(stdout, [prompt + line, *session.handle(line)])
    return 0
