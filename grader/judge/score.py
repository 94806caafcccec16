"""Results as data: per check, per exercise, per submission; and the JSON schema.

JSON schema (``version`` 1), the same for ``grade --format json`` and the gradebook export::

    {"schema": "grader-result", "version": 1, "assignment": str, "submission": str,
     "score": num, "max_score": num, "hidden": {"checks": int, "points": num} | null,
     "exercises": [{"name": str, "topic": str, "score": num, "max_score": num,
                    "status": "complete" | "partial" | "failed" | "not-implemented"
                              | "unavailable",
                    "message": str | null,
                    "checks": [{"name": str, "description": str,
                                "status": "pass" | "fail" | "error" | "timeout" | "crash"
                                          | "not-implemented",
                                "points": num, "max_points": num,
                                "visibility": "public" | "hidden", "advisory": bool,
                                "message": str | null,
                                "feedback": {"call", "expected", "actual", "details",
                                             "hint", "output", "diagnosis"} | null}],
                    "advice": [str]}]}

Nothing in it depends on time or on where grading ran, so the same submission gives the same
bytes on every run.  Every string a submission can influence (messages, feedback fields,
advice, the submission's name) is capped and has its control characters escaped as it enters
a result (:mod:`grader.reports.sanitize`), so no report built from one can be flooded or
obey an escape sequence.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from grader.i18n import _
from grader.reports import sanitize

SCHEMA = "grader-result"
SCHEMA_VERSION = 1
CHECK_STATUSES = ("pass", "fail", "error", "timeout", "crash", "not-implemented")


def number(x: float):
    x = round(float(x), 6)
    return int(x) if x == int(x) else x


@dataclass
class Feedback:
    call: str | None = None
    expected: str | None = None
    actual: str | None = None
    details: str | None = None
    hint: str | None = None
    output: str | None = None
    diagnosis: str | None = None        # a known mistake, or a failure caused elsewhere

    def __setattr__(self, key, value):      # on every assignment, not only in __init__
        if value is not None:
            value = sanitize.clean(value, sanitize.FIELD_LIMIT)
        object.__setattr__(self, key, value)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class CheckResult:
    exercise: str
    name: str
    description: str
    status: str
    max_points: float
    visibility: str
    advisory: bool = False
    message: str | None = None
    feedback: Feedback | None = None
    unavailable: bool = False           # the exercise could not be called at all (not in JSON)

    def __setattr__(self, key, value):      # on every assignment, not only in __init__
        if key == "message" and value is not None:
            value = sanitize.clean(value, sanitize.MESSAGE_LIMIT)
        object.__setattr__(self, key, value)

    @property
    def points(self) -> float:
        return self.max_points if self.status == "pass" else 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "status": self.status,
                "points": number(self.points), "max_points": number(self.max_points),
                "visibility": self.visibility, "advisory": self.advisory,
                "message": self.message,
                "feedback": self.feedback.to_dict() if self.feedback else None}


@dataclass
class ExerciseResult:
    name: str
    topic: str
    checks: list[CheckResult]
    advice: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.advice = [sanitize.clean(a, sanitize.MESSAGE_LIMIT) for a in self.advice]

    score = property(lambda self: sum(c.points for c in self.checks))
    max_score = property(lambda self: sum(c.max_points for c in self.checks))

    @property
    def graded(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.advisory]

    @property
    def status(self) -> str:
        graded = self.graded
        if graded and all(c.status == "not-implemented" for c in graded):
            return "not-implemented"
        messages = {c.message for c in graded}
        if graded and all(c.unavailable for c in graded) and len(messages) == 1:
            return "unavailable"
        if all(c.status == "pass" for c in graded):
            return "complete"
        return "partial" if self.score > 0 else "failed"

    @property
    def message(self) -> str | None:
        status = self.status
        if status == "not-implemented":
            return "not implemented yet"
        if status == "unavailable":
            return self.graded[0].message
        return None

    def to_dict(self) -> dict:
        return {"name": self.name, "topic": self.topic, "score": number(self.score),
                "max_score": number(self.max_score), "status": self.status,
                "message": self.message, "checks": [c.to_dict() for c in self.checks],
                "advice": list(self.advice)}


@dataclass
class GradeResult:
    assignment: str
    submission: str
    exercises: list[ExerciseResult]
    hidden: dict | None = None          # hidden checks not run here (student release)
    calls: int = 0                      # student calls made (for benchmarks; not in JSON)
    workers: int = 0                    # worker processes started (not in JSON)
    notes: list = field(default_factory=list)   # about reading the submission: which files
                                                # were graded, entries refused and why

    def __post_init__(self):
        self.submission = sanitize.one_line(self.submission, sanitize.NAME_LIMIT)
        self.notes = [sanitize.clean(n, sanitize.MESSAGE_LIMIT) for n in self.notes[:50]]

    score = property(lambda self: sum(e.score for e in self.exercises))
    max_score = property(lambda self: sum(e.max_score for e in self.exercises))

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "version": SCHEMA_VERSION, "assignment": self.assignment,
                "submission": self.submission, "score": number(self.score),
                "max_score": number(self.max_score), "hidden": self.hidden,
                "notes": list(self.notes),
                "exercises": [e.to_dict() for e in self.exercises]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def with_hidden_feedback(self, policy: str) -> "GradeResult":
        """What a student may see of hidden checks: full, status only, or none at all."""
        if policy == "full":
            return self
        exercises = []
        for exercise in self.exercises:
            checks = []
            for check in exercise.checks:
                if check.visibility != "hidden":
                    checks.append(check)
                elif policy == "status":
                    checks.append(CheckResult(check.exercise, check.name, check.description,
                                              check.status, check.max_points, check.visibility,
                                              check.advisory, None, None))
                else:
                    checks.append(CheckResult(check.exercise, "hidden", _("hidden check"),
                                              check.status, check.max_points, "hidden",
                                              check.advisory, None, None))
            exercises.append(ExerciseResult(exercise.name, exercise.topic, checks,
                                            exercise.advice))
        return GradeResult(self.assignment, self.submission, exercises, self.hidden,
                           self.calls, self.workers, self.notes)
