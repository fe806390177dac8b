"""Locales: the three catalogues match, Kazakh is Kazakh, formatting follows CLDR/GOST, captions
give the right numbers for a constructed data set.

Expected strings come from the conventions, not from the code: CLDR plural rules and number
symbols for ru/kk (decimal comma, U+202F grouping with minimum grouping digits 2), Russian
genitive months, Kazakh month names; caption numbers from counting the constructed set by hand.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtox import i18n
from labtox.plots import caption, captions, provenance_footer

LANGS = ("en", "ru", "kk")
NN = "\u202f"


def test_every_key_exists_in_all_three_files():
    keys = {lang: i18n.keys(lang) for lang in LANGS}
    assert keys["en"] == keys["ru"] == keys["kk"], {
        lang: sorted(keys["en"] ^ keys[lang]) for lang in LANGS}
    assert len(keys["en"]) > 250


def test_placeholders_agree_across_languages():
    """A translation may drop a field (Kazakh needs no plural word) but never invent one."""
    for key in i18n.keys("en"):
        en = i18n.catalogue("en")[key]
        if not isinstance(en, str):
            continue
        fields_en = set(re.findall(r"{(\w+)}", en))
        for lang in ("ru", "kk"):
            other = set(re.findall(r"{(\w+)}", i18n.catalogue(lang)[key]))
            allowed = fields_en | {"samples", "product", "from_site", "verb", "analyte"}
            assert other <= allowed, (key, lang, other - allowed)


def test_files_parse_as_utf8_toml():
    for lang in LANGS:
        raw = resources.files("labtox").joinpath("locales", f"{lang}.toml").read_bytes()
        tomllib.loads(raw.decode("utf-8"))


def test_kazakh_file_uses_kazakh_letters_and_no_latin_words():
    cat = i18n.catalogue("kk")
    text = " ".join(v for v in cat.values() if isinstance(v, str))
    for letter in "әғқңөұүі":
        assert letter in text, letter
    # Kazakh strings are Cyrillic: Latin only in symbols/abbreviations (TEQ, SHA-256, LOD ...)
    latin_words = {w for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"{\w+}", "", text))}
    assert latin_words <= {"labtox", "EFSA", "JECFA", "ILAC"}, latin_words
    # Russian-only letters must not leak into Kazakh text (ё, э, щ, ъ are rare in Kazakh;
    # ы is Kazakh too, so it is not checked)
    assert not re.search(r"[ёъщ]", text)


def test_decisions_and_statuses():
    assert [i18n.decision_label(d, "kk") for d in
            ("compliant", "non-compliant", "inconclusive", "not-decidable")] == [
        "сәйкес келеді", "сәйкес келмейді", "анық емес", "бағалау мүмкін емес"]
    assert i18n.decision_label("non-compliant", "ru") == "не соответствует"
    assert i18n.status_label("CONFIRMED_PRIMARY", "ru") == "подтверждено (первоисточник)"
    assert i18n.status_label("unverified", "kk") == "тексерілмеген"


@pytest.mark.parametrize("act, lang, expected", [
    ("EAEU TR CU 033/2013", "ru", "ТР ТС 033/2013"),
    ("EAEU TR CU 033/2013", "kk", "КО ТР 033/2013"),
    ("TR CU 021/2011 \"On food safety\"", "ru", "ТР ТС 021/2011"),
    ("Commission Regulation (EU) 2023/915", "ru", "Регламент Комиссии (ЕС) 2023/915"),
    ("Commission Regulation (EU) 2023/915 (carries over MLs of Reg. (EC) 1881/2006)", "en",
     "Commission Regulation (EU) 2023/915"),
    ("Commission Regulation (EC) No 1881/2006", "kk",
     "Еуропалық Комиссияның (ЕҚ) № 1881/2006 регламенті"),
    ("CXS 193-1995", "ru", "Стандарт Кодекса Алиментариус CXS 193-1995"),
    ("Order of the Minister <unknown>", "kk", "Order of the Minister <unknown>"),
])
def test_act_names(act, lang, expected):
    assert i18n.act_name(act, lang) == expected


def test_analyte_names_come_from_the_vocabulary():
    assert i18n.analyte_name("Pb", "kk") == "Қорғасын"
    assert i18n.analyte_name("208Pb", "ru") == "Свинец"
    assert i18n.analyte_name("not-a-compound", "ru") == "not-a-compound"


@pytest.mark.parametrize("value, lang, kw, expected", [
    (0.02, "en", {"sig": 2}, "0.020"),
    (0.02, "ru", {"sig": 2}, "0,020"),
    (1234.5, "ru", {"decimals": 1}, "1234,5"),  # CLDR minimumGroupingDigits = 2
    (12345.5, "ru", {"decimals": 1}, f"12{NN}345,5"),
    (1234567, "kk", {"decimals": 0}, f"1{NN}234{NN}567"),
    (1234567, "en", {"decimals": 0}, "1,234,567"),
    (-0.5, "kk", {}, "−0,5"),
    (9.96, "en", {"sig": 2}, "10"),
    (float("nan"), "ru", {}, "–"),
])
def test_number_format(value, lang, kw, expected):
    assert i18n.format_number(value, lang, **kw) == expected


def test_percent_dates_and_units():
    assert i18n.format_percent(7 / 12, "en") == "58%"
    assert i18n.format_percent(7 / 12, "ru") == "58\u00a0%"
    assert i18n.format_date("2026-03-08", "ru") == "8 марта 2026 г."
    assert i18n.format_date("2026-03-08", "kk") == "2026 жылғы 8 наурыз"
    assert i18n.format_date("2026-03-08", "en") == "8 March 2026"
    assert i18n.format_unit("ug/kg", "ru") == "мкг/кг"
    assert i18n.format_unit("pg/g", "kk") == "пг/г"
    assert i18n.format_unit("ng/g", "en") == "ng/g"
    assert i18n.axis_label("concentration", "ru", "mg/kg", "fat") == \
        "Концентрация, мг/кг (в пересчёте на жир)"


@pytest.mark.parametrize("n, one, few_many", [(1, "образец", None), (2, "образца", None),
                                              (5, "образцов", None), (11, "образцов", None),
                                              (21, "образец", None), (22, "образца", None),
                                              (112, "образцов", None), (0, "образцов", None)])
def test_russian_plurals(n, one, few_many):
    assert i18n.count_phrase(n, "noun.sample", "ru") == f"{n} {one}"


def test_kazakh_and_english_plurals():
    assert i18n.count_phrase(5, "noun.sample", "kk") == "5 сынама"
    assert i18n.count_phrase(1, "noun.sample", "kk") == "1 сынама"
    assert i18n.count_phrase(1, "noun.sample", "en") == "1 sample"
    assert i18n.count_phrase(2, "noun.sample", "en") == "2 samples"


@given(st.integers(0, 10**6))
def test_plural_category_is_defined(n):
    assert i18n.plural_category(n, "ru") in ("one", "few", "many")
    assert i18n.plural(n, "noun.sample", "ru") in ("образец", "образца", "образцов")


def test_errors_name_the_key_and_fix():
    with pytest.raises(KeyError, match="no translation key 'decision.compliantt'.*Did you mean "
                                       "decision.compliant"):
        i18n.translate("decision.compliantt", "en")
    with pytest.raises(KeyError, match="unsupported language 'de'"):
        i18n.translate("decision.compliant", "de")
    with pytest.raises(KeyError, match="needs the field 'unit'"):
        i18n.translate("axis.concentration_nobasis", "en")


# ------------------------------------------------------------------------------ captions


def lead_set(k_non: int, k_inc: int, n: int, site: str = "Mangystau") -> pd.DataFrame:
    """n camel-milk samples: k_non non-compliant, k_inc inconclusive, the rest compliant."""
    dec = ["non-compliant"] * k_non + ["inconclusive"] * k_inc
    dec += ["compliant"] * (n - len(dec))
    return pd.DataFrame({
        "sample_id": [f"S{i:02d}" for i in range(n)], "analyte": "Pb", "value": 0.03,
        "unit": "mg/kg", "basis": "wet", "censored": False, "regime": "EU",
        "instrument": "Commission Regulation (EU) 2023/915", "provision": "Annex I, 3.1.1",
        "limit": 0.020, "limit_unit": "mg/kg", "ratio": 1.5, "decision": dec,
        "rule": "guard band", "status": "confirmed-secondary", "site": site,
        "product": "camel milk"})


@pytest.mark.parametrize("lang, expected", [
    ("en", "7 of 12 camel-milk samples from Mangystau exceed the EU maximum level for lead, "
           "0.020 mg/kg."),
    ("ru", "Свинец: 7 из 12 образцов верблюжьего молока из Мангистау превышают максимальный "
           "уровень ЕС (0,020 мг/кг)."),
    ("kk", "Қорғасын, түйе сүті, Маңғыстау: 12 сынаманың ішінен 7 сынама ЕО белгілеген ең "
           "жоғары деңгейден (0,020 мг/кг) асады."),
])
def test_caption_example_from_the_issue(lang, expected):
    assert caption(lead_set(7, 0, 12), analyte="Pb", lang=lang) == expected


@pytest.mark.parametrize("k, n, ru", [
    (1, 1, "1 из 1 образца верблюжьего молока из Мангистау превышает"),
    (1, 21, "1 из 21 образца верблюжьего молока из Мангистау превышает"),
    (2, 5, "2 из 5 образцов верблюжьего молока из Мангистау превышают"),
    (21, 30, "21 из 30 образцов верблюжьего молока из Мангистау превышает"),
    (0, 3, "0 из 3 образцов верблюжьего молока из Мангистау превышают"),
])
def test_caption_russian_agreement(k, n, ru):
    assert ru in caption(lead_set(k, 0, n), analyte="Pb", lang="ru")


def test_caption_english_singular_and_inconclusive_sentence():
    text = caption(lead_set(1, 2, 12), analyte="lead", lang="en")
    assert text.startswith("1 of 12 camel-milk samples from Mangystau exceeds the EU")
    assert text.endswith("For 2 more samples the result is within the measurement uncertainty "
                         "of the limit.")
    kk = caption(lead_set(1, 2, 12), analyte="Pb", lang="kk")
    assert "12 сынаманың ішінен 1 сынама" in kk and "Тағы 2 сынаманың" in kk


def test_caption_counts_each_sample_once_with_its_worst_decision():
    c = lead_set(3, 0, 6)
    dup = c.iloc[[3]].assign(decision="non-compliant")  # a repeat of S03 that exceeds
    text = caption(pd.concat([c, dup]), analyte="Pb", lang="en")
    assert text.startswith("4 of 6 ")


def test_caption_needs_a_limit_choice_when_several_apply():
    c = pd.concat([lead_set(7, 0, 12), lead_set(1, 0, 12).assign(
        regime="EAEU", instrument="TR CU 021/2011", limit=0.1)])
    with pytest.raises(Exception, match="2 limits apply to 'Pb'"):
        caption(c, analyte="Pb")
    eaeu = caption(c, analyte="Pb", instrument="TR CU 021/2011", lang="ru")
    assert eaeu.startswith("Свинец: 1 из 12 образцов") and "ЕАЭС (0,10 мг/кг)" in eaeu
    assert len(captions(c, lang="kk")) == 2


def test_caption_site_only_when_shared_and_product_from_results():
    c = lead_set(2, 0, 4)
    c.loc[0, "site"] = "Aktau"
    text = caption(c.drop(columns=["product"]), analyte="Pb", lang="en")
    assert text == "2 of 4 samples exceed the EU maximum level for lead, 0.020 mg/kg."
    res = c[["sample_id"]].assign(product="shubat")
    text = caption(c.drop(columns=["product"]), analyte="Pb", results=res, lang="ru",
                   site="Aktau")
    assert text == ("Свинец: 1 из 1 образца шубата из Актау превышает максимальный уровень ЕС "
                    "(0,020 мг/кг).")


def test_provenance_footer_in_three_languages():
    kw = dict(dataset="mangystau-2024", sha256="0123456789abcdef" * 4, n_samples=12,
              share_below_lod=3 / 24, lod_method="DIN 32645",
              limit_source=["Commission Regulation (EU) 2023/915", "EAEU TR CU 033/2013"],
              limit_status=["confirmed-secondary", "unverified"], date="2026-11-22",
              version="0.1.0", synthetic=True)
    en = provenance_footer(lang="en", **kw)
    assert en.startswith("SYNTHETIC DATA · Data: mangystau-2024 (SHA-256 0123456789ab) · "
                         "12 samples · below detection/quantification limit: 12%")
    assert "Limits: Commission Regulation (EU) 2023/915; TR CU 033/2013 — unverified" in en
    ru = provenance_footer(lang="ru", **kw)
    assert "12 образцов" in ru and "ТР ТС 033/2013 — не проверено" in ru
    assert "создано 22 ноября 2026 г." in ru and "12\u00a0%" in ru
    kk = provenance_footer(lang="kk", **kw)
    assert "12 сынама" in kk and "КО ТР 033/2013 — тексерілмеген" in kk
    assert "2026 жылғы 22 қараша" in kk


@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(0, 6), st.sampled_from(LANGS))
def test_formatted_numbers_read_back(x, decimals, lang):
    """Undoing the locale's separators gives the number rounded to the decimals asked for."""
    text = i18n.format_number(x, lang, decimals=decimals)
    plain = text.replace("−", "-")
    plain = plain.replace(",", "") if lang == "en" else plain.replace(NN, "").replace(",", ".")
    assert float(plain) == pytest.approx(float(f"{x:.{decimals}f}"), abs=10 ** -decimals)
    if lang != "en":
        assert "." not in text
