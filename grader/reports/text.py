"""Rendering a :class:`grader.judge.score.GradeResult` for people: the text table and its feedback.

A complete exercise is one line; any other shows every check, and under each failed check
what was called, what was expected, what came back, and a hint.
"""
from __future__ import annotations

import textwrap

from grader.judge.score import GradeResult, number
from grader.reports import sanitize

WIDTH = 78
_SYMBOLS = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⏱", "crash": "☠",
            "not-implemented": "·"}
_ASCII = {"pass": "+", "fail": "x", "error": "!", "timeout": "T", "crash": "C",
          "not-implemented": "."}


def points(score: float, max_score: float) -> str:
    return f"{number(score)} / {number(max_score)}"


def render_text(result: GradeResult, unicode: bool = True, verbose: bool = False) -> str:
    symbols = _SYMBOLS if unicode else _ASCII
    lines = [f"{result.assignment}: {result.submission}", ""]
    for note in result.notes:                   # reading the submission: what was refused
        lines += _indent(f"note: {note}", 0) + [""]
    for exercise in result.exercises:
        status = exercise.status
        right = points(exercise.score, exercise.max_score)
        label = exercise.name
        if status == "not-implemented":
            label += "  (not implemented yet)"
        lines.append(_row(label, right))
        if status == "unavailable":
            lines += _indent(exercise.message or "", 4)
        elif status != "not-implemented" and (status != "complete" or verbose):
            for check in exercise.checks:
                lines += _check_lines(check, symbols)
        for advice in exercise.advice:
            lines += _indent(f"advice: {advice}", 4)
    lines.append("")
    lines.append(_row("Total", points(result.score, result.max_score)))
    if result.hidden:
        count, pts = result.hidden.get("checks", 0), number(result.hidden.get("points", 0))
        checks = "1 hidden check" if count == 1 else f"{count} hidden checks"
        verb = "is" if count == 1 else "are"
        lines += ["", *textwrap.wrap(
            f"Only the public checks ran here. {checks} ({pts} points) {verb} graded "
            "when you submit: passing every public check does not mean full marks.",
            WIDTH)]
    return sanitize.clean("\n".join(lines) + "\n", limit=None)


def _row(left: str, right: str, indent: int = 0) -> str:
    room = WIDTH - indent - len(right) - 1
    if len(left) > room:
        left = left[:room - 1] + "…"
    return " " * indent + left.ljust(room) + " " + right


def _check_lines(check, symbols) -> list[str]:
    mark = symbols.get(check.status, "?")
    tag = "" if check.status in ("pass", "fail") else f" [{check.status}]"
    if check.advisory:
        right = "advice"
    else:
        right = points(check.points, check.max_points)
    lines = [_row(f"{mark} {check.description}{tag}", right, indent=2)]
    if check.status == "pass":
        return lines
    if check.message and check.message != check.description:
        lines += _indent(check.message, 6)
    feedback = check.feedback
    if feedback:
        for label, text in (("diagnosis", feedback.diagnosis), ("called", feedback.call), ("expected", feedback.expected),
                            ("got", feedback.actual), ("details", feedback.details),
                            ("printed", feedback.output), ("hint", feedback.hint)):
            if text:
                lines += _labelled(label, text, 6)
    return lines


def feedback_lines(check: dict) -> list[str]:
    """A check (as in the JSON schema) as plain lines: message, then labelled feedback."""
    lines = [check["message"]] if check.get("message") else []
    for label, key in (("diagnosis", "diagnosis"), ("called", "call"), ("expected", "expected"), ("got", "actual"),
                       ("details", "details"), ("printed", "output"), ("hint", "hint")):
        value = (check.get("feedback") or {}).get(key)
        if value:
            lines.append(f"{label}: {value}")
    return lines


def render_markdown(result: GradeResult) -> str:
    """A report for a GitHub Actions job summary: a table per exercise, failures listed."""
    data = result.to_dict()
    lines = [f"## {data['assignment']}: {number(data['score'])} / {number(data['max_score'])}",
             ""]
    if data.get("notes"):                       # reading the submission: what was refused
        lines += [f"> {_md(note)}" for note in data["notes"]] + [""]
    lines += ["| exercise | score | status |", "|---|---|---|"]
    for exercise in data["exercises"]:
        lines.append(f"| {exercise['name']} | {number(exercise['score'])} / "
                     f"{number(exercise['max_score'])} | {exercise['status']} |")
    for exercise in data["exercises"]:
        failed = [c for c in exercise["checks"] if c["status"] != "pass" and not c["advisory"]]
        if not failed:
            continue
        lines += ["", f"### {exercise['name']}", ""]
        for check in failed:
            lines.append(f"- **{_md(check['description'])}** ({check['status']}, "
                         f"{number(check['points'])} / {number(check['max_points'])})")
            for line in feedback_lines(check):
                lines.append(f"  - {_md(line)}")
    if data.get("hidden"):
        lines += ["", f"Hidden checks ({data['hidden'].get('checks', 0)}) are graded at "
                      "submission; they are not part of this score."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return sanitize.markdown_inline(text, 500)


def _labelled(label: str, text: str, indent: int) -> list[str]:
    pad = " " * indent
    head = f"{pad}{label:<9}"
    out = []
    for i, line in enumerate(str(text).splitlines() or [""]):
        prefix = head if i == 0 else " " * len(head)
        out += textwrap.wrap(line, WIDTH, initial_indent=prefix, subsequent_indent=" " * len(head),
                             break_long_words=True, break_on_hyphens=False) or [prefix.rstrip()]
    return out


def _indent(text: str, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for line in str(text).splitlines():
        out += textwrap.wrap(line, WIDTH, initial_indent=pad, subsequent_indent=pad + "  ",
                             break_long_words=True, break_on_hyphens=False) or [pad]
    return out
