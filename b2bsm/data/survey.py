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

import numpy as np
import pandas as pd

from b2bsm._checks import seed_value
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
from b2bsm.data.survey_schema import RESOURCE, _fields
from b2bsm.data.survey_targets import (  # noqa: F401  (the targets, re-exported for older code)
    _CUSTOMER_SOME_USE_40,
    _CUSTOMER_SOME_USE_LOW,
    _PAIR_P,
    _PAIRS,
    _PARTNER_SKIPPERS,
    _PARTNER_SOME_USE_HIGH,
    _PARTNER_VERY_MUCH_15,
    _SIZE_TURNOVER,
    _TAU_AIM,
    _UNPRINTED_PAIRS,
    CUSTOMER_ACTIVE,
    CUSTOMER_TOOL_COUNTS,
    DEFAULT_SEED,
    EXTERNAL_BY_TURNOVER,
    INDUSTRY_COUNTS,
    N_FIRMS,
    PARTNER_TOOL_COUNTS,
    POSITION_COUNTS,
    TABLE2_COUNTS,
    TABLE3,
    TABLE3_P,
    TABLE4,
    TABLE4_P,
    TABLE5,
    TABLE6,
    TAU_TOLERANCE,
)
from b2bsm.data.survey_tau import _fit_tau, _s_window, p_window, tau_b_scale  # noqa: F401


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
    """The survey as stored in the CSV: integer codes, missing as ``<NA>``.

    See Also
    --------
    generate_survey : the same table, typed.
    """
    return _survey_codes(seed_value(seed))


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

    See Also
    --------
    load_survey : the shipped survey (this with the default seed).
    b2bsm.data.fidelity_report : how faithful a survey is to the paper.

    References
    ----------
    Jussila, J. J., Kärkkäinen, H., & Aramo-Immonen, H. (2014). Social media utilization in
        business-to-business relationships of technology industry firms. *Computers in Human
        Behavior*, 30, 606-613.

    Examples
    --------
    >>> from b2bsm.data import generate_survey
    >>> df = generate_survey(seed=42)
    >>> df["industry"].value_counts()["Undefined"]
    np.int64(5)
    """
    return apply_schema(build_table(seed), schema=RESOURCE["schema"])


def load_survey() -> pd.DataFrame:
    """Load the shipped survey (``data/survey_b2b_2011.csv``), verified and typed.

    The file's sha256 is checked against ``data/datapackage.json``; a modified
    file raises :class:`b2bsm.data.DataIntegrityError` with the fix.

    See Also
    --------
    generate_survey : another set of firms, equally faithful.
    b2bsm.codebook.column_groups : the columns by topic.

    References
    ----------
    Jussila et al. (2014), as cited in :func:`generate_survey`.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> survey = load_survey()
    >>> survey.shape
    (125, 92)
    """
    return read_resource("survey_b2b_2011")
