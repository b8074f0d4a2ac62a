"""engine.valuerules.Filled.origin: a flag for where a value came from (no magic strings)."""
from __future__ import annotations

from jixiao.corpus.categories import L2
from jixiao.engine.valuerules import History, Origin, fill_value


def test_library_typical_value_is_flagged_library():
    f = fill_value(L2.QUANTITY, "开展培训场次", budget=10, year=2025, library_value="≥6场")
    assert (f.origin, f.value) == (Origin.LIBRARY, "≥6场")


def test_own_history_wins_and_is_flagged_history():
    past = History("≥8场", 2024, "培训项目", 0.9, True, True)
    f = fill_value(L2.QUANTITY, "开展培训场次", budget=10, year=2025, history=[past], library_value="≥6场")
    assert (f.origin, f.value) == (Origin.HISTORY, "≥8场")


def test_nothing_to_go_on_waits_for_input():
    f = fill_value(L2.QUANTITY, "开展培训场次", budget=10, year=2025)
    assert f.needs_input and f.origin is Origin.NONE
