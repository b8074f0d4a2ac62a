"""What a candidate line of a draft is keyed by: where it comes from (the kind) and which one.

    CandidateKey(KeyKind.CANONICAL, "12")         a past filing's indicator under canonical id 12
    CandidateKey(KeyKind.PAST_NAME, "数量指标:培训人次")  a past filing's indicator with no canonical id
    CandidateKey(KeyKind.LIBRARY, "GX-RX-0106")   a sector library entry
    CandidateKey(KeyKind.DESCRIBED, "3")          the fourth line read from the project description
    CandidateKey(KeyKind.UNIT_COST, "元/人")       a unit cost worked out from budget and description
    CandidateKey(KeyKind.OFFICER, "热线接通率")      an indicator the officer named (chat)

Keys sort as their text form `"<kind>:<ident>"` did (kind first, then ident as text), which
breaks score ties in ranking: keep `ident` a string.
"""
from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class KeyKind(str, Enum):
    DESCRIBED = "d"
    UNIT_COST = "x"
    CANONICAL = "c"
    PAST_NAME = "n"
    LIBRARY = "l"
    OFFICER = "u"


class CandidateKey(NamedTuple):
    kind: KeyKind
    ident: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.ident}"
