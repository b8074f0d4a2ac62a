"""Atomic file output: a temp file in the target's folder, flushed, then os.replace.

    atomic_path(path)            context manager yielding a temp path to write (e.g. wb.save)
    write_text(path, text)       UTF-8 text (bom=True for files Excel opens)
    OutputError                  one Chinese line naming the file when writing fails

A reader of `path` sees the old file or the whole new one, never half a file; a crash leaves at
most a hidden ".<name>.<random>.tmp" next to it, which no reader of ours picks up (names starting
with "." are skipped when folders are read).

fsync policy: the temp file is always synced before the rename — that is what makes the write
atomic across a crash (otherwise the rename may reach the disk before the data and leave an
empty or partial file under the final name).  The folder is synced after the rename so the new
name itself survives a power loss; a caller writing many files into one folder (batch) passes
sync_dir=False and calls sync_folder once at the end: a crash before that may lose some of the
newest names (the old state, never a partial file), which a re-run writes again.
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class OutputError(Exception):
    """An output file could not be written.  str(e) is one line for the officer."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}：{problem}")


def _problem(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有写入权限"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不能写成文件"
    if isinstance(exc, NotADirectoryError):
        return "上级路径不是文件夹"
    if getattr(exc, "errno", None) == 28:
        return "磁盘空间不足"
    return f"无法写入（{exc.strerror or type(exc).__name__}）"


def _new_temp(parent: Path, name: str) -> Path:
    stem = name.encode("utf-8")[:60].decode("utf-8", errors="ignore")
    for _ in range(100):
        tmp = parent / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            # 0o666 through the process umask: the final file gets ordinary permissions
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temp name in {parent}")


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def sync_folder(folder) -> None:
    """Make the names written into `folder` durable (one fsync of the folder, POSIX only)."""
    _fsync_dir(Path(folder))


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path, sync_dir: bool = True) -> Iterator[Path]:
    """Yield a temp path in the same folder as `path` (created if missing); when the block ends
    normally the temp file is synced and renamed over `path` (and the folder synced unless
    sync_dir=False), otherwise it is removed."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, "这是一个文件夹，不能写成文件")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _new_temp(target.parent, target.name)
    except OSError as exc:
        raise OutputError(target, _problem(exc)) from None
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(target, _problem(exc)) from None
        raise
    if sync_dir:
        _fsync_dir(target.parent)


def write_bytes(path, data: bytes, sync_dir: bool = True) -> None:
    with atomic_path(path, sync_dir) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str, bom: bool = False, sync_dir: bool = True) -> None:
    """Write UTF-8 text atomically (with a byte-order mark when bom=True).

    Lone surrogates (a file name's undecodable bytes quoted in a 汇总) become U+FFFD: UTF-8 cannot
    hold them, and one odd name must not cost the file."""
    from jixiao.corpus.safe_text import clean_text

    write_bytes(path, (("\ufeff" if bom else "") + clean_text(text)).encode("utf-8"), sync_dir)
