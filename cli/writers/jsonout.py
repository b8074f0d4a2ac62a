"""The draft JSON documented in README: Draft.model_dump(mode="json"), readable Chinese."""
from __future__ import annotations

import json


def draft_dict(draft) -> dict:
    return draft.model_dump(mode="json")


def render_json(drafts) -> str:
    """One draft → an indented object; a list → an indented array."""
    data = [draft_dict(d) for d in drafts] if isinstance(drafts, list) else draft_dict(drafts)
    return json.dumps(data, ensure_ascii=False, indent=2)


def render_jsonl(drafts) -> str:
    """One compact JSON object per draft, one per line (no trailing newline)."""
    items = drafts if isinstance(drafts, list) else [drafts]
    return "\n".join(json.dumps(draft_dict(d), ensure_ascii=False) for d in items)
