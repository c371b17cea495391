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
