"""What the officer typed, as an Action.

Parsing knows nothing of the draft: references stay as numbers (as shown on screen) or name
fragments, and the session resolves them.  Command words, field words and the verbs of free
phrases are data (data/commands.json).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from jixiao.corpus.categories import LEVEL2_CANON, SHORT, level2_of
from jixiao.corpus.textkeys import folded_text

Ref = int | str   # a number as shown on screen (1-based) or a fragment of an indicator's name


@dataclass(frozen=True)
class Action:
    kind: str                     # empty select remove edit add swap why back next goto table
                                  # export undo help quit unknown
    refs: tuple[Ref, ...] = ()
    field: str = "value"          # edit: value | name | basis
    text: str = ""                # edit: new text; add: name; goto: target; export: path
    value: str = ""               # add: the value given with the name
    category: str | None = None   # add: a category written before the name


@lru_cache(maxsize=1)
def vocab() -> dict:
    with resources.files("jixiao.cli.chat").joinpath("data/commands.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _command_words() -> list[tuple[str, str]]:
    """(word, command) pairs, longest word first so 删除 wins over 删."""
    pairs = [(w, cmd) for cmd, spec in vocab()["commands"].items() for w in spec["words"]]
    return sorted(pairs, key=lambda p: -len(p[0]))


_SPACES = re.compile(r"[\s\u3000]+")
_LIST_SEP = re.compile(r"[\s\u3000,，、;；]+")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_TRAILING = "。.!！?？~～ "


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def number_of(token: str) -> int | None:
    """'3', '３', '第三个', '第12条', '二' → the number; anything else → None."""
    m = re.match(vocab()["ordinal"], token.strip())
    if not m:
        return None
    n = m.group("n").translate(_DIGITS)
    if n.isdigit():
        return int(n)
    digits = vocab()["numerals"]
    if len(n) == 1:
        return digits[n]
    if n.startswith("十"):                      # 十二 → 12
        return 10 + (digits[n[1]] if len(n) == 2 and n[1] != "十" else 0)
    if len(n) == 2 and n[1] == "十":            # 二十 → 20
        return digits[n[0]] * 10
    if len(n) == 3 and n[1] == "十":            # 二十三 → 23
        return digits[n[0]] * 10 + digits[n[2]]
    return None


def ref_of(token: str) -> Ref:
    frag = _strip_fillers(token)
    n = number_of(frag)
    return n if n is not None else frag


def category_of(text: str) -> str | None:
    """A canonical 二级 from its full name, short name (质量, 满意度), a unique prefix of a
    short name (社会 → 社会效益指标) or any spelling real forms use."""
    t = _SPACES.sub("", text or "").strip("：:")
    if not t:
        return None
    if t in LEVEL2_CANON:
        return t
    for l2, short in SHORT.items():
        if t == short:
            return l2
    hit = level2_of(t)
    if hit:
        return hit
    prefixed = [l2 for l2, short in SHORT.items() if short.startswith(t) or l2.startswith(t)]
    return prefixed[0] if len(prefixed) == 1 else None


def normalise_value(text: str) -> str:
    """An officer's value as the forms write it: full-width ASCII folded, >= → ≥."""
    v = folded_text(text)
    for a, b in vocab()["value_ops"].items():
        v = v.replace(a, b)
    return v


def looks_like_value(token: str) -> bool:
    """Whether an officer's word is a 指标值 by the value grammar: a number, a deadline, a grade
    (有效提升), or a short qualitative phrase that opens with one of the grammar's qualitative
    words (持续完善, 进一步规范) — not a name that happens to start with one (有效投诉率)."""
    from jixiao.corpus.values import parse_value, vague_words

    t = normalise_value(token)
    if not t:
        return False
    if t[0] in "≥≤<>=" or t[0].isdigit():
        return True
    if parse_value(t).kind in ("number", "deadline", "grade"):
        return True
    phrase = vocab()["value_phrase"]
    return (len(t) <= phrase["max_chars"] and all(_is_cjk(ch) for ch in t)
            and t[-1] not in phrase["name_endings"]
            and any(t.startswith(w) and len(t) > len(w) for w in vague_words()))


def _strip_fillers(text: str) -> str:
    t = text.strip().strip(_TRAILING).strip("“”\"'‘’「」")
    ph = vocab()["phrases"]
    for w in sorted(ph["filler_before"], key=len, reverse=True):
        if t.startswith(w) and len(t) > len(w):
            t = t[len(w):]
            break
    for w in sorted(ph["filler_after"], key=len, reverse=True):
        if t.endswith(w) and len(t) > len(w):
            t = t[: -len(w)]
            break
    return t.strip().strip("“”\"'‘’「」")


def _split_command(line: str) -> tuple[str, str] | None:
    """(command, rest) when the line starts with a command word."""
    low = line.lower()
    for word, cmd in _command_words():
        if not low.startswith(word.lower()):
            continue
        rest = line[len(word):]
        nxt = rest[:1]
        if word in ("?", "？"):
            ok = not rest.strip()
        elif len(word) == 1 and _is_cjk(word) or word.isascii():
            ok = not nxt or nxt.isspace() or nxt == "\u3000" or nxt.translate(_DIGITS).isdigit()
        else:
            ok = True
        if ok:
            return cmd, rest.strip()
    return None


def _refs(rest: str) -> tuple[Ref, ...]:
    """'2 3' / '2,3' / '第二个' → numbers; anything else is one name fragment."""
    tokens = [t for t in _LIST_SEP.split(rest) if t]
    nums = [number_of(t) for t in tokens]
    if tokens and all(n is not None for n in nums):
        return tuple(nums)
    frag = _strip_fillers(rest)
    return (frag,) if frag else ()


def _field_prefix(tail: str) -> tuple[str, str]:
    """'名称 新名字' → ('name', '新名字'); a plain value → ('value', value)."""
    words = sorted(((w, f) for f, ws in vocab()["edit_fields"].items() for w in ws), key=lambda p: -len(p[0]))
    for w, f in words:
        if tail.lower().startswith(w.lower()):
            after = tail[len(w):]
            if not after or after[0] in " ：:" or _is_cjk(w[-1]):
                return f, after.strip().lstrip("：:").strip()
    return "value", tail


def _edit(rest: str) -> Action:
    m = re.match(r"^([0-9０-９]+)\s*(.*)$", rest, re.S)
    if m:
        ref: Ref = int(m.group(1).translate(_DIGITS))
        tail = m.group(2).strip()
    else:
        head, _, tail = rest.partition(" ")
        ref, tail = ref_of(head), tail.strip()
    field, text = _field_prefix(tail)
    return Action("edit", refs=(ref,) if ref != "" else (), field=field,
                  text=normalise_value(text) if field == "value" else text)


def _add(rest: str) -> Action:
    from jixiao.corpus.values import split_fused

    tokens = rest.split()
    category = None
    if len(tokens) >= 2 and category_of(tokens[0]):
        category = category_of(tokens[0])
        tokens = tokens[1:]
    value = ""
    if len(tokens) >= 2 and looks_like_value(tokens[-1]):
        value = normalise_value(tokens[-1])
        tokens = tokens[:-1]
    name = " ".join(tokens)
    if not value and len(tokens) == 1:
        n, v = split_fused(name)
        if v:
            name, value = n, normalise_value(v)
    return Action("add", text=name.strip(), value=value, category=category)


def _field_suffix(head: str) -> tuple[str, str]:
    """'满意度的名称' → ('name', '满意度'); anything else → ('value', head)."""
    words = sorted(((w, f) for f, ws in vocab()["edit_fields"].items() for w in ws), key=lambda p: -len(p[0]))
    for w, f in words:
        if head.endswith(w) and len(head) > len(w):
            return f, head[: -len(w)].rstrip("的 ")
    return "value", head


def _phrase(line: str) -> Action | None:
    """Free phrases: 满意度改成≥98%, 不要第二个, 第一个换掉, 为什么有满意度."""
    ph = vocab()["phrases"]
    t = line.strip().rstrip(_TRAILING)
    for verb in sorted(ph["edit"], key=len, reverse=True):
        head, sep, tail = t.partition(verb)
        if sep and head.strip() and tail.strip():
            head = head.strip()
            field, head = _field_suffix(head)
            ref = ref_of(head)
            if ref == "":
                return None
            text = normalise_value(tail) if field == "value" else tail.strip()
            return Action("edit", refs=(ref,), field=field, text=text)
    for kind in ("remove", "swap", "why"):
        for verb in sorted(ph[f"{kind}_before"], key=len, reverse=True):
            if t.startswith(verb) and len(t) > len(verb):
                ref = ref_of(t[len(verb):])
                if ref != "":
                    return Action(kind, refs=(ref,))
        for verb in sorted(ph[f"{kind}_after"], key=len, reverse=True):
            if t.endswith(verb) and len(t) > len(verb):
                ref = ref_of(t[: -len(verb)])
                if ref != "":
                    return Action(kind, refs=(ref,))
    return None


def parse(line: str) -> Action:
    """One line of input → one Action.  Never raises."""
    text = _SPACES.sub(" ", line or "").strip()
    if not text:
        return Action("empty")
    if re.fullmatch(r"[0-9０-９]+([\s,，、;；]+[0-9０-９]+)*", text):
        return Action("select", refs=tuple(int(t.translate(_DIGITS)) for t in _LIST_SEP.split(text) if t))
    hit = _split_command(text)
    if hit and hit[1] and not text[len(text) - len(hit[1]) - 1].isspace():
        # a long word running into its argument (为什么有满意度) may be a phrase
        phrase = _phrase(text)
        if phrase and phrase.kind == hit[0]:
            return phrase
    if hit:
        cmd, rest = hit
        if cmd in ("remove", "swap", "why"):
            return Action(cmd, refs=_refs(rest))
        if cmd == "edit":
            return _edit(rest)
        if cmd == "add":
            return _add(rest)
        if cmd in ("goto", "export"):
            return Action(cmd, text=rest.strip().strip("\"'“”"))
        return Action(cmd)
    return _phrase(text) or Action("unknown", text=text)
