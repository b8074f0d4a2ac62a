"""The progress bar of a long command (batch): on stderr when it is a terminal, else nothing."""
from __future__ import annotations

import sys


class ProgressBar:
    """A rich progress bar on stderr when it is a terminal (one phase at a time: reading, then
    carrying); else nothing.  The progress object engine.batch.run_batch takes."""

    def __init__(self):
        self.bar = self.task = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.fields[phase]}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), TextColumn("{task.description}"),
                                console=Console(stderr=True), transient=True)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def phase(self, label: str, total: int) -> None:
        if self.bar:
            if self.task is not None:
                self.bar.remove_task(self.task)
            self.task = self.bar.add_task("", total=total, phase=label)

    def advance(self, name: str) -> None:
        if self.bar and self.task is not None:
            self.bar.update(self.task, advance=1, description=str(name)[:24])

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def pause(self) -> None:
        """Stop the bar's refresh thread (worker processes are forked from a single thread)."""
        if self.bar:
            self.bar.stop()

    def resume(self) -> None:
        if self.bar:
            self.bar.start()
