"""jixiao — 绩效目标表指标推荐引擎 (offline indicator recommendation for budget performance target tables)."""
