"""Nothing the judge computes that is the same for every student is computed again per
student (issue 18 §2), and the cache never shows: the same examples, the same scores and the
same JSON bytes whatever a judge process graded before (grader/judge/reuse.py)."""
from __future__ import annotations

import hypothesis.core
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.judge import reuse
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
