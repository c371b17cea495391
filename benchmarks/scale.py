"""The scale-out run: `frames.analyse` on a large Parquet member base, on Spark or Dask local.

    uv run python benchmarks/scale.py DIR --members 1000000 --engines spark,dask
    uv run python benchmarks/scale.py DIR --members 10000000 --engines spark --score

DIR is a scratch directory (it gets `members/` and `transactions/`, Parquet in parts, and,
with `--score`, `scores-<engine>/`); a base already there with the same size and seed is
reused. The base is written in chunks of 500,000 members with numpy and pyarrow, so
generating 10M members / 70M transactions takes no more memory than one chunk. Each member
joins between 2020-01-01 and `as_of` (2025-12-31), about a third of them leave before
`as_of`, and each buys a Poisson(7) number of times on uniform days of their membership, for
amounts in cents (a `decimal(12, 2)` column).

Dask's inputs are repartitioned to at most `--partitions` (15): with more, Dask 2026.8
aggregates a group-by with a shuffle and then fails to plan the join that follows (see the
Dask how-to).

Each engine runs in a child process of its own, and the parent samples the resident memory
(RSS) of the child's whole process tree every 0.2 s: the Python driver, Spark's JVM and its
Python workers, or Dask's scheduler and worker processes. The report gives the wall time of
`frames.analyse` (and of `frames.score` written back to Parquet with `--score`) and the peak
of the tree's total RSS, with the peak of each kind of process. Not run by CI: the sizes that
mean anything take minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

AS_OF = date(2025, 12, 31)
START = date(2020, 1, 1)
CHUNK = 500_000
MEAN_PURCHASES = 7.0


# --- the base ---------------------------------------------------------------------------------


def _decimal_cents(cents):
    """A pyarrow decimal(12, 2) array from non-negative int64 cents, without a Python loop."""
    import numpy as np
    import pyarrow as pa

    words = np.zeros((len(cents), 2), dtype=np.int64)  # 128-bit little-endian: low, high
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(words)])


def _ids(index):
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_lpad(pc.cast(pa.array(index), pa.string()), 9, "0")
    return pc.binary_join_element_wise("m", text, "")


def _dates(ordinals):
    import numpy as np
    import pyarrow as pa

    epoch = date(1970, 1, 1).toordinal()
    return pa.array((ordinals - epoch).astype(np.int32), pa.date32())


def generate(out: Path, members: int, seed: int) -> dict[str, int]:
    """Write the base as Parquet parts under `out`; return the counts."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    (out / "members").mkdir(parents=True, exist_ok=True)
    (out / "transactions").mkdir(parents=True, exist_ok=True)
    start, end = START.toordinal(), AS_OF.toordinal()
    total = 0
    for part, first in enumerate(range(0, members, CHUNK)):
        n = min(CHUNK, members - first)
        rng = np.random.default_rng([seed, part])
        joined = rng.integers(start, end + 1, n)
        leaves = rng.random(n) < 0.35
        left = joined + np.floor(rng.random(n) * (end - joined + 1)).astype(np.int64)
        last = np.where(leaves, left, end)
        counts = rng.poisson(MEAN_PURCHASES, n)
        owner = np.repeat(np.arange(n), counts)
        span = (last - joined + 1)[owner]
        days = joined[owner] + np.floor(rng.random(len(owner)) * span).astype(np.int64)
        cents = np.round(rng.lognormal(8.0, 0.6, len(owner))).astype(np.int64)  # about 30.00
        left_array = pa.array(
            np.where(leaves, left - date(1970, 1, 1).toordinal(), 0).astype(np.int32),
            pa.date32(),
            mask=~leaves,
        )
        pq.write_table(
            pa.table(
                {
                    "member_id": _ids(first + np.arange(n)),
                    "joined_on": _dates(joined),
                    "left_on": left_array,
                }
            ),
            out / "members" / f"part-{part:04d}.parquet",
        )
        pq.write_table(
            pa.table(
                {
                    "member_id": _ids(first + owner),
                    "on": _dates(days),
                    "amount": _decimal_cents(cents),
                }
            ),
            out / "transactions" / f"part-{part:04d}.parquet",
        )
        total += len(owner)
    return {"members": members, "transactions": total}


# --- the engines (each in its own child process) ----------------------------------------------


def _policy():
    from mteam.membership.analysis import MembershipPolicy
    from mteam.money import USD

    return MembershipPolicy(currency=USD, models="contractual")


def _timed(members, sales, write, *, score: bool) -> dict[str, float]:
    """The wall time of `frames.analyse`, and with `score` of `frames.score` written by `write`."""
    from mteam.membership import frames

    times = {}
    begin = time.perf_counter()
    result = frames.analyse(members, sales, AS_OF, _policy())
    times["analyse_s"] = time.perf_counter() - begin
    times["members"] = result.members
    if score:
        begin = time.perf_counter()
        write(frames.score(members, sales, AS_OF, _policy(), cuts=result.rfm_cuts))
        times["score_s"] = time.perf_counter() - begin
    return times


def _run_spark(data: Path, score: bool, memory: str, _partitions: int) -> dict[str, float]:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("mteam-scale")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "16")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    members = spark.read.parquet(str(data / "members"))
    sales = spark.read.parquet(str(data / "transactions"))
    times = _timed(
        members,
        sales,
        lambda out: out.write.mode("overwrite").parquet(str(data / "scores-spark")),
        score=score,
    )
    spark.stop()
    return times


def _run_dask(data: Path, score: bool, memory: str, partitions: int) -> dict[str, float]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, memory_limit=memory, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        members = dd.read_parquet(str(data / "members"), dtype_backend="pyarrow")
        sales = dd.read_parquet(str(data / "transactions"), dtype_backend="pyarrow")
        if partitions:  # at most 15: Dask 2026.8 fails to plan a join after a shuffled group-by
            members = members.repartition(npartitions=min(partitions, members.npartitions))
            sales = sales.repartition(npartitions=min(partitions, sales.npartitions))
        return _timed(
            members, sales, lambda out: out.to_parquet(str(data / "scores-dask")), score=score
        )


# --- memory sampling --------------------------------------------------------------------------


def _kind(proc) -> str:
    try:
        name = proc.name()
        cmd = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - a process that ended while we looked
        return "other"
    if "java" in name:
        return "jvm"
    if ("pyspark" in cmd and "daemon" in cmd) or "pyspark.worker" in cmd:
        return "python-workers"
    if "distributed" in cmd or "multiprocessing" in cmd:
        return "dask-workers"
    return "other"


def _sample(pid: int, peaks: dict[str, int], stop: threading.Event) -> None:
    import psutil

    root = psutil.Process(pid)
    while not stop.is_set():
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        by_kind: dict[str, int] = {}
        for proc in tree:
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            kind = "driver" if proc.pid == pid else _kind(proc)
            by_kind[kind] = by_kind.get(kind, 0) + rss
        for kind, rss in by_kind.items():
            peaks[kind] = max(peaks.get(kind, 0), rss)
        peaks["total"] = max(peaks.get("total", 0), sum(by_kind.values()))
        stop.wait(0.2)


def _measure(args: argparse.Namespace, engine: str) -> dict[str, object]:
    cmd = [sys.executable, __file__, str(args.dir), "--child", engine, "--memory", args.memory]
    cmd += ["--partitions", str(args.partitions)]
    if args.score:
        cmd.append("--score")
    peaks: dict[str, int] = {}
    stop = threading.Event()
    begin = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=_sample, args=(child.pid, peaks, stop), daemon=True)
    sampler.start()
    out, _ = child.communicate()
    wall = time.perf_counter() - begin
    stop.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{engine} failed (exit {child.returncode})")
    times = json.loads(out.strip().splitlines()[-1])
    return {
        "engine": engine,
        "wall_s": wall,
        **times,
        "peak_mb": {k: v >> 20 for k, v in peaks.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="a scratch directory for the Parquet base")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="spark", help="spark, dask or spark,dask")
    parser.add_argument("--memory", default="8g", help="Spark's driver heap; each Dask worker's")
    parser.add_argument("--score", action="store_true", help="also write the scores to Parquet")
    parser.add_argument(
        "--partitions", type=int, default=15, help="Dask: at most this many partitions (0: as read)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run = {"spark": _run_spark, "dask": _run_dask}[args.child]
        print(json.dumps(run(args.dir, args.score, args.memory, args.partitions)))
        return
    stamp = args.dir / "base.json"
    wanted = {"members": args.members, "seed": args.seed}
    if not stamp.exists() or json.loads(stamp.read_text())["wanted"] != wanted:
        begin = time.perf_counter()
        counts = generate(args.dir, args.members, args.seed)
        stamp.write_text(json.dumps({"wanted": wanted, "counts": counts}))
        print(f"generated {counts} in {time.perf_counter() - begin:.0f} s")
    counts = json.loads(stamp.read_text())["counts"]
    size = sum(f.stat().st_size for f in args.dir.glob("*/part-*.parquet")) >> 20
    print(
        f"base: {counts['members']:,} members, {counts['transactions']:,} transactions, "
        f"{size:,} MB of Parquet; {os.cpu_count()} cores"
    )
    for engine in args.engines.split(","):
        print(json.dumps(_measure(args, engine)), flush=True)


if __name__ == "__main__":
    main()
