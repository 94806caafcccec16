"""The package layout shows the trust boundary (README, Architecture).

- ``grader/sandbox/`` is everything that runs in or next to the worker: it imports nothing of the
  judge's side (only the package root, ``grader.errors``, ``grader.i18n`` and its own modules),
  so the code that
  shares a process with student code stays small and visible.
- The checks import the check-writing API from one path, ``grader.judge.api``.
- No import cycles between the grader's modules (imports inside functions included).
"""
import ast
from pathlib import Path

import grader

PACKAGE = Path(grader.__file__).resolve().parent
# grader.i18n: the messages' translations (standard library only, no judge code)
WORKER_SIDE_MAY_IMPORT = ("grader", "grader.errors", "grader.i18n", "grader.sandbox")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``grader...`` module a file imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "grader"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "grader":
            for alias in node.names:
                # ``from grader.x import y``: y may be a module of grader.x or a name in it
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _exists(candidate) else node.module)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")
            if "checks" not in p.relative_to(PACKAGE).parts[:1]}


def test_worker_side_never_imports_the_judge_side():
    offending = []
    for path in sorted((PACKAGE / "sandbox").rglob("*.py")):
        for module in sorted(_imports(path)):
            if not any(module == ok or module.startswith("grader.sandbox.")
                       for ok in WORKER_SIDE_MAY_IMPORT):
                offending.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offending == []


def test_the_worker_library_is_the_worker_side():
    """What bubblewrap lets the worker see of the grader is part of grader/sandbox/ + the root."""
    from grader.sandbox import bwrap
    allowed = {"__init__.py", "errors.py", "i18n.py"} | {
        str(p.relative_to(PACKAGE)) for p in (PACKAGE / "sandbox").glob("*.py")}
    assert set(bwrap.WORKER_MODULES) <= allowed
    assert {"sandbox/worker.py", "sandbox/wire.py", "sandbox/scenario_lib.py"} <= set(bwrap.WORKER_MODULES)


def test_checks_import_the_api_from_one_path():
    offending = []
    for path in sorted((PACKAGE / "checks").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:     # module level: scenario bodies run in the worker
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader"):
                if node.module != "grader.judge.api" and not node.module.startswith("grader.checks"):
                    offending.append(f"{path.name}: from {node.module} import ...")
            elif isinstance(node, ast.Import):
                offending += [f"{path.name}: import {a.name}" for a in node.names
                              if a.name.startswith("grader")]
    assert offending == []


def test_no_import_cycles():
    graph = _graph()
    cycles = []

    def visit(node, stack, seen):
        for nxt in sorted(graph.get(node, ())):
            if nxt in stack:
                cycle = stack[stack.index(nxt):] + [nxt]
                # a package importing its own submodule, or the root's __version__, is no cycle
                if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in
                           zip(cycle, cycle[1:])):
                    cycles.append(" -> ".join(cycle))
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, stack + [nxt], seen)

    for start in sorted(graph):
        visit(start, [start], {start})
    assert sorted(set(cycles)) == []
