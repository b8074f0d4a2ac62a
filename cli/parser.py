"""argparse in Chinese: usage, help and every error, with did-you-mean for commands and options.

    ChineseParser        ArgumentParser whose help reads 用法 / 位置参数 / 选项 / 显示帮助并退出,
                         whose errors are one Chinese line after the usage (exit status 2), and
                         which suggests the nearest command, choice or option (rapidfuzz) for a
                         misspelling: `jixiao sugest` → 您是不是要输入：suggest
    ChineseHelpFormatter HelpFormatter that wraps and aligns by display width (a CJK character
                         is two columns)
    VersionAction        --version: the installed version, read only when asked
    year_arg, amount_arg type= functions for --year (a new project's years, corpus.limits) and money
                         (80、80万、800000元, engine.amounts)

argparse builds its own texts with gettext; instead of patching gettext, the parser sets its
group titles and help option itself and translates the error messages argparse hands to
`error()` (the templates below are the English ones of argparse 3.10–3.13).  Nothing here is
imported by anything but the command line, and rapidfuzz only on an error.
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata

PROG = "jixiao"
SUGGEST_CUTOFF = 60          # rapidfuzz WRatio a near name needs to be suggested

USAGE_PREFIX = "用法："
POSITIONALS_TITLE = "位置参数"
OPTIONALS_TITLE = "选项"
HELP_HELP = "显示帮助并退出"
VERSION_HELP = "显示版本号并退出"

_HEADING = re.compile(r"^([^\s:][^\n:]{0,19}[\u4e00-\u9fff]):$", re.M)
_TYPE_NAMES = {"int": "整数", "float": "数字", "_jobs": "整数", "_positive": "正整数"}


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns, breaking at spaces for Latin text and between
    any two characters of CJK text."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line, used = "", 0
        for token in re.findall(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef"
                                r"\u3000-\u303f]+|\s+", para):
            if token.isspace():
                if line and used + 1 <= width:
                    line, used = line + " ", used + 1
                continue
            w = display_width(token)
            if used + w > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            if re.match(r"[，。；、：）」』]", token) and lines and not line:   # no line starts with these
                lines[-1] += token
                continue
            line, used = line + token, used + w
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=30, width=None):
        if width is None:
            import shutil

            width = min(max(shutil.get_terminal_size((100, 24)).columns, 60), 120) - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def format_help(self):
        # section headings as Chinese text writes them: 选项： rather than 选项:
        return _HEADING.sub(lambda m: m.group(1) + "：", super().format_help())

    def _split_lines(self, text, width):
        return _wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))

    def _format_action(self, action):
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = display_width(invocation) - len(invocation)
        if extra <= 0:
            return text
        first, nl, rest = text.partition("\n")
        # the help follows the invocation on its line: take back the columns the CJK characters
        # of the invocation took beyond their length
        at = first.find(invocation)
        if at >= 0:
            tail = first[at + len(invocation):]
            gap = len(tail) - len(tail.lstrip(" "))
            if tail.strip() and gap - extra >= 2:
                first = first[:at + len(invocation)] + " " * (gap - extra) + tail.lstrip(" ")
        return first + nl + rest


class VersionAction(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=VERSION_HELP):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"{PROG} {version()}\n")
        parser.exit(0)


def version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version as dist_version

        return dist_version(PROG)
    except (ImportError, PackageNotFoundError):
        return "（未安装：源代码目录）"


def nearest(word: str, choices, n: int = 1, cutoff: float = SUGGEST_CUTOFF) -> list[str]:
    """The choices closest to a misspelt word (rapidfuzz), best first."""
    from rapidfuzz import fuzz, process

    choices = [c for c in dict.fromkeys(choices) if c]
    if not word or not choices:
        return []
    got = process.extract(word, choices, scorer=fuzz.WRatio, limit=n, score_cutoff=cutoff)
    return [c for c, _, _ in got]


# argparse's English error texts → Chinese (patterns over the message argparse builds)
_CHOICE = re.compile(r"^invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)$", re.S)
_ARGUMENT = re.compile(r"^argument (?P<name>.+?): (?P<message>.*)$", re.S)
_RULES = [
    (re.compile(r"^the following arguments are required: (.*)$", re.S),
     lambda m: "缺少必需的参数：" + "、".join(x.strip() for x in m.group(1).split(", "))),
    (re.compile(r"^one of the arguments (.*) is required$", re.S), lambda m: f"以下参数必须给出其中一个：{m.group(1)}"),
    (re.compile(r"^unrecognized arguments: (.*)$", re.S), lambda m: f"无法识别的参数：{m.group(1)}"),
    (re.compile(r"^expected one argument$"), lambda m: "需要一个值"),
    (re.compile(r"^expected at most one argument$"), lambda m: "最多只能给一个值"),
    (re.compile(r"^expected at least one argument$"), lambda m: "至少需要一个值"),
    (re.compile(r"^expected (\d+) arguments?$"), lambda m: f"需要 {m.group(1)} 个值"),
    (re.compile(r"^not allowed with argument (.*)$"), lambda m: f"不能与参数 {m.group(1)} 同时使用"),
    (re.compile(r"^ignored explicit argument (.*)$"), lambda m: f"这个选项不接受值：{m.group(1)}"),
    (re.compile(r"^ambiguous option: (\S+) could match (.*)$", re.S),
     lambda m: f"选项 {m.group(1)} 不明确，可能是：{m.group(2)}"),
    (re.compile(r"^invalid (?P<type>\w+) value: (?P<value>.*)$", re.S),
     lambda m: f"不是有效的{_TYPE_NAMES.get(m.group('type'), '值')}：{_unquote(m.group('value'))}"),
    (re.compile(r"^unexpected option string: (.*)$"), lambda m: f"不应出现的选项：{m.group(1)}"),
    (re.compile(r"^cannot have multiple subparser arguments$"), lambda m: "只能给出一个命令"),
]


def _unquote(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    return t


def _choices(text: str) -> list[str]:
    return [_unquote(c) for c in re.split(r",\s*", text) if c.strip()]


class ChineseParser(argparse.ArgumentParser):
    """argparse.ArgumentParser with Chinese help and errors (see the module doc)."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = POSITIONALS_TITLE
        self._optionals.title = OPTIONALS_TITLE
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_HELP)

    # -- errors --------------------------------------------------------------------------------
    def translate(self, message: str) -> str:
        """argparse's English message → one Chinese line, with a did-you-mean when it helps."""
        m = _ARGUMENT.match(message)
        if m:
            name = "命令" if m.group("name") in ("命令", "子命令") else m.group("name")
            inner = self.translate(m.group("message"))
            return inner if inner.startswith(("无效的命令", "无效的子命令")) else f"参数 {name}：{inner}"
        m = _CHOICE.match(message)
        if m:
            value, choices = _unquote(m.group("value")), _choices(m.group("choices"))
            what = "无效的命令" if self._is_command_choice(choices) else "无效的选择"
            text = f"{what}：{value}（可选：{'、'.join(choices)}）"
            near = nearest(value, choices)
            return text + (f"。您是不是要输入：{near[0]}" if near else "")
        for rx, make in _RULES:
            m = rx.match(message)
            if m:
                return make(m)
        return message

    def _is_command_choice(self, choices: list[str]) -> bool:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and set(choices) <= set(action.choices):
                return True
        return False

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{PROG}：参数错误：{self.translate(str(message))}", file=sys.stderr)
        print(f"（{self.prog} --help 查看全部参数）", file=sys.stderr)
        raise SystemExit(2)

    # -- unknown options, answered by the (sub)command they were given to ---------------------
    def parse_args(self, args=None, namespace=None):
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            target = self._command_parser(ns)
            target.error(target.unknown_message(extras))
        return ns

    def _command_parser(self, ns) -> "ChineseParser":
        parser = self
        while True:
            sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            name = getattr(ns, sub.dest, None) if sub is not None else None
            if sub is None or name not in sub.choices:
                return parser
            parser = sub.choices[name]

    def option_names(self) -> list[str]:
        return [s for a in self._actions for s in a.option_strings if s.startswith("--")]

    def unknown_message(self, extras: list[str]) -> str:
        text = "无法识别的参数：" + " ".join(extras)
        for word in extras:
            if word.startswith("-") and len(word) > 1:
                near = nearest(word.split("=", 1)[0], self.option_names())
                if near:
                    return text + f"。您是不是要输入：{near[0]}"
        return text


def year_arg(text: str) -> int:
    """--year: a four-digit year in a new project's range (corpus.limits: 2000–2100)."""
    from jixiao.corpus.limits import year_range
    from jixiao.corpus.textkeys import FULL_WIDTH_ASCII

    lo, hi = year_range("project")
    t = str(text).strip().translate(FULL_WIDTH_ASCII)
    t = re.sub(r"年度?$", "", t)
    if not re.fullmatch(r"[0-9]{4}", t) or not lo <= int(t) <= hi:
        raise argparse.ArgumentTypeError(f"年度应为 {lo}–{hi} 之间的四位年份（如 2026）：{text}")
    return int(t)


def amount_arg(text: str) -> float:
    """--budget: an amount as officers write it (80、80万、80万元、800000元) in 万元."""
    from jixiao.engine.amounts import AmountError, parse_amount

    try:
        value = parse_amount(text)
    except AmountError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("请写出预算金额，如 80 或 80万元")
    return value
