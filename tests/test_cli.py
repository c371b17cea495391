import io
import json
import subprocess
import sys

import pytest

import mteam
from mteam.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"mteam {mteam.__version__}"


def test_help_lists_the_commands(capsys):
    assert main(["--help"]) == 0
    assert "split" in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "required" in capsys.readouterr().err


def test_split_text_and_json():
    code, out, err = run("split", "100.00", "ann=1", "bob=1", "cy=1", "--currency", "USD")
    assert code == 0
    assert err == ""
    assert out.splitlines()[0] == "ann     33.34 USD"
    assert out.splitlines()[-1] == "total  100.00 USD"
    code, out, _ = run("split", "10", "a=1", "b=2", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"a": "3", "b": "7"}


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["split", "100.5", "a=1"], "total: has more decimals than TWD allows"),
        (["split", "100", "a=-1"], "weights['a']: must be >= 0"),
        (["split", "100", "a=1", "a=2"], "weights[1]: duplicate key 'a'"),
        (["split", "100", "a=1", "--currency", "XYZ"], "unknown currency 'XYZ'"),
    ],
)
def test_bad_input_exits_2_with_the_problem_and_no_traceback(argv, needle):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert needle in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["split", "abc", "a=1"], ["split", "1", "a"], ["split", "1", "a=x"], ["split", "inf", "a=1"]],
)
def test_unparseable_arguments_are_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_a_bug_exits_1_with_a_traceback(monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr("mteam.cli.apportion", broken)
    code, _, err = run("split", "10", "a=1")
    assert code == 1
    assert "internal error" in err
    assert "RuntimeError: boom" in err


def test_python_dash_m_runs_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "mteam", "split", "10", "a=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("a")
