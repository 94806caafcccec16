"""Nothing left behind (issue 17, sections 6 and 7): temporary folders, processes, /dev/shm,
and process-mode `grade batch` refused unless asked for.

The command-line tests run `grade batch` with TMPDIR pointing at a folder of their own, so
that every temporary folder grading makes can be counted, whatever else runs on the machine.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.sandbox import leftovers

from conftest import ROOT, write_assignment

# the submission hangs while it is imported: a hanging *call* is cut after a few seconds of its
# own time (grader/judge/deadlines.py), an import after the assignment's limits.import_seconds,
# which these tests set beyond the batch's --timeout
HANG = "import time\nwhile True:\n    time.sleep(1)\n\ndef corr2d(X, K):\n    return X\n"


# --------------------------------------------------------------------------- the pieces
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_clean_stale_removes_only_folders_whose_owner_is_dead(tmp_path):
    dead = tmp_path / "grader-dead"
    dead.mkdir()
    (dead / leftovers.OWNER_FILE).write_text(f"{_dead_pid()} 12345\n")
    (dead / "inside").mkdir()
    reused = tmp_path / "grader-batch-reused"          # our pid, but another start time
    reused.mkdir()
    (reused / leftovers.OWNER_FILE).write_text(f"{os.getpid()} 1\n")
    alive = Path(leftovers.make_temp_dir("grader-"))   # claimed by this (live) process
    mine_here = tmp_path / "grader-alive"
    mine_here.mkdir()
    leftovers.claim(str(mine_here))
    unclaimed = tmp_path / "grader-canary-unclaimed"
    unclaimed.mkdir()
    other = tmp_path / "not-ours"
    other.mkdir()
    (other / leftovers.OWNER_FILE).write_text(f"{_dead_pid()} 1\n")
    link = tmp_path / "grader-link"
    link.symlink_to(dead)
    try:
        removed = leftovers.clean_stale(str(tmp_path))
        assert sorted(removed) == ["grader-batch-reused", "grader-dead"]
        assert not dead.exists() and not reused.exists()
        assert mine_here.is_dir() and unclaimed.is_dir() and other.is_dir()
        assert link.is_symlink()
        assert alive.is_dir()
    finally:
        import shutil
        shutil.rmtree(alive, ignore_errors=True)


def test_a_zombie_owner_is_dead(tmp_path):
    """A killed run's process that nobody reaps (its parent was killed too, and the process
    it was re-parented to, a subreaper such as a judge or a container's init, never waits)
    stays a zombie: its folder is stale all the same."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    folder = tmp_path / "grader-zombie"
    folder.mkdir()
    deadline = time.monotonic() + 30
    while leftovers._stat(child.pid)[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert leftovers._stat(child.pid)[0] == "Z"
        (folder / leftovers.OWNER_FILE).write_text(
            f"{child.pid} {leftovers._start_time(child.pid)}\n")
        assert not leftovers.owner_alive(str(folder))
        assert leftovers.clean_stale(str(tmp_path)) == ["grader-zombie"]
    finally:
        child.wait()


def test_shm_watch_removes_only_what_appeared_while_the_worker_lived(tmp_path, monkeypatch):
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(leftovers, "SHM", str(shm))
    (shm / "old").write_text("from before")
    watch = leftovers.ShmWatch()
    (shm / "note").write_text("left by the worker")
    (shm / "folder").mkdir()
    (shm / "folder" / "x").write_text("y")
    (shm / "sem.lock").write_text("a semaphore of another program")
    assert sorted(watch.sweep()) == ["folder", "note"]
    assert sorted(p.name for p in shm.iterdir()) == ["old", "sem.lock"]


# --------------------------------------------------------------------------- grade batch
@pytest.fixture(scope="module")
def small_assignment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assignment")
    return write_assignment(folder / "assignment.toml", {"corr2d": ["book_example"]},
                            call_timeout=5)


@pytest.fixture(scope="module")
def hanging_assignment(tmp_path_factory):
    """An import deadline (limits.import_seconds) that outlasts the batch's --timeout: a
    submission hanging at import is still running when its slot is killed."""
    folder = tmp_path_factory.mktemp("assignment")
    return write_assignment(folder / "assignment.toml", {"corr2d": ["book_example"]},
                            call_timeout=600, import_seconds=600)


def _live_owners(tmpdir: Path) -> list[str]:
    """The grader's folders whose owner process still runs (leftovers.owner_alive: the pid
    and its start time, as pids are reused)."""
    from grader.sandbox.leftovers import owner_alive
    return sorted(p.name for p in tmpdir.iterdir()
                  if p.name.startswith("grader-") and owner_alive(str(p)))


def _grade(args, tmpdir: Path, **kw):
    env = dict(os.environ, TMPDIR=str(tmpdir))
    return subprocess.Popen([sys.executable, "-m", "grader", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def _ours(tmpdir: Path) -> list[str]:
    return sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("grader-"))


def _group(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != b"Z":
                members.append(int(entry))
    return members


def test_a_slot_killed_at_timeout_leaves_nothing_and_grade_waits_for_everything(
        tmp_path, hanging_assignment):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    submissions = tmp_path / "class"
    (submissions / "hw-hang").mkdir(parents=True)
    (submissions / "hw-hang" / "convolution.py").write_text(HANG)
    proc = _grade(["batch", str(submissions), "--gradebook", str(tmp_path / "book.db"),
                   "--timeout", "20", "--jobs", "1", "--assignment", str(hanging_assignment)],
                  tmpdir)
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, err[-2000:]
    assert "1 timed out" in out, out
    # the moment `grade` returned: nothing it started is left in its process group
    assert _group(proc.pid) == []
    assert _ours(tmpdir) == []


def test_kill_9_of_grade_batch_is_cleaned_by_the_next_run(tmp_path, hanging_assignment):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    submissions = tmp_path / "class"
    (submissions / "hw-hang").mkdir(parents=True)
    (submissions / "hw-hang" / "convolution.py").write_text(HANG)
    book = tmp_path / "book.db"
    proc = _grade(["batch", str(submissions), "--gradebook", str(book), "--timeout", "600",
                   "--jobs", "1", "--assignment", str(hanging_assignment)], tmpdir)
    deadline = time.monotonic() + 300
    # wait until a worker is grading: the batch's folder, the slot's fork server and the
    # worker's own folder all exist
    while time.monotonic() < deadline:
        names = _ours(tmpdir)
        if any(n.startswith("grader-batch-") for n in names) and \
                any(n.startswith("grader-forkserver-") for n in names) and \
                any(not n.startswith(("grader-batch-", "grader-forkserver-", "grader-worker-lib-"))
                    for n in names):
            break
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"the batch never started grading: {_ours(tmpdir)}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    # the slot dies with the coordinator (parent-death signal); give its helpers a moment
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _group(proc.pid) == []                  # its slot died with it
    assert _ours(tmpdir), "the killed run left nothing: the test proves nothing"
    # the fork server and worker keepers are in sessions of their own and die by their
    # parent-death signal a moment later; a live owner's folder is (rightly) never removed
    deadline = time.monotonic() + 60
    while _live_owners(tmpdir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _live_owners(tmpdir) == [], "processes of the killed run outlived it"
    empty = tmp_path / "nobody"
    empty.mkdir()
    again = _grade(["batch", str(empty), "--gradebook", str(book), "--assignment",
                    str(hanging_assignment)], tmpdir)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    assert _ours(tmpdir) == []


def test_process_mode_batch_is_refused_unless_asked_for(tmp_path, small_assignment):
    """Without bubblewrap (here: not on PATH), `auto` means process mode: refused, saying why."""
    submissions = tmp_path / "class"
    (submissions / "alice").mkdir(parents=True)
    no_tools = tmp_path / "bin"
    no_tools.mkdir()
    env = dict(os.environ, PATH=str(no_tools))
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(submissions),
                           "--gradebook", str(tmp_path / "book.db"), "--assignment",
                           str(small_assignment)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert "--sandbox process" in done.stderr and "gradebook" in done.stderr
    assert not (tmp_path / "book.db").exists()
