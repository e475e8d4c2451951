"""Random student ids of varied formats, from a fixed seed (never sequential).

Used by the property tier (``tests/test_every_id.py``) and the answer probes: the
ids mix digits, letters, dashes, spaces, upper case and non-ASCII letters, the way
real rosters do, so that a parameter choice that breaks on some dataset is found.

>>> ids = random_ids(5)
>>> len(ids), len(set(ids)), ids == random_ids(5)
(5, 5, True)
"""

from __future__ import annotations

import os

import numpy as np

#: How many random ids the property tier runs per set (``make test``: 200; ``make
#: test-full`` sets ``B2BSM_ID_PROBES=1000``).
DEFAULT_PROBES = 200
#: Ids per set in ``make test-full``.
FULL_PROBES = 1000
PROBES_ENV = "B2BSM_ID_PROBES"
SEED = 20260424

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_UNICODE = "äöüåéèçñøßłžšąęğışţ中文学生ИвановΣπύρος"
_FORMATS = ("digits", "s+digits", "letters-digits", "dashed", "unicode", "email", "mixed")


def probe_count() -> int:
    """The number of ids to probe: ``$B2BSM_ID_PROBES``, else 1,000 in ``make test-full``
    (``B2BSM_FULL=1``), else 200."""
    raw = os.environ.get(PROBES_ENV, "").strip()
    if not raw:
        return FULL_PROBES if os.environ.get("B2BSM_FULL", "") not in ("", "0") else DEFAULT_PROBES
    try:
        count = int(raw)
    except ValueError:
        raise ValueError(f"{PROBES_ENV} must be a whole number of ids; got {raw!r}.") from None
    if count < 1:
        raise ValueError(f"{PROBES_ENV} must be at least 1; got {count}.")
    return count


def _one(rng: np.random.Generator) -> str:
    kind = _FORMATS[int(rng.integers(len(_FORMATS)))]
    digits = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(4, 10))))
    word = "".join(rng.choice(list(_LETTERS), int(rng.integers(2, 8))))
    if kind == "digits":
        return digits
    if kind == "s+digits":
        return ("S" if rng.random() < 0.5 else "s") + digits
    if kind == "letters-digits":
        return word.upper() + digits[:4]
    if kind == "dashed":
        return f"{digits[:3]}-{word}-{digits[3:]}"
    if kind == "unicode":
        return "".join(rng.choice(list(_UNICODE), int(rng.integers(2, 6)))) + digits[:3]
    if kind == "email":
        return f"{word}.{digits[:2]}@uni.example"
    return f" {word.title()}_{digits} "


def random_ids(count: int, seed: int = SEED) -> list[str]:
    """``count`` distinct ids of mixed formats drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        found.setdefault(_one(rng), None)
    return list(found)
