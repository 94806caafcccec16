"""What a TA acts on, computed from a class's entries (the gradebook's current results).

An *entry* is ``{"student", "status", "score", "max_score", "seconds", "message", "result"}``
with ``result`` a document of the JSON schema (:mod:`grader.judge.score`) or ``None`` when the
submission could not be graded.  Entries come from a gradebook that may hold imported files,
so nothing here trusts their shape: odd values count as missing.

- :func:`students`: per student, the figures of the student table and the *flags*: what went
  wrong while grading it (crashed, timed out, hit the memory limit, refused by the sandbox),
  found in every exercise, also when the other exercises scored.
- :func:`exercises`: per exercise, the scores (for its histogram), the checks with their pass
  rate, hardest first, and per check the students who failed it grouped by failure message.
- :func:`most_common_failure`: the message most students share, "not implemented yet" only
  when nothing really failed.
- :func:`pct`: a percentage that never says 100% while points are missing (``99.6%``).
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.i18n import N_
from grader.reports import sanitize

FAILED_TO_GRADE = ("crashed", "timeout", "malformed")
# shown in the reader's language by the pages (N_: grader/i18n.py); kept as written here
NOT_IMPLEMENTED = N_("not implemented yet")
FLAGS = {"crashed": N_("crashed"), "timeout": N_("timed out"), "memory": N_("memory limit"),
         "refused": N_("refused by the sandbox")}


def number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def fraction(score, max_score) -> float | None:
    score, max_score = number(score), number(max_score)
    if score is None or max_score is None or max_score <= 0:
        return None
    return min(max(score / max_score, 0.0), 1.0)


def pct(value: float | None) -> str:
    """``0.996`` -> ``99.6%``: as few decimals as show that a fraction is not 0 or 1."""
    if value is None:
        return "—"
    if value >= 1:
        return "100%"
    if value <= 0:
        return "0%"
    for decimals in range(0, 4):
        text = f"{100 * value:.{decimals}f}"
        if 0 < float(text) < 100:
            return text + "%"
    return f"{100 * value:.4f}%"


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def text(value) -> str:
    return sanitize.one_line(value, sanitize.MESSAGE_LIMIT)


# ----------------------------------------------------------------------------- students

@dataclass
class Student:
    index: int                      # position in the entries
    name: str
    status: str
    score: float | None
    max_score: float | None
    fraction: float | None
    seconds: float | None
    message: str
    page: str | None                # file name of the student's page, None without a result
    flags: list[str] = field(default_factory=list)


def _says(message: str, *words: str) -> bool:
    return any(word in message for word in words)


def flags_of(entry: dict) -> list[str]:
    """What went wrong while grading: the entry's own status, then each exercise's checks."""
    found = []
    status = entry.get("status")
    if status == "crashed":
        found.append("crashed")
    elif status == "timeout":
        found.append("timeout")
    for exercise in _list(_dict(entry.get("result")).get("exercises")):
        for check in _list(_dict(exercise).get("checks")):
            check = _dict(check)
            message = str(check.get("message") or "").casefold()
            # the words of the messages in either language (grader/locale zh_CN: 内存 memory,
            # 超时/未在…内完成 timed out, 沙箱 sandbox, 拒绝/不允许/阻止 refused)
            if _says(message, "memory", "内存") and check.get("status") in ("crash", "error"):
                found.append("memory")
            elif check.get("status") == "crash":
                found.append("crashed")
            elif check.get("status") == "timeout" or _says(
                    message, "took longer than", "did not finish within", "超时", "内完成"):
                found.append("timeout")
            if _says(message, "sandbox", "沙箱") and _says(
                    message, "refus", "not allowed", "blocked", "拒绝", "不允许", "阻止"):
                found.append("refused")
    return [FLAGS[k] for k in FLAGS if k in found]


def students(entries: list[dict], pages: list[str | None]) -> list[Student]:
    """The student table's rows, sorted by name (case-insensitively)."""
    rows = []
    for i, (entry, page) in enumerate(zip(entries, pages)):
        score, top = number(entry.get("score")), number(entry.get("max_score"))
        rows.append(Student(i, sanitize.one_line(entry.get("student")),
                            text(entry.get("status") or ""), score, top, fraction(score, top),
                            number(entry.get("seconds")), text(entry.get("message") or ""),
                            page, flags_of(entry)))
    return sorted(rows, key=lambda s: (s.name.casefold(), s.name, s.index))


# ---------------------------------------------------------------------------- exercises

@dataclass
class CheckStats:
    exercise: str
    name: str
    description: str
    advisory: bool
    hidden: bool
    max_points: float
    passed: int = 0
    total: int = 0
    failures: dict = field(default_factory=dict)    # message -> [Student index, ...]

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    @property
    def failed(self) -> int:
        return self.total - self.passed

    def grouped(self) -> list[tuple[str, list[int]]]:
        """Failure messages, most students first; "not implemented yet" last."""
        return sorted(self.failures.items(), key=lambda kv: (
            kv[0] == NOT_IMPLEMENTED, -len(kv[1]), kv[0]))


@dataclass
class ExerciseStats:
    name: str
    max_score: float | None = None
    scores: list = field(default_factory=list)          # fractions of the maximum
    points: list = field(default_factory=list)
    count: int = 0
    full: int = 0
    checks: dict = field(default_factory=dict)          # name -> CheckStats
    failures: Counter = field(default_factory=Counter)  # (check description, message) -> n

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None


def exercises(entries: list[dict]) -> list[ExerciseStats]:
    """Per exercise (in order of first appearance), from the graded results."""
    stats: dict[str, ExerciseStats] = {}
    for index, entry in enumerate(entries):
        for exercise in _list(_dict(entry.get("result")).get("exercises")):
            exercise = _dict(exercise)
            name = sanitize.one_line(exercise.get("name"))
            s = stats.setdefault(name, ExerciseStats(name))
            s.count += 1
            top = number(exercise.get("max_score"))
            s.max_score = s.max_score if s.max_score is not None else top
            f = fraction(exercise.get("score"), top)
            if f is not None:
                s.scores.append(f)
                s.points.append(number(exercise.get("score")))
                s.full += f >= 1
            status = exercise.get("status")
            said = text(exercise.get("message")) if exercise.get("message") else ""
            seen = set()
            for check in _list(exercise.get("checks")):
                check = _dict(check)
                cname = sanitize.one_line(check.get("name"))
                c = s.checks.get(cname)
                if c is None:
                    c = s.checks[cname] = CheckStats(
                        name, cname, text(check.get("description") or cname),
                        bool(check.get("advisory")), check.get("visibility") == "hidden",
                        number(check.get("max_points")) or 0.0)
                c.total += 1
                if check.get("status") == "pass":
                    c.passed += 1
                    continue
                message = said or text(check.get("message") or check.get("status") or "")
                if status == "not-implemented" or check.get("status") == "not-implemented":
                    message = NOT_IMPLEMENTED
                c.failures.setdefault(message, []).append(index)
                if not c.advisory and (c.description, message) not in seen:
                    seen.add((c.description, message))
                    s.failures[(c.description, message)] += 1
    return list(stats.values())


def hardest_first(stats: list[ExerciseStats]) -> list[CheckStats]:
    """Every graded check of the class, lowest pass rate first (advice checks last)."""
    checks = [c for s in stats for c in s.checks.values()]
    order = {id(c): i for i, c in enumerate(checks)}
    return sorted(checks, key=lambda c: (c.advisory, c.rate if c.rate is not None else 2,
                                         order[id(c)]))


def most_common_failure(failures: Counter) -> tuple[str, str, int] | None:
    """(check description, message, students) most shared; "not implemented yet" only when
    nothing else failed."""
    real = [(k, n) for k, n in failures.items() if k[1] != NOT_IMPLEMENTED]
    pool = real or list(failures.items())
    if not pool:
        return None
    (description, message), n = min(pool, key=lambda kv: (-kv[1], kv[0]))
    return description, message, n


def histogram_bins(values: list[float], top: float | None) -> tuple[list[int], list[str]]:
    """Counts per whole point when the maximum is small and scores are whole, else per tenth
    of the maximum."""
    if top is not None and top == int(top) and 0 < top <= 30 and all(
            v == int(v) for v in values):
        counts = [0] * (int(top) + 1)
        for v in values:
            counts[min(max(int(v), 0), int(top))] += 1
        return counts, [str(k) for k in range(int(top) + 1)]
    fractions = [min(max(v / top, 0), 1) for v in values] if top else []
    counts = [0] * 11
    for f in fractions:
        counts[10 if f >= 1 else min(int(f * 10), 9)] += 1
    return counts, [f"{10 * k}–{10 * k + 9}%" for k in range(10)] + ["100%"]
