"""How far any choice of lines could go: the share of filed indicators that some candidate jixiao
gathered matches under `jixiao eval`'s strict rule (a draft is a choice among them).

    python benchmarks/eval_ceiling.py                 # leave-one-out on the shipped filings
    python benchmarks/eval_ceiling.py ../shared/eval  # a folder of filings (its *.json), as `jixiao eval DIR`

Prints, per run, what the draft matches, what all candidates together match, and (leave-one-out)
what all candidates plus every line of every other shipped filing match.  Uses the default
catalogue (JIXIAO_DB to point elsewhere).
"""
from __future__ import annotations

import glob
import os
import sys

from jixiao.corpus.errors import InputError
from jixiao.corpus.parse import parse_file
from jixiao.engine.draft import Project
from jixiao.engine.matching import matched_pairs
from jixiao.engine.model import EngineModel
from jixiao.engine.suggest import rank, unit_of_filing


def _lines(ranking) -> tuple[list, list]:
    chosen = [(c.level2, c.name) for c in ranking.chosen]
    every = [(c.level2, c.name) for cs in ranking.by_level2.values() for c in cs]
    return chosen, every


def folder(model, path: str) -> None:
    drafted = pooled = filed = 0
    for name in sorted(glob.glob(os.path.join(path, "*.json"))):
        try:
            filings = parse_file(name)
        except InputError as exc:       # one line naming the file, then the other files
            print(exc, file=sys.stderr)
            continue
        for f in filings:
            if f.kind != "project":
                continue
            p = Project(name=f.name, description=f.description, budget=f.budget, year=f.year,
                        department=f.department)
            chosen, every = _lines(rank(model, p, use_feedback=False))
            real = [(i.level2, i.name) for i in f.indicators if i.name]
            drafted += len(matched_pairs(chosen, real))
            pooled += len(matched_pairs(every, real))
            filed += len(real)
    if not filed:
        print(f"{path}：没有可评估的项目表", file=sys.stderr)
        return
    print(f"{path}: draft {drafted}/{filed} ({drafted / filed:.1%}); "
          f"all candidates {pooled}/{filed} ({pooled / filed:.1%})")


def leave_one_out(model) -> None:
    ids = [fid for fid, _ in model.cat.project_filings()]
    rows = {fid: [(i.level2, i.name) for i in model.cat.indicators_of([fid])] for fid in ids}
    drafted = pooled = everything = filed = 0
    for fid in ids:
        info = model.cat.filings([fid])[fid]
        p = Project(name=info.name, description=info.description or "", budget=info.budget, year=info.year,
                    department=info.department)
        ranking = rank(model, p, exclude_filings={fid}, unit=unit_of_filing(info) or None, use_feedback=False)
        chosen, every = _lines(ranking)
        others = [line for other in ids if other != fid for line in rows[other]]
        real = rows[fid]
        drafted += len(matched_pairs(chosen, real))
        pooled += len(matched_pairs(every, real))
        everything += len(matched_pairs(every + others, real))
        filed += len(real)
    print(f"leave-one-out: draft {drafted}/{filed} ({drafted / filed:.1%}); "
          f"all candidates {pooled}/{filed} ({pooled / filed:.1%}); "
          f"all candidates + every line of the other filings {everything}/{filed} ({everything / filed:.1%})")


if __name__ == "__main__":
    try:
        m = EngineModel.open(os.environ.get("JIXIAO_DB"))
    except InputError as exc:
        sys.exit(str(exc))
    with m:
        if sys.argv[1:]:
            for path in sys.argv[1:]:
                folder(m, path)
        else:
            leave_one_out(m)
