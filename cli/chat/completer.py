"""Tab completion in the terminal: command words, categories after 跳到, and indicator names
after 加 (this project's candidates and the whole catalogue, matched fuzzily with rapidfuzz)."""
from __future__ import annotations

from prompt_toolkit.completion import Completer, Completion

from jixiao.corpus.categories import SHORT

from .commands import category_of, vocab

NAME_LIMIT = 15


def _words_of(cmd: str) -> list[str]:
    return vocab()["commands"][cmd]["words"]


class ChatCompleter(Completer):
    def __init__(self, session):
        self.session = session

    def get_completions(self, document, complete_event):
        if self.session.state.phase == "intake":
            return
        text = document.text_before_cursor.lstrip()
        head, sep, rest = text.partition(" ")
        if not sep:
            yield from self._commands(text)
            return
        low = head.lower()
        if low in (w.lower() for w in _words_of("add")):
            yield from self._names(rest)
        elif low in (w.lower() for w in _words_of("goto")):
            yield from self._categories(rest)

    def _commands(self, text: str):
        if not text:
            return
        low = text.lower()
        for cmd, spec in vocab()["commands"].items():
            for w in spec["words"]:
                if w.lower().startswith(low) and w.lower() != low:
                    yield Completion(w, start_position=-len(text), display_meta=spec["usage"])

    def _categories(self, text: str):
        for short in [*SHORT.values(), "总表"]:
            if short.startswith(text):
                yield Completion(short, start_position=-len(text))

    def _names(self, text: str):
        tokens = text.split()
        if len(tokens) == 2 and category_of(tokens[0]):     # 加 质量 热线…
            tokens = tokens[1:]
        if len(tokens) != 1 or text.endswith(" "):
            return
        frag = tokens[0]
        from rapidfuzz import fuzz, process

        entries = self.session.completion_entries()
        names = [n for n, _ in entries]
        meta = dict(entries)
        contained = [n for n in names if frag in n]
        fuzzy = [n for n, score, _ in process.extract(frag, names, scorer=fuzz.WRatio, limit=NAME_LIMIT)
                 if score >= 60 and n not in contained]
        for n in (contained + fuzzy)[:NAME_LIMIT]:
            yield Completion(n, start_position=-len(frag), display_meta=meta.get(n) or "指标库")
