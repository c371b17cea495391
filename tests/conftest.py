"""Hypothesis profiles, and the dataframe engines' session-wide fixtures.

Profiles: `dev` (fast, the default), `ci` (more examples, derandomised), `fuzz`.
`.ci/run` sets `HYPOTHESIS_PROFILE=ci`; `CI` being set selects it too.
"""

import importlib.util
import os
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None)
# the long run of the document fuzzer (tests/test_fuzz_documents.py), asked for by name
settings.register_profile("fuzz", parent=settings.get_profile("ci"), max_examples=5000)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# --- the dataframe engines: one Spark session and one Dask cluster for the whole run ----------
#
# The suite runs on every core (pytest-xdist, `-n auto --dist loadgroup` in pyproject.toml).
# Each worker is a process with its own session-wide fixtures, so the tests of one engine are
# kept on one worker: one JVM for Spark and one LocalCluster for Dask in the whole run, not one
# per worker. The two groups are the largest, so they start first, on different workers; the
# rest of the suite fills the gaps test by test.
#
# An engine that is not installed is skipped, except in CI (`CI` set, as `.ci/run` does), where
# every engine must run: a missing one fails the test that needs it instead of passing quietly.


def missing_engine(*modules: str, java: bool = False) -> str | None:
    """Why these engine modules (and Java, for Spark) cannot run here, or None when they can."""
    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        return f"{', '.join(absent)} not installed (the `tests` dependency group has it)"
    if java and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Spark needs Java 17 (java on PATH or JAVA_HOME), found neither"
    return None


def require_engine(*modules: str, java: bool = False) -> None:
    """Skip the calling test when an engine cannot run here; fail instead in CI."""
    reason = missing_engine(*modules, java=java)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs every engine: {reason}")
        pytest.skip(reason)


@pytest.fixture(name="require_engine", scope="session")
def require_engine_fixture() -> object:
    """`require_engine(*modules, java=False)` for a test's body (skips, or fails in CI)."""
    return require_engine


def spark_builder() -> object:
    """The local SparkSession's settings for many tiny queries (the docs' examples use theirs).

    Two cores and two shuffle partitions (a shuffle still spans partitions), no UI and no
    progress bar, the session time zone UTC (dates never shift), Arrow conversions off (rows
    travel as plain Python values), no adaptive re-planning (nothing to coalesce), and the
    JVM's quick compiler only: the JIT's second tier costs more CPU than a test run wins back.
    """
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only where Spark is installed

    return (
        SparkSession.builder.master("local[2]")
        .appName("mteam-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    )


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """The run's one local SparkSession (started on first use, stopped at the end)."""
    require_engine("pyspark", java=True)
    session = spark_builder().getOrCreate()  # type: ignore[attr-defined]
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[object]:
    """The run's one `distributed.LocalCluster`: one in-process worker with two threads.

    In-process (no worker processes to start) keeps its cost per compute small; the how-to's
    test runs Dask with worker processes, as a user's cluster does.
    """
    require_engine("dask", "distributed")
    from distributed import Client, LocalCluster  # noqa: PLC0415 - (same, Dask)

    # the scheduler's HTTP server on a free port (":0"): None still tries 8787, and a port in
    # use (another cluster on the machine) is a warning, an error under the test settings
    cluster = LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


ENGINE_GROUPS = ("spark", "dask")  # a test whose id names the engine runs in its group


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each engine's tests in one `xdist_group` (a no-op without pytest-xdist)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        nodeid = item.nodeid.lower()
        group = next((g for g in ENGINE_GROUPS if g in nodeid), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
