"""Cronbach's alpha checked against pingouin, statsmodels and R psych."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis.reliability import cronbach_alpha


@pytest.fixture
def likert_long() -> pd.DataFrame:
    """pingouin's "cronbach_alpha" data set: 15 respondents, 10 items, no gaps."""
    return pg.read_dataset("cronbach_alpha")


def test_alpha_matches_pingouin_long_format(likert_long):
    result = cronbach_alpha(likert_long, items="Items", scores="Scores", subject="Subj")
    reference_alpha, reference_ci = pg.cronbach_alpha(
        data=likert_long, items="Items", scores="Scores", subject="Subj"
    )
    assert result["cronbach_alpha"] == pytest.approx(reference_alpha, rel=1e-6)
    # pingouin 0.7.0 rounds its interval to 3 decimals.
    assert result["ci_low"] == pytest.approx(reference_ci[0], abs=5e-4)
    assert result["ci_high"] == pytest.approx(reference_ci[1], abs=5e-4)
    assert result["n"] == 15
    assert result["k"] == 10
    assert result["note"] is None


def test_alpha_published_value(likert_long):
    # pingouin 0.7.0 documentation, cronbach_alpha example on this data set,
    # tested there against R psych: 0.5917188485995826, CI [0.195, 0.84].
    result = cronbach_alpha(likert_long, items="Items", scores="Scores", subject="Subj")
    assert result["cronbach_alpha"] == pytest.approx(0.5917188485995826, rel=1e-6)
    assert result["ci_low"] == pytest.approx(0.195, abs=5e-4)
    assert result["ci_high"] == pytest.approx(0.84, abs=5e-4)


def test_alpha_and_ci_match_hoyt_anova(likert_long):
    # Second computation path: Hoyt's alpha from a two-way ANOVA without
    # interaction (statsmodels anova_lm), alpha = 1 - MS_error / MS_subject,
    # and Feldt's bounds 1 - F_crit / F with F = MS_subject / MS_error.
    model = smf.ols("Scores ~ C(Subj) + C(Items)", data=likert_long).fit()
    table = sm.stats.anova_lm(model, typ=2)
    ms = table["sum_sq"] / table["df"]
    f_subjects = ms["C(Subj)"] / ms["Residual"]
    df1 = table.loc["C(Subj)", "df"]
    df2 = table.loc["Residual", "df"]
    expected_alpha = 1 - 1 / f_subjects
    expected_low = 1 - stats.f.ppf(0.975, df1, df2) / f_subjects
    expected_high = 1 - stats.f.ppf(0.025, df1, df2) / f_subjects

    result = cronbach_alpha(likert_long, items="Items", scores="Scores", subject="Subj")
    assert result["cronbach_alpha"] == pytest.approx(expected_alpha, rel=1e-6)
    assert result["ci_low"] == pytest.approx(expected_low, rel=1e-6)
    assert result["ci_high"] == pytest.approx(expected_high, rel=1e-6)


def test_alpha_listwise_matches_r_psych():
    # pingouin 0.7.0 documentation: R psych::alpha(data, use="complete.obs")
    # gives 0.8016949152542373 on "cronbach_wide_missing" (9 complete rows of 12).
    wide = pg.read_dataset("cronbach_wide_missing")
    result = cronbach_alpha(wide, min_respondents=2)
    assert result["cronbach_alpha"] == pytest.approx(0.8016949152542373, rel=1e-6)
    assert result["n"] == 9
    assert result["n_excluded"] == 3


def test_alpha_listwise_ci_uses_kept_rows():
    # pingouin takes the interval's df from all 12 rows; here n - 1 = 8.
    wide = pg.read_dataset("cronbach_wide_missing")
    result = cronbach_alpha(wide, min_respondents=2)
    alpha = result["cronbach_alpha"]
    expected_low = 1 - (1 - alpha) * stats.f.isf(0.025, 8, 80)
    expected_high = 1 - (1 - alpha) * stats.f.isf(0.975, 8, 80)
    assert result["ci_low"] == pytest.approx(expected_low, rel=1e-6)
    assert result["ci_high"] == pytest.approx(expected_high, rel=1e-6)
    pingouin_alpha, _ = pg.cronbach_alpha(data=wide, nan_policy="listwise")
    assert alpha == pytest.approx(pingouin_alpha, rel=1e-6)


def test_alpha_wide_equals_long(likert_long):
    wide = likert_long.pivot(index="Subj", columns="Items", values="Scores")
    from_wide = cronbach_alpha(wide)
    from_long = cronbach_alpha(likert_long, items="Items", scores="Scores", subject="Subj")
    assert from_wide["cronbach_alpha"] == pytest.approx(from_long["cronbach_alpha"])
    assert from_wide["ci_low"] == pytest.approx(from_long["ci_low"])


def test_alpha_too_few_items():
    wide = pd.DataFrame({"q1": np.arange(12.0), "q2": np.arange(12.0) % 5})
    result = cronbach_alpha(wide)
    assert np.isnan(result["cronbach_alpha"])
    assert "2 вопрос" in result["note"]


def test_alpha_too_few_respondents(likert_long):
    few = likert_long[likert_long["Subj"] < 9]
    result = cronbach_alpha(few, items="Items", scores="Scores", subject="Subj")
    assert np.isnan(result["cronbach_alpha"])
    assert result["n"] == 9
    assert "полностью ответили 9" in result["note"]


def test_alpha_constant_totals():
    wide = pd.DataFrame({"q1": [1.0, 2.0] * 6, "q2": [2.0, 1.0] * 6, "q3": [3.0] * 12})
    result = cronbach_alpha(wide)
    assert np.isnan(result["cronbach_alpha"])
    assert "разброса нет" in result["note"]


def test_alpha_rejects_duplicate_answers(likert_long):
    doubled = pd.concat([likert_long, likert_long.head(1)])
    with pytest.raises(ValueError, match="more than one answer"):
        cronbach_alpha(doubled, items="Items", scores="Scores", subject="Subj")


def test_alpha_rejects_partial_long_arguments(likert_long):
    with pytest.raises(ValueError, match="given together"):
        cronbach_alpha(likert_long, items="Items")
