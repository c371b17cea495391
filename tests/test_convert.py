"""Problems are walked from cattrs' exception groups: any key gives an exact path."""

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam._validate import real
from mteam.convert import problems_of, structure
from mteam.errors import InvalidInputError


@attrs.frozen
class Weights:
    by_name: dict[str, float]
    items: tuple[float, ...] = ()


@attrs.frozen
class Positive:
    weight: float = attrs.field(validator=real(gt=0))


@attrs.frozen
class Holder:
    named: dict[str, Positive]


@pytest.mark.parametrize("key", ["a\x1fb", "a\x1eb", "it's", 'say "hi"', "[0]", "a.b", "x @ y"])
def test_a_key_with_any_character_gives_an_exact_path(key):
    with pytest.raises(InvalidInputError) as info:
        structure(Weights, {"by_name": {key: "heavy"}, "items": [1, "x"]})
    paths = [p.path for p in info.value.problems]
    assert paths == [f"$.by_name[{key!r}]", "$.items[1]"]


@given(st.text(min_size=1, max_size=8))
def test_a_validator_error_under_any_key_keeps_its_own_path(key):
    with pytest.raises(InvalidInputError) as info:
        structure(Holder, {"named": {key: {"weight": -1}}})
    assert [p.path for p in info.value.problems] == [f"$.named[{key!r}].weight"]
    assert info.value.problems[0].message == "must be > 0, got -1"


def test_problems_of_a_plain_error():
    assert [str(p) for p in problems_of(ValueError("x"), "$.a")] == ["$.a: invalid value"]


# --- hostile documents: every one is an InvalidInputError with a path --------------------------

import copy  # noqa: E402
import json  # noqa: E402
from decimal import Decimal  # noqa: E402

from mteam.convert import MAX_DEPTH, MAX_INT_DIGITS, loads  # noqa: E402
from mteam.io import load, sample_team_text  # noqa: E402
from mteam.review import ReviewPolicy, TeamDocument, run_review  # noqa: E402

SAMPLE = json.loads(sample_team_text())


def sample(**changes):
    document = copy.deepcopy(SAMPLE)
    document.update(changes)
    return document


def problems(text, cls=TeamDocument):
    with pytest.raises(InvalidInputError) as info:
        run_review(loads(cls, text)) if cls is TeamDocument else loads(cls, text)
    return [str(p) for p in info.value.problems]


def test_deep_nesting_is_refused_with_a_path_not_a_recursion_error():
    found = problems("[" * 100000 + "]" * 100000)
    assert found == [
        "$" + "[0]" * MAX_DEPTH + f": nested more than {MAX_DEPTH} levels deep "
        f"(line 1, column {MAX_DEPTH + 1})"
    ]
    text = json.dumps(sample(name="NAME")).replace('"NAME"', "[" * 5000 + "]" * 5000)
    (first,) = problems(text)
    assert first.startswith("$.name[0][0]")
    assert "nested more than 100 levels deep" in first


def test_nesting_up_to_the_limit_is_only_the_wrong_kind():
    text = json.dumps(sample(name="NAME")).replace('"NAME"', "[" * 99 + "]" * 99)
    assert problems(text)[0].startswith("$.name: expected text, got [[[")


def test_brackets_inside_strings_do_not_count():
    name = "[" * 500 + "{" * 500
    assert loads(TeamDocument, json.dumps(sample(name=name))).name == name


def test_deep_python_data_is_refused_with_its_path():
    deep: list[object] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(InvalidInputError) as info:
        structure(TeamDocument, sample(name=deep))
    assert info.value.problems[0].path == "$.name"


def test_a_long_integer_is_refused_where_it_is():
    members = copy.deepcopy(SAMPLE["members"])
    skill = next(iter(members[0]["skills"]))
    members[0]["skills"][skill] = "LONG"
    text = json.dumps(sample(members=members)).replace('"LONG"', "9" * 5000)
    assert problems(text) == [f"$.members[0].skills[{skill!r}]: an integer longer than 640 digits"]
    text = json.dumps(sample(name="LONG")).replace('"LONG"', "-" + "1" * (MAX_INT_DIGITS + 1))
    assert problems(text) == ["$.name: expected text, got <an integer longer than 640 digits>"]


def test_an_integer_of_the_most_digits_is_read():
    text = json.dumps(sample(training_budget="LONG")).replace('"LONG"', "1" * MAX_INT_DIGITS)
    with pytest.raises(InvalidInputError) as info:
        run_review(loads(TeamDocument, text))
    assert "digits" not in str(info.value)  # the amount itself is too large, not the number


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(bonus_pool="1E+30"),
        lambda d: d["members"][0].update(base_salary="1E+40"),
        lambda d: d.update(training_budget="1E+30"),
        lambda d: d.update(training_budget="1E-999999999"),
    ],
)
def test_huge_amounts_are_input_errors_never_decimal_signals(change):
    document = sample()
    change(document)
    with pytest.raises(InvalidInputError):
        run_review(loads(TeamDocument, json.dumps(document)))


def test_a_huge_cap_multiple_is_an_input_error():
    with pytest.raises(InvalidInputError, match=r"\$\.bonus\.cap_multiple: must be at most"):
        loads(ReviewPolicy, '{"bonus": {"target_percent": "10", "cap_multiple": "1E+31"}}')


@attrs.frozen
class Priced:
    amount: Decimal = attrs.field(converter=lambda d: d.quantize(Decimal(1)))


@attrs.frozen
class Prices:
    items: tuple[Priced, ...]


def test_a_decimal_signal_while_building_names_the_record():
    with pytest.raises(InvalidInputError) as info:
        structure(Prices, {"items": [{"amount": "1"}, {"amount": "1E+40"}]})
    (problem,) = info.value.problems
    assert problem.path == "$.items[1]"
    assert "InvalidOperation" in problem.message


def test_lone_surrogates_and_bad_utf8_are_refused_alike_by_every_reader(tmp_path):
    encoded = (
        json.dumps(sample(name="NAME"), ensure_ascii=False)
        .encode()
        .replace(b"NAME", b"\xed\xa0\x80")
    )
    path = tmp_path / "team.json"
    path.write_bytes(encoded)
    column = encoded.index(b"\xed") + 1
    expected = (
        f"$: not UTF-8 text: a lone surrogate U+D800, encoded as ed a0 80 (line 1, column {column})"
    )
    for read in (lambda: loads(TeamDocument, encoded), lambda: load(TeamDocument, path)):
        with pytest.raises(InvalidInputError) as info:
            read()
        assert str(info.value) == expected
    as_text = encoded.decode("utf-8", "surrogatepass")
    with pytest.raises(InvalidInputError, match="not UTF-8 text: a lone surrogate U\\+D800"):
        loads(TeamDocument, as_text)
    escaped = json.dumps(sample(name="a\ud800"))  # written as the escape \\ud800
    assert problems(escaped) == ["$.name: not UTF-8 text: a lone surrogate U+D800 at character 1"]
    path.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(InvalidInputError, match=r"^\$: not UTF-8 text: invalid byte 0xff"):
        load(TeamDocument, path)


def test_surrogate_pairs_and_a_byte_order_mark_are_fine(tmp_path):
    text = json.dumps(sample(name="team \U0001f600"))  # written as \\ud83d\\ude00
    assert "\\ud83d\\ude00" in text
    assert loads(TeamDocument, text).name == "team \U0001f600"
    path = tmp_path / "team.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load(TeamDocument, path).name == "team \U0001f600"
    assert loads(TeamDocument, "\ufeff" + text).name == "team \U0001f600"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(constant):
    text = json.dumps(sample(name="X")).replace('"X"', constant)
    assert problems(text) == [f"$: {constant} is not allowed"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["projects"][0].update(contribution=0), "$.projects[0].contribution"),
        (lambda d: d["projects"][0].update(score=-5), "$.projects[0].score"),
        (lambda d: d["projects"][2].update(score=99), "$.projects[2].score"),
        (lambda d: d["members"][0].update(id=" "), "$.members[0].id"),
        (lambda d: d["kpis"][1].update(weight=-1), "$.kpis[1].weight"),
    ],
)
def test_every_path_names_the_record_it_is_in(change, path):
    document = sample()
    change(document)
    assert [p.split(":")[0] for p in problems(json.dumps(document))] == [path]
