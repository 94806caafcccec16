"""GitHub Classroom's autograding format: one "runner" result for the grading reporter.

Classroom's autograding workflow (workflow ``Autograding Tests``, one job
``run-autograding-tests``) ends with the ``classroom-resources/autograding-grading-reporter``
action.  It reads each runner step's result from ``<RUNNER-ID>_RESULTS``: base64 of a JSON
document ``{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests": [...]}``
whose tests carry ``name``, ``status``, ``score`` and ``message``; it sums the tests' scores
against ``max_score`` and reports "Points X/Y" to Classroom as an annotation.

Here the runner is ``grade`` itself: one test per exercise, its points and the failed checks'
messages (the full feedback goes to the job summary as Markdown, from the same grading).
"""
from __future__ import annotations

import base64
import json

from grader.i18n import _
from grader.judge.score import number
from grader.reports import wording

MESSAGE_LIMIT = 1000        # characters of feedback per exercise in the reporter's log


def to_classroom(result: dict) -> dict:
    """``result`` (the ``grade --format json`` document) as the reporter's runner result."""
    tests = []
    for exercise in result["exercises"]:
        failed = [c for c in exercise["checks"] if c["status"] != "pass" and not c["advisory"]]
        if exercise.get("message"):
            message = exercise["message"]
        elif failed:
            message = _("; ").join(
                _("{check}: {status}", check=c["description"],
                  status=wording.check_status(c["status"]))
                + (_(" ({message})", message=c["message"]) if c.get("message") else "")
                for c in failed)
        else:
            message = _("all checks pass")
        if len(message) > MESSAGE_LIMIT:
            message = message[:MESSAGE_LIMIT - 1] + "…"
        graded = [c for c in exercise["checks"] if not c["advisory"]]
        errored = any(c["status"] in ("error", "crash", "timeout") for c in graded)
        status = "pass" if not failed else "error" if errored else "fail"
        tests.append({"name": exercise["name"], "status": status,
                      "score": number(exercise["score"]), "message": message,
                      "test_code": f"grade {exercise['name']}", "filename": "", "line_no": 0,
                      "duration": 0})
    passed = all(t["status"] == "pass" for t in tests)
    return {"version": 1, "status": "pass" if passed else "fail",
            "max_score": number(result["max_score"]), "tests": tests}


def encode(runner_result: dict) -> str:
    """The value of the runner step's ``result`` output (what the reporter decodes)."""
    text = json.dumps(runner_result, ensure_ascii=False, sort_keys=True)
    return base64.b64encode(text.encode()).decode()
