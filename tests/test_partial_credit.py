"""One missing detail costs only its check (issue 12, section 4).

A module that computes the right outputs but does not keep ``self.attention_weights`` loses
only the check about the attribute; networks built with lazy layers (``nn.LazyLinear``, the
book's latest edition) are materialised before their weights are filled; an LSTM where the
exercise pins a GRU is told so plainly.
"""
from __future__ import annotations

import pytest

from grader.course import mutants as mutants_mod

from conftest import MUTANTS, exercise_of


def _grade_mutant(grade, course, exercise, name):
    mutant = next(m for m in mutants_mod.discover(MUTANTS)
                  if m.exercise == exercise and m.name == name)
    files = mutants_mod.submission_files(mutant, course.solutions_dir,
                                         course.exercise(exercise).topic)
    return mutant, exercise_of(grade(files=files, exercises=(exercise,)), exercise)


@pytest.mark.parametrize("exercise", ["DotProductAttention", "AdditiveAttention"])
def test_missing_attention_weights_costs_only_its_check(grade, course, exercise):
    mutant, result = _grade_mutant(grade, course, exercise, "no_attention_weights")
    lost = {c.name: c.message for c in result.checks if c.status != "pass"}
    assert set(lost) == set(mutant.kills), lost
    assert "self.attention_weights" in next(iter(lost.values()))
    assert result.score >= result.max_score - 1


@pytest.mark.parametrize("exercise", ["Seq2SeqEncoder", "Seq2SeqDecoder"])
def test_lstm_where_a_gru_is_pinned_says_so(grade, course, exercise):
    """An LSTM encoder (its state (h, c) reaches a GRU decoder), and an LSTM decoder fed a GRU
    encoder's state: every lost check fails (none errors with torch's internal message) and
    names the contract."""
    mutant, result = _grade_mutant(grade, course, exercise, "course_lstm")
    failed = [c for c in result.checks if c.status == "fail"]
    assert {c.name for c in result.checks if c.status != "pass"} == {c.name for c in failed}
    assert {c.name for c in failed} == set(mutant.kills)
    for check in failed:
        text = " ".join(filter(None, [check.message, check.feedback and check.feedback.hint]))
        assert "LSTM" in text and "GRU" in text, (check.name, text)
