"""The engine behind one chat session: the same calls `jixiao suggest` makes, plus what a
session needs on top (alternatives, values for added indicators, feedback).

The catalogue is opened once, when the project questions are answered.  `preload()` warms it
in a background thread meanwhile (first-use build of the default catalogue, index files, the
tokenizer), so the officer does not wait after the last question.
"""
from __future__ import annotations

import threading
from pathlib import Path

from jixiao.engine.draft import Draft, DraftIndicator, Project, SourceRef


class BackendError(Exception):
    """The catalogue cannot be used; str(e) is one Chinese line naming the file."""


def _identity(conn) -> str | None:
    """The catalogue's identity (meta catalogue_id), or None when it cannot be read."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'catalogue_id'").fetchone()
    return str(row[0]) if row else None


class Backend:
    def __init__(self, db_path: Path, profile: str = "default", use_feedback: bool = True):
        self.db_path = Path(db_path)
        self.profile = profile
        self.use_feedback = use_feedback
        self._model = None
        self._thread: threading.Thread | None = None
        self._preload_error: BaseException | None = None
        self._names: list[str] | None = None
        self._identity: str | None = None     # catalogue_id of the catalogue the model opened
        self.session_id = ""                  # the session file's name: feedback is recorded under it

    # -- the catalogue ---------------------------------------------------------------------
    def preload(self) -> None:
        """Build / check the catalogue and its indexes in the background (SQLite connections
        stay in their thread: this one opens and closes its own)."""
        def work():
            from jixiao.engine.model import EngineModel

            try:
                m = EngineModel.open(self.db_path)
                m.similar_filings("预热", 1)
                m.close()
            except BaseException as exc:  # reported when the model is really needed
                self._preload_error = exc

        self._thread = threading.Thread(target=work, name="jixiao-preload", daemon=True)
        self._thread.start()

    @property
    def model(self):
        if self._model is None:
            from jixiao.engine.model import EngineModel

            if self._thread is not None:
                self._thread.join()
                self._thread = None
            try:
                self._model = EngineModel.open(self.db_path)
                self._identity = _identity(self._model.cat.conn)
            except Exception as exc:  # unreadable catalogue: say which file, no traceback
                from jixiao.corpus.errors import InputError

                if isinstance(exc, InputError):
                    raise BackendError(str(exc)) from None
                raise BackendError(f"无法打开指标库 {self.db_path}：{exc}") from None
        return self._model

    def check_catalogue(self) -> None:
        """Raise BackendError when the catalogue this session drew on is gone or was replaced
        (deleted or moved while the session ran): recording into it would build a fresh one."""
        if self._identity is None:
            return
        from jixiao.catalogue.ready import connect_read_only

        if not self.db_path.is_file():
            raise BackendError(f"{self.db_path}：指标库在会话期间被删除或移走")
        try:
            conn = connect_read_only(self.db_path)
            try:
                now = _identity(conn)
            finally:
                conn.close()
        except Exception:
            now = None
        if now != self._identity:
            raise BackendError(f"{self.db_path}：指标库在会话期间被替换成了另一个文件")

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._model is not None:
            self._model.close()
            self._model = None

    # -- what a session asks ---------------------------------------------------------------
    def rank(self, project: Project):
        from jixiao.engine.suggest import rank

        return rank(self.model, project, profile=self.profile, use_feedback=self.use_feedback)

    def first_draft(self, ranking) -> Draft:
        """Exactly what `jixiao suggest` produces for the project (same engine calls)."""
        from jixiao.engine.suggest import build_draft

        draft = build_draft(ranking.project, ranking.chosen, self.profile)
        draft.similar = ranking.similar
        return draft

    def indicator(self, project: Project, candidate, level2: str | None = None) -> DraftIndicator:
        """A candidate as a draft line (value, basis, reasons by the rule layer)."""
        from jixiao.engine.suggest import to_indicator

        if level2 and level2 != candidate.level2:
            from dataclasses import replace

            candidate = replace(candidate, level2=level2)
        return to_indicator(project, candidate)

    def user_indicator(self, project: Project, level2: str, name: str) -> DraftIndicator:
        """An indicator the officer named that no candidate matches: rule layer only."""
        from jixiao.engine.candidate_key import CandidateKey, KeyKind
        from jixiao.engine.suggest import Candidate, to_indicator

        ind = to_indicator(project, Candidate(key=CandidateKey(KeyKind.OFFICER, name), level2=level2, name=name))
        return ind.model_copy(update={
            "status": "user", "score": 0.0,
            "sources": [SourceRef(kind="user", name="经办人添加", detail="经办人自己添加的指标")] + ind.sources,
        })

    def lint(self, draft: Draft):
        from jixiao.engine.lint import lint_draft

        return lint_draft(draft, self.profile)

    def catalogue_names(self) -> list[str]:
        """Every canonical indicator name in the catalogue (for completion)."""
        if self._names is None:
            _, names = self.model.cat.canonical_texts()
            self._names = sorted(set(n for n in names if n))
        return self._names

    def record_feedback(self, rows: list[tuple[str, str, str, str]]) -> None:
        """(name, level2, action, project) rows into the catalogue's feedback table."""
        if not rows or not self.use_feedback:
            return
        self.check_catalogue()
        from jixiao.catalogue.store import record_feedback

        record_feedback(self.db_path, rows, session=self.session_id)
