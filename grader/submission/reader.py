"""Reading a submission's files safely: regular files only, bounded, never blocking.

Every place the judge reads a student's files (discovery, notebooks, batch hashing, zip
extraction, the Gradescope entry point, the workflows through ``grade``) goes through this
module, because a submission is hostile input that the judge handles *before* any sandbox:

* only regular files and real folders are read.  A symbolic link (to a file or a folder), a
  device, a FIFO or a socket is *refused*, never followed or opened for reading: a link could
  point at the references, a classmate's work, a hidden check or a system file, and a FIFO
  would block the reader forever.  Files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and
  checked with ``fstat`` after opening (the name cannot be swapped for something else between
  the look and the read);
* a submission inside ``/proc``, ``/sys`` or ``/dev`` is refused as a whole;
* sizes are capped (per file, by kind, and in total), and so are the folder depth and the
  number of entries looked at; the code handed to the worker is capped at what the sandbox
  carries (:attr:`Limits.code_bytes`, :attr:`Limits.code_files`: the largest files are left
  out first, each saying why, by :func:`grader.submission.discover.build`);
* the walk runs under a deadline (:class:`Budget`), so that no layout can stall grading.

A refused entry becomes a :class:`Refused`: its name as the student knows it and a message
saying what was wrong and what to submit instead.  Callers report it and grade the rest.
Raises: :class:`Refusal` (one file), :class:`grader.errors.UsageError` (the whole submission).
"""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _
from grader.errors import UsageError
from grader.sandbox.forkserver import CARRY_BYTES, CARRY_FILES

GRADABLE = (".py", ".ipynb")
# folders and files that are never a student's work: tool caches, editor and OS litter
IGNORED_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX", ".hypothesis",
                ".pytest_cache", ".venv", "venv", "node_modules", ".github", ".idea",
                ".vscode"}
SYSTEM_TREES = ("/proc", "/sys", "/dev")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on reading one submission (the defaults fit any honest homework many times)."""
    py_bytes: int = 2 * MB          # one .py file: source only
    notebook_bytes: int = 32 * MB   # one notebook, outputs (plots) included
    other_bytes: int = 2 * MB       # any other file the grader reads (metadata)
    total_bytes: int = 128 * MB     # everything read from one submission
    # the code handed to every worker (.py files, a notebook's code cells): what a sandboxed
    # worker's start-up request carries (grader/sandbox/forkserver.py); past it the largest
    # files are left out, each with a message (discover.py), in every sandbox mode
    code_bytes: int = CARRY_BYTES
    code_files: int = CARRY_FILES
    entries: int = 5000             # files and folders looked at
    depth: int = 8                  # folders below the submission's root
    seconds: float = 30.0           # the whole discovery

    def file_bytes(self, name: str) -> int:
        suffix = os.path.splitext(name)[1].lower()
        return {".py": self.py_bytes, ".ipynb": self.notebook_bytes}.get(suffix,
                                                                          self.other_bytes)


LIMITS = Limits()


class Refusal(Exception):
    """One entry cannot be read; ``str()`` is the message for the student."""


@dataclass
class Refused:
    name: str        # relative to the submission, as the student knows it
    message: str


class Budget:
    """A deadline for reading one submission (wall clock)."""

    def __init__(self, seconds: float = LIMITS.seconds):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def message(self, what: str) -> str:
        return _("{what} was not read: reading the submission took longer than {seconds} s "
                 "(it is too large or too deeply nested); submit only your .py files or "
                 "notebooks", what=what, seconds=f"{self.seconds:g}")


def _kind(mode: int) -> str | None:
    """What a non-regular, non-folder entry is, in words (None for a regular file/folder)."""
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _("not a regular file")


def refusal_message(name: str, mode: int) -> str:
    kind = _kind(mode)
    if stat.S_ISLNK(mode):
        return _("{name} is a symbolic link: the grader reads only regular files and folders "
                 "and never follows links.  Submit the file (or folder) itself, with your own "
                 "code in it, not a link.", name=name)
    return _("{name} is {kind}, not a regular file: the grader reads only regular files.  "
             "Submit your code as ordinary .py files or notebooks.", name=name, kind=kind)


def size_message(name: str, size: int, limit: int) -> str:
    hint = (_("clear the outputs (Kernel > Restart & Clear Output) and save it again")
            if name.lower().endswith(".ipynb") else _("submit the source code only, no data"))
    return _("{name} is too large to grade ({size} MB; at most {limit} MB): {hint}.",
             name=name, size=f"{size / MB:.1f}", limit=f"{limit / MB:g}", hint=hint)


def is_real_folder(path: Path) -> bool:
    """A folder, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def check_root(path: Path) -> None:
    """Refuse a submission that is itself a link, a special file or inside /proc, /sys, /dev.

    Raises UsageError (the whole submission cannot be graded) with the reason.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise UsageError(_("submission not found: {path}", path=path)) from None
    except OSError as exc:
        raise UsageError(_("cannot read the submission {path}: {error}", path=path,
                           error=exc.strerror or exc)) from None
    if _kind(info.st_mode) is not None:
        raise UsageError(refusal_message(path.name or str(path), info.st_mode))
    real = os.path.realpath(path)
    if any(real == tree or real.startswith(tree + os.sep) for tree in SYSTEM_TREES):
        raise UsageError(_("cannot grade {path}: it is a system folder, not a submission",
                           path=path))


def read_bytes(path: Path, name: str | None = None, *, limit: int | None = None,
               root: Path | None = None) -> bytes:
    """The bytes of one regular file, read without following a link or blocking.

    ``name`` is what messages call the file (default: its name); ``limit`` the most bytes
    (default: by kind, :data:`LIMITS`); ``root``, when given, is the submission's folder: the
    file's folder must be inside it (no folder swapped for a link on the way).
    Raises :class:`Refusal` with a message for the student.
    """
    path = Path(path)
    name = name or path.name
    limit = LIMITS.file_bytes(path.name) if limit is None else limit
    if root is not None:
        real_root = os.path.realpath(root)
        real_parent = os.path.realpath(path.parent)
        if real_parent != real_root and not real_parent.startswith(real_root + os.sep):
            raise Refusal(_("{name} is reached through a symbolic link: the grader never "
                            "follows links.  Submit the folder itself.", name=name))
    fd = _open_fd(path, name)
    try:
        info = os.fstat(fd)
        if info.st_size > limit:
            raise Refusal(size_message(name, info.st_size, limit))
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 * MB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:          # grew while being read, or lied about its size
                raise Refusal(size_message(name, total, limit))
        return b"".join(chunks)
    except BlockingIOError:
        raise Refusal(refusal_message(name, stat.S_IFIFO)) from None
    finally:
        os.close(fd)


def open_regular(path: Path, name: str | None = None, limit: int | None = None):
    """A binary file object for a regular file, opened as :func:`read_bytes` opens it (for
    readers that stream, such as zipfile).  Raises :class:`Refusal`."""
    name = name or Path(path).name
    fd = _open_fd(Path(path), name)
    size = os.fstat(fd).st_size
    if limit is not None and size > limit:
        os.close(fd)
        raise Refusal(size_message(name, size, limit))
    return os.fdopen(fd, "rb")


def _open_fd(path: Path, name: str) -> int:
    """Open without following a link, without blocking, without taking a terminal; refuse
    anything that is not a regular file (checked on the open descriptor)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = 0
        if mode and _kind(mode) is not None:
            raise Refusal(refusal_message(name, mode)) from None
        raise Refusal(_("could not read {name}: {error}", name=name,
                        error=exc.strerror or exc)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Refusal(refusal_message(name, mode))
    return fd


@dataclass
class Listing:
    """What a walk of a submission found: regular files and refused entries, by name."""
    root: Path
    files: list[str] = field(default_factory=list)      # relative, "/"-separated, sorted
    dirs: list[str] = field(default_factory=list)       # relative folders walked ("" = root)
    refused: list[Refused] = field(default_factory=list)
    sizes: dict = field(default_factory=dict)           # relative name -> bytes
    stopped: str | None = None                          # why the walk ended early


def wrong_case_message(name: str) -> str:
    """For ``DROPOUT.PY``: seen, not graded, and why."""
    stem, suffix = os.path.splitext(name)
    right = f"{stem.lower()}{suffix.lower()}"
    return _("{name} was seen but not graded: Python imports only files whose names end in "
             "{suffix} (lower case).  Rename it {right}.", name=name, suffix=suffix.lower(),
             right=right)


def is_litter(name: str) -> bool:
    """Files no student wrote: macOS resource forks and folder settings, editor backups."""
    return name.startswith(".") or name.startswith("._") or name.endswith("~")


def looks_gradable(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in GRADABLE


def walk(root: Path, *, recursive: bool = True, limits: Limits = LIMITS,
         budget: Budget | None = None) -> Listing:
    """List a submission folder without following links: every regular file, every refusal.

    Links, devices, FIFOs and sockets whose names look like a student's work (``.py``,
    ``.ipynb``) or that stand for a folder are refused with a message; other odd entries are
    skipped silently (they are not read).  Ignored folders (:data:`IGNORED_DIRS`) and hidden
    or macOS litter files are skipped.  The walk stops (``stopped`` says why) past
    ``limits.entries`` entries or the budget's deadline; folders deeper than ``limits.depth``
    are refused by name.
    """
    root = Path(root)
    check_root(root)
    budget = budget or Budget(limits.seconds)
    listing = Listing(root)
    pending = [""]
    seen = 0
    while pending:
        rel = pending.pop(0)
        listing.dirs.append(rel)
        folder = root / rel if rel else root
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            listing.refused.append(Refused(rel or ".", _(
                "could not read the folder {folder}: {error}", folder=rel or ".",
                error=exc.strerror or exc)))
            continue
        for entry in entries:
            seen += 1
            if seen > limits.entries:
                listing.stopped = _("the submission has more than {count} files and "
                                    "folders: only the first were looked at; submit only "
                                    "your .py files or notebooks", count=limits.entries)
                return listing
            if budget.expired():
                listing.stopped = budget.message(_("part of the submission"))
                return listing
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                if entry.name in IGNORED_DIRS or entry.name.startswith("."):
                    continue
                if not recursive:
                    continue
                if name.count("/") + 1 > limits.depth:
                    listing.refused.append(Refused(name, _(
                        "{name} is nested more than {depth} folders deep: it was not looked "
                        "at; keep your files near the top of the submission", name=name,
                        depth=limits.depth)))
                    continue
                pending.append(name)
            elif stat.S_ISREG(mode):
                if is_litter(entry.name):
                    continue
                listing.files.append(name)
                listing.sizes[name] = info.st_size
            elif is_litter(entry.name):
                continue
            elif stat.S_ISLNK(mode) or looks_gradable(entry.name):
                # a link to a folder or to anything else is refused by name: it could stand
                # for the student's work (exercises -> ../solutions, a classmate's file)
                listing.refused.append(Refused(name, refusal_message(name, mode)))
    listing.files.sort()
    return listing


def code_size_message(name: str, size: int, count: int, limits: Limits = LIMITS) -> str:
    """Why ``name`` was left out of a submission whose code (``size`` bytes in ``count``
    files) is more than a worker takes."""
    return _("{name} was left out: the submission's code adds up to {size} MB in {count} "
             "files, more than the grader takes from one submission ({limit} MB in {files} "
             "files), and its largest files are left out first.  Submit only your own code: "
             "no data or copied libraries in .py files.", name=name,
             size=f"{size / MB:.1f}", count=count, limit=f"{limits.code_bytes / MB:g}",
             files=limits.code_files)


class TotalBytes:
    """The running total of bytes read from one submission, against its cap."""

    def __init__(self, limits: Limits | None = None):
        self.limit = (limits or LIMITS).total_bytes
        self.used = 0

    def take(self, name: str, size: int) -> None:
        if self.used + size > self.limit:
            raise Refusal(_("{name} was not read: the submission is larger than {limit} MB "
                            "in all; submit only your code", name=name,
                            limit=f"{self.limit / MB:g}"))
        self.used += size
