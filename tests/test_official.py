"""Official grading paths: the sandbox or a loud refusal; the GitHub workflows as GitHub would
read them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, write_assignment


@pytest.fixture
def apparmor_blocked_bwrap(tmp_path) -> dict:
    """The environment of a runner where bwrap is installed but AppArmor forbids the
    unprivileged user namespace it needs (GitHub's Ubuntu 24.04 images by default)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission "
                                "denied' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    return dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")


@pytest.mark.parametrize("command", [
    ["corr2d", "--sandbox", "bwrap", "--format", "json"],
    ["batch", "{class}", "--sandbox", "bwrap", "--gradebook", "{book}"],
])
def test_official_runs_refuse_without_the_sandbox(tmp_path, apparmor_blocked_bwrap, command):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "convolution.py").write_text(
        (ROOT / "solutions" / "convolution.py").read_text())
    args = [a.format(**{"class": tmp_path / "class", "book": tmp_path / "book.db"})
            for a in command]
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT,
                          env=apparmor_blocked_bwrap, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert "sandbox" in done.stderr and \
        "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in done.stderr
    assert done.stdout == ""                       # no score, no report
    assert not (tmp_path / "book.db").exists()     # nothing graded, nothing recorded


# --------------------------------------------------------------------------- the workflows
TEMPLATES = ROOT / "grader" / "templates"
WORKFLOWS = {"student": TEMPLATES / "student_workflow_classroom.yml",
             "classroom": TEMPLATES / "github_workflow_grade.yml"}


def load_workflow(path: Path) -> dict:
    from ruamel.yaml import YAML          # check-jsonschema's YAML reader (test dependency)
    return YAML(typ="safe", pure=True).load(path.read_text())


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_workflows_match_the_github_workflow_schema(tmp_path):
    done = check_jsonschema(*WORKFLOWS.values())
    assert done.returncode == 0, done.stdout + done.stderr
    # the validator does validate: a misspelt permission level is caught
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS["student"].read_text().replace("contents: read",
                                                               "contents: reed"))
    assert check_jsonschema(broken).returncode != 0


def steps_of(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job["steps"]


@pytest.mark.parametrize("which", sorted(WORKFLOWS))
def test_workflows_hold_no_token_and_least_privilege(which):
    workflow = load_workflow(WORKFLOWS[which])
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert "env" not in workflow and all("env" not in j for j in workflow["jobs"].values())
    checkouts = [s for s in steps_of(workflow) if s.get("uses", "").startswith(
        "actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    for step in steps_of(workflow):
        # inputs and secrets reach scripts only through a step's env (no script injection)
        assert "${{" not in step.get("run", ""), step
        assert "secrets." not in str(step.get("with", "")), step


@pytest.mark.parametrize("which", sorted(WORKFLOWS))
def test_workflows_grade_only_in_the_sandbox(which):
    steps = list(steps_of(load_workflow(WORKFLOWS[which])))
    scripts = [s.get("run", "") for s in steps]
    sysctl = next(i for i, r in enumerate(scripts)
                  if "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in r)
    grading = [i for i, r in enumerate(scripts) for line in r.splitlines()
               if line.strip().startswith("grade ") and " gradebook " not in line]
    assert grading and min(grading) > sysctl
    for i in grading:
        assert all("--sandbox bwrap" in line for line in scripts[i].splitlines()
                   if line.strip().startswith("grade ") and " gradebook " not in line)


def test_student_workflow_reports_to_classroom_as_classroom_expects():
    workflow = load_workflow(WORKFLOWS["student"])
    assert workflow["name"] == "Autograding Tests"
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    assert "push" in workflow["on"]
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "grade")
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"] == "grade"
    assert reporter["env"] == {"GRADE_RESULTS": "${{ steps.grade.outputs.result }}"}
    assert "GITHUB_STEP_SUMMARY" in grade["run"] and "GITHUB_OUTPUT" in grade["run"]
    # graded once: the summary and the points come from the same grading
    assert sum(line.strip().startswith("grade ") for line in grade["run"].splitlines()) == 1


def bwrap_works() -> bool:
    from grader.sandbox import bwrap
    return bwrap.probe()


def run_step(workflow: Path, step_id_or_name: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """A workflow step's script, run the way the runner runs it (bash -e), in ``cwd``."""
    step = next(s for s in steps_of(load_workflow(workflow))
                if step_id_or_name in (s.get("id"), s.get("name")))
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.skipif(not bwrap_works(), reason="needs bubblewrap (the workflows' sandbox)")
def test_student_workflow_grades_once_and_reports_the_public_points(published_release,
                                                                     tmp_path):
    """The student template's grading step on a pushed repository (the release, with one
    exercise done), then what Classroom's reporter computes from its output."""
    import base64
    import json
    import zipfile
    repo = tmp_path / "repo"
    with zipfile.ZipFile(published_release["student_zip"]) as archive:
        archive.extractall(repo)
    (repo / "exercises" / "dropout.py").write_text(
        (ROOT / "solutions" / "dropout.py").read_text())
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = dict(os.environ, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
               PYTHONPATH=str(repo),             # `pip install .` of the repository
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = run_step(WORKFLOWS["student"], "grade", repo, env)
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [l for l in output.read_text().splitlines() if l.startswith("result=")]
    runner = json.loads(base64.b64decode(line.removeprefix("result=")))
    # classroom-resources/autograding-grading-reporter: points = sum of the tests' scores
    total, top = sum(t["score"] for t in runner["tests"]), runner["max_score"]
    spec = __import__("grader.assignment", fromlist=["load"]).load(repo / "pyproject.toml")
    assert top == spec.max_points                       # public checks only
    done_here = {e.name for e in spec.exercises if e.topic == "dropout"}
    tests = {t["name"]: t for t in runner["tests"]}
    assert {tests[n]["status"] for n in done_here} == {"pass"}
    assert total == sum(tests[n]["score"] for n in done_here) > 0
    assert runner["status"] == "fail"                    # the other exercises are stubs
    report = summary.read_text()
    assert report.startswith("## ") and "| dropout |" in report


@pytest.mark.skipif(not bwrap_works(), reason="needs bubblewrap (the workflows' sandbox)")
def test_classroom_workflow_grades_the_cloned_classroom_into_gradebook_and_exports(tmp_path):
    """The instructors' workflow, after `gh classroom clone student-repos`: its grading step
    on SLUG-submissions/PREFIX<username>/ clones of the student template.  The release is
    `grade publish` of a two-exercise assignment (corr2d and pool2d, public and hidden
    checks): the step grades every exercise of every clone in the sandbox, and the whole
    lesson would only repeat that 36 times per student (the full release's student side is
    graded by the student workflow's test above)."""
    import csv
    import shutil
    import zipfile
    from grader import assignment as assignment_mod
    from grader.course.publish import publish
    course = assignment_mod.load(ROOT / "pyproject.toml")
    table = write_assignment(tmp_path / "hw2.toml", {
        name: [c.name for c in course.exercise(name).checks] for name in ("corr2d", "pool2d")})
    release = publish(assignment_mod.load(table), tmp_path / "release")
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(release["autograder_zip"]) as archive:
        archive.extractall(autograder)
    clones = autograder / "submissions" / "hw2-submissions"
    for user in ("alice", "bob"):
        with zipfile.ZipFile(release["student_zip"]) as archive:
            archive.extractall(clones / f"hw2-{user}")
        (clones / f"hw2-{user}" / ".git").mkdir()
    shutil.copy(ROOT / "solutions" / "convolution.py",
                clones / "hw2-alice" / "exercises" / "convolution.py")
    summary = tmp_path / "step_summary"
    env = dict(os.environ, PREFIX="hw2-", ROSTER="", GITHUB_STEP_SUMMARY=str(summary),
               PYTHONPATH=str(autograder),        # `pip install .` of the autograder
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = run_step(WORKFLOWS["classroom"],
                    "Grade every submission with every check (exits 3 if the sandbox cannot "
                    "start)", autograder, env)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(autograder / "grades.csv", newline="", encoding="utf-8-sig") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert set(rows) == {"alice", "bob"}
    assert float(rows["alice"]["corr2d"]) > 0 and float(rows["bob"]["total"]) == 0
    assert {p.stem for p in (autograder / "results").glob("*.json")} == {"alice", "bob"}
    assert (autograder / "reports" / "index.html").is_file()
    assert any((autograder / "junit").iterdir())
    assert "alice" in summary.read_text() and "bob" in summary.read_text()
