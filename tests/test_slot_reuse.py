"""Nothing the judge computes that is the same for every student is computed again per
student (issue 18 §2), and the cache never shows: the same examples, the same scores and the
same JSON bytes whatever a judge process graded before (grader/judge/reuse.py)."""
from __future__ import annotations

import random

import hypothesis.core
import torch
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from grader.judge import replay, reuse
from grader.judge.checking import examples


def _recorded(test) -> list:
    """The examples ``test`` will be run with, once it has run."""
    seen: list = []
    test.hypothesis.inner_test = lambda n, xs: seen.append((n, list(xs)))
    return seen


def _check():
    @examples(30)
    @given(n=st.integers(0, 1000), xs=st.lists(st.integers(-5, 5), max_size=6))
    def test_sum(n, xs):
        pass
    return test_sum


def test_pinned_digest_draws_the_same_examples(monkeypatch):
    plain, pinned = _check(), _check()
    expected, seen = _recorded(plain), _recorded(pinned)
    plain()
    reuse.pin_digest(pinned)
    assert pinned._hypothesis_internal_use_seed is not None

    def refuse(function):
        raise AssertionError("the digest was computed again")
    monkeypatch.setattr(hypothesis.core, "function_digest", refuse)
    pinned()
    assert seen == expected and len(expected) == 30
    reuse.pin_digest(pinned)          # pinned once: a second call computes nothing


def test_an_explicit_seed_is_kept():
    test = hypothesis.seed(1234)(_check())
    reuse.pin_digest(test)
    assert test._hypothesis_internal_use_seed == 1234


def test_a_plain_function_is_left_alone():
    def test_plain():
        pass
    reuse.pin_digest(test_plain)
    assert not hasattr(test_plain, "_grader_digest_pinned")


# --------------------------------------------------------------------------- replay
def _watched(test, body):
    """``test`` with its examples going through grader/judge/replay.py as the plugin's do."""
    def inner_test(*args, **kwargs):
        return replay.example(inner_test, body, args, kwargs)
    test.hypothesis.inner_test = inner_test
    return test


def _property(draws: list, strategy=None):
    @examples(40)
    @given(n=(st.integers(0, 1000) if strategy is None else strategy).map(lambda n: draws.append(n) or n),
           xs=st.lists(st.integers(-5, 5), max_size=4))
    def test_property(n, xs):
        pass
    return test_property


class Student:
    """A check body whose verdict on (n, xs) is ``self.rule``; it logs every call."""

    def __init__(self, rule=lambda n, xs: True):
        self.rule, self.calls = rule, []

    def __call__(self, n, xs):
        self.calls.append((n, list(xs)))
        assume(n % 7 != 3)             # some examples rejected by the check itself
        if not self.rule(n, xs):
            raise AssertionError(f"wrong answer for n={n}, xs={xs}")


def _outcome(run) -> str:
    try:
        run()
    except AssertionError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "pass"


@pytest.fixture
def fresh_replay():
    replay.clear()
    yield
    replay.clear()


def test_a_passing_check_is_replayed_without_generating(fresh_replay):
    plain_draws, draws = [], []
    plain = Student()
    _watched(_property(plain_draws), plain)()            # hypothesis alone, no replay
    student = Student()
    test = _watched(_property(draws), student)
    assert replay.run_check(test, {}, lambda: None)
    assert student.calls == plain.calls and draws == plain_draws
    assert replay.recorded(test) == len(plain.calls)
    again = Student()
    _watched(test, again)
    drawn_before = len(draws)
    assert replay.run_check(test, {}, lambda: None)
    assert again.calls == plain.calls               # same examples, same order
    assert len(draws) == drawn_before               # nothing generated


@pytest.mark.parametrize("wrong", [
    lambda n, xs: n < 600,                   # fails late: shrinking after many examples
    lambda n, xs: len(xs) < 3,               # fails on another draw, shrunk otherwise
    lambda n, xs: False,                     # fails on the first example
])
def test_a_failing_student_gets_what_hypothesis_alone_gives(fresh_replay, wrong):
    plain = Student(wrong)
    expected = _outcome(_watched(_property([]), plain))
    test = _watched(_property([]), Student())
    replay.run_check(test, {}, lambda: None)          # recorded on a passing student
    assert replay.recorded(test)
    student = Student(wrong)
    _watched(test, student)
    got = _outcome(lambda: replay.run_check(test, {}, lambda: None))
    assert got == expected != "pass"
    # every call made once, in the order and with the arguments of hypothesis alone
    assert student.calls == plain.calls


def test_a_failing_first_student_records_nothing(fresh_replay):
    test = _watched(_property([]), Student(lambda n, xs: n < 600))
    _outcome(lambda: replay.run_check(test, {}, lambda: None))
    assert replay.recorded(test) is None


def test_a_poisoned_run_records_nothing(fresh_replay):
    test = _watched(_property([]), Student())
    replay.run_check(test, {}, lambda: "a timeout swallowed by the plugin")
    assert replay.recorded(test) is None


def _changes_its_input(n, xs):
    xs.append(1)


def _draws_inside(n, data):
    data.draw(st.integers())


@pytest.mark.parametrize("make", [
    lambda: _watched(_property([]), _changes_its_input),
    lambda: _watched(_property([], st.integers(0, 9).map(
        lambda n: n + int(torch.randint(0, 5, ())))), Student()),
    lambda: _watched(_property([], st.integers(0, 9).map(
        lambda n: n + random.randint(0, 5))), Student()),
    lambda: _watched(examples(10)(given(n=st.integers(), data=st.data())(
        lambda n, data: None)), _draws_inside),
])
def test_checks_whose_examples_depend_on_more_than_the_check_are_never_replayed(
        fresh_replay, make):
    test = make()
    assert replay.run_check(test, {}, lambda: None)
    assert replay.recorded(test) is None
    assert not replay.run_check(test, {}, lambda: None)     # hypothesis runs it as usual


def test_recordings_are_bounded(fresh_replay, monkeypatch):
    tests = [_watched(_property([]), Student()) for _ in range(5)]
    replay.run_check(tests[0], {}, lambda: None)
    one = replay.size()
    replay.clear()
    monkeypatch.setattr(replay, "LIMIT_BYTES", int(4.5 * one))   # four fit, not five
    for test in tests:
        replay.run_check(test, {}, lambda: None)
    assert [replay.recorded(t) is not None for t in tests] == [False] + [True] * 4
    assert replay.size() <= replay.LIMIT_BYTES


# --------------------------------------------------------------------------- one slot
# cheap exercises with property checks; A has a catalogued mistake that passes some examples
# of a property check before failing one (a replay that diverges part-way), B is the
# reference (every check replayed where A recorded it)
SLOT_EXERCISES = ("masked_softmax", "truncate_pad")


@pytest.fixture(scope="module")
def a_and_b(tmp_path_factory):
    from conftest import MUTANTS, ROOT
    from grader.course import mutants
    root = tmp_path_factory.mktemp("slot")
    mutant = next(m for m in mutants.discover(MUTANTS) if m.id ==
                  "masked_softmax/first_query_length_only")
    a, b = root / "a", root / "b"
    for folder, files in ((a, mutants.submission_files(mutant, ROOT / "solutions",
                                                       "attention")),
                          (b, {p.name: p.read_text() for p in (ROOT / "solutions").glob("*.py")})):
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
    return a, b


def test_a_b_a_in_one_slot_gives_the_bytes_of_fresh_slots(course, forkserver, a_and_b,
                                                          monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    from conftest import ROOT
    from grader.judge.run import GradeRequest, run
    a, b = a_and_b
    grade = str(Path(sys.executable).with_name("grade"))
    # fresh slots: a judge process of its own for each submission (started alongside)
    fresh = [subprocess.Popen([grade, "-s", str(p), "--format", "json", "--lang", "en",
                               "--sandbox", "process", "-j", "1", *SLOT_EXERCISES],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for p in (a, b)]
    replays: list = []
    original = replay._replay
    monkeypatch.setattr(replay, "_replay", lambda *args: replays.append(original(*args)) or
                        replays[-1])
    replay.clear()
    try:
        slot = [run(GradeRequest(course, p, SLOT_EXERCISES, sandbox="process", language="en",
                                 launcher=forkserver.launch)).to_json() for p in (a, b, a)]
    finally:
        replay.clear()
    alone = [process.communicate(timeout=900)[0].decode() for process in fresh]
    assert [process.returncode for process in fresh] == [0, 0]
    assert slot == [alone[0], alone[1], alone[0]]
    assert '"status": "fail"' in alone[0] and '"score": ' in alone[1]
    # B replayed what A recorded, and A's second grading diverged from B's recordings
    assert any(d is None for d in replays) and any(d is not None for d in replays)
