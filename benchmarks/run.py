"""Time mteam's workloads against references measured in the same run, and print a table.

    python benchmarks/run.py            # the full run (several minutes)
    python benchmarks/run.py --quick    # a smoke test: small sizes, one round

Every workload runs in a child process of its own, so that its peak memory (the child's maximum
resident set size) is its own. Inside the child the reference and the workloads are timed in
rounds, one after the other; the table gives the median times and, as the ratio, the median
over the rounds of workload time / reference time in the same round (the machines are shared
and noisy: ratios travel, seconds do not, and a slow spell slows both sides of a round):

1. review cycle: `mteam.io.loads(TeamDocument, text)` and `run_review(document)` against the
   standard library's `json.loads(text)` of the same text;
2. member analytics: reading the two CSV files into records, summarising them on the bulk path
   (`summarise_csv`), and the whole analysis, against one plain `csv.reader` pass over the same
   files;
3. peers, where the `bench` extra is installed: Kaplan-Meier against
   `lifelines.KaplanMeierFitter` and an RFM summary against a pandas groupby, with the results
   checked equal first;
4. the training planner at 1,000 members x 40 courses;
5. scaling: time at 10x the members / time at 1x (linear is 10).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))


REFERENCE_REPEATS = 3
"""The peers and mteam's steps from a summary take seconds: always at least three rounds."""


def _median_time(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paired(
    reference: Callable[[], object], workloads: dict[str, Callable[[], object]], rounds: int
) -> dict[str, float]:
    """Time the reference and then each workload, round after round.

    Returns the median time of each (the reference under its own name, "reference") and the
    median over the rounds of each workload's time divided by the reference's time in the same
    round ("ratio:" + name): a slow spell of a shared machine slows both sides of a round, so
    the paired ratio is steadier than a ratio of medians taken minutes apart.
    """
    times: dict[str, list[float]] = {"reference": [], **{name: [] for name in workloads}}
    ratios: dict[str, list[float]] = {name: [] for name in workloads}
    for _ in range(rounds):
        base = _median_time(reference, 1)
        times["reference"].append(base)
        for name, workload in workloads.items():
            spent = _median_time(workload, 1)
            times[name].append(spent)
            ratios[name].append(spent / base)
    out = {name: statistics.median(values) for name, values in times.items()}
    out.update({f"ratio:{name}": statistics.median(values) for name, values in ratios.items()})
    return out


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


# --- children --------------------------------------------------------------------------------


def child_review(n: int, repeat: int) -> dict[str, float]:
    from mteam.io import loads
    from mteam.review import TeamDocument, run_review

    text = (OUT / f"team-{n}.json").read_text(encoding="utf-8")
    loaded: list[TeamDocument] = []  # each round reviews the document it loaded, then drops it

    def load() -> None:
        loaded.append(loads(TeamDocument, text))

    def review() -> None:
        run_review(loaded.pop())

    timed = _paired(lambda: json.loads(text), {"mteam.io load": load, "run_review": review}, repeat)
    return {**timed, "rss_mb": _max_rss_mb()}


def _csv_pass(members: Path, sales: Path) -> int:
    rows = 0
    for path in (members, sales):
        with path.open(encoding="utf-8", newline="") as handle:
            for _ in csv.reader(handle):
                rows += 1
    return rows


def _bare_summary(members: Path, sales: Path) -> int:
    """About the least a pure-Python summary can do, for scale: parse each date and amount and
    keep a count, a sum and a last day per member; no checks, no cohorts, no records."""
    joined = {}
    with members.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for member_id, day, _ in rows:
            joined[member_id] = date.fromisoformat(day)
    figures: dict[str, list[Any]] = {}
    with sales.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for member_id, on, amount in rows:
            day, value = date.fromisoformat(on), Decimal(amount)
            kept = figures.get(member_id)
            if kept is None:
                figures[member_id] = [1, value, day]
            else:
                kept[0] += 1
                kept[1] += value
                if day > kept[2]:  # noqa: PLR1730 - cheaper than calling max()
                    kept[2] = day
    return len(figures)


def child_members(n: int, repeat: int) -> dict[str, float]:
    from mteam.io import read_and_analyse, read_members, read_transactions, summarise_csv
    from mteam.membership.analysis import SAMPLE_AS_OF

    members, sales = OUT / f"members-{n}.csv", OUT / f"transactions-{n}.csv"

    def read() -> None:
        read_members(members)
        for _ in read_transactions(sales):
            pass

    timed = _paired(
        lambda: _csv_pass(members, sales),
        {
            "bare pure-Python summary": lambda: _bare_summary(members, sales),
            "read records": read,
            "summarise": lambda: summarise_csv(members, sales, SAMPLE_AS_OF),
            "analyse": lambda: read_and_analyse(members, sales, SAMPLE_AS_OF),
        },
        repeat,
    )
    return {**timed, "rss_mb": _max_rss_mb()}


def child_peers(n: int, repeat: int) -> dict[str, float]:
    import lifelines  # type: ignore[import-not-found]
    import pandas as pd  # type: ignore[import-not-found]

    from mteam.io import summarise_csv
    from mteam.membership.analysis import SAMPLE_AS_OF
    from mteam.membership.rfm import rfm
    from mteam.membership.survival import duration_table, kaplan_meier_table

    members_path, sales_path = OUT / f"members-{n}.csv", OUT / f"transactions-{n}.csv"
    base = summarise_csv(members_path, sales_path, SAMPLE_AS_OF)
    frame = pd.read_csv(members_path, parse_dates=["joined_on", "left_on"])
    end = frame["left_on"].fillna(pd.Timestamp(SAMPLE_AS_OF))
    durations = (end - frame["joined_on"]).dt.days
    observed = frame["left_on"].notna()

    def ours_km() -> object:
        return kaplan_meier_table(duration_table(base, "day"))

    def theirs_km() -> object:
        return lifelines.KaplanMeierFitter().fit(durations, observed)

    curve = ours_km()
    fitted = theirs_km()
    lifelines_s = fitted.survival_function_.iloc[:, 0]
    for t, s in zip(curve.times, curve.survival, strict=True):
        assert abs(float(lifelines_s.loc[t]) - s) < 1e-9, (t, s)
    sales = pd.read_csv(sales_path, parse_dates=["on"])

    def theirs_rfm() -> object:
        grouped = sales.groupby("member_id").agg(
            last=("on", "max"), frequency=("on", "size"), monetary=("amount", "sum")
        )
        grouped["recency"] = (pd.Timestamp(SAMPLE_AS_OF) - grouped["last"]).dt.days
        return grouped

    def ours_rfm() -> object:
        return rfm(base)

    def theirs_rfm_from_csv() -> object:
        nonlocal sales
        sales = pd.read_csv(sales_path, parse_dates=["on"])
        return theirs_rfm()

    def ours_rfm_from_csv() -> object:
        return rfm(summarise_csv(members_path, sales_path, SAMPLE_AS_OF))

    table = theirs_rfm()
    scores = {s.member_id: s for s in rfm(base).scores}
    for member_id, row in table.iterrows():
        s = scores[member_id]
        assert (s.frequency, s.recency, int(s.monetary)) == (
            int(row["frequency"]),
            int(row["recency"]),
            int(row["monetary"]),
        )
    # the peers, and mteam's steps from a summary, take seconds: three rounds at least
    rounds = max(repeat, REFERENCE_REPEATS)
    km = _paired(theirs_km, {"km": ours_km}, rounds)
    scores_only = _paired(theirs_rfm, {"rfm": ours_rfm}, rounds)
    from_csv = _paired(theirs_rfm_from_csv, {"rfm": ours_rfm_from_csv}, repeat)
    return {
        "lifelines KM": km["reference"],
        "km": km["km"],
        "ratio:km": km["ratio:km"],
        "pandas RFM (from loaded frames)": scores_only["reference"],
        "rfm": scores_only["rfm"],
        "ratio:rfm": scores_only["ratio:rfm"],
        "pandas RFM (read_csv + groupby)": from_csv["reference"],
        "rfm from csv": from_csv["rfm"],
        "ratio:rfm from csv": from_csv["ratio:rfm"],
        "rss_mb": _max_rss_mb(),
    }


def child_planner(n: int, repeat: int) -> dict[str, float]:
    from mteam.io import loads
    from mteam.money import Money
    from mteam.review import TeamDocument, document_catalog
    from mteam.skills import SkillMatrix
    from mteam.training import TrainingCatalog, plan_training, skill_gaps

    document = loads(TeamDocument, (OUT / f"team-{n}.json").read_text(encoding="utf-8"))
    catalog = document_catalog(document)
    matrix = SkillMatrix(catalog.skills, {m.id: m.skills for m in document.members})
    gaps = skill_gaps(matrix, {m.id: m.role for m in document.members}, catalog.roles)
    courses = TrainingCatalog(document.currency, document.courses)
    budget = Money(document.training_budget, document.currency)
    plan = _median_time(lambda: plan_training(gaps, courses, budget), repeat)
    return {"plan_training": plan, "rss_mb": _max_rss_mb()}


CHILDREN = {
    "review": child_review,
    "members": child_members,
    "peers": child_peers,
    "planner": child_planner,
}


def _run_child(kind: str, n: int, repeat: int) -> dict[str, float] | None:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n), str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        if "ModuleNotFoundError" in done.stderr and kind == "peers":
            return None
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {kind} workload at {n} failed")
    return json.loads(done.stdout)


# --- the parent ------------------------------------------------------------------------------


def _make(kind: str, n: int) -> None:
    """Write one workload's files (run in a child, so the parent's memory stays small)."""
    from generate import member_base, team_document

    OUT.mkdir(exist_ok=True)
    if kind == "team":
        (OUT / f"team-{n}.json").write_text(json.dumps(team_document(n, 7)), encoding="utf-8")
    else:
        members, sales = member_base(n, 7)
        (OUT / f"members-{n}.csv").write_text(members, encoding="utf-8")
        (OUT / f"transactions-{n}.csv").write_text(sales, encoding="utf-8")


def _prepare(team_sizes: list[int], member_sizes: list[int]) -> None:
    # Each child's peak memory is measured from its start (Linux keeps ru_maxrss across exec),
    # so the parent must never hold a large workload itself: generate in children too.
    wanted = [("team", n) for n in team_sizes if not (OUT / f"team-{n}.json").exists()]
    wanted += [
        ("members", n)
        for n in member_sizes
        if not (OUT / f"members-{n}.csv").exists() or not (OUT / f"transactions-{n}.csv").exists()
    ]
    for kind, n in wanted:
        subprocess.run([sys.executable, __file__, "--make", kind, str(n)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark mteam against its references.")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one repeat (a smoke test)"
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "N", "REPEAT"), help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        _make(args.make[0], int(args.make[1]))
        return
    if args.child:
        kind, n, repeat = args.child
        print(json.dumps(CHILDREN[kind](int(n), int(repeat))))
        return
    teams = [100, 1000] if args.quick else [1000, 10000, 100000]
    bases = [2000, 20000] if args.quick else [100000, 1000000]
    planner = 200 if args.quick else 1000
    repeat = 1 if args.quick else 3
    _prepare(sorted({*teams, planner}), bases)
    title = "quick" if args.quick else "full"
    lines = [
        (
            f"mteam benchmarks ({title}), Python {platform.python_version()}, "
            f"{platform.machine()}, {platform.system()}"
        ),
        "",
        "| workload | N | reference (s) | mteam (s) | ratio | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, n: int, result: dict[str, float], key: str, ref: str = "reference") -> None:
        """One line: the reference's and mteam's median times, and their paired ratio."""
        lines.append(
            f"| {label} | {n:,} | {result[ref]:.3f} | {result[key]:.3f} "
            f"| {result[f'ratio:{key}']:.2f} | {result['rss_mb']:.0f} |"
        )

    review_times = {}
    for n in teams:
        r = _run_child("review", n, 1 if n >= 100_000 else repeat)
        assert r is not None
        review_times[n] = r["run_review"]
        row("load team document (mteam.io vs json.loads)", n, r, "mteam.io load")
        row("run_review (vs json.loads)", n, r, "run_review")
    member_times = {}
    for n in bases:
        r = _run_child("members", n, 1 if n >= 1_000_000 else repeat)
        assert r is not None
        member_times[n] = r["analyse"]
        row("read member CSVs (vs csv.reader pass)", n, r, "read records")
        row(
            "for scale: a bare pure-Python summary, no checks (vs csv.reader pass)",
            n,
            r,
            "bare pure-Python summary",
        )
        row("summarise member CSVs, the bulk path (vs csv.reader pass)", n, r, "summarise")
        row("member analysis (vs csv.reader pass)", n, r, "analyse")
    peers = _run_child("peers", bases[-1], 1 if bases[-1] >= 1_000_000 else repeat)
    if peers is None:
        lines.append(
            "| peers (lifelines, pandas): not installed, `pip install -e '.[bench]'` | | | | | |"
        )
    else:
        n = bases[-1]
        row("Kaplan-Meier (vs lifelines)", n, peers, "km", "lifelines KM")
        row(
            "RFM scores from the summary (vs pandas groupby on loaded frames)",
            n,
            peers,
            "rfm",
            "pandas RFM (from loaded frames)",
        )
        row(
            "RFM from the CSV files (vs pandas read_csv + groupby)",
            n,
            peers,
            "rfm from csv",
            "pandas RFM (read_csv + groupby)",
        )
    r = _run_child("planner", planner, repeat)
    assert r is not None
    lines.append(
        f"| plan_training ({planner:,} members x 40 courses) | {planner:,} | - "
        f"| {r['plan_training']:.3f} | - | {r['rss_mb']:.0f} |"
    )
    lines += [
        "",
        "| scaling: time at 10x / time at 1x (linear is 10) | from | to | ratio |",
        "|---|---:|---:|---:|",
    ]
    for times, label in ((review_times, "run_review"), (member_times, "member analysis")):
        for a, b in itertools.pairwise(sorted(times)):
            lines.append(f"| {label} | {a:,} | {b:,} | {times[b] / times[a]:.1f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
