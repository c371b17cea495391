"""A review cycle built up record by record, checked against a simple model at every step."""

from datetime import date
from decimal import Decimal

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mteam.money import TWD
from mteam.performance.feedback import Rating
from mteam.performance.kpi import KPI
from mteam.periods import Period
from mteam.review import ProjectRecord, TeamDocument, TeamMember, run_review
from mteam.rewards.recognition import Reward

ROLES = ["seo_specialist", "content_creator", "data_analyst", "member_operations_specialist"]
COMPETENCIES = ["communication", "collaboration"]


class ReviewMachine(RuleBasedStateMachine):
    """The model: who is in the team, the pool, and the rewards on offer."""

    @initialize()
    def start(self):
        self.document = TeamDocument(
            name="Machine",
            currency=TWD,
            period=Period(date(2026, 1, 1), date(2026, 12, 31)),
            members=(),
            bonus_pool=Decimal(500000),
            training_budget=Decimal(0),
            kpis=(KPI("k", "K", target=100, threshold=50, stretch=150),),
            rewards=(Reward("gift", "Gift", "gift", quantity=2),),
        )
        self.next_id = 0

    def members(self):
        return [m.id for m in self.document.members]

    @rule(
        role=st.sampled_from(ROLES),
        salary=st.integers(300, 2000),
        actual=st.integers(0, 200),
        level=st.integers(0, 4),
        hired=st.dates(date(2018, 1, 1), date(2026, 12, 31)),
    )
    def add_member(self, role, salary, actual, level, hired):
        member = TeamMember(
            id=f"m{self.next_id:03d}",
            name=f"Member {self.next_id}",
            role=role,
            hired_on=hired,
            base_salary=Decimal(salary * 1000),
            skills={"communication": level},
            kpis={"k": actual},
            reward_preferences=("gift",),
        )
        self.next_id += 1
        self.document = attrs.evolve(self.document, members=(*self.document.members, member))

    @rule(data=st.data(), score=st.integers(1, 5))
    def add_rating(self, data, score):
        ids = self.members()
        if len(ids) < 2:
            return
        ratee = data.draw(st.sampled_from(ids))
        rater = data.draw(st.sampled_from([i for i in ids if i != ratee]))
        competency = data.draw(st.sampled_from(COMPETENCIES))
        taken = {(r.ratee_id, r.rater_id, r.competency_id) for r in self.document.ratings}
        if (ratee, rater, competency) in taken:
            return
        relation = data.draw(st.sampled_from(["manager", "peer", "direct_report", "customer"]))
        rating = Rating(ratee, rater, relation, competency, score)
        self.document = attrs.evolve(self.document, ratings=(*self.document.ratings, rating))

    @rule(data=st.data(), score=st.integers(1, 5))
    def add_project(self, data, score):
        ids = self.members()
        if not ids:
            return
        member = data.draw(st.sampled_from(ids))
        record = ProjectRecord(member, f"p{len(self.document.projects)}", score, 0.5)
        self.document = attrs.evolve(self.document, projects=(*self.document.projects, record))

    @invariant()
    def the_outcome_agrees_with_the_model(self):
        if not self.document.members:
            return
        outcome = run_review(self.document)
        ids = sorted(self.members())
        assert [m.member_id for m in outcome.members] == ids
        assert sum(outcome.summary.band_counts.values()) == len(ids)
        pool = self.document.bonus_pool
        assert outcome.bonus.allocated + outcome.bonus.unallocated == pool
        for m in outcome.members:
            assert m.bonus.amount >= 0
            if m.bonus.cap is not None:
                assert m.bonus.amount <= m.bonus.cap
        gifts = sum(1 for m in outcome.members if m.reward == "gift")
        assert gifts <= 2
        assert outcome.training.cost == 0
        # nobody's feedback shows an anonymous group of fewer than three raters
        for m in outcome.members:
            if m.feedback is not None:
                for c in m.feedback.competencies:
                    for g in c.groups:
                        assert g.group == "manager" or g.raters >= 3


ReviewMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestReviewMachine = ReviewMachine.TestCase
