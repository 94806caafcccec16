"""The class report as a TA uses it, on a real graded class: 10 students made by
benchmarks/make_class.py, one of each kind it makes (a reference, mutants, a crash, a hang,
notebooks, stubs, a zip, a corrupt zip, a red-team attack; Chinese and accented names),
graded by `grade batch`'s own code on a few exercises, written by `write_reports`, and opened
in headless Chromium.  (Ten is make_class's full cycle of kinds: a second cycle only repeats
them, at twice the grading time.)

Screenshots of every page type are kept in ``tests/artifacts/class-report/`` (ignored by git;
CI keeps the folder as an artifact); the test prints the path.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import ROOT, write_assignment
from test_html_report import assert_self_contained, browser  # noqa: F401  (fixture)

ARTIFACTS = ROOT / "tests" / "artifacts" / "class-report"
CLASS_SIZE = 10
CHECKS = {"dropout": ["keeps_shape", "p1_gives_zeros"],
          "corr2d": ["book_example", "matches_conv2d"],
          "pool2d": ["book_example_max", "output_shape"],
          "masked_softmax": ["book_example_1d"]}


@pytest.fixture(scope="module")
def class_report(tmp_path_factory):
    """(reports folder, gradebook entries, student -> kind) for a graded 10-student class."""
    from grader import assignment as assignment_mod
    from grader.classroom.batch import grade_class
    from grader.classroom.gradebook import Gradebook
    from grader.reports.html import write_reports
    from grader.sandbox import process as sandbox

    spec = importlib.util.spec_from_file_location("make_class",
                                                  ROOT / "benchmarks" / "make_class.py")
    make_class = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_class)
    tmp = tmp_path_factory.mktemp("class-report")
    kinds = make_class.make(tmp / "class", CLASS_SIZE)
    assert set(kinds.values()) >= {"reference", "crash", "hang", "notebooks", "stubs", "zip",
                                   "corrupt zip"}, kinds
    assert {k.split()[0] for k in kinds.values()} >= {"mutant", "attack"}, kinds
    toml = write_assignment(tmp / "a.toml", CHECKS, call_timeout=5)
    with open(toml, "a") as handle:
        handle.write("[tool.grader.limits]\nimport_seconds = 4\n")
    assignment = assignment_mod.load(toml)
    with Gradebook(tmp / "book.db") as book:
        grade_class(assignment, tmp / "class", book, jobs=2,
                    sandbox=sandbox.resolve_mode("auto"), timeout=90)
        items = book.current()
    entries = [{k: i[k] for k in ("student", "status", "score", "max_score", "seconds",
                                  "result", "message")} for i in items]
    write_reports(tmp / "reports", entries, title="Lesson 2 · 第二课")
    return tmp / "reports", entries, kinds


def test_class_report_shows_what_a_ta_acts_on(class_report):
    folder, entries, kinds = class_report
    assert len(entries) == CLASS_SIZE
    index = (folder / "index.html").read_text(encoding="utf-8")
    parsed = assert_self_contained(index)
    text = "".join(parsed.text)
    # non-ASCII students have readable page names
    pages = sorted(p.name for p in (folder / "students").iterdir())
    assert any(name.startswith("李伟") for name in pages), pages
    # misbehaving submissions are flagged and counted, even when graded
    crash = next(s for s, k in kinds.items() if k == "crash")
    row = re.search(rf"<tr><td class=\"name\"><a [^>]*>{re.escape(crash)}</a>.*?</tr>", index)
    assert row and "crashed</span>" in row.group(0), crash
    assert re.search(r"misbehaving</div><div class=\"v\">[1-9]", index)
    for hang in (s for s, k in kinds.items() if k == "hang"):        # hangs at import
        row = re.search(rf"<tr><td class=\"name\"><a [^>]*>{re.escape(hang)}</a>.*?</tr>", index)
        assert row and "timed out</span>" in row.group(0), hang
    # checks hardest first, with full descriptions and links to who failed them
    checks = index[index.index('<table class="checks">'):index.index('id="students"')]
    rates = [float(r.rstrip("%")) for r in re.findall(r'<td class="num">([\d.]+)%</td>', checks)]
    assert rates == sorted(rates)
    assert "failed by" in text and re.search(r'class="failed" href="exercises/', checks)
    # no "100%" while points are missing
    for s in entries:
        if s["score"] is not None and s["max_score"] and s["score"] < s["max_score"]:
            assert s["score"] / s["max_score"] < 0.995 or "99." in index
    # the per-check CSV is linked and lists every check
    rows = list(csv.DictReader(io.StringIO((folder / "checks.csv").read_text("utf-8"))))
    assert {r["check"] for r in rows} == {c for names in CHECKS.values() for c in names}
    # "not implemented yet" is not the most common failure when real failures exist
    exercises = index[index.index('<table class="exercises">'):index.index('id="checks"')]
    for row in re.findall(r"<tr>.*?</tr>", exercises):
        if "not implemented yet" in row:
            assert "score histogram" in row


def test_class_report_in_a_browser(class_report, browser):
    folder, entries, kinds = class_report
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    index = folder / "index.html"
    info = browser.visit(index, ARTIFACTS / "class.png", full_page=True)
    assert info["problems"] == [], info["problems"]
    assert "script" not in info["elements"]
    # a student page of a Chinese name, and an exercise page
    chinese = next(p for p in (folder / "students").iterdir() if p.name.startswith("李伟"))
    student = browser.visit(chinese, ARTIFACTS / "student.png", full_page=True)
    assert student["problems"] == [] and "李伟" in student["text"]
    failing = [link for link in info["links"] if "#check-" in link]
    assert failing, "no check links to its failing students"
    for n, link in enumerate(failing):
        url = urlparse(link)
        page = Path(unquote(url.path))
        assert page.is_file(), link
        shot = ARTIFACTS / "exercise.png" if n == 0 else None
        seen = browser.visit(page, shot, full_page=True, fragment=url.fragment)
        assert seen["problems"] == [], (link, seen["problems"])
        students = [t for t in seen["target"] or [] if "/students/" in t]
        assert students, f"{link}: the check's section lists no student"
        for target in students:
            assert Path(unquote(urlparse(target).path)).is_file(), target
    for png in ARTIFACTS.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 8000
    print(f"\nscreenshots of the class report: {ARTIFACTS}")
