"""Grading a whole class: find the submissions, grade them in parallel, record every result.

``grade batch SUBMISSIONS`` finds one entry per student (a folder, a notebook, a ``.py`` file
or a zip of any of these; or the folder layouts of GitHub Classroom and Gradescope exports),
skips what the gradebook already holds for the same content and checks, and grades the rest
in ``--jobs`` slots (who each entry belongs to: :mod:`grader.classroom.identity`, stated by
``--prefix``/``--roster`` or Gradescope's metadata, never guessed).  A slot is a judge process with its own warm fork server; it grades one
submission at a time with exactly the isolation of a single ``grade``.  The coordinator (this
process) is the only writer of the gradebook, one transaction per submission.  A submission
that kills its slot is recorded as such; one past its time limit keeps the verdict of every
check decided in time (the slot streams them as they come) and the rest are ``timeout``; the
slot is replaced and the class goes on.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import stat
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait
from pathlib import Path

from grader.submission import archive, discover, reader
from grader.errors import UsageError
from grader.i18n import _
from grader.classroom import identity
from grader.classroom.gradebook import Gradebook, Record
from grader.sandbox import leftovers

GRADABLE = (".py", ".ipynb")
ZIP_LIMITS = {"files": 2000, "bytes": 100 * 1024 * 1024}
IGNORED = reader.IGNORED_DIRS


@dataclass
class Entry:
    student: str
    name: str                       # the entry as it appears in the folder
    path: Path | None = None        # what to grade (after unzipping)
    problem: str | None = None      # why it cannot be graded at all
    notes: list = field(default_factory=list)   # what unpacking it skipped, and why
    label: str = ""                 # what reports call it: the entry, and the graded
                                    # folder inside it (never a temporary path)
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
    refused: int = 0                # not graded: no worker with the coordinator's checks (Dask)
    seconds: float = 0.0
    scores: list = field(default_factory=list)

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


# --------------------------------------------------------------------------- finding entries
def find_entries(folder: Path, workdir: Path, prefix: str | None = None,
                 roster: dict[str, str] | None = None) -> list[Entry]:
    """One entry per student, named as :mod:`grader.classroom.identity` says (Gradescope
    metadata, else ``prefix`` and ``roster``, else the entry's own name).  Nothing is followed
    or opened that is not a regular file or a real folder (:mod:`grader.submission.reader`): a
    link (``hw2-mallory -> hw2-alice``), a FIFO or a device is a malformed entry that says why.

    Raises UsageError when an entry cannot be named or two entries name one student."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(_("{folder} is not a folder of submissions", folder=folder))
    metadata = folder / "submission_metadata.yml"
    groups = _gradescope_names(metadata) if _is_regular(metadata) else {}
    raw = []
    with os.scandir(folder) as scan:
        for item in sorted(scan, key=lambda e: e.name):
            if item.name.startswith(".") or item.name in IGNORED \
                    or item.name == "submission_metadata.yml":
                continue
            try:
                mode = item.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            suffix = os.path.splitext(item.name)[1].lower()
            special = reader.refusal_message(item.name, mode) \
                if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)) else None
            if stat.S_ISDIR(mode) or suffix in GRADABLE + (".zip",) or special:
                raw.append((Path(item.path), stat.S_ISDIR(mode), special))
    stems = [path.name if is_dir or special else path.stem for path, is_dir, special in raw]
    named = identity.name_entries([s for s in stems if s not in groups], prefix, roster)
    entries = [Entry(student=(groups.get(stem) or [named.get(stem)])[0], name=path.name,
                     members=list(groups.get(stem, [])))
               for stem, (path, _is_dir, _special) in zip(stems, raw)]
    identity.refuse_clashes(entries)
    for index, (entry, (path, is_dir, special)) in enumerate(zip(entries, raw)):
        if special:
            entry.problem = special
        elif path.suffix.lower() == ".zip":
            entry.path, entry.problem = _unzip(path, workdir / f"zip-{index}", entry)
        else:
            entry.path = path
        base = entry.path
        if entry.path is not None and entry.path.is_dir() and not entry.problem:
            entry.path, problem = _gradable_root(entry.path)
            entry.problem = entry.problem or problem
        entry.label = _label(entry, base)
    return entries


def _label(entry: Entry, base: Path | None) -> str:
    """The entry's name, then the path of what is graded inside it ("frank.zip/homework")."""
    if entry.path is None or base is None or entry.path == base:
        return entry.name
    try:
        inside = entry.path.relative_to(base).as_posix()
    except ValueError:
        return entry.name
    return f"{entry.name}/{inside}" if inside not in ("", ".") else entry.name


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _gradescope_names(metadata: Path) -> dict[str, list[str]]:
    """submission_<id> -> every submitter (a group has several), each by sid, email or name
    (in that order of preference), read from Gradescope's export metadata (a simple YAML
    file: ``submission_<id>:`` / ``:submitters:`` / ``- :name: ...`` / ``  :email: ...``)."""
    people: dict[str, list[dict]] = {}
    current = None
    try:
        text = reader.read_bytes(metadata).decode("utf-8", errors="replace")
    except reader.Refusal:
        return {}
    for line in text.splitlines():
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


def _unzip(path: Path, dest: Path, entry: Entry) -> tuple[Path | None, str | None]:
    """Unpack a student's zip into ``dest``: see :func:`archive.extract_zip`."""
    try:
        notes = archive.extract_zip(path, dest, reader.Limits(total_bytes=ZIP_LIMITS["bytes"],
                                                              entries=ZIP_LIMITS["files"]))
    except reader.Refusal as exc:
        return None, str(exc)
    entry.notes += notes
    files = [p for p in dest.iterdir() if p.name not in IGNORED and not reader.is_litter(p.name)]
    if len(files) == 1 and files[0].suffix in GRADABLE and files[0].is_file():
        return files[0], None
    return dest, None


def _gradable_root(folder: Path) -> tuple[Path, str | None]:
    """The entry's folder, or why it has nothing to grade.  Which folder inside it holds the
    student's work is decided when it is graded, the same way as for `grade`
    (:func:`grader.submission.layout.find_work`)."""
    try:
        listing = reader.walk(folder)
    except UsageError as exc:
        return folder, str(exc)
    if any(name.endswith(GRADABLE) for name in listing.files):
        return folder, None
    refused = "".join(f"; {r.message}" for r in listing.refused)
    return folder, _("no .py or .ipynb files found") + refused


def content_hash(entry: Entry, assignment) -> str:
    if entry.path is None:
        return "unreadable:" + hashlib.sha256(entry.name.encode()).hexdigest()
    try:
        return discover.load(entry.path, assignment.names).digest()
    except Exception as exc:  # noqa: BLE001 - a broken entry still needs a stable hash
        # the kind of failure, not its text: that may name a temporary folder of this run
        return "unloadable:" + hashlib.sha256(f"{entry.name}:{type(exc).__name__}".encode()
                                              ).hexdigest()


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
STARTUP_ALLOWANCE = 300.0   # seconds a slot may take to start (or restart its fork server)
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
    from grader.classroom import payload
    forbidden = sorted({f for e in assignment.exercises for f in e.forbidden})
    server = ForkServer(mode=sandbox, forbidden=forbidden)
    # the judge's imports (torch, hypothesis, pytest, the checks' helpers: seconds of CPU)
    # while the fork server warms up: the slot's start-up, not its first submission's --timeout
    from grader.judge.run import import_judge
    import_judge()
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
                # the fork server's warm-up (torch, the first optimizer step: many seconds on a
                # busy machine) is the slot's start-up, not the submission's
                server.wait_ready()
                started = time.monotonic()
                conn.send({"started": True})   # the submission's clock starts now, not before
                # a Dask worker's slot grades the bytes it was sent (classroom/payload.py)
                loaded = payload.unpack(task["payload"], task["content_hash"]) \
                    if "payload" in task else None
                result = run(GradeRequest(assignment, Path(task["path"]), sandbox=sandbox,
                                          launcher=server.launch, label=task.get("label"),
                                          notes=tuple(task.get("notes", ())),
                                          on_check=lambda check: conn.send({"check": check}),
                                          loaded=loaded))
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
        self.timeout = 0.0
        self.checks: list = []          # the entry's checks decided so far (CheckResult)

    def give(self, entry: Entry, timeout: float, extra: dict | None = None) -> None:
        """Send ``entry`` to the slot.  Its ``timeout`` counts from when the slot starts
        grading it (:meth:`started`): a slot still starting (importing torch, warming its
        fork server, slow on a busy machine) costs the student nothing.  Until then the
        deadline is the start-up allowance plus the timeout, so that a slot stuck starting
        is still killed.  ``extra``: more of the task (a Dask worker's submission bytes)."""
        self.entry = entry
        self.checks = []
        self.timeout = timeout
        self.deadline = time.monotonic() + STARTUP_ALLOWANCE + timeout
        self.conn.send({"path": str(entry.path), "label": entry.label or entry.name,
                        "notes": list(entry.notes), **(extra or {})})

    def kill(self) -> None:
        """Kill the slot (its fork server and workers follow it: parent-death signal, end of
        their socket) and remove the temporary folders it made."""
        from grader.sandbox.process import unregister_own_child
        self.process.kill()
        self.process.join(5)
        unregister_own_child(self.process.pid)
        self.conn.close()
        leftovers.clean_stale()


# --------------------------------------------------------------------------- the batch
def slot_killed_message() -> str:
    """The gradebook's message for a submission that killed its grading slot twice (local
    slots and Dask workers alike: a submission's record does not depend on where it ran)."""
    return _("grading this submission killed the grader process (twice)")


def timeout_message(timeout: float) -> str:
    """The gradebook's message for a submission past ``timeout`` seconds (local or Dask)."""
    return _("grading took longer than {seconds} s: the checks not decided by then count as "
             "timeout", seconds=f"{timeout:g}")


def grade_class(assignment, folder: Path, gradebook: Gradebook, *, jobs: int,
                sandbox: str, timeout: float, force: bool = False, progress=None,
                prefix: str | None = None, roster: dict[str, str] | None = None,
                runner=None) -> Summary:
    """Grade every entry of ``folder`` that the gradebook does not hold yet.

    ``prefix`` and ``roster`` name the students (see :mod:`grader.classroom.identity`).
    ``runner(assignment, todo, gradebook, checks, summary, sandbox, timeout, progress)``
    grades and records the entries to grade instead of ``jobs`` local slots (a Dask cluster:
    :func:`grader.classroom.cluster.on_cluster`)."""
    summary = Summary()
    started = time.monotonic()
    leftovers.clean_stale()          # what earlier runs killed with SIGKILL left behind
    # the coordinator holds the gradebook open: its /proc/<pid>/fd stays closed to workers
    from grader.sandbox import harden
    harden.not_dumpable()
    workdir = Path(leftovers.make_temp_dir("grader-batch-"))
    try:
        entries = find_entries(folder, workdir, prefix, roster)
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
        if todo_ok and runner is not None:
            runner(assignment, todo_ok, gradebook, checks, summary, sandbox, timeout, report)
        elif todo_ok:
            _run_slots(assignment, todo_ok, gradebook, checks, summary, jobs, sandbox, timeout,
                       report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _run_slots(assignment, todo, gradebook, checks, summary, jobs, sandbox, timeout, progress):
    context = multiprocessing.get_context("spawn")
    queue = list(reversed(todo))
    slots = [Slot(context, assignment, sandbox) for _slot in range(max(1, min(jobs, len(todo))))]
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
                reply = _drain(slot) if slot.conn in ready else {}
                if reply is None:                           # the slot died under it
                    slot.kill()
                    slots[index] = slot = Slot(context, assignment, sandbox)
                    if entry.student not in retried:        # once more, in a fresh slot
                        retried.add(entry.student)
                        slot.give(entry, timeout)
                        continue
                    finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                         checks, "crashed", message=slot_killed_message()))
                elif "error" in reply:
                    finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                         checks, "crashed", message=reply["error"],
                                         seconds=reply.get("seconds")))
                elif "result" in reply:
                    result = reply["result"]
                    finish(entry, Record(entry.student, entry.name, entry.content_hash,
                                         checks, "graded", result["score"],
                                         result["max_score"], None, result,
                                         reply.get("seconds")))
                elif time.monotonic() >= slot.deadline:
                    done = slot.checks
                    slot.kill()
                    slots[index] = slot = Slot(context, assignment, sandbox)
                    result = partial_result(assignment, entry, done, timeout)
                    finish(entry, Record(entry.student, entry.name, entry.content_hash, checks,
                                         "timeout", result["score"], result["max_score"],
                                         timeout_message(timeout), result, timeout))
                else:
                    continue
                slot.entry = None
                if queue:
                    slot.give(queue.pop(), timeout)
    finally:
        for slot in slots:
            slot.kill()


def _drain(slot: Slot) -> dict | None:
    """Read what the slot sent: checks as they are decided, then the final reply.  None if the
    slot died; {} if only checks came (the submission is still being graded)."""
    try:
        while slot.conn.poll():
            message = slot.conn.recv()
            if "check" in message:
                slot.checks.append(message["check"])
            elif "started" in message:
                slot.deadline = time.monotonic() + slot.timeout
            else:
                return message
    except (EOFError, OSError):
        return None
    return {}


def partial_result(assignment, entry: Entry, done: list, timeout: float) -> dict:
    """The result of a submission cut off by its time limit: every check decided before the
    limit keeps its verdict; every other check is ``timeout`` (0 points)."""
    from grader.judge.score import CheckResult, ExerciseResult, GradeResult
    decided = {(c.exercise, c.name): c for c in done}
    exercises = []
    for spec in assignment.exercises:
        results = [decided.get((spec.name, c.name)) or CheckResult(
            spec.name, c.name, c.name.replace("_", " "), "timeout", c.points, c.visibility,
            advisory=not c.points,
            message=_("not graded: the submission's time limit ({seconds} s) ran out first",
                      seconds=f"{timeout:g}"))
            for c in spec.checks]
        advice = [r.message for r in results if r.advisory and r.status == "fail" and r.message]
        exercises.append(ExerciseResult(spec.name, spec.topic, results, advice))
    return GradeResult(assignment.shown_title, entry.label or entry.name, exercises,
                       notes=list(entry.notes)).to_dict()


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
