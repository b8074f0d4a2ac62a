"""TF-IDF indexes on the seeds' real texts: numpy scorer vs scikit-learn, the .npz file, freshness."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from conftest import ROOT, SEEDS
from jixiao.corpus.parse import parse_file
from index_helpers import build_index, fit_index, index_from_fitted, load_index, make_vectorizer
from jixiao.engine.index_format import INDEX_FORMAT, BadIndexFile, save_indexes
from jixiao.engine.index_query import TextIndex, load_indexes


def seed_corpus() -> tuple[list[str], list[str], list[str], list[str]]:
    """(filing texts as the catalogue builds them, indicator names, descriptions, filing names)."""
    filings, names, descs, titles = [], [], [], []
    for path in SEEDS:
        for f in parse_file(path):
            inds = [i.name for i in f.indicators]
            filings.append(f"{f.name} {f.name} {f.description} " + " ".join(inds))
            names += inds
            descs.append(f.description)
            titles.append(f.name)
    return filings, list(dict.fromkeys(names)), descs, titles


def queries() -> list[str]:
    filings, names, descs, titles = seed_corpus()
    made = ["政务大厅租金", "12345热线运行维护", "机房租赁及运维", "电子政务外网线路租赁 100兆",
            "网络安全等级保护测评", "一网通办 跨省通办 一窗受理", "大厅工作人员培训", "水土保持方案评审",
            "ＬＥＤ屏 自助终端", "全然无关的句子：天气晴朗", ""]
    return made + names + descs + titles


def assert_same_ranking(index: TextIndex, vectorizer, matrix, query: str, k: int) -> None:
    sk = cosine_similarity(vectorizer.transform([query]), matrix).ravel()
    expected = sorted(np.flatnonzero(sk > 0).tolist(), key=lambda p: (-sk[p], p))[:k]
    got = index.query(query, k)
    assert len(got) == len(expected), query
    for (p, s), q in zip(got, expected):
        assert abs(s - sk[p]) < 1e-9, query
        assert p == q or abs(sk[p] - sk[q]) < 1e-12, (query, p, q)  # only exact ties may swap


@pytest.mark.slow
@pytest.mark.parametrize("which", ["filings", "names"])
def test_numpy_scorer_ranks_like_scikit_learn(tmp_path, which):
    filings, names, _, _ = seed_corpus()
    texts = filings if which == "filings" else names
    vectorizer = make_vectorizer()
    matrix = vectorizer.fit_transform(texts)
    save_indexes(tmp_path / "i.npz", {which: index_from_fitted(vectorizer, matrix)})
    _, loaded = load_indexes(tmp_path / "i.npz")
    index = loaded[which]
    assert index.n_docs == len(texts) and len(index.terms) == len(vectorizer.vocabulary_)
    qs = queries()
    assert len(qs) > 200
    for q in qs:
        for k in (1, 5, 20):
            assert_same_ranking(index, vectorizer, matrix, q, k)


def test_round_trip_keeps_arrays_ids_and_meta(tmp_path):
    filings, names, _, _ = seed_corpus()
    ids = [1000 + 7 * i for i in range(len(filings))]
    a, b = fit_index(filings, ids), fit_index(names)
    save_indexes(tmp_path / "x.npz", {"filings": a, "names": b}, {"revision": "r42"})
    meta, got = load_indexes(tmp_path / "x.npz")
    assert meta["revision"] == "r42" and meta["format"] == INDEX_FORMAT and meta["indexes"] == ["filings", "names"]
    for mine, back in ((a, got["filings"]), (b, got["names"])):
        for part in ("terms", "idf", "indptr", "indices", "data", "ids"):
            assert np.array_equal(getattr(mine, part), getattr(back, part))
    assert got["filings"].ids.tolist() == ids
    assert got["filings"].query("政务大厅租金", 3) == a.query("政务大厅租金", 3)
    with zipfile.ZipFile(tmp_path / "x.npz") as z:  # plain arrays, nothing pickled
        assert all(n.endswith(".npy") for n in z.namelist())
    # the one-index convenience pair
    built = build_index(names, tmp_path / "names.npz")
    assert load_index(tmp_path / "names.npz").query("满意度", 5) == built.query("满意度", 5)
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".")] == []  # no temp files left


def test_empty_and_stopword_only_corpora():
    assert fit_index([]).query("政务", 5) == []
    idx = fit_index(["的 指标", "项目 工作"], [7, 8])
    assert idx.ids.tolist() == [7, 8] and idx.query("的 指标", 5) == []


def test_query_finds_the_filing_it_describes():
    filings, _, _, titles = seed_corpus()
    idx = fit_index(filings)
    for pos, name in enumerate(titles):
        top = idx.query(name, 3)
        assert top and pos in [p for p, _ in top], name
        assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)


def test_python_and_numpy_scorers_give_the_same_floats(tmp_path, monkeypatch):
    """A small index is scored in plain Python, a large one with numpy: same hits, same floats."""
    import jixiao.engine.index_query

    filings, names, _, _ = seed_corpus()
    path = tmp_path / "i.npz"
    save_indexes(path, {"filings": fit_index(filings), "names": fit_index(names)})
    _, small = load_indexes(path)
    monkeypatch.setattr(jixiao.engine.index_query, "SMALL_NNZ", 0)
    _, large = load_indexes(path)
    assert all(small[n].small and not large[n].small for n in ("filings", "names"))
    for q in queries():
        for which in ("filings", "names"):
            for k in (1, 5, 20):
                assert small[which].query(q, k) == large[which].query(q, k), (which, q)


def write_bad(path, how: str, good: bytes) -> None:
    if how == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif how == "garbage":
        path.write_bytes(b"PK\x03\x04 this is not a zip")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "pickled":
        np.savez(path, meta=np.array(json.dumps({"format": INDEX_FORMAT})), **{"x.terms": np.array([{"a": 1}])})
    elif how == "old_format":
        np.savez(path, meta=np.array(json.dumps({"format": 1, "revision": "1"})))
    elif how == "other_tokenizer":
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(str(arrays["meta"]))
        arrays["meta"] = np.array(json.dumps({**meta, "tokenizer": "something else"}))
        np.savez(path, **arrays)
    elif how == "inconsistent":
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["names.indices"] = arrays["names.indices"] + 10_000
        np.savez(path, **arrays)


BAD = ["truncated", "garbage", "empty", "pickled", "old_format", "other_tokenizer", "inconsistent"]


@pytest.mark.parametrize("how", BAD)
def test_bad_index_files_are_refused(tmp_path, how):
    _, names, _, _ = seed_corpus()
    path = tmp_path / "i.npz"
    save_indexes(path, {"names": fit_index(names)})
    write_bad(path, how, path.read_bytes())
    with pytest.raises(BadIndexFile):
        load_indexes(path)


# -- the query path imports neither scikit-learn nor scipy ----------------------------------------
NO_SKLEARN = """
import json, sys
{setup}
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'sklearn', 'scipy', 'sqlite_utils', 'prompt_toolkit'}})
print(json.dumps({{'hits': hits, 'heavy': heavy}}))
"""


def run_probe(code: str, env: dict | None = None) -> dict:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_query_path_imports_neither_sklearn_nor_scipy(tmp_path):
    _, names, _, _ = seed_corpus()
    build_index(names, tmp_path / "names.npz")
    setup = (f"from jixiao.engine.index_query import load_indexes\n"
             f"idx = load_indexes({str(tmp_path / 'names.npz')!r})[1]['main']\n"
             f"hits = idx.query('群众满意度 12345热线', 5)")
    got = run_probe(NO_SKLEARN.format(setup=setup))
    assert len(got["hits"]) == 5 and got["heavy"] == []


def test_small_index_query_path_does_not_import_numpy(tmp_path):
    _, names, _, _ = seed_corpus()
    build_index(names, tmp_path / "names.npz")
    code = (f"import json, sys\nfrom jixiao.engine.index_query import load_indexes\n"
            f"idx = load_indexes({str(tmp_path / 'names.npz')!r})[1]['main']\n"
            f"hits = idx.query('群众满意度 12345热线', 5)\n"
            f"print(json.dumps({{'hits': hits, 'numpy': 'numpy' in sys.modules}}))")
    got = run_probe(code)
    assert len(got["hits"]) == 5 and got["numpy"] is False


# -- the engine model: one index file beside the catalogue ---------------------------------------
@pytest.fixture()
def db(shared_db, tmp_path):
    path = tmp_path / "catalogue.db"
    shutil.copy(shared_db, path)
    return path


def open_model(path, **kw):
    from jixiao.engine.model import EngineModel

    return EngineModel.open(path, **kw)


def test_model_builds_one_fresh_file_and_reuses_it(db):
    from jixiao.engine.model import index_path_for

    model = open_model(db)
    try:
        fids = [fid for fid, _ in model.cat.filing_texts()]
        cids, _ = model.cat.canonical_texts()
        revision = model.revision()
        first = model.similar_filings("政务大厅租金", 5)
    finally:
        model.close()
    path = index_path_for(db)
    meta, indexes = load_indexes(path)
    assert meta["revision"] == revision
    assert indexes["filings"].ids.tolist() == fids and indexes["names"].ids.tolist() == cids
    assert first and all(f in fids for f, _ in first)
    before = os.stat(path)
    model = open_model(db)
    try:
        assert model.similar_filings("政务大厅租金", 5) == first
    finally:
        model.close()
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rebuilt


@pytest.mark.parametrize("how", BAD + ["stale_revision"])
def test_model_rebuilds_a_bad_or_stale_file(db, how):
    from jixiao.engine.model import index_path_for

    model = open_model(db)
    try:
        revision = model.revision()
        expected = model.similar_names("12345热线运行维护", 10)
        indexes = {"filings": model.filing_index, "names": model.names_index}
    finally:
        model.close()
    path = index_path_for(db)
    if how == "stale_revision":
        save_indexes(path, indexes, {"revision": revision + "-old"})
    else:
        write_bad(path, how, path.read_bytes())
    model = open_model(db)
    try:
        assert model.revision_indexed == revision
        assert model.similar_names("12345热线运行维护", 10) == expected
    finally:
        model.close()
    meta, _ = load_indexes(path)  # the file on disk is whole and fresh again
    assert meta["revision"] == revision


def test_model_works_when_the_index_cannot_be_written(db):
    from jixiao.engine.model import index_path_for

    path = index_path_for(db)
    path.mkdir()  # something that is not a file sits where the index goes
    model = open_model(db)
    try:
        assert model.similar_filings("政务大厅运行经费", 3)
        assert model.revision_indexed == model.revision()
    finally:
        model.close()
    assert path.is_dir() and list(path.iterdir()) == []


@pytest.mark.slow
def test_model_query_path_imports_neither_sklearn_nor_scipy(db):
    open_model(db).close()  # a fresh index file exists
    setup = (f"from jixiao.engine.model import EngineModel\n"
             f"m = EngineModel.open({str(db)!r})\n"
             f"hits = [m.similar_filings('政务大厅租金', 3), m.similar_names('群众满意度', 3)]")
    got = run_probe(NO_SKLEARN.format(setup=setup))
    assert all(got["hits"]) and got["heavy"] == []


# -- what a cold `jixiao suggest` imports ----------------------------------------------------------
COLD_SUGGEST = """
import contextlib, io, json, sys
from jixiao.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
    rc = main(["suggest", "政务服务热线运行维护", "--format", "json"])
print(json.dumps({"rc": rc, "draft": bool(json.loads(out.getvalue())),
                  "jixiao": sorted(m for m in sys.modules if m.split(".")[0] == "jixiao"),
                  "top": sorted({m.split(".")[0] for m in sys.modules})}))
"""
# every jixiao module a one-shot suggest imports on a catalogue with a fresh index file: a new
# import here is start-up time for every officer (README: cold start ≤ 0.5 × jieba + numpy)
COLD_SUGGEST_MODULES = {
    "jixiao",
    "jixiao.catalogue", "jixiao.catalogue.canonical", "jixiao.catalogue.leftovers",
    "jixiao.catalogue.library", "jixiao.catalogue.paths", "jixiao.catalogue.query", "jixiao.catalogue.ready",
    "jixiao.catalogue.records", "jixiao.catalogue.schema", "jixiao.catalogue.sectors",
    "jixiao.catalogue.tags",
    "jixiao.cli", "jixiao.cli.cmd_batch", "jixiao.cli.cmd_catalogue", "jixiao.cli.cmd_chat",
    "jixiao.cli.cmd_eval", "jixiao.cli.cmd_feedback", "jixiao.cli.cmd_ingest", "jixiao.cli.cmd_lint",
    "jixiao.cli.cmd_parse", "jixiao.cli.cmd_suggest", "jixiao.cli.common", "jixiao.cli.main",
    "jixiao.cli.parser",
    "jixiao.corpus", "jixiao.corpus.categories", "jixiao.corpus.errors", "jixiao.corpus.limits",
    "jixiao.corpus.models", "jixiao.corpus.safe_text", "jixiao.corpus.textkeys", "jixiao.corpus.values",
    "jixiao.engine", "jixiao.engine.amounts", "jixiao.engine.batch", "jixiao.engine.batch.formats",
    "jixiao.engine.candidate_key",
    "jixiao.engine.candidates", "jixiao.engine.described", "jixiao.engine.draft",
    "jixiao.engine.index_format", "jixiao.engine.index_query", "jixiao.engine.jieba_mirror",
    "jixiao.engine.library_lines", "jixiao.engine.lint", "jixiao.engine.model",
    "jixiao.engine.near_duplicates", "jixiao.engine.new_project", "jixiao.engine.pool_sizes",
    "jixiao.engine.profiles", "jixiao.engine.reading", "jixiao.engine.selection", "jixiao.engine.suggest",
    "jixiao.engine.tokenize",
    "jixiao.engine.valuerules", "jixiao.engine.writers", "jixiao.engine.writers.atomic",
    "jixiao.engine.writers.jsonout", "jixiao.engine.writers.safety", "jixiao.engine.writers.tabular",
}
# what it must not import: the index build, the chat, the office formats, the write path of the
# catalogue, and numpy (the shipped catalogue's index is small: scored in plain Python)
COLD_SUGGEST_ABSENT = {"sklearn", "scipy", "numpy", "prompt_toolkit", "openpyxl", "xlsxwriter", "docx", "rich",
                       "sqlite_utils", "pkg_resources", "joblib"}


def test_cold_suggest_imports_exactly_these_modules(db):
    env = {"JIXIAO_DB": str(db)}
    run_probe(COLD_SUGGEST, env)            # the first run may build the index (and the jieba cache)
    got = run_probe(COLD_SUGGEST, env)
    assert got["rc"] == 0 and got["draft"]
    assert set(got["jixiao"]) == COLD_SUGGEST_MODULES
    assert not COLD_SUGGEST_ABSENT & set(got["top"])
    assert "jieba" in got["top"] and "jixiao.engine.index_build" not in got["jixiao"]


@pytest.mark.slow
def test_concurrent_rebuilds_are_harmless(db):
    from jixiao.engine.model import index_path_for

    code = (f"from jixiao.engine.model import EngineModel\n"
            f"for _ in range(3):\n"
            f"    EngineModel.open({str(db)!r}, rebuild=True).close()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE)
             for _ in range(2)]
    path = index_path_for(db)
    reads = 0
    while any(p.poll() is None for p in procs):
        if path.exists():
            load_indexes(path)  # never a half-written file
            reads += 1
    assert [p.wait() for p in procs] == [0, 0], [p.stderr.read() for p in procs]
    meta, _ = load_indexes(path)
    model = open_model(db)
    try:
        assert meta["revision"] == model.revision() == model.revision_indexed
    finally:
        model.close()
    assert reads > 0
    assert [f.name for f in db.parent.iterdir() if f.name.endswith(".tmp")] == []


def test_tokens_from_worker_processes_are_the_serial_tokens(monkeypatch):
    """A large build tokenizes in spawned workers; the index must not depend on that."""
    import jixiao.engine.index_build as ix

    filings, names, _, _ = seed_corpus()
    texts = (filings + names) * 3
    monkeypatch.setattr(ix, "PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(ix, "BLOCK_CHUNK", 50)          # several chunks in flight
    monkeypatch.setenv("JIXIAO_JOBS", "2")
    a = fit_index(texts)
    monkeypatch.setenv("JIXIAO_JOBS", "1")
    b = fit_index(texts)
    for part in ("terms", "idf", "indptr", "indices", "data", "ids"):
        assert np.array_equal(getattr(a, part), getattr(b, part))


@pytest.mark.parametrize("which", ["filings", "names"])
def test_fit_index_is_scikit_learns_vectorizer(which):
    """fit_index counts terms itself (each distinct block cut once) and fits the weights with
    scikit-learn's TfidfTransformer: the vocabulary, idf and document vectors are those of
    TfidfVectorizer.fit_transform over the same texts."""
    filings, names, _, _ = seed_corpus()
    texts = (filings if which == "filings" else names) + ["", "的 和 与", filings[0]]
    vectorizer = make_vectorizer()
    expected = index_from_fitted(vectorizer, vectorizer.fit_transform(texts))
    got = fit_index(texts)
    assert got.terms.tolist() == expected.terms.tolist() and len(got.terms) > 100
    assert np.array_equal(got.idf, expected.idf)
    for part in ("indptr", "indices", "ids"):
        assert np.array_equal(getattr(got, part), getattr(expected, part)), part
    assert np.allclose(got.data, expected.data, rtol=1e-12, atol=0)
