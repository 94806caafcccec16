"""``grade publish``: the student release and the autograder, from this repository.

- ``student/``: the stubs, one notebook per topic, the public checks only (hidden checks and
  everything only they use are cut out of the check files, comments and docstrings of the
  modules included), a ``pyproject.toml`` whose assignment table lists the public checks and
  says how many hidden checks there are, the grader itself, a student README and
  ``.github/workflows/classroom.yml`` (GitHub Classroom's autograding on push, when the release
  is a Classroom template repository: public checks, points to Classroom).  Nothing
  of the solutions and no hidden check name: :func:`leaks` scans every file for both, and
  publishing fails if it finds anything.
- ``autograder/``: everything needed to grade officially (references, all checks), with a
  Gradescope ``setup.sh`` and ``run_autograder`` at its root (so that the zip is the
  Gradescope upload) and a GitHub Actions workflow that grades a whole Classroom assignment
  with every check (``grade batch`` into the gradebook and its exports).
- Both carry the translations of the checks they ship (grader/checks/locale, compiled, cut
  down to those checks' messages: :func:`ship_check_catalogs`).
- ``student.zip`` and ``autograder.zip``: byte-identical for the same inputs (sorted
  entries, fixed timestamps and permissions).
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import zipfile
from pathlib import Path

from grader.course import generate
from grader.errors import ConfigError
from grader.i18n import _
from grader.judge.run import checks_dir

FRAMEWORK = Path(__file__).resolve().parent.parent
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEMPLATES = FRAMEWORK / "templates"


def publish(assignment, out: Path, language: str | None = None) -> dict[str, Path]:
    """Write the student release and the autograder into ``out`` (replaced).  The student
    README and the notebooks' instructions are in ``language``, else the assignment's
    ``[tool.grader] language``, else the locale's, else English (grader/i18n.py
    ``resolve_language``, as for official grading)."""
    from grader import i18n
    out = Path(out)
    lang = i18n.resolve_language(language, getattr(assignment, "language", None))
    stale = generate.stale(assignment.solutions_dir, assignment.stubs_dir, assignment.topics)
    if stale:
        raise ConfigError(_("exercises/ is out of date ({files}): run `grade generate` (and "
                            "`grade validate`) before publishing",
                            files=", ".join(map(str, stale))))
    if out.exists():
        shutil.rmtree(out)
    student, autograder = out / "student", out / "autograder"
    with i18n.language(lang):
        build_student(assignment, student)
    found = leaks(student, assignment)
    if found:
        raise ConfigError(_("the student release would leak:\n{leaks}", leaks="\n".join(found)))
    build_autograder(assignment, autograder)
    return {"student": student, "autograder": autograder,
            "student_zip": make_zip(student, out / "student.zip"),
            "autograder_zip": make_zip(autograder, out / "autograder.zip")}


# --------------------------------------------------------------------------- student release
def build_student(assignment, folder: Path) -> None:
    folder.mkdir(parents=True)
    _copy_framework(folder / "grader")
    checks = folder / "grader" / "checks"
    checks.mkdir()
    (checks / "__init__.py").write_text('"""The public checks of this assignment."""\n')
    public = {(e.name, c.name) for e in assignment.exercises for c in e.checks
              if c.visibility == "public"}
    sources = {topic: (checks_dir(assignment) / f"{topic}.py").read_text()
               for topic in check_topics(assignment)}
    for topic, text in strip_checks(sources, public).items():
        (checks / f"{topic}.py").write_text(text)
    ship_check_catalogs(checks_dir(assignment) / "locale", checks, public_only=True)
    _copy_topics(assignment.stubs_dir, folder / "exercises", assignment.topics)
    from grader.course.notebook_build import translated_stub, write_notebooks
    for stub in sorted((folder / "exercises").glob("*.py")):    # docstrings in the language
        stub.write_text(translated_stub(stub.read_text()))
    write_notebooks(assignment, folder / "notebooks")
    (folder / "pyproject.toml").write_text(_pyproject(assignment, public_only=True))
    (folder / "README.md").write_text(_student_readme(assignment))
    (folder / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n")
    workflow = folder / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text((TEMPLATES / "student_workflow_classroom.yml").read_text())


def strip_checks(sources: dict[str, str], public: set[tuple[str, str]]) -> dict[str, str]:
    """Check files with only the public checks and what they use, comments and module
    docstrings dropped.  Names imported between check modules are kept where defined."""
    trees = {topic: ast.parse(text) for topic, text in sources.items()}
    needed: dict[str, set[str]] = {topic: set() for topic in trees}
    for topic, tree in trees.items():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and _check_identity(node) in public:
                needed[topic].add(node.name)
    changed = True
    while changed:                       # close over module-level uses and cross-imports
        changed = False
        for topic, tree in trees.items():
            defined = _definitions(tree)
            for name in list(needed[topic]):
                for used in _names_used(defined.get(name, [])):
                    if used in defined and used not in needed[topic]:
                        needed[topic].add(used)
                        changed = True
            for node in tree.body:
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "grader.checks."):
                    other = node.module.rsplit(".", 1)[1]
                    uses = _names_used([n for n in tree.body
                                        if _defines(n) & needed[topic]])
                    for alias in node.names:
                        if (alias.asname or alias.name) in uses and other in needed and \
                                alias.name not in needed[other]:
                            needed[other].add(alias.name)
                            changed = True
    out = {}
    for topic, tree in trees.items():
        # kept statements as their original text: a check's source must stay the same byte
        # for byte, since hypothesis derives a derandomized check's examples from it
        lines = sources[topic].splitlines()
        uses = _names_used([n for n in tree.body if _defines(n) & needed[topic]])
        text = f'"""Public checks of {topic}: the ones you can run before submitting."""\n'
        previous_import = False
        for node in tree.body:
            is_import = isinstance(node, (ast.Import, ast.ImportFrom))
            if not (is_import or _defines(node) & needed[topic]):
                continue
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            chunk = "\n".join(lines[first - 1:node.end_lineno])
            if is_import and (getattr(node, "module", None) or "").startswith("grader.checks."):
                # names from another check file: only those still used (the rest is gone)
                used = [a for a in node.names if (a.asname or a.name) in uses]
                if not used:
                    continue
                chunk = ast.unparse(ast.ImportFrom(node.module, used, node.level))
            text += ("" if is_import and previous_import else "\n\n") + chunk + "\n"
            previous_import = is_import
        out[topic] = text
    return out


def _check_identity(node: ast.FunctionDef):
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "check":
            exercise = ast.literal_eval(decorator.args[0])
            name = next((ast.literal_eval(k.value) for k in decorator.keywords
                         if k.arg == "name"), node.name.removeprefix("test_"))
            return exercise, name
    return None


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _definitions(tree: ast.Module) -> dict[str, list]:
    found: dict[str, list] = {}
    for node in tree.body:
        for name in _defines(node):
            found.setdefault(name, []).append(node)
    return found


def _names_used(nodes) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def leaks(folder: Path, assignment) -> list[str]:
    """Solution lines or hidden check names anywhere in ``folder`` (text files)."""
    secrets = _solution_lines(assignment)
    public = {c.name for e in assignment.exercises for c in e.checks if c.visibility == "public"}
    hidden = {c.name for e in assignment.exercises for c in e.checks
              if c.visibility == "hidden" and c.name not in public and "_" in c.name}
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        lines = {line.strip() for line in text.splitlines()}
        for line in sorted(secrets & lines):
            found.append(f"{path.relative_to(folder)}: solution line {line!r}")
        for name in sorted(hidden):
            if re.search(rf"\b{re.escape(name)}\b", text):
                found.append(f"{path.relative_to(folder)}: hidden check name {name!r}")
    return found


def _solution_lines(assignment) -> set[str]:
    """Distinctive lines of the solution blocks (short, generic lines like `return Y` excluded)."""
    lines: set[str] = set()
    stubs = set()
    for topic in assignment.topics:
        stubs |= {line.strip() for line in (assignment.stubs_dir / f"{topic}.py").read_text()
                  .splitlines()}
        text = (assignment.solutions_dir / f"{topic}.py").read_text()
        for block in re.findall(r"# BEGIN SOLUTION.*?\n(.*?)# END SOLUTION", text, re.S):
            for line in block.splitlines():
                line = line.strip()
                trivial = re.fullmatch(r"[\w.]+ = [\w.]+", line)   # e.g. a = b: not telling
                if len(line) >= 24 and not line.startswith("#") and not trivial:
                    lines.add(line)
    return lines - stubs


# --------------------------------------------------------------------------- autograder
def build_autograder(assignment, folder: Path) -> None:
    folder.mkdir(parents=True)
    _copy_framework(folder / "grader")
    _copy_topics(checks_dir(assignment), folder / "grader" / "checks", check_topics(assignment))
    ship_check_catalogs(checks_dir(assignment) / "locale", folder / "grader" / "checks",
                        public_only=False)
    _copy_topics(assignment.solutions_dir, folder / "solutions", assignment.topics)
    _copy_topics(assignment.stubs_dir, folder / "exercises", assignment.topics)
    if assignment.mistakes_dir is not None and assignment.mistakes_dir.is_dir():
        # the catalogue of known mistakes: official feedback names them (the default path);
        # only the assignment's exercises
        for exercise in assignment.names:
            if (assignment.mistakes_dir / exercise).is_dir():
                shutil.copytree(assignment.mistakes_dir / exercise,
                                folder / "tests" / "mutants" / exercise,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if (assignment.mistakes_dir / "locale").is_dir():
            # their translations (domain "mistakes", grader/i18n.py): compiled catalogs only
            shutil.copytree(assignment.mistakes_dir / "locale",
                            folder / "tests" / "mutants" / "locale",
                            ignore=shutil.ignore_patterns("*.po", "*.pot"))
    (folder / "pyproject.toml").write_text(_pyproject(assignment, public_only=False))
    for name, mode in (("setup.sh", 0o755), ("run_autograder", 0o755),
                       ("README.md", 0o644)):
        target = folder / name
        target.write_text((TEMPLATES / f"autograder_{name.replace('.', '_')}").read_text())
        target.chmod(mode)
    workflow = folder / ".github" / "workflows" / "grade.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text((TEMPLATES / "github_workflow_grade.yml").read_text())


def _copy_framework(dest: Path) -> None:
    """The grader package without its checks (each release adds the checks it ships)."""
    caches = shutil.ignore_patterns("__pycache__", "*.pyc")

    def ignore(folder, names):
        # the package's own checks/ and templates/ (added below); grader/reports/templates/
        # (the HTML reports') is the package's and ships with it
        top = {"checks", "templates"} if Path(folder) == FRAMEWORK else set()
        return set(caches(folder, names)) | (top & set(names))
    shutil.copytree(FRAMEWORK, dest, ignore=ignore)
    shutil.copytree(TEMPLATES, dest / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))


def ship_check_catalogs(locale: Path, checks: Path, public_only: bool) -> None:
    """The translations of the check files in ``checks`` (domain ``checks``, grader/i18n.py):
    each compiled catalog of ``locale`` cut down to the messages those files hold (extracted
    as ``pybabel extract`` does), so that a student release carries no word of a hidden check
    and a release of some topics none of the others."""
    import datetime
    import gettext

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from grader.course.extract_checks import messages
    compiled = sorted(locale.glob("*/LC_MESSAGES/checks.mo")) if locale.is_dir() else []
    if not compiled:
        return
    wanted = set()
    for path in sorted(checks.glob("*.py")):
        wanted.update(m.msgid for m in messages(path.read_text(encoding="utf-8"))[0])
    fixed = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)   # reproducible zips
    for mo in compiled:
        lang = mo.relative_to(locale).parts[0]
        with mo.open("rb") as f:
            source = gettext.GNUTranslations(f)._catalog
        catalog = Catalog(locale=lang, domain="checks", project="dl-grader", version="",
                          creation_date=fixed, revision_date=fixed, fuzzy=False)
        for msgid, msgstr in sorted((k, v) for k, v in source.items()
                                    if isinstance(k, str) and k in wanted):
            catalog.add(msgid, msgstr)
        target = checks / "locale" / mo.relative_to(locale)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            write_mo(out, catalog)


def _copy_topics(source: Path, dest: Path, topics) -> None:
    """``<topic>.py`` of each topic (and the package's ``__init__.py``), nothing else: a
    release of a CNN-only assignment ships no seq2seq stubs, references or checks."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ["__init__", *topics]:
        path = source / f"{name}.py"
        if path.is_file():
            shutil.copy(path, dest / path.name)


def check_topics(assignment) -> list[str]:
    """The assignment's topics and every check file their check files import
    (``from grader.checks.lenet import ...`` in modern_cnns), in a stable order."""
    folder = checks_dir(assignment)
    topics = list(assignment.topics)
    for topic in topics:                       # grows while it is walked: the closure
        path = folder / f"{topic}.py"
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "grader.checks."):
                other = node.module.split(".")[2]
                if other not in topics:
                    topics.append(other)
    return topics


# --------------------------------------------------------------------------- TOML and READMEs
def _pyproject(assignment, public_only: bool) -> str:
    lines = [
        "[build-system]", 'requires = ["setuptools>=68"]',
        'build-backend = "setuptools.build_meta"', "",
        "[project]", f'name = "{"dl-grader-student" if public_only else "dl-grader-autograder"}"',
        'version = "0.1.0"', 'requires-python = ">=3.10"',
        f"dependencies = {_toml(_dependencies())}", "",
        "[project.scripts]", 'grade = "grader.cli:main"', "",
        "[tool.setuptools.packages.find]", 'include = ["grader*"]', "",
        "[tool.setuptools.package-data]",
        'grader = ["templates/*", "locale/*/LC_MESSAGES/*.mo"]',
        '"grader.reports" = ["templates/*.html", "templates/*.css"]',
        '"grader.checks" = ["locale/*/LC_MESSAGES/*.mo"]', "",
        "[tool.grader]", f"title = {_toml(assignment.title)}",
    ]
    if assignment.due:
        lines.append(f"due = {_toml(assignment.due)}")
    lines.append(f"hidden_feedback = {_toml(assignment.hidden_feedback)}")
    if assignment.language:      # students' and official grading's default
        lines.append(f"language = {_toml(assignment.language)}")
    if assignment.titles:
        lines.append("titles = { " + ", ".join(f"{lang} = {_toml(text)}" for lang, text
                                               in sorted(assignment.titles.items())) + " }")
    if public_only:
        hidden = [c for e in assignment.exercises for c in e.checks if c.visibility == "hidden"]
        lines.append(f"hidden_elsewhere = {{ checks = {len(hidden)}, "
                     f"points = {_toml(sum(c.points for c in hidden))} }}")
    lines += ["", "[tool.grader.limits]"]
    for key, value in vars(assignment.limits).items():
        lines.append(f"{key} = {_toml(value)}")
    for exercise in assignment.exercises:
        lines += ["", f"[tool.grader.exercises.{exercise.name}]",
                  f"topic = {_toml(exercise.topic)}",
                  f"call_timeout = {_toml(exercise.call_timeout)}",
                  f"check_timeout = {_toml(exercise.check_timeout)}"]
        if exercise.forbidden:
            lines.append(f"forbidden = {_toml(list(exercise.forbidden))}")
        if public_only:
            hidden = [c for c in exercise.checks if c.visibility == "hidden"]
            lines.append(f"hidden = {{ checks = {len(hidden)}, "
                         f"points = {_toml(sum(c.points for c in hidden))} }}")
        lines.append(f"[tool.grader.exercises.{exercise.name}.checks]")
        for check in exercise.checks:
            if public_only and check.visibility != "public":
                continue
            extra = "".join(f", {k} = {_toml(getattr(check, k))}"
                            for k in ("call_timeout", "check_timeout") if getattr(check, k))
            lines.append(f"{check.name} = {{ points = {_toml(check.points)}, visibility = "
                         f"{_toml(check.visibility)}{extra} }}")
    return "\n".join(lines) + "\n"


FALLBACK_DEPENDENCIES = ["torch>=2.2", "numpy>=1.24", "pytest>=8", "hypothesis>=6.100",
                         "click>=8.1", "nbformat>=5.9", "Jinja2>=3.1", "matplotlib>=3.7",
                         "babel>=2.12"]


def _dependencies() -> list[str]:
    """The grader's own dependencies, as its pyproject.toml lists them (so a release installs
    what this grader imports: the HTML reports' Jinja2 and matplotlib included)."""
    import tomllib
    try:
        project = tomllib.loads((FRAMEWORK.parent / "pyproject.toml").read_text())["project"]
        return list(project["dependencies"]) or FALLBACK_DEPENDENCIES
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return FALLBACK_DEPENDENCIES


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _student_readme(assignment) -> str:
    """The student README (grader/templates/student_README.md, Jinja2 with ``{% trans %}``
    blocks) in the current language."""
    import jinja2
    from grader.i18n import catalog

    def points(exercise, visibility):
        return f"{sum(c.points for c in exercise.checks if c.visibility == visibility):g}"

    public = sum(c.points for e in assignment.exercises for c in e.checks
                 if c.visibility == "public")
    hidden = sum(c.points for e in assignment.exercises for c in e.checks
                 if c.visibility == "hidden")
    rows = [{"name": e.name, "file": f"exercises/{e.topic}.py",
             "notebook": f"notebooks/{e.topic}.ipynb", "public": points(e, "public"),
             "hidden": points(e, "hidden")} for e in assignment.exercises]
    # Markdown, not HTML: nothing to escape (the title and names are the course staff's)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                             extensions=["jinja2.ext.i18n"], keep_trailing_newline=True)
    env.install_gettext_translations(catalog("release"), newstyle=False)
    title = getattr(assignment, "shown_title", None) or assignment.title   # in the language
    return env.get_template("student_README.md").render(
        title=title, due=assignment.due, public=f"{public:g}", hidden=f"{hidden:g}", rows=rows)


# --------------------------------------------------------------------------- zips
def make_zip(folder: Path, target: Path) -> Path:
    """A reproducible zip: sorted entries, fixed times and permissions, no extra fields."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            info = zipfile.ZipInfo(str(path.relative_to(folder)), date_time=ZIP_TIME)
            executable = path.stat().st_mode & 0o111
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return target
