"""The batch's draft formats and the extension of each (importable without loading the workflow:
the CLI's start-up offers them)."""

DRAFT_FORMATS = {"xlsx": "xlsx", "docx": "docx", "json": "json", "md": "md"}     # format -> extension
