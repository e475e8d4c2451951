"""Reference numbers from R, recorded once, so CI checks the kit against R without R.

Provenance
----------
Recorded on 2026-11-25 (issue 18) with R version 4.2.2 Patched (2022-11-10
r83330), MASS 7.3.58.2 and sandwich 3.0.2, installed from Debian's packages
(``apt-get install r-base-core r-cran-mass r-cran-sandwich``).  The data:
``simulate_posts(n_posts=600, n_accounts=15, seed=s)`` written with
``.to_csv(f"small_seed{s}.csv", index=False)`` for s = 11 (lesson 07's small
study) and s = 3 (a dataset on which statsmodels' Newton fit returned NaN),
and the shipped ``data/posts_b2b.csv``.  Each reference also stores the
number of posts and the outcome's total, so a change in the simulator shows
up as a data mismatch, not as a puzzling numeric failure.

``MASS::glm.nb`` stops when theta changes by less than about 1e-4 relative
(``theta.ml``'s default tolerance), a little before the exact maximum, so
the comparison allows 2e-6 on coefficients and 1e-5 relative on alpha and
standard errors; the kit's own fit stops at a Newton step below 1e-10.
R prints a warning "cannot compute exact p-value with ties" for the first
two ``wilcox.test`` calls; that is the point of those references.

To re-record: write the CSVs as above into one folder, run
``Rscript glmnb_reference.R`` and ``Rscript stats_reference.R`` there with the
two scripts below, and paste the printed numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2bsm import engagement as eng
from b2bsm import stats
from b2bsm.data import load_posts
from b2bsm.stats.paired import signed_rank_test

GLMNB_SCRIPT = r"""
# Reference fits for b2bsm.engagement.fit_engagement (issue 18).
suppressPackageStartupMessages({library(MASS); library(sandwich)})
rhs <- "~ visual * (info_cues + emo_cues) + strategy + offset(log(followers))"
fit_one <- function(file, outcome) {
  d <- read.csv(file)
  d$visual <- as.numeric(d$format == "visual")
  d$strategy <- relevel(factor(d$strategy), ref = "other")
  f <- as.formula(paste(outcome, rhs))
  m <- glm.nb(f, data = d, control = glm.control(maxit = 100, epsilon = 1e-10))
  se <- sqrt(diag(vcov(m)))
  cl1 <- sqrt(diag(vcovCL(m, cluster = ~account, type = "HC1")))
  cl0 <- sqrt(diag(vcovCL(m, cluster = ~account, type = "HC0")))
  cat(sprintf("## %s %s n=%d sum=%d theta=%.10g se_theta=%.6g loglik=%.10g\n",
              basename(file), outcome, nrow(d), sum(d[[outcome]]), m$theta,
              m$SE.theta, as.numeric(logLik(m))))
  for (t in names(coef(m)))
    cat(sprintf("%s\t%.10g\t%.8g\t%.8g\t%.8g\n", t, coef(m)[[t]], se[[t]],
                cl1[[t]], cl0[[t]]))
}
fit_one("small_seed11.csv", "likes")
fit_one("small_seed3.csv", "likes")
fit_one("posts_b2b.csv", "likes")
fit_one("posts_b2b.csv", "comments")
cat(R.version.string, "| MASS", as.character(packageVersion("MASS")),
    "| sandwich", as.character(packageVersion("sandwich")), "\n")
"""

STATS_SCRIPT = r"""
# Reference values for b2bsm.stats (issue 18): small-sample p-values.
options(digits = 10)
d1 <- c(1, 2, 3, 4, 4)
cat("wilcox_ties_normal_corrected", wilcox.test(d1, correct = TRUE)$p.value, "\n")
cat("wilcox_ties_normal_uncorrected", wilcox.test(d1, correct = FALSE)$p.value, "\n")
d2 <- c(1, -2, 3, 4, 5, 6, -7, 8)
cat("wilcox_exact_no_ties", wilcox.test(d2, exact = TRUE)$p.value, "\n")
d3 <- c(rep(1, 20), rep(2, 15), rep(-1, 12), rep(3, 8), rep(-2, 5), rep(0, 9))
cat("wilcox_normal_large_ties",
    wilcox.test(d3, exact = FALSE, correct = TRUE)$p.value, "\n")
x1 <- c(1, 2, 3, 4, 5, 6, 7); y1 <- c(2, 1, 4, 3, 7, 5, 6)
cat("spearman_exact_n7", cor.test(x1, y1, method = "spearman", exact = TRUE)$p.value, "\n")
x2 <- c(1, 2, 3); y2 <- c(1, 3, 2)
cat("spearman_exact_n3", cor.test(x2, y2, method = "spearman", exact = TRUE)$p.value, "\n")
x3 <- c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8); y3 <- c(2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5)
cat("spearman_t_n12_ties",
    suppressWarnings(cor.test(x3, y3, method = "spearman", exact = FALSE)$p.value), "\n")
cat("kendall_exact_n7", cor.test(x1, y1, method = "kendall", exact = TRUE)$p.value, "\n")
cat("binom_mcnemar_3_of_14", binom.test(3, 14)$p.value, "\n")
cat(R.version.string, "\n")
"""

#: (dataset, outcome) -> glm.nb results.  terms: (R name, coefficient,
#: model-based s.e. = sqrt(diag(vcov(m))), cluster s.e. = vcovCL(type = "HC1")).
GLM_NB = {
    ("small_seed11", "likes"): {
        "n": 600,
        "total": 25435,
        "theta": 1.749361706,
        "loglik": -2564.362343,
        "terms": [
            ("(Intercept)", -5.557047782, 0.076541283, 0.14030504),
            ("visual", 0.3298317225, 0.06701496, 0.067143946),
            ("info_cues", 0.144074349, 0.051281637, 0.03648857),
            ("emo_cues", 0.04533856667, 0.051988712, 0.052424385),
            ("strategyparticipation_invite", -0.1960546125, 0.10209734, 0.09855288),
            ("strategyproduct_detail", -0.01718133501, 0.086889093, 0.095651811),
            ("strategystorytelling", -0.05916704019, 0.095275113, 0.095456928),
            ("visual:info_cues", 0.0500680261, 0.065582939, 0.058719736),
            ("visual:emo_cues", -0.2473506064, 0.066285368, 0.061307977),
        ],
    },
    ("small_seed3", "likes"): {
        "n": 600,
        "total": 56623,
        "theta": 1.755168935,
        "loglik": -2569.587893,
        "terms": [
            ("(Intercept)", -5.230221582, 0.075284478, 0.099100552),
            ("visual", 0.1193394734, 0.067636573, 0.050390535),
            ("info_cues", 0.1826181607, 0.057629649, 0.057417354),
            ("emo_cues", -0.02575512792, 0.056468815, 0.04924729),
            ("strategyparticipation_invite", 0.01836967481, 0.10955258, 0.12350712),
            ("strategyproduct_detail", 0.06268761942, 0.084648826, 0.11148176),
            ("strategystorytelling", -0.006517508239, 0.092509775, 0.10363442),
            ("visual:info_cues", 0.05477434725, 0.069560098, 0.057958623),
            ("visual:emo_cues", -0.1295690399, 0.06924832, 0.07522819),
        ],
    },
    ("posts_b2b", "likes"): {
        "n": 20000,
        "total": 965136,
        "theta": 1.604279685,
        "loglik": -86038.75612,
        "terms": [
            ("(Intercept)", -5.384682073, 0.013762941, 0.041098342),
            ("visual", 0.2683372397, 0.011957999, 0.011980696),
            ("info_cues", 0.08886069261, 0.0096975807, 0.010134613),
            ("emo_cues", -0.04914394287, 0.009542107, 0.0088080237),
            ("strategyparticipation_invite", 0.009741667586, 0.019180993, 0.02082026),
            ("strategyproduct_detail", 0.04366978529, 0.01562368, 0.017855525),
            ("strategystorytelling", 0.09558500695, 0.016980675, 0.017881931),
            ("visual:info_cues", 0.1186887162, 0.01207007, 0.013391524),
            ("visual:emo_cues", -0.08084667894, 0.012019491, 0.01155094),
        ],
    },
    ("posts_b2b", "comments"): {
        "n": 20000,
        "total": 81564,
        "theta": 1.153614159,
        "loglik": -41836.84399,
        "terms": [
            ("(Intercept)", -7.932926896, 0.019890229, 0.047757549),
            ("visual", 0.2409079773, 0.017127758, 0.018783334),
            ("info_cues", 0.1546264891, 0.014062194, 0.015885764),
            ("emo_cues", -0.09031989017, 0.013755763, 0.014628323),
            ("strategyparticipation_invite", 0.5878901359, 0.026315186, 0.025860115),
            ("strategyproduct_detail", -0.01555364963, 0.022312188, 0.024267859),
            ("strategystorytelling", 0.0792311069, 0.024606374, 0.023134832),
            ("visual:info_cues", 0.1526088497, 0.017352002, 0.020327008),
            ("visual:emo_cues", -0.1431601828, 0.017186613, 0.019365347),
        ],
    },
}


def _posts(dataset: str) -> pd.DataFrame:
    if dataset == "posts_b2b":
        return load_posts()
    return eng.simulate_posts(
        n_posts=600, n_accounts=15, seed=int(dataset.removeprefix("small_seed"))
    )


def _term(r_name: str) -> str:
    if r_name == "(Intercept)":
        return "Intercept"
    if r_name.startswith("strategy"):
        return f"strategy[{r_name.removeprefix('strategy')}]"
    return r_name


def _se(fit: pd.DataFrame) -> pd.Series:
    """Standard errors back from the 95 % Wald interval of the IRR."""
    z = 1.959963984540054
    return (np.log(fit["ci_high"]) - np.log(fit["ci_low"])) / (2 * z)


@pytest.mark.parametrize(("dataset", "outcome"), list(GLM_NB))
def test_negbin_fit_agrees_with_mass_glm_nb(dataset, outcome):
    ref = GLM_NB[(dataset, outcome)]
    posts = _posts(dataset)
    assert (len(posts), int(posts[outcome].sum())) == (ref["n"], ref["total"]), "data changed"
    model = eng.fit_engagement(posts, outcome, cluster=False).set_index("term")
    robust = eng.fit_engagement(posts, outcome, cluster=True).set_index("term")
    assert model["alpha"].iloc[0] == pytest.approx(1 / ref["theta"], rel=1e-5)
    assert model["loglik"].iloc[0] == pytest.approx(ref["loglik"], abs=1e-5)
    for r_name, coef, se, se_cluster in ref["terms"]:
        term = _term(r_name)
        assert model.loc[term, "coef"] == pytest.approx(coef, abs=2e-6), term
        assert robust.loc[term, "coef"] == pytest.approx(coef, abs=2e-6), term
        assert _se(model)[term] == pytest.approx(se, rel=1e-5), term
        assert _se(robust)[term] == pytest.approx(se_cluster, rel=1e-5), term
    assert len(model) == len(ref["terms"])


# R: wilcox.test, cor.test and binom.test on the vectors of STATS_SCRIPT.
def test_wilcoxon_agrees_with_r():
    d1 = [1, 2, 3, 4, 4]
    assert signed_rank_test(d1, method="normal")["p_value"] == pytest.approx(
        0.05790726542, abs=1e-10
    )
    d2 = [1, -2, 3, 4, 5, 6, -7, 8]
    assert signed_rank_test(d2)["p_value"] == pytest.approx(0.25, abs=1e-12)
    d3 = [1] * 20 + [2] * 15 + [-1] * 12 + [3] * 8 + [-2] * 5 + [0] * 9
    res = signed_rank_test(d3)
    assert res["p_value"] == pytest.approx(0.0001448610286, rel=1e-8)
    assert res["method"].startswith("normal approximation")


def test_rank_correlations_agree_with_r():
    small = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7], "y": [2, 1, 4, 3, 7, 5, 6]})
    t = stats.rank_correlations(small, "x", "y", scale=(1, 7)).set_index("method")
    assert t.loc["spearman", "p_value"] == pytest.approx(0.03412698413, abs=1e-10)
    assert t.loc["kendall_b", "p_value"] == pytest.approx(0.06904761905, abs=1e-10)
    three = stats.rank_correlations(pd.DataFrame({"x": [1, 2, 3], "y": [1, 3, 2]}), "x", "y")
    assert three.set_index("method").loc["spearman", "p_value"] == 1.0
    x3 = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
    y3 = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5]
    ties = stats.rank_correlations(pd.DataFrame({"x": x3, "y": y3}), "x", "y", scale=(1, 9))
    assert ties.set_index("method").loc["spearman", "p_value"] == pytest.approx(
        0.6607268293, abs=1e-9
    )


def test_mcnemar_agrees_with_r():
    df = pd.DataFrame({"x": [4] * 11 + [1] * 3 + [4] * 5, "y": [1] * 11 + [4] * 3 + [4] * 5})
    out = stats.paired_shares(df, [("x", "y")], at_least_x=4).iloc[0]
    assert out["p_value"] == pytest.approx(0.05737304688, abs=1e-10)
