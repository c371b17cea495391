"""The `mteam` command line: a thin layer over the library.

Exit codes: 0 success, 2 bad input (every problem on standard error, nothing on standard
output, no traceback), 1 a bug in mteam (with the traceback, so it can be reported).

While a command works for more than a couple of seconds, a progress line on standard error
(rewritten in place, ending with a newline) says what it is doing, but only when standard
error is a terminal: a pipe, a file or a CI log never gets one.

Output is UTF-8 whatever the terminal's encoding (`LANG=C`, `PYTHONIOENCODING=ascii`): a
report in Traditional Chinese, or a member's name in any script, is never an encoding error.
A command's output is written once it is complete, so a command that fails writes nothing to
standard output.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self, TextIO

import attrs

import mteam
from mteam.errors import InvalidInputError, Problem
from mteam.money import apportion, currency, quantize

if TYPE_CHECKING:
    from mteam.performance.feedback import FeedbackRelease

__all__ = ["main"]

EXIT_OK = 0
EXIT_BUG = 1
EXIT_BAD_INPUT = 2

Handler = Callable[[argparse.Namespace, TextIO], int]

RELEASE_KEY_VARIABLE = "MTEAM_RELEASE_KEY"
"""The environment variable holding a cycle's release key (never an argument: arguments show
in process lists and shell history)."""


PROGRESS_AFTER = 2.0
"""Seconds a command works before the progress line appears (on a terminal only)."""
_PROGRESS_EVERY = 0.5


class _Progress:
    r"""A line on standard error, rewritten with `\r`, while a command works.

    It appears once the command has worked `PROGRESS_AFTER` seconds, and only when the stream
    is a terminal; it ends with a newline when the command ends.
    """

    def __init__(self, stream: TextIO, command: str) -> None:
        self.stream = stream
        self.command = command
        self.text = "working"
        self.start = time.monotonic()
        self.width = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def stage(self, text: str) -> None:
        """Say what the command is doing now."""
        self.text = text

    def __enter__(self) -> Self:
        try:
            terminal = self.stream.isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            terminal = False
        if terminal:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._stop.wait(PROGRESS_AFTER):
            return
        while True:
            self._draw("…")
            if self._stop.wait(_PROGRESS_EVERY):
                return

    def _draw(self, end: str) -> None:
        seconds = time.monotonic() - self.start
        line = f"mteam {self.command}: {self.text} {end} {seconds:.0f} s"
        with self._lock:
            _write(self.stream, "\r" + line.ljust(self.width))
            self.width = max(self.width, len(line))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.width:  # the line was shown: finish it
            self._draw("stopped after" if kind is not None else "done in")
            _write(self.stream, "\n")


def _decimal_arg(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _weight_arg(text: str) -> tuple[str, Decimal]:
    key, sep, weight = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=WEIGHT, got {text!r}")
    return key, _decimal_arg(weight)


def _cmd_split(args: argparse.Namespace, out: TextIO) -> int:
    cur = currency(args.currency)
    total = quantize(args.total, cur)
    if total != args.total:
        raise InvalidInputError(
            "total", f"has more decimals than {cur.code} allows ({cur.exponent}), got {args.total}"
        )
    weights: dict[str, Decimal] = {}
    for i, (key, weight) in enumerate(args.weights):
        if key in weights:
            raise InvalidInputError(f"weights[{i}]", f"duplicate key {key!r}")
        weights[key] = weight
    parts = apportion(total, weights, cur.quantum)
    if args.format == "json":
        out.write(json.dumps({k: str(v) for k, v in parts.items()}, indent=2) + "\n")
        return EXIT_OK
    width = max(len(k) for k in [*parts, "total"])
    amounts = {k: f"{v:,}" for k, v in parts.items()}
    amount_width = max(len(a) for a in [*amounts.values(), f"{total:,}"])
    for key, amount in amounts.items():
        out.write(f"{key:<{width}}  {amount:>{amount_width}} {cur.code}\n")
    out.write(f"{'total':<{width}}  {f'{total:,}':>{amount_width}} {cur.code}\n")
    return EXIT_OK


def _emit(text: str, output: str | None, out: TextIO) -> int:
    """Write the report to standard output, or to the file `-o` names (UTF-8, lines ending in LF).

    The report is made in full before the file is opened, so a run that fails on bad input
    leaves no file behind and an existing one as it was.
    """
    if output is None:
        out.write(text)
        return EXIT_OK
    try:
        with Path(output).open("w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInputError("output", f"cannot write {output!r}: {reason}") from None
    return EXIT_OK


def _release_key(args: argparse.Namespace) -> str | None:
    """The cycle's key from the environment, when a release is read or written."""
    if args.previous_release is None and args.release_out is None:
        return None
    key = os.environ.get(RELEASE_KEY_VARIABLE)
    if key is None:
        raise InvalidInputError(
            RELEASE_KEY_VARIABLE,
            "must be set to the cycle's secret to read or write a release (the value is never "
            "taken from an argument)",
        )
    return key


def _previous_release(path: str) -> FeedbackRelease:
    from mteam.io import load  # noqa: PLC0415 - imported when the command runs
    from mteam.performance.feedback import FeedbackRelease  # noqa: PLC0415

    try:
        return load(FeedbackRelease, path)
    except InvalidInputError as err:  # its paths are the release file's, not the document's
        raise InvalidInputError.from_problems(
            Problem("previous_release" + p.path.removeprefix("$"), p.message)
            if p.path.startswith("$")
            else Problem("previous_release", p.message)
            for p in err.problems
        ) from None


def _cmd_review(args: argparse.Namespace, out: TextIO) -> int:
    from mteam.io import dump, dumps, load, load_sample_team  # noqa: PLC0415 - imported when run
    from mteam.report import format_report  # noqa: PLC0415
    from mteam.report.html import review_page  # noqa: PLC0415
    from mteam.review import ReviewPolicy, TeamDocument, run_review  # noqa: PLC0415

    if args.format == "html" and args.member is not None:
        raise InvalidInputError(
            "member", "the HTML report shows the whole team: leave out --member, or use text/json"
        )
    key = _release_key(args)
    previous = None if args.previous_release is None else _previous_release(args.previous_release)
    document = load_sample_team() if args.file is None else load(TeamDocument, args.file)
    policy = ReviewPolicy() if args.policy is None else load(ReviewPolicy, args.policy)
    outcome = run_review(document, policy, previous=previous, key=key)
    if args.member is not None:
        outcome.member(args.member)  # an unknown member is bad input
    if args.release_out is not None:
        # recorded before anything is shown: a report shown but not recorded would be unguarded
        try:
            dump(outcome.release, args.release_out)
        except OSError as exc:
            raise InvalidInputError(
                "release_out", f"cannot write {args.release_out!r}: {exc.strerror}"
            ) from None
    outcome = attrs.evolve(outcome, release=None)  # the release goes to its own file only
    if args.format == "json":
        if args.member is not None:
            text = dumps(outcome.member(args.member)) + "\n"
        else:
            text = dumps(outcome) + "\n"
    elif args.format == "html":
        text = review_page(outcome, language=args.language)
    else:
        text = format_report(outcome, args.member, args.language)
    return _emit(text, args.output, out)


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_members(args: argparse.Namespace, out: TextIO) -> int:
    from mteam.io import analyse_files, analyse_sample, dumps  # noqa: PLC0415 - when run
    from mteam.membership.analysis import SAMPLE_AS_OF, MembershipPolicy  # noqa: PLC0415
    from mteam.report import format_member_report  # noqa: PLC0415
    from mteam.report.html import member_page  # noqa: PLC0415

    if len(args.files) > 2:
        raise InvalidInputError(
            "files", "give TRANSACTIONS, MEMBERS TRANSACTIONS (CSV or Parquet), or neither"
        )
    if not args.files and args.engine != "auto":
        raise InvalidInputError("engine", "applies to files: leave it out for the sample")
    policy = MembershipPolicy(models=args.models, holdout_months=args.holdout_months)
    if args.files:
        as_of = args.as_of if args.as_of is not None else date.today()  # noqa: DTZ011
        members = args.files[0] if len(args.files) == 2 else None
        analysis = analyse_files(
            members, args.files[-1], as_of, policy, engine=args.engine, stage=args.progress.stage
        )
    else:
        if args.as_of is not None and args.as_of != SAMPLE_AS_OF:
            raise InvalidInputError("as_of", f"the sample member base is as of {SAMPLE_AS_OF}")
        analysis = analyse_sample(policy)
    if args.format == "json":
        text = dumps(analysis) + "\n"
    elif args.format == "html":
        text = member_page(analysis, language=args.language, policy=policy)
    else:
        text = format_member_report(analysis, policy, args.language)
    return _emit(text, args.output, out)


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from mteam.convert import json_schema  # noqa: PLC0415 - imported when the command runs
    from mteam.review import TeamDocument  # noqa: PLC0415

    del args
    out.write(json.dumps(json_schema(TeamDocument), indent=2) + "\n")
    return EXIT_OK


def _cmd_example(args: argparse.Namespace, out: TextIO) -> int:
    from mteam.io import sample_team_text  # noqa: PLC0415 - imported when the command runs

    del args
    out.write(sample_team_text())
    return EXIT_OK


_OUTPUT_HELP = "write the report to FILE (UTF-8) instead of standard output"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mteam",
        description=(
            "Model how a marketing team is staffed, reviewed, rewarded and trained, "
            "and how its members are retained and valued."
        ),
    )
    parser.add_argument("--version", action="version", version=f"mteam {mteam.__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    review = commands.add_parser(
        "review",
        help="run a review cycle on a team document (the bundled sample team by default)",
        description=(
            "Run a whole review cycle: KPI scorecards, 360-degree feedback, composite scores "
            "and bands, the bonus pool, recognition, skill gaps and the training plan. "
            "Without FILE, the bundled sample team is reviewed; `mteam example` prints it. "
            "To publish the cycle again without giving a late or corrected rating away, write "
            "the release with --release-out and pass it back with --previous-release; the key "
            f"is read from the environment variable {RELEASE_KEY_VARIABLE}."
        ),
    )
    review.add_argument("file", nargs="?", help="a team document (JSON)")
    review.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="text (default), JSON, or one self-contained HTML page with charts",
    )
    review.add_argument("--policy", help="a review policy (JSON); the defaults otherwise")
    review.add_argument("--member", help="only this member's section (text and JSON)")
    review.add_argument(
        "--language",
        choices=("en", "zh-Hant"),
        default="en",
        help="the labels of bands, roles and skills, and the page's words (text and HTML)",
    )
    review.add_argument(
        "--previous-release",
        metavar="FILE",
        help="the release (JSON) of an earlier run of this cycle: every 360 figure whose raters "
        f"changed by fewer than min_raters since then is withheld (needs {RELEASE_KEY_VARIABLE})",
    )
    review.add_argument(
        "--release-out",
        metavar="FILE",
        help="write this run's release (JSON) to FILE for --previous-release next time; it may "
        f"be the same file (needs {RELEASE_KEY_VARIABLE})",
    )
    review.add_argument("-o", "--output", metavar="FILE", help=_OUTPUT_HELP)
    review.set_defaults(handler=_cmd_review)

    members = commands.add_parser(
        "members",
        help="analyse a member base (the bundled sample by default)",
        description=(
            "Analyse a member base: retention, cohorts, Kaplan-Meier survival, the sBG model "
            "and its projection, CLTV, RFM segments and tiers. Without files, the bundled "
            "sample of 3,000 members is analysed as of 2026-10-31. With TRANSACTIONS "
            "alone (or members without leave dates), the base is non-contractual: each member "
            "is born at their first purchase, and the BG/NBD and Gamma-Gamma models of repeat "
            "purchases replace the sBG model. A file is CSV, or Parquet when its name ends in "
            ".parquet or .pq or it is a folder of Parquet files (with the frames extra and an "
            'engine: pip install "mteam[frames]" polars). Parquet files are analysed by the '
            "first engine installed of polars, pyarrow and DuckDB, and CSV files of 16 MiB or "
            "more together by polars when it is installed; smaller CSV files, and the "
            "repeat-purchase models, in pure Python (--engine chooses). The results are the "
            "same either way. On a terminal, a progress line on standard error shows work "
            "that takes more than 2 seconds."
        ),
    )
    members.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="MEMBERS TRANSACTIONS, TRANSACTIONS alone, or neither (CSV or Parquet files)",
    )
    members.add_argument(
        "--models",
        choices=("auto", "contractual", "non-contractual", "both"),
        default="auto",
        help="the models to fit (default auto: sBG when some member has left, BG/NBD and "
        "Gamma-Gamma when nobody has a leave date)",
    )
    members.add_argument(
        "--holdout-months",
        type=int,
        metavar="N",
        help="check the BG/NBD model: fit it on the purchases up to N months before the "
        "analysis day, and compare with what the members bought in those N months",
    )
    members.add_argument("--as-of", type=_date_arg, help="the day of the analysis (default today)")
    members.add_argument(
        "--engine",
        choices=("auto", "python", "polars", "pyarrow", "duckdb"),
        default="auto",
        help="auto (default): Parquet through the first engine installed of polars, pyarrow "
        "and DuckDB, CSV files of 16 MiB or more together through polars, smaller CSV files "
        "in pure Python; python: always pure Python (Parquet rows read by an engine); polars, "
        "pyarrow or duckdb: that engine (the repeat-purchase models are always fitted in pure "
        "Python)",
    )
    members.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="text (default), JSON, or one self-contained HTML page with charts",
    )
    members.add_argument(
        "--language",
        choices=("en", "zh-Hant"),
        default="en",
        help="the HTML page's words; in the text report, the RFM segments' and tiers' names",
    )
    members.add_argument("-o", "--output", metavar="FILE", help=_OUTPUT_HELP)
    members.set_defaults(handler=_cmd_members)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema (draft 2020-12) of the team document",
        description=(
            "Print the JSON Schema (draft 2020-12) of the team document, generated from its "
            "value classes: for a form builder, or to check a document before sending it."
        ),
    )
    schema.set_defaults(handler=_cmd_schema)
    example = commands.add_parser(
        "example",
        help="print an example team document (the bundled sample team)",
        description="Print the bundled sample team document: a template for your own.",
    )
    example.set_defaults(handler=_cmd_example)

    split = commands.add_parser(
        "split",
        help="split an amount exactly in proportion to weights",
        description=(
            "Split TOTAL in proportion to the weights by the largest-remainder method: "
            "the parts are whole minor units of the currency and add up exactly to TOTAL."
        ),
    )
    split.add_argument("total", type=_decimal_arg, help="the amount to split, e.g. 100000")
    split.add_argument(
        "weights", nargs="+", type=_weight_arg, metavar="KEY=WEIGHT", help="e.g. ann=3 bob=2"
    )
    split.add_argument("--currency", default="TWD", help="ISO 4217 code (default TWD)")
    split.add_argument("--format", choices=("text", "json"), default="text")
    split.set_defaults(handler=_cmd_split)
    return parser


def _write(stream: TextIO, text: str) -> None:
    """Write `text` to `stream` as UTF-8, whatever the stream's own encoding.

    A stream with a byte buffer (standard output and error) gets the UTF-8 bytes; a text-only
    stream (a `StringIO`) gets the text.
    """
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        return
    stream.flush()
    buffer.write(text.encode("utf-8", "backslashreplace"))
    buffer.flush()


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the `mteam` command and return its exit code.

    Args:
        argv: The arguments (without the program name); `sys.argv[1:]` unless given.
        stdout: Where the output goes; standard output unless given.
        stderr: Where errors go; standard error unless given.

    Examples:
        >>> main(["split", "100", "a=1", "b=1", "c=1"])
        a       34 TWD
        b       33 TWD
        c       33 TWD
        total  100 TWD
        0
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (argparse exits 2)
        return int(exc.code or 0)
    handler: Handler = args.handler
    output = io.StringIO()  # written out only once the command has succeeded
    progress = _Progress(err, handler.__name__.removeprefix("_cmd_"))
    args.progress = progress
    try:
        # one job has the process to itself: pause the cyclic collector
        with mteam.batch(), progress:
            code = handler(args, output)
    except InvalidInputError as exc:
        _write(err, f"mteam: invalid input: {exc}\n")
        return EXIT_BAD_INPUT
    except Exception:  # noqa: BLE001 - the last resort: report the bug, do not hide it
        _write(err, "mteam: internal error (please report it):\n" + traceback.format_exc())
        return EXIT_BUG
    _write(out, output.getvalue())
    return code
