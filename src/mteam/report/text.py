"""Text reports: the review outcome, the member-base analysis, the skill and gap tables.

Rendering is the edge's business: the domain computes values and these functions turn them
into aligned text (East Asian wide characters count as two columns, so Chinese names stay
aligned). A report says what the policy said: the policy's own band names, its discount rate,
the proficiency scale's level labels.

Examples:
    >>> from mteam.report import format_skill_matrix
    >>> from mteam.skills import Skill, SkillMatrix
    >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 4}, "bob": {}})
    >>> print(format_skill_matrix(m))
    member  seo
    ann       4
    bob       0
"""

from __future__ import annotations

from mteam._validate import check_instance, show
from mteam.errors import InvalidInputError
from mteam.labels import LANGUAGES, Label, segment_label
from mteam.membership.analysis import MemberAnalysis, MembershipPolicy
from mteam.membership.survival import SurvivalCurve
from mteam.report._table import table
from mteam.review import MemberOutcome, ReviewOutcome
from mteam.scales import PROFICIENCY_SCALE, RatingScale
from mteam.skills import SkillMatrix
from mteam.training import GapReport

__all__ = ["format_gap_report", "format_member_report", "format_report", "format_skill_matrix"]


def format_skill_matrix(matrix: SkillMatrix) -> str:
    """A skill matrix as an aligned text table: a row per member, a column per skill.

    Examples:
        >>> from mteam.skills import Skill, SkillMatrix
        >>> m = SkillMatrix(
        ...     [Skill("seo", "SEO", "hard"), Skill("copy", "copy", "hard")],
        ...     {"ann": {"seo": 4}, "bob": {"copy": 2}},
        ... )
        >>> print(format_skill_matrix(m))
        member  seo  copy
        ann       4     0
        bob       0     2
    """
    check_instance("matrix", matrix, SkillMatrix)
    rows = [[m, *(str(matrix.level(m, s)) for s in matrix.skill_ids)] for m in matrix.members]
    return table(["member", *matrix.skill_ids], rows, [False] + [True] * len(matrix.skills))


def format_gap_report(report: GapReport) -> str:
    """The gap heat-map as text: a row per member, a column per skill with a gap.

    Examples:
        >>> from mteam.training import GapReport, SkillGap
        >>> print(format_gap_report(GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0,
        ...                                             False),), (), ())))
        member  seo
        ann       2
    """
    check_instance("report", report, GapReport)
    members = sorted({g.member_id for g in report.gaps})
    skills = sorted({g.skill_id for g in report.gaps})
    cell = {(g.member_id, g.skill_id): str(g.gap) for g in report.gaps}
    rows = [[m, *(cell.get((m, s), ".") for s in skills)] for m in members]
    return table(["member", *skills], rows, [False] + [True] * len(skills))


# --- the review report --------------------------------------------------------------------------


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _team_section(outcome: ReviewOutcome, language: str) -> list[str]:
    s = outcome.summary
    bonus = outcome.bonus
    cur = outcome.currency.code
    lines = [
        (
            f"{outcome.team}: review {outcome.period.start} to {outcome.period.end}, "
            f"{s.members} members, amounts in {cur}"
        ),
        "",
        "TEAM SUMMARY",
        "",
        "Bands",
        table(
            ["band", "name", "members"],
            [
                [
                    str(level),
                    s.band_names[level].get(language) if level in s.band_names else str(level),
                    str(n),
                ]
                for level, n in sorted(s.band_counts.items())
            ],
            [True, False, True],
        ),
        "",
    ]
    pool = "none (target × multiplier × proration)" if bonus.pool is None else f"{bonus.pool:,}"
    capped = [line.member_id for line in bonus.lines if line.capped]
    lines += [
        f"Bonus pool {pool}: allocated {bonus.allocated:,}, unallocated {bonus.unallocated:,}"
        + (f" ({bonus.unallocated_reason})" if bonus.unallocated_reason else ""),
        f"Capped: {', '.join(capped) if capped else 'nobody'}",
        table(
            ["band", "members", "mean amount/target", "min", "max", "pool share"],
            [
                [
                    str(b.band),
                    str(b.members),
                    _num(b.mean_ratio),
                    _num(b.min_ratio),
                    _num(b.max_ratio),
                    f"{b.pool_share:.1%}",
                ]
                for b in s.fairness.bands
            ],
            [True] * 6,
        ),
        "Fairness: "
        + (
            "no lower band does better than a higher one"
            if s.fairness.fair
            else "inversions "
            + ", ".join(f"band {lo} > band {hi}" for lo, hi in s.fairness.inversions)
        ),
        "",
    ]
    plan = outcome.training
    lines += [
        (
            f"Training budget {plan.budget:,}: planned {plan.cost:,} for "
            f"{len(plan.assignments)} courses; priority-weighted gap {plan.gap_before:g} -> "
            f"{plan.gap_after:g} ({plan.method} plan, {plan.share_of_bound:.0%} of the bound)"
        ),
        "",
        "Skill needs",
        table(
            ["rank", "skill", "weighted gap", "priority", "members below"],
            [
                [
                    str(n.rank),
                    n.skill_id,
                    f"{n.weighted_gap:g}",
                    f"{n.priority:g}",
                    ", ".join(n.members_below),
                ]
                for n in s.skill_needs
            ],
            [True, False, True, True, False],
        )
        if s.skill_needs
        else "none",
        "",
        (
            "Bus-factor flags (required skills held at proficient or above by at most "
            f"{s.max_bus_factor}):"
        ),
        table(
            ["skill", "proficient", "holders"],
            [
                [f.skill_id, str(f.bus_factor), ", ".join(f.holders) or "-"]
                for f in s.bus_factor_flags
            ],
            [False, True, False],
        )
        if s.bus_factor_flags
        else "none",
        "",
        "Members",
        table(
            ["member", "name", "role", "KPI", "360", "composite", "band", "bonus", "reward"],
            [
                [
                    m.member_id,
                    m.name,
                    m.role,
                    _num(None if m.scorecard is None else m.scorecard.score),
                    _num(None if m.feedback is None else m.feedback.others_score, 2),
                    _num(m.composite.score),
                    str(m.band),
                    f"{m.bonus.amount:,}",
                    m.reward or "-",
                ]
                for m in outcome.members
            ],
            [False, False, False, True, True, True, True, True, False],
        ),
    ]
    return lines


def _member_section(
    outcome: ReviewOutcome, m: MemberOutcome, language: str, scale: RatingScale
) -> list[str]:
    cur = outcome.currency.code
    lines = ["", "-" * 78, f"{m.member_id}  {m.name}  ({m.role})", ""]
    if m.scorecard is not None:
        lines += [
            f"KPI scorecard: {m.scorecard.score:.3f}",
            table(
                ["KPI", "actual", "target", "attainment", "weight share"],
                [
                    [
                        line.kpi_id,
                        f"{line.actual:g}",
                        f"{line.target:g}",
                        f"{line.attainment:.3f}",
                        f"{line.share:.0%}",
                    ]
                    for line in m.scorecard.lines
                ],
                [False, True, True, True, True],
            ),
            "",
        ]
    if m.feedback is not None:
        lines += [
            (
                f"360 feedback: others {_num(m.feedback.others_score, 2)}, "
                f"self {_num(m.feedback.self_score, 2)}"
            ),
            table(
                ["competency", "groups shown", "others", "self", "gap", "flag"],
                [
                    [
                        c.competency_id,
                        " ".join(f"{g.group}({g.raters})" for g in c.groups) or "-",
                        _num(c.others, 2),
                        _num(c.self_score, 2),
                        _num(c.gap, 2),
                        (c.flag or "").replace("_", " "),
                    ]
                    for c in m.feedback.competencies
                ],
                [False, False, True, True, True, False],
            ),
        ]
        notes = sorted(
            {
                f"{x.group} {x.action} ({x.reason})"
                for c in m.feedback.competencies
                for x in c.suppressed
            }
        )
        lines += [f"  anonymity: {n}" for n in notes]
        lines.append("")
    band = m.band_name.get(language)
    lines += [f"Composite: {m.composite.explain()}", f"Band: {m.band} {band}", ""]
    b = m.bonus
    if b.eligible:
        cap = "" if b.cap is None else f", cap {b.cap:,}" + (" (reached)" if b.capped else "")
        lines.append(
            f"Bonus: {b.amount:,} {cur} (target {b.target:,.0f} × multiplier {b.multiplier} × "
            f"proration {b.days_employed}/{outcome.period.days}{cap})"
        )
    else:
        lines.append(f"Bonus: 0 {cur} (not eligible: {b.reason})")
    line = outcome.recognition.line(m.member_id)
    skipped = "; ".join(f"{rid}: {why}" for rid, why in line.skipped)
    lines.append(
        f"Recognition: {m.reward or 'none'}" + (f" (skipped {skipped})" if skipped else "")
    )
    lines.append(f"Readiness for the role: {m.readiness:.0%}")
    if m.gaps:
        lines.append(
            table(
                ["skill gap", "required", "current", "gap", "priority"],
                [
                    [
                        g.skill_id + (" *" if g.performance_flag else ""),
                        f"{g.required} {scale.label(g.required)}",
                        f"{g.current} {scale.label(g.current)}",
                        str(g.gap),
                        f"{g.priority:g}",
                    ]
                    for g in m.gaps
                ],
                [False, True, True, True, True],
            )
        )
        if any(g.performance_flag for g in m.gaps):
            lines.append("  * linked to a KPI below target")
    if m.training:
        lines.append(
            "Training: "
            + "; ".join(f"{a.course_id} ({a.cost:,} {cur}, {a.hours:g} h)" for a in m.training)
        )
    return lines


def format_report(
    outcome: ReviewOutcome,
    member_id: str | None = None,
    language: str = "en",
    proficiency_scale: RatingScale = PROFICIENCY_SCALE,
) -> str:
    """The outcome as a readable text report: the team summary, then a section per member.

    No rater is ever named: 360-degree feedback appears only as group means of the groups
    shown, with the anonymity notes.

    Args:
        outcome: The review outcome.
        member_id: Only this member's section (after the team summary), if given.
        language: `"en"` or `"zh-Hant"` for the band names.
        proficiency_scale: The scale of the skill levels, whose labels name them (the default
            0–4 scale, the one the review cycle uses, unless given).

    The bands are the policy's own (their names as the review's policy gave them), and the
    skill levels carry the scale's labels.

    Examples:
        >>> from mteam.io import load_sample_team
        >>> from mteam.performance.composite import Band, RatingBands
        >>> from mteam.review import ReviewPolicy, run_review
        >>> bands = RatingBands([Band(1, "Bronze", 0), Band(2, "Silver", 0.6),
        ...                      Band(3, "Gold", 0.8)])
        >>> outcome = run_review(load_sample_team(), ReviewPolicy(bands=bands))
        >>> text = format_report(outcome, member_id="m01")
        >>> "Gold" in text, "meets expectations" in text
        (True, False)
        >>> print(text.splitlines()[0])
        Membership marketing: review 2026-01-01 to 2026-12-31, 12 members, amounts in TWD

    Raises:
        InvalidInputError: an unknown member.
    """
    check_instance("outcome", outcome, ReviewOutcome)
    check_instance("proficiency_scale", proficiency_scale, RatingScale)
    members = outcome.members if member_id is None else (outcome.member(member_id),)
    lines = _team_section(outcome, language)
    for m in members:
        lines += _member_section(outcome, m, language, proficiency_scale)
    return "\n".join(lines) + "\n"


# --- the member-base report----------------------------------------------------------------------


def _median(curve: SurvivalCurve) -> str:
    """The median and, when there is one, its interval (`5 months (95% interval 4-6 months)`)."""
    if curve.median is None:
        return "not reached"
    low, high = curve.median_interval
    level = f"{100 * (1 - curve.alpha):g}"
    ends = f"{'not reached' if low is None else f'{low:g}'}-"
    ends += "not reached" if high is None else f"{high:g} months"
    return f"{curve.median:g} months ({level}% interval {ends}, {curve.band_method})"


def format_member_report(
    analysis: MemberAnalysis, policy: MembershipPolicy | None = None, language: str = "en"
) -> str:
    """The analysis as a readable text report.

    Args:
        analysis: The member-base analysis.
        policy: The policy the analysis was run with
            ([`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given):
            the report states its gross margin and discount rate, and names the tiers by its
            tier labels.
        language: `"en"` or `"zh-Hant"` for the RFM segments' and the tiers' names (as
            [`format_report`][mteam.report.text.format_report] names the bands): the built-in
            segments by [`segment_label`][mteam.labels.segment_label], the tiers by the policy's
            labels (一般會員, 銀卡會員, 金卡會員, 白金會員 by default).

    Examples:
        >>> from mteam.io import analyse_sample
        >>> from mteam.membership.analysis import MembershipPolicy
        >>> from mteam.membership.units import Rate, TimeUnit
        >>> policy = MembershipPolicy(discount_rate=Rate(0.02, TimeUnit.MONTH))
        >>> text = format_member_report(analysis=analyse_sample(policy), policy=policy)
        >>> [line for line in text.splitlines() if line.startswith("CLTV")]
        ['CLTV (TWD, gross margin 35 %, discount 2 % per month, as in the policy)']
        >>> zh = format_member_report(analyse_sample(), language="zh-Hant")
        >>> [line.split() for line in zh.splitlines() if "冠軍" in line or "金卡" in line]
        [['冠軍會員', '662', '22.1%'], ['金卡會員', '56']]
    """
    check_instance("analysis", analysis, MemberAnalysis)
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    if language not in LANGUAGES:
        raise InvalidInputError(
            "language", f"must be one of {', '.join(LANGUAGES)}, got {show(language)}"
        )
    tiers = {t.name.en: t.name for t in policy.tiers.tiers}
    a = analysis
    money = a.cltv_sbg or (a.repeat.clv_total if a.repeat is not None else None)
    cur = (policy.currency if money is None else money.currency).code
    lines = [f"Member base as of {a.as_of}: {a.members:,} members, {a.current_members:,} current"]
    if a.retention is not None:
        lines += [
            "",
            "RETENTION",
            (
                f"  12 months to {a.as_of}: {a.retention.retained:,} of {a.retention.at_start:,} "
                f"members stayed ({_pct(a.retention.retention)}), churn "
                f"{_pct(a.retention.churn)}; {a.retention.joined:,} joined"
            ),
        ]
    lines += ["", *_cohort_lines(a), ""]
    if a.sbg is not None and a.survival is not None:
        lines += [*_sbg_lines(a), ""]
    lines.append(
        f"CLTV ({cur}, gross margin {_rate(policy.gross_margin)} %, discount "
        f"{_rate(policy.discount_rate.value)} % per {policy.discount_rate.per.value}, "
        "as in the policy)"
    )
    lines.append(
        f"  average order value {a.average_order_value:,}, "
        f"{a.purchases_per_month:.3f} purchases per member-month"
    )
    if a.cltv_simple is not None and a.cltv_geometric is not None and a.cltv_sbg is not None:
        lines += [
            f"  simple (AOV x purchases x margin x mean lifetime): {a.cltv_simple.amount:,}",
            f"  geometric (constant retention r(12)):              {a.cltv_geometric.amount:,}",
            f"  sBG (margin x DERL of a new member):               {a.cltv_sbg.amount:,}",
        ]
    if a.repeat is not None:
        r = a.repeat
        if r.clv_total is not None and r.clv_per_member is not None:
            lines.append(
                f"  BG/NBD + Gamma-Gamma, next {r.horizon} months: {r.clv_total.amount:,} in all, "
                f"{r.clv_per_member.amount:,} per member"
            )
        else:
            lines.append("  BG/NBD + Gamma-Gamma: no spend model, so no value (see below)")
    lines.append("  historical, cumulative margin per original member at 12 months:")
    hist = [v for v in a.cohort_values if 12 in v.cumulative][-6:]
    lines.append(
        _indent(
            table(
                ["cohort", "members", "12-month margin per member"],
                [[v.cohort, str(v.members), f"{v.cumulative[12]:,.0f}"] for v in hist],
                [False, True, True],
            )
        )
        if hist
        else "  (no cohort is 12 months old)"
    )
    if a.repeat is not None:
        lines += ["", *_repeat_lines(a)]
    lines += [
        "",
        "RFM SEGMENTS",
        _indent(
            table(
                ["segment", "members", "share"],
                [
                    [segment_label(s).get(language), f"{n:,}", f"{n / a.members:.1%}"]
                    for s, n in a.segment_counts.items()
                ],
                [False, True, True],
            )
        ),
        "",
        "TIERS (trailing 12-month spend)",
        _indent(
            table(
                ["tier", "members"],
                [
                    [tiers.get(t, Label(t)).get(language), f"{n:,}"]
                    for t, n in a.tier_counts.items()
                ],
                [False, True],
            )
        ),
    ]
    if a.points_holders:
        lines += [
            "",
            f"POINTS: {a.points_held:,} unexpired points held by {a.points_holders:,} members",
        ]
    return "\n".join(lines) + "\n"


def _cohort_lines(a: MemberAnalysis) -> list[str]:
    contractual = a.retention is not None
    recent = list(a.cohorts.cells)[-12:]
    ages = [0, 1, 2, 3, 6, 9, 12]
    header = ["cohort", "size", *(f"m{k}" for k in ages)]
    rows = []
    for cohort in recent:
        row = a.cohorts.cells[cohort]
        cells = [
            (
                f"{row[k].retention:.0%}/{row[k].activity:.0%}"
                if contractual
                else f"{row[k].activity:.0%}"
            )
            if k in row and row[k].observed
            else ""
            for k in ages
        ]
        rows.append([cohort, str(row[0].observed), *cells])
    title = (
        "COHORTS (share still members / share who bought, by months since joining)"
        if contractual
        else "COHORTS (share who bought, by months since the first purchase)"
    )
    return [title, _indent(table(header, rows, [False, True, *([True] * len(ages))]))]


def _sbg_lines(a: MemberAnalysis) -> list[str]:
    km, sbg = a.survival, a.sbg
    if km is None or sbg is None:  # pragma: no cover - the caller checked
        return []
    return [
        "SURVIVAL (Kaplan–Meier, months)",
        "  " + ", ".join(f"S({t}) = {km.at(t):.3f}" for t in (1, 3, 6, 12, 24)),
        f"  median membership: {_median(km)}",
        "",
        "sBG MODEL (fitted to the cohorts' survivor counts, monthly)",
        (
            f"  alpha = {sbg.alpha:.3f} (se {_num3(sbg.se_alpha)}), "
            f"beta = {sbg.beta:.3f} (se {_num3(sbg.se_beta)}), "
            f"LL = {sbg.log_likelihood:.1f}"
        ),
        f"  retention r(1) = {sbg.retention(1):.3f}, r(12) = {sbg.retention(12):.3f}",
        _indent(
            table(
                ["month", "survival", "95% band"],
                [
                    [str(p.t), f"{p.survival:.3f}", f"{p.lower:.3f}-{p.upper:.3f}"]
                    for p in a.projection
                ],
                [True, True, True],
            )
        ),
    ]


def _parameters(names: tuple[str, ...], values: tuple[float, ...], ses: object) -> str:
    errors = tuple(ses) if isinstance(ses, tuple) else (None,) * len(names)
    return ", ".join(
        f"{n} = {v:.4g} (se {_num3(se)})" for n, v, se in zip(names, values, errors, strict=True)
    )


def _repeat_lines(a: MemberAnalysis) -> list[str]:
    r = a.repeat
    if r is None:  # pragma: no cover - the caller checked
        return []
    bg = r.bgnbd
    fitted = bg.diagnostics is None or bg.diagnostics.converged
    lines = [
        f"REPEAT PURCHASES (BG/NBD and Gamma-Gamma, in {r.unit.plural} since the first purchase)",
        f"  {r.members:,} members with a purchase, {r.repeat_buyers:,} of them came back",
        f"  BG/NBD: {_parameters(bg.names, bg.parameters, bg.standard_errors)}",
        (f"    LL = {_num(bg.log_likelihood, 1)}, {'converged' if fitted else 'NOT converged'}"),
        (
            f"  next {r.horizon} months: {r.expected_purchases:,.1f} purchases expected; "
            f"{r.expected_alive:,.1f} members expected still active"
        ),
    ]
    gg = r.gamma_gamma
    if gg is None:
        lines.append("  Gamma-Gamma: too few repeat buyers with a spend to fit it")
    else:
        lines.append(f"  Gamma-Gamma: {_parameters(gg.names, gg.parameters, gg.standard_errors)}")
        if gg.correlation is not None:
            lines.append(f"    correlation of frequency and mean spend: {gg.correlation:.3f}")
    if r.holdout is not None and r.calibration_end is not None:
        lines += [
            f"  HOLDOUT CHECK (fitted to {r.calibration_end}, checked to {a.as_of})",
            _indent(
                table(
                    ["month", "expected", "actual"],
                    [
                        [str(p.period), f"{p.expected:,.1f}", f"{p.actual:,}"]
                        for p in r.holdout.by_period
                    ],
                    [True, True, True],
                )
            ),
        ]
    return lines


def _rate(value: float) -> str:
    """A share as a percentage without float noise: 0.35 gives `35`, 0.0125 gives `1.25`."""
    return f"{value * 100:.4f}".rstrip("0").rstrip(".")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num3(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
