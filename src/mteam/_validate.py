"""Validators shared by the value classes and the functions (not public API).

Each attrs validator raises `InvalidInputError` whose path is the field name; a function that
validates a collection prefixes the index (`kpis[2].weight`).

**Plain values in** (DESIGN principle 9). The `as_*` helpers take what a notebook has and
return plain Python values, converting only where the meaning is unambiguous; the caller uses
the value they return. They import no numpy, pandas or polars: they go by behaviour.

* A numpy scalar (or a 0-d array, or anything with `shape == ()` and `item()`) is the Python
  value it holds (`np.int64(3)` is `3`, `np.True_` is `True`).
* A number is an `int`, a `float`, a `Decimal`, a `Fraction`, anything with `__index__`, or a
  `numbers.Real`; NaN and infinities are refused; a `bool` is **never** a number (`True` is not
  1 where a rate, a count or a duration is meant: a flag passed in the wrong place is far likelier
  than a count of one).
* A count is a whole number, or a number with no fractional part (`1000.0`, `np.float64(8.0)`,
  `Decimal("8")`): `8.5` is refused.
* A flag is a `bool`, or the numbers 0 and 1 (`np.int64(1)`, `0.0`); `2`, `0.5` or `"yes"` are
  refused.
* A column is any iterable but a `str`, `bytes`, mapping or set (a set has no order to pair
  it with another column); a numpy array or a pandas Series is
  read through its `tolist()`, a polars Series through `to_list()` (both give Python scalars);
  a data frame is refused, since which of its columns is meant is not said.

Examples:
    >>> as_count("n", 1000.0), as_flag("observed[0]", 1), as_number("t", Fraction(1, 2))
    (1000, True, 0.5)
    >>> as_count("n", 8.5)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: n: must be a whole number, got 8.5
    >>> as_number("t", True)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: t: must be a number, got True
"""

from __future__ import annotations

import enum
import math
import numbers
import operator
from collections.abc import Callable, Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar, cast

from mteam.errors import InvalidInputError, _join_path

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Validator = Callable[[Any, Any, Any], None]

join_path = _join_path


def show(value: object) -> str:
    """How a value is named in an error message: numbers plainly, everything else by repr."""
    if isinstance(value, (Decimal, Fraction)) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    ):
        return str(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_real(value: object) -> bool:
    """Whether `value` is an int, float, Decimal or Fraction (not a bool)."""
    return isinstance(value, (int, float, Decimal, Fraction)) and not isinstance(value, bool)


def check_real(path: str, value: object) -> None:
    """Require a finite real number (no bool, no NaN, no infinity)."""
    kind = value.__class__
    if kind is int or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]
        return  # the common cases, first and cheaply
    if not is_real(value):
        raise InvalidInputError(path, f"must be a number, got {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(path, f"must be a finite number, got {show(value)}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidInputError(path, f"must be a finite number, got {show(value)}")


def check_range(
    path: str,
    value: Any,  # noqa: ANN401 - any real number type
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> None:
    """Require a finite real number within the given bounds."""
    check_real(path, value)
    if gt is not None and not value > gt:
        raise InvalidInputError(path, f"must be > {show(gt)}, got {show(value)}")
    if ge is not None and not value >= ge:
        raise InvalidInputError(path, f"must be >= {show(ge)}, got {show(value)}")
    if lt is not None and not value < lt:
        raise InvalidInputError(path, f"must be < {show(lt)}, got {show(value)}")
    if le is not None and not value <= le:
        raise InvalidInputError(path, f"must be <= {show(le)}, got {show(value)}")


def check_int(path: str, value: object, *, ge: int | None = None, le: int | None = None) -> None:
    """Require an int (not a bool) within the given bounds."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(path, f"must be a whole number, got {show(value)}")
    check_range(path, value, ge=ge, le=le)


def check_decimal(path: str, value: object) -> None:
    """Require a finite `Decimal` (money is never a float)."""
    if not isinstance(value, Decimal):
        raise InvalidInputError(path, f"must be a Decimal, got {show(value)}")
    if not value.is_finite():
        raise InvalidInputError(path, f"must be a finite Decimal, got {show(value)}")


# --- plain values in ---------------------------------------------------------------------------

_BUILTIN: Final = frozenset({int, float, bool, str, Decimal, Fraction, type(None)})


def plain(value: object) -> object:
    """A numpy-like scalar as the Python value it holds; anything else unchanged.

    A value that is not a built-in, with `shape == ()` and an `item()` method (numpy scalars,
    0-d arrays) gives `item()`.

    >>> plain(Fraction(1, 2)), plain("x")
    (Fraction(1, 2), 'x')
    """
    if type(value) in _BUILTIN:
        return value
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    return value


def _as_real(path: str, value: object) -> int | float | Decimal | Fraction:
    """A finite number (int, float, Decimal or Fraction), refusing bools, NaN and infinities."""
    v = plain(value)
    if isinstance(v, bool) or not (
        isinstance(v, (numbers.Number, Decimal)) or hasattr(v, "__index__")
    ):
        raise InvalidInputError(path, f"must be a number, got {show(value)}")
    if isinstance(v, (int, float, Decimal, Fraction)):
        out: int | float | Decimal | Fraction = v
    elif hasattr(v, "__index__"):
        out = operator.index(v)
    elif isinstance(v, numbers.Real):
        out = float(v)
    else:  # a complex number
        raise InvalidInputError(path, f"must be a real number, got {show(value)}")
    if isinstance(out, float) and not math.isfinite(out):
        raise InvalidInputError(path, f"must be a finite number, got {show(value)}")
    if isinstance(out, Decimal) and not out.is_finite():
        raise InvalidInputError(path, f"must be a finite number, got {show(value)}")
    return out


def as_number(
    path: str,
    value: object,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> float:
    """A finite real number within the bounds, as an `int` or a `float` (see the module docs).

    A whole number stays an `int`; a `Decimal` or a `Fraction` becomes the nearest `float` (this
    is for quantities computed in floating point, never for money).

    >>> as_number("rate", Decimal("0.25"), ge=0), as_number("t", 3)
    (0.25, 3)
    >>> as_number("rate", float("nan"))
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: rate: must be a finite number, got nan
    """
    v = _as_real(path, value)
    out = v if isinstance(v, (int, float)) else float(v)
    check_range(path, out, gt=gt, ge=ge, lt=lt, le=le)
    return out


def as_count(path: str, value: object, *, ge: int | None = None, le: int | None = None) -> int:
    """A whole number within the bounds: an int, or a number with no fractional part.

    >>> as_count("periods", 8.0), as_count("n", Decimal("12"))
    (8, 12)
    >>> as_count("n", True)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: n: must be a whole number, got True
    """
    v = plain(value)
    if isinstance(v, bool):
        raise InvalidInputError(path, f"must be a whole number, got {show(value)}")
    if isinstance(v, int):
        out = v
    elif hasattr(v, "__index__"):
        out = operator.index(v)
    else:
        real = _as_real(path, v)
        if real != int(real):
            raise InvalidInputError(path, f"must be a whole number, got {show(value)}")
        out = int(real)
    check_range(path, out, ge=ge, le=le)
    return out


def as_flag(path: str, value: object) -> bool:
    """True or False: a bool, or the numbers 1 and 0.

    >>> as_flag("observed[0]", 0.0), as_flag("observed[1]", True)
    (False, True)
    >>> as_flag("observed[2]", 2)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: observed[2]: must be True or False (or 1 or 0), got 2
    """
    v = plain(value)
    if isinstance(v, bool):
        return v
    if isinstance(v, (numbers.Number, Decimal)) and not isinstance(v, complex) and v in {0, 1}:
        return v == 1
    raise InvalidInputError(path, f"must be True or False (or 1 or 0), got {show(value)}")


def as_items(path: str, value: object) -> list[Any]:
    """The items of a column: a list, tuple, iterable, numpy array, pandas or polars Series.

    >>> as_items("xs", range(3)), as_items("xs", (1, "a"))
    ([0, 1, 2], [1, 'a'])
    >>> as_items("xs", "abc")
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: xs: must be a sequence, got 'abc'
    """
    if isinstance(value, (str, bytes, Mapping)):
        raise InvalidInputError(path, f"must be a sequence, got {show(value)}")
    if isinstance(value, AbstractSet):  # no order: it cannot be paired with another column
        raise InvalidInputError(path, f"must be a sequence in order, not a set, got {show(value)}")
    if hasattr(value, "columns"):
        raise InvalidInputError(
            path, f"must be one column, not a table (pick a column), got a {type(value).__name__}"
        )
    for name in ("tolist", "to_list"):  # numpy and pandas; polars
        method = getattr(value, name, None)
        if callable(method):
            items = method()
            if not isinstance(items, list):  # a 0-d array gives its scalar
                raise InvalidInputError(path, f"must be a sequence, got {show(value)}")
            return items
    if not isinstance(value, Iterable):
        raise InvalidInputError(path, f"must be a sequence, got {show(value)}")
    return list(value)


def as_pairs(path: str, value: object, *, whole: bool = False) -> tuple[tuple[Any, str], ...]:
    """`(number, name)` pairs, as a tuple of tuples; the number a count if `whole`.

    >>> as_pairs("grades", [(0, "red"), [0.4, "green"]])
    ((0, 'red'), (0.4, 'green'))
    >>> as_pairs("grades", [(0, "red", 1)])
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: grades[0]: must be a (number, name) pair, got (0, 'red', 1)
    """
    out = []
    for i, pair in enumerate(as_items(path, value)):
        at = f"{path}[{i}]"
        if isinstance(pair, (str, bytes, Mapping)) or not isinstance(pair, (list, tuple)):
            raise InvalidInputError(at, f"must be a (number, name) pair, got {show(pair)}")
        if len(pair) != 2:
            raise InvalidInputError(at, f"must be a (number, name) pair, got {show(pair)}")
        number = as_count(f"{at}[0]", pair[0]) if whole else as_number(f"{at}[0]", pair[0])
        if not isinstance(pair[1], str):
            raise InvalidInputError(f"{at}[1]", f"must be text, got {show(pair[1])}")
        out.append((number, pair[1]))
    return tuple(out)


def to_number(value: Any) -> Any:  # noqa: ANN401 - whatever the validator then judges
    """An attrs converter: a numpy-like scalar or an `__index__` number as a plain one.

    Anything else is passed on unchanged, for the field's validator to accept or refuse.

    >>> to_number(Decimal("1.5")), to_number("x")
    (Decimal('1.5'), 'x')
    """
    v = plain(value)
    if isinstance(v, bool) or type(v) in _BUILTIN:
        return v
    if hasattr(v, "__index__"):
        return operator.index(v)
    if isinstance(v, numbers.Real):
        return float(v)
    return v


# --- attrs validators ------------------------------------------------------------------------


def real(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> Validator:
    """An attrs validator: a finite real number within the bounds."""

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        check_range(attr.name, value, gt=gt, ge=ge, lt=lt, le=le)

    return validate


def optional_real(
    *,
    gt: float | None = None,
    ge: float | None = None,
) -> Validator:
    """An attrs validator: None or a finite real number within the bounds."""

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        if value is not None:
            check_range(attr.name, value, gt=gt, ge=ge)

    return validate


def whole(*, ge: int | None = None, le: int | None = None) -> Validator:
    """An attrs validator: an int within the bounds."""

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        check_int(attr.name, value, ge=ge, le=le)

    return validate


def decimal(*, ge: Decimal | None = None) -> Validator:
    """An attrs validator: a finite Decimal, optionally at least `ge`."""

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        check_decimal(attr.name, value)
        if ge is not None and value < ge:  # type: ignore[operator]
            raise InvalidInputError(attr.name, f"must be >= {ge}, got {show(value)}")

    return validate


def text(*, allow_empty: bool = False) -> Validator:
    """An attrs validator: a str, not empty or blank unless allowed."""

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        if value.__class__ is str and (allow_empty or value.strip()):
            return  # the common case, first and cheaply
        if not isinstance(value, str):
            raise InvalidInputError(attr.name, f"must be text, got {show(value)}")
        if not allow_empty and not value.strip():
            raise InvalidInputError(attr.name, f"must not be empty, got {show(value)}")

    return validate


def _kinds(types: tuple[type, ...]) -> str:
    """`(int, str)` -> `an int or a str`."""
    return " or ".join(
        "None"
        if t is type(None)
        else ("an " if t.__name__[0].lower() in "aeiou" else "a ") + t.__name__
        for t in types
    )


def of_type(*types: type) -> Validator:
    """An attrs validator: an instance of one of `types`."""
    names = _kinds(types)

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise InvalidInputError(attr.name, f"must be {names}, got {show(value)}")

    return validate


def check_tuple(path: str, value: object) -> None:
    """Require a tuple: what `to_items` made of a sequence.

    >>> check_tuple("skills", "seo")
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: skills: must be a sequence, got 'seo'
    """
    if value.__class__ is not tuple and not isinstance(value, tuple):
        raise InvalidInputError(path, f"must be a sequence, got {show(value)}")


def items_of(*types: type) -> Validator:
    """An attrs validator for a tuple field: a tuple, every item an instance of `types`.

    A wrong item is named by its index: `skills[2]`.
    """
    names = _kinds(types)

    def validate(_inst: object, attr: Any, value: Iterable[object]) -> None:  # noqa: ANN401
        check_tuple(attr.name, value)
        for i, item in enumerate(value):
            if not isinstance(item, types):
                raise InvalidInputError(f"{attr.name}[{i}]", f"must be {names}, got {show(item)}")

    return validate


def reals(*, ge: float | None = None, le: float | None = None) -> Validator:
    """An attrs validator for a tuple field: a tuple of finite real numbers within the bounds.

    A wrong item is named by its index: `interview_ratings[1]`.
    """

    def validate(_inst: object, attr: Any, value: tuple[object, ...]) -> None:  # noqa: ANN401
        check_tuple(attr.name, value)
        for i, item in enumerate(value):
            check_range(f"{attr.name}[{i}]", item, ge=ge, le=le)

    return validate


def optional_reals(size: int, *, ge: float | None = None) -> Validator:
    """An attrs validator for a tuple field: `size` items, each None or a finite real number.

    A wrong item is named by its index (`standard_errors[1]`), a wrong length by the field.
    """

    def validate(_inst: object, attr: Any, value: tuple[object, ...]) -> None:  # noqa: ANN401
        check_tuple(attr.name, value)
        for i, item in enumerate(value):
            if item is not None:
                check_range(f"{attr.name}[{i}]", item, ge=ge)
        if len(value) != size:
            raise InvalidInputError(attr.name, f"must have {size} items, got {len(value)}")

    return validate


def optional_matrix(size: int) -> Validator:
    """An attrs validator: None, or a `size` × `size` tuple of tuples of finite numbers.

    A wrong entry is named by its indices: `covariance[1][0]`.
    """

    def validate(_inst: object, attr: Any, value: object) -> None:  # noqa: ANN401
        if value is None:
            return
        if not isinstance(value, tuple) or len(value) != size:
            raise InvalidInputError(
                attr.name, f"must be None or {size} rows of {size} numbers, got {show(value)}"
            )
        for i, row in enumerate(value):
            if not isinstance(row, tuple) or len(row) != size:
                raise InvalidInputError(
                    f"{attr.name}[{i}]", f"must be a row of {size} numbers, got {show(row)}"
                )
            for j, item in enumerate(row):
                check_real(f"{attr.name}[{i}][{j}]", item)

    return validate


def unique_by(key: Callable[[Any], object], what: str = "id") -> Validator:
    """An attrs validator for a tuple field: no two items share `key(item)`."""

    def validate(_inst: object, attr: Any, value: Iterable[object]) -> None:  # noqa: ANN401
        check_unique(attr.name, value, key, what)

    return validate


def check_unique(
    path: str, items: Iterable[T], key: Callable[[T], object], what: str = "id"
) -> None:
    """Require that no two items share `key(item)`; the error names the second one."""
    seen: set[object] = set()
    for i, item in enumerate(items):
        k = key(item)
        if k in seen:
            raise InvalidInputError(f"{path}[{i}].{what}", f"duplicate {what} {show(k)}")
        seen.add(k)


E = TypeVar("E", bound=enum.Enum)


def enum_value(cls: type[E], path: str) -> Callable[[Any], E]:
    """An attrs converter: a member of `cls`, or its value; anything else an input error."""
    allowed = ", ".join(repr(m.value) for m in cls)
    by_value = {m.value: m for m in cls}  # what `cls(value)` looks up first, without its cost

    def convert(value: Any) -> E:  # noqa: ANN401
        if isinstance(value, cls):
            return value
        try:
            return by_value[value]
        except (KeyError, TypeError):
            raise InvalidInputError(path, f"must be one of {allowed}, got {show(value)}") from None

    return convert


def check_instance(path: str, value: object, *types: type) -> None:
    """Require `value` to be an instance of one of `types` (a bool is not an int).

    >>> check_instance("currency", "USD", int)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: currency: must be an int, got 'USD'
    """
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise InvalidInputError(path, f"must be {_kinds(types)}, got {show(value)}")


def check_sequence(path: str, value: object) -> None:
    """Require something to iterate over item by item: not a str, bytes or a mapping.

    >>> check_sequence("xs", 5)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: xs: must be a sequence, got 5
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(path, f"must be a sequence, got {show(value)}")


def check_records(
    path: str, items: Iterable[object], cls: type[T], key: str = "id"
) -> dict[str, T]:
    """Require every item to be a `cls` with a unique `key` attribute; key → item, in order.

    >>> check_records("xs", [1, 2], int, "real")
    {1: 1, 2: 2}
    """
    out: dict[Any, T] = {}
    check_sequence(path, items)
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise InvalidInputError(f"{path}[{i}]", f"must be {_kinds((cls,))}, got {show(item)}")
        k = getattr(item, key)
        if k in out:
            raise InvalidInputError(f"{path}[{i}].{key}", f"duplicate {key} {show(k)}")
        out[k] = item
    return out


def find(items: Iterable[T], key: Callable[[T], object], wanted: object, path: str, what: str) -> T:
    """The first item whose `key(item)` is `wanted`; an input error naming `what` otherwise."""
    for item in items:
        if key(item) == wanted:
            return item
    raise InvalidInputError(path, f"unknown {what} {show(wanted)}")


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable (but a str or a mapping) as a tuple; anything else an input error.

    For a function's argument. A field's converter cannot name its field: a field uses
    `to_items` and a validator that checks the tuple.
    """
    check_sequence("", value)
    return tuple(value)


def to_items(value: Iterable[Any]) -> tuple[Any, ...]:
    """An attrs converter for a tuple field: a sequence's items as a tuple.

    Anything else (a str, bytes, a mapping, a number, None) is passed on unchanged, for the
    field's validator (`items_of`, `reals` or one that calls `check_tuple`) to refuse by the
    field's name.

    >>> to_items([1, 2]), to_items(x for x in "ab"), to_items("ab")
    ((1, 2), ('a', 'b'), 'ab')
    """
    if value.__class__ is tuple or isinstance(value, (str, bytes, Mapping)):
        return cast("tuple[Any, ...]", value)
    if not isinstance(cast("object", value), Iterable):
        return cast("tuple[Any, ...]", value)
    return tuple(value)


def prefixed(path: str, func: Callable[[], T]) -> T:
    """Call `func`, putting `path` before the path of any InvalidInputError it raises."""
    try:
        return func()
    except InvalidInputError as err:
        raise err.with_prefix(path) from None
