"""The shared validators behind every value class (private, but every error path matters)."""

from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from mteam import _validate as v
from mteam.errors import InvalidInputError


@attrs.frozen
class Thing:
    ratio: float = attrs.field(default=0.5, validator=v.real(gt=0, lt=1))
    share: float = attrs.field(default=0.5, validator=v.real(ge=0, le=1))
    cap: float | None = attrs.field(default=None, validator=v.optional_real(gt=0))
    floor: float | None = attrs.field(default=None, validator=v.optional_real(ge=0))
    count: int = attrs.field(default=1, validator=v.whole(ge=0, le=10))
    amount: Decimal = attrs.field(default=Decimal(1), validator=v.decimal(ge=Decimal(0)))
    name: str = attrs.field(default="x", validator=v.text())
    note: str = attrs.field(default="", validator=v.text(allow_empty=True))
    flag: bool = attrs.field(default=False, validator=v.of_type(bool))
    size: int = attrs.field(default=0, validator=v.of_type(int))
    tags: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=[v.items_of(str), v.unique_by(lambda t: t)]
    )


def test_defaults_are_valid():
    assert Thing().tags == ()
    assert Thing(tags=["a", "b"]).tags == ("a", "b")
    assert Thing(cap=2, floor=0).cap == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": 0}, "ratio: must be > 0, got 0"),
        ({"ratio": 1}, "ratio: must be < 1, got 1"),
        ({"share": -0.1}, "share: must be >= 0, got -0.1"),
        ({"share": 1.5}, "share: must be <= 1, got 1.5"),
        ({"share": float("nan")}, "share: must be a finite number, got nan"),
        ({"share": Decimal("Infinity")}, "share: must be a finite number, got Infinity"),
        ({"share": True}, "share: must be a number, got True"),
        ({"cap": 0}, "cap: must be > 0, got 0"),
        ({"floor": -1}, "floor: must be >= 0, got -1"),
        ({"count": 1.0}, "count: must be a whole number, got 1.0"),
        ({"count": 11}, "count: must be <= 10, got 11"),
        ({"amount": 1.5}, "amount: must be a Decimal, got 1.5"),
        ({"amount": Decimal("NaN")}, "amount: must be a finite Decimal, got NaN"),
        ({"amount": Decimal(-1)}, "amount: must be >= 0, got -1"),
        ({"name": " "}, "name: must not be empty, got ' '"),
        ({"name": 3}, "name: must be text, got 3"),
        ({"flag": 1}, "flag: must be a bool, got 1"),
        ({"size": True}, "size: must be an int, got True"),
        ({"tags": ["a", 1]}, "tags[1]: must be a str, got 1"),
        ({"tags": ["a", "a"]}, "tags[1].id: duplicate id 'a'"),
    ],
)
def test_each_validator_names_the_field_and_the_value(kwargs, message):
    with pytest.raises(InvalidInputError) as info:
        Thing(**kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("value", ["ab", b"ab", {"a": 1}])
def test_to_tuple_refuses_strings_and_mappings(value):
    with pytest.raises(InvalidInputError, match="must be a sequence"):
        v.to_tuple(value)


def test_show_names_values_plainly():
    assert v.show(Decimal("1.50")) == "1.50"
    assert v.show(Fraction(1, 3)) == "1/3"
    assert v.show("x") == "'x'"
    assert v.show("y" * 100).endswith("...")
    assert len(v.show("y" * 100)) == 80


def test_prefixed_puts_the_path_before_inner_errors():
    assert v.prefixed("kpis[0]", lambda: 3) == 3

    def bad():
        raise InvalidInputError("weight", "must be > 0, got 0")

    with pytest.raises(InvalidInputError) as info:
        v.prefixed("kpis[0]", bad)
    assert info.value.path == "kpis[0].weight"


def test_check_unique_with_a_custom_key_name():
    with pytest.raises(InvalidInputError) as info:
        v.check_unique("members", [{"id": 1}, {"id": 1}], lambda m: m["id"], "id")
    assert str(info.value) == "members[1].id: duplicate id 1"
    v.check_unique("members", [{"id": 1}, {"id": 2}], lambda m: m["id"])


def test_check_int_accepts_whole_numbers_only():
    v.check_int("n", 3, ge=0)
    with pytest.raises(InvalidInputError, match="n: must be >= 0, got -1"):
        v.check_int("n", -1, ge=0)
