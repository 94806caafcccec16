"""The worker: the only process that ever imports or runs student code.

Started by :mod:`grader.sandbox.process` as ``python -m grader.sandbox.worker``.  It reads requests from the
judge (pickled: the judge is trusted), runs them, and answers with :func:`grader.sandbox.wire.encode`
frames (plain data only: the judge never unpickles anything from here).  Everything in this
process may be tampered with by the student's code, so nothing it says is believed beyond
"this is the value that came back"; the judge decides what that value is worth.

Conversation, after the judge sends one start-up message:
    worker -> {"event": "importing", "module": m}   before each of the submission's modules
    worker -> {"event": "imported", "module": m, "error": ... | None}
    worker -> {"event": "ready"}
    then, for each request:  judge -> request,  worker -> {"event": "reply", ...}
"""
from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import pickle
import random
import resource
import signal
import struct
import sys
import textwrap
import time
import traceback

from grader.i18n import _, set_language

LIMITS_ENV = "GRADER_WORKER_LIMITS"
FDS_ENV = "GRADER_WORKER_FDS"
OUTPUT_CAP = 8192          # characters of a call's printed output kept for feedback


def apply_limits(limits: dict) -> None:
    """Resource limits, set before any student code exists in this process."""
    def cap(which, soft, hard=None):
        hard = soft if hard is None else hard
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass
    if limits.get("memory_mb"):
        size = int(limits["memory_mb"]) * 1024 * 1024
        cap(resource.RLIMIT_AS, size)
    if limits.get("cpu_seconds"):
        seconds = int(limits["cpu_seconds"])
        cap(resource.RLIMIT_CPU, seconds, seconds + 5)
    if limits.get("file_mb"):
        cap(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * 1024 * 1024)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a too-big write fails, not the process
    if limits.get("processes"):
        cap(resource.RLIMIT_NPROC, int(limits["processes"]))
    cap(resource.RLIMIT_CORE, 0)


class CappedText(io.TextIOBase):
    """sys.stdout/sys.stderr during student code: keeps the first OUTPUT_CAP characters."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = OUTPUT_CAP - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += "\n" + _("... ({count} more characters not shown)", count=self.dropped)
        return out


class Channel:
    """Length-prefixed messages over the two pipes to the judge."""

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd

    def _read_exact(self, n: int) -> bytes:
        chunks = []
        while n:
            chunk = os.read(self.rfd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        (length,) = struct.unpack(">Q", self._read_exact(8))
        data = self._read_exact(length)
        if data[:1] == b"W":
            from grader.sandbox import wire
            return wire.decode(data[1:])
        return pickle.loads(data[1:])   # from the judge: trusted

    def send(self, message: dict, max_bytes: int) -> None:
        from grader.sandbox import wire
        try:
            frame = wire.encode(message, max_bytes)
        except (wire.WireError, ValueError, TypeError, RecursionError) as exc:
            reply = {key: message[key] for key in ("event", "stdout") if key in message}
            reply["bad_value"] = str(exc)[:500]
            frame = wire.encode(reply, max_bytes)
        view = memoryview(frame)
        while view:
            written = os.write(self.wfd, view)
            view = view[written:]


class Worker:
    def __init__(self, channel: Channel, config: dict):
        self.channel = channel
        self.root = os.path.realpath(config["root"])
        self.modules: dict[str, object] = {}
        self.import_errors: dict[str, dict] = {}
        self.locations: dict[str, str] = config.get("locations", {})
        self.max_bytes = int(config.get("max_result_mb", 64)) * 1024 * 1024
        self.scenarios: dict[str, object] = {}
        self.recorder = recorder_for(config.get("forbidden", []))
        set_language(str(config.get("language") or "en"))   # normalised; unknown: English

    # ----------------------------------------------------------------- start-up
    def import_submission(self, names: list[str]) -> None:
        sys.path.insert(0, self.root)
        for name in names:
            self.channel.send({"event": "importing", "module": name}, self.max_bytes)
            error, stdout = None, CappedText()
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = stdout
            try:
                self.modules[name] = importlib.import_module(name)
            except BaseException as exc:  # noqa: BLE001 - SystemExit at import included
                error = self.describe(exc, at_import=True)
                self.import_errors[name] = error
            finally:
                sys.stdout, sys.stderr = saved
            self.channel.send({"event": "imported", "module": name, "error": error},
                              self.max_bytes)
        self.channel.send({"event": "ready"}, self.max_bytes)

    # ----------------------------------------------------------------- requests
    def serve(self) -> None:
        while True:
            try:
                request = self.channel.receive()
            except EOFError:
                return
            reply = self.handle(request)
            reply["event"] = "reply"
            self.channel.send(reply, self.max_bytes)

    def resolve(self, name: str):
        module_name = self.locations.get(name)
        candidates = [module_name] if module_name else list(self.modules)
        for candidate in candidates:
            if candidate in self.import_errors:
                raise ImportProblem(candidate, self.import_errors[candidate])
            module = self.modules.get(candidate)
            if module is not None and hasattr(module, name):
                return getattr(module, name)
        where = f"{module_name}.py" if module_name else "your submission"
        raise LookupError(f"{name} is not defined in {where}")

    def handle(self, request: dict) -> dict:
        seed = int(request.get("seed", 0))
        forbidden = request.get("forbidden") or []
        args, kwargs = request.get("args", ()), request.get("kwargs", {})
        stdout = CappedText()
        try:
            if request["op"] == "call":
                target = self.resolve(request["name"])
            elif request["op"] == "scenario":
                target = self.scenario(request["source"], request["name"])
            elif request["op"] == "ping":
                return {"ok": True}
            else:
                return {"error": {"type": "ProtocolError", "message": "unknown request"}}
        except ImportProblem as problem:
            return {"unavailable": problem.error}
        except LookupError as exc:
            return {"missing": str(exc)}
        before = _snapshot(args, kwargs) if request.get("check_mutation") else None
        seed_everything(seed)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stdout
        started = time.perf_counter()
        count_ops = bool(request.get("count_ops"))
        try:
            with self.recorder.watch(forbidden, count_ops):
                value = target(*args, **kwargs)
            reply = {"ok": True, "value": value}
        except NotImplementedError as exc:
            # a stub's `raise NotImplementedError` is an exercise not written yet; torch's own
            # (an operation without a kernel for a dtype: "not implemented for 'Long'") is an
            # error of the code that called it
            key = "not_implemented" if self.raised_by_submission(exc) else "error"
            reply = {key: self.describe(exc)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            if request["op"] == "scenario" and type(exc).__name__ == "Mismatch":
                reply = {"mismatch": _safe_str(exc)[:2000], **_mismatch_template(exc)}
            else:
                reply = {"error": self.describe(exc)}
        finally:
            sys.stdout, sys.stderr = saved
        reply["seconds"] = time.perf_counter() - started
        reply["stdout"] = stdout.getvalue()
        if forbidden:
            reply["used"] = sorted(self.recorder.used)
        if count_ops:
            reply["ops"] = self.recorder.ops
        if before is not None:
            reply["mutated"] = _mutated(before, args, kwargs)
        return reply

    def scenario(self, source: str, name: str):
        key = hashlib.sha256(source.encode()).hexdigest()
        if key not in self.scenarios:
            from grader.sandbox import scenario_lib
            namespace = scenario_lib.namespace(StudentNames(self))
            exec(compile(textwrap.dedent(source), f"<scenario {name}>", "exec"), namespace)
            self.scenarios[key] = namespace[name]
        return self.scenarios[key]

    # ----------------------------------------------------------------- errors
    def raised_by_submission(self, exc: BaseException) -> bool:
        """Whether ``exc`` was raised by a ``raise`` statement of the submission's own code
        (its innermost frame), not inside a library it called."""
        frames = traceback.extract_tb(exc.__traceback__)
        if not frames or not os.path.isabs(frames[-1].filename):
            return False
        path = os.path.realpath(frames[-1].filename)
        return path.startswith(self.root + os.sep) and \
            (frames[-1].line or "").lstrip().startswith("raise")

    def describe(self, exc: BaseException, at_import: bool = False) -> dict:
        """What went wrong, told in terms of the student's own files and lines."""
        kind = type(exc).__name__
        message = _safe_str(exc)
        if isinstance(exc, SystemExit):
            message = _("the code called exit({code})", code=repr(exc.code))
        frames = []
        for frame in traceback.extract_tb(exc.__traceback__):
            # the submission's files are imported by absolute path; a relative name is code
            # compiled here (a scenario: "<scenario NAME>"), which realpath would resolve
            # inside the root (the worker's working folder) as if it were the student's file
            if not os.path.isabs(frame.filename):
                continue
            path = os.path.realpath(frame.filename)
            if path.startswith(self.root + os.sep):
                frames.append({"file": os.path.relpath(path, self.root), "line": frame.lineno,
                               "function": frame.name, "code": (frame.line or "")[:200]})
        error = {"type": kind, "message": message[:2000], "frames": frames[-6:]}
        if isinstance(exc, SyntaxError) and exc.filename:
            path = os.path.realpath(exc.filename)
            if path.startswith(self.root + os.sep):
                error["frames"] = [{"file": os.path.relpath(path, self.root),
                                    "line": exc.lineno or 0, "function": "<module>",
                                    "code": (exc.text or "").rstrip()[:200]}]
                error["message"] = exc.msg
        return error


_PREPARED: "ForbiddenRecorder | None" = None


def prepare_recorder(names: list[str]) -> None:
    """Build the recorder ahead of time (in the fork server's template, before any fork)."""
    global _PREPARED
    _PREPARED = ForbiddenRecorder(names)


def recorder_for(names: list[str]) -> "ForbiddenRecorder":
    if _PREPARED is not None and _PREPARED.names == sorted(set(names)):
        return _PREPARED
    return ForbiddenRecorder(names)


class ImportProblem(Exception):
    def __init__(self, module: str, error: dict):
        super().__init__(module)
        self.module, self.error = module, error


class StudentNames:
    """``student`` inside a scenario: the submission's names, resolved as for direct calls."""

    def __init__(self, worker: Worker):
        object.__setattr__(self, "_worker", worker)

    def __getattr__(self, name: str):
        return self._worker.resolve(name)


class ForbiddenRecorder:
    """Notices calls to the torch built-ins that would solve an exercise outright.

    Torch functions are seen through a TorchFunctionMode while a watched call runs; plain
    Python helpers (e.g. ``clip_grad_norm_``) are wrapped once, before student code is
    imported, so that ``from torch.nn.utils import clip_grad_norm_`` gets the wrapper too.
    """

    def __init__(self, names: list[str]):
        self.names = sorted(set(names))
        self.targets: dict[int, str] = {}
        self.used: set[str] = set()
        self.active: set[str] = set()
        self.ops = 0
        for dotted in names:
            obj = _lookup(dotted)
            if obj is None:
                continue
            if _is_plain_python_function(obj):
                obj = self._wrap(dotted, obj)
            self.targets[id(obj)] = dotted

    def _wrap(self, dotted: str, original):
        import functools

        @functools.wraps(original)
        def recorded(*args, **kwargs):
            if dotted in self.active:
                self.used.add(dotted)
            return original(*args, **kwargs)
        # the modules where it is defined and re-exported (and their parents): every name a
        # student can import it by, without scanning all of torch's ~3000 modules
        homes = set()
        for path in (dotted.rsplit(".", 1)[0], getattr(original, "__module__", "") or ""):
            parts = path.split(".")
            homes |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        for module_name in homes:
            module = sys.modules.get(module_name)
            for attr, value in list(getattr(module, "__dict__", {}).items()):
                if value is original:
                    setattr(module, attr, recorded)
        self.targets[id(original)] = dotted
        return recorded

    def watch(self, names: list[str], count_ops: bool = False):
        """Record forbidden calls (and, if asked, count every torch call) while active."""
        import contextlib
        self.used = set()
        self.active = set(names)
        self.ops = 0
        if not names and not count_ops:
            return contextlib.nullcontext()
        from torch.overrides import TorchFunctionMode
        recorder = self

        class Mode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                recorder.ops += 1
                dotted = recorder.targets.get(id(func))
                if dotted in recorder.active:
                    recorder.used.add(dotted)
                return func(*args, **(kwargs or {}))
        return Mode()


def _lookup(dotted: str):
    parts = dotted.split(".")
    try:
        obj = importlib.import_module(parts[0])
        for index, part in enumerate(parts[1:], 1):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                obj = importlib.import_module(".".join(parts[:index + 1]))
        return obj
    except (ImportError, AttributeError):
        return None


def _is_plain_python_function(obj) -> bool:
    import types
    return isinstance(obj, types.FunctionType) and not hasattr(obj, "__torch_function__") \
        and "has_torch_function" not in getattr(obj.__code__, "co_names", ())


def _mismatch_template(exc: BaseException) -> dict:
    """A scenario's ``Mismatch`` template and values, as text, for the judge to translate."""
    try:
        template, values = getattr(exc, "template", None), getattr(exc, "values", None)
        if not isinstance(template, str) or not isinstance(values, dict):
            return {}
        return {"template": template[:2000],
                "values": {str(k)[:100]: str(v)[:500] for k, v in list(values.items())[:20]}}
    except Exception:  # noqa: BLE001 - student code may have replaced Mismatch
        return {}


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a student exception whose __str__ raises
        return _("<{type} whose message could not be shown>", type=type(exc).__name__)


def _snapshot(args, kwargs):
    """Copies of the arguments (tensors, and lists/dicts of them), to detect in-place changes."""
    import copy

    import torch
    values = list(args) + list(kwargs.values())
    copies = []
    for value in values:
        if isinstance(value, torch.Tensor):
            copies.append(value.detach().clone())
        elif isinstance(value, (list, dict, tuple)):
            try:
                copies.append(copy.deepcopy(value))
            except Exception:  # noqa: BLE001 - not copyable: not watched
                copies.append(None)
        else:
            copies.append(None)
    return copies


def _same(old, new) -> bool:
    import torch
    if isinstance(old, torch.Tensor):
        return isinstance(new, torch.Tensor) and old.shape == new.shape and \
            old.dtype == new.dtype and torch.equal(old, new.detach())
    if isinstance(old, (list, tuple)):
        return type(old) is type(new) and len(old) == len(new) and \
            all(_same(a, b) for a, b in zip(old, new))
    if isinstance(old, dict):
        return type(new) is dict and old.keys() == new.keys() and \
            all(_same(old[k], new[k]) for k in old)
    try:
        return bool(old == new)
    except Exception:  # noqa: BLE001
        return True


def _mutated(before, args, kwargs):
    values = list(args) + list(kwargs.values())
    return [index for index, (old, new) in enumerate(zip(before, values))
            if old is not None and not _same(old, new)]


def seed_everything(seed: int) -> None:
    import torch
    seed_torch(torch, seed)
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed % (2 ** 32))


def seed_torch(torch, seed: int) -> None:
    """``torch.manual_seed(seed)`` for what grading uses, at a thousandth of the cost.

    ``torch.manual_seed`` also queues a seed for every accelerator not yet initialised, and
    records a stack trace with each (1-3 ms a call, and a list that grows with every call of
    a worker that never uses one).  The CPU generator gets the same state either way; an
    accelerator already in use is seeded as ``torch.manual_seed`` would."""
    torch.default_generator.manual_seed(seed)
    if torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(seed)


def main() -> None:
    from grader.sandbox import harden
    rfd, wfd = (int(fd) for fd in os.environ[FDS_ENV].split(","))
    harden.close_inherited(keep=(rfd, wfd))
    harden.drop_privileges()
    harden.forbid_namespaces()
    apply_limits(json.loads(os.environ.get(LIMITS_ENV, "{}")))
    import torch
    torch.set_num_threads(1)
    serve(rfd, wfd)


def serve(rfd: int, wfd: int) -> None:
    """Run one worker on these pipes (also the entry point of a forked worker)."""
    channel = Channel(rfd, wfd)
    config = channel.receive()
    if config.get("open_files"):
        resource.setrlimit(resource.RLIMIT_NOFILE, (config["open_files"], config["open_files"]))
    worker = Worker(channel, config)
    os.chdir(worker.root)
    worker.import_submission(config["modules"])
    worker.serve()


if __name__ == "__main__":
    main()
