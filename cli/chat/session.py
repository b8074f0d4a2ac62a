"""The chat session: a state machine over a Draft, independent of terminal or pipe.

    intake  ──▶  review (one step per category of the profile)  ──▶  done (the whole table)
    name, description (ends at an empty line), budget, year, department

`handle(line)` takes one line the officer typed and returns the text to show; the state is
saved to the session file after every line that changed it.  In a step, numbers refer to the
lines shown for that category (table lines first, then candidates); in the whole table they
are the table's own numbering.  Numbers alone select: the category keeps exactly the lines
named (candidates named are added).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from jixiao.corpus.categories import LEVEL2_CANON
from jixiao.corpus.textkeys import bare_name
from jixiao.engine.candidate_key import CandidateKey
from jixiao.engine.draft import DraftIndicator, SourceRef

from . import store, view
from .backend import Backend
from .commands import Action, category_of, parse, vocab
from .feedback import unrecorded
from .intake import FIELDS, QUESTIONS, AnswerError, read_budget, read_department, read_name, read_year
from .store import SessionState, Suggested

CANDIDATES_SHOWN = 5
UNDO_DEPTH = 50
EXPORT_FORMATS = {".xlsx": "xlsx", ".docx": "docx", ".md": "md", ".json": "json"}
OFFICER_EDIT = "经办人修改"


@dataclass
class Item:
    """One numbered line on screen: a table line (index into the draft) or a candidate."""
    num: int
    ind: DraftIndicator
    index: int | None = None       # position in draft.indicators when in the table
    cand: object = None            # engine Candidate when not in the table


def _words(key: str) -> set[str]:
    return {w.lower() for w in vocab()["commands"][key]["words"]}


class Session:
    def __init__(self, state: SessionState, path: Path, backend: Backend,
                 default_department: str | None = None):
        from jixiao.engine.profiles import profile

        self.state = state
        self.path = Path(path)
        self.backend = backend
        self.default_department = default_department
        prof = profile(state.profile)
        self.steps = [l2 for l2 in LEVEL2_CANON if l2 in prof["required"] or l2 in prof["optional"]]
        self.required = set(prof["required"])
        self.ranking = None
        self.closed = False
        self._undo: list[str] = []
        self._cand_cache: dict[CandidateKey, DraftIndicator] = {}
        self._saved: str | None = None
        self.save_problem: str | None = None   # why the last save failed, None when saving works
        self.saved_instead: Path | None = None  # where the last failed save went instead
        self._notices: list[str] = []          # what the officer must hear about saving
        self._awaiting: tuple[str, str] | None = None   # (name key, default) of a line added without a value

    @classmethod
    def new(cls, path: Path, backend: Backend, default_department: str | None = None) -> "Session":
        state = SessionState(created=datetime.datetime.now().isoformat(timespec="seconds"),
                             db=str(backend.db_path), profile=backend.profile,
                             use_feedback=backend.use_feedback)
        return cls(state, path, backend, default_department)

    # ---------------------------------------------------------------------------- lifecycle
    def start(self, resumed: bool = False) -> list[str]:
        where = (f"会话 {self.path.stem}，保存在 {self.path}（每次修改后自动保存；"
                 f"中断后用 jixiao chat --resume {self.path.stem} 继续）")
        if self.state.phase == "intake":
            head = "继续上次的会话。" if resumed else "jixiao chat：我们一起填写项目支出绩效目标表。"
            out = [f"{head}\n{where}"]
            hint = self._question_hint()
            if hint:
                out.append(hint)
            return out
        self._ensure_ranked()
        p = self.state.draft.project
        at = "总表" if self.state.phase == "done" else self.steps[self.state.step]
        return [f"继续上次的会话：{p.name}（停在：{at}）。\n{where}", self._view()]

    def leave(self) -> list[str]:
        """Record the feedback not yet recorded, save, and close."""
        out = []
        rows = unrecorded(self.state) if self.backend.use_feedback else []
        if rows:
            try:
                self.backend.record_feedback(rows)
                self.state.recorded.extend((r[0], r[2]) for r in rows)
                out.append(f"已把本次的 {len(rows)} 条取舍记入指标库，以后的推荐会参考。")
            except Exception as exc:  # the draft is safe in the session file either way
                out.append(f"未能把取舍记入指标库（{exc}）。")
        self._save()
        self.closed = True
        out.extend(self._take_notices())
        if self.save_problem is None:
            out.append(f"会话已保存：{self.path}\n以后用 jixiao chat --resume {self.path.stem} 继续"
                       "（jixiao chat --list 列出全部会话）。")
        elif self.saved_instead is not None:
            out.append(f"会话未能保存到 {self.path}，已保存在 {self.saved_instead}\n"
                       f"以后用 jixiao chat --resume {self.saved_instead} 继续。")
        else:
            out.append(f"会话未能保存（{self.save_problem}）：本次的草稿没有保存下来。")
        return out

    # ---------------------------------------------------------------------------- prompts
    def prompt(self) -> tuple[str, str | None]:
        """(label, default shown) for the next answer."""
        st = self.state
        if st.phase == "intake":
            field = FIELDS[st.field]
            if field == "description":
                return ("项目描述" if not st.desc_lines else "……", None)
            if field == "budget":
                return (QUESTIONS[field].label, "不填")
            if field == "year":
                return (QUESTIONS[field].label, str(self._default_year()))
            if field == "department":
                return (QUESTIONS[field].label, self.default_department or "不填")
            return (QUESTIONS[field].label, None)
        if st.phase == "review":
            return (f"{view.short(self.steps[st.step])} {st.step + 1}/{len(self.steps)}", "下一步")
        return ("总表", None)

    def prompt_text(self) -> str:
        label, default = self.prompt()
        if self.state.phase == "intake":
            return f"{label}［{default}］：" if default else f"{label}："
        return f"[{label}] › "

    def status(self) -> dict:
        """What the toolbar shows: where the officer is and which categories are still empty."""
        st = self.state
        if st.phase == "intake":
            where = f"项目信息 {st.field + 1}/{len(FIELDS)}：{QUESTIONS[FIELDS[st.field]].label}"
            return {"where": where, "empty": [], "path": str(self.path)}
        present = {i.level2 for i in st.draft.indicators if i.name}
        empty = [view.short(l2) + ("*" if l2 in self.required else "") for l2 in self.steps if l2 not in present]
        where = (f"第 {st.step + 1}/{len(self.steps)} 步：{view.short(self.steps[st.step])}"
                 if st.phase == "review" else "总表")
        return {"where": where, "empty": empty, "path": str(self.path)}

    def completion_entries(self) -> list[tuple[str, str]]:
        """(name, note) to complete after 加: this project's candidates first, then the catalogue."""
        if self.ranking is None:
            return []
        seen, out = set(), []
        for l2, cands in self.ranking.by_level2.items():
            for c in cands:
                if c.name not in seen:
                    seen.add(c.name)
                    out.append((c.name, f"候选 · {view.short(l2)}"))
        for n in self.backend.catalogue_names():
            if n not in seen:
                seen.add(n)
                out.append((n, "指标库"))
        return out

    # ---------------------------------------------------------------------------- input
    def handle(self, line: str) -> list[str]:
        if self.closed:
            return []
        if self.state.phase == "intake":
            out = self._intake(line)
        else:
            out = self._answer_value(line) if self._awaiting else None
            if out is None:
                act = parse(line)
                out = getattr(self, f"_do_{act.kind}")(act)
        if not self.closed:
            self._save()
        return [o for o in [*out, *self._take_notices()] if o]

    # ---------------------------------------------------------------------------- intake
    def _default_year(self) -> int:
        from jixiao.engine.new_project import default_year

        return default_year()

    def _question_hint(self) -> str:
        q = QUESTIONS[FIELDS[self.state.field]]
        return q.hint and f"（{q.hint}）"

    def _intake(self, line: str) -> list[str]:
        st = self.state
        word = line.strip().lower()
        if word in _words("quit"):
            return self.leave()
        if word in _words("help"):
            return ["先回答几个关于项目的问题；直接回车取方括号里的默认值；上一步 回到上一个问题；退出 保存并离开。"]
        if word in _words("back"):
            if st.field == 0 and not st.desc_lines:
                return ["这已经是第一个问题。"]
            if FIELDS[st.field] == "description" and st.desc_lines:
                st.desc_lines = []
            else:
                st.field -= 1
                st.answers.pop(FIELDS[st.field], None)
                if FIELDS[st.field] == "description":
                    st.desc_lines = []
            return [self._question_hint()]
        field = FIELDS[st.field]
        if field == "description":
            if line.strip():
                st.desc_lines.append(line.rstrip("\r\n"))
                return []
            st.answers["description"] = "\n".join(st.desc_lines).strip()
        else:
            try:
                if field == "name":
                    st.answers["name"] = read_name(line)
                elif field == "budget":
                    st.answers["budget"] = read_budget(line)
                elif field == "year":
                    st.answers["year"] = read_year(line) if line.strip() else self._default_year()
                elif field == "department":
                    st.answers["department"] = (read_department(line) if line.strip()
                                                else self.default_department)
            except AnswerError as exc:
                return [str(exc)]
        st.field += 1
        if st.field < len(FIELDS):
            return [self._question_hint()]
        st.field = len(FIELDS) - 1
        self._save()                  # the answers are safe even if the catalogue fails to open
        return self._begin_review()

    def _begin_review(self) -> list[str]:
        from jixiao.engine.new_project import make_project

        a = self.state.answers
        project = make_project(a["name"], a.get("description", ""), a.get("budget"), a.get("year"),
                               a.get("department"))
        self.ranking = self.backend.rank(project)
        draft = self.backend.first_draft(self.ranking)
        st = self.state
        st.draft = draft
        st.origins = [i.name for i in draft.indicators]
        st.suggested = [Suggested(level2=i.level2, name=i.name, value=i.value, basis=i.basis)
                        for i in draft.indicators]
        st.phase, st.step = "review", 0
        return [view.intro(draft, len(self.steps), sum(1 for s in self.steps if s in self.required)),
                self._view()]

    # ---------------------------------------------------------------------------- state helpers
    def _ensure_ranked(self) -> None:
        if self.ranking is None and self.state.draft is not None:
            self.ranking = self.backend.rank(self.state.draft.project)

    def _save(self) -> None:
        """Save after every change.  A save that fails (disk full, a folder that cannot be
        written) never ends the session: the session is saved in the system's temporary folder
        instead when it can be, the officer is told once (and again when saving works again),
        and the draft can still be exported."""
        data = self.state.model_dump_json()
        if data == self._saved:
            return
        try:
            store.save(self.path, self.state)
        except (OSError, ValueError) as exc:
            self._save_failed(exc)
        else:
            if self.save_problem is not None:
                self.save_problem = None
                self._notices.append(f"会话又能正常保存了：{self.path}")
        self._saved = data

    def _save_failed(self, exc: Exception) -> None:
        reason = getattr(exc, "strerror", None) or str(exc)
        fallback = store.fallback_path(self.path)
        try:
            store.save(fallback, self.state)
        except (OSError, ValueError):
            fallback = None
        self.saved_instead = fallback
        first = self.save_problem is None
        self.save_problem = f"{self.path}：{reason}"
        if not first:
            return
        if fallback is not None:
            self._notices.append(f"注意：会话无法保存到 {self.path}（{reason}），改为保存在 {fallback}"
                                 f"（可用 jixiao chat --resume {fallback} 继续）。")
        else:
            self._notices.append(f"注意：会话无法保存（{self.path}：{reason}）；对话照常继续，但中断后无法恢复。"
                                 "需要保留草稿时请用 导出 文件名.xlsx。")

    def _take_notices(self) -> list[str]:
        out, self._notices = self._notices, []
        return out

    def _checkpoint(self) -> None:
        self._undo.append(self.state.model_dump_json())
        del self._undo[:-UNDO_DEPTH]

    def _set_rows(self, rows: list[tuple[DraftIndicator, str]]) -> None:
        """Replace the table (lines with their origins), kept in form order, lint re-run."""
        order = {l2: i for i, l2 in enumerate(LEVEL2_CANON)}
        rows = sorted(rows, key=lambda r: order[r[0].level2])
        st = self.state
        st.draft.indicators = [r[0] for r in rows]
        st.origins = [r[1] for r in rows]
        st.draft.lint = self.backend.lint(st.draft)

    def _rows(self) -> list[tuple[DraftIndicator, str]]:
        return list(zip(self.state.draft.indicators, self.state.origins))

    def _touch(self, *level2s: str) -> None:
        for l2 in level2s:
            if l2 not in self.state.reviewed:
                self.state.reviewed.append(l2)

    def _current(self) -> str | None:
        return self.steps[self.state.step] if self.state.phase == "review" else None

    def _cand_indicator(self, cand) -> DraftIndicator:
        ind = self._cand_cache.get(cand.key)
        if ind is None:
            ind = self._cand_cache[cand.key] = self.backend.indicator(self.state.draft.project, cand)
        return ind

    def _alternatives(self, level2: str, skip_passed: bool = False) -> list:
        self._ensure_ranked()
        taken = [i.name for i in self.state.draft.indicators]
        if skip_passed:
            taken += self.state.passed.get(level2, [])
        return self.ranking.alternatives(level2, taken)

    def _items(self) -> list[Item]:
        """The numbered lines of the current view."""
        draft = self.state.draft
        l2 = self._current()
        if l2 is None:
            items, n = [], 0
            for _, rows in draft.by_category():
                for i, ind in rows:
                    n += 1
                    items.append(Item(n, ind, index=i))
            return items
        items = [Item(n + 1, ind, index=i) for n, (i, ind) in enumerate(
            (i, ind) for i, ind in enumerate(draft.indicators) if ind.level2 == l2)]
        for c in self._alternatives(l2)[:CANDIDATES_SHOWN]:
            items.append(Item(len(items) + 1, self._cand_indicator(c), cand=c))
        return items

    def _view(self) -> str:
        st = self.state
        if st.phase == "done":
            return view.table(st.draft) + "\n 导出 文件名.xlsx 保存表格；跳到 类别 修改；退出 结束。"
        l2 = self.steps[st.step]
        items = self._items()
        rows = [(it.num, it.ind) for it in items if it.index is not None]
        cands = [(it.num, it.ind) for it in items if it.index is None]
        num_of = {it.index: it.num for it in items if it.index is not None}
        findings = [(num_of[f.indicator], f) for f in st.draft.lint if f.indicator in num_of]
        return view.step(st.step + 1, len(self.steps), l2, l2 in self.required, rows, cands, findings)

    # ---------------------------------------------------------------------------- references
    def _resolve(self, ref, items: list[Item], rows_only: bool) -> tuple[Item | None, str | None]:
        """A number or a name fragment → one line, or a message saying why not."""
        if isinstance(ref, int):
            for it in items:
                if it.num == ref:
                    if rows_only and it.index is None:
                        return None, f"第{ref}条是候选，还不在表中（输入编号 {ref} 可以选用它）。"
                    return it, None
            rows = sum(1 for it in items if it.index is not None)
            span = f"1–{len(items)}" if items else "无"
            return None, f"没有第{ref}条（现在的编号：{span}，其中表中 {rows} 条）。"
        frag = ref.lower()
        in_view = [it for it in items if it.index is not None and frag in it.ind.name.lower()]
        pools = [in_view]
        everywhere = [Item(0, ind, index=i) for i, ind in enumerate(self.state.draft.indicators)
                      if frag in ind.name.lower()]
        pools.append(everywhere)
        l2 = category_of(ref)
        if l2:
            pools.append([Item(0, ind, index=i) for i, ind in enumerate(self.state.draft.indicators)
                          if ind.level2 == l2])
        if not rows_only:
            pools.append([it for it in items if it.index is None and frag in it.ind.name.lower()])
        for pool in pools:
            if len(pool) == 1:
                return pool[0], None
            if len(pool) > 1:
                names = "、".join(f"「{it.ind.name}」" for it in pool[:5])
                return None, f"“{ref}”指的不止一条：{names}；请用编号。"
        return None, f"表中没有找到“{ref}”。"

    def _label(self, it: Item) -> str:
        return f"第{it.num}条「{it.ind.name}」" if it.num else f"「{it.ind.name}」"

    # ---------------------------------------------------------------------------- commands
    def _do_empty(self, act: Action) -> list[str]:
        return self._do_next(act)

    def _do_next(self, act: Action) -> list[str]:
        st = self.state
        if st.phase == "done":
            return ["表已完成：导出 文件名.xlsx 保存表格；跳到 类别 修改；退出 结束。"]
        self._touch(self.steps[st.step])
        if st.step + 1 < len(self.steps):
            st.step += 1
            return [self._view()]
        return self._finish()

    def _finish(self) -> list[str]:
        self.state.phase = "done"
        self._touch(*self.steps)
        return ["全部类别已确认。", self._view()]

    def _do_back(self, act: Action) -> list[str]:
        st = self.state
        if st.phase == "done":
            st.phase, st.step = "review", len(self.steps) - 1
            return [self._view()]
        if st.step == 0:
            return ["这已经是第一类。"]
        st.step -= 1
        return [self._view()]

    def _do_goto(self, act: Action) -> list[str]:
        target = act.text.strip()
        if not target:
            return ["要跳到哪一类？例如：跳到 质量；跳到 总表。"]
        if target.lower() in {w.lower() for w in vocab()["finish_words"]}:
            return self._finish()
        step = None
        if target.isdigit() and 1 <= int(target) <= len(self.steps):
            step = int(target) - 1
        else:
            l2 = category_of(target)
            if l2 in self.steps:
                step = self.steps.index(l2)
        if step is None:
            names = "、".join(view.short(s) for s in self.steps)
            return [f"没有这一类：“{target}”。可以跳到：{names}、总表，或步骤号 1–{len(self.steps)}。"]
        self.state.phase, self.state.step = "review", step
        return [self._view()]

    def _do_select(self, act: Action) -> list[str]:
        l2 = self._current()
        if l2 is None:
            return ["在总表中请用 删 N、改 N 值、换 N、为什么 N，或 跳到 类别 逐类修改。"]
        items = self._items()
        by_num = {it.num: it for it in items}
        bad = [n for n in act.refs if n not in by_num]
        if bad:
            return [f"没有第{bad[0]}条（现在的编号：1–{len(items)}）。"]
        chosen = list(dict.fromkeys(act.refs))
        self._checkpoint()
        keep_idx = {by_num[n].index for n in chosen if by_num[n].index is not None}
        rows, dropped = [], []
        for i, (ind, origin) in enumerate(self._rows()):
            if ind.level2 == l2 and i not in keep_idx:
                dropped.append(ind.name)
                continue
            rows.append((ind, origin))
        added = [by_num[n].ind for n in chosen if by_num[n].index is None]
        rows.extend((ind, "") for ind in added)
        self.state.passed.setdefault(l2, []).extend(dropped)
        self._set_rows(rows)
        self._touch(l2)
        said = [f"本类保留 {len(chosen)} 条"]
        if added:
            said.append("加入 " + "、".join(f"「{i.name}」" for i in added))
        if dropped:
            said.append("去掉 " + "、".join(f"「{n}」" for n in dropped))
        return ["；".join(said) + "。", self._view()]

    def _do_remove(self, act: Action) -> list[str]:
        if not act.refs:
            return ["要删哪一条？例如：删 2。"]
        items = self._items()
        targets = []
        for ref in act.refs:
            it, msg = self._resolve(ref, items, rows_only=True)
            if msg:
                return [msg]
            if it.index not in (t.index for t in targets):
                targets.append(it)
        self._checkpoint()
        gone = {t.index for t in targets}
        for t in targets:
            self.state.passed.setdefault(t.ind.level2, []).append(t.ind.name)
        self._set_rows([r for i, r in enumerate(self._rows()) if i not in gone])
        self._touch(*(t.ind.level2 for t in targets))
        return ["已删除：" + "、".join(self._label(t) for t in targets) + "。", self._view()]

    def _new_value(self, old: DraftIndicator, text: str) -> str:
        """A bare number keeps the sign and unit of the old value (改 3 98 on ≥95% → ≥98%)."""
        from jixiao.corpus.values import format_value

        if re.fullmatch(r"\d+(\.\d+)?", text) and old.parsed.kind == "number" and (old.parsed.op or old.parsed.unit):
            return format_value(old.parsed.op, float(text), old.parsed.unit)
        return text

    def _do_edit(self, act: Action) -> list[str]:
        if not act.refs:
            return ["要改哪一条？例如：改 3 ≥98%；改 3 名称 新名字。"]
        if not act.text:
            what = {"value": "指标值", "name": "名称", "basis": "绩效标准"}[act.field]
            return [f"请写出新的{what}，例如：改 3 ≥98%；改 3 名称 新名字；改 3 标准 按照上年。"]
        items = self._items()
        it, msg = self._resolve(act.refs[0], items, rows_only=False)
        if msg and act.field == "value" and isinstance(act.refs[0], str):
            l2 = category_of(act.refs[0])
            if l2 and sum(1 for i in self.state.draft.indicators if i.level2 == l2) > 1:
                return self._edit_category(l2, act.text)   # 满意度改成≥97%: every satisfaction line
        if msg:
            return [msg]
        from jixiao.corpus.values import parse_value

        old = it.ind
        rows = self._rows()
        if act.field == "name":
            clash = [r for i, r in enumerate(rows) if i != it.index and bare_name(r[0].name) == bare_name(act.text)]
            if clash:
                return [f"表中已有「{clash[0][0].name}」，不能重名。"]
            update = {"name": act.text}
            note = f"名称「{old.name}」→「{act.text}」"
        elif act.field == "basis":
            update = {"basis": act.text}
            note = f"绩效标准「{old.basis or '—'}」→「{act.text}」"
        else:
            value = self._new_value(old, act.text)
            update = {"value": value, "parsed": parse_value(value), "needs_input": False}
            note = f"指标值「{old.value or '待填写'}」→「{value}」"
        new = self._officer_edit(old, update, note)
        if act.field != "basis" and new.basis != old.basis:
            note += f"，绩效标准「{old.basis or '—'}」→「{new.basis}」"
        self._checkpoint()
        if it.index is None:
            rows.append((new, ""))
            said = f"已选用候选并修改：{self._label(it)} {note}。"
        else:
            rows[it.index] = (new, rows[it.index][1])
            said = f"{self._label(it)} {note}。"
        self._set_rows(rows)
        self._touch(new.level2)
        return [said, self._view()]

    def _officer_basis(self, ind: DraftIndicator) -> str:
        """The 绩效标准 an officer's edit leaves: one the officer set on this line before, else
        the officer's default (data/commands.json officer_basis: 计划标准)."""
        if any(r.startswith(f"{OFFICER_EDIT}：绩效标准") for r in ind.rules) and ind.basis:
            return ind.basis
        return vocab()["officer_basis"]

    def _officer_edit(self, old: DraftIndicator, update: dict, note: str) -> DraftIndicator:
        """`old` changed by the officer: the update, 绩效标准 the officer's (default 计划标准),
        status user, provenance 经办人修改 first among the sources, the change in the rules."""
        basis = update.get("basis") or self._officer_basis(old)
        mine = SourceRef(kind="user", name=OFFICER_EDIT, detail=note)
        sources = [mine, *(s for s in old.sources if not (s.kind == "user" and s.name == OFFICER_EDIT))]
        return old.model_copy(update={**update, "basis": basis, "status": "user", "sources": sources,
                                      "rules": [*old.rules, f"{OFFICER_EDIT}：{note}"]})

    def _edit_category(self, level2: str, text: str) -> list[str]:
        """A new value for every line of a category named by its name (满意度改成≥97%)."""
        from jixiao.corpus.values import parse_value

        rows = self._rows()
        changed = []
        for i, (ind, extra) in enumerate(rows):
            if ind.level2 != level2:
                continue
            value = self._new_value(ind, text)
            note = f"指标值「{ind.value or '待填写'}」→「{value}」"
            rows[i] = (self._officer_edit(ind, {"value": value, "parsed": parse_value(value), "needs_input": False},
                                          note), extra)
            changed.append(f"「{ind.name}」{note}")
        self._checkpoint()
        self._set_rows(rows)
        self._touch(level2)
        return [f"{level2}的 {len(changed)} 条都已修改：" + "；".join(changed) + "。", self._view()]

    def _do_add(self, act: Action) -> list[str]:
        name = act.text.strip()
        if not name:
            return ["要加什么指标？例如：加 热线接通率 ≥95%。"]
        self._ensure_ranked()
        key = bare_name(name)
        pool = [c for cs in self.ranking.by_level2.values() for c in cs]
        exact = next((c for c in pool if bare_name(c.name) == key), None)
        level2 = act.category or self._current() or (exact.level2 if exact else None)
        if level2 is None:
            return [f"“{name}”加到哪一类？例如：加 质量 {name} {act.value or '≥95%'}；或先 跳到 某一类。"]
        for i, ind in enumerate(self.state.draft.indicators):
            if bare_name(ind.name) == key:
                return [f"表中已有「{ind.name}」（{ind.level2}），没有重复添加。"]
        from jixiao.corpus.models import ParsedValue
        from jixiao.corpus.values import parse_value

        project = self.state.draft.project
        if exact is not None:
            ind = self.backend.indicator(project, exact, level2)
            ind = ind.model_copy(update={"name": name, "status": "user"})
        else:
            ind = self.backend.user_indicator(project, level2, name)
        officer = vocab()["officer_basis"]
        default = ""
        if act.value:
            ind = ind.model_copy(update={"value": act.value, "parsed": parse_value(act.value), "needs_input": False,
                                         "basis": officer,
                                         "rules": [*ind.rules, f"经办人填写：指标值「{act.value}」"]})
        else:
            # no value given: none is put in the officer's mouth — the line waits for one, and
            # a value the rules would give is only offered as the answer to Enter
            default = "" if ind.needs_input else (ind.value or "")
            ind = ind.model_copy(update={"value": "", "parsed": ParsedValue(kind="empty"), "needs_input": True,
                                         "basis": ind.basis or officer})
        self._checkpoint()
        self._set_rows([*self._rows(), (ind, "")])
        self._touch(level2)
        said = [f"已加入{level2}：「{ind.name}」{ind.value or '（指标值待填写）'}。"]
        if exact is None:
            close = [c.name for c in self.ranking.find(name, 3) if bare_name(c.name) != key]
            if close:
                said.append("指标库中相近的名称：" + "、".join(f"「{n}」" for n in close) + "（可用 改 N 名称 … 换成规范名称）")
        if act.value:
            return [" ".join(said), self._view()]
        self._awaiting = (key, default)
        enter = f"回车用「{default}」" if default else "回车留待填写"
        said.append(f"\n「{ind.name}」的指标值是多少？直接输入（如 {vocab()['value_examples']}）；{enter}。")
        return [" ".join(said), self._view()]

    def _answer_value(self, line: str) -> list[str] | None:
        """The answer to 加 without a value: a value (or Enter) fills the line just added; any
        other command is handled as usual and the line stays 待填写.  None: not an answer."""
        from jixiao.corpus.values import parse_value

        from .commands import looks_like_value, normalise_value

        key, default = self._awaiting
        self._awaiting = None
        text = normalise_value(line)
        if text and not looks_like_value(text):
            return None
        rows = self._rows()
        at = next((i for i, (ind, _) in enumerate(rows) if bare_name(ind.name) == key and ind.needs_input), None)
        if at is None:
            return None
        ind = rows[at][0]
        value = text or default
        if not value:
            return [f"「{ind.name}」的指标值留待填写；以后可用 改 N 值 填写。", self._view()]
        self._checkpoint()
        update = {"value": value, "parsed": parse_value(value), "needs_input": False}
        basis = (ind.basis or vocab()["officer_basis"]) if not text else vocab()["officer_basis"]
        new = ind.model_copy(update={**update, "basis": basis,
                                     "rules": [*ind.rules, f"经办人填写：指标值「{value}」"]})
        rows[at] = (new, rows[at][1])
        self._set_rows(rows)
        return [f"「{ind.name}」指标值：{value}。", self._view()]

    def _do_swap(self, act: Action) -> list[str]:
        if not act.refs:
            return ["要换哪一条？例如：换 1。"]
        items = self._items()
        it, msg = self._resolve(act.refs[0], items, rows_only=True)
        if msg:
            return [msg]
        l2 = it.ind.level2
        alts = self._alternatives(l2, skip_passed=True)
        if not alts:
            return [f"{l2}没有更多候选了；可以 加 名称 值 自己添加。"]
        new = self._cand_indicator(alts[0])
        self._checkpoint()
        self.state.passed.setdefault(l2, []).append(it.ind.name)
        rows = self._rows()
        rows[it.index] = (new, "")
        self._set_rows(rows)
        self._touch(l2)
        return [f"{self._label(it)} 换成「{new.name}」{new.value or '（待填写）'}。", self._view()]

    def _do_why(self, act: Action) -> list[str]:
        if not act.refs:
            return ["想看哪一条的依据？例如：为什么 2。"]
        items = self._items()
        it, msg = self._resolve(act.refs[0], items, rows_only=False)
        if msg:
            return [msg]
        findings = [f for f in self.state.draft.lint if it.index is not None and f.indicator == it.index]
        return [view.why(it.num, it.ind, findings, in_table=it.index is not None)]

    def _do_table(self, act: Action) -> list[str]:
        return [view.table(self.state.draft)]

    def _do_export(self, act: Action) -> list[str]:
        import os

        if not act.text:
            return ["请写出文件名，例如：导出 绩效目标表.xlsx（也可以 .docx、.md、.json）。"]
        path = Path(os.path.expanduser(act.text))
        fmt = EXPORT_FORMATS.get(path.suffix.lower())
        if fmt is None:
            return [f"不能导出为“{path.name}”：请用 .xlsx、.docx、.md 或 .json 结尾的文件名。"]
        from jixiao.engine.writers import OutputError, write

        try:
            write(self.state.draft, path, fmt)
        except OutputError as exc:
            return [f"导出失败：{exc}"]
        except OSError as exc:
            return [f"导出失败：{path}：{exc.strerror or exc}"]
        return [f"已导出到 {path.resolve()}"]

    def _do_undo(self, act: Action) -> list[str]:
        if not self._undo:
            return ["没有可以撤销的修改。"]
        recorded = self.state.recorded
        self.state = SessionState.model_validate_json(self._undo.pop())
        self.state.recorded = recorded     # what reached the catalogue stays recorded
        return ["已撤销上一次修改。", self._view()]

    def _do_help(self, act: Action) -> list[str]:
        return [view.help_text()]

    def _do_quit(self, act: Action) -> list[str]:
        return self.leave()

    def _do_unknown(self, act: Action) -> list[str]:
        return [f"没听懂“{act.text}”。输入 帮助 查看命令；直接回车接受本类。"]
