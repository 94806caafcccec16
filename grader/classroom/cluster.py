"""``grade batch FOLDER --scheduler tcp://HOST:8786``: grading a class on a Dask cluster.

The coordinator (this process, :func:`run_on_cluster`, the runner that
:func:`grader.classroom.batch.grade_class` calls once it has found the entries and skipped
what the gradebook holds) does what it does for local slots, with Dask in place of the slots:

* it reads and hashes every submission itself, with the one safe reader, and sends what it
  read as bytes (:mod:`grader.classroom.payload`): no file system is shared with the workers;
  the content hash recorded is the hash of exactly what was sent;
* it asks every worker which checks it has installed (:func:`dask_worker.installed_checks`)
  and sends work only to workers whose checks hash is its own; a worker that is stale anyway
  refuses the task (:mod:`grader.classroom.dask_worker`), which is then sent to the others,
  and a submission no worker can grade is left ungraded, said, and counted as ``refused``;
* it is the only writer of the gradebook: each result is written, in one transaction, when
  its task completes; a task re-run by Dask after a lost worker still completes once, so every
  student is in the gradebook once; resuming after a crash of the coordinator skips what is
  recorded (as for local slots);
* faults are Dask's to retry: a worker lost in the middle of a submission (``kill -9``, out of
  memory) has its task re-run on another worker by the scheduler, up to
  ``distributed.scheduler.allowed-failures`` times, after which the submission is recorded as
  ``crashed``; a submission that kills its grading slot is tried ``RETRIES`` more times (the
  task's Dask ``retries``), then recorded as ``crashed``.  Nannies restart lost workers.

At most ``WINDOW`` submissions per worker thread are in flight, so a class of thousands is not
held in memory at once; ``jobs`` (``grade batch --scheduler … --jobs N``) caps the submissions
in flight, so at most N are graded at once on the cluster (a class sharing a cluster with
others; how many one worker grades at once is its own ``--nthreads``).  Progress goes to the same ``progress`` callback as local slots.
"""
from __future__ import annotations

import re
from concurrent.futures import CancelledError
from dataclasses import asdict

from grader.classroom import payload
from grader.classroom.batch import Entry, Summary, slot_killed_message, timeout_message
from grader.classroom.gradebook import Gradebook, Record
from grader.errors import InternalError, UsageError
from grader.i18n import _

RETRIES = 1                 # a submission that kills its slot: tried once more (as locally)
WINDOW = 4                  # submissions in flight per worker thread
WORKERS_WAIT = 60.0         # seconds to wait for a first worker
CONNECT_TIMEOUT = 30.0      # seconds to reach the scheduler


def on_cluster(scheduler: str, log=None, jobs: int | None = None):
    """The ``runner`` of :func:`grader.classroom.batch.grade_class` that grades on the Dask
    cluster at ``scheduler``, at most ``jobs`` submissions at once (None: as many as the
    cluster's worker threads); ``log(line)`` hears what the cluster says (its dashboard, the
    workers, stale ones, what could not be graded).  Raises UsageError when ``jobs`` < 1."""
    if jobs is not None and jobs < 1:
        raise UsageError(_("--jobs {jobs}: at least one submission must be graded at once",
                           jobs=jobs))

    def runner(assignment, todo, gradebook, checks, summary, sandbox, timeout, progress):
        run_on_cluster(assignment, todo, gradebook, checks, summary, scheduler, sandbox,
                       timeout, progress, log, jobs)
    return runner


def run_on_cluster(assignment, todo: list[Entry], gradebook: Gradebook, checks: str,
                   summary: Summary, scheduler: str, sandbox: str, timeout: float,
                   progress=None, log=None, jobs: int | None = None) -> None:
    """Grade ``todo`` on the Dask cluster at ``scheduler`` and record every result.

    Raises UsageError when the scheduler cannot be reached or no worker joins it."""
    from distributed import Client, as_completed

    log = log or (lambda line: None)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(_("--scheduler {scheduler}: cannot reach the Dask scheduler ({error})",
                           scheduler=scheduler, error=exc)) from None
    try:
        if client.dashboard_link:
            log(_("Dask dashboard: {link}", link=client.dashboard_link))
        try:
            client.wait_for_workers(1, timeout=WORKERS_WAIT)
        except TimeoutError:
            raise UsageError(_("--scheduler {scheduler}: no Dask worker joined within "
                               "{seconds} s (start them with: dask worker {scheduler} "
                               "--preload grader.classroom.dask_worker)",
                               scheduler=scheduler, seconds=f"{WORKERS_WAIT:g}")) from None
        limits = asdict(assignment.limits)
        coordinator = _Coordinator(client, assignment, gradebook, checks, summary, sandbox,
                                   timeout, limits, progress, log, jobs)
        coordinator.survey()
        coordinator.run(todo, as_completed)
    finally:
        client.close()


class _Coordinator:
    def __init__(self, client, assignment, gradebook, checks, summary, sandbox, timeout,
                 limits, progress, log, jobs=None):
        self.client = client
        self.assignment = assignment
        self.gradebook = gradebook
        self.checks = checks
        self.summary = summary
        self.sandbox = sandbox
        self.timeout = timeout
        self.limits = limits
        self.progress = progress
        self.log = log
        self.jobs = jobs
        self.stale: dict[str, str] = {}        # worker address -> why it grades nothing

    # ------------------------------------------------------------------ the workers
    def survey(self) -> None:
        """Ask every worker for its installed checks; note the stale ones."""
        from grader.classroom.dask_worker import installed_checks
        answers = self.client.run(installed_checks, self.limits, on_error="return")
        for address, answer in sorted(answers.items()):
            if answer == self.checks:
                continue
            if answer is None:
                why = _("started without the grader's preload (--preload "
                        "grader.classroom.dask_worker)")
            elif isinstance(answer, dict) and "broken" in answer:
                why = _("its course could not be loaded ({error})", error=answer["broken"])
            elif isinstance(answer, str):
                why = _("checks hash {theirs}, the coordinator's is {ours}",
                        theirs=answer[:12], ours=self.checks[:12])
            else:
                why = _("could not say which checks it has ({answer})", answer=repr(answer))
            self._stale(address, why)
        good = len(answers) - len(self.stale)
        if self.stale:
            self.log(_("Dask cluster: {good} worker(s) with the coordinator's checks {checks}, "
                       "{refused} refused", good=good, checks=self.checks[:12],
                       refused=len(self.stale)))
        else:
            self.log(_("Dask cluster: {good} worker(s) with the coordinator's checks {checks}",
                       good=good, checks=self.checks[:12]))

    def _stale(self, address: str, why: str) -> None:
        if address not in self.stale:
            self.stale[address] = why
            self.log(_("worker {address} grades nothing: {why}", address=address, why=why))

    def _usable(self) -> list[str] | None:
        """The workers to send work to: None (any) while none is stale."""
        if not self.stale:
            return None
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        return sorted(a for a in workers if a not in self.stale)

    # ------------------------------------------------------------------ the tasks
    def _task(self, entry: Entry) -> dict | Record:
        """What a worker needs to grade ``entry``, or the record of why it cannot be read."""
        from grader.submission import discover
        names = self.assignment.names
        try:
            submission = discover.load(entry.path, names, all_names=names)
        except Exception as exc:  # noqa: BLE001 - as a local slot reports it: crashed
            return Record(entry.student, entry.name, entry.content_hash, self.checks,
                          "crashed", message=f"{type(exc).__name__}: {exc}")
        entry.content_hash = submission.digest()      # what is sent is what is recorded
        label = entry.label or entry.name
        return {"label": label, "notes": list(entry.notes), "checks_hash": self.checks,
                "limits": self.limits, "language": self.assignment.language,
                "sandbox": self.sandbox, "timeout": self.timeout,
                "content_hash": entry.content_hash,
                "payload": payload.pack(submission, label)}

    def _submit(self, task: dict, index: int, attempt: int):
        from grader.classroom.dask_worker import grade_on_worker
        workers = self._usable()
        if workers == []:
            return None
        key = f"grade-{_key_part(task['label'])}-{task['content_hash'][:8]}-{index}-{attempt}"
        return self.client.submit(grade_on_worker, task, key=key, pure=False, retries=RETRIES,
                                  workers=workers, allow_other_workers=False)

    def run(self, todo: list[Entry], as_completed) -> None:
        waiting = list(enumerate(todo))
        waiting.reverse()
        flight: dict = {}                 # future key -> (index, entry, task, attempt)
        running = as_completed(loop=self.client.loop)

        def refill():
            threads = sum(self.client.nthreads().values()) or 1
            most = WINDOW * threads if self.jobs is None else min(self.jobs, WINDOW * threads)
            while waiting and len(flight) < most:
                index, entry = waiting.pop()
                task = self._task(entry)
                if isinstance(task, Record):
                    self._finish(entry, task)
                    continue
                self._send(running, flight, index, entry, task, 0)

        refill()
        for future in running:
            index, entry, task, attempt = flight.pop(future.key)
            reply = self._reply(future, entry)
            if isinstance(reply, dict) and "refused" in reply:
                self._stale(reply.get("worker", "?"), reply["refused"])
                self._send(running, flight, index, entry, task, attempt + 1)
            else:
                self._finish(entry, reply)
            future.release()
            refill()

    def _send(self, running, flight, index, entry, task, attempt) -> None:
        future = self._submit(task, index, attempt)
        if future is None:
            self.summary.refused += 1
            self.log(_("{student}: not graded: no worker has the coordinator's checks",
                       student=entry.student))
            if self.progress:
                self.progress(entry, "refused")
            return
        flight[future.key] = (index, entry, task, attempt)
        running.add(future)

    def _reply(self, future, entry: Entry) -> dict | Record:
        from distributed import KilledWorker
        from grader.classroom.dask_worker import GradingProcessDied
        try:
            return future.result()
        except KilledWorker:
            return self._crashed(entry, _("grading this submission killed the Dask worker "
                                          "every time it was tried (the scheduler's "
                                          "allowed-failures were used up)"))
        except GradingProcessDied:
            return self._crashed(entry, slot_killed_message())
        except (CancelledError, OSError) as exc:
            # the cluster's fault, never the student's: nothing recorded, the batch resumes
            raise InternalError(_("lost the Dask cluster while grading {student} ({error}); "
                                  "what was graded is in the gradebook: run the same command "
                                  "again to grade the rest", student=entry.student,
                                  error=f"{type(exc).__name__}: {exc}")) from None
        except Exception as exc:  # noqa: BLE001 - the task raised: as a slot's error reply
            return self._crashed(entry, f"{type(exc).__name__}: {exc}")

    def _crashed(self, entry: Entry, message: str) -> Record:
        return Record(entry.student, entry.name, entry.content_hash, self.checks, "crashed",
                      message=message)

    def _finish(self, entry: Entry, reply: dict | Record) -> None:
        from grader.classroom.batch import record_for_all
        record = reply if isinstance(reply, Record) else self._record(entry, reply)
        record_for_all(self.gradebook, entry, record)
        self.summary.count(record.status)
        if record.status == "graded":
            self.summary.scores.append(record.score)
        if self.progress:
            self.progress(entry, record.status)

    def _record(self, entry: Entry, reply: dict) -> Record:
        """A worker's reply as the gradebook's record (the same as a local slot's)."""
        base = (entry.student, entry.name, entry.content_hash, self.checks)
        if "result" in reply:
            result = reply["result"]
            return Record(*base, "graded", result["score"], result["max_score"], None, result,
                          reply.get("seconds"))
        if "timeout" in reply:
            result = reply["timeout"]
            return Record(*base, "timeout", result["score"], result["max_score"],
                          timeout_message(self.timeout), result, self.timeout)
        return Record(*base, "crashed", message=reply.get("error", "no reply"),
                      seconds=reply.get("seconds"))


def _key_part(label: str) -> str:
    """A Dask key fragment naming the submission (shown on the dashboard)."""
    return re.sub(r"[^A-Za-z0-9_.]+", "_", label)[:40] or "submission"
