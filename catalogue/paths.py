"""Where the default catalogue lives: $JIXIAO_DB, else the user's data folder."""
from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """$JIXIAO_DB, else $XDG_DATA_HOME/jixiao/catalogue.db (~/.local/share when unset)."""
    env = os.environ.get("JIXIAO_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "jixiao" / "catalogue.db"
