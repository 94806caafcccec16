"""HTML reports: one student's feedback page, one page per exercise, and the class overview.

Pages come from Jinja2 templates in ``grader/reports/templates/`` (one per page type:
``student.html``, ``exercise.html``, ``class.html``, on ``base.html``) with autoescaping on:
every value a template prints is escaped unless this module made it markup itself (the
charts, from :mod:`grader.reports.charts`).  Before escaping, every string passes through
:func:`grader.reports.sanitize.clean` (the environment's ``finalize``), so control characters
are shown, never obeyed.  A student who prints markup gets it shown as text.

Every page is one self-contained file: inline CSS, inline SVG charts (matplotlib), no
JavaScript, no fonts, images or style sheets from anywhere (a Content-Security-Policy meta tag
forbids them).  Nothing depends on time or on the machine: the same input gives the same bytes.

- :func:`render_student`: a result of the JSON schema (:mod:`grader.judge.score`) as a page: the
  total, then each exercise with its checks, and under each failed check what was called,
  expected, returned, and a hint; hidden checks as the ``hidden_feedback`` policy allows.
- :func:`render_class`: the overview (:mod:`grader.reports.class_stats`): summary figures
  (misbehaving submissions counted), the score and time distributions, each exercise with its
  mean and most common real failure (linking to its page), every check hardest first with its
  full description, pass rate and most common failure (linking to the students who failed
  it), and the students, flagged when grading them crashed, hung, ran out of memory or was
  refused by the sandbox.
- :func:`render_exercise`: one exercise: its score histogram, and per check the students who
  failed it, grouped by failure message, each linking to the student's page.
- :func:`write_reports`: ``index.html``, ``checks.csv`` (per-check pass rates),
  ``exercises/<name>.html`` and ``students/<name>.html`` (readable, unique names).
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from grader import i18n
from grader.i18n import N_, _
from grader.reports import charts, class_stats, sanitize, wording
from grader.reports.class_stats import fraction, number, pct

HIDDEN_FEEDBACK = ("full", "status", "none")
MAX_FIELD = sanitize.FIELD_LIMIT        # characters of one feedback field shown
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
STATUSES = {"pass", "complete", "graded", "fail", "failed", "partial", "error", "unavailable",
            "malformed", "timeout", "crash", "crashed", "not-implemented", "advice", "hidden",
            "flag"}
_LABELS = {"not-implemented": N_("not implemented"), "advice": N_("advice"),
           "hidden": N_("hidden")}
_FIELDS = (("diagnosis", N_("diagnosis"), False), ("call", N_("called"), True),
           ("expected", N_("expected"), True), ("actual", N_("got"), True),
           ("details", N_("details"), False), ("output", N_("printed"), True),
           ("hint", N_("hint"), False))


def _finalize(value):
    if isinstance(value, Markup) or not isinstance(value, str):
        return "" if value is None else value
    return sanitize.clean(value, limit=None)


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("grader.reports", "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize,
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"])
# Jinja2's i18n extension with the grader's catalog: {{ _("{n} students", n=count) }} is
# translated in the current language (grader/i18n.py) and formatted with named values, like
# _() in Python; the result is plain text, escaped like every other value.
_ENV.install_gettext_callables(
    gettext=lambda message: i18n.gettext(message),
    ngettext=lambda one, many, n: i18n.gettext(one if n == 1 else many), newstyle=False)
_ENV.globals["_"] = _


def _plural(count, one: str, many: str) -> str:
    """``plural(n, _("1 student"), _("{count} students", count=n))``: the one that fits."""
    return one if count == 1 else many


def _html_lang() -> str:
    """The page's ``lang``: what the browser picks fonts and line breaking by."""
    return "zh-CN" if i18n.current_language() == "zh_CN" else "en"


def _message(text):
    """A failure message as shown: the internal "not implemented yet" in the reader's words."""
    return _(class_stats.NOT_IMPLEMENTED) if text == class_stats.NOT_IMPLEMENTED else text


def _num(x) -> str:
    x = number(x)
    if x is None:
        return "—"
    x = round(x, 6)
    return str(int(x)) if x == int(x) else str(x)


def _points(score, max_score) -> str:
    return f"{_num(score)} / {_num(max_score)}"


def _badge_class(status) -> str:
    return status if status in STATUSES else "other"


def _meter_colour(value) -> str:
    if value is None:
        return "#eaeef2"
    return "#2da44e" if value >= 0.8 else "#d4a72c" if value >= 0.5 else "#cf222e"


def _meter(value, colour: str | None = None) -> Markup:
    """A bar for a fraction in [0, 1], in HTML and CSS (numbers only in its style)."""
    width = 0.0 if value is None else round(100 * min(max(value, 0.0), 1.0), 1)
    return Markup('<span class="meter" aria-hidden="true"><span style="width:{}%;'
                  'background:{}"></span></span>').format(
        f"{width:g}", colour or _meter_colour(value))


def _badge(status, label: str | None = None) -> Markup:
    status = _finalize(status if isinstance(status, str) else str(status))
    if label is None:
        label = _(_LABELS[status]) if status in _LABELS else wording.exercise_status(status)
    return Markup('<span class="badge b-{}">{}</span>').format(_badge_class(status), label)


_ENV.filters.update(points=lambda pair: _points(*pair), num=_num, pct=pct, badge_html=_badge,
                    meter=_meter, url=lambda name: quote(name), msg=_message)
_ENV.globals.update(csp=Markup(CSP), labels=_LABELS, plural=_plural, html_lang=_html_lang)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value, limit: int = sanitize.MESSAGE_LIMIT) -> str:
    """Cleaned and capped: results may come from an imported file, never cleaned before."""
    return sanitize.clean(value, limit)


def _check_policy(hidden_feedback: str) -> None:
    if hidden_feedback not in HIDDEN_FEEDBACK:
        raise ValueError(f"hidden_feedback must be one of {', '.join(HIDDEN_FEEDBACK)}, "
                         f"not {hidden_feedback!r}")


# ------------------------------------------------------------------------------ one student

def render_student(result: dict, *, hidden_feedback: str = "full",
                   title: str | None = None) -> str:
    """One student's feedback page from a result of the JSON schema (``GradeResult.to_dict()``).

    ``hidden_feedback``: ``full`` shows hidden checks like public ones; ``status`` shows their
    name, status and points but no message or feedback; ``none`` folds the hidden checks of
    each exercise into one line "hidden checks: x / y points".  Raises ``ValueError`` for
    another policy.
    """
    return _render_student(result, hidden_feedback=hidden_feedback, title=title)


def _render_student(result: dict, *, hidden_feedback: str, title: str | None,
                    back: str | None = None) -> str:
    _check_policy(hidden_feedback)
    result = _dict(result)
    assignment = _text(result.get("assignment") or "")
    heading = _text(title, sanitize.NAME_LIMIT * 2) if title else (assignment or
                                                                    _("Grading report"))
    exercises = [_exercise_view(i, _dict(e), hidden_feedback)
                 for i, e in enumerate(_list(result.get("exercises")))]
    hidden = _dict(result.get("hidden"))
    return _ENV.get_template("student.html").render(
        title=heading, back=back, assignment=assignment if assignment not in heading else "",
        submission=sanitize.one_line(result.get("submission") or ""),
        total=(result.get("score"), result.get("max_score")),
        fraction=fraction(result.get("score"), result.get("max_score")),
        hidden=hidden and {"checks": _num(hidden.get("checks", 0)),
                           "points": _num(hidden.get("points", 0))},
        status=None if result.get("exercises") else result.get("status"),
        message=result.get("message") or "", exercises=exercises,
        notes=[_text(n) for n in _list(result.get("notes"))])


def _exercise_view(i: int, exercise: dict, policy: str) -> dict:
    status = _text(exercise.get("status") or "failed")
    said = _text(exercise.get("message") or "")
    rows, shown = [], set()
    hidden_count, hidden_pts, hidden_max = 0, 0.0, 0.0
    for check in (_dict(c) for c in _list(exercise.get("checks"))):
        hidden = check.get("visibility") == "hidden"
        if hidden and policy == "none":
            hidden_count += 1
            hidden_pts += number(check.get("points")) or 0.0
            hidden_max += number(check.get("max_points")) or 0.0
            continue
        if hidden and policy == "status":
            check = dict(check, message=None, feedback=None)
        if check.get("message"):
            shown.add(_text(check["message"]))
        rows.append(_check_view(check, said))
    advice = [a for a in (_text(a) for a in _list(exercise.get("advice"))) if a not in shown]
    return {"i": i, "name": sanitize.one_line(exercise.get("name") or ""), "status": status,
            "score": (exercise.get("score"), exercise.get("max_score")),
            "fraction": fraction(exercise.get("score"), exercise.get("max_score")),
            "message": said or (_("not implemented yet") if status == "not-implemented"
                                else ""),
            "checks": rows, "advice": advice, "has_advice": bool(_list(exercise.get("advice"))),
            "hidden": hidden_count and {"count": hidden_count,
                                        "points": (hidden_pts, hidden_max)}}


def _check_view(check: dict, said: str) -> dict:
    status = _text(check.get("status") or "error")
    description = _text(check.get("description") or check.get("name") or "")
    name = _text(check.get("name") or "")
    message = _text(check.get("message") or "")
    fields = []
    if status != "pass":
        feedback = _dict(check.get("feedback"))
        for key, label, code_like in _FIELDS:
            value = feedback.get(key)
            if value is not None and value != "":
                fields.append((_(label), sanitize.clean(value, MAX_FIELD), code_like))
    return {"status": status, "description": description,
            "name": name if name != description else "",
            "hidden": check.get("visibility") == "hidden", "advisory": bool(check.get("advisory")),
            "points": (check.get("points"), check.get("max_points")),
            "message": message if status != "pass" and message not in (description, said) else "",
            "fields": fields}


# ----------------------------------------------------------------------------------- class

def safe_name(student) -> str:
    """A readable, portable page name for one student id (:func:`sanitize.file_stem`):
    ``"李雷"`` -> ``"李雷.html"``, ``"Zoë O'Brien"`` -> ``"zoë-o-brien-<8 hex>.html"``."""
    return sanitize.file_stem(student) + ".html"


def _student_files(entries: list[dict]) -> list[str | None]:
    """The page of each entry (``None`` when it has no result); unique even for equal names."""
    stems = sanitize.file_stems(e.get("student") for e in entries)
    return [f"{stem}.html" if isinstance(e.get("result"), dict) else None
            for e, stem in zip(entries, stems)]


def _exercise_files(stats) -> dict[str, str]:
    return {s.name: f"{stem}.html" for s, stem in
            zip(stats, sanitize.file_stems(s.name for s in stats))}


def render_class(entries: list[dict], *, title: str) -> str:
    """The class overview: figures, charts, exercises, checks hardest first, students."""
    entries = [_dict(e) for e in entries]
    return _render_class(entries, title=title, files=_student_files(entries))


def _render_class(entries: list[dict], *, title: str, files: list[str | None]) -> str:
    students = class_stats.students(entries, files)
    stats = class_stats.exercises(entries)
    pages = _exercise_files(stats)
    graded = [s for s in students if s.status == "graded"]
    scored = [s for s in graded if s.fraction is not None]
    exercises = []
    for s in stats:
        common = class_stats.most_common_failure(s.failures)
        exercises.append({"name": s.name, "page": pages[s.name], "mean": s.mean,
                          "count": s.count, "full": s.full, "lost": s.count - s.full,
                          "checks": len(s.checks), "common": common})
    checks = [{"check": c, "page": pages[c.exercise], "anchor": _anchor(c.name),
               "common": _common(c)} for c in class_stats.hardest_first(stats)]
    return _ENV.get_template("class.html").render(
        title=_text(title), count=len(entries), cards=_cards(students, graded, scored),
        score_chart=_score_chart(scored), time_chart=_time_chart(students),
        exercises=exercises, checks=checks, students=students)


def _anchor(name: str) -> str:
    return "check-" + quote(name, safe="")


def _common(check) -> dict | None:
    grouped = check.grouped()
    if not grouped:
        return None
    message, who = grouped[0]
    return {"message": message, "count": len(who), "others": len(grouped) - 1}


def _cards(students, graded, scored) -> list[tuple[str, str, str, str]]:
    """(label, value, small text after the value, line under it)."""
    failed = Counter(s.status for s in students if s.status != "graded")
    breakdown = " · ".join(_("{count} {status}", count=n, status=wording.exercise_status(status))
                           for status, n in sorted(failed.items())) or _("none")
    flagged = [s for s in students if s.flags]
    kinds = Counter(f for s in flagged for f in s.flags)
    cards = [(_("students"), str(len(students)), "", _("submissions")),
             (_("graded"), str(len(graded)), "",
              _("{share} of the class", share=pct(len(graded) / len(students)))
              if students else "—"),
             (_("failed to grade"), str(len(students) - len(graded)), "", breakdown),
             (_("misbehaving"), str(len(flagged)), "",
              " · ".join(_("{count} {status}", count=n, status=_(k))
                         for k, n in sorted(kinds.items())) or _("none"))]
    fractions = [s.fraction for s in scored]
    if scored:
        same_max = len({s.max_score for s in scored}) == 1
        if same_max:
            scores = [s.score for s in scored]
            top = "/ " + _num(scored[0].max_score)
            cards += [(_("mean score"), f"{statistics.fmean(scores):.1f}", top,
                       _("{share} (graded only)", share=pct(statistics.fmean(fractions)))),
                      (_("median score"), _num(statistics.median(scores)), top,
                       pct(statistics.median(fractions)))]
        else:
            cards += [(_("mean score"), pct(statistics.fmean(fractions)), "", _("graded only")),
                      (_("median score"), pct(statistics.median(fractions)), "", "")]
        full = sum(f >= 1.0 for f in fractions)
        cards.append((_("full marks"), str(full), "",
                      _("{share} of graded", share=pct(full / len(scored)))))
    else:
        cards += [(_("mean score"), "—", "", _("nothing graded")), (_("median score"), "—", "", "")]
    seconds = [s.seconds for s in students if s.seconds is not None]
    if seconds:
        cards.append((_("time per submission"), f"{statistics.median(seconds):.1f}", _("s"),
                      _("median; max {seconds} s", seconds=f"{max(seconds):.1f}")))
    return cards


def _score_chart(scored) -> Markup | None:
    if not scored:
        return None
    tops = {s.max_score for s in scored}
    if len(tops) == 1:
        counts, labels = class_stats.histogram_bins([s.score for s in scored], tops.pop())
        x_label = _("score (points)") if not labels[-1].endswith("%") else \
            _("score (percent of maximum)")
    else:
        counts, labels = class_stats.histogram_bins([100 * s.fraction for s in scored], 100.0)
        x_label = _("score (percent of maximum)")
    return Markup(charts.histogram(counts, labels, x_label=x_label, y_label=_("students"),
                                   prefix="scores"))


def _time_chart(students) -> Markup | None:
    timed = [s for s in students if s.seconds is not None]
    if not timed:
        return None
    longest = max(max(s.seconds for s in timed), 0.0)
    step = charts.nice_step(longest, 12) if longest > 0 else 1.0
    bins = int(longest // step) + 1
    graded, other = [0] * bins, [0] * bins
    for s in timed:
        (graded if s.status == "graded" else other)[min(int(max(s.seconds, 0) // step),
                                                        bins - 1)] += 1
    return Markup(charts.histogram(
        graded, [_num(k * step) for k in range(bins)],
        x_label=_("seconds (bins of {step} s)", step=_num(step)),
        y_label=_("submissions"), prefix="times", other=other, main_label=_("graded"),
        other_label=_("failed to grade")))


# -------------------------------------------------------------------------------- exercise

def render_exercise(entries: list[dict], name: str, *, title: str) -> str:
    """One exercise's page (see :func:`write_reports`); ``KeyError`` if no result has it."""
    entries = [_dict(e) for e in entries]
    stats = class_stats.exercises(entries)
    return _render_exercise(entries, next(s for s in stats if s.name == name), title,
                            _student_files(entries))


def _render_exercise(entries, s, title: str, files: list[str | None]) -> str:
    names = [sanitize.one_line(e.get("student")) for e in entries]
    checks = []
    for c in sorted(s.checks.values(), key=lambda c: (c.advisory, c.rate if c.rate is not None
                                                      else 2)):
        groups = [{"message": message, "students": sorted(
            ({"name": names[i], "page": files[i]} for i in who),
            key=lambda x: (x["name"].casefold(), x["name"]))} for message, who in c.grouped()]
        checks.append({"check": c, "anchor": _anchor(c.name), "groups": groups})
    chart = None
    if s.points:
        counts, labels = class_stats.histogram_bins(s.points, s.max_score)
        chart = Markup(charts.histogram(
            counts, labels, y_label=_("students"), prefix="exercise",
            x_label=_("points") if not labels[-1].endswith("%") else _("score (percent of maximum)")))
    return _ENV.get_template("exercise.html").render(
        title=_text(title), exercise=s, chart=chart, checks=checks,
        common=class_stats.most_common_failure(s.failures))


# ---------------------------------------------------------------------------------- files

def checks_csv(entries: list[dict]) -> str:
    """Per check of the class, hardest first: exercise, check, description, visibility,
    advisory, max points, passed, graded, pass rate, most common failure and its count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["exercise", "check", "description", "visibility", "advisory",
                     "max_points", "passed", "graded", "pass_rate", "most_common_failure",
                     "students_with_it"])
    cell = sanitize.csv_cell
    for c in class_stats.hardest_first(class_stats.exercises([_dict(e) for e in entries])):
        common = _common(c)
        writer.writerow([cell(c.exercise), cell(c.name), cell(c.description),
                         "hidden" if c.hidden else "public", str(c.advisory).lower(),
                         _num(c.max_points), c.passed, c.total,
                         "" if c.rate is None else f"{c.rate:.4f}",
                         cell(common["message"]) if common else "",
                         common["count"] if common else 0])
    return out.getvalue()


def write_reports(folder: Path, entries: list[dict], *, title: str,
                  hidden_feedback: str = "full") -> list[Path]:
    """Write ``index.html``, ``checks.csv``, ``exercises/<name>.html`` and
    ``students/<name>.html`` (entries with a result).  Returns the paths written, the index
    first.  Other files in ``folder`` are left alone.  ``ValueError``: unknown policy."""
    _check_policy(hidden_feedback)
    folder = Path(folder)
    entries = [_dict(e) for e in entries]
    files = _student_files(entries)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "index.html", folder / "checks.csv"]
    paths[0].write_bytes(_render_class(entries, title=title, files=files).encode("utf-8"))
    paths[1].write_bytes(checks_csv(entries).encode("utf-8"))
    stats = class_stats.exercises(entries)
    pages = _exercise_files(stats)
    if stats:
        (folder / "exercises").mkdir(exist_ok=True)
    for s in stats:
        path = folder / "exercises" / pages[s.name]
        path.write_bytes(_render_exercise(entries, s, f"{s.name} — {_text(title)}",
                                          files).encode("utf-8"))
        paths.append(path)
    if any(files):
        (folder / "students").mkdir(exist_ok=True)
    for entry, name in zip(entries, files):
        if name is None:
            continue
        student = sanitize.one_line(entry.get("student"))
        page = _render_student(entry["result"], hidden_feedback=hidden_feedback,
                               title=f"{student} — {_text(title)}", back="../index.html")
        path = folder / "students" / name
        path.write_bytes(page.encode("utf-8"))
        paths.append(path)
    return paths
