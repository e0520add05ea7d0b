"""Legend of the diverging answer bars on «Удовлетворённость» for the 10-point scale."""

from __future__ import annotations

import json

from tests.dashboard.apptest_helpers import open_page

ANSWERS_TITLE = "Насколько участники согласны с каждым утверждением анкеты?"


def test_mentor_legend_lists_all_ten_values(demo_db):
    at = open_page("satisfaction.py")
    at.radio(key="satisfaction_questionnaire").set_value("mentor_satisfaction").run()
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    answers = next(spec for spec in specs if spec["layout"]["title"]["text"] == ANSWERS_TITLE)
    shown = sorted(int(trace["name"]) for trace in answers["data"] if trace.get("showlegend", True))
    assert shown == list(range(1, 11))
    legend = answers["layout"]["legend"]
    assert legend["orientation"] == "h"
    assert legend["yref"] == "container"
    assert legend["y"] == 0
