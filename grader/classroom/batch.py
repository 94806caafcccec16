"""Grading a whole class: find the submissions, grade them in parallel, record every result.

``grade batch SUBMISSIONS`` finds one entry per student (a folder, a notebook, a ``.py`` file
or a zip of any of these; or the folder layouts of GitHub Classroom and Gradescope exports),
skips what the gradebook already holds for the same content and checks, and grades the rest
in ``--jobs`` slots.  A slot is a judge process with its own warm fork server; it grades one
submission at a time with exactly the isolation of a single ``grade``.  The coordinator (this
process) is the only writer of the gradebook, one transaction per submission.  A submission
that hangs past its time limit, or kills its slot, is recorded as such; the slot is replaced
and the class goes on.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait
from pathlib import Path

from grader.submission import discover
from grader.errors import UsageError
from grader.classroom.gradebook import Gradebook, Record

GRADABLE = (".py", ".ipynb")
ZIP_LIMITS = {"files": 2000, "bytes": 100 * 1024 * 1024}
IGNORED = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX"}


@dataclass
class Entry:
    student: str
    name: str                       # the entry as it appears in the folder
    path: Path | None = None        # what to grade (after unzipping)
    problem: str | None = None      # why it cannot be graded at all
    content_hash: str = ""
    members: list[str] = field(default_factory=list)   # a group submission: every member
    pending: list[str] = field(default_factory=list)   # the students still to record

    @property
    def students(self) -> list[str]:
        """Everyone this submission's result belongs to (a group gets one row each)."""
        return self.members or [self.student]


@dataclass
class Summary:
    graded: int = 0
    crashed: int = 0
    timeout: int = 0
    malformed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    scores: list = field(default_factory=list)

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


# --------------------------------------------------------------------------- finding entries
def find_entries(folder: Path, workdir: Path) -> list[Entry]:
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder of submissions")
    metadata = folder / "submission_metadata.yml"
    groups = _gradescope_names(metadata) if metadata.is_file() else {}
    raw = sorted(p for p in folder.iterdir() if not p.name.startswith(".")
                 and p.name not in IGNORED and p.name != "submission_metadata.yml"
                 and (p.is_dir() or p.suffix in GRADABLE + (".zip",)))
    prefix = _classroom_prefix([p.name for p in raw if p.is_dir()])
    entries = []
    for path in raw:
        stem = path.name if path.is_dir() else path.stem
        members = groups.get(stem) or []
        student = members[0] if members else \
            (stem[len(prefix):] if prefix and path.is_dir() else stem)
        entry = Entry(student=student, name=path.name, members=list(members))
        if path.suffix == ".zip":
            entry.path, entry.problem = _unzip(path, workdir / f"zip-{len(entries)}")
        else:
            entry.path = path
        if entry.path is not None and entry.path.is_dir():
            entry.path, problem = _gradable_root(entry.path)
            entry.problem = entry.problem or problem
        entries.append(entry)
    _make_students_unique(entries)
    return entries


def _classroom_prefix(names: list[str]) -> str:
    """GitHub Classroom clones are named "<assignment>-<username>": strip the shared part."""
    if len(names) < 2:
        return ""
    prefix = os.path.commonprefix(names)
    cut = prefix.rfind("-")
    return prefix[:cut + 1] if cut > 0 else ""


def _gradescope_names(metadata: Path) -> dict[str, list[str]]:
    """submission_<id> -> every submitter (a group has several), each by sid, email or name
    (in that order of preference), read from Gradescope's export metadata (a simple YAML
    file: ``submission_<id>:`` / ``:submitters:`` / ``- :name: ...`` / ``  :email: ...``)."""
    people: dict[str, list[dict]] = {}
    current = None
    for line in metadata.read_text(errors="replace").splitlines():
        match = re.match(r"^(submission_\d+):\s*$", line.strip())
        if match:
            current = match.group(1)
            people[current] = []
            continue
        match = re.match(r"^(-)?\s*:?(email|name|sid):\s*(.+)$", line.strip())
        if current and match:
            if match.group(1) or not people[current]:
                people[current].append({})
            people[current][-1].setdefault(match.group(2), match.group(3).strip().strip("'\""))
    named = {}
    for sub, members in people.items():
        ids = [m.get("sid") or m.get("email") or m.get("name") for m in members]
        ids = list(dict.fromkeys(i for i in ids if i))
        if ids:
            named[sub] = ids
    return named


def _unzip(path: Path, dest: Path) -> tuple[Path | None, str | None]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > ZIP_LIMITS["files"]:
                return None, f"{path.name} has more than {ZIP_LIMITS['files']} files"
            if sum(m.file_size for m in members) > ZIP_LIMITS["bytes"]:
                return None, f"{path.name} unpacks to more than 100 MB"
            dest.mkdir(parents=True)
            for member in members:
                target = (dest / member.filename).resolve()
                if not str(target).startswith(str(dest.resolve()) + os.sep) \
                        and target != dest.resolve():
                    return None, f"{path.name} contains a path outside the archive: " \
                                 f"{member.filename}"
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                if (member.external_attr >> 16) & 0o170000 == 0o120000:
                    continue  # symbolic links are not unpacked
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return None, f"{path.name} is not a readable zip file ({exc})"
    files = [p for p in dest.iterdir() if p.name not in IGNORED]
    if len(files) == 1 and files[0].suffix in GRADABLE:
        return files[0], None
    return dest, None


def _gradable_root(folder: Path) -> tuple[Path, str | None]:
    """The folder holding the submission's files (a repository may keep them in a subfolder)."""
    best, best_count = folder, _count(folder)
    if best_count:
        return folder, None
    for sub in sorted(folder.rglob("*")):
        if sub.is_dir() and not (IGNORED & set(sub.relative_to(folder).parts)) \
                and len(sub.relative_to(folder).parts) <= 3:
            count = _count(sub)
            if count > best_count:
                best, best_count = sub, count
    if not best_count:
        return folder, "no .py or .ipynb files found"
    return best, None


def _count(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.is_file() and p.suffix in GRADABLE)


def _make_students_unique(entries: list[Entry]) -> None:
    seen: dict[str, int] = {}
    for entry in entries:
        seen[entry.student] = seen.get(entry.student, 0) + 1
    for entry in entries:
        if seen[entry.student] > 1:
            entry.student = entry.name


def content_hash(entry: Entry, assignment) -> str:
    if entry.path is None:
        return "unreadable:" + hashlib.sha256(entry.name.encode()).hexdigest()
    try:
        return discover.load(entry.path, assignment.names).digest()
    except Exception as exc:  # noqa: BLE001 - a broken entry still needs a stable hash
        return "unloadable:" + hashlib.sha256(f"{entry.name}:{exc}".encode()).hexdigest()


def checks_hash(assignment) -> str:
    """Everything grading depends on: the assignment table, the checks, the references."""
    from grader import __version__
    from grader.judge.run import checks_dir
    h = hashlib.sha256(__version__.encode())
    h.update(repr(assignment.exercises).encode())
    h.update(repr(assignment.limits).encode())
    for topic in assignment.topics:
        for path in (checks_dir(assignment) / f"{topic}.py",
                     assignment.solutions_dir / f"{topic}.py"):
            h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


# --------------------------------------------------------------------------- the slots
def slot_main(conn, assignment, sandbox: str) -> None:
    """A grading slot: a judge with its own fork server, grading one submission at a time."""
    import ctypes
    import signal
    try:   # die with the coordinator, even if it is killed with SIGKILL
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass
    from grader.sandbox.forkserver import ForkServer
    from grader.judge.run import GradeRequest, run
    forbidden = sorted({f for e in assignment.exercises for f in e.forbidden})
    server = ForkServer(mode=sandbox, forbidden=forbidden)
    try:
        while True:
            try:
                task = conn.recv()
            except EOFError:
                return
            started = time.monotonic()
            try:
                if server.proc.poll() is not None:      # a submission killed it: replace it
                    server = ForkServer(mode=sandbox, forbidden=forbidden)
                result = run(GradeRequest(assignment, Path(task["path"]), sandbox=sandbox,
                                          launcher=server.launch))
                reply = {"result": result.to_dict(), "seconds": time.monotonic() - started}
            except Exception as exc:  # noqa: BLE001 - reported as this submission's crash
                reply = {"error": f"{type(exc).__name__}: {exc}",
                         "seconds": time.monotonic() - started}
            conn.send(reply)
    finally:
        server.close()


class Slot:
    def __init__(self, context, assignment, sandbox: str):
        from grader.sandbox.process import register_own_child
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=slot_main, args=(theirs, assignment, sandbox),
                                       daemon=True)
        self.process.start()
        register_own_child(self.process.pid)
        theirs.close()
        self.entry: Entry | None = None
        self.deadline = 0.0

    def give(self, entry: Entry, timeout: float) -> None:
        self.entry = entry
        self.deadline = time.monotonic() + timeout
        self.conn.send({"path": str(entry.path)})

    def kill(self) -> None:
        from grader.sandbox.process import unregister_own_child
        self.process.kill()
        self.process.join(5)
        unregister_own_child(self.process.pid)
        self.conn.close()


# --------------------------------------------------------------------------- the batch
def grade_class(assignment, folder: Path, gradebook: Gradebook, *, jobs: int,
                sandbox: str, timeout: float, force: bool = False, progress=None) -> Summary:
    """Grade every entry of ``folder`` that the gradebook does not hold yet."""
    summary = Summary()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="grader-batch-"))
    try:
        entries = find_entries(folder, workdir)
        checks = checks_hash(assignment)
        todo = []
        for entry in entries:
            entry.content_hash = content_hash(entry, assignment)
            entry.pending = [s for s in entry.students if force or not gradebook.already_graded(
                s, entry.content_hash, checks)]
            if entry.pending:
                todo.append(entry)
            else:
                summary.skipped += 1
        done = [0]

        def report(entry, status):
            done[0] += 1
            if progress:
                progress(entry, status, done[0], len(todo))
        for entry in [e for e in todo if e.problem]:
            record_for_all(gradebook, entry, Record(entry.student, entry.name,
                                                    entry.content_hash, checks, "malformed",
                                                    message=entry.problem))
            summary.count("malformed")
            report(entry, "malformed")
        todo_ok = [e for e in todo if not e.problem]
        if todo_ok:
            _run_slots(assignment, todo_ok, gradebook, checks, summary, jobs, sandbox, timeout,
                       report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _run_slots(assignment, todo, gradebook, checks, summary, jobs, sandbox, timeout, progress):
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(todo))
    slots = [Slot(context, assignment, sandbox) for _ in range(max(1, min(jobs, len(todo))))]
    retried: set[str] = set()

    def finish(entry: Entry, record: Record) -> None:
        record_for_all(gradebook, entry, record)
        summary.count(record.status)
        if record.status == "graded":
            summary.scores.append(record.score)
        if progress:
            progress(entry, record.status)

    try:
        for slot in slots:
            if queue:
                slot.give(queue.pop(), timeout)
        while any(slot.entry for slot in slots):
            busy = [slot for slot in slots if slot.entry]
            nearest = min(slot.deadline for slot in busy)
            ready = wait([slot.conn for slot in busy], max(0.0, nearest - time.monotonic()))
            for index, slot in enumerate(slots):
                entry = slot.entry
                if entry is None:
                    continue
                if slot.conn in ready:
                    try:
                        reply = slot.conn.recv()
                    except (EOFError, OSError):
                        reply = None
                    if reply is None:                       # the slot died under it
                        slot.kill()
                        slots[index] = slot = Slot(context, assignment, sandbox)
                        if entry.student not in retried:    # once more, in a fresh slot
                            retried.add(entry.student)
                            slot.give(entry, timeout)
                            continue
                        finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                             checks, "crashed", message="grading this "
                                             "submission killed the grader process (twice)"))
                    elif "error" in reply:
                        finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                             checks, "crashed", message=reply["error"],
                                             seconds=reply.get("seconds")))
                    else:
                        result = reply["result"]
                        finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                             checks, "graded", result["score"],
                                             result["max_score"], None, result,
                                             reply.get("seconds")))
                elif time.monotonic() >= slot.deadline:
                    slot.kill()
                    slots[index] = slot = Slot(context, assignment, sandbox)
                    finish(entry, Record(entry.student, entry.name, entry.content_hash, checks,
                                         "timeout", message=f"grading took longer than "
                                         f"{timeout:g} s", seconds=timeout))
                else:
                    continue
                slot.entry = None
                if queue:
                    slot.give(queue.pop(), timeout)
    finally:
        for slot in slots:
            slot.kill()


def record_for_all(gradebook: Gradebook, entry: Entry, record: Record) -> None:
    """One row per student the submission belongs to (every member of a group)."""
    for student in entry.pending or entry.students:
        gradebook.record(replace(record, student=student))


def result_for_export(item: dict) -> dict:
    """A gradebook row as one JSON document (the `grade --format json` schema when graded)."""
    if item.get("result"):
        return item["result"]
    return {"schema": "grader-result", "version": 1, "submission": item["entry"],
            "score": 0, "max_score": None, "status": item["status"],
            "message": item.get("message"), "exercises": []}


def dumps(item: dict) -> str:
    return json.dumps(result_for_export(item), indent=2, ensure_ascii=False) + "\n"
