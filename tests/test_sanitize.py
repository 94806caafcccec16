"""What a student controls is made safe before a person sees it (grader/reports/sanitize.py),
in every report and export: no control character obeyed, sizes capped, no formula in a CSV,
well-formed XML, Markdown that shows text, unique file names.  Fast: no grading here (the
red-team attacks that grade are in tests/test_redteam.py, "reports: safe")."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from grader.judge.score import CheckResult, ExerciseResult, Feedback, GradeResult
from grader.reports import exports, sanitize
from grader.reports.text import render_markdown, render_text

ESCAPES = ("\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;cm0gLXJm\x07 \x1b[2J\x1b[H "
           "\rTotal 273 / 273 \u202egnp.exe \x00 \x9b31m \ud800")


def result_with(message: str, output: str = "", name: str = "ValueError") -> GradeResult:
    check = CheckResult("corr2d", "book_example", "reproduces the book's example", "error", 1,
                        "public", message=f"corr2d raised {name}: {message}",
                        feedback=Feedback(call="corr2d(X, K)", output=output, hint="see the book"))
    passed = CheckResult("corr2d", "shape", "has the right shape", "pass", 2, "hidden")
    return GradeResult("Lesson 2", "sub\x1bmission", [
        ExerciseResult("corr2d", "convolution", [check, passed], advice=[message])])


@pytest.mark.parametrize("value, shown", [
    ("\x1b[31m", "\\x1b[31m"), ("a\rb", "a\\rb"), ("\x00", "\\x00"), ("\x9b", "\\x9b"),
    ("\u202e", "\\u202e"), ("\u2066", "\\u2066"), ("\ud800", "\\ud800"), ("\ufffe", "\\ufffe"),
    ("tab\tnew\nline", "tab\tnew\nline"), ("李伟 Zoë", "李伟 Zoë")])
def test_clean_shows_control_characters(value, shown):
    assert sanitize.clean(value) == shown
    assert sanitize.is_clean(sanitize.clean(value))


def test_one_line_cannot_break_a_line():
    assert sanitize.one_line("alice\n[2/2] bob: graded\u2028x") == \
        "alice\\n[2/2] bob: graded\\u2028x"


def test_cap_is_bounded_and_idempotent():
    huge = "E" * 900_000
    capped = sanitize.cap(huge, 2000)
    assert len(capped) <= 2000 and capped.startswith("EEE") and "more characters" in capped
    assert sanitize.cap(capped, 2000) == capped
    assert sanitize.clean(sanitize.clean(ESCAPES, 100), 100) == sanitize.clean(ESCAPES, 100)


def test_result_strings_are_cleaned_and_capped_as_they_enter_a_result():
    result = result_with("m" * 1_000_000, output="o" * 1_000_000, name="E" * 900_000)
    text = result.to_json()
    assert len(text.encode()) < 60_000                     # was megabytes
    data = json.loads(text)
    check = data["exercises"][0]["checks"][0]
    assert len(check["message"]) <= sanitize.MESSAGE_LIMIT
    assert len(check["feedback"]["output"]) <= sanitize.FIELD_LIMIT
    assert data["submission"] == "sub\\x1bmission"


@pytest.mark.parametrize("unicode", [True, False])
def test_text_report_obeys_no_escape_sequence(unicode):
    text = render_text(result_with(ESCAPES, output=ESCAPES), unicode=unicode, verbose=True)
    assert sanitize.is_clean(text) and "\x1b" not in text and "\r" not in text
    assert "\\x1b[31mred" in text                          # shown, so the student can see it


def test_markdown_report_shows_markup_as_text():
    markup = ('<img src="http://x/y.png"> ![p](http://x/p.png) [click](https://x) '
              "www.example.com | forged | row |\n## 273 / 273\n<!--")
    text = render_markdown(result_with(markup, output=markup))
    for line in text.splitlines():
        bare = __import__("re").sub(r"(`+) .*? \1", "", line)
        assert "<" not in bare and "](" not in bare and "://" not in bare and "www." not in bare
    assert not any(line.startswith("## 273") for line in text.splitlines())


@pytest.mark.parametrize("value, plain", [
    ("the result has the wrong shape", True), ("corr2d raised ValueError: bad", True),
    ("Zoë 李伟", True), ("<b>x</b>", False), ("a_b_c", False), ("*x*", False),
    ("see www.example.com", False), ("1. forged list", False), ("a ` b", False)])
def test_markdown_inline_plain_or_code_span(value, plain):
    shown = sanitize.markdown_inline(value)
    assert (shown == value) is plain
    if not plain:
        assert shown.startswith("`") and shown.endswith("`")


def item(student, status="graded", score=3, max_score=10, message=None, result=None):
    return {"student": student, "entry": student, "status": status, "score": score,
            "max_score": max_score, "message": message, "seconds": 1.0, "result": result}


def test_csv_neutralises_formulas_and_keeps_non_ascii_names():
    items = [item('=HYPERLINK("http://evil","x")'), item("+1"), item("@SUM(A1)"),
             item("-2+3"), item("Zoë"), item("李伟"),
             item("mallory", status="malformed", score=None, max_score=None,
                  message="=cmd|' /C calc'!A0")]
    text = exports.to_csv(items)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["student"] for r in rows] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1",
                                            "'@SUM(A1)", "'-2+3", "Zoë", "李伟", "mallory"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_csv_bom_for_excel_and_max_filled_in_for_malformed_rows():
    items = [item("Zoë"), item("李伟", status="malformed", score=None, max_score=None,
                                message="not a zip file")]
    text = exports.to_csv(items, bom=True)
    assert text.startswith("\ufeffstudent,")
    assert "\ufeff" not in exports.to_csv(items)
    rows = list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert rows[1]["student"] == "李伟" and rows[1]["max"] == "10" and rows[1]["total"] == "0"
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(items, max_score=273))))
    assert rows[0]["max"] == "10"           # a graded row keeps its own maximum...
    assert rows[1]["max"] == "273"          # ...an ungraded one gets the assignment's


def test_junit_is_well_formed_whatever_the_messages():
    data = result_with("nul\x00 esc\x1b \ud800 \ufffe ]]></failure>", output="\x00\x1b").to_dict()
    # a result imported from elsewhere is not cleaned on the way in: the export cleans it
    data["exercises"][0]["checks"][0]["message"] = "raw\x00\x1b\ud800"
    for entry in (item("a\x00b", result=data),
                  item("c", status="crashed", score=None, message="\x00\x1b\x07")):
        root = ET.fromstring(exports.to_junit(entry).encode("utf-8"))
        assert root.tag == "testsuites"


def test_class_markdown_shows_no_html_or_links():
    evil = '<img src="http://x"> [a](http://x) ![b](http://x) | x |'
    items = [item(evil, message=evil), item("bob", status="crashed", score=None, message=evil)]
    text = exports.to_markdown(items, "Lesson 2")
    for line in text.splitlines():
        bare = __import__("re").sub(r"(`+) .*? \1", "", line)
        assert "<" not in bare and "](" not in bare and "://" not in bare, line


def test_export_file_names_unique_whatever_the_names(tmp_path):
    names = ["alice", "Alice", "ALICE", "a/b", "a b", "a?b", "李伟", "Zoë", "zoë", "", "con",
             "../etc", "alice-2"]
    items = [item(n, result=result_with("x").to_dict()) for n in names]
    paths = exports.write_json(items, tmp_path / "json")
    assert len({p.name.casefold() for p in paths}) == len(names)
    assert all(p.parent == tmp_path / "json" for p in paths)
    assert len(list((tmp_path / "json").iterdir())) == len(names)
    assert (tmp_path / "json" / "李伟.json").is_file()     # readable, not a bare hash
    paths = exports.write_junit(items, tmp_path / "junit")
    assert len(list((tmp_path / "junit").iterdir())) == len(names)


def test_json_export_caps_an_imported_result():
    data = result_with("x").to_dict()
    data["exercises"][0]["checks"][0]["message"] = "E" * 900_000 + "\x1b"
    text = exports.dumps(item("a", result=data))
    assert len(text) < 50_000 and "\x1b" not in text


def test_batch_progress_line_cannot_be_forged(capsys):
    from grader.cli import _BatchProgress
    entry = SimpleNamespace(student="mallory\n[2/2] alice: graded 21 / 21\x1b[2K")
    _BatchProgress()(entry, "graded", 1, 2)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("[1/2] mallory\\n[2/2]")
    assert "\x1b" not in lines[0]


def test_export_command_csv_bom_and_assignment_max(tmp_path):
    """`grade gradebook export --format csv --bom`: Excel-readable, and a malformed row gets
    the assignment's maximum (not an empty cell)."""
    from click.testing import CliRunner

    from conftest import write_assignment
    from grader.classroom.gradebook import Gradebook, Record
    from grader.cli import cli

    toml = write_assignment(tmp_path / "a.toml", {"corr2d": ["book_example", "matches_conv2d"]})
    with Gradebook(tmp_path / "book.db") as book:
        book.record(Record("李伟", "李伟.zip", "h1", "c", "malformed", message="not a zip"))
        book.record(Record('=HYPERLINK("x")', "x", "h2", "c", "crashed"))
    out = tmp_path / "grades.csv"
    done = CliRunner().invoke(cli, ["gradebook", "export", "--format", "csv", "--bom",
                                    "--gradebook", str(tmp_path / "book.db"),
                                    "--assignment", str(toml), "--out", str(out)])
    assert done.exit_code == 0, done.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudent,")
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert set(rows) == {"李伟", "'=HYPERLINK(\"x\")"}
    top = sum(c.points for c in __import__("grader.assignment", fromlist=["load"])
              .load(toml).exercise("corr2d").checks)
    assert rows["李伟"]["max"] == str(top) and rows["李伟"]["total"] == "0"
