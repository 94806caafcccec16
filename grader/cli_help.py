"""``grade --help`` in the chosen language: click's help, usage and error words translated.

The commands' help (their docstrings), epilogs and options' help stay plain English constants
in grader/cli.py, as click wants them; they are translated where click renders them
(:class:`TranslatedCommand`: the msgid is the text as ``grade --help`` shows it in English,
``inspect.cleandoc``-ed), in the ``grader`` domain.  Babel finds them with :func:`extract`
(babel.cfg's ``clickhelp`` method, grader.cli.extract_help, walks the command tree).  Click's own words ("Usage:",
"Options", "Show this message and exit.", "Error: ...") are looked up in the same catalog
(:func:`install`: click calls the module-level ``_`` of its modules, the standard library's
gettext, which is replaced by a lookup in the current language).

The language must be known before the help is rendered: :func:`early_language` reads
``--lang`` from the arguments (or the locale) before click parses them, since ``--help`` is
acted on as soon as it is seen.
"""
from __future__ import annotations

import inspect

import click

from grader import i18n
from grader.i18n import N_

# click's own words that `grade --help` and its usage errors show (click's msgids, verbatim)
CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("default: {default}"), N_("required"),
    N_("Error: {message}"), N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"),
    N_("Missing argument"), N_("Missing option"),
    N_("No such option {name!r}."), N_("No such command {name!r}."),
)


def translated(text: str | None) -> str | None:
    """The help ``text`` (as click holds it) in the current language."""
    if not text:
        return text
    return i18n.gettext(inspect.cleandoc(text))


def _click_gettext(message: str) -> str:
    return i18n.gettext(message)


def install() -> None:
    """Make click's own words follow the current language (see the module's docstring)."""
    import importlib
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _click_gettext


def early_language(args: list[str]) -> None:
    """Before click parses ``args``: the language ``--lang`` names (``--lang zh_CN`` or
    ``--lang=zh_CN``), else the locale's when it names one.  An unknown name is left to the
    option's own check (a usage error)."""
    chosen = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            chosen = i18n.normalize(args[index + 1])
        elif arg.startswith("--lang="):
            chosen = i18n.normalize(arg.split("=", 1)[1])
    i18n.set_language(chosen or i18n.resolve_for_person(None))


class TranslatedCommand(click.Command):
    """A command whose help, epilog and options' help are shown in the current language."""

    def _swap(self, ctx=None):
        saved = [(self, "help", self.help), (self, "epilog", self.epilog)]
        # --help's own option is made once and kept by click, in the language of that moment
        params = self.get_params(ctx) if ctx is not None else self.params
        saved += [(p, "help", getattr(p, "help", None)) for p in params]
        for owner, attribute, text in saved:
            if text:
                setattr(owner, attribute, translated(text))
        return saved

    @staticmethod
    def _restore(saved) -> None:
        for owner, attribute, text in saved:
            setattr(owner, attribute, text)

    def get_help(self, ctx) -> str:
        saved = self._swap(ctx)
        try:
            return super().get_help(ctx)
        finally:
            self._restore(saved)

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self._swap()
        try:
            return super().get_short_help_str(limit)
        finally:
            self._restore(saved)


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group of commands, shown like :class:`TranslatedCommand`; its subcommands too."""
    command_class = TranslatedCommand


TranslatedGroup.group_class = TranslatedGroup


def _walk(command: click.Command):
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def help_texts(root: click.Command) -> list[str]:
    """Every help text of ``root``'s commands and options (``grade``'s: grader.cli.cli), as
    the msgids they are."""
    found: list[str] = []
    for command in _walk(root):
        texts = [command.help, command.epilog]
        texts += [getattr(p, "help", None) for p in command.params]
        for text in texts:
            if text and inspect.cleandoc(text) not in found:
                found.append(inspect.cleandoc(text))
    return found


def extract(root: click.Command):
    """What Babel extracts for the command tree ``root``: click's words and the help texts
    (grader.cli.extract_help, babel.cfg's ``clickhelp`` method)."""
    for text in (*CLICK_WORDS, *help_texts(root)):
        yield 0, None, text, []
