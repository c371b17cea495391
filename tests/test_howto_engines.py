"""The scale-out how-tos run as written: each page's Python blocks, in order, as one program.

Each page runs in a fresh interpreter (its own SparkSession or LocalCluster, started and ended
as a reader's would be), and its own `assert`s check the results against the pure path: the
frames path equal to `analyse`, the folded partition summaries equal to the single-process
summaries. Where an engine is not installed the page is skipped, except in CI.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGES = {
    "docs/how-to/run-on-spark.md": (("pyspark", "pyarrow"), True),
    "docs/how-to/run-on-dask.md": (("dask", "distributed", "pyarrow"), False),
}


def program(page: str) -> str:
    return "\n".join(BLOCK.findall((ROOT / page).read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_has_code_for_each_step(page):
    code = program(page)
    # the frames path, the scores written back, and the records path's fold, each checked
    assert "frames.analyse(" in code
    assert "frames.score(" in code
    assert "== analyse(members, sales, AS_OF, policy)" in code
    assert ("treeAggregate(" if "spark" in page else ".fold(") in code
    assert "== summarise(members, sales, AS_OF)" in code
    assert "== repeat_summary(sales, calibration_end=AS_OF)" in code


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_runs_as_written(page, require_engine, tmp_path):
    modules, java = PAGES[page]
    require_engine(*modules, java=java)
    # `python -c`: no main file for Dask's spawned workers to re-run; a scratch working dir
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(  # noqa: S603 - this interpreter, the page's own code
        [sys.executable, "-c", program(page)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("300 ")  # result.members, result.current_members, the segments
    assert lines[-1].startswith("300 ")  # the folded summaries: 300 members, and the buyers
