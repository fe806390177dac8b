"""Generate the SYNTHETIC Mangystau-2024 camel-milk example study in real instrument layouts.

Run ``python samples/generate.py`` (or ``python samples/generate.py OUTDIR``) to rewrite every
file of ``samples/mangystau-2024/``. The generator is deterministic: a fixed seed, fixed
sampling and acquisition dates, no wall clock, so the same numpy/scipy give the same bytes
(``tests/test_samples.py`` checks this against the committed files).

What it simulates
-----------------
1. True concentrations per sample (``truth.csv``) drawn from log-normal distributions whose
   medians and spreads follow the published camel-milk ranges in
   ``../shared/reference/limits/camel_milk_measurements.csv`` (Konuspayeva et al. 2009, 2011;
   Jurjanz et al. 2019; Arnika 2016; Kerdoun & Djafer 2024), with a few deliberate
   exceedances of the EU/Codex/EAEU limits (Pb, Hg, NDL-PCB, TEQ, AFM1) and values below the
   detection limits.
2. Instrument responses from those truths through each method's sample preparation and a
   calibration: ICP-MS counts (linear sensitivity in cps per µg/L, background, internal-standard
   drift and matrix suppression, Poisson counting noise and plasma flicker on three replicates),
   GC-MS/MS peak areas (relative response factor to PCB 209, recovery, integration noise,
   no peak below the detection threshold), a competitive ELISA read at 450 nm (4PL curve),
   and a contract laboratory's final HRMS congener table.
3. The vendor software's own calculated columns (MassHunter ``Conc. [ ppb ]``, MassHunter Quant
   ``Calc. Conc.``, Gen5 ``[Concentration]`` and 4P fit), computed the way the software does, so
   that readers see realistic ``reported`` values; labtox recalculates from the signals.

All values are SYNTHETIC and every file says so where its layout allows.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20240915
STUDY = "mangystau-2024"
HERE = Path(__file__).resolve().parent
OUT_DEFAULT = HERE / STUDY
MARK = "SYNTHETIC"

# --------------------------------------------------------------------------------------------
# Sites. Coordinates are approximate settlement centres (WGS 84, decimal degrees, 2 decimals).
# Aktau and Zhanaozen as agreed in the study design; the others are well-known approximate
# gazetteer positions that could not be checked against a stored source: take them as +-0.05
# degree (about 5 km), Baskuduk and Akshukur (small villages) as +-0.1 degree.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lon: float
    n: int
    date: str  # first sampling day (ISO); samples span two days
    industrial: bool  # near oil fields, port or the Koshkar-Ata tailings
    note: str


SITES = [
    Site("Aktau", 43.65, 51.16, 5, "2024-05-14", True, "outskirts of Aktau, near the port and MAEK plant"),
    Site("Akshukur", 43.78, 51.08, 5, "2024-05-16", True, "downwind of the Koshkar-Ata tailings pond"),
    Site("Baskuduk", 43.70, 51.33, 4, "2024-05-21", False, "household herds east of Aktau"),
    Site("Kuryk", 43.17, 51.67, 5, "2024-06-11", True, "near the Kuryk port and shipyard"),
    Site("Zhanaozen", 43.34, 52.86, 5, "2024-06-18", True, "herds grazing on the Uzen oil field"),
    Site("Shetpe", 44.17, 52.12, 4, "2024-07-09", False, "Mangystau district, mountain pasture"),
    Site("Beineu", 45.32, 55.19, 4, "2024-07-23", False, "Beineu district, desert pasture"),
    Site("Fort-Shevchenko", 44.51, 50.26, 4, "2024-08-06", False, "Tupkaragan peninsula, coastal pasture"),
]

ICP_ELEMENTS = ["Cr", "Ni", "Cu", "Zn", "As", "Cd", "Hg", "Pb"]  # MassHunter orders by mass
ICP_MASS = {"Cr": 52, "Ni": 60, "Cu": 63, "Zn": 66, "As": 75, "Cd": 111, "Hg": 202, "Pb": 208}
ICP_ISTD = {"Cr": "Ge", "Ni": "Ge", "Cu": "Ge", "Zn": "Ge", "As": "Ge", "Cd": "In", "Hg": "Bi", "Pb": "Bi"}
ISTD_MASS = {"Ge": 72, "In": 115, "Bi": 209}
# Calibration levels (µg/L in the measured solution) for MassHunter levels 1-6 (level 1 is the
# calibration blank), as in methods/icpms-metals-milk.toml.
LEVELS_DEFAULT = [0.0, 0.1, 0.5, 1.0, 5.0, 10.0]
ICP_LEVELS = {e: LEVELS_DEFAULT for e in ("Cr", "Ni", "As", "Cd", "Pb")} | {
    "Hg": [0.0, 0.05, 0.1, 0.5, 1.0, 2.0],
    "Cu": [0.0, 1.0, 2.0, 5.0, 10.0, 20.0],
    "Zn": [0.0, 10.0, 20.0, 50.0, 100.0, 200.0],
}
CCV_LEVEL = 4  # the CCV is the level-4 standard
# Sensitivity (cps per µg/L, He mode, Agilent 7800-class) and background (cps).
SENS = {"Cr": 21000, "Ni": 7800, "Cu": 24000, "Zn": 5200, "As": 3100, "Cd": 8400, "Hg": 9600, "Pb": 61000}
BKG = {"Cr": 640, "Ni": 410, "Cu": 290, "Zn": 380, "As": 18, "Cd": 4, "Hg": 140, "Pb": 27}
ISTD_CPS = {"Ge": 152000, "In": 418000, "Bi": 512000}
# Reagent contamination of each digestion (µg/L in the digest): mean and digest-to-digest SD.
# The SD sets the blank-based LOD (3 s) to typical ICP-MS milk values (Pb ~1 µg/kg).
DIGEST_BLANK = {"Cr": (0.03, 0.02), "Ni": (0.02, 0.015), "Cu": (0.03, 0.02), "Zn": (0.5, 0.3),
                "As": (0.002, 0.006), "Cd": (0.0008, 0.0015), "Hg": (0.005, 0.003), "Pb": (0.004, 0.003)}
DIGEST_MASS_G = 0.5  # nominal milk mass; the register gives the weighed mass
FINAL_VOLUME_ML = 50.0
CRM_NAME = "ERM-BD151"
CRM_MASS_G = 0.5  # skimmed milk powder digested to 50 mL like the samples ...
CRM_DILUTION = 5  # ... and diluted 5-fold before measurement (MassHunter 'Total Dil.')
# ERM-BD151 run as an in-house control with the assigned values of methods/icpms-metals-milk.toml
# (mg/kg; Pb, Cd, Hg, Cu, Zn); As, Cr and Ni have no assigned value and get plausible contents.
CRM_VALUES = {"Cd": 0.10, "Cu": 5.0, "Hg": 0.50, "Pb": 0.20, "Zn": 45.0, "As": 0.010, "Cr": 0.060, "Ni": 0.080}
# Matrix spike added to the digest (µg/L in the measured solution), as in the method file.
SPIKE = {"Pb": 1.0, "Cd": 1.0, "As": 1.0, "Hg": 0.5, "Ni": 1.0, "Cr": 1.0, "Cu": 5.0, "Zn": 50.0}

OCP = ["alpha-HCH", "beta-HCH", "gamma-HCH", "HCB", "p,p'-DDE", "p,p'-DDD", "p,p'-DDT", "o,p'-DDT",
       "dieldrin", "heptachlor"]
PCB6 = ["PCB 28", "PCB 52", "PCB 101", "PCB 138", "PCB 153", "PCB 180"]
GC_COMPOUNDS = OCP + PCB6
GC_ISTD = "PCB 209 (ISTD)"
GC_LEVELS = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0]  # ng/mL of final extract ('Exp. Conc.')
GC_ISTD_CONC = 10.0  # ng/mL PCB 209 in every extract
GC_INTAKE_G = 10.0  # g milk extracted (methods/gcmsms-ocp-pcb-milk.toml)
GC_FINAL_ML = 1.0  # mL final extract
GC_QC_CONC = 5.0  # ng/mL continuing calibration check (MassHunter Quant type 'CC')
#        RT (min), precursor, product, CE (V), relative response factor to PCB 209
GC_PARAMS = {
    "alpha-HCH": (9.852, 181.0, 145.0, 15, 0.62),
    "beta-HCH": (10.413, 219.0, 183.0, 10, 0.48),
    "gamma-HCH": (10.551, 181.0, 145.0, 15, 0.57),
    "HCB": (10.024, 283.8, 248.8, 25, 1.12),
    "p,p'-DDE": (14.482, 246.0, 176.0, 30, 1.35),
    "p,p'-DDD": (15.402, 235.0, 165.0, 20, 1.58),
    "p,p'-DDT": (16.352, 235.0, 165.0, 20, 1.21),
    "o,p'-DDT": (15.624, 235.0, 165.0, 20, 1.30),
    "dieldrin": (14.618, 262.9, 193.0, 35, 0.41),
    "heptachlor": (11.781, 271.8, 236.9, 15, 0.55),
    "PCB 28": (11.953, 255.9, 186.0, 25, 0.92),
    "PCB 52": (12.404, 291.9, 222.0, 25, 0.78),
    "PCB 101": (14.203, 325.9, 256.0, 30, 0.74),
    "PCB 138": (16.804, 359.8, 289.9, 30, 0.69),
    "PCB 153": (16.102, 359.8, 289.9, 30, 0.71),
    "PCB 180": (18.251, 393.8, 323.9, 30, 0.66),
    GC_ISTD: (22.604, 497.7, 427.8, 30, 1.0),
}
GC_ISTD_AREA = 186000.0  # PCB 209 area at 10 ng/mL

PCDDF = ["2,3,7,8-TCDD", "1,2,3,7,8-PeCDD", "1,2,3,4,7,8-HxCDD", "1,2,3,6,7,8-HxCDD",
         "1,2,3,7,8,9-HxCDD", "1,2,3,4,6,7,8-HpCDD", "OCDD", "2,3,7,8-TCDF", "1,2,3,7,8-PeCDF",
         "2,3,4,7,8-PeCDF", "1,2,3,4,7,8-HxCDF", "1,2,3,6,7,8-HxCDF", "1,2,3,7,8,9-HxCDF",
         "2,3,4,6,7,8-HxCDF", "1,2,3,4,6,7,8-HpCDF", "1,2,3,4,7,8,9-HpCDF", "OCDF"]
DLPCB = ["PCB 77", "PCB 81", "PCB 126", "PCB 169", "PCB 105", "PCB 114", "PCB 118", "PCB 123",
         "PCB 156", "PCB 157", "PCB 167", "PCB 189"]
# Background congener medians (pg/g fat) for milk fat and the laboratory LOQ at 4 % fat.
DIOXIN_MEDIAN = {
    "2,3,7,8-TCDD": (0.09, 0.05), "1,2,3,7,8-PeCDD": (0.22, 0.06), "1,2,3,4,7,8-HxCDD": (0.10, 0.08),
    "1,2,3,6,7,8-HxCDD": (0.38, 0.08), "1,2,3,7,8,9-HxCDD": (0.12, 0.08), "1,2,3,4,6,7,8-HpCDD": (1.1, 0.15),
    "OCDD": (5.0, 0.6), "2,3,7,8-TCDF": (0.08, 0.05), "1,2,3,7,8-PeCDF": (0.06, 0.06),
    "2,3,4,7,8-PeCDF": (0.42, 0.06), "1,2,3,4,7,8-HxCDF": (0.28, 0.08), "1,2,3,6,7,8-HxCDF": (0.25, 0.08),
    "1,2,3,7,8,9-HxCDF": (0.03, 0.08), "2,3,4,6,7,8-HxCDF": (0.22, 0.08), "1,2,3,4,6,7,8-HpCDF": (0.35, 0.15),
    "1,2,3,4,7,8,9-HpCDF": (0.05, 0.15), "OCDF": (0.3, 0.6),
    "PCB 77": (9.0, 2.0), "PCB 81": (0.9, 0.5), "PCB 126": (9.5, 0.5), "PCB 169": (2.6, 0.5),
    "PCB 105": (380.0, 5.0), "PCB 114": (35.0, 2.0), "PCB 118": (1150.0, 5.0), "PCB 123": (18.0, 2.0),
    "PCB 156": (210.0, 5.0), "PCB 157": (38.0, 2.0), "PCB 167": (95.0, 2.0), "PCB 189": (22.0, 2.0),
}

AFM1_STD_NGL = [0.0, 5.0, 10.0, 20.0, 40.0, 80.0]
MILK_DENSITY = 1.03  # kg/L


def _rng(stream: int) -> np.random.Generator:
    """One independent, seeded stream per file so that editing one file keeps the others."""
    return np.random.default_rng([SEED, stream])


def _g(x: float, digits: int = 10) -> str:
    """Format like the vendor software: up to ``digits`` significant digits, no exponent."""
    if x == 0:
        return "0"
    s = f"{x:.{digits}g}"
    if "e" in s:
        s = np.format_float_positional(x, precision=digits, unique=False, fractional=False, trim="-")
    return s


def _write(path: Path, text: str, newline: str) -> None:
    data = text.replace("\r\n", "\n").replace("\n", newline)
    path.write_bytes(data.encode("utf-8"))


def _csv_text(rows: list[list[object]], newline: str = "\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Register and true values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    sample_id: str
    site: Site
    date: str
    species: str
    product: str
    fat_pct: float
    dry_matter_pct: float
    mass_g: float
    plate_id: str
    note: str


def make_register() -> list[Sample]:
    """Draw the 36 register records (site, date, species, product, fat, dry matter, mass).

    Fat % is normal per species (dromedary 3.5 +- 0.5, hybrid 4.3 +- 0.6, Bactrian 5.6 +- 0.7;
    shubat x 0.95) and dry matter follows fat (8.4 + 1.15 x fat %), in the ranges reviewed by
    Konuspayeva, Faye & Loiseau (2009).

    References
    ----------
    Konuspayeva G., Faye B., Loiseau G. (2009) The composition of camel milk: a meta-analysis of
    the literature data. J Food Compos Anal 22:95-101.
    """
    rng = _rng(1)
    samples: list[Sample] = []
    k = 0
    for site in SITES:
        shubat_idx = {site.n - 1} if site.n < 5 else {site.n - 2, site.n - 1}
        for j in range(site.n):
            k += 1
            species = str(rng.choice(["dromedary", "hybrid", "Bactrian"], p=[0.55, 0.3, 0.15]))
            product = "shubat" if j in shubat_idx else "raw milk"
            mu, sd = {"dromedary": (3.5, 0.5), "hybrid": (4.3, 0.6), "Bactrian": (5.6, 0.7)}[species]
            fat = float(np.clip(rng.normal(mu, sd), 2.4, 7.5))
            if product == "shubat":
                fat *= 0.95
            dm = 8.4 + 1.15 * fat + rng.normal(0, 0.35) - (0.8 if product == "shubat" else 0.0)
            day = int(site.date[-2:]) + (1 if j >= (site.n + 1) // 2 else 0)
            mass = round(DIGEST_MASS_G + rng.uniform(-0.005, 0.005), 4)
            samples.append(Sample(
                sample_id=f"MNG-{k:03d}", site=site, date=f"{site.date[:-2]}{day:02d}",
                species=species, product=product, fat_pct=round(fat, 2), dry_matter_pct=round(dm, 1),
                mass_g=mass, plate_id=f"SPL{k}", note=site.note,
            ))
    return samples


def _lognormal(rng: np.random.Generator, median: float, gsd: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, np.log(gsd), n))


def make_truth(samples: list[Sample]) -> dict[str, dict[str, float]]:
    """Draw the true concentrations of every sample (written to ``truth.csv``).

    Units: metals mg/kg and AFM1 µg/kg wet weight; OCPs and indicator PCBs ng/g fat; PCDD/F and
    dl-PCB congeners pg/g fat. Log-normal around the published camel-milk values cited inline,
    plus the deliberate exceedances and non-detects listed in the study README.

    References
    ----------
    Konuspayeva G. et al. (2009) Open Environ Pollut Toxicol J 1:112-118 (Cu, Zn, Pb, Cr).
    Konuspayeva G. et al. (2011) Chemosphere (PCDD/F, dl-PCB, ICES-6 in Kazakh camel milk).
    Jurjanz S. et al. (2019), poster, hal-03953575 (OCP maxima in Kazakh camel milk).
    Kerdoun M.A., Djafer R. (2024) J Trace Elem Miner 8:100131 (Pb, Cd in camel milk).
    """
    rng = _rng(2)
    n = len(samples)
    ind = np.array([s.site.industrial for s in samples])
    shubat = np.array([s.product == "shubat" for s in samples])
    t: dict[str, np.ndarray] = {}
    # Metals, mg/kg wet weight. Konuspayeva et al. 2009: milk Cu 0.07, Zn 5.16, Pb 0.025 mg/kg;
    # shubat Cu 0.163, Zn 7.2, Pb 0.007; Cr 59.5 +- 45.4 µg/kg; Kerdoun & Djafer 2024: Cd 0.0008-0.8.
    t["Pb"] = _lognormal(rng, 0.0065, 1.7, n) * np.where(ind, 2.2, 1.0) * np.where(shubat, 0.5, 1.0)
    t["Cd"] = _lognormal(rng, 0.0012, 2.0, n)
    t["As"] = _lognormal(rng, 0.0035, 1.8, n) * np.where(ind, 1.4, 1.0)
    t["Hg"] = _lognormal(rng, 0.0005, 1.8, n)
    t["Ni"] = _lognormal(rng, 0.020, 1.6, n) * np.where(ind, 1.3, 1.0)
    t["Cr"] = _lognormal(rng, 0.045, 1.7, n)
    t["Cu"] = _lognormal(rng, 0.065, 1.4, n) * np.where(shubat, 2.2, 1.0)
    t["Zn"] = _lognormal(rng, 5.0, 1.3, n) * np.where(shubat, 1.4, 1.0)
    ids = [s.sample_id for s in samples]

    def at(sample_id: str) -> int:
        return ids.index(sample_id)

    # Deliberate cases (documented in README): Pb exceedances near industrial sites, one above
    # the EAEU 0.1 mg/kg; Pb non-detects; Hg above the EAEU 0.005 mg/kg near the tailings.
    for sid, v in {"MNG-003": 0.034, "MNG-018": 0.027, "MNG-021": 0.118, "MNG-023": 0.046,
                   "MNG-007": 0.031}.items():
        t["Pb"][at(sid)] = v
    for sid in ("MNG-029", "MNG-033", "MNG-036"):
        t["Pb"][at(sid)] = 0.0003
    t["Hg"][at("MNG-008")] = 0.0068
    t["Cd"][at("MNG-022")] = 0.0105
    for sid in ("MNG-012", "MNG-034"):
        t["Cd"][at(sid)] = 0.00015
    # OCPs and indicator PCBs, ng/g fat (Jurjanz et al. 2019 maxima: HCB 3.6, HCH 20.4, DDT 2.4;
    # Konuspayeva et al. 2011: ICES-6 median 5.1, range 0.6-17.4, PCB 52 + 101 > 60 %;
    # Arnika 2016 Mangystau maximum NDL-PCB 44.6 ng/g fat).
    ocp_med = {"alpha-HCH": (0.30, 2.0), "beta-HCH": (1.4, 2.0), "gamma-HCH": (0.35, 2.0),
               "HCB": (0.75, 1.7), "p,p'-DDE": (0.38, 1.8), "p,p'-DDD": (0.015, 2.0),
               "p,p'-DDT": (0.13, 2.0), "o,p'-DDT": (0.012, 2.0), "dieldrin": (0.12, 2.0),
               "heptachlor": (0.008, 2.0)}
    for a, (med, gsd) in ocp_med.items():
        t[a] = _lognormal(rng, med, gsd, n) * np.where(ind, 1.3, 1.0)
    total = _lognormal(rng, 5.1, 1.7, n) * np.where(ind, 1.5, 1.0)
    total[at("MNG-017")] = 46.5  # Kuryk: ICES-6 sum above the EU 40 ng/g fat
    total[at("MNG-002")] = 41.8  # Aktau
    profile = np.array([0.08, 0.35, 0.27, 0.10, 0.13, 0.07])
    shares = rng.dirichlet(profile * 60, n)
    for i, a in enumerate(PCB6):
        t[a] = total * shares[:, i]
    # Dioxins and dl-PCBs, pg/g fat: PCDD/F TEQ up to about 1.4 pg/g fat (Konuspayeva 2011 max
    # 1.36; Arnika max 1.33), with a PCB-126-driven total TEQ above the EU 4.0 pg/g fat at Kuryk.
    site_factor = np.where(ind, 1.35, 1.0)
    for a in PCDDF + DLPCB:
        t[a] = _lognormal(rng, DIOXIN_MEDIAN[a][0], 1.5, n) * site_factor
    hot = at("MNG-017")
    for a in DLPCB:
        t[a][hot] *= 3.4
    t["PCB 126"][hot] = 36.0
    # Aflatoxin M1, µg/kg wet weight: mostly below the EU 0.050 µg/kg, two above it.
    t["aflatoxin M1"] = _lognormal(rng, 0.011, 1.9, n)
    t["aflatoxin M1"][at("MNG-026")] = 0.068
    t["aflatoxin M1"][at("MNG-031")] = 0.057
    for sid in ("MNG-004", "MNG-013", "MNG-035"):
        t["aflatoxin M1"][at(sid)] = 0.0015
    return {sid: {a: float(v[i]) for a, v in t.items()} for i, sid in enumerate(ids)}


DIOXIN_SAMPLES = ["MNG-002", "MNG-006", "MNG-008", "MNG-011", "MNG-015", "MNG-017",
                  "MNG-019", "MNG-021", "MNG-024", "MNG-027", "MNG-030", "MNG-034"]


def write_register(samples: list[Sample], out: Path) -> None:
    """Write ``register.csv`` in the column order of the study design."""
    rows: list[list[object]] = [["sample_id", "site", "latitude", "longitude", "sampling_date",
                                 "species", "product", "fat_pct", "dry_matter_pct", "sample_mass_g",
                                 "sample_volume_ml", "final_volume_ml", "aliases", "notes"]]
    for s in samples:
        rows.append([s.sample_id, s.site.name, f"{s.site.lat:.2f}", f"{s.site.lon:.2f}", s.date,
                     s.species, s.product, f"{s.fat_pct:.2f}", f"{s.dry_matter_pct:.1f}",
                     f"{s.mass_g:.4f}", "", f"{FINAL_VOLUME_ML:.0f}", s.plate_id,
                     f"{MARK} example record; {s.note}"])
    _write(out / "register.csv", _csv_text(rows, "\n"), "\n")


def write_truth(truth: dict[str, dict[str, float]], out: Path) -> None:
    """Write ``truth.csv``: the true value of every sample x analyte, with unit and basis."""
    rows: list[list[object]] = [["sample_id", "analyte", "true_value", "unit", "basis"]]
    for sid, vals in truth.items():
        for a in ICP_ELEMENTS:
            rows.append([sid, a, _g(vals[a], 4), "mg/kg", "wet"])
        for a in GC_COMPOUNDS:
            rows.append([sid, a, _g(vals[a], 4), "ng/g", "fat"])
        if sid in DIOXIN_SAMPLES:
            for a in PCDDF + DLPCB:
                rows.append([sid, a, _g(vals[a], 4), "pg/g", "fat"])
        rows.append([sid, "aflatoxin M1", _g(vals["aflatoxin M1"], 4), "µg/kg", "wet"])
    _write(out / "truth.csv", _csv_text(rows, "\n"), "\n")


# --------------------------------------------------------------------------------------------
# ICP-MS: Agilent MassHunter batch table (EXPORTS.md section 2.1)
# --------------------------------------------------------------------------------------------


@dataclass
class Injection:
    type: str
    name: str
    level: int | None = None
    conc: dict[str, float] | None = None  # µg/L in the measured solution
    matrix: bool = False  # digested milk (ISTD suppression)
    rejected: bool = False
    dilution: int = 1  # MassHunter 'Total Dil.'


def _icp_sequence(samples: list[Sample], truth: dict[str, dict[str, float]], rng: np.random.Generator
                  ) -> list[Injection]:
    seq: list[Injection] = []
    for lv in range(6):
        conc = {e: ICP_LEVELS[e][lv] for e in ICP_ELEMENTS}
        if lv == 0:
            seq.append(Injection("CalBlk", "Cal Blank", 1, conc))
        else:
            seq.append(Injection("CalStd", f"Cal Std L{lv + 1}", lv + 1, conc))
    ccv = {e: ICP_LEVELS[e][CCV_LEVEL - 1] for e in ICP_ELEMENTS}

    def blank() -> dict[str, float]:
        return {e: max(0.0, float(rng.normal(*DIGEST_BLANK[e]))) for e in ICP_ELEMENTS}

    def digest(sid: str, mass: float, extra: float = 1.0) -> dict[str, float]:
        # µg/kg * g / mL = µg/L, plus this digestion's own reagent contamination
        b = blank()
        return {e: truth[sid][e] * 1000.0 * mass / FINAL_VOLUME_ML * extra + b[e] for e in ICP_ELEMENTS}

    def crm() -> dict[str, float]:
        b = blank()
        return {e: (CRM_VALUES[e] * 1000.0 * CRM_MASS_G / FINAL_VOLUME_ML + b[e]) / CRM_DILUTION
                for e in ICP_ELEMENTS}

    work: list[Injection] = [Injection("BLK", "Method Blank 1", None, blank(), True),
                             Injection("QCS", f"{CRM_NAME} A", None, crm(), True, dilution=CRM_DILUTION)]
    for s in samples:
        hetero = float(rng.normal(1.0, 0.02))
        if s.sample_id == "MNG-017":  # first acquisition rejected (nebuliser blocked), re-run
            work.append(Injection("Sample", s.sample_id, None, digest(s.sample_id, s.mass_g), True, True))
        work.append(Injection("Sample", s.sample_id, None, digest(s.sample_id, s.mass_g), True))
        if s.sample_id in ("MNG-005", "MNG-025"):
            work.append(Injection("DUP", f"{s.sample_id} DUP", None, digest(s.sample_id, s.mass_g, hetero), True))
        if s.sample_id in ("MNG-010", "MNG-030"):
            spk = digest(s.sample_id, s.mass_g)
            for e in ICP_ELEMENTS:
                spk[e] += SPIKE[e]
            work.append(Injection("Spike", f"{s.sample_id} SPK", None, spk, True))
        if s.sample_id in ("MNG-012", "MNG-024"):
            work.append(Injection("BLK", f"Method Blank {2 if s.sample_id == 'MNG-012' else 3}", None, blank(), True))
    work.append(Injection("BLK", "Method Blank 4", None, blank(), True))
    work.append(Injection("QCS", f"{CRM_NAME} B", None, crm(), True, dilution=CRM_DILUTION))
    n_ccv = 0
    for i, inj in enumerate(work):
        seq.append(inj)
        if (i + 1) % 10 == 0:
            n_ccv += 1
            seq.append(Injection("CCV", "CCV L4", None, ccv))
    if len(work) % 10:
        seq.append(Injection("CCV", "CCV L4", None, ccv))
    return seq


def write_icpms(samples: list[Sample], truth: dict[str, dict[str, float]], out: Path) -> int:
    """Write ``icpms_metals_batch.csv`` (Agilent MassHunter ICP-MS batch table); return injections.

    Counts per replicate are Poisson on (background + sensitivity x concentration) x ISTD drift
    x matrix suppression x plasma flicker; ``Conc. [ ppb ]`` is the ISTD-ratio linear fit over
    levels 1-6, as MassHunter reports it (US EPA Method 200.8, section 11: internal
    standardisation).
    """
    rng = _rng(3)
    seq = _icp_sequence(samples, truth, rng)
    n = len(seq)
    t_int = 0.3  # s per replicate
    info = ["", "Rjct", "Data File", "Acq. Date-Time", "Type", "Level", "Sample Name", "Total Dil.", "Comment"]
    row1: list[object] = ["Sample"] + [""] * (len(info) - 1)
    row2: list[object] = list(info)
    for e in ICP_ELEMENTS:
        row1 += [f"{ICP_MASS[e]}  {e}  [ He ] ", "", "", ""]
        row2 += ["CPS", "CPS RSD", "Conc. [ ppb ]", "Conc. RSD"]
    for i_ in ISTD_MASS:
        row1 += [f"{ISTD_MASS[i_]}  {i_} ( ISTD )  [ He ] ", ""]
        row2 += ["CPS", "CPS RSD"]
    # Simulated replicate CPS for every injection.
    drift = {k: 1.0 - 0.14 * np.linspace(0, 1, n) + 0.03 * np.sin(np.linspace(0, 5, n)) for k in ISTD_MASS}
    reps: list[dict[str, np.ndarray]] = []
    for j, inj in enumerate(seq):
        flicker = rng.normal(1.0, 0.012, 3)
        supp = float(rng.normal(0.91, 0.02)) if inj.matrix else 1.0
        d: dict[str, np.ndarray] = {}
        for k in ISTD_MASS:
            mean = ISTD_CPS[k] * drift[k][j] * supp * flicker * rng.normal(1.0, 0.006, 3)
            d[k] = rng.poisson(mean * t_int) / t_int
        for e in ICP_ELEMENTS:
            f = drift[ICP_ISTD[e]][j] * supp * (1.0 + 0.012 * (j / n) * (ICP_MASS[e] < 100))
            mean = (BKG[e] + SENS[e] * inj.conc[e] * f) * flicker * rng.normal(1.0, 0.008, 3)
            d[e] = rng.poisson(np.maximum(mean, 0) * t_int) / t_int
        reps.append(d)
    # MassHunter-style calculation: ISTD ratio, linear fit over levels 1-6, replicate concentrations.
    cal_idx = [j for j, inj in enumerate(seq) if inj.type in ("CalBlk", "CalStd")]
    fits = {}
    for e in ICP_ELEMENTS:
        x = np.array([seq[j].conc[e] for j in cal_idx])
        y = np.array([reps[j][e].mean() / reps[j][ICP_ISTD[e]].mean() for j in cal_idx])
        slope, intercept = np.polyfit(x, y, 1)
        fits[e] = (slope, intercept)
    rows: list[list[object]] = [row1, row2]
    t0 = 9 * 60 + 2  # 09:02 on 15 Oct 2024
    seconds = 0
    kind = {"CalBlk": "CALB", "CalStd": "CALS"}
    for j, inj in enumerate(seq):
        minute = t0 + seconds // 60
        stamp = f"15/10/2024 {minute // 60:02d}:{minute % 60:02d}"
        seconds += int(rng.integers(262, 290))
        dfile = f"{j + 1:03d}{kind.get(inj.type, 'SMPL')}.d"
        r: list[object] = ["", "TRUE" if inj.rejected else "FALSE", dfile, stamp, inj.type,
                           inj.level if inj.level is not None else "", inj.name, str(inj.dilution), MARK]
        if inj.rejected:
            r += [""] * (4 * len(ICP_ELEMENTS) + 2 * len(ISTD_MASS))
            rows.append(r)
            continue
        d = reps[j]
        for e in ICP_ELEMENTS:
            cps = d[e]
            mean = float(cps.mean())
            rsd = float(cps.std(ddof=1) / mean * 100) if mean > 0 else None
            slope, intercept = fits[e]
            ratio = cps / d[ICP_ISTD[e]]
            creps = (ratio - intercept) / slope * inj.dilution  # 'Conc.' includes Total Dil.
            cmean = float(creps.mean())
            if inj.type == "CalBlk":
                conc, crsd = "0", "N/A"
            elif cmean <= 0:
                conc, crsd = "<0.000", "N/A"
            else:
                conc, crsd = _g(cmean, 9), _g(float(creps.std(ddof=1) / cmean * 100), 9)
            r += [_g(mean), "N/A" if rsd is None else _g(rsd), conc, crsd]
        for k in ISTD_MASS:
            cps = d[k]
            r += [_g(float(cps.mean())), _g(float(cps.std(ddof=1) / cps.mean() * 100))]
        rows.append(r)
    _write(out / "icpms_metals_batch.csv", _csv_text(rows), "\r\n")
    return n


# --------------------------------------------------------------------------------------------
# GC-MS/MS: Agilent MassHunter Quant compound-in-columns batch table (EXPORTS.md section 3.1a)
# --------------------------------------------------------------------------------------------


def write_gcmsms(samples: list[Sample], truth: dict[str, dict[str, float]], out: Path) -> int:
    """Write ``gcmsms_ocp_pcb_batch.csv`` (MassHunter Quant compound-in-columns); return injections.

    Area = relative response factor x (c / c_ISTD) x ISTD area (internal-standard calibration,
    SANTE/11312/2021 section C); no peak is reported below the integration threshold.
    """
    rng = _rng(4)
    # Sequence: procedural blanks, 7 calibration levels, samples with a check standard every 12.
    seq: list[tuple[str, str, int | None, dict[str, float], float | None, str | None]] = []
    seq.append(("Blank", "Procedural Blank 1", None, {a: 0.0 for a in GC_COMPOUNDS}, None, None))
    for i, c in enumerate(GC_LEVELS):
        seq.append(("Cal", f"Cal L{i + 1} {_g(c)} ng/mL", i + 1, {a: c for a in GC_COMPOUNDS}, c, None))
    seq.append(("Blank", "Procedural Blank 2", None, {a: 0.0 for a in GC_COMPOUNDS}, None, None))
    for k, s in enumerate(samples):
        factor = s.fat_pct / 100.0 * GC_INTAKE_G / GC_FINAL_ML  # ng/g fat -> ng/mL extract
        conc = {a: truth[s.sample_id][a] * factor for a in GC_COMPOUNDS}
        seq.append(("Sample", s.sample_id, None, conc, None, s.sample_id))
        if (k + 1) % 9 == 0:
            seq.append(("CC", f"CCV {_g(GC_QC_CONC)} ng/mL", None,
                        {a: GC_QC_CONC for a in GC_COMPOUNDS}, GC_QC_CONC, None))
    seq.append(("Blank", "Procedural Blank 3", None, {a: 0.0 for a in GC_COMPOUNDS}, None, None))
    blank_contam = {"PCB 28": 0.02, "PCB 52": 0.03, "HCB": 0.015, "PCB 101": 0.01}
    n = len(seq)
    areas: list[dict[str, float | None]] = []
    rts: list[dict[str, float | None]] = []
    for j, (typ, _name, _lv, conc, _exp, _sid) in enumerate(seq):
        is_extract = typ in ("Sample", "Blank")
        recovery = float(np.clip(rng.normal(0.86, 0.06), 0.6, 1.0)) if is_extract else 1.0
        inj_drift = 1.0 - 0.08 * j / n + float(rng.normal(0, 0.015))
        istd_area = GC_ISTD_AREA * recovery * inj_drift * float(rng.normal(1.0, 0.02))
        a_row: dict[str, float | None] = {GC_ISTD: istd_area}
        rt_row: dict[str, float | None] = {GC_ISTD: GC_PARAMS[GC_ISTD][0] + float(rng.normal(0, 0.004))}
        for a in GC_COMPOUNDS:
            rrf = GC_PARAMS[a][4]
            c = conc[a] + (blank_contam.get(a, 0.0) if is_extract else 0.0)
            area = rrf * c / GC_ISTD_CONC * istd_area * float(rng.normal(1.0, 0.035))
            area += float(rng.normal(0, 120))  # integration noise (area counts)
            if area < 650:  # below the integrator's peak threshold: no peak found
                a_row[a], rt_row[a] = None, None
            else:
                a_row[a] = round(area)
                rt_row[a] = GC_PARAMS[a][0] + float(rng.normal(0, 0.004))
        areas.append(a_row)
        rts.append(rt_row)
    # MassHunter Quant calculation: response ratio vs concentration ratio, linear, 1/x weighting.
    cal = [j for j, r in enumerate(seq) if r[0] == "Cal"]
    fits = {}
    for a in GC_COMPOUNDS:
        x = np.array([seq[j][3][a] / GC_ISTD_CONC for j in cal if areas[j][a] is not None])
        y = np.array([areas[j][a] / areas[j][GC_ISTD] for j in cal if areas[j][a] is not None])
        w = 1.0 / x
        slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(w))
        fits[a] = (slope, intercept)
    info = ["", "", "Name", "Data File", "Type", "Level", "Acq. Date-Time", "Vol.", "Comment"]
    row1: list[object] = ["Sample"] + [""] * (len(info) - 1)
    row2: list[object] = list(info)
    res_fields = ["RT", "Area", "ISTD Resp. Ratio", "Exp. Conc.", "Calc. Conc.", "Final Conc.", "Accuracy", "MI"]
    for a in GC_COMPOUNDS + [GC_ISTD]:
        row1 += [f"{a} Method", "", ""]
        row2 += ["Precursor Ion", "Product Ion", "Collision Energy"]
        if a == GC_ISTD:
            row1 += [f"{a} Results", "", ""]
            row2 += ["RT", "Area", "MI"]
        else:
            row1 += [f"{a} Results"] + [""] * (len(res_fields) - 1)
            row2 += res_fields
    rows: list[list[object]] = [row1, row2]
    minutes = 9 * 60
    day = 16
    for j, (typ, name, lv, _conc, exp, sid) in enumerate(seq):
        h, m = divmod(minutes, 60)
        if h >= 24:
            h -= 24
            day_ = day + 1
        else:
            day_ = day
        ampm = "AM" if h < 12 else "PM"
        h12 = h % 12 or 12
        stamp = f"10/{day_}/2024 {h12}:{m:02d} {ampm}"
        minutes += 34
        cells_after: list[object] = []
        outlier = False
        for a in GC_COMPOUNDS + [GC_ISTD]:
            _rt, prec, prod, ce, _rrf = GC_PARAMS[a]
            cells_after += [_g(prec), _g(prod), ce]
            area = areas[j][a]
            rt = rts[j][a]
            mi = "TRUE" if (a == "beta-HCH" and sid in ("MNG-009", "MNG-027")) else "FALSE"
            if a == GC_ISTD:
                cells_after += [f"{rt:.3f}", f"{area:.0f}", "FALSE"]
                continue
            if area is None:
                cells_after += ["", "", "", _g(exp) if exp is not None else "", "", "", "", mi]
                continue
            ratio = area / areas[j][GC_ISTD]
            slope, intercept = fits[a]
            calc = (ratio - intercept) / slope * GC_ISTD_CONC
            acc = ""
            if exp is not None:
                accv = calc / exp * 100
                acc = f"{accv:.1f}"
                outlier = outlier or not (80 <= accv <= 120)
            cells_after += [f"{rt:.3f}", f"{area:.0f}", _g(ratio, 4), _g(exp) if exp is not None else "",
                            _g(calc, 4), _g(calc, 4), acc, mi]
        data_file = f"{j + 1:03d}_{name.replace(' ', '_').replace('/', '-')}.d"
        rows.append(["!" if outlier else "", "", name, data_file, typ, lv if lv is not None else "",
                     stamp, "1", MARK] + cells_after)
    _write(out / "gcmsms_ocp_pcb_batch.csv", _csv_text(rows), "\r\n")
    return n


# --------------------------------------------------------------------------------------------
# Dioxins: contract laboratory long CSV (generic reader)
# --------------------------------------------------------------------------------------------


def write_dioxins(samples: list[Sample], truth: dict[str, dict[str, float]], out: Path) -> int:
    """Write ``dioxins_contract_lab.csv`` (final pg/g fat, LOQ per congener, ``<`` below LOQ).

    Non-detects are reported as ``<`` LOQ, the upper-bound convention of Commission Regulation
    (EU) 2017/644, Annex III.
    """
    rng = _rng(5)
    by_id = {s.sample_id: s for s in samples}
    rows: list[list[object]] = [["lab_sample_no", "sample_id", "congener", "qualifier", "value", "unit",
                                 "LOQ", "fat_pct", "method", "analysis_date", "remark"]]
    for k, sid in enumerate(DIOXIN_SAMPLES):
        s = by_id[sid]
        fat_extracted = s.fat_pct  # % fat determined gravimetrically by the laboratory
        for a in PCDDF + DLPCB:
            loq = DIOXIN_MEDIAN[a][1] * 4.0 / s.fat_pct  # LOQ rises as less fat is extracted
            loq = float(f"{loq:.2g}")
            measured = truth[sid][a] * float(rng.normal(1.0, 0.08))
            if measured < loq:
                qual, value = "<", loq
            else:
                qual, value = "", measured
            rows.append([f"24-{11807 + k:05d}", sid, a, qual, _g(value, 3), "pg/g fat", _g(loq, 2),
                         f"{fat_extracted:.2f}", "EN 16215 / EPA 1613B, 1668C (HRGC-HRMS)",
                         "2024-11-28", f"{MARK} example data"])
    _write(out / "dioxins_contract_lab.csv", _csv_text(rows, "\r\n"), "\r\n")
    return len(DIOXIN_SAMPLES)


def write_mapping(out: Path) -> None:
    """Write ``dioxins_mapping.toml`` with the keys of ``labtox.io.generic``."""
    text = f"""# Mapping of the contract laboratory's long CSV (dioxins_contract_lab.csv) onto labtox's
# measurement columns, for the generic reader (labtox.io.generic). {MARK} example study.
# Keys name the file's columns; `basis` and `layout` are fixed values.
layout = "long"
sample_id = "sample_id"
analyte = "congener"
value = "value"
unit = "unit"
qualifier = "qualifier"
loq = "LOQ"
basis = "fat"
acquired = "analysis_date"
laboratory = "Contract laboratory (synthetic)"
instrument = "GC-HRMS"
title = "PCDD/F and dl-PCB congeners in camel milk fat, Mangystau 2024"
synthetic = true
"""
    _write(out / "dioxins_mapping.toml", text, "\n")


# --------------------------------------------------------------------------------------------
# AFM1 ELISA: BioTek Gen5 plate text export (EXPORTS.md section 4.1)
# --------------------------------------------------------------------------------------------


def _four_pl(x: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    """Gen5 4-parameter logistic: Y = (A - D) / (1 + (X / C)^B) + D."""
    return (a - d) / (1.0 + (np.maximum(x, 0.0) / c) ** b) + d


def write_gen5(samples: list[Sample], truth: dict[str, dict[str, float]], out: Path) -> int:
    """Write ``afm1_elisa_gen5.txt`` (BioTek Gen5 3.12 plate export); return the sample count.

    Absorbance follows a competitive 4PL curve; Gen5's 4P fit of the standards and its
    back-calculated ``[Concentration]`` rows are recomputed here (Findlay & Dillard 2007,
    AAPS J 9:E260).
    """
    from scipy.optimize import curve_fit

    rng = _rng(6)
    true_par = (2.05, 1.15, 14.5, 0.11)  # A (zero standard), B, C (IC50, ng/L), D
    rows_letters = "ABCDEFGH"
    ids = [["" for _ in range(12)] for _ in range(8)]
    concdil = [["" for _ in range(12)] for _ in range(8)]
    conc_true = np.zeros((8, 12))
    for k, c in enumerate(AFM1_STD_NGL):
        for rep in range(2):
            ids[0][2 * k + rep] = f"STD{k + 1}"
            concdil[0][2 * k + rep] = _g(c)
            conc_true[0][2 * k + rep] = c
    for k, s in enumerate(samples):
        r = 1 + k // 6
        col = 2 * (k % 6)
        ngl = truth[s.sample_id]["aflatoxin M1"] * MILK_DENSITY * 1000.0
        for rep in range(2):
            ids[r][col + rep] = s.plate_id
            concdil[r][col + rep] = "1"
            conc_true[r][col + rep] = ngl
    absb = np.full((8, 12), np.nan)
    for r in range(7):
        y = _four_pl(conc_true[r], *true_par)
        absb[r] = y * rng.normal(1.0, 0.025, 12) + rng.normal(0, 0.004, 12)
    absb = np.round(absb, 3)
    std_x = conc_true[0]
    std_y = absb[0]
    popt, _ = curve_fit(_four_pl, std_x, std_y, p0=true_par, maxfev=20000)
    a, b, c, d = (float(f"{v:.4g}") for v in popt)
    pred = _four_pl(std_x, a, b, c, d)
    r2 = 1 - np.sum((std_y - pred) ** 2) / np.sum((std_y - std_y.mean()) ** 2)

    def back(y: float) -> str:
        if y >= a:
            return "<0.000"
        if y <= d:
            return "?????"
        x = c * ((a - d) / (y - d) - 1.0) ** (1.0 / b)
        if x > max(AFM1_STD_NGL):
            return f">{max(AFM1_STD_NGL):.3f}"
        return f"{x:.3f}"

    lines = ["", "", "Software Version\t3.12.08", "", "", "",
             f"Experiment File Path:\tC:\\Users\\Public\\Documents\\Experiments\\{STUDY}_AFM1_{MARK}.xpt",
             "Protocol File Path:\tC:\\Users\\Public\\Documents\\Protocols\\AFM1_milk_competitive_450.prt",
             "", "", "",
             "Plate Number\tPlate 1", "Date\t10/22/2024", "Time\t10:41:27 AM", "Reader Type:\tSynergy H1",
             f"Reader Serial Number:\t{MARK}", "Reading Type\tSimulation", "",
             "Procedure Details", "", "Plate Type\t96 WELL PLATE (Use plate lid)",
             "Eject plate on completion\t", "Read\t450nmAbsRead", "\tAbsorbance Endpoint", "\tA1..G12",
             "\tWavelengths:  450", "\tRead Speed: Normal,  Delay: 100 msec,  Measurements/Data Point: 8", "",
             "Layout", "\t" + "\t".join(str(i) for i in range(1, 13))]
    for r in range(8):
        lines.append(rows_letters[r] + "\t" + "\t".join(ids[r]) + "\tWell ID")
        lines.append("\t" + "\t".join(concdil[r]) + "\tConc/Dil")
    lines += ["", "Results", "\t" + "\t".join(str(i) for i in range(1, 13))]
    for r in range(7):
        lines.append(rows_letters[r] + "\t" + "\t".join(f"{v:.3f}" for v in absb[r]) + "\t450nmAbsRead:450")
        lines.append("\t" + "\t".join(back(float(v)) for v in absb[r]) + "\t[Concentration]")
    lines += ["", "StdCurve Fitting Results", "", "Curve Name\tCurve Formula\tA\tB\tC\tD\tR2\tFit F Prob",
              f"StdCurve\tY = (A-D)/(1+(X/C)^B) + D\t{_g(a, 4)}\t{_g(b, 4)}\t{_g(c, 4)}\t{_g(d, 4)}"
              f"\t{r2:.3f}\t?????", ""]
    _write(out / "afm1_elisa_gen5.txt", "\n".join(lines), "\r\n")
    return len(samples)


# --------------------------------------------------------------------------------------------
# study.toml and entry point
# --------------------------------------------------------------------------------------------


def write_study(out: Path) -> None:
    """Write ``study.toml`` as agreed in the study design."""
    text = f"""# {MARK} example study: every value in this folder was generated by samples/generate.py.
[study]
id = "{STUDY}"
title = "Camel milk and shubat, Mangystau region (synthetic example data)"
synthetic = true
register = "register.csv"
limits = ["EAEU", "EU", "Codex"]

[[exports]]
path = "icpms_metals_batch.csv"
method = "../../methods/icpms-metals-milk.toml"
format = "masshunter-icpms"

[[exports]]
path = "gcmsms_ocp_pcb_batch.csv"
method = "../../methods/gcmsms-ocp-pcb-milk.toml"
# The register's sample_mass_g/final_volume_ml are the ICP-MS digestion amounts; the GC extraction
# amounts (10 g to 1.0 mL) are the method's defaults.
preparation = "method"

[[exports]]
path = "dioxins_contract_lab.csv"
method = "../../methods/hrms-dioxins-contract-lab.toml"
format = "generic"
mapping = "dioxins_mapping.toml"

[[exports]]
path = "afm1_elisa_gen5.txt"
method = "../../methods/elisa-afm1-milk.toml"
format = "gen5"
# Gen5 writes neither the analyte nor the concentration unit: the reader is told them.
options = {{ analyte = "aflatoxin M1", conc_unit = "ng/L" }}
"""
    _write(out / "study.toml", text, "\n")


def generate(out: Path = OUT_DEFAULT) -> dict[str, int]:
    """Write every file of the study into ``out``; return counts for a quick check.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     generate(d)["icpms_injections"]
    58
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    samples = make_register()
    truth = make_truth(samples)
    write_register(samples, out)
    write_truth(truth, out)
    counts = {
        "samples": len(samples),
        "icpms_injections": write_icpms(samples, truth, out),
        "gcmsms_injections": write_gcmsms(samples, truth, out),
        "dioxin_samples": write_dioxins(samples, truth, out),
        "elisa_samples": write_gen5(samples, truth, out),
    }
    write_mapping(out)
    write_study(out)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python samples/generate.py [OUTDIR]``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT_DEFAULT
    counts = generate(out)
    sys.stdout.write(f"wrote {out}: {counts}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
