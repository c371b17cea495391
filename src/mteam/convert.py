"""The one cattrs converter: JSON-ready data ↔ mteam's values (no files).

The rules of the JSON form:

* attrs classes are objects keyed by field name; unknown keys are an error;
* money (`Decimal`) is a string such as `"12.50"` (an integer is accepted; a float never is,
  because a binary float cannot hold cents exactly);
* dates are ISO 8601 strings (`"2026-01-31"`);
* enums are their values (`"higher_is_better"`);
* numbers are never strings and strings are never numbers; `NaN` and `Infinity` are refused.

The limits of an accepted document (each broken limit is an
[`InvalidInputError`][mteam.errors.InvalidInputError] with a path, never a `RecursionError`, a
bare `ValueError` or a `decimal` signal):

* the text is UTF-8 (bytes) or Unicode text (`str`) without lone surrogates, also none written
  as an escape in a JSON string; a leading byte-order mark is ignored (RFC 8259, section 8.1);
* arrays and objects nest at most [`MAX_DEPTH`][mteam.convert.MAX_DEPTH] (100) levels deep;
* an integer has at most [`MAX_INT_DIGITS`][mteam.convert.MAX_INT_DIGITS] (640) digits,
  whatever the interpreter's own limit (`sys.set_int_max_str_digits`).

Data with problems raises one [`InvalidInputError`][mteam.errors.InvalidInputError] that
lists every problem with its JSON path (`$.members[3].kpis[0].weight`; a mapping key is
written as a quoted string, `$.members[0].skills['seo']`), never a raw cattrs traceback. The
problems are read from cattrs' exception groups directly, so a key holding any character
still gives an exact path.

Files are the business of [`mteam.io`][mteam.io], which re-exports everything here.

Examples:
    >>> from mteam.convert import dumps, loads
    >>> from mteam.money import Currency
    >>> print(dumps(Currency("XAU", 0)))
    {
      "code": "XAU",
      "exponent": 0
    }
    >>> dumps(Currency("USD", 2))  # a built-in currency is its code
    '"USD"'
    >>> loads(Currency, '{"code": "USD", "exponent": 2}')
    Currency(code='USD', exponent=2)
    >>> loads(Currency, '{"code": "usd", "exponent": "2", "sign": "$"}')
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: 2 problems:
      $.exponent: expected a whole number, got '2'
      $: extra fields found (sign)
"""

from __future__ import annotations

import enum
import json
import math
import re
import reprlib
from collections import abc
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from types import UnionType
from typing import Any, Final, TypeVar, Union, get_args, get_origin, get_type_hints

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, mapping_structure_factory
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter
from cattrs.v import format_exception as _cattrs_format_exception

from mteam._validate import check_instance
from mteam._validate import show as _show_plain
from mteam.errors import InvalidInputError, Problem, _join_path
from mteam.labels import Label
from mteam.money import CURRENCIES, Currency, currency
from mteam.performance.feedback import Rating, ratings_from_rows

__all__ = [
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "dumps",
    "json_schema",
    "loads",
    "problems_of",
    "structure",
    "unstructure",
]

T = TypeVar("T")

MAX_DEPTH: Final = 100
"""How deeply a document's arrays and objects may nest (the default of Ruby's JSON parser).

A team document needs about six levels; the limit keeps the parser's stack, and the time spent
on a hostile document, bounded whatever the caller's own stack depth.
"""

MAX_INT_DIGITS: Final = 640
"""The most digits an integer in a document may have.

640 is the smallest limit Python lets an interpreter set for converting text to `int`
(`sys.set_int_max_str_digits`), so a document loads the same whatever that setting is.
"""

_SHOW: Final = reprlib.Repr()
_SHOW.maxstring = _SHOW.maxother = 80
_SHOW.maxlevel = 3


_TOO_LONG: Final = 10**MAX_INT_DIGITS
_LONG: Final = f"an integer longer than {MAX_INT_DIGITS} digits"


def _show(value: object) -> str:
    """A value as an error message names it: bounded in length and depth, whatever it holds."""
    if isinstance(value, (list, dict, tuple)):
        return _SHOW.repr(value)
    if value.__class__ is int and not -_TOO_LONG < value < _TOO_LONG:
        return f"<{_LONG}>"
    if value.__class__ is int:
        return _SHOW.repr(value)
    return _show_plain(value)


class _LongInt:
    """An integer longer than the interpreter turns into an `int` (no value, only a mark).

    The parser puts it in place of the number, so the converter can name the field it is in.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{_LONG}>"


def _parse_int(text: str) -> int | _LongInt:
    if len(text) - text.startswith("-") > MAX_INT_DIGITS:
        return _LongInt()
    return int(text)


def _too_long(value: object) -> bool:
    """Whether `value` is an integer longer than `MAX_INT_DIGITS` digits."""
    return value.__class__ is _LongInt or (
        value.__class__ is int and not -_TOO_LONG < value < _TOO_LONG
    )


class _ShapeError(ValueError):
    """A JSON value of the wrong kind (a private signal turned into a message)."""


def _structure_decimal(value: object, _type: object) -> Decimal:
    if _too_long(value):
        raise _ShapeError(_LONG)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _ShapeError(f"expected a decimal string such as '12.50', got {_show(value)}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise _ShapeError(f"invalid decimal {_show(value)}") from None
    if not result.is_finite():
        raise _ShapeError(f"must be a finite decimal, got {_show(value)}")
    return result


def _structure_date(value: object, _type: object) -> date:
    if not isinstance(value, str):
        raise _ShapeError(f"expected an ISO 8601 date string, got {_show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _ShapeError(f"invalid date {_show(value)} (expected YYYY-MM-DD)") from None


def _structure_float(value: object, _type: object) -> float:
    if _too_long(value):
        raise _ShapeError(_LONG)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _ShapeError(f"expected a number, got {_show(value)}")
    if value.__class__ is float and not math.isfinite(value):
        raise _ShapeError(f"expected a finite number, got {_show(value)}")
    return value  # an int stays an int: it is exact and compares equal


def _structure_int(value: object, _type: object) -> int:
    if _too_long(value):
        raise _ShapeError(_LONG)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _ShapeError(f"expected a whole number, got {_show(value)}")
    return value


def _structure_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise _ShapeError(f"expected text, got {_show(value)}")
    return value


def _structure_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise _ShapeError(f"expected true or false, got {_show(value)}")
    return value


_RATING_FIELDS: Final = ("ratee_id", "rater_id", "relation", "competency_id", "score")
_RATING_KEYS: Final = frozenset(_RATING_FIELDS)


_WITHHELD: Final = "(the value is withheld to protect the rater)"


def _structure_rating(value: object, _type: object) -> Rating:
    # A rating's values are never repeated in a message: they may hold an anonymous rater's
    # id or score. The path (`$.ratings[12].rater_id`) says where the problem is.
    if not isinstance(value, dict):
        raise _ShapeError(f"expected an object {_WITHHELD}")
    if value.keys() != _RATING_KEYS:
        extra = sorted(str(k) for k in set(value) - set(_RATING_FIELDS))
        if extra:
            raise _ShapeError(f"extra fields found ({', '.join(extra)})")
        missing = next(k for k in _RATING_FIELDS if k not in value)
        raise InvalidInputError(missing, "required field missing")
    try:
        return Rating(
            value["ratee_id"],
            value["rater_id"],
            value["relation"],
            value["competency_id"],
            value["score"],
        )
    except InvalidInputError as err:
        rater = value["rater_id"]
        if err.path == "rater_id" and not (isinstance(rater, str) and rater.strip()):
            raise InvalidInputError("rater_id", f"must be non-blank text {_WITHHELD}") from None
        raise


def _currency_code(code: str) -> Currency:
    try:
        return currency(code)
    except InvalidInputError as err:
        raise _ShapeError(err.message) from None


def _is_homogeneous_tuple(type_: object) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(type_: object) -> bool:
    return get_origin(type_) in (dict, Mapping, abc.Mapping)


def _int_keys(hook: Callable[[Any, Any], Any], type_: object) -> Callable[[Any, Any], Any]:
    """JSON object keys are strings: read "3" as 3 where the keys are whole numbers."""
    args = get_args(type_)
    if not args or args[0] is not int:
        return hook

    def structure(value: dict[Any, Any], t: object) -> object:
        return hook({_int_key(k): v for k, v in value.items()}, t)

    return structure


def _int_key(key: object) -> object:
    if isinstance(key, str) and key.lstrip("-").isdigit() and key.isascii():
        return int(key)
    return key


def _shape_checked(
    hook: Callable[[Any, Any], Any], kind: type | tuple[type, ...], what: str
) -> Callable[[Any, Any], Any]:
    def structure(value: object, type_: object) -> object:
        if not isinstance(value, kind):
            raise _ShapeError(f"expected {what}, got {_show(value)}")
        return hook(value, type_)

    return structure


def _make_converter() -> cattrs.Converter:
    converter = make_converter(forbid_extra_keys=True)
    # The leaf hooks come first: the class hooks generated below bind them.
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    # cattrs would read a list as a class, a str as a tuple of characters and a dict's keys as
    # a list: refuse the wrong JSON kind first, with a message that says what was expected.
    converter.register_structure_hook_factory(
        attrs.has,
        lambda cl: _shape_checked(make_dict_structure_fn(cl, converter), dict, "an object"),
    )
    converter.register_structure_hook_factory(
        _is_homogeneous_tuple,
        lambda cl: _shape_checked(
            homogenous_tuple_structure_factory(cl, converter), list, "a list"
        ),
    )
    converter.register_structure_hook_factory(
        _is_mapping,
        lambda cl: _shape_checked(
            _int_keys(mapping_structure_factory(cl, converter), cl), dict, "an object"
        ),
    )
    # A label is an object {"en": ..., "zh_hant": ...} or, for English only, a plain string.
    label_hook = _shape_checked(
        make_dict_structure_fn(Label, converter), dict, "an object or a string"
    )
    converter.register_structure_hook(
        Label, lambda v, t: Label(v) if isinstance(v, str) else label_hook(v, t)
    )
    # A currency is its ISO code when built in ("TWD"), else {"code": ..., "exponent": ...}.
    currency_hook = _shape_checked(
        make_dict_structure_fn(Currency, converter), dict, "a currency code or an object"
    )
    converter.register_structure_hook(
        Currency, lambda v, t: _currency_code(v) if isinstance(v, str) else currency_hook(v, t)
    )
    # Ratings come by the hundred thousand and validate every field themselves (attrs
    # validators, run in __init__): build them directly instead of checking each field twice,
    # and a whole list of plainly valid ones in one pass (any other list takes the checked
    # path, which names every problem).
    converter.register_structure_hook(Rating, _structure_rating)
    checked_ratings = converter.get_structure_hook(tuple[Rating, ...])

    def ratings(value: object, type_: object) -> tuple[Rating, ...]:
        plain = ratings_from_rows(value) if isinstance(value, list) else None
        return checked_ratings(value, type_) if plain is None else plain

    converter.register_structure_hook_func(lambda t: t == tuple[Rating, ...], ratings)
    converter.register_unstructure_hook(
        Currency,
        lambda c: (
            c.code if CURRENCIES.get(c.code) == c else {"code": c.code, "exponent": c.exponent}
        ),
    )
    return converter


_CONVERTER: Final = _make_converter()


def _message(exc: BaseException, type_: object) -> str:
    """What is wrong, for an exception that is not a group (the path is the walker's)."""
    if isinstance(exc, _ShapeError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, ArithmeticError):
        return (
            "a number out of the range mteam computes exactly with "
            f"({type(exc).__module__}.{type(exc).__name__})"
        )
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"extra fields found ({', '.join(sorted(exc.extra_fields))})"
    if isinstance(exc, ValueError) and hasattr(type_, "__members__"):
        allowed = ", ".join(repr(m.value) for m in type_)  # type: ignore[attr-defined]
        return f"invalid value, expected one of {allowed}"
    return _cattrs_format_exception(exc, type_ if isinstance(type_, type) else None)


def _index_path(path: str, index: object) -> str:
    """`path[3]` for a list position, `path['key']` for a mapping key (quoted exactly)."""
    return f"{path}[{index!r}]"


def _walk(exc: BaseException, path: str, type_: object, found: list[Problem]) -> None:
    """Append the problems of `exc`, found at `path`, to `found` (depth first, in order)."""
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            _walk(inner, _index_path(path, note.index), note.type, found)
        for inner in without:
            _walk(inner, path, None, found)
    elif isinstance(exc, ClassValidationError):
        with_notes_attr, without = exc.group_exceptions()
        for inner, attr_note in with_notes_attr:
            _walk(inner, f"{path}.{attr_note.name}", attr_note.type, found)
        for inner in without:
            _walk(inner, path, None, found)
    elif isinstance(exc, InvalidInputError):  # a value's own validator: its paths go below
        found.extend(Problem(_join_path(path, p.path), p.message) for p in exc.problems)
    else:
        found.append(Problem(path, _message(exc, type_)))


def problems_of(exc: BaseException, root: str = "$") -> list[Problem]:
    r"""Every problem in a structuring error, each with its JSON path.

    Walks cattrs' exception groups (a class's fields by name, a list's items by position, a
    mapping's entries by key) down to the failures, and an
    [`InvalidInputError`][mteam.errors.InvalidInputError] raised by a value's own validator
    contributes each of its problems under the path where it was raised.

    Examples:
        >>> from mteam.errors import InvalidInputError
        >>> problems_of(InvalidInputError("weight", "must be > 0, got 0"), "$.kpis[2]")
        [Problem(path='$.kpis[2].weight', message='must be > 0, got 0')]
    """
    found: list[Problem] = []
    _walk(exc, root, None, found)
    return found


def structure(cls: type[T], data: Any) -> T:  # noqa: ANN401 - any JSON-shaped data
    """Build a value of `cls` from JSON-shaped data (dicts, lists, strings, numbers).

    Examples:
        >>> from mteam.money import Currency
        >>> structure(Currency, {"code": "TWD", "exponent": 0})
        Currency(code='TWD', exponent=0)

    Raises:
        InvalidInputError: listing every problem with its JSON path (`$.field[2].name`).
    """
    try:
        return _CONVERTER.structure(data, cls)
    except StructureHandlerNotFoundError:
        raise InvalidInputError("cls", f"mteam cannot build a {_show(cls)}") from None
    except (
        cattrs.BaseValidationError,
        _ShapeError,
        ValueError,
        TypeError,
        KeyError,
        ArithmeticError,  # decimal's InvalidOperation and Overflow, from a value's arithmetic
        RecursionError,  # Python data nested deeper than the stack
    ) as exc:
        raise InvalidInputError.from_problems(problems_of(exc)) from None


def unstructure(obj: object) -> Any:  # noqa: ANN401 - JSON-shaped data
    """Turn a value into JSON-shaped data (dicts, lists, strings, numbers).

    Examples:
        >>> from decimal import Decimal
        >>> unstructure({"pool": Decimal("10.50")})
        {'pool': '10.50'}
    """
    return _CONVERTER.unstructure(obj)


def _reject_constant(name: str) -> float:
    raise _ShapeError(f"{name} is not allowed")


_BOM: Final = "\ufeff"
_BRACKETS: Final = bytes.maketrans(b"[]{}", b"()()")
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{},:]')
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def _line_and_column(text: str | bytes, offset: int) -> str:
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    column = offset - (text.rfind(newline, 0, offset) + 1) + 1  # type: ignore[arg-type]
    return f"line {line}, column {column}"


def _not_utf8(detail: str, text: str | bytes, offset: int) -> str:
    """The one message for text that is not UTF-8, whoever read it."""
    return f"not UTF-8 text: {detail} ({_line_and_column(text, offset)})"


def _decoded(text: str | bytes | bytearray) -> tuple[str, bytes]:
    """The text and its UTF-8 bytes, refusing invalid UTF-8 and lone surrogates alike."""
    if isinstance(text, str):
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInputError(
                "$", _not_utf8(_surrogate(text[exc.start]), text, exc.start)
            ) from None
    else:
        raw = bytes(text)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError("$", _not_utf8(_bad_bytes(raw, exc), raw, exc.start)) from None
    return text.removeprefix(_BOM), raw


def _surrogate(char: str) -> str:
    return f"a lone surrogate U+{ord(char):04X}"


def _bad_bytes(raw: bytes, exc: UnicodeDecodeError) -> str:
    """What is wrong at `exc.start`: an encoded surrogate is named as one."""
    three = raw[exc.start : exc.start + 3]
    try:
        char = three.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return f"invalid byte 0x{raw[exc.start]:02x} ({exc.reason})"
    return f"{_surrogate(char)}, encoded as {three.hex(' ')}"


def _maybe_too_deep(raw: bytes) -> bool:
    """Whether the brackets of `raw` nest deeper than `MAX_DEPTH` (brackets in strings count).

    Quick, in C: keep only the brackets and remove the innermost pairs, level by level. A
    document that passes nests no deeper than the limit, unless its strings hold brackets, which
    `_too_deep` (and the parser's own stack check, behind it) settle.
    """
    brackets = raw.translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return False
        inner = brackets.replace(b"()", b"")
        if len(inner) == len(brackets):  # unbalanced: the parser names the problem
            return False
        brackets = inner
    return bool(brackets)


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"


def _frames_path(frames: list[list[Any]]) -> str:
    path = "$"
    for is_object, key in frames:
        path = _key_path(path, str(key)) if is_object else f"{path}[{key}]"
    return path


def _too_deep(text: str) -> InvalidInputError | None:
    """The problem of the first value nested deeper than `MAX_DEPTH`, with its path."""
    if max(accumulate(_STEP.get(t[0], 0) for t in _TOKEN.findall(text)), default=0) <= MAX_DEPTH:
        return None
    frames: list[list[Any]] = []  # per open container: [is an object, key or index]
    for match in _TOKEN.finditer(text):
        mark = match.group()
        if mark in "[{":
            if len(frames) == MAX_DEPTH:
                where = _line_and_column(text, match.start())
                return InvalidInputError(
                    _frames_path(frames), f"nested more than {MAX_DEPTH} levels deep ({where})"
                )
            frames.append([mark == "{", "" if mark == "{" else 0])
        elif mark in "]}":
            if frames:
                frames.pop()
        elif mark == ",":
            if frames and not frames[-1][0]:
                frames[-1][1] += 1
        elif mark != ":" and frames and frames[-1][0]:
            frames[-1][1] = _key_of(mark)
    return None  # pragma: no cover - the bracket count above found a deeper value


def _key_of(string: str) -> str:
    try:
        return str(json.loads(string))
    except ValueError:
        return string


def _lone_surrogates(data: object) -> list[Problem]:
    """Every string (value or key) in parsed JSON that holds a lone surrogate, with its path."""
    found: list[Problem] = []
    stack: list[tuple[object, str]] = [(data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                detail = f"{_surrogate(value[exc.start])} at character {exc.start}"
                found.append(Problem(path, f"not UTF-8 text: {detail}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                stack.append((item, _key_path(path, key)))
                stack.append((key, f"{path} (a key)"))
    return found


def loads(cls: type[T], text: str | bytes) -> T:
    r"""Parse a JSON document into a value of `cls`.

    Bytes must be UTF-8 and text must be Unicode without lone surrogates (also none written as
    an escape, `"\ud800"`); a leading byte-order mark is ignored. Arrays and objects nest at most
    [`MAX_DEPTH`][mteam.convert.MAX_DEPTH] levels, and an integer has at most
    [`MAX_INT_DIGITS`][mteam.convert.MAX_INT_DIGITS] digits.

    Examples:
        >>> from mteam.periods import Period
        >>> loads(Period, '{"start": "2026-01-01", "end": "2026-06-30"}').days
        181
        >>> loads(Period, '{"start": "2026-01-01", "end": NaN}')
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: $: NaN is not allowed
        >>> loads(Period, b'{"start": "2026-01-01", "end": "\xed\xa0\x80"}')
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: $: not UTF-8 text: a lone surrogate U+D800, encoded as ...

    Raises:
        InvalidInputError: the text is not JSON (the path is `$`, the message gives the line
            and column), is not UTF-8, nests too deeply, holds NaN, Infinity or a longer
            integer than allowed, or does not fit `cls`.
    """
    check_instance("text", text, str, bytes, bytearray)
    text, raw = _decoded(text)
    if _maybe_too_deep(raw):
        problem = _too_deep(text)
        if problem is not None:
            raise problem
    try:
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer past the interpreter's limit: mark it, to name its path
            data = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            "$", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except _ShapeError as exc:
        raise InvalidInputError("$", str(exc)) from None
    except RecursionError:  # the caller's own stack was already deep
        raise InvalidInputError("$", "nested too deeply for the interpreter's stack") from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        surrogates = _lone_surrogates(data)
        if surrogates:
            raise InvalidInputError.from_problems(surrogates)
    return structure(cls, data)


def dumps(obj: object) -> str:
    """Serialise a value as indented JSON (UTF-8 text, non-ASCII kept as is).

    Examples:
        >>> from datetime import date
        >>> from mteam.periods import Period
        >>> print(dumps(Period(date(2026, 1, 1), date(2026, 6, 30))))
        {
          "start": "2026-01-01",
          "end": "2026-06-30"
        }
    """
    return json.dumps(unstructure(obj), indent=2, ensure_ascii=False)


# --- the JSON Schema -------------------------------------------------------------------------

_DECIMAL_PATTERN: Final = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_DATE_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}$"


def _schema_of(type_: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN401, C901, PLR0911, PLR0912
    """The schema of one type, adding the attrs classes it needs to `defs`."""
    origin, args = get_origin(type_), get_args(type_)
    if type_ is Any or type_ is object:
        return {}
    if type_ is type(None):
        return {"type": "null"}
    if origin in (Union, UnionType):
        return {"anyOf": [_schema_of(a, defs) for a in args]}
    if type_ is bool:
        return {"type": "boolean"}
    if type_ is int:
        return {"type": "integer"}
    if type_ is float:
        return {"type": "number"}
    if type_ is str:
        return {"type": "string"}
    if type_ is Decimal:
        return {"anyOf": [{"type": "string", "pattern": _DECIMAL_PATTERN}, {"type": "integer"}]}
    if type_ is date:
        return {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return {"enum": [m.value for m in type_]}
    if origin in (tuple, list, abc.Sequence) and args:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    if _is_mapping(type_):
        out: dict[str, Any] = {"type": "object", "additionalProperties": _schema_of(args[1], defs)}
        if args[0] is int:
            out["propertyNames"] = {"pattern": r"^-?\d+$"}
        elif isinstance(args[0], type) and issubclass(args[0], enum.Enum):
            out["propertyNames"] = {"enum": [m.value for m in args[0]]}
        return out
    if attrs.has(type_):
        name = type_.__name__
        if name not in defs:
            defs[name] = {}  # a placeholder first: a class may refer to itself
            defs[name] = _class_schema(type_, defs)
        ref = {"$ref": f"#/$defs/{name}"}
        if type_ is Label:
            return {"anyOf": [{"type": "string"}, ref]}
        if type_ is Currency:
            return {"anyOf": [{"type": "string", "pattern": "^[A-Z]{3}$"}, ref]}
        return ref
    raise InvalidInputError("cls", f"mteam has no JSON Schema for {_show(type_)}")


def _class_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    return {
        "type": "object",
        "title": cls.__name__,
        "properties": {f.name: _schema_of(hints[f.name], defs) for f in fields},
        "required": [f.name for f in fields if f.default is attrs.NOTHING],
        "additionalProperties": False,
    }


def json_schema(cls: type) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the JSON form of `cls`, generated from its fields.

    The schema describes the shape the converter reads: field names and kinds, required
    fields, no extra keys, money as decimal strings, dates as ISO 8601, enums by value. Rules
    that need more than the shape (a range, a reference between ids) are the values' own, and
    [`structure`][mteam.convert.structure] still checks them.

    Examples:
        >>> from mteam.periods import Period
        >>> schema = json_schema(Period)
        >>> schema["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
        >>> schema["$defs"]["Period"]["required"], schema["$ref"]
        (['start', 'end'], '#/$defs/Period')

    Raises:
        InvalidInputError: `cls` (or a type it holds) has no JSON form.
    """
    check_instance("cls", cls, type)
    defs: dict[str, Any] = {}
    root = _schema_of(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.__name__,
        **root,
        "$defs": dict(sorted(defs.items())),
    }
