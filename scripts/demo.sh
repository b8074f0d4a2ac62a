#!/usr/bin/env bash
# Set up (if needed) and run the main job: draft a performance target table for a new project
# from the shipped default catalogue (built on first use from the seed filings).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jixiao suggest "12345政务服务便民热线运行维护" \
  --desc "保障12345热线全年24小时运行，受理群众诉求约10000件，完善知识库50条，提高按时办结率和群众满意度" \
  --budget 80 --year 2025 --dept "某县政务服务管理局" "$@"
