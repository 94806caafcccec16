"""What every report shares about words: statuses as a person reads them, and plain text laid
out by display width (a Chinese character takes two terminal columns).

- :func:`check_status` / :func:`exercise_status`: ``fail`` -> "fail" / "未通过"; the JSON keeps
  the status itself (``"fail"``), whatever the language.
- :func:`width`, :func:`ljust`, :func:`wrap`: ``textwrap`` and ``str.ljust`` count characters;
  these count terminal columns (East Asian wide and full-width characters are two), and break
  Chinese text between characters, never before a closing mark (，。；：）).  Text without
  wide characters is wrapped by ``textwrap`` itself, so English reports are unchanged.

Only the standard library: the kernel's ``check()`` renders with it too.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata

from grader.i18n import N_, _

CHECK_STATUSES = {"pass": N_("pass"), "fail": N_("fail"), "error": N_("error"),
                  "timeout": N_("timeout"), "crash": N_("crash"),
                  "not-implemented": N_("not-implemented")}
EXERCISE_STATUSES = {"complete": N_("complete"), "partial": N_("partial"),
                     "failed": N_("failed"), "not-implemented": N_("not-implemented"),
                     "unavailable": N_("unavailable"),
                     # grade batch's statuses of a whole submission
                     "graded": N_("graded"), "crashed": N_("crashed"),
                     "malformed": N_("malformed")}


def check_status(status: str) -> str:
    """A check's status as shown (``not-implemented`` -> "not-implemented" / "尚未实现")."""
    label = CHECK_STATUSES.get(status)
    return _(label) if label else status


def exercise_status(status: str) -> str:
    """An exercise's (or a submission's) status as shown."""
    label = EXERCISE_STATUSES.get(status) or CHECK_STATUSES.get(status)
    return _(label) if label else status


def hidden_sentence(hidden: dict) -> str:
    """In a student release: the hidden checks exist and are graded at submission."""
    count, pts = hidden.get("checks", 0), _number(hidden.get("points", 0))
    if count == 1:
        return _("Only the public checks ran here. 1 hidden check ({points} points) is graded "
                 "when you submit: passing every public check does not mean full marks.",
                 points=pts)
    return _("Only the public checks ran here. {count} hidden checks ({points} points) are "
             "graded when you submit: passing every public check does not mean full marks.",
             count=count, points=pts)


def _number(x) -> str:
    try:
        x = round(float(x), 6)
    except (TypeError, ValueError):
        return str(x)
    return str(int(x)) if x == int(x) else str(x)


def width(text: str) -> int:
    """Terminal columns: wide and full-width characters count two, combining marks none."""
    columns = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        columns += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return columns


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


# a run of narrow non-space characters (a word, a number, code), spaces, or one wide character
_TOKENS = re.compile(r"[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                     r"\uff00-\uff60\uffe0-\uffe6]+|\s+|.", re.S)
_NO_LINE_START = set("，。；：、！？）」』》〉】…,.;:!?)]}")
_NO_LINE_END = set("（「『《〈【([{")


def wrap(text: str, columns: int, initial_indent: str = "", subsequent_indent: str = "",
         break_long_words: bool = True, break_on_hyphens: bool = False,
         replace_whitespace: bool = True) -> list[str]:
    """``textwrap.wrap`` by display width (see the module's docstring)."""
    if not any(_is_wide(c) for c in text):
        return textwrap.wrap(text, columns, initial_indent=initial_indent,
                             subsequent_indent=subsequent_indent,
                             break_long_words=break_long_words,
                             break_on_hyphens=break_on_hyphens,
                             replace_whitespace=replace_whitespace)
    text = re.sub(r"\s+", " ", text.strip())
    lines: list[str] = []
    line, empty = initial_indent, True
    for token in _glued(_TOKENS.findall(text)):
        if token.isspace():
            if not empty:
                line += " "
            continue
        if width(line) + width(token) <= columns or (not empty and token in _NO_LINE_START):
            line, empty = line + token, False
            continue
        if not empty:
            lines.append(line.rstrip())
            line, empty = subsequent_indent, True
        while width(line) + width(token) > columns and break_long_words:
            room = columns - width(line)       # a word longer than a line: cut it
            cut = 0
            while cut < len(token) and width(token[:cut + 1]) <= room:
                cut += 1
            if cut == 0:
                break
            lines.append(line + token[:cut])
            line, token = subsequent_indent, token[cut:]
        line, empty = line + token, not token
    if not empty:
        lines.append(line.rstrip())
    return lines


def _glued(tokens: list[str]) -> list[str]:
    """An opening mark (（, [) and the token after it travel together: never "[" at the end
    of one line and "出错]" on the next."""
    out: list[str] = []
    carry = ""
    for token in tokens:
        if not token.isspace() and token in _NO_LINE_END:
            carry += token
            continue
        if carry and not token.isspace():
            token, carry = carry + token, ""
        elif carry:
            out.append(carry)
            carry = ""
        out.append(token)
    if carry:
        out.append(carry)
    return out
