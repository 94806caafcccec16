"""Gradescope as Gradescope runs it: the published bundle unzipped into ``source/``,
``run_autograder`` copied to the root and run from there, results in ``results/``.  Also what
a student can see before the due date, and the refusal when the sandbox cannot start."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from grader.reports import gradescope

from conftest import MUTANTS, ROOT


@pytest.fixture(scope="module")
def bundle(published_release):
    return published_release


def gradescope_root(folder: Path, bundle: dict) -> Path:
    """``/autograder`` as Gradescope builds it from the uploaded zip, with setup.sh's venv step
    replaced by this test run's own interpreter (same packages; no torch reinstalled)."""
    root = folder / "autograder"
    with zipfile.ZipFile(bundle["autograder_zip"]) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    # setup.sh's venv step, for real; its `pip install` replaced by this run's packages
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv),
                    *([] if sys.prefix != sys.base_prefix else ["--system-site-packages"])],
                   check=True, timeout=120)
    if sys.prefix != sys.base_prefix:
        ours = Path(sysconfig.get_paths()["purelib"])
        theirs = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                                      "print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
        shutil.rmtree(theirs)
        theirs.symlink_to(ours, target_is_directory=True)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_like_gradescope(root: Path, path_prefix: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.pop("PYTHONPATH", None)
    if path_prefix:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)


def test_run_autograder_from_the_root_like_gradescope(bundle, tmp_path):
    root = gradescope_root(tmp_path, bundle)
    shutil.copy(ROOT / "solutions" / "pooling.py", root / "submission" / "pooling.py")
    done = run_like_gradescope(root)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert "no course found" not in data["output"], data["output"]
    pool = [t for t in data["tests"] if t["name"].split(":")[0] in ("pool2d", "pool2d_multi")]
    assert pool and all(t["status"] == "passed" for t in pool if t["max_score"])
    assert {t["visibility"] for t in pool} == {"visible", "after_due_date"}
    assert gradescope.total(data) == sum(t["max_score"] for t in pool) > 0
    view = gradescope.student_view(data)
    public = sum(t["max_score"] for t in pool if t["visibility"] == "visible")
    assert view["score"] is None and view["visible_total"] == public
    assert f"public checks {public:g} / " in data["output"]


def test_run_autograder_refuses_when_the_sandbox_cannot_start(bundle, tmp_path):
    """As on a runner whose AppArmor blocks user namespaces: bwrap is there but fails."""
    root = gradescope_root(tmp_path, bundle)
    shutil.copy(ROOT / "solutions" / "pooling.py", root / "submission" / "pooling.py")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission "
                                "denied' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    done = run_like_gradescope(root, path_prefix=str(fake))
    assert done.returncode == 3, done.stderr[-3000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and data["tests"] == []
    assert "sandbox" in data["output"] and "apparmor_restrict_unprivileged_userns" in \
        data["output"]


@pytest.fixture(scope="module")
def reference_pool2d(course, forkserver, tmp_path_factory):
    """The reference's pool2d, graded once for the module (every mutant is compared with it)."""
    from grader.judge.run import GradeRequest, run
    folder = tmp_path_factory.mktemp("reference")
    shutil.copy(ROOT / "solutions" / "pooling.py", folder / "pooling.py")
    return run(GradeRequest(course, folder, ("pool2d",), sandbox="process",
                            launcher=forkserver.launch))


@pytest.mark.parametrize("mutant", ["uses_builtin_pooling", "writes_into_input"])
def test_before_the_due_date_nothing_visible_depends_on_hidden_checks(grade, tmp_path, mutant,
                                                                       reference_pool2d):
    """The reference and a mutant that fails only hidden checks (a graded one; an advice one)
    look the same to a student until hidden tests are released: tests, total, output."""
    reference = reference_pool2d
    other = tmp_path / "other"
    other.mkdir()
    (other / "pooling.py").write_text((MUTANTS / "pool2d" / f"{mutant}.py").read_text())
    wrong = grade(exercises=("pool2d",), path=other)
    ours = gradescope.to_gradescope(reference.to_dict())
    theirs = gradescope.to_gradescope(wrong.to_dict())
    assert gradescope.student_view(ours) == gradescope.student_view(theirs)
    hidden = [t for t in ours["tests"] if t["visibility"] != "visible"]
    assert hidden and [t for t in ours["tests"] if t["visibility"] != "visible"] != \
        [t for t in theirs["tests"] if t["visibility"] != "visible"]
    assert "score" not in ours        # a top-level score would show the hidden points at once
    if mutant == "uses_builtin_pooling":
        assert gradescope.total(theirs) < gradescope.total(ours)
    for visibility in ("after_published", "hidden"):
        data = gradescope.to_gradescope(wrong.to_dict(), hidden_visibility=visibility)
        assert {t["visibility"] for t in data["tests"]} == {"visible", visibility}
