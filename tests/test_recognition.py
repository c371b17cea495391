import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.labels import Label
from mteam.rewards.recognition import (
    REWARD_KIND_LABELS,
    Recipient,
    RecognitionResult,
    Reward,
    RewardKind,
    assign_recognition,
)
from tests.strategies import recognition_rounds, rewards

CATALOG = [
    Reward("flex", "Flexible hours for a month", "flexible_hours", quantity=1),
    Reward("course", "External course", RewardKind.TRAINING_OPPORTUNITY, quantity=2, min_band=3),
    Reward(
        "promo",
        "Promotion nomination",
        "promotion_nomination",
        quantity=1,
        min_band=4,
        min_tenure_days=365,
    ),
    Reward("shout", "Public recognition", "public_recognition"),
]
TEAM = [
    Recipient("ann", 0.95, band=4, tenure_days=900),
    Recipient("bo", 0.88, band=3, tenure_days=400),
    Recipient("cy", 0.61, band=2, tenure_days=200),
    Recipient("di", 0.88, band=4, tenure_days=100),
]


def test_serial_dictatorship_by_hand():
    # order: ann 0.95, then bo and di tie at 0.88 -> bo before di by id, then cy
    prefs = {
        "ann": ["flex", "promo"],
        "bo": ["flex", "course"],
        "di": ["promo", "flex", "course"],
        "cy": ["course", "flex", "shout"],
    }
    result = assign_recognition(TEAM, CATALOG, prefs)
    assert [line.member_id for line in result.lines] == ["ann", "bo", "di", "cy"]
    assert result.rewards == {"ann": "flex", "bo": "course", "cy": "shout", "di": "course"}
    assert result.line("bo").skipped == (("flex", "none left"),)
    assert result.line("di").skipped == (
        ("promo", "not eligible: tenure of 100 days is below 365"),
        ("flex", "none left"),
    )
    assert result.line("cy").skipped == (
        ("course", "not eligible: band 2 is below 3"),
        ("flex", "none left"),
    )
    assert result.remaining == {"flex": 0, "course": 0, "promo": 1, "shout": None}


def test_members_without_preferences_get_nothing():
    result = assign_recognition(TEAM[:1], CATALOG, {})
    assert result.rewards == {"ann": None}
    assert result.line("ann").turn == 1


def test_kind_labels_use_the_articles_wording():
    assert RewardKind.FLEXIBLE_HOURS.label == Label("flexible hours", "彈性工作時間")
    assert REWARD_KIND_LABELS[RewardKind.PUBLIC_RECOGNITION].zh_hant == "公開表揚"
    assert len(REWARD_KIND_LABELS) == len(RewardKind)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: assign_recognition(TEAM, [*CATALOG, CATALOG[0]], {}), "catalog[4].id"),
        (lambda: assign_recognition(TEAM, ["x"], {}), "catalog[0]"),
        (lambda: assign_recognition([*TEAM, TEAM[0]], CATALOG, {}), "members[4].id"),
        (lambda: assign_recognition(["x"], CATALOG, {}), "members[0]"),
        (lambda: assign_recognition(TEAM, CATALOG, {"zed": []}), "preferences['zed']"),
        (lambda: assign_recognition(TEAM, CATALOG, {"ann": ["golf"]}), "preferences['ann'][0]"),
        (
            lambda: assign_recognition(TEAM, CATALOG, {"ann": ["flex", "flex"]}),
            "preferences['ann'][1]",
        ),
        (lambda: assign_recognition(TEAM, CATALOG, {"ann": "flex"}), "preferences['ann']"),
        (lambda: assign_recognition(TEAM, CATALOG, [("ann", [])]), "preferences"),
        (lambda: Reward("r", "R", "cash"), "kind"),
        (lambda: Reward("r", "R", "gift", quantity=-1), "quantity"),
        (lambda: Recipient("a", -1, band=1), "composite"),
        (lambda: RecognitionResult((), {}).line("a"), "member_id"),
    ],
)
def test_bad_input_names_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


@given(recognition_rounds())
def test_nobody_gets_an_ineligible_reward_and_quantities_hold(round_):
    members, catalog, prefs = round_
    result = assign_recognition(members, catalog, prefs)
    by_id = {r.id: r for r in catalog}
    people = {m.id: m for m in members}
    given_out: dict[str, int] = {}
    for member_id, reward_id in result.rewards.items():
        if reward_id is None:
            continue
        assert by_id[reward_id].ineligibility(people[member_id]) is None
        assert reward_id in prefs.get(member_id, [])
        given_out[reward_id] = given_out.get(reward_id, 0) + 1
    for reward_id, count in given_out.items():
        quantity = by_id[reward_id].quantity
        assert quantity is None or count <= quantity


@given(recognition_rounds(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(round_, rnd):
    members, catalog, prefs = round_
    shuffled = list(members)
    rnd.shuffle(shuffled)
    assert (
        assign_recognition(shuffled, catalog, prefs).rewards
        == assign_recognition(members, catalog, prefs).rewards
    )


@given(recognition_rounds(), st.data())
def test_nobody_gains_by_misreporting(round_, data):
    members, catalog, prefs = round_
    truthful = assign_recognition(members, catalog, prefs).rewards
    liar = data.draw(st.sampled_from([m.id for m in members]))
    true_ranking = prefs.get(liar, [])
    reward_ids = [r.id for r in catalog]
    lie = data.draw(st.permutations(reward_ids))[: data.draw(st.integers(0, len(reward_ids)))]
    got = assign_recognition(members, catalog, {**prefs, liar: lie}).rewards[liar]

    def rank(reward_id):
        return true_ranking.index(reward_id) if reward_id in true_ranking else len(true_ranking)

    assert rank(got) >= rank(truthful[liar])


@given(rewards)
def test_reward_round_trips(reward):
    assert loads(Reward, dumps(reward)) == reward


def test_result_round_trips():
    result = assign_recognition(TEAM, CATALOG, {"ann": ["flex"]})
    assert loads(RecognitionResult, dumps(result)) == result
