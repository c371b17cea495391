"""The solver behind the training plan: a 0/1 knapsack with diminishing returns.

Each [`Candidate`][mteam.training.knapsack.Candidate] is one (member, course) pair with a
cost, hours and the benefit it would bring alone; a
[`PlanState`][mteam.training.knapsack.PlanState] holds what is left (gap levels, hours, seats,
budget), so a candidate's benefit falls as others close the same gaps.

* [`branch_and_bound`][mteam.training.knapsack.branch_and_bound]: the optimum, pruned by the
  [`fractional_bound`][mteam.training.knapsack.fractional_bound] (a fractional knapsack of the
  standalone benefits, which no plan exceeds);
* [`greedy`][mteam.training.knapsack.greedy]: highest marginal benefit per unit of cost
  first, with lazy re-evaluation.

Examples:
    >>> from decimal import Decimal
    >>> from mteam.training import Course
    >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
    >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
    >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
    ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
    >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
    ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
    >>> picked, value = branch_and_bound(found, state)
    >>> [c.course.id for c, _, _ in picked], value
    (['seo'], 6.0)
    >>> fractional_bound(found, Decimal(4))
    6.5
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from mteam._validate import check_instance, decimal, real, text

if TYPE_CHECKING:
    from mteam.training.plan import Course


__all__ = ["Candidate", "PlanState", "branch_and_bound", "density", "fractional_bound", "greedy"]


def _check_course(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    from mteam.training.plan import Course  # noqa: PLC0415 - plan imports this module

    check_instance(attr.name, value, Course)


@attrs.frozen
class Candidate:
    """One (member, course) pair: its cost, its hours and its benefit if taken alone.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> found[0].member_id, found[0].course.id, found[0].standalone  # 2 levels × 3
        ('ann', 'seo', 6.0)
    """

    member_id: str = attrs.field(validator=text())
    course: Course = attrs.field(validator=_check_course)
    cost: Decimal = attrs.field(validator=decimal(ge=Decimal(0)))
    hours: float = attrs.field(validator=real(ge=0))
    standalone: float = attrs.field(validator=real())  # benefit if taken alone


class PlanState:
    """Remaining gaps, hours, seats and budget while a plan is built.

    A mutable workspace of the solvers (not a result value): `gaps` maps (member, skill) to
    (levels left, priority per level); `hours` is each member's hours left, `seats` each
    course's seats left (None for no limit) and `budget` the money left.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> state.gaps[("ann", "seo")], state.budget
        ((2, 3.0), Decimal('4'))
    """

    def __init__(
        self,
        gaps: dict[tuple[str, str], tuple[int, float]],
        hours: dict[str, float],
        seats: dict[str, int | None],
        budget: Decimal,
    ) -> None:
        self.gaps = dict(gaps)  # (member, skill) -> (levels left, priority per level)
        self.hours = dict(hours)
        self.seats = dict(seats)
        self.budget = budget

    def gain(self, c: Candidate) -> tuple[float, dict[str, int]]:
        """The benefit of taking `c` now, and the levels it closes per skill.

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.training import Course
            >>> seo = Course("seo", "SEO", {"seo": 2}, method="online",
            ...              cost=Decimal(3), hours=1)
            >>> copy = Course("copy", "Copy", {"copy": 1}, method="online",
            ...               cost=Decimal(2), hours=1)
            >>> gaps = {("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)}
            >>> state = PlanState(gaps, {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
            >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
            ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
            >>> state.gain(found[0])
            (6.0, {'seo': 2})
        """
        return self.gain_of(c.member_id, c.course)

    def gain_of(self, member_id: str, course: Course) -> tuple[float, dict[str, int]]:
        """The benefit of giving `course` to the member now, and the levels it closes per skill.

        Benefit = Σ over the course's skills of priority per level × min(levels left, levels
        raised): a course closes no more than the gap that is left.

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.training import Course
            >>> seo = Course("seo", "SEO", {"seo": 2}, method="online",
            ...              cost=Decimal(3), hours=1)
            >>> copy = Course("copy", "Copy", {"copy": 1}, method="online",
            ...               cost=Decimal(2), hours=1)
            >>> gaps = {("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)}
            >>> state = PlanState(gaps, {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
            >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
            ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
            >>> state.gain_of("ann", copy), state.gain_of("bo", copy)
            ((1.0, {'copy': 1}), (0.0, {}))
        """
        closes = {}
        total = 0.0
        for skill_id, levels in course.raises.items():
            left, per_level = self.gaps.get((member_id, skill_id), (0, 0.0))
            step = min(left, levels)
            if step > 0:
                closes[skill_id] = step
                total += per_level * step
        return total, closes

    def fits(self, c: Candidate) -> bool:
        """Whether the budget, the member's hours and the course's seats still allow `c`.

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.training import Course
            >>> seo = Course("seo", "SEO", {"seo": 2}, method="online",
            ...              cost=Decimal(3), hours=1)
            >>> copy = Course("copy", "Copy", {"copy": 1}, method="online",
            ...               cost=Decimal(2), hours=1)
            >>> gaps = {("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)}
            >>> state = PlanState(gaps, {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
            >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
            ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
            >>> state.fits(found[0]), state.fits(found[1])
            (True, True)
            >>> state.take(found[0], {"seo": 2})  # budget 4 − 3 = 1 < 2
            >>> state.fits(found[1])
            False
        """
        seats = self.seats[c.course.id]
        return (
            c.cost <= self.budget
            and c.hours <= self.hours[c.member_id] + 1e-9
            and (seats is None or seats > 0)
        )

    def take(self, c: Candidate, closes: Mapping[str, int]) -> None:
        """Take `c`, closing `closes`: the gaps, the hours, a seat and the budget fall.

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.training import Course
            >>> seo = Course("seo", "SEO", {"seo": 2}, method="online",
            ...              cost=Decimal(3), hours=1)
            >>> copy = Course("copy", "Copy", {"copy": 1}, method="online",
            ...               cost=Decimal(2), hours=1)
            >>> gaps = {("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)}
            >>> state = PlanState(gaps, {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
            >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
            ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
            >>> state.take(found[0], {"seo": 2})
            >>> state.gaps[("ann", "seo")], state.hours["ann"], state.budget
            ((0, 3.0), 9.0, Decimal('1'))
            >>> state.gain(found[0])  # nothing left to close
            (0.0, {})
        """
        for skill_id, step in closes.items():
            left, per_level = self.gaps[(c.member_id, skill_id)]
            self.gaps[(c.member_id, skill_id)] = (left - step, per_level)
        self.hours[c.member_id] -= c.hours
        seats = self.seats[c.course.id]
        if seats is not None:
            self.seats[c.course.id] = seats - 1
        self.budget -= c.cost

    def undo(self, c: Candidate, closes: Mapping[str, int]) -> None:
        """Undo `take(c, closes)`: the state is as before it.

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.training import Course
            >>> seo = Course("seo", "SEO", {"seo": 2}, method="online",
            ...              cost=Decimal(3), hours=1)
            >>> copy = Course("copy", "Copy", {"copy": 1}, method="online",
            ...               cost=Decimal(2), hours=1)
            >>> gaps = {("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)}
            >>> state = PlanState(gaps, {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
            >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
            ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
            >>> state.take(found[0], {"seo": 2})
            >>> state.undo(found[0], {"seo": 2})
            >>> state.gaps[("ann", "seo")], state.hours["ann"], state.budget
            ((2, 3.0), 10.0, Decimal('4'))
        """
        for skill_id, step in closes.items():
            left, per_level = self.gaps[(c.member_id, skill_id)]
            self.gaps[(c.member_id, skill_id)] = (left + step, per_level)
        self.hours[c.member_id] += c.hours
        seats = self.seats[c.course.id]
        if seats is not None:
            self.seats[c.course.id] = seats + 1
        self.budget += c.cost


def density(c: Candidate, benefit: float) -> float:
    """Benefit per unit of cost (infinite for a free course): `benefit / cost`.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> density(found[0], 6.0), density(found[1], 1.0)  # 6 / 3, 1 / 2
        (2.0, 0.5)
        >>> density(Candidate("ann", copy, Decimal(0), 1, 1.0), 1.0)
        inf
    """
    return math.inf if c.cost == 0 else benefit / float(c.cost)


def fractional_bound(candidates: list[Candidate], budget: Decimal) -> float:
    """Fractional knapsack of the standalone benefits: no plan closes more (see plan_training).

    Free candidates count in full; the paid ones are taken by density, the first that does not
    fit in the budget left for its fraction `left / cost` of its benefit (Dantzig's bound).

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> fractional_bound(found, Decimal(4))  # 6 (cost 3) + 1 × (4 − 3) / 2
        6.5
        >>> fractional_bound(found, Decimal(5))  # both fit
        7.0
    """
    free = math.fsum(c.standalone for c in candidates if c.cost == 0)
    paid = sorted((c for c in candidates if c.cost > 0), key=lambda c: -density(c, c.standalone))
    left = float(budget)
    total = free
    for c in paid:
        if float(c.cost) <= left:
            total += c.standalone
            left -= float(c.cost)
        else:
            total += c.standalone * left / float(c.cost)
            break
    return total


def branch_and_bound(
    candidates: list[Candidate], state: PlanState
) -> tuple[list[tuple[Candidate, dict[str, int], float]], float]:
    """The best set of candidates (each with the levels it closes and its gain), and its value.

    Depth first in order of standalone density, a branch pruned when its value plus the
    fractional bound of the rest cannot beat the best found. `state` is restored on return.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> picked, value = branch_and_bound(found, state)
        >>> [(c.course.id, closes, gain) for c, closes, gain in picked], value
        ([('seo', {'seo': 2}, 6.0)], 6.0)
        >>> state.budget  # restored
        Decimal('4')
    """
    order = sorted(candidates, key=lambda c: (-density(c, c.standalone), c.member_id, c.course.id))
    best: list[tuple[Candidate, dict[str, int], float]] = []
    best_value = 0.0
    chosen: list[tuple[Candidate, dict[str, int], float]] = []

    def search(i: int, value: float) -> None:
        nonlocal best, best_value
        if value > best_value + 1e-9:
            best_value = value
            best = list(chosen)
        if i == len(order):
            return
        if value + fractional_bound(order[i:], state.budget) <= best_value + 1e-9:
            return
        c = order[i]
        if state.fits(c):
            gain, closes = state.gain(c)
            if gain > 0:
                state.take(c, closes)
                chosen.append((c, closes, gain))
                search(i + 1, value + gain)
                chosen.pop()
                state.undo(c, closes)
        search(i + 1, value)

    search(0, 0.0)
    return best, best_value


def greedy(
    candidates: list[Candidate], state: PlanState
) -> tuple[list[tuple[Candidate, dict[str, int], float]], float]:
    """Highest marginal benefit per unit of cost first, with lazy re-evaluation.

    A candidate's marginal benefit only falls as others are taken, and a candidate that no
    longer fits never fits again, so a stale key is an upper bound: a candidate whose fresh key
    still beats the best stale key is the best choice (ties by member and course id).
    Unlike `branch_and_bound`, it leaves `state` with the picked candidates taken.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.training import Course
        >>> seo = Course("seo", "SEO", {"seo": 2}, method="online", cost=Decimal(3), hours=1)
        >>> copy = Course("copy", "Copy", {"copy": 1}, method="online", cost=Decimal(2), hours=1)
        >>> state = PlanState({("ann", "seo"): (2, 3.0), ("ann", "copy"): (1, 1.0)},
        ...                   {"ann": 10.0}, {"seo": None, "copy": None}, Decimal(4))
        >>> found = [Candidate("ann", seo, Decimal(3), 1, 6.0),
        ...          Candidate("ann", copy, Decimal(2), 1, 1.0)]
        >>> picked, value = greedy(found, state)
        >>> [c.course.id for c, _, _ in picked], value, state.budget
        (['seo'], 6.0, Decimal('1'))
    """
    heap = [
        (-density(c, c.standalone), c.member_id, c.course.id, i) for i, c in enumerate(candidates)
    ]
    heapq.heapify(heap)
    picked: list[tuple[Candidate, dict[str, int], float]] = []
    total = 0.0
    while heap:
        _, member_id, course_id, i = heapq.heappop(heap)
        c = candidates[i]
        if not state.fits(c):
            continue
        gain, closes = state.gain(c)
        if gain <= 0:
            continue
        key = (-density(c, gain), member_id, course_id, i)
        if heap and heap[0] < key:
            heapq.heappush(heap, key)
            continue
        state.take(c, closes)
        picked.append((c, closes, gain))
        total += gain
    return picked, total
