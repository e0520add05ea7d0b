"""Checks of the scale dictionary before it is written: bad dictionaries are rejected whole."""

from __future__ import annotations

import json

import pytest

from db.__main__ import main as db_main
from db.errors import ImportValidationError
from db.importing.scales import load_questionnaires
from tests.conftest import PROJECT_ROOT, SAMPLE_DATA
from tests.db.import_helpers import count

QUESTION = "Встречи с наставником полезны"


def _scale(**changes) -> dict:
    scale = {"min": 1, "max": 5, "labels": {"1": ["Не согласен"], "5": ["Согласен"]},
             "no_opinion": ["Затрудняюсь ответить"], "no_opinion_rule": "missing"}
    scale.update(changes)
    return scale


def _questionnaire(*, scale: dict | None = None, questions: object = None, **changes) -> dict:
    """A valid questionnaire «mentee_satisfaction» with the given fields replaced."""
    entry = {
        "key": "mentee_satisfaction",
        "title": "Удовлетворённость наставляемых",
        "scales": {"agree5": scale if scale is not None else _scale()},
        "questions": questions if questions is not None else [
            {"text": QUESTION, "kind": "likert", "scale": "agree5"}],
    }
    entry.update(changes)
    return entry


def _question(**changes) -> list[dict]:
    question = {"text": QUESTION, "kind": "likert", "scale": "agree5"}
    question.update(changes)
    return [question]


BAD_DICTIONARIES = [
    pytest.param([], ["нет ни одной анкеты"], id="empty-list"),
    pytest.param({"questionnaires": []}, ["нет ни одной анкеты"], id="no-questionnaires"),
    pytest.param("анкеты", ["«анкеты»"], id="not-a-list"),
    pytest.param([_questionnaire(key=None)], ["анкета №1", "поле «key»: null"], id="key-null"),
    pytest.param([_questionnaire(key="  ")], ["анкета №1", "поле «key»: «  »"], id="key-blank"),
    pytest.param([_questionnaire(key=7)], ["анкета №1", "поле «key»: 7"], id="key-number"),
    pytest.param([{"title": "Без ключа", "questions": []}], ["анкета №1 без ключа «key»"],
                 id="key-missing"),
    pytest.param([_questionnaire(questions="ФИО")], ["«mentee_satisfaction»", "поле «questions»: «ФИО»"],
                 id="questions-string"),
    pytest.param([_questionnaire(questions=["ФИО"])], ["«mentee_satisfaction», вопрос №1", "«ФИО»"],
                 id="question-not-object"),
    pytest.param([_questionnaire(questions=_question(text=""))],
                 ["«mentee_satisfaction», вопрос №1", "поле «text»: «»"], id="question-text-empty"),
    pytest.param([_questionnaire(questions=[{"kind": "text"}])],
                 ["«mentee_satisfaction», вопрос №1", "нет поля «text»"], id="question-text-missing"),
    pytest.param([_questionnaire(questions=_question() + _question(text=" встречи с наставником ПОЛЕЗНЫ"))],
                 ["«mentee_satisfaction», вопрос №2", "« встречи с наставником ПОЛЕЗНЫ»",
                  "повторяет вопрос №1"], id="question-duplicate"),
    pytest.param([_questionnaire(questions=_question(kind="slider"))],
                 ["«mentee_satisfaction», вопрос №1", "поле «kind»: «slider»", "likert, grid"],
                 id="question-kind-unknown"),
    pytest.param([_questionnaire(questions=_question(scale="agree7"))],
                 ["«mentee_satisfaction», вопрос №1", "поле «scale»: «agree7»", "определены: agree5"],
                 id="question-scale-undefined"),
    pytest.param([_questionnaire(questions=_question(kind="multi", options="да, нет"))],
                 ["«mentee_satisfaction», вопрос №1", "поле «options»: «да, нет»"], id="options-string"),
    pytest.param([_questionnaire(scales=["agree5"])], ["«mentee_satisfaction»", 'поле «scales»: ["agree5"]'],
                 id="scales-list"),
    pytest.param([_questionnaire(scales={"agree5": 5}, questions=[])],
                 ["«mentee_satisfaction», шкала «agree5»", "записано 5"], id="scale-not-object"),
    pytest.param([_questionnaire(scale=_scale(min="ноль"))],
                 ["«mentee_satisfaction», шкала «agree5»", "поле «min»: «ноль»"], id="scale-min-word"),
    pytest.param([_questionnaire(scale={"labels": {}})],
                 ["шкала «agree5»", "нет поля «min»", "нет поля «max»"], id="scale-bounds-missing"),
    pytest.param([_questionnaire(scale=_scale(max=True))],
                 ["шкала «agree5»", "поле «max»: true"], id="scale-max-boolean"),
    pytest.param([_questionnaire(scale=_scale(min=5, max=5, labels={}))],
                 ["шкала «agree5»", "«min» 5 не меньше «max» 5"], id="scale-min-equals-max"),
    pytest.param([_questionnaire(scale=_scale(labels={"1": "Не согласен"}))],
                 ["шкала «agree5»", "подписи балла «1»", "«Не согласен»"], id="label-list-string"),
    pytest.param([_questionnaire(scale=_scale(labels=["Не согласен", "Согласен"]))],
                 ["шкала «agree5»", 'поле «labels»: ["Не согласен", "Согласен"]'], id="labels-list"),
    pytest.param([_questionnaire(scale=_scale(labels={"один": ["Не согласен"]}))],
                 ["шкала «agree5»", "ключ подписи «один»"], id="label-key-word"),
    pytest.param([_questionnaire(scale=_scale(labels={"7": ["Очень согласен"]}))],
                 ["шкала «agree5»", "балл «7»", "вне шкалы от 1 до 5"], id="label-key-out-of-scale"),
    pytest.param([_questionnaire(scale=_scale(no_opinion="Затрудняюсь ответить"))],
                 ["шкала «agree5»", "поле «no_opinion»: «Затрудняюсь ответить»"], id="no-opinion-string"),
    pytest.param([_questionnaire(scale=_scale(no_opinion_rule="zero"))],
                 ["шкала «agree5»", "поле «no_opinion_rule»: «zero»", '"midpoint"'], id="no-opinion-rule"),
    pytest.param([_questionnaire(), _questionnaire(key="mentor_satisfaction", questions=_question(kind="radio"))],
                 ["анкета №2 «mentor_satisfaction», вопрос №1", "поле «kind»: «radio»"],
                 id="second-questionnaire-bad"),
    pytest.param([_questionnaire(), _questionnaire()],
                 ["анкета №2 «mentee_satisfaction»", "уже занят анкетой №1"], id="key-duplicate"),
]


@pytest.mark.parametrize(("dictionary", "fragments"), BAD_DICTIONARIES)
def test_bad_dictionary_rejected_whole(engine, tmp_path, dictionary, fragments):
    path = tmp_path / "анкеты.json"
    path.write_text(json.dumps(dictionary, ensure_ascii=False), "utf-8")
    with pytest.raises(ImportValidationError) as error:
        load_questionnaires(path, engine=engine)
    message = error.value.message
    assert message.startswith("Файл анкеты.json: ")
    for fragment in fragments:
        assert fragment in message
    assert message.endswith("Возьмите за образец sample_data/questionnaires.json.")
    assert count(engine, "questionnaire") == 0
    assert count(engine, "question") == 0


def test_all_problems_listed_in_one_message(engine):
    scale = _scale(min="ноль", labels={"1": "Не согласен"}, no_opinion_rule="zero")
    dictionary = [_questionnaire(scale=scale, questions=_question(kind="slider", scale="agree7"))]
    with pytest.raises(ImportValidationError) as error:
        load_questionnaires(dictionary, engine=engine)
    message = error.value.message
    assert "Ошибок: 5." in message
    assert "поле «min»: «ноль»" in message
    assert "подписи балла «1» в «labels» — «Не согласен»" in message
    assert "поле «no_opinion_rule»: «zero»" in message
    assert "поле «kind»: «slider»" in message
    assert "поле «scale»: «agree7»" in message
    assert count(engine, "questionnaire") == 0


def test_problem_list_capped(engine):
    questions = [{"text": f"Вопрос {number}", "kind": "slider"} for number in range(1, 26)]
    with pytest.raises(ImportValidationError) as error:
        load_questionnaires([_questionnaire(questions=questions)], engine=engine)
    message = error.value.message
    assert "Ошибок: 25." in message
    assert "«Вопрос 20»" in message
    assert "«Вопрос 21»" not in message
    assert "…и ещё 5 ошибок." in message


@pytest.mark.parametrize("path", [
    SAMPLE_DATA / "questionnaires.json",
    PROJECT_ROOT / "tests" / "fixtures" / "field_inputs_questionnaire.json",
], ids=["sample", "field-inputs"])
def test_valid_dictionaries_still_load(engine, path):
    expected = [entry["key"] for entry in json.loads(path.read_text("utf-8-sig"))]
    assert load_questionnaires(path, engine=engine) == expected
    assert count(engine, "questionnaire") == len(expected)



def test_null_scales_accepted(engine):
    entry = _questionnaire(scales=None, questions=[{"text": "Комментарий", "kind": "text", "scale": None}])
    assert load_questionnaires([entry], engine=engine) == ["mentee_satisfaction"]
    assert count(engine, "question") == 1


def test_dictionary_command_rejects_bad_file(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path = tmp_path / "плохой.json"
    path.write_text(json.dumps([_questionnaire(scale=_scale(labels={"1": "Не согласен"}))],
                               ensure_ascii=False), "utf-8")
    assert db_main(["dictionary", str(path)]) == 1
    captured = capsys.readouterr()
    assert "Файл плохой.json: словарь анкет не загружен" in captured.err
    assert "анкета №1 «mentee_satisfaction», шкала «agree5»" in captured.err
    assert "«Не согласен»" in captured.err
    assert "Traceback" not in captured.err
    assert "Словарь анкет загружен" not in captured.out
    assert count(engine, "questionnaire") == 0
