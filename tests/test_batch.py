"""Batch grading: a class of mixed submissions, the gradebook, resuming, exports."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from grader import assignment as assignment_mod
from grader.classroom import batch, identity
from grader.errors import UsageError
from grader.reports import exports
from grader.classroom.gradebook import Gradebook

from conftest import ROOT, write_assignment

CHECKS = {"dropout": ["keeps_shape", "p1_gives_zeros"],
          "corr2d": ["book_example", "matches_conv2d"],
          "pool2d": ["book_example_max", "output_shape"]}
SOLUTIONS = ROOT / "solutions"
TOPICS = ("dropout", "convolution", "pooling")


def reference_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    for topic in TOPICS:
        shutil.copy(SOLUTIONS / f"{topic}.py", path / f"{topic}.py")
    return path


def make_class(root: Path) -> dict:
    """A class of submissions, one of every kind; returns student -> expected status."""
    reference_folder(root / "alice")
    wrong = reference_folder(root / "bob")
    with open(wrong / "convolution.py", "a") as handle:
        handle.write((ROOT / "tests/mutants/corr2d/flipped_kernel.py").read_text())
    crash = reference_folder(root / "carol")
    with open(crash / "pooling.py", "a") as handle:
        handle.write("\nimport os\n\ndef pool2d(X, pool_size, mode='max'):\n    os._exit(1)\n")
    shutil.copytree(ROOT / "exercises", root / "dan", ignore=shutil.ignore_patterns("__py*"))
    (root / "eve.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    folder = reference_folder(root.parent / "frank-src")
    with zipfile.ZipFile(root / "frank.zip", "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"homework/{file.name}")
    (root / "gina").mkdir()
    (root / "gina" / "notes.txt").write_text("no code here")
    single = root / "hal.py"
    single.write_text((SOLUTIONS / "convolution.py").read_text())
    return {"alice": "graded", "bob": "graded", "carol": "graded", "dan": "graded",
            "eve": "malformed", "frank": "graded", "gina": "malformed", "hal": "graded"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assignment")
    return write_assignment(folder / "small.toml", CHECKS)


def test_a_mixed_class(tmp_path, small):
    expected = make_class(tmp_path / "class")
    spec = assignment_mod.load(small)
    seen = []
    with Gradebook(tmp_path / "book.db") as book:
        summary = batch.grade_class(spec, tmp_path / "class", book, jobs=2, sandbox="process",
                                    timeout=120, progress=lambda e, s, d, t: seen.append(d))
        current = {i["student"]: i for i in book.current()}
    assert {s: i["status"] for s, i in current.items()} == expected
    assert seen == list(range(1, len(expected) + 1))
    assert summary.graded == 6 and summary.malformed == 2
    full, conv = spec.max_points, spec.exercise("corr2d").max_points
    assert current["alice"]["score"] == current["alice"]["max_score"] == full
    assert current["frank"]["score"] == full               # a zip with a subfolder
    assert current["bob"]["score"] == full - conv          # flipped kernel: corr2d lost
    carol = {e["name"]: e for e in current["carol"]["result"]["exercises"]}
    assert carol["pool2d"]["score"] == 0 and carol["corr2d"]["score"] == conv
    assert "crash" in {c["status"] for c in carol["pool2d"]["checks"]}
    assert current["dan"]["score"] == 0
    assert current["hal"]["score"] == conv                   # only corr2d in a single file
    assert "not a readable zip" in current["eve"]["message"]
    assert "no .py or .ipynb" in current["gina"]["message"]


def test_rerun_skips_force_regrades(tmp_path, small):
    reference_folder(tmp_path / "class" / "alice")
    spec = assignment_mod.load(small)
    with Gradebook(tmp_path / "book.db") as book:
        first = batch.grade_class(spec, tmp_path / "class", book, jobs=1, sandbox="process",
                                  timeout=120)
        again = batch.grade_class(spec, tmp_path / "class", book, jobs=1, sandbox="process",
                                  timeout=120)
        forced = batch.grade_class(spec, tmp_path / "class", book, jobs=1, sandbox="process",
                                   timeout=120, force=True)
        rows = book.db.execute("SELECT attempt, current FROM submissions").fetchall()
    assert (first.graded, again.skipped, forced.graded) == (1, 1, 1)
    assert sorted(rows) == [(1, 0), (2, 1)]


def test_hanging_submission_times_out_and_others_finish(tmp_path, small):
    reference_folder(tmp_path / "class" / "alice")
    hang = reference_folder(tmp_path / "class" / "zed")
    (hang / "dropout.py").write_text("import time\ntime.sleep(1000)\n\ndef dropout(X, p):\n"
                                     "    return X\n")
    # one module's import deadline (20 s by default, which would end zed's import before the
    # batch's --timeout) outlasts --timeout here: what stops zed is the slot's clock, the thing
    # under test
    slow = write_assignment(tmp_path / "slow.toml", CHECKS, import_seconds=600)
    spec = assignment_mod.load(slow)
    with Gradebook(tmp_path / "book.db") as book:
        # 40 s: room for alice's six checks on a busy machine (her slot's start-up does not
        # count); zed's import sleeps far longer
        batch.grade_class(spec, tmp_path / "class", book, jobs=2, sandbox="process", timeout=40)
        current = {i["student"]: i for i in book.current()}
    assert current["zed"]["status"] == "timeout" and "longer than 40 s" in current["zed"]["message"]
    assert current["alice"]["status"] == "graded"


def test_a_slow_starting_slot_costs_the_student_nothing(tmp_path, monkeypatch):
    """A submission's --timeout counts from when its slot starts grading it, not from when
    the slot was started: a grading process slow to start (importing torch on a busy machine)
    must not turn a correct submission into a timeout.  Here the slot's interpreter sleeps
    28 s at start (sitecustomize), longer than the 25 s timeout (which leaves room for the
    grading itself, one check, on a loaded machine: 10 s did not)."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import sys, time\nif any('multiprocessing' in a for a in sys.argv):\n    time.sleep(28)\n")
    small = write_assignment(tmp_path / "one.toml", {"corr2d": ["book_example"]})
    (tmp_path / "class" / "alice").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "convolution.py", tmp_path / "class" / "alice" / "convolution.py")
    spec = assignment_mod.load(small)
    monkeypatch.setenv("PYTHONPATH", str(slow))
    started = time.monotonic()
    with Gradebook(tmp_path / "book.db") as book:
        batch.grade_class(spec, tmp_path / "class", book, jobs=1, sandbox="process", timeout=25)
        current = {i["student"]: i for i in book.current()}
    assert time.monotonic() - started > 28         # the slot did start slowly
    assert current["alice"]["status"] == "graded", current["alice"]["message"]
    assert current["alice"]["score"] == current["alice"]["max_score"]


def test_classroom_and_gradescope_layouts(tmp_path):
    classroom = tmp_path / "classroom"
    for user in ("octocat", "hubot"):
        repo = classroom / f"lesson2-{user}"
        (repo / ".git").mkdir(parents=True)
        reference_folder(repo / "exercises")
    entries = batch.find_entries(classroom, tmp_path / "work", prefix="lesson2-")
    assert sorted(e.student for e in entries) == ["hubot", "octocat"]
    assert all(not e.problem for e in entries)
    # which folder holds the work is decided as for `grade` (grader/submission/layout.py)
    from grader.submission import layout
    names = assignment_mod.load(ROOT / "pyproject.toml").names
    assert all(layout.find_work(e.path, names).folder.name == "exercises" for e in entries)
    unnamed = batch.find_entries(classroom, tmp_path / "work1")     # no prefix: never guessed
    assert sorted(e.student for e in unnamed) == ["lesson2-hubot", "lesson2-octocat"]

    gradescope = tmp_path / "gradescope"
    reference_folder(gradescope / "submission_101")
    (gradescope / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :email: ada@example.com\n")
    entries = batch.find_entries(gradescope, tmp_path / "work2")
    assert [e.student for e in entries] == ["ada@example.com"]


def test_zip_path_traversal_is_refused(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "mallory.zip", "w") as archive:
        archive.writestr("../../escape.py", "x = 1\n")
    entries = batch.find_entries(folder, tmp_path / "work")
    assert "outside the archive" in entries[0].problem
    assert not (tmp_path / "escape.py").exists()


def test_kill_minus_nine_then_rerun_loses_and_duplicates_nothing(tmp_path, small):
    root = tmp_path / "class"
    for name in ("s1", "s2", "s3", "s4", "s5", "s6"):
        reference_folder(root / name)
    book = tmp_path / "book.db"
    command = [sys.executable, "-m", "grader", "batch", str(root), "--assignment", str(small),
               "--gradebook", str(book), "--jobs", "2", "--sandbox", "process"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if book.exists():
            try:
                done = sqlite3.connect(book).execute("SELECT COUNT(*) FROM submissions").fetchone()
            except sqlite3.Error:
                continue
            if done[0] >= 2:
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with Gradebook(book) as gradebook:
        partial = gradebook.counts()
    assert 2 <= partial["rows"] < 6
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Gradebook(book) as gradebook:
        rows = gradebook.db.execute("SELECT student, attempt, current, status FROM submissions"
                                    ).fetchall()
    assert sorted(r[0] for r in rows) == ["s1", "s2", "s3", "s4", "s5", "s6"]   # once each
    assert all(r[1] == 1 and r[2] == 1 and r[3] == "graded" for r in rows)


def test_exports(tmp_path, small):
    make_class(tmp_path / "class")
    spec = assignment_mod.load(small)
    with Gradebook(tmp_path / "book.db") as book:
        batch.grade_class(spec, tmp_path / "class", book, jobs=2, sandbox="process", timeout=120)
        items = book.current()
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(items))))
    assert [r["student"] for r in rows] == sorted(r["student"] for r in rows)
    assert set(rows[0]) == {"student", "dropout", "corr2d", "pool2d", "total", "max", "status"}
    alice = next(r for r in rows if r["student"] == "alice")
    full = f"{spec.max_points:g}"
    assert alice["total"] == alice["max"] == full
    written = exports.write_json(items, tmp_path / "json")
    alice_json = json.loads((tmp_path / "json" / "alice.json").read_text())
    assert alice_json["schema"] == "grader-result" and alice_json["score"] == spec.max_points
    assert len(written) == len(items)
    for path in exports.write_junit(items, tmp_path / "junit"):
        ET.parse(path)
    bob = ET.parse(tmp_path / "junit" / "bob.xml").getroot()
    assert bob.find(".//testsuite[@name='corr2d']").get("failures") == "2"
    summary = exports.to_markdown(items, "Lesson 2")
    assert summary.startswith("## Lesson 2") and f"| alice | {full} / {full} | graded |" in summary


def test_batch_command_writes_reports_and_exports(tmp_path, small, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import cli
    root = tmp_path / "class"
    reference_folder(root / "alice")
    reference_folder(root / "Zoë O'Brien")
    book = tmp_path / "book.db"
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(root), "--assignment", str(small), "--gradebook",
                                 str(book), "--jobs", "1", "--sandbox", "process", "--reports",
                                 str(tmp_path / "reports")])
    assert result.exit_code == 0, result.output
    assert "2 graded" in result.output
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "alice" in index and "Zo" in index
    assert len(list((tmp_path / "reports" / "students").glob("*.html"))) == 2
    for fmt, out in (("csv", None), ("markdown", None), ("json", tmp_path / "json"),
                     ("junit", tmp_path / "junit"), ("html", tmp_path / "html")):
        args = ["gradebook", "export", "--format", fmt, "--gradebook", str(book),
                "--assignment", str(small)] + (["--out", str(out)] if out else [])
        exported = runner.invoke(cli, args)
        assert exported.exit_code == 0, (fmt, exported.output)
        if out is None:
            assert "alice" in exported.stdout
        else:
            assert len([p for p in out.rglob("*") if p.is_file()]) >= 2


def test_gradebook_import_merges_results_graded_elsewhere(tmp_path, small, grade, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import cli
    spec = assignment_mod.load(small)
    result = grade(path=reference_folder(tmp_path / "alice"), assignment=spec)
    (tmp_path / "alice.json").write_text(result.to_json())
    (tmp_path / "not-a-result.json").write_text('{"hello": 1}')
    book = tmp_path / "book.db"
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    ok = runner.invoke(cli, ["gradebook", "import", str(tmp_path / "alice.json"), "--gradebook",
                             str(book), "--assignment", str(small)])
    assert ok.exit_code == 0, ok.output
    with Gradebook(book) as gradebook:
        [item] = gradebook.current()
    assert item["student"] == "alice" and item["score"] == spec.max_points
    bad = runner.invoke(cli, ["gradebook", "import", str(tmp_path / "not-a-result.json"),
                              "--gradebook", str(book), "--assignment", str(small)])
    assert bad.exit_code == 2 and "not a `grade --format json` result" in bad.stderr


def test_gradescope_group_submission_gives_every_member_the_result(tmp_path, small):
    """Gradescope's export of a group submission: one folder, two submitters."""
    export = tmp_path / "export"
    reference_folder(export / "submission_7")
    (export / "submission_metadata.yml").write_text(
        "submission_7:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '1815'\n"
        "    :email: ada@example.com\n  - :name: Grace Hopper\n    :email: grace@example.com\n"
        "  :created_at: 2026-11-30 10:00:00.000000000 +00:00\n  :score: 0.0\n")
    spec = assignment_mod.load(small)
    with Gradebook(tmp_path / "book.db") as book:
        first = batch.grade_class(spec, export, book, jobs=1, sandbox="process", timeout=120)
        again = batch.grade_class(spec, export, book, jobs=1, sandbox="process", timeout=120)
        current = {i["student"]: i for i in book.current()}
    assert set(current) == {"1815", "grace@example.com"}
    assert {i["score"] for i in current.values()} == {spec.max_points}
    assert (first.graded, again.skipped) == (1, 1)       # graded once, recorded twice


def classroom_clones(folder: Path, users) -> Path:
    """Repositories as `gh classroom clone student-repos` leaves them: PREFIX<username>/."""
    for user in users:
        repo = folder / f"hw2-{user}"
        (repo / ".git").mkdir(parents=True, exist_ok=True)
        (repo / "README.md").write_text("# homework 2\n")
        reference_folder(repo / "exercises")
    return folder


def test_student_names_never_depend_on_the_other_folders(tmp_path):
    clones = classroom_clones(tmp_path / "clones", ["jo-smith", "jo-doe"])
    names = lambda **kw: sorted(e.student for e in batch.find_entries(  # noqa: E731
        clones, tmp_path / "work", **kw))
    assert names(prefix="hw2-") == ["jo-doe", "jo-smith"]
    assert names() == ["hw2-jo-doe", "hw2-jo-smith"]
    classroom_clones(clones, ["alice"])
    assert names(prefix="hw2-") == ["alice", "jo-doe", "jo-smith"]
    assert names() == ["hw2-alice", "hw2-jo-doe", "hw2-jo-smith"]


def test_roster_names_students_and_unknown_or_ambiguous_entries_are_refused(tmp_path):
    clones = classroom_clones(tmp_path / "clones", ["jo-smith", "jo-doe"])
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text('"identifier","github_username","github_id","name"\n'
                      '"s1001","jo-smith","1","Jo Smith"\n"s1002","Jo-Doe","2","Jo Doe"\n'
                      '"s1003","","",""\n', encoding="utf-8")
    book = identity.read_roster(roster)
    entries = batch.find_entries(clones, tmp_path / "work", prefix="hw2-", roster=book)
    assert sorted(e.student for e in entries) == ["s1001", "s1002"]
    classroom_clones(clones, ["mallory"])
    with pytest.raises(UsageError, match="'mallory' is not in the roster"):
        batch.find_entries(clones, tmp_path / "work2", prefix="hw2-", roster=book)
    (clones / "hw2-mallory" / "README.md").unlink()
    shutil.rmtree(clones / "hw2-mallory")
    (clones / "notes").mkdir()
    with pytest.raises(UsageError, match="'notes' does not start with the prefix 'hw2-'"):
        batch.find_entries(clones, tmp_path / "work3", prefix="hw2-")
    shutil.rmtree(clones / "notes")
    shutil.copy(SOLUTIONS / "dropout.py", clones / "hw2-jo-doe.py")   # a second entry for jo-doe
    with pytest.raises(UsageError, match="more than one submission for the same student:\n"
                                         "  jo-doe: hw2-jo-doe, hw2-jo-doe.py"):
        batch.find_entries(clones, tmp_path / "work4", prefix="hw2-")


def test_adding_a_student_regrades_and_renames_nobody(tmp_path, small):
    clones = classroom_clones(tmp_path / "clones", ["jo-smith", "jo-doe"])
    spec = assignment_mod.load(small)
    with Gradebook(tmp_path / "book.db") as book:
        batch.grade_class(spec, clones, book, jobs=2, sandbox="process", timeout=120,
                          prefix="hw2-")
        classroom_clones(clones, ["alice"])
        again = batch.grade_class(spec, clones, book, jobs=2, sandbox="process", timeout=120,
                                  prefix="hw2-")
        rows = book.db.execute("SELECT student FROM submissions ORDER BY student").fetchall()
    assert (again.graded, again.skipped) == (1, 2)
    assert [r[0] for r in rows] == ["alice", "jo-doe", "jo-smith"]


def test_time_limit_keeps_what_was_graded_in_time(tmp_path):
    """One hanging exercise: the submission's time limit cuts it off, and the exercises
    graded before it keep their points (graded alone, the same file gets the same points)."""
    quick = {"dropout": ["keeps_shape", "p1_gives_zeros"], "corr2d": ["book_example"],
             "pool2d": ["book_example_max", "output_shape"]}
    toml = write_assignment(tmp_path / "slow.toml", quick, call_timeout=600)
    spec = assignment_mod.load(toml)
    folder = reference_folder(tmp_path / "class" / "zed")
    (folder / "pooling.py").write_text("import time\n\ndef pool2d(X, pool_size, mode='max'):\n"
                                       "    time.sleep(1000)\n")
    with Gradebook(tmp_path / "book.db") as book:
        summary = batch.grade_class(spec, tmp_path / "class", book, jobs=1, sandbox="process",
                                    timeout=30)
        (zed,) = book.current()
    assert summary.timeout == 1 and zed["status"] == "timeout"
    kept = spec.exercise("dropout").max_points + spec.exercise("corr2d").max_points
    assert zed["score"] == kept and zed["max_score"] == spec.max_points, \
        [(c["name"], c["status"], c["message"]) for e in zed["result"]["exercises"]
         for c in e["checks"]]
    exercises = {e["name"]: e for e in zed["result"]["exercises"]}
    assert exercises["dropout"]["score"] == exercises["dropout"]["max_score"]
    assert {c["status"] for c in exercises["pool2d"]["checks"]} == {"timeout"}
    assert "30 s" in exercises["pool2d"]["checks"][0]["message"]
