import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.scales import FEEDBACK_SCALE, PROFICIENCY_SCALE, RatingScale
from tests.strategies import rating_scales


def test_defaults_match_the_design():
    assert (PROFICIENCY_SCALE.minimum, PROFICIENCY_SCALE.maximum) == (0, 4)
    assert [PROFICIENCY_SCALE.label(i) for i in range(5)] == [
        "none",
        "awareness",
        "working",
        "proficient",
        "expert",
    ]
    assert PROFICIENCY_SCALE.levels == (0, 1, 2, 3, 4)
    assert (FEEDBACK_SCALE.minimum, FEEDBACK_SCALE.maximum) == (1, 5)
    assert FEEDBACK_SCALE.levels == ()


def test_normalise_by_hand():
    # (4 - 1) / (5 - 1) = 0.75; (2 - 0) / (4 - 0) = 0.5
    assert FEEDBACK_SCALE.normalise(4) == 0.75
    assert PROFICIENCY_SCALE.normalise(2) == 0.5


def test_label_without_labels_is_the_number():
    assert RatingScale(1, 3, integral=True).label(2) == "2"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"minimum": 5, "maximum": 5}, "maximum"),
        ({"minimum": 0, "maximum": float("nan")}, "maximum"),
        ({"minimum": "0", "maximum": 4}, "minimum"),
        ({"minimum": 0, "maximum": 4, "labels": ("a",), "integral": True}, "labels"),
        ({"minimum": 0, "maximum": 4, "labels": ("a",) * 5}, "labels"),
        ({"minimum": 0.5, "maximum": 4, "integral": True}, "integral"),
    ],
)
def test_bad_scales_are_input_errors(kwargs, path):
    with pytest.raises(InvalidInputError) as info:
        RatingScale(**kwargs)
    assert info.value.path == path


def test_off_scale_scores_are_input_errors():
    with pytest.raises(InvalidInputError, match=r"score: must be within 1..5, got 0"):
        FEEDBACK_SCALE.normalise(0)
    with pytest.raises(InvalidInputError, match="whole level"):
        PROFICIENCY_SCALE.normalise(2.5)
    with pytest.raises(InvalidInputError, match="level"):
        PROFICIENCY_SCALE.label(7)
    with pytest.raises(InvalidInputError, match="fraction"):
        FEEDBACK_SCALE.denormalise(1.5)
    assert not FEEDBACK_SCALE.contains(float("nan"))
    assert FEEDBACK_SCALE.contains(3.3)


def test_clamp():
    assert FEEDBACK_SCALE.clamp(7) == 5
    assert FEEDBACK_SCALE.clamp(-1) == 1
    assert FEEDBACK_SCALE.clamp(2.5) == 2.5


@given(rating_scales(), st.floats(0, 1))
def test_normalise_inverts_denormalise(scale, fraction):
    value = scale.denormalise(fraction)
    if scale.integral:
        return
    assert scale.normalise(scale.clamp(value)) == pytest.approx(fraction, abs=1e-9)


@given(rating_scales(), st.data())
def test_normalised_scores_are_in_the_unit_interval_and_monotone(scale, data):
    lo, hi = scale.minimum, scale.maximum
    if scale.integral:
        a, b = sorted(data.draw(st.lists(st.integers(lo, hi), min_size=2, max_size=2)))
    else:
        a, b = sorted(data.draw(st.lists(st.floats(lo, hi), min_size=2, max_size=2)))
    na, nb = scale.normalise(a), scale.normalise(b)
    assert 0 <= na <= nb <= 1
