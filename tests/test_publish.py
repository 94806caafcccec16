"""`grade publish`: the student release and the autograder; `grade validate`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.course import publish as publish_mod
from grader.cli import cli

from conftest import ROOT, write_assignment


@pytest.fixture(scope="module")
def published(published_release):
    return published_release


def run_grade(cwd: Path, *args, env_extra=None) -> subprocess.CompletedProcess:
    """`grade` as a student runs it in the unpacked release (its own copy of the grader)."""
    env = dict(os.environ, PYTHONPATH=str(cwd), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_zips_are_reproducible(published, course, tmp_path):
    again = publish_mod.publish(course, tmp_path / "again")
    for key in ("student_zip", "autograder_zip"):
        assert published[key].read_bytes() == again[key].read_bytes(), key


def test_student_release_has_no_trace_of_solutions_or_hidden_checks(published, course):
    student = published["student"]
    assert not (student / "solutions").exists()
    assert publish_mod.leaks(student, course) == []
    hidden = {c.name for e in course.exercises for c in e.checks if c.visibility == "hidden"}
    public = {c.name for e in course.exercises for c in e.checks if c.visibility == "public"}
    checks_text = "".join(p.read_text() for p in (student / "grader" / "checks").glob("*.py"))
    for name in hidden - public:
        assert f"def test_{name}(" not in checks_text, name
    with zipfile.ZipFile(published["student_zip"]) as archive:
        names = archive.namelist()
    assert not any(n.startswith("solutions/") for n in names)
    assert {"README.md", "pyproject.toml"} <= set(names)
    assert any(n.startswith("notebooks/") and n.endswith(".ipynb") for n in names)
    # the leak detector itself catches a leak
    (student / "oops.txt").write_text("kept_fraction_matches_probability\n")
    try:
        assert publish_mod.leaks(student, course)
    finally:
        (student / "oops.txt").unlink()


def test_student_release_grades_stubs_zero_and_references_full(published, tmp_path):
    release = tmp_path / "release"
    with zipfile.ZipFile(published["student_zip"]) as archive:
        archive.extractall(release)
    readme = (release / "README.md").read_text()
    assert "pip install" in readme and "grade" in readme and "hidden" in readme.lower()
    stubs = run_grade(release, "dropout", "corr2d", "--format", "json")
    data = json.loads(stubs.stdout)
    assert data["score"] == 0 and data["hidden"]["checks"] > 0
    assert all(e["status"] == "not-implemented" for e in data["exercises"])
    assert all(c["visibility"] == "public" for e in data["exercises"] for c in e["checks"])
    for topic in ("dropout", "convolution"):
        shutil.copy(ROOT / "solutions" / f"{topic}.py", release / "exercises" / f"{topic}.py")
    full = run_grade(release, "dropout", "corr2d")
    assert full.returncode == 0, full.stderr
    assert "hidden checks" in full.stdout and "graded" in full.stdout
    total = [line for line in full.stdout.splitlines() if line.startswith("Total")][0]
    score, top = (float(x) for x in total.split()[-3::2])
    assert score == top > 0


def test_autograder_has_workflow_and_gradescope_files(published):
    autograder = published["autograder"]
    for name in ("setup.sh", "run_autograder", "README.md", ".github/workflows/grade.yml",
                 "solutions/convolution.py", "grader/checks/convolution.py",
                 "grader/reports/templates/class.html"):     # batch --reports needs them
        assert (autograder / name).is_file(), name
    assert os.access(autograder / "run_autograder", os.X_OK)
    import tomllib
    shipped = tomllib.loads((autograder / "pyproject.toml").read_text())["project"]
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert shipped["dependencies"] == ours["dependencies"]     # `pip install .` gets them all
    # the catalogue of known mistakes goes with the autograder (diagnosis), never the student
    assert (autograder / "tests" / "mutants" / "corr2d" / "flipped_kernel.py").is_file()
    assert not list(published["student"].rglob("flipped_kernel.py"))
    workflow = (autograder / ".github/workflows/grade.yml").read_text()
    assert "GITHUB_STEP_SUMMARY" in workflow and "--format markdown" in workflow
    templates = ROOT / "grader" / "templates"
    assert workflow == (templates / "github_workflow_grade.yml").read_text()
    assert (published["student"] / ".github/workflows/classroom.yml").read_text() == \
        (templates / "student_workflow_classroom.yml").read_text()


def _assignment_with_a_check_weakened_to_assert_true(tmp_path):
    """A copy of the checks where corr2d's matches_conv2d is ``assert True``; its TOML."""
    checks = tmp_path / "checks"
    shutil.copytree(ROOT / "grader" / "checks", checks,
                    ignore=shutil.ignore_patterns("__pycache__"))
    source = (checks / "convolution.py").read_text()
    start = source.index("def test_matches_conv2d(")
    body_start = source.index('"""', source.index('"""', start) + 3) + 3
    end = source.index("\n\n\n", body_start)
    (checks / "convolution.py").write_text(source[:body_start] + "\n    assert True"
                                           + source[end:])
    toml = write_assignment(tmp_path / "weak.toml", {"corr2d": [
        "book_example", "output_shape", "matches_conv2d", "does_not_call_builtin"]})
    toml.write_text(toml.read_text().replace("[tool.grader.paths]",
                                             f'[tool.grader.paths]\nchecks = "{checks}"'))
    return toml


def test_validate_catches_a_check_weakened_to_assert_true(tmp_path, monkeypatch):
    toml = _assignment_with_a_check_weakened_to_assert_true(tmp_path)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["validate", "--assignment", str(toml),
                                      "--sandbox", "process",
                                      "--mutants", str(ROOT / "tests" / "mutants")])
    assert result.exit_code == 1, result.output
    assert "corr2d.matches_conv2d passes on mutant corr2d/flipped_kernel" in result.output
    assert "corr2d has no hidden check" not in result.output


def test_validate_catches_a_check_made_too_strict(tmp_path, monkeypatch):
    """A check that fails correct code (atol=0 against the reference) is caught by the
    alternatives, as a check that cannot fail is caught by the mutants (issue 12, section 6)."""
    checks = tmp_path / "checks"
    shutil.copytree(ROOT / "grader" / "checks", checks,
                    ignore=shutil.ignore_patterns("__pycache__"))
    source = (checks / "pooling.py").read_text()
    loose = ("def test_avg_matches_avg_pool2d(student, data):", "expected, rtol=1e-5, atol=1e-5)")
    assert all(part in source for part in loose)
    source = source.replace(loose[0], "def test_avg_matches_avg_pool2d(student, reference, data):")
    source = source.replace(loose[1], "reference.pool2d(X, size, 'avg'), rtol=0, atol=0)")
    (checks / "pooling.py").write_text(source)
    toml = write_assignment(tmp_path / "strict.toml", {"pool2d": [
        "book_example_max", "book_example_avg", "output_shape", "avg_matches_avg_pool2d"]})
    toml.write_text(toml.read_text().replace("[tool.grader.paths]",
                                             f'[tool.grader.paths]\nchecks = "{checks}"'))
    alternatives = tmp_path / "alternatives" / "pool2d"
    alternatives.mkdir(parents=True)
    (alternatives / "times_reciprocal.py").write_text(
        "import torch\n\n\n"
        "def pool2d(X, pool_size, mode='max'):\n"
        "    p_h, p_w = pool_size\n"
        "    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))\n"
        "    for i in range(Y.shape[0]):\n"
        "        for j in range(Y.shape[1]):\n"
        "            window = X[i: i + p_h, j: j + p_w]\n"
        "            Y[i, j] = window.max() if mode == 'max' else window.sum() * (1 / window.numel())\n"
        "    return Y\n")
    no_mutants = tmp_path / "no_mutants"
    no_mutants.mkdir()
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["validate", "--assignment", str(toml),
                                      "--sandbox", "process",
                                      "--mutants", str(no_mutants),
                                      "--alternatives", str(tmp_path / "alternatives")])
    assert result.exit_code == 1, result.output
    assert ("pool2d.avg_matches_avg_pool2d fails the correct alternative "
            "pool2d/times_reciprocal") in result.output
    assert "pool2d.book_example_avg fails" not in result.output


def test_validate_passes_on_a_sound_assignment(tmp_path, monkeypatch):
    toml = write_assignment(tmp_path / "sound.toml", {"pool2d": [
        "book_example_max", "book_example_avg", "output_shape", "max_matches_max_pool2d"]})
    monkeypatch.chdir(ROOT)
    mutants = tmp_path / "mutants"
    shutil.copytree(ROOT / "tests" / "mutants" / "pool2d", mutants / "pool2d")
    alternatives = tmp_path / "alternatives"
    shutil.copytree(ROOT / "tests" / "alternatives" / "pool2d", alternatives / "pool2d")
    result = CliRunner().invoke(cli, ["validate", "--assignment", str(toml), "--sandbox",
                                      "process", "--mutants", str(mutants),
                                      "--alternatives", str(alternatives)])
    assert result.exit_code == 0, result.output
    assert "validate: OK" in result.output
    assert "2 alternatives" in result.output


def test_the_course_table_is_consistent(course):
    """validate's static part on the real course (the graded part is what the other tests
    do: references, stubs, mutants)."""
    from grader.course.validate import Report, _check_public_checks_need_no_reference, _check_table
    report = Report()
    _check_table(course, report)
    _check_public_checks_need_no_reference(course, report)
    assert report.problems == []


def cnn_only(tmp_path: Path, course) -> Path:
    """A CNN-only assignment: convolution, pooling and one modern CNN (whose checks import
    the lenet checks)."""
    return write_assignment(tmp_path / "cnn.toml", {
        name: [c.name for c in course.exercise(name).checks]
        for name in ("corr2d", "pool2d", "vgg_block")}, title="CNNs")


def test_release_ships_only_the_assignments_exercises(tmp_path, course):
    from grader import assignment as assignment_mod
    spec = assignment_mod.load(cnn_only(tmp_path, course))
    paths = publish_mod.publish(spec, tmp_path / "release")
    topics = {"convolution", "pooling", "modern_cnns"}
    for release in ("student", "autograder"):
        with zipfile.ZipFile(paths[f"{release}_zip"]) as archive:
            names = archive.namelist()
        for folder in ("exercises/", "solutions/", "notebooks/"):
            shipped = {Path(n).stem for n in names if n.startswith(folder)} - {"__init__"}
            assert shipped <= topics, (release, folder, shipped)
        assert not any("seq2seq" in n or "attention" in n for n in names), release
        mutants = {n.split("/")[2] for n in names if n.startswith("tests/mutants/")}
        assert mutants <= {"corr2d", "pool2d", "vgg_block", "locale"}, mutants  # + translations
    student_checks = {Path(n).stem for n in zipfile.ZipFile(paths["student_zip"]).namelist()
                      if n.startswith("grader/checks/") and n.endswith(".py")}   # + locale/
    assert student_checks == topics | {"lenet", "__init__"}   # lenet: imported by modern_cnns
    done = subprocess.run([sys.executable, "-c", "import grader.checks.modern_cnns"],
                          cwd=paths["student"], env=dict(os.environ, PYTHONPATH=str(
                              paths["student"])), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_publish_runs_validate_first_and_refuses_on_problems(tmp_path, monkeypatch):
    toml = _assignment_with_a_check_weakened_to_assert_true(tmp_path)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "release"
    # one mutant, the one the weakened check lets through, is enough for a refusal (the whole
    # catalogue is test_validate_catches_a_check_weakened_to_assert_true's: graded once)
    mutants = tmp_path / "mutants" / "corr2d"
    mutants.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "mutants" / "corr2d" / "flipped_kernel.py", mutants)
    refused = CliRunner().invoke(cli, ["publish", str(out), "--assignment", str(toml),
                                       "--sandbox", "process", "--mutants", str(mutants.parent)])
    assert refused.exit_code == 1, refused.output
    assert "publish: refused" in refused.output and "--skip-validate" in refused.output
    assert "corr2d.matches_conv2d passes on mutant corr2d/flipped_kernel" in refused.output
    assert not out.exists()
    forced = CliRunner().invoke(cli, ["publish", str(out), "--assignment", str(toml),
                                      "--skip-validate"])
    assert forced.exit_code == 0, forced.output
    assert (out / "autograder.zip").is_file()


def test_the_hidden_checks_a_release_announces_do_not_depend_on_jobs(published_release):
    release = published_release["student"]
    from grader import assignment as assignment_mod
    spec = assignment_mod.load(release / "pyproject.toml")
    names = spec.names[:8]                       # enough for two judges (4 exercises each)
    one = run_grade(release, *names, "--format", "json", "--jobs", "1")
    two = run_grade(release, *names, "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    hidden = json.loads(one.stdout)["hidden"]
    assert hidden == {"checks": sum(e.hidden_elsewhere[0] for e in spec.select(names).exercises),
                      "points": sum(e.hidden_elsewhere[1] for e in spec.select(names).exercises)}
    assert one.stdout == two.stdout               # the same bytes, hidden count included
