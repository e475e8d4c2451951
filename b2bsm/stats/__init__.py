"""Survey statistics with a tidy shape: DataFrame in, one row per test or cell out.

Where scipy or statsmodels compute a statistic, these helpers call them and
add input checks with clear messages, pairwise deletion, and columns named
for what they hold.  Each function's docstring says which variant it computes.

===========================  ==================================================
crosstab / contingency       counts with row, column and total percentages
expected_counts              observed vs expected counts under independence
chi2_independence            Pearson chi2 or G, Yates only when asked, Cramer's V
fisher_exact_test            Fisher's exact test, 2 x 2
kendall_table                Kendall tau-b (or tau-c) per item pair, pairwise N
rank_correlations            tau-b vs tau-c vs Spearman for one pair
bootstrap_tau                percentile bootstrap CI for tau-b (vectorised)
adjust_pvalues               Holm, Bonferroni, Benjamini-Hochberg
proportion_ci / proportions  shares with Wilson (default) intervals
paired_comparison            Wilcoxon signed-rank or sign test, two items on one scale
paired_shares                shares above a threshold on two items, McNemar's test
grim_check                   is a printed percentage possible for its n?
possible_denominators        which n could give a printed percentage?
tau_p_value / chi2_p_value   does a printed p-value fit its statistic?
===========================  ==================================================

Ordered categoricals are coded by their scale (the kit's level labels), not by
category position, and keep their order in every table a helper returns.

Examples
--------
>>> from b2bsm.data import load_survey
>>> from b2bsm.stats import kendall_table
>>> kendall_table(load_survey(), [("cust_use_marketing", "cust_pot_marketing")]).columns.tolist()
['x', 'y', 'n', 'tau', 'p_value', 'variant', 'p_method']
"""

from b2bsm.stats.audit import chi2_p_value, grim_check, possible_denominators, tau_p_value
from b2bsm.stats.correlation import bootstrap_tau, kendall_table, rank_correlations
from b2bsm.stats.crosstabs import contingency, crosstab
from b2bsm.stats.independence import chi2_independence, expected_counts, fisher_exact_test
from b2bsm.stats.multiple_testing import adjust_pvalues
from b2bsm.stats.paired import paired_comparison, paired_shares
from b2bsm.stats.proportions import proportion_ci, proportions

__all__ = [
    "adjust_pvalues",
    "bootstrap_tau",
    "chi2_independence",
    "chi2_p_value",
    "contingency",
    "crosstab",
    "expected_counts",
    "fisher_exact_test",
    "grim_check",
    "kendall_table",
    "paired_comparison",
    "paired_shares",
    "possible_denominators",
    "proportion_ci",
    "proportions",
    "rank_correlations",
    "tau_p_value",
]
