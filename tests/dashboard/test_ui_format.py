"""Russian number and date formatting used on every page."""

import datetime as dt
import math

import pytest

from dashboard.ui import (
    fmt_date,
    fmt_date_long,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_p_value,
    fmt_percent,
    fmt_share,
    plural,
)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (3.5, 1, "3,5"),
        (3.50, 2, "3,5"),
        (4.0, 1, "4"),
        (-0.004, 2, "0"),
        (-1.25, 2, "-1,25"),
        (12345.6, 1, "12\u202f345,6"),
        (None, 1, "—"),
        (math.nan, 1, "—"),
    ],
)
def test_fmt_number(value, digits, expected):
    assert fmt_number(value, digits) == expected


def test_fmt_percent_and_share():
    assert fmt_percent(71.43) == "71,4\u00a0%"
    assert fmt_share(0.7059) == "70,6\u00a0%"
    assert fmt_share(None) == "—"


def test_fmt_int_groups_thousands():
    assert fmt_int(1780) == "1\u202f780"
    assert fmt_int(None) == "—"


def test_fmt_p_value():
    assert fmt_p_value(0.0004) == "p < 0,001"
    assert fmt_p_value(0.0456) == "p = 0,046"
    assert fmt_p_value(None) == "—"


def test_dates_and_months():
    assert fmt_date(dt.date(2025, 3, 12)) == "12.03.2025"
    assert fmt_date_long(dt.date(2025, 3, 12)) == "12 марта 2025 г."
    assert fmt_month("2025-03") == "март 2025"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "наставник"), (2, "наставника"), (5, "наставников"), (11, "наставников"),
     (21, "наставник"), (22, "наставника"), (112, "наставников")],
)
def test_plural(n, expected):
    assert plural(n, "наставник", "наставника", "наставников") == expected


def test_charts_use_decimal_comma():
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard.ui import use_russian_chart_format

    previous = pio.templates.default
    try:
        use_russian_chart_format()
        figure = go.Figure(go.Bar(x=["a"], y=[0.5]))
        assert figure.layout.template.layout.separators == ", "
    finally:
        pio.templates.default = previous
