"""Rendering a :class:`grader.judge.score.GradeResult` for people: the text table and its feedback.

What a student reads, by default: one line per complete exercise; for any other exercise, its
first failing check in full (what was called, what was expected, what came back, details,
the diagnosis, a hint), every other failing check on one line with its message, the number
of checks that pass, and each piece of advice once.  ``verbose`` (``grade -v``) shows every
check, passed or not, with all of its feedback.  Long descriptions wrap; nothing is cut.
"""
from __future__ import annotations

from grader.i18n import N_, _
from grader.judge.score import GradeResult, number
from grader.reports import sanitize, wording

WIDTH = 78
IN_FULL = 1             # failing checks shown in full per exercise (the rest: one line each)
_SYMBOLS = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⏱", "crash": "☠",
            "not-implemented": "·"}
_ASCII = {"pass": "+", "fail": "x", "error": "!", "timeout": "T", "crash": "C",
          "not-implemented": "."}


def points(score: float, max_score: float) -> str:
    return f"{number(score)} / {number(max_score)}"


def render_text(result: GradeResult, unicode: bool = True, verbose: bool = False) -> str:
    symbols = _SYMBOLS if unicode else _ASCII
    lines = [_("{assignment}: {submission}", assignment=result.assignment,
               submission=result.submission), ""]
    for note in result.notes:                   # reading the submission: what was refused
        lines += _indent(_("note: {note}", note=note), 0) + [""]
    for exercise in result.exercises:
        lines += _exercise_lines(exercise, symbols, verbose)
    lines.append("")
    lines += _row(_("Total"), points(result.score, result.max_score))
    if result.hidden:
        lines += ["", *wording.wrap(wording.hidden_sentence(result.hidden), WIDTH)]
    if not verbose and any(e.status not in ("complete", "not-implemented", "unavailable")
                           for e in result.exercises):
        lines += ["", _("(grade -v shows every check with all of its feedback)")]
    return sanitize.clean("\n".join(lines) + "\n", limit=None)


def _exercise_lines(exercise, symbols, verbose: bool) -> list[str]:
    status = exercise.status
    label = exercise.name + (_("  (not implemented yet)") if status == "not-implemented"
                             else "")
    lines = _row(label, points(exercise.score, exercise.max_score))
    if status == "unavailable":
        lines += _indent(exercise.message or "", 4)
        feedback = exercise.graded[0].feedback       # the same for every check: why it broke
        if feedback and feedback.hint:
            lines += _labelled(feedback_label("hint"), feedback.hint, 4)
        return lines
    if status == "not-implemented":
        return lines
    if status == "complete" and not verbose:
        if exercise.advice:         # still one line: the advice itself is behind -v
            count = len(exercise.advice)
            note = (_("  (1 piece of advice: grade -v)") if count == 1 else
                    _("  ({count} pieces of advice: grade -v)", count=count))
            lines = _row(label + note, points(exercise.score, exercise.max_score))
        return lines
    if verbose:
        for check in exercise.checks:
            lines += _check_lines(check, symbols, full=True)
        return lines        # advisory checks are among the checks: their advice shows there
    graded = [c for c in exercise.checks if not c.advisory]
    failing = [c for c in graded if c.status != "pass"]
    for index, check in enumerate(failing):
        lines += _check_lines(check, symbols, full=index < IN_FULL)
    passed = len(graded) - len(failing)
    if passed:
        others = (_("1 other check passes") if passed == 1 else
                  _("{count} other checks pass", count=passed))
        lines.append(f"  {symbols['pass']} {others}")
    for advice in exercise.advice:
        lines += _indent(_("advice: {advice}", advice=advice), 4)
    return lines


def _row(left: str, right: str, indent: int = 0) -> list[str]:
    """``left`` wrapped to the room left of ``right``, which ends the first line."""
    room = WIDTH - indent - wording.width(right) - 1
    pieces = wording.wrap(left, room, subsequent_indent="  ", break_long_words=True,
                          break_on_hyphens=False) or [""]
    first = " " * indent + wording.ljust(pieces[0], room) + " " + right
    return [first] + [" " * indent + piece for piece in pieces[1:]]


def _check_lines(check, symbols, full: bool = True) -> list[str]:
    mark = symbols.get(check.status, "?")
    tag = "" if check.status in ("pass", "fail") else f" [{wording.check_status(check.status)}]"
    right = _("advice") if check.advisory else points(check.points, check.max_points)
    lines = _row(f"{mark} {check.description}{tag}", right, indent=2)
    if check.status == "pass":
        return lines
    feedback = check.feedback
    if not full:
        # one line: what is wrong (the diagnosis first when there is one)
        summary = (feedback.diagnosis if feedback and feedback.diagnosis else None) or \
            (check.message if check.message != check.description else None)
        if summary:
            lines += _indent(summary.splitlines()[0], 6)
        return lines
    if check.message and check.message != check.description:
        lines += _indent(check.message, 6)
    if feedback:
        for key in FEEDBACK_KEYS:
            text = getattr(feedback, key)
            if text:
                lines += _labelled(feedback_label(key, feedback.call), text, 6)
    return lines


# the feedback fields in the order a person reads them, with their labels
FEEDBACK_KEYS = ("diagnosis", "call", "expected", "actual", "details", "output", "hint")
_LABELS = {"diagnosis": N_("diagnosis"), "expected": N_("expected"), "actual": N_("got"),
           "details": N_("details"), "output": N_("printed"), "hint": N_("hint")}


def feedback_label(key: str, call: str | None = None) -> str:
    """The label of a feedback field, in the reader's language."""
    if key == "call":
        return _call_label(call)
    return _(_LABELS[key])


def _call_label(call: str | None) -> str:
    """"called" before a call; "check" before what a scenario did ("built LeNet() and ...")."""
    first = (call or "").split(" ", 1)[0]
    return _("called") if "(" in first or not first else _("check")


def feedback_lines(check: dict) -> list[str]:
    """A check (as in the JSON schema) as plain lines: message, then labelled feedback."""
    lines = [check["message"]] if check.get("message") else []
    feedback = check.get("feedback") or {}
    for key in FEEDBACK_KEYS:
        value = feedback.get(key)
        if value:
            lines.append(_("{label}: {text}", label=feedback_label(key, feedback.get("call")),
                           text=value))
    return lines


def render_markdown(result: GradeResult) -> str:
    """A report for a GitHub Actions job summary: a table per exercise, failures listed."""
    data = result.to_dict()
    lines = ["## " + _("{assignment}: {score}", assignment=data["assignment"],
                       score=f"{number(data['score'])} / {number(data['max_score'])}"), ""]
    if data.get("notes"):                       # reading the submission: what was refused
        lines += [f"> {_md(note)}" for note in data["notes"]] + [""]
    header = (_("exercise"), _("score"), _("status"))
    lines += ["| " + " | ".join(header) + " |", "|---|---|---|"]
    for exercise in data["exercises"]:
        lines.append(f"| {exercise['name']} | {number(exercise['score'])} / "
                     f"{number(exercise['max_score'])} | "
                     f"{wording.exercise_status(exercise['status'])} |")
    for exercise in data["exercises"]:
        failed = [c for c in exercise["checks"] if c["status"] != "pass" and not c["advisory"]]
        if not failed:
            continue
        lines += ["", f"### {exercise['name']}", ""]
        for check in failed:
            lines.append(f"- **{_md(check['description'])}** " + _(
                "({status}, {points})", status=wording.check_status(check["status"]),
                points=f"{number(check['points'])} / {number(check['max_points'])}"))
            for line in feedback_lines(check):
                lines.append(f"  - {_md(line)}")
    if data.get("hidden"):
        lines += ["", _("Hidden checks ({count}) are graded at submission; they are not part "
                        "of this score.", count=data["hidden"].get("checks", 0))]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return sanitize.markdown_inline(text, 500)


def _labelled(label: str, text: str, indent: int) -> list[str]:
    pad = " " * indent
    head = f"{pad}{wording.ljust(label, 9)} "
    out = []
    for i, line in enumerate(str(text).splitlines() or [""]):
        prefix = head if i == 0 else " " * wording.width(head)
        out += wording.wrap(line, WIDTH, initial_indent=prefix,
                            subsequent_indent=" " * wording.width(head),
                            break_long_words=True, break_on_hyphens=False) or [prefix.rstrip()]
    return out


def _indent(text: str, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for line in str(text).splitlines():
        out += wording.wrap(line, WIDTH, initial_indent=pad, subsequent_indent=pad + "  ",
                            break_long_words=True, break_on_hyphens=False) or [pad]
    return out
