"""Oversized and decompression-bomb inputs, built in seconds and in little memory or disk.

    deflate_run(size, fill)        raw deflate data for `size` bytes of `fill`: one full-flushed
                                   1 MB block repeated (deflate's ~1000:1 ceiling), no GBs in memory
    raw_zip(path, members)         a zip written field by field, so a member may *claim* any sizes:
                                   members are (name, deflate bytes, crc, declared size) or
                                   (name, None, crc, declared size, stored length) for a stored
                                   member whose bytes are a sparse hole in the file
    swap_member(src, dst, name, member)   an Office file with one member replaced
    deflated(name, data)           an honest member
    sparse_file(path, size)        a file of `size` zero bytes that takes no disk
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MB = 1024 * 1024


def deflate_run(size: int, fill: bytes = b"\0") -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = fill * (MB // len(fill))
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    return block * (size // len(chunk)) + comp.compress(b"") + comp.flush()


def deflated(name: str, data: bytes) -> tuple:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (name, comp.compress(data) + comp.flush(), zlib.crc32(data), len(data))


def raw_zip(path: Path, members: list[tuple]) -> Path:
    central = []
    with open(path, "wb") as fh:
        for member in members:
            name, comp, crc, size = member[:4]
            method, length = (8, len(comp)) if comp is not None else (0, member[4])
            nb = name.encode()
            offset = fh.tell()
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, length, size, len(nb), 0))
            fh.write(nb)
            if comp is not None:
                fh.write(comp)
            else:
                fh.seek(length, 1)              # a hole: zeros that take no disk
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc,
                                       length, size, len(nb), 0, 0, 0, 0, 0, offset) + nb)
        start = fh.tell()
        for entry in central:
            fh.write(entry)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                             fh.tell() - start, start, 0))
    return path


def swap_member(src: Path, dst: Path, name: str, member: tuple) -> Path:
    with zipfile.ZipFile(src) as zf:
        keep = [deflated(i.filename, zf.read(i.filename)) for i in zf.infolist() if i.filename != name]
    return raw_zip(dst, keep + [member])


def sparse_file(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path
