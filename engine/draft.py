"""The DraftTable: what `suggest`, `chat` and `batch` produce and every writer consumes.

JSON shape (documented in README):
  project     — name, description, budget, year, department, sectors, sector_reason, kind, period
  indicators  — level1, level2 (canonical), name, value, basis, parsed, sources, rules,
                needs_input, status
  lint        — rule, severity, message, indicator (index into indicators or null)
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from jixiao.corpus.categories import LEVEL1_OF, LEVEL2_CANON
from jixiao.corpus.models import ParsedValue

Severity = Literal["error", "warning", "info"]
Status = Literal["suggested", "carried", "new", "moved", "user"]


class SourceRef(BaseModel):
    """Why an indicator is in the draft: a past filing, a library entry, or the description."""

    kind: Literal["filing", "library", "description", "user", "feedback", "rule"]
    name: str = ""                      # filing name / library sector / "项目描述"
    year: Optional[int] = None
    similarity: Optional[float] = None  # 0..1 text similarity to the new project
    value: Optional[str] = None         # the value that source used
    detail: str = ""                    # free text ("共性指标库 · 热线", "描述中提到 14个窗口")


class DraftIndicator(BaseModel):
    level1: str
    level2: str
    name: str
    value: str = ""
    basis: Optional[str] = None
    parsed: ParsedValue = Field(default_factory=ParsedValue)
    sources: list[SourceRef] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)   # human-readable "rule-id: what it did"
    needs_input: bool = False
    status: Status = "suggested"
    score: float = 0.0
    canonical_id: Optional[int] = None

    def model_post_init(self, __context) -> None:
        parent = LEVEL1_OF.get(self.level2)
        if parent and self.level1 != parent:
            object.__setattr__(self, "level1", parent)


class LintFinding(BaseModel):
    rule: str                       # e.g. "L11 cost_over_budget"
    severity: Severity
    message: str                    # Chinese, one line
    indicator: Optional[int] = None  # index into Draft.indicators


class Project(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str
    description: str = ""
    budget: Optional[float] = None   # 万元
    year: Optional[int] = None
    department: Optional[str] = None
    period: Optional[str] = None
    # sectors (行业, e.g. 林业草原, 培训; 通用 when none fits), given or inferred; older drafts and
    # sessions wrote them as `types`
    sectors: list[str] = Field(default_factory=list, validation_alias=AliasChoices("sectors", "types"))
    sectors_inferred: bool = Field(True, validation_alias=AliasChoices("sectors_inferred", "types_inferred"))
    sector_reason: str = ""          # why these sectors (trigger words found), or why 通用
    kind: Literal["project", "department"] = "project"


class Draft(BaseModel):
    project: Project
    indicators: list[DraftIndicator] = Field(default_factory=list)
    lint: list[LintFinding] = Field(default_factory=list)
    similar: list[SourceRef] = Field(default_factory=list)  # past filings drawn on

    def by_category(self) -> list[tuple[str, list[tuple[int, DraftIndicator]]]]:
        """Indicators grouped by canonical 二级 in form order (index kept for references)."""
        out = []
        for l2 in LEVEL2_CANON:
            rows = [(i, ind) for i, ind in enumerate(self.indicators) if ind.level2 == l2]
            out.append((l2, rows))
        return out


def draft_from_filing(filing) -> Draft:
    """A past filing seen as a draft (for lint and for carrying it into next year)."""
    project = Project(
        name=filing.name, description=filing.description, budget=filing.budget,
        year=filing.year, department=filing.department, period=filing.period,
        kind=filing.kind, sectors=[], sectors_inferred=True,
    )
    src = SourceRef(kind="filing", name=filing.name, year=filing.year)
    inds = [
        DraftIndicator(
            level1=i.level1, level2=i.level2, name=i.name, value=i.value, basis=i.basis,
            parsed=i.parsed, sources=[src.model_copy(update={"value": i.value})],
            needs_input=not i.value, status="carried",
        )
        for i in filing.indicators
    ]
    return Draft(project=project, indicators=inds)
