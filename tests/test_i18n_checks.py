"""The ``checks`` message domain is complete: every sentence a student reads from
grader/checks/*.py has a zh_CN translation, with the same placeholders, compiled.

Completeness does not rest on the extractor alone: the checks are collected as the plugin
collects them (the ``grader`` mark on the check modules' functions, the description taken
from the docstring exactly as ``Plugin.classify`` takes it, the marker's hint), the scenarios
as ``grader.judge.student.scenario`` registers them, and each of those strings must have a
translation in the compiled catalog the judge loads.
"""
from __future__ import annotations

import gettext
import importlib
import io
import re
import string
from collections import Counter
from pathlib import Path

import pytest

import babel  # noqa: E402  (a dependency of the grader: grade publish writes catalogs)
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from grader import i18n  # noqa: E402
from grader.course import extract_checks  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "grader" / "checks"
LOCALE = CHECKS / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "checks.po"
MO = PO.with_suffix(".mo")
TOPICS = sorted(p.stem for p in CHECKS.glob("*.py") if p.stem != "__init__")


def _collected():
    """(kind, where, text) for every check description and hint, as the plugin sees them,
    and every scenario description, as the judge shows it."""
    from grader.judge import student
    found = []
    for topic in TOPICS:
        module = importlib.import_module(f"grader.checks.{topic}")
        for attr, obj in vars(module).items():
            marks = [m for m in getattr(obj, "pytestmark", []) if m.name == "grader"]
            if not marks or not attr.startswith("test_"):
                continue
            kwargs = marks[0].kwargs
            name = kwargs.get("name") or attr[len("test_"):]
            where = f"{kwargs['exercise']}.{name}"
            found.append(("description", where,
                          (obj.__doc__ or name).strip().splitlines()[0]))
            if kwargs.get("hint"):
                found.append(("hint", where, kwargs["hint"]))
    for fn, (_source, name, doc) in student._SCENARIOS.items():
        if fn.__module__.startswith("grader.checks."):
            found.append(("scenario", name, doc))
    return found


@pytest.fixture(scope="module")
def collected():
    return _collected()


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN", domain="checks")


@pytest.fixture(scope="module")
def extracted():
    msgids = {}
    for path in sorted(CHECKS.glob("*.py")):
        found, problems = extract_checks.messages(path.read_text(encoding="utf-8"))
        assert problems == [], f"{path.name}: {problems}"
        for message in found:
            msgids.setdefault(message.msgid, message)
    return msgids


def test_every_assigned_check_is_collected(collected):
    """The collection above sees every check of the assignment (none hides from it)."""
    from grader.assignment import load
    assignment = load(ROOT / "pyproject.toml")
    seen = {where for kind, where, _ in collected if kind == "description"}
    wanted = {f"{e.name}.{c.name}" for e in assignment.exercises for c in e.checks}
    assert wanted <= seen, sorted(wanted - seen)


def test_extractor_yields_what_the_judge_shows(collected, extracted):
    missing = [(kind, where, text) for kind, where, text in collected if text not in extracted]
    assert missing == []


def test_every_check_string_has_a_zh_CN_translation(collected):
    """Through the compiled catalog the judge loads: descriptions, hints, scenarios."""
    zh = gettext.translation("checks", str(LOCALE), languages=["zh_CN"])
    untranslated = [(kind, where, text) for kind, where, text in collected
                    if zh.gettext(text) == text]
    assert untranslated == []


def test_catalog_is_exactly_the_extracted_messages(po, extracted):
    in_po = {m.id for m in po if m.id}
    assert sorted(set(extracted) - in_po) == [], "run pybabel extract / update (see babel.cfg)"
    assert sorted(in_po - set(extracted)) == [], "obsolete entries: run pybabel update"
    assert [m.id for m in po if m.id and (not m.string or m.fuzzy)] == []


_FIELD = re.compile(r"\{[^{}]*\}")


def _fields(text: str) -> Counter:
    return Counter(_FIELD.findall(text.replace("{{", "").replace("}}", "")))


def test_placeholders_match(po):
    wrong = [(m.id, m.string) for m in po if m.id and _fields(m.id) != _fields(m.string)]
    assert wrong == []
    for m in po:    # and every translation formats with its msgid's names
        if m.id and _fields(m.id):
            names = {f for _, f, _, _ in string.Formatter().parse(m.id) if f}
            m.string.format(**{n: "x" for n in names})


_CODE = re.compile(r"`[^`]+`|\b[A-Za-z_]\w*(?:\.\w+)+|\b\w*_\w+\b|\b[A-Za-z_]\w*\(|\d+(?:\.\d+)?")
_PROSE = re.compile(r"\b\d-D\b|\be\.g\.|\(s\)")   # "2-D" 二维, "e.g." 例如, "element(s)": prose


def test_code_and_numbers_stay_as_they_are(po):
    """Identifiers, calls, dotted names and numbers of the English appear in the Chinese."""
    lost = []
    for m in po:
        if not m.id:
            continue
        for token in set(_CODE.findall(_PROSE.sub(" ", m.id))):
            if token not in m.string:
                lost.append((token, m.id))
    assert lost == []


def test_mo_is_compiled_from_the_po(po):
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    with MO.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    # the header ("" entry) holds dates; every message must be the .po's
    assert {k: v for k, v in shipped._catalog.items() if k} == \
        {k: v for k, v in fresh._catalog.items() if k}, \
        "checks.mo is out of date: pybabel compile -D checks -d grader/checks/locale"


def test_the_judge_translates_check_messages():
    with i18n.language("zh_CN"):
        some = next(m for m in read_po(PO.open("rb")) if m.id)
        assert i18n.check_text(some.id) == some.string
    with i18n.language("en"):
        assert i18n.check_text(some.id) == some.id


def test_extractor_refuses_a_message_it_cannot_extract():
    source = ('from grader.judge.api import _, check\n'
              'NOTE = "a note"\n'
              '@check("corr2d", hint=NOTE + " more")\n'
              'def test_x(student):\n'
              '    """does x"""\n'
              '    n = 3\n'
              '    raise AssertionError(_(f"got {n}"))\n')
    found, problems = extract_checks.messages(source)
    assert {(m.kind, m.msgid) for m in found} == {("description", "does x"),
                                                   ("hint", "a note more")}
    assert len(problems) == 1 and "f-string" in problems[0]
    with pytest.raises(ValueError):
        list(extract_checks.extract(io.BytesIO(source.encode()), ["_"], [], {}))


def test_a_scenario_mismatch_is_shown_in_the_students_language():
    """A scenario's Mismatch travels as template + values; the judge translates only a
    template its catalog knows (the worker's reply is untrusted), else shows the plain text."""
    from grader.judge.student import mismatch_text
    from grader.sandbox.scenario_lib import Mismatch
    template = "Conv2D(...) is a {kind}, not an nn.Module: subclass nn.Module and call " \
               "super().__init__()"
    raised = Mismatch(template, kind="list")
    assert str(raised) == template.format(kind="list")
    reply = {"mismatch": str(raised), "template": raised.template, "values": {"kind": "list"}}
    with i18n.language("zh_CN"):
        shown = mismatch_text(reply)
        assert shown != str(raised) and "list" in shown and "nn.Module" in shown
        forged = dict(reply, template="{kind.__class__} is not a msgid")
        assert mismatch_text(forged) == str(raised)
        assert mismatch_text(dict(reply, values={"other": "x"})) == str(raised)
        assert mismatch_text(dict(reply, values={"kind": 3})) == str(raised)
        assert mismatch_text({"mismatch": "plain"}) == "plain"
    with i18n.language("en"):
        assert mismatch_text(reply) == str(raised)


def test_extractor_refuses_what_breaks_translation_at_run_time():
    source = ('from grader.judge.api import _, Mismatch, scenario\n'
              '@scenario\n'
              'def build(n):\n'
              '    """built it"""\n'
              '    raise Mismatch(_("no"))\n'
              'def helper(pair):\n'
              '    w, _ = pair\n'
              '    return [x for x, _ in pair]\n')
    found, problems = extract_checks.messages(source)
    assert any("in the scenario build" in p for p in problems)
    assert any(p.startswith("line 7: the name _ is assigned") for p in problems)
    assert any(p.startswith("line 8: the name _ is assigned") for p in problems)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_check_messages_reach_the_student_in_chinese(grade, course):
    """Three wrong answers graded in zh_CN: a message built with _() in the judge, a scenario's
    Mismatch made in the worker (template + values), and the layers a traced network reports
    (N_ templates filled in the worker) all come back in Chinese, identifiers intact."""
    from grader.course import mutants as mutants_mod
    from conftest import MUTANTS
    wanted = {("l2_penalty", "python_number"), ("Conv2D", "corr2d_with_item"),
              ("lenet", "no_padding")}
    files = {p.name: p.read_text() for p in course.solutions_dir.glob("*.py")}
    for mutant in mutants_mod.discover(MUTANTS):
        if (mutant.exercise, mutant.name) in wanted:
            topic = f"{course.exercise(mutant.exercise).topic}.py"
            files[topic] = mutants_mod.with_mistake(files[topic], mutant.path.read_text(),
                                                    mutant.id)
    with i18n.language("zh_CN"):
        result = grade(files=files, exercises=("l2_penalty", "Conv2D", "lenet"),
                       only_checks={"gradient_is_w", "learns_edge_kernel", "stage_shapes"})
    checks = {c.name: c for e in result.exercises for c in e.checks}
    assert {name: c.status for name, c in checks.items()} == {
        "gradient_is_w": "fail", "learns_edge_kernel": "fail", "stage_shapes": "fail"}
    gradient = checks["gradient_is_w"].message         # Mismatch with a value, from the worker
    assert _CJK.search(gradient) and "l2_penalty" in gradient and "float" in gradient
    learns = checks["learns_edge_kernel"].message      # Mismatch without values
    assert _CJK.search(learns) and ".item()" in learns
    stages = checks["stage_shapes"]                     # _() in the judge + N_ layer templates
    assert _CJK.search(stages.message) and "lenet" in stages.message
    assert "卷积核" in stages.feedback.actual and "步幅" in stages.feedback.actual


def test_releases_ship_the_translations_of_exactly_their_checks(published_release):
    """The autograder carries every shipped check's translations; the student release only
    its public checks' (not a word of a hidden check), each still translated."""
    def shipped(folder):
        path = Path(folder) / "grader" / "checks" / "locale" / "zh_CN" / "LC_MESSAGES"
        with (path / "checks.mo").open("rb") as f:
            return {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k}

    def extracted(folder):
        found = set()
        for path in (Path(folder) / "grader" / "checks").glob("*.py"):
            found.update(m.msgid for m in extract_checks.messages(path.read_text())[0])
        return found

    full = gettext.translation("checks", str(LOCALE), languages=["zh_CN"])
    for kind in ("autograder", "student"):
        catalog, wanted = shipped(published_release[kind]), extracted(published_release[kind])
        assert set(catalog) == wanted, kind
        assert all(full.gettext(k) == v for k, v in catalog.items())
    student = shipped(published_release["student"])
    hidden = "matches torch's conv2d (which is a cross-correlation) on generated inputs"
    assert hidden in shipped(published_release["autograder"]) and hidden not in student
    assert "reproduces the book's example: corr2d(arange(9).reshape(3, 3), [[0, 1], [2, 3]])" \
        in student
