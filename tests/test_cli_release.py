"""`mteam review --previous-release FILE --release-out FILE`, the key from MTEAM_RELEASE_KEY."""

import io
import json

import attrs

from mteam.cli import main
from mteam.io import dump, load, load_sample_team, loads
from mteam.performance.feedback import FeedbackRelease, Rating
from mteam.review import ReviewOutcome, run_review

KEY = "the cycle's secret, kept apart from the release file"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def late_team(tmp_path, score):
    team = load_sample_team()
    rating = Rating("m02", "late-rater", "peer", "communication", score)
    path = tmp_path / f"late-{score}.json"
    dump(attrs.evolve(team, ratings=(*team.ratings, rating)), path)
    return path


def test_the_release_is_written_and_read_back_and_the_key_never_printed(tmp_path, monkeypatch):
    monkeypatch.setenv("MTEAM_RELEASE_KEY", KEY)
    release = tmp_path / "release.json"
    code, out, err = run("review", "--format", "json", "--release-out", release)
    assert (code, err) == (0, "")
    assert load(FeedbackRelease, release) == run_review(load_sample_team(), key=KEY).release
    assert loads(ReviewOutcome, out).release is None  # the release goes to its own file only
    outs = []
    for score in (1, 5):
        code, out, err = run(
            "review",
            late_team(tmp_path, score),
            "--format",
            "json",
            "--previous-release",
            release,
        )
        assert (code, err) == (0, "")
        outs.append(out)
    assert outs[0] == outs[1]  # nothing printed depends on the late score
    comm = loads(ReviewOutcome, outs[0]).member("m02").feedback.competencies[1]
    assert [(s.group, s.action) for s in comm.suppressed] == [("peer", "withheld")]
    # the same file in and out: the earlier figures are carried forward
    code, _, _ = run(
        "review", late_team(tmp_path, 1), "--previous-release", release, "--release-out", release
    )
    assert code == 0
    assert load(FeedbackRelease, release) == run_review(load_sample_team(), key=KEY).release
    assert KEY not in release.read_text(encoding="utf-8")


def test_without_the_key_a_release_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.delenv("MTEAM_RELEASE_KEY", raising=False)
    code, out, err = run("review", "--release-out", tmp_path / "r.json")
    assert (code, out) == (2, "")
    assert "MTEAM_RELEASE_KEY" in err
    assert not (tmp_path / "r.json").exists()


def test_a_bad_key_or_release_file_is_bad_input_without_a_traceback(tmp_path, monkeypatch):
    release = tmp_path / "release.json"
    monkeypatch.setenv("MTEAM_RELEASE_KEY", KEY)
    assert run("review", "--release-out", release)[0] == 0
    monkeypatch.setenv("MTEAM_RELEASE_KEY", KEY + "!")
    code, out, err = run("review", "--previous-release", release)
    assert (code, out) == (2, "")
    assert "key: is not the key" in err
    assert KEY not in err
    monkeypatch.setenv("MTEAM_RELEASE_KEY", "short")
    assert "key: must be at least 16 bytes" in run("review", "--release-out", release)[2]
    monkeypatch.setenv("MTEAM_RELEASE_KEY", KEY)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"key_check": "x", "cells": []}), encoding="utf-8")
    code, _, err = run("review", "--previous-release", broken)
    assert code == 2
    assert "previous_release.key_check" in err
    code, _, err = run("review", "--previous-release", tmp_path / "missing.json")
    assert code == 2
    assert "previous_release: cannot read" in err
    code, _, err = run("review", "--release-out", tmp_path / "no-such-folder" / "r.json")
    assert code == 2
    assert "release_out: cannot write" in err
    assert "Traceback" not in err
