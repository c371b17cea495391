"""Deterministic workload generators: member bases (CSV) and team documents (JSON).

    python benchmarks/generate.py members --members 3000 --seed 7 --out DIR
    python benchmarks/generate.py team --members 1000 --seed 7 --out DIR
    python benchmarks/generate.py repeat --members 100000 --seed 7 --out DIR

Member bases follow the shifted-beta-geometric story: each member's monthly churn probability
is drawn from a beta distribution, and each month they stay they buy a Poisson number of times
with their own rate. Everything comes from one seeded `random.Random`, so a seed always gives
the same files.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

AS_OF = date(2026, 10, 31)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def member_base(
    n: int,
    seed: int,
    *,
    months: int = 36,
    alpha: float = 0.9,
    beta: float = 2.6,
    purchases_per_month: float = 1.0,
) -> tuple[str, str]:
    """Members and transactions CSV text for `n` members who joined over `months` months."""
    rng = random.Random(seed)
    start = AS_OF - relativedelta(months=months)
    span = (AS_OF - start).days
    members = ["member_id,joined_on,left_on"]
    sales = ["member_id,on,amount"]
    for i in range(n):
        member_id = f"M{i + 1:07d}"
        joined = start + timedelta(days=rng.randrange(span))
        theta = rng.betavariate(alpha, beta)
        rate = rng.gammavariate(2.0, purchases_per_month / 2.0)
        basket = rng.lognormvariate(6.6, 0.5)  # about 740 TWD
        left = None
        month = 0
        while True:
            begin = joined + relativedelta(months=month)
            if begin > AS_OF:
                break
            end = min(AS_OF, joined + relativedelta(months=month + 1) - timedelta(days=1))
            for _ in range(_poisson(rng, rate)):
                day = begin + timedelta(days=rng.randrange((end - begin).days + 1))
                amount = max(50, round(basket * rng.lognormvariate(0, 0.35)))
                sales.append(f"{member_id},{day.isoformat()},{amount}")
            if month >= 1 and rng.random() < theta:
                left = begin - timedelta(days=1)
                break
            month += 1
        members.append(
            f"{member_id},{joined.isoformat()},{'' if left is None else left.isoformat()}"
        )
    return "\n".join(members) + "\n", "\n".join(sales) + "\n"


def repeat_base(
    n: int,
    seed: int,
    *,
    r: float = 0.243,
    alpha: float = 4.414,
    a: float = 0.793,
    b: float = 2.426,
    weeks: int = 52,
    cohort_weeks: int = 12,
) -> str:
    """Per-member repeat-purchase rows (CSV text) for `n` members without contracts.

    The BG/NBD story with the CDNOW estimates of Fader, Hardie & Lee (2005) as defaults (rates
    per week): each member's purchase rate is drawn from a gamma(r, alpha) distribution and
    their probability of dropping out after a purchase from a beta(a, b); members make their
    first purchase on a day of the first `cohort_weeks` weeks and are observed to the end of
    week `weeks`. Purchases fall on whole days (several on one day are one purchase). The rows:
    `member_id, x, t_x_days, T_days, repeat_spend` (x repeat purchase days, the days from the
    first purchase to the last and to the end, the whole-dollar spend on the repeat days).
    """
    rng = random.Random(seed)
    end = 7 * weeks
    rows = ["member_id,x,t_x_days,T_days,repeat_spend"]
    for i in range(n):
        rate = rng.gammavariate(r, 1 / alpha) / 7  # per day
        p = rng.betavariate(a, b)
        first = rng.randrange(7 * cohort_weeks)
        big_t = end - first
        days = set()
        t = 0.0
        while rate > 0:
            t += rng.expovariate(rate)
            if t > big_t:
                break
            day = int(t)
            if 0 < day <= big_t:
                days.add(day)
            if rng.random() < p:
                break
        x = len(days)
        basket = rng.lognormvariate(3.2, 0.6)  # about 30 dollars
        spend = sum(max(1, round(basket * rng.lognormvariate(0, 0.3))) for _ in range(x))
        rows.append(f"C{i + 1:07d},{x},{max(days) if days else 0},{big_t},{spend}")
    return "\n".join(rows) + "\n"


def team_document(n: int, seed: int) -> dict[str, object]:
    """A team document with `n` members: 5 KPIs, 360 ratings from 8 raters on 6 competencies,
    12 skill levels, a project evaluation and reward preferences each."""
    from mteam.catalog import load_catalog

    rng = random.Random(seed)
    catalog = load_catalog()
    roles = [r.id for r in catalog.roles]
    skills = [s.id for s in catalog.skills]
    competencies = [
        "communication",
        "collaboration",
        "creative_thinking",
        "leadership",
        "time_management",
        "problem_solving",
    ]
    kpis = [
        {
            "id": f"kpi{k}",
            "name": f"KPI {k}",
            "unit": "%",
            "target": 100,
            "threshold": 70,
            "stretch": 130,
            "weight": 20,
            "skills": [skills[k]],
        }
        for k in range(5)
    ]
    ids = [f"e{i:06d}" for i in range(n)]
    members, ratings, projects = [], [], []
    for i, mid in enumerate(ids):
        members.append(
            {
                "id": mid,
                "name": f"Employee {i}",
                "role": roles[i % len(roles)],
                "hired_on": (date(2015, 1, 1) + timedelta(days=rng.randrange(4000))).isoformat(),
                "base_salary": str(rng.randrange(500, 1500) * 1000),
                "skills": {s: rng.randrange(5) for s in rng.sample(skills, 12)},
                "kpis": {k["id"]: rng.randrange(50, 150) for k in kpis},
                "self_assessment": rng.randrange(2, 6),
                "training_planned_hours": 16,
                "training_completed_hours": rng.randrange(0, 17),
                "reward_preferences": rng.sample(["flex", "gift", "course", "shout"], 2),
            }
        )
        manager = ids[(i // 8) * 8]
        raters = [("manager", manager if manager != mid else "director")]
        raters += [("peer", ids[(i + k) % n]) for k in (1, 2, 3, 4)]
        raters += [("direct_report", ids[(i + k) % n]) for k in (5, 6)]
        for comp in competencies:
            for relation, rater in raters:
                if rater != mid:
                    ratings.append(
                        {
                            "ratee_id": mid,
                            "rater_id": rater,
                            "relation": relation,
                            "competency_id": comp,
                            "score": rng.randrange(1, 6),
                        }
                    )
            ratings.append(
                {
                    "ratee_id": mid,
                    "rater_id": mid,
                    "relation": "self",
                    "competency_id": comp,
                    "score": rng.randrange(2, 6),
                }
            )
        projects.append(
            {
                "member_id": mid,
                "project_id": f"p{i % 50}",
                "score": rng.randrange(2, 6),
                "contribution": 0.5,
            }
        )
    return {
        "name": f"Generated team of {n}",
        "currency": "TWD",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "bonus_pool": str(n * 80000),
        "training_budget": str(n * 6000),
        "members": members,
        "kpis": kpis,
        "ratings": ratings,
        "projects": projects,
        "rewards": [
            {
                "id": "flex",
                "name": "Flexible hours",
                "kind": "flexible_hours",
                "quantity": max(1, n // 10),
            },
            {"id": "gift", "name": "Gift", "kind": "gift", "quantity": max(1, n // 5)},
            {
                "id": "course",
                "name": "Course",
                "kind": "training_opportunity",
                "quantity": max(1, n // 10),
                "min_band": 3,
            },
            {"id": "shout", "name": "Public recognition", "kind": "public_recognition"},
        ],
        "courses": [
            {
                "id": f"c{k:02d}",
                "name": f"Course {k}",
                "raises": {skills[k % len(skills)]: 1},
                "method": [
                    "internal",
                    "external",
                    "online",
                    "workshop",
                    "mentoring",
                    "certification",
                ][k % 6],
                "cost": str(2000 + 500 * (k % 9)),
                "hours": 4 + k % 12,
                "seats": max(2, n // 20),
            }
            for k in range(40)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("members", "team", "repeat"))
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path())
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.kind == "members":
        members, sales = member_base(args.members, args.seed)
        (args.out / "members.csv").write_text(members, encoding="utf-8")
        (args.out / "transactions.csv").write_text(sales, encoding="utf-8")
    elif args.kind == "repeat":
        text = repeat_base(args.members, args.seed)
        (args.out / "repeat.csv").write_text(text, encoding="utf-8")
    else:
        text = json.dumps(team_document(args.members, args.seed), ensure_ascii=False)
        (args.out / "team.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
