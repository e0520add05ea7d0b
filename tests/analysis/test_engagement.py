"""Engagement figures on a small hand-counted programme and a random one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.engagement import (
    activities_by_month,
    days_to_first_meeting,
    dropout,
    first_meeting_summary,
    group_table,
    inactive_groups,
    kind_month_pivot,
    meetings_per_group,
    meetings_summary,
    monthly_active,
    monthly_totals,
    school_year_end,
)

T = pd.Timestamp


@pytest.fixture
def participants() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "role": ["mentor", "mentee", "mentee", "mentor", "mentee", "mentee", "mentee"],
        "registered_on": [T("2024-09-01"), T("2024-09-15"), T("2024-10-10"),
                          T("2024-10-01"), T("2024-11-20"), T("2024-09-01"),
                          T("2024-12-01")],
    })


@pytest.fixture
def groups() -> pd.DataFrame:
    return pd.DataFrame({
        "group_code": ["G1", "G1", "G2", "G3"],
        "mentor_code": ["P1", "P1", "P4", "P4"],
        "mentee_code": ["P2", "P3", "P5", "P7"],
        "model": ["digital", "digital", "traditional", "traditional"],
        "started_on": [T("2024-10-01"), T("2024-10-01"), T("2024-11-25"),
                       T("2024-12-20")],
        "ended_on": [pd.NaT, pd.NaT, T("2025-01-15"), pd.NaT],
    })


@pytest.fixture
def activities() -> pd.DataFrame:
    rows = [
        # occurred_at, code, group_code, kind, format, hours, model
        ("2024-09-20 15:00", "P1", None, "webinar", "remote", 2.0, "digital"),
        ("2024-10-05 10:00", "P1", "G1", "meeting", "in_person", 1.5, "digital"),
        ("2024-10-05 10:00", "P2", "G1", "meeting", "in_person", 1.5, "digital"),
        ("2024-10-20 12:00", "P3", "G1", "material", "remote", np.nan, "digital"),
        ("2024-10-03 09:00", "X9", None, "other", "remote", 1.0, None),
        ("2024-11-28 16:00", "P4", "G2", "meeting", "remote", 1.0, "traditional"),
        ("2024-11-28 16:00", "P5", "G2", "meeting", "remote", 1.0, "traditional"),
        ("2024-11-30 23:30", "P5", "G2", "consultation", "remote", 0.5, "traditional"),
        ("2024-11-10 11:00", "P6", None, "other", "in_person", 1.0, None),
    ]
    frame = pd.DataFrame(rows, columns=["occurred_at", "code", "group_code", "kind",
                                        "format", "hours", "model"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame["occurred_on"] = frame["occurred_at"].dt.normalize()
    return frame


def test_active_share_by_hand(activities, participants, groups):
    table = monthly_active(activities, participants, groups).set_index(["month", "model"])
    assert table.loc[("2024-09", "all"), "n_registered"] == 3
    assert table.loc[("2024-09", "all"), "active_share"] == pytest.approx(1 / 3)
    assert table.loc[("2024-10", "all"), "n_active"] == 3
    assert table.loc[("2024-10", "all"), "n_active_not_registered"] == 1
    assert table.loc[("2024-10", "all"), "active_share"] == pytest.approx(0.6)
    assert table.loc[("2024-11", "all"), "active_share"] == pytest.approx(0.5)


def test_active_share_by_model(activities, participants, groups):
    table = monthly_active(activities, participants, groups).set_index(["month", "model"])
    assert table.loc[("2024-09", "digital"), "active_share"] == pytest.approx(0.5)
    assert np.isnan(table.loc[("2024-09", "traditional"), "active_share"])
    assert table.loc[("2024-10", "digital"), "active_share"] == pytest.approx(1.0)
    assert table.loc[("2024-10", "traditional"), "active_share"] == pytest.approx(0.0)
    assert table.loc[("2024-11", "digital"), "active_share"] == pytest.approx(0.0)
    assert table.loc[("2024-11", "traditional"), "n_registered"] == 2
    assert table.loc[("2024-11", "traditional"), "active_share"] == pytest.approx(1.0)


def test_active_share_explicit_months(activities, participants, groups):
    table = monthly_active(activities, participants, groups, months=["2024-12"])
    row = table[table["model"] == "all"].iloc[0]
    assert row["n_registered"] == 7
    assert row["n_active"] == 0


def random_programme(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_people, n_rows = 60, 400
    participants = pd.DataFrame({
        "code": [f"P{i}" for i in range(n_people)],
        "registered_on": T("2024-09-01")
        + pd.to_timedelta(rng.integers(0, 200, n_people), unit="D"),
    })
    activities = pd.DataFrame({
        "code": rng.choice(participants["code"], n_rows),
        "occurred_on": T("2024-09-01")
        + pd.to_timedelta(rng.integers(0, 240, n_rows), unit="D"),
    })
    return activities, participants


def test_active_share_second_path():
    activities, participants = random_programme(seed=11)
    empty_groups = pd.DataFrame(columns=["mentor_code", "mentee_code", "model"])
    table = monthly_active(activities, participants, empty_groups)
    table = table[table["model"] == "all"].set_index("month")

    # Second path: a merge of activities with registration dates, then counts.
    merged = activities.merge(participants, on="code")
    merged["period"] = merged["occurred_on"].dt.to_period("M")
    for period, rows in merged.groupby("period"):
        month_end = period.to_timestamp(how="end").normalize()
        registered = (participants["registered_on"] <= month_end).sum()
        active = rows.loc[rows["registered_on"] <= month_end, "code"].nunique()
        assert table.loc[str(period), "n_registered"] == registered
        assert table.loc[str(period), "active_share"] == pytest.approx(
            active / registered, rel=1e-12
        )


def test_activities_by_month_counts(activities):
    table = activities_by_month(activities).set_index(["month", "model", "kind",
                                                       "format"])
    meeting = table.loc[("2024-10", "digital", "meeting", "in_person")]
    assert meeting["n_activities"] == 2
    assert meeting["hours"] == pytest.approx(3.0)
    material = table.loc[("2024-10", "digital", "material", "remote")]
    assert material["n_hours_missing"] == 1
    assert material["hours"] == pytest.approx(0.0)
    assert table.loc[("2024-11", "none", "other", "in_person"), "n_activities"] == 1


def test_monthly_totals_cumulative(activities):
    table = monthly_totals(activities).set_index(["model", "month"])
    assert table.loc["all", "n_activities"].tolist() == [1, 4, 4]
    assert table.loc["all", "cumulative_activities"].tolist() == [1, 5, 9]
    assert table.loc["all", "hours"].tolist() == pytest.approx([2.0, 4.0, 3.5])
    assert table.loc["traditional", "n_activities"].tolist() == [0, 0, 3]
    assert table.loc["digital", "cumulative_hours"].tolist() == pytest.approx(
        [2.0, 5.0, 5.0]
    )


def test_kind_month_pivot(activities):
    pivot = kind_month_pivot(activities)
    assert list(pivot.columns) == ["2024-09", "2024-10", "2024-11"]
    assert pivot.loc["meeting"].tolist() == [0, 2, 2]
    assert pivot.loc["project"].tolist() == [0, 0, 0]
    hours = kind_month_pivot(activities, value="hours", model="traditional")
    assert hours.loc["consultation", "2024-11"] == pytest.approx(0.5)


def test_kind_month_pivot_rejects_value(activities):
    with pytest.raises(ValueError, match="value must be"):
        kind_month_pivot(activities, value="minutes")


def test_group_table(groups):
    table = group_table(groups).set_index("group_code")
    assert table.loc["G1", "n_mentees"] == 2
    assert pd.isna(table.loc["G1", "ended_on"])
    assert table.loc["G2", "ended_on"] == T("2025-01-15")


def test_meetings_per_group(activities, groups):
    table = meetings_per_group(activities, groups, T("2025-01-31"))
    g1 = table[table["group_code"] == "G1"].set_index("month")["n_meetings"]
    assert g1.to_dict() == {"2024-10": 1, "2024-11": 0, "2024-12": 0, "2025-01": 0}
    g2 = table[table["group_code"] == "G2"].set_index("month")["n_meetings"]
    assert g2.to_dict() == {"2024-11": 1, "2024-12": 0, "2025-01": 0}

    summary = meetings_summary(table).set_index(["month", "model"])
    assert summary.loc[("2024-11", "all"), "n_groups"] == 2
    assert summary.loc[("2024-11", "all"), "mean_meetings"] == pytest.approx(0.5)
    assert summary.loc[("2024-12", "traditional"), "n_groups"] == 2


def test_days_to_first_meeting(activities, groups):
    table = days_to_first_meeting(activities, groups).set_index("group_code")
    assert table.loc["G1", "days_to_first_meeting"] == 4
    assert table.loc["G2", "days_to_first_meeting"] == 3
    assert not table.loc["G3", "has_meeting"]
    assert np.isnan(table.loc["G3", "days_to_first_meeting"])

    summary = first_meeting_summary(table.reset_index()).set_index("model")
    assert summary.loc["all", "median_days"] == pytest.approx(3.5)
    assert summary.loc["traditional", "n_with_meeting"] == 1
    assert summary.loc["traditional", "n_groups"] == 2


def test_meeting_before_start_ignored(activities, groups):
    early = activities.iloc[[1]].assign(
        occurred_at=T("2024-09-25 10:00"), occurred_on=T("2024-09-25")
    )
    table = days_to_first_meeting(pd.concat([activities, early]), groups)
    assert table.set_index("group_code").loc["G1", "days_to_first_meeting"] == 4


def test_inactive_groups_end_of_december(activities, groups):
    listed = inactive_groups(activities, groups, T("2024-12-31"))
    assert listed["group_code"].tolist() == ["G1", "G2"]
    assert listed["days_without_activity"].tolist() == [72, 31]
    assert listed["mentor_code"].tolist() == ["P1", "P4"]


def test_inactive_groups_mid_december(activities, groups):
    listed = inactive_groups(activities, groups, T("2024-12-15"))
    assert listed["group_code"].tolist() == ["G1"]


def test_inactive_groups_new_group_not_listed(activities, groups):
    listed = inactive_groups(activities, groups, T("2025-01-10"))
    assert "G3" not in listed["group_code"].tolist()
    later = inactive_groups(activities, groups, T("2025-01-19"))
    assert "G3" in later["group_code"].tolist()


def test_dropout_counts(groups):
    table = dropout(groups, T("2025-02-01"), year_end=T("2025-05-31")).set_index("model")
    assert table.loc["all", "n_mentees"] == 4
    assert table.loc["all", "n_dropped"] == 1
    assert table.loc["all", "dropout_share"] == pytest.approx(0.25)
    assert table.loc["traditional", "n_groups_ended_early"] == 1
    assert table.loc["traditional", "groups_dropout_share"] == pytest.approx(0.5)
    assert table.loc["digital", "n_dropped"] == 0


def test_dropout_future_end_not_counted(groups):
    table = dropout(groups, T("2025-01-10")).set_index("model")
    assert table.loc["all", "n_dropped"] == 0


def test_dropout_regular_finish_not_counted(groups):
    finished = groups.assign(ended_on=T("2025-05-31"))
    table = dropout(finished, T("2025-06-15"), year_end=T("2025-05-31"))
    assert table.set_index("model").loc["all", "n_dropped"] == 0


@pytest.mark.parametrize("date, expected", [
    ("2024-09-01", "2025-05-31"),
    ("2024-12-31", "2025-05-31"),
    ("2025-05-31", "2025-05-31"),
    ("2025-08-31", "2025-05-31"),
])
def test_school_year_end(date, expected):
    assert school_year_end(T(date)) == T(expected)
