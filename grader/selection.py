"""What a person names to choose what is graded, checked against what exists.

Names are typed by hand: exercises (``grade corr2d``, ``grade validate corr2d``,
``check("corr2d")`` in a notebook) and checks (``grade --checks book_example``,
``check(..., checks=...)``).  A name that is none of them must never become a silent empty
selection (``0 / 0``, exit 0): it is a usage error (exit 2, :class:`grader.errors.UsageError`;
in a notebook, a message) that names every unknown name, the closest valid name first
("did you mean ...?", :func:`difflib.get_close_matches`), then every valid name, in the
language of the run (grader/i18n.py).  Only names the run's assignment table lists are
offered: a student release's table has no hidden check, so none is ever named.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from grader.errors import UsageError
from grader.i18n import _


def close_match(name: str, valid: Iterable[str]) -> str | None:
    """The valid name most like ``name`` (difflib's ratio of at least 0.6), or None."""
    found = difflib.get_close_matches(name, list(dict.fromkeys(valid)), n=1)
    return found[0] if found else None


def _each_unknown(unknown: Iterable[str], valid: list[str], near, alone) -> list[str]:
    """One line per unknown name: ``near(name, close)`` when a valid name is close to it,
    else ``alone(name)`` (both given the names quoted with repr)."""
    lines = []
    for name in unknown:
        close = close_match(name, valid)
        lines.append(near(repr(name), repr(close)) if close else alone(repr(name)))
    return lines


def unknown_exercises(unknown: Iterable[str], valid: list[str]) -> str:
    """The message for exercise names ``unknown`` that are not in ``valid`` (the
    assignment's exercises, in the table's order): one line per name, then the list."""
    lines = _each_unknown(
        unknown, valid,
        lambda name, close: _("unknown exercise {name}: did you mean {close}?", name=name,
                              close=close),
        lambda name: _("unknown exercise {name}", name=name))
    lines.append(_("The exercises of this assignment: {names}", names=", ".join(valid)))
    return "\n".join(lines)


def unknown_checks(unknown: Iterable[str], checks: Mapping[str, list[str]]) -> str:
    """The message for check names ``unknown`` that no selected exercise has; ``checks``:
    each selected exercise -> its checks' names (the table's order)."""
    valid = [name for names in checks.values() for name in names]
    lines = _each_unknown(
        unknown, valid,
        lambda name, close: _("unknown check {name}: did you mean {close}?", name=name,
                              close=close),
        lambda name: _("unknown check {name}", name=name))
    if len(checks) == 1:
        [(exercise, names)] = checks.items()
        lines.append(_("The checks of {exercise}: {names}", exercise=exercise,
                       names=", ".join(names)))
    else:
        lines.append(_("The checks of the selected exercises:"))
        lines += [f"  {exercise}: {', '.join(names)}" for exercise, names in checks.items()]
    return "\n".join(lines)


def check_names(text: str) -> frozenset[str]:
    """``--checks a,b``: the names, stripped; UsageError when it names none (``--checks ,``),
    which would otherwise run no check at all."""
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise UsageError(_("--checks {value}: name at least one check (NAME[,NAME...])",
                           value=repr(text)))
    return names
