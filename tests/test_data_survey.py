"""The synthetic survey: fidelity to the paper, determinism, schema, integrity."""

from __future__ import annotations

import hashlib
import re
import shutil
import time

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from b2bsm._paths import data_dir
from b2bsm.data import (
    DataIntegrityError,
    build,
    fidelity_report,
    generate_survey,
    load_survey,
    published_tables,
    read_resource,
    resource,
)
from b2bsm.data import survey as sv
from b2bsm.data._package import write_table
from b2bsm.data.fidelity import smallest_kendall_p

#: The seeds the exercise tests use, and seeds like those derived from student ids
#: (b2bsm.exercises.session.variant_seed: the first 32 bits of a sha256).
VARIANT_SEEDS = [
    *range(30),
    *(int(hashlib.sha256(f"s{3000000 + i}".encode()).hexdigest()[:8], 16) for i in range(10)),
]


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_survey()


def _assert_faithful(df: pd.DataFrame) -> None:
    report = fidelity_report(df)
    bad = report.loc[~report["within_tolerance"], ["statistic", "target", "reproduced"]]
    assert bad.empty, f"targets missed:\n{bad.to_string()}"
    assert len(report) >= 147


def test_shipped_file_reproduces_every_target(shipped):
    _assert_faithful(shipped)


@pytest.mark.parametrize("seed", VARIANT_SEEDS)
def test_every_variant_seed_is_equally_faithful(seed):
    _assert_faithful(generate_survey(seed))


def _rows(report: pd.DataFrame, pattern: str) -> pd.DataFrame:
    rows = report[report["statistic"].str.contains(pattern, regex=True)]
    assert not rows.empty, f"the fidelity report has no row matching {pattern!r}"
    return rows


def test_report_checks_the_rankings_the_paper_states(shipped):
    report = fidelity_report(shipped)
    complete = _rows(report, r"^Table 5: functions not listed")
    assert complete["target"].tolist() == [0] and complete["reproduced"].tolist() == [0]
    lower = _rows(report, r"^Partner tools: categories used")
    assert len(lower) == 2 and (lower["reproduced"] == len(sv.TOOLS)).all()
    p_rows = _rows(report, r"^Table [34]: p \(3 decimals\)")
    assert len(p_rows) == len(sv.TABLE3) + len(sv.TABLE4)
    assert p_rows["within_tolerance"].all()


def test_no_unlisted_function_reaches_a_third_of_external_users(shipped):
    from b2bsm.data.fidelity import external_users

    experienced = shipped[external_users(shipped)]
    for interface, items in (
        ("customer", sv.CUSTOMER_FUNCTIONS),
        ("partner", sv.PARTNER_FUNCTIONS),
    ):
        for item in items:
            pot = sv.likert_codes(experienced[sv.function_columns(interface, item)[1]])
            share = (pot >= 4).sum() / pot.notna().sum()
            if (interface, item) in sv.TABLE5:
                assert share >= 1 / 3 - 1e-9, item
            else:
                assert share < 1 / 3, f"{item} ({interface}): {share:.1%} but not in Table 5"


def test_partner_use_is_below_customer_use_in_every_tool_category(shipped):
    for tool in sv.TOOLS:
        cust = sv.likert_codes(shipped[sv.tool_column("customer", tool)])
        part = sv.likert_codes(shipped[sv.tool_column("partner", tool)])
        for level in (2, 3):
            assert (part >= level).sum() < (cust >= level).sum(), (tool, level)
        for level in (4, 5):
            assert (part >= level).sum() <= (cust >= level).sum(), (tool, level)


def test_table4_p_values_round_to_the_printed_ones_except_tacit_knowledge(shipped):
    printed = {
        key: float(row["p"])
        for key, row in zip(
            sv.TABLE4, published_tables()["table4_kendall_partner_use_vs_potential"], strict=True
        )
    }
    differ = {k for k in sv.TABLE4 if sv.TABLE4_P[k] != printed[k]}
    assert differ == {"tacit_knowledge"}
    for item, target in sv.TABLE4_P.items():
        use, pot = sv.function_columns("partner", item)
        pair = shipped[[use, pot]].dropna()
        p = kendalltau(sv.likert_codes(pair[use]), sv.likert_codes(pair[pot])).pvalue
        assert round(p, 3) == target, (item, p)


def test_printed_tacit_knowledge_p_is_impossible_with_the_printed_use():
    # tau-b printed as 0.248 is below 0.2485; only 2 of 11 partner items (not this one) are
    # used by more than 20 % of the 117 firms that answered: at most 23 firms above the bottom
    max_users = int(0.20 * 117)
    assert max_users == 23 and (max_users + 1) / 117 > 0.20
    p, use, _ = smallest_kendall_p(0.2485, 111, max_users)
    assert p > 0.0015, "a p that prints as 0.001 would be possible"
    assert round(p, 4) == 0.0025 and use[0] == 111 - max_users
    # the search is not fooled by its start: random margins never do better
    rng = np.random.default_rng(0)
    for _ in range(300):
        u = rng.multinomial(max_users, rng.dirichlet(np.ones(4)))
        margin = [111 - max_users, *u]
        v = rng.multinomial(111, rng.dirichlet(np.ones(5)))
        x = np.repeat(np.arange(5), margin)
        y = np.repeat(np.arange(5), v)
        denom, sd = sv.tau_b_scale(x, y)
        assert 0.2485 * denom / sd <= 0.2485 * 12.1812 + 1e-9
    # about half the firms would have to use it for p to print as 0.001
    assert smallest_kendall_p(0.2485, 111, 60)[0] < 0.0015 < smallest_kendall_p(0.2485, 111, 50)[0]
    text = (data_dir() / "README.md").read_text(encoding="utf-8")
    assert "smallest_kendall_p(0.2485, 111, 23)" in text and "0.0025" in text


def test_tau_b_scale_gives_scipys_p_value():
    from statistics import NormalDist

    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(20, 120))
        u = rng.choice(5, n, p=[0.7, 0.15, 0.1, 0.04, 0.01]).astype(float)
        p = np.clip(u + rng.integers(-1, 3, n), 0, 4).astype(float)
        res = kendalltau(u, p)
        denom, sd = sv.tau_b_scale(u, p)
        s = res.statistic * denom
        assert 2 * NormalDist().cdf(-abs(s) / sd) == pytest.approx(res.pvalue, rel=1e-9)


def test_table1_turnover_slip_is_flagged(shipped):
    row = _rows(fidelity_report(shipped), r"^Table 1: turnover < EUR 2 m \(%\)").iloc[0]
    assert row["published"] == "13" and row["target"] == 14 and row["reproduced"] == 14
    assert "13.7 % of 124" in row["note"] and "13.6 % of 125" in row["note"]
    text = (data_dir() / "README.md").read_text(encoding="utf-8")
    assert re.search(r"Table 1, turnover < EUR 2 m \| 17 firms = 13 %", text)


def test_shipped_file_is_what_the_generator_writes(tmp_path):
    path = tmp_path / "survey.csv"
    write_table(sv.build_table(), path)
    assert path.read_bytes() == (data_dir() / "survey_b2b_2011.csv").read_bytes()


def test_generation_is_deterministic_and_seeds_differ():
    a, b = sv.build_table(5), sv.build_table(5)
    pd.testing.assert_frame_equal(a, b)
    c = sv.build_table(6)
    assert not a.equals(c)


def test_build_command_rewrites_byte_identical_files(tmp_path):
    shutil.copytree(data_dir(), tmp_path / "data")
    before = (tmp_path / "data" / "datapackage.json").read_bytes()
    build(tmp_path / "data", names=["survey_b2b_2011"])
    assert (tmp_path / "data" / "datapackage.json").read_bytes() == before
    assert (tmp_path / "data" / "survey_b2b_2011.csv").read_bytes() == (
        data_dir() / "survey_b2b_2011.csv"
    ).read_bytes()


def test_generation_is_fast_enough_for_per_student_variants():
    start = time.perf_counter()
    generate_survey(31337)
    assert time.perf_counter() - start < 10


def test_loaded_types_follow_the_schema(shipped):
    fields = resource("survey_b2b_2011")["schema"]["fields"]
    assert list(shipped.columns) == [f["name"] for f in fields]
    assert shipped["firm_id"].is_unique and len(shipped) == 125
    for f in fields:
        if "categories" in f:
            dtype = shipped[f["name"]].dtype
            assert isinstance(dtype, pd.CategoricalDtype)
            assert dtype.ordered == f["categoriesOrdered"]
            assert list(dtype.categories) == [c["label"] for c in f["categories"]]
    assert list(shipped["cust_use_marketing"].cat.categories) == sv.USE_LABELS
    assert (shipped["cust_use_marketing"] >= "moderately").sum() > 0


def test_every_field_is_documented():
    for f in resource("survey_b2b_2011")["schema"]["fields"]:
        assert f.get("title") and f.get("description"), f["name"]


def test_missing_values_are_real_missing_values(shipped):
    # pairwise deletion gives the printed Ns; listwise deletion would give fewer
    use, pot = sv.function_columns("customer", "customer_needs")
    assert shipped[[use, pot]].dropna().shape[0] == 113
    block = [c for c in shipped.columns if c.startswith(("cust_", "part_"))]
    assert shipped[block].dropna().shape[0] < 100


def test_likert_codes_match_scipy_tau_b(shipped):
    use, pot = sv.function_columns("customer", "marketing")
    pair = shipped[[use, pot]].dropna()
    tau = kendalltau(sv.likert_codes(pair[use]), sv.likert_codes(pair[pot])).statistic
    assert tau == pytest.approx(0.519, abs=0.005)


def test_external_users_are_sme_and_nearly_all_internal(shipped):
    from b2bsm.data.fidelity import external_users

    ext = external_users(shipped)
    assert ext.sum() == 16
    assert not (ext & (shipped["size"] == sv.SIZES[2])).any()
    internal = sv.likert_codes(shipped["use_internal"]) >= 3
    assert (ext & internal).sum() == 15


def test_tampered_file_is_refused(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    path = folder / "survey_b2b_2011.csv"
    raw = bytearray(path.read_bytes())
    raw[-2] = ord("3") if raw[-2] != ord("3") else ord("2")
    path.write_bytes(bytes(raw))
    with pytest.raises(DataIntegrityError, match=r"has been modified.*git checkout"):
        read_resource("survey_b2b_2011", folder)


def test_out_of_range_code_is_rejected_by_the_schema(tmp_path):
    table = sv.build_table()
    table.loc[0, "cust_use_marketing"] = 7
    with pytest.raises(ValueError, match=r"cust_use_marketing.*outside its categories"):
        sv.apply_schema(table, schema=sv.RESOURCE["schema"])


@pytest.mark.parametrize("bad", [-1, 1.5, "abc", True])
def test_bad_seed_is_rejected(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        generate_survey(bad)


def test_fidelity_report_rejects_a_table_that_is_not_the_survey():
    with pytest.raises(KeyError, match="Not a survey table"):
        fidelity_report(pd.DataFrame({"x": [1]}))


def test_fidelity_report_flags_a_broken_dataset(shipped):
    broken = shipped.copy()
    broken.loc[broken.index[:10], "industry"] = "Undefined"
    report = fidelity_report(broken)
    assert not report["within_tolerance"].all()


def test_likert_codes_keeps_missing_as_nan():
    s = pd.Series(pd.Categorical(["a little", None], categories=sv.USE_LABELS, ordered=True))
    assert sv.likert_codes(s).tolist()[0] == 2.0 and np.isnan(sv.likert_codes(s).tolist()[1])


def test_codebook_documents_every_variable_block():
    text = (data_dir() / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text.lower()
    for slug in [*sv.TOOLS, *sv.CUSTOMER_FUNCTIONS, *sv.PARTNER_FUNCTIONS, *sv.BARRIERS]:
        assert f"`{slug}`" in text, f"codebook lacks {slug}"
    for col in ["firm_id", "industry", "turnover", "size", "position", *sv.OVERALL_USE]:
        assert f"`{col}`" in text
