"""Diagnosis: a failing exercise whose answers match exactly one catalogued mistake is told so
(grader/judge/diagnosis.py); anything else gets no diagnosis, never a wrong one."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from grader.course import mutants as mutants_mod
from grader.judge import diagnosis
from grader.judge.run import GradeRequest, run

from conftest import MUTANTS


def _mutant(exercise: str, name: str):
    return next(m for m in mutants_mod.discover(MUTANTS) if m.id == f"{exercise}/{name}")


@pytest.fixture(scope="module")
def graded_mistake(course, forkserver, tmp_path_factory):
    """graded_mistake(exercise, name, exercises) -> GradeResult: a catalogued mistake as the
    whole submission of its topic, graded once per module (a grading depends only on the
    submission and the exercises: tests that assert different things of one grading share
    it)."""
    cache = {}

    def _graded(exercise: str, name: str, exercises: tuple[str, ...]):
        key = (exercise, name, exercises)
        if key not in cache:
            mutant = _mutant(exercise, name)
            folder = tmp_path_factory.mktemp(f"{exercise}-{name}")
            for file, text in mutants_mod.submission_files(
                    mutant, course.solutions_dir, course.exercise(exercise).topic).items():
                (folder / file).write_text(text)
            cache[key] = run(GradeRequest(course, folder, exercises, sandbox="process",
                                          launcher=forkserver.launch))
        return cache[key]
    return _graded


def _diagnoses(result, exercise: str) -> list[tuple[str, str]]:
    ex = next(e for e in result.exercises if e.name == exercise)
    return [(c.name, c.feedback.diagnosis) for c in ex.checks
            if c.feedback is not None and c.feedback.diagnosis]


CORR2D_LOOP = '''
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum(){tail}
    return Y
'''


def test_a_catalogued_mistake_is_named_once_in_its_words(graded_mistake):
    info_result = graded_mistake("corr2d", "flipped_kernel", ("corr2d",))
    found = _diagnoses(info_result, "corr2d")
    assert found == [("book_example", "known mistake: your corr2d flips the kernel: computes a "
                                      "true convolution instead of a cross-correlation.")]
    data = json.loads(info_result.to_json())
    check = data["exercises"][0]["checks"][0]
    assert check["feedback"]["diagnosis"].startswith("known mistake: your corr2d flips")


def test_a_student_written_mistake_is_recognised_without_being_the_file(grade):
    # the same mistake (the kernel flipped) written another way: flip the window instead
    source = CORR2D_LOOP.replace("(X[i:i + h, j:j + w] * K)",
                                 "(X[i:i + h, j:j + w].flip(0).flip(1) * K)").format(tail="")
    result = grade(files={"convolution.py": source}, exercises=("corr2d",))
    assert [d for _, d in _diagnoses(result, "corr2d")] == [
        "known mistake: your corr2d flips the kernel: computes a true convolution instead of a "
        "cross-correlation."]


def test_a_mistake_not_in_the_catalogue_gets_no_diagnosis(grade):
    source = CORR2D_LOOP.format(tail=" + 0.5")
    result = grade(files={"convolution.py": source}, exercises=("corr2d",))
    assert result.exercises[0].score < result.exercises[0].max_score
    assert _diagnoses(result, "corr2d") == []


def test_right_values_are_never_diagnosed_as_a_mistake(graded_mistake):
    # calling F.conv2d gives the reference's values: its own check says so, no diagnosis
    # (corr2d graded with corr2d_multi_in, as in the test of causes below: an exercise's
    # result does not depend on the others selected, tests/test_determinism.py)
    result = graded_mistake("corr2d", "uses_conv2d", ("corr2d", "corr2d_multi_in"))
    corr2d = next(e for e in result.exercises if e.name == "corr2d")
    assert corr2d.score < corr2d.max_score
    assert _diagnoses(result, "corr2d") == []


def test_an_instructor_adds_a_mistake_by_adding_a_file(grade, course, tmp_path):
    catalogue = tmp_path / "mistakes" / "corr2d"
    catalogue.mkdir(parents=True)
    (catalogue / "adds_a_half.py").write_text(
        '"""Adds 0.5 to every output element.\n\n'
        'diagnosis: your corr2d adds 0.5 to every output element: Y[i, j] is the sum alone.\n'
        'kills: book_example\n"""\n' + CORR2D_LOOP.format(tail=" + 0.5"))
    source = CORR2D_LOOP.format(tail=" + 0.5")
    result = grade(files={"convolution.py": source}, exercises=("corr2d",),
                   assignment=replace(course, mistakes_dir=tmp_path / "mistakes"))
    assert [d for _, d in _diagnoses(result, "corr2d")] == [
        "known mistake: your corr2d adds 0.5 to every output element: Y[i, j] is the sum alone."]


def test_two_mistakes_that_always_agree_give_no_diagnosis(grade, course, tmp_path):
    catalogue = tmp_path / "mistakes" / "corr2d"
    catalogue.mkdir(parents=True)
    for name in ("a", "b"):
        (catalogue / f"{name}.py").write_text(f'"""Adds 0.5 ({name}).\n\nkills: x\n"""\n' +
                                              CORR2D_LOOP.format(tail=" + 0.5"))
    result = grade(files={"convolution.py": CORR2D_LOOP.format(tail=" + 0.5")},
                   exercises=("corr2d",),
                   assignment=replace(course, mistakes_dir=tmp_path / "mistakes"))
    assert _diagnoses(result, "corr2d") == []


def test_descriptions_become_sentences_for_the_student(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""Forgets the + 1 in the output size:\n(h - kh, w - kw).\n\nkills: a\n"""\n')
    assert mutants_mod.describe(path, "corr2d") == \
        "your corr2d forgets the + 1 in the output size: (h - kh, w - kw)."
    path.write_text('"""A 5 x 5 kernel.\n\nkills: a\n"""\n')
    assert mutants_mod.describe(path, "alexnet") == "in your alexnet: a 5 x 5 kernel."


def test_same_answer_tolerates_rounding_but_not_a_different_value():
    import torch
    a = ("value", torch.tensor([1.0, float("nan")]))
    assert diagnosis.same(a, ("value", torch.tensor([1.0 + 1e-7, float("nan")])))
    assert not diagnosis.same(a, ("value", torch.tensor([1.1, float("nan")])))
    assert not diagnosis.same(a, ("error", "ValueError"))
    assert diagnosis.same(("error", "ValueError"), ("error", "ValueError"))


# --------------------------------------------------------------------------- §2 causes elsewhere
def _cause(result, exercise: str) -> str | None:
    found = [d for _, d in _diagnoses(result, exercise)]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_a_failure_caused_by_masked_softmax_names_it(grade, course):
    # DotProductAttention and AdditiveAttention are right; the masked_softmax they call is not
    mutant = _mutant("masked_softmax", "off_by_one")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "attention")
    result = grade(files=files, exercises=("masked_softmax", "DotProductAttention"))
    assert _cause(result, "DotProductAttention") == (
        "this failure comes from your masked_softmax, which DotProductAttention calls and which "
        "fails its own checks: fix masked_softmax first, then grade DotProductAttention again")
    assert "comes from" not in (_cause(result, "masked_softmax") or "")


def test_a_python_float_from_l2_penalty_is_named_in_train_weight_decay(grade, course):
    mutant = _mutant("l2_penalty", "python_number")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "weight_decay")
    result = grade(files=files, exercises=("l2_penalty", "train_weight_decay"))
    by_name = {e.name: e for e in result.exercises}
    assert by_name["train_weight_decay"].status != "complete"
    assert _cause(result, "train_weight_decay").startswith(
        "this failure comes from your l2_penalty, which train_weight_decay calls")


def test_callees_are_found_through_helpers_by_parsing():
    source = ("def helper(x):\n    return masked_softmax(x, None)\n\n"
              "class DotProductAttention:\n    def forward(self, q):\n        return helper(q)\n")
    assert diagnosis.called_exercises(source, "DotProductAttention",
                                      {"masked_softmax", "corr2d"}) == ["masked_softmax"]


# --------------------------------------------------------------------------- §3 fits the failure
def test_nan_is_explained_never_compared_with_nan():
    import torch
    from grader.judge.checking import Failure, expect_close
    # an expected nan accepts a nan; a new nan is explained
    expect_close(torch.tensor([float("nan"), 1.0]), torch.tensor([float("nan"), 1.0]))
    try:
        expect_close(torch.tensor([float("nan"), 1.0]), torch.tensor([0.5, 1.0]))
    except Failure as failure:
        assert "nan differs" not in failure.details and "expected nan" not in failure.details
        assert "index (0,) where the answer is 0.5" in failure.details
        assert "0 / 0" in failure.details
    else:
        raise AssertionError("a nan was accepted")


def test_a_wrong_value_does_not_fail_the_forbidden_call_check(graded_mistake):
    # the flipped kernel is a wrong value, not a call to F.conv2d: only value checks fail
    result = graded_mistake("corr2d", "flipped_kernel", ("corr2d",))
    checks = {c.name: c for c in result.exercises[0].checks}
    assert checks["book_example"].status == "fail"
    assert checks["does_not_call_builtin"].status == "pass"


def test_the_scaling_hint_goes_with_the_scaling_failure(grade, course):
    mutant = _mutant("dropout", "no_rescale")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "dropout")
    result = grade(files=files, exercises=("dropout",))
    failed = [c for c in result.exercises[0].checks if c.status == "fail" and not c.advisory]
    assert failed and all("neither dropped" in c.message for c in failed)
    assert all("1 - drop_prob" in c.feedback.hint and "rand" not in c.feedback.hint
               for c in failed)
    assert not any("different results" in (c.message or "") for c in failed)


def test_a_wrong_output_size_gets_the_shape_hint_not_the_mode_hint(grade, course):
    mutant = _mutant("pool2d", "output_too_small")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "pooling")
    result = grade(files=files, exercises=("pool2d",))
    checks = {c.name: c for c in result.exercises[0].checks}
    first = checks["book_example_max"]
    assert first.status == "fail" and "shape" in first.message
    assert "defaults to 'max'" not in first.feedback.hint
    assert "(h - p_h + 1, w - p_w + 1)" in first.feedback.hint


def test_the_check_that_names_the_missing_tanh_leads(grade, course):
    mutant = _mutant("AdditiveAttention", "no_tanh")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "attention")
    # with masked_softmax (which it calls) graded too: the catalogue assumes it is right
    result = grade(files=files, exercises=("masked_softmax", "AdditiveAttention"))
    failing = [c for c in result.exercises[1].checks if c.status != "pass" and not c.advisory]
    assert failing[0].name == "weights_depend_on_query"
    assert "tanh" in failing[0].feedback.hint
    assert "leaves out the tanh" in (failing[0].feedback.diagnosis or "")



def test_one_conv2d_call_in_corr2d_is_named_in_the_exercises_built_on_it(graded_mistake):
    result = graded_mistake("corr2d", "uses_conv2d", ("corr2d", "corr2d_multi_in"))
    by_name = {e.name: e for e in result.exercises}
    assert by_name["corr2d_multi_in"].status != "complete"
    assert _cause(result, "corr2d_multi_in").startswith(
        "this failure comes from your corr2d, which corr2d_multi_in calls")


def test_callees_of_another_exercise_are_that_exercise_s_business():
    source = ("def sequence_mask(X):\n    return X\n\n"
              "def masked_softmax(X):\n    return sequence_mask(X)\n\n"
              "class AdditiveAttention:\n    def forward(self, q):\n"
              "        return masked_softmax(q)\n")
    assert diagnosis.called_exercises(source, "AdditiveAttention",
                                      {"masked_softmax", "sequence_mask"}) == ["masked_softmax"]


def test_a_parameter_named_like_an_exercise_is_not_a_call_of_it():
    source = ("class AdditiveAttention:\n    def __init__(self, dropout):\n"
              "        self.p = dropout\n    def forward(self, q):\n"
              "        return masked_softmax(q)\n")
    assert diagnosis.called_exercises(source, "AdditiveAttention",
                                      {"masked_softmax", "dropout"}) == ["masked_softmax"]


def test_per_parameter_clipping_gets_the_global_norm_hint_on_every_check(grade, course):
    # clipping each gradient by its own norm fails the module, list, generator, global-norm and
    # frozen-layer checks: each failure is the norm, so each hint is the global norm's, never
    # the list / generator / frozen-layer hint written for another mistake
    mutant = _mutant("grad_clipping", "per_parameter_norm")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "stability")
    result = grade(files=files, exercises=("grad_clipping",))
    failed = {c.name: c for c in result.exercises[0].checks if c.status == "fail"}
    assert set(mutant.kills) <= set(failed)
    for name, c in failed.items():
        hint = c.feedback.hint
        assert "one norm over all the gradients together" in hint, (name, hint)
        assert "theta / norm" in hint, (name, hint)
        for other in ("generator", "list(net)", "net.params", "requires grad", "frozen"):
            assert other not in hint and other not in c.message, (name, other, hint)
    # the checks built for it say what was seen, with the numbers of the failing call
    assert failed["uses_the_global_norm"].feedback.hint.startswith(
        "no gradient changed: each parameter's own norm (0.4472, 1, 0.6928, 1) is at most "
        "theta = 1.2, but the norm of all the gradients together, 1.63707, is larger")
    assert failed["skips_frozen_parameters"].feedback.hint.startswith(
        "each gradient was clipped by its own norm (6.481, 3)")


def test_a_used_up_generator_keeps_the_generator_hint(grade, course):
    mutant = _mutant("grad_clipping", "generator_used_twice")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "stability")
    result = grade(files=files, exercises=("grad_clipping",),
                   only_checks=("clips_a_generator_of_parameters",))
    check = result.exercises[0].checks[0]
    assert check.status == "fail"
    assert check.feedback.hint.startswith("a generator such as net.parameters() is empty")


def test_clipping_by_value_is_told_so_in_the_list_check(grade, course):
    mutant = _mutant("grad_clipping", "clamps_values")
    files = mutants_mod.submission_files(mutant, course.solutions_dir, "stability")
    result = grade(files=files, exercises=("grad_clipping",),
                   only_checks=("clips_a_list_of_parameters",))
    hint = result.exercises[0].checks[0].feedback.hint
    assert hint.startswith("each element was clamped to [-theta, theta] (clipping by value")
    assert "list(net)" not in hint
