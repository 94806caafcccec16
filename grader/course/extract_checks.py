"""Babel extractor for check files (grader/checks/*.py): the ``checks`` message domain.

A check file holds three kinds of student-facing prose, and this extractor yields each as a
msgid exactly as the student sees it in English (the judge translates it where it shows it):

- a check's *description*: the first line of its docstring, as the plugin puts it in a result
  (``(doc or name).strip().splitlines()[0]``, grader/judge/plugin.py ``classify``);
- a check's ``hint=`` (``@check(exercise, hint=...)``): a string constant, a module-level
  constant's name, or a ``+`` of those, evaluated statically to the one string the marker holds;
- a scenario's description: the first line of its docstring, as
  ``grader.judge.student.scenario`` takes it (``inspect.getdoc(fn).splitlines()[0]``);
- the messages the checks build at run time: the literal first argument of ``_()`` and
  ``N_()`` (keywords of :mod:`grader.judge.api`) and of a scenario's ``Mismatch()``,
  placeholders ``{name}`` left in.

Registered as the ``babel.extractors`` entry point ``grader_checks`` (pyproject.toml) and named
in grader/checks/babel.cfg:

    pybabel extract -F grader/checks/babel.cfg -o checks.pot --no-location grader/checks
    pybabel update -D checks -i checks.pot -d grader/checks/locale -l zh_CN --no-location
    (translate the new entries in grader/checks/locale/zh_CN/LC_MESSAGES/checks.po)
    pybabel compile -D checks -d grader/checks/locale

tests/test_i18n_checks.py fails until the catalog holds exactly the extracted messages, each
translated with the same placeholders, and the committed ``.mo`` is compiled from it.

A ``_()`` whose message is not a literal (an f-string, a variable) cannot be extracted: the
extractor reports it through :func:`problems`, and tests/test_i18n_checks.py fails on it.
"""
from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field

# _() and N_() (grader.judge.api), and a scenario's Mismatch("... {name} ...", name=value),
# which the worker sends as a template for the judge to translate
KEYWORDS = ("_", "N_", "Mismatch")


@dataclass
class Message:
    """One msgid of the ``checks`` domain, where it comes from and what it is."""
    msgid: str
    lineno: int
    kind: str                    # "description" | "hint" | "scenario" | "message"
    where: str = ""              # e.g. "corr2d.book_example" for a check
    comments: list[str] = field(default_factory=list)


def _decorator_name(node: ast.expr) -> str | None:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


class _Constants:
    """Module-level string constants, evaluated on demand (``A = "x" + B``)."""

    def __init__(self, tree: ast.Module):
        self.nodes: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                self.nodes[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.value is not None:
                self.nodes[node.target.id] = node.value

    def value(self, node: ast.expr, seen: frozenset = frozenset()) -> str | None:
        """The string ``node`` evaluates to, or None when it is not a static string."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name) and node.id in self.nodes and node.id not in seen:
            return self.value(self.nodes[node.id], seen | {node.id})
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, seen), self.value(node.right, seen)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.Call) and _decorator_name(node) == "N_" and node.args:
            return self.value(node.args[0], seen)
        return None


def _check_name(fn: ast.FunctionDef, decorator: ast.Call) -> str:
    for keyword in decorator.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return fn.name[len("test_"):] if fn.name.startswith("test_") else fn.name


def messages(source: str) -> tuple[list[Message], list[str]]:
    """Every msgid of one check file's source, in source order, and the problems found (a
    ``_()`` of a non-literal, a ``hint=`` that is not a static string)."""
    tree = ast.parse(source)
    constants = _Constants(tree)
    found: list[Message] = []
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                name = _decorator_name(decorator)
                if name == "check" and isinstance(decorator, ast.Call):
                    exercise = decorator.args[0].value if decorator.args and isinstance(
                        decorator.args[0], ast.Constant) else "?"
                    where = f"{exercise}.{_check_name(node, decorator)}"
                    doc = ast.get_docstring(node, clean=False)
                    if doc and doc.strip():
                        found.append(Message(doc.strip().splitlines()[0], node.lineno,
                                             "description", where,
                                             [f"description of the check {where}"]))
                    for keyword in decorator.keywords:
                        if keyword.arg != "hint":
                            continue
                        hint = constants.value(keyword.value)
                        if hint is None:
                            problems.append(f"line {decorator.lineno}: the hint of {where} is "
                                            f"not a static string")
                        elif hint:
                            found.append(Message(hint, decorator.lineno, "hint", where,
                                                 [f"hint of the check {where}"]))
                elif name == "scenario":
                    doc = ast.get_docstring(node, clean=True)
                    if doc:
                        found.append(Message(inspect.cleandoc(doc).splitlines()[0],
                                             node.lineno, "scenario", node.name,
                                             ["what a scenario did (shown as the call)"]))
        elif isinstance(node, ast.Call) and _decorator_name(node) in KEYWORDS \
                and isinstance(node.func, ast.Name):
            if not node.args:
                continue
            text = constants.value(node.args[0]) if isinstance(node.args[0], (
                ast.Constant, ast.BinOp)) else None
            if isinstance(node.args[0], (ast.Name, ast.Subscript, ast.Attribute)) \
                    and node.func.id != "N_":
                # _(CONSTANT), _(TABLE[key]): extracted where the constant is marked (N_, hint=)
                continue
            if text is None:
                problems.append(f"line {node.lineno}: {node.func.id}() of something other "
                                f"than a string literal (use named placeholders, not an "
                                f"f-string)")
            elif text:
                found.append(Message(text, node.lineno, "message"))
    problems += _misuses(tree)
    found.sort(key=lambda m: m.lineno)
    return found, problems


def _misuses(tree: ast.Module) -> list[str]:
    """What would break ``_()`` at run time: a scenario body calling it (a scenario runs in
    the worker, which has no ``_``: it raises ``Mismatch(template, **values)``, or returns an
    ``N_`` template and its values for the judge's ``template_text``, instead), and
    a name ``_`` bound in the file (``w, _ = ...``, ``for _ in``), which hides the function in
    its scope (even in a comprehension, which tests/test_i18n.py refuses too)."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                _decorator_name(d) == "scenario" for d in node.decorator_list):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) \
                        and sub.func.id == "_":
                    problems.append(f"line {sub.lineno}: {sub.func.id}() in the scenario "
                                    f"{node.name} (it runs in the worker: raise "
                                    f"Mismatch(template, **values))")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            problems.append(f"line {node.lineno}: the name _ is assigned, which hides _() "
                            f"(use __ for a value that is not used)")
    return problems


def extract(fileobj, keywords, comment_tags, options):
    """The Babel extraction method: ``(lineno, funcname, message, comments)`` per msgid."""
    encoding = options.get("encoding", "utf-8")
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode(encoding)
    found, problems = messages(source)
    if problems:
        raise ValueError("cannot extract every message: " + "; ".join(problems))
    for message in found:
        yield message.lineno, None, message.msgid, list(message.comments)
