"""The grader as a separate process, started from the kernel: exactly ``grade -s``.

:func:`grade_notebook` runs ``python -m grader run --submission NOTEBOOK --format json`` (the
judge, which starts its own sandboxed workers) with the kernel's Python, in a new session,
and returns the parsed JSON result.  Nothing of the kernel's memory reaches it: a student's
monkeypatch of torch, of the grader's modules or of ``print`` in the kernel cannot touch the
result, since the judge is a fresh interpreter.  The environment is the kernel's less the
``PYTHON*`` variables (a ``PYTHONSTARTUP`` or ``PYTHONPATH`` set from the notebook would run or
shadow code in the judge); the grader is found where the kernel imported it from.

Progress comes back on stderr as JSON lines (``--progress-lines``) and is handed to a
callback; an interrupt (the kernel's stop button) stops the judge and everything it started.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _


class JudgeFailed(Exception):
    """The grader process did not produce a result; the message is for the student."""


@dataclass
class JudgeRun:
    result: dict
    seconds: float
    notes: list[str] = field(default_factory=list)     # what grade said on stderr


def _grader_root() -> Path:
    """The folder the kernel imported the grader package from (grader/kernel/ -> ../..)."""
    return Path(__file__).resolve().parent.parent.parent


def judge_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    root = str(_grader_root())
    if Path(root).name not in ("site-packages", "dist-packages"):
        env["PYTHONPATH"] = root
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def command(notebook: Path, exercises, checks=None, assignment=None,
            lang: str | None = None) -> list[str]:
    args = [sys.executable, "-m", "grader", "run", "--submission", str(notebook),
            "--format", "json", "--progress-lines"]
    if lang:                     # the kernel's choice: the judge writes every message in it
        args += ["--lang", lang]
    if checks:
        args += ["--checks", ",".join(checks)]
    if assignment is not None:
        args += ["--assignment", str(assignment)]
    return args + list(exercises)


def _pump(stream, lines: queue.Queue):
    for line in iter(stream.readline, b""):
        lines.put(line.decode("utf-8", "replace"))
    lines.put(None)


def grade_notebook(notebook: Path, exercises, *, checks=None, assignment=None, cwd=None,
                   on_progress=None, tick: float = 0.25, lang: str | None = None) -> JudgeRun:
    """Grade ``notebook`` in a fresh judge process; ``on_progress(done, total, exercise,
    seconds)`` is called on every progress line and every ``tick`` seconds."""
    start = time.monotonic()
    try:
        process = subprocess.Popen(command(notebook, exercises, checks, assignment, lang),
                                   cwd=cwd, env=judge_environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
    except OSError as exc:
        raise JudgeFailed(_("could not start the grader ({python}): {error}",
                            python=sys.executable, error=exc)) from None
    lines: queue.Queue = queue.Queue()
    out: list[bytes] = []
    readers = [threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True),
               threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True)]
    for reader in readers:
        reader.start()
    notes: list[str] = []
    state = (0, 0, "")
    try:
        finished = False
        while not finished:
            try:
                line = lines.get(timeout=tick)
            except queue.Empty:
                line = ""
            if line is None:
                finished = True
            elif line.strip():
                try:
                    data = json.loads(line)
                    done, total, exercise = data["progress"]
                    state = (int(done), int(total), str(exercise))
                except (ValueError, KeyError, TypeError):
                    notes.append(line.rstrip("\n"))
            if on_progress is not None:
                on_progress(*state, time.monotonic() - start)
        process.wait()
        for reader in readers:
            reader.join()
    except BaseException:
        stop(process)
        raise
    seconds = time.monotonic() - start
    stdout = b"".join(out).decode("utf-8", "replace")
    if process.returncode not in (0, 1):
        said = "\n".join(n for n in notes if n.strip()) or \
            _("exit status {code}", code=process.returncode)
        raise JudgeFailed(said.removeprefix("grade: error: "))
    try:
        result = json.loads(stdout)
        if not isinstance(result, dict) or result.get("schema") != "grader-result":
            raise ValueError("not a grader result")
    except ValueError:
        raise JudgeFailed(_("the grader's output could not be read:\n{output}",
                            output="\n".join(notes) + stdout[:2000])) from None
    return JudgeRun(result, seconds, [n for n in notes if n.strip()])


def stop(process: subprocess.Popen, grace: float = 2.0) -> None:
    """Stop the judge and its process group: SIGTERM, then SIGKILL after ``grace`` s."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
