"""Exports of the gradebook's current results: CSV, JSON, JUnit XML, Markdown.

- CSV: one row per student, one column per exercise, then ``total``, ``max`` and ``status``;
  the first column is ``student``: the layout LMS gradebook imports (Canvas, Moodle,
  Blackboard) map.  A submission that could not be graded has 0 points out of the
  assignment's maximum.  ``bom=True`` (``grade gradebook export --format csv --bom``) starts
  the file with a UTF-8 byte-order mark, without which Excel reads the UTF-8 file in the
  machine's legacy code page and mangles non-ASCII names (Zoë, 李伟).
- JSON: one file per student, the same schema as ``grade --format json``.
- JUnit XML: one file per submission; a test suite per exercise, a test case per check.
- Markdown: a summary for a GitHub Actions job summary (``$GITHUB_STEP_SUMMARY``).

Every student-controlled string goes through :mod:`grader.reports.sanitize`: CSV cells are
never formulas, XML is always well-formed, Markdown shows text (no HTML, images or links),
and file names are readable and unique whatever the student ids are.
"""
from __future__ import annotations

import csv
import io
import json
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from grader.i18n import _
from grader.classroom.batch import result_for_export
from grader.judge.score import number
from grader.reports import sanitize, wording


def dumps(item: dict) -> str:
    """A gradebook row as one JSON document, every string cleaned and capped."""
    data = sanitize.clean_tree(result_for_export(item))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def exercise_names(items: list[dict]) -> list[str]:
    names: list[str] = []
    for item in items:
        for exercise in (item.get("result") or {}).get("exercises", []):
            if exercise["name"] not in names:
                names.append(exercise["name"])
    return names


def class_max_score(items: list[dict]):
    """The assignment's maximum as the class's graded results show it (the most common
    ``max_score``; ties: the largest), or ``None`` when nothing was graded."""
    maxima = Counter(i["max_score"] for i in items if _is_number(i.get("max_score")))
    if not maxima:
        return None
    return max(maxima.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def to_csv(items: list[dict], *, max_score=None, bom: bool = False) -> str:
    """The class as CSV.  ``max_score``: the assignment's maximum, given to rows that were
    not graded (default: :func:`class_max_score`); ``bom``: start with a UTF-8 byte-order
    mark (for Excel)."""
    names = exercise_names(items)
    if max_score is None:
        max_score = class_max_score(items)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *[sanitize.csv_cell(n) for n in names], "total", "max",
                     "status"])
    for item in items:
        scores = {e["name"]: e["score"] for e in (item.get("result") or {}).get("exercises", [])}
        top = item.get("max_score") if _is_number(item.get("max_score")) else max_score
        writer.writerow([sanitize.csv_cell(item["student"], sanitize.NAME_LIMIT),
                         *[sanitize.csv_cell(scores.get(n, 0)) for n in names],
                         number(item.get("score") or 0),
                         number(top) if top is not None else "",
                         sanitize.csv_cell(item["status"])])
    return ("\ufeff" if bom else "") + out.getvalue()


def write_json(items: list[dict], folder: Path) -> list[Path]:
    return _write_each(items, folder, ".json", dumps)


def _write_each(items: list[dict], folder: Path, suffix: str, render) -> list[Path]:
    """One file per student, named after the student, unique in the class."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for item, stem in zip(items, sanitize.file_stems(i["student"] for i in items)):
        path = folder / f"{stem}{suffix}"
        path.write_text(render(item), encoding="utf-8")
        paths.append(path)
    return paths


def to_junit(item: dict) -> str:
    """One submission as JUnit XML: a test suite per exercise, a test case per check.  Every
    string is cleaned (:func:`sanitize.xml_text`), so the file is well-formed XML 1.0 whatever
    a message holds (NUL, ESC, lone surrogates)."""
    name, line = sanitize.one_line, sanitize.xml_text
    result = item.get("result") or {}
    suites = ET.Element("testsuites", name=name(item["student"]))
    if not result.get("exercises"):
        suite = ET.SubElement(suites, "testsuite", name="submission", tests="1", failures="0",
                              errors="1")
        case = ET.SubElement(suite, "testcase", classname="submission", name=name(item["status"]))
        ET.SubElement(case, "error", message=line(item.get("message") or item["status"],
                                                  sanitize.MESSAGE_LIMIT))
    for exercise in result.get("exercises", []):
        checks = exercise["checks"]
        failures = sum(c["status"] == "fail" for c in checks if not c["advisory"])
        errors = sum(c["status"] not in ("pass", "fail") for c in checks if not c["advisory"])
        suite = ET.SubElement(suites, "testsuite", name=name(exercise["name"]),
                              tests=str(len(checks)), failures=str(failures), errors=str(errors))
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=name(exercise["name"]),
                                 name=name(check["name"]))
            ET.SubElement(case, "properties").append(ET.Element(
                "property", name="points", value=f"{number(check['points'])}/"
                                                  f"{number(check['max_points'])}"))
            if check["status"] == "pass" or check["advisory"]:
                continue
            tag = "failure" if check["status"] == "fail" else "error"
            element = ET.SubElement(case, tag, type=name(check["status"]), message=line(
                check.get("message") or check["status"], sanitize.MESSAGE_LIMIT))
            feedback = check.get("feedback") or {}
            element.text = line("\n".join(f"{k}: {v}" for k, v in feedback.items()))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(items: list[dict], folder: Path) -> list[Path]:
    return _write_each(items, folder, ".xml", to_junit)


def to_markdown(items: list[dict], title: str) -> str:
    """The class as a Markdown summary (a GitHub Actions job summary): every student-controlled
    string shows as text (:func:`sanitize.markdown_inline`)."""
    md = sanitize.markdown_inline
    graded = [i for i in items if i["status"] == "graded"]
    scores = [i["score"] for i in graded]
    lines = [f"## {md(title)}", ""]
    others = [_("{count} {status}", count=n, status=md(wording.exercise_status(s)))
              for s, n in sorted(Counter(i["status"] for i in items
                                         if i["status"] != "graded").items())]
    lines.append(_("{count} submissions: {graded} graded", count=len(items), graded=len(graded))
                 + "".join(_(", {item}", item=o) for o in others) + _("."))
    if scores:
        top = graded[0]["max_score"]
        lines.append(_("Mean {mean} / {top}, median {median}.",
                       mean=f"{statistics.mean(scores):.1f}", top=number(top),
                       median=f"{statistics.median(scores):g}"))
    names = exercise_names(items)
    if names:
        header = (_("exercise"), _("mean"), _("full marks"), _("most common failure"))
        lines += ["", "| " + " | ".join(header) + " |", "|---|---|---|---|"]
        for name in names:
            results = [e for i in graded for e in i["result"]["exercises"] if e["name"] == name]
            if not results:
                continue
            mean = statistics.mean(e["score"] for e in results)
            full = sum(e["score"] == e["max_score"] for e in results)
            failing = [c for e in results for c in e["checks"]
                       if c["status"] != "pass" and not c["advisory"]]
            failures = Counter(c["message"] or wording.check_status(c["status"])
                               for c in failing)
            # "not implemented yet" is the least useful failure to name: by status, so in
            # every language
            real = Counter(c["message"] or wording.check_status(c["status"]) for c in failing
                           if c["status"] != "not-implemented")
            common = (real or failures).most_common(1)
            text = f"{md(common[0][0], 160)} ({common[0][1]})" if common else ""
            lines.append(f"| {md(name)} | {mean:.2f} / {number(results[0]['max_score'])} | "
                         f"{full}/{len(results)} | {text} |")
    header = (_("student"), _("score"), _("status"))
    lines += ["", "| " + " | ".join(header) + " |", "|---|---|---|"]
    for item in items:
        score = f"{number(item['score'])} / {number(item['max_score'])}" \
            if item.get("score") is not None else "-"
        lines.append(f"| {md(item['student'], sanitize.NAME_LIMIT)} | {score} | "
                     f"{md(wording.exercise_status(item['status']))}"
                     + (f": {md(item['message'], 160)}" if item.get("message") else "") + " |")
    return "\n".join(lines) + "\n"
