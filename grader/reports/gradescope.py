"""Gradescope's results format (``/autograder/results/results.json``).

Gradescope's autograder specification: a results file holds either a top-level ``score`` or a
``score`` on every test; each test has a ``visibility`` (``visible``, ``after_due_date``,
``after_published``, ``hidden``), and the top-level ``output`` is always shown.

One Gradescope test per check, numbered ``<exercise>.<check>`` in the assignment's order, with
its points, a ``passed``/``failed`` status and the feedback as output.  Public checks are
``visible`` at once; hidden checks get ``hidden_visibility`` (``after_due_date`` by default,
or ``after_published``: only once the instructor publishes grades), with as much feedback as
the assignment's ``hidden_feedback`` allows.

**Nothing a student sees before the due date depends on a hidden check**, so resubmitting
cannot probe them:

- the score is on each test and there is **no top-level score** (a top-level score would be
  the total with the hidden points in it, shown to the student at once); Gradescope shows a
  student the sum of the tests they can see, and the gradebook gets the sum of all of them;
- the top-level ``output`` is computed from public checks only;
- the set of tests, their numbers and names do not depend on results: every check is a test
  (advice included, worth 0 points), whatever happened.

Gradescope always needs a results file, so grading errors become one too (:func:`failure`).
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.i18n import _
from grader.judge.score import number
from grader.reports import wording
from grader.reports.text import feedback_lines

HIDDEN_VISIBILITIES = ("after_due_date", "after_published", "hidden")


def to_gradescope(result: dict, hidden_feedback: str = "full",
                  hidden_visibility: str = "after_due_date") -> dict:
    """``result`` (the ``grade --format json`` document) as Gradescope's results.json data."""
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(HIDDEN_VISIBILITIES)}")
    tests = []
    public_score = public_max = 0.0
    for i, exercise in enumerate(result["exercises"], 1):
        for j, check in enumerate(exercise["checks"], 1):
            hidden = check["visibility"] == "hidden"
            if hidden and hidden_feedback == "none":
                output = ""
            elif hidden and hidden_feedback == "status":
                output = wording.check_status(check["status"])
            else:
                output = "\n".join(feedback_lines(check))
            if check["advisory"]:
                output = _("advice (worth no points): {advice}", advice=output) if output else \
                    _("advice (worth no points): nothing to report")
            tests.append({
                "name": f"{exercise['name']}: {check['description']}",
                "number": f"{i}.{j}",
                "score": number(check["points"]), "max_score": number(check["max_points"]),
                "status": "passed" if check["status"] == "pass" else "failed",
                "visibility": hidden_visibility if hidden else "visible",
                "output": output,
            })
            if not hidden:
                public_score += check["points"]
                public_max += check["max_points"]
    hidden_count = sum(1 for e in result["exercises"] for c in e["checks"]
                       if c["visibility"] == "hidden")
    hidden_points = sum(c["max_points"] for e in result["exercises"] for c in e["checks"]
                        if c["visibility"] == "hidden")
    when = _("after the due date") if hidden_visibility == "after_due_date" else \
        _("when grades are published") if hidden_visibility == "after_published" else \
        _("to your instructor only")
    output = _("{assignment}: public checks {score} / {max_score} points.",
               assignment=result["assignment"], score=number(public_score),
               max_score=number(public_max))
    if hidden_count:
        output += _("  {count} hidden checks ({points} points) were graded too; their results, "
                    "and your total, appear {when}.", count=hidden_count,
                    points=number(hidden_points), when=when)
    return {"output": output, "stdout_visibility": "hidden", "tests": tests}


def failure(message: str) -> dict:
    """A results file for a submission that could not be graded at all (0 points)."""
    return {"score": 0, "output": _("The autograder could not grade this submission: {message}",
                                    message=message),
            "stdout_visibility": "hidden", "tests": []}


def total(data: dict) -> float:
    """The score Gradescope records for ``data``: the top-level score, else the tests' sum."""
    if "score" in data:
        return data["score"]
    return number(sum(t.get("score", 0) for t in data.get("tests", [])))


def student_view(data: dict) -> dict:
    """What a student sees before hidden tests are released: the top-level output and score
    (if any) and the visible tests, with the sum of their scores (Gradescope's display)."""
    visible = [t for t in data.get("tests", []) if t.get("visibility", "visible") == "visible"]
    return {"output": data.get("output"), "score": data.get("score"), "tests": visible,
            "visible_total": number(sum(t.get("score", 0) for t in visible))}


def write(data: dict, path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
