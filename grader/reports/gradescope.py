"""Gradescope's results format (``/autograder/results/results.json``).

One Gradescope test per check, numbered ``<exercise>.<check>``, with its points, a
``passed``/``failed`` status, the feedback as output, and a visibility: public checks are
``visible`` at once; hidden checks are ``after_due_date``, with as much feedback as the
assignment's ``hidden_feedback`` allows.  Advice is a test worth 0 points, shown only when it
applies.  Gradescope always needs a results file, so grading errors become one too.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.reports.text import feedback_lines
from grader.judge.score import number


def to_gradescope(result: dict, hidden_feedback: str = "full") -> dict:
    tests = []
    for i, exercise in enumerate(result["exercises"], 1):
        for j, check in enumerate(exercise["checks"], 1):
            if check["advisory"] and check["status"] == "pass":
                continue
            hidden = check["visibility"] == "hidden"
            if hidden and hidden_feedback == "none":
                output = ""
            elif hidden and hidden_feedback == "status":
                output = check["status"]
            else:
                output = "\n".join(feedback_lines(check))
            tests.append({
                "name": f"{exercise['name']}: {check['description']}",
                "number": f"{i}.{j}",
                "score": check["points"], "max_score": check["max_points"],
                "status": "passed" if check["status"] == "pass" else "failed",
                "visibility": "after_due_date" if hidden else "visible",
                "output": output,
            })
    return {"score": result["score"],
            "output": f"{result['assignment']}: {number(result['score'])} / "
                      f"{number(result['max_score'])} (hidden checks' results appear after "
                      "the due date)",
            "stdout_visibility": "hidden", "tests": tests}


def failure(message: str) -> dict:
    return {"score": 0, "output": f"The autograder could not grade this submission: {message}",
            "stdout_visibility": "hidden", "tests": []}


def write(data: dict, path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
