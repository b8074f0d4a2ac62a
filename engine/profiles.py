"""Template profiles and the rule layer's data (data/rules.json), loaded once."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def rules_data() -> dict:
    with resources.files("jixiao.engine").joinpath("data/rules.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def profile(name: str = "default") -> dict:
    """{"required": [...], "optional": [...]} for a template profile; unknown → ValueError."""
    profiles = rules_data()["profiles"]
    if name not in profiles:
        raise ValueError(f"未知的模板（profile）：{name}；可选：{'、'.join(profiles)}")
    return profiles[name]


def quota(level2: str) -> dict:
    return rules_data()["quota"].get(level2, {"max": 1, "min": 0})


def table_size() -> dict:
    """{"max": places in a draft, "min_score": evidence a non-guaranteed place needs}."""
    return rules_data()["table"]
