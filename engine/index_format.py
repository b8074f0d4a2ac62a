"""The index file: one uncompressed .npz of plain arrays, written atomically, read memory-mapped.

File: one .npz (no pickled objects) holding any number of named indexes plus a JSON `meta`
record: the index format, the tokenizer fingerprint (a vocabulary is only valid with the
tokenizer that made it) and whatever the caller adds (the catalogue revision).  Per index
`<name>.terms` (sorted vocabulary, unicode array — binary-searched, no dict to build at load
time), `.idf`, `.indptr`/`.indices`/`.data` (CSC, float64) and `.ids` (the caller's id of each
document row).  Written atomically (temp file + os.replace) with numpy (`save_indexes`).

Read without numpy (`read_index_file`): the file is memory-mapped, not read, and each member's
.npy header is parsed here, so every array is a `MappedArray` — its bytes, dtype description
and shape — that the query path (engine.index_query) reads through a typed memoryview or,
for a large index, as a numpy array; only the columns a query touches are paged in.
"""
from __future__ import annotations

import json
import math
import mmap
import os
import re
import struct
import sys
import zipfile
from pathlib import Path

from .tokenize import fingerprint

INDEX_FORMAT = 2
PARTS = ("terms", "idf", "indptr", "indices", "data", "ids")
# numpy dtype descriptions the Python path reads through a memoryview (little-endian machines)
MV_FORMAT = {"<f8": "d", "<i8": "q", "<i4": "i"} if sys.byteorder == "little" else {}
_HEADER = re.compile(r"\{'descr': '([^']*)', 'fortran_order': (?:True|False), 'shape': \(([0-9, ]*)\), \}")
_DESCR = re.compile(r"[<>|=]([a-zA-Z])([0-9]+)")


class BadIndexFile(ValueError):
    """The file is missing, unreadable, corrupt, of another format or of another tokenizer."""


class MappedArray:
    """One array of a memory-mapped .npz: its bytes, numpy dtype description and shape."""

    __slots__ = ("buf", "descr", "shape")

    def __init__(self, buf: memoryview, descr: str, shape: tuple[int, ...]):
        self.buf, self.descr, self.shape = buf, descr, shape

    @property
    def kind(self) -> str:
        return self.descr[1]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 1

    def python(self):
        """A typed memoryview (numbers) or a list of str (unicode), without numpy."""
        if self.kind == "U":
            width = int(self.descr[2:])
            text = self.buf.tobytes().decode("utf-32-le")
            return [text[i:i + width].rstrip("\x00") for i in range(0, len(text), width)]
        return self.buf.cast(MV_FORMAT[self.descr])

    def numpy(self):
        import numpy as np

        return np.frombuffer(self.buf, dtype=np.dtype(self.descr)).reshape(self.shape)


def save_indexes(path: str | Path, indexes: dict, meta: dict | None = None) -> None:
    """Write named indexes (engine.index_query.TextIndex) and a meta record into one .npz,
    atomically."""
    import numpy as np

    path = Path(path)
    record = {**(meta or {}), "format": INDEX_FORMAT, "tokenizer": fingerprint(), "indexes": sorted(indexes)}
    arrays = {"meta": np.array(json.dumps(record, ensure_ascii=False))}
    for name, idx in indexes.items():
        if "." in name or name == "meta":
            raise ValueError(f"bad index name {name!r}")
        arrays.update(idx.arrays(name))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _npy_header(raw: bytes) -> tuple[str, tuple[int, ...], int]:
    """(dtype description, shape, header length) of a .npy member, read without numpy."""
    if raw[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy member")
    major = raw[6]
    size_len = 2 if major == 1 else 4
    (hlen,) = struct.unpack("<H" if size_len == 2 else "<I", raw[8:8 + size_len])
    start = 8 + size_len
    text = raw[start:start + hlen].decode("latin-1" if major < 3 else "utf-8")
    m = _HEADER.match(text)
    if m:
        descr, shape_text = m.group(1), m.group(2)
        shape = tuple(int(x) for x in shape_text.replace(" ", "").split(",") if x)
    else:  # another writer's spelling of the same dictionary
        import ast

        d = ast.literal_eval(text)
        descr, shape = d["descr"], tuple(d["shape"])
    if not isinstance(descr, str) or not _DESCR.fullmatch(descr) or descr[1] == "O":
        raise ValueError(f"unsupported dtype {descr!r}")
    return descr, shape, start + hlen


def _map_npz(path: str | Path) -> dict[str, MappedArray]:
    """The arrays of an uncompressed .npz, memory-mapped read-only: nothing is read until used.

    np.load would read and CRC-check every array (≈0.3 s for a 100k-filing index); mapped, a
    query pages in only its terms' columns.  The file is opened once, so a concurrent
    os.replace cannot mix two versions.  Object (pickled) arrays are refused.
    """
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        infos = zipfile.ZipFile(f).infolist()
    view = memoryview(mm)
    arrays = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename}")
        head = info.header_offset
        if mm[head:head + 4] != b"PK\x03\x04":
            raise ValueError("bad local header")
        name_len, extra_len = struct.unpack("<HH", mm[head + 26:head + 30])
        start = head + 30 + name_len + extra_len
        descr, shape, header_len = _npy_header(mm[start:start + min(info.file_size, 1 << 16)])
        m = _DESCR.fullmatch(descr)
        itemsize = int(m.group(2)) * (4 if m.group(1) == "U" else 1)
        offset = start + header_len
        end = offset + math.prod(shape) * itemsize
        if end != start + info.file_size or end > len(mm):
            raise ValueError(f"{info.filename}: size mismatch")
        arrays[info.filename[:-4]] = MappedArray(view[offset:end], descr, shape)
    return arrays


def read_index_file(path: str | Path) -> tuple[dict, list, dict[str, MappedArray]]:
    """(meta, index names, arrays by member name) of a file written by `save_indexes`: of this
    format and this tokenizer; BadIndexFile otherwise.  The arrays are not checked here (see
    engine.index_query.load_indexes)."""
    try:
        arrays = _map_npz(path)
        meta_array = arrays["meta"]
        if meta_array.kind != "U" or meta_array.shape != ():
            raise ValueError("meta is not one string")
        meta = json.loads(meta_array.python()[0])
    except Exception as e:  # missing, empty, truncated, not a zip, bad JSON, pickled content …
        raise BadIndexFile(f"{path}: {type(e).__name__}: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise BadIndexFile(f"{path}: index format {meta.get('format') if isinstance(meta, dict) else '?'}")
    if meta.get("tokenizer") != fingerprint():
        raise BadIndexFile(f"{path}: built with another tokenizer")
    names = meta.get("indexes")
    if not isinstance(names, list):
        raise BadIndexFile(f"{path}: no index list")
    return meta, names, arrays
