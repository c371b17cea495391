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


# --- bad input: exit 2, every problem on stderr, nothing on stdout, UTF-8 whatever the terminal -

import os  # noqa: E402

from mteam.io import sample_team_text  # noqa: E402

ASCII_TERMINAL = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}


def _process(*argv):
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own arguments
        [sys.executable, "-m", "mteam", *argv],
        capture_output=True,
        env=ASCII_TERMINAL,
        timeout=120,
        check=False,
    )


def _team_file(tmp_path, text):
    path = tmp_path / "team.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return str(path)


def test_utf8_output_on_an_ascii_terminal(tmp_path):
    document = json.loads(sample_team_text())
    document["name"] = "會員行銷"
    done = _process("review", _team_file(tmp_path, json.dumps(document)), "--language", "zh-Hant")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").startswith("會員行銷")
    assert done.stderr == b""


def test_a_lone_surrogate_in_the_name_is_bad_input_without_a_traceback(tmp_path):
    document = json.loads(sample_team_text())
    document["name"] = "team \ud800"
    for text in (json.dumps(document), json.dumps(document, ensure_ascii=False)):
        done = _process("review", _team_file(tmp_path, text))
        assert done.returncode == 2
        assert done.stdout == b""
        err = done.stderr.decode("utf-8")
        assert "not UTF-8 text: a lone surrogate U+D800" in err
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[" * 100000 + "]" * 100000, "nested more than 100 levels deep"),
        ('{"name": ' + "9" * 5000 + "}", "got <an integer longer than 640 digits>"),
        (
            sample_team_text().replace('"1000000"', '"1E+30"', 1),
            "$.bonus_pool: must be at most 1000000000000000000 minor units",
        ),
        (sample_team_text().replace('"Membership marketing"', "NaN"), "NaN is not allowed"),
    ],
)
def test_hostile_documents_exit_2_with_nothing_on_stdout(tmp_path, text, needle):
    code, out, err = run("review", _team_file(tmp_path, text))
    assert (code, out) == (2, "")
    assert err.startswith("mteam: invalid input: ")
    assert needle in err
    assert "Traceback" not in err


def test_every_problem_is_on_stderr(tmp_path):
    document = json.loads(sample_team_text())
    document["projects"][0]["score"] = 99
    document["members"][1]["id"] = ""
    del document["currency"]
    code, out, err = run("review", _team_file(tmp_path, json.dumps(document)))
    assert (code, out) == (2, "")
    assert "$.members[1].id" in err
    assert "$.currency: required field missing" in err
