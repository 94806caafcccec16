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


# ----------------------------------------------------------------------------- finding the work
NAMES = None


@pytest.fixture(scope="module")
def names(course):
    return course.names


def filled_notebooks(folder: Path, topics=("convolution", "pooling", "dropout")) -> Path:
    folder.mkdir(parents=True)
    for topic in topics:
        source = (SOLUTIONS / f"{topic}.py").read_text()
        write_notebook(folder / f"{topic}.ipynb", ["%matplotlib inline\n", source,
                                                   "corr2d(torch.ones(3, 3), torch.ones(2, 2))"
                                                   if topic == "convolution" else "print(1)"])
    return folder


def repository(root: Path) -> Path:
    """A student's whole repository: stub exercises/, filled notebooks/, the grader, a README."""
    shutil.copytree(ROOT / "exercises", root / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__"))
    filled_notebooks(root / "notebooks")
    shutil.copytree(ROOT / "grader" / "checks", root / "grader" / "checks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "README.md").write_text("# my homework\n")
    (root / "setup.py").write_text("import setuptools\n")
    return root


def test_flat_files_are_graded_where_they_are(tmp_path, names):
    for topic in ("convolution", "pooling"):
        shutil.copy(SOLUTIONS / f"{topic}.py", tmp_path / f"{topic}.py")
    submission = discover.load(tmp_path, ["corr2d"], all_names=names)
    assert sorted(u.origin for u in submission.units.values()) == ["convolution.py",
                                                                   "pooling.py"]
    assert submission.notes == []


def test_one_subfolder_is_found_and_named(tmp_path, names):
    (tmp_path / "homework").mkdir()
    shutil.copy(SOLUTIONS / "convolution.py", tmp_path / "homework" / "convolution.py")
    submission = discover.load(tmp_path, ["corr2d"], all_names=names)
    assert submission.locate("corr2d", "convolution")[0] is not None
    assert any("homework/" in n for n in submission.notes)


def test_whole_repository_grades_the_filled_notebooks_and_says_so(tmp_path, names, grade,
                                                                   course):
    repo = repository(tmp_path / "repo")
    submission = discover.load(repo, names, all_names=names)
    assert sorted(u.origin for u in submission.units.values()) == [
        "convolution.ipynb", "dropout.ipynb", "pooling.ipynb"]
    notes = " ".join(submission.notes)
    assert "graded the files in notebooks/" in notes
    assert "not graded: exercises/ (its definitions are the unchanged stubs)" in notes
    result = grade(path=repo, exercises=("corr2d", "pool2d"),
                   only_checks={"book_example", "book_example_max"})
    assert result.score == result.max_score > 0, result.to_dict()
    assert any("notebooks/" in n for n in result.to_dict()["notes"])


def test_a_student_who_filled_exercises_is_graded_there(tmp_path, names):
    repo = repository(tmp_path / "repo")
    shutil.rmtree(repo / "notebooks")
    shutil.copy(SOLUTIONS / "convolution.py", repo / "exercises" / "convolution.py")
    submission = discover.load(repo, names, all_names=names)
    assert submission.units["convolution"].origin == "convolution.py"
    assert "exercises/" in " ".join(submission.notes)


def test_zips_of_a_repository_and_from_macos_are_found_the_same_way(tmp_path, names):
    from grader.classroom import batch
    repo = repository(tmp_path / "src" / "hw2-main")
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "ann.zip", "w") as zf:
        for path in sorted(repo.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(repo.parent).as_posix())
    with zipfile.ZipFile(folder / "mac.zip", "w") as zf:
        zf.writestr("homework/convolution.py", (SOLUTIONS / "convolution.py").read_text())
        zf.writestr("homework/.DS_Store", "\0\0\0\1Bud1")
        zf.writestr("__MACOSX/homework/._convolution.py", "\0\5\26\7 resource fork")
        zf.writestr("__MACOSX/._homework", "\0\5\26\7")
    entries = {e.name: e for e in batch.find_entries(folder, tmp_path / "work")}
    ann = discover.load(entries["ann.zip"].path, names, all_names=names)
    assert sorted(u.origin for u in ann.units.values()) == [
        "convolution.ipynb", "dropout.ipynb", "pooling.ipynb"]
    assert "hw2-main/notebooks/" in " ".join(ann.notes)
    mac = discover.load(entries["mac.zip"].path, names, all_names=names)
    assert [u.origin for u in mac.units.values()] == ["convolution.py"]
    assert mac.locate("corr2d", "convolution")[0] is not None
    assert entries["ann.zip"].label == "ann.zip" and entries["mac.zip"].label == "mac.zip"


def test_checkpoint_copies_are_ignored(tmp_path, names):
    write_notebook(tmp_path / "convolution.ipynb", ["def corr2d(X, K):\n    return X\n"])
    checkpoints = tmp_path / ".ipynb_checkpoints"
    checkpoints.mkdir()
    write_notebook(checkpoints / "convolution-checkpoint.ipynb",
                   [(SOLUTIONS / "convolution.py").read_text()])
    submission = discover.load(tmp_path, ["corr2d"], all_names=names)
    assert [u.origin for u in submission.units.values()] == ["convolution.ipynb"]
    assert "return X" in submission.units["convolution"].source


def test_batch_names_a_zip_entry_as_the_entry_never_a_temporary_path(tmp_path):
    """Issue 11 §5: `/tmp/grader-batch-…/zip-0/…` must not appear in any report or export."""
    from grader import assignment as assignment_mod
    from grader.classroom import batch
    from grader.classroom.gradebook import Gradebook
    from grader.reports import exports, html
    from conftest import write_assignment
    spec = assignment_mod.load(write_assignment(tmp_path / "a.toml", {
        "corr2d": ["book_example"], "pool2d": ["book_example_max"]}))
    repo = repository(tmp_path / "src" / "hw2-main")
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "ann.zip", "w") as zf:
        for path in sorted(repo.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(repo.parent).as_posix())
    with Gradebook(tmp_path / "book.db") as book:
        summary = batch.grade_class(spec, folder, book, jobs=1, sandbox="process", timeout=300)
        items = book.current()
    assert summary.graded == 1, items
    result = items[0]["result"]
    assert result["submission"] == "ann.zip" and result["score"] == result["max_score"] > 0
    assert any("hw2-main/notebooks/" in n for n in result["notes"])
    texts = [json.dumps(items, default=str), exports.to_csv(items), exports.to_junit(items[0]),
             exports.dumps(items[0]), exports.to_markdown(items, "t"),
             html.render_class(items, title="t"), html.render_student(result)]
    for text in texts:
        assert "grader-batch" not in text and str(tmp_path) not in text and "zip-0" not in text


# ----------------------------------------------------------------------------- .py as Python reads it
def test_utf8_bom_and_pep263_encodings_decode_as_python_decodes_them(tmp_path):
    reference = (SOLUTIONS / "convolution.py").read_text()
    (tmp_path / "convolution.py").write_bytes(b"\xef\xbb\xbf" + reference.encode())
    latin = "# -*- coding: latin-1 -*-\nNAME = 'Zoë'\n\ndef pool2d(X, pool_size):\n    return X\n"
    (tmp_path / "pooling.py").write_bytes(latin.encode("latin-1"))
    (tmp_path / "dropout.py").write_bytes(b"# coding: klingon\nx = 1\n")
    submission = discover.load(tmp_path, ["corr2d", "dropout", "pool2d"])
    conv = submission.units["convolution"]
    assert conv.problem is None and "corr2d" in conv.defines and "\ufeff" not in conv.source
    pool = submission.units["pooling"]
    assert pool.problem is None and "NAME = 'Zoë'" in pool.source
    assert pool.source.splitlines()[0].startswith("# -*- coding: utf-8 -*-")
    assert "unknown encoding" in submission.units["dropout"].problem
    written = tmp_path / "out"
    written.mkdir()
    submission.write(written)
    assert ast_constant(written / "pooling.py", "NAME") == "Zoë"   # as Python reads it back


def ast_constant(path: Path, name: str):
    import ast
    for node in ast.parse(path.read_bytes()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return node.value.value


def test_unused_book_import_in_a_py_file_is_treated_as_in_notebooks(tmp_path, grade):
    reference = (SOLUTIONS / "convolution.py").read_text()
    source = "from d2l import torch as d2l\nimport d2lzh_pytorch as d2lzh\n" + reference.replace(
        "def corr2d_multi_in(X, K):", "def corr2d_multi_in(X, K):\n    _ = d2l.corr2d")
    result = grade(files={"convolution.py": source}, exercises=("corr2d", "corr2d_multi_in"),
                   only_checks={"book_example"})
    assert result.score == result.max_score > 0, result.to_dict()


NBCONVERT = '''#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().run_line_magic('matplotlib', 'inline')
import torch
from torch import nn
from d2l import torch as d2l


# In[2]:


get_ipython().system('pip install d2l==1.0.3')


# In[3]:


{reference}

# In[4]:


X = torch.ones((6, 8))
while True:
    pass
'''


def test_script_exported_from_a_notebook_grades_like_the_notebook(tmp_path, grade):
    reference = (SOLUTIONS / "convolution.py").read_text().split('"""', 2)[2]
    script = NBCONVERT.format(reference=reference)
    notebook_path = write_notebook(tmp_path / "convolution.ipynb", [
        "%matplotlib inline\nimport torch\nfrom torch import nn\nfrom d2l import torch as d2l\n",
        "!pip install d2l==1.0.3\n", reference, "X = torch.ones((6, 8))\nwhile True:\n    pass\n"])
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "convolution.py").write_text(script)
    unit = discover.load(tmp_path / "script", ["corr2d"]).units["convolution"]
    assert unit.problem is None and "while True" not in unit.source
    assert "corr2d" in unit.defines
    from_script = grade(path=tmp_path / "script", exercises=("corr2d", "Conv2D"),
                        only_checks={"book_example", "learns_edge_kernel"})
    from_notebook = grade(path=notebook_path, exercises=("corr2d", "Conv2D"),
                          only_checks={"book_example", "learns_edge_kernel"})
    assert from_script.score == from_notebook.score == from_script.max_score > 0
    assert [e.to_dict() for e in from_script.exercises] == \
        [e.to_dict() for e in from_notebook.exercises]


def test_upper_case_file_name_is_seen_and_skipped_with_the_reason(tmp_path, names):
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "DROPOUT.PY")
    shutil.copy(SOLUTIONS / "pooling.py", tmp_path / "pooling.py")
    submission = discover.load(tmp_path, ["dropout", "pool2d"], all_names=names)
    unit, why = submission.locate("dropout", "dropout")
    assert unit is None and "DROPOUT.PY was seen but not graded" in why \
        and "Rename it dropout.py" in why
    assert submission.locate("pool2d", "pooling")[0] is not None
    assert any("DROPOUT.PY" in n for n in submission.notes)
    with pytest.raises(UsageError, match="Rename it dropout.py"):
        discover.load(tmp_path / "DROPOUT.PY", ["dropout"])


def test_grade_without_submission_finds_the_filled_notebooks_beside_the_stubs(tmp_path, names):
    """`grade` in a student repository (the Classroom workflow runs it with no --submission):
    exercises/ holds the stubs, notebooks/ the student's work."""
    repo = repository(tmp_path / "repo")
    from grader.submission.layout import default_submission
    assert default_submission(repo / "exercises", names) == repo / "notebooks"
    shutil.rmtree(repo / "notebooks")
    write_notebook(repo / "notebooks.ipynb", ["x = 1\n"])
    assert default_submission(repo / "exercises", names) == repo / "exercises"
    (repo / "notebooks").mkdir()
    shutil.copy(SOLUTIONS / "convolution.py", repo / "exercises" / "convolution.py")
    write_notebook(repo / "notebooks" / "convolution.ipynb", ["def corr2d(X, K):\n"
                                                             "    raise NotImplementedError\n"])
    assert default_submission(repo / "exercises", names) == repo / "exercises"


def test_sockets_and_devices_are_refused_by_name(tmp_path):
    import socket
    import stat as stat_mod
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "lenet.py"))
    try:
        os.mknod(tmp_path / "pooling.py", 0o600 | stat_mod.S_IFCHR, os.makedev(1, 5))  # zero
        device = True
    except (PermissionError, OSError):
        device = False                              # not root: only the socket is tried
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "dropout.py")
    try:
        submission = discover.load(tmp_path, ["LeNet", "pool2d", "dropout"])
    finally:
        server.close()
    assert "lenet.py is a socket" in submission.units["lenet"].problem
    if device:
        assert "pooling.py is a device" in submission.units["pooling"].problem
    assert submission.units["dropout"].problem is None


def test_finding_the_work_reads_a_bounded_amount(tmp_path, names, monkeypatch):
    """Scoring the folders of a huge repository stops at the submission's byte cap."""
    for k in range(6):
        folder = tmp_path / f"copy{k}"
        folder.mkdir()
        (folder / "convolution.py").write_text("x = 1\n" * 3000)
    monkeypatch.setattr(reader, "LIMITS", reader.Limits(total_bytes=40_000))
    read = []
    original = reader.read_bytes
    monkeypatch.setattr(reader, "read_bytes", lambda *a, **k: read.append(a[0]) or
                        original(*a, **k))
    from grader.submission import layout
    layout.find_work(tmp_path, names)
    assert len(read) == 2                  # 18 KB each: the third would pass 40 KB


# ----------------------------------------------------------------------------- what a worker carries
def _padding(folder: Path, count: int, size: int) -> list[str]:
    """``count`` modules of about ``size`` bytes each, no two the same size (the largest
    first in name order), each under the reader's 2 MB per file."""
    names = []
    for k in range(count):
        names.append(f"data{k:02d}.py")
        (folder / names[-1]).write_text("X = '" + "a" * (size - 1000 * k) + "'\n")
    return names


def test_code_past_what_a_worker_carries_leaves_the_largest_files_out(tmp_path, names):
    """The reader admits 128 MB, a worker carries 32 MB of code in 1000 files: the largest
    files that define no exercise are left out, each saying why, the rest is graded."""
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "dropout.py")
    (tmp_path / "helper.py").write_text("SCALE = 2\n")
    padding = _padding(tmp_path, 20, 1_950_000)            # 37 MB in all
    submission = discover.load(tmp_path, names, all_names=names)
    left_out = [n for n in padding if submission.units[n[:-3]].problem]
    assert left_out == padding[:3]                         # the three largest: 31.4 MB remain
    why = submission.units["data00"].problem
    assert "data00.py was left out" in why and "37.0 MB in 22 files" in why
    assert "(32 MB in 1000 files)" in why and "Submit only your own code" in why
    assert submission.locate("dropout", "dropout")[0] is not None
    assert submission.units["helper"].problem is None
    assert [n for n in submission.notes
            if "3 files were left out (data00.py, data01.py, data02.py)" in n]
    carried = sum(len(u.source.encode()) for u in submission.units.values()
                  if u.problem is None)
    assert carried <= reader.LIMITS.code_bytes


def test_more_files_than_a_worker_carries_keeps_the_exercises(tmp_path, names):
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "dropout.py")
    for k in range(1005):
        (tmp_path / f"m{k:04d}.py").write_text(f"x = {k}\n" + "#" * (k % 7))
    submission = discover.load(tmp_path, names, all_names=names)
    kept = [u for u in submission.units.values() if u.problem is None]
    assert len(kept) == 1000 and submission.locate("dropout", "dropout")[0] is not None
    assert any("6 files were left out" in n and "in 1006 files" in n
               for n in submission.notes)


def test_a_submission_larger_than_a_worker_carries_is_graded_not_an_internal_error(
        tmp_path, course):
    """37 MB of .py files (each under 2 MB) made bubblewrap's fork server raise ValueError:
    exit 3, 'internal error', for every exercise.  Now the exercise is graded (in the
    default sandbox, bubblewrap where it works) and the report says what was left out."""
    from grader.judge.run import GradeRequest, run
    shutil.copy(SOLUTIONS / "dropout.py", tmp_path / "dropout.py")
    _padding(tmp_path, 20, 1_950_000)
    result = run(GradeRequest(course, tmp_path, ("dropout",), sandbox="auto",
                              only_checks=frozenset({"keeps_shape"})))
    dropout = exercise_of(result, "dropout")
    assert dropout.score == dropout.max_score == 1
    assert any("3 files were left out" in n and "32 MB" in n for n in result.notes)
