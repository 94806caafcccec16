"""grade batch on a Dask cluster (issue 18 §1): a local cluster of 2 worker processes, each
started with the grader's preload, grading a one-exercise assignment (kept cheap: two public
checks of corr2d).

The scheduler keeps one task per worker thread (worker-saturation 1.0, the README's setting
for grading); the test of a submission that kills its worker every time lowers Dask's
allowed-failures to 1 for its duration, so that it is recorded as crashed after two tries.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

from grader import assignment as assignment_mod  # noqa: E402
from grader.classroom import batch, cluster as cluster_mod, payload  # noqa: E402
from grader.classroom.dask_worker import grade_on_worker  # noqa: E402
from grader.classroom.gradebook import Gradebook  # noqa: E402
from grader.submission import discover  # noqa: E402

from conftest import ROOT, write_assignment  # noqa: E402

CHECKS = {"corr2d": ["book_example", "output_shape"]}
SOLUTION = (ROOT / "solutions" / "convolution.py").read_text()
MUTANT = (ROOT / "tests/mutants/corr2d/flipped_kernel.py").read_text()
COMPARED = ("student", "entry", "status", "score", "max_score", "message", "content_hash",
            "checks_hash", "result", "attempt")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    return write_assignment(folder / "cluster.toml", CHECKS)


@pytest.fixture(scope="module")
def cluster(course):
    from distributed import LocalCluster
    # a restarted worker may take a while on a busy machine: LocalCluster must not give its
    # nanny up meanwhile (after lost-worker-timeout it closes a worker that has not come back)
    settings = {"distributed.scheduler.worker-saturation": 1.0,
                "distributed.deploy.lost-worker-timeout": "600s"}
    with dask.config.set(settings):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                             dashboard_address=":0",
                             preload=["grader.classroom.dask_worker"],
                             preload_argv=["--assignment", str(course), "--sandbox", "process"])
        try:
            yield local
        finally:
            local.close()


@pytest.fixture
def client(cluster):
    from distributed import Client
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


def folder_with(path: Path, source: str) -> Path:
    path.mkdir(parents=True)
    (path / "convolution.py").write_text(source)
    return path


def mixed_class(root: Path) -> Path:
    """A folder, a wrong answer, a notebook, a zipped folder, an entry without code."""
    folder_with(root / "alice", SOLUTION)
    folder_with(root / "bob", SOLUTION + "\n" + MUTANT)
    from nbformat import v4, writes
    notebook = v4.new_notebook(cells=[v4.new_markdown_cell("# 卷积"),
                                      v4.new_code_cell(SOLUTION)])
    (root / "carol.ipynb").write_text(writes(notebook))
    with zipfile.ZipFile(root / "frank.zip", "w") as archive:
        archive.writestr("homework/convolution.py", SOLUTION)
    (root / "gina").mkdir()
    (root / "gina" / "notes.txt").write_text("no code here")
    return root


def rows(book_path: Path) -> dict:
    with Gradebook(book_path) as book:
        return {item["student"]: {k: item[k] for k in COMPARED} for item in book.current()}


def test_payload_round_trip_and_refuses_what_was_not_announced(tmp_path):
    spec = assignment_mod.load(write_assignment(tmp_path / "a.toml", CHECKS))
    root = mixed_class(tmp_path / "class")
    submission = discover.load(root / "carol.ipynb", spec.names, all_names=spec.names)
    data = payload.pack(submission, "carol.ipynb")
    again = payload.unpack(data, submission.digest())
    assert again.units == submission.units and again.notes == submission.notes
    assert payload.pack(again, "carol.ipynb") == data
    with pytest.raises(payload.PayloadError, match="does not match the content hash"):
        payload.unpack(data.replace(b"return", b"retur\\u006e 1 +", 1), submission.digest())
    with pytest.raises(payload.PayloadError, match="malformed"):
        payload.unpack(data[:100], submission.digest())


def test_cluster_gradebook_equals_local_slots(tmp_path, course, cluster):
    root = mixed_class(tmp_path / "class")
    spec = assignment_mod.load(course)
    with Gradebook(tmp_path / "local.db") as book:
        batch.grade_class(spec, root, book, jobs=2, sandbox="process", timeout=240)
    grade = str(Path(sys.executable).with_name("grade"))
    command = [grade, "batch", str(root), "--gradebook", str(tmp_path / "dask.db"),
               "--assignment", str(course), "--sandbox", "process", "--timeout", "240"]
    env = dict(os.environ, DASK_SCHEDULER_ADDRESS=cluster.scheduler_address)
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Dask dashboard: http" in run.stderr
    assert "2 worker(s) with the coordinator's checks" in run.stderr
    assert f"on the Dask cluster at {cluster.scheduler_address}" in run.stdout
    local, dask_rows = rows(tmp_path / "local.db"), rows(tmp_path / "dask.db")
    assert {s: r["status"] for s, r in dask_rows.items()} == {
        "alice": "graded", "bob": "graded", "carol": "graded", "frank": "graded",
        "gina": "malformed"}
    assert dask_rows == local
    # resuming: everything is in the gradebook already, nothing is sent again
    again = subprocess.run(command + ["--scheduler", cluster.scheduler_address],
                           capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "0 graded" in again.stdout and "5 already in the gradebook" in again.stdout
    assert rows(tmp_path / "dask.db") == dask_rows


def _grade_in_thread(spec, root, book_path, scheduler, timeout=240):
    outcome = {}

    def work():
        try:
            with Gradebook(book_path) as book:
                outcome["summary"] = batch.grade_class(spec, root, book, jobs=1,
                                                       sandbox="process", timeout=timeout,
                                                       runner=cluster_mod.on_cluster(scheduler))
        except BaseException as exc:  # noqa: BLE001 - the test asserts on it
            outcome["error"] = exc
    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


def test_worker_killed_mid_submission_reruns_elsewhere(tmp_path, course, cluster, client):
    marker = tmp_path / "started.txt"
    slow = (f"import time\nwith open({str(marker)!r}, 'a') as _f:\n    _f.write('x')\n"
            "time.sleep(8)\n")
    root = tmp_path / "class"
    folder_with(root / "alice", SOLUTION)
    folder_with(root / "slow", slow + SOLUTION)
    folder_with(root / "zoe", SOLUTION)
    spec = assignment_mod.load(course)
    thread, outcome = _grade_in_thread(spec, root, tmp_path / "book.db",
                                       cluster.scheduler_address)
    deadline = time.monotonic() + 400
    while not marker.exists() and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.2)
    assert marker.exists(), outcome
    victim = next(address for address, keys in client.processing().items()
                  if any("grade-slow-" in str(key) for key in keys))
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)                       # in the middle of grading "slow"
    thread.join(600)
    assert not thread.is_alive() and "error" not in outcome, outcome
    summary = outcome["summary"]
    assert (summary.graded, summary.crashed) == (3, 0)
    with Gradebook(tmp_path / "book.db") as book:
        assert book.counts() == {"rows": 3, "current": 3}      # every student once
        assert {i["student"]: i["score"] for i in book.current()} == {
            "alice": 2, "slow": 2, "zoe": 2}
    assert marker.read_text() == "xx"                  # graded twice: killed, then elsewhere
    client.wait_for_workers(2, timeout=300)            # the nanny restarted the lost worker


def _allowed_failures(count, dask_scheduler=None):
    dask_scheduler.allowed_failures = count


def test_submission_that_kills_its_worker_is_crashed_and_the_cluster_survives(
        tmp_path, course, cluster, client):
    # process mode only (bubblewrap hides the grader's processes): the submission's code
    # walks up its ancestors (fork server, grading slot, Dask worker: the two last started
    # by multiprocessing's spawn) and kills the Dask worker, every time it is graded
    killer = ("import os, signal\n"
              "pid, spawned = os.getpid(), 0\n"
              "while pid > 1 and spawned < 2:\n"
              "    pid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
              "    spawned += b'spawn_main' in open(f'/proc/{pid}/cmdline', 'rb').read()\n"
              "if spawned == 2:\n"
              "    os.kill(pid, signal.SIGKILL)\n")
    root = tmp_path / "class"
    folder_with(root / "alice", SOLUTION)
    folder_with(root / "mallory", killer + SOLUTION)
    spec = assignment_mod.load(course)
    client.run_on_scheduler(_allowed_failures, 1)
    try:
        thread, outcome = _grade_in_thread(spec, root, tmp_path / "book.db",
                                           cluster.scheduler_address)
        thread.join(900)
    finally:
        client.run_on_scheduler(_allowed_failures, dask.config.get(
            "distributed.scheduler.allowed-failures"))
    assert not thread.is_alive() and "error" not in outcome, outcome
    with Gradebook(tmp_path / "book.db") as book:
        current = {i["student"]: i for i in book.current()}
        assert book.counts() == {"rows": 2, "current": 2}
    assert current["alice"]["status"] == "graded" and current["alice"]["score"] == 2
    assert current["mallory"]["status"] == "crashed"
    assert "killed the Dask worker every time" in current["mallory"]["message"]
    client.wait_for_workers(2, timeout=300)            # the cluster is still whole
    assert len(client.scheduler_info()["workers"]) == 2


def test_stale_workers_refuse_and_nothing_is_recorded(tmp_path, cluster, client):
    # the coordinator's course differs from the workers' (another call deadline)
    changed = write_assignment(tmp_path / "changed.toml", CHECKS, call_timeout=11)
    spec = assignment_mod.load(changed)
    root = tmp_path / "class"
    folder_with(root / "alice", SOLUTION)
    grade = str(Path(sys.executable).with_name("grade"))
    # in Chinese (the coordinator's lines, like the rest of grade batch: README "Dask")
    run = subprocess.run([grade, "batch", str(root), "--gradebook", str(tmp_path / "book.db"),
                          "--assignment", str(changed), "--sandbox", "process",
                          "--scheduler", cluster.scheduler_address, "--lang", "zh_CN"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 3, run.stderr
    assert run.stderr.count("不评分：检查哈希为 ") == 2, run.stderr
    assert "Dask 集群：0 个工作进程的检查与协调者的一致" in run.stderr
    assert "Dask 仪表盘：http" in run.stderr
    assert "alice：未评分：没有工作进程具有协调者的检查" in run.stderr
    assert "1 份未评分" in run.stderr and "已评分 0 份" in run.stdout
    with Gradebook(tmp_path / "book.db") as book:
        assert book.current() == []
    # a task that reaches a stale worker anyway is refused there, not graded
    submission = discover.load(root / "alice", spec.names, all_names=spec.names)
    from dataclasses import asdict
    task = {"label": "alice", "notes": [], "checks_hash": batch.checks_hash(spec),
            "limits": asdict(spec.limits), "sandbox": "process", "timeout": 60,
            "content_hash": submission.digest(), "payload": payload.pack(submission, "alice")}
    reply = client.submit(grade_on_worker, task, pure=False).result(timeout=120)
    assert set(reply) == {"refused", "worker"}
    assert "stale checks" in reply["refused"] and task["checks_hash"][:12] in reply["refused"]
    # the refusal is in the coordinator's language (it shows it)
    reply = client.submit(grade_on_worker, dict(task, language="zh_CN"),
                          pure=False).result(timeout=120)
    assert reply["refused"].startswith(f"检查已过期：这个工作进程（{reply['worker']}）")


def test_a_scheduler_that_cannot_be_reached_is_a_usage_error(tmp_path, course, monkeypatch):
    from grader.errors import UsageError
    monkeypatch.setattr(cluster_mod, "CONNECT_TIMEOUT", 2.0)
    root = tmp_path / "class"
    folder_with(root / "alice", SOLUTION)
    with Gradebook(tmp_path / "book.db") as book, \
            pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        batch.grade_class(assignment_mod.load(course), root, book, jobs=1, sandbox="process",
                          timeout=60, runner=cluster_mod.on_cluster("tcp://127.0.0.1:9"))
    from grader.i18n import language
    with language("zh_CN"), Gradebook(tmp_path / "book.db") as book, \
            pytest.raises(UsageError, match="tcp://127.0.0.1:9：无法连接 Dask 调度器（"):
        batch.grade_class(assignment_mod.load(course), root, book, jobs=1, sandbox="process",
                          timeout=60, runner=cluster_mod.on_cluster("tcp://127.0.0.1:9"))


def _dask_worker(tmp_path: Path, name: str, args: list[str], env: dict | None = None):
    """A real ``dask worker`` process (one worker process, its nanny), its log in a file."""
    dask_cli = str(Path(sys.executable).with_name("dask"))
    log = tmp_path / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([dask_cli, "worker", *args], stdout=out, stderr=out,
                                   cwd=tmp_path, env=dict(os.environ, **(env or {})),
                                   start_new_session=True)
    return process, log


def test_dask_worker_command_line_takes_the_preload_options(tmp_path, course, cluster, client):
    # the README's recipe (the scheduler address first), and the two ways of giving the
    # address that let dask take the preload's first option as the address: each worker has
    # the course given by --assignment (its working directory is no course) and warms a slot
    # of the --sandbox given; a course that does not exist is refused before anything starts
    address = cluster.scheduler_address
    (tmp_path / "scheduler.json").write_text(json.dumps({"address": address}))
    preload = ["--nthreads", "1", "--preload", "grader.classroom.dask_worker"]
    forms = {
        "readme": ([address, *preload, "--assignment", str(course), "--sandbox", "process"],
                   None),
        "file": (["--scheduler-file", "scheduler.json", *preload, "--assignment", str(course),
                  "--sandbox", "process"], None),
        "env": ([*preload, f"--assignment={course}", "--sandbox=process"],
                {"DASK_SCHEDULER_ADDRESS": address}),
        "missing": ([address, *preload, "--assignment", "nowhere.toml"], None)}
    started = {name: _dask_worker(tmp_path, name, args, env)
               for name, (args, env) in forms.items()}
    try:
        missing, missing_log = started.pop("missing")
        assert missing.wait(120) == 2
        assert "'--assignment': Path 'nowhere.toml' does not exist" in missing_log.read_text()
        wanted = f"assignment {course}, checks hash "
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not all(
                wanted in log.read_text() for _, log in started.values()):
            assert all(p.poll() is None for p, _ in started.values()), {
                name: log.read_text()[-2000:] for name, (_, log) in started.items()}
            time.sleep(0.3)
        for name, (_, log) in started.items():
            text = log.read_text()
            assert wanted in text and "sandbox process" in text, (name, text[-2000:])
        client.wait_for_workers(2 + len(started), timeout=120)
        spec = assignment_mod.load(course)
        from dataclasses import asdict
        from grader.classroom.dask_worker import installed_checks
        answers = client.run(installed_checks, asdict(spec.limits))
        assert set(answers.values()) == {batch.checks_hash(spec)}, answers
    finally:
        for process, _ in started.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in started.values():
            process.wait(60)
    deadline = time.monotonic() + 60
    while len(client.scheduler_info()["workers"]) > 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(client.scheduler_info()["workers"]) == 2


def test_preload_options_dask_took_for_its_scheduler_address_are_given_back(monkeypatch):
    from grader.classroom.dask_worker import _from_command_line, dask_setup
    worker = ["/venv/bin/dask", "worker", "--scheduler-file", "s.json", "--nthreads", "1",
              "--preload", "grader.classroom.dask_worker"]
    cases = [
        (["--assignment", "a.toml", "--sandbox", "bwrap"], ["a.toml", "--sandbox", "bwrap"]),
        (["--assignment=a.toml"], []),
        (["--sandbox=process", "--assignment=a.toml"], ["--assignment=a.toml"]),
    ]
    for tail, given in cases:
        monkeypatch.setattr(sys, "argv", worker + tail)
        assert _from_command_line(dask_setup, given) == tail
    # nothing taken (the address on the command line), or not a dask worker: unchanged
    monkeypatch.setattr(sys, "argv", worker[:2] + ["tcp://h:8786"] + worker[2:] + cases[0][0])
    assert _from_command_line(dask_setup, cases[0][0]) == cases[0][0]
    monkeypatch.setattr(sys, "argv", ["/venv/bin/bench_batch.py", "--sandbox", "process"])
    assert _from_command_line(dask_setup, ["--assignment", "a.toml"]) == [
        "--assignment", "a.toml"]


def test_a_worker_whose_course_cannot_be_loaded_grades_nothing_and_says_why(tmp_path,
                                                                            monkeypatch):
    from types import SimpleNamespace
    from grader.classroom.dask_worker import PLUGIN_NAME, GraderPlugin, installed_checks
    from grader.sandbox import harden
    monkeypatch.setattr(harden, "not_dumpable", lambda: None)    # this is the test process
    broken = tmp_path / "pyproject.toml"
    broken.write_text("[tool.grader\n")                    # not TOML
    plugin = GraderPlugin(str(broken), "process")
    worker = SimpleNamespace(address="tcp://10.0.0.7:4000", plugins={PLUGIN_NAME: plugin})
    plugin.setup(worker)
    answer = installed_checks({}, dask_worker=worker)
    assert set(answer) == {"broken"} and "pyproject.toml" in answer["broken"]
    reply = plugin.grade({"label": "alice", "checks_hash": "0" * 64, "limits": {}})
    assert set(reply) == {"refused", "worker"} and reply["worker"] == worker.address
    assert reply["refused"] == (f"the course could not be loaded on this worker "
                                f"({worker.address}): {answer['broken']}")
    # the coordinator names it and sends it nothing
    lines = []
    client = SimpleNamespace(run=lambda *args, **kwargs: {worker.address: answer})
    coordinator = cluster_mod._Coordinator(client, None, None, "f" * 64, None, "process", 60,
                                           {}, None, lines.append)
    coordinator.survey()
    why = f"its course could not be loaded ({answer['broken']})"
    assert coordinator.stale == {worker.address: why}
    assert lines == [f"worker {worker.address} grades nothing: {why}",
                     f"Dask cluster: 0 worker(s) with the coordinator's checks {'f' * 12}, "
                     "1 refused"]
    reply = plugin.grade({"label": "alice", "checks_hash": "0" * 64, "limits": {},
                          "language": "zh_CN"})
    assert reply["refused"].startswith(f"无法在这个工作进程（{worker.address}）上加载课程：")


def test_jobs_caps_the_submissions_graded_at_once_on_the_cluster(tmp_path, course, cluster,
                                                                 monkeypatch):
    # --jobs N with --scheduler: at most N submissions in flight (so at most N graded at
    # once), whatever the cluster's threads (2 here); by default up to WINDOW per thread
    from grader.errors import UsageError
    in_flight = []
    send = cluster_mod._Coordinator._send

    def counting_send(self, running, flight, *args):
        send(self, running, flight, *args)
        in_flight.append(len(flight))
    monkeypatch.setattr(cluster_mod._Coordinator, "_send", counting_send)
    root = tmp_path / "class"
    for name in ("alice", "bob"):
        folder_with(root / name, SOLUTION)
    spec = assignment_mod.load(course)
    for jobs, most in ((1, 1), (None, 2)):
        in_flight.clear()
        with Gradebook(tmp_path / f"book-{jobs}.db") as book:
            summary = batch.grade_class(spec, root, book, jobs=1, sandbox="process",
                                        timeout=240, runner=cluster_mod.on_cluster(
                                            cluster.scheduler_address, jobs=jobs))
        assert summary.graded == 2 and max(in_flight) == most, (jobs, in_flight)
    with pytest.raises(UsageError, match="--jobs 0: at least one submission"):
        cluster_mod.on_cluster(cluster.scheduler_address, jobs=0)
