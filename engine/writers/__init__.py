"""Output writers shared by `suggest`, `chat` and `batch`: one per format.

    format_from_path(path) -> str | None     .xlsx xlsx · .docx docx · .md md · .json json ·
                                             .jsonl jsonl · .csv csv · .txt table; anything else None
    output_format(path, fmt=None) -> str     the format to write `path` in, or OutputError when
                                             jixiao cannot write that name (x.xls, x.pdf, a name
                                             without extension and no --format, x.json --format md)
    render(draft_or_list, fmt) -> str        "table" (terminal), "md", "json", "jsonl", "csv"
    write(draft_or_list, path, fmt=None, *, sync_dir=True)
                                             any of those, "xlsx" or "docx", atomically; a list gives
                                             a JSON array, JSON lines, Markdown sections, one CSV, one
                                             workbook with a form sheet per draft, or one Word
                                             document with a form per draft
    OutputError                              raised when a file cannot be written (Chinese message)

Formats:
  table  rich table for a terminal: facts, indicators with a short 依据, findings by severity
  md     Markdown: facts, indicator table, reasons by row number, findings
  json   the draft JSON documented in README (Draft.model_dump(mode="json"))
  jsonl  one compact draft per line
  csv    the budget-system import columns, one row per indicator, with 项目名称 first
  xlsx   official form layout + 系统导入 + 推荐依据 sheets (see .xlsx)
  docx   official form as a Word document: header and indicator table with merged 一级/二级 cells,
         then the reasons (see .word)
Summary tables (batch): write_csv, write_xlsx_rows, write_xlsx_sheets (see .tabular).
"""
from __future__ import annotations

from pathlib import Path

from .atomic import OutputError, write_text
from .tabular import write_csv, write_xlsx_rows, write_xlsx_sheets

__all__ = ["FORMATS", "OutputError", "format_from_path", "output_format", "render", "write",
           "write_csv", "write_xlsx_rows", "write_xlsx_sheets"]

FORMATS = ("table", "md", "json", "jsonl", "csv", "xlsx", "docx")
_BY_SUFFIX = {".xlsx": "xlsx", ".docx": "docx", ".md": "md", ".markdown": "md", ".json": "json",
              ".jsonl": "jsonl", ".csv": "csv", ".txt": "table"}
BINARY = ("xlsx", "docx")
CSV_HEADER = ("项目名称", "一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标值设定依据")


def format_from_path(path) -> str | None:
    """The output format a file name asks for, or None when its extension names none."""
    if not path:
        return None
    return _BY_SUFFIX.get(Path(str(path)).suffix.lower())


def output_format(path, fmt: str | None = None) -> str:
    """The format `path` is written in: --format when given (its extension must not name another
    format), else the extension's.  OutputError (Chinese, names the file) for a name jixiao
    cannot write — x.xls, x.doc, x.pdf, a name without an extension and no --format."""
    known = "、".join(sorted(_BY_SUFFIX))
    by_name = format_from_path(path)
    suffix = Path(str(path)).suffix.lower()
    if fmt:
        if by_name and by_name != fmt:
            raise OutputError(path, f"扩展名 {suffix} 与 --format {fmt} 不一致，请改用一致的文件名")
        if suffix and by_name is None:
            raise OutputError(path, f"jixiao 不能写出 {suffix} 文件（可写：{known}）")
        return fmt
    if by_name is None:
        if suffix:
            hint = "；Excel 请用 .xlsx，Word 请用 .docx" if suffix in (".xls", ".doc", ".wps", ".et") else ""
            raise OutputError(path, f"jixiao 不能写出 {suffix} 文件（可写：{known}）{hint}")
        raise OutputError(path, "文件名没有扩展名，无法判断输出格式；请写 .xlsx、.docx、.md、.json 等，"
                                "或用 --format 指定")
    return by_name


def _csv_rows(drafts):
    from .explain import import_row

    return [(d.project.name,) + import_row(i) for d in drafts for i in d.indicators]


# text formats: the module (below this package) and function that render them, loaded on use
_TEXT_RENDERERS = {"md": (".markdown", "render_md"), "json": (".jsonout", "render_json"),
                   "jsonl": (".jsonout", "render_jsonl")}


def render(drafts, fmt: str, *, width: int | None = None, color: bool | None = None) -> str:
    """Text of one draft or a list of drafts in `fmt` (every format but xlsx)."""
    if fmt == "table":
        from .table import render_tables

        return render_tables(drafts, width, color)
    if fmt == "csv":
        from .tabular import csv_text

        return csv_text(_csv_rows(drafts if isinstance(drafts, list) else [drafts]), CSV_HEADER)
    if fmt in _TEXT_RENDERERS:
        from importlib import import_module

        module, function = _TEXT_RENDERERS[fmt]
        return getattr(import_module(module, __name__), function)(drafts)
    if fmt in BINARY:
        raise ValueError(f"{fmt} 是二进制格式，不能显示为文本；请用 -o 指定 .{fmt} 文件")
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
    elif fmt == "docx":
        from .word import write_docx

        write_docx(drafts, path, sync_dir=sync_dir)
    elif fmt == "csv":
        write_csv(_csv_rows(drafts if isinstance(drafts, list) else [drafts]), CSV_HEADER, path, sync_dir=sync_dir)
    elif fmt == "table":
        write_text(path, render(drafts, "table", color=False) + "\n", sync_dir=sync_dir)
    else:
        text = render(drafts, fmt)
        write_text(path, text if text.endswith("\n") else text + "\n", sync_dir=sync_dir)
