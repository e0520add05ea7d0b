"""The comparison's plain reading reports the mentor-clustered result beside the plain one."""

from analysis.comparison import conclusion

BASE_ROW = {
    "area": "overall",
    "n_digital": 30,
    "n_traditional": 17,
    "ancova_estimate": 6.5,
    "ancova_ci_low": 2.5,
    "ancova_ci_high": 10.5,
    "ancova_p_value": 0.002,
    "ancova_p_adjusted": None,
    "hedges_g_gain": 0.93,
    "mde_80": 0.85,
    "power_medium": 0.36,
    "baseline_equivalence": "satisfied",
    "baseline_hedges_g": 0.01,
    "slopes_warning": False,
    "cluster_ci_low": 0.9,
    "cluster_ci_high": 12.0,
    "cluster_p_value": 0.025,
    "icc": 0.30,
}


def test_conclusion_names_clustered_interval():
    text = conclusion(BASE_ROW)
    assert "от 0,9 до 12,0 п. п. (p = 0,025)" in text
    assert "Около 30 % разброса прироста" in text


def test_conclusion_says_significance_lost_with_clustering():
    row = {**BASE_ROW, "cluster_p_value": 0.08, "cluster_ci_low": -0.8}
    text = conclusion(row)
    assert "уже не является статистически значимым" in text


def test_conclusion_without_clustering_has_no_cluster_sentence():
    row = {**BASE_ROW, "cluster_p_value": None, "icc": None}
    text = conclusion(row)
    assert "группировку по наставникам" not in text
