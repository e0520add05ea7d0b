"""Small builders shared by the import tests: CSV bytes and a participants file."""

from __future__ import annotations

import sqlalchemy as sa

PARTICIPANTS_HEADER = "Код;ФИО;Роль;Предмет;Стаж, лет;E-mail;Дата регистрации"
PARTICIPANT_ROWS = [
    "T001;Петрова Анна Сергеевна;наставник;Информатика;21;t001@school.example;01.09.2024",
    "T002;Соколов Дмитрий Олегович;наставляемый;История;3;t002@school.example;02.09.2024",
    "T003;Лебедева Ольга Петровна;Наставляемый;Математика;2,5;t003@school.example;2024-09-02",
    "T004;Кузнецова Мария Ивановна;наставник и наставляемый;Физика;10;teacher04@school.example;03.09.2024",
    "T005;Иванов Пётр Андреевич;наставляемый;Химия;4;;03.09.2024",
    "T006;Иванов Пётр Андреевич;наставляемый;Биология;6;;03.09.2024",
]


def csv_bytes(header: str, rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def participants_csv() -> bytes:
    return csv_bytes(PARTICIPANTS_HEADER, PARTICIPANT_ROWS)


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
