"""A candidate line of a draft and the few facts about names every stage asks.

    Candidate                       one possible line and its evidence (engine.suggest gathers them)
    is_total_line(c)                the one line the whole budget belongs on
    counts_beneficiaries(key)       a library name counting whoever benefits (受益人数, 补贴发放户数)
    counted_group(key)              whom such a name counts (老年 of 受益老年人数)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from jixiao.corpus.categories import L2
from jixiao.corpus.textkeys import bare_name

from .candidate_key import CandidateKey
from .draft import SourceRef
from .profiles import rules_data
from .reading import Stated
from .valuerules import History, is_total_cost

GENERIC = "通用"          # the fallback sector: entries every project may take
OBJECT_SLOT = "{对象}"
SUBSIDISED_SLOT = "{补助对象}"


@dataclass(slots=True)
class Candidate:
    """One possible line of the draft and the evidence for it.

    key: where it comes from and which one (engine.candidate_key: a line read from the
    description, a worked-out unit cost, a past filing's indicator by canonical id or by 二级 and
    name, a sector library entry, an indicator the officer named).
    """
    key: CandidateKey
    level2: str
    name: str
    score: float = 0.0
    parts: dict = field(default_factory=dict)
    history: list[History] = field(default_factory=list)
    library_value: str | None = None
    library_basis: str | None = None
    library_type: str | None = None          # the sector of a library entry
    library_code: str | None = None
    canonical_id: int | None = None
    usage: int = 0
    sources: list[SourceRef] = field(default_factory=list)
    stated: Stated | None = None             # what the description says for this line
    computed: tuple[str, str] | None = None  # (value, reason) worked out from budget and description
    # the past filings it was used in: how many, their best and summed similarity
    n_filings: int = 0
    sim_max: float = 0.0
    sim_sum: float = 0.0
    last_filing: int | None = None

    @property
    def described(self) -> bool:
        return self.stated is not None and self.stated.kind != "purpose"


def is_total_line(c: Candidate) -> bool:
    return c.level2 == L2.COST and c.stated is None and c.computed is None \
        and is_total_cost(c.name, c.library_value)


@lru_cache(maxsize=1024)
def counts_beneficiaries(key: str) -> bool:
    """Whether a library name (as its bare_name) counts whoever benefits (受益人数, 受益老年人数):
    any count the description states in its unit is that count, named as the officer names it."""
    cfg = rules_data()["generic_counts"]
    return key in {bare_name(n) for n in cfg["names"]} or re.search(cfg["pattern"], key) is not None


def counted_group(key: str) -> str:
    """Whom a count of beneficiaries names (老年 of 受益老年人数; empty for 受益人数)."""
    return re.sub(rules_data()["generic_counts"]["frame"], "", key)
