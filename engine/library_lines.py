"""Sector library lines for a project (engine.suggest step 3): the entries of its sectors and the
通用 ones that apply (their required words in the project text), named in the project's own words
— the beneficiary for {对象}, the payee for {补助对象}, the project's payment word — and scored
by the sector's rank and the entry's place among those that apply (data/rules.json `ranking`).
"""
from __future__ import annotations

import json
import re

from jixiao.corpus.categories import L2
from jixiao.corpus.textkeys import bare_name

from jixiao.catalogue.records import LibraryEntry

from .candidate_key import CandidateKey, KeyKind
from .candidates import OBJECT_SLOT, SUBSIDISED_SLOT, Candidate, counts_beneficiaries
from .draft import Project
from .profiles import rules_data
from .reading import Reading, fold

def beneficiary_word(project: Project, reading: Reading, sector_beneficiaries: dict) -> str:
    """Who {对象}满意度 names: the beneficiary the description names, else (with `unnamed`
    "sector") the primary sector's first beneficiary, else the `unnamed` word (服务对象)."""
    if reading.beneficiaries:
        return reading.beneficiaries[0]
    unnamed = rules_data()["satisfaction"]["unnamed"]
    if unnamed == "sector":
        for s in project.sectors:
            if sector_beneficiaries.get(s):
                return sector_beneficiaries[s][0]
        return "服务对象"
    return unnamed


def _payment_word(text: str) -> str | None:
    """The word the project uses for its payments (补贴, 补助 …), first in the text."""
    words = rules_data()["payment_words"]["words"]
    found = [(text.find(w), w) for w in words if w in text]
    return min(found)[1] if found else None


def _own_wording(name: str, text: str, word: str | None) -> str:
    """A library name in the project's own payment word (补助 → 补贴 on a 补贴 project): `text`
    is where the project said its word (its name, else its name and description)."""
    if not word:
        return name
    for w in rules_data()["payment_words"]["words"]:
        if w != word and w in name and w not in text:
            return name.replace(w, word)
    return name


def _requires_met(entry: LibraryEntry, text: str) -> tuple[bool, bool]:
    """(applies, specialised): an entry applies when the project text holds one of its words."""
    req = entry.requires or "[]"
    words = json.loads(req) if isinstance(req, str) else list(req)
    if not words:
        return True, False
    return any(fold(w) in text for w in words), True


def _overlap(name: str, text: str) -> float:
    """Share of a name's two-character pieces found in the project text (0..1)."""
    key = bare_name(name.replace(OBJECT_SLOT, ""))
    pieces = {key[i:i + 2] for i in range(len(key) - 1)}
    if not pieces:
        return 0.0
    return sum(1 for p in pieces if p in text) / len(pieces)


_SATISFIED = re.compile(r"(满意度|满意率|满意)$")
_MEASURE_TAIL = re.compile(r"(数量|覆盖率)$")


def _names_foreign_beneficiary(name: str, text: str, native: set[str]) -> bool:
    """A satisfaction entry naming someone the project does not serve (受助学生满意度 on a
    救助 project for adults): not generic, not among the sector's own, not in the text."""
    who = _SATISFIED.sub("", name.replace(OBJECT_SLOT, ""))
    who = re.sub(r"^.*对(?!象)|的$", "", who)     # 师生对实验室改造满意度 asks 师生; 服务对象 is a word
    cfg = rules_data()["satisfaction"]
    if not who or who in cfg["generic"] or who in native or OBJECT_SLOT in name:
        return False
    return _overlap(who, text) < cfg["named_share"]


def add_library_lines(model, project: Project, cands: dict, text: str, who: str, who_described: bool,
             subsidised: str = "") -> None:
    from jixiao.catalogue.tags import fallback_tag

    w = rules_data()["ranking"]
    sat = rules_data()["satisfaction"]
    fallback = fallback_tag()
    ranks = {s: i for i, s in enumerate(project.sectors) if s != fallback}
    primary = next((s for s in project.sectors if s != fallback), None)
    entries = model.library_entries(project.sectors)
    native = set(model.sector_beneficiaries().get(primary, ())[:sat["sector_top"]])
    if any(e.type == primary and e.level2 == L2.SATISFACTION and _requires_met(e, text) == (True, True)
           for e in entries):
        native = set()          # the project names whom it serves (扶助对象): not the sector's usual 患者
    position: dict[tuple[str, str], int] = {}
    named: list[Candidate] = []
    # the payment word of the project's name wins (支持…减免房租补贴 whose description says 补助)
    own_name = fold(project.name)
    word, said_in = _payment_word(own_name), own_name
    if word is None:
        word, said_in = _payment_word(text), text
    for entry in entries:
        sector = entry.type
        applies, specialised = _requires_met(entry, text)
        if not applies or (SUBSIDISED_SLOT in entry.name and not subsidised):
            continue
        if entry.level2 == L2.SATISFACTION and not specialised \
                and _names_foreign_beneficiary(entry.name, text, native):
            continue
        # place among the entries that apply: one that does not apply pushes none down
        slot = (sector, entry.level2)
        n = position.get(slot, 0)
        position[slot] = n + 1
        if sector == fallback:
            base = w["generic"]
        else:
            rank_of = ranks.get(sector, len(w["sector_rank"]) - 1)
            base = w["sector_rank"][min(rank_of, len(w["sector_rank"]) - 1)]
        name = _own_wording(entry.name.replace(OBJECT_SLOT, who).replace(SUBSIDISED_SLOT, subsidised), said_in, word)
        key = CandidateKey(KeyKind.LIBRARY, entry.code)
        cands[key] = Candidate(
            key=key, level2=entry.level2, name=name, library_value=entry.value,
            library_basis=entry.basis, library_type=sector, library_code=entry.code,
            parts={"library": base - w["position_step"] * n
                   + (sat["described_bonus"] if who_described and OBJECT_SLOT in entry.name else 0.0),
                   "requires": 1.0 if specialised or SUBSIDISED_SLOT in entry.name else 0.0,
                   "overlap": _overlap(name, text)},
        )
        if SUBSIDISED_SLOT in entry.name:
            cands[key].parts["counts_paid"] = 1.0
            named.append(cands[key])
    _drop_general_payee_lines(cands, named, subsidised)


def _drop_general_payee_lines(cands: dict, named: list[Candidate], subsidised: str) -> None:
    """Once the payee is named (补贴国有企业数量, 补贴国有企业覆盖率), the library lines that say the
    same in general words (奖补对象数量, 补助对象覆盖率, 受益企业数量) or count beneficiaries in
    general (受益（补贴）人数, 补贴发放户数 — still waiting for a number) are left out."""
    kind = next((e for e in rules_data()["subsidised_kinds"] if subsidised.endswith(e)), None)
    for c in named:
        tail = _MEASURE_TAIL.search(bare_name(c.name))

        def same_in_general(o: Candidate) -> bool:
            key = bare_name(o.name)
            return bool(tail) and ("对象" in o.name or (kind is not None and kind in o.name)) \
                and key.endswith(tail.group(0))

        def counts_anyone(o: Candidate) -> bool:
            return "{N}" in (o.library_value or "") and counts_beneficiaries(bare_name(o.name))

        for key in [k for k, o in cands.items() if o is not c and o.library_type and o.level2 == c.level2
                    and (same_in_general(o) or counts_anyone(o))]:
            del cands[key]
