"""The diagnosis sentences of the catalogue of known mistakes in the student's language
(domain ``mistakes``, grader/i18n.py): every sentence has a zh_CN translation that keeps the
code, identifiers and numbers as they are, the compiled catalog is up to date with its source (tests/test_i18n.py, every domain),
the judge shows the sentence in the current language, and the English stays as it was.  End
to end (a zh_CN grade naming a mistake in Chinese): tests/test_i18n.py::
test_the_chinese_text_report, whose golden report holds a diagnosis."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import i18n
from grader.course import mutants as mutants_mod
from grader.judge import diagnosis

from conftest import MUTANTS

import babel  # noqa: E402  (a dependency of the grader: grade publish writes catalogs)
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

LOCALE = MUTANTS / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "mistakes.po"
MO = PO.with_suffix(".mo")
UPDATE = ("run: pybabel extract -F tests/mutants/babel.cfg --no-wrap --sort-by-file "
          "-o tests/mutants/locale/mistakes.pot tests/mutants && pybabel update -D mistakes "
          "-i tests/mutants/locale/mistakes.pot -d tests/mutants/locale --no-wrap, translate, "
          "then pybabel compile -D mistakes -d tests/mutants/locale")

# what must reach the translation unchanged: `code`, 'strings', calls and names with a dot or
# an underscore (nn.Linear, valid_lens, sqrt(d)), and numbers ("2-D" is prose: 二维)
_CODE = re.compile(r"`[^`]+`|(?<![A-Za-z])'[^']*'|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\([^()]*\))?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!-D)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _extracted() -> dict[str, list[str]]:
    """msgid -> the mistakes it comes from, as the Babel extraction gives them."""
    with open(MUTANTS / "babel.cfg") as handle:
        method_map, options = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for _, _, message, comments, _ in extract_from_dir(str(MUTANTS), method_map, options):
        found.setdefault(message, []).extend(comments)
    return found


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as handle:
        return read_po(handle)


def _code_tokens(text: str) -> set[str]:
    tokens = set()
    for token in _CODE.findall(text):
        if token.startswith(("`", "'")) or "_" in token or "." in token or "(" in token:
            tokens.add(token)
    return tokens | set(_NUMBER.findall(text))


def test_every_sentence_of_the_catalogue_has_a_zh_cn_translation(po):
    extracted = _extracted()
    sentences = {mutants_mod.describe(m.path, m.exercise) for m in mutants_mod.discover(MUTANTS)}
    sentences.discard("")
    assert set(extracted) == sentences          # the extractor gives exactly describe()'s
    assert len(sentences) >= 270
    translated = {m.id: m for m in po if m.id}
    missing = sorted(set(extracted) - set(translated))
    assert not missing, f"{len(missing)} sentences without a translation ({UPDATE}):\n" + \
        "\n".join(missing[:10])
    stale = sorted(set(translated) - set(extracted))
    assert not stale, f"translations of sentences no longer in the catalogue ({UPDATE}):\n" + \
        "\n".join(stale[:10])
    untranslated = [m.id for m in translated.values() if not m.string or m.fuzzy]
    assert not untranslated, f"empty or fuzzy translations: {untranslated[:10]}"


def test_translations_keep_code_identifiers_and_numbers_and_are_chinese(po):
    problems = []
    for message in po:
        if not message.id:
            continue
        exercise = message.id.split(":")[0].split()[2 if message.id.startswith("in ") else 1]
        lost = sorted(t for t in _code_tokens(message.id) | {exercise}
                      if t not in message.string)
        if lost:
            problems.append(f"{message.id!r}: the translation lost {lost}")
        if not _CJK.search(message.string) or message.string.startswith("your "):
            problems.append(f"{message.id!r}: not translated into Chinese")
    assert not problems, "\n".join(problems)


def test_the_catalogue_reads_in_the_current_language_and_english_is_unchanged():
    english = "your corr2d flips the kernel: computes a true convolution instead of a " \
              "cross-correlation."
    chinese = "你的 corr2d 翻转了卷积核：计算的是真正的卷积，而不是互相关运算。"
    sentences = {m.name: m.sentence for m in diagnosis.catalogue(MUTANTS, "corr2d")}
    assert sentences["flipped_kernel"] == english
    with i18n.language("zh_CN"):
        translated = {m.name: m.sentence for m in diagnosis.catalogue(MUTANTS, "corr2d")}
    assert translated["flipped_kernel"] == chinese
    assert set(translated) == set(sentences)
    assert all(_CJK.search(s) for s in translated.values())
    # English everywhere it was: every sentence is describe()'s, unchanged
    found = {}
    for exercise in {m.exercise for m in mutants_mod.discover(MUTANTS)}:
        found.update({(exercise, m.name): m.sentence
                      for m in diagnosis.catalogue(MUTANTS, exercise)})
    for mutant in mutants_mod.discover(MUTANTS):
        assert found.get((mutant.exercise, mutant.name), "") == \
            mutants_mod.describe(mutant.path, mutant.exercise)


def test_a_catalogue_without_translations_falls_back_to_its_sentences(tmp_path):
    folder = tmp_path / "mistakes" / "corr2d"
    folder.mkdir(parents=True)
    (folder / "adds.py").write_text('"""Adds 0.5 to every output element.\n\nkills: x\n"""\n')
    with i18n.language("zh_CN"):
        found = diagnosis.catalogue(tmp_path / "mistakes", "corr2d")
    assert [m.sentence for m in found] == ["your corr2d adds 0.5 to every output element."]


def test_the_published_autograder_ships_the_compiled_translations(published_release):
    shipped = Path(published_release["autograder"]) / "tests" / "mutants" / "locale"
    assert (shipped / "zh_CN" / "LC_MESSAGES" / "mistakes.mo").read_bytes() == MO.read_bytes()
    with i18n.language("zh_CN"):
        found = {m.name: m.sentence for m in diagnosis.catalogue(shipped.parent, "corr2d")}
    assert found["flipped_kernel"].startswith("你的 corr2d 翻转了卷积核")
