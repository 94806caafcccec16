"""Feedback in the student's language (issue 15): the machinery and the `grader` domain.

- every .mo shipped is compiled from its .po as it is now;
- every message of the framework (Babel's extraction with babel.cfg, as README
  "Translations" runs it) has a zh_CN translation with the same placeholders;
- the language is chosen by --lang, the locale and the assignment, and reaches the judge;
- the same submission gets the same scores, statuses and JSON keys in both languages: only
  the prose differs.
"""
from __future__ import annotations

import gettext
import json
import re
import shutil
import string
from dataclasses import replace
from pathlib import Path

import pytest

from grader import i18n
from grader.errors import ConfigError
from grader.judge.run import GradeRequest, run
from test_html_report import browser  # noqa: F401  (fixture: headless Chromium)

ROOT = Path(__file__).resolve().parent.parent
GRADER_PO = ROOT / "grader" / "locale" / "zh_CN" / "LC_MESSAGES" / "grader.po"


def _catalogs() -> list[Path]:
    """Every .po of every domain the project ships or keeps (grader, checks, mistakes)."""
    found = set(ROOT.glob("grader/**/locale/*/LC_MESSAGES/*.po"))
    found |= set(ROOT.glob("tests/**/locale/*/LC_MESSAGES/*.po"))
    return sorted(found)


def _read_po(path: Path):
    from babel.messages.pofile import read_po
    with open(path, "rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> set[str]:
    """The named str.format fields of a message ({n}, {what}); '{{' is a literal brace."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field)
    return names


# ----------------------------------------------------------------------------- the catalogs
@pytest.mark.parametrize("po", _catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_mo_is_compiled_from_the_current_po(po):
    """A .po edited without `pybabel compile` would ship old translations: the .mo must hold
    exactly the .po's translated, non-fuzzy messages, plural forms included (a compiled
    plural is keyed (singular, n))."""
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(ROOT)} is missing: run pybabel compile (README)"
    catalog = _read_po(po)
    want = {}
    for m in catalog:
        if not m.id or not m.string or "fuzzy" in m.flags:
            continue
        if isinstance(m.id, str):
            want[m.id] = m.string
        else:
            want.update({(m.id[0], n): text for n, text in enumerate(m.string)})
    with open(mo, "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    have = {k: v for k, v in compiled.items() if k}
    stale = sorted(set(want.items()) ^ set(have.items()))
    assert not stale, (f"{mo.relative_to(ROOT)} is out of date with its .po (run pybabel "
                       f"compile, README \"Translations\"); first differences: {stale[:3]}")


def test_placeholders_of_the_grader_domain():
    catalog = _read_po(GRADER_PO)
    wrong = [(m.id, m.string) for m in catalog if m.id and m.string
             and placeholders(m.id) != placeholders(m.string)]
    assert not wrong, f"translations whose placeholders differ from the msgid's: {wrong[:5]}"
    for message in catalog:            # each translation formats with its msgid's values
        if message.id and message.string:
            message.string.format(**{name: "x" for name in placeholders(message.id)})


# a placeholder and Chinese punctuation touch: "{name}：", "（{detail}）", never "{name} ："
_SPACED_PUNCTUATION = re.compile(r"\} [，。：；！？、）》」]|[（《「：，。；、] \{")


@pytest.mark.parametrize("po", _catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_space_between_a_placeholder_and_chinese_punctuation(po):
    """Chinese typography puts no space beside its own punctuation (a space between Latin text
    and Han characters is a matter of style, and the catalogs keep one)."""
    if "zh_CN" not in po.parts:
        return
    glitches = [m.string for m in _read_po(po) if m.id and isinstance(m.string, str)
                and _SPACED_PUNCTUATION.search(m.string)]
    assert not glitches, f"a space beside Chinese punctuation: {glitches[:5]}"


def test_a_space_between_two_chinese_words_is_dropped():
    """"{where} 处的 {call}": the space suits "conv.py 处的", but "第 120 行" is Chinese too and
    "第 120 行 处的" is a glitch; the translation's own spaces go where both sides are Chinese,
    the values themselves are never touched."""
    fill = i18n.fill
    assert fill("{where} 处的 {call}", {"where": "第 120 行", "call": "torch.rand"}) \
        == "第 120 行处的 torch.rand"
    assert fill("{where} 处的 {call}", {"where": "conv.py", "call": "torch.rand"}) \
        == "conv.py 处的 torch.rand"
    assert fill("位于 {place}，在 {function} 中", {"place": "第 3 个单元格", "function": "f"}) \
        == "位于第 3 个单元格，在 f 中"
    assert fill("得到 {got} 个", {"got": "中 文"}) == "得到中 文个"       # the value as it is
    assert fill("{n:>3} of {{x}} {s!r}", {"n": 7, "s": "a"}) == "  7 of {x} 'a'"


def test_the_device_advice_in_chinese():
    """grade -s on a function calling torch.rand without device=: the advice names the line
    as Chinese text, without a stray space ("第 2 行处的 torch.rand")."""
    from grader.judge.checking import Failure, advise_device
    from grader.judge.plugin import SourceView
    from grader.submission.source import Unit
    unit = Unit("conv", "conv.py", "import torch\n\ndef f(X):\n    return torch.rand(3)\n")
    with i18n.language("zh_CN"), pytest.raises(Failure) as failure:
        advise_device(SourceView(unit, "f"), "f")
    assert "conv.py，第 4 行处的 torch.rand" in str(failure.value), str(failure.value)


def extracted_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg .` finds: every message of the `grader` domain."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    def in_the_package(folder: str) -> bool:        # skip tests/, .venv/ and the rest
        relative = Path(folder).resolve().relative_to(ROOT).parts
        return not relative or relative[0] == "grader"
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                 keywords={"_": None, "N_": None},
                                                 directory_filter=in_the_package):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_framework_message_has_a_translation():
    """Every message the framework shows (CLI, errors, reports, judge API, kernel check())
    has a zh_CN translation: a new _("...") without one fails here, naming it."""
    messages = extracted_messages()
    assert len(messages) > 30           # the extraction found the framework's messages
    catalog = _read_po(GRADER_PO)
    missing = sorted(m for m in messages
                     if not (catalog.get(m) and catalog.get(m).string
                             and "fuzzy" not in catalog.get(m).flags))
    assert not missing, (f"{len(missing)} messages have no zh_CN translation in "
                         f"{GRADER_PO.relative_to(ROOT)} (README \"Translations\"): {missing[:10]}")


def test_a_translation_keeps_numbers_and_code():
    with i18n.language("zh_CN"):
        text = i18n._("first at index {index}: expected {expected}, got {got}",
                      index="(0, 1)", expected="19.", got="5.")
    assert "(0, 1)" in text and "19." in text and "5." in text
    assert "expected" not in text


# ----------------------------------------------------------------------------- choosing it
def test_language_names_are_normalised():
    assert i18n.normalize("zh_CN.UTF-8") == "zh_CN"
    assert i18n.normalize("zh-CN") == "zh_CN"
    assert i18n.normalize("en_US.UTF-8") == "en"
    assert i18n.normalize("C.UTF-8") is None
    with pytest.raises(ValueError, match="fr"):
        i18n.resolve_language("fr")


def test_who_chooses_the_language(monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")              # CI: English, unless someone asks
    assert i18n.resolve_for_person(None, None) == "en"
    assert i18n.resolve_for_person(None, "zh_CN") == "zh_CN"     # the course's default
    assert i18n.resolve_for_person("en", "zh_CN") == "en"        # --lang wins
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve_for_person(None, None) == "zh_CN"        # the student's locale
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert i18n.resolve_for_person(None, "zh_CN") == "en"        # LC_ALL before LANG
    # official grading: the assignment's language before the machine's locale
    assert i18n.resolve_language(None, "zh_CN") == "zh_CN"


def test_assignment_language(tmp_path):
    from grader import assignment as assignment_mod
    text = (ROOT / "pyproject.toml").read_text()
    table = text[text.index("[tool.grader]"):]
    path = tmp_path / "pyproject.toml"
    path.write_text(table.replace("[tool.grader]\n", '[tool.grader]\nlanguage = "zh-CN"\n', 1))
    assert assignment_mod.load(path).language == "zh_CN"
    path.write_text(table.replace("[tool.grader]\n", '[tool.grader]\nlanguage = "fr"\n', 1))
    with pytest.raises(ConfigError, match="language must be one of en, zh_CN"):
        assignment_mod.load(path)
    assert assignment_mod.load(ROOT / "pyproject.toml").language is None


def test_an_unknown_lang_is_a_usage_error():
    from click.testing import CliRunner

    from grader.cli import cli
    outcome = CliRunner().invoke(cli, ["--lang", "fr", "corr2d"])
    assert outcome.exit_code == 2
    assert "choose one of en, zh_CN" in outcome.output


def test_check_in_a_notebook_passes_the_language_to_its_judge():
    from grader.kernel.judge_process import command
    args = command(Path("lab.ipynb"), ["corr2d"], lang="zh_CN")
    assert args[args.index("--lang") + 1] == "zh_CN"
    assert "--lang" not in command(Path("lab.ipynb"), ["corr2d"])


# ----------------------------------------------------------------------------- grading in both
HALF_WRONG = ("truncate_pad", "tokenize")      # a catalogued mistake; a correct answer


@pytest.fixture(scope="module")
def half_wrong(tmp_path_factory):
    """solutions/translation.py with truncate_pad replaced by a catalogued mistake (padding on
    the left): truncate_pad fails (with a diagnosis), tokenize passes.  Pure Python: cheap."""
    folder = tmp_path_factory.mktemp("half_wrong")
    shutil.copy(ROOT / "solutions" / "translation.py", folder / "translation.py")
    with open(folder / "translation.py", "a", encoding="utf-8") as handle:
        handle.write("\n\n" + (ROOT / "tests/mutants/truncate_pad/pads_left.py").read_text())
    return folder


@pytest.fixture(scope="module")
def graded(course, half_wrong, forkserver):
    """The half-wrong submission graded once in each language: {lang: GradeResult}."""
    def grade(assignment, **language):
        return run(GradeRequest(assignment, half_wrong, HALF_WRONG, sandbox="process",
                                launcher=forkserver.launch, **language))
    # English asked for by the request (--lang en); Chinese by the assignment alone, the way
    # grade batch's slots and the judge's shards receive it
    return {"en": grade(course, language="en"),
            "zh_CN": grade(replace(course, language="zh_CN"))}


PROSE = {"assignment", "description", "message", "expected", "actual", "details", "hint",
         "diagnosis",
         "advice", "notes"}


def _differences(a, b, path=()):
    """Paths where two JSON documents differ; KeyError-like differences are keys."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert list(a) == list(b), f"keys differ at {'.'.join(map(str, path))}"
        for key in a:
            yield from _differences(a[key], b[key], path + (key,))
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"lengths differ at {'.'.join(map(str, path))}"
        for index, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, path + (index,))
    elif a != b:
        yield path


def test_scores_statuses_and_keys_are_the_same_in_both_languages(graded):
    english, chinese = graded["en"].to_dict(), graded["zh_CN"].to_dict()
    assert [e["status"] for e in english["exercises"]] == ["partial", "complete"]
    assert english["score"] == chinese["score"] == 8
    differing = list(_differences(english, chinese))
    assert differing, "nothing was translated"
    for path in differing:
        prose = [p for p in path if isinstance(p, str)]
        assert prose and prose[-1] in PROSE, f"{'.'.join(map(str, path))} is not prose"
    # the JSON is the documented schema in both, and Chinese stays readable in it
    assert json.loads(graded["zh_CN"].to_json()) == chinese
    assert "已知错误" in graded["zh_CN"].to_json()
    first = chinese["exercises"][0]["checks"]
    failing = next(c for c in first if c["status"] == "fail")
    assert failing["feedback"]["call"] == next(
        c for c in english["exercises"][0]["checks"] if c["name"] == failing["name"]
    )["feedback"]["call"]              # the call, code and tensors: unchanged


def test_the_language_reaches_every_judge_shard(course, half_wrong, monkeypatch):
    """-j 2: each shard is a process of its own, started with the request (pickled): the
    request it gets names the language, whatever the parent's current language."""
    from grader.judge import run as run_mod
    sent = []

    def shards(request, assignment, jobs, info):
        sent.append(request)
        raise KeyboardInterrupt            # stop here: what the shards would get is known
    monkeypatch.setattr(run_mod, "_run_sharded", shards)
    exercises = ("tokenize", "truncate_pad", "polynomial_features", "corr2d",
                 "conv_output_shape", "sequence_mask", "bleu", "DotProductAttention")
    with pytest.raises(KeyboardInterrupt):
        run(GradeRequest(replace(course, language="zh_CN"), half_wrong, exercises, jobs=2))
    assert sent[0].language == "zh_CN"
    assert i18n.current_language() == "en"          # and the caller's language is back


def test_any_placeholder_name_is_free():
    """`message` and `domain` are the functions' own parameters: positional only, so that a
    message may have placeholders of those names (grade: error: {message})."""
    assert i18n._("grade: error: {message}", message="boom") == "grade: error: boom"
    assert i18n.check_text("{domain} {message}", domain="a", message="b") == "a b"


# ----------------------------------------------------------------------------- what a student reads
GOLDEN = ROOT / "tests" / "golden" / "zh_CN_text_report.txt"
# the frame of the text report in English: none of it may remain in the Chinese report
ENGLISH_FRAME = ("expected", "got ", "hint", "diagnosis", "called", "Total", "other check",
                 "grade -v shows", "known mistake", "has wrong values", "is wrong")


def test_the_chinese_text_report(graded):
    """A golden test of `grade --lang zh_CN` on a half-wrong submission (one exercise wrong,
    one right).  The check descriptions and hints (domain `checks`) and the diagnosis (domain
    `mistakes`) are in the golden file as their catalogs translate them; after a change to a
    catalog, regenerate: GRADER_UPDATE_GOLDEN=1 pytest tests/test_i18n.py -k chinese_text."""
    import os

    from grader.reports.text import render_text
    with i18n.language("zh_CN"):
        text = render_text(graded["zh_CN"], unicode=True)
    for word in ENGLISH_FRAME:
        assert word not in text, f"{word!r} is not translated:\n{text}"
    assert "诊断" in text and "期望" in text and "得到" in text and "总分" in text
    assert "truncate_pad(line=[47, 4], num_steps=10, padding_token=1)" in text   # code as is
    from grader.reports.wording import width
    assert all(width(line) <= 80 for line in text.splitlines()), text   # columns, not chars
    if os.environ.get("GRADER_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        "the Chinese report changed; if on purpose, regenerate (see this test's docstring)")


def test_the_english_report_is_unchanged_by_the_machinery(graded):
    from grader.reports.text import render_text
    text = render_text(graded["en"], unicode=True)
    assert "expected" in text and "Total" in text and "诊断" not in text


def test_the_chinese_html_page(graded, tmp_path):
    """The student's page in Chinese: lang="zh-CN" (the browser picks CJK fonts and line
    breaking by it), the frame translated, the code unchanged, still self-contained."""
    from grader.reports.html import render_student
    with i18n.language("zh_CN"):
        page = render_student(graded["zh_CN"].to_dict())
    assert '<html lang="zh-CN">' in page
    for text in ("练习", "期望", "得到", "诊断", "部分通过", "全部通过"):
        assert text in page, text
    for word in ("Exercises", ">expected<", ">got<", ">partial<", ">complete<"):
        assert word not in page, word
    assert "truncate_pad(line=[47, 4], num_steps=10, padding_token=1)" in page
    english = render_student(graded["en"].to_dict())
    assert '<html lang="en">' in english and "Exercises" in english


def test_the_chinese_html_page_in_a_browser(graded, browser):
    """Chromium renders the zh page with a CJK font from the page's font stack (Noto Sans CJK
    in CI: .ci/run installs fonts-noto-cjk), with no problem; the screenshot is kept in
    tests/artifacts/i18n/ for a person to look at."""
    from grader.reports.html import render_student
    artifacts = ROOT / "tests" / "artifacts" / "i18n"
    artifacts.mkdir(parents=True, exist_ok=True)
    page = artifacts / "student-zh_CN.html"
    with i18n.language("zh_CN"):
        page.write_text(render_student(graded["zh_CN"].to_dict(), title="第 2 课"),
                        encoding="utf-8")
    info = browser.visit(page, artifacts / "student-zh_CN.png", full_page=True)
    assert info["problems"] == [] and info["scrollWidth"] <= info["clientWidth"], info
    assert "练习" in info["text"]
    fonts = _fonts_rendering(browser, page, "h2")
    stack = ("Noto Sans CJK", "Source Han Sans", "PingFang", "Hiragino Sans GB",
             "Microsoft YaHei", "WenQuanYi")
    assert any(name in font["familyName"] for font in fonts for name in stack), fonts
    assert (artifacts / "student-zh_CN.png").stat().st_size > 8000


def _fonts_rendering(browser, page: Path, selector: str) -> list[dict]:
    """The platform fonts Chromium used for the text of the first ``selector`` of ``page``
    (DevTools' CSS.getPlatformFontsForNode)."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "DOM", "CSS"):
            browser.call(f"{domain}.enable", session=session)
        start = len(browser.events)
        browser.call("Page.navigate", {"url": page.resolve().as_uri()}, session)
        browser._wait_for("Page.loadEventFired", session, start)
        root = browser.call("DOM.getDocument", session=session)["root"]["nodeId"]
        node = browser.call("DOM.querySelector", {"nodeId": root, "selector": selector},
                            session)["nodeId"]
        return browser.call("CSS.getPlatformFontsForNode", {"nodeId": node}, session)["fonts"]
    finally:
        browser.call("Target.closeTarget", {"targetId": target})


def test_no_function_hides_the_translation_function():
    """`x, _ = ...` or `for _ in` inside a function makes `_` local to all of it: a `_("...")`
    in the same function would then call that value.  None in the package."""
    import ast
    found = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "_(" not in text:
            continue
        tree = ast.parse(text)
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            own = [n for n in ast.walk(function)]
            assigned = any(isinstance(n, ast.Name) and n.id == "_" and
                           isinstance(n.ctx, ast.Store) for n in own)
            called = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and
                         n.func.id == "_" for n in own)
            if assigned and called:
                found.append(f"{path.relative_to(ROOT)}:{function.lineno}")
    assert not found, f"functions that assign _ and call _(): {found}"


def test_grade_follows_the_locale(half_wrong, monkeypatch):
    """`grade` at a terminal whose locale is Chinese reports in Chinese, the whole way from the
    command line to the judge and back (--lang over the locale: test_who_chooses_the_language;
    English: every other test of the suite)."""
    from click.testing import CliRunner

    from grader.cli import cli
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    args = ["-s", str(half_wrong), "truncate_pad", "--checks", "book_example",
            "--sandbox", "process"]
    with i18n.language("en"):            # the CLI sets the process's language: put it back
        chinese = CliRunner().invoke(cli, args)
    assert chinese.exit_code == 0, chinese.output
    assert "总分" in chinese.output and "期望" in chinese.output, chinese.output
    assert i18n.current_language() == "en"


def test_notebook_gradescope_and_classroom_outputs_in_chinese(graded):
    """check()'s inline result, Gradescope's results.json and Classroom's reporter message
    are framed in Chinese when the language is; the data they carry is the same."""
    from grader.kernel import render
    from grader.reports import classroom, gradescope
    english, chinese = graded["en"].to_dict(), graded["zh_CN"].to_dict()
    with i18n.language("zh_CN"):
        text = render.to_text(chinese, seconds=1.0)
        page = render.to_html(chinese, seconds=1.0)
        scope = gradescope.to_gradescope(chinese)
        room = classroom.to_classroom(chinese)
    assert "总分" in text and "期望" in text and "由单独的评分进程评分" in text
    assert "Total" not in text and "expected" not in text
    assert "部分通过" in page and ">exercise<" not in page
    assert "公开检查" in scope["output"]
    assert [(t["score"], t["status"]) for t in scope["tests"]] == [
        (t["score"], t["status"]) for t in gradescope.to_gradescope(english)["tests"]]
    assert "未通过" in room["tests"][0]["message"]
    assert room["max_score"] == classroom.to_classroom(english)["max_score"]


# ----------------------------------------------------------------------------- real commands
_HAN = re.compile(r"[\u4e00-\u9fff]")


def test_grade_in_chinese_gives_the_same_bytes_with_two_judges(half_wrong, monkeypatch):
    """`grade --lang zh_CN -j 2 --format json` and `-j 1`: the same bytes.  Two exercises are
    shared out to two judge processes (MIN_EXERCISES_PER_JOB lowered for the test: sharding
    is what is tested, not its threshold); each shard builds its Chinese prose itself."""
    from click.testing import CliRunner

    from grader.cli import cli
    from grader.judge import run as run_mod
    monkeypatch.setattr(run_mod, "MIN_EXERCISES_PER_JOB", 1)
    sharded = []
    real = run_mod._run_sharded
    monkeypatch.setattr(run_mod, "_run_sharded",
                        lambda *args: sharded.append(args[2]) or real(*args))
    monkeypatch.chdir(ROOT)
    out = {}
    for jobs in ("1", "2"):
        outcome = CliRunner().invoke(cli, ["--lang", "zh_CN", "-j", jobs, "--format", "json",
                                           "--sandbox", "process", "-s", str(half_wrong),
                                           *HALF_WRONG])
        assert outcome.exit_code == 0, outcome.output
        out[jobs] = outcome.stdout
    assert sharded == [2]                               # -j 2 did use two judges
    assert out["2"] == out["1"]
    _assert_chinese(json.loads(out["1"]))


def _assert_chinese(result: dict, diagnosed: bool = True) -> None:
    """The prose of a JSON result is Chinese: every description, the message of the
    catalogued mistake's failing check and its diagnosis (pads_left: book_example; a table
    written by the test has no catalogue of mistakes: ``diagnosed=False``)."""
    checks = [c for e in result["exercises"] for c in e["checks"]]
    assert checks and all(_HAN.search(c["description"]) for c in checks), checks
    [book] = [c for c in checks if c["name"] == "book_example"]
    assert book["status"] == "fail" and _HAN.search(book["message"]), book
    if diagnosed:
        assert _HAN.search(book["feedback"]["diagnosis"]), book


def test_grade_batch_records_chinese_prose(tmp_path, half_wrong, monkeypatch):
    """`grade batch` of an assignment whose [tool.grader] says language = "zh_CN": its
    progress lines and the gradebook's results (what exports and reports show) are Chinese."""
    from click.testing import CliRunner

    from conftest import write_assignment
    from grader.classroom.gradebook import Gradebook
    from grader.cli import cli
    from grader import assignment as assignment_mod
    course = assignment_mod.load(ROOT / "pyproject.toml")
    names = [c.name for c in course.exercise("truncate_pad").checks]
    table = write_assignment(tmp_path / "zh.toml", {"truncate_pad": names})
    text = table.read_text()
    table.write_text(text.replace("[tool.grader]\n", '[tool.grader]\nlanguage = "zh_CN"\n', 1))
    shutil.copytree(half_wrong, tmp_path / "class" / "alice")
    book = tmp_path / "book.db"
    monkeypatch.chdir(ROOT)
    outcome = CliRunner().invoke(cli, ["batch", str(tmp_path / "class"), "--assignment",
                                       str(table), "--gradebook", str(book), "--jobs", "1",
                                       "--sandbox", "process"])
    assert outcome.exit_code == 0, outcome.output
    assert "已评分 1 份" in outcome.output, outcome.output
    with Gradebook(book) as gradebook:
        [row] = gradebook.current()
    assert row["status"] == "graded" and row["score"] < row["max_score"]
    _assert_chinese(row["result"], diagnosed=False)


# ----------------------------------------------------------------------------- grade --help
def _help(args: list[str]) -> str:
    from click.testing import CliRunner

    from grader.cli import cli
    try:
        outcome = CliRunner().invoke(cli, args)
    finally:
        i18n.set_language("en")
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_grade_help_in_chinese(monkeypatch):
    """`grade --lang zh_CN --help`: click's words (Usage, Options, --help's own help), the
    command's description, its options' help and the exit codes, all in Chinese; the same
    in a Chinese locale without --lang (the language is known before --help is acted on)."""
    monkeypatch.chdir(ROOT)
    english = _help(["--help"])
    assert "Usage:" in english and "Show this message and exit." in english
    shown = _help(["--lang", "zh_CN", "--help"])
    for chinese in ("用法:", "选项:", "显示此帮助信息并退出。", "为一份提交评分",
                    "也列出通过的检查。", "退出状态："):
        assert chinese in shown, (chinese, shown)
    for english_text in ("Usage:", "Options:", "List passing checks too.", "Exit codes:"):
        assert english_text not in shown, (english_text, shown)
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    group = _help(["--help"])
    assert "为深度学习练习评分。" in group and "命令:" in group, group
    assert "读取成绩册：导出当前结果。" in group, group          # a subcommand's short help
    assert "用法:" in _help(["batch", "--lang=zh_CN", "--help"])
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Usage:" in _help(["--help"])


def test_every_help_text_is_extracted():
    """The help of every command and option is a msgid of the catalog (the Babel extractor
    walks the command tree), so that a new option without a translation fails
    test_every_framework_message_has_a_translation."""
    from grader import cli_help
    from grader.cli import cli
    texts = cli_help.help_texts(cli)
    assert len(texts) > 40
    assert set(texts) | set(cli_help.CLICK_WORDS) <= extracted_messages()


def test_assignment_table_problems_in_chinese(tmp_path):
    """An instructor whose --lang (or locale) is Chinese reads the assignment table's problems
    in Chinese; the table's own names (keys, values, paths) stay as written."""
    from grader import assignment as assignment_mod
    source = tmp_path / "pyproject.toml"
    cases = {
        "[tool.grader]\ntitle = 'x'\n": "没有 [tool.grader.exercises.<name>] 表",
        "[tool.grader.exercises.a]\ntopic = 't'\n[tool.grader.exercises.a.checks]\n"
        "c = { points = 1, visibility = 'open' }\n": "visibility 必须是 public, hidden 之一",
        "[tool.grader]\nlanguage = 'fr'\n[tool.grader.exercises.a]\ntopic = 't'\n"
        "[tool.grader.exercises.a.checks]\nc = { points = 1 }\n": "language 必须是 en, zh_CN 之一",
        "[tool.grader]\ncall_timeout = 'soon'\n": "call_timeout：应当是一个数，得到的是 'soon'",
        "[tool.grader\n": "不是有效的 TOML",
    }
    for text, chinese in cases.items():
        source.write_text(text)
        with i18n.language("zh_CN"), pytest.raises(ConfigError) as problem:
            assignment_mod.load(source)
        assert chinese in str(problem.value), (text, str(problem.value))


def test_generate_and_publish_problems_in_chinese():
    """grade generate / publish: broken solution markers are reported in Chinese, with the
    file and line as they are."""
    from grader.course import generate
    broken = "def f():\n    # BEGIN SOLUTION\n    return 1\n"
    with i18n.language("zh_CN"), pytest.raises(ConfigError) as problem:
        generate.stub_source(broken, "t", "solutions/t.py")
    assert str(problem.value) == "solutions/t.py:2：BEGIN SOLUTION 没有结束", str(problem.value)
    with pytest.raises(ConfigError, match="BEGIN SOLUTION is never closed"):
        generate.stub_source(broken, "t", "solutions/t.py")


def test_batch_entry_problems_in_chinese(tmp_path):
    """grade batch: entries that cannot be told apart, or named outside the roster, are
    refused in the instructor's language, the entries' names as they are."""
    from grader.classroom import identity
    from grader.errors import UsageError
    with i18n.language("zh_CN"), pytest.raises(UsageError) as problem:
        identity.name_entries(["hw2-alice", "bob"], prefix="hw2-")
    assert str(problem.value).startswith("无法判断这些提交属于谁：\n  'bob' 不以前缀 'hw2-' 开头")
    (tmp_path / "roster.csv").write_text("name\nalice\n")
    with i18n.language("zh_CN"), pytest.raises(UsageError, match="不是 GitHub Classroom 的名册"):
        identity.read_roster(tmp_path / "roster.csv")
