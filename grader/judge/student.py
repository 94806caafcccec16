"""The ``student`` fixture: how a check calls student code without importing it.

``student.corr2d(X, K)`` sends the call to the worker and returns the plain value that comes
back.  Whatever goes wrong on the student's side arrives here as a :class:`StudentProblem`
whose class is the check's status (error, not-implemented, timeout, crash).  After a timeout or
a crash the check is *poisoned*: further calls fail at once with the same problem, so that
hypothesis's shrinking does not restart a hanging worker hundreds of times, and the report
names the call that really hung.

A function that timed out is not waited on again at full length in the same submission: the
exercise's checks share a :class:`Hung` record, and a later call of that function (by any
check of the exercise) fails at once as a timeout that names the check and call that hung.
The record is per exercise, never shared between exercises: an exercise is graded by one judge
in a fixed check order, so the result is the same whatever ``--jobs`` or exercise selection.

Deadlines (grader/judge/deadlines.py): a call gets a floor of CPU seconds, then a multiple of
the reference's cost on the same input, at most the assignment's ``call_timeout`` of active
seconds; a check's budget (``check_timeout``) counts its calls' active seconds and the judge's
own CPU time.  None of these clocks runs faster on a busy machine (grader/sandbox/usage.py).
"""
from __future__ import annotations

import inspect
import re
import textwrap
import time
import zlib
from dataclasses import dataclass, field

from grader.i18n import _, check_text
from grader.reports import sanitize
from grader.judge import deadlines, values
from grader.sandbox.client import WorkerFault


# --------------------------------------------------------------------------- problems
class StudentProblem(Exception):
    """Student code did not produce a value; ``status`` is what the check is marked; ``hint``
    (optional) fits the problem (grader/judge/error_hints.py)."""
    status = "error"

    def __init__(self, message: str, call: "Call | None" = None, output: str = "",
                 hint: str | None = None):
        super().__init__(message)
        self.message, self.call, self.output, self.hint = message, call, output, hint


class StudentError(StudentProblem):
    """Student code raised: ``type_name`` and ``detail`` are the exception's class name and
    message as the worker sent them (untrusted text; grader/judge/error_hints.py reads them
    for the hint)."""
    status = "error"

    def __init__(self, message, call=None, output="", type_name: str = "", detail: str = ""):
        super().__init__(message, call, output)
        self.type_name, self.detail = type_name, detail


class NotImplementedYet(StudentProblem):
    status = "not-implemented"


class StudentTimeout(StudentProblem):
    status = "timeout"


class Hung:
    """The functions of one exercise that timed out in this submission: name -> the first
    timeout (its check, its call), so that later calls fail at once instead of waiting."""

    def __init__(self):
        self.first: dict[str, tuple[str, bool, "Call", str]] = {}

    def note(self, name: str, check: str, hidden: bool, call: "Call", limit: str) -> None:
        self.first.setdefault(name, (check, hidden, call, limit))

    def problem(self, name: str) -> "StudentTimeout | None":
        """The timeout a new call of ``name`` gets at once, or None when it has not hung."""
        if name not in self.first:
            return None
        check, hidden, call, limit = self.first[name]
        # a hidden check's inputs are not shown in another check's feedback
        shown = None if hidden else call
        if hidden:
            text = _("{name} is not run again: it already timed out in a hidden check; fix "
                     "that infinite loop (or far too slow code) first", name=name)
        else:
            text = _("{name} is not run again: it already timed out in check {check}, on the "
                     "call shown; fix that infinite loop (or far too slow code) first",
                     name=name, check=check)
        return StudentTimeout(text, shown)


class StudentCrash(StudentProblem):
    status = "crash"


class Unavailable(StudentProblem):
    """The exercise cannot be called at all: missing, or its file does not import."""
    status = "error"


class Failure(AssertionError):
    """A check's verdict that the student's answer is wrong, with what the student needs.

    check50-style payload: ``rationale`` (what is wrong, one sentence), ``expected``,
    ``actual``, ``details`` (e.g. the first mismatching index) and ``help`` (a hint).  The
    call that produced the answer is added by the plugin (the last call the check made).
    """

    def __init__(self, rationale: str, *, expected: str | None = None, actual: str | None = None,
                 details: str | None = None, help: str | None = None, kind: str = "value"):
        super().__init__(rationale)
        self.rationale, self.expected, self.actual = rationale, expected, actual
        self.details, self.help = details, help
        # "value", or "shape" / "type" (a structural failure: the check's own hint, written
        # for wrong values, would not fit it; the plugin picks the exercise's shape hint)
        self.kind = kind


class Mismatch(Failure):
    """A scenario found the student's object structurally different."""


# --------------------------------------------------------------------------- calls
@dataclass
class Call:
    name: str
    args: tuple
    kwargs: dict
    params: list[str] | None = None
    scenario: str | None = None      # a scenario's one-line description

    def describe(self) -> str:
        if self.scenario:         # the scenario's sentence, from a check file: domain checks
            shown = values.format_call("", self.args, self.kwargs, self.params, limit=16)[1:-1]
            text = check_text(self.scenario)
            return _("{scenario} (with {arguments})", scenario=text, arguments=shown) \
                if shown else text
        return values.format_call(self.name, self.args, self.kwargs, self.params)


@dataclass
class Reply:
    value: object
    call: Call
    stdout: str = ""
    used: list = field(default_factory=list)        # forbidden built-ins the call used
    mutated: list = field(default_factory=list)     # names of arguments changed in place
    seconds: float = 0.0
    ops: int | None = None                          # torch calls made (when counted)


class CheckContext:
    """Per-check state: the calls made, the time budget, the poison after a fault."""

    def __init__(self, session, exercise, check_id: str, signatures: dict, where,
                 unavailable: str | None = None, spec=None, hung: Hung | None = None,
                 costs=None):
        self.session = session
        self.costs = costs                # deadlines.ReferenceCosts, or None: call_timeout
        self.hung = hung if hung is not None else Hung()   # shared by the exercise's checks
        self.exercise = exercise
        self.call_timeout = getattr(spec, "call_timeout", None) or \
            getattr(exercise, "call_timeout", 10.0)
        self.check_timeout = getattr(spec, "check_timeout", None) or \
            getattr(exercise, "check_timeout", 60.0)
        self.check_id = check_id
        self.signatures = signatures      # name -> parameter names, from the stub
        self.where = where                # (file, line) -> "convolution.py, line 3"
        self.unavailable = unavailable
        self.exercise_forbidden = list(getattr(exercise, "forbidden", ()))
        self.started = time.thread_time()   # the judge's own CPU time (load does not stretch it)
        self.spent = 0.0                     # worker seconds of this check's calls
        self.calls = 0
        self.last_call: Call | None = None
        self.last_stdout = ""
        self.poison: StudentProblem | None = None
        self.swallowed: StudentProblem | None = None   # see plugin._stop_shrinking_after_poison
        self.transcript = None        # a diagnosis.Transcript: the answers, for diagnosis
        self.hidden = getattr(spec, "visibility", "public") == "hidden"

    def next_seed(self) -> int:
        self.calls += 1
        return zlib.crc32(f"{self.check_id}:{self.calls}".encode())

    def request(self, message: dict, call: Call) -> Reply:
        if self.poison is not None:
            raise self.poison
        if self.unavailable:
            raise Unavailable(self.unavailable, call)
        self.last_call = call
        earlier = self.hung.problem(call.name)
        if earlier is not None:
            self.poison = earlier
            raise self.poison
        budget = self.check_timeout
        # the check's time: its calls in worker seconds plus the judge's CPU time, neither
        # stretched by a busy machine (grader/sandbox/usage.py)
        if self.spent + (time.thread_time() - self.started) > budget:
            self.poison = StudentTimeout(
                _("the check ran out of its total time ({seconds} s): each call is too slow",
                  seconds=f"{budget:g}"), call)
            raise self.poison
        message["seed"] = self.next_seed()
        from_reference = []
        extend = None
        if self.costs is not None:
            topic = getattr(self.exercise, "topic", "")

            def extend():
                # the call outlived the floor: its real limit, from the reference's cost on
                # the same input (grader/judge/deadlines.py)
                limit = self.costs.limit(topic, message)
                from_reference.append(limit is not None)
                return limit
        try:
            reply = self.session.request(message, self.call_timeout,
                                         deadlines.FLOOR if extend else None, extend)
            self.spent += self.session.last_seconds
        except WorkerFault as fault:
            self.spent += self.session.last_seconds
            problem_type = StudentTimeout if fault.kind == "timeout" else StudentCrash
            if fault.kind == "timeout":
                limit = deadlines.limit_text(self.call_timeout, any(from_reference))
                text = _("{name} did not finish within {limit} (an infinite loop, or far too "
                         "slow)", name=call.name or _("the code"), limit=limit)
                self.hung.note(call.name, self.check_id.split(".", 1)[-1], self.hidden, call,
                               limit)
            else:
                text = _("{fault} while running {name}", fault=fault.detail,
                         name=call.name or _("the scenario"))
            self.poison = problem_type(text, call, fault.output)
            raise self.poison from None
        stdout = reply.get("stdout") or ""
        self.last_stdout = stdout if isinstance(stdout, str) else ""
        try:
            answer = self.interpret(reply, call)
        except (NotImplementedYet, Unavailable) as problem:
            self.poison = problem      # the same answer for every input: stop asking
            raise
        except StudentError as problem:
            self.record(message, ("error", problem.type_name))
            raise
        except Mismatch:
            self.record(message, ("mismatch",))
            raise
        self.record(message, ("value", answer.value), answer.seconds)
        return answer

    def record(self, message: dict, outcome: tuple, seconds: float = 0.0) -> None:
        if self.transcript is not None:
            self.transcript.record(self.check_id.split(".", 1)[-1], self.hidden, message,
                                   outcome, seconds)

    def interpret(self, reply: dict, call: Call) -> Reply:
        stdout = self.last_stdout
        if reply.get("ok") is True:
            used = reply.get("used") or []
            mutated_idx = reply.get("mutated") or []
            names = (call.params or []) + list(call.kwargs)
            mutated = [names[i] if isinstance(i, int) and i < len(names)
                       else _("argument {index}", index=i) for i in mutated_idx]
            seconds, ops = reply.get("seconds"), reply.get("ops")
            return Reply(reply.get("value"), call, stdout,
                         [u for u in used if isinstance(u, str)], mutated,
                         seconds if isinstance(seconds, float) else 0.0,
                         ops if isinstance(ops, int) else None)
        if "not_implemented" in reply:
            raise NotImplementedYet(_("{name} is not implemented yet (it raises "
                                      "NotImplementedError)", name=call.name or _("this")),
                                    call, stdout)
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise StudentError(self.describe_error(error, call), call, stdout,
                               sanitize.one_line(error.get("type", ""), sanitize.NAME_LIMIT),
                               str(error.get("message", ""))[:2000])
        if "unavailable" in reply:
            error = reply["unavailable"] if isinstance(reply["unavailable"], dict) else {}
            raise Unavailable(self.describe_error(error, None, at_import=True), call, stdout,
                              hint=import_hint(error))
        if "missing" in reply:
            raise Unavailable(_missing(str(reply["missing"])), call, stdout)
        if "mismatch" in reply:
            raise Mismatch(mismatch_text(reply))
        if "bad_value" in reply:
            raise StudentError(_("{name} returned a value that cannot be graded: {why}",
                                 name=call.name or _("the code"), why=reply["bad_value"]),
                               call, stdout, "BadValue")
        raise StudentCrash(_("the worker sent an unexpected reply"), call, stdout)

    def describe_error(self, error: dict, call: Call | None, at_import: bool = False) -> str:
        return describe_error(error, self.where, call, _("the file") if at_import else None)


_MISSING = re.compile(r"(?P<name>\S+) is not defined in (?P<where>.+)")


def _missing(text: str) -> str:
    """The worker's "NAME is not defined in FILE" in the student's language."""
    found = _MISSING.fullmatch(text)
    if found is None:
        return text
    where = found["where"]
    if where == "your submission":
        where = _("your submission")
    return _("{name} is not defined in {where}", name=found["name"], where=where)


def template_text(template, filled, plain: str) -> str:
    """Words a scenario made in the worker, in the student's language: ``template`` (a msgid of
    the ``checks`` domain, marked with ``N_`` or given to ``Mismatch``) translated and filled
    with ``filled`` (its values, as text).  Only a template the catalog knows is used (what
    comes from the worker is untrusted); otherwise ``plain``, the English the worker made."""
    if not isinstance(template, str) or not isinstance(filled, dict) or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in filled.items()):
        return plain
    translated = check_text(template)
    if translated == template:
        return plain
    try:
        return translated.format(**filled)
    except (KeyError, IndexError, ValueError, AttributeError):
        return plain


def mismatch_text(reply: dict) -> str:
    """A scenario's ``Mismatch`` message in the student's language (see template_text)."""
    return template_text(reply.get("template"), reply.get("values"), str(reply["mismatch"]))


def import_hint(error: dict) -> str | None:
    """The hint for a file that could not be imported (a SyntaxError, a NameError or a missing
    module at the top level...), from the error the worker sent."""
    from grader.judge import error_hints
    return error_hints.hint_for_error(str(error.get("type", "")), str(error.get("message", "")))


def describe_error(error: dict, where, call: Call | None = None,
                   imported: str | None = None) -> str:
    """A student's exception in terms of their own files and lines; ``imported`` names the file
    when the error happened while importing it."""
    kind = sanitize.one_line(error.get("type", "Exception"), sanitize.NAME_LIMIT)
    message = values.scrub(str(error.get("message", "")))
    head = f"{kind}: {message}" if message else kind
    if imported:
        head = _("{file} could not be imported: {error}", file=imported, error=head)
    elif call is not None and call.name:
        head = _("{name} raised {error}", name=call.name, error=head)
    frames = error.get("frames") if isinstance(error.get("frames"), list) else []
    lines = [head]
    for frame in frames[-3:]:
        if not isinstance(frame, dict):
            continue
        place = where(str(frame.get("file", "")), frame.get("line"))
        code = str(frame.get("code", "")).strip()
        function = frame.get("function", "?")
        lines.append(_("  at {place}, in {function}: {code}", place=place, function=function,
                       code=code) if code else
                     _("  at {place}, in {function}", place=place, function=function))
    return "\n".join(lines)


class Student:
    """What a check sees as ``student``: attribute access calls the submission's names."""

    def __init__(self, context: CheckContext):
        object.__setattr__(self, "_ctx", context)

    def __getattr__(self, name: str) -> "StudentFunction":
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self._ctx, name)

    def __setattr__(self, name, value):
        raise AttributeError("student is read-only")

    @property
    def last_call(self) -> Call | None:
        return self._ctx.last_call

    def run(self, scenario, *args, **kwargs):
        """Run a trusted ``@scenario`` function inside the worker; return its (plain) result."""
        return self.run_reply(scenario, *args, **kwargs).value

    def run_reply(self, scenario, *args, watch: bool = False, **kwargs) -> Reply:
        source, name, doc = scenario_source(scenario)
        # messages name the exercise, never the scenario (an internal helper of the checks)
        call = Call(getattr(self._ctx.exercise, "name", name), args, kwargs,
                    params=_params(scenario), scenario=doc)
        message = {"op": "scenario", "source": source, "name": name, "args": args,
                   "kwargs": kwargs, "forbidden": self._ctx.exercise_forbidden if watch else []}
        return self._ctx.request(message, call)


class StudentFunction:
    def __init__(self, context: CheckContext, name: str):
        self._ctx, self._name = context, name

    def __call__(self, *args, **kwargs):
        return self.reply(*args, **kwargs).value

    def reply(self, *args, watch: bool = False, check_mutation: bool = False,
              count_ops: bool = False, **kwargs) -> Reply:
        """Like calling, but returns the whole :class:`Reply`: with ``watch``, the forbidden
        built-ins used; with ``check_mutation``, the arguments changed in place; with
        ``count_ops``, how many torch functions the call made (deterministic, unlike time)."""
        call = Call(self._name, args, kwargs, params=self._ctx.signatures.get(self._name))
        message = {"op": "call", "name": self._name, "args": args, "kwargs": kwargs,
                   "forbidden": self._ctx.exercise_forbidden if watch else [],
                   "check_mutation": check_mutation, "count_ops": count_ops}
        return self._ctx.request(message, call)


_SCENARIOS: dict = {}


def scenario(fn):
    """Mark a function in a check file as a scenario: it runs in the worker, by source."""
    source = textwrap.dedent(inspect.getsource(fn))
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("@scenario")]
    doc = (inspect.getdoc(fn) or fn.__name__).splitlines()[0]
    _SCENARIOS[fn] = ("\n".join(lines) + "\n", fn.__name__, doc)
    return fn


def scenario_source(fn) -> tuple[str, str, str]:
    if fn not in _SCENARIOS:
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} is not decorated with @scenario")
    return _SCENARIOS[fn]


def _params(fn) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
