"""Shared reader helpers in labtox.io._common: decoding, dates, text columns.

Expected values are written by hand from the inputs (a calendar date, the text as typed).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labtox.errors import ParseError
from labtox.io._common import DOTTED_DAYFIRST, coded_text, decode_bytes, parse_dates
from labtox.run import line_texts

RUSSIAN = "Шифр пробы;Место отбора;Дата\nКМ-01;Бейнеу;15.05.2024\n"
KAZAKH = "Сынама;Орын\nКМ-02;Жаңаөзен\n"


@pytest.mark.parametrize("text", [RUSSIAN, KAZAKH.replace("ң", "н").replace("ө", "о")])
def test_cp1251_is_recognised(text):
    """Russian Windows saves CSV as cp1251; read as cp1252 it would come out as 'Øèôð'."""
    decoded, enc = decode_bytes(text.encode("cp1251"))
    assert enc == "cp1251" and decoded == text


@pytest.mark.parametrize("text", ["Analyste;Date départ;Méthode\nA;01/02/2021;Au\n",
                                  "Probe;Größe;Maß\nA;1;2\n"])
def test_western_text_stays_cp1252(text):
    decoded, enc = decode_bytes(text.encode("cp1252"))
    assert enc == "cp1252" and decoded == text


@pytest.mark.parametrize("raw, enc", [
    ("Проба\r\nКМ-1\r\n".encode("utf-8-sig"), "utf-8-sig"),
    ("Проба\r\nКМ-1\r\n".encode("utf-16"), "utf-16"),
    ("Проба\rКМ-1\r".encode(), "utf-8"),
])
def test_line_endings_and_unicode_encodings(raw, enc):
    assert decode_bytes(raw) == ("Проба\nКМ-1\n", enc)


@pytest.mark.parametrize("cell, iso", [
    ("15 мая 2024", "2024-05-15"),
    ("3 января 2024 10:05", "2024-01-03T10:05:00"),
    ("1 қыркүйек 2024", "2024-09-01"),
    ("28 желтоқсан 2023", "2023-12-28"),
    ("07-Jan-20", "2020-01-07"),
])
def test_month_names_in_russian_kazakh_english(cell, iso):
    assert parse_dates([cell])[0] == [iso]


def test_ambiguous_dates_are_not_guessed():
    with pytest.raises(ParseError, match="ambiguous"):
        parse_dates(["01/02/2024", "03/04/2024"])
    assert parse_dates(["01/02/2024"], dayfirst=True)[0] == ["2024-02-01"]


def test_line_texts_and_coded_text():
    assert line_texts(np.array([7, 8, 9, 7])).tolist() == ["7", "8", "9", "7"]
    assert line_texts(np.array([5000])).tolist() == ["5000"]  # past the first cache
    with pytest.raises(ValueError, match="negative"):
        line_texts(np.array([3, -1]))
    arr = coded_text(["Pb", None, "Cd", "Pb"], np.array([2, 0, -1, 1, 3]))
    assert [x if isinstance(x, str) else None for x in arr.tolist()] == ["Cd", "Pb", "Pb", None,
                                                                          "Pb"]
    assert list(arr.categories) == ["Pb", "Cd"]  # distinct, None is missing (code -1)


def test_dotted_dates_are_day_first_and_said_so():
    """05.03.2024 is 5 March wherever dots are written (no locale writes m.d.y with dots)."""
    iso, rule = parse_dates(["05.03.2024 10:00", "06.03.2024"])
    assert iso == ["2024-03-05T10:00:00", "2024-03-06"] and rule == DOTTED_DAYFIRST


def test_equal_day_and_month_need_no_style():
    assert parse_dates(["10/10/2022", "03/03/2016 08:00"])[0] == ["2022-10-10",
                                                                  "2016-03-03T08:00:00"]


@pytest.mark.parametrize("cell, dot, comma", [
    ("0,152", (None, "0,152"), 0.152),  # never a thousands group: flagged, not 152
    ("1,250", (1250.0, None), 1.25),  # reads either way: the file's decimal decides
    ("12,345,678.5", (12345678.5, None), None),
])
def test_thousands_groups_never_start_with_zero(cell, dot, comma):
    from labtox.io._common import parse_number

    v, f = parse_number(cell, ".")
    assert (None if v != v else v, f) == dot
    v, f = parse_number(cell, ",")
    assert (None if v != v else v) == comma


def test_sample_type_words_split_at_punctuation():
    from labtox.io._tables import label_sample_type

    assert label_sample_type("QC; std 5") == ("qc", "QC")
    assert label_sample_type("Blank(1)") == ("blank", "Blank")


@settings(max_examples=200, deadline=None)
@given(when=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2068, 12, 31)),
       style=st.sampled_from(["iso", "us12", "eu24", "dotted", "ymd_slash"]))
def test_dates_match_the_standard_library(when, style):
    """Each style written out by ``strftime`` reads back as ``datetime.isoformat`` says (an
    independent formatter, not labtox's own)."""
    when = when.replace(microsecond=0)
    fmt = {"iso": "%Y-%m-%dT%H:%M:%S", "us12": "%m/%d/%Y %I:%M:%S %p",
           "eu24": "%d/%m/%Y %H:%M:%S", "dotted": "%d.%m.%Y %H:%M:%S",
           "ymd_slash": "%Y/%m/%d %H:%M:%S"}[style]
    dayfirst = {"us12": False, "eu24": True}.get(style)
    iso, _ = parse_dates([when.strftime(fmt)], dayfirst=dayfirst)
    assert iso == [when.isoformat(timespec="seconds")]


@pytest.mark.parametrize("cell", ["2024-02-30", "2023-02-29 10:00", "2024-03-14 24:00",
                                  "2024-03-14 10:60", "2024-03-14 10:00:60",
                                  "3/14/2024 13:00 PM x", "31.04.2024"])
def test_impossible_dates_and_times_are_refused(cell):
    if cell.endswith(" x"):  # 13 PM is 13:00, as datetime reads it: accepted, not an error
        assert parse_dates([cell[:-2]], dayfirst=False)[0] == ["2024-03-14T13:00:00"]
        return
    with pytest.raises(ParseError, match="not a valid calendar date"):
        parse_dates([cell], dayfirst=True)


def test_time_zone_and_midnight_am():
    assert parse_dates(["2024-03-14 12:05:09 AM +02:00", "2024-03-14 12:05 PM"])[0] == [
        "2024-03-14T00:05:09+02:00", "2024-03-14T12:05:00"]
