"""Tests for the sample register reader (labtox.io.register / labtox.io.read_register)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from labtox.errors import LabtoxError, ParseError, SchemaError
from labtox.io import read_register
from labtox.io.register import REGISTER_COLUMNS, alias_index, normalise_header

DATA = Path(__file__).resolve().parents[1] / "data" / "register"


def test_study_layout_csv_with_comment_blank_line_and_quotes():
    reg = read_register(DATA / "register_ok.csv")
    assert list(reg.columns[: len(REGISTER_COLUMNS)]) == list(REGISTER_COLUMNS)
    assert reg["sample_id"].tolist() == ["MNG-001", "MNG-002", "MNG-003"]
    # Aktau 43°39'N 51°09'E written as decimal degrees in the file
    assert reg.loc[0, "latitude"] == pytest.approx(43.65)
    assert reg.loc[0, "longitude"] == pytest.approx(51.15)
    assert reg.loc[1, "notes"] == 'fermented 3 days, "home" made'
    assert reg.loc[1, "aliases"] == "SPL2|K-2"
    assert reg.loc[2, "sample_volume_ml"] == 10.0
    assert math.isnan(reg.loc[2, "sample_mass_g"])
    assert reg["sampling_date"].tolist() == ["2024-05-02", "2024-05-03", "2024-05-04"]
    # line numbers count the comment line, the header and the blank line
    assert reg["source_line"].tolist() == ["3", "4", "6"]
    assert reg.attrs["comments"][0].startswith("# SYNTHETIC")


def test_header_synonyms_semicolon_decimal_comma_and_day_first_dates():
    reg = read_register(DATA / "register_semicolon.csv")
    assert reg.loc[0, "fat_pct"] == pytest.approx(4.25)
    assert reg.loc[0, "dry_matter_pct"] == pytest.approx(13.5)
    assert reg.loc[1, "sample_mass_g"] == pytest.approx(0.49)
    assert reg.loc[0, "latitude"] == pytest.approx(43.34)
    # 15/05/2024 proves the column is day-first, so 02/05/2024 is 2 May
    assert reg["sampling_date"].tolist() == ["2024-05-02", "2024-05-15"]
    assert "day-first" in reg.attrs["date_rule"]
    assert reg.loc[1, "notes"] == "note"
    # an unknown column is kept as written, not dropped
    assert reg.attrs["unmapped_columns"] == ["Collector"]
    assert reg["Collector"].tolist() == ["A. N.", "B. K."]


def test_utf16_register_and_dotted_dates():
    reg = read_register(DATA / "register_utf16.csv", dayfirst=True)
    assert reg.loc[0, "sample_id"] == "MNG-020"
    assert reg.loc[0, "sampling_date"] == "2024-06-01"
    assert reg.loc[0, "fat_pct"] == pytest.approx(4.0)


def test_russian_headers():
    reg = read_register(DATA / "register_ru.csv")
    assert reg.loc[0, "site"] == "Актау"
    assert reg.loc[0, "fat_pct"] == pytest.approx(4.1)
    assert reg.loc[0, "sample_mass_g"] == pytest.approx(0.5)
    assert reg.loc[0, "notes"] == "сырое молоко"


def test_all_problems_reported_at_once_with_lines():
    with pytest.raises(SchemaError) as info:
        read_register(DATA / "register_bad.csv")
    err = info.value
    found = {(p.source_line, p.column) for p in err.problems}
    assert found == {
        ("3", "sample_id"),  # duplicate
        ("4", "sample_id"), ("4", "latitude"), ("4", "fat_pct"), ("4", "sample_mass_g"),
        ("5", "longitude"), ("5", "sampling_date"), ("5", "fat_pct"), ("5", "sample_mass_g"),
    }
    text = str(err)
    assert "register_bad.csv" in text
    assert "must be unique (first seen on line 2)" in text
    assert "must be a latitude in [-90, 90] degrees" in text
    assert "must be a percentage in (0, 100]" in text
    assert "must be a number" in text
    assert "9 problem(s)" in text


def test_xlsx_register(tmp_path):
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Samples"
    ws.append(["Sample ID", "Site", "Latitude", "Longitude", "Sampling date", "Fat (%)",
               "Sample mass (g)", "Final volume (mL)"])
    ws.append(["MNG-001", "Aktau", 43.65, 51.15, datetime.datetime(2024, 5, 2), 4.1, 0.5, 50])
    ws.append([None] * 8)
    ws.append([7, "Kuryk", 43.17, 51.65, "2024-05-03", 3.6, 0.5, 50])
    p = tmp_path / "reg.xlsx"
    wb.save(p)
    reg = read_register(p)
    assert reg["sample_id"].tolist() == ["MNG-001", "7"]
    # a workbook date cell (a datetime at midnight) is a date
    assert reg["sampling_date"].tolist() == ["2024-05-02", "2024-05-03"]
    assert reg["source_line"].tolist() == ["Samples!R2", "Samples!R4"]
    assert reg.loc[0, "final_volume_ml"] == 50.0


def test_xlsx_problem_names_sheet_row(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sample_id", "latitude"])
    ws.append(["A", 91])
    p = tmp_path / "reg.xlsx"
    wb.save(p)
    with pytest.raises(SchemaError, match=r"line Sheet!R2, column 'latitude'"):
        read_register(p)


def test_no_sample_id_column(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("site,latitude\nAktau,43.6\n")
    with pytest.raises(ParseError, match="no sample id column") as info:
        read_register(p)
    assert info.value.line == 1


def test_two_columns_for_one_field(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("sample_id,Fat %,fat_pct\nA,1,2\n")
    with pytest.raises(ParseError, match="two columns map to 'fat_pct'"):
        read_register(p)


def test_ambiguous_dates_need_dayfirst(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("sample_id,date\nA,03/04/2024\nB,05/06/2024\n")
    with pytest.raises(SchemaError, match="ambiguous"):
        read_register(p)
    reg = read_register(p, dayfirst=True)
    assert reg["sampling_date"].tolist() == ["2024-04-03", "2024-06-05"]
    reg = read_register(p, dayfirst=False)
    assert reg["sampling_date"].tolist() == ["2024-03-04", "2024-05-06"]


def test_extra_header_mapping(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("Code,Lipids g/100g\nA,3.5\n")
    reg = read_register(p, columns={"Lipids g/100g": "fat_pct", "Code": "sample_id"})
    assert reg.loc[0, "fat_pct"] == 3.5


def test_missing_file():
    with pytest.raises(ParseError, match="does not exist"):
        read_register(DATA / "nope.csv")


def test_alias_index():
    reg = read_register(DATA / "register_ok.csv")
    idx = alias_index(reg)
    assert idx["SPL1"] == "MNG-001"
    assert idx["K-2"] == "MNG-002"
    assert idx["MNG-003"] == "MNG-003"
    bad = pd.DataFrame({"sample_id": ["A", "B"], "aliases": ["X", "X"]})
    with pytest.raises(LabtoxError, match="alias 'X' names two samples"):
        alias_index(bad)


@pytest.mark.parametrize("header,expected", [
    ("Fat %", "fat_pct"), ("fat, %", "fat_pct"), ("Fat (%)", "fat_pct"), ("FAT_PCT", "fat_pct"),
    ("Жирность, %", "fat_pct"), ("Sample ID", "sample_id"), ("Lat", "latitude"),
    ("Longitude (°E)", "longitude"), ("Collector", None),
])
def test_synonym_table(header, expected):
    from labtox.io.register import _LOOKUP

    assert _LOOKUP.get(normalise_header(header)) == expected


# ---------------------------------------------------------------------------- property-based
from datetime import date  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from labtox.io.register import HEADER_SYNONYMS  # noqa: E402

_FIELDS = ["sample_id", "latitude", "longitude", "fat_pct", "sample_mass_g", "sampling_date"]


@st.composite
def registers(draw):
    n = draw(st.integers(1, 8))
    ids = draw(st.lists(st.from_regex(r"[A-Z]{3}-[0-9]{3}", fullmatch=True), min_size=n,
                        max_size=n, unique=True))
    rows = []
    for sid in ids:
        rows.append({
            "sample_id": sid,
            "latitude": draw(st.decimals(-90, 90, places=4)),
            "longitude": draw(st.decimals(-180, 180, places=4)),
            "fat_pct": draw(st.decimals("0.01", 100, places=2)),
            "sample_mass_g": draw(st.decimals("0.001", 1000, places=3)),
            "sampling_date": draw(st.dates(date(1900, 1, 1), date(2099, 12, 31))),
        })
    # dates as ISO, dotted dd.mm.yyyy (day-first in every locale), or slashed with one day
    # past 12 in the column so that the order is proven (dd/mm/yyyy or mm/dd/yyyy)
    date_style = draw(st.sampled_from(["iso", "dotted", "dmy", "mdy"]))
    if date_style in ("dmy", "mdy"):
        k = draw(st.integers(0, n - 1))
        d = rows[k]["sampling_date"]
        rows[k]["sampling_date"] = d.replace(day=draw(st.integers(13, 28)))
    for r in rows:
        d = r["sampling_date"]
        r["written_date"] = {"iso": d.isoformat(), "dotted": f"{d.day:02d}.{d.month:02d}.{d.year}",
                             "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
                             "mdy": f"{d.month:02d}/{d.day:02d}/{d.year}"}[date_style]
        r["sampling_date"] = d.isoformat()
    headers = {f: draw(st.sampled_from((f, *HEADER_SYNONYMS[f]))) for f in _FIELDS}
    style = draw(st.sampled_from([(",", "."), (";", ","), ("\t", ".")]))
    return rows, headers, style


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(registers())
def test_any_valid_register_reads_back(reg):
    import tempfile

    rows, headers, (delim, dec) = reg
    lines = [delim.join(headers[f] for f in _FIELDS)]
    for r in rows:
        cells = [str(r[f]).replace(".", dec) if f != "sample_id" else r[f] for f in _FIELDS]
        cells[_FIELDS.index("sampling_date")] = r["written_date"]
        lines.append(delim.join(cells))
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "reg.csv"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = read_register(p)
    assert out["sample_id"].tolist() == [r["sample_id"] for r in rows]
    for f in ("latitude", "longitude", "fat_pct", "sample_mass_g"):
        assert out[f].tolist() == pytest.approx([float(r[f]) for r in rows], rel=1e-12, abs=1e-12)
    assert out["sampling_date"].tolist() == [r["sampling_date"] for r in rows]


# ---------------------------------------------------------------------------- other registers
def test_kazakh_headers_units_dms_and_kazakh_months():
    reg = read_register(DATA / "register_kk_units_dms_SYNTHETIC.csv")
    assert reg["sample_id"].tolist() == ["KZ-001", "KZ-002", "KZ-003"]
    assert reg.attrs["preamble"] == ["Түйе сүтінің сынамалары 2024 (SYNTHETIC)"]
    assert reg.loc[0, "site"] == "Бейнеу" and reg.loc[1, "notes"] == "салқын"
    # 45°19′12″ = 45 + 19/60 + 12/3600; 55°11′24″ = 55.19; 44°10′ = 44.1666…
    assert reg.loc[0, "latitude"] == pytest.approx(45.32)
    assert reg.loc[0, "longitude"] == pytest.approx(55.19)
    assert reg.loc[1, "latitude"] == pytest.approx(44 + 10 / 60)
    assert reg.loc[2, "latitude"] == pytest.approx(43.17)
    assert reg["sampling_date"].tolist()[:2] == ["2024-05-02", "2024-05-15"]  # '2 мамыр 2024 ж.'
    assert reg.loc[0, "fat_pct"] == pytest.approx(4.1)
    assert reg.loc[0, "sample_mass_g"] == pytest.approx(0.5)  # 500 mg
    assert reg.loc[1, "sample_mass_g"] == pytest.approx(0.5025)
    assert reg.loc[0, "final_volume_ml"] == pytest.approx(50.0)  # 0,05 L
    assert reg.loc[0, "species"] == "бактриан" and reg.loc[0, "product"] == "шұбат"
    assert any("× 0.001" in w for w in reg.attrs["warnings"])


def test_russian_cp1251_combined_coordinates_dotted_dates_units_in_cells():
    reg = read_register(DATA / "register_ru_cp1251_coords_SYNTHETIC.csv")
    assert reg.attrs["encoding"] == "cp1251"
    assert reg.loc[0, "sample_id"] == "RU-01" and reg.loc[1, "notes"] == "повторно"
    assert reg.loc[0, "latitude"] == 43.65 and reg.loc[0, "longitude"] == 51.15
    assert reg.loc[1, "latitude"] == pytest.approx(43.65)  # 43°39'N
    assert reg.loc[1, "longitude"] == pytest.approx(51.15)  # 51°09'E
    # every date is dd.mm.yyyy: read day-first, and said so
    assert reg["sampling_date"].tolist() == ["2024-05-02", "2024-05-03"]
    assert "dotted" in reg.attrs["date_rule"]
    assert reg.loc[0, "fat_pct"] == 4.2  # '4.2 %'
    assert reg.loc[0, "sample_mass_g"] == 0.5  # '0.5 g'
    assert reg.loc[1, "sample_volume_ml"] == 10.0  # '10 мл'
    # the bare 'Дата' column yields to 'Дата отбора проб' and is kept as written
    assert reg["Дата"].tolist() == ["10.06.2024", "10.06.2024"]
    assert reg["Ответственный"].tolist() == ["Иванов", "Петрова"]
    assert reg.loc[0, "species"] == "верблюд" and reg.loc[1, "product"] == "шубат"


def test_xlsx_register_with_title_row_text_decimals_and_units():
    reg = read_register(DATA / "register_ru_xlsx_title_units_SYNTHETIC.xlsx")
    assert reg["sample_id"].tolist() == ["KZ-101", "102"]
    assert reg["source_line"].tolist() == ["Реестр!R4", "Реестр!R5"]
    assert reg.loc[0, "latitude"] == pytest.approx(43.34)  # 43°20′24″ с.ш.
    assert reg.loc[0, "longitude"] == pytest.approx(52.86)  # 52°51′36″ в.д.
    assert reg.loc[0, "fat_pct"] == 4.25  # text '4,25'
    assert reg["dry_matter_pct"].tolist() == [13.5, 12.0]  # g/kg → %
    assert reg["sampling_date"].tolist() == ["2024-05-02", "2024-05-15T09:30:00"]
    assert reg.loc[0, "Лаборант"] == "А. Н."


def test_sample_amount_column_split_by_unit_and_header_date_hint():
    reg = read_register(DATA / "register_en_amount_units_SYNTHETIC.csv")
    assert reg["sample_mass_g"].tolist()[0] == 0.5 and reg.loc[2, "sample_mass_g"] == 2.0
    assert reg.loc[1, "sample_volume_ml"] == pytest.approx(0.25)  # 250 uL
    assert math.isnan(reg.loc[0, "sample_volume_ml"])
    assert reg.loc[0, "latitude"] == 43.65 and reg.loc[0, "longitude"] == 51.15  # N 43 39 00
    assert reg["sampling_date"].tolist()[:2] == ["2024-05-02", "2024-05-03"]  # (mm/dd/yyyy)
    assert "header format hint" in reg.attrs["date_rule"]
    assert reg.loc[0, "site"] == "Well 4" and reg.loc[0, "product"] == "raw milk"


def test_amount_without_unit_and_bad_coordinates_are_problems(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("Sample ID,Latitude,Longitude,Sample amount\n"
                 "A,43°75'N,51.1,2\nB,51.2E,12°30' W,3 mL\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        read_register(p)
    found = {(q.source_line, q.column): q.check for q in info.value.problems}
    assert set(found) == {("2", "latitude"), ("2", "Sample amount"), ("3", "latitude")}
    assert "minutes and seconds must be below 60" in found[("2", "latitude")]
    assert "hemisphere E does not belong to a latitude" in found[("3", "latitude")]
    assert "with its unit" in found[("2", "Sample amount")]


def test_unknown_header_unit_is_an_error(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("Sample ID,Sample mass (oz)\nA,1\n")
    with pytest.raises(ParseError, match="unit in header 'Sample mass \\(oz\\)'") as info:
        read_register(p)
    assert info.value.found == "oz" and info.value.line == 1


def test_parse_coordinate_styles():
    from labtox.io.register import parse_coordinate

    assert parse_coordinate("43°39'00\"N", "latitude") == pytest.approx(43.65)
    assert parse_coordinate("N 43 39 00", "latitude") == pytest.approx(43.65)
    assert parse_coordinate("43°39′ с.ш.", "latitude") == pytest.approx(43.65)
    assert parse_coordinate("12°30' W", "longitude") == pytest.approx(-12.5)
    assert parse_coordinate("33°52′ ю.ш.", "latitude") == pytest.approx(-(33 + 52 / 60))
    assert parse_coordinate("43,65", "latitude", ",") == 43.65
    with pytest.raises(ValueError, match="not a coordinate"):
        parse_coordinate("near the well", "latitude")


def test_workbook_opening_on_an_instructions_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Инструкция"
    ws.append(["Заполните лист 'Пробы'"])
    ws2 = wb.create_sheet("Пробы")
    ws2.append(["Код пробы", "Дата отбора"])
    ws2.append(["A-1", "02.05.2024"])
    p = tmp_path / "r.xlsx"
    wb.save(p)
    reg = read_register(p)
    assert reg["sample_id"].tolist() == ["A-1"]
    assert reg["source_line"].tolist() == ["Пробы!R2"]
    assert reg["sampling_date"].tolist() == ["2024-05-02"]


def test_blank_header_column_kept_and_seconds_word_is_not_a_hemisphere():
    # tests/data/register/register_blank_header_dms_ru_SYNTHETIC.csv, line 3:
    # R-1;43 град 39 мин 00 сек с.ш.;ведро 2;51 град 10 мин 12 сек в.д.
    reg = read_register(DATA / "register_blank_header_dms_ru_SYNTHETIC.csv")
    assert reg["sample_id"].tolist() == ["R-1", "R-2"]
    # 43 + 39/60 = 43.65; 51 + 10/60 + 12/3600 = 51.17; 43 + 30/60 = 43.5; 51 + 15/60 = 51.25
    assert reg["latitude"].tolist() == pytest.approx([43.65, 43.5])
    assert reg["longitude"].tolist() == pytest.approx([51.17, 51.25])
    # the third column has a blank header cell: kept as column_3, not dropped
    assert reg.attrs["unmapped_columns"] == ["column_3"]
    assert reg.loc[0, "column_3"] == "ведро 2" and pd.isna(reg.loc[1, "column_3"])
    assert any("column 3 has no header" in w and "'column_3'" in w and "line 3" in w
               for w in reg.attrs["warnings"])


def test_minus_sign_with_north_is_a_problem():
    # tests/data/register/register_minus_north_SYNTHETIC.csv line 4: A-2,-43°39' N,51°09' E
    with pytest.raises(SchemaError) as info:
        read_register(DATA / "register_minus_north_SYNTHETIC.csv")
    found = {(q.source_line, q.column): q.check for q in info.value.problems}
    assert set(found) == {("4", "latitude")}
    assert "a minus sign contradicts the hemisphere N" in found[("4", "latitude")]


def test_parse_coordinate_sign_and_seconds_word():
    from labtox.io.register import parse_coordinate

    assert parse_coordinate("43 град 39 мин 00 сек с.ш.", "latitude") == pytest.approx(43.65)
    assert parse_coordinate("12 град 30 мин 00 сек з.д.", "longitude") == pytest.approx(-12.5)
    assert parse_coordinate("-12°30' W", "longitude") == pytest.approx(-12.5)
    with pytest.raises(ValueError, match="minus sign contradicts the hemisphere N"):
        parse_coordinate("-43°39' N", "latitude")
    with pytest.raises(ValueError, match="minus sign contradicts the hemisphere E"):
        parse_coordinate("-51°10′ в.д.", "longitude")
