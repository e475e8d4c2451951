"""`import b2bsm` stays cheap: heavy libraries load only when a lesson uses them.

No timing assertions here (timings on shared machines are noisy); the speed
budget itself is measured by benchmarks/speed.py.  What can be asserted
exactly is *which* modules an import pulls in.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["scipy", "statsmodels", "matplotlib", "seaborn", "ipywidgets"]


def _loaded_after(statement: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "statement",
    [
        "import b2bsm",
        "import b2bsm.data",
        "from b2bsm.data import load_survey; load_survey()",
        "from b2bsm.data import load_posts; load_posts()",
    ],
)
def test_import_does_not_load_heavy_libraries(statement):
    assert _loaded_after(statement) == []


def test_lazy_submodules_load_on_first_use():
    code = (
        "import b2bsm, sys\n"
        "before = 'b2bsm.stats' in sys.modules\n"
        "b2bsm.stats.kendall_table\n"
        "print(before, 'b2bsm.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
