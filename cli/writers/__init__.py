"""Output writers shared by `suggest`, `chat` and `batch`: one per format.

    format_from_path(path) -> str | None     .xlsx xlsx · .md md · .json json · .jsonl jsonl ·
                                             .csv csv · .txt table; anything else None
    render(draft_or_list, fmt) -> str        "table" (terminal), "md", "json", "jsonl", "csv"
    write(draft_or_list, path, fmt=None, *, sync_dir=True)
                                             any of those or "xlsx", atomically; a list gives a JSON
                                             array, JSON lines, Markdown sections, one CSV, or one
                                             workbook with a form sheet per draft
    OutputError                              raised when a file cannot be written (Chinese message)

Formats:
  table  rich table for a terminal: facts, indicators with a short 依据, findings by severity
  md     Markdown: facts, indicator table, reasons by row number, findings
  json   the draft JSON documented in README (Draft.model_dump(mode="json"))
  jsonl  one compact draft per line
  csv    the budget-system import columns, one row per indicator, with 项目名称 first
  xlsx   official form layout + 系统导入 + 推荐依据 sheets (see .xlsx)
Summary tables (batch): write_csv, write_xlsx_rows, write_xlsx_sheets (see .tabular).
"""
from __future__ import annotations

from pathlib import Path

from .atomic import OutputError, write_text
from .tabular import write_csv, write_xlsx_rows, write_xlsx_sheets

__all__ = ["FORMATS", "OutputError", "format_from_path", "render", "write",
           "write_csv", "write_xlsx_rows", "write_xlsx_sheets"]

FORMATS = ("table", "md", "json", "jsonl", "csv", "xlsx")
_BY_SUFFIX = {".xlsx": "xlsx", ".md": "md", ".markdown": "md", ".json": "json", ".jsonl": "jsonl",
              ".csv": "csv", ".txt": "table"}
CSV_HEADER = ("项目名称", "一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据")


def format_from_path(path) -> str | None:
    """The output format a file name asks for, or None when its extension names none."""
    if not path:
        return None
    return _BY_SUFFIX.get(Path(str(path)).suffix.lower())


def _csv_rows(drafts):
    from .explain import import_row

    return [(d.project.name,) + import_row(i) for d in drafts for i in d.indicators]


def render(drafts, fmt: str, *, width: int | None = None, color: bool | None = None) -> str:
    """Text of one draft or a list of drafts in `fmt` (every format but xlsx)."""
    if fmt == "table":
        from .table import render_tables

        return render_tables(drafts, width, color)
    if fmt == "md":
        from .markdown import render_md

        return render_md(drafts)
    if fmt == "json":
        from .jsonout import render_json

        return render_json(drafts)
    if fmt == "jsonl":
        from .jsonout import render_jsonl

        return render_jsonl(drafts)
    if fmt == "csv":
        from .tabular import csv_text

        return csv_text(_csv_rows(drafts if isinstance(drafts, list) else [drafts]), CSV_HEADER)
    if fmt == "xlsx":
        raise ValueError("xlsx 是二进制格式，不能显示为文本；请用 -o 指定 .xlsx 文件")
    raise ValueError(f"不支持的输出格式：{fmt}（可用：{'、'.join(FORMATS)}）")


def write(drafts, path, fmt: str | None = None, *, sync_dir: bool = True) -> None:
    """Write one draft or a list of drafts to `path` atomically (parent folders created).

    `fmt` defaults to the one the extension names.  sync_dir=False leaves syncing the folder to
    the caller (see .atomic).  Raises OutputError when the file cannot be written and ValueError
    for an unknown format."""
    fmt = fmt or format_from_path(path)
    if fmt is None:
        raise ValueError(f"无法从文件名 {path} 判断输出格式，请用 --format 指定")
    if fmt == "xlsx":
        from .xlsx import write_xlsx

        write_xlsx(drafts, path, sync_dir=sync_dir)
    elif fmt == "csv":
        write_csv(_csv_rows(drafts if isinstance(drafts, list) else [drafts]), CSV_HEADER, path, sync_dir=sync_dir)
    elif fmt == "table":
        write_text(path, render(drafts, "table", color=False) + "\n", sync_dir=sync_dir)
    else:
        text = render(drafts, fmt)
        write_text(path, text if text.endswith("\n") else text + "\n", sync_dir=sync_dir)
