import pytest

from mteam.errors import InvalidInputError, MteamError, Problem


def test_invalid_input_error_is_a_value_error_and_an_mteam_error():
    err = InvalidInputError("members[3].kpis[0].weight", "must be > 0, got -2")
    assert isinstance(err, ValueError)
    assert isinstance(err, MteamError)
    assert err.path == "members[3].kpis[0].weight"
    assert err.message == "must be > 0, got -2"
    assert str(err) == "members[3].kpis[0].weight: must be > 0, got -2"
    assert err.problems == (Problem("members[3].kpis[0].weight", "must be > 0, got -2"),)


def test_error_without_a_path_is_just_the_message():
    assert str(InvalidInputError("", "empty document")) == "empty document"


def test_from_problems_lists_every_problem_in_order():
    err = InvalidInputError.from_problems([("a", "bad"), Problem("b[1]", "worse")])
    assert err.path == "a"
    assert [p.path for p in err.problems] == ["a", "b[1]"]
    assert str(err) == "2 problems:\n  a: bad\n  b[1]: worse"


def test_from_problems_with_one_problem_reads_like_a_plain_error():
    err = InvalidInputError.from_problems([("a", "bad")])
    assert str(err) == "a: bad"


def test_from_no_problems_still_says_something():
    assert str(InvalidInputError.from_problems([])) == "invalid input"


@pytest.mark.parametrize(
    ("prefix", "path", "expected"),
    [
        ("kpis[2]", "weight", "kpis[2].weight"),
        ("members", "[0].id", "members[0].id"),
        ("", "weight", "weight"),
        ("kpis[2]", "", "kpis[2]"),
    ],
)
def test_with_prefix_joins_paths(prefix, path, expected):
    assert InvalidInputError(path, "x").with_prefix(prefix).path == expected


def test_with_prefix_keeps_every_problem():
    err = InvalidInputError.from_problems([("a", "1"), ("b", "2")]).with_prefix("$")
    assert [str(p) for p in err.problems] == ["$.a: 1", "$.b: 2"]
