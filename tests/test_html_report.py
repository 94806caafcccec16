"""HTML reports (grader/reports/html.py): content, escaping, hidden-check policies, files, and
the pages in a real browser (headless Chromium over the DevTools protocol: no console error,
no request but the page itself, no horizontal overflow, a non-blank screenshot).
"""
from __future__ import annotations

import base64
import csv
import fcntl
import io
import functools
import html.parser
import json
import os
import random
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from grader.reports.html import render_class, render_student, safe_name, write_reports
from grader.judge.score import CheckResult, ExerciseResult, Feedback, GradeResult

HOSTILE = [
    "<script>alert(1)</script>",
    "</pre><img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "'><iframe src=javascript:alert(4)>",
    "</style><script>window.pwned=1</script>",
    "<!-- ]]> &amp; &lt;b&gt; -->",
    "nul\x00bell\x07 surrogate\ud800 line\u2028sep",
]
JOINED = " ".join(HOSTILE)


# ------------------------------------------------------------------------------ test data

def _check(exercise, name, status="pass", points=1, visibility="public", advisory=False,
           message=None, feedback=None, description=None):
    return CheckResult(exercise, name, description or f"{name.replace('_', ' ')} works",
                       status, 0 if advisory else points, visibility, advisory, message,
                       feedback)


def sample_result(submission="exercises") -> dict:
    """Shaped like real output (dropout complete, corr2d flipped kernel) plus every status."""
    wrong = Feedback(
        call="corr2d(X=torch.tensor([[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]]), "
             "K=torch.tensor([[0., 1.], [2., 3.]]))",
        expected="torch.tensor([[19., 25.], [37., 43.]])",
        actual="torch.tensor([[5., 11.], [23., 29.]])",
        details="4 of 4 elements differ; largest absolute error 14.",
        hint="cross-correlation slides K over X without flipping it")
    hidden_fb = Feedback(call="corr2d(X=torch.tensor([[0., 1.]]), K=torch.tensor([[0., 1.]]))",
                         expected="torch.tensor([[1.]])", actual="torch.tensor([[0.]])",
                         hint="SECRET-HIDDEN-HINT")
    advice = ("dropout creates tensors on the CPU whatever the input's device "
              "(torch.rand(...) at dropout.py, line 39)")
    dropout = ExerciseResult("dropout", "dropout", [
        _check("dropout", "keeps_shape"), _check("dropout", "p0_is_identity"),
        _check("dropout", "kept_values_are_scaled", points=2, visibility="hidden"),
        _check("dropout", "creates_tensors_on_input_device", "fail", visibility="hidden",
               advisory=True, message=advice, feedback=Feedback()),
    ], advice=[advice])
    corr2d = ExerciseResult("corr2d", "convolution", [
        _check("corr2d", "book_example", "fail", message="the result has wrong values",
               feedback=wrong),
        _check("corr2d", "output_shape"),
        _check("corr2d", "matches_conv2d", "fail", points=3, visibility="hidden",
               message="HIDDEN-MESSAGE wrong values", feedback=hidden_fb),
        _check("corr2d", "linear_in_the_input", visibility="hidden"),
        _check("corr2d", "handles_big_inputs", "timeout", visibility="hidden",
               message="a call took longer than 10 s"),
        _check("corr2d", "raises_on_bad_shape", "error",
               message="your code raised IndexError: list index out of range",
               feedback=Feedback(output="Traceback (most recent call last):\n  ...\n"
                                        "IndexError: list index out of range")),
        _check("corr2d", "survives", "crash", message="the worker process died (SIGKILL)"),
    ])
    pool = ExerciseResult("pool2d", "pooling", [
        _check("pool2d", "max_mode", "not-implemented", message="not implemented yet"),
        _check("pool2d", "avg_mode", "not-implemented", message="not implemented yet")])
    broken = ExerciseResult("masked_softmax", "attention", [
        CheckResult("masked_softmax", n, "d", "error", 1, "public", False,
                    "attention.py does not import: SyntaxError at line 3", None, True)
        for n in ("a", "b")])
    return GradeResult("Lesson 2", submission, [dropout, corr2d, pool, broken]).to_dict()


def hostile_result() -> dict:
    feedback = Feedback(call=HOSTILE[0], expected=HOSTILE[1], actual=HOSTILE[2],
                        details=HOSTILE[3], hint=HOSTILE[4], output=JOINED * 3)
    exercise = ExerciseResult(HOSTILE[1], HOSTILE[0], [
        CheckResult(HOSTILE[1], HOSTILE[2], HOSTILE[3], "fail", 1, "public", False, JOINED,
                    feedback),
        CheckResult(HOSTILE[1], "ok", HOSTILE[4], "pass", 1, "hidden")],
        advice=[JOINED])
    result = GradeResult(HOSTILE[4], HOSTILE[5] + "/sub mission", [exercise]).to_dict()
    result["exercises"][0]["message"] = JOINED
    return result


@functools.lru_cache(maxsize=None)       # the pages never modify their entries
def synthetic_class(students: int, exercises: int, seed: int = 0) -> list[dict]:
    """A class of generated results: ``exercises`` exercises of 3..13 checks (~8 on average).

    The graded students share 50 generated results (building one costs ~3 ms).
    """
    rng = random.Random(seed)
    layout = [(f"exercise_{i:02d}_" + "x" * rng.randrange(0, 20),
               [f"check_{j}_" + "long_name" * rng.randrange(0, 4)
                for j in range(rng.randrange(3, 14))]) for i in range(exercises)]
    difficulty = {(e, c): rng.random() for e, checks in layout for c in checks}
    results = []
    for skill in (rng.random() for _ in range(50)):
        results.append(GradeResult("Lesson 2", "submission", [ExerciseResult(e, "topic", [
            _check(e, c, "pass" if rng.random() < 0.3 + 0.7 * skill * (1 - difficulty[e, c] / 2)
                   else rng.choice(["fail", "fail", "error"]), points=1 + (j % 3),
                   visibility="hidden" if j % 4 == 3 else "public", advisory=j == 5,
                   message=rng.choice(["the result has wrong values", "wrong shape",
                                       "raised IndexError"]))
            for j, c in enumerate(checks)]) for e, checks in layout]).to_dict())
    entries = []
    for s in range(students):
        name = rng.choice(["Ana", "Zoë", "Łukasz", "李雷", "O'Brien", "van der Berg"]) + f" {s}"
        status = rng.choices(["graded", "crashed", "timeout", "malformed"], [90, 4, 3, 3])[0]
        if status != "graded":
            entries.append({"student": name, "status": status, "score": None,
                            "max_score": None, "seconds": rng.uniform(1, 300)
                            if status != "malformed" else None, "result": None,
                            "message": f"grading failed: {status} <b>{s}</b>"})
            continue
        result = dict(rng.choice(results), submission=name)
        entries.append({"student": name, "status": "graded", "score": result["score"],
                        "max_score": result["max_score"], "seconds": rng.uniform(2, 90),
                        "result": result, "message": None})
    return entries


def one_entry(result: dict, student: str, seconds: float = 3.5) -> dict:
    return {"student": student, "status": "graded", "score": result["score"],
            "max_score": result["max_score"], "seconds": seconds, "result": result,
            "message": None}


# --------------------------------------------------------------------- static page checks

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2",
                "h3", "p", "div", "span", "a", "code", "pre", "strong", "br", "table", "thead",
                "tbody", "tr", "th", "td", "section", "details", "summary", "dl", "dt", "dd",
                "ul", "li", "small", "svg", "g", "rect", "line", "text", "title",
                "path", "defs", "clippath", "use"}     # matplotlib's SVG
LINK = re.compile(r"((students|exercises)/[^/:?]+\.html(#check-[\w%.-]+)?|\.\./index\.html"
                  r"|\.\./students/[^/:?]+\.html|checks\.csv)")


class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def assert_self_contained(page: str) -> PageParser:
    """Only our tags, no script, no event handler, nothing loaded from anywhere."""
    assert page.startswith("<!doctype html>")
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}={value!r} on <{tag}>"
            assert name not in ("src", "srcset", "background", "action")
            if name == "xlink:href":
                assert value.startswith("#"), value         # within the chart
            if name == "href":
                assert value.startswith("#") or LINK.fullmatch(value), value
            if name == "style":
                assert "url(" not in value and "expression" not in value
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1
    assert "url(" not in styles[0] and "@import" not in styles[0]
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    return parsed


# -------------------------------------------------------------------------- unit tests

def test_student_page_shows_scores_checks_and_feedback():
    page = render_student(sample_result())
    parsed = assert_self_contained(page)
    text = "".join(parsed.text)
    assert "<title>Lesson 2</title>" in page
    assert "6 / 17" in text                                     # the total (score / max)
    for name in ("dropout", "corr2d", "pool2d", "masked_softmax"):
        assert name in text
    for status in ("complete", "partial", "not-implemented", "unavailable"):
        assert f">{status.replace('-', ' ') if status == 'not-implemented' else status}<" in page
    for status in ("pass", "fail", "error", "timeout", "crash", "not implemented"):
        assert f">{status}</span>" in page
    for label in ("called", "expected", "got", "details", "hint", "printed"):
        assert f"<dt>{label}</dt>" in page
    noted = dict(sample_result(), notes=["convolution.py is a symbolic link: <b>refused</b>"])
    noted["exercises"][1]["checks"][0]["feedback"]["diagnosis"] = "you flipped the kernel"
    page_with = render_student(noted)
    assert "<dt>diagnosis</dt><dd class=\"text\">you flipped the kernel</dd>" in page_with
    assert '<p class="note">convolution.py is a symbolic link: &lt;b&gt;refused&lt;/b&gt;</p>' \
        in page_with
    assert "torch.tensor([[19., 25.], [37., 43.]])" in text
    assert "IndexError: list index out of range" in text
    assert "attention.py does not import: SyntaxError at line 3" in text
    assert "the worker process died (SIGKILL)" in text
    assert "advice" in text
    # a complete exercise is folded, the others open
    assert re.search(r'id="ex0"><details>', page) and re.search(r'id="ex1"><details open>', page)
    # the advice of an advisory check is shown once, not twice
    assert text.count("whatever the input's device") == 1


def test_student_page_escapes_everything_the_student_controls():
    page = render_student(hostile_result())
    parsed = assert_self_contained(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    assert tags.count("svg") == len(re.findall(r"<svg", page))
    text = "".join(parsed.text)
    for hostile in HOSTILE[:6]:
        assert hostile in text                       # shown to the reader as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x00" not in page and "\ud800" not in page
    page.encode("utf-8")                             # no lone surrogate left
    # in the title too, and with a custom title
    titled = render_student(hostile_result(), title=HOSTILE[0])
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in titled
    assert_self_contained(titled)


def test_hidden_feedback_policies():
    result = sample_result()
    full = render_student(result, hidden_feedback="full")
    assert "SECRET-HIDDEN-HINT" in full and "HIDDEN-MESSAGE" in full
    assert "matches_conv2d" in full

    status = render_student(result, hidden_feedback="status")
    assert "matches_conv2d" in status and "handles_big_inputs" in status
    assert "SECRET-HIDDEN-HINT" not in status and "HIDDEN-MESSAGE" not in status
    assert "a call took longer than 10 s" not in status
    assert "torch.tensor([[0., 1.]])" not in status          # the hidden call
    assert "torch.tensor([[19., 25.], [37., 43.]])" in status  # public feedback stays
    assert "hidden checks:" not in status

    none = render_student(result, hidden_feedback="none")
    for secret in ("matches_conv2d", "handles_big_inputs", "kept_values_are_scaled",
                   "SECRET-HIDDEN-HINT", "HIDDEN-MESSAGE", "a call took longer than 10 s"):
        assert secret not in none
    text = "".join(parse(none).text)
    assert "hidden checks: 2 / 2 points" in text             # dropout: 2 + advisory 0
    assert "hidden checks: 1 / 5 points" in text             # corr2d: 3 + 1 + 1
    assert "torch.tensor([[19., 25.], [37., 43.]])" in none
    for page in (full, status, none):
        assert_self_contained(page)
    with pytest.raises(ValueError, match="hidden_feedback"):
        render_student(result, hidden_feedback="some")


def test_student_release_note_and_odd_results():
    result = sample_result()
    result["hidden"] = {"checks": 7, "points": 12}
    page = render_student(result)
    assert "7 hidden checks (12 points) are graded when you submit" in page
    # an export row of a crashed submission, and an almost empty dict: pages, not exceptions
    crashed = {"schema": "grader-result", "version": 1, "submission": "s", "score": 0,
               "max_score": None, "status": "crashed", "message": "worker <died>",
               "exercises": []}
    for odd in (crashed, {}, {"exercises": [{"name": "x", "checks": [{}]}]}):
        assert_self_contained(render_student(odd))
    assert "worker &lt;died&gt;" in render_student(crashed)


def test_class_page_empty_and_single_student():
    empty = render_class([], title="Lesson <2>")
    parsed = assert_self_contained(empty)
    text = "".join(parsed.text)
    assert "Lesson <2>" in text and "No submissions." in text
    assert "No graded submissions." in text and "No results." in text

    one = render_class([one_entry(sample_result(), "Ana")], title="Lesson 2")
    parsed = assert_self_contained(one)
    links = [a["href"] for tag, a in parsed.tags if tag == "a"]
    assert [h for h in links if h.startswith("students/")] == [f"students/{safe_name('Ana')}"]
    assert "checks.csv" in links and "exercises/corr2d.html" in links
    assert "exercises/corr2d.html#check-book_example" in links     # the students who failed
    text = "".join(parsed.text)
    assert "6 / 17" in text and "3.5 s" in text
    assert "the result has wrong values" in text           # most common failure of corr2d


def test_class_page_figures_failures_and_order():
    result = sample_result()
    other = sample_result()
    for check in other["exercises"][1]["checks"][1:]:          # bob fails only book_example
        check.update(status="pass", points=check["max_points"], message=None, feedback=None)
    other["exercises"][1]["score"] = 8
    other["score"] = 12
    entries = [one_entry(result, "zed", 10.0), one_entry(result, "Ana", 20.0),
               one_entry(other, "bob", 30.0),
               {"student": "Eve", "status": "timeout", "score": None, "max_score": None,
                "seconds": 300.0, "result": None, "message": "grading took longer than 300 s"},
               {"student": "Mal", "status": "malformed", "score": None, "max_score": None,
                "seconds": None, "result": None, "message": "not a <zip> file"}]
    page = render_class(entries, title="Lesson 2")
    parsed = assert_self_contained(page)
    text = "".join(parsed.text)
    # figures: 5 students, 3 graded, 2 failed to grade, the breakdown, mean and median
    assert re.search(r"students</div><div class=\"v\">5<", page)
    assert re.search(r"failed to grade</div><div class=\"v\">2<", page)
    assert "1 malformed · 1 timeout" in text
    assert "8.0 / 17" in text and "6 / 17" in text
    # corr2d's most common failure: book_example (3 students; the others fail only for 2)
    exercises = page[page.index('<table class="exercises">'):page.index('id="checks"')]
    row = re.search(r'<tr><td class="name"><a href="exercises/corr2d.html">corr2d</a></td>.*?'
                    r"</tr>", exercises).group(0)
    assert "<strong>3 students</strong>: the result has wrong values" in row
    assert "(book example works)" in row and "0 / 3" in row          # nobody has full marks
    masked = re.search(r'masked_softmax</a></td>.*?</tr>', exercises).group(0)
    assert "does not import" in masked
    # checks, hardest first: every check that nobody passes comes before the others
    checks = page[page.index('<table class="checks">'):page.index('id="students"')]
    rates = [float(r.rstrip("%")) for r in re.findall(r'<td class="num">([\d.]+%)</td>', checks)]
    assert rates == sorted(rates[:len(rates) - 1]) + rates[len(rates) - 1:] or rates == sorted(rates)
    row = re.search(r"<tr><td class=\"name\">corr2d</td><td class=\"desc\">book example "
                    r"works.*?</tr>", checks).group(0)
    assert 'href="exercises/corr2d.html#check-book_example">3 students</a>' in row
    assert "<strong>3 students</strong>: the result has wrong values" in row
    # the student table: sorted by name, links only where a result exists
    table = page[page.index("<h2 id=\"students\">Students</h2>"):]
    order = re.findall(r'<td class="name">(?:<a [^>]*>)?([^<]+)<', table)
    assert order == ["Ana", "bob", "Eve", "Mal", "zed"]
    assert "not a &lt;zip&gt; file" in table
    assert len(re.findall(r'<a href="students/', table)) == 3


def test_class_page_stays_bounded_for_a_big_class():
    entries = synthetic_class(500, 45)
    checks = sum(len(e["checks"]) for e in next(x for x in entries if x["result"])
                 ["result"]["exercises"])
    assert 300 <= checks <= 420
    page = render_class(entries, title="Big class")    # speed: benchmarks/bench_reports.py
    parsed = assert_self_contained(page)
    assert len(page) < 1_500_000
    for tag, attrs in parsed.tags:
        if tag == "svg":
            assert float(attrs["width"].rstrip("pt")) <= 700, attrs
    assert page.count('<a class="failed" href="exercises/') <= checks
    assert len(re.findall(r'<tr><td class="name"><a href="exercises/', page)) == 45
    assert page.count('<a href="students/') == sum(e["result"] is not None for e in entries)
    assert render_class(entries, title="Big class") == page        # deterministic


def test_safe_names():
    names = ["Ana", "Zoë O'Brien", "李雷", "../../etc/passwd", ".hidden", "a/b", "a b", "A B",
             "", "x" * 300, "con", "nul\x00"]
    files = [safe_name(n) for n in names]
    assert len(set(files)) == len(files)
    for f in files:
        assert re.fullmatch(r"[^\W_][\w-]*\.html", f) and "/" not in f, f
        assert len(f) <= 75
    assert files[0] == "ana-dea210f0.html"                     # "Ana" is not "ana"
    assert files[1].startswith("zoë-o-brien-") and files[2] == "李雷.html"   # readable
    assert safe_name("Zoë O'Brien") == files[1]                 # deterministic
    assert safe_name("ana") == "ana.html"


def test_write_reports_files_links_and_determinism(tmp_path):
    names = ["Zoë O'Brien", "李雷", "../../etc/passwd", "a.b.c", "with space", "with space"]
    entries = [one_entry(sample_result(f"/tmp/grading-{i}/{n}"), n, 1.0 + i)
               for i, n in enumerate(names)]
    entries.append({"student": "Crash Test", "status": "crashed", "score": None,
                    "max_score": None, "seconds": 2.0, "result": None, "message": "boom"})
    paths = write_reports(tmp_path / "a", entries, title="Lesson 2", hidden_feedback="none")
    assert paths[:2] == [tmp_path / "a" / "index.html", tmp_path / "a" / "checks.csv"]
    pages = [p for p in paths if p.parent.name == "students"]
    assert len(pages) == 6 and len(set(pages)) == 6               # duplicates kept apart
    assert sorted(p.name for p in paths if p.parent.name == "exercises") == [
        "corr2d.html", "dropout.html", "masked_softmax.html", "pool2d.html"]
    assert sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*")
                  if p.is_file()) == sorted(p.relative_to(tmp_path / "a") for p in paths)
    index = paths[0].read_text(encoding="utf-8")
    hrefs = [a["href"] for tag, a in parse(index).tags if tag == "a"]
    assert sorted(h for h in hrefs if h.startswith("students/")) == \
        sorted(f"students/{quote(p.name)}" for p in pages)
    for href in hrefs:
        assert (tmp_path / "a" / unquote(href.split("#")[0])).is_file()
    exercise = (tmp_path / "a" / "exercises" / "corr2d.html").read_text(encoding="utf-8")
    assert 'id="check-book_example"' in exercise
    section = re.search(r'id="check-book_example">.*?</section>', exercise, re.S).group(0)
    assert section.count('<a href="../students/') == 6              # everyone failed it
    rates = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8"))))
    assert {r["check"] for r in rates} >= {"book_example", "matches_conv2d"}
    assert float(rates[0]["pass_rate"]) <= float(rates[-1]["pass_rate"]) or \
        rates[-1]["advisory"] == "true"
    student = (tmp_path / "a" / "students" / safe_name("李雷")).read_text(encoding="utf-8")
    assert "李雷 — Lesson 2" in student and 'href="../index.html"' in student
    assert "matches_conv2d" not in student and "hidden checks:" in student   # policy applied
    for path in paths:
        if path.suffix == ".html":
            assert_self_contained(path.read_text(encoding="utf-8"))
    again = write_reports(tmp_path / "b", entries, title="Lesson 2", hidden_feedback="none")
    assert [p.relative_to(tmp_path / "b") for p in again] == \
        [p.relative_to(tmp_path / "a") for p in paths]
    for a, b in zip(paths, again):
        assert a.read_bytes() == b.read_bytes()
    with pytest.raises(ValueError):
        write_reports(tmp_path / "c", entries, title="x", hidden_feedback="partial")
    assert write_reports(tmp_path / "d", [], title="nobody") == [
        tmp_path / "d" / "index.html", tmp_path / "d" / "checks.csv"]


# ------------------------------------------------------------------------------- browser

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                  "google-chrome"))), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
         "--window-size=1280,2000", "--force-device-scale-factor=1",
         # nothing leaves the machine, even for a page that tries: every host is unresolvable
         "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe"]
PAGE_INFO = """(() => {
  const main = document.querySelector('main');
  const right = main ? main.getBoundingClientRect().right : window.innerWidth;
  const sticking = Array.from(document.querySelectorAll('main *'))
    .filter(e => e.getBoundingClientRect().right > right + 1)
    .map(e => e.tagName + '.' + e.getAttribute('class'));
  return {text: document.body ? document.body.innerText : '',
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          sticking: sticking.slice(0, 10),
          elements: Array.from(new Set(Array.from(document.querySelectorAll('*'),
                                                  e => e.tagName.toLowerCase()))),
          pwned: typeof window.pwned !== 'undefined',
          target: (() => { const t = document.querySelector(':target');
                           return t ? Array.from(t.querySelectorAll('a'), a => a.href) : null; })(),
          links: Array.from(document.querySelectorAll('a'), a => a.href)};
})()"""


class Browser:
    """Headless Chromium driven over ``--remote-debugging-pipe`` (CDP as NUL-separated JSON on
    fds 3 and 4): stdlib only, one browser for many pages, every event seen."""

    def __init__(self, binary: str, workdir: Path):
        self.log = workdir / "chromium.log"
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def fds_3_and_4():          # in the child, before exec: the pipe ends become 3 and 4
            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [binary, *FLAGS, f"--user-data-dir={workdir / 'profile'}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=fds_3_and_4,
                close_fds=False,    # closing would happen after preexec_fn, and take 3 and 4;
                start_new_session=True)     # our own descriptors are close-on-exec anyway
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from chromium; log:\n" + self.log.read_text())
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe; log:\n" + self.log.read_text())
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 20) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _wait_for(self, method: str, session: str, since: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method and e.get("sessionId") == session
                      for e in self.events[since:]):
            self.events.append(self._receive(deadline))

    def visit(self, path: Path, screenshot: Path | None = None, full_page: bool = False,
              width: int = 1280, height: int = 2000, fragment: str = "") -> dict:
        """Load a page in a fresh tab (at ``#fragment`` if given); its problems (console
        errors, exceptions, requests for anything but the page itself), layout facts, the
        links in the ``:target`` element, and, if asked, a PNG screenshot."""
        url = path.resolve().as_uri()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                  "deviceScaleFactor": 1, "mobile": False}, session)
        start = len(self.events)
        self.call("Page.navigate", {"url": url + (f"#{fragment}" if fragment else "")}, session)
        self._wait_for("Page.loadEventFired", session, start)
        info = self.call("Runtime.evaluate", {"expression": PAGE_INFO, "returnByValue": True},
                         session)["result"]["value"]
        if screenshot is not None:
            params = {"format": "png"}
            if full_page:
                size = self.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
                params.update(captureBeyondViewport=True, clip={
                    "x": 0, "y": 0, "width": width, "height": min(size["height"], 16000),
                    "scale": 1})
            data = self.call("Page.captureScreenshot", params, session)["data"]
            screenshot.write_bytes(base64.b64decode(data))
        self.call("Runtime.evaluate", {"expression": "0"}, session)   # flush pending events
        events = [e for e in self.events[start:] if e.get("sessionId") == session]
        self.call("Target.closeTarget", {"targetId": target})
        info["problems"] = problems(events, url)
        return info


def problems(events: list[dict], url: str) -> list[str]:
    """Console errors, uncaught exceptions, browser error logs (failed loads, CSP refusals),
    and every request for anything but the page itself (data: URLs are inline)."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            found.append("exception: " + details.get("exception", {}).get(
                "description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            found.append(f"console.{params['type']}: " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            found.append(f"log {entry['level']}: {entry['text']} {entry.get('url', '')}")
        elif method == "Network.requestWillBeSent":
            requested = params["request"]["url"]
            if requested != url and not requested.startswith("data:"):
                found.append(f"request: {requested}")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("GRADER_REQUIRE_CHROMIUM"):
            pytest.fail("GRADER_REQUIRE_CHROMIUM is set but no chromium binary is on PATH")
        pytest.skip("no chromium binary on PATH (apt-get install -y chromium): the HTML pages "
                    "were not checked in a browser")
    browser = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium"))
    yield browser
    browser.close()


def test_browser_detector_catches_broken_pages(browser, tmp_path):
    """The detector itself: each deliberately broken page must be reported."""
    csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
    pages = {   # name: (in <head>, in <body>, what the detector must report)
        "console_error": ("", "<script>console.error('deliberate')</script>",
                          "console.error: deliberate"),
        "uncaught": ("", "<script>undefinedFunction()</script>",
                     "exception: ReferenceError: undefinedFunction is not defined"),
        "external_image": ("", '<img src="http://example.com/x.png" alt="">',
                           "request: http://example.com/x.png"),
        "external_css": ('<link rel="stylesheet" href="https://cdn.example.com/a.css">', "",
                         "request: https://cdn.example.com/a.css"),
        "local_file": ("", '<img src="missing.png" alt="">', "missing.png"),
        # the policy our pages carry blocks the load; the violation is still reported
        "csp_blocked": (csp, '<img src="http://example.com/y.png" alt="">',
                        "Content Security Policy"),
    }
    clean = tmp_path / "clean.html"
    clean.write_text("<!doctype html><title>ok</title><p>fine</p>")
    assert browser.visit(clean)["problems"] == []
    for name, (head, body, expected) in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(f"<!doctype html><html><head><title>{name}</title>{head}</head>"
                        f"<body><p>x</p>{body}</body></html>")
        found = browser.visit(path)["problems"]
        assert any(expected in p for p in found), (name, found)


def test_pages_in_a_browser(browser, tmp_path):
    """Every kind of page: no console error, no request, no overflow, a non-blank screenshot."""
    big = synthetic_class(500, 45)
    small = [one_entry(sample_result(), "Zoë O'Brien"), one_entry(hostile_result(), HOSTILE[1])]
    write_reports(tmp_path / "small", small, title="Lesson 2")
    pages = {"index_big": (tmp_path / "big.html", render_class(big, title="Big class")),
             "index_empty": (tmp_path / "empty.html", render_class([], title="Nobody")),
             "index_small": (tmp_path / "small" / "index.html", None),
             "student": (tmp_path / "small" / "students" / safe_name("Zoë O'Brien"), None),
             "hostile": (tmp_path / "small" / "students" / safe_name(HOSTILE[1]), None),
             "none_policy": (tmp_path / "none.html",
                             render_student(sample_result(), hidden_feedback="none"))}
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><title>blank</title>")
    browser.visit(blank, tmp_path / "blank.png")
    blank_size = (tmp_path / "blank.png").stat().st_size
    infos = {}
    for name, (path, content) in pages.items():
        if content is not None:
            path.write_text(content, encoding="utf-8")
        png = tmp_path / f"{name}.png"
        info = infos[name] = browser.visit(path, png)
        assert info["problems"] == [], (name, info["problems"])
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > max(8000, 4 * blank_size), (name, png.stat().st_size)
        assert info["scrollWidth"] <= info["clientWidth"], (name, info)
        assert info["sticking"] == [], (name, info["sticking"])
        assert "script" not in info["elements"] and not info["pwned"]
    hostile = infos["hostile"]
    assert "img" not in hostile["elements"] and "iframe" not in hostile["elements"]
    assert HOSTILE[0] in hostile["text"] and HOSTILE[1] in hostile["text"]
    narrow = browser.visit(pages["student"][0], width=420, height=900)
    assert narrow["scrollWidth"] <= narrow["clientWidth"], narrow


def test_charts_are_the_same_bytes_in_another_process():
    """matplotlib's SVG with a fixed hash salt and no dates: another interpreter (another
    PYTHONHASHSEED, another moment) writes the same class page."""
    import subprocess
    import sys
    code = ("import sys; sys.path.insert(0, 'tests'); from test_html_report import *; "
            "sys.stdout.buffer.write(render_class(synthetic_class(30, 4), title='t')"
            ".encode('utf-8'))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           cwd=Path(__file__).resolve().parent.parent, env=env).stdout
    page = render_class(synthetic_class(30, 4), title="t")
    assert "<svg" in page and "<path" in page                   # matplotlib's charts
    assert other == page.encode("utf-8")
    assert not re.search(r"20\d\d-\d\d-\d\d|<dc:date|Matplotlib v", page)


@pytest.mark.parametrize("value, shown", [
    (0.996, "99.6%"), (0.9996, "99.96%"), (0.99999, "99.999%"), (1.0, "100%"), (0.0, "0%"),
    (0.004, "0.4%"), (0.5, "50%"), (0.7849, "78%"), (None, "—")])
def test_percentages_never_round_to_full_or_nothing(value, shown):
    from grader.reports.class_stats import pct
    assert pct(value) == shown


def test_misbehaving_submissions_are_flagged_even_when_graded():
    from grader.reports.class_stats import flags_of
    result = sample_result()            # corr2d: a timeout and a crash among its checks
    assert flags_of(one_entry(result, "a")) == ["crashed", "timed out"]
    memory = sample_result()
    memory["exercises"][1]["checks"][6].update(
        message="the worker process died: killed (out of memory or a limit) (SIGKILL)")
    memory["exercises"][1]["checks"][4].update(status="fail", message="wrong")
    assert flags_of(one_entry(memory, "b")) == ["memory limit"]
    refused = {"exercises": [{"checks": [{"status": "error", "message":
                                          "the sandbox refused the operation (not allowed)"}]}]}
    assert flags_of({"status": "graded", "result": refused}) == ["refused by the sandbox"]
    assert flags_of({"status": "timeout", "result": None}) == ["timed out"]
    page = render_class([one_entry(memory, "Mem Bomb"), one_entry(sample_result(), "ok")],
                        title="t")
    row = re.search(r'Mem Bomb</a></td>.*?</tr>', page).group(0)
    assert '<span class="badge b-flag flag">memory limit</span>' in row
    assert re.search(r'misbehaving</div><div class="v">2<', page)


def test_an_imported_result_is_capped_on_the_page():
    """A result imported into the gradebook (never cleaned by the grader) cannot make a huge
    page: messages, names and fields are capped."""
    result = sample_result()
    result["exercises"][1]["checks"][0]["message"] = "E" * 900_000
    result["exercises"][1]["checks"][0]["feedback"]["actual"] = "A" * 900_000
    result["exercises"][1]["name"] = "N" * 900_000
    result["submission"] = "S" * 900_000 + "\x1b"
    page = render_student(result)
    assert len(page) < 120_000 and "\x1b" not in page
    assert "more characters" in page
