"""``grade``: the command line.  Thin: parse options, call one function, print, exit.

Exit codes: 0 graded (or done); 1 below --fail-under, or validate found problems;
2 usage error; 3 internal error (a broken assignment or check).
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from grader.errors import EXIT_BELOW_THRESHOLD, EXIT_INTERNAL, EXIT_OK, GraderError

EPILOG = """\b
Exit codes:
  0  graded (whatever the score), or the command succeeded
  1  the score is below --fail-under, or `grade validate` found problems
  2  usage error (bad option, unknown exercise, missing submission)
  3  internal error (a broken assignment table or check: tell your instructor)
"""


class GradeGroup(click.Group):
    """``grade [EXERCISES]...`` grades; ``grade COMMAND`` runs an instructor command."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                           "--version")):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            click.echo(f"grade: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception:  # noqa: BLE001 - a bug in the grader: say so, never blame the student
            click.echo("grade: internal error (a bug in the grader, not in your code):", err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(EXIT_INTERNAL)


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format (json: the documented schema, version 1).")
@click.option("--fail-under", type=float, default=None,
              help="Exit with status 1 when the score is below this many points.")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True, help="Worker isolation (auto: bubblewrap when available).")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path),
              help="Assignment TOML file [default: pyproject.toml of the course].")
@click.option("--hidden-feedback", type=click.Choice(["full", "status", "none"]), default=None,
              help="What to show of hidden checks [default: the assignment's setting].")
@click.option("--verbose", "-v", is_flag=True, help="List passing checks too.")
def run_command(exercises, submission, fmt, fail_under, sandbox, assignment, hidden_feedback,
                verbose):
    """Grade a submission (by default the course's exercises/ folder)."""
    from grader import assignment as assignment_mod
    from grader.report import render_text
    from grader.run import GradeRequest, run

    spec = assignment_mod.load(assignment)
    target = submission if submission is not None else spec.stubs_dir
    mode = _announce_sandbox(sandbox)
    progress = _Progress() if sys.stderr.isatty() and fmt == "text" else None
    result = run(GradeRequest(spec, Path(target), tuple(exercises), mode, progress=progress))
    if progress:
        progress.clear()
    result = result.with_hidden_feedback(hidden_feedback or spec.hidden_feedback)
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    else:
        click.echo(render_text(result, unicode=_unicode_ok()), nl=False)
    if fail_under is not None and result.score < fail_under:
        sys.exit(EXIT_BELOW_THRESHOLD)
    sys.exit(EXIT_OK)


@cli.command("generate")
@click.option("--check", "check_only", is_flag=True,
              help="Only report stubs that are out of date (exit 1 if any).")
@click.option("--assignment", type=click.Path(exists=True, path_type=Path))
def generate_command(check_only, assignment):
    """Write the student stubs in exercises/ from the reference solutions."""
    from grader import assignment as assignment_mod
    from grader import generate

    spec = assignment_mod.load(assignment)
    if check_only:
        stale = generate.stale(spec.solutions_dir, spec.stubs_dir, spec.topics)
        for path in stale:
            click.echo(f"out of date: {path}")
        sys.exit(EXIT_BELOW_THRESHOLD if stale else EXIT_OK)
    for path in generate.write(spec.solutions_dir, spec.stubs_dir, spec.topics):
        click.echo(f"wrote {path}")


def _announce_sandbox(requested: str) -> str:
    from grader import sandbox
    mode = sandbox.resolve_mode(requested)
    if mode == "process":
        click.echo("grade: note: student code runs in a separate, resource-limited process: "
                   "isolated, but not hardened (install bubblewrap for the OS sandbox).",
                   err=True)
    return mode


def _unicode_ok() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf8sig")


class _Progress:
    def __init__(self):
        self.width = 0

    def __call__(self, done: int, total: int, exercise: str):
        filled = int(20 * done / max(total, 1))
        text = f"\rgrading {exercise:<24} [{'#' * filled}{'.' * (20 - filled)}] {done}/{total}"
        self.width = max(self.width, len(text))
        sys.stderr.write(text)
        sys.stderr.flush()

    def clear(self):
        sys.stderr.write("\r" + " " * self.width + "\r")
        sys.stderr.flush()


def main() -> None:
    cli(prog_name="grade")
