"""An assignment is data: which exercises, which checks, their points, visibility and limits.

It lives in one declarative place, the ``[tool.grader]`` table of the course's
``pyproject.toml`` (or any TOML file given with ``--assignment``, with the same table or the
same keys at top level).  An instructor makes a new assignment by editing that table, never
``grader/``.  The schema is documented in the README ("The assignment table").
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from grader import selection
from grader.i18n import _
from grader.errors import ConfigError, UsageError
from grader.sandbox.process import Limits

VISIBILITIES = ("public", "hidden")
HIDDEN_FEEDBACK = ("full", "status", "none")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    points: float
    visibility: str
    call_timeout: float | None = None     # overrides the exercise's, for this check only
    check_timeout: float | None = None

    @property
    def hidden(self) -> bool:
        return self.visibility == "hidden"


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    topic: str
    checks: tuple[CheckSpec, ...]
    call_timeout: float
    check_timeout: float
    forbidden: tuple[str, ...] = ()     # built-ins that solve the exercise outright
    hidden_elsewhere: tuple = ()        # student release: (hidden checks, their points)

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks)

    def check(self, name: str) -> CheckSpec | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass(frozen=True)
class Assignment:
    title: str
    root: Path                      # the course folder: solutions/, exercises/ are relative to it
    source: Path                    # the TOML file this came from
    exercises: tuple[ExerciseSpec, ...]
    limits: Limits
    solutions_dir: Path
    stubs_dir: Path
    checks_dir: Path | None = None  # default: the checks inside the grader package
    # The catalogue of known mistakes (tests/mutants layout), for diagnosis in the judge; it
    # ships with the autograder, never with the student release.
    mistakes_dir: Path | None = None
    hidden_feedback: str = "full"
    due: str | None = None
    # In a student release the hidden checks are absent; this says how many there are.
    hidden_elsewhere: dict = field(default_factory=dict)
    # The language of feedback in official grading (Gradescope, Classroom, grade batch,
    # publish) and for a student whose locale names none: "en" or "zh_CN" (grader/i18n.py);
    # None: the locale decides.  The CLI puts the language it resolved here, so that every
    # process that grades with this assignment (batch slots, judge shards) writes in it.
    language: str | None = None
    # the title in other languages ([tool.grader.titles] zh_CN = "..."): what reports show
    titles: dict = field(default_factory=dict)

    @property
    def shown_title(self) -> str:
        """The title in the current language (grader/i18n.py), else ``title``."""
        from grader import i18n
        return self.titles.get(i18n.current_language()) or self.title

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.exercises]

    @property
    def topics(self) -> list[str]:
        return list(dict.fromkeys(e.topic for e in self.exercises))

    def exercise(self, name: str) -> ExerciseSpec:
        """The exercise ``name``; UsageError (naming the close match and every exercise)
        when the table has none by that name."""
        for spec in self.exercises:
            if spec.name == name:
                return spec
        raise UsageError(selection.unknown_exercises([name], self.names))

    def select(self, names: list[str] | tuple[str, ...]) -> "Assignment":
        """Only the exercises ``names`` (all when empty), in the order given; UsageError
        naming every unknown one (grader/selection.py)."""
        if not names:
            return self
        unknown = [n for n in dict.fromkeys(names) if n not in self.names]
        if unknown:
            raise UsageError(selection.unknown_exercises(unknown, self.names))
        wanted = [self.exercise(n) for n in dict.fromkeys(names)]
        return replace(self, exercises=tuple(wanted))

    def select_checks(self, names) -> frozenset | None:
        """``names`` (``grade --checks``; None: every check) as a frozenset, once each is
        known to be a check of one of this assignment's exercises; UsageError naming every
        unknown one, its close match and the valid names (grader/selection.py)."""
        if names is None:
            return None
        names = frozenset(names)
        valid = {c.name for e in self.exercises for c in e.checks}
        unknown = sorted(names - valid)
        if unknown:
            raise UsageError(selection.unknown_checks(
                unknown, {e.name: [c.name for c in e.checks] for e in self.exercises}))
        return names

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)


def find_course(start: Path | None = None) -> Path:
    """The nearest folder, from ``start`` upwards, whose pyproject.toml has [tool.grader]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_grader_table(candidate):
            return folder
    package_parent = Path(__file__).resolve().parent.parent
    if _has_grader_table(package_parent / "pyproject.toml"):
        return package_parent
    raise UsageError(_("no course found: run grade inside a course folder (one whose "
                       "pyproject.toml has a [tool.grader] table), or pass --assignment"))


def _has_grader_table(path: Path) -> bool:
    try:
        return "grader" in tomllib.loads(path.read_text()).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load(path: Path | None = None) -> Assignment:
    """Load the assignment from a TOML file, or from the course found around the cwd."""
    source = Path(path) if path else find_course() / "pyproject.toml"
    if source.is_dir():
        source = source / "pyproject.toml"
    try:
        data = tomllib.loads(source.read_text())
    except FileNotFoundError:
        raise UsageError(_("assignment file not found: {path}", path=source)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{source}: not valid TOML: {error}", source=source, error=exc)) from None
    table = data.get("tool", {}).get("grader", data)
    return parse(table, source.resolve())


def parse(table: dict, source: Path) -> Assignment:
    where = f"{source} [tool.grader]"
    root = source.parent
    default_call = _number(table.get("call_timeout", 10), f"{where} call_timeout")
    default_check = _number(table.get("check_timeout", 60), f"{where} check_timeout")
    exercises_table = table.get("exercises")
    if not isinstance(exercises_table, dict) or not exercises_table:
        raise ConfigError(_("{where}: no [tool.grader.exercises.<name>] tables", where=where))
    exercises = []
    for name, spec in exercises_table.items():
        here = f"{where} exercises.{name}"
        if not isinstance(spec, dict) or "topic" not in spec:
            raise ConfigError(_("{here}: needs a topic (the file name in solutions/)", here=here))
        checks = []
        for check_name, entry in (spec.get("checks") or {}).items():
            if not isinstance(entry, dict):
                raise ConfigError(_("{check}: write {table}", check=f"{here}.checks.{check_name}",
                                    table='{ points = 1, visibility = "public" }'))
            visibility = entry.get("visibility", "hidden")
            if visibility not in VISIBILITIES:
                raise ConfigError(_("{check}: visibility must be one of {choices}",
                                    check=f"{here}.checks.{check_name}",
                                    choices=", ".join(VISIBILITIES)))
            points = _number(entry.get("points", 0), f"{here}.checks.{check_name}.points")
            if points < 0:
                raise ConfigError(_("{check}: negative points", check=f"{here}.checks.{check_name}"))
            unknown = set(entry) - {"points", "visibility", "call_timeout", "check_timeout"}
            if unknown:
                raise ConfigError(_("{where}: unknown keys {keys}", where=f"{here}.checks.{check_name}",
                                    keys=", ".join(sorted(unknown))))
            timeouts = {k: _number(entry[k], f"{here}.checks.{check_name}.{k}")
                        for k in ("call_timeout", "check_timeout") if k in entry}
            checks.append(CheckSpec(check_name, points, visibility, **timeouts))
        if not checks:
            raise ConfigError(_("{here}: no checks listed", here=here))
        exercises.append(ExerciseSpec(
            name=name, topic=str(spec["topic"]), checks=tuple(checks),
            call_timeout=_number(spec.get("call_timeout", default_call), f"{here}.call_timeout"),
            check_timeout=_number(spec.get("check_timeout", default_check),
                                  f"{here}.check_timeout"),
            forbidden=tuple(str(f) for f in spec.get("forbidden", ())),
            hidden_elsewhere=(int(spec["hidden"].get("checks", 0)),
                              _number(spec["hidden"].get("points", 0), f"{here}.hidden"))
            if isinstance(spec.get("hidden"), dict) else ()))
    feedback = table.get("hidden_feedback", "full")
    if feedback not in HIDDEN_FEEDBACK:
        raise ConfigError(_("{where} hidden_feedback must be one of {choices}", where=where,
                              choices=", ".join(HIDDEN_FEEDBACK)))
    language = table.get("language")
    if language is not None:
        from grader import i18n
        if not isinstance(language, str) or i18n.normalize(language) is None:
            raise ConfigError(_("{where} language must be one of {choices}, got {value}",
                                where=where, choices=", ".join(i18n.LANGUAGES),
                                value=repr(language)))
        language = i18n.normalize(language)
    paths = table.get("paths", {})
    due = table.get("due")
    if isinstance(due, (dt.date, dt.datetime)):
        due = due.isoformat()
    return Assignment(
        title=str(table.get("title", root.name)), root=root, source=source,
        exercises=tuple(exercises), limits=_limits(table.get("limits", {}), where),
        solutions_dir=root / paths.get("solutions", "solutions"),
        stubs_dir=root / paths.get("stubs", "exercises"),
        checks_dir=root / paths["checks"] if "checks" in paths else None,
        mistakes_dir=root / paths.get("mistakes", "tests/mutants"),
        hidden_feedback=feedback, due=None if due is None else str(due),
        hidden_elsewhere=dict(table.get("hidden_elsewhere", {})), language=language,
        titles=_titles(table.get("titles", {}), where))


def _titles(table, where: str) -> dict:
    from grader import i18n
    if not isinstance(table, dict):
        raise ConfigError(_("{where} titles: write {table}", where=where,
                              table='[tool.grader.titles] zh_CN = "..."'))
    titles = {}
    for name, text in table.items():
        lang = i18n.normalize(name)
        if lang is None or not isinstance(text, str):
            raise ConfigError(_("{where} titles.{name}: a language ({choices}) and a string",
                                where=where, name=name, choices=", ".join(i18n.LANGUAGES)))
        titles[lang] = text
    return titles


def _limits(table: dict, where: str) -> Limits:
    known = {f.name: f.type for f in fields(Limits)}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(_("{where}: unknown keys {keys}", where=f"{where} limits",
                              keys=", ".join(sorted(unknown))))
    return Limits(**{k: _number(v, f"{where} limits.{k}") for k, v in table.items()})


def _number(value, where: str):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(_("{where}: expected a number, got {value}", where=where,
                              value=repr(value)))
    return value
