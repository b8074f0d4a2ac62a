#!/usr/bin/env bash
# Create .venv (Python >= 3.10) and install jixiao with its test tools. Idempotent and quiet:
# re-installs only when pyproject.toml changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "jixiao 需要 Python 3.10 或更高版本")'
  "$PY" -m venv .venv
fi
stamp=.venv/.jixiao-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  # An editable install of a package-dir mapping always ends with setuptools' informational
  # "Editable installation." notice (nothing is wrong); it is filtered by its message only.
  PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$want" > "$stamp"
fi
