"""The batch workflow: last year's filings → next year's drafts, one file each, plus a summary.

    run_batch(request, progress=None, note=None) -> BatchResult
    BatchRequest      inputs, target year, output folder, budget table, draft format, options
    BatchResult       the summary rows and counts, what went wrong, where the summary went
    BatchError        the run could not start (message for the officer, in Chinese)

Every run reads all inputs, carries every filing forward (engine.carry) and rebuilds 汇总.csv and
汇总.xlsx from all of them; a draft file that already exists is left as it is (the officer may
have edited it) unless force.  Outputs are written atomically and are byte-for-byte
reproducible — file names are assigned in input order, .xlsx files carry a fixed timestamp
(writers.xlsx.xlsx_stamp: 1 January of the target year, or SOURCE_DATE_EPOCH) — so a batch
killed halfway and run again ends exactly like one uninterrupted run.  One batch at a time may
write into an output folder (outdir.OutputLock).

Budget tables are read row by row (engine.project_list): a bad cell makes its row a listed
problem, amounts are read as officers write them (80、80万元、800000元), and a budget more than 20×
or under 1/20 of last year's is listed and not used unless force (likely 元 written for 万元).  An
input may be an earlier batch's output folder: its drafts are filings, its 汇总 files are skipped
(summary.split_summaries).

Modules: run (run_batch and its records), summary (the 汇总 columns and SummaryRow), budgets,
inputs (reading), carrying, outdir (lock, temporary files, writing), formats (draft
formats), workers (forking under a progress bar).  The package itself loads nothing until one of
the names above is used.
"""

_RUN_NAMES = ("run_batch", "BatchRequest", "BatchResult", "BatchError")


def __getattr__(name):
    if name in _RUN_NAMES:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
