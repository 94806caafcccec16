"""Who a submission belongs to: stated, never guessed.

A student's name in the gradebook must not change between runs, so it is never derived from
what the other entries look like (a prefix shared by today's folders is not the assignment's
prefix tomorrow).  The name of an entry is, in order:

- a Gradescope export's ``submission_metadata.yml``: every submitter (sid, else email, else name);
- ``--prefix hw2-`` (the assignment's repository prefix, as GitHub Classroom names clones
  ``hw2-<username>``): the rest of the name, the GitHub username;
- ``--roster classroom_roster.csv`` (GitHub Classroom's roster export: ``identifier``,
  ``github_username``, ...): the roster's identifier of that username;
- otherwise the entry's own name (``alice/``, ``alice.zip``, ``alice.ipynb`` are ``alice``).

Anything that would make two entries the same student, an entry without the prefix, or a
username the roster does not know is refused with one message that lists every such entry:
grading nothing is better than filing a grade under the wrong name.
"""
from __future__ import annotations

import csv
from pathlib import Path

from grader.errors import UsageError
from grader.i18n import _


def read_roster(path: Path) -> dict[str, str]:
    """GitHub Classroom's roster CSV as ``github_username (lower case) -> identifier``.

    Students who have not linked an account have no username and are skipped; an empty
    identifier falls back to the username.  Raises UsageError for a file without the columns.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(_("cannot read the roster {path}: {error}", path=path, error=exc)) from None
    if not rows or "github_username" not in rows[0]:
        raise UsageError(_("{path} is not a GitHub Classroom roster: it needs the columns "
                           "identifier and github_username", path=path))
    roster: dict[str, str] = {}
    for row in rows:
        username = (row.get("github_username") or "").strip()
        if username:
            roster[username.lower()] = (row.get("identifier") or "").strip() or username
    return roster


def name_entries(names: list[str], prefix: str | None = None,
                 roster: dict[str, str] | None = None) -> dict[str, str]:
    """``entry stem -> student`` for entries named without Gradescope metadata.

    Raises UsageError listing every entry that lacks the prefix or is not in the roster."""
    students: dict[str, str] = {}
    problems = []
    for stem in names:
        name = stem
        if prefix:
            if not stem.startswith(prefix) or stem == prefix:
                problems.append(_("{entry} does not start with the prefix {prefix}",
                                   entry=repr(stem), prefix=repr(prefix)))
                continue
            name = stem[len(prefix):]
        if roster is not None:
            if name.lower() not in roster:
                problems.append(_("{entry}: GitHub user {user} is not in the roster",
                                   entry=repr(stem), user=repr(name)))
                continue
            name = roster[name.lower()]
        students[stem] = name
    if problems:
        raise UsageError(_("cannot tell who these submissions belong to:\n  {problems}\n(move "
                           "them out of the folder, or fix --prefix / --roster)",
                           problems="\n  ".join(problems)))
    return students


def refuse_clashes(entries) -> None:
    """Two entries for one student (``alice/`` and ``alice.zip``, or two folders that the
    roster maps to one identifier): refuse, naming them, rather than pick one or rename."""
    owners: dict[str, list[str]] = {}
    for entry in entries:
        for student in entry.students:
            owners.setdefault(student, []).append(entry.name)
    clashes = {s: names for s, names in owners.items() if len(names) > 1}
    if clashes:
        raise UsageError(_("more than one submission for the same student:\n  {clashes}\n(keep "
                           "one entry per student in the folder)",
                           clashes="\n  ".join(f"{s}: {', '.join(sorted(n))}"
                                                for s, n in sorted(clashes.items()))))
