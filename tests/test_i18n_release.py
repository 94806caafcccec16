"""The student-facing material of a release in the assignment's language (domain ``release``,
grader/i18n.py): the student README and the notebooks' instructions.  The catalog is complete
and compiled, a zh_CN release reads in Chinese with every command, path and name as it is,
and an English release is what it was."""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from grader import assignment as assignment_mod
from grader import i18n
from grader.course import notebook_build
from grader.course import publish as publish_mod

from conftest import ROOT, write_assignment

import babel  # noqa: E402  (a dependency of the grader: grade publish writes catalogs)
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

LOCALE = ROOT / "grader" / "course" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "release.po"
# the release's own calls and the README template's {% trans %} blocks (gettext/ngettext),
# not `_`: notebook_build.py's errors for instructors are the `grader` domain's
KEYWORDS = {"release_text": None, "release_ngettext": (1, 2), "gettext": None,
            "ngettext": (1, 2)}
UPDATE = ("run: pybabel extract -F grader/course/locale/babel.cfg --no-default-keywords "
          "-k release_text -k release_ngettext:1,2 -k gettext -k ngettext:1,2 "
          "--no-wrap --sort-by-file -o grader/course/locale/release.pot "
          ". && pybabel update -D release -i grader/course/locale/release.pot -d "
          "grader/course/locale --no-wrap, translate, then pybabel compile -D release -d "
          "grader/course/locale")
_BRACES = re.compile(r"\{(\w+)\}")
_PERCENT = re.compile(r"%\((\w+)\)s")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(text: str) -> set[str]:
    return set(_BRACES.findall(text)) | {f"%{n}" for n in _PERCENT.findall(text)}


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as handle:
        return read_po(handle)


def _extracted() -> set:
    with open(LOCALE / "babel.cfg") as handle:
        method_map, options = parse_mapping_cfg(handle)
    return {message for _, _, message, _, _ in
            extract_from_dir(str(ROOT), method_map, options, keywords=KEYWORDS)}


def _english_msgids(po) -> list[str]:
    return [text for m in po if m.id for text in (m.id if isinstance(m.id, tuple) else (m.id,))]


def test_every_release_message_has_a_zh_cn_translation_with_the_same_placeholders(po):
    extracted = _extracted()
    entries = {m.id: m for m in po if m.id}
    assert len(extracted) >= 35
    missing = sorted(map(str, set(extracted) - set(entries)))
    assert not missing, f"messages without a translation ({UPDATE}):\n" + "\n".join(missing)
    stale = sorted(map(str, set(entries) - set(extracted)))
    assert not stale, f"translations of messages no longer used ({UPDATE}):\n" + "\n".join(stale)
    problems = []
    for message in entries.values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"{ids[0]!r}: untranslated or fuzzy")
            continue
        for text in strings:
            if _placeholders(text) != _placeholders(ids[0]):
                problems.append(f"{ids[0]!r}: placeholders {_placeholders(text)} in the "
                                f"translation, {_placeholders(ids[0])} in the source")
            if not _CJK.search(text):
                problems.append(f"{ids[0]!r}: not Chinese")
    assert not problems, "\n".join(problems)


# what a statement's translation keeps as it is: ``code``, 'strings', calls and names with a dot
# or an underscore (nn.Linear, valid_lens, sqrt(d)), and numbers ("2-D" is prose: 二维)
_CODE = re.compile(r"``[^`]+``|(?<![\w)\]])'[^']*'|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
                   r"(?:\([^()]*\))?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!-D)")


def _code_tokens(text: str) -> set[str]:
    tokens = {t for t in _CODE.findall(text)
              if (t.startswith(("`", "'")) or "_" in t or "." in t or "(" in t)
              and not all(len(part) <= 1 for part in t.split("."))}      # e.g., i.e.
    return tokens | set(_NUMBER.findall(text))


def test_statement_translations_keep_code_names_and_numbers(po):
    statements = [m for m in po if m.id and any(c.startswith("statement of ")
                                                for c in m.auto_comments)]
    assert len(statements) >= 150          # every exercise's and topic's statement
    problems = []
    for message in statements:
        lost = sorted(t for t in _code_tokens(message.id) if t not in message.string)
        if lost:
            problems.append(f"{message.auto_comments[0]}: {message.id[:60]!r}... lost {lost}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- a zh release
@pytest.fixture(scope="module")
def zh_release(tmp_path_factory, course):
    """A small assignment (a function topic with given helpers, a class topic) published in
    Chinese: the student release's README and notebooks."""
    folder = tmp_path_factory.mktemp("zh_release")
    spec = assignment_mod.load(write_assignment(folder / "a.toml", {
        "corr2d": ["book_example"], "Conv2D": ["has_weight_and_bias"],
        "Vocab": ["small_example"]}, title="第二课"))
    paths = publish_mod.publish(spec, folder / "release", language="zh_CN")
    return Path(paths["student"])


def test_the_assignments_language_and_title_choose_the_release(tmp_path, course):
    """No explicit language: the table's ``[tool.grader] language`` decides, and the README
    and notebooks show the table's title in that language."""
    from dataclasses import replace
    spec = assignment_mod.load(write_assignment(tmp_path / "a.toml", {
        "corr2d": ["book_example"]}, title="Lesson 2"))
    spec = replace(spec, language="zh_CN", titles={"zh_CN": "第二课：卷积"})
    paths = publish_mod.publish(spec, tmp_path / "release")
    readme = (Path(paths["student"]) / "README.md").read_text()
    assert readme.startswith("# 第二课：卷积\n") and "## 安装（只需一次）" in readme
    nb = nbformat.read(Path(paths["student"]) / "notebooks" / "convolution.ipynb", as_version=4)
    assert "*第二课：卷积*：1 道计分练习，共 1 分。" in nb.cells[0].source
    assert 'language = "zh_CN"' in (Path(paths["student"]) / "pyproject.toml").read_text()


def _prose(markdown: str) -> list[str]:
    """The paragraphs of ``markdown`` outside code blocks, tables and formulas."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    return [p.strip() for p in text.split("\n\n")
            if p.strip() and not p.strip().startswith(("|", "# "))]


def test_a_zh_release_readme_is_chinese_and_keeps_commands_and_names(zh_release, po):
    readme = (zh_release / "README.md").read_text()
    assert readme.startswith("# 第二课\n")
    for paragraph in _prose(readme):
        assert _CJK.search(paragraph), paragraph
    for english in _english_msgids(po):
        if len(english) > 12:
            assert english.split("%(")[0] not in readme, english
    for kept in (".venv/bin/pip install -e .\n", ".venv/bin/grade corr2d pool2d ",
                 "`raise NotImplementedError`", "`exercises/<topic>.py`", "`check(\"name\")`",
                 "| `corr2d` | `exercises/convolution.py`, `notebooks/convolution.ipynb` | 1 + 0 |",
                 "| `Vocab` | `exercises/translation.py`, `notebooks/translation.ipynb` | 2 + 0 |",
                 "（4 分）"):
        assert kept in readme, kept


def test_a_zh_release_notebook_instructions_are_chinese(zh_release, po):
    english = [e.split("{")[0] for e in _english_msgids(po) if len(e.split("{")[0]) > 12]
    for topic in ("convolution", "translation"):
        nb = nbformat.read(zh_release / "notebooks" / f"{topic}.ipynb", as_version=4)
        nbformat.validate(nb)
        cells = {c.id.split("-", 2)[2]: c for c in nb.cells}
        for cell in nb.cells:               # the code cells' docstrings are translated too
            for text in english:
                assert text not in cell.source, (cell.id, text)
        # the instructions: Chinese, with the names and commands as they are
        assert "**本笔记本的用法。**" in cells["title"].source
        assert "`raise NotImplementedError`" in cells["title"].source
        assert _CJK.search(cells["check-setup-text"].source)
        assert f"`grade --submission {topic}.ipynb`" in cells["grade-text"].source
        assert cells["grade-text"].source.startswith("## 检查你的作业")
        texts = [c for c in nb.cells if c.id.endswith("-text") and "grader" not in c.metadata]
        headings = [c.source.splitlines()[0] for c in texts if c.source.startswith("## 练习")]
        assert headings, topic
        for cell in texts:
            last = cell.source.rstrip().splitlines()[-1]
            assert _CJK.search(last), (cell.id, last)
        graded = [c.metadata["grader"]["exercise"] for c in nb.cells
                  if c.metadata.get("grader", {}).get("graded")]
        for name in graded:
            assert f'check("{name}")' in [c.source for c in nb.cells]
        # the check-setup cell is valid Python that explains a missing grader in Chinese
        code = cells["check-setup"].source
        compile(code, "check-setup", "exec")
        assert f"grade -s notebooks/{topic}.ipynb" in code and "{python} -m pip install -e ." \
            in code and "需要" in code
    convolution = nbformat.read(zh_release / "notebooks" / "convolution.ipynb", as_version=4)
    sources = "\n".join(c.source for c in convolution.cells)
    assert "## 练习 1：`corr2d(X, K)`" in sources and "*1 分*" in sources
    assert "`corr2d` 的函数体" in sources and "`Conv2D` 的方法 `__init__`, `forward`" in sources


def _without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in [tree, *ast.walk(tree)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body[0].value.value = ""
    return ast.dump(tree)


def test_a_zh_release_stubs_have_chinese_docstrings_and_the_same_code(zh_release, course, po):
    english = [e for e in _english_msgids(po) if len(e) > 12]
    for topic in ("convolution", "translation"):       # translation: Vocab's methods too
        stub = (zh_release / "exercises" / f"{topic}.py").read_text()
        original = (course.stubs_dir / f"{topic}.py").read_text()
        assert _without_docstrings(stub) == _without_docstrings(original), topic
        tree = ast.parse(stub)               # every docstring: exercises, helpers, methods
        docs = [ast.get_docstring(n) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))]
        assert len([d for d in docs if d]) >= 8 and \
            all(_CJK.search(doc) for doc in docs if doc), topic
        assert not [text for text in english if text in stub], topic
    assert ">>> corr2d(X, K)" in (zh_release / "exercises" / "convolution.py").read_text()


def test_the_zh_check_setup_cell_runs_without_the_grader(monkeypatch, capsys):
    with i18n.language("zh_CN"):
        code = notebook_build.check_setup("convolution.ipynb")
    monkeypatch.setitem(sys.modules, "grader", None)          # as if not installed
    exec(compile(code, "cell", "exec"), {})
    said = capsys.readouterr().out
    assert "没有安装" in said and f"{sys.executable} -m pip install -e ." in said
    assert said.rstrip().endswith("grade -s notebooks/convolution.ipynb")


def test_an_english_release_is_unchanged(course):
    readme = publish_mod._student_readme(course)
    assert not _CJK.search(readme.replace(course.title, ""))
    assert "Only the **public** checks are in this folder (124 points).  **Hidden checks** " \
           "(152 points) test more inputs" in readme
    nb = notebook_build.build_notebook("convolution", course)
    title = nb.cells[0].source
    assert "*Lesson 2: regularisation, convolutions, attention*: 7 graded exercises, " \
           "45 points." in title and "**How this notebook works.**" in title
    assert json.dumps(nb.cells[-2].source).startswith('"## Check your work')
    assert not any(_CJK.search(c.source) for c in nb.cells
                   if c.id.endswith(("setup-text", "check-setup", "grade-text", "grade")))
