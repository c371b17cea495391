"""The document fuzzer: mutations of the bundled sample team, through every reader and the CLI.

Each example takes the sample team document and breaks it a few ways at random places: a key
dropped, a value of the wrong kind, NaN or an infinity, a huge number (integer, float, decimal
string), deep nesting, control characters, a long string, a key holding any character; then
writes it as text or bytes, now and then with bad bytes spliced in. Whatever comes in, the only
exception mteam may raise is `InvalidInputError`, and the command exits 0 or 2 without a
traceback.

The CI profile runs a few hundred examples in seconds. `HYPOTHESIS_PROFILE=fuzz` runs many
more (the slow, long run):

    HYPOTHESIS_PROFILE=fuzz uv run pytest -p no:cacheprovider tests/test_fuzz_documents.py
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mteam.convert import loads
from mteam.errors import InvalidInputError
from mteam.io import load, sample_team_text
from mteam.review import TeamDocument, run_review

SAMPLE: Any = json.loads(sample_team_text())
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def examples(ci: int) -> int:
    """`ci` examples, or the fuzz profile's many more."""
    return settings().max_examples if FUZZ else ci


class Raw:
    """JSON text put in the document as it is (deep nesting, long integers, NaN)."""

    def __init__(self, text: str) -> None:
        self.text = text


_texts = st.text(
    st.characters(codec=None, exclude_categories=()), max_size=20
)  # any code point, lone surrogates and control characters included

_hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**17, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0]),
    _texts,
    st.text(st.characters(max_codepoint=0x1F), max_size=10),  # control characters
    st.builds(lambda n, c: c * n, st.integers(1000, 100_000), st.sampled_from("x界\x1f")),
    st.sampled_from(
        [
            "1E+30",
            "1E+40",
            "-1E+30",
            "1E-40",
            "1E+999999999",
            "NaN",
            "Infinity",
            "-0",
            "1e5",
            "0.000000000000000000000000000001",
            "99999999999999999999999999999999",
            " 12 ",
            "",
        ]
    ),
    st.builds(lambda n: Raw("[" * n + "]" * n), st.integers(1, 3000)),
    st.builds(lambda n: Raw('{"a":' * n + "1" + "}" * n), st.integers(1, 300)),
    st.builds(lambda n: Raw("9" * n), st.integers(600, 6000)),
    st.builds(lambda n: Raw("-" + "1" * n + ".5e3"), st.integers(1, 2000)),
    st.sampled_from([Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e400"), Raw("-1e400")]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(_texts, st.integers(), max_size=2),
)


@st.composite
def _spot(draw: st.DrawFn, document: Any) -> tuple[Any, Any]:
    """A container in `document` and a key or index in it, walking down at random."""
    parent: Any = document
    key: Any = draw(st.sampled_from(sorted(document)))
    while True:
        child = parent[key]
        if not isinstance(child, (dict, list)) or not child or draw(st.integers(0, 3)) == 0:
            return parent, key
        keys = sorted(child) if isinstance(child, dict) else range(len(child))
        parent, key = child, draw(st.sampled_from(list(keys)))


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(SAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = draw(_spot(document))
        action = draw(st.sampled_from(["drop", "replace", "replace", "extra key"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(_hostile_values)
        else:
            target = parent if isinstance(parent, dict) else parent[key]
            if isinstance(target, dict):
                target[draw(_texts)] = draw(_hostile_values)
        if not document:
            break
    return document


def _text(document: Any, *, ascii_only: bool) -> str:
    raws: list[str] = []

    def placeholder(value: object) -> object:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\x00raw{len(raws) - 1}\x00"
        raise TypeError(value)  # pragma: no cover - only Raw is put in

    text = json.dumps(document, ensure_ascii=ascii_only, default=placeholder)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00raw{i}\x00", ensure_ascii=ascii_only), raw)
    return text


@st.composite
def documents(draw: st.DrawFn) -> str | bytes:
    """A mutated sample team as JSON text, or as bytes, with bad bytes now and then."""
    text = _text(draw(_mutated()), ascii_only=draw(st.booleans()))
    form = draw(st.sampled_from(["text", "bytes", "bad bytes"]))
    if form == "text":
        return text
    data = text.encode("utf-8", "surrogatepass")
    if form == "bad bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


def _review(read: Any) -> None:
    try:
        document = read()
        run_review(document)
    except InvalidInputError:
        pass  # the one exception allowed; anything else fails the test


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_loads_and_run_review_raise_only_input_errors(document):
    _review(lambda: loads(TeamDocument, document))


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_load_from_a_file_raises_only_input_errors(document):
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.json"
        path.write_bytes(data)
        _review(lambda: load(TeamDocument, path))


@settings(max_examples=examples(6) // (1 if not FUZZ else 20) or 1, deadline=None)
@given(documents())
def test_the_command_exits_0_or_2_without_a_traceback(document):
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.json"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - this interpreter, a file of the test's own
            [sys.executable, "-m", "mteam", "review", str(path)],
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"},
            timeout=120,
            check=False,
        )
    assert done.returncode in (0, 2), done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr
    assert (done.stdout == b"") == (done.returncode == 2)
