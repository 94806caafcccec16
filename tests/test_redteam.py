"""The red-team suite: every attack in tests/redteam/ gets the verdict its docstring states.

Each attack is graded next to the reference pool2d, in both sandbox modes, through a fork
server (the batch path; fast) and a few of them through the real `grade` command (the
single-submission path).  See tests/redteam/README.md for the verdicts.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from grader.sandbox import bwrap
from grader.errors import GraderError
from grader.judge.run import GradeRequest, run

from conftest import ROOT

REDTEAM = ROOT / "tests" / "redteam"
ATTACKS = sorted(REDTEAM.glob("*.py"))
HAS_BWRAP = bwrap.probe()
MODES = [pytest.param("bwrap", marks=pytest.mark.skipif(not HAS_BWRAP, reason="no bubblewrap")),
         "process"]
CHECKS = frozenset({"book_example", "matches_conv2d", "book_example_max",
                    "max_matches_max_pool2d"})
SECRET = "GRADER_REDTEAM_SECRET"


def expectation(path: Path, mode: str) -> str:
    match = re.search(rf"^{mode}: (blocked|leaks)", path.read_text(), re.MULTILINE)
    assert match, f"{path.name}: no '{mode}: blocked|leaks' line"
    return match.group(1)


class Listener(threading.Thread):
    """A TCP server on localhost that counts who connects (the network attack's target)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
                self.connections += 1
                connection.close()
            except OSError:
                pass

    def stop(self):
        self.running = False
        self.join(2)
        self.server.close()


class Arena:
    """One attack's surroundings: canary folder, marker, listener, snapshots."""

    def __init__(self, tmp_path: Path, attack: Path, course_copy: Path):
        self.course = course_copy
        self.marker = f"redteam{uuid.uuid4().hex[:10]}"
        self.canary = Path(f"/tmp/grader-canary-{self.marker}")
        self.canary.mkdir()
        (self.canary / "victim.txt").write_text("do not touch")
        self.listener = Listener()
        self.listener.start()
        self.submission = tmp_path / "submission"
        self.submission.mkdir()
        source = attack.read_text()
        for key, value in (("__COURSE__", str(course_copy)), ("__CANARY__", str(self.canary)),
                           ("__PORT__", str(self.listener.port)), ("__MARKER__", self.marker)):
            source = source.replace(key, value)
        reference = (ROOT / "solutions" / "convolution.py").read_text()
        (self.submission / "convolution.py").write_text(
            reference + "\n\n# --- the attack ---\n" + source)
        shutil.copy(ROOT / "solutions" / "pooling.py", self.submission / "pooling.py")
        self.before = self.snapshot()

    def snapshot(self) -> dict:
        files = [*sorted(self.course.rglob("*")), *sorted(self.submission.iterdir()),
                 *sorted(self.canary.iterdir())]
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
                if p.is_file()}

    def leftovers(self) -> list[int]:
        # a killed worker may need a moment on a busy machine to exit (torch's address space):
        # waited for up to 30 s, returning as soon as none is left (3 s was near the real
        # cost under load); what a leak leaves is still there after 30 s
        deadline = time.monotonic() + 30
        while True:
            found = []
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/cmdline", "rb") as handle:
                            if self.marker.encode() in handle.read():
                                found.append(int(entry))
                    except OSError:
                        pass
            if not found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def close(self):
        self.listener.stop()
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for path in left_files(self.marker):      # what a leaking attack left (process mode)
            try:
                os.unlink(path)
            except OSError:
                shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(self.canary, ignore_errors=True)


def left_files(marker: str) -> list[str]:
    """Files named after the attack's marker in the shared temporary places, and in any
    grader folder there (a worker's private folder that outlived it); not the canary."""
    canary = f"/tmp/grader-canary-{marker}"
    found = [str(p) for folder in ("/tmp", "/dev/shm")
             for p in Path(folder).glob(f"*{marker}*")]
    for folder in Path("/tmp").glob("grader-*"):
        if str(folder) == canary:
            continue
        try:
            found += [str(p) for p in folder.glob(f"**/*{marker}*")]
        except OSError:
            pass
    return [path for path in found if path != canary]


def verdict(arena: Arena, scores: dict | None) -> dict:
    """Every part of "blocked", each True or False, so that failures say which part broke."""
    return {
        "finished": scores is not None,
        "attacked exercise got 0": bool(scores) and scores.get("corr2d") == 0,
        "other exercise graded": bool(scores) and scores.get("pool2d") == scores.get(
            "pool2d_max"),
        "no file outside changed": arena.snapshot() == arena.before,
        "nothing left running": not arena.leftovers(),
        "no network": arena.listener.connections == 0,
        "nothing left in /tmp or /dev/shm": not left_files(arena.marker),
    }


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    """What the attacks see as "the course folder": a copy, so that a successful attack
    (process mode) never damages the real one, and so that changes are easy to see."""
    folder = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    shutil.copytree(ROOT / "grader" / "checks", folder / "grader" / "checks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


@pytest.fixture(scope="module")
def quick_course(course):
    # a check's own time is bounded too (check_timeout, in the worker's active seconds): an
    # attack that is slow without hanging (the fork bomb's 60 forks a call) is cut by its
    # check's budget, never by how busy the machine happens to be
    exercises = tuple(replace(e, call_timeout=3.0, check_timeout=4.0) for e in course.exercises)
    return replace(course, exercises=exercises,
                   limits=replace(course.limits, import_seconds=8.0, memory_mb=1024))


@pytest.fixture(scope="module")
def servers():
    from grader.sandbox.forkserver import ForkServer
    made: dict = {}

    def get(mode):
        server = made.get(mode)
        if server is None or server.proc.poll() is not None:
            made[mode] = server = ForkServer(mode=mode)
        return server
    yield get
    for server in made.values():
        server.close()


# In process mode the worker runs as the grading user and can signal the judge (documented as
# a leak); in this test the judge is the test runner itself, so these run only as `grade`.
KILLS_THE_JUDGE_IN_PROCESS_MODE = {"kill_parent"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_attack_through_fork_server(attack, mode, quick_course, servers, tmp_path, monkeypatch,
                                    course_copy):
    if mode == "process" and attack.stem in KILLS_THE_JUDGE_IN_PROCESS_MODE:
        pytest.skip("kills the judge, here the test runner: see test_attack_through_grade_command")
    monkeypatch.setenv(SECRET, "hunter2")
    arena = Arena(tmp_path, attack, course_copy)
    try:
        servers(mode).request({"op": "status", "pid": 0})   # started and warm: not timed
        started = time.monotonic()
        try:
            result = run(GradeRequest(quick_course, arena.submission, ("corr2d", "pool2d"),
                                      sandbox=mode, only_checks=CHECKS,
                                      launcher=servers(mode).launch))
            scores = {e.name: e.score for e in result.exercises}
            scores["pool2d_max"] = result.exercises[1].max_score
        except (GraderError, RuntimeError, OSError):
            scores = None
        elapsed = time.monotonic() - started
        parts = verdict(arena, scores)
    finally:
        arena.close()
    if expectation(attack, mode) == "blocked":
        assert all(parts.values()), parts
        assert elapsed < 60
    else:
        assert not all(parts.values()), f"documented as leaking in {mode} mode, but blocked"


# The real command, for the attacks that matter most on the single-submission path.
CLI_ATTACKS = ["kill_parent", "daemon_outlives", "read_reference", "network", "fork_bomb_bounded"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", CLI_ATTACKS)
def test_attack_through_grade_command(name, mode, tmp_path, course_copy):
    attack = REDTEAM / f"{name}.py"
    arena = Arena(tmp_path, attack, course_copy)
    toml = tmp_path / "assignment.toml"
    text = (ROOT / "pyproject.toml").read_text().split("[tool.grader]", 1)[1]
    toml.write_text(f"[tool.grader]\n[tool.grader.paths]\nsolutions = \"{ROOT}/solutions\"\n"
                    f"stubs = \"{ROOT}/exercises\"\n" + text.replace("call_timeout = 10",
                                                                      "call_timeout = 3"))
    env = dict(os.environ, **{SECRET: "hunter2"})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "grader", "corr2d", "pool2d", "-s", str(arena.submission),
             "--format", "json", "--sandbox", mode, "--assignment", str(toml),
             "--checks", ",".join(sorted(CHECKS))],
            capture_output=True, text=True, timeout=180, env=env)
        scores = None
        if done.returncode == 0:
            data = json.loads(done.stdout)
            scores = {e["name"]: e["score"] for e in data["exercises"]}
            scores["pool2d_max"] = data["exercises"][1]["max_score"]
        parts = verdict(arena, scores)
    finally:
        arena.close()
    if expectation(attack, mode) == "blocked":
        assert all(parts.values()), (parts, done.stderr[-2000:])
    else:
        assert not all(parts.values()), f"documented as leaking in {mode} mode, but blocked"


# ---------------------------------------------------------------------------------------------
# What a person sees: attacks with a "reports: safe" line put hostile text in what they raise
# and print; every report and export built from the result must show it as inert, capped text.

REPORT_ATTACKS = [p for p in ATTACKS if re.search(r"^reports: safe", p.read_text(), re.M)]
HOSTILE_STUDENT = '=HYPERLINK("http://127.0.0.1:9/","x")\n[9/9] alice: graded\x1b[2J\u202e'


def _without_code_spans(line: str) -> str:
    return re.sub(r"(`+) .*? \1", "", line)


def assert_reports_safe(result) -> None:
    """Every format, rendered from one graded result, is inert and bounded."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    from grader.reports import exports, html, sanitize
    from grader.reports.text import render_markdown, render_text

    data = result.to_dict()
    as_json = result.to_json()
    assert len(as_json.encode()) < 200_000, len(as_json.encode())
    item = {"student": HOSTILE_STUDENT, "entry": HOSTILE_STUDENT, "status": "graded",
            "score": data["score"], "max_score": data["max_score"], "seconds": 1.0,
            "message": None, "result": data}
    broken = dict(item, student=HOSTILE_STUDENT + "2", status="malformed", score=None,
                  max_score=None, result=None, message="\x1b[31m<img src=x>\x00")
    texts = {"text": render_text(result), "text-ascii": render_text(result, unicode=False),
             "markdown": render_markdown(result), "json": as_json,
             "html": html.render_student(data),
             "class html": html.render_class([item, broken], title="t"),
             "csv": exports.to_csv([item, broken]), "class markdown":
                 exports.to_markdown([item, broken], "t"),
             "junit": exports.to_junit(item), "junit broken": exports.to_junit(broken),
             "json export": exports.dumps(item)}
    for name, text in texts.items():
        assert sanitize.is_clean(text), (name, [c for c in text if not sanitize.is_clean(c)][:5])
        assert "\x1b" not in text and "\r" not in text, name
        assert len(text) < 400_000, (name, len(text))
    for name in ("junit", "junit broken"):
        ET.fromstring(texts[name].encode("utf-8"))          # well-formed
    for row in csv.reader(io.StringIO(texts["csv"])):
        assert not row[0].startswith(("=", "+", "-", "@")), row[0]
    for name in ("markdown", "class markdown"):
        for line in texts[name].splitlines():
            bare = _without_code_spans(line)
            assert "<" not in bare and "](" not in bare and "://" not in bare \
                and "www." not in bare, (name, line)
    for name in ("html", "class html"):
        assert "<img" not in texts[name] and "<script" not in texts[name] \
            and "<!--" not in texts[name], name
    # a forged progress or score line: nothing a student wrote starts a line of the text
    for line in texts["text"].splitlines():
        assert not line.startswith(("Total 273", "[9/9]", "## corr2d")), line


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", REPORT_ATTACKS, ids=[p.stem for p in REPORT_ATTACKS])
def test_reports_show_attack_as_inert_text(attack, mode, quick_course, servers, tmp_path,
                                           course_copy):
    arena = Arena(tmp_path, attack, course_copy)
    try:
        result = run(GradeRequest(quick_course, arena.submission, ("corr2d", "pool2d"),
                                  sandbox=mode, only_checks=CHECKS,
                                  launcher=servers(mode).launch))
    finally:
        arena.close()
    corr2d = result.exercises[0]
    assert corr2d.score == 0
    assert any(c.message for c in corr2d.checks)       # the attack's text did reach a report
    assert_reports_safe(result)


# --------------------------------------------------------------------------- reading attacks
# Layouts that attack the judge's reading of a submission (tests/redteam/reading/README.md).
READING = sorted((REDTEAM / "reading").glob("*.py"))


def _reading_verdict(root: Path, entry: str | None, secrets: list[str], mode, servers,
                     quick_course) -> dict:
    from grader.errors import UsageError
    from grader.reports.text import render_text
    try:
        result = run(GradeRequest(quick_course, root, ("corr2d", "pool2d"), sandbox=mode,
                                  only_checks=CHECKS, launcher=servers(mode).launch))
    except UsageError as exc:                   # the whole submission refused, with reasons
        text = str(exc)
        return {"finished": True, "refused entry named": entry is None or entry in text,
                "no secret shown": not any(s in text for s in secrets)}
    text = result.to_json() + render_text(result)
    corr2d, pool2d = result.exercises
    messages = json.dumps(result.to_dict()["exercises"][0]) + json.dumps(result.notes)
    return {
        "finished": True,
        "attacked exercise got 0": corr2d.score == 0,
        "other exercise graded": pool2d.score == pool2d.max_score,
        "refused entry named": entry is None or entry in messages,
        "no secret shown": not any(s in text for s in secrets),
    }


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", READING, ids=[p.stem for p in READING])
def test_reading_attack(attack, mode, quick_course, servers, tmp_path, course_copy):
    module: dict = {}
    exec(compile(attack.read_text(), str(attack), "exec"), module)
    secrets = module["SECRETS"](course_copy) if "SECRETS" in module else []
    secrets += [line for line in (course_copy / "solutions" / "convolution.py").read_text()
                .splitlines() if "sum()" in line][:1]       # a line of the reference corr2d
    assert secrets and expectation(attack, mode) == "blocked"
    builders = [module["build"]] + ([module["build_repository"]]
                                    if "build_repository" in module else [])
    for index, build in enumerate(builders):
        submission = tmp_path / f"submission{index}"
        submission.mkdir()
        root, entry = build(submission, course_copy)
        started = time.monotonic()
        parts = _reading_verdict(root, entry, secrets, mode, servers, quick_course)
        assert all(parts.values()), (build.__name__, parts)
        assert time.monotonic() - started < 60


def test_batch_entry_that_is_a_link_is_malformed(tmp_path):
    """`hw2-eve -> hw2-alice` (a whole folder) and `bob.py -> alice.py`: malformed entries
    that say why, never graded as the classmate."""
    from grader.classroom import batch
    folder = tmp_path / "class"
    (folder / "hw2-alice").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "convolution.py", folder / "hw2-alice" / "convolution.py")
    (folder / "hw2-eve").symlink_to("hw2-alice")
    (folder / "alice.py").write_text("x = 1\n")
    (folder / "bob.py").symlink_to("alice.py")
    os.mkfifo(folder / "carl.zip")
    entries = {e.name: e for e in batch.find_entries(folder, tmp_path / "work")}
    for name in ("hw2-eve", "bob.py", "carl.zip"):
        assert entries[name].path is None and name in entries[name].problem, entries[name]
    assert "symbolic link" in entries["hw2-eve"].problem
    assert "named pipe" in entries["carl.zip"].problem
    assert entries["hw2-alice"].problem is None


# ------------------------------------------------------------------ forged scenario results
# A broken exercise plus tests/redteam/scenarios/forge_scenario_results.py, which replaces the
# worker's scenario machinery so that every scenario reports success.  Verdicts are computed
# in the judge from observations it checks, so the forgery gains nothing: every check that
# fails on the broken exercise alone still fails with the forgery, in both modes.
# (exercise, broken definition under tests/, checks graded (None: all), the check the forgery
# aims at, whose failure message must change: proof that the forged reply reached the judge)
FORGERY_CASES = [
    ("Conv2D", "mutants/Conv2D/corr2d_with_item.py", None, "learns_edge_kernel"),
    ("Seq2SeqEncoder", "redteam/scenarios/broken_encoder.py",
     ("learns_with_a_decoder", "encoder_applies_dropout", "encoder_has_the_book_layers"),
     "learns_with_a_decoder"),
    ("Seq2SeqDecoder", "redteam/scenarios/broken_decoder.py",
     ("learns_with_an_encoder", "decoder_applies_dropout", "decoder_has_the_book_layers"),
     "decoder_applies_dropout"),
    ("DropoutMLP", "mutants/DropoutMLP/ignores_probability_arguments.py", None,
     "honours_drop_probabilities"),
    ("sgd", "mutants/sgd/return_inside_loop.py", None, "updates_every_parameter"),
    ("DotProductAttention", "mutants/DotProductAttention/dropout_on_output.py", None,
     "dropout_is_on_the_weights"),
    ("AdditiveAttention", "mutants/AdditiveAttention/dropout_on_output.py", None,
     "additive_dropout_is_on_the_weights"),
    ("lenet", "mutants/lenet/relu_activations.py", None, "sigmoid_activations"),
    ("nin_block", "mutants/nin_block/no_final_relu.py", None, "nin_block_nonnegative_output"),
    ("Inception", "mutants/Inception/no_relu_on_pool_path.py", ("inception_nonnegative_output",),
     "inception_nonnegative_output"),
]
FORGERY = REDTEAM / "scenarios" / "forge_scenario_results.py"


def _graded(course, folder: Path, files: dict, exercise: str, checks, mode, servers) -> dict:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    result = run(GradeRequest(course, folder, (exercise,), sandbox=mode,
                              only_checks=frozenset(checks) if checks else None,
                              launcher=servers(mode).launch))
    found = next(e for e in result.exercises if e.name == exercise)
    return {c.name: (c.status, c.message) for c in found.checks}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", FORGERY_CASES, ids=[c[0] for c in FORGERY_CASES])
def test_forged_scenario_results_gain_nothing(case, mode, course, servers, tmp_path):
    exercise, broken, checks, target = case
    topic = course.exercise(exercise).topic
    files = {p.name: p.read_text() for p in Path(course.solutions_dir).glob("*.py")}
    files[f"{topic}.py"] += "\n\n# --- broken ---\n" + (ROOT / "tests" / broken).read_text()
    honest = _graded(course, tmp_path / "broken", files, exercise, checks, mode, servers)
    files[f"{topic}.py"] += "\n\n# --- the forgery ---\n" + FORGERY.read_text()
    forged = _graded(course, tmp_path / "forged", files, exercise, checks, mode, servers)
    assert honest[target][0] == "fail", honest[target]
    gained = [name for name, (status, _) in forged.items()
              if status == "pass" and honest[name][0] != "pass"]
    assert not gained, f"the forgery turned these failing checks into passes: {gained}"
    assert forged[target][0] == "fail" and forged[target][1] != honest[target][1], \
        (honest[target], forged[target])


# --------------------------------------------------------------------------- grade batch
BATCH_ATTACKS = sorted((REDTEAM / "batch").glob("*.py"))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", BATCH_ATTACKS, ids=[p.stem for p in BATCH_ATTACKS])
def test_attack_through_grade_batch(attack, mode, tmp_path):
    """A class of two graded by `grade batch --jobs 1`: alice (the reference) first, then
    mallory (the attack).  Blocked: alice keeps full marks in the gradebook and mallory gets
    0.  Process mode must be stated (`--sandbox process`), else the batch is refused."""
    from conftest import write_assignment
    toml = write_assignment(tmp_path / "assignment.toml",
                            {"corr2d": ["book_example", "matches_conv2d"]}, call_timeout=5)
    book = tmp_path / "gradebook.db"
    folder = tmp_path / "class"
    for student in ("alice", "mallory"):
        (folder / student).mkdir(parents=True)
    reference = (ROOT / "solutions" / "convolution.py").read_text()
    (folder / "alice" / "convolution.py").write_text(reference)
    source = attack.read_text().replace("__GRADEBOOK__", str(book))
    (folder / "mallory" / "convolution.py").write_text(source)
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(folder), "--gradebook", str(book),
         "--jobs", "1", "--timeout", "240", "--sandbox", mode, "--assignment", str(toml)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    import sqlite3
    with sqlite3.connect(book) as connection:
        rows = dict(connection.execute(
            "SELECT student, score FROM submissions WHERE current = 1").fetchall())
        full = connection.execute("SELECT max_score FROM submissions WHERE student = 'alice'"
                                  ).fetchone()[0]
    parts = {"alice keeps full marks": rows.get("alice") == full and full,
             "mallory got 0": rows.get("mallory") == 0}
    if expectation(attack, mode) == "blocked":
        assert all(parts.values()), (parts, rows)
    else:
        assert not all(parts.values()), f"documented as leaking in {mode} mode, but blocked"
