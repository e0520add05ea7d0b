"""Wilson interval against statsmodels."""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.proportions import wilson_interval


@pytest.mark.parametrize(("count", "n"), [(0, 5), (48, 68), (3, 3), (17, 52), (1, 1000)])
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_wilson_matches_statsmodels(count, n, confidence):
    low, high = wilson_interval(count, n, confidence)
    # Reference: statsmodels 0.15.0 proportion_confint(count, n, alpha=1-confidence, method="wilson")
    ref_low, ref_high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    assert float(low) == pytest.approx(ref_low, rel=1e-9, abs=1e-12)
    assert float(high) == pytest.approx(ref_high, rel=1e-9, abs=1e-12)


def test_wilson_vectorised():
    low, high = wilson_interval(np.array([1, 2]), np.array([10, 20]))
    assert low.shape == (2,)
    assert high[0] == pytest.approx(proportion_confint(1, 10, method="wilson")[1], rel=1e-9)


def test_wilson_rejects_zero_trials():
    with pytest.raises(ValueError, match="n must be positive"):
        wilson_interval(0, 0)
