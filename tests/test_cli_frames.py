"""`mteam members` on Parquet files and through a dataframe engine: the same output either way.

The same member base is written as CSV and as Parquet (one file, and a folder of files), and
every path the command can take (pure Python, polars, pyarrow, DuckDB; CSV below and above the
size at which `--engine auto` switches) must print the same JSON.
"""

import io
import random
import sys
import threading
import time
from datetime import date, timedelta

import polars as pl
import pytest

import mteam.cli
import mteam.io
from mteam.cli import main

AS_OF = "2025-12-31"


def run(*argv, stderr=None):
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _base(n=80, seed=3):
    """A seeded BG/NBD-like base: members join from 2024 to mid-2025, a third of them leave;
    each buys at their own rate until they drop out (or leave), whole amounts."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation
    end = date(2025, 12, 31)
    members, sales = [], []
    for i in range(n):
        joined = date(2024, 1, 1) + timedelta(days=rng.randrange(540))
        left = joined + timedelta(days=30 + rng.randrange(400)) if i % 3 == 0 else None
        left = None if left is not None and left > end else left
        members.append((f"m{i:02d}", joined, left))
        rate, dropout = rng.gammavariate(1.0, 0.8), rng.betavariate(1.0, 3.0)
        day = joined + timedelta(days=rng.randrange(20))
        while day <= (left or end):
            sales.append((f"m{i:02d}", day, 5 + rng.randrange(120)))
            if rng.random() < dropout:
                break
            day += timedelta(days=1 + int(rng.expovariate(rate) * 30))
    return members, sales


def _csv(rows, header):
    lines = [header]
    lines += [",".join("" if c is None else str(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The base as CSV, as single Parquet files, and the transactions as a folder of two."""
    folder = tmp_path_factory.mktemp("base")
    members, sales = _base()
    (folder / "members.csv").write_text(_csv(members, "member_id,joined_on,left_on"))
    (folder / "sales.csv").write_text(_csv(sales, "member_id,on,amount"))
    people = pl.DataFrame(members, schema=["member_id", "joined_on", "left_on"], orient="row")
    bought = pl.DataFrame(sales, schema=["member_id", "on", "amount"], orient="row")
    people.write_parquet(folder / "members.parquet")
    bought.write_parquet(folder / "sales.pq")
    (folder / "sales").mkdir()
    bought.head(40).write_parquet(folder / "sales" / "part-0.parquet")
    bought.slice(40).write_parquet(folder / "sales" / "part-1.parquet")
    return folder


@pytest.fixture(scope="module")
def expected(files):
    code, out, err = run(
        "members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF,
        "--format", "json", "--engine", "python",
    )  # fmt: skip
    assert code == 0, err
    assert '"sbg"' in out
    return out


@pytest.mark.parametrize(
    ("members", "sales", "engine"),
    [
        ("members.csv", "sales.csv", "auto"),  # small: the pure path
        ("members.csv", "sales.csv", "polars"),
        ("members.parquet", "sales.pq", "auto"),
        ("members.parquet", "sales", "polars"),  # a folder of Parquet files
        ("members.parquet", "sales", "python"),
        # one file of each kind (pyarrow and DuckDB are slower on such a small base)
        ("members.parquet", "sales.csv", "pyarrow"),
        ("members.csv", "sales", "duckdb"),
    ],
)
def test_every_path_prints_the_same_json(files, expected, members, sales, engine):
    code, out, err = run(
        "members", str(files / members), str(files / sales), "--as-of", AS_OF,
        "--format", "json", "--engine", engine,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == expected


def test_auto_takes_the_engine_for_large_csv_files(files, expected, monkeypatch):
    seen = []
    real = mteam.io.frames_analyse

    def spy(*args, **kwargs):
        seen.append(type(args[1]).__module__.split(".")[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(mteam.io, "frames_analyse", spy)
    argv = ("members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF)
    assert run(*argv, "--format", "json") == (0, expected, "")
    assert seen == []  # a few kilobytes: the pure path
    monkeypatch.setattr(mteam.io, "FRAMES_MIN_BYTES", 1000)
    assert run(*argv, "--format", "json") == (0, expected, "")
    assert seen == ["polars"]  # the first engine installed


def test_auto_takes_polars_alone_for_csv_files(files, expected, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)  # pyarrow and DuckDB are still installed
    monkeypatch.setattr(mteam.io, "FRAMES_MIN_BYTES", 1000)
    stages = []
    real = mteam.io.analyse_files
    monkeypatch.setattr(
        mteam.io, "analyse_files", lambda *a, **k: real(*a, **k | {"stage": stages.append})
    )
    argv = ("members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF)
    assert run(*argv, "--format", "json") == (0, expected, "")
    assert stages == ["reading and analysing members.csv, sales.csv"]


def test_the_help_states_the_rule_with_the_threshold(capsys):
    assert main(["members", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert mteam.io.FRAMES_MIN_BYTES == 16 * 2**20
    assert "CSV files of 16 MiB or more together through polars" in text
    assert "--engine {auto,python,polars,pyarrow,duckdb}" in text


def test_transaction_only_parquet_is_the_transaction_only_csv(files):
    argv = ("--as-of", AS_OF, "--format", "json")
    code, csv_out, err = run("members", str(files / "sales.csv"), *argv)
    assert code == 0, err
    assert '"non-contractual"' in csv_out
    for engine in ("auto", "duckdb"):
        assert run("members", str(files / "sales"), *argv, "--engine", engine) == (0, csv_out, "")


def test_the_repeat_models_of_a_parquet_base_are_those_of_the_csv_base(files):
    argv = ("--as-of", AS_OF, "--format", "json", "--models", "both", "--holdout-months", "3")
    code, csv_out, err = run("members", str(files / "members.csv"), str(files / "sales.csv"), *argv)
    assert code == 0, err
    assert '"holdout"' in csv_out
    parquet = ("members", str(files / "members.parquet"), str(files / "sales.pq"), *argv)
    assert run(*parquet) == (0, csv_out, "")


def test_a_parquet_base_where_nobody_left_gets_the_repeat_models(tmp_path, files):
    people = pl.read_parquet(files / "members.parquet").with_columns(
        pl.lit(None, dtype=pl.Date).alias("left_on")
    )
    people.write_parquet(tmp_path / "members.parquet")
    people.write_csv(tmp_path / "members.csv")
    argv = ("--as-of", AS_OF, "--format", "json")
    code, csv_out, err = run(
        "members", str(tmp_path / "members.csv"), str(files / "sales.csv"), *argv
    )
    assert code == 0, err
    assert '"non-contractual"' in csv_out
    parquet = ("members", str(tmp_path / "members.parquet"), str(files / "sales.pq"), *argv)
    assert run(*parquet) == (0, csv_out, "")


def test_cents_in_a_whole_unit_currency_are_summed_exactly_either_way(tmp_path, files):
    sales = pl.read_parquet(files / "sales.pq").with_columns(pl.col("amount") + 0.25)
    sales.write_parquet(tmp_path / "sales.parquet")
    sales.write_csv(tmp_path / "sales.csv")
    members = str(files / "members.csv")
    argv = ("--as-of", AS_OF, "--format", "json")
    code, csv_out, err = run("members", members, str(tmp_path / "sales.csv"), *argv)
    assert code == 0, err
    for engine in ("auto", "polars"):
        parquet = ("members", members, str(tmp_path / "sales.parquet"), *argv, "--engine", engine)
        assert run(*parquet) == (0, csv_out, "")
    forced = ("members", members, str(tmp_path / "sales.csv"), *argv, "--engine", "polars")
    assert run(*forced) == (0, csv_out, "")


def test_a_bad_csv_row_is_named_by_its_line_on_the_engine_path_too(tmp_path, files):
    text = (files / "sales.csv").read_text().splitlines()
    text[5] = text[5].rsplit(",", 1)[0] + ",12x"
    (tmp_path / "sales.csv").write_text("\n".join(text) + "\n")
    argv = ("members", str(files / "members.csv"), str(tmp_path / "sales.csv"), "--as-of", AS_OF)
    results = {run(*argv, "--engine", engine) for engine in ("python", "polars", "duckdb")}
    assert results == {(2, "", "mteam: invalid input: sales.csv:6.amount: invalid amount '12x'\n")}


def test_a_bad_parquet_column_is_bad_input_naming_it(tmp_path, files):
    pl.read_parquet(files / "sales.pq").rename({"on": "day"}).write_parquet(tmp_path / "s.pq")
    for engine in ("auto", "python"):
        code, out, err = run(
            "members", str(files / "members.parquet"), str(tmp_path / "s.pq"), "--as-of", AS_OF,
            "--engine", engine,
        )  # fmt: skip
        assert (code, out) == (2, "")
        assert err.startswith("mteam: invalid input: ")
        assert "on: no such column (columns: member_id, day, amount)" in err


def test_an_empty_folder_is_bad_input(tmp_path, files):
    (tmp_path / "empty").mkdir()
    code, out, err = run("members", str(files / "members.csv"), str(tmp_path / "empty"))
    assert (code, out) == (2, "")
    assert "no Parquet files (*.parquet, *.pq) in" in err


@pytest.fixture
def no_engines(monkeypatch):
    for name in ("polars", "pyarrow", "duckdb"):
        monkeypatch.setitem(sys.modules, name, None)  # `import polars` raises ImportError


def test_parquet_without_an_engine_names_what_to_install(files, no_engines):
    del no_engines
    code, out, err = run("members", str(files / "members.parquet"), str(files / "sales.pq"))
    assert (code, out) == (2, "")
    assert err == (
        "mteam: invalid input: engine: Parquet files need the frames extra and a dataframe "
        'engine (polars, pyarrow or duckdb): pip install "mteam[frames]" polars\n'
    )
    code, _, err = run("members", str(files / "sales.csv"), "--engine", "duckdb")
    assert code == 2
    assert err.endswith('engine: duckdb is not installed: pip install "mteam[frames]" duckdb\n')


def test_large_csv_files_without_an_engine_take_the_pure_path(
    files, expected, no_engines, monkeypatch
):
    del no_engines
    monkeypatch.setattr(mteam.io, "FRAMES_MIN_BYTES", 0)
    code, out, err = run(
        "members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    assert (code, out, err) == (0, expected, "")


def test_the_engine_is_for_files_only():
    assert run("members", "--engine", "polars") == (
        2,
        "",
        "mteam: invalid input: engine: applies to files: leave it out for the sample\n",
    )


# --- the progress line -------------------------------------------------------------------------


class Terminal(io.StringIO):
    """Standard error as a terminal (a pty's `isatty()`), written from two threads."""

    def isatty(self):
        return True


def _slowed(monkeypatch, stream):
    """Make the analysis wait until the progress line has been drawn twice (or 30 s passed)."""
    real = mteam.io.analyse_files
    drawn = threading.Event()

    def slow(*args, **kwargs):
        deadline = time.monotonic() + 30
        while stream.getvalue().count("\r") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        drawn.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(mteam.io, "analyse_files", slow)
    monkeypatch.setattr(mteam.cli, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(mteam.cli, "_PROGRESS_EVERY", 0.01)
    return drawn


def test_a_terminal_gets_a_progress_line_that_ends_with_a_newline(files, expected, monkeypatch):
    err = Terminal()
    drawn = _slowed(monkeypatch, err)
    code, out, text = run(
        "members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF,
        "--format", "json", stderr=err,
    )  # fmt: skip
    assert drawn.is_set()
    assert (code, out) == (0, expected)
    assert text.startswith("\rmteam members: ")
    assert text.endswith("\n")
    assert text.count("\n") == 1
    last = text.rstrip("\n").rsplit("\r", 1)[1]
    assert last.startswith("mteam members: reading and analysing members.csv, sales.csv done in ")
    assert last.rstrip().endswith(" s")


def test_a_failing_command_finishes_the_line_before_the_error(files, monkeypatch, tmp_path):
    (tmp_path / "bad.csv").write_text("member_id,on,amount\nm00,2025-01-01,x\n")
    err = Terminal()
    _slowed(monkeypatch, err)
    code, _, text = run(
        "members", str(files / "members.csv"), str(tmp_path / "bad.csv"), stderr=err
    )
    assert code == 2
    line, error = text.rsplit("\n", 2)[:2]
    assert "stopped after" in line.rsplit("\r", 1)[1]
    assert error == "mteam: invalid input: bad.csv:2.amount: invalid amount 'x'"


def test_a_pipe_or_a_log_gets_no_progress_line(files, expected, monkeypatch):
    err = io.StringIO()  # not a terminal
    real = mteam.io.analyse_files

    def slow(*args, **kwargs):
        time.sleep(0.5)  # a terminal has its line by now (it is drawn at once, see above)
        return real(*args, **kwargs)

    monkeypatch.setattr(mteam.io, "analyse_files", slow)
    monkeypatch.setattr(mteam.cli, "PROGRESS_AFTER", 0.0)
    code, out, text = run(
        "members", str(files / "members.csv"), str(files / "sales.csv"), "--as-of", AS_OF,
        "--format", "json", stderr=err,
    )  # fmt: skip
    assert (code, out, text) == (0, expected, "")


def test_a_quick_command_on_a_terminal_gets_no_progress_line():
    err = Terminal()
    code, out, text = run("split", "10", "a=1", stderr=err)
    assert (code, text) == (0, "")
    assert out.endswith("10 TWD\n")


def test_a_closed_stream_or_one_without_isatty_gets_no_line():
    closed = io.StringIO()
    closed.close()
    for stream in (closed, object()):
        with mteam.cli._Progress(stream, "members") as progress:
            progress.stage("reading")
        assert progress.width == 0


# --- the README's notebook example -------------------------------------------------------------


def test_the_readme_notebook_example_runs_with_pandas_and_the_frames_extra_only():
    """The example imports pandas and mteam alone, and the extra adds narwhals alone (checked
    once by hand in a fresh venv: `uv pip install ".[frames]" pandas` runs it)."""
    import doctest  # noqa: PLC0415
    import re  # noqa: PLC0415
    import tomllib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    root = Path(__file__).resolve().parent.parent
    blocks = re.findall(r"```python\n(.*?)```", (root / "README.md").read_text(), re.DOTALL)
    (example,) = [b for b in blocks if "frames.analyse(" in b]
    imported = set(re.findall(r"^>>> (?:from|import) (\w+)", example, re.MULTILINE))
    assert imported == {"pandas", "datetime", "mteam"}
    assert "to_records()" in example
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert [re.split(r"[<>=]", d)[0] for d in extras["optional-dependencies"]["frames"]] == [
        "narwhals"
    ]
    test = doctest.DocTestParser().get_doctest(example, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(0, len(test.examples))
