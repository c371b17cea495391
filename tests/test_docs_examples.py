"""The command-line examples in the docs are run and their output compared.

Python examples in the docs run as doctests (`--doctest-glob`); the console sessions that start
with `$ uv run mteam ...` are checked here, so neither can go stale.
"""

import io
import re
import shlex
from pathlib import Path

import pytest

from mteam.cli import main

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def console_examples():
    for page in sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"]):
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            lines = block.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("$ uv run mteam "):
                    output = []
                    for rest in lines[i + 1 :]:
                        if rest.startswith("$ "):
                            break
                        output.append(rest)
                    name = f"{page.relative_to(ROOT)}: {line}"
                    yield pytest.param(line.removeprefix("$ uv run mteam "), output, id=name)


EXAMPLES = list(console_examples())


def test_the_docs_have_console_examples():
    assert EXAMPLES


@pytest.mark.parametrize(("command", "expected"), EXAMPLES)
def test_console_example_output_is_what_the_command_prints(command, expected):
    out, err = io.StringIO(), io.StringIO()
    code = main(shlex.split(command), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert out.getvalue().splitlines() == expected
