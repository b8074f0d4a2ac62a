"""The built-in indicator library (行业指标库 and 通用 entries), read from the sector files.

Kept as the catalogue's entry point for the library table; the data and its checks live in
catalogue.sectors.
"""
from __future__ import annotations

from .sectors import library_rows, library_version

GENERIC_TYPE = "通用"

__all__ = ["GENERIC_TYPE", "library_rows", "library_version"]
