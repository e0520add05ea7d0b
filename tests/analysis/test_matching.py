"""Tests for analysis.matching: components, optimality, capacities, locks."""

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analysis import matching as mt


def random_instance(seed, n_mentors=3, n_mentees=5, p_disallowed=0.15):
    rng = np.random.default_rng(seed)
    mentors = [f"M{i}" for i in range(n_mentors)]
    mentees = [f"E{i}" for i in range(n_mentees)]
    rows = [
        (m, e, float(np.round(rng.random(), 3)), bool(rng.random() > p_disallowed))
        for e in mentees
        for m in mentors
    ]
    pairs = pd.DataFrame(rows, columns=["mentor_code", "mentee_code", "score", "allowed"])
    capacity = {m: int(rng.integers(0, 3)) for m in mentors}
    return pairs, capacity


def brute_force(pairs, capacity, mode, floor, locked=(), forbidden=()):
    """Best (n_matched, total) or total over every assignment, by enumeration."""
    score = {(m, e): s for m, e, s, ok in pairs.itertuples(index=False) if ok}
    mentors = list(capacity)
    mentees = sorted(pairs["mentee_code"].unique())
    locked = dict((e, m) for m, e in locked)
    best = None
    for choice in itertools.product([None, *mentors], repeat=len(mentees)):
        pairs_chosen = [(m, e) for e, m in zip(mentees, choice, strict=True) if m is not None]
        if any(locked.get(e, m) != m for m, e in pairs_chosen):
            continue
        if any(e not in dict((ee, mm) for mm, ee in pairs_chosen) for e in locked):
            continue
        if any((m, e) not in score or (m, e) in forbidden for m, e in pairs_chosen):
            continue
        if mode == "max_total" and any(
            score[(m, e)] < floor and locked.get(e) != m for m, e in pairs_chosen
        ):
            continue
        counts = Counter(m for m, _ in pairs_chosen)
        if any(counts[m] > capacity[m] for m in mentors):
            continue
        total = sum(score[p] for p in pairs_chosen)
        value = total if mode == "max_total" else (len(pairs_chosen), total)
        if best is None or value > best:
            best = value
    return best


def objective(result, mode):
    total = float(result["score"].sum())
    return total if mode == "max_total" else (len(result), total)


def check_feasible(result, pairs, capacity, locked=(), forbidden=()):
    allowed = {(m, e) for m, e, _, ok in pairs.itertuples(index=False) if ok}
    assert result["mentee_code"].is_unique
    counts = result["mentor_code"].value_counts()
    for mentor, count in counts.items():
        assert count <= capacity[mentor], mentor
    chosen = set(zip(result["mentor_code"], result["mentee_code"], strict=True))
    assert chosen <= allowed
    assert not chosen & set(forbidden)
    assert set(locked) <= chosen


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize(("mode", "floor"), [("max_total", 0.0), ("max_total", 0.4), ("everyone", 0.4)])
def test_assignment_matches_brute_force(seed, mode, floor):
    pairs, capacity = random_instance(seed)
    result = mt.assign_pairs(pairs, capacity, mode=mode, floor=floor)
    check_feasible(result, pairs, capacity)
    expected = brute_force(pairs, capacity, mode, floor)
    got = objective(result, mode)
    if mode == "max_total":
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert (result["score"] >= floor).all()
    else:
        assert got[0] == expected[0]
        assert got[1] == pytest.approx(expected[1], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_locks_and_forbids_match_brute_force(seed):
    pairs, capacity = random_instance(seed, n_mentors=3, n_mentees=5, p_disallowed=0.0)
    capacity = {m: max(c, 1) for m, c in capacity.items()}
    rng = np.random.default_rng(1000 + seed)
    mentors = sorted(capacity)
    locked = [(mentors[int(rng.integers(3))], "E0")]
    forbidden = {(mentors[int(rng.integers(3))], "E1"), (mentors[int(rng.integers(3))], "E2")}
    forbidden.discard(locked[0])
    for mode in mt.MODES:
        result = mt.assign_pairs(
            pairs, capacity, mode=mode, floor=0.5, locked=locked, forbidden=forbidden
        )
        check_feasible(result, pairs, capacity, locked, forbidden)
        assert result.loc[result["mentee_code"] == "E0", "locked"].tolist() == [True]
        assert not result.loc[result["mentee_code"] != "E0", "locked"].any()
        expected = brute_force(pairs, capacity, mode, 0.5, locked, forbidden)
        got = objective(result, mode)
        if mode == "max_total":
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        else:
            assert got[0] == expected[0]
            assert got[1] == pytest.approx(expected[1], rel=1e-9, abs=1e-12)


def test_everyone_mode_matches_more():
    pairs = pd.DataFrame(
        [("M0", "E0", 0.9), ("M0", "E1", 0.1), ("M1", "E1", 0.05)],
        columns=["mentor_code", "mentee_code", "score"],
    )
    capacity = {"M0": 1, "M1": 1}
    best = mt.assign_pairs(pairs, capacity, mode="max_total", floor=0.2)
    assert list(best["mentee_code"]) == ["E0"]
    everyone = mt.assign_pairs(pairs, capacity, mode="everyone", floor=0.2)
    assert sorted(zip(everyone["mentor_code"], everyone["mentee_code"], strict=True)) == [
        ("M0", "E0"),
        ("M1", "E1"),
    ]


def test_everyone_mode_prefers_cardinality_over_score():
    # Taking the 0.95 pair blocks the only mentor of E1; two weaker pairs win.
    pairs = pd.DataFrame(
        [("M0", "E0", 0.95), ("M1", "E0", 0.01), ("M0", "E1", 0.02)],
        columns=["mentor_code", "mentee_code", "score"],
    )
    result = mt.assign_pairs(pairs, {"M0": 1, "M1": 1}, mode="everyone")
    assert len(result) == 2
    assert result["score"].sum() == pytest.approx(0.03)


@pytest.mark.parametrize(
    ("locked", "forbidden", "message"),
    [
        ([("M0", "E0"), ("M1", "E0")], [], "locked to two mentors"),
        ([("M0", "E0")], [("M0", "E0")], "both locked and forbidden"),
        ([("M0", "E0"), ("M0", "E1")], [], "has 2 locked mentees but capacity 1"),
        ([("M9", "E0")], [], "has no capacity entry"),
        ([("M1", "E1")], [], "not an allowed candidate pair"),
    ],
)
def test_lock_errors(locked, forbidden, message):
    pairs = pd.DataFrame(
        [("M0", "E0", 0.5, True), ("M0", "E1", 0.5, True), ("M1", "E0", 0.5, True), ("M1", "E1", 0.5, False)],
        columns=["mentor_code", "mentee_code", "score", "allowed"],
    )
    with pytest.raises(ValueError, match=message):
        mt.assign_pairs(pairs, {"M0": 1, "M1": 1}, locked=locked, forbidden=forbidden)


def test_assign_rejects_bad_input():
    pairs = pd.DataFrame([("M0", "E0", 0.5)], columns=["mentor_code", "mentee_code", "score"])
    with pytest.raises(ValueError, match="mode must be one of"):
        mt.assign_pairs(pairs, {"M0": 1}, mode="fast")
    with pytest.raises(ValueError, match="whole number"):
        mt.assign_pairs(pairs, {"M0": -1})
    with pytest.raises(ValueError, match="finite and non-negative"):
        mt.assign_pairs(pairs.assign(score=np.nan), {"M0": 1})


COMPETENCE = pd.DataFrame(
    {
        "Сферум": [90.0, 40.0, 50.0, 85.0],
        "ЦОР": [85.0, 30.0, 95.0, 50.0],
        "ФГИС": [70.0, 70.0, np.nan, 55.0],
    },
    index=pd.Index(["M1", "E1", "E2", "B1"], name="code"),
)
PROFILES = pd.DataFrame(
    {
        "code": ["M1", "E1", "E2", "B1"],
        "subject": ["Физика", "физика", "История", "История"],
        "interests": ["робототехника; видеомонтаж", ["Видеомонтаж", "шахматы"], None, "шахматы"],
        "format": ["дистанционно", "Дистанционно", "очно", "не важно"],
        "schedule": ["вечер", "утро", None, "утро"],
        "style": [None, "мягкий", "мягкий", "строгий"],
    }
)


def test_score_components_by_hand():
    pairs = mt.score_pairs(
        COMPETENCE, PROFILES, ["M1", "B1"], ["E1", "E2", "B1"], weights={"complementarity": 2, "interests": 1, "compatibility": 1}
    ).set_index(["mentor_code", "mentee_code"])
    m1e1 = pairs.loc[("M1", "E1")]
    # E1 needs Сферум and ЦОР (ФГИС 70 is no need); M1 is strong in both.
    assert m1e1["n_need"] == 2
    assert m1e1["n_covered"] == 2
    assert m1e1["complementarity"] == 1.0
    # {робототехника, видеомонтаж, предмет: физика} vs {видеомонтаж, шахматы, предмет: физика}
    assert m1e1["interests"] == pytest.approx(2 / 4)
    # format equal, schedule differs, style missing for M1 -> 1 of 2
    assert m1e1["compatibility"] == pytest.approx(0.5)
    assert m1e1["n_preferences_compared"] == 2
    assert m1e1["score"] == pytest.approx(0.5 * 1.0 + 0.25 * 0.5 + 0.25 * 0.5)
    # B1 is strong only in Сферум; E1 needs Сферум and ЦОР.
    b1e1 = pairs.loc[("B1", "E1")]
    assert b1e1["complementarity"] == pytest.approx(0.5)
    # {шахматы, предмет: история} vs E1's set: one shared of four
    assert b1e1["interests"] == pytest.approx(1 / 4)
    # format «не важно» fits, schedule equal, style differs -> 2 of 3
    assert b1e1["compatibility"] == pytest.approx(2 / 3)
    # E2 has no shared preference field filled with M1 except format (differs)
    assert pairs.loc[("M1", "E2"), "compatibility"] == 0.0
    assert pairs.loc[("B1", "B1"), "excluded"] == "self"
    assert not pairs.loc[("B1", "B1"), "allowed"]


def test_score_pairs_subject_rule():
    same = mt.score_pairs(COMPETENCE, PROFILES, ["M1", "B1"], ["E1", "E2"], subject_rule="same")
    allowed = set(map(tuple, same.loc[same["allowed"], ["mentor_code", "mentee_code"]].to_numpy()))
    assert allowed == {("M1", "E1"), ("B1", "E2")}
    different = mt.score_pairs(COMPETENCE, PROFILES, ["M1", "B1"], ["E1", "E2"], subject_rule="different")
    allowed = set(map(tuple, different.loc[different["allowed"], ["mentor_code", "mentee_code"]].to_numpy()))
    assert allowed == {("M1", "E2"), ("B1", "E1")}


def test_neutral_compatibility_without_preferences():
    profiles = pd.DataFrame({"code": ["M1", "E1"]})
    pairs = mt.score_pairs(COMPETENCE, profiles, ["M1"], ["E1"])
    assert pairs["compatibility"].iloc[0] == mt.NEUTRAL_COMPATIBILITY
    assert pairs["interests"].iloc[0] == 0.0


def test_weights_validation():
    assert mt.normalize_weights({"complementarity": 1, "interests": 1, "compatibility": 2}) == {
        "complementarity": 0.25,
        "interests": 0.25,
        "compatibility": 0.5,
    }
    with pytest.raises(ValueError, match="unknown weight names"):
        mt.normalize_weights({"speed": 1})
    with pytest.raises(ValueError, match="positive sum"):
        mt.normalize_weights({"complementarity": 0, "interests": 0, "compatibility": 0})


def test_explain_pairs_reason():
    chosen = pd.DataFrame({"mentor_code": ["M1", "B1"], "mentee_code": ["E1", "E2"]})
    explained = mt.explain_pairs(chosen, COMPETENCE, PROFILES).set_index("mentee_code")
    assert explained.loc["E1", "covered_areas"] == ["Сферум", "ЦОР"]
    assert explained.loc["E1", "shared_interests"] == ["видеомонтаж", "предмет: физика"]
    assert explained.loc["E1", "matched_preferences"] == ["format"]
    assert explained.loc["E1", "reason"] == (
        "Наставник силён в 2 из 2 областей, где нужна помощь: Сферум, ЦОР; "
        "общие интересы: видеомонтаж, предмет: физика; совпадают предпочтения: формат."
    )
    assert explained.loc["E2", "need_areas"] == ["Сферум"]
    assert explained.loc["E2", "covered_areas"] == ["Сферум"]


def test_groups_from_pairs():
    chosen = pd.DataFrame(
        {"mentor_code": ["M1", "M1", "B1"], "mentee_code": ["E2", "E1", "E3"], "score": [0.1, 0.2, 0.3]}
    )
    groups = mt.groups_from_pairs(chosen)
    assert groups["group_code"].tolist() == ["G-B1", "G-M1", "G-M1"]
    assert groups["mentee_code"].tolist() == ["E3", "E1", "E2"]


def test_end_to_end_small():
    pairs = mt.score_pairs(COMPETENCE, PROFILES, ["M1", "B1"], ["E1", "E2"])
    result = mt.assign_pairs(pairs, {"M1": 1, "B1": 1}, mode="everyone")
    assert len(result) == 2
    # M1–E1 (0.75) + B1–E2 beats M1–E2 + B1–E1 on this data
    assert set(zip(result["mentor_code"], result["mentee_code"], strict=True)) == {("M1", "E1"), ("B1", "E2")}


def test_compatibility_with_several_values():
    profiles = pd.DataFrame(
        {
            "code": ["M1", "E1", "E2"],
            "format": ["смешанно", "очно", None],
            "schedule": [["утро", "после уроков"], "после уроков; выходные", ["выходные"]],
        }
    )
    pairs = mt.score_pairs(COMPETENCE, profiles, ["M1"], ["E1", "E2"]).set_index("mentee_code")
    # E1: mixed format fits «очно»; schedules share «после уроков» -> 2 of 2
    assert pairs.loc["E1", "compatibility"] == 1.0
    # E2: format not given; schedules share nothing -> 0 of 1
    assert pairs.loc["E2", "compatibility"] == 0.0
    assert pairs.loc["E2", "n_preferences_compared"] == 1
