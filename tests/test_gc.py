import gc

import pytest

from mteam._gc import bulk
from mteam.errors import InvalidInputError
from mteam.io import loads
from mteam.review import TeamDocument


@bulk
def _state(fail: bool = False) -> bool:
    if fail:
        raise InvalidInputError("x", "bad")
    return gc.isenabled()


def test_a_bulk_call_pauses_the_collector_and_restores_it():
    assert gc.isenabled()
    assert _state() is False
    assert gc.isenabled()
    with pytest.raises(InvalidInputError):
        _state(fail=True)
    assert gc.isenabled()


def test_a_bulk_call_leaves_a_paused_collector_paused():
    gc.disable()
    try:
        assert _state() is False
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_a_document_restores_the_collector_after_bad_input():
    with pytest.raises(InvalidInputError):
        loads(TeamDocument, "{}")
    assert gc.isenabled()
