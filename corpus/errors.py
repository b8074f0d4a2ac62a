"""Errors the corpus layer raises for bad input.  Messages are Chinese and name the file."""
from __future__ import annotations


class InputError(Exception):
    """A file could not be read as filings.  str(e) is one line for the officer."""

    def __init__(self, path: str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}：{problem}")
