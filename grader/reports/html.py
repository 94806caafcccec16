"""HTML reports: one student's feedback page, and the class overview with its plots.

Every page is one self-contained file: inline CSS, inline SVG plots, no JavaScript, no fonts,
images or style sheets from anywhere (a Content-Security-Policy meta tag forbids them, so even
a bug here cannot make a page load something).  Every string that comes from a result
(messages, printed output, file and student names) is escaped; a student who prints markup
gets it shown as text.  Nothing depends on time or on the machine: the same input gives the
same bytes.

- :func:`render_student`: a result of the JSON schema (:mod:`grader.judge.score`) as a page: the
  total, then each exercise with its checks, and under each failed check what was called,
  expected, returned, and a hint; hidden checks as the ``hidden_feedback`` policy allows.
- :func:`render_class`: the overview of a class: summary figures, the score distribution,
  the mean score per exercise and the pass rate per check, the time per submission, the most
  common failure per exercise, and a table of students linking to their pages.
- :func:`write_reports`: ``index.html`` and ``students/<safe name>.html``.
"""
from __future__ import annotations

import hashlib
import html
import math
import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

from grader.judge.score import number
from grader.reports import sanitize

HIDDEN_FEEDBACK = ("full", "status", "none")
MAX_FIELD = 20_000          # characters of one feedback field shown (outputs can be huge)

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

# (text colour, background) per status: checks, exercises, submissions
_COLOURS = {
    "pass": ("#1a7f37", "#dafbe1"), "complete": ("#1a7f37", "#dafbe1"),
    "graded": ("#1a7f37", "#dafbe1"),
    "fail": ("#cf222e", "#ffebe9"), "failed": ("#cf222e", "#ffebe9"),
    "partial": ("#9a6700", "#fff8c5"),
    "error": ("#bc4c00", "#fff1e5"), "unavailable": ("#bc4c00", "#fff1e5"),
    "malformed": ("#bc4c00", "#fff1e5"),
    "timeout": ("#8250df", "#fbefff"),
    "crash": ("#a40e26", "#ffebe9"), "crashed": ("#a40e26", "#ffebe9"),
    "not-implemented": ("#59636e", "#eaeef2"),
    "advice": ("#0969da", "#ddf4ff"), "hidden": ("#59636e", "#eaeef2"),
}
_LABELS = {"not-implemented": "not implemented", "pass": "pass", "fail": "fail"}
_GOOD, _MID, _BAD, _TRACK = "#2da44e", "#d4a72c", "#cf222e", "#eaeef2"
_BLUE, _RED = "#0969da", "#cf222e"

_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 20px 56px}
h1{font-size:1.65em;margin:0 0 2px;overflow-wrap:anywhere}
h2{font-size:1.2em;margin:32px 0 10px}
h3{font-size:1em;margin:0}
a{color:#0969da}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",
"Liberation Mono",monospace;font-size:13px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding:6px 9px;max-height:26em;
overflow:auto;background:var(--soft);border:1px solid var(--line);border-radius:6px}
.muted{color:var(--muted)}
.sub{margin:0;color:var(--muted);overflow-wrap:anywhere}
.crumbs{margin:0 0 10px;font-size:.9em}
.total{display:flex;align-items:center;gap:16px;margin:14px 0 4px;flex-wrap:wrap}
.total .big{font-size:2em;font-weight:650;font-variant-numeric:tabular-nums}
.total .pct{font-size:1.2em;color:var(--muted)}
.note{margin:14px 0;padding:10px 14px;border-left:4px solid #d4a72c;background:#fff8c5;
border-radius:0 6px 6px 0}
.badge{display:inline-block;padding:0 8px;border-radius:999px;font-size:12px;font-weight:600;
line-height:20px;white-space:nowrap;vertical-align:middle}
svg{max-width:100%;height:auto}
svg.bar{vertical-align:middle}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600;background:var(--soft)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{overflow-wrap:anywhere}
.toc td{padding:3px 10px}
section.ex{margin:14px 0;border:1px solid var(--line);border-radius:8px}
section.ex>details>summary{display:flex;align-items:center;gap:12px;padding:10px 14px;
cursor:pointer;list-style:none;border-radius:8px}
section.ex>details>summary::-webkit-details-marker{display:none}
section.ex>details>summary::before{content:"\\25B8";color:var(--muted);width:1em}
section.ex>details[open]>summary::before{content:"\\25BE"}
section.ex>details[open]>summary{border-bottom:1px solid var(--line);border-radius:8px 8px 0 0}
summary h3{font-size:1.1em;overflow-wrap:anywhere;flex:1}
summary .score{font-weight:650;font-variant-numeric:tabular-nums;white-space:nowrap}
.body{padding:6px 14px 12px}
.msg{white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0}
.check{display:grid;grid-template-columns:8.5em 1fr auto;gap:2px 12px;padding:6px 0;
border-bottom:1px solid #eef1f4;align-items:baseline}
.check:last-child{border-bottom:0}
.check .what{overflow-wrap:anywhere}
.check .what code{color:var(--muted);font-size:12px;margin-left:6px}
.check>.badge{justify-self:start}
.check .pts{font-variant-numeric:tabular-nums;white-space:nowrap;text-align:right}
.check .more{grid-column:2/4;min-width:0}
dl.fb{display:grid;grid-template-columns:5.5em minmax(0,1fr);gap:4px 10px;margin:6px 0 2px}
dl.fb dt{color:var(--muted);font-size:13px;padding-top:5px}
dl.fb dd{margin:0;min-width:0}
dl.fb dd.text{padding-top:4px;overflow-wrap:anywhere}
.advice{margin:10px 0 0;padding:8px 12px;background:#ddf4ff;border-radius:6px}
.advice ul{margin:4px 0 0;padding-left:20px}
.advice li{overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(140px,100%),1fr));
gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .k{font-size:13px;color:var(--muted)}
.card .v{font-size:1.5em;font-weight:650;font-variant-numeric:tabular-nums;white-space:nowrap}
.card .v small{font-size:.6em;font-weight:500;color:var(--muted)}
.card .d{font-size:13px;color:var(--muted)}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(500px,100%),1fr));gap:16px}
.plot,.mini{border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.plot h3,.mini h3{margin-bottom:6px}
.minis{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(320px,100%),1fr));gap:12px}
.mini h3{font-size:.95em;display:flex;justify-content:space-between;align-items:baseline;gap:8px}
.mini h3 span:first-child{overflow-wrap:anywhere;min-width:0}
.mini h3 small{font-weight:400;font-size:12px;color:var(--muted);white-space:nowrap}
.legend{font-size:13px;color:var(--muted);margin:4px 0 0}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
.empty{color:var(--muted);font-style:italic;margin:8px 0}
.students td{padding:4px 10px}
@media (max-width:640px){main{padding:16px 10px 40px}
.check{grid-template-columns:auto minmax(0,1fr) auto}.check .more{grid-column:1/-1}
dl.fb{grid-template-columns:minmax(0,1fr)}dl.fb dt{padding-top:0}
th,td{padding:4px 5px}}
"""


# --------------------------------------------------------------------------------- helpers

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _text(value) -> str:
    """A value as text that can be written as UTF-8 (no lone surrogates, no control chars)."""
    return sanitize.clean(value, limit=None)


def esc(value) -> str:
    """Escape for HTML text and for (double-quoted) attribute values."""
    return html.escape(_text(value), quote=True)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit:,} more characters)"


def _short(text: str, limit: int) -> str:
    text = " ".join(_text(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _num(x) -> str:
    try:
        return str(number(x))
    except (TypeError, ValueError):
        return "—"


def _points(score, max_score) -> str:
    return f"{_num(score)} / {_num(max_score)}"


def _fraction(score, max_score) -> float | None:
    try:
        score, max_score = float(score), float(max_score)
    except (TypeError, ValueError):
        return None
    if not max_score > 0 or math.isnan(score):
        return None
    return min(max(score / max_score, 0.0), 1.0)


def _pct(fraction: float | None) -> str:
    return "—" if fraction is None else f"{100 * fraction:.0f}%"


def _f(x: float) -> str:
    """A coordinate: short, and the same bytes on every run."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _rate_colour(fraction: float | None) -> str:
    if fraction is None:
        return _TRACK
    return _GOOD if fraction >= 0.8 else _MID if fraction >= 0.5 else _BAD


def _badge(status: str, label: str | None = None) -> str:
    fg, bg = _COLOURS.get(status, ("#59636e", "#eaeef2"))
    return (f'<span class="badge" style="color:{fg};background:{bg}">'
            f'{esc(label or _LABELS.get(status, status))}</span>')


def _bar(fraction: float | None, width: int = 120, height: int = 8) -> str:
    fill = "" if fraction is None else (
        f'<rect width="{_f(100 * fraction)}" height="8" fill="{_rate_colour(fraction)}"/>')
    return (f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 100 8" '
            f'preserveAspectRatio="none" aria-hidden="true">'
            f'<rect width="100" height="8" fill="{_TRACK}"/>{fill}</svg>')


def _page(title: str, body: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------------------ one student

_FIELDS = (("call", "called", True), ("expected", "expected", True), ("actual", "got", True),
           ("details", "details", False), ("output", "printed", True), ("hint", "hint", False))


def render_student(result: dict, *, hidden_feedback: str = "full",
                   title: str | None = None) -> str:
    """One student's feedback page from a result of the JSON schema (``GradeResult.to_dict()``).

    ``hidden_feedback``: ``full`` shows hidden checks like public ones; ``status`` shows their
    name, status and points but no message or feedback; ``none`` folds the hidden checks of
    each exercise into one line "hidden checks: x / y points".
    """
    return _render_student(result, hidden_feedback=hidden_feedback, title=title)


def _render_student(result: dict, *, hidden_feedback: str, title: str | None,
                    back: str | None = None) -> str:
    if hidden_feedback not in HIDDEN_FEEDBACK:
        raise ValueError(f"hidden_feedback must be one of {', '.join(HIDDEN_FEEDBACK)}, "
                         f"not {hidden_feedback!r}")
    result = _dict(result)
    assignment = _text(result.get("assignment") or "")
    heading = _text(title) if title else (assignment or "Grading report")
    parts = []
    if back:
        parts.append(f'<p class="crumbs"><a href="{esc(back)}">← class overview</a></p>')
    parts.append(f"<header>\n<h1>{esc(heading)}</h1>")
    if assignment and assignment not in heading:
        parts.append(f'<p class="sub">{esc(assignment)}</p>')
    if result.get("submission"):
        parts.append(f'<p class="sub">submission <code>{esc(result["submission"])}</code></p>')
    total = _fraction(result.get("score"), result.get("max_score"))
    parts.append(f'<div class="total"><span class="big">'
                 f'{esc(_points(result.get("score"), result.get("max_score")))}</span>'
                 f'<span class="pct">{_pct(total)}</span>{_bar(total, 260, 12)}</div>')
    hidden = _dict(result.get("hidden"))
    if hidden:
        count, pts = hidden.get("checks", 0), hidden.get("points", 0)
        parts.append(f'<p class="note">Only the public checks ran here. {esc(_num(count))} '
                     f'hidden checks ({esc(_num(pts))} points) are graded when you submit: '
                     "passing every public check does not mean full marks.</p>")
    if result.get("status") and not result.get("exercises"):
        # an export row of a submission that could not be graded
        parts.append(f'<p class="note">{_badge(_text(result["status"]))} '
                     f'{esc(result.get("message") or "")}</p>')
    parts.append("</header>")

    exercises = [_dict(e) for e in _list(result.get("exercises"))]
    if exercises:
        parts.append(_student_toc(exercises))
        for i, exercise in enumerate(exercises):
            parts.append(_exercise_section(i, exercise, hidden_feedback))
    else:
        parts.append('<p class="empty">No exercises were graded.</p>')
    return _page(heading, "\n".join(parts))


def _exercise_status(exercise: dict) -> str:
    return _text(exercise.get("status") or "failed")


def _student_toc(exercises: list[dict]) -> str:
    rows = []
    for i, exercise in enumerate(exercises):
        status = _exercise_status(exercise)
        score, top = exercise.get("score"), exercise.get("max_score")
        rows.append(f'<tr><td class="name"><a href="#ex{i}">{esc(exercise.get("name"))}</a></td>'
                    f'<td>{_badge(status)}</td><td class="num">{esc(_points(score, top))}</td>'
                    f"<td>{_bar(_fraction(score, top))}</td></tr>")
    return ('<h2>Exercises</h2>\n<table class="toc"><thead><tr><th>exercise</th><th>status</th>'
            '<th class="num">points</th><th></th></tr></thead><tbody>\n'
            + "\n".join(rows) + "\n</tbody></table>")


def _exercise_section(i: int, exercise: dict, policy: str) -> str:
    status = _exercise_status(exercise)
    checks = [_dict(c) for c in _list(exercise.get("checks"))]
    is_open = " open" if status != "complete" else ""
    advice_badge = _badge("advice", "advice") if _list(exercise.get("advice")) else ""
    out = [f'<section class="ex" id="ex{i}"><details{is_open}>',
           f"<summary><h3>{esc(exercise.get('name'))}</h3>{advice_badge}{_badge(status)}"
           f'<span class="score">{esc(_points(exercise.get("score"), exercise.get("max_score")))}'
           "</span></summary>", '<div class="body">']
    if exercise.get("message"):
        out.append(f'<p class="msg">{esc(exercise["message"])}</p>')
    elif status == "not-implemented":
        out.append('<p class="msg">not implemented yet</p>')
    shown_messages = set()
    hidden_pts = hidden_max = 0.0
    hidden_count = 0
    for check in checks:
        hidden = check.get("visibility") == "hidden"
        if hidden and policy == "none":
            hidden_count += 1
            hidden_pts += _float(check.get("points"))
            hidden_max += _float(check.get("max_points"))
            continue
        if hidden and policy == "status":
            check = dict(check, message=None, feedback=None)
        if check.get("message"):
            shown_messages.add(_text(check["message"]))
        out.append(_check_row(check, _text(exercise.get("message") or "")))
    if hidden_count:
        out.append(f'<div class="check">{_badge("hidden", "hidden")}<span class="what">'
                   f"hidden checks: {esc(_points(hidden_pts, hidden_max))} points</span>"
                   f'<span class="pts muted">{hidden_count} checks</span></div>')
    advice = [_text(a) for a in _list(exercise.get("advice")) if _text(a) not in shown_messages]
    if advice:
        out.append('<div class="advice"><strong>Advice</strong> (not deducted)<ul>'
                   + "".join(f"<li>{esc(a)}</li>" for a in advice) + "</ul></div>")
    out.append("</div></details></section>")
    return "\n".join(out)


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _check_row(check: dict, said: str = "") -> str:
    """One check; ``said``: the exercise's message, not repeated under each check."""
    status = _text(check.get("status") or "error")
    advisory = bool(check.get("advisory"))
    description = _text(check.get("description") or check.get("name") or "")
    name = _text(check.get("name") or "")
    tags = ""
    if check.get("visibility") == "hidden":
        tags += " " + _badge("hidden", "hidden")
    if advisory:
        pts = _badge("advice", "advice")
    else:
        pts = esc(_points(check.get("points"), check.get("max_points")))
    code = f"<code>{esc(name)}</code>" if name and name != description else ""
    row = [f'<div class="check">{_badge(status)}<span class="what">{esc(description)}{code}'
           f'{tags}</span><span class="pts">{pts}</span>']
    if status != "pass":
        more = []
        message = check.get("message")
        if message and _text(message) not in (description, said):
            more.append(f'<p class="msg">{esc(message)}</p>')
        feedback = _dict(check.get("feedback"))
        items = []
        for key, label, code_like in _FIELDS:
            value = feedback.get(key)
            if value is None or value == "":
                continue
            text = esc(_clip(_text(value), MAX_FIELD))
            if code_like:
                items.append(f"<dt>{label}</dt><dd><pre>{text}</pre></dd>")
            else:
                items.append(f'<dt>{label}</dt><dd class="text">{text}</dd>')
        if items:
            more.append('<dl class="fb">' + "".join(items) + "</dl>")
        if more:
            row.append(f'<div class="more">{"".join(more)}</div>')
    row.append("</div>")
    return "".join(row)


# ----------------------------------------------------------------------------------- class

_FAILED_TO_GRADE = ("crashed", "timeout", "malformed")


def safe_name(student) -> str:
    """A deterministic, portable file name for a student id: ASCII slug + hash of the id.

    ``"Zoë O'Brien"`` -> ``"zoe-o-brien-<8 hex>.html"``; the hash keeps ids that slug alike
    (``"a/b"``, ``"a b"``, ``"A B"``, unicode-only names) apart on every file system.
    """
    student = _text(student)
    ascii_name = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:48].strip("-")
    digest = hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
    return f"{slug or 'student'}-{digest}.html"


def _student_files(entries: list[dict]) -> list[str | None]:
    """The page of each entry (``None`` when it has no result); unique even for equal names."""
    used: set[str] = set()
    files: list[str | None] = []
    for entry in entries:
        if not isinstance(entry.get("result"), dict):
            files.append(None)
            continue
        name = safe_name(entry.get("student"))
        stem, n = name[:-5], 1
        while name in used:
            n += 1
            name = f"{stem}-{n}.html"
        used.add(name)
        files.append(name)
    return files


def render_class(entries: list[dict], *, title: str) -> str:
    """The class overview: figures, plots, the most common failures, and the students."""
    entries = [_dict(e) for e in entries]
    return _render_class(entries, title=title, files=_student_files(entries))


def _render_class(entries: list[dict], *, title: str, files: list[str | None]) -> str:
    graded = [e for e in entries if e.get("status") == "graded"]
    scored = [e for e in graded if _fraction(e.get("score"), e.get("max_score")) is not None]
    maxima = {_num(e.get("max_score")) for e in scored}
    same_max = len(maxima) == 1
    parts = [f"<header>\n<h1>{esc(title)}</h1>",
             f'<p class="sub">class overview: {len(entries)} '
             f'submission{"s" if len(entries) != 1 else ""}</p>\n</header>',
             _figures(entries, graded, scored, same_max)]
    parts.append("<h2>Distributions</h2>\n<div class=\"plots\">"
                 + _score_plot(scored, same_max) + _time_plot(entries) + "</div>")
    stats = _exercise_stats(entries)
    parts.append(_exercise_plots(stats))
    parts.append(_failure_table(stats))
    parts.append(_student_table(entries, files))
    return _page(title, "\n".join(parts))


def _figures(entries, graded, scored, same_max) -> str:
    failed = Counter(_text(e.get("status")) for e in entries if e.get("status") != "graded")
    breakdown = " · ".join(f"{n} {status}" for status, n in sorted(failed.items())) or "none"
    # (label, value, small text after the value, line under it)
    cards = [("students", str(len(entries)), "", "submissions"),
             ("graded", str(len(graded)), "",
              _pct(len(graded) / len(entries)) + " of the class" if entries else "—"),
             ("failed to grade", str(len(entries) - len(graded)), "", breakdown)]
    fractions = [_fraction(e["score"], e["max_score"]) for e in scored]
    if scored:
        mean_f, median_f = statistics.fmean(fractions), statistics.median(fractions)
        if same_max:
            scores = [float(e["score"]) for e in scored]
            top = "/ " + _num(scored[0]["max_score"])
            cards += [("mean score", f"{statistics.fmean(scores):.1f}", top,
                       _pct(mean_f) + " (graded only)"),
                      ("median score", _num(statistics.median(scores)), top, _pct(median_f))]
        else:
            cards += [("mean score", _pct(mean_f), "", "graded only"),
                      ("median score", _pct(median_f), "", "")]
        full = sum(f >= 1.0 for f in fractions)
        cards.append(("full marks", str(full), "", f"{_pct(full / len(scored))} of graded"))
    else:
        cards += [("mean score", "—", "", "nothing graded"), ("median score", "—", "", "")]
    seconds = [float(e["seconds"]) for e in entries if _is_number(e.get("seconds"))]
    if seconds:
        cards.append(("time per submission", f"{statistics.median(seconds):.1f}", "s",
                      f"median; max {max(seconds):.1f} s"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}'
        + (f" <small>{esc(small)}</small>" if small else "")
        + f'</div><div class="d">{esc(d)}</div></div>' for k, v, small, d in cards) + "</div>"


def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


# ----- plots

def _nice_step(span: float, most: int) -> float:
    """The smallest 1/2/2.5/5 x 10^k step that covers ``span`` in at most ``most`` steps."""
    if span <= 0:
        return 1.0
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _columns(labels: list[str], series: list[tuple[str, str, list[int]]], *, x_title: str,
             y_title: str, tips: list[str], width: int = 520, height: int = 230) -> str:
    """A (stacked) column chart as inline SVG: one column per label, one layer per series."""
    left, right, top, bottom = 48, 8, 10, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    peak = max(totals, default=0)
    step = max(1, _nice_step(peak, 5))
    step = math.ceil(step)
    y_max = max(step, math.ceil(peak / step) * step)
    out = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{esc(x_title)}" font-size="11" fill="#59636e" '
           'font-family="system-ui,DejaVu Sans,sans-serif">']
    for k in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * k / y_max
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{_f(y)}" y2="{_f(y)}" '
                   f'stroke="#eef1f4"/><text x="{left - 6}" y="{_f(y + 4)}" '
                   f'text-anchor="end">{k}</text>')
    band = plot_w / n
    gap = min(band * 0.15, 6)
    label_every = max(1, math.ceil(max((len(t) for t in labels), default=1) * 6.4 / band))
    for i, label in enumerate(labels):
        x = left + i * band + gap / 2
        y = top + plot_h
        for _, colour, counts in series:
            h = plot_h * counts[i] / y_max
            if h > 0:
                out.append(f'<rect x="{_f(x)}" y="{_f(y - h)}" width="{_f(band - gap)}" '
                           f'height="{_f(h)}" fill="{colour}"><title>{esc(tips[i])}</title>'
                           "</rect>")
                y -= h
        if i % label_every == 0:
            out.append(f'<text x="{_f(left + (i + 0.5) * band)}" y="{top + plot_h + 14}" '
                       f'text-anchor="middle">{esc(label)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
               f'y2="{top + plot_h}" stroke="#8c959f"/>')
    out.append(f'<text x="{_f(left + plot_w / 2)}" y="{height - 6}" text-anchor="middle" '
               f'fill="#1f2328">{esc(x_title)}</text>')
    out.append(f'<text transform="rotate(-90)" x="{_f(-(top + plot_h / 2))}" y="11" '
               f'text-anchor="middle" fill="#1f2328">{esc(y_title)}</text>')
    out.append("</svg>")
    return "".join(out)


def _score_plot(scored: list[dict], same_max: bool) -> str:
    head = '<div class="plot"><h3>Score distribution</h3>'
    if not scored:
        return head + '<p class="empty">No graded submissions.</p></div>'
    top = float(scored[0]["max_score"])
    if same_max and top == int(top) and top <= 30 and all(
            float(e["score"]) == int(float(e["score"])) for e in scored):
        counts = [0] * (int(top) + 1)
        for e in scored:
            counts[min(max(int(float(e["score"])), 0), int(top))] += 1
        labels = [str(k) for k in range(len(counts))]
        tips = [f"{k} / {int(top)} points: {c} student{'s' if c != 1 else ''}"
                for k, c in enumerate(counts)]
        x_title = f"score (points out of {int(top)})"
    else:
        counts = [0] * 11
        for e in scored:
            fraction = _fraction(e["score"], e["max_score"])
            counts[10 if fraction >= 1 else int(fraction * 10)] += 1
        labels = [f"{10 * k}–{10 * k + 9}" for k in range(10)] + ["100"]
        tips = [f"{10 * k}–{10 * k + 10}% (excl.): {c}" for k, c in enumerate(counts[:10])]
        tips.append(f"100%: {counts[10]}")
        x_title = "score (% of the maximum)"
    return head + _columns(labels, [("students", _BLUE, counts)], x_title=x_title,
                           y_title="students", tips=tips) + "</div>"


def _time_plot(entries: list[dict]) -> str:
    head = '<div class="plot"><h3>Time per submission</h3>'
    timed = [e for e in entries if _is_number(e.get("seconds"))]
    if not timed:
        return head + '<p class="empty">No timings.</p></div>'
    longest = max(max(float(e["seconds"]) for e in timed), 0.0)
    step = _nice_step(longest, 12) if longest > 0 else 1.0
    bins = int(longest // step) + 1
    graded, other = [0] * bins, [0] * bins
    for e in timed:
        k = min(int(max(float(e["seconds"]), 0.0) // step), bins - 1)
        (graded if e.get("status") == "graded" else other)[k] += 1
    labels = [_num(k * step) for k in range(bins)]
    tips = [f"{_num(k * step)}–{_num((k + 1) * step)} s: {graded[k]} graded"
            + (f", {other[k]} failed to grade" if other[k] else "") for k in range(bins)]
    series = [("graded", _BLUE, graded)]
    legend = f'<span class="sw" style="background:{_BLUE}"></span>graded'
    if any(other):
        series.append(("failed to grade", _RED, other))
        legend += f'<span class="sw" style="background:{_RED}"></span>failed to grade'
    return (head + _columns(labels, series, x_title=f"seconds (bins of {_num(step)} s)",
                            y_title="submissions", tips=tips)
            + f'<p class="legend">{legend}</p></div>')


def _hbars(rows: list[tuple[str, float | None, str, str, str | None]], *, width: int,
           label_w: int, row_h: int = 16, font: int = 11) -> str:
    """Horizontal bars as inline SVG, ``width`` wide: per row (label, fraction, value text,
    tooltip, colour or None for the pass-rate colour)."""
    value_w = 40
    bar_w = width - label_w - value_w - 6
    height = row_h * len(rows) + 4
    chars = max(4, int((label_w - 8) / (font * 0.68)))      # DejaVu Sans is wide
    out = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'font-size="{font}" fill="#1f2328" font-family="system-ui,DejaVu Sans,sans-serif">']
    for i, (label, fraction, value, tip, colour) in enumerate(rows):
        y = 2 + i * row_h
        mid = y + row_h / 2 + font * 0.35
        out.append(f"<g><title>{esc(tip)}</title>"
                   f'<text x="{label_w - 6}" y="{_f(mid)}" text-anchor="end">'
                   f"{esc(_short(label, chars))}</text>"
                   f'<rect x="{label_w}" y="{_f(y + 3)}" width="{bar_w}" height="{row_h - 6}" '
                   f'fill="{_TRACK}"/>')
        if fraction:
            out.append(f'<rect x="{label_w}" y="{_f(y + 3)}" width="{_f(bar_w * fraction)}" '
                       f'height="{row_h - 6}" fill="{colour or _rate_colour(fraction)}"/>')
        out.append(f'<text x="{width - 2}" y="{_f(mid)}" text-anchor="end" fill="#59636e">'
                   f"{esc(value)}</text></g>")
    out.append("</svg>")
    return "".join(out)


def _exercise_stats(entries: list[dict]) -> list[dict]:
    """Per exercise, in order of first appearance: scores, pass counts, failures."""
    stats: dict[str, dict] = {}
    for entry in entries:
        result = entry.get("result")
        if not isinstance(result, dict):
            continue
        for exercise in _list(result.get("exercises")):
            exercise = _dict(exercise)
            name = _text(exercise.get("name"))
            s = stats.setdefault(name, {"name": name, "count": 0, "fractions": [], "lost": 0,
                                        "checks": {}, "failures": Counter()})
            s["count"] += 1
            fraction = _fraction(exercise.get("score"), exercise.get("max_score"))
            if fraction is not None:
                s["fractions"].append(fraction)
            status = _exercise_status(exercise)
            if status != "complete":
                s["lost"] += 1
            # what went wrong, counted once per student: the exercise's own message when it
            # could not be called at all, else each failed graded check with its message
            keys = set()
            if status in ("unavailable", "not-implemented") or exercise.get("message"):
                keys.add(("", _text(exercise.get("message") or status)))
            for check in _list(exercise.get("checks")):
                check = _dict(check)
                cname = _text(check.get("name"))
                c = s["checks"].setdefault(cname, {
                    "name": cname, "description": _text(check.get("description")),
                    "advisory": bool(check.get("advisory")), "passed": 0, "total": 0})
                c["total"] += 1
                if check.get("status") == "pass":
                    c["passed"] += 1
                elif not check.get("advisory") and status not in ("unavailable",
                                                                  "not-implemented"):
                    keys.add((cname, _text(check.get("message") or check.get("status"))))
            s["failures"].update(keys)
    return list(stats.values())


def _exercise_plots(stats: list[dict]) -> str:
    out = ["<h2>Exercises</h2>"]
    if not stats:
        return out[0] + '\n<p class="empty">No results.</p>'
    rows = []
    for s in stats:
        fractions = s["fractions"]
        mean = statistics.fmean(fractions) if fractions else None
        rows.append((s["name"], mean, _pct(mean),
                     f"{s['name']}: mean {_pct(mean)} over {len(fractions)} submissions; "
                     f"{s['lost']} lost points", None))
    out.append('<div class="plot"><h3>Mean score per exercise</h3>'
               + _hbars(rows, width=1040, label_w=300, row_h=18, font=12) + "</div>")
    out.append('<h2>Pass rate per check</h2>\n<p class="legend">Share of the submissions that '
               f'pass each check; <span class="sw" style="background:{_BLUE}"></span>advice '
               "checks (not deducted).</p>\n<div class=\"minis\">")
    for s in stats:
        checks = list(s["checks"].values())
        rows = []
        for c in checks:
            rate = c["passed"] / c["total"] if c["total"] else None
            rows.append((c["name"], rate, _pct(rate),
                         f"{c['name']}: {c['description']} — passed by {c['passed']} of "
                         f"{c['total']}" + (" (advice, not deducted)" if c["advisory"] else ""),
                         _BLUE if c["advisory"] else None))
        mean = statistics.fmean(s["fractions"]) if s["fractions"] else None
        out.append(f'<div class="mini"><h3><span>{esc(s["name"])}</span>'
                   f"<small>{len(checks)} checks · mean {_pct(mean)}</small></h3>"
                   + (_hbars(rows, width=320, label_w=170, row_h=15, font=10) if rows else
                      '<p class="empty">no checks</p>') + "</div>")
    out.append("</div>")
    return "\n".join(out)


def _failure_table(stats: list[dict]) -> str:
    head = "<h2>Most common failures</h2>"
    rows = []
    for s in stats:
        n = s["count"]
        if not s["failures"]:
            continue
        ranked = sorted(s["failures"].items(), key=lambda kv: (-kv[1], kv[0]))
        (check, message), count = ranked[0]
        where = f"<code>{esc(check)}</code>: " if check else ""
        others = len(ranked) - 1
        rest = (f'<br><span class="muted">+{others} other failure{"s" if others != 1 else ""}'
                "</span>") if others else ""
        rows.append(f'<tr><td class="name">{esc(s["name"])}</td>'
                    f'<td class="num">{s["lost"]} / {n}</td>'
                    f'<td class="name">{where}<span title="{esc(_short(message, 2000))}">'
                    f"{esc(_short(message, 240))}</span>{rest}</td>"
                    f'<td class="num">{count}</td></tr>')
    if not rows:
        return head + '\n<p class="empty">No failures.</p>'
    return (head + '\n<table><thead><tr><th>exercise</th><th class="num">losing points</th>'
            '<th>most common failure (check: message)</th><th class="num">students</th></tr>'
            "</thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def _student_table(entries: list[dict], files: list[str | None]) -> str:
    head = "<h2>Students</h2>"
    if not entries:
        return head + '\n<p class="empty">No submissions.</p>'
    order = sorted(range(len(entries)), key=lambda i: (
        _text(entries[i].get("student")).casefold(), _text(entries[i].get("student")), i))
    rows = []
    for i in order:
        e = entries[i]
        student = _text(e.get("student"))
        name = esc(student) or '<span class="muted">(no name)</span>'
        if files[i]:
            name = f'<a href="students/{esc(files[i])}">{name}</a>'
        status = _text(e.get("status") or "")
        fraction = _fraction(e.get("score"), e.get("max_score"))
        score = esc(_points(e.get("score"), e.get("max_score"))) \
            if e.get("score") is not None else "—"
        seconds = f"{float(e['seconds']):.1f} s" if _is_number(e.get("seconds")) else "—"
        message = esc(_short(e.get("message") or "", 200))
        rows.append(f'<tr><td class="name">{name}</td><td>{_badge(status)}</td>'
                    f'<td class="num">{score}</td><td class="num">{_pct(fraction)}</td>'
                    f"<td>{_bar(fraction, 100, 8)}</td><td class=\"num\">{seconds}</td>"
                    f'<td class="name muted">{message}</td></tr>')
    return (head + '\n<table class="students"><thead><tr><th>student</th><th>status</th>'
            '<th class="num">score</th><th class="num">%</th><th></th><th class="num">time'
            "</th><th>note</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


# ---------------------------------------------------------------------------------- files

def write_reports(folder: Path, entries: list[dict], *, title: str,
                  hidden_feedback: str = "full") -> list[Path]:
    """Write ``index.html`` and ``students/<safe name>.html`` (entries with a result).

    Returns the paths written, the index first.  Other files in ``folder`` are left alone.
    """
    if hidden_feedback not in HIDDEN_FEEDBACK:
        raise ValueError(f"hidden_feedback must be one of {', '.join(HIDDEN_FEEDBACK)}, "
                         f"not {hidden_feedback!r}")
    folder = Path(folder)
    entries = [_dict(e) for e in entries]
    files = _student_files(entries)
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / "index.html"
    index.write_bytes(_render_class(entries, title=title, files=files).encode("utf-8"))
    paths = [index]
    if any(files):
        (folder / "students").mkdir(exist_ok=True)
    for entry, name in zip(entries, files):
        if name is None:
            continue
        student = _text(entry.get("student"))
        page = _render_student(entry["result"], hidden_feedback=hidden_feedback,
                               title=f"{student} — {_text(title)}", back="../index.html")
        path = folder / "students" / name
        path.write_bytes(page.encode("utf-8"))
        paths.append(path)
    return paths
