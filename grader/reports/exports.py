"""Exports of the gradebook's current results: CSV, JSON, JUnit XML, Markdown.

- CSV: one row per student, one column per exercise, then ``total`` and ``max``; the first
  column is ``student``: the layout LMS gradebook imports (Canvas, Moodle, Blackboard) map.
- JSON: one file per student, the same schema as ``grade --format json``.
- JUnit XML: one file per submission; a test suite per exercise, a test case per check.
- Markdown: a summary for a GitHub Actions job summary (``$GITHUB_STEP_SUMMARY``).
"""
from __future__ import annotations

import csv
import io
import re
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from grader.classroom.batch import dumps
from grader.judge.score import number


def safe_name(student: str) -> str:
    """A deterministic, collision-free file name (no extension) for a student id: the id
    itself when it is already a plain lowercase name, else the HTML report's slug + hash."""
    from grader.reports.html import safe_name as html_safe_name
    if re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,99}", student) and ".." not in student:
        return student
    return html_safe_name(student).removesuffix(".html")


def exercise_names(items: list[dict]) -> list[str]:
    names: list[str] = []
    for item in items:
        for exercise in (item.get("result") or {}).get("exercises", []):
            if exercise["name"] not in names:
                names.append(exercise["name"])
    return names


def to_csv(items: list[dict]) -> str:
    names = exercise_names(items)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *names, "total", "max", "status"])
    for item in items:
        scores = {e["name"]: e["score"] for e in (item.get("result") or {}).get("exercises", [])}
        writer.writerow([item["student"], *[scores.get(n, 0) for n in names],
                         number(item.get("score") or 0),
                         number(item["max_score"]) if item.get("max_score") is not None else "",
                         item["status"]])
    return out.getvalue()


def write_json(items: list[dict], folder: Path) -> list[Path]:
    return _write_each(items, folder, ".json", dumps)


def _write_each(items: list[dict], folder: Path, suffix: str, render) -> list[Path]:
    """One file per student, named after the student."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for item in items:
        path = folder / f"{safe_name(item['student'])}{suffix}"
        path.write_text(render(item))
        paths.append(path)
    return paths


def to_junit(item: dict) -> str:
    result = item.get("result") or {}
    suites = ET.Element("testsuites", name=str(item["student"]))
    if not result.get("exercises"):
        suite = ET.SubElement(suites, "testsuite", name="submission", tests="1", failures="0",
                              errors="1")
        case = ET.SubElement(suite, "testcase", classname="submission", name=item["status"])
        ET.SubElement(case, "error", message=item.get("message") or item["status"])
    for exercise in result.get("exercises", []):
        checks = exercise["checks"]
        failures = sum(c["status"] == "fail" for c in checks if not c["advisory"])
        errors = sum(c["status"] not in ("pass", "fail") for c in checks if not c["advisory"])
        suite = ET.SubElement(suites, "testsuite", name=exercise["name"], tests=str(len(checks)),
                              failures=str(failures), errors=str(errors))
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=exercise["name"],
                                 name=check["name"])
            ET.SubElement(case, "properties").append(ET.Element(
                "property", name="points", value=f"{number(check['points'])}/"
                                                  f"{number(check['max_points'])}"))
            if check["status"] == "pass" or check["advisory"]:
                continue
            tag = "failure" if check["status"] == "fail" else "error"
            element = ET.SubElement(case, tag, message=check.get("message") or check["status"],
                                    type=check["status"])
            feedback = check.get("feedback") or {}
            element.text = "\n".join(f"{k}: {v}" for k, v in feedback.items())
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(items: list[dict], folder: Path) -> list[Path]:
    return _write_each(items, folder, ".xml", to_junit)


def to_markdown(items: list[dict], title: str) -> str:
    graded = [i for i in items if i["status"] == "graded"]
    scores = [i["score"] for i in graded]
    lines = [f"## {title}", ""]
    lines.append(f"{len(items)} submissions: {len(graded)} graded, "
                 + ", ".join(f"{n} {s}" for s, n in sorted(Counter(
                     i["status"] for i in items if i["status"] != "graded").items()))
                 .rstrip(", ") + ".")
    if scores:
        top = graded[0]["max_score"]
        lines.append(f"Mean {statistics.mean(scores):.1f} / {number(top)}, "
                     f"median {statistics.median(scores):g}.")
    names = exercise_names(items)
    if names:
        lines += ["", "| exercise | mean | full marks | most common failure |",
                  "|---|---|---|---|"]
        for name in names:
            results = [e for i in graded for e in i["result"]["exercises"] if e["name"] == name]
            if not results:
                continue
            mean = statistics.mean(e["score"] for e in results)
            full = sum(e["score"] == e["max_score"] for e in results)
            failures = Counter(c["message"] or c["status"] for e in results for c in e["checks"]
                               if c["status"] != "pass" and not c["advisory"])
            common = failures.most_common(1)
            text = f"{common[0][0]} ({common[0][1]})" if common else ""
            lines.append(f"| {name} | {mean:.2f} / {number(results[0]['max_score'])} | "
                         f"{full}/{len(results)} | {_cell(text)} |")
    lines += ["", "| student | score | status |", "|---|---|---|"]
    for item in items:
        score = f"{number(item['score'])} / {number(item['max_score'])}" \
            if item.get("score") is not None else "-"
        lines.append(f"| {_cell(item['student'])} | {score} | {item['status']}"
                     + (f": {_cell(item['message'])}" if item.get("message") else "") + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:160]
