"""Feedback in the student's language: gettext catalogs and the current language.

Four message domains, each a standard gettext catalog (``.po`` source, compiled ``.mo``
shipped with the package; extracted and compiled with Babel, see README "Translations"):

- ``grader`` (``grader/locale/<lang>/LC_MESSAGES/grader.po``): the framework's prose: CLI
  messages and errors, statuses, the text report's frame, the HTML pages, the check-writing
  API's messages and hints (grader/judge/checking.py), diagnoses, the student README.
- ``checks`` (``grader/checks/locale/<lang>/LC_MESSAGES/checks.po``): the course's own prose:
  each check's description (its docstring, the sentence the student sees), its ``hint=``,
  and the messages its checks raise.  A course with its own checks ships its own catalog.
- ``mistakes`` (``<catalogue>/locale/<lang>/LC_MESSAGES/mistakes.po``, beside the catalogue
  of known mistakes, ``[tool.grader.paths] mistakes``, tests/mutants by default, so that a
  published autograder ships it with the catalogue): the diagnosis sentences, one per
  mistake (grader/course/mutants.py ``describe``; extracted by ``mutants.extract_babel``).
  Looked up with :func:`mistake_text`.
- ``release`` (``grader/course/locale/<lang>/LC_MESSAGES/release.po``): the student-facing
  material of a release that ``grade publish`` writes in the assignment's language: the
  student README (grader/templates/student_README.md) and the instructions in the published
  notebooks (grader/course/notebook_build.py).  Looked up with :func:`release_text` and
  :func:`release_ngettext`.

Use:
- ``_("expected {n} rows", n=3)``: the translation of the msgid in the current language, then
  ``str.format`` with the named values (placeholders are always named, so that a translation
  may reorder them).  Only prose is translated: numbers, tensors, code and identifiers go in
  through placeholders, unchanged.
- ``N_("...")``: marks a constant for extraction, translated later with :func:`gettext`.
- :func:`set_language` / :func:`language` (a context manager) choose the language;
  :func:`resolve_language` picks it for official grading (Gradescope, Classroom, ``grade
  batch``, ``publish``): an explicit choice (``--lang``), else the assignment's
  ``[tool.grader] language``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else
  English; :func:`resolve_for_person` for what one person reads at their own terminal
  (``grade``, ``check()``): ``--lang``, else the locale when it names a supported language,
  else the assignment's default, else English.
- The language reaches every process that builds prose: ``GradeRequest.language`` (the judge,
  its ``-j`` shards, ``grade batch``'s slots through the assignment's ``language``), and
  ``--lang`` on the command line of the judge process that ``check()`` starts.
- Every function here takes its own arguments positionally, so that any name is free for a
  placeholder (``_("grade: error: {message}", message=...)``).

Languages: ``en`` (the msgids themselves) and ``zh_CN`` (Simplified Chinese; terms follow the
Chinese edition of the book: 互相关运算, 填充, 步幅, 汇聚层, 丢弃法, 权重衰减, 注意力汇聚).

Only the standard library: the judge and the kernel's ``check()`` both import this module.
"""
from __future__ import annotations

import contextlib
import gettext as _gettext
import os
import re
import string
from pathlib import Path

LANGUAGES = ("en", "zh_CN")
DEFAULT = "en"
DOMAINS = {
    "grader": Path(__file__).parent / "locale",
    "checks": Path(__file__).parent / "checks" / "locale",
    "mistakes": None,           # beside each catalogue of mistakes: see mistake_text()
    "release": Path(__file__).parent / "course" / "locale",
}

_current = DEFAULT
_catalogs: dict[tuple[str, str, str], _gettext.NullTranslations] = {}


def normalize(name: str | None) -> str | None:
    """``zh_CN.UTF-8``, ``zh-CN``, ``zh_Hans``, ``zh`` -> ``zh_CN``; ``en_US`` -> ``en``;
    anything else (``C``, ``POSIX``, unknown) -> None."""
    if not name:
        return None
    base = name.split(".")[0].split("@")[0].replace("-", "_")
    lower = base.lower()
    if lower in ("zh", "zh_cn", "zh_hans", "zh_sg", "zh_hans_cn"):
        return "zh_CN"
    if lower == "en" or lower.startswith("en_"):
        return "en"
    return None


def resolve_language(explicit: str | None = None, assignment_default: str | None = None) -> str:
    """The language to use: ``explicit`` (``--lang``), else the assignment's default, else the
    locale, else English.  An explicit name that is not a supported language raises
    ValueError (the CLI turns it into a usage error)."""
    if explicit:
        chosen = normalize(explicit)
        if chosen is None:
            raise ValueError(f"unknown language {explicit!r}: choose one of "
                             f"{', '.join(LANGUAGES)}")
        return chosen
    if assignment_default:
        chosen = normalize(assignment_default)
        if chosen:
            return chosen
    return locale_language() or DEFAULT


def locale_language() -> str | None:
    """The language the locale names (the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that
    is set, as gettext reads them), or None when it names no supported language (``C``,
    ``POSIX``, ``fr_FR``, unset)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return normalize(value)
    return None


def resolve_for_person(explicit: str | None = None,
                       assignment_default: str | None = None) -> str:
    """The language of what one person reads at their own terminal or notebook (``grade``,
    ``check()``): ``explicit``, else the locale when it names a supported language (a student
    whose terminal is in English reads English), else the assignment's default, else English.
    Official grading (Gradescope, Classroom, ``grade batch``, ``publish``) uses
    :func:`resolve_language`, where the assignment's choice comes before the machine's
    locale."""
    if explicit:
        return resolve_language(explicit)
    return locale_language() or resolve_language(None, assignment_default)


def set_language(lang: str) -> None:
    global _current
    _current = normalize(lang) or DEFAULT


def current_language() -> str:
    return _current


@contextlib.contextmanager
def language(lang: str):
    """Within the block, messages are in ``lang``."""
    global _current
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        _current = before


def catalog(domain: str = "grader", lang: str | None = None,
            localedir: Path | str | None = None) -> _gettext.NullTranslations:
    """The catalog of ``domain`` in ``lang`` (default: the current language), from
    ``localedir`` (default: the domain's folder in :data:`DOMAINS`); no catalog: the msgids."""
    lang = lang or _current
    folder = localedir if localedir is not None else DOMAINS[domain]
    key = (domain, lang, str(folder))
    if key not in _catalogs:
        if lang == DEFAULT or folder is None:
            _catalogs[key] = _gettext.NullTranslations()
        else:
            _catalogs[key] = _gettext.translation(domain, str(folder),
                                                  languages=[lang], fallback=True)
    return _catalogs[key]


def gettext(message: str, domain: str = "grader", localedir: Path | str | None = None, /,
            **values) -> str:
    """The translation of ``message`` in the current language, formatted with ``values``
    (any names: the arguments before them are positional only, free for placeholders)."""
    text = catalog(domain, localedir=localedir).gettext(message) if message else message
    return fill(text, values) if values else text


# Chinese, Japanese and Korean characters and punctuation (CJK symbols, kana, Han, fullwidth
# forms such as ，：（）): between two of them Chinese typography puts no space.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_FORMATTER = string.Formatter()


def fill(text: str, values: dict) -> str:
    """``text.format(**values)``, where a space that the translation puts between a placeholder
    and a CJK character is dropped when the value's own edge there is CJK too (``第 {line} 行``
    as ``{where}`` in ``{where} 处的 {call}`` gives ``第 120 行处的 torch.rand``, while
    ``conv.py 处的`` keeps its space: Latin text beside Chinese keeps one).  Only the
    translation's own spaces are touched, never the values (code, messages)."""
    pieces: list[str] = []          # literal text and formatted values, alternating
    for literal, field, spec, conversion in _FORMATTER.parse(text):
        pieces.append(literal)
        if field is not None:
            obj, _unused = _FORMATTER.get_field(field, (), values)
            obj = _FORMATTER.convert_field(obj, conversion)
            spec = _FORMATTER.vformat(spec, (), values) if spec else ""
            pieces.append(_FORMATTER.format_field(obj, spec))
    for i in range(1, len(pieces), 2):            # the values, between literals
        value = pieces[i]
        if not value:
            continue
        before, after = pieces[i - 1], pieces[i + 1] if i + 1 < len(pieces) else ""
        if (len(before) >= 2 and before[-1] == " " and _CJK.match(before[-2])
                and _CJK.match(value[0])):
            pieces[i - 1] = before[:-1]
        if (len(after) >= 2 and after[0] == " " and _CJK.match(after[1])
                and _CJK.match(value[-1])):
            pieces[i + 1] = after[1:]
    return "".join(pieces)


def _(message: str, /, **values) -> str:
    """Translate a framework message (domain ``grader``); see the module's docstring."""
    return gettext(message, "grader", **values)


def check_text(message: str, /, **values) -> str:
    """Translate a course message (domain ``checks``): the ``_`` of grader/checks/*.py."""
    return gettext(message, "checks", **values)


def mistake_text(sentence: str, catalogue: Path | str | None) -> str:
    """The diagnosis sentence of a catalogued mistake in the current language (domain
    ``mistakes``, from ``<catalogue>/locale``; ``catalogue`` is the folder of the catalogue of
    known mistakes).  The sentence is used as written: it has no placeholders."""
    if not sentence or catalogue is None:
        return sentence
    return catalog("mistakes", localedir=Path(catalogue) / "locale").gettext(sentence)


def release_text(message: str, /, **values) -> str:
    """Translate the student-facing material of a release (domain ``release``)."""
    return gettext(message, "release", **values)


def release_ngettext(singular: str, plural: str, count: int, /, **values) -> str:
    """:func:`release_text` with a plural form chosen by ``count`` (also a value: ``{count}``)."""
    text = catalog("release").ngettext(singular, plural, count)
    return fill(text, dict(values, count=count))


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message
