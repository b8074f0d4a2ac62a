"""What the officer kept, changed, rejected and added, as catalogue feedback rows.

Only categories the officer has dealt with count (accepted with 下一步, changed, or seen in
the finished table); a session left halfway says nothing about the categories it never showed.
Each suggested indicator is followed through `origins` (the suggested name each draft line
came from), so a renamed or re-valued line is a change, not a reject plus an add.

  keep    suggested, still in the table as suggested
  change  suggested, still in the table with another name, value or basis
  reject  suggested, no longer in the table (deleted, swapped away, not selected)
  add     in the table but not suggested (added by name, a candidate selected or swapped in)
"""
from __future__ import annotations

from .store import SessionState


def decisions(state: SessionState) -> list[tuple[str, str, str, str]]:
    """(name, level2, action, project name) for every dealt-with indicator."""
    if state.draft is None:
        return []
    reviewed = set(state.reviewed)
    project = state.draft.project.name
    rows = []
    by_origin = {o: ind for o, ind in zip(state.origins, state.draft.indicators) if o}
    for s in state.suggested:
        if s.level2 not in reviewed:
            continue
        now = by_origin.get(s.name)
        if now is None:
            action = "reject"
        elif (now.name, now.value, now.basis) == (s.name, s.value, s.basis):
            action = "keep"
        else:
            action = "change"
        rows.append((s.name, s.level2, action, project))
    for origin, ind in zip(state.origins, state.draft.indicators):
        if not origin and ind.level2 in reviewed and ind.name:
            rows.append((ind.name, ind.level2, "add", project))
    return rows


def unrecorded(state: SessionState) -> list[tuple[str, str, str, str]]:
    """Decisions not yet written to the catalogue by this session (a resumed session that is
    left twice does not count the same decision twice)."""
    done = {tuple(r) for r in state.recorded}
    return [r for r in decisions(state) if (r[0], r[2]) not in done]
