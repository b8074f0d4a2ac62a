"""The progress bar paused while the batch's worker processes are forked (its refresh thread
stopped, so forking is safe)."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def paused(progress):
    progress.pause()
    try:
        yield
    finally:
        progress.resume()
