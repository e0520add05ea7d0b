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
    assert "более широкий интервал: от 0,9 до 12,0 п. п. (p = 0,025)" in text
    assert "Около 30 % разброса прироста" in text


def test_conclusion_says_significance_lost_with_clustering():
    row = {**BASE_ROW, "cluster_p_value": 0.08, "cluster_ci_low": -0.8}
    text = conclusion(row)
    assert "уже не является статистически значимым" in text


def test_conclusion_without_clustering_has_no_cluster_sentence():
    row = {**BASE_ROW, "cluster_p_value": None, "icc": None}
    text = conclusion(row)
    assert "группировку по наставникам" not in text


def test_conclusion_calls_narrower_interval_narrower():
    row = {**BASE_ROW, "cluster_ci_low": 3.1, "cluster_ci_high": 9.9, "cluster_p_value": 0.001}
    text = conclusion(row)
    assert "более узкий интервал" in text
    assert "более широкий" not in text


def test_area_conclusion_compares_unadjusted_p_values():
    # Holm-adjusted p 0.069 is not significant, the unadjusted 0.013 is; the clustered
    # p 0.03 must be weighed against 0.013, so no change of significance is claimed.
    row = {**BASE_ROW, "area": "Облачное хранилище", "ancova_p_value": 0.013,
           "ancova_p_adjusted": 0.069, "cluster_p_value": 0.03}
    text = conclusion(row)
    assert "без поправки на число областей" in text
    assert "с этой поправкой различие" not in text
