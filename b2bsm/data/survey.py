"""The synthetic survey of 125 Finnish B2B technology firms.

Jussila, Kärkkäinen & Aramo-Immonen (2014) surveyed social media use in B2B
firms of the Finnish technology industry in May 2011 and published aggregate
tables only.  This module *generates* a respondent-level dataset whose
statistics reproduce those tables (see :mod:`b2bsm.data.fidelity` and
``data/README.md`` for every target and every known deviation).  No row
describes a real firm.

The generator works in three stages, each driven by one seeded
:class:`numpy.random.Generator`:

1. **Firm profile and adoption.**  Industry, turnover and size margins are
   fixed to Table 1; the 16 external users (none of them large firms), the 36
   internal users and the per-industry Table 2 counts are placed exactly.
2. **Items.**  Tool use (lower with partners than with customers in every
   category), business-function use and potential (no function outside
   Table 5 rated highly by a third of the external users), barriers.  Item
   non-response is drawn so that pairwise deletion yields the printed Ns.
3. **Correlations.**  For each use/potential pair a local search swaps
   potential answers between firms (which keeps every margin) until
   Kendall's tau-b is within 0.002 of the printed coefficient and its p-value
   rounds to the printed one; margins are redrawn until both can hold.

Examples
--------
>>> from b2bsm.data import load_survey, generate_survey
>>> survey = load_survey()                      # the shipped file, verified
>>> variant = generate_survey(seed=7)           # another, equally faithful firm set
>>> survey.shape == variant.shape
True
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from b2bsm.codebook import (  # noqa: F401  (the codebook, re-exported for older code)
    BARRIERS,
    CUSTOMER_FUNCTIONS,
    IMPORTANCE_LABELS,
    INDUSTRIES,
    INTERFACES,
    OVERALL_USE,
    PARTNER_FUNCTIONS,
    POSITIONS,
    POTENTIAL_LABELS,
    SIZES,
    TOOLS,
    TURNOVER,
    USE_LABELS,
    column_groups,
    function_columns,
    likert_codes,
    tool_column,
)
from b2bsm.data._package import apply_schema, read_resource

DEFAULT_SEED = 2011
N_FIRMS = 125
#: Largest allowed distance between a reproduced and a printed Kendall tau-b.
TAU_TOLERANCE = 0.005
_TAU_AIM = 0.002

# --------------------------------------------------------------------------
# Margins of Table 1 (the labels and scales are in b2bsm.codebook)
# --------------------------------------------------------------------------
INDUSTRY_COUNTS = [70, 19, 11, 9, 11, 5]
POSITION_COUNTS = [83, 22, 9, 7, 3, 1]

#: Joint size x turnover counts (a documented modelling choice: the paper
#: prints the two margins only).  ``None`` = turnover not reported.
_SIZE_TURNOVER = [
    (0, 0, 17),
    (0, 1, 35),
    (0, 2, 8),
    (1, 1, 7),
    (1, 2, 34),
    (1, 3, 6),
    (1, None, 1),
    (2, 2, 2),
    (2, 3, 15),
]

# --------------------------------------------------------------------------
# Targets taken from the paper (see data/jussila2014_published_tables.json)
# --------------------------------------------------------------------------
#: Table 2 as counts of firms with at least moderate use (internal, customer,
#: partner).  Three printed percentages are impossible for their n; the
#: counts here are the consistent reading (see data/README.md).
TABLE2_COUNTS = {
    "Metal products and machinery": (12, 3, 2),
    "Electronics and electricity": (9, 4, 5),
    "Business planning and consulting": (4, 0, 3),
    "Refining of metals": (4, 1, 1),
    "Other": (6, 1, 1),
    "Undefined": (1, 0, 0),
}
#: External users per turnover class, the coding for which the likelihood-ratio
#: chi-square on the 4 x 2 table is 2.62 (with none of them a large firm, the
#: Yates-corrected chi-square for SME vs large is 1.71).
EXTERNAL_BY_TURNOVER = (2, 5, 8, 1)
#: Customer-interface tools used at least moderately (firms out of 125).
CUSTOMER_TOOL_COUNTS = {"sns": 11, "forums": 6, "blogs": 4, "microblogs": 4}
#: "About 5 %" each; forums at 5 firms (4.0 %) so that partner use stays below
#: customer use (6 firms) in this category too.
PARTNER_TOOL_COUNTS = {"sns": 6, "forums": 5}
#: Pairwise Ns and tau-b of Tables 3 and 4.
TABLE3 = {
    "marketing": (0.519, 116),
    "communications": (0.480, 116),
    "customer_needs": (0.468, 113),
    "sales_support": (0.431, 116),
    "thought_leadership": (0.401, 115),
    "customer_leads": (0.397, 114),
    "customer_service": (0.339, 116),
    "rnd_participation": (0.309, 115),
}
TABLE4 = {
    "network_management": (0.398, 114),
    "change_management": (0.384, 110),
    "collaboration": (0.363, 114),
    "project_communication": (0.327, 114),
    "general_communication": (0.310, 111),
    "project_efficiency": (0.296, 112),
    "best_practices": (0.292, 109),
    "induction": (0.276, 111),
    "tacit_knowledge": (0.248, 111),
    "expert_knowhow": (0.249, 109),
    "preserving_information": (0.178, 113),
}
#: Items not in Tables 3-4: a tau and N of our choosing, typical of the rest.
_UNPRINTED_PAIRS = {"product_demos": (0.33, 115), "employer_branding": (0.45, 116)}
#: Two-sided p-values of Table 3 as printed (three decimals).  Thought
#: leadership's printed 0.401 repeats its coefficient; its p is below 0.0005.
TABLE3_P = dict.fromkeys(TABLE3, 0.0)
#: Two-sided p-values of Table 4 as printed, except tacit knowledge: its
#: printed 0.001 needs about half the firms to use social media with partners
#: for that function at least a little, but the paper says only two of eleven
#: partner items (not this one) are used by more than 20 %.  0.003 is the
#: nearest value the printed statements allow (data/README.md,
#: ``fidelity.smallest_kendall_p``).
TABLE4_P = {
    "network_management": 0.0,
    "change_management": 0.0,
    "collaboration": 0.0,
    "project_communication": 0.0,
    "general_communication": 0.0,
    "project_efficiency": 0.0,
    "best_practices": 0.001,
    "induction": 0.001,
    "tacit_knowledge": 0.003,
    "expert_knowhow": 0.003,
    "preserving_information": 0.033,
}
_PAIRS = {("customer", k): v for k, v in {**TABLE3, **_UNPRINTED_PAIRS}.items()}
_PAIRS.update({("partner", k): v for k, v in TABLE4.items()})
_PAIR_P = {("customer", k): v for k, v in TABLE3_P.items()}
_PAIR_P.update({("partner", k): v for k, v in TABLE4_P.items()})
#: Table 5: (numerator, denominator) among the 16 external users.
TABLE5 = {
    ("customer", "employer_branding"): (9, 16),
    ("partner", "general_communication"): (7, 15),
    ("customer", "communications"): (7, 16),
    ("customer", "sales_support"): (7, 16),
    ("partner", "project_communication"): (6, 15),
    ("customer", "customer_needs"): (6, 16),
    ("partner", "project_efficiency"): (5, 14),
    ("customer", "marketing"): (5, 15),
}
#: Table 6: (very important n, answering firms).  Three printed percentages
#: are impossible for their n; see data/README.md.
TABLE6 = {
    "other_priorities": (67, 118),
    "cannot_evaluate_benefits": (64, 117),
    "no_case_studies": (54, 118),
    "not_understanding_possibilities": (51, 118),
    "lack_of_resources": (49, 117),
    "adoption_difficulties": (42, 117),
    "information_security": (39, 118),
    "no_need": (39, 118),
}
#: Customer functions: firms using actively or very actively (code >= 4).
CUSTOMER_ACTIVE = {
    "employer_branding": 5,
    "communications": 4,
    "sales_support": 4,
    "rnd_participation": 4,
}
_CUSTOMER_SOME_USE_40 = ("communications", "marketing", "employer_branding")
_CUSTOMER_SOME_USE_LOW = ("product_demos", "customer_service", "rnd_participation")
_PARTNER_SOME_USE_HIGH = ("collaboration", "general_communication")
_PARTNER_VERY_MUCH_15 = ("collaboration", "general_communication", "change_management")
_PARTNER_SKIPPERS = 8  # firms that left the whole partner block empty


# --------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------
# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------
def _cat_field(name: str, title: str, labels: list[str], description: str) -> dict:
    return {
        "name": name,
        "title": title,
        "type": "integer",
        "description": description,
        "categories": [{"value": i + 1, "label": lab} for i, lab in enumerate(labels)],
        "categoriesOrdered": True,
        "constraints": {"minimum": 1, "maximum": len(labels)},
    }


def _fields() -> list[dict]:
    fields: list[dict] = [
        {
            "name": "firm_id",
            "title": "Firm identifier",
            "type": "string",
            "description": "Synthetic firm identifier (F001-F125); no link to any real firm.",
            "constraints": {"required": True, "unique": True, "pattern": "F[0-9]{3}"},
        },
        {
            "name": "industry",
            "title": "Industry",
            "type": "integer",
            "description": "Industry class of the Federation of Finnish Technology Industries.",
            "categories": [{"value": i + 1, "label": lab} for i, lab in enumerate(INDUSTRIES)],
            "categoriesOrdered": False,
            "constraints": {"required": True},
        },
        _cat_field(
            "turnover",
            "Sales turnover",
            TURNOVER,
            "Annual sales turnover class (EUR). One firm did not report it.",
        ),
        _cat_field(
            "size",
            "Firm size (employees)",
            SIZES,
            "Number of employees: small < 50, medium 50-250, large > 250.",
        ),
        {
            "name": "position",
            "title": "Respondent's position",
            "type": "integer",
            "description": "Organisational function of the person who answered.",
            "categories": [{"value": i + 1, "label": lab} for i, lab in enumerate(POSITIONS)],
            "categoriesOrdered": False,
        },
    ]
    for col, where in zip(OVERALL_USE, INTERFACES.values(), strict=True):
        fields.append(
            _cat_field(
                col,
                f"Overall social media use {where}",
                USE_LABELS,
                f"How actively the firm uses social media {where} (Table 2).",
            )
        )
    for interface, where in INTERFACES.items():
        for tool, label in TOOLS.items():
            fields.append(
                _cat_field(
                    tool_column(interface, tool),
                    f"Use of {label} {where}",
                    USE_LABELS,
                    f"How actively the firm uses {label} {where}.",
                )
            )
    for interface, items in (("customer", CUSTOMER_FUNCTIONS), ("partner", PARTNER_FUNCTIONS)):
        where = INTERFACES[interface]
        for item, label in items.items():
            use, pot = function_columns(interface, item)
            fields.append(
                _cat_field(
                    use,
                    f"Use for {label} ({interface})",
                    USE_LABELS,
                    f"How actively social media is used for {label} {where}.",
                )
            )
            fields.append(
                _cat_field(
                    pot,
                    f"Potential for {label} ({interface})",
                    POTENTIAL_LABELS,
                    f"Perceived potential of social media for {label} {where}.",
                )
            )
    for barrier, label in BARRIERS.items():
        fields.append(
            _cat_field(
                f"barrier_{barrier}",
                f"Barrier: {label}",
                IMPORTANCE_LABELS,
                f"Importance of '{label}' as a reason for not using social media.",
            )
        )
    return fields


RESOURCE: dict[str, Any] = {
    "path": "survey_b2b_2011.csv",
    "title": "Social media use in 125 Finnish B2B technology firms (SYNTHETIC, 2011 survey)",
    "description": (
        "Synthetic respondent-level reconstruction of the May 2011 survey analysed by "
        "Jussila, Karkkainen & Aramo-Immonen (2014). Generated by b2bsm.data.survey so that "
        "its statistics reproduce the paper's printed tables; it contains no record of any "
        "real firm. Item non-response is stored as empty cells. See data/README.md."
    ),
    "synthetic": True,
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
    "sources": [
        {
            "title": (
                "Jussila, J. J., Karkkainen, H., & Aramo-Immonen, H. (2014). Social media "
                "utilization in business-to-business relationships of technology industry "
                "firms. Computers in Human Behavior, 30, 606-613."
            ),
            "path": "https://doi.org/10.1016/j.chb.2013.07.047",
        }
    ],
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
    "generator": f"b2bsm.data.survey.build_table (seed {DEFAULT_SEED})",
    "schema": {"fields": _fields(), "primaryKey": ["firm_id"], "missingValues": [""]},
}


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------
def _tie_sums(x: np.ndarray) -> tuple[float, float, float]:
    """Tie sums of one variable as in Kendall's variance of S (scipy's ``count_rank_tie``)."""
    _, c = np.unique(x, return_counts=True)
    c = c.astype(float)
    return (
        float((c * (c - 1) / 2).sum()),
        float((c * (c - 1) * (c - 2)).sum()),
        float((c * (c - 1) * (2 * c + 5)).sum()),
    )


def tau_b_scale(u: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Denominator of tau-b and standard deviation of S under independence, given ties.

    Both depend on the two margins only.  For any arrangement with numerator
    S (concordant minus discordant pairs), tau-b = S / denominator and the
    large-sample z of the two-sided p-value is S / sd, with the tie-corrected
    variance used by ``scipy.stats.kendalltau`` and R's ``cor.test`` (``exact = FALSE``).
    Their ratio therefore fixes which p-value a given tau-b can have.

    Examples
    --------
    >>> import numpy as np
    >>> denom, sd = tau_b_scale(np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3]))
    >>> round(denom, 3), round(sd, 3)
    (5.0, 2.614)
    """
    n = len(u)
    tot = n * (n - 1) / 2
    xt, x0, x1 = _tie_sums(u)
    yt, y0, y1 = _tie_sums(p)
    m = n * (n - 1.0)
    var = (m * (2 * n + 5) - x1 - y1) / 18 + 2 * xt * yt / m + x0 * y0 / (9 * m * (n - 2))
    return float(np.sqrt((tot - xt) * (tot - yt))), float(np.sqrt(var))


def p_window(printed: float) -> tuple[float, float]:
    """The p-values that round to a printed three-decimal p (``0.000`` = below 0.0005).

    Examples
    --------
    >>> p_window(0.033)
    (0.0325, 0.0335)
    >>> p_window(0.0)
    (0.0, 0.0005)
    """
    return (max(round(printed - 0.0005, 4), 0.0), round(printed + 0.0005, 4))


def _s_window(
    u: np.ndarray, p: np.ndarray, tau: float, p_printed: float | None
) -> tuple[int, int] | None:
    """Integer range of S that gives tau-b within _TAU_AIM of ``tau`` and the printed p."""
    denom, sd = tau_b_scale(u, p)
    lo, hi = (tau - _TAU_AIM) * denom, (tau + _TAU_AIM) * denom
    if p_printed is not None:
        p_lo, p_hi = p_window(p_printed)
        z = NormalDist().inv_cdf
        # p = 2 * (1 - Phi(S / sd)); keep clear of the rounding boundaries
        lo = max(lo, z(1 - p_hi / 2) * sd * (1 + 1e-7))
        if p_lo > 0:
            hi = min(hi, z(1 - p_lo / 2) * sd * (1 - 1e-7))
    lo_s, hi_s = math.ceil(lo), math.floor(hi)
    return (lo_s, hi_s) if lo_s <= hi_s else None


def _fit_tau(
    u: np.ndarray,
    p: np.ndarray,
    window: tuple[float, float],
    rng: np.random.Generator,
    locked: np.ndarray | None = None,
    fallback: tuple[float, float] | None = None,
) -> np.ndarray:
    """Swap values of ``p`` between units until S (the numerator of tau-b) is in ``window``.

    Swaps keep the margin of ``p`` and so the tau-b denominator and the
    variance of S; only S changes.  For a random unit ``a`` the change of S
    for swapping with every other unit is computed at once and the best
    partner is taken.  Where ``locked`` (a boolean group mask) is given, a
    swap across groups is allowed only when it keeps the number of values >= 4
    in each group.  ``fallback`` is a wider window accepted when the search
    stalls (heavily tied items move S in coarse steps).
    """
    p = p.astype(float).copy()
    n = len(u)
    lo, hi = window
    target_s = (lo + hi) / 2
    su = np.sign(u[:, None] - u[None, :])
    sp = np.sign(p[:, None] - p[None, :])
    row = (su * sp).sum(axis=1)
    s = row.sum() / 2
    best, since_best = abs(target_s - s), 0
    for _ in range(20 * n):
        if lo <= s <= hi:
            return p
        gap = target_s - s
        if abs(gap) < best:
            best, since_best = abs(gap), 0
        elif (since_best := since_best + 1) > 3 * n:  # stalled: these margins will not do
            break
        a = rng.integers(n)
        delta = sp @ su[a] + su @ sp[a] - row[a] - row
        ok = p != p[a]
        if locked is not None:
            ok &= (locked == locked[a]) | ((p >= 4) == (p[a] >= 4))
        miss = np.where(ok, np.abs(gap - delta), np.inf)
        b = int(np.argmin(miss))
        if miss[b] >= abs(gap):
            # no swap of this unit helps: step at random near the target, since
            # near it S can move only in coarse steps that greed alone would miss
            near = np.flatnonzero(miss <= abs(gap) + 4)
            if near.size == 0:
                continue
            b = int(rng.choice(near))
        p[a], p[b] = p[b], p[a]
        for j in (a, b):  # update the sign matrix and row sums for the two units
            old = sp[:, j].copy()
            sp[j, :] = np.sign(p[j] - p)
            sp[:, j] = -sp[j, :]
            row += su[:, j] * (sp[:, j] - old)
            row[j] = su[j] @ sp[j]
        s = row.sum() / 2
    if lo <= s <= hi or (fallback is not None and fallback[0] <= s <= fallback[1]):
        return p
    raise RuntimeError(f"could not move S into {window} with these margins")


def _draw_potential(rng, interface, item, use, pot_missing, use_missing, ext_firms):
    """Potential answers for one item: margin, link to use, Table 5 share, tau-b and p."""
    n = len(use)
    pot = np.full(n, np.nan)
    tau = _PAIRS[(interface, item)][0]
    t5 = TABLE5.get((interface, item))
    complete = np.setdiff1d(np.flatnonzero(~np.isnan(use)), pot_missing)
    n_pot = n - len(pot_missing) - (0 if interface == "customer" else len(use_missing))
    base = (
        np.array([0.25, 0.27, 0.25, 0.15, 0.08])
        if interface == "partner"
        else np.array([0.2, 0.24, 0.27, 0.19, 0.1])
    )
    probs = rng.dirichlet(base * 60)
    pot_counts = np.floor(probs * n_pot).astype(int)
    pot_counts[2] += n_pot - pot_counts.sum()
    if interface == "partner":
        if item in _PARTNER_VERY_MUCH_15:
            five = round(rng.uniform(0.14, 0.16) * n_pot)
        else:
            five = round(rng.uniform(0.04, 0.1) * n_pot)
        pot_counts[2] += pot_counts[4] - five
        pot_counts[4] = five
    # firms with potential answered (use may be missing for customer items)
    pot_firms = np.setdiff1d(np.arange(n), pot_missing)
    if interface == "partner":
        pot_firms = np.setdiff1d(pot_firms, use_missing)
    values = _levels_from_counts(list(pot_counts))  # descending
    u_key = np.nan_to_num(use[pot_firms], nan=1.0)
    score = 1.2 * u_key + rng.normal(scale=1.2, size=len(pot_firms))
    ranked = pot_firms[np.argsort(-score)]
    pot[ranked] = values
    ext_ans = np.intersect1d(pot_firms, ext_firms)
    if t5 is not None:  # exactly the printed number of external users
        k = t5[0]
    else:  # Table 5 lists every item that a third of them rate highly: stay below
        cap = -(-len(ext_ans) // 3) - 1
        k = min(int((pot[ext_ans] >= 4).sum()), cap - int(rng.integers(0, 3)))
    # exactly k of the external users see much or very much potential
    hi_vals = pot[pot_firms][pot[pot_firms] >= 4]
    lo_vals = pot[pot_firms][pot[pot_firms] < 4]
    if t5 is None:  # the others lean to "some", keeping use and potential linked
        lo_vals = np.sort(lo_vals)[::-1][: 2 * (len(ext_ans) - k)]
    ext_order = ext_ans[np.argsort(-(use[ext_ans] + rng.random(len(ext_ans))))]
    ext_vals = np.concatenate(
        [
            rng.choice(hi_vals, k, replace=False),
            np.sort(rng.choice(lo_vals, len(ext_ans) - k, replace=False))[::-1],
        ]
    )
    rest = pot_firms[~np.isin(pot_firms, ext_ans)]
    pool = list(pot[pot_firms])
    for v in ext_vals:
        pool.remove(v)
    pool = np.sort(np.array(pool))[::-1]
    rest_scores = 1.2 * np.nan_to_num(use[rest], nan=1.0) + rng.normal(scale=1.2, size=len(rest))
    pot[rest[np.argsort(-rest_scores)]] = pool
    pot[ext_order] = ext_vals
    printed_p = _PAIR_P.get((interface, item))
    window = _s_window(use[complete], pot[complete], tau, printed_p)
    if window is None:  # these margins cannot give the printed tau-b and p together
        raise RuntimeError(f"margins of {item} cannot give tau-b {tau} with p {printed_p}")
    fallback = None
    if printed_p is None:
        denom = tau_b_scale(use[complete], pot[complete])[0]
        fallback = ((tau - 0.9 * TAU_TOLERANCE) * denom, (tau + 0.9 * TAU_TOLERANCE) * denom)
    pot[complete] = _fit_tau(
        use[complete], pot[complete], window, rng, np.isin(complete, ext_firms), fallback
    )
    return pot


def _levels_from_counts(counts: list[int]) -> np.ndarray:
    """Sorted (descending) array of codes 5..1 from counts of codes 1..5."""
    return np.repeat(np.arange(len(counts), 0, -1), counts[::-1])


def _draw(rng: np.random.Generator, values, probs, size) -> np.ndarray:
    return rng.choice(np.asarray(values), size=size, p=np.asarray(probs) / np.sum(probs))


def _use_counts(rng, n: int, some_share: float, n_active: int, n_five: int, n_moderate: int):
    """Counts of codes 1..5 for a use item."""
    n_some = round(some_share * n)
    n_ge3 = n_active + n_moderate
    n_two = n_some - n_ge3
    return [n - n_some, n_two, n_moderate, n_active - n_five, n_five]


def _below(values: np.ndarray, reference: np.ndarray, rng) -> np.ndarray:
    """Move answers down one step until fewer firms than in ``reference`` reach each level.

    Levels 4 and 5 may tie with the reference; "a little or more" (2) and
    "moderately or more" (3) end strictly below it (3 already is by design).
    """
    values = values.copy()
    for level, strict in ((5, False), (4, False), (3, True), (2, True)):
        limit = int((reference >= level).sum()) - strict
        while (values >= level).sum() > max(limit, 0):
            firm = rng.choice(np.flatnonzero(values == level))
            values[firm] = level - 1
    return values


def _draw_use(rng, interface, item, n_pair, external, internal, partner_skippers):
    """Use answers of one business function, and who skips use and potential."""
    n = len(external)
    non_ext = np.flatnonzero(~external)
    use = np.full(n, np.nan)
    if interface == "customer":
        use_missing = rng.choice(non_ext, size=int(rng.integers(0, 2)), replace=False)
    else:
        use_missing = partner_skippers
    answered = np.setdiff1d(np.arange(n), use_missing)
    n_use = len(answered)
    if interface == "customer":
        if item in _CUSTOMER_SOME_USE_40:
            share = rng.uniform(0.38, 0.42)
        elif item in _CUSTOMER_SOME_USE_LOW:
            share = rng.uniform(0.12, 0.19)
        else:
            share = rng.uniform(0.22, 0.33)
        n_active = CUSTOMER_ACTIVE.get(item, int(rng.integers(1, 4)))
        n_five = int(rng.integers(0, 2)) if n_active > 1 else 0
        n_moderate = int(rng.integers(3, 8))
    else:
        high = item in _PARTNER_SOME_USE_HIGH
        share = rng.uniform(0.22, 0.3) if high else rng.uniform(0.13, 0.195)
        n_five = 2 if item == "network_management" else int(rng.integers(0, 2))
        n_active = n_five + int(rng.integers(0, 3))
        # answers spread over "a little" and "moderately": Table 4's p-values
        # need margins this spread (see _s_window)
        n_rest = round(share * n_use) - n_active
        n_moderate = int(rng.integers(2, max(3, (2 * n_rest) // 3 + 1)))
    counts = _use_counts(rng, n_use, share, n_active, n_five, n_moderate)
    # more engaged firms tend to report more use
    score = 1.5 * external[answered] + 0.6 * internal[answered] + rng.normal(size=n_use)
    use[answered[np.argsort(-score)]] = _levels_from_counts(counts)

    # potential: missing answers chosen so that pairwise N is exactly n_pair
    t5 = TABLE5.get((interface, item))
    ext_missing = 0 if t5 is None else int(external.sum()) - t5[1]
    n_pot_missing = n_use - n_pair
    ext_firms = np.flatnonzero(external)
    cand_ext = np.intersect1d(answered, ext_firms)
    cand_non = np.setdiff1d(answered, ext_firms)
    pot_missing = np.concatenate(
        [
            rng.choice(cand_ext, size=ext_missing, replace=False),
            rng.choice(cand_non, size=n_pot_missing - ext_missing, replace=False),
        ]
    )
    return use, use_missing, pot_missing


def _survey_codes(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_FIRMS
    cols: dict[str, np.ndarray] = {}

    # ---- firm profile -----------------------------------------------------
    size = np.concatenate([np.full(c, s) for s, _, c in _SIZE_TURNOVER])
    turnover = np.concatenate(
        [np.full(c, np.nan if t is None else t + 1.0) for _, t, c in _SIZE_TURNOVER]
    )
    order = rng.permutation(n)
    size, turnover = size[order], turnover[order]

    # external users: none large, EXTERNAL_BY_TURNOVER per turnover class
    external = np.zeros(n, bool)
    for t, k in enumerate(EXTERNAL_BY_TURNOVER):
        pool = np.flatnonzero((turnover == t + 1) & (size < 2))
        external[rng.choice(pool, size=k, replace=False)] = True

    # per-industry external / customer / partner split
    names = list(TABLE2_COUNTS)
    c_cnt = np.array([TABLE2_COUNTS[i][1] for i in names])
    p_cnt = np.array([TABLE2_COUNTS[i][2] for i in names])
    slots = np.repeat(np.arange(len(names)), np.minimum(c_cnt, p_cnt))
    overlap = np.bincount(
        rng.choice(slots, size=int(c_cnt.sum() + p_cnt.sum() - external.sum()), replace=False),
        minlength=len(names),
    )
    ext_per_ind = c_cnt + p_cnt - overlap
    ext_idx = rng.permutation(np.flatnonzero(external))
    industry = np.full(n, -1)
    customer = np.zeros(n, bool)
    partner = np.zeros(n, bool)
    start = 0
    for j, k in enumerate(ext_per_ind):
        firms = ext_idx[start : start + k]
        start += k
        industry[firms] = INDUSTRIES.index(names[j])
        roles = np.array(
            ["both"] * overlap[j]
            + ["customer"] * (c_cnt[j] - overlap[j])
            + ["partner"] * (p_cnt[j] - overlap[j])
        )
        roles = rng.permutation(roles)
        customer[firms] = np.isin(roles, ["both", "customer"])
        partner[firms] = np.isin(roles, ["both", "partner"])
    remaining = np.concatenate(
        [
            np.full(INDUSTRY_COUNTS[INDUSTRIES.index(nm)] - ext_per_ind[j], INDUSTRIES.index(nm))
            for j, nm in enumerate(names)
        ]
    )
    industry[~external] = rng.permutation(remaining)

    # internal users: all external users but one, topped up per industry
    internal = external.copy()
    internal[rng.choice(np.flatnonzero(external))] = False
    for nm in names:
        ind = INDUSTRIES.index(nm)
        need = TABLE2_COUNTS[nm][0] - int((internal & (industry == ind)).sum())
        pool = np.flatnonzero((industry == ind) & ~external)
        internal[rng.choice(pool, size=need, replace=False)] = True

    position = rng.permutation(np.repeat(np.arange(1, 7), POSITION_COUNTS))
    cols["industry"] = industry + 1
    cols["turnover"] = turnover
    cols["size"] = size + 1
    cols["position"] = position

    def user_level(mask, hi_p=(0.55, 0.3, 0.15), lo_p=(0.7, 0.3)):
        out = _draw(rng, [1, 2], lo_p, n)
        out[mask] = _draw(rng, [3, 4, 5], hi_p, int(mask.sum()))
        return out

    cols["use_internal"] = user_level(internal)
    cols["use_customer"] = user_level(customer, (0.6, 0.3, 0.1), (0.8, 0.2))
    cols["use_partner"] = user_level(partner, (0.6, 0.3, 0.1), (0.8, 0.2))

    # ---- tools -----------------------------------------------------------
    popularity = {
        "office": 0.5,
        "sns": 0.4,
        "wikis": 0.35,
        "forums": 0.3,
        "extranet": 0.25,
        "video": 0.2,
        "blogs": 0.2,
        "microblogs": 0.15,
        "presentations": 0.15,
        "photo": 0.1,
        "bookmarking": 0.05,
    }
    hi_internal = {t: internal & (rng.random(n) < popularity[t]) for t in TOOLS}
    none_yet = internal & ~np.any(np.column_stack(list(hi_internal.values())), axis=1)
    for firm in np.flatnonzero(none_yet):
        hi_internal[rng.choice(["office", "sns", "wikis"])][firm] = True
    for t in TOOLS:
        low = _draw(rng, [1, 2], (0.8, 0.2), n)
        low[internal] = _draw(rng, [1, 2], (0.5, 0.5), int(internal.sum()))
        cols[tool_column("internal", t)] = np.where(
            hi_internal[t], _draw(rng, [3, 4, 5], (0.55, 0.3, 0.15), n), low
        )

    ext_firms = np.flatnonzero(external)
    # customer tools: the four printed counts; every other category 1-3 firms
    # (below blogs and microblogs, the least used of the four the paper names)
    customer_k = {t: CUSTOMER_TOOL_COUNTS.get(t, int(rng.integers(1, 4))) for t in TOOLS}
    for t in TOOLS:
        if t == "sns":  # every customer user, plus 2 more external users
            chosen = np.concatenate(
                [
                    np.flatnonzero(customer),
                    rng.choice(np.flatnonzero(external & ~customer), 2, replace=False),
                ]
            )
        else:
            weights = np.where(customer[ext_firms], 2.0, 1.0)
            chosen = rng.choice(
                ext_firms, size=customer_k[t], replace=False, p=weights / weights.sum()
            )
        values = _draw(rng, [1, 2], (0.85, 0.15), n)
        values[external] = _draw(rng, [1, 2], (0.5, 0.5), int(external.sum()))
        values[chosen] = _draw(rng, [3, 4, 5], (0.65, 0.25, 0.1), len(chosen))
        cols[tool_column("customer", t)] = values
    # partner tools: "similar to customer interface, but in general used less in
    # each category": fewer firms at every level of the scale in every category
    for t in TOOLS:
        k = PARTNER_TOOL_COUNTS.get(t, int(rng.integers(0, customer_k[t])))
        weights = np.where(partner[ext_firms], 2.0, 1.0)
        chosen = rng.choice(ext_firms, size=k, replace=False, p=weights / weights.sum())
        values = _draw(rng, [1, 2], (0.9, 0.1), n)
        values[external] = _draw(rng, [1, 2], (0.6, 0.4), int(external.sum()))
        values[chosen] = _draw(rng, [3, 4, 5], (0.65, 0.25, 0.1), len(chosen))
        cols[tool_column("partner", t)] = _below(values, cols[tool_column("customer", t)], rng)

    # ---- business functions ------------------------------------------------
    non_ext = np.flatnonzero(~external)
    partner_skippers = rng.choice(non_ext, size=_PARTNER_SKIPPERS, replace=False)
    for (interface, item), (_tau, n_pair) in _PAIRS.items():
        # Redraw use margins when no potential margin gives the printed tau-b and p
        for _attempt in range(100):
            use, use_missing, pot_missing = _draw_use(
                rng, interface, item, n_pair, external, internal, partner_skippers
            )
            pot = None
            for _try in range(10):
                try:
                    pot = _draw_potential(
                        rng, interface, item, use, pot_missing, use_missing, ext_firms
                    )
                    break
                except RuntimeError:
                    continue
            if pot is not None:
                break
        else:
            raise RuntimeError(f"no answers reach the printed tau-b and p of {item}")
        use_col, pot_col = function_columns(interface, item)
        cols[use_col] = use
        cols[pot_col] = pot

    # ---- barriers ----------------------------------------------------------
    skip_all = rng.choice(n, size=7, replace=False)
    skip_some = rng.choice(np.setdiff1d(np.arange(n), skip_all))
    for barrier in BARRIERS:
        very, answered_n = TABLE6.get(barrier, (int(rng.integers(3, 7)), 117))
        missing = skip_all if answered_n == 118 else np.append(skip_all, skip_some)
        answered = rng.permutation(np.setdiff1d(np.arange(n), missing))
        values = np.full(n, np.nan)
        values[answered[:very]] = 4
        values[answered[very:]] = _draw(rng, [1, 2, 3], (0.2, 0.35, 0.45), answered_n - very)
        cols[f"barrier_{barrier}"] = values

    table = {"firm_id": [f"F{i:03d}" for i in range(1, n + 1)]}
    for field in _fields()[1:]:
        table[field["name"]] = pd.array(cols[field["name"]], dtype="float64").astype("Int64")
    return pd.DataFrame(table)


def build_table(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The survey as stored in the CSV: integer codes, missing as ``<NA>``."""
    return _survey_codes(_check_seed(seed))


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def generate_survey(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Generate a synthetic survey whose statistics reproduce the published tables.

    Parameters
    ----------
    seed : int, default 2011
        Seed of the one random generator behind every choice.  The default
        gives exactly the shipped ``data/survey_b2b_2011.csv``; any other seed
        gives a different set of firms, equally faithful to the paper (used for
        per-student exercise variants).

    Returns
    -------
    pandas.DataFrame
        125 rows, typed like :func:`load_survey`: answers are ordered
        categoricals labelled as in the codebook.

    Examples
    --------
    >>> from b2bsm.data import generate_survey
    >>> df = generate_survey(seed=42)
    >>> df["industry"].value_counts()["Undefined"]
    np.int64(5)
    """
    return apply_schema(build_table(seed), RESOURCE["schema"])


def load_survey() -> pd.DataFrame:
    """Load the shipped survey (``data/survey_b2b_2011.csv``), verified and typed.

    The file's sha256 is checked against ``data/datapackage.json``; a modified
    file raises :class:`b2bsm.data.DataIntegrityError` with the fix.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> survey = load_survey()
    >>> survey.shape
    (125, 92)
    """
    return read_resource("survey_b2b_2011")
