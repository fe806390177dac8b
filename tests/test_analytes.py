"""Canonical analytes: synonym and instrument-label resolution for every group."""

import pytest

from labtox.analytes import all_analytes, canonical, group_members, parse_label, search
from labtox.errors import AnalyteError


@pytest.mark.parametrize(
    ("label", "name", "channel"),
    [
        ("208Pb", "Pb", "208Pb"),
        ("Pb 208", "Pb", "208Pb"),
        ("Pb208", "Pb", "208Pb"),
        ("208  Pb  [ He ] ", "Pb", "208Pb [He]"),  # MassHunter ICP-MS batch table (EXPORTS.md 2.1)
        ("7 Li [ No Gas ]", "Li", "7Li [No Gas]"),
        ("45  Sc ( ISTD )  [ He ] ", "Sc", "45Sc [He]"),
        ("52Cr (KED)", "Cr", "52Cr [KED]"),  # Qtegra ICP-MS
        ("Pb 220.353", "Pb", "Pb 220.353"),  # ICP-OES wavelength
        ("Be 234.861 {144} (Radial)", "Be", "Be 234.861 (Radial)"),  # Qtegra ICP-OES
        ("Mn 257.610", "Mn", "Mn 257.610"),  # Varian Vista
        ("Li7 -> 7", "Li", "7->7Li"),  # MassHunter TRA header
        ("Lead", "Pb", "Lead"),
        ("Свинец", "Pb", "Свинец"),
        ("Қорғасын", "Pb", "Қорғасын"),
        ("mercury", "Hg", "mercury"),
    ],
)
def test_element_labels(label, name, channel):
    m = parse_label(label)
    assert m.analyte.name == name
    assert m.channel == channel


def test_istd_flag_and_mode():
    m = parse_label("115  In ( ISTD )  [ He ] ")
    assert m.istd and m.mode == "He" and m.mass == "115"
    assert not parse_label("111  Cd  [ He ] ").istd


@pytest.mark.parametrize(
    ("label", "name", "group"),
    [
        ("TCDD", "2,3,7,8-TCDD", "PCDD"),
        ("2,3,7,8-TeCDD", "2,3,7,8-TCDD", "PCDD"),
        ("1746-01-6", "2,3,7,8-TCDD", "PCDD"),
        ("23478-PeCDF", "2,3,4,7,8-PeCDF", "PCDF"),
        ("PCB-126", "PCB 126", "dl-PCB"),
        ("CB118", "PCB 118", "dl-PCB"),
        ("PCB153", "PCB 153", "ndl-PCB"),
        ("ПХБ 28", "PCB 28", "ndl-PCB"),
        ("lindane", "gamma-HCH", "OCP"),
        ("γ-HCH", "gamma-HCH", "OCP"),
        ("4,4'-DDE", "p,p'-DDE", "OCP"),
        ("p,p′-DDT", "p,p'-DDT", "OCP"),  # typographic prime
        ("heptachlor epoxide", "cis-heptachlor epoxide", "OCP"),
        ("AFM1", "aflatoxin M1", "mycotoxin"),
        ("Aflatoxin M1", "aflatoxin M1", "mycotoxin"),
        ("perfluorooctanoic acid", "PFOA", "PFAS"),
        ("137Cs", "Cs-137", "radionuclide"),
        ("melamine", "melamine", "other"),
    ],
)
def test_synonyms_per_group(label, name, group):
    a = canonical(label)
    assert (a.name, a.group) == (name, group)


def test_group_sizes_match_the_regulations():
    # 17 PCDD/Fs and 12 dl-PCBs with WHO TEFs (Van den Berg et al. 2006); 6 indicator PCBs
    # (Reg. (EU) 2023/915 sum of PCB 28, 52, 101, 138, 153, 180).
    assert len(group_members("PCDD")) + len(group_members("PCDF")) == 17
    assert len(group_members("dl-PCB")) == 12
    assert {a.name for a in group_members("ndl-PCB")} == {
        "PCB 28", "PCB 52", "PCB 101", "PCB 138", "PCB 153", "PCB 180"}


def test_every_required_analyte_is_known():
    for label in ["Pb", "Cd", "Hg", "As", "Ni", "Cr", "Cu", "Zn", "Se", "Sn", "Al", "Fe", "Mn",
                  "Co", "alpha-HCH", "beta-HCH", "gamma-HCH", "delta-HCH", "HCB", "p,p'-DDT",
                  "o,p'-DDT", "p,p'-DDE", "p,p'-DDD", "aldrin", "dieldrin", "endrin",
                  "heptachlor", "cis-heptachlor epoxide", "cis-chlordane", "trans-chlordane",
                  "mirex", "alpha-endosulfan", "beta-endosulfan", "aflatoxin M1",
                  "aflatoxin B1", "melamine", "PFOS", "PFOA", "PFNA", "PFHxS", "Cs-137",
                  "Sr-90"]:
        assert canonical(label).name == label


def test_cas_numbers_are_unique_and_well_formed():
    import re

    cas = [a.cas for a in all_analytes() if a.cas]
    assert len(cas) == len(set(cas))
    for c in cas:
        assert re.fullmatch(r"\d{2,7}-\d{2}-\d", c), c
        # CAS check digit: sum of digits weighted by position from the right, mod 10
        digits = c.replace("-", "")[:-1][::-1]
        assert sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(c[-1]), c


def test_translations_for_display():
    pb = canonical("Pb")
    assert pb.display("ru") == "Свинец" and pb.display("kk") == "Қорғасын"
    assert pb.display("en") == "Lead"


def test_unknown_label_suggests():
    with pytest.raises(AnalyteError) as info:
        canonical("Cadmum")
    assert "unknown analyte 'Cadmum'" in str(info.value)
    assert "Did you mean" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_search():
    assert search("7439-92-1")[0].name == "Pb"
    assert {a.name for a in search("HCH")} >= {"alpha-HCH", "beta-HCH", "gamma-HCH", "delta-HCH"}
