"""check()'s result inline in the notebook: an HTML fragment and its plain-text twin.

Input: a result of the JSON schema (``grade --format json``), plus notes.  Output: one
``<div>`` with a table of exercises; each exercise is a collapsible ``<details>`` (open when
something failed) holding its checks, and each check that did not pass shows what was called,
expected, got, the details, the diagnosis, what was printed and the hint.  Inline styles only
(no ``<style>``, no scripts: the fragment must not restyle the notebook around it) in colours
readable on the light and dark themes of JupyterLab, Notebook and VS Code.

Everything in the result can come from the student (exception messages, printed output,
``repr`` of returned values): every string goes through the reports' one sanitiser
(:mod:`grader.reports.sanitize`: control characters shown, never obeyed; capped), then is
HTML-escaped before it is shown.
"""
from __future__ import annotations

import html

from grader.i18n import N_, _
from grader.reports import sanitize, wording

MAX_FIELD = 2000           # characters of one feedback field shown inline (a notebook cell)
MAX_MESSAGE = 1000
# feedback keys in the order shown, with their labels (unknown string keys follow)
FIELDS = (("call", N_("called")), ("expected", N_("expected")), ("actual", N_("got")),
          ("details", N_("details")), ("diagnosis", N_("diagnosis")), ("output", N_("printed")),
          ("hint", N_("hint")))
_CODE_LIKE = {"call", "expected", "actual", "output"}
_STATUS_COLOUR = {"pass": "#2da44e", "complete": "#2da44e", "fail": "#d1242f",
                  "failed": "#d1242f", "error": "#d1242f", "crash": "#d1242f",
                  "timeout": "#bf8700", "partial": "#bf8700", "unavailable": "#d1242f",
                  "not-implemented": "#8c959f"}
_SYMBOL = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "⏱", "crash": "☠",
           "not-implemented": "·"}


def clean(value, limit: int = MAX_FIELD) -> str:
    """A student-controlled value as safe text: control characters escaped, capped."""
    return sanitize.clean(value, limit)


def esc(value, limit: int = MAX_FIELD) -> str:
    return html.escape(clean(value, limit), quote=True)


def number(value) -> str:
    try:
        x = round(float(value), 6)
    except (TypeError, ValueError):
        return "?"
    return str(int(x)) if x == int(x) else str(x)


def points(score, top) -> str:
    return f"{number(score)} / {number(top)}"


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _feedback_items(check: dict) -> list[tuple[str, str, bool]]:
    feedback = check.get("feedback") if isinstance(check.get("feedback"), dict) else {}
    known = [k for k, _label in FIELDS]
    items = [(_(label), feedback[k], k in _CODE_LIKE) for k, label in FIELDS
             if isinstance(feedback.get(k), str) and feedback[k]]
    items += [(k, v, False) for k, v in feedback.items()
              if k not in known and isinstance(v, str) and v]
    return items


def hidden_line(result: dict) -> str | None:
    hidden = result.get("hidden")
    if not isinstance(hidden, dict):
        return None
    return wording.hidden_sentence(hidden)


# ----------------------------------------------------------------------------- HTML
_BOX = ("font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;"
        "line-height:1.45;color:inherit;max-width:100%")
_TABLE = "border-collapse:collapse;width:100%;margin:4px 0"
_CELL = "padding:4px 8px;border-top:1px solid rgba(128,128,128,.35);vertical-align:top;" \
        "text-align:left"
_PRE = ("margin:0;white-space:pre-wrap;word-break:break-word;font-family:var(" \
        "--jp-code-font-family,ui-monospace,monospace);font-size:12px;background:rgba(128,128," \
        "128,.12);padding:3px 6px;border-radius:4px")


def _badge(status: str) -> str:
    colour = _STATUS_COLOUR.get(status, "#8c959f")
    return (f'<span style="color:{colour};font-weight:600;white-space:nowrap">'
            f"{esc(wording.exercise_status(status), 40)}</span>")


def _check_html(check: dict) -> str:
    status = clean(check.get("status") or "error", 40)
    advisory = bool(check.get("advisory"))
    symbol = _SYMBOL.get(status, "?")
    description = esc(check.get("description") or check.get("name"), 300)
    tags = (" <em style='opacity:.7'>" + esc(_("(hidden)")) + "</em>"
            if check.get("visibility") == "hidden" else "")
    right = _("advice") if advisory else points(check.get("points"), check.get("max_points"))
    colour = _STATUS_COLOUR.get(status, "#8c959f")
    head = (f'<span style="color:{colour};font-weight:700">{esc(symbol)}</span> '
            f'{description}{tags}')
    body = []
    message = check.get("message")
    if status != "pass" and message and clean(message, MAX_MESSAGE) != clean(
            check.get("description"), MAX_MESSAGE):
        body.append(f'<div style="margin:2px 0">{esc(message, MAX_MESSAGE)}</div>')
    if status != "pass":
        rows = []
        for label, value, code_like in _feedback_items(check):
            shown = f'<pre style="{_PRE}">{esc(value)}</pre>' if code_like else esc(value)
            rows.append(f'<tr><th style="{_CELL};opacity:.75;font-weight:600;width:6em">'
                        f'{esc(label, 40)}</th><td style="{_CELL}">{shown}</td></tr>')
        if rows:
            body.append(f'<table style="{_TABLE}">{"".join(rows)}</table>')
    if body:
        inner = (f"<details open><summary style='cursor:pointer'>{head}</summary>"
                 f"{''.join(body)}</details>")
    else:
        inner = head
    return (f'<tr><td style="{_CELL}">{inner}</td><td style="{_CELL}">{_badge(status)}</td>'
            f'<td style="{_CELL};text-align:right;white-space:nowrap">{esc(right, 40)}</td></tr>')


def _exercise_html(exercise: dict) -> str:
    status = clean(exercise.get("status") or "failed", 40)
    checks = _dicts(exercise.get("checks"))
    opened = " open" if status not in ("complete", "not-implemented") else ""
    summary = (f"<summary style='cursor:pointer'><strong><code>{esc(exercise.get('name'), 100)}"
               f"</code></strong> &nbsp;{_badge(status)} &nbsp;"
               f"{esc(points(exercise.get('score'), exercise.get('max_score')))}</summary>")
    parts = []
    if exercise.get("message"):
        parts.append(f'<pre style="{_PRE};margin:4px 0">'
                     f'{esc(exercise.get("message"), MAX_FIELD)}</pre>')
    if checks:
        parts.append(f'<table style="{_TABLE}"><thead><tr><th style="{_CELL}">'
                     f'{esc(_("check"))}</th><th style="{_CELL}">{esc(_("status"))}</th>'
                     f'<th style="{_CELL};text-align:right">{esc(_("points"))}</th></tr>'
                     f'</thead><tbody>' + "".join(_check_html(c) for c in checks)
                     + "</tbody></table>")
    advice = [a for a in (exercise.get("advice") or []) if isinstance(a, str)]
    if advice:
        parts.append("<div><strong>" + esc(_("advice")) + "</strong> "
                     + esc(_("(not deducted):")) + "<ul>"
                     + "".join(f"<li>{esc(a, MAX_MESSAGE)}</li>" for a in advice[:20])
                     + "</ul></div>")
    return (f'<tr><td colspan="3" style="{_CELL}"><details{opened}>{summary}'
            f'<div style="margin-left:1.2em">{"".join(parts)}</div></details></td></tr>')


def to_html(result: dict, notes=(), seconds: float | None = None) -> str:
    exercises = _dicts(result.get("exercises"))
    rows = "".join(_exercise_html(e) for e in exercises)
    total = (f'<tr><td style="{_CELL}"><strong>{esc(_("Total"))}</strong></td>'
             f'<td style="{_CELL}"></td>'
             f'<td style="{_CELL};text-align:right;white-space:nowrap"><strong>'
             f'{esc(points(result.get("score"), result.get("max_score")))}</strong></td></tr>')
    out = [f'<div class="dl-grader-check" style="{_BOX}">',
           f'<table style="{_TABLE}"><thead><tr><th style="{_CELL}">{esc(_("exercise"))}</th>'
           f'<th style="{_CELL}">{esc(_("status"))}</th>'
           f'<th style="{_CELL};text-align:right">{esc(_("points"))}</th>'
           f"</tr></thead><tbody>{rows}{total}</tbody></table>"]
    line = hidden_line(result)
    if line:
        out.append(f'<p style="margin:4px 0"><strong>{esc(line)}</strong></p>')
    for note in notes:
        out.append(f'<p style="margin:4px 0;color:#bf8700">{esc(note, MAX_MESSAGE)}</p>')
    if seconds is not None:
        out.append('<p style="margin:2px 0;opacity:.6;font-size:11px">'
                   + esc(graded_in(seconds)) + "</p>")
    out.append("</div>")
    return "".join(out)


def message_html(text: str, kind: str = "error") -> str:
    colour = "#d1242f" if kind == "error" else "#bf8700"
    return (f'<div class="dl-grader-check" style="{_BOX};border-left:3px solid {colour};'
            f'padding:4px 10px"><pre style="margin:0;white-space:pre-wrap;font-family:inherit">'
            f"{esc(text, 4000)}</pre></div>")


def progress_html(done: int, total: int, exercise: str, seconds: float, what: str) -> str:
    if total:
        bar = f'<progress value="{done}" max="{total}" style="width:12em"></progress> '
        text = esc(_("{what}: {done} of {total} checks done ({exercise})", what=clean(what, 200),
                     done=done, total=total, exercise=clean(exercise, 100)))
    else:
        bar = '<progress style="width:12em"></progress> '
        text = esc(_("{what}: starting the grader", what=clean(what, 200)))
    return (f'<div class="dl-grader-check" style="{_BOX}">{bar}{text} &middot; '
            f"{esc(_('{seconds} s', seconds=f'{seconds:.0f}'))}</div>")


def progress_text(done: int, total: int, exercise: str, seconds: float, what: str) -> str:
    if total:
        return _("{what}: {done} of {total} checks done ({exercise}), {seconds} s",
                 what=clean(what, 200), done=done, total=total, exercise=clean(exercise, 100),
                 seconds=f"{seconds:.0f}")
    return _("{what}: starting the grader, {seconds} s", what=clean(what, 200),
             seconds=f"{seconds:.0f}")


def graded_in(seconds: float) -> str:
    return _("graded in {seconds} s by a separate grader process", seconds=f"{seconds:.1f}")


# ----------------------------------------------------------------------------- text
WIDTH = 78


def _row(left: str, right: str, indent: int = 0) -> str:
    room = WIDTH - indent - wording.width(right) - 1
    if wording.width(left) > room:
        while wording.width(left) > room - 1:
            left = left[:-1]
        left += "…"
    return " " * indent + wording.ljust(left, room) + " " + right


def _wrapped(text: str, indent: int) -> list[str]:
    out = []
    for line in clean(text).splitlines() or [""]:
        out += wording.wrap(line, WIDTH - indent, break_on_hyphens=True,
                            replace_whitespace=False) or [""]
    return [" " * indent + line for line in out]


def to_text(result: dict, notes=(), seconds: float | None = None) -> str:
    lines = []
    for exercise in _dicts(result.get("exercises")):
        status = clean(exercise.get("status"), 40)
        label = clean(exercise.get("name"), 60)
        if status == "not-implemented":
            label += _("  (not implemented yet)")
        lines.append(_row(label, points(exercise.get("score"), exercise.get("max_score"))))
        if exercise.get("message") and status != "not-implemented":
            lines += _wrapped(exercise["message"], 4)
        if status in ("complete", "not-implemented", "unavailable"):
            continue
        for check in _dicts(exercise.get("checks")):
            check_status = clean(check.get("status"), 40)
            mark = _SYMBOL.get(check_status, "?")
            right = _("advice") if check.get("advisory") else points(check.get("points"),
                                                                       check.get("max_points"))
            lines.append(_row(f"{mark} {clean(check.get('description') or check.get('name'), 200)}",
                              right, indent=2))
            if check_status == "pass":
                continue
            if check.get("message"):
                lines += _wrapped(check["message"], 6)
            for label, value, _code in _feedback_items(check):
                body = _wrapped(value, 15)
                body[0] = "      " + wording.ljust(label, 8) + " " + body[0][15:]
                lines += body
        for advice in exercise.get("advice") or []:
            lines += _wrapped(_("advice: {advice}", advice=advice), 4)
    lines += ["", _row(_("Total"), points(result.get("score"), result.get("max_score")))]
    line = hidden_line(result)
    if line:
        lines += [""] + wording.wrap(line, WIDTH)
    lines += [""] * bool(notes) + [n for note in notes
                                   for n in wording.wrap(clean(note), WIDTH)]
    if seconds is not None:
        lines.append("(" + graded_in(seconds) + ")")
    return "\n".join(lines)
