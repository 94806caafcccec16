"""Strategies built once per judge process (issue 18 §2): the same examples as strategies
built anew in every draw, so a cached slot grades every student exactly as a fresh judge."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from grader.judge import strategies


def _examples(strategy) -> list:
    seen = []

    @settings(max_examples=60, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(value=strategy)
    def collect(value):
        X, K = value
        seen.append((X.tolist(), K.tolist() if hasattr(K, "tolist") else K))
    collect()
    return seen


def test_cached_strategies_draw_the_same_examples():
    assert strategies.tensors((2, 3)) is strategies.tensors((2, 3))
    assert strategies.input_and_kernel(max_side=6) is strategies.input_and_kernel(max_side=6)
    fresh = strategies.input_and_kernel.__wrapped__(max_side=6)
    assert fresh is not strategies.input_and_kernel(max_side=6)
    assert _examples(strategies.input_and_kernel(max_side=6)) == _examples(fresh)
    window = strategies.input_and_window(max_side=5, integer_valued=False)
    assert _examples(window) == _examples(strategies.input_and_window.__wrapped__(
        max_side=5, integer_valued=False))


def test_unhashable_arguments_still_build_a_strategy():
    shape = strategies.shapes(2, 1, 3)
    assert strategies.tensors(shape) is strategies.tensors(shape)     # strategies hash
    assert strategies.tensors([2, 3]) is not strategies.tensors([2, 3])
