"""``grade``: the command line.  Thin: parse options, call one function, print, exit.

Exit codes: 0 graded (or done); 1 below --fail-under, or validate found problems;
2 usage error; 3 internal error (a broken assignment or check, or an official run whose
sandbox cannot start).
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from grader import cli_help
from grader.errors import EXIT_BELOW_THRESHOLD, EXIT_INTERNAL, EXIT_OK, GraderError, UsageError
from grader.i18n import N_, _

cli_help.install()          # click's own words (Usage:, Options...) in the chosen language

EPILOG = """\b
Exit codes:
  0  graded (whatever the score), or the command succeeded
  1  the score is below --fail-under, or `grade validate` found problems
  2  usage error (bad option, unknown exercise, missing submission)
  3  internal error (a broken assignment table or check: tell your instructor), or
     --sandbox bwrap (official grading) and the OS sandbox cannot start here
"""


class GradeGroup(cli_help.TranslatedGroup):
    """``grade [EXERCISES]...`` grades; ``grade COMMAND`` runs an instructor command."""

    def parse_args(self, ctx, args):
        if ctx.parent is None:
            cli_help.early_language(args)     # before --help renders anything
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                           "--version")):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            click.echo(_("grade: error: {message}", message=exc), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception:  # noqa: BLE001 - a bug in the grader: say so, never blame the student
            click.echo(_("grade: internal error (a bug in the grader, not in your code):"),
                       err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(EXIT_INTERNAL)


def _check_lang(ctx, param, value):
    """``--lang``: ``en`` or ``zh_CN`` (also ``zh-CN``, ``zh_CN.UTF-8``, ``zh``); anything else
    is a usage error (exit 2).  The messages of the command that follow are in it at once."""
    from grader import i18n
    if value is None:
        i18n.set_language(i18n.resolve_for_person(None))     # until the assignment is read
        return None
    chosen = i18n.normalize(value)
    if chosen is None:
        raise click.BadParameter(_("{value}: choose one of {languages}", value=repr(value),
                                   languages=", ".join(i18n.LANGUAGES)))
    i18n.set_language(chosen)
    return chosen


def _positive(ctx, param, value):
    """A count, a limit or a duration must be more than 0: ``--timeout 0`` would record every
    submission as timed out, ``--memory-mb -1`` as crashed (a usage error instead, exit 2)."""
    if value is not None and value <= 0:
        raise click.BadParameter(_("{value} is not a positive number", value=value))
    return value


def lang_option(official: bool = False):
    """``--lang zh_CN|en`` on a command whose output a person reads."""
    default = ("the assignment's [tool.grader] language, else the locale, else en" if official
               else "the locale (LANG) when it names one, else the assignment's [tool.grader] "
                    "language, else en")
    return click.option("--lang", "lang", default=None, metavar="zh_CN|en",
                        callback=_check_lang, is_eager=True,
                        help=f"Language of the feedback and messages [default: {default}].")


def choose_language(lang, spec, official: bool = False):
    """The language of this command, made current; returns ``spec`` carrying it, so that every
    process grading with it (judge shards, batch slots) writes in it too."""
    from dataclasses import replace
    from grader import i18n
    chosen = (i18n.resolve_language(lang, spec.language) if official
              else i18n.resolve_for_person(lang, spec.language))
    i18n.set_language(chosen)
    return replace(spec, language=chosen)


@click.group(cls=GradeGroup, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dl-grader", prog_name="grade")
def cli():
    """Grade deep-learning exercises.

    `grade` grades every exercise of the course in exercises/; `grade dropout corr2d` grades
    only those; `grade --submission PATH` grades another folder, a .py file or a notebook.
    See `grade run --help` for the options.
    """


@cli.command("run", epilog=EPILOG)
@click.argument("exercises", nargs=-1)
@click.option("--submission", "-s", type=click.Path(path_type=Path),
              help="Folder, .py file or .ipynb notebook to grade [default: exercises/].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "classroom"]),
              default="text", show_default=True,
              help="Report format (json: the documented schema, version 1; markdown: for a CI "
                   "job summary; classroom: GitHub Classroom's autograding reporter format).")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also append the Markdown report to this file (e.g. $GITHUB_STEP_SUMMARY), "
                   "from the same grading.")
@click.option("--fail-under", type=float, default=None,
              help="Exit with status 1 when the score is below this many points.")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True, help="Worker isolation (auto: bubblewrap when available).")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path),
              help="Assignment TOML file [default: pyproject.toml of the course].")
@click.option("--hidden-feedback", type=click.Choice(["full", "status", "none"]), default=None,
              help="What to show of hidden checks [default: the assignment's setting].")
@click.option("--checks", "only_checks", default=None, metavar="NAME[,NAME...]",
              help="Run only these checks (by name) of the selected exercises.")
@click.option("--jobs", "-j", type=int, default=None, callback=_positive,
              help="Judge processes grading exercises at once [default: the number of "
                   "cores; a few exercises always use one].")
@click.option("--verbose", "-v", is_flag=True, help="List passing checks too.")
@click.option("--progress-lines", is_flag=True, hidden=True,
              help="Write progress to stderr as JSON lines (for check() in a notebook).")
@lang_option()
def run_command(exercises, submission, fmt, summary, fail_under, sandbox, assignment,
                hidden_feedback, only_checks, jobs, verbose, progress_lines, lang):
    """Grade a submission (by default the course's exercises/ folder)."""
    from grader import assignment as assignment_mod
    from grader.reports.text import render_text
    from grader.judge.run import GradeRequest, run

    spec = choose_language(lang, assignment_mod.load(assignment))
    # a typo in a name is a usage error before anything starts (grader/selection.py)
    from grader.selection import check_names
    checks = check_names(only_checks) if only_checks is not None else None
    spec.select(exercises).select_checks(checks)
    if submission is not None:
        target = submission
    else:        # exercises/, or the published notebooks/ beside it if the work is there
        from grader.submission.layout import default_submission
        target = default_submission(spec.stubs_dir, spec.names)
    mode = _announce_sandbox(sandbox)
    progress = _Progress() if sys.stderr.isatty() and fmt == "text" else None
    if progress_lines:
        progress = _ProgressLines()
    elif progress:
        sys.stderr.write(_("grading: starting the judge and the workers..."))
        sys.stderr.flush()
    import os
    result = run(GradeRequest(spec, Path(target), tuple(exercises), mode, only_checks=checks,
                              progress=progress, jobs=jobs or os.cpu_count() or 1,
                              language=spec.language))
    if progress:
        progress.clear()
    result = result.with_hidden_feedback(hidden_feedback or spec.hidden_feedback)
    if summary is not None:
        from grader.reports.text import render_markdown
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render_markdown(result))
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    elif fmt == "classroom":
        import json
        from grader.reports.classroom import to_classroom
        click.echo(json.dumps(to_classroom(result.to_dict()), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        from grader.reports.text import render_markdown
        click.echo(render_markdown(result), nl=False)
    else:
        click.echo(render_text(result, unicode=_unicode_ok(), verbose=verbose), nl=False)
    if fail_under is not None and result.score < fail_under:
        sys.exit(EXIT_BELOW_THRESHOLD)
    sys.exit(EXIT_OK)


@cli.command("generate")
@click.option("--check", "check_only", is_flag=True,
              help="Only report stubs that are out of date (exit 1 if any).")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@lang_option()
def generate_command(check_only, assignment, lang):
    """Write the student stubs in exercises/ from the reference solutions."""
    from grader import assignment as assignment_mod
    from grader.course import generate

    spec = choose_language(lang, assignment_mod.load(assignment))
    if check_only:
        stale = generate.stale(spec.solutions_dir, spec.stubs_dir, spec.topics)
        for path in stale:
            click.echo(_("out of date: {path}", path=path))
        sys.exit(EXIT_BELOW_THRESHOLD if stale else EXIT_OK)
    written = generate.write(spec.solutions_dir, spec.stubs_dir, spec.topics)
    for path in written:
        click.echo(_("wrote {path}", path=path))
    if not written:
        click.echo(_("{stubs} is up to date with {solutions} for the {count} topics of the "
                     "assignment table ({table})", stubs=spec.stubs_dir,
                     solutions=spec.solutions_dir, count=len(spec.topics),
                     table=spec.source.name))
    # a solution file that no exercise of the table names gets no stub: say how to add it
    for path in sorted(spec.solutions_dir.glob("*.py")):
        if path.stem not in spec.topics and not path.stem.startswith("_"):
            click.echo(_("{file}: no stub written, no exercise of the table has topic "
                         "{topic}; add [tool.grader.exercises.NAME] with topic = \"{stem}\" "
                         "to {table} (see grader/checks/README.md)", file=path.name,
                         topic=repr(path.stem), stem=path.stem, table=spec.source.name))


@cli.command("publish", epilog=EPILOG)
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@click.option("--skip-validate", is_flag=True,
              help="Publish without running `grade validate` first (not recommended: a check "
                   "that cannot fail, or a reference that fails a check, ships unnoticed).")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True, help="Worker isolation for the validation run.")
@click.option("--mutants", "mutants_dir", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path), default=None,
              help="Folder of mutants for the validation [default: tests/mutants of the "
                   "course].")
@lang_option()
def publish_command(out, assignment, skip_validate, sandbox, mutants_dir, lang):
    """Validate the assignment (`grade validate`), then build the student release and the
    autograder (folders and reproducible zips) in OUT.  Nothing is written if validation
    finds problems (exit 1)."""
    from grader import assignment as assignment_mod
    from grader.course.publish import publish

    spec = assignment_mod.load(assignment)
    # the messages here in the instructor's choice; the release keeps the table's language
    choose_language(lang, spec)
    if skip_validate:
        click.echo(_("publish: warning: --skip-validate: publishing an assignment that was "
                     "not validated"), err=True)
    else:
        from grader.course.validate import validate
        mode = _announce_sandbox(sandbox)
        progress = _StatusLine() if sys.stderr.isatty() else None
        report = validate(spec, sandbox=mode, mutants_dir=mutants_dir, progress=progress)
        if progress:
            progress.clear()
        if report.problems:
            click.echo(_("publish: refused: `grade validate` found {count} problems (fix "
                         "them, or pass --skip-validate):", count=len(report.problems)))
            for problem in report.problems:
                click.echo(f"  - {problem}")
            sys.exit(EXIT_BELOW_THRESHOLD)
        click.echo(_("validate: OK"))
    paths = publish(spec, out)
    for label, path in paths.items():
        click.echo(f"{label:15} {path}")


@cli.command("gradescope", hidden=True)
@click.argument("submission", type=click.Path(path_type=Path))
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@click.option("--sandbox", type=click.Choice(["bwrap", "process"]), default="bwrap",
              show_default=True, help="Official grading: bwrap, or refuse (exit 3). `process` "
                                      "only where the instructor accepts unsandboxed grading.")
@click.option("--hidden-visibility", type=click.Choice(["after_due_date", "after_published",
                                                        "hidden"]),
              default="after_due_date", show_default=True,
              help="When students see the hidden checks' tests (Gradescope's visibility).")
@lang_option(official=True)
def gradescope_command(submission, results, assignment, sandbox, hidden_visibility, lang):
    """Grade SUBMISSION and write Gradescope's results.json to RESULTS (run_autograder).

    Exit 3 (with a results file saying why) when the sandbox cannot start."""
    from grader import assignment as assignment_mod
    from grader.reports import gradescope
    from grader.judge.run import GradeRequest, run

    code = EXIT_OK
    try:
        mode = official_sandbox(sandbox)
        spec = choose_language(lang, assignment_mod.load(assignment), official=True)
        result = run(GradeRequest(spec, submission, sandbox=mode))
        data = gradescope.to_gradescope(result.to_dict(), spec.hidden_feedback,
                                        hidden_visibility)
    except GraderError as exc:
        data = gradescope.failure(str(exc))
        code = exc.exit_code
        click.echo(_("grade: error: {message}", message=exc), err=True)
    except Exception as exc:  # noqa: BLE001 - Gradescope needs a results file whatever happens
        data = gradescope.failure(_("internal error: {error}",
                                    error=type(exc).__name__ + ": " + str(exc)))
        code = EXIT_INTERNAL
        click.echo(traceback.format_exc(), err=True)
    gradescope.write(data, results)
    click.echo(_("score {score}: wrote {path}", score=gradescope.total(data), path=results))
    sys.exit(code)


@cli.command("validate", epilog=EPILOG)
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True)
@click.option("--mutants", "mutants_dir", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path), default=None,
              help="Folder of mutants [default: tests/mutants of the course].")
@click.option("--alternatives", "alternatives_dir", type=click.Path(
    exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of correct alternatives [default: tests/alternatives of the course].")
@click.argument("exercises", nargs=-1)
@lang_option()
def validate_command(assignment, sandbox, mutants_dir, alternatives_dir, exercises, lang):
    """Check the assignment before publishing: references get full marks, stubs zero,
    exercises/ matches solutions/, every check fails on a mutant, every correct alternative
    gets full marks, points add up.

    With EXERCISES (e.g. `grade validate batch_norm`), only those exercises are checked
    (their table entries, references, stubs, mutants and alternatives): seconds instead of
    minutes while writing a new exercise; run it without arguments before publishing."""
    from grader import assignment as assignment_mod
    from grader.course.validate import validate

    spec = choose_language(lang, assignment_mod.load(assignment))
    if exercises:
        spec = spec.select(exercises)
    mode = _announce_sandbox(sandbox)
    progress = _StatusLine() if sys.stderr.isatty() else None
    report = validate(spec, sandbox=mode, mutants_dir=mutants_dir,
                      alternatives_dir=alternatives_dir, progress=progress)
    if progress:
        progress.clear()
    for note in report.notes:
        click.echo(f"  {note}")
    if report.problems:
        click.echo(_("validate: {count} problems", count=len(report.problems)))
        for problem in report.problems:
            click.echo(f"  - {problem}")
        sys.exit(EXIT_BELOW_THRESHOLD)
    click.echo(_("validate: OK"))


class _StatusLine:
    def __init__(self):
        self.width = 0

    def __call__(self, text: str):
        line = "\r" + _("validate: {text}", text=text)[:99]
        self.width = max(self.width, len(line))
        sys.stderr.write(line.ljust(self.width))
        sys.stderr.flush()

    def clear(self):
        sys.stderr.write("\r" + " " * self.width + "\r")
        sys.stderr.flush()


@cli.command("batch", epilog=EPILOG)
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--jobs", "-j", type=int, default=None, callback=_positive,
              help="Submissions graded at once [default: the number of cores; with "
                   "--scheduler, as many as the cluster's worker threads].")
@click.option("--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("gradebook.db"), show_default=True, help="The SQLite gradebook.")
@click.option("--force", is_flag=True, help="Regrade submissions the gradebook already holds.")
@click.option("--timeout", type=float, default=300.0, show_default=True, callback=_positive,
              help="Wall-clock limit for grading one submission, in seconds.")
@click.option("--memory-mb", type=int, default=None, callback=_positive,
              help="Address-space limit of a submission's worker [default: the assignment's].")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True,
              help="auto: bubblewrap, or a refusal without it (student code would run as you, "
                   "next to the gradebook); process only when stated.")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the HTML reports (class overview and one page per student).")
@click.option("--prefix", default=None, metavar="PREFIX",
              help="The assignment's repository prefix (GitHub Classroom clones are named "
                   "PREFIX<username>, e.g. --prefix hw2-): students are named by what follows "
                   "it; an entry without it is refused.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="GitHub Classroom roster CSV: name students by their roster "
                                 "identifier (the entries' usernames must be in it).")
@click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", default=None,
              metavar="tcp://HOST:8786",
              help="Grade on this Dask cluster (the `cluster` extra; workers started with "
                   "--preload grader.classroom.dask_worker) instead of --jobs local slots "
                   "[default: $DASK_SCHEDULER_ADDRESS].")
@lang_option(official=True)
def batch_command(submissions, jobs, gradebook_path, force, timeout, memory_mb, sandbox,
                  assignment, reports, prefix, roster, scheduler, lang):
    """Grade a folder of submissions (one per student) into the gradebook, in parallel.

    Entries: a folder of .py files or notebooks, a notebook, or a zip of either, named after
    the student; for GitHub Classroom clones give --prefix (and --roster); Gradescope exports
    (submission_metadata.yml) are recognised, every member of a group gets the result.  Two
    entries for one student are refused.  Already graded content is skipped (--force
    regrades); an interrupted batch resumes where it stopped.  Official runs: --sandbox bwrap
    (exit 3 if the sandbox cannot start).
    """
    import os
    from dataclasses import replace

    from grader import assignment as assignment_mod
    from grader.classroom.batch import grade_class
    from grader.classroom.gradebook import Gradebook
    from grader.classroom.identity import read_roster

    spec = choose_language(lang, assignment_mod.load(assignment), official=True)
    names = read_roster(roster) if roster is not None else None
    if memory_mb:
        spec = replace(spec, limits=replace(spec.limits, memory_mb=memory_mb))
    mode = _announce_sandbox(sandbox)
    if mode == "process" and sandbox != "process":
        raise UsageError(_(
            "grade batch: bubblewrap is not available here, and without it each student's "
            "code runs as you: it could open the gradebook (or find its open descriptor) and "
            "change other students' rows.  Install bubblewrap (apt-get install bubblewrap), "
            "or pass --sandbox process to grade anyway, only for submissions you trust."))
    runner = None
    if scheduler:               # --jobs: at most that many at once on the cluster (README)
        _need_distributed()
        from grader.classroom.cluster import on_cluster
        runner = on_cluster(scheduler, log=lambda line: click.echo(line, err=True), jobs=jobs)
    jobs = jobs or os.cpu_count() or 1
    with Gradebook(gradebook_path) as book:
        bar = _BatchProgress()
        summary = grade_class(spec, submissions, book, jobs=jobs, sandbox=mode, timeout=timeout,
                              force=force, progress=bar, prefix=prefix, roster=names,
                              runner=runner)
        bar.close()
        counts = dict(graded=summary.graded, crashed=summary.crashed,
                      timeout=summary.timeout, malformed=summary.malformed,
                      skipped=summary.skipped, seconds=f"{summary.seconds:.1f}")
        if scheduler:
            click.echo(_("{graded} graded, {crashed} crashed, {timeout} timed out, {malformed} "
                         "malformed, {skipped} already in the gradebook; {seconds} s on the "
                         "Dask cluster at {scheduler}", scheduler=scheduler, **counts))
        else:
            click.echo(_("{graded} graded, {crashed} crashed, {timeout} timed out, {malformed} "
                         "malformed, {skipped} already in the gradebook; {seconds} s with {jobs} "
                         "jobs", jobs=jobs, **counts))
        if summary.refused:
            click.echo(_("{count} not graded: no worker of the cluster has this course's "
                         "checks (see above); they are not in the gradebook",
                         count=summary.refused), err=True)
        if summary.scores:
            import statistics
            click.echo(_("mean score {mean}, median {median}",
                         mean=f"{statistics.mean(summary.scores):.2f}",
                         median=f"{statistics.median(summary.scores):g}"))
        click.echo(_("gradebook: {path}", path=gradebook_path))
        if reports is not None:
            _write_html(book.current(), reports, spec)
            click.echo(_("reports: {path}", path=reports / "index.html"))
    if summary.refused:
        sys.exit(EXIT_INTERNAL)


def _need_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(_("--scheduler needs dask.distributed: pip install "
                           "'dl-grader[cluster]'")) from None


@cli.group("gradebook")
def gradebook_group():
    """Read the gradebook: export current results."""


@gradebook_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "junit", "markdown", "html"]),
              default="csv", show_default=True)
@click.option("--gradebook", "gradebook_path", type=click.Path(exists=True, dir_okay=False,
                                                               path_type=Path),
              default=Path("gradebook.db"), show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="File (csv, markdown) or folder (json, junit, html) [default: stdout for "
                   "csv and markdown].")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
@click.option("--bom", is_flag=True,
              help="csv: start with a UTF-8 byte-order mark, so that Excel reads non-ASCII "
                   "names (Zoë, 李伟) right.")
@lang_option(official=True)
def export_command(fmt, gradebook_path, out, assignment, bom, lang):
    """Export every student's current result."""
    from grader.reports import exports
    from grader.classroom.gradebook import Gradebook

    _official_language(lang, assignment)
    with Gradebook(gradebook_path) as book:
        items = book.current()
    if fmt in ("csv", "markdown"):
        if fmt == "csv":
            text = exports.to_csv(items, max_score=_max_points(assignment), bom=bom)
        else:
            from grader import assignment as assignment_mod
            text = exports.to_markdown(items, _title(assignment_mod, assignment))
        if out is None:
            click.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            click.echo(_("wrote {path}", path=out), err=True)
        return
    if out is None:
        raise UsageError(_("--out FOLDER is needed for --format {format}", format=fmt))
    if fmt == "json":
        paths = exports.write_json(items, out)
    elif fmt == "junit":
        paths = exports.write_junit(items, out)
    else:
        from grader import assignment as assignment_mod
        paths = _write_html(items, out, assignment_mod.load(assignment))
    click.echo(_("wrote {count} files to {path}", count=len(paths), path=out), err=True)


@gradebook_group.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("gradebook.db"), show_default=True)
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
def import_command(files, gradebook_path, assignment):
    """Record results graded elsewhere (`grade --format json`, one file per student, named
    after the student): how a class larger than one machine is merged into one gradebook."""
    import hashlib
    import json

    from grader import assignment as assignment_mod
    from grader.classroom.batch import checks_hash
    from grader.classroom.gradebook import Gradebook, Record

    checks = checks_hash(assignment_mod.load(assignment))
    with Gradebook(gradebook_path) as book:
        for path in files:
            data = json.loads(path.read_text())
            if data.get("schema") != "grader-result":
                raise UsageError(_("{path} is not a `grade --format json` result", path=path))
            digest = "imported:" + hashlib.sha256(path.read_bytes()).hexdigest()
            book.record(Record(path.stem, path.name, digest, checks, "graded", data["score"],
                               data["max_score"], None, data))
    click.echo(_("imported {count} results into {path}", count=len(files),
                 path=gradebook_path))


def _official_language(lang, assignment) -> None:
    """The language of an export: --lang, else the assignment's (when there is one to load),
    else the locale."""
    from grader import assignment as assignment_mod
    from grader import i18n
    try:
        default = assignment_mod.load(assignment).language
    except GraderError:
        default = None
    i18n.set_language(i18n.resolve_language(lang, default))


def _max_points(assignment):
    """The assignment's maximum, or None when there is no assignment to load."""
    from grader import assignment as assignment_mod
    try:
        return assignment_mod.load(assignment).max_points
    except GraderError:
        return None


def _title(assignment_mod, assignment) -> str:
    try:
        return assignment_mod.load(assignment).shown_title
    except GraderError:
        return _("Grades")


def _write_html(items, folder, spec):
    from grader.reports import html as html_report
    entries = [{"student": i["student"], "status": i["status"], "score": i["score"],
                "max_score": i["max_score"], "seconds": i["seconds"], "result": i["result"],
                "message": i["message"]} for i in items]
    return html_report.write_reports(folder, entries, title=spec.shown_title,
                                     hidden_feedback=spec.hidden_feedback)


class _BatchProgress:
    """A progress bar with ETA on stderr (click's); one line per submission without a tty."""

    def __init__(self):
        self.bar = None

    def __call__(self, entry, status, done, total):
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=total, file=sys.stderr, show_eta=True,
                                             show_pos=True, label=_("grading"))
            self.bar.update(1)
        else:
            from grader.reports.sanitize import one_line
            from grader.reports.wording import exercise_status
            click.echo(f"[{done}/{total}] {one_line(entry.student)}: "
                       f"{one_line(exercise_status(status))}", err=True)

    def close(self):
        if self.bar is not None:
            self.bar.render_finish()


class _ProgressLines:
    """Progress as one JSON object per line on stderr: what check() in a notebook reads."""

    def __call__(self, done: int, total: int, exercise: str):
        import json
        sys.stderr.write(json.dumps({"progress": [done, total, exercise]}) + "\n")
        sys.stderr.flush()

    def clear(self):
        pass


def _announce_sandbox(requested: str) -> str:
    """The sandbox mode to grade in: ``--sandbox bwrap`` (every official entry point) starts
    bubblewrap or refuses with exit 3; ``auto`` falls back to process mode with a note."""
    from grader.sandbox import leftovers
    from grader.sandbox import process as sandbox
    leftovers.clean_stale()      # temporary folders of earlier runs that were killed
    if requested == "bwrap":
        return official_sandbox("bwrap")
    mode = sandbox.resolve_mode(requested)
    if mode == "process":
        click.echo(_("grade: note: student code runs in a separate, resource-limited "
                     "process: isolated, but not hardened (install bubblewrap for the OS "
                     "sandbox)."), err=True)
    return mode


OFFICIAL_SANDBOX_HELP = N_(
    "official grading runs student code only inside the OS sandbox (bubblewrap), and it cannot "
    "start here: {why}.  Install bubblewrap (apt-get install bubblewrap) and allow unprivileged "
    "user namespaces; on GitHub's Ubuntu runners (AppArmor) run `sudo sysctl -w "
    "kernel.apparmor_restrict_unprivileged_userns=0` first (the published workflows do).  To "
    "grade without the sandbox on purpose, pass --sandbox process.")


def official_sandbox(requested: str) -> str:
    """The sandbox of an official run: ``bwrap`` must start, or :class:`SandboxUnavailable`
    (exit 3) says why and how to fix it; ``process`` only when asked for by name."""
    from grader.errors import SandboxUnavailable
    from grader.sandbox import bwrap, process as sandbox
    if requested != "bwrap":
        return _announce_sandbox(requested)
    if not sandbox.bwrap_available():
        raise SandboxUnavailable(_(OFFICIAL_SANDBOX_HELP, why=_("bwrap is not installed")))
    if not bwrap.probe():
        raise SandboxUnavailable(_(OFFICIAL_SANDBOX_HELP, why=_(
            "bwrap is installed but cannot create a user namespace")))
    return "bwrap"


def _unicode_ok() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf8sig")


class _Progress:
    def __init__(self):
        self.width = 48

    def __call__(self, done: int, total: int, exercise: str):
        filled = int(20 * done / max(total, 1))
        text = "\r" + _("grading {exercise} [{bar}] {done}/{total}",
                         exercise=f"{exercise:<24}", bar="#" * filled + "." * (20 - filled),
                         done=done, total=total)
        text = text.ljust(self.width)
        self.width = max(self.width, len(text))
        sys.stderr.write(text)
        sys.stderr.flush()

    def clear(self):
        sys.stderr.write("\r" + " " * self.width + "\r")
        sys.stderr.flush()


def extract_help(fileobj, keywords, comment_tags, options):
    """Babel extraction method (babel.cfg ``clickhelp``): the help of every command and option
    and click's own words (grader/cli_help.py)."""
    return cli_help.extract(cli)


def main() -> None:
    """The console script.  Exits without the interpreter's teardown, which with torch loaded
    costs about 0.4 s: output is flushed and exit handlers run first."""
    import atexit
    import os
    try:
        cli(prog_name="grade")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    from grader.sandbox.process import wait_for_children
    wait_for_children()          # nothing `grade` started outlives it
    os._exit(code)
