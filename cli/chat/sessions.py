"""The saved sessions an officer can see and go back to: `jixiao chat --list`, `--resume 会话`.

    summaries(folder) -> [SessionSummary]   every session file, most recently saved first
    listing(folder) -> str                  the table `chat --list` prints
    find_session(folder, ref) -> Path       --resume: "" the latest, a file, a session name or the
                                            unique start of one; SessionNotFound (Chinese) otherwise

A session's name is its file name without .json (20260105-093000-4242: started at 09:30:00 on
5 January 2026 by process 4242); feedback records carry the same name (`jixiao feedback`).
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from . import store


class SessionNotFound(Exception):
    """No session fits what was asked; str(e) says so and how to list them."""


@dataclass
class SessionSummary:
    name: str
    path: Path
    saved: str            # last save, local time
    project: str          # project name, or the answer so far
    where: str            # 填写项目信息 / 第 3/9 步 / 总表已完成
    indicators: int
    readable: bool = True


def _summary(path: Path) -> SessionSummary:
    saved = datetime.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (OSError, ValueError, UnicodeDecodeError):
        return SessionSummary(path.stem, path, saved, "（无法读取的会话文件）", "", 0, readable=False)
    draft = data.get("draft") or {}
    project = ((draft.get("project") or {}).get("name") or (data.get("answers") or {}).get("name") or "（未命名）")
    phase = data.get("phase")
    if phase == "done":
        where = "总表已完成"
    elif phase == "review":
        where = f"逐类确认第 {int(data.get('step') or 0) + 1} 步"
    else:
        where = "填写项目信息"
    return SessionSummary(path.stem, path, saved, str(project), where, len(draft.get("indicators") or []))


def summaries(folder: Path) -> list[SessionSummary]:
    """Every session in the folder, the most recently saved first."""
    return [_summary(p) for p in reversed(store.session_files(folder))]


def listing(folder: Path) -> str:
    from .view import pad

    items = summaries(folder)
    if not items:
        return f"还没有保存的会话（{folder}）。用 jixiao chat 开始一个。"
    widths = (22, 16, 30, 16, 6)
    head = ("会话", "最后保存", "项目", "进度", "指标")
    lines = [f"保存的会话（{folder}），最近的在前：", "  ".join(pad(h, w) for h, w in zip(head, widths)).rstrip()]
    for s in items:
        cells = (s.name, s.saved, s.project, s.where, str(s.indicators) if s.readable else "—")
        lines.append("  ".join(pad(c, w) for c, w in zip(cells, widths)).rstrip())
    lines.append("继续某一个：jixiao chat --resume 会话名（可只写开头几位）；不写会话名时继续最近的一个。")
    return "\n".join(lines)


def find_session(folder: Path, ref: str | None) -> Path:
    """The session file --resume asks for (see the module doc)."""
    ref = (ref or "").strip()
    if not ref:
        latest = store.latest(folder)
        if latest is None:
            raise SessionNotFound(f"没有可以继续的会话（{folder} 中没有会话文件）。")
        return latest
    as_path = Path(ref).expanduser()
    if as_path.suffix == ".json" and (as_path.is_file() or as_path.parent != Path(".")):
        return as_path
    files = store.session_files(folder)
    stem = ref[:-5] if ref.endswith(".json") else ref
    exact = [p for p in files if p.stem == stem]
    if exact:
        return exact[0]
    starts = [p for p in files if p.stem.startswith(stem)]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        names = "、".join(p.stem for p in starts[:5])
        raise SessionNotFound(f"“{ref}”对应多个会话：{names}；请写完整的会话名（jixiao chat --list）。")
    raise SessionNotFound(f"没有名为“{ref}”的会话（jixiao chat --list 列出保存的会话）。")
