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
5. scaling: time at the larger size / time at the smaller, beside the ratio of the sizes
   (what linear growth would give);
6. the review cycle and the member analysis again inside `mteam.batch()` (the library's
   default path leaves the garbage collector alone; these rows show what the opt-in buys);
7. `frames.analyse` on polars, DuckDB and pandas against pandas computing only recency,
   frequency and monetary value with a groupby on the same frames; Kaplan-Meier from durations
   counted by the engine, and `survival_at` at 200 points, against lifelines;
8. where lifetimes is installed: `fit_bgnbd` on the CDNOW summary and on a seeded synthetic
   base against `BetaGeoFitter.fit`, and per-member expected purchases
   (`expected_purchases_each`) against lifetimes' conditional expectation.

    python benchmarks/run.py --bases 100000 --rounds 1   # other sizes (see --help)
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
import tempfile
import time
from collections import Counter
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
    from mteam import batch
    from mteam.io import loads
    from mteam.review import TeamDocument, run_review

    text = (OUT / f"team-{n}.json").read_text(encoding="utf-8")
    loaded: list[TeamDocument] = []  # each round reviews the document it loaded, then drops it

    def load() -> None:
        loaded.append(loads(TeamDocument, text))

    def review() -> None:
        run_review(loaded.pop())

    def load_batch() -> None:
        with batch():
            loaded.append(loads(TeamDocument, text))

    def review_batch() -> None:
        with batch():
            run_review(loaded.pop())

    timed = _paired(
        lambda: json.loads(text),
        {
            "mteam.io load": load,
            "run_review": review,
            "mteam.io load, batch": load_batch,
            "run_review, batch": review_batch,
        },
        repeat,
    )
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


def _in_batch(batch: Any, func: Callable[..., object], *args: object) -> object:
    from mteam.membership.analysis import SAMPLE_AS_OF

    with batch():
        return func(*args, SAMPLE_AS_OF)


def child_members(n: int, repeat: int) -> dict[str, float]:
    from mteam import batch
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
            "analyse, batch": lambda: _in_batch(batch, read_and_analyse, members, sales),
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


def _cdnow_transactions() -> list[Any]:
    """The CDNOW sample (Fader, Hardie & Lee 2005) as distributed in the lifetimes wheel:
    located without importing lifetimes, as the tests do."""
    from importlib.util import find_spec

    from mteam.membership.records import Transaction

    spec = find_spec("lifetimes")
    if spec is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError("lifetimes")
    path = Path(next(iter(spec.submodule_search_locations)), "datasets", "CDNOW_sample.txt")
    out = []
    for line in path.read_text().splitlines():
        _, sample_id, day, _, amount = line.split()
        on = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        out.append(Transaction(sample_id, on, Decimal(amount)))
    return out


def _repeat_rows(n: int) -> list[tuple[str, int, float, float, int]]:
    """The synthetic base's per-member (id, x, t_x, T, repeat spend), times in weeks as the
    library's `elapsed` gives them (days / 7)."""
    with (OUT / f"repeat-{n}.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return [(m, int(x), int(tx) / 7, int(tt) / 7, int(sp)) for m, x, tx, tt, sp in rows]


def child_repeat(n: int, repeat: int) -> dict[str, float]:
    import numpy as np
    from lifetimes import BetaGeoFitter  # type: ignore[import-not-found]

    from mteam.membership.bgnbd import fit_bgnbd
    from mteam.membership.repeat import Profile, RepeatSummary, repeat_members, repeat_summary

    rounds = max(repeat, REFERENCE_REPEATS)
    out: dict[str, float] = {}

    # 1. CDNOW: 2,357 customers, calibration to 30 September 1997, in weeks
    sales = _cdnow_transactions()
    end = date(1997, 9, 30)
    summary = repeat_summary(sales, calibration_end=end, unit="week")
    people = repeat_members(sales, calibration_end=end, unit="week")
    freq = np.array([p.x for p in people], dtype=float)
    rec = np.array([p.t_x for p in people])
    age = np.array([p.T for p in people])

    def theirs_cdnow() -> object:
        return BetaGeoFitter().fit(freq, rec, age)

    ours, theirs = fit_bgnbd(summary), theirs_cdnow()
    for mine, peer in zip(
        ours.parameters, (theirs.params_[k] for k in ["r", "alpha", "a", "b"]), strict=True
    ):
        assert abs(mine - peer) < 1e-3 * max(1.0, peer), (ours.parameters, theirs.params_)
    timed = _paired(theirs_cdnow, {"fit": lambda: fit_bgnbd(summary)}, rounds)
    out.update({"cdnow lifetimes": timed["reference"], "cdnow fit": timed["fit"]})
    out["ratio:cdnow fit"] = timed["ratio:fit"]

    # 2. the synthetic base of n members: from per-member (x, t_x, T) rows
    rows = _repeat_rows(n)
    xs = np.array([r[1] for r in rows], dtype=float)
    txs = np.array([r[2] for r in rows])
    ts = np.array([r[3] for r in rows])

    models: list[Any] = []  # the fit of the last round, for the predictions

    def ours_fit() -> None:
        counts = Counter((x, tx, tt) for _, x, tx, tt, _ in rows)
        s = RepeatSummary("week", [Profile(x, tx, tt, k) for (x, tx, tt), k in counts.items()])
        models.append(fit_bgnbd(s))

    def theirs_fit() -> None:
        models.append(BetaGeoFitter().fit(xs, txs, ts))

    out["profiles"] = len({(x, tx, tt) for _, x, tx, tt, _ in rows})
    timed = _paired(theirs_fit, {"fit": ours_fit}, repeat)
    fitted, model = models[-2:]
    out.update({"big lifetimes": timed["reference"], "big fit": timed["fit"]})
    out["ratio:big fit"] = timed["ratio:fit"]

    # 3. per-member predictions: expected repeat purchases in the next 52 weeks
    horizon = 52.0
    customers = [(x, tx, tt) for _, x, tx, tt, _ in rows]  # as lifetimes' arrays: built once
    sample = list(range(0, len(rows), max(1, len(rows) // 500)))
    theirs_model = fitted.conditional_expected_number_of_purchases_up_to_time
    mine = model.expected_purchases_each(horizon, [customers[i] for i in sample])
    peer_model = BetaGeoFitter()
    peer_model.params_ = dict(zip(["r", "alpha", "a", "b"], model.parameters, strict=True))
    peer = peer_model.conditional_expected_number_of_purchases_up_to_time(
        horizon, xs[sample], txs[sample], ts[sample]
    )
    for m_value, p_value in zip(mine, peer, strict=True):
        assert abs(m_value - p_value) < 1e-6 * max(1.0, p_value), (m_value, p_value)

    def theirs_predict() -> object:
        return theirs_model(horizon, xs, txs, ts)

    def ours_predict() -> object:
        return model.expected_purchases_each(horizon, customers)

    timed = _paired(theirs_predict, {"predict": ours_predict}, repeat)
    out.update(
        {
            "predict lifetimes": timed["reference"],
            "predict": timed["predict"],
            "ratio:predict": timed["ratio:predict"],
            "rss_mb": _max_rss_mb(),
        }
    )
    return out


def _parquet_timings(
    pd_members: Any,
    pd_sales: Any,
    repeat: int,
    results: dict[str, object],
) -> dict[str, float]:
    """`frames.analyse` from Parquet files on polars and DuckDB against pandas' RFM from them.

    The files are written by pandas, as a pandas user's files are (the days as timestamps at
    midnight); each engine reads them inside the timed call. The analyses go to `results`.
    """
    import duckdb  # type: ignore[import-not-found]
    import pandas as pd
    import polars as pl  # type: ignore[import-not-found]

    from mteam.membership import frames
    from mteam.membership.analysis import SAMPLE_AS_OF

    as_of = pd.Timestamp(SAMPLE_AS_OF)
    with tempfile.TemporaryDirectory() as scratch:
        members_pq, sales_pq = Path(scratch, "members.parquet"), Path(scratch, "sales.parquet")
        pd_members.to_parquet(members_pq)
        pd_sales.to_parquet(sales_pq)

        def theirs() -> object:
            sales = pd.read_parquet(sales_pq)
            grouped = sales.groupby("member_id").agg(
                last=("on", "max"), frequency=("on", "size"), monetary=("amount", "sum")
            )
            grouped["recency"] = (as_of - grouped["last"]).dt.days
            return grouped

        def ours(engine: str) -> Callable[[], None]:
            def run() -> None:
                if engine == "polars":
                    members, sales = pl.scan_parquet(members_pq), pl.scan_parquet(sales_pq)
                else:
                    db = duckdb.connect()
                    members = db.read_parquet(str(members_pq))
                    sales = db.read_parquet(str(sales_pq))
                results[f"{engine} parquet"] = frames.analyse(members, sales, SAMPLE_AS_OF)

            return run

        return _paired(
            theirs,
            {"polars parquet": ours("polars"), "duckdb parquet": ours("duckdb")},
            repeat,
        )


def child_frames(n: int, repeat: int) -> dict[str, float]:
    import duckdb  # type: ignore[import-not-found]
    import lifelines
    import pandas as pd
    import polars as pl  # type: ignore[import-not-found]

    from mteam.membership import frames
    from mteam.membership.analysis import SAMPLE_AS_OF
    from mteam.membership.survival import DurationTable, kaplan_meier_table

    members_path, sales_path = OUT / f"members-{n}.csv", OUT / f"transactions-{n}.csv"
    date_types = {"joined_on": pl.Date, "left_on": pl.Date}
    pl_members = pl.read_csv(members_path, schema_overrides=date_types)
    pl_sales = pl.read_csv(sales_path, schema_overrides={"on": pl.Date})
    pd_members = pl_members.to_pandas()
    pd_sales = pl_sales.to_pandas()
    for frame, columns in ((pd_members, ("joined_on", "left_on")), (pd_sales, ("on",))):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    con = duckdb.connect()
    db_members = con.from_arrow(pl_members.to_arrow())
    db_sales = con.from_arrow(pl_sales.to_arrow())
    as_of = pd.Timestamp(SAMPLE_AS_OF)

    def theirs_rfm() -> object:
        grouped = pd_sales.groupby("member_id").agg(
            last=("on", "max"), frequency=("on", "size"), monetary=("amount", "sum")
        )
        grouped["recency"] = (as_of - grouped["last"]).dt.days
        return grouped

    results: dict[str, object] = {}  # each engine's last analysis, checked equal after timing

    def analyse(engine: str, members: object, sales: object) -> Callable[[], None]:
        def run() -> None:
            results[engine] = frames.analyse(members, sales, SAMPLE_AS_OF)

        return run

    rounds = max(repeat, REFERENCE_REPEATS)
    analysed = _paired(
        theirs_rfm,
        {
            "polars": analyse("polars", pl_members, pl_sales),
            "duckdb": analyse("duckdb", db_members, db_sales),
            "pandas": analyse("pandas", pd_members, pd_sales),
        },
        repeat,
    )
    assert results["duckdb"] == results["polars"] == results["pandas"]

    parquet = _parquet_timings(pd_members, pd_sales, repeat, results)
    assert results["polars parquet"] == results["duckdb parquet"] == results["polars"]

    # Kaplan-Meier of the membership durations in days: the engine counts, mteam fits
    spans = pl_members.select(
        (pl.col("left_on").fill_null(SAMPLE_AS_OF) - pl.col("joined_on"))
        .dt.total_days()
        .alias("duration"),
        pl.col("left_on").is_not_null().alias("left"),
    )
    durations = spans["duration"].to_numpy()
    observed = spans["left"].to_numpy()

    def ours_km() -> Any:
        counted = spans.group_by("duration").agg(
            pl.col("left").sum().alias("events"), (~pl.col("left")).sum().alias("censored")
        )
        table = {
            int(t): (int(e), int(c))
            for t, e, c in zip(
                counted["duration"], counted["events"], counted["censored"], strict=True
            )
        }
        return kaplan_meier_table(DurationTable("day", dict(sorted(table.items()))))

    def theirs_km() -> Any:
        return lifelines.KaplanMeierFitter().fit(durations, observed)

    curve, fitted = ours_km(), theirs_km()
    lifelines_s = fitted.survival_function_.iloc[:, 0]
    for t, s in zip(curve.times, curve.survival, strict=True):
        assert abs(float(lifelines_s.loc[t]) - s) < 1e-9, (t, s)
    km = _paired(theirs_km, {"km": ours_km}, rounds)

    # S(t) at 200 points of the curve, a thousand times over (a hundred in the smoke test)
    top = float(curve.times[-1])
    points = [top * k / 199 for k in range(200)]
    assert all(
        abs(a - b) < 1e-9
        for a, b in zip(
            curve.survival_at(points), fitted.survival_function_at_times(points), strict=True
        )
    )
    times = 1000 if n >= 100_000 else 100  # the smoke test's sizes: a tenth of the look-ups
    at = _paired(
        lambda: [fitted.survival_function_at_times(points) for _ in range(times)],
        {"survival_at": lambda: [curve.survival_at(points) for _ in range(times)]},
        rounds,
    )
    return {
        "pandas rfm": analysed["reference"],
        **{k: v for k, v in analysed.items() if k != "reference"},
        "pandas parquet": parquet["reference"],
        **{k: v for k, v in parquet.items() if k != "reference"},
        "lifelines km": km["reference"],
        "km": km["km"],
        "ratio:km": km["ratio:km"],
        "lifelines at": at["reference"],
        "survival_at": at["survival_at"],
        "ratio:survival_at": at["ratio:survival_at"],
        "transactions": float(pl_sales.height),
        "look-ups": float(times),
        "rss_mb": _max_rss_mb(),
    }


CHILDREN = {
    "review": child_review,
    "members": child_members,
    "peers": child_peers,
    "planner": child_planner,
    "repeat": child_repeat,
    "frames": child_frames,
}


def _run_child(kind: str, n: int, repeat: int) -> dict[str, float] | None:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n), str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        if "ModuleNotFoundError" in done.stderr and kind in {"peers", "repeat", "frames"}:
            return None
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {kind} workload at {n} failed")
    (OUT / f"result-{kind}-{n}.json").write_text(done.stdout, encoding="utf-8")
    return json.loads(done.stdout)


# --- the parent ------------------------------------------------------------------------------


def _make(kind: str, n: int) -> None:
    """Write one workload's files (run in a child, so the parent's memory stays small)."""
    from generate import member_base, repeat_base, team_document

    OUT.mkdir(exist_ok=True)
    if kind == "repeat":
        (OUT / f"repeat-{n}.csv").write_text(repeat_base(n, 7), encoding="utf-8")
    elif kind == "team":
        (OUT / f"team-{n}.json").write_text(json.dumps(team_document(n, 7)), encoding="utf-8")
    else:
        members, sales = member_base(n, 7)
        (OUT / f"members-{n}.csv").write_text(members, encoding="utf-8")
        (OUT / f"transactions-{n}.csv").write_text(sales, encoding="utf-8")


def _prepare(team_sizes: list[int], member_sizes: list[int], repeat_size: int) -> None:
    # Each child's peak memory is measured from its start (Linux keeps ru_maxrss across exec),
    # so the parent must never hold a large workload itself: generate in children too.
    wanted = [("team", n) for n in team_sizes if not (OUT / f"team-{n}.json").exists()]
    wanted += [
        ("members", n)
        for n in member_sizes
        if not (OUT / f"members-{n}.csv").exists() or not (OUT / f"transactions-{n}.csv").exists()
    ]
    if not (OUT / f"repeat-{repeat_size}.csv").exists():
        wanted.append(("repeat", repeat_size))
    for kind, n in wanted:
        subprocess.run([sys.executable, __file__, "--make", kind, str(n)], check=True)


def main() -> None:  # noqa: C901, PLR0912, PLR0915 - one table, row by row
    parser = argparse.ArgumentParser(description="Benchmark mteam against its references.")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one repeat (a smoke test)"
    )
    parser.add_argument("--teams", type=int, nargs="+", help="team sizes (members)")
    parser.add_argument("--bases", type=int, nargs="+", help="member-base sizes")
    parser.add_argument("--repeat-members", type=int, help="the synthetic BG/NBD base's size")
    parser.add_argument("--rounds", type=int, help="rounds of each timing")
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
    teams = args.teams or ([100, 1000] if args.quick else [1000, 10000, 100000])
    bases = args.bases or ([2000, 20000] if args.quick else [100000, 1000000])
    planner = 200 if args.quick else 1000
    # the BG/NBD fit's time grows with the distinct profiles (see docs/performance.md)
    repeat_size = args.repeat_members or (2000 if args.quick else 50000)
    repeat = args.rounds or (1 if args.quick else 3)
    _prepare(sorted({*teams, planner}), bases, repeat_size)
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

    n = bases[0] if args.quick else bases[-1]  # DuckDB's planning is a fixed cost of ~20 s
    fr = _run_child("frames", n, 1 if n >= 1_000_000 else repeat)
    if fr is None:
        lines.append("| frames engines (polars, duckdb, pandas): not installed | | | | | |")
    else:
        label = f"{n:,} members / {fr['transactions']:,.0f} transactions"
        for engine in ("polars", "duckdb", "pandas"):
            row(
                f"`frames.analyse` on {engine} (vs pandas groupby RFM, same frames; {label})",
                n,
                fr,
                engine,
                "pandas rfm",
            )
        for engine in ("polars", "duckdb"):
            row(
                f"`frames.analyse` from Parquet on {engine} (vs pandas read_parquet + groupby "
                f"RFM; {label})",
                n,
                fr,
                f"{engine} parquet",
                "pandas parquet",
            )
        row("Kaplan-Meier, engine-counted durations (vs lifelines)", n, fr, "km", "lifelines km")
        row(
            f"`survival_at`, 200 points x {fr['look-ups']:,.0f} "
            "(vs lifelines `survival_function_at_times`)",
            n,
            fr,
            "survival_at",
            "lifelines at",
        )
    rp = _run_child("repeat", repeat_size, 1 if repeat_size >= 1_000_000 else repeat)
    if rp is None:
        lines.append("| repeat-purchase peers (lifetimes): not installed | | | | | |")
    else:
        row(
            "fit BG/NBD on CDNOW (vs lifetimes `BetaGeoFitter.fit`)",
            2357,
            rp,
            "cdnow fit",
            "cdnow lifetimes",
        )
        row(
            f"fit BG/NBD, counted to {rp['profiles']:,.0f} profiles (vs lifetimes)",
            repeat_size,
            rp,
            "big fit",
            "big lifetimes",
        )
        row(
            "expected purchases per member, `expected_purchases_each` "
            "(vs lifetimes conditional expectation)",
            repeat_size,
            rp,
            "predict",
            "predict lifetimes",
        )
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
        row("member analysis in `mteam.batch()` (vs csv.reader pass)", n, r, "analyse, batch")
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
    review_times = {}
    for n in teams:
        r = _run_child("review", n, 1 if n >= 100_000 else repeat)
        assert r is not None
        review_times[n] = r["run_review"]
        row("load team document (mteam.io vs json.loads)", n, r, "mteam.io load")
        row("run_review (vs json.loads)", n, r, "run_review")
        row("load team document in `mteam.batch()` (vs json.loads)", n, r, "mteam.io load, batch")
        row("run_review in `mteam.batch()` (vs json.loads)", n, r, "run_review, batch")
    r = _run_child("planner", planner, repeat)
    assert r is not None
    lines.append(
        f"| plan_training ({planner:,} members x 40 courses) | {planner:,} | - "
        f"| {r['plan_training']:.3f} | - | {r['rss_mb']:.0f} |"
    )
    lines += [
        "",
        "| scaling: time at the larger size / time at the smaller | from | to | ratio | linear |",
        "|---|---:|---:|---:|---:|",
    ]
    for times, label in ((review_times, "run_review"), (member_times, "member analysis")):
        for a, b in itertools.pairwise(sorted(times)):
            lines.append(f"| {label} | {a:,} | {b:,} | {times[b] / times[a]:.1f} | {b / a:.0f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
