"""`jixiao batch`: last year's filings → next year's drafts, one file each, plus a summary.

    jixiao batch INPUT... --year Y -o OUTDIR [--budgets FILE] [--format xlsx|docx|json|md]
                 [--scale-costs] [--force] [--no-feedback]

Every run reads all inputs, carries every filing forward (engine.carry) and rebuilds 汇总.csv and
汇总.xlsx from all of them; a draft file that already exists is left as it is (the officer may
have edited it) unless --force.  Outputs are written atomically and are byte-for-byte
reproducible — file names are assigned in input order, .xlsx files carry a fixed timestamp
(writers.xlsx.xlsx_stamp: 1 January of the target year, or SOURCE_DATE_EPOCH) — so a batch
killed halfway and run again ends exactly like one uninterrupted run.  One batch at a time may write into an OUTDIR.

Budget tables are read row by row (engine.project_list): a bad cell makes its row a listed problem,
amounts are read as officers write them (80、80万元、800000元), and a budget more than 20× or under
1/20 of last year's is listed and not used unless --force (likely 元 written for 万元).  INPUT may
be an earlier batch's output folder: its drafts are filings, its 汇总 files are skipped (cli.summary).
"""
from __future__ import annotations

import re
import sys

from .common import add_db_arg, add_jobs_arg, add_profile_arg
from .parser import year_arg
from .summary import COUNT_COLUMNS, SUMMARY_HEADER, SUMMARY_STEM

_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")     # engine/writers/atomic.py leftovers of a killed run
_EXT = {"xlsx": "xlsx", "docx": "docx", "json": "json", "md": "md"}
FAILED, BUDGET_PROBLEM, DONE = "失败", "预算问题", "成功"
# filings from which carrying is shared out over worker processes (fewer: not worth starting them)
PARALLEL_MIN_FILINGS = 64


def register(sub) -> None:
    p = sub.add_parser(
        "batch", help="把去年的全部申报表顺延为今年的草稿（每个项目一个文件，另附汇总表）",
        description="读取去年的申报表（文件或文件夹，.txt/.docx/.xlsx/.csv/.json），逐表顺延到目标年度："
                    "沿用指标（绩效标准记为按照上年）、年份顺延、总成本按新预算重设（成本构成保留金额，"
                    "或用 --scale-costs 按预算比例调整）、错填类别的指标移到正确类别、"
                    "缺少的必填类别按推荐补充，并附审核提示。输出文件夹中每个项目一个草稿，"
                    "另有 汇总.csv 和 汇总.xlsx 列出每张表的改动数量和所有问题。"
                    "输入可以是上一次 batch 的输出文件夹（其中的汇总表会被跳过）。",
        epilog="示例：jixiao batch 去年的表/ --year 2025 -o 2025草稿/ --budgets 2025预算.xlsx",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="去年的申报表文件或文件夹")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="目标年度（2000–2100，例如 2025）")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出文件夹（不存在时创建）")
    p.add_argument("--budgets", metavar="FILE",
                   help="新年度预算表 .csv/.xlsx/.jsonl（列：项目名称/name，预算金额/budget；金额写 80、80万元、"
                        "800000元 均可，只写数字时按万元）；按项目名称精确匹配，其次按相近名称匹配")
    p.add_argument("--format", choices=sorted(_EXT), default="xlsx",
                   help="草稿格式（默认 xlsx：正式表样 + 系统导入表；docx：Word 正式表样）")
    p.add_argument("--scale-costs", action="store_true",
                   help="成本构成和单位成本（培训费、租车费、元/人……）按 新预算 ÷ 上年预算 同比例调整"
                        "（默认保留原金额，只重设总成本）")
    p.add_argument("--force", action="store_true",
                   help="覆盖输出文件夹中已有的草稿（默认跳过已写好的），并采用与上年相差 20 倍以上的预算")
    p.add_argument("--no-feedback", action="store_true",
                   help="补充缺少的类别时不使用以往对话中的采纳/删除记录")
    add_jobs_arg(p, PARALLEL_MIN_FILINGS, "张表")
    add_profile_arg(p)
    add_db_arg(p)


# ------------------------------------------------------------------------------ outputs

def _write_draft(draft, path, fmt: str, stamp) -> None:
    from jixiao.engine.writers import write
    from jixiao.engine.writers.atomic import write_bytes

    if fmt == "xlsx":
        from jixiao.engine.writers.xlsx import xlsx_bytes

        write_bytes(path, xlsx_bytes([draft], stamp), sync_dir=False)
    elif fmt == "docx":
        from jixiao.engine.writers.word import docx_bytes

        write_bytes(path, docx_bytes([draft], stamp), sync_dir=False)
    else:
        write(draft, path, fmt, sync_dir=False)


def _write_summary(rows, outdir, stamp) -> list:
    """汇总.csv and 汇总.xlsx, then OUTDIR synced once for every file of the run (drafts are
    written with sync_dir=False, see writers.atomic); returns the paths written."""
    from jixiao.engine.writers import write_csv
    from jixiao.engine.writers.atomic import sync_folder
    from jixiao.engine.writers.tabular import write_xlsx_rows

    csv_path, xlsx_path = outdir / f"{SUMMARY_STEM}.csv", outdir / f"{SUMMARY_STEM}.xlsx"
    cells = [tuple(r[h] for h in SUMMARY_HEADER) for r in rows]
    write_csv(cells, SUMMARY_HEADER, csv_path, sync_dir=False)
    write_xlsx_rows(cells, SUMMARY_HEADER, xlsx_path, sheet=SUMMARY_STEM, stamp=stamp, sync_dir=False)
    sync_folder(outdir)
    return [csv_path, xlsx_path]


# ------------------------------------------------------------------------------ the run

class _Lock:
    """An exclusive lock on OUTDIR for the whole run (POSIX flock on the folder itself)."""

    def __init__(self, folder):
        self.fd = None
        self.folder = folder

    def __enter__(self):
        import os

        try:
            import fcntl
        except ImportError:           # not POSIX: no lock
            return self
        self.fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise
        return self

    def __exit__(self, *exc):
        import os

        if self.fd is not None:
            os.close(self.fd)


def _clean_temps(outdir) -> None:
    for p in outdir.iterdir():
        if _TEMP.match(p.name) and p.is_file():
            try:
                p.unlink()
            except OSError:
                pass


def _inside(path, folder) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


class _Progress:
    """A rich progress bar on stderr when it is a terminal (reading, then carrying); else nothing."""

    def __init__(self):
        self.bar = self.task = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.fields[phase]}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), TextColumn("{task.description}"),
                                console=Console(stderr=True), transient=True)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def phase(self, label: str, total: int) -> None:
        if self.bar:
            if self.task is not None:
                self.bar.remove_task(self.task)
            self.task = self.bar.add_task("", total=total, phase=label)

    def advance(self, name: str) -> None:
        if self.bar and self.task is not None:
            self.bar.update(self.task, advance=1, description=str(name)[:24])

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def pause(self) -> None:
        """Stop the bar's refresh thread (worker processes are forked from a single thread)."""
        if self.bar:
            self.bar.stop()

    def resume(self) -> None:
        if self.bar:
            self.bar.start()


def _read_budgets(path, problems: list) -> list[tuple[str, float, int]]:
    """(name, 万元, row) for every usable row; a row without a name or a usable amount (八万, 0,
    -5) or repeated is a problem, listed, and the other rows are used."""
    from jixiao.engine.carry import name_key
    from jixiao.engine.project_list import read_project_list

    out, seen = [], {}
    table = read_project_list(path, need_budget=True)
    for bad in table.problems:
        problems.append(("", bad.name, f"预算表{bad.text()}；这一行未使用"))
    for r in table.rows:
        key = name_key(r.name)
        if key in seen:
            problems.append(("", r.name, f"预算表第 {r.row} 行「{r.name}」与第 {seen[key]} 行重复，已忽略"))
            continue
        seen[key] = r.row
        out.append((r.name, float(r.budget), r.row))
    return out


def _make_fill(model, profile: str, use_feedback: bool = True):
    """fill(project, level2) for engine.carry: the suggest engine's picks of that 二级."""
    from jixiao.engine.suggest import rank, to_indicator

    cache: dict[str, object] = {}

    def fill(project, level2):
        # the draft suggest() would make, but only this category's indicators are built
        key = project.model_dump_json()
        if key not in cache:
            cache.clear()
            cache[key] = rank(model, project.model_copy(deep=True), profile=profile, use_feedback=use_feedback)
        ranking = cache[key]
        return [to_indicator(ranking.project, c) for c in ranking.chosen if c.level2 == level2]

    return fill


def _stamp(year: int):
    from jixiao.engine.writers.xlsx import xlsx_stamp

    return xlsx_stamp(year)


def _fmt_num(x) -> str:
    from jixiao.corpus.values import format_value

    return "" if x is None else format_value(None, x, None)


def run(args) -> int:
    from pathlib import Path

    from jixiao.corpus.errors import InputError

    from .common import err

    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        err(f"{outdir}：输出位置已存在且不是文件夹")
        return 2
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err(f"{outdir}：无法创建输出文件夹（{exc.strerror or type(exc).__name__}）")
        return 2
    problems: list[tuple[str, str, str]] = []          # (input file, name, message) not tied to a draft
    budgets: list[tuple[str, float, int]] = []
    if args.budgets:
        try:
            budgets = _read_budgets(args.budgets, problems)
        except InputError as exc:
            err(str(exc))
            return 2
    for raw in args.inputs:
        if not Path(raw).exists():
            err(f"{raw}：文件或文件夹不存在")
            return 2

    try:
        lock = _Lock(outdir).__enter__()
    except OSError:
        err(f"{outdir}：另一个 jixiao batch 正在写入这个文件夹，请等它结束后再运行")
        return 2
    try:
        return _run_locked(args, outdir, budgets, problems)
    finally:
        lock.__exit__(None, None, None)


def _run_locked(args, outdir, budgets, problems) -> int:
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import SUPPORTED, iter_input_files

    from .common import err, stdout_write
    from .summary import skipped_note, split_summaries
    from jixiao.engine.writers import OutputError

    _clean_temps(outdir)
    out_real = outdir.resolve()
    found = list(iter_input_files(args.inputs))
    files, summaries = split_summaries(f for f in found if not _inside(f, out_real))
    if summaries:
        err(skipped_note(summaries))
    if not files and found and not summaries:
        err(f"{outdir}：要读的申报表都在输出文件夹（-o）里，会被当作输出而不读入；"
            f"请用 -o 另指一个不包含输入的文件夹（例如 {outdir.name or '输出'}-{args.year}）")
        return 2
    if not files:
        kinds = " ".join(sorted(SUPPORTED))
        err(f"{'、'.join(args.inputs)}：没有找到可读取的申报表文件（支持 {kinds}）")
        return 2
    model = None
    try:
        with _Progress() as progress:
            items, failed_files = _read_all(files, progress, args.jobs)
            if items:
                model = _open_model(args.db)
            rows, written, skipped, screen = _carry_all(args, outdir, items, budgets, problems, model, progress)
    except InputError as exc:           # the catalogue could not be opened
        err(str(exc))
        return 2
    failed = len(failed_files) + sum(1 for r in rows if r["状态"] == FAILED)
    for f, exc in failed_files:
        rows.append(_problem_row(len(rows) + 1, str(f), "", FAILED, exc.problem))
    for f, name, message in problems:
        rows.append(_problem_row(len(rows) + 1, f, name, BUDGET_PROBLEM, message))
    summary, summary_problem = None, None
    try:
        summary = _write_summary(rows, outdir, _stamp(args.year))
    except OutputError as exc:         # a full disk: the screen still says which drafts failed
        summary_problem = str(exc)

    for f, exc in failed_files:
        err(str(exc))
    for row in rows:
        if row["状态"] == FAILED and row["项目名称"]:
            notes = row["问题与说明"].split("；")
            why = "；".join(n for n in notes if "失败" in n) or row["问题与说明"]   # the rest is in 汇总
            err(f"{row['输入文件']}：「{row['项目名称']}」{why}")
    for message in screen:
        err(message)
    for _, _, message in problems:
        err(message)
    projects = sum(1 for _, _, fl in items if fl.kind == "project")
    msg = (f"已顺延 {len(items)} 张表（项目 {projects}，部门整体 {len(items) - projects}）到 {args.year} 年："
           f"写入 {written} 份，已存在跳过 {skipped} 份" + ("（用 --force 覆盖）" if skipped else "")
           + (f"；汇总见 {summary[0]}、{summary[1]}" if summary else "；汇总表未能写出"))
    if failed:
        msg += f"；{failed} 项失败，" + ("见汇总" if summary else "见上")
    stdout_write(msg)
    if summary_problem:
        err(summary_problem)
        return 2
    if not budgets and not args.budgets and any(fl.kind == "project" for _, _, fl in items):
        err("成本指标需要新年度预算：加 --budgets 预算表（没有时预算沿用上年，总成本不重设）")
    return 2 if failed else 0


def _parse_in_worker(path):
    """(filings, None) or (None, the problem) for one file, in a reading worker."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import parse_file

    try:
        return parse_file(path), None
    except InputError as exc:
        return None, exc.problem


def _read_all(files, progress, n_jobs: int | None = None):
    """Every filing of every file, in input order; a bad file is kept as (file, InputError).

    Many files are read by worker processes (the filings come back in input order)."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parallel import ordered_map
    from jixiao.corpus.parse import parse_file

    items, failed = [], []                             # (file, table no., filing)
    progress.phase("读取", len(files))
    done = 0
    pool = _fork_pool(len(files), progress, n_jobs)
    if pool is not None:                   # a worker killed (memory?) stops it: the rest is read here
        for (filings, problem), f in zip(ordered_map(pool, _parse_in_worker, files), files):
            if problem is None:
                items.extend((f, n, filing) for n, filing in enumerate(filings, 1))
            else:
                failed.append((f, InputError(f, problem)))
            done += 1
            progress.advance(f.name)
    for f in files[done:]:
        try:
            items.extend((f, n, filing) for n, filing in enumerate(parse_file(f), 1))
        except InputError as exc:
            failed.append((f, exc))
        progress.advance(f.name)
    return items, failed


def _open_model(db):
    from jixiao.corpus.errors import InputError
    from jixiao.engine.model import EngineModel

    try:
        return EngineModel.open(db)
    except InputError:
        raise
    except Exception as exc:  # unreadable catalogue: say which file, no traceback
        from jixiao.catalogue.paths import default_db_path

        raise InputError(db or default_db_path(), f"无法打开指标库：{exc}") from None


class _Job:
    """What carrying one filing needs besides the filing (sent once to every worker)."""

    def __init__(self, args, outdir, stamp, db_path):
        self.year, self.format, self.force, self.profile = args.year, args.format, args.force, args.profile
        self.scale_costs = args.scale_costs
        self.use_feedback = not args.no_feedback
        self.budgets_given = bool(args.budgets)
        self.outdir, self.stamp, self.db_path = outdir, stamp, db_path


def _budget_doubt(job: _Job, filing, match) -> str | None:
    """Why a matched budget is not used (20× last year's or more, or under 1/20), or None."""
    from jixiao.engine.carry import budget_jump

    ratio = budget_jump(filing.budget, match.amount) if match else None
    if ratio is None:
        return None
    times = f"{ratio:.0f} 倍" if ratio >= 1 else f"1/{1 / ratio:.0f}"
    what = "元写成了万元" if ratio > 1 else "万元写成了元"
    said = (f"预算表中的 {_fmt_num(match.amount)} 万元是上年 {_fmt_num(filing.budget)} 万元的 {times}"
            f"（可能把{what}）")
    if job.force:
        return said + "，已按 --force 采用"
    return said + "，未采用（预算沿用上年）；核对无误后加 --force 采用"


def _carry_one(job: _Job, fill, task) -> tuple[dict, int, int, list[str]]:
    """Carry one filing and write its draft: (summary row, written 0/1, skipped 0/1, lines for
    the screen)."""
    from jixiao.engine.carry import carry_forward

    from jixiao.engine.writers import OutputError

    k, f, n, filing, match, fname, near = task
    budget = match.amount if match else None
    notes, screen = [], []
    if match and match.how == "fuzzy":
        notes.append(f"预算按相近名称「{match.name}」匹配（相似度 {match.score:g}）")
    elif job.budgets_given and not match:
        notes.append("预算表中没有这个项目" + (f"；预算表中相近的名称：{'、'.join(near)}" if near else ""))
    doubt = _budget_doubt(job, filing, match)
    if doubt:
        notes.append(doubt)
        screen.append(f"「{filing.name}」{doubt}")
        if not job.force:
            budget, match = None, None
    status, counts, draft, written, skipped = DONE, None, None, 0, 0
    try:
        draft, counts = carry_forward(filing, job.year, budget, fill=fill, profile=job.profile,
                                      scale_costs=job.scale_costs)
    except Exception as exc:  # one bad filing must not stop the others
        status = FAILED
        notes.append(f"顺延失败（{type(exc).__name__}）：{str(exc)[:120]}")
    target = job.outdir / fname
    if draft is not None:
        try:
            if job.force or not target.exists():
                _write_draft(draft, target, job.format, job.stamp)
                written = 1
            else:
                skipped = 1
        except (OutputError, ValueError) as exc:
            status = FAILED
            notes.append(f"写入失败：{exc}")
    row = _row(k, f, n, filing, draft, counts, budget, match, fname if status == DONE else "", status, notes)
    return row, written, skipped, screen


_WORKER: tuple | None = None          # (job, fill) in a worker process
_TASKS: list = []                     # the filings to carry, set before the workers are forked:
                                      # they inherit it, so only task numbers cross the pipe


def _init_worker(job: _Job) -> None:
    global _WORKER
    from jixiao.engine.model import EngineModel

    model = EngineModel.open(job.db_path)       # its own connection, never the parent's
    _WORKER = (job, _make_fill(model, job.profile, job.use_feedback))


def _carry_in_worker(i: int):
    job, fill = _WORKER
    return _carry_one(job, fill, _TASKS[i])


def _fork_pool(n_tasks: int, progress, n_jobs: int | None, initializer=None, initargs: tuple = ()):
    """corpus.parallel.fork_pool with the progress bar paused (its refresh thread stopped, so
    forking is safe); None when there are too few tasks or one job."""
    from jixiao.corpus.parallel import fork_pool, workers_for

    n = workers_for(n_tasks, PARALLEL_MIN_FILINGS, n_jobs)
    if not n:
        return None
    progress.pause()
    try:
        return fork_pool(n, initializer, initargs)
    finally:
        progress.resume()


def _carry_all(args, outdir, items, budgets, problems, model, progress):
    """Carry and write every filing; the summary rows, drafts written, drafts skipped and the
    lines to show on screen.

    With many filings the work is shared out over worker processes (--jobs / JIXIAO_JOBS);
    results come back in input order and are the same as carrying them here, so outputs stay
    byte-for-byte reproducible.  If a worker dies, the filings it had not finished are carried
    here."""
    from jixiao.corpus.parallel import ordered_map
    from jixiao.engine.carry import match_budgets, nearest_names, roll_forward

    from jixiao.engine.writers.safety import TakenNames, safe_filename

    # budgets by name, and output names in input order (the same on every run)
    next_names = [roll_forward(fl.name, max(0, args.year - (fl.year or args.year - 1))).text
                  for _, _, fl in items]
    matches, unmatched = match_budgets([[nn, fl.name] for nn, (_, _, fl) in zip(next_names, items)],
                                       [(n, b) for n, b, _ in budgets])
    budget_names = [n for n, _, _ in budgets]
    for j in unmatched:
        name, _, row = budgets[j]
        near = nearest_names(name, [fl.name for _, _, fl in items])
        hint = f"；申报表中相近的名称：{'、'.join(near)}" if near else ""
        problems.append(("", name, f"预算表第 {row} 行「{name}」没有匹配到任何申报表{hint}"))
    taken = TakenNames((f"{SUMMARY_STEM}.csv", f"{SUMMARY_STEM}.xlsx"))
    out_names = [safe_filename(nn, _EXT[args.format], taken) for nn in next_names]
    job = _Job(args, outdir, _stamp(args.year), model.db_path if model is not None else None)
    tasks = []
    for k, ((f, n, filing), match, fname) in enumerate(zip(items, matches, out_names), 1):
        near = nearest_names(filing.name, budget_names) if budgets and match is None else []
        tasks.append((k, f, n, filing, match, fname, near))

    rows, written, skipped, screen = [], 0, 0, []

    def take(result, task) -> None:
        nonlocal written, skipped
        row, w, s, said = result
        rows.append(row)
        written += w
        skipped += s
        screen.extend(said)
        progress.advance(task[3].name)

    global _TASKS
    progress.phase("顺延", len(tasks))
    _TASKS = tasks
    try:
        pool = _fork_pool(len(tasks), progress, args.jobs, _init_worker, (job,)) if model is not None else None
        if pool is not None:               # a worker killed (memory?) stops it: the rest is done here
            for result, task in zip(ordered_map(pool, _carry_in_worker, range(len(tasks))), tasks):
                take(result, task)
    finally:
        _TASKS = []
    fill = _make_fill(model, args.profile, not args.no_feedback) if model is not None else None
    for task in tasks[len(rows):]:
        take(_carry_one(job, fill, task), task)
    return rows, written, skipped, screen


def _row(k, f, n, filing, draft, counts, budget, match, fname, status, notes) -> dict:
    """One summary row, by column name (cli.summary.SUMMARY_HEADER)."""
    kind = "部门整体" if filing.kind == "department" else "项目"
    source = ""
    if match:
        source = f"预算表（{'精确匹配' if match.how == 'exact' else '相近名称'}：{match.name}）"
    elif draft is not None and draft.project.budget is not None:
        source = "沿用上年"
    c = counts.as_dict() if counts else {}
    problems = list(c.get("notes", [])) + notes
    if draft is not None:
        problems += [f"{x.rule.split()[0]} {x.message}" for x in draft.lint if x.severity == "error"]
    row = {
        "序号": k, "输入文件": str(f), "表序号": n,
        "项目名称": draft.project.name if draft is not None else filing.name, "类型": kind,
        "上年年度": filing.year or "", "目标年度": draft.project.year if draft is not None else "",
        "预算（万元）": _fmt_num(draft.project.budget if draft is not None else budget), "预算来源": source,
        "输出文件": fname, "状态": status, "问题与说明": "；".join(problems),
    }
    row.update({h: c.get(field, "") for h, field in COUNT_COLUMNS.items()})
    return row


def _problem_row(k, file, name, status, message) -> dict:
    row = dict.fromkeys(SUMMARY_HEADER, "")
    row.update({"序号": k, "输入文件": file, "项目名称": name, "状态": status, "问题与说明": message})
    return row
