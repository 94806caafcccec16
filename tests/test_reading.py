"""Reading a submission (grader/submission/reader.py, archive.py, discover.py): what is read,
what is refused and why, bounded work on hostile input.  Mostly parsing only (fast); a few
grade one or two exercises through the session's fork server.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.submission import archive, discover, notebook, reader

from conftest import ROOT, exercise_of

SOLUTIONS = ROOT / "solutions"


def write_notebook(path: Path, cells: list[str]) -> Path:
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": source} for source in cells]}))
    return path


# ----------------------------------------------------------------------------- regular files only
def test_read_bytes_refuses_links_fifos_and_oversized_files(tmp_path):
    (tmp_path / "real.py").write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    os.mkfifo(tmp_path / "pipe.py")
    with open(tmp_path / "big.py", "wb") as handle:
        handle.truncate(reader.LIMITS.py_bytes + 1)
    assert reader.read_bytes(tmp_path / "real.py") == b"x = 1\n"
    with pytest.raises(reader.Refusal, match="link.py is a symbolic link.*Submit the file"):
        reader.read_bytes(tmp_path / "link.py")
    with pytest.raises(reader.Refusal, match=r"pipe.py is a named pipe \(FIFO\)"):
        reader.read_bytes(tmp_path / "pipe.py")          # returns at once: never blocks
    with pytest.raises(reader.Refusal, match="big.py is too large to grade"):
        reader.read_bytes(tmp_path / "big.py")


def test_a_folder_reached_through_a_link_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "convolution.py").write_text("x = 1\n")
    root = tmp_path / "submission"
    root.mkdir()
    (root / "sub").symlink_to(real)
    with pytest.raises(reader.Refusal, match="through a symbolic link"):
        reader.read_bytes(root / "sub" / "convolution.py", root=root)


def test_a_submission_that_is_a_link_or_a_system_folder_is_refused(tmp_path):
    (tmp_path / "exercises").symlink_to(SOLUTIONS)
    with pytest.raises(UsageError, match="exercises is a symbolic link"):
        discover.load(tmp_path / "exercises", ["corr2d"])
    with pytest.raises(UsageError, match="system folder"):
        discover.load(Path(f"/proc/{os.getpid()}/fd"), ["corr2d"])
    with pytest.raises(UsageError, match="submission not found"):
        discover.load(tmp_path / "missing", ["corr2d"])


def test_refused_files_cost_only_their_exercises_and_are_noted(tmp_path):
    shutil.copy(SOLUTIONS / "pooling.py", tmp_path / "pooling.py")
    (tmp_path / "convolution.py").symlink_to(SOLUTIONS / "convolution.py")
    os.mkfifo(tmp_path / "dropout.py")
    submission = discover.load(tmp_path, ["corr2d", "pool2d", "dropout"])
    assert submission.locate("pool2d", "pooling")[0] is not None
    for name, topic, what in (("corr2d", "convolution", "symbolic link"),
                              ("dropout", "dropout", "named pipe")):
        unit, why = submission.locate(name, topic)
        assert unit is None and what in why and f"{topic}.py" in why
    assert len(submission.notes) == 2


def test_walk_caps_depth_and_entries_and_stops_at_its_deadline(tmp_path):
    deep = tmp_path.joinpath(*["d"] * 12)
    deep.mkdir(parents=True)
    (deep / "convolution.py").write_text("x = 1\n")
    listing = reader.walk(tmp_path)
    assert not listing.files and any("nested more than 8" in r.message for r in listing.refused)
    for k in range(30):
        (tmp_path / f"f{k}.py").write_text("")
    listing = reader.walk(tmp_path, limits=reader.Limits(entries=10))
    assert listing.stopped and "more than 10 files" in listing.stopped
    budget = reader.Budget(0)
    listing = reader.walk(tmp_path, budget=budget)
    assert listing.stopped and "longer than 0 s" in listing.stopped


def test_total_size_is_capped(tmp_path):
    for k in range(3):
        (tmp_path / f"m{k}.py").write_text("x = 1\n" * 2000)
    total = reader.TotalBytes(reader.Limits(total_bytes=15000))
    total.take("m0.py", 12000)
    with pytest.raises(reader.Refusal, match="m1.py was not read: the submission is larger"):
        total.take("m1.py", 12000)


# ----------------------------------------------------------------------------- zips
def test_zip_links_traversal_and_bombs_are_refused(tmp_path):
    path = tmp_path / "work.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hw/convolution.py", "x = 1\n")
        link = zipfile.ZipInfo("hw/pooling.py")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "../../solutions/pooling.py")
        zf.writestr("__MACOSX/hw/._convolution.py", "junk")
        zf.writestr("hw/.DS_Store", "junk")
        zf.writestr("hw/big.py", "#" * (reader.LIMITS.py_bytes + 10))
    notes = archive.extract_zip(path, tmp_path / "out")
    files = sorted(p.relative_to(tmp_path / "out").as_posix()
                   for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["hw/convolution.py"]
    assert any("hw/pooling.py is a symbolic link" in n for n in notes)
    assert any("hw/big.py is too large" in n for n in notes)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../outside.py", "x = 1\n")
    with pytest.raises(reader.Refusal, match="outside the archive"):
        archive.extract_zip(evil, tmp_path / "evil")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(4):
            zf.writestr(f"m{k}.py", "#" * 60_000)
    with pytest.raises(reader.Refusal, match="unpacks to more than"):
        archive.extract_zip(bomb, tmp_path / "bomb", reader.Limits(total_bytes=200_000))


# ----------------------------------------------------------------------------- bounded work
def test_notebook_with_4000_magic_lines_is_read_in_one_pass(tmp_path, monkeypatch):
    """48 KB of magics used to cost 60 s (every line re-tokenized all the lines above it);
    now each line is scanned once.  Figures: benchmarks/bench_reading.py."""
    body = "".join("%time x = 1\n" if k % 2 else "!echo hi\n" for k in range(4000))
    write_notebook(tmp_path / "nb.ipynb", ["import torch\n" + body,
                                           "def corr2d(X, K):\n    return X\n"])
    fed = []
    original = notebook._LineScanner.feed
    monkeypatch.setattr(notebook._LineScanner, "feed",
                        lambda self, line: (fed.append(line), original(self, line))[1])
    text = notebook.python_source("import torch\n" + body)
    assert text.splitlines() == ["import torch"] + ["pass"] * 4000
    assert fed == ["import torch"]          # magic lines are not scanned, Python lines once
    unit = discover.load(tmp_path, ["corr2d"]).units["nb"]
    assert "corr2d" in unit.defines and not unit.problem and not unit.broken


def test_scanner_knows_where_statements_start():
    source = ('s = """\n%not magic\n"""\nt = (1,\n%2)\nu = 1 \\\n!x\n# "open\n%time 1\n'
              "v = 'it''s'  # (\n!ls\n")
    assert notebook.python_source(source).splitlines() == [
        's = """', "%not magic", '"""', "t = (1,", "%2)", "u = 1 \\", "!x", '# "open', "pass",
        "v = 'it''s'  # (", "pass"]


def test_a_long_chain_of_dependent_statements_is_kept_whole(tmp_path):
    n = 4000
    chain = "x0 = 1\n" + "".join(f"x{k} = x{k - 1} + 1\n" for k in range(1, n))
    write_notebook(tmp_path / "nb.ipynb", [chain, "unused = 5\nprint(unused)\n",
                                           f"def corr2d(X, K):\n    return X + x{n - 1}\n"])
    unit = discover.load(tmp_path, ["corr2d"]).units["nb"]
    assert not unit.problem and not unit.broken
    assert f"x{n - 1} = x{n - 2} + 1" in unit.source and "x0 = 1" in unit.source
    assert "unused" not in unit.source


@pytest.mark.parametrize("nested", [
    "x = " + "-" * 100_000 + "1\n",
    "x = " + "+".join(["1"] * 200_000) + "\n",
    "x = a" + ".b" * 100_000 + "\n",
], ids=["unary", "binary", "attributes"])
def test_deeply_nested_python_is_that_files_problem(tmp_path, nested):
    (tmp_path / "convolution.py").write_text(nested + "\ndef corr2d(X, K):\n    return X\n")
    write_notebook(tmp_path / "nb.ipynb", ["y = 1\n" + nested,
                                           "def pool2d(X, pool_size, mode='max'):\n"
                                           "    return X + y\n"])
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "dropout.py")
    submission = discover.load(tmp_path, ["corr2d", "pool2d", "dropout"])
    unit, why = submission.locate("corr2d", "convolution")
    assert unit is None and "could not read convolution.py" in why and "nested too deeply" \
        in why
    unit, why = submission.locate("pool2d", "pooling")
    assert unit is None and "nb.ipynb, cell 1" in why and "nested too deeply" in why
    assert submission.locate("dropout", "dropout")[0] is not None


def test_deeply_nested_file_through_grade_exits_0_and_grades_the_rest(tmp_path):
    (tmp_path / "convolution.py").write_text("x = " + "-" * 100_000 + "1\n")
    shutil.copy(SOLUTIONS / "pooling.py", tmp_path / "pooling.py")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "corr2d", "pool2d", "-s", str(tmp_path), "--format",
         "json", "--sandbox", "process", "--checks", "book_example,book_example_max", "-j", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    corr2d, pool2d = data["exercises"]
    assert corr2d["score"] == 0 and "could not read convolution.py" in corr2d["message"]
    assert pool2d["score"] == pool2d["max_score"] > 0
