"""Regenerate labtox/data/analytes.csv (the canonical analyte vocabulary).

Run: python tools/make_analytes.py. The table is data; this script only keeps it tidy.
Sources: CAS numbers from the WHO-2005 TEF table (Van den Berg et al. 2006, Toxicol. Sci. 93:223),
EU Regulation 2017/644 Annex, PubChem; element names IUPAC.
"""
import csv
from pathlib import Path

ELEMENTS = """H Hydrogen;He Helium;Li Lithium;Be Beryllium;B Boron;C Carbon;N Nitrogen;O Oxygen;F Fluorine;Ne Neon;Na Sodium;Mg Magnesium;Al Aluminium;Si Silicon;P Phosphorus;S Sulfur;Cl Chlorine;Ar Argon;K Potassium;Ca Calcium;Sc Scandium;Ti Titanium;V Vanadium;Cr Chromium;Mn Manganese;Fe Iron;Co Cobalt;Ni Nickel;Cu Copper;Zn Zinc;Ga Gallium;Ge Germanium;As Arsenic;Se Selenium;Br Bromine;Kr Krypton;Rb Rubidium;Sr Strontium;Y Yttrium;Zr Zirconium;Nb Niobium;Mo Molybdenum;Tc Technetium;Ru Ruthenium;Rh Rhodium;Pd Palladium;Ag Silver;Cd Cadmium;In Indium;Sn Tin;Sb Antimony;Te Tellurium;I Iodine;Xe Xenon;Cs Caesium;Ba Barium;La Lanthanum;Ce Cerium;Pr Praseodymium;Nd Neodymium;Pm Promethium;Sm Samarium;Eu Europium;Gd Gadolinium;Tb Terbium;Dy Dysprosium;Ho Holmium;Er Erbium;Tm Thulium;Yb Ytterbium;Lu Lutetium;Hf Hafnium;Ta Tantalum;W Tungsten;Re Rhenium;Os Osmium;Ir Iridium;Pt Platinum;Au Gold;Hg Mercury;Tl Thallium;Pb Lead;Bi Bismuth;Po Polonium;At Astatine;Rn Radon;Fr Francium;Ra Radium;Ac Actinium;Th Thorium;Pa Protactinium;U Uranium"""

# symbol: (cas, ru, kk, extra synonyms)
CORE = {
    "Pb": ("7439-92-1", "Свинец", "Қорғасын", ""),
    "Cd": ("7440-43-9", "Кадмий", "Кадмий", ""),
    "Hg": ("7439-97-6", "Ртуть", "Сынап", "total mercury"),
    "As": ("7440-38-2", "Мышьяк", "Күшән", "total arsenic"),
    "Ni": ("7440-02-0", "Никель", "Никель", ""),
    "Cr": ("7440-47-3", "Хром", "Хром", "total chromium"),
    "Cu": ("7440-50-8", "Медь", "Мыс", ""),
    "Zn": ("7440-66-6", "Цинк", "Мырыш", ""),
    "Se": ("7782-49-2", "Селен", "Селен", ""),
    "Sn": ("7440-31-5", "Олово", "Қалайы", "inorganic tin"),
    "Al": ("7429-90-5", "Алюминий", "Алюминий", "aluminum"),
    "Fe": ("7439-89-6", "Железо", "Темір", ""),
    "Mn": ("7439-96-5", "Марганец", "Марганец", ""),
    "Co": ("7440-48-4", "Кобальт", "Кобальт", ""),
    "Mo": ("7439-98-7", "Молибден", "Молибден", ""),
    "Sb": ("7440-36-0", "Сурьма", "Сүрме", ""),
    "Tl": ("7440-28-0", "Таллий", "Таллий", ""),
    "Ba": ("7440-39-3", "Барий", "Барий", ""),
    "V": ("7440-62-2", "Ванадий", "Ванадий", ""),
    "U": ("7440-61-1", "Уран", "Уран", ""),
    "Sr": ("7440-24-6", "Стронций", "Стронций", ""),
    "Ag": ("7440-22-4", "Серебро", "Күміс", ""),
    "Be": ("7440-41-7", "Бериллий", "Бериллий", ""),
    "Li": ("7439-93-2", "Литий", "Литий", ""),
    "Sc": ("7440-20-2", "Скандий", "Скандий", ""),
    "Ge": ("7440-56-4", "Германий", "Германий", ""),
    "Rh": ("7440-16-6", "Родий", "Родий", ""),
    "In": ("7440-74-6", "Индий", "Индий", ""),
    "Tb": ("7440-27-9", "Тербий", "Тербий", ""),
    "Bi": ("7440-69-9", "Висмут", "Висмут", ""),
    "Y": ("7440-65-5", "Иттрий", "Иттрий", ""),
    "Lu": ("7439-94-3", "Лютеций", "Лютеций", ""),
    "Ca": ("7440-70-2", "Кальций", "Кальций", ""),
    "Mg": ("7439-95-4", "Магний", "Магний", ""),
    "Na": ("7440-23-5", "Натрий", "Натрий", ""),
    "K": ("7440-09-7", "Калий", "Калий", ""),
    "P": ("7723-14-0", "Фосфор", "Фосфор", ""),
    "I": ("7553-56-2", "Иод", "Йод", "iodine"),
}

ORGANICS = [
    # name, cas, group, en, ru, kk, synonyms
    ("2,3,7,8-TCDD", "1746-01-6", "PCDD", "2,3,7,8-TCDD", "2,3,7,8-ТХДД", "2,3,7,8-ТХДД", "TCDD|2378-TCDD|2,3,7,8-TeCDD|2,3,7,8-tetrachlorodibenzo-p-dioxin"),
    ("1,2,3,7,8-PeCDD", "40321-76-4", "PCDD", "1,2,3,7,8-PeCDD", "1,2,3,7,8-ПеХДД", "1,2,3,7,8-ПеХДД", "PeCDD|12378-PeCDD|1,2,3,7,8-PnCDD"),
    ("1,2,3,4,7,8-HxCDD", "39227-28-6", "PCDD", "1,2,3,4,7,8-HxCDD", "1,2,3,4,7,8-ГкХДД", "1,2,3,4,7,8-ГкХДД", "123478-HxCDD"),
    ("1,2,3,6,7,8-HxCDD", "57653-85-7", "PCDD", "1,2,3,6,7,8-HxCDD", "1,2,3,6,7,8-ГкХДД", "1,2,3,6,7,8-ГкХДД", "123678-HxCDD"),
    ("1,2,3,7,8,9-HxCDD", "19408-74-3", "PCDD", "1,2,3,7,8,9-HxCDD", "1,2,3,7,8,9-ГкХДД", "1,2,3,7,8,9-ГкХДД", "123789-HxCDD"),
    ("1,2,3,4,6,7,8-HpCDD", "35822-46-9", "PCDD", "1,2,3,4,6,7,8-HpCDD", "1,2,3,4,6,7,8-ГпХДД", "1,2,3,4,6,7,8-ГпХДД", "1234678-HpCDD|HpCDD"),
    ("OCDD", "3268-87-9", "PCDD", "OCDD", "ОХДД", "ОХДД", "1,2,3,4,6,7,8,9-OCDD|octachlorodibenzo-p-dioxin"),
    ("2,3,7,8-TCDF", "51207-31-9", "PCDF", "2,3,7,8-TCDF", "2,3,7,8-ТХДФ", "2,3,7,8-ТХДФ", "TCDF|2378-TCDF|2,3,7,8-TeCDF"),
    ("1,2,3,7,8-PeCDF", "57117-41-6", "PCDF", "1,2,3,7,8-PeCDF", "1,2,3,7,8-ПеХДФ", "1,2,3,7,8-ПеХДФ", "12378-PeCDF"),
    ("2,3,4,7,8-PeCDF", "57117-31-4", "PCDF", "2,3,4,7,8-PeCDF", "2,3,4,7,8-ПеХДФ", "2,3,4,7,8-ПеХДФ", "23478-PeCDF"),
    ("1,2,3,4,7,8-HxCDF", "70648-26-9", "PCDF", "1,2,3,4,7,8-HxCDF", "1,2,3,4,7,8-ГкХДФ", "1,2,3,4,7,8-ГкХДФ", "123478-HxCDF"),
    ("1,2,3,6,7,8-HxCDF", "57117-44-9", "PCDF", "1,2,3,6,7,8-HxCDF", "1,2,3,6,7,8-ГкХДФ", "1,2,3,6,7,8-ГкХДФ", "123678-HxCDF"),
    ("1,2,3,7,8,9-HxCDF", "72918-21-9", "PCDF", "1,2,3,7,8,9-HxCDF", "1,2,3,7,8,9-ГкХДФ", "1,2,3,7,8,9-ГкХДФ", "123789-HxCDF"),
    ("2,3,4,6,7,8-HxCDF", "60851-34-5", "PCDF", "2,3,4,6,7,8-HxCDF", "2,3,4,6,7,8-ГкХДФ", "2,3,4,6,7,8-ГкХДФ", "234678-HxCDF"),
    ("1,2,3,4,6,7,8-HpCDF", "67562-39-4", "PCDF", "1,2,3,4,6,7,8-HpCDF", "1,2,3,4,6,7,8-ГпХДФ", "1,2,3,4,6,7,8-ГпХДФ", "1234678-HpCDF"),
    ("1,2,3,4,7,8,9-HpCDF", "55673-89-7", "PCDF", "1,2,3,4,7,8,9-HpCDF", "1,2,3,4,7,8,9-ГпХДФ", "1,2,3,4,7,8,9-ГпХДФ", "1234789-HpCDF"),
    ("OCDF", "39001-02-0", "PCDF", "OCDF", "ОХДФ", "ОХДФ", "1,2,3,4,6,7,8,9-OCDF|octachlorodibenzofuran"),
]
for num, cas, sub in [(77, "32598-13-3", "non-ortho"), (81, "70362-50-4", "non-ortho"), (126, "57465-28-8", "non-ortho"), (169, "32774-16-6", "non-ortho"),
                      (105, "32598-14-4", "mono-ortho"), (114, "74472-37-0", "mono-ortho"), (118, "31508-00-6", "mono-ortho"), (123, "65510-44-3", "mono-ortho"),
                      (156, "38380-08-4", "mono-ortho"), (157, "69782-90-7", "mono-ortho"), (167, "52663-72-6", "mono-ortho"), (189, "39635-31-9", "mono-ortho")]:
    ORGANICS.append((f"PCB {num}", cas, "dl-PCB", f"PCB {num}", f"ПХБ {num}", f"ПХБ {num}", f"PCB{num}|PCB-{num}|CB {num}|CB{num}|CB-{num}|IUPAC {num}|{sub} PCB {num}"))
for num, cas in [(28, "7012-37-5"), (52, "35693-99-3"), (101, "37680-73-2"), (138, "35065-28-2"), (153, "35065-27-1"), (180, "35065-29-3")]:
    ORGANICS.append((f"PCB {num}", cas, "ndl-PCB", f"PCB {num}", f"ПХБ {num}", f"ПХБ {num}", f"PCB{num}|PCB-{num}|CB {num}|CB{num}|CB-{num}|IUPAC {num}"))
ORGANICS += [
    ("alpha-HCH", "319-84-6", "OCP", "α-HCH", "α-ГХЦГ", "α-ГХЦГ", "α-HCH|a-HCH|alpha-BHC|α-BHC|alpha-hexachlorocyclohexane|HCH alpha|α-гексахлорциклогексан"),
    ("beta-HCH", "319-85-7", "OCP", "β-HCH", "β-ГХЦГ", "β-ГХЦГ", "β-HCH|b-HCH|beta-BHC|β-BHC|beta-hexachlorocyclohexane|HCH beta"),
    ("gamma-HCH", "58-89-9", "OCP", "γ-HCH (lindane)", "γ-ГХЦГ (линдан)", "γ-ГХЦГ (линдан)", "γ-HCH|g-HCH|lindane|gamma-BHC|γ-BHC|линдан|HCH gamma"),
    ("delta-HCH", "319-86-8", "OCP", "δ-HCH", "δ-ГХЦГ", "δ-ГХЦГ", "δ-HCH|d-HCH|delta-BHC|δ-BHC|HCH delta"),
    ("HCB", "118-74-1", "OCP", "Hexachlorobenzene", "Гексахлорбензол", "Гексахлорбензол", "hexachlorobenzene|ГХБ"),
    ("pentachlorobenzene", "608-93-5", "OCP", "Pentachlorobenzene", "Пентахлорбензол", "Пентахлорбензол", "PeCB|QCB"),
    ("p,p'-DDT", "50-29-3", "OCP", "p,p'-DDT", "п,п'-ДДТ", "п,п'-ДДТ", "4,4'-DDT|pp-DDT|p,p-DDT|pp'-DDT|DDT p,p'|ДДТ"),
    ("o,p'-DDT", "789-02-6", "OCP", "o,p'-DDT", "о,п'-ДДТ", "о,п'-ДДТ", "2,4'-DDT|op-DDT|o,p-DDT|op'-DDT"),
    ("p,p'-DDE", "72-55-9", "OCP", "p,p'-DDE", "п,п'-ДДЕ", "п,п'-ДДЕ", "4,4'-DDE|pp-DDE|p,p-DDE|pp'-DDE|ДДЕ"),
    ("o,p'-DDE", "3424-82-6", "OCP", "o,p'-DDE", "о,п'-ДДЕ", "о,п'-ДДЕ", "2,4'-DDE|op-DDE|o,p-DDE"),
    ("p,p'-DDD", "72-54-8", "OCP", "p,p'-DDD", "п,п'-ДДД", "п,п'-ДДД", "4,4'-DDD|pp-DDD|p,p-DDD|pp'-DDD|p,p'-TDE|ДДД"),
    ("o,p'-DDD", "53-19-0", "OCP", "o,p'-DDD", "о,п'-ДДД", "о,п'-ДДД", "2,4'-DDD|op-DDD|o,p-DDD"),
    ("aldrin", "309-00-2", "OCP", "Aldrin", "Альдрин", "Альдрин", "альдрин"),
    ("dieldrin", "60-57-1", "OCP", "Dieldrin", "Дильдрин", "Дильдрин", "дильдрин"),
    ("endrin", "72-20-8", "OCP", "Endrin", "Эндрин", "Эндрин", "эндрин"),
    ("heptachlor", "76-44-8", "OCP", "Heptachlor", "Гептахлор", "Гептахлор", "гептахлор"),
    ("cis-heptachlor epoxide", "1024-57-3", "OCP", "cis-Heptachlor epoxide", "цис-Гептахлорэпоксид", "цис-Гептахлорэпоксид", "heptachlor epoxide|heptachlor epoxide B|heptachlor-exo-epoxide|cis-heptachlorepoxide|heptachlor epoxide (cis)"),
    ("trans-heptachlor epoxide", "28044-83-9", "OCP", "trans-Heptachlor epoxide", "транс-Гептахлорэпоксид", "транс-Гептахлорэпоксид", "heptachlor epoxide A|heptachlor-endo-epoxide|trans-heptachlorepoxide"),
    ("cis-chlordane", "5103-71-9", "OCP", "cis-Chlordane", "цис-Хлордан", "цис-Хлордан", "alpha-chlordane|α-chlordane|chlordane cis"),
    ("trans-chlordane", "5103-74-2", "OCP", "trans-Chlordane", "транс-Хлордан", "транс-Хлордан", "gamma-chlordane|γ-chlordane|chlordane trans"),
    ("oxychlordane", "27304-13-8", "OCP", "Oxychlordane", "Оксихлордан", "Оксихлордан", ""),
    ("trans-nonachlor", "39765-80-5", "OCP", "trans-Nonachlor", "транс-Нонахлор", "транс-Нонахлор", ""),
    ("mirex", "2385-85-5", "OCP", "Mirex", "Мирекс", "Мирекс", "мирекс"),
    ("alpha-endosulfan", "959-98-8", "OCP", "α-Endosulfan", "α-Эндосульфан", "α-Эндосульфан", "endosulfan I|α-endosulfan|endosulfan alpha"),
    ("beta-endosulfan", "33213-65-9", "OCP", "β-Endosulfan", "β-Эндосульфан", "β-Эндосульфан", "endosulfan II|β-endosulfan|endosulfan beta"),
    ("endosulfan sulfate", "1031-07-8", "OCP", "Endosulfan sulfate", "Эндосульфан сульфат", "Эндосульфан сульфаты", "endosulfan sulphate"),
    ("methoxychlor", "72-43-5", "OCP", "Methoxychlor", "Метоксихлор", "Метоксихлор", ""),
    ("toxaphene", "8001-35-2", "OCP", "Toxaphene", "Токсафен", "Токсафен", "camphechlor"),
    ("chlordecone", "143-50-0", "OCP", "Chlordecone", "Хлордекон", "Хлордекон", "kepone"),
    ("PCB 209", "2051-24-3", "standard", "PCB 209", "ПХБ 209", "ПХБ 209", "PCB209|PCB-209|CB 209|decachlorobiphenyl"),
    ("TCMX", "2136-89-2", "standard", "Tetrachloro-m-xylene", "Тетрахлор-м-ксилол", "Тетрахлор-м-ксилол", "tetrachloro-m-xylene|2,4,5,6-tetrachloro-m-xylene"),
    ("aflatoxin M1", "6795-23-9", "mycotoxin", "Aflatoxin M1", "Афлатоксин M1", "Афлатоксин M1", "AFM1|AF M1|aflatoxin-M1|афлатоксин М1"),
    ("aflatoxin B1", "1162-65-8", "mycotoxin", "Aflatoxin B1", "Афлатоксин B1", "Афлатоксин B1", "AFB1|AF B1|aflatoxin-B1|афлатоксин В1"),
    ("melamine", "108-78-1", "other", "Melamine", "Меламин", "Меламин", "меламин"),
    ("PFOS", "1763-23-1", "PFAS", "PFOS", "ПФОС", "ПФОС", "perfluorooctane sulfonate|perfluorooctanesulfonic acid|L-PFOS"),
    ("PFOA", "335-67-1", "PFAS", "PFOA", "ПФОК", "ПФОК", "perfluorooctanoic acid|perfluorooctanoate"),
    ("PFNA", "375-95-1", "PFAS", "PFNA", "ПФНК", "ПФНК", "perfluorononanoic acid"),
    ("PFHxS", "355-46-4", "PFAS", "PFHxS", "ПФГкС", "ПФГкС", "perfluorohexane sulfonate|perfluorohexanesulfonic acid"),
    ("chloramphenicol", "56-75-7", "veterinary drug", "Chloramphenicol", "Левомицетин (хлорамфеникол)", "Левомицетин (хлорамфеникол)", "CAP|levomycetin|левомицетин|хлорамфеникол"),
    ("streptomycin", "57-92-1", "veterinary drug", "Streptomycin", "Стрептомицин", "Стрептомицин", "стрептомицин"),
    ("Cs-137", "10045-97-3", "radionuclide", "Caesium-137", "Цезий-137", "Цезий-137", "137Cs|Cs137|caesium-137|cesium-137|Cs 137"),
    ("Sr-90", "10098-97-2", "radionuclide", "Strontium-90", "Стронций-90", "Стронций-90", "90Sr|Sr90|strontium-90|Sr 90"),
]

rows = []
for item in ELEMENTS.split(";"):
    sym, en = item.split()
    cas, ru, kk, extra = CORE.get(sym, ("", "", "", ""))
    syn = [en, en.lower()]
    if en == "Caesium":
        syn.append("Cesium")
    if en == "Sulfur":
        syn.append("Sulphur")
    if en == "Aluminium":
        syn.append("Aluminum")
    syn += [s for s in (ru, kk) if s]
    syn += [s for s in extra.split("|") if s]
    rows.append({"name": sym, "cas": cas, "group": "element", "symbol": sym, "name_en": en,
                 "name_ru": ru, "name_kk": kk, "synonyms": "|".join(dict.fromkeys(syn))})
for name, cas, group, en, ru, kk, syn in ORGANICS:
    rows.append({"name": name, "cas": cas, "group": group, "symbol": "", "name_en": en,
                 "name_ru": ru, "name_kk": kk, "synonyms": syn})
out = Path(__file__).resolve().parents[1] / "labtox" / "data" / "analytes.csv"
with out.open("w", newline="", encoding="utf-8") as fh:
    fh.write("# labtox canonical analytes v1. Sources: see tools/make_analytes.py docstring.\n")
    w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
print(out, len(rows))
