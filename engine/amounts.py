"""Amounts of money as officers write them: "80", "80万", "80万元", "800000元", "1.2亿" → 万元.

    parse_amount(text) -> float | None     万元; None for an empty cell; AmountError otherwise
    AmountError                            str(e) is one Chinese line saying what is wrong

One reader for `jixiao suggest --budget`, budget tables (`batch --budgets`, `suggest --from`)
and the chat's budget question.  The text goes through the value grammar (corpus.values), so
full-width digits, thousands separators, spaces and a leading 约/共计 read as on the forms; the
money units and their scale to 万元 are data (data/amounts.json).  A bare number is 万元.  Zero,
negative amounts, bounds (≥80万元), rates (80万/年), other currencies and Chinese numerals
(八万) are refused with the reason.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

_CHINESE_DIGITS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")


class AmountError(ValueError):
    """An amount that cannot be used; str(e) says why, in Chinese."""


@lru_cache(maxsize=1)
def amount_data() -> dict:
    with resources.files("jixiao.engine").joinpath("data/amounts.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _round(x: float) -> float:
    return round(x, 6)


def parse_amount(text, bare_unit: str | None = None) -> float | None:
    """万元 for an amount written in any of the usual ways; None when the text is empty.

    bare_unit: the unit of a number written without one (default 万元; a column headed
    预算金额（元） gives 元)."""
    from jixiao.corpus.textkeys import folded_text
    from jixiao.corpus.values import parse_value

    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        if not math.isfinite(value):
            raise AmountError(f"金额“{text}”不是有限的数字")
        scale = amount_data()["to_wan"].get(bare_unit or amount_data()["bare_unit"], 1)
        return _checked(value * scale, str(text))
    raw = folded_text(str(text))
    if not raw:
        return None
    compact = raw.replace(" ", "")
    data = amount_data()
    ex = data["examples"]
    if compact[0] in "-−－" or compact.startswith("负"):
        raise AmountError(f"金额“{raw}”是负数；预算金额应大于 0")
    pv = parse_value(compact)
    if pv.kind != "number" or pv.number is None:
        if any(ch in _CHINESE_DIGITS for ch in compact) and not any(ch.isdigit() for ch in compact):
            raise AmountError(f"金额“{raw}”是汉字数字；请写阿拉伯数字，如 {ex}")
        raise AmountError(f"看不懂金额“{raw}”；请写成 {ex}（不写单位时按万元）")
    if pv.op not in (None, "="):
        raise AmountError(f"金额“{raw}”带有比较符号；请只写金额，如 {ex}")
    unit = pv.unit or bare_unit or data["bare_unit"]
    scale = data["to_wan"].get(unit)
    if scale is None:
        raise AmountError(f"金额“{raw}”的单位“{unit}”不是人民币金额单位；请写成 {ex}")
    return _checked(pv.number * scale, raw)


def _checked(wan: float, raw: str) -> float:
    from jixiao.corpus.limits import budget_range

    if wan < 0:
        raise AmountError(f"金额“{raw}”是负数；预算金额应大于 0")
    if wan == 0:
        raise AmountError(f"金额“{raw}”为 0；预算金额应大于 0")
    hi = budget_range()[1]
    if wan > hi:
        raise AmountError(f"金额“{raw}”超过 {hi:.0f} 万元的上限，多半是写错了单位")
    return _round(wan)


__all__ = ["AmountError", "amount_data", "parse_amount"]
