"""The synthetic survey: fidelity to the paper, determinism, schema, integrity."""

from __future__ import annotations

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
    read_resource,
    resource,
)
from b2bsm.data import survey as sv
from b2bsm.data._package import write_table

OTHER_SEEDS = [0, 1, 7, 123, 98765]


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_survey()


def _assert_faithful(df: pd.DataFrame) -> None:
    report = fidelity_report(df)
    bad = report.loc[~report["within_tolerance"], ["statistic", "target", "reproduced"]]
    assert bad.empty, f"targets missed:\n{bad.to_string()}"
    assert len(report) >= 120


def test_shipped_file_reproduces_every_target(shipped):
    _assert_faithful(shipped)


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_other_seeds_are_equally_faithful(seed):
    _assert_faithful(generate_survey(seed))


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
        sv.apply_schema(table, sv.RESOURCE["schema"])


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
