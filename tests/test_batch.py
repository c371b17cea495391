import gc

import pytest

import mteam
from mteam.errors import InvalidInputError
from mteam.io import analyse_sample, load_sample_team, loads
from mteam.review import TeamDocument, run_review


def test_batch_pauses_the_collector_and_restores_it_also_on_error():
    assert gc.isenabled()
    with mteam.batch():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(InvalidInputError), mteam.batch():
        loads(TeamDocument, "{}")
    assert gc.isenabled()


def test_batch_leaves_a_paused_collector_paused():
    gc.disable()
    try:
        with mteam.batch():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_library_call_touches_the_collector(monkeypatch):
    def refuse() -> None:
        msg = "a library call changed process-wide state"
        raise AssertionError(msg)

    monkeypatch.setattr(gc, "disable", refuse)
    monkeypatch.setattr(gc, "enable", refuse)
    outcome = run_review(load_sample_team())
    assert outcome.members
    analysis = analyse_sample()
    assert analysis is not None
