"""Ranking weights and thresholds come from engine/data/rules.json (read once), not from code."""
from __future__ import annotations

from jixiao.corpus.categories import L2
from jixiao.corpus.textkeys import bare_name
from jixiao.engine.candidate_key import CandidateKey, KeyKind
from jixiao.engine.profiles import rules_data
from jixiao.engine.candidates import Candidate
from jixiao.engine.selection import near_duplicate, score


def _library_line(name: str, **parts) -> Candidate:
    return Candidate(key=CandidateKey(KeyKind.LIBRARY, name), level2=L2.QUALITY, name=name,
                     parts={"library": 1.0, **parts})


def test_long_names_lose_the_long_name_weight_past_the_threshold():
    w = rules_data()["ranking"]
    at, past = "合" * w["long_name_chars"], "合" * (w["long_name_chars"] + 1)
    cands = {n: _library_line(n) for n in (at, past)}
    score(cands, {}, 1)
    assert cands[at].score == 1.0
    assert cands[past].score == round(1.0 - w["long_name"], 4)


def test_feedback_moves_a_score_at_most_the_cap():
    w = rules_data()["ranking"]
    kept, rejected = _library_line("验收合格率"), _library_line("培训合格率")
    score({1: kept, 2: rejected}, {bare_name(kept.name): 100.0, bare_name(rejected.name): -100.0}, 1)
    cap = w["feedback_cap"] * w["feedback"]
    assert kept.score == round(1.0 + cap, 4) and rejected.score == round(1.0 - cap, 4)


def test_history_adds_its_bonus_to_a_library_line():
    w = rules_data()["ranking"]
    c = _library_line("验收合格率", same_project=1.0)
    c.history.append(object())
    score({1: c}, {}, 1)
    assert c.score == round(max(w["same_project"], 1.0) + w["history_bonus"], 4)


def test_near_duplicates_follow_the_rules():
    near = rules_data()["near_duplicate"]
    short = "群众满意度"
    assert len(short) >= near["contained_min"]
    assert near_duplicate(short, "辖区内" + short)
    assert not near_duplicate(short, "甲" * (near["contained_extra"] + 1) + short)
