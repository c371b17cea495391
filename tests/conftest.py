"""Hypothesis profiles: `dev` (fast, the default), `ci` (more examples, derandomised), `fuzz`.

`.ci/run` sets `HYPOTHESIS_PROFILE=ci`; `CI` being set selects it too.
"""

import os

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
