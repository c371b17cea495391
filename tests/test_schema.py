"""`mteam schema`: a JSON Schema (draft 2020-12) of the team document that the sample satisfies."""

import copy
import io
import json
import random

import jsonschema
import pytest

from mteam.cli import main
from mteam.convert import json_schema, loads
from mteam.errors import InvalidInputError
from mteam.io import sample_team_text
from mteam.review import TeamDocument

SCHEMA = json_schema(TeamDocument)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
SAMPLE = json.loads(sample_team_text())


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_sample_satisfies_the_schema():
    VALIDATOR.validate(SAMPLE)


def _random_valid(rng: random.Random) -> dict:
    """The sample with lists shuffled and cut, optional fields dropped: still a valid document."""
    doc = copy.deepcopy(SAMPLE)
    members = doc["members"]
    rng.shuffle(members)
    for m in members:
        for optional in ("left_on", "self_assessment", "hour_limit", "reward_preferences"):
            if rng.random() < 0.5:
                m.pop(optional, None)
    kept = {m["id"] for m in members}
    doc["ratings"] = [r for r in doc["ratings"] if rng.random() < 0.8]
    rng.shuffle(doc["ratings"])
    doc["projects"] = [p for p in doc["projects"] if p["member_id"] in kept]
    if rng.random() < 0.5:
        doc.pop("bonus_pool", None)
    return doc


@pytest.mark.parametrize("seed", range(5))
def test_random_valid_documents_satisfy_the_schema_and_load(seed):
    doc = _random_valid(random.Random(seed))  # noqa: S311 - not crypto
    VALIDATOR.validate(doc)
    assert loads(TeamDocument, json.dumps(doc)).name == SAMPLE["name"]


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["members"][0].update(hired_on=5),
        lambda d: d["members"][0].update(hired_on="1 March"),
        lambda d: d.update(surprise=True),
        lambda d: d["members"][0].pop("role"),
        lambda d: d.update(bonus_pool=1000000.5),
        lambda d: d["ratings"][0].update(relation="friend"),
        lambda d: d["members"][0]["skills"].update(seo="three"),
    ],
)
def test_a_broken_document_fails_the_schema_and_the_converter(breakage):
    doc = copy.deepcopy(SAMPLE)
    breakage(doc)
    assert not VALIDATOR.is_valid(doc)
    with pytest.raises(InvalidInputError):
        loads(TeamDocument, json.dumps(doc))


def test_the_command_prints_the_schema_and_the_example():
    out = io.StringIO()
    assert main(["schema"], stdout=out) == 0
    assert json.loads(out.getvalue()) == SCHEMA
    out = io.StringIO()
    assert main(["example"], stdout=out) == 0
    assert json.loads(out.getvalue()) == SAMPLE


def test_a_type_without_a_json_form_is_an_input_error():
    with pytest.raises(InvalidInputError, match="cls"):
        json_schema(complex)
    with pytest.raises(InvalidInputError, match="cls"):
        json_schema("TeamDocument")
