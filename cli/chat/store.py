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

from engine.draft import Draft, Project

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
    """Session files in a folder, most recently saved last."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob("*.json") if p.is_file()), key=lambda p: (p.stat().st_mtime, p.name))


def latest(folder: Path) -> Path | None:
    files = session_files(folder)
    return files[-1] if files else None


def save(path: Path, state: SessionState) -> None:
    """Write the state atomically: temp file in the same folder, fsync, os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = state.model_dump_json(indent=1)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(path: Path) -> SessionState:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path}：会话文件不存在。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}：无法读取会话文件（{exc}）。") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise SessionError(f"{path}：不是有效的会话文件（JSON 格式错误）。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f"{path}：不是本版本 jixiao 的会话文件。")
    try:
        return SessionState.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise SessionError(f"{path}：会话文件内容不完整（{where}：{first.get('msg', '')}）。") from None


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
