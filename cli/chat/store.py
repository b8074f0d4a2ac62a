"""Session files: what a chat session saves after every change, and where.

Sessions live beside the catalogue they draw on, in `<catalogue folder>/sessions/` — for the
default catalogue that is `$XDG_DATA_HOME/jixiao/sessions/` (~/.local/share/jixiao/sessions/);
`--db` and JIXIAO_DB move them with the catalogue.  One JSON file per session, written
atomically (temp file in the same folder, fsync, os.replace), so a session killed at any
moment leaves either the previous save or the new one, never a torn file.
"""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field, ValidationError

from jixiao.engine.draft import Draft, Project

FORMAT = 1


class SessionError(Exception):
    """A session file that cannot be used; str(e) names the file and the problem (Chinese)."""


class Suggested(BaseModel):
    """One indicator as the engine first suggested it (what feedback compares against)."""
    level2: str
    name: str
    value: str = ""
    basis: Optional[str] = None


class SessionState(BaseModel):
    """Everything needed to continue a session after the process is gone."""
    format: int = FORMAT
    created: str = ""
    db: str = ""
    profile: str = "default"
    use_feedback: bool = True
    phase: Literal["intake", "review", "done"] = "intake"
    field: int = 0                                   # intake: index into intake.FIELDS
    answers: dict = Field(default_factory=dict)      # intake answers read so far
    desc_lines: list[str] = Field(default_factory=list)
    draft: Optional[Draft] = None                    # project + indicators + lint + similar
    origins: list[str] = Field(default_factory=list)  # per indicator: suggested name it came from, "" if added
    suggested: list[Suggested] = Field(default_factory=list)
    step: int = 0                                    # review: index into the session's steps
    reviewed: list[str] = Field(default_factory=list)   # categories the officer has accepted or changed
    passed: dict[str, list[str]] = Field(default_factory=dict)  # per category: names swapped away
    recorded: list[tuple[str, str]] = Field(default_factory=list)  # (name, action) already fed back

    @property
    def project(self) -> Project | None:
        return self.draft.project if self.draft else None


def sessions_dir(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / "sessions"


def history_path(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / "chat-history"


def new_path(folder: Path) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(folder) / f"{stamp}-{os.getpid()}.json"


def session_files(folder: Path) -> list[Path]:
    """Session files in a folder, most recently saved last.  The temporaries of saves a killed
    session left behind (".<name>.json.<pid>.tmp" whose process is gone) are removed first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    sweep(folder)
    found = []
    for p in folder.glob("*.json"):
        try:
            if p.is_file():
                found.append((p.stat().st_mtime, p.name, p))
        except OSError:
            continue
    return [p for *_, p in sorted(found)]


def sweep(folder: Path) -> None:
    from jixiao.catalogue.leftovers import remove_stale

    try:
        names = {n.name[1:n.name.index(".json.") + 5] for n in Path(folder).glob(".*.json.*.tmp")}
    except OSError:
        return
    for stem in names:
        remove_stale(folder, stem)


def latest(folder: Path) -> Path | None:
    files = session_files(folder)
    return files[-1] if files else None


def save(path: Path, state: SessionState) -> None:
    """Write the state atomically: temp file in the same folder, fsync, os.replace.  Raises
    OSError when it cannot (disk full, read-only folder …) and leaves no temporary behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = state.model_dump_json(indent=1)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def fallback_path(path: Path) -> Path:
    """Where a session is saved when its own folder cannot be written: the system's temporary
    folder, under the same name."""
    import tempfile

    return Path(tempfile.gettempdir()) / "jixiao-sessions" / Path(path).name


def load(path: Path) -> SessionState:
    """A saved session, checked as a whole: SessionError (one line naming the file) for a file
    that is not JSON, not ours, or whose content could not have been saved by a session —
    no draft past the questions, a question or step number out of range, an unknown template."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.json_input import load_json
    from jixiao.corpus.readers.textio import read_text

    path = Path(path)
    if not path.exists():
        raise SessionError(f"{path}：会话文件不存在。")
    try:
        data = load_json(read_text(path), path)
    except InputError as exc:
        raise SessionError(f"{exc}（不是有效的会话文件）。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}：无法读取会话文件（{exc}）。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f"{path}：不是本版本 jixiao 的会话文件。")
    try:
        state = SessionState.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise SessionError(f"{path}：会话文件内容不完整（{where}：{first.get('msg', '')}）。") from None
    problem = _inconsistency(state)
    if problem:
        raise SessionError(f"{path}：会话文件已损坏（{problem}），无法继续；可以开始新的会话。")
    if state.draft is not None and len(state.origins) != len(state.draft.indicators):
        # origins only steer feedback: a mismatch loses nothing of the draft
        n = len(state.draft.indicators)
        state.origins = (state.origins + [""] * n)[:n]
    return state


_ANSWER_TYPES = {"name": (str,), "description": (str,), "budget": (int, float, type(None)),
                 "year": (int, type(None)), "department": (str, type(None))}


def _inconsistency(state: SessionState) -> str | None:
    """What makes a state impossible to continue, in Chinese, or None."""
    import math

    from jixiao.corpus.categories import LEVEL2_CANON
    from jixiao.engine.profiles import profile

    from .intake import FIELDS

    try:
        prof = profile(state.profile)
    except (ValueError, KeyError):
        return f"未知的模板 {state.profile[:30]!r}"
    steps = [l2 for l2 in LEVEL2_CANON if l2 in prof["required"] or l2 in prof["optional"]]
    if not 0 <= state.field < len(FIELDS):
        return f"问题序号 {state.field} 超出范围"
    for key, value in state.answers.items():
        types = _ANSWER_TYPES.get(key)
        if types is None or isinstance(value, bool) or not isinstance(value, types):
            return f"回答“{str(key)[:20]}”的内容不对"
        if isinstance(value, float) and not math.isfinite(value):
            return "预算不是有限的数字"
    if state.phase != "intake":
        if state.draft is None:
            return "已进入逐类确认，却没有草稿"
        if not 0 <= state.step < len(steps):
            return f"步骤序号 {state.step} 超出范围（0–{len(steps) - 1}）"
    return None


def last_department(folder: Path) -> str | None:
    """The department of the most recent session that named one (a sensible default)."""
    for p in reversed(session_files(folder)):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        dept = ((data.get("draft") or {}).get("project") or {}).get("department") \
            or (data.get("answers") or {}).get("department")
        if isinstance(dept, str) and dept.strip():
            return dept.strip()
    return None
